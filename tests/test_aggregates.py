"""Alkire–Foster measures checked against an independent numpy computation, and their identities."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from ntm_analysis.score.aggregates import alkire_foster, decomposition
from ntm_analysis.score.scoring import Scores


def _scores(matrix: np.ndarray, policy: str = "missing_fails") -> Scores:
    """Scores whose criterion statuses are 'fail' where ``matrix`` is 1 (villages × criteria)."""
    n, d = matrix.shape
    rows = [{"village_code": f"v{i}", "year": 2023, "criterion": j + 1, "criterion_vi": f"TC {j + 1}",
             "criterion_en": f"C {j + 1}", "status": "fail" if matrix[i, j] else "pass", "met": not matrix[i, j]}
            for i in range(n) for j in range(d)]
    return Scores(pd.DataFrame(), pd.DataFrame(rows), pd.DataFrame(), "test", policy)


def _villages(n: int, groups: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"village_code": [f"v{i}" for i in range(n)], "commune": [groups[i % len(groups)]
                                                                                  for i in range(n)]})


def test_hand_computed_case():
    # 4 villages × 3 criteria; village 0 misses 2, village 1 misses 1, villages 2-3 meet the standard
    matrix = np.array([[1, 1, 0], [0, 0, 1], [0, 0, 0], [0, 0, 0]])
    summary, crit = alkire_foster(_scores(matrix), _villages(4, ["x"]))
    row = summary.iloc[0]
    assert (row["villages"], row["not_meeting"], row["criteria_missed"]) == (4, 2, 3)
    assert row["H"] == 0.5 and row["A"] == pytest.approx(0.5) and row["M0"] == pytest.approx(0.25)
    assert crit["censored_headcount"].tolist() == [0.25, 0.25, 0.25]
    assert crit["contribution"].tolist() == pytest.approx([1 / 3, 1 / 3, 1 / 3])


@settings(max_examples=40, deadline=None)
@given(matrix=arrays(np.int8, st.tuples(st.integers(1, 12), st.integers(1, 6)), elements=st.integers(0, 1)),
       k=st.integers(1, 4))
def test_matches_independent_computation_and_identities(matrix, k):
    n, d = matrix.shape
    villages = _villages(n, [f"g{i}" for i in range(k)])
    summary, crit = alkire_foster(_scores(matrix), villages)
    missed = matrix.sum(axis=1)
    poor = missed > 0
    h = poor.mean()
    a = (missed[poor] / d).mean() if poor.any() else 0.0
    row = summary.iloc[0]
    assert row["H"] == pytest.approx(h) and row["A"] == pytest.approx(a)
    assert row["M0"] == pytest.approx(matrix.sum() / (n * d))
    assert row["H"] * row["A"] == pytest.approx(row["M0"])
    assert crit["censored_headcount"].to_numpy() == pytest.approx(matrix.mean(axis=0))
    if row["M0"] > 0:
        assert crit["contribution"].sum() == pytest.approx(1.0)
    parts = decomposition(_scores(matrix), villages, ["commune"])
    if row["M0"] > 0:
        assert parts["contribution"].sum() == pytest.approx(1.0)
    assert (parts["population_share"] * parts["M0"]).sum() == pytest.approx(row["M0"])


def test_exclude_policy_counts_only_failures():
    scores = _scores(np.array([[1, 0], [0, 0]]), policy="exclude")
    scores.criteria.loc[2, ["status", "met"]] = ["incomplete", False]  # v1, criterion 1: no data
    summary, _ = alkire_foster(scores, _villages(2, ["x"]))
    assert summary.loc[0, "not_meeting"] == 1
    strict = Scores(scores.indicators, scores.criteria, scores.villages, "test", "missing_fails")
    assert alkire_foster(strict, _villages(2, ["x"]))[0].loc[0, "not_meeting"] == 2
