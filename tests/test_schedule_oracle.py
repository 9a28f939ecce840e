"""The scheduler against an independent brute-force oracle, and the issue's four failure cases.

The oracle enumerates every assignment of the pending villages to a year of the horizon or to none, and
computes each rule in integers of its own (spend in 1/denominator đồng, budget increases rounded up to
the đồng, the border requirement from integer percentages). It shares no code with the scheduler.
"""

import itertools
import math
import time
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest

from ntm_analysis.schedule import (PlanRules, check_plan, explain_infeasibility, relax, relaxation_alternatives,
                                   schedule_villages)

SOURCES = ["integrated", "community"]
CATEGORIES = ["commune_linked", "border", "other"]
PHASINGS = [{0: 1}, {0: "1/2", 1: "1/2"}, {0: "1/3", 1: "1/3", 2: "1/3"}, {0: "0.6", 1: "0.4"}, {1: 1}]
RATE = 150_000_000  # đồng per village short, for the exchange-rate order


# ---------------------------------------------------------------- the oracle


class Oracle:
    """Every assignment of an instance, with its exact measures (numpy integer arrays, one row each)."""

    def __init__(self, inst: dict) -> None:
        self.inst = inst
        years, pending = inst["years"], [v for v in inst["villages"] if not v["meets"]]
        self.pending = pending
        n_years = len(years)
        # assignment: year position per pending village, -1 none
        every = list(itertools.product(range(-1, n_years), repeat=len(pending)))
        self.when = np.array(every, dtype=np.int64).reshape(len(every), len(pending))
        phasing = {int(k): Fraction(str(v)) for k, v in inst["phasing"].items()}
        self.den = math.lcm(*(s.denominator for s in phasing.values()))
        # share of a village scheduled in position j spent in position t, in 1/den
        self.share = np.zeros((n_years, n_years), dtype=np.int64)
        for j in range(n_years):
            for lag, s in phasing.items():
                self.share[j, max(j - lag, 0)] += int(s * self.den)

    def measures(self, rules: dict) -> dict:
        """Per assignment: villages short (deadlines count one each), money (đồng), cost, count, and the
        amount of each rule."""
        when, years, pending = self.when, self.inst["years"], self.pending
        done = when >= 0
        shorts = {}
        for j, y in enumerate(years):
            shorts[("per_year", y)] = np.maximum(rules["per_year"][y] - (when == j).sum(axis=1), 0)
        for c, q in rules["quotas"].items():
            members = np.array([v["category"] == c for v in pending], dtype=bool)
            shorts[("category", c)] = np.maximum(q - (done & members).sum(axis=1), 0)
        villages = self.inst["villages"]
        border_total = sum(v["border"] for v in villages)
        if border_total and rules["border_share"] > 0:
            need = -(-rules["border_share"] * border_total // 100) - rules["border_relief"]
            need -= sum(v["border"] and v["meets"] for v in villages)
            members = np.array([v["border"] for v in pending], dtype=bool)
            shorts[("border", float(rules["border_share"]))] = np.maximum(need - (done & members).sum(axis=1), 0)
        for i, v in enumerate(pending):
            if v["category"] == "commune_linked" and v["target"] is not None and v["code"] not in rules["exempt"]:
                late = np.array([y > v["target"] for y in years] + [False])  # index -1: not scheduled
                shorts[("deadline", v["code"])] = late[when[:, i]].astype(np.int64)
        money = np.zeros(len(when), dtype=np.int64)
        for s in SOURCES:
            cost = np.array([v[f"cost_{s}"] for v in pending], dtype=np.int64)
            for t, y in enumerate(years):
                spend = np.zeros(len(when), dtype=np.int64)
                for j in range(len(years)):
                    spend += ((when == j) * cost).sum(axis=1) * self.share[j, t]
                over = spend - rules["budgets"][s][y] * self.den
                shorts[("budget", (s, y))] = np.where(over > 0, -(-over // self.den), 0)
                money += shorts[("budget", (s, y))]
        count_short = sum(a for (r, _), a in shorts.items() if r != "budget") + np.zeros(len(when), dtype=np.int64)
        total = np.array([v["cost_vnd"] for v in pending], dtype=np.int64)
        return {"shorts": shorts, "villages": count_short, "money": money,
                "cost": (done * total).sum(axis=1), "count": done.sum(axis=1)}

    def best(self, rules: dict, objective: str) -> tuple[int, int] | None:
        """(count, cost) of the best plan keeping ``rules``; None when there is none."""
        m = self.measures(rules)
        ok = (m["villages"] == 0) & (m["money"] == 0)
        if not ok.any():
            return None
        cost, count = m["cost"][ok], m["count"][ok]
        if objective == "max_villages":
            top = count.max()
            return int(top), int(cost[count == top].min())
        i = int(np.argmin(cost))
        return int(count[i]), int(cost[i])

    def smallest(self, rules: dict, order: str | int) -> tuple[int, int]:
        """(villages short, extra money) of the smallest relaxation in ``order``."""
        m = self.measures(rules)
        v, money = m["villages"], m["money"]
        keys = {"villages_first": (v, money), "money_first": (money, v)}.get(order, (RATE * v + money, v))
        first = keys[0] == keys[0].min()
        i = np.flatnonzero(first)[np.argmin(keys[1][first])]
        return int(v[i]), int(money[i])


# ---------------------------------------------------------------- random instances


def random_instance(seed: int) -> dict:
    """≤ 5 villages, 1–3 years, costs that do not divide evenly, budgets a few đồng from a plan's need."""
    rng = np.random.default_rng(seed)
    n_years = int(rng.integers(1, 4))
    years = list(range(2023, 2023 + n_years))
    n = int(rng.integers(1, 6))
    villages = []
    for i in range(n):
        cat = str(rng.choice(CATEGORIES))
        integrated = int(rng.integers(10_000_000, 900_000_000))
        community = int(rng.integers(1, 200_000_000)) if rng.random() < 0.8 else 0
        villages.append({"code": f"v{i}", "category": cat, "border": cat == "border" or bool(rng.random() < 0.1),
                         "target": int(rng.choice(years)) if cat == "commune_linked" and rng.random() < 0.8 else None,
                         "meets": bool(rng.random() < 0.15), "cost_integrated": integrated,
                         "cost_community": community, "cost_vnd": integrated + community})
    phasing = PHASINGS[int(rng.integers(len(PHASINGS)))]
    inst = {"years": years, "villages": villages, "phasing": phasing,
            "objective": str(rng.choice(["min_cost", "max_villages"]))}
    oracle = Oracle({**inst, "budgets": None})
    # budgets: the exact need of one random assignment, give or take a few đồng (or a random amount)
    pick = oracle.when[int(rng.integers(len(oracle.when)))]
    pending = oracle.pending
    budgets = {}
    for s in SOURCES:
        budgets[s] = {}
        for t, y in enumerate(years):
            need = sum(Fraction(int(oracle.share[j, t]), oracle.den) * v[f"cost_{s}"]
                       for v, j in zip(pending, pick) if j >= 0)
            if rng.random() < 0.8:
                budgets[s][y] = max(math.ceil(need) + int(rng.integers(-3, 3)), 0)
            else:
                budgets[s][y] = int(rng.integers(0, 600_000_000))
    per_year = {y: int(rng.integers(0, 2)) for y in years}
    quotas = {c: int(rng.integers(0, 3)) for c in CATEGORIES if rng.random() < 0.4}
    return {**inst, "rules": {"per_year": per_year, "quotas": quotas, "border_share": int(rng.choice([0, 0, 50, 90])),
                              "border_relief": 0, "budgets": budgets, "exempt": ()}}


def to_frames(inst: dict, rules: dict | None = None) -> tuple[pd.DataFrame, PlanRules]:
    """The instance as the scheduler's candidates and rules."""
    rules = rules or inst["rules"]
    v = inst["villages"]
    cands = pd.DataFrame({
        "village_code": [x["code"] for x in v], "commune": "x", "plan_category": [x["category"] for x in v],
        "border_commune": [x["border"] for x in v],
        "commune_target_year": pd.array([x["target"] for x in v], dtype="Int64"),
        "meets_at_baseline": [x["meets"] for x in v], "criteria_missing": 1,
        "cost_integrated": [x["cost_integrated"] for x in v], "cost_community": [x["cost_community"] for x in v],
        "cost_vnd": [x["cost_vnd"] for x in v]})
    years = inst["years"]
    budgets = pd.DataFrame({y: [rules["budgets"][s][y] for s in SOURCES] for y in years}, index=SOURCES)
    return cands, PlanRules(tuple(years), dict(rules["per_year"]), dict(rules["quotas"]),
                            float(rules["border_share"]), budgets, inst["phasing"], inst["objective"],
                            tuple(rules["exempt"]), rules["border_relief"])


def relaxed_rules(rules: dict, relaxations: list[dict]) -> dict:
    """The oracle's own reading of the announced relaxations."""
    out = {**rules, "per_year": dict(rules["per_year"]), "quotas": dict(rules["quotas"]),
           "budgets": {s: dict(b) for s, b in rules["budgets"].items()}, "exempt": tuple(rules["exempt"])}
    for r in relaxations:
        rule, key = r["rule"]
        if rule == "per_year":
            out["per_year"][key] -= r["amount"]
        elif rule == "category":
            out["quotas"][key] -= r["amount"]
        elif rule == "border":
            out["border_relief"] += r["amount"]
        elif rule == "deadline":
            out["exempt"] += (key,)
        else:
            out["budgets"][key[0]][key[1]] += r["amount"]
    return out


def plan_when(plan, inst: dict) -> np.ndarray:
    """The plan's year positions for the oracle's pending villages."""
    years = dict(zip(plan.schedule["village_code"], plan.schedule["year"]))
    return np.array([-1 if pd.isna(years[v["code"]]) else inst["years"].index(int(years[v["code"]]))
                     for v in inst["villages"] if not v["meets"]], dtype=np.int64)


def assert_matches_oracle(inst: dict, order: str | int) -> str:
    """Same status, objective and relaxation size as the oracle; the plan keeps the announced rules."""
    cands, rules = to_frames(inst)
    oracle = Oracle(inst)
    plan = schedule_villages(cands, rules, mip_gap=0.0, relaxation=order)
    best = oracle.best(inst["rules"], inst["objective"])
    announced = inst["rules"]
    if best is None:
        assert plan.status == "relaxed" and plan.relaxations
        assert all(isinstance(r["amount"], int) and r["amount"] > 0 for r in plan.relaxations)
        size = (sum(r["amount"] for r in plan.relaxations if r["rule"][0] != "budget"),
                sum(r["amount"] for r in plan.relaxations if r["rule"][0] == "budget"))
        assert size == oracle.smallest(inst["rules"], order), (order, plan.relaxations)
        announced = relaxed_rules(inst["rules"], plan.relaxations)
        # relax() changes the rules by exactly the announced amounts, the border share itself stays
        _, mine = to_frames(inst, announced)
        theirs = relax(rules, plan.relaxations)
        assert (theirs.min_per_year, theirs.category_quotas, theirs.border_share, theirs.border_relief,
                set(theirs.deadline_exempt)) == (mine.min_per_year, mine.category_quotas, mine.border_share,
                                                 mine.border_relief, set(mine.deadline_exempt))
        assert theirs.budgets.equals(mine.budgets)
        best = oracle.best(announced, inst["objective"])
    else:
        assert plan.status == "optimal" and plan.relaxations == []
    assert (plan.villages_scheduled, plan.total_cost_vnd) == best
    # the plan keeps every (announced) rule, by the oracle's arithmetic
    m = Oracle({**inst}).measures(announced)
    i = int(np.flatnonzero((oracle.when == plan_when(plan, inst)).all(axis=1))[0])
    assert m["villages"][i] == 0 and m["money"][i] == 0
    return plan.status


def test_scheduler_matches_brute_force_on_1000_random_instances():
    """Seeded; each order of relaxation on a third of the instances. CPU time, not wall time, is bounded:
    the machine may be shared."""
    started, statuses = time.process_time(), []
    orders = ["villages_first", "money_first", RATE]
    for seed in range(1000):
        statuses.append(assert_matches_oracle(random_instance(seed), orders[seed % 3]))
    assert statuses.count("relaxed") >= 200 and statuses.count("optimal") >= 200  # both kinds, plenty
    assert time.process_time() - started < 60


def test_both_relaxations_side_by_side_are_the_smallest():
    for seed in range(40):
        inst = random_instance(10_000 + seed)
        oracle = Oracle(inst)
        if oracle.best(inst["rules"], inst["objective"]) is not None:
            continue
        both = relaxation_alternatives(*to_frames(inst))
        for order, alt in both.items():
            assert (alt["villages_short"], alt["extra_money_vnd"]) == oracle.smallest(inst["rules"], order)
            assert alt["gap"] == 0.0 and alt["message_en"] and alt["message_vi"]


# ---------------------------------------------------------------- the four cases


def _case(villages: list[dict], years: list[int], phasing: dict, budgets: dict, per_year: dict, quotas: dict,
          border_share: int = 0, objective: str = "min_cost") -> dict:
    base = {"category": "other", "border": False, "target": None, "meets": False, "cost_community": 0}
    full = [{**base, **v, "cost_vnd": v["cost_integrated"] + v.get("cost_community", 0)} for v in villages]
    return {"years": years, "villages": full, "phasing": phasing, "objective": objective,
            "rules": {"per_year": per_year, "quotas": quotas, "border_share": border_share, "border_relief": 0,
                      "budgets": budgets, "exempt": ()}}


def test_three_missing_villages_alone_are_the_smallest_relaxation():
    # one village costing 86 million, a quota of four "other" villages, all money spent the year before
    inst = _case([{"code": "a", "cost_integrated": 23_000_000, "cost_community": 63_000_000}], [2024, 2025],
                 {1: 1}, {"integrated": {2024: 23_000_000, 2025: 0}, "community": {2024: 63_000_000, 2025: 0}},
                 {2024: 0, 2025: 1}, {"other": 4})
    relaxations = explain_infeasibility(*to_frames(inst))
    assert [(r["rule"], r["amount"]) for r in relaxations] == [(("category", "other"), 3)]
    assert assert_matches_oracle(inst, "villages_first") == "relaxed"


def test_a_budget_one_dong_short_is_named_not_a_crash():
    inst = _case([{"code": "a", "cost_integrated": 100_000_001}, {"code": "b", "cost_integrated": 200_000_000}],
                 [2024], {0: 1}, {"integrated": {2024: 300_000_000}, "community": {2024: 0}}, {2024: 2}, {})
    cands, rules = to_frames(inst)
    plan = schedule_villages(cands, rules)
    assert plan.status == "relaxed"
    assert [(r["rule"], r["amount"]) for r in plan.relaxations] == [(("budget", ("integrated", 2024)), 1)]
    assert plan.relaxations[0]["message_en"].endswith("budget for 2024 must grow by 1 VND")
    keep = explain_infeasibility(cands, rules, relaxation="money_first")
    assert [(r["rule"], r["amount"]) for r in keep] == [(("per_year", 2024), 1)]
    for order in ("villages_first", "money_first", RATE, 1):
        assert assert_matches_oracle(inst, order) == "relaxed"


def test_costs_in_thirds_over_three_years_most_villages():
    costs = [200_000_001, 190_000_002, 194_000_000, 194_000_000, 250_000_000]  # thirds that do not divide
    years = [2023, 2024, 2025]
    inst = _case([{"code": f"v{i}", "cost_integrated": c} for i, c in enumerate(costs)], years,
                 {0: "1/3", 1: "1/3", 2: "1/3"}, {"integrated": {}, "community": dict.fromkeys(years, 0)},
                 dict.fromkeys(years, 0), {}, objective="max_villages")
    # budgets: exactly what the first four need, each in 2025 (a third in each year), rounded up
    need = math.ceil(Fraction(sum(costs[:4]), 3))
    inst["rules"]["budgets"]["integrated"] = dict.fromkeys(years, need)
    cands, rules = to_frames(inst)
    plan = schedule_villages(cands, rules, mip_gap=0.0)
    assert plan.status == "optimal" and check_plan(plan.schedule, cands, rules) == []
    assert (plan.villages_scheduled, plan.total_cost_vnd) == (4, sum(costs[:4]))
    inst["rules"]["budgets"]["integrated"][2024] = need - 1  # that plan is now a third of a đồng short
    assert_matches_oracle(inst, "villages_first")


def test_border_share_is_relaxed_by_the_villages_named_not_dropped():
    inst = _case([{"code": f"b{i}", "category": "border", "border": True, "cost_integrated": 100_000_000 + i}
                  for i in range(3)], [2024], {0: 1}, {"integrated": {2024: 200_000_001}, "community": {2024: 0}},
                 {2024: 0}, {}, border_share=90)
    cands, rules = to_frames(inst)
    plan = schedule_villages(cands, rules, relaxation="money_first")
    assert [(r["rule"], r["amount"]) for r in plan.relaxations] == [(("border", 90.0), 1)]
    assert plan.villages_scheduled == 2  # the two cheapest border villages, not none
    relaxed = relax(rules, plan.relaxations)
    assert relaxed.border_share == 90.0 and relaxed.border_relief == 1
    assert check_plan(plan.schedule.assign(year=pd.array([pd.NA] * 3, dtype="Int64")), cands, relaxed)


@pytest.mark.parametrize("order", ["villages_first", "money_first", RATE])
def test_every_rule_type_relaxed_by_the_announced_amount(order):
    # a deadline, a year's minimum, a quota, the border share and a budget all in conflict
    inst = _case([{"code": "a", "category": "commune_linked", "target": 2023, "cost_integrated": 300_000_000},
                  {"code": "b", "category": "border", "border": True, "cost_integrated": 100_000_003},
                  {"code": "c", "category": "other", "cost_integrated": 50_000_000, "cost_community": 7}],
                 [2023, 2024], {0: "1/2", 1: "1/2"},
                 {"integrated": {2023: 150_000_000, 2024: 100_000_000}, "community": {2023: 0, 2024: 0}},
                 {2023: 1, 2024: 2}, {"other": 2, "border": 1}, border_share=90)
    assert assert_matches_oracle(inst, order) == "relaxed"
