"""Scoring rules on small hand-made cases: directions, booleans, groups, missing data under both policies."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ntm_analysis.scoring import ScoringError, score_villages


def _passing(criteria, village="a", year=2023):
    """Values that pass every indicator of ``criteria`` at its strictest group."""
    rows = []
    for ind in criteria.indicators:
        value = 1.0 if ind.kind == "boolean" else (100.0 if ind.direction == ">=" else 0.0)
        rows.append((village, year, ind.code, value))
    return pd.DataFrame(rows, columns=["village_code", "year", "indicator_code", "value"])


def _set(values, village, code, value):
    out = values.copy()
    out.loc[(out["village_code"] == village) & (out["indicator_code"] == code), "value"] = value
    return out


def _villages(*groups):
    return pd.DataFrame({"village_code": [g[0] for g in groups], "threshold_group": [g[1] for g in groups]})


def _indicator(scores, village, code):
    rows = scores.indicators
    return rows[(rows["village_code"] == village) & (rows["indicator_code"] == code)].iloc[0]


def test_all_pass_meets_standard(criteria):
    scores = score_villages(_passing(criteria), _villages(("a", "1")), criteria)
    row = scores.villages.iloc[0]
    assert (row["met_label"], row["meets_standard"], row["distance_to_standard"]) == ("19/19", True, 0.0)
    assert row["missing_criteria_vi"] == "" and row["policy"] == "missing_fails"


def test_at_least_direction_shortfall_in_unit(criteria):
    scores = score_villages(_set(_passing(criteria), "a", "2.1", 58.0), _villages(("a", "1")), criteria)
    road = _indicator(scores, "a", "2.1")
    assert (road["status"], road["shortfall"]) == ("fail", 12.0)
    assert road["normalised_gap"] == pytest.approx(12 / 70)
    row = scores.villages.iloc[0]
    assert (row["met_label"], row["meets_standard"]) == ("18/19", False)
    assert row["missing_criteria_vi"] == "Giao thông" and row["missing_criteria_en"] == "Transport"
    assert row["distance_to_standard"] == pytest.approx(12 / 70)


def test_at_most_direction_and_exact_threshold(criteria):
    values = _set(_set(_passing(criteria), "a", "11", 12.0), "a", "9.1", 3.0)  # poor ≤ 12 passes at 12
    scores = score_villages(values, _villages(("a", "1")), criteria)
    assert _indicator(scores, "a", "11")["status"] == "pass"
    housing = _indicator(scores, "a", "9.1")
    assert (housing["status"], housing["shortfall"], housing["normalised_gap"]) == ("fail", 3.0, 0.03)


def test_boolean_indicator(criteria):
    scores = score_villages(_set(_passing(criteria), "a", "19.1", 0.0), _villages(("a", "1")), criteria)
    militia = _indicator(scores, "a", "19.1")
    assert (militia["status"], militia["shortfall"], militia["normalised_gap"]) == ("fail", 1.0, 1.0)
    assert scores.criteria.set_index("criterion").loc[19, "status"] == "fail"


def test_group_thresholds(criteria_2022):
    values = pd.concat([_set(_passing(criteria_2022, "a"), "a", "10", 45.0),
                        _set(_passing(criteria_2022, "b"), "b", "10", 45.0)])
    scores = score_villages(values, _villages(("a", "1"), ("b", "2")), criteria_2022)
    assert _indicator(scores, "a", "10")["status"] == "pass"          # group 1: ≥ 41
    income_b = _indicator(scores, "b", "10")
    assert (income_b["status"], income_b["shortfall"], income_b["threshold"]) == ("fail", 5.0, 50.0)


def test_unknown_group_is_a_clear_error(criteria_2022):
    with pytest.raises(ScoringError, match="3"):
        score_villages(_passing(criteria_2022), _villages(("a", "3")), criteria_2022)


def test_single_group_set_ignores_village_groups(criteria):
    scores = score_villages(_passing(criteria), _villages(("a", "2")), criteria)
    assert set(scores.indicators["group"]) == {"all"}


def test_missing_data_under_both_policies(criteria):
    values = _set(_passing(criteria), "a", "15.1", np.nan)
    values = values[values["indicator_code"] != "15.2"]  # no row at all: also no data
    fails = score_villages(values, _villages(("a", "1")), criteria, "missing_fails")
    excluded = score_villages(values, _villages(("a", "1")), criteria, "exclude")
    for scores in (fails, excluded):
        assert (_indicator(scores, "a", "15.1")["status"], _indicator(scores, "a", "15.2")["status"]) == \
            ("no_data", "no_data")
        assert scores.criteria.set_index("criterion").loc[15, "status"] == "incomplete"
    f, e = fails.villages.iloc[0], excluded.villages.iloc[0]
    assert (f["met_label"], f["meets_standard"], f["criteria_incomplete"], f["missing_criteria_en"]) == \
        ("18/19", False, 1, "Health")
    assert (e["met_label"], e["meets_standard"], e["criteria_incomplete"], e["missing_criteria_en"]) == \
        ("18/19", True, 1, "")
    assert set(fails.villages["policy"]) == {"missing_fails"} and set(excluded.criteria["policy"]) == {"exclude"}


def test_a_failed_criterion_is_never_averaged_away(criteria):
    """One failure anywhere means not meeting, however good the rest: incomes far above do not help."""
    values = _set(_set(_passing(criteria), "a", "10", 500.0), "a", "17.2", 74.9)
    row = score_villages(values, _villages(("a", "1")), criteria).villages.iloc[0]
    assert not row["meets_standard"] and row["distance_to_standard"] > 0


@settings(max_examples=60, deadline=None)
@given(code=st.sampled_from(["2.1", "2.2", "4", "10", "12", "14.1", "15.1", "17.2"]),
       low=st.floats(0, 100), raise_by=st.floats(0, 100))
def test_raising_an_at_least_value_never_lowers_criteria_met(criteria, code, low, raise_by):
    base = _set(_passing(criteria), "a", code, low)
    higher = _set(_passing(criteria), "a", code, min(low + raise_by, 100.0))
    villages = _villages(("a", "1"))
    before = score_villages(base, villages, criteria).villages.iloc[0]
    after = score_villages(higher, villages, criteria).villages.iloc[0]
    assert after["criteria_met"] >= before["criteria_met"]
    assert after["distance_to_standard"] <= before["distance_to_standard"] + 1e-12
