"""Score villages under a criteria set: indicator → criterion → village status, with gap measures.

The standard is **conjunctive**: a criterion passes when all its indicators pass, a village meets the
standard when all criteria pass. No average may hide a failed criterion: the distance to the standard
adds one term per criterion, each the largest normalised gap among its indicators.

Missing data follows an explicit policy, stated in every output (``policy`` column):

- ``missing_fails`` (default): a criterion with an indicator without data is *not met*, as a
  recognition council would treat it;
- ``exclude``: such a criterion is left out of the count and reported as incomplete; a village then
  meets the standard when no assessed criterion fails.

Scored frames
-------------
indicator scores (``INDICATOR_SCORE_COLUMNS``): ``village_code, year, criterion, indicator_code, group,
value, threshold, direction, unit, status`` (pass / fail / no_data), ``shortfall`` (in the indicator's
unit; 1 for a failed boolean; 0 when it passes; NaN without data), ``normalised_gap`` (0–1),
``provenance``.

criterion scores (``CRITERION_SCORE_COLUMNS``): ``village_code, year, criterion, criterion_vi,
criterion_en, status`` (pass / fail / incomplete), ``met`` (bool, under the policy), ``gap`` (largest
normalised gap of its indicators), ``policy``.

village status (``VILLAGE_STATUS_COLUMNS``): ``village_code, year, criteria_met, criteria_total,
criteria_failed, criteria_incomplete, met_label`` ("17/19"), ``meets_standard``,
``distance_to_standard``, ``missing_criteria_vi``, ``missing_criteria_en``, ``criteria_set``, ``policy``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ntm_analysis.criteria import CriteriaSet
from ntm_analysis.criteria.loader import VOCABULARY

POLICIES = ("missing_fails", "exclude")
INDICATOR_SCORE_COLUMNS = ["village_code", "year", "criterion", "indicator_code", "group", "value", "threshold",
                           "direction", "unit", "status", "shortfall", "normalised_gap", "provenance"]
CRITERION_SCORE_COLUMNS = ["village_code", "year", "criterion", "criterion_vi", "criterion_en", "status", "met",
                           "gap", "policy"]
VILLAGE_STATUS_COLUMNS = ["village_code", "year", "criteria_met", "criteria_total", "criteria_failed",
                          "criteria_incomplete", "met_label", "meets_standard", "distance_to_standard",
                          "missing_criteria_vi", "missing_criteria_en", "criteria_set", "policy"]


class ScoringError(ValueError):
    """The data cannot be scored under this criteria set (e.g. a village group the set does not define)."""


@dataclass(frozen=True)
class Scores:
    """The three levels of scores for one criteria set and one missing-data policy."""

    indicators: pd.DataFrame
    criteria: pd.DataFrame
    villages: pd.DataFrame
    criteria_set: str
    policy: str


def score_villages(values: pd.DataFrame, villages: pd.DataFrame, criteria: CriteriaSet,
                   policy: str = "missing_fails") -> Scores:
    """Score every village × year with at least one value, under ``criteria`` and ``policy``.

    ``values``: clean indicator values (``village_code, year, indicator_code, value``).
    ``villages``: clean villages (``village_code, threshold_group``).
    """
    if policy not in POLICIES:
        raise ScoringError(f"unknown missing-data policy {policy!r}; use one of {', '.join(POLICIES)}")
    indicators = score_indicators(values, villages, criteria)
    criteria_scores = score_criteria(indicators, criteria, policy)
    status = village_status(criteria_scores, criteria, policy)
    return Scores(indicators, criteria_scores, status, criteria.id, policy)


def village_groups(villages: pd.DataFrame, criteria: CriteriaSet) -> pd.Series:
    """The threshold group of each village under ``criteria`` (index ``village_code``).

    A set with a single group applies it to every village; otherwise each village's
    ``threshold_group`` must be one of the set's groups.
    """
    ids = [g.id for g in criteria.groups]
    groups = villages.set_index("village_code")["threshold_group"].astype("string")
    if len(ids) == 1:
        return pd.Series(ids[0], index=groups.index, dtype="string")
    unknown = sorted(set(groups.dropna()) - set(ids)) + (["(trống / empty)"] if groups.isna().any() else [])
    if unknown:
        raise ScoringError(f"criteria set {criteria.id} defines groups {', '.join(ids)}; villages have "
                           f"group(s) {', '.join(unknown)}: set 'Nhóm' in the villages table")
    return groups


def score_indicators(values: pd.DataFrame, villages: pd.DataFrame, criteria: CriteriaSet) -> pd.DataFrame:
    """Pass / fail / no data for every indicator of every assessed village × year, with its gap.

    A village × year is *assessed* when it has at least one value row (even empty); every indicator of
    the set then gets a row, ``no_data`` where there is no value.
    """
    groups = village_groups(villages, criteria)
    table = criteria.indicator_table()
    assessed = values[["village_code", "year"]].drop_duplicates()
    grid = assessed.merge(pd.DataFrame({"indicator_code": [i.code for i in criteria.indicators]}), how="cross")
    grid["group"] = grid["village_code"].map(groups)
    grid = grid.merge(values[["village_code", "year", "indicator_code", "value"]],
                      on=["village_code", "year", "indicator_code"], how="left")
    rules = table.rename(columns={"code": "indicator_code"})[
        ["indicator_code", "group", "criterion", "threshold", "direction", "unit", "provenance"]]
    scored = grid.merge(rules, on=["indicator_code", "group"], how="left", validate="many_to_one")
    return _judge(scored)[INDICATOR_SCORE_COLUMNS].sort_values(
        ["village_code", "year", "criterion"], kind="stable").reset_index(drop=True)


def _judge(scored: pd.DataFrame) -> pd.DataFrame:
    """Status, shortfall and normalised gap, vectorised over every row."""
    value, threshold = scored["value"].to_numpy(float), scored["threshold"].to_numpy(float)
    direction = scored["direction"].to_numpy(object)
    at_least = direction == ">="
    has = ~np.isnan(value)
    passes = np.select([at_least, direction == "<="], [value >= threshold, value <= threshold],
                       default=value == threshold)
    status = np.where(~has, "no_data", np.where(passes, "pass", "fail"))
    shortfall = np.select([at_least, direction == "<="], [threshold - value, value - threshold],
                          default=np.abs(value - threshold))
    shortfall = np.where(has, np.clip(shortfall, 0, None), np.nan)
    scale = _gap_scale(scored, at_least)
    return scored.assign(status=status, shortfall=shortfall,
                         normalised_gap=np.where(has, np.clip(shortfall / scale, 0, 1), np.nan))


def _gap_scale(scored: pd.DataFrame, at_least: np.ndarray) -> np.ndarray:
    """What a shortfall is measured against, so gaps of different units compare on 0–1.

    "≥ t": the threshold itself (12 points short of 70 % is 12/70). "≤ t": the room between the
    threshold and the unit's maximum (20 % poor households against ≤ 12 % is 8/88), or the threshold
    when the unit has no maximum. Booleans: 1.
    """
    unit_max = scored["unit"].map({u: v["max"] for u, v in VOCABULARY["units"].items()}).astype(float)
    threshold = scored["threshold"].to_numpy(float)
    upper_room = np.where(np.isnan(unit_max), threshold, unit_max - threshold)
    scale = np.where(at_least, threshold, upper_room)
    return np.where(scored["unit"].eq("boolean"), 1.0, np.where(scale > 0, scale, 1.0))


def score_criteria(indicators: pd.DataFrame, criteria: CriteriaSet, policy: str = "missing_fails") -> pd.DataFrame:
    """Criterion status per village × year: pass when all indicators pass, fail when any fails."""
    grouped = indicators.groupby(["village_code", "year", "criterion"], sort=False)
    counts = grouped["status"].value_counts().unstack(fill_value=0).reindex(
        columns=["pass", "fail", "no_data"], fill_value=0)
    frame = counts.reset_index()
    status = np.where(frame["fail"] > 0, "fail", np.where(frame["no_data"] > 0, "incomplete", "pass"))
    gap = grouped["normalised_gap"].max().to_numpy()
    names = {c.number: (c.name_vi, c.name_en) for c in criteria.criteria}
    met = status == "pass"
    return frame.assign(
        status=status, met=met,
        gap=np.where(status == "fail", gap, np.where(status == "pass", 0.0, np.nan)),
        criterion_vi=frame["criterion"].map(lambda n: names[n][0]),
        criterion_en=frame["criterion"].map(lambda n: names[n][1]),
        policy=policy,
    )[CRITERION_SCORE_COLUMNS].sort_values(["village_code", "year", "criterion"], kind="stable").reset_index(drop=True)


def village_status(criteria_scores: pd.DataFrame, criteria: CriteriaSet, policy: str = "missing_fails") -> pd.DataFrame:
    """x/19, meets-standard, the criteria missing (vi / en) and the distance to the standard."""
    total = len(criteria.criteria)
    frame = criteria_scores.assign(
        failed=criteria_scores["status"].eq("fail"), incomplete=criteria_scores["status"].eq("incomplete"),
        # under missing_fails an incomplete criterion is missing, with the full gap of an unknown
        missing=criteria_scores["status"].eq("fail") | (criteria_scores["status"].eq("incomplete")
                                                         & (policy == "missing_fails")),
        term=criteria_scores["gap"].fillna(1.0 if policy == "missing_fails" else 0.0))
    grouped = frame.groupby(["village_code", "year"], sort=True)
    out = grouped.agg(criteria_met=("met", "sum"), criteria_failed=("failed", "sum"),
                      criteria_incomplete=("incomplete", "sum"), distance_to_standard=("term", "sum")).reset_index()
    missing = frame[frame["missing"]].groupby(["village_code", "year"])
    out = out.merge(missing["criterion_vi"].agg("; ".join).rename("missing_criteria_vi").reset_index(),
                    on=["village_code", "year"], how="left")
    out = out.merge(missing["criterion_en"].agg("; ".join).rename("missing_criteria_en").reset_index(),
                    on=["village_code", "year"], how="left")
    excused = out["criteria_incomplete"] if policy == "exclude" else 0
    meets = (out["criteria_failed"].eq(0)) & (out["criteria_met"] + excused >= criteria.criteria_required)
    return out.assign(
        criteria_total=total, met_label=out["criteria_met"].astype(str) + f"/{total}", meets_standard=meets,
        missing_criteria_vi=out["missing_criteria_vi"].fillna(""), missing_criteria_en=out["missing_criteria_en"].fillna(""),
        criteria_set=criteria.id, policy=policy,
    )[VILLAGE_STATUS_COLUMNS]
