"""The scheduler against brute force, its own re-check, infeasibility explained, greedy vs optimum."""

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ntm_analysis.schedule.phasing import phase_investment, year_shares
from ntm_analysis.schedule.solver import (PlanRules, check_plan, explain_infeasibility, greedy_schedule, rank_villages,
                                   ranking_sensitivity, schedule_villages)

YEARS = (2021, 2022, 2023)
SOURCES = ["integrated", "community"]


def _instance(seed: int, n: int = 5):
    rng = np.random.default_rng(seed)
    cats = rng.choice(["commune_linked", "border", "other"], size=n)
    cands = pd.DataFrame({
        "village_code": [f"v{i}" for i in range(n)], "commune": "x", "plan_category": cats,
        "border_commune": cats == "border",
        "commune_target_year": [int(rng.choice(YEARS)) if c == "commune_linked" else pd.NA for c in cats],
        "meets_at_baseline": [False] * (n - 1) + [bool(rng.integers(2))],
        "criteria_missing": rng.integers(1, 6, n)})
    cands["cost_integrated"] = rng.integers(1, 10, n) * 100_000_000
    cands["cost_community"] = rng.integers(0, 5, n) * 50_000_000
    cands["cost_vnd"] = cands["cost_integrated"] + cands["cost_community"]
    budgets = pd.DataFrame({y: [int(rng.integers(3, 15)) * 100_000_000, int(rng.integers(1, 5)) * 50_000_000]
                            for y in YEARS}, index=SOURCES)
    rules = PlanRules(YEARS, {y: int(rng.integers(0, 2)) for y in YEARS},
                      {c: int(rng.integers(0, 2)) for c in ["commune_linked", "border", "other"]},
                      float(rng.choice([0, 50, 90])), budgets, {0: "1/2", 1: "1/2"} if rng.integers(2) else {0: 1},
                      str(rng.choice(["min_cost", "max_villages"])))
    return cands, rules


def _brute_force(cands, rules):
    """Best objective over every assignment of a year (or none) to each pending village; None if infeasible."""
    pending = cands[~cands["meets_at_baseline"]]
    best = None
    for years in itertools.product([None, *YEARS], repeat=len(pending)):
        schedule = pd.concat([pending.assign(year=pd.array(list(years), dtype="Int64")),
                              cands[cands["meets_at_baseline"]].assign(year=pd.array([pd.NA] * int(
                                  cands["meets_at_baseline"].sum()), dtype="Int64"))])
        if check_plan(schedule, cands, rules):
            continue
        done = schedule["year"].notna()
        cost, count = int(schedule.loc[done, "cost_vnd"].sum()), int(done.sum())
        key = cost if rules.objective == "min_cost" else (-count, cost)
        best = key if best is None or key < best else best
    return best


@settings(max_examples=12, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_milp_matches_brute_force(seed):
    cands, rules = _instance(seed, n=4)
    best = _brute_force(cands, rules)
    plan = schedule_villages(cands, rules)
    assert check_plan(plan.schedule, cands, plan_rules(plan, rules)) == []
    if best is None:
        assert plan.status == "relaxed" and plan.relaxations
    else:
        assert plan.status == "optimal"
        got = plan.total_cost_vnd if rules.objective == "min_cost" else (-plan.villages_scheduled,
                                                                         plan.total_cost_vnd)
        assert got == best


def plan_rules(plan, rules):
    """The rules the plan was made under: relaxed ones when the plan says so."""
    from ntm_analysis.schedule.solver import relax

    return relax(rules, plan.relaxations) if plan.status == "relaxed" else rules


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_greedy_never_beats_the_optimum(seed):
    cands, rules = _instance(seed, n=6)
    greedy = greedy_schedule(cands, rules)
    optimum = schedule_villages(cands, rules)
    if not greedy.violations and optimum.status == "optimal":
        if rules.objective == "min_cost":
            assert optimum.total_cost_vnd <= greedy.total_cost_vnd
        else:
            assert optimum.villages_scheduled >= greedy.villages_scheduled
    spend = greedy.spend
    assert (spend <= rules.budgets.astype(float) + 0.5).all().all()  # greedy never breaks a budget


def _fixed():
    cands = pd.DataFrame({
        "village_code": ["a", "b", "c", "d"], "commune": ["x", "x", "y", "y"],
        "plan_category": ["commune_linked", "border", "other", "other"],
        "border_commune": [False, True, False, False], "commune_target_year": [2021, pd.NA, pd.NA, pd.NA],
        "meets_at_baseline": [False] * 4, "criteria_missing": [1, 2, 2, 3],
        "cost_integrated": [300, 200, 100, 100], "cost_community": [0, 0, 50, 0]})
    cands[["cost_integrated", "cost_community"]] *= 1_000_000
    cands["cost_vnd"] = cands["cost_integrated"] + cands["cost_community"]
    budgets = pd.DataFrame({y: [400_000_000, 100_000_000] for y in YEARS}, index=SOURCES)
    return cands, PlanRules(YEARS, {2021: 1, 2022: 1, 2023: 1}, {"commune_linked": 1, "border": 1, "other": 1},
                            100.0, budgets)


def test_hand_checked_plan():
    cands, rules = _fixed()
    plan = schedule_villages(cands, rules)
    years = dict(zip(plan.schedule["village_code"], plan.schedule["year"]))
    assert years["a"] == 2021  # commune-linked: no later than its commune's 2021
    assert plan.villages_scheduled == 3 and plan.total_cost_vnd == 600_000_000  # a + b + cheapest other
    assert pd.isna(years["c"]) or pd.isna(years["d"])


def test_infeasible_plan_is_explained_in_planner_language():
    cands, rules = _fixed()
    tight = PlanRules(YEARS, {2021: 3, 2022: 1, 2023: 1}, rules.category_quotas, 100.0, rules.budgets)
    relaxations = explain_infeasibility(cands, tight)
    rules_named = {r["rule"][0] for r in relaxations}
    assert rules_named  # something must give
    messages = " ".join(r["message_en"] for r in relaxations)
    assert "2021" in messages
    plan = schedule_villages(cands, tight)
    assert plan.status == "relaxed" and plan.relaxations == relaxations


def test_check_plan_catches_every_broken_rule():
    cands, rules = _fixed()
    bad = cands.assign(year=pd.array([2023, pd.NA, 2023, 2023], dtype="Int64"))
    broken = {v["rule"][0] if isinstance(v["rule"], tuple) else v["rule"] for v in check_plan(bad, cands, rules)}
    assert {"deadline", "per_year", "border", "budget"} <= broken


def test_ranking_is_transparent_and_flags_ties():
    cands, _ = _fixed()
    cands.loc[3, ["criteria_missing", "cost_vnd"]] = [2, 150_000_000]  # d now ties with c on every key
    ranked = rank_villages(cands)
    assert ranked["village_code"].tolist()[0] == "a"
    assert ranked.set_index("village_code").loc[["c", "d"], "tied"].all()
    sens = ranking_sensitivity(cands, {"cost first": (("cost_vnd", True), ("criteria_missing", True))}, top_n=2)
    assert sens.loc[0, "kept"] + len(sens.loc[0, "entering"].split(", ")) == 2


def test_phased_money_adds_up_to_the_dong():
    schedule = pd.DataFrame({"village_code": ["a", "b"], "commune": ["x", "y"],
                             "year": pd.array([2021, 2023], dtype="Int64")})
    lines = pd.DataFrame({"village_code": ["a", "a", "b"], "criterion": [2, 6, 9],
                          "source": ["integrated", "community", "enterprises"],
                          "amount_vnd": [1_000_000_001, 333_333_333, 7]})
    phased = phase_investment(schedule, lines, {0: "1/3", 1: "1/3", 2: "1/3"}, list(YEARS))
    assert phased["amount_vnd"].sum() == lines["amount_vnd"].sum()
    assert set(phased.loc[phased["commune"] == "x", "year"]) == {2021}  # before the horizon → first year
    by_year = phased[phased["commune"] == "y"].set_index("year")["amount_vnd"].to_dict()
    assert by_year == {2021: 2, 2022: 2, 2023: 3}  # 7 đồng in thirds: the spare đồng goes to one year
    assert year_shares({0: "0.6", 1: "0.4"}, 2022, list(YEARS)) == {2022: pytest.approx(0.6), 2021: pytest.approx(0.4)}
