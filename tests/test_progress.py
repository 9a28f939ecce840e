"""Progress vs the plan's targets, the Open SDG trend rule and rescoring under another set."""

import pandas as pd
import pytest

from ntm_analysis.reference.plan import load_plan
from ntm_analysis.score.progress import (border_share, compare_criteria_sets, first_meeting_year, standard_progress,
                                   trend_status)

PLAN = load_plan("ia-grai-2021-2025")


def _status(rows):
    return pd.DataFrame(rows, columns=["village_code", "year", "meets_standard"])


def _villages():
    return pd.DataFrame({"village_code": ["a", "b", "c", "d"],
                         "plan_category": ["border", "border", "other", "commune_linked"],
                         "border_commune": [True, True, False, False]})


def _two_years():
    # a meets from the baseline; b from 2021; c from 2022; d never
    rows = []
    for year, meeting in [(2020, {"a"}), (2021, {"a", "b"}), (2022, {"a", "b", "c"})]:
        rows += [(v, year, v in meeting) for v in "abcd"]
    return _status(rows)


def test_first_meeting_year():
    assert first_meeting_year(_two_years()).to_dict() == {"a": 2020, "b": 2021, "c": 2022}


def test_progress_counts_new_villages_after_baseline_against_pro_rata_targets():
    progress = standard_progress(_two_years(), _villages(), PLAN).set_index(["category", "year"])
    overall = progress.loc["all"]
    assert overall["meeting"].tolist() == [1, 2, 3]
    assert overall["new"].tolist() == [0, 1, 1]            # a met at baseline: not new
    assert overall["cumulative_new"].tolist() == [0, 1, 2]
    assert overall["target_cumulative"].tolist() == [0, 6, 12]  # 30 over 2021-2025: 6 a year
    assert overall["on_track"].tolist() == [True, False, False]
    assert progress.loc[("border", 2022), "cumulative_new"] == 1
    assert progress.loc[("border", 2022), "target_cumulative"] == pytest.approx(6 * 2 / 5)
    assert progress.loc[("commune_linked", 2022), "cumulative_new"] == 0


def test_border_share_against_ninety_percent():
    share = border_share(_two_years(), _villages(), PLAN).set_index("year")
    assert share["share"].tolist() == [50.0, 100.0, 100.0]
    assert share["on_track"].tolist() == [False, True, True]
    assert set(share["target_share"]) == {90}


@pytest.mark.parametrize("args, status, method", [
    ((30, 63, 85, ">=", 2, 5, True), "on_track", "cagr_complement"),          # gap 70 → 37 of the way to 15
    ((30, 45, 85, ">=", 2, 5, True), "limited_progress", "cagr_complement"),  # gap 70 → 55: ratio 0.43
    ((30, 25, 85, ">=", 2, 5, True), "deterioration", "cagr_complement"),
    ((30, 90, 85, ">=", 2, 5, True), "target_achieved", "cagr_complement"),
    ((20, 14, 12, "<=", 2, 5, True), "on_track", "cagr"),                     # poor households falling
    ((20, 19, 12, "<=", 2, 5, True), "limited_progress", "cagr"),
    ((30, 60, 100, ">=", 2, 5, True), "on_track", "linear"),                  # target 100 %: complement is 0
    ((0, 30, 70, ">=", 2, 5, False), "on_track", "linear"),                   # a zero baseline: 15/yr vs 14
    ((0, 20, 70, ">=", 2, 5, False), "acceleration_needed", "linear"),        # 10/yr vs 14
])
def test_open_sdg_rule(args, status, method):
    result = trend_status(*args)
    assert (result["status"], result["method"]) == (status, method)


def test_open_sdg_thresholds_on_the_ratio():
    # income from 30 in the baseline year, target 41 five years on; two years observed
    required = (41 / 30) ** 0.2 - 1
    for latest, status in [(34.2, "on_track"), (33, "acceleration_needed"), (32, "limited_progress")]:
        result = trend_status(30, latest, 41, ">=", 2, 5)
        assert result["ratio"] == pytest.approx(((latest / 30) ** 0.5 - 1) / required)
        assert result["status"] == status, (latest, result["ratio"])


def test_rescoring_keeps_rule_changes_apart():
    before = pd.DataFrame({"village_code": ["a", "b", "c"], "year": 2023, "criteria_set": "s2019",
                           "meets_standard": [True, True, False], "met_label": ["19/19", "19/19", "18/19"]})
    after = before.assign(criteria_set="s2022", meets_standard=[True, False, False],
                          met_label=["19/19", "18/19", "18/19"])
    diff = compare_criteria_sets(before, after).set_index("village_code")
    assert diff["change"].to_dict() == {"a": "unchanged", "b": "lost", "c": "unchanged"}
    assert (diff.loc["b", "set_before"], diff.loc["b", "set_after"]) == ("s2019", "s2022")


def test_trends_without_baseline_data_keep_their_columns(criteria):
    from ntm_analysis.score.progress import TREND_COLUMNS, indicator_trends

    indicators = pd.DataFrame({"indicator_code": ["2.1"], "year": [2023], "value": [50.0], "unit": ["percent"]})
    trends = indicator_trends(indicators, criteria, baseline_year=2020, target_year=2025)
    assert trends.empty and list(trends.columns) == TREND_COLUMNS
