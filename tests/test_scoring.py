"""Scoring rules on small hand-made cases: directions, booleans, groups, missing data under both policies."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ntm_analysis.score.scoring import ScoringError, score_villages


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


# ---------------------------------------------------------------- against a row-by-row reference


def _reference(values, villages, criteria):
    """Status per village × year × criterion, criteria met and meets-standard, cell by cell (missing_fails)."""
    group_of = dict(zip(villages["village_code"], villages["threshold_group"]))
    single = criteria.groups[0].id if len(criteria.groups) == 1 else None
    found = {}
    for village, year, code, value in values[["village_code", "year", "indicator_code", "value"]].itertuples(
            index=False, name=None):
        found.setdefault((village, year), {})[code] = value
    out = {}
    for (village, year), got in found.items():
        if village not in group_of:
            continue  # not in the villages table: not scored
        group = single or group_of[village]
        status = {}
        for ind in criteria.indicators:
            value, threshold = got.get(ind.code, np.nan), float(ind.threshold_for(group))
            if np.isnan(value):
                result = "no_data"
            elif ind.direction == ">=":
                result = "pass" if value >= threshold else "fail"
            elif ind.direction == "<=":
                result = "pass" if value <= threshold else "fail"
            else:
                result = "pass" if value == threshold else "fail"
            before = status.get(ind.criterion, "pass")
            status[ind.criterion] = ("fail" if "fail" in (before, result) else
                                     "incomplete" if "no_data" in (before, result) or before == "incomplete"
                                     else "pass")
        met = sum(s == "pass" for s in status.values())
        out[(village, year)] = (status, met, met == len(criteria.criteria))
    return out


_CODES = ["1", "2.1", "2.2", "9.1", "10", "11", "15.1", "15.2", "19.1", "19.2", "99"]  # "99": not in the set


@st.composite
def _tables(draw):
    """A small values table: villages (one missing from the villages table), years, a subset of indicators,
    values on both sides of the thresholds or missing, rows in any order; key dtype drawn too."""
    villages = draw(st.lists(st.sampled_from(["0101", "0102", "0201", "0305"]), min_size=1, max_size=3, unique=True))
    years = draw(st.lists(st.integers(2020, 2025), min_size=1, max_size=3, unique=True))
    codes = draw(st.lists(st.sampled_from(_CODES), min_size=1, max_size=len(_CODES), unique=True))
    cells = [(v, y, c) for v in villages for y in years for c in codes]
    kept = draw(st.lists(st.booleans(), min_size=len(cells), max_size=len(cells)))
    cells = [cell for cell, keep in zip(cells, kept) if keep] or cells[:1]
    values = draw(st.lists(st.one_of(st.none(), st.sampled_from([0.0, 1.0, 12.0, 41.0, 50.0, 70.0, 100.0]),
                                     st.floats(0, 100)), min_size=len(cells), max_size=len(cells)))
    frame = pd.DataFrame(cells, columns=["village_code", "year", "indicator_code"]).assign(
        value=[np.nan if v is None else v for v in values])
    frame = frame.sample(frac=1, random_state=draw(st.integers(0, 1000))) if draw(st.booleans()) else frame
    dtype = draw(st.sampled_from(["str", "category", "object"]))
    frame = frame.astype({"village_code": dtype, "indicator_code": dtype}).reset_index(drop=True)
    groups = pd.DataFrame({"village_code": villages, "threshold_group": draw(
        st.lists(st.sampled_from(["1", "2"]), min_size=len(villages), max_size=len(villages)))})
    return frame, groups.iloc[:-1] if draw(st.booleans()) and len(groups) > 1 else groups


@settings(max_examples=150, deadline=None)
@given(tables=_tables())
def test_scores_agree_with_a_row_by_row_reference_whatever_the_layout(criteria_2022, tables):
    """Any row order, missing rows, unknown codes, villages outside the villages table and key dtype."""
    values, villages = tables
    scores = score_villages(values, villages, criteria_2022)
    expected = _reference(values, villages, criteria_2022)
    got = {(str(r.village_code), int(r.year)): (int(r.criteria_met), bool(r.meets_standard))
           for r in scores.villages.itertuples()}
    assert got == {key: (met, meets) for key, (_, met, meets) in expected.items()}
    criterion = {(str(r.village_code), int(r.year), int(r.criterion)): r.status for r in scores.criteria.itertuples()}
    assert criterion == {(v, y, c): s for (v, y), (status, _, _) in expected.items() for c, s in status.items()}
    pairs = {(str(v), int(y)) for v, y in zip(values["village_code"], values["year"])}
    assert len(scores.indicators) == len(pairs) * len(criteria_2022.indicators)


def test_sorted_and_shuffled_tables_give_identical_frames(criteria_2022):
    """The layout `ntm clean` writes takes a shortcut; any other order must give the very same frames."""
    rng = np.random.default_rng(3)
    values = pd.concat([_passing(criteria_2022, v, y) for v in ["0101", "0102", "0203"] for y in (2023, 2024)])
    values["value"] = np.where(rng.random(len(values)) < 0.3, values["value"] / 2, values["value"])
    values.loc[rng.random(len(values)) < 0.1, "value"] = np.nan
    values = values.sort_values(["village_code", "year"], kind="stable").reset_index(drop=True)
    villages = _villages(("0101", "1"), ("0102", "2"), ("0203", "1"))
    sorted_scores = score_villages(values, villages, criteria_2022)
    shuffled = score_villages(values.sample(frac=1, random_state=1), villages, criteria_2022)
    for name in ("indicators", "criteria", "villages"):
        pd.testing.assert_frame_equal(getattr(sorted_scores, name), getattr(shuffled, name), obj=name)


def test_duplicate_rows_are_refused(criteria):
    values = _passing(criteria)
    with pytest.raises(ScoringError, match="duplicate"):
        score_villages(pd.concat([values, values.iloc[:1]]), _villages(("a", "1")), criteria)


def test_a_duplicate_that_keeps_the_row_count_is_refused(criteria):
    """Village a lacks its last indicator and b holds that one twice: as many rows as a regular table."""
    a, b = _passing(criteria, "a"), _passing(criteria, "b")
    values = pd.concat([a.iloc[:-1], b.iloc[-1:], b]).reset_index(drop=True)
    with pytest.raises(ScoringError, match="duplicate"):
        score_villages(values, _villages(("a", "1"), ("b", "1")), criteria)


def test_long_frames_are_built_once_on_first_use(criteria):
    scores = score_villages(_passing(criteria), _villages(("a", "1")), criteria)
    assert callable(scores._frames["indicators"]) and callable(scores._frames["criteria"])
    assert scores.indicators is scores.indicators and scores.criteria is scores.criteria
    assert len(scores.indicators) == len(criteria.indicators) and len(scores.criteria) == 19


@pytest.mark.parametrize("n_criteria", [19, 70])  # one 64-bit pattern key, or several
def test_missing_criteria_are_joined_per_row_in_order(n_criteria):
    from ntm_analysis.score.scoring import _joined

    flags = np.random.default_rng(n_criteria).random((500, n_criteria)) < 0.2
    names = [f"tiêu chí {k}" for k in range(n_criteria)]
    vi, en = _joined(flags, [names, [n.upper() for n in names]])
    expected = ["; ".join(n for n, flag in zip(names, row) if flag) for row in flags]
    assert vi.astype(str).tolist() == expected
    assert en.astype(str).tolist() == [e.upper() for e in expected]


def test_scores_pickle_with_their_frames_built(criteria):
    import pickle

    scores = score_villages(_set(_passing(criteria), "a", "2.1", 58.0), _villages(("a", "1")), criteria)
    copy = pickle.loads(pickle.dumps(scores))
    for name in ("indicators", "criteria", "villages"):
        pd.testing.assert_frame_equal(getattr(copy, name), getattr(scores, name))
    assert (copy.criteria_set, copy.policy) == (scores.criteria_set, scores.policy)


def test_scores_do_not_change_when_the_values_are_edited_afterwards(criteria):
    values = _passing(criteria)
    scores = score_villages(values, _villages(("a", "1")), criteria)
    values.loc[values["indicator_code"] == "2.1", "value"] = 0.0  # in place, after scoring
    assert _indicator(scores, "a", "2.1")["status"] == "pass"
    assert scores.villages.iloc[0]["meets_standard"]
