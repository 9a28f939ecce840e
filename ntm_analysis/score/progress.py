"""Progress toward the plan's targets, and per-indicator trend status by the Open SDG rule.

Targets are read from the plan file (``reference/plan-<id>.yaml``), never written in code.

``standard_progress`` columns: ``year, category`` (all / commune_linked / border / other),
``villages``, ``meeting`` (villages meeting the standard that year), ``new`` (villages meeting it for
the first time that year, after the baseline), ``cumulative_new``, ``target_cumulative`` (pro rata
over the plan period: 6 a year, 30 by 2025; 6 / 6 / 18 by category), ``gap_to_target``, ``on_track``.

``border_share`` columns: ``year, villages, meeting, share, target_share, on_track``.

``indicator_trends`` columns: ``indicator_code, name_vi, name_en, direction, baseline_year,
baseline, latest_year, latest, target, target_year, method`` (cagr / cagr_complement / linear),
``observed_rate, required_rate, ratio, status`` (one of ``TREND_STATUSES``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ntm_analysis.core.i18n import message
from ntm_analysis.reference.plan import villages_to_reach
from ntm_analysis.reference.criteria import CriteriaSet

# Open SDG / UN ESCAP progress rule: ratio of observed to required growth.
TREND_STATUSES = ["target_achieved", "on_track", "acceleration_needed", "limited_progress", "deterioration"]
_ON_TRACK, _ACCELERATE = 0.95, 0.60
TREND_COLUMNS = ["indicator_code", "name_vi", "name_en", "direction", "baseline_year", "baseline", "latest_year",
                 "latest", "target", "target_year", "method", "observed_rate", "required_rate", "ratio", "status"]


def trend_labels(lang: str = "vi") -> dict[str, str]:
    """Each trend status's name in ``lang`` (``progress.trend.*``), in :data:`TREND_STATUSES` order."""
    return {status: message(f"progress.trend.{status}", lang) for status in TREND_STATUSES}


def __getattr__(name: str) -> dict[str, tuple[str, str]]:
    # TREND_LABELS (status -> (vi, en), as notebook 02 uses it) is looked up in the catalogues when asked for
    if name == "TREND_LABELS":
        vi, en = trend_labels("vi"), trend_labels("en")
        return {status: (vi[status], en[status]) for status in TREND_STATUSES}
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def first_meeting_year(status: pd.DataFrame) -> pd.Series:
    """The first year each village meets the standard (index ``village_code``; absent if never)."""
    meeting = status[status["meets_standard"]]
    return meeting.groupby("village_code")["year"].min()


def standard_progress(status: pd.DataFrame, villages: pd.DataFrame, plan: dict) -> pd.DataFrame:
    """Villages meeting the standard per year and cumulatively, overall and by plan category, vs targets."""
    years = sorted(status["year"].unique())
    baseline, end = plan.get("baseline_year") or years[0], plan["period"]["end"]
    plan_targets = plan.get("targets") or {}
    first = first_meeting_year(status)
    category = villages.set_index("village_code")["plan_category"]
    at_baseline = status[status["year"] == baseline]
    groups = ["all", *(plan_targets.get("by_category") or
                       ([c["id"] for c in plan["categories"]] if plan_targets.get("villages_share") is not None else []))]
    rows = []
    for cat in groups:
        members = category.index if cat == "all" else category.index[category == cat]
        in_cat = status[status["village_code"].isin(members)]
        base = at_baseline[at_baseline["village_code"].isin(members)]
        total = villages_to_reach(plan_targets, None if cat == "all" else cat, len(base), int(base["meets_standard"].sum()))
        total = np.nan if total is None else total
        new_first = first[first.index.isin(members) & (first > baseline)]
        for year in years:
            share = min(max(year - baseline, 0) / (end - baseline), 1.0)
            cumulative = int((new_first <= year).sum())
            rows.append({
                "year": year, "category": cat, "villages": int(in_cat.loc[in_cat["year"] == year].shape[0]),
                "meeting": int(in_cat.loc[in_cat["year"] == year, "meets_standard"].sum()),
                "new": int((new_first == year).sum()), "cumulative_new": cumulative,
                "target_cumulative": total * share,
            })
    out = pd.DataFrame(rows)
    return out.assign(gap_to_target=out["target_cumulative"] - out["cumulative_new"],
                      on_track=out["cumulative_new"] >= np.floor(out["target_cumulative"]))


def border_share(status: pd.DataFrame, villages: pd.DataFrame, plan: dict) -> pd.DataFrame:
    """Share of villages in border communes meeting the standard each year, vs the plan's 90 %."""
    border = set(villages.loc[villages["border_commune"].fillna(False).astype(bool), "village_code"])
    rows = status[status["village_code"].isin(border)].groupby("year").agg(
        villages=("village_code", "size"), meeting=("meets_standard", "sum")).reset_index()
    target = (plan.get("targets") or {}).get("border_commune_share")
    rows["share"] = 100 * rows["meeting"] / rows["villages"]
    if target is None:  # the plan sets no border rule
        return rows.assign(target_share=np.nan, on_track=pd.NA)
    return rows.assign(target_share=target, on_track=rows["share"] >= target)


def district_series(indicators: pd.DataFrame) -> pd.DataFrame:
    """Per indicator and year, the district value: the mean over villages with data; for a yes/no
    indicator the share of villages with "yes", in percent. Columns ``indicator_code, year, value``."""
    scored = indicators.dropna(subset=["value"])
    value = np.where(scored["unit"].eq("boolean"), 100 * scored["value"], scored["value"])
    return (scored.assign(v=value).groupby(["indicator_code", "year"], sort=False)["v"].mean()
            .rename("value").reset_index())


def indicator_trends(indicators: pd.DataFrame, criteria: CriteriaSet, baseline_year: int,
                     target_year: int) -> pd.DataFrame:
    """Trend status of every indicator's district value, from ``baseline_year`` to the latest year.

    The target is the indicator's threshold (its first group's; 100 % for yes/no indicators).
    Growth is compound (CAGR) where defined; for a percentage that must rise, it is measured on the
    complement to 100, which respects the natural ceiling; where a compound rate is undefined (a zero
    or a target of 0 / 100 %) the linear rate is used instead.
    """
    series = district_series(indicators)
    rows = []
    for ind in criteria.indicators:
        s = series[series["indicator_code"] == ind.code].set_index("year")["value"].sort_index()
        if baseline_year not in s.index or s.index.max() <= baseline_year:
            continue
        latest_year = int(s.index.max())
        target = 100.0 if ind.kind == "boolean" else float(next(iter(ind.thresholds.values())))
        direction = ">=" if ind.kind == "boolean" else ind.direction
        rows.append({"indicator_code": ind.code, "name_vi": ind.name_vi, "name_en": ind.name_en,
                     "direction": direction, "baseline_year": baseline_year, "baseline": s[baseline_year],
                     "latest_year": latest_year, "latest": s[latest_year], "target": target,
                     "target_year": target_year,
                     **trend_status(s[baseline_year], s[latest_year], target, direction,
                                    latest_year - baseline_year, target_year - baseline_year,
                                    bounded=ind.unit in {"percent", "points"} or ind.kind == "boolean")})
    return pd.DataFrame(rows, columns=TREND_COLUMNS)


def trend_status(baseline: float, latest: float, target: float, direction: str, elapsed: int, horizon: int,
                 bounded: bool = False) -> dict:
    """Open SDG rule for one series: ``method, observed_rate, required_rate, ratio, status``."""
    achieved = latest >= target if direction == ">=" else latest <= target
    x0, xt, xs = float(baseline), float(latest), float(target)
    method = "cagr"
    if bounded and direction == ">=":
        x0, xt, xs, method = 100 - x0, 100 - xt, 100 - xs, "cagr_complement"
    if min(x0, xt, xs) > 0 and elapsed > 0 and horizon > 0:
        observed = (xt / x0) ** (1 / elapsed) - 1
        required = (xs / x0) ** (1 / horizon) - 1
    else:
        method = "linear"
        observed = (float(latest) - float(baseline)) / max(elapsed, 1)
        required = (float(target) - float(baseline)) / max(horizon, 1)
    ratio = observed / required if required != 0 else np.nan
    if achieved:
        status = "target_achieved"
    elif np.isnan(ratio) or ratio < 0:
        status = "deterioration" if not np.isnan(ratio) else "limited_progress"
    elif ratio >= _ON_TRACK:
        status = "on_track"
    elif ratio >= _ACCELERATE:
        status = "acceleration_needed"
    else:
        status = "limited_progress"
    return {"method": method, "observed_rate": observed, "required_rate": required, "ratio": ratio,
            "status": status}


def compare_criteria_sets(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """Villages whose status changes only because the rule changed: the same data under two sets.

    ``before`` and ``after`` are village-status frames from scoring the *same values* under two sets.
    Columns: ``village_code, year, set_before, set_after, meets_before, meets_after, met_before,
    met_after, change`` (gained / lost / unchanged). Changes between years are data changes and are not
    mixed in here: each row compares one year with itself.
    """
    keys = ["village_code", "year"]
    merged = before[[*keys, "criteria_set", "meets_standard", "met_label"]].merge(
        after[[*keys, "criteria_set", "meets_standard", "met_label"]], on=keys, suffixes=("_before", "_after"))
    change = np.select([merged["meets_standard_after"] & ~merged["meets_standard_before"],
                        ~merged["meets_standard_after"] & merged["meets_standard_before"]],
                       ["gained", "lost"], default="unchanged")
    return merged.rename(columns={
        "criteria_set_before": "set_before", "criteria_set_after": "set_after",
        "meets_standard_before": "meets_before", "meets_standard_after": "meets_after",
        "met_label_before": "met_before", "met_label_after": "met_after"}).assign(change=change)
