"""Alkire–Foster aggregates of the criteria scores, for the district and any grouping of villages.

A village is *deprived* in a criterion when the criterion is not met under the scoring policy, and
*identified* (not meeting the standard) when it is deprived in at least one criterion — the union
approach, since the standard is conjunctive. With ``d`` criteria, equal weights ``1/d``:

- ``H`` = q / n, the share of villages not meeting the standard;
- ``A`` = the average share of criteria missed among those q villages;
- ``M0`` = H · A = (total criteria missed) / (n · d);
- censored headcount ``h_j`` = share of all n villages failing criterion j;
- contribution of j = (h_j / d) / M0; contributions add up to 1 (100 %).

``M0`` decomposes across any partition of the villages: M0 = Σ_g (n_g / n) · M0_g.

Summary frame (``SUMMARY_COLUMNS``): ``year``, the grouping columns, ``villages`` (n), ``not_meeting`` (q),
``criteria_missed``, ``H``, ``A``, ``M0``, ``policy``.
Criterion frame (``CRITERION_COLUMNS``): ``year``, the grouping columns, ``criterion``, ``criterion_vi``,
``criterion_en``, ``failing`` (villages), ``censored_headcount``, ``contribution``.
"""

from __future__ import annotations

import pandas as pd

from ntm_analysis.score.scoring import Scores

SUMMARY_COLUMNS = ["year", "villages", "not_meeting", "criteria_missed", "H", "A", "M0", "policy"]
CRITERION_COLUMNS = ["year", "criterion", "criterion_vi", "criterion_en", "failing", "censored_headcount",
                     "contribution"]
GROUPINGS = {"district": [], "commune": ["commune"], "category": ["plan_category"], "group": ["threshold_group"]}


def deprivations(scores: Scores) -> pd.DataFrame:
    """0/1 deprivation per village × year × criterion: 1 when the criterion is not met under the policy."""
    crit = scores.criteria
    deprived = ~crit["met"] if scores.policy == "missing_fails" else crit["status"].eq("fail")
    return crit.assign(deprived=deprived.astype("int64"))[
        ["village_code", "year", "criterion", "criterion_vi", "criterion_en", "deprived"]]


def alkire_foster(scores: Scores, villages: pd.DataFrame, by: list[str] | None = None
                  ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(summary, per-criterion) Alkire–Foster measures per year and per ``by`` group of villages.

    ``by`` names columns of ``villages`` (``commune``, ``plan_category``, ``threshold_group`` …);
    empty or None gives the district.
    """
    by = list(by or [])
    dep = deprivations(scores).merge(villages[["village_code", *by]], on="village_code", how="left")
    keys = ["year", *by]
    d = dep["criterion"].nunique()
    per_village = dep.groupby([*keys, "village_code"], dropna=False)["deprived"].sum().rename("missed").reset_index()
    summary = per_village.groupby(keys, dropna=False).agg(
        villages=("village_code", "size"), not_meeting=("missed", lambda m: int((m > 0).sum())),
        criteria_missed=("missed", "sum")).reset_index()
    summary = summary.assign(
        H=summary["not_meeting"] / summary["villages"],
        A=(summary["criteria_missed"] / (summary["not_meeting"] * d)).where(summary["not_meeting"] > 0, 0.0),
        M0=summary["criteria_missed"] / (summary["villages"] * d),
        policy=scores.policy)
    per_criterion = dep.groupby([*keys, "criterion", "criterion_vi", "criterion_en"], dropna=False).agg(
        failing=("deprived", "sum")).reset_index().merge(summary[[*keys, "villages", "M0"]], on=keys)
    per_criterion = per_criterion.assign(
        censored_headcount=per_criterion["failing"] / per_criterion["villages"],
        contribution=(per_criterion["failing"] / (per_criterion["villages"] * d) / per_criterion["M0"]
                      ).where(per_criterion["M0"] > 0, 0.0))
    columns = [*keys, *SUMMARY_COLUMNS[1:]]
    crit_columns = [*keys, *CRITERION_COLUMNS[1:]]
    return (summary[columns].sort_values(keys, kind="stable").reset_index(drop=True),
            per_criterion[crit_columns].sort_values([*keys, "criterion"], kind="stable").reset_index(drop=True))


def decomposition(scores: Scores, villages: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Each group's share of the district M0: ``year``, ``by``…, ``population_share``, ``M0``,
    ``contribution`` (= population_share · M0 / district M0); contributions add up to 1 each year."""
    groups, _ = alkire_foster(scores, villages, by)
    district, _ = alkire_foster(scores, villages)
    merged = groups.merge(district[["year", "villages", "M0"]].rename(
        columns={"villages": "district_villages", "M0": "district_M0"}), on="year")
    share = merged["villages"] / merged["district_villages"]
    return merged.assign(
        population_share=share,
        contribution=(share * merged["M0"] / merged["district_M0"]).where(merged["district_M0"] > 0, 0.0),
    )[["year", *by, "villages", "population_share", "M0", "contribution"]]
