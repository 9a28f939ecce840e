"""Which villages reach the standard in which year, within what each funding source can give.

The scheduler solves a mixed-integer programme with scipy's ``milp`` (HiGHS): a binary ``x[v, y]``
says village ``v`` reaches the standard in year ``y``. Constraints (the plan's, as data):

- each village at most once;
- at least ``min_per_year[y]`` villages in year ``y``;
- at least ``category_quotas[c]`` villages of plan category ``c`` over the horizon;
- villages in border communes meeting the standard by the end ≥ ``border_share`` % of them (less
  ``border_relief`` villages when that rule was relaxed);
- a commune-linked village no later than its commune's target year;
- per funding source and year, the money spent ≤ the budget; a village scheduled for year Y spends its
  cost over Y and the years before by the phasing rule (``phasing``: lag in years → share).

Objective: ``min_cost`` (least total cost that meets the plan) or ``max_villages`` (most villages
under the budgets, then the least cost among those, solved in that order).

Scaling and exactness: budget rows and budget slacks count money in million đồng (``MONEY_UNIT``), so
the coefficients of every row are near 1; objectives count money in đồng (a đồng must be a step HiGHS
sees) and the cost in average village costs (in đồng when ``mip_gap`` is 0). HiGHS works within its
tolerances (a binary may come back as 0.99999999, a row may be over by a fraction of a đồng), so its
answer is only a proposal: the binaries are rounded and the plan is re-checked exactly, in whole đồng
with the phasing shares over a common denominator. A proposal that breaks a rule exactly is cut off (a
"no-good" constraint) and the programme solved again; a plan is never shown broken.

When no plan exists, an elastic programme gives every rule but "once" a slack, and the **smallest
relaxation** is found lexicographically, in two measures:

- *villages short*: the villages by which the annual minimums, category quotas and border share fall
  short, summed over the rules (a village missing from a year's minimum and from a quota counts
  twice), plus the commune-linked villages released from their commune's year;
- *extra money*: the whole đồng added to the budgets, summed over sources and years (each budget grows
  by its overrun rounded up to the đồng).

``relaxation`` chooses the order: ``"villages_first"`` (fewest villages short, then least extra money:
"meet every target, the budgets must grow by …"), ``"money_first"`` (least extra money, then fewest
villages short: "keep the budgets, the village targets fall N short …"), or a whole number of đồng per
village (an exchange rate: least ``rate × villages short + extra money``, then fewest villages short).
Each measure is minimised with the ones before it fixed, and its minimum is proven in whole units
(villages, đồng): by HiGHS's lower bound for villages, and for money by solving again for a plan one
đồng better (and other than the one found) until HiGHS finds none (``relaxation_gap``: the proven gap
when the time limit comes first). :func:`relaxation_alternatives` gives both orders side by side. The
rules are relaxed by exactly the amounts named (:func:`relax`), and the best plan under them is returned
with ``status == "relaxed"`` (the relaxation's own plan when HiGHS finds no better one in the time limit).

Candidate frame (``CANDIDATE_COLUMNS``): ``village_code, commune, plan_category, border_commune,
commune_target_year, meets_at_baseline, criteria_missing, cost_vnd`` and one ``cost_<source>`` column
per funding source (whole VND). Schedule frame: the candidate columns plus ``year`` (Int64; NA when
not scheduled).
"""

from __future__ import annotations

import math
import os
import sys
import time
import warnings
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import LinearConstraint, OptimizeResult, milp
from scipy.sparse import coo_matrix, csr_matrix, hstack, vstack

from ntm_analysis.core.errors import InternalError
from ntm_analysis.core.i18n import message
from ntm_analysis.core.money import as_fraction, format_money
from ntm_analysis.reference.scheduling import OBJECTIVES
from ntm_analysis.schedule.phasing import year_shares

CANDIDATE_COLUMNS = ["village_code", "commune", "plan_category", "border_commune", "commune_target_year",
                     "meets_at_baseline", "criteria_missing", "cost_vnd"]
RELAXATIONS = ("villages_first", "money_first")
MONEY_UNIT = 1_000_000  # đồng per unit of the budget rows and slacks in the programme
MAX_SOLVES = 60  # HiGHS calls per measure before the best plan found is returned with its proven gap
NON_NEGATIVE = ("villages", "money", "rate")  # measures that cannot be below 0


@dataclass(frozen=True)
class PlanRules:
    """The plan's constraints for one horizon; budgets in whole VND, index source, columns year.

    ``border_relief``: villages by which the border-share requirement is lowered (a relaxation).
    """

    years: tuple[int, ...]
    min_per_year: dict[int, int]
    category_quotas: dict[str, int]
    border_share: float
    budgets: pd.DataFrame
    phasing: dict[int, object] = field(default_factory=lambda: {0: 1})  # lag → share (see phasing.py)
    objective: str = "min_cost"
    deadline_exempt: tuple[str, ...] = ()  # commune-linked villages released from their commune's year
    border_relief: int = 0
    names: Mapping[str, tuple[str, str]] = field(default_factory=dict)  # source / category id → (vi, en)

    @property
    def sources(self) -> list[str]:
        return list(self.budgets.index)


@dataclass
class SchedulePlan:
    """A schedule and how it was obtained.

    ``status``: ``optimal`` (all constraints hold), ``relaxed`` (only after the relaxations listed),
    ``greedy`` (the baseline; constraints may not hold — see ``violations``). ``spend``: source × year
    money spent under the phasing rule. ``relaxations`` / ``violations``: one dict per broken rule with
    ``rule``, ``amount`` (villages, years late or whole đồng), ``message_vi``, ``message_en``.
    ``mip_gap``: proven relative gap of the plan's cost (0: optimal to the đồng or within the gap asked;
    ``inf``: no bound). ``relaxation``: the order the relaxation was minimised in; ``relaxation_gap``:
    the largest proven relative gap of its measures (0: exactly minimal).
    """

    schedule: pd.DataFrame
    spend: pd.DataFrame
    status: str
    objective: str
    total_cost_vnd: int
    villages_scheduled: int
    relaxations: list[dict] = field(default_factory=list)
    violations: list[dict] = field(default_factory=list)
    mip_gap: float = 0.0
    seconds: float = 0.0
    relaxation: str | int = "villages_first"
    relaxation_gap: float = 0.0


class ScheduleError(InternalError):
    """The solver returned a plan that breaks a constraint: never shown to a user as a plan."""


# ---------------------------------------------------------------- the model


@dataclass(frozen=True)
class _Model:
    """Rows of the programme by rule, so that rules can be made elastic and named; budget rows in
    ``MONEY_UNIT``. Variable ``v * n_years + j``: village ``v`` in year position ``j``."""

    rules: list[tuple[str, object]]  # (rule, key) per row
    matrix: csr_matrix
    lower: np.ndarray
    upper: np.ndarray
    n_vars: int
    cost: np.ndarray  # đồng, per variable
    n_years: int


def _model(cands: pd.DataFrame, rules: PlanRules, border_total: int, border_done: int) -> _Model:
    """The programme over the villages still to schedule; ``border_total`` / ``border_done``: villages in
    border communes, and those already meeting the standard (they count toward the share)."""
    n, years = len(cands), list(rules.years)
    n_years = len(years)
    var = np.arange(n * n_years).reshape(n, n_years)
    codes = cands["village_code"].tolist()
    deadline = cands["commune_target_year"].to_numpy(dtype=float, na_value=np.inf)
    linked = (cands["plan_category"].eq("commune_linked").to_numpy() & np.isfinite(deadline)
              & ~cands["village_code"].isin(rules.deadline_exempt).to_numpy())
    names, lower, upper, entries = [], [], [], []  # entries: (columns, values) per row

    def add(rule: str, key: object, columns: np.ndarray, values: np.ndarray | float, low: float, up: float) -> None:
        names.append((rule, key))
        lower.append(low)
        upper.append(up)
        entries.append((columns, np.broadcast_to(np.asarray(values, dtype=float), columns.shape)))

    for v in range(n):
        add("once", codes[v], var[v], 1.0, 0, 1)
        late = np.array([y > deadline[v] for y in years])
        if linked[v] and late.any():
            add("deadline", codes[v], var[v, late], 1.0, 0, 0)
    for j, y in enumerate(years):
        add("per_year", y, var[:, j], 1.0, rules.min_per_year.get(y, 0), np.inf)
    category = cands["plan_category"].to_numpy(object)
    for cat, quota in rules.category_quotas.items():
        add("category", cat, var[category == cat].ravel(), 1.0, quota, np.inf)
    if border_total and rules.border_share > 0:
        add("border", rules.border_share, var[cands["border_commune"].to_numpy(bool)].ravel(), 1.0,
            border_need(rules, border_total) - border_done, np.inf)
    shares, denominator = share_numerators(rules)
    for source in rules.sources:
        amounts = cands[f"cost_{source}"].to_numpy(float) / MONEY_UNIT
        for t, year in enumerate(years):
            # village v in year position j spends amounts[v] * shares[j, t] / denominator in year t
            coeffs = amounts[:, None] * shares[:, t][None, :] / denominator
            keep = coeffs != 0
            # spends are multiples of 1/denominator đồng: the bound halfway to the first one over the budget
            add("budget", (source, year), var[keep], coeffs[keep], -np.inf,
                (float(rules.budgets.at[source, year]) + 0.5 / denominator) / MONEY_UNIT)
    rows = np.concatenate([np.full(len(c), i) for i, (c, _) in enumerate(entries)] or [np.zeros(0, int)])
    cols = np.concatenate([c for c, _ in entries] or [np.zeros(0, int)])
    vals = np.concatenate([v for _, v in entries] or [np.zeros(0)])
    matrix = coo_matrix((vals, (rows, cols)), shape=(len(names), n * n_years)).tocsr()
    return _Model(names, matrix, np.array(lower, dtype=float), np.array(upper, dtype=float), n * n_years,
                  np.repeat(cands["cost_vnd"].to_numpy(float), n_years), n_years)


def border_need(rules: PlanRules, border_total: int) -> int:
    """Villages of border communes that must meet the standard by the end: ``border_share`` % of
    ``border_total`` rounded up (exact decimal arithmetic), less ``border_relief``."""
    return math.ceil(as_fraction(rules.border_share) * border_total / 100) - rules.border_relief


def share_numerators(rules: PlanRules) -> tuple[np.ndarray, int]:
    """The phasing shares over a common denominator: ``(numerators, denominator)``, numerators an int64
    matrix, row = year scheduled, column = year spent (horizon positions)."""
    years = list(rules.years)
    shares = [[year_shares(rules.phasing, when, [years[0]]).get(y, Fraction(0)) for y in years] for when in years]
    denominator = math.lcm(*(s.denominator for row in shares for s in row))
    return np.array([[int(s * denominator) for s in row] for row in shares], dtype=np.int64).reshape(
        len(years), len(years)), denominator


@contextmanager
def _quiet_solver() -> Iterator[None]:
    """Silence what HiGHS prints from C straight to the process's standard output (not through Python)."""
    sys.stdout.flush()
    saved = os.dup(1)
    with open(os.devnull, "wb") as null:
        os.dup2(null.fileno(), 1)
        try:
            yield
        finally:
            os.dup2(saved, 1)
            os.close(saved)


def _name(key: str, lang: str, names: Mapping[str, tuple[str, str]]) -> str:
    """The planner-facing name of a funding source or plan category in ``lang`` (the id as a fallback)."""
    pair = names.get(key)
    return pair[lang == "en"] if pair else str(key)


def _texts(key: str, **values: Any) -> tuple[str, str]:
    """The message ``schedule.<key>`` in Vietnamese and in English; a callable value is called with the
    language (names and money differ between the two)."""
    return tuple(message(f"schedule.{key}", lang, **{k: v(lang) if callable(v) else v for k, v in values.items()})
                 for lang in ("vi", "en"))


def _money(vnd: int, lang: str) -> str:
    """An exact amount: in millions when it is whole millions, else to the đồng."""
    return format_money(vnd, lang, unit="million" if vnd % MONEY_UNIT == 0 else "vnd")


# ---------------------------------------------------------------- the programme HiGHS sees


@dataclass(frozen=True)
class _Program:
    """A model as HiGHS gets it: the ``x`` columns first, then (elastic) one slack column per soft rule.

    ``slack_rule``: the rule of each slack column; count slacks are integer villages, budget slacks
    continuous ``MONEY_UNIT``.
    """

    matrix: csr_matrix
    lower: np.ndarray
    upper: np.ndarray
    var_upper: np.ndarray
    integrality: np.ndarray
    n_x: int
    n_years: int
    slack_rule: tuple[str, ...]


def _program(model: _Model, elastic: bool) -> _Program:
    ones = np.ones(model.n_vars)
    if not elastic:
        return _Program(model.matrix, model.lower, model.upper, ones, ones, model.n_vars, model.n_years, ())
    soft = [i for i, (rule, _) in enumerate(model.rules) if rule != "once"]
    signs = [-1.0 if model.upper[i] < np.inf else 1.0 for i in soft]  # "≤" rows lose slack, "≥" rows gain it
    slacks = coo_matrix((signs, (soft, np.arange(len(soft)))), shape=(len(model.rules), len(soft)))
    rules = tuple(model.rules[i][0] for i in soft)
    # a count rule cannot be relaxed below nothing (a deadline by more than its village)
    bounds = [np.inf if r == "budget" else max(model.lower[i], 1.0 if r == "deadline" else 0.0)
              for i, r in zip(soft, rules)]
    return _Program(hstack([model.matrix, slacks]).tocsr(), model.lower, model.upper, np.concatenate([ones, bounds]),
                    np.concatenate([ones, [float(r != "budget") for r in rules]]), model.n_vars, model.n_years, rules)


@dataclass(frozen=True)
class _Measure:
    """A quantity to minimise: HiGHS's objective ``coeffs`` (over all columns); the exact value of a plan
    is ``exact(evaluation)``, an int in whole units (villages, đồng), and ``unit`` exact units make one
    unit of the objective. In a constraint the coefficients are divided by the largest (near 1)."""

    name: str
    coeffs: np.ndarray
    unit: float
    exact: Callable[[dict], int]

    def row(self, value: int) -> tuple[np.ndarray, float]:
        """This measure ≤ ``value`` + half a unit, as a well-scaled row and its bound."""
        top = max(float(np.abs(self.coeffs).max(initial=0.0)), 1e-12)
        return self.coeffs / top, (value + 0.5) / self.unit / top


def _measures(program: _Program, model: _Model, names: list[str], rate: int = 0, exact_cost: bool = False
              ) -> list[_Measure]:
    """The measures ``names`` over ``program``: ``villages`` (short), ``money`` (extra, đồng), ``rate``
    (``rate`` đồng per village short + extra money), ``count`` (minus the villages scheduled), ``cost``.

    Money objectives count in đồng (one đồng must be a step HiGHS sees: its tolerances are near 1e-6 of
    the objective), as does the cost with ``exact_cost``; otherwise the cost counts in average village
    costs, which HiGHS solves much sooner (benchmarks/README.md)."""
    n_slacks = len(program.slack_rule)
    count_slacks = np.concatenate([np.zeros(program.n_x), [float(r != "budget") for r in program.slack_rule]])
    money_slacks = np.concatenate([np.zeros(program.n_x), [float(r == "budget") for r in program.slack_rule]])
    cost_unit = 1.0 if exact_cost else max(float(model.cost.mean()) if model.n_vars else 1.0, 1.0)
    table = {
        "villages": (count_slacks, 1.0, lambda e: e["villages"]),
        "money": (money_slacks * MONEY_UNIT, 1.0, lambda e: e["money"]),
        "rate": (count_slacks * rate + money_slacks * MONEY_UNIT, 1.0, lambda e: rate * e["villages"] + e["money"]),
        "count": (np.concatenate([-np.ones(program.n_x), np.zeros(n_slacks)]), 1.0, lambda e: -e["count"]),
        "cost": (np.concatenate([model.cost / cost_unit, np.zeros(n_slacks)]), cost_unit, lambda e: e["cost"]),
    }
    return [_Measure(name, *table[name]) for name in names]


# ---------------------------------------------------------------- exact evaluation of a plan


class _Exact:
    """A plan's shortfalls, overruns, cost and size under ``rules``, in integers (whole đồng; phasing
    shares over a common denominator), from the year position each pending village is scheduled for."""

    def __init__(self, pending: pd.DataFrame, rules: PlanRules, border_total: int, border_done: int) -> None:
        self.rules, self.years = rules, list(rules.years)
        self.codes = pending["village_code"].tolist()
        self.category = pending["plan_category"].to_numpy(object)
        self.border = pending["border_commune"].to_numpy(bool)
        bound = (pending["plan_category"].eq("commune_linked") & pending["commune_target_year"].notna()
                 & ~pending["village_code"].isin(rules.deadline_exempt)).to_numpy()
        target = pending["commune_target_year"].to_numpy(dtype=float, na_value=np.inf)
        # the latest year position each village may take (len(years) - 1: any)
        self.latest = np.array([sum(y <= t for y in self.years) - 1 if b else len(self.years) - 1
                                for b, t in zip(bound, target)], dtype=np.int64)
        self.costs = pending[[f"cost_{s}" for s in rules.sources]].to_numpy(np.int64)
        self.cost = pending["cost_vnd"].to_numpy(np.int64)
        self.shares, self.denominator = share_numerators(rules)
        self.budgets = [[int(rules.budgets.at[s, y]) * self.denominator for y in self.years] for s in rules.sources]
        self.border_need = (border_need(rules, border_total) - border_done
                            if border_total and rules.border_share > 0 else None)

    def evaluate(self, when: np.ndarray) -> dict:
        """``when``: year position per pending village, -1 when not scheduled. Returns ``short`` (rule,
        key → villages short, or đồng over for budgets), ``villages``, ``money``, ``cost``, ``count``."""
        done = when >= 0
        short: dict[tuple[str, object], int] = {}
        counts = np.bincount(when[done], minlength=len(self.years))
        for j, year in enumerate(self.years):
            need = self.rules.min_per_year.get(year, 0)
            if counts[j] < need:
                short[("per_year", year)] = int(need - counts[j])
        for cat, quota in self.rules.category_quotas.items():
            have = int((done & (self.category == cat)).sum())
            if have < quota:
                short[("category", cat)] = quota - have
        if self.border_need is not None and int((done & self.border).sum()) < self.border_need:
            short[("border", self.rules.border_share)] = self.border_need - int((done & self.border).sum())
        for v in np.flatnonzero(when > self.latest):
            short[("deadline", self.codes[v])] = 1
        by_year = np.zeros((len(self.years), self.costs.shape[1]), dtype=np.int64)  # year scheduled × source
        np.add.at(by_year, when[done], self.costs[done])
        money = 0
        for s, source in enumerate(self.rules.sources):
            for t, year in enumerate(self.years):
                over = sum(int(by_year[j, s]) * int(self.shares[j, t]) for j in range(len(self.years))) \
                    - self.budgets[s][t]
                if over > 0:
                    short[("budget", (source, year))] = -(-over // self.denominator)  # up to the đồng
                    money += short[("budget", (source, year))]
        villages = sum(a for (rule, _), a in short.items() if rule != "budget")
        return {"short": short, "villages": villages, "money": money, "cost": int(self.cost[done].sum()),
                "count": int(done.sum())}


def _when(x: np.ndarray, n: int, n_years: int) -> np.ndarray | None:
    """Year position per village from HiGHS's values (rounded first); None when one is scheduled twice."""
    chosen = np.round(x[: n * n_years]).reshape(n, n_years) > 0.5
    if (chosen.sum(axis=1) > 1).any():
        return None
    return np.where(chosen.any(axis=1), chosen.argmax(axis=1), -1)


# ---------------------------------------------------------------- solving


def schedule_villages(cands: pd.DataFrame, rules: PlanRules, time_limit: float = 60.0,
                      mip_gap: float = 1e-4, relaxation: str | int = "villages_first") -> SchedulePlan:
    """The optimal schedule, re-checked exactly; or, when none exists, the best plan under the smallest
    relaxation in the order ``relaxation`` (module docstring).

    ``time_limit``: seconds per HiGHS call. ``mip_gap``: relative gap accepted on the plan's cost (0: the
    cost is proven optimal to the đồng); the relaxation is always minimised exactly, within the time limit.

    Raises
    ------
    ValueError
        An unknown objective or relaxation order.
    ScheduleError
        The plan breaks a rule in our own re-check (a bug; please report it).
    """
    if rules.objective not in OBJECTIVES:
        raise ValueError(f"unknown objective {rules.objective!r}; use one of {', '.join(OBJECTIVES)}")
    _check_relaxation(relaxation)
    cands = normalise_candidates(cands)
    started = time.perf_counter()
    relaxations: list[dict] = []
    status, relaxation_gap = "optimal", 0.0
    found = _optimise(cands, rules, time_limit, mip_gap)
    if found is None:
        relaxations, witness, relaxation_gap = _minimal_relaxation(cands, rules, time_limit, relaxation)
        if relaxations:
            status, rules = "relaxed", relax(rules, relaxations)
        # the relaxation's own plan keeps the relaxed rules: the incumbent until HiGHS finds a better one
        found = _optimise(cands, rules, time_limit, mip_gap, witness) or (witness, math.inf)
    pending = cands[~cands["meets_at_baseline"]].reset_index(drop=True)
    plan = _plan_from(found[0], pending, cands, rules, status, relaxations)
    plan.mip_gap, plan.relaxation, plan.relaxation_gap = found[1], relaxation, relaxation_gap
    plan.seconds = time.perf_counter() - started
    violations = check_plan(plan.schedule, cands, rules)
    if violations:
        raise ScheduleError("the solver's plan breaks: " + "; ".join(v["message_en"] for v in violations))
    return plan


def _check_relaxation(relaxation: str | int) -> None:
    is_rate = isinstance(relaxation, int | np.integer) and not isinstance(relaxation, bool) and relaxation > 0
    if not is_rate and relaxation not in RELAXATIONS:
        raise ValueError(f"unknown relaxation {relaxation!r}; use one of {', '.join(RELAXATIONS)} or a whole "
                         "number of đồng per village (an exchange rate)")


def normalise_candidates(cands: pd.DataFrame) -> pd.DataFrame:
    """Candidates with clean dtypes: boolean flags, Int64 years, int64 whole-VND costs."""
    wanted = {**{c: "int64" for c in cands.columns if c.startswith("cost_")}, "border_commune": "bool",
              "meets_at_baseline": "bool", "commune_target_year": "Int64", "year": "Int64"}
    out = cands.reset_index(drop=True)
    for column, dtype in wanted.items():
        if column not in out.columns or out[column].dtype == dtype:
            continue  # already clean: no copy
        if dtype == "bool":
            out[column] = out[column].fillna(False).astype(bool)
        elif dtype == "Int64":
            out[column] = pd.to_numeric(out[column], errors="coerce").astype("Int64")
        else:
            out[column] = out[column].astype(dtype)
    return out


def _build(cands: pd.DataFrame, rules: PlanRules) -> tuple[pd.DataFrame, _Model]:
    """The villages still to schedule, and the programme over them."""
    pending = cands[~cands["meets_at_baseline"]].reset_index(drop=True)
    return pending, _model(pending, rules, *_border_counts(cands))


def _border_counts(cands: pd.DataFrame) -> tuple[int, int]:
    """Villages in border communes, and those of them already meeting the standard."""
    border = cands["border_commune"]
    return int(border.sum()), int((border & cands["meets_at_baseline"]).sum())


def _optimise(cands: pd.DataFrame, rules: PlanRules, time_limit: float, mip_gap: float,
              start: np.ndarray | None = None) -> tuple[np.ndarray, float] | None:
    """The best plan that keeps every rule exactly (year positions of the pending villages) and the proven
    relative gap of its cost; None when no plan exists. ``start``: a plan known to keep the rules."""
    pending, model = _build(cands, rules)
    program = _program(model, elastic=False)
    names = ["cost"] if rules.objective == "min_cost" else ["count", "cost"]
    exact = _Exact(pending, rules, *_border_counts(cands))

    def keeps(when: np.ndarray) -> dict | None:
        evaluation = exact.evaluate(when)
        return None if evaluation["short"] else evaluation

    found = _lexicographic(program, _measures(program, model, names, exact_cost=mip_gap == 0), keeps, time_limit,
                           mip_gap, start)
    return None if found is None else (found[0], found[2][-1])


def _minimal_relaxation(cands: pd.DataFrame, rules: PlanRules, time_limit: float, relaxation: str | int
                        ) -> tuple[list[dict], np.ndarray, float]:
    """The smallest relaxation in the order ``relaxation``, a plan that keeps the relaxed rules exactly
    (year positions) and the largest proven relative gap of the measures (0: exactly minimal)."""
    pending, model = _build(cands, rules)
    program = _program(model, elastic=True)
    names = {"villages_first": ["villages", "money"], "money_first": ["money", "villages"]}.get(
        relaxation, ["rate", "villages"])
    rate = 0 if relaxation in RELAXATIONS else int(relaxation)
    exact = _Exact(pending, rules, *_border_counts(cands))
    found = _lexicographic(program, _measures(program, model, names, rate), exact.evaluate, time_limit, 0.0)
    if found is None:
        raise ScheduleError("the elastic programme has no solution; please report this")
    when, evaluation, gaps = found
    return ([_relaxation(rule, key, amount, rules.names) for (rule, key), amount in evaluation["short"].items()], when,
            max(gaps))


def _lexicographic(program: _Program, measures: list[_Measure], evaluate: Callable[[np.ndarray], dict | None],
                   time_limit: float, mip_gap: float, start: np.ndarray | None = None
                   ) -> tuple[np.ndarray, dict, list[float]] | None:
    """Minimise ``measures`` in order, each with the ones before fixed at their minimum.

    HiGHS proposes; ``evaluate`` judges exactly (None: the plan breaks a rule). A proposal that breaks a
    rule, or exceeds a fixed measure, is cut off for good and the programme solved again. A measure's
    minimum is proven when, with the plan found cut off and the bound "one unit better" added, HiGHS finds
    no plan; for a count of villages (coefficients 1, integer) HiGHS's lower bound is enough. Money and cost
    differences of a đồng are at HiGHS's tolerance, so its bound is not trusted there. The last measure may
    stop within ``mip_gap`` (relative), the others are minimised exactly. ``start``: a plan known to
    keep the rules (year positions), the incumbent until HiGHS finds a better one. Returns the plan (year
    positions), its evaluation and each measure's proven relative gap; None when no plan exists.
    """
    n_years = program.n_years
    n = program.n_x // n_years if n_years else 0
    if program.matrix.shape[1] == 0:  # nothing to schedule and nothing to relax: the empty plan
        evaluation = evaluate(np.zeros(0, dtype=np.int64))
        return None if evaluation is None else (np.zeros(0, dtype=np.int64), evaluation, [0.0] * len(measures))
    fixed: list[tuple[_Measure, int]] = []
    broken: list[np.ndarray] = []  # plans that break a rule exactly
    best: tuple[np.ndarray, dict] | None = None
    gaps: list[float] = []
    for k, measure in enumerate(measures):
        allowed = mip_gap if k == len(measures) - 1 else 0.0
        trust_bound = measure.name in ("villages", "count")
        stage: tuple[np.ndarray, dict, int] | None = None
        known = None if start is None else evaluate(start)
        if known is not None and all(m.exact(known) <= v for m, v in fixed):
            stage = (start, known, measure.exact(known))
        bound, gap, seen = None, math.inf, []  # seen: this measure's plans found, cut off while looking further
        for _ in range(MAX_SOLVES):
            extra = [m.row(v) for m, v in fixed]  # the measures before: not worse than their minimum
            extra += [] if bound is None else [measure.row(bound)]
            result = _solve(program, measure.coeffs, time_limit, allowed, 0.5 / measure.unit, extra, broken + seen)
            if result.status == 2 and stage is None and best is not None:
                # the plan of the measures before keeps these rows: presolve misjudged a row at its tolerance
                result = _solve(program, measure.coeffs, time_limit, allowed, 0.5 / measure.unit, extra, broken,
                                presolve=False)
            if result.x is None:
                if result.status == 2 and bound is not None:
                    gap = 0.0  # nothing one unit better: proven
                elif stage is not None:  # out of time with the incumbent only: its gap from HiGHS's bound
                    gap = _gap(stage[2], getattr(result, "mip_dual_bound", None), measure.unit)
                break
            chosen = np.round(result.x[: program.n_x]) > 0.5
            when = _when(result.x, n, n_years)
            evaluation = None if when is None else evaluate(when)
            if evaluation is None or any(m.exact(evaluation) > v for m, v in fixed):
                broken.append(chosen)
                continue
            value = measure.exact(evaluation)
            if stage is None or value < stage[2]:
                stage = (when, evaluation, value)
            found = getattr(result, "mip_dual_bound", None)
            lower = -math.inf if found is None or np.isnan(found) else float(found) * measure.unit
            gap = _gap(stage[2], found, measure.unit)
            if (trust_bound and lower > stage[2] - 0.75) or (measure.name in NON_NEGATIVE and stage[2] == 0):
                gap = 0.0  # a plan one unit better is ruled out
                break
            if allowed > 0 or result.status != 0:  # within the gap asked, or out of time
                break
            bound = stage[2] - 1  # look for a plan at least one unit better, other than this one
            seen.append(chosen)
        if stage is None:
            if best is None:
                return None
            gaps.append(math.inf)
            continue
        best = stage[:2]
        fixed.append((measure, stage[2]))
        gaps.append(gap)
    return best[0], best[1], gaps


def _gap(value: int, dual_bound: float | None, unit: float) -> float:
    """Proven relative gap of ``value`` (exact units) against HiGHS's lower bound (objective units)."""
    if dual_bound is None or not np.isfinite(dual_bound):
        return math.inf
    return max(value - float(dual_bound) * unit, 0.0) / max(abs(value), 1)


def _solve(program: _Program, c: np.ndarray, time_limit: float, mip_gap: float, abs_gap: float = 1e-6,
           extra: list[tuple[np.ndarray, float]] = (), cuts: list[np.ndarray] = (), presolve: bool = True
           ) -> OptimizeResult:
    """HiGHS on ``program`` with objective ``c``, the ``extra`` rows (coefficients ≤ bound) and the no-good
    ``cuts`` (each a chosen set of ``x`` columns, excluded); without presolve after a solve error."""
    n_slacks = program.matrix.shape[1] - program.n_x
    rows = [program.matrix, *[csr_matrix(coeffs[None, :]) for coeffs, _ in extra],
            *[csr_matrix(np.concatenate([np.where(cut, 1.0, -1.0), np.zeros(n_slacks)])[None, :]) for cut in cuts]]
    lower = np.concatenate([program.lower, np.full(len(extra) + len(cuts), -np.inf)])
    upper = np.concatenate([program.upper, [b for _, b in extra], [cut.sum() - 1.0 for cut in cuts]])
    constraints = LinearConstraint(vstack(rows).tocsr(), lower, upper)
    options = {"time_limit": time_limit, "mip_rel_gap": mip_gap, "mip_abs_gap": abs_gap}
    for attempt in dict.fromkeys((presolve, False)):  # a solve error when a row is off by its tolerance
        with _quiet_solver(), warnings.catch_warnings():
            warnings.filterwarnings("ignore", "Unrecognized options", RuntimeWarning)  # mip_abs_gap: passed on
            result = milp(c, constraints=constraints, integrality=program.integrality,
                          bounds=(0, program.var_upper), options={**options, "presolve": attempt})
        if result.status != 4:
            break
    return result


def _plan_from(when: np.ndarray, pending: pd.DataFrame, cands: pd.DataFrame, rules: PlanRules, status: str,
               relaxations: list[dict]) -> SchedulePlan:
    years = list(rules.years)
    year = [years[j] if j >= 0 else pd.NA for j in when]
    done_before = cands["meets_at_baseline"].astype(bool)
    schedule = pd.concat([pending.assign(year=pd.array(year, dtype="Int64")), cands[done_before].assign(
        year=pd.array([pd.NA] * int(done_before.sum()), dtype="Int64"))], ignore_index=True)
    done = schedule["year"].notna()
    return SchedulePlan(schedule, spend_by_year(schedule, rules), status, rules.objective,
                        int(schedule.loc[done, "cost_vnd"].sum()), int(done.sum()), relaxations)


def spend_by_year(schedule: pd.DataFrame, rules: PlanRules) -> pd.DataFrame:
    """Money spent per source (rows) and year (columns) under the phasing rule, in VND (float; exact
    fractions: :func:`exact_spend`)."""
    return pd.DataFrame({y: {s: float(v) for (s, year), v in exact_spend(schedule, rules).items() if year == y}
                         for y in rules.years}).reindex(index=rules.sources, columns=list(rules.years))


def exact_spend(schedule: pd.DataFrame, rules: PlanRules) -> dict[tuple[str, int], Fraction]:
    """Money spent per (source, year) under the phasing rule, exactly (fractions of a đồng)."""
    done = schedule["year"].notna().to_numpy()
    when = schedule["year"].to_numpy(dtype=float, na_value=0)[done].astype(np.int64)
    costs = schedule[[f"cost_{s}" for s in rules.sources]].to_numpy(np.int64)[done]
    spend = {(s, y): Fraction(0) for s in rules.sources for y in rules.years}
    distinct, position = np.unique(when, return_inverse=True)
    sums = np.zeros((len(distinct), len(rules.sources)), dtype=np.int64)  # year scheduled × source
    np.add.at(sums, position, costs)
    for i, scheduled in enumerate(distinct.tolist()):
        for year, share in year_shares(rules.phasing, scheduled, [rules.years[0]]).items():
            if year in rules.years:
                for k, source in enumerate(rules.sources):
                    spend[source, year] += share * int(sums[i, k])
    return spend


# ---------------------------------------------------------------- checking, in our own code


def check_plan(schedule: pd.DataFrame, cands: pd.DataFrame, rules: PlanRules) -> list[dict]:
    """Every constraint the plan breaks, re-computed from the schedule without the solver's matrices, in
    exact arithmetic (budgets: the spend in fractions of a đồng against the whole-đồng budget; the amount
    over is rounded up to the đồng)."""
    out = []
    cands, schedule = normalise_candidates(cands), normalise_candidates(schedule)
    done = schedule[schedule["year"].notna()]
    if done["village_code"].duplicated().any():
        out.append(_violation("once", 1, *_texts("violation.twice")))
    if done["meets_at_baseline"].astype(bool).any():
        out.append(_violation("once", 1, *_texts("violation.already_meeting")))
    outside = ~done["year"].isin(rules.years)
    if outside.any():
        out.append(_violation("horizon", int(outside.sum()), *_texts("violation.horizon")))
    counts = done.groupby("year").size()
    for year, need in rules.min_per_year.items():
        have = int(counts.get(year, 0))
        if have < need:
            out.append(_violation(("per_year", year), need - have,
                                  *_texts("violation.per_year", year=year, have=have, need=need, short=need - have)))
    by_cat = done.groupby("plan_category").size()
    for cat, quota in rules.category_quotas.items():
        have = int(by_cat.get(cat, 0))
        if have < quota:
            out.append(_violation(("category", cat), quota - have,
                                  *_texts("violation.category", category=lambda lang: _name(cat, lang, rules.names),
                                          have=have, quota=quota, short=quota - have)))
    border = cands[cands["border_commune"].fillna(False).astype(bool)]
    if len(border) and rules.border_share > 0:
        meeting = int(border["meets_at_baseline"].astype(bool).sum()) + int(
            done["village_code"].isin(border["village_code"]).sum())
        need = border_need(rules, len(border))
        relief = (lambda lang: message("schedule.violation.border_relief", lang, n=rules.border_relief)
                  if rules.border_relief else "")
        if meeting < need:
            out.append(_violation(("border", rules.border_share), need - meeting,
                                  *_texts("violation.border", meeting=meeting, villages=len(border),
                                          share=rules.border_share, need=need, relief=relief, short=need - meeting)))
    late = done[done["plan_category"].eq("commune_linked") & done["commune_target_year"].notna()
                & (done["year"] > done["commune_target_year"]) & ~done["village_code"].isin(rules.deadline_exempt)]
    for rec in late.itertuples():
        out.append(_violation(("deadline", rec.village_code), int(rec.year - rec.commune_target_year),
                              *_texts("violation.deadline", village=rec.village_code, year=rec.year,
                                      target_year=rec.commune_target_year)))
    for (source, year), spent in exact_spend(schedule, rules).items():
        over = math.ceil(spent - int(rules.budgets.at[source, year]))
        if over > 0:
            out.append(_violation(("budget", (source, year)), over,
                                  *_texts("violation.budget", source=lambda lang: _name(source, lang, rules.names),
                                          year=year, amount=lambda lang: _money(over, lang))))
    return out


def _violation(rule: object, amount: float, vi: str, en: str) -> dict:
    return {"rule": rule, "amount": amount, "message_vi": vi, "message_en": en}


# ---------------------------------------------------------------- when no plan exists


def explain_infeasibility(cands: pd.DataFrame, rules: PlanRules, time_limit: float = 60.0,
                          relaxation: str | int = "villages_first") -> list[dict]:
    """The smallest relaxation that makes a plan possible in the order ``relaxation`` (module docstring),
    one dict per relaxed rule (planner language; ``amount`` whole villages or đồng); [] when a plan exists.
    """
    _check_relaxation(relaxation)
    return _minimal_relaxation(normalise_candidates(cands), rules, time_limit, relaxation)[0]


def relaxation_alternatives(cands: pd.DataFrame, rules: PlanRules, time_limit: float = 60.0) -> dict[str, dict]:
    """Both smallest relaxations side by side, keyed by order (``RELAXATIONS``).

    Each: ``relaxations`` (as :func:`explain_infeasibility`), ``villages_short``, ``extra_money_vnd``,
    ``gap`` (largest proven relative gap; 0: exactly minimal), ``message_vi``, ``message_en`` (one line:
    "meet every target: …" / "keep the budgets: …").
    """
    cands = normalise_candidates(cands)
    out = {}
    for order in RELAXATIONS:
        relaxations, _, gap = _minimal_relaxation(cands, rules, time_limit, order)
        villages = sum(int(r["amount"]) for r in relaxations if r["rule"][0] != "budget")
        money = sum(int(r["amount"]) for r in relaxations if r["rule"][0] == "budget")
        out[order] = {"relaxations": relaxations, "villages_short": villages, "extra_money_vnd": money, "gap": gap,
                      **{f"message_{lang}": _alternative_text(order, relaxations, villages, money, lang, rules.names)
                         for lang in ("vi", "en")}}
    return out


def _alternative_text(order: str, relaxations: list[dict], villages: int, money: int, lang: str,
                      names: Mapping[str, tuple[str, str]]) -> str:
    """One line for a relaxation: what it keeps, then what must give."""
    if not relaxations:
        return message("schedule.alternative.none", lang)
    if order == "villages_first":
        head = (message("schedule.alternative.every_target", lang) if villages == 0 else
                message("schedule.alternative.fewest_short", lang, n=villages))
    else:
        head = (message("schedule.alternative.keep_budgets", lang) if money == 0 else
                message("schedule.alternative.least_money", lang, amount=_money(money, lang)))
    parts = []
    budget = [r for r in relaxations if r["rule"][0] == "budget"]
    for source in dict.fromkeys(r["rule"][1][0] for r in budget):
        mine = [r for r in budget if r["rule"][1][0] == source]
        total, years = sum(int(r["amount"]) for r in mine), ", ".join(str(r["rule"][1][1]) for r in mine)
        parts.append(message("schedule.alternative.budget", lang, source=_name(source, lang, names),
                             amount=_money(total, lang), years=years))
    counts = [r for r in relaxations if r["rule"][0] != "budget"]
    if counts:
        # summed over the rules: a village missing from a year's minimum and from a quota counts twice
        parts.append(message("schedule.alternative.villages", lang, n=villages,
                             detail="; ".join(r[f"message_{lang}"] for r in counts)))
    return f"{head}: " + ("; ".join(parts))


def _relaxation(rule: str, key: object, amount: int, names: Mapping[str, tuple[str, str]]) -> dict:
    """A relaxation by exactly ``amount`` (villages; đồng for a budget), in planner language."""
    if rule == "budget":
        source, year = key
        return _violation(("budget", key), amount,
                          *_texts("relaxation.budget", source=lambda lang: _name(source, lang, names), year=year,
                                  amount=lambda lang: _money(amount, lang)))
    if rule == "per_year":
        texts = _texts("relaxation.per_year", year=key, n=amount)
    elif rule == "category":
        texts = _texts("relaxation.category", category=lambda lang: _name(key, lang, names), n=amount)
    elif rule == "border":
        texts = _texts("relaxation.border", share=key, n=amount)
    else:
        texts = _texts("relaxation.deadline", village=key)
    return _violation((rule, key), amount, *texts)


def relax(rules: PlanRules, relaxations: list[dict]) -> PlanRules:
    """``rules`` relaxed by exactly the amounts named: a year's minimum or a category's quota lowered by
    that many villages, the border requirement lowered by that many villages (``border_relief``; the
    share stays), a commune-linked village released from its commune's year, a budget grown by that many
    đồng."""
    per_year, quotas = dict(rules.min_per_year), dict(rules.category_quotas)
    budgets, border = rules.budgets.copy(), rules.border_relief
    dropped_deadlines = []
    for r in relaxations:
        rule, key = r["rule"]
        if rule == "per_year":
            per_year[key] = max(per_year[key] - int(r["amount"]), 0)
        elif rule == "category":
            quotas[key] = max(quotas[key] - int(r["amount"]), 0)
        elif rule == "budget":
            budgets.at[key[0], key[1]] += int(r["amount"])
        elif rule == "border":
            border += int(r["amount"])
        elif rule == "deadline":
            dropped_deadlines.append(key)
    return replace(rules, min_per_year=per_year, category_quotas=quotas, budgets=budgets, border_relief=border,
                   deadline_exempt=rules.deadline_exempt + tuple(dropped_deadlines))


# ---------------------------------------------------------------- the offices' way: rank, then fund down the list

RANK_KEYS = (("criteria_missing", True), ("cost_vnd", True), ("distance_to_standard", True),
             ("households", False))  # (column, ascending): fewest criteria missing first, then cheapest …


def rank_villages(cands: pd.DataFrame, keys: tuple[tuple[str, bool], ...] = RANK_KEYS) -> pd.DataFrame:
    """Villages not yet meeting the standard in priority order.

    Adds ``rank`` (1 = first) and ``tied`` (True when another village has the same values on every key,
    so their order is arbitrary and shown as such). Keys absent from ``cands`` are skipped.
    """
    present = [(c, asc) for c, asc in keys if c in cands.columns]
    pending = normalise_candidates(cands)
    pending = pending[~pending["meets_at_baseline"]]
    ordered = pending.sort_values([c for c, _ in present] + ["village_code"],
                                  ascending=[a for _, a in present] + [True], kind="stable")
    tied = ordered.duplicated([c for c, _ in present], keep=False)
    return ordered.assign(rank=np.arange(1, len(ordered) + 1), tied=tied.to_numpy()).reset_index(drop=True)


def ranking_sensitivity(cands: pd.DataFrame, alternatives: dict[str, tuple[tuple[str, bool], ...]],
                        top_n: int) -> pd.DataFrame:
    """How the top ``top_n`` changes under other key orders, against the default ranking.

    Columns: ``alternative, kept`` (villages in both top lists), ``entering``, ``leaving`` (codes,
    comma-separated), ``overlap`` (kept / top_n).
    """
    base = set(rank_villages(cands).head(top_n)["village_code"])
    rows = []
    for name, keys in alternatives.items():
        top = set(rank_villages(cands, keys).head(top_n)["village_code"])
        rows.append({"alternative": name, "kept": len(base & top), "entering": ", ".join(sorted(top - base)),
                     "leaving": ", ".join(sorted(base - top)), "overlap": len(base & top) / max(top_n, 1)})
    return pd.DataFrame(rows)


def greedy_schedule(cands: pd.DataFrame, rules: PlanRules, keys: tuple[tuple[str, bool], ...] = RANK_KEYS
                    ) -> SchedulePlan:
    """Fund down the ranked list: each year, take villages in rank order while every budget allows.

    Respects budgets and commune deadlines only; ``violations`` lists the plan's other rules it misses.
    """
    cands = normalise_candidates(cands)
    started = time.perf_counter()
    order = rank_villages(cands, keys)
    years = list(rules.years)
    costs = order[[f"cost_{s}" for s in rules.sources]].to_numpy(np.int64)  # village × source
    shares, denominator = share_numerators(rules)  # year scheduled × year spent, exact over a denominator
    limit = rules.budgets[years].to_numpy(np.int64) * denominator  # source × year, in 1/denominator đồng
    bound = (order["plan_category"].eq("commune_linked") & order["commune_target_year"].notna()
             & ~order["village_code"].isin(rules.deadline_exempt)).to_numpy()
    latest = np.where(bound, order["commune_target_year"].to_numpy(dtype=float, na_value=np.inf), np.inf)
    spend = np.zeros((len(rules.sources), len(years)), dtype=np.int64)
    chosen = np.full(len(order), -1)  # position of the year each village is scheduled for; -1: not scheduled
    for j, year in enumerate(years):
        for i in np.flatnonzero(chosen < 0):
            if year > latest[i]:
                continue
            extra = np.outer(costs[i], shares[j])
            if (spend + extra <= limit).all():
                chosen[i] = j
                spend += extra
    year = pd.array([years[j] if j >= 0 else pd.NA for j in chosen], dtype="Int64")
    done_before = cands[cands["meets_at_baseline"]].assign(
        year=pd.array([pd.NA] * int(cands["meets_at_baseline"].sum()), dtype="Int64"))
    schedule = pd.concat([order.drop(columns=["rank", "tied"]).assign(year=year), done_before], ignore_index=True)
    done = schedule["year"].notna()
    return SchedulePlan(schedule, spend_by_year(schedule, rules), "greedy", rules.objective,
                        int(schedule.loc[done, "cost_vnd"].sum()), int(done.sum()),
                        violations=check_plan(schedule, cands, rules), seconds=time.perf_counter() - started)
