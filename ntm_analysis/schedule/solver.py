"""Which villages reach the standard in which year, within what each funding source can give.

The scheduler solves a mixed-integer programme exactly with scipy's ``milp`` (HiGHS): a binary
``x[v, y]`` says village ``v`` reaches the standard in year ``y``. Constraints (the plan's, as data):

- each village at most once;
- at least ``min_per_year[y]`` villages in year ``y``;
- at least ``category_quotas[c]`` villages of plan category ``c`` over the horizon;
- villages in border communes meeting the standard by the end ≥ ``border_share`` % of them;
- a commune-linked village no later than its commune's target year;
- per funding source and year, the money spent ≤ the budget; a village scheduled for year Y spends its
  cost over Y and the years before by the phasing rule (``phasing``: lag in years → share).

Objective: ``min_cost`` (least total cost that meets the plan) or ``max_villages`` (most villages
under the budgets, least cost among those).

Every returned plan is re-checked in our own code (:func:`check_plan`) before it is shown. When no plan
exists, an elastic programme finds the smallest relaxation, named in planner language, and the best
plan under it is returned with ``status == "relaxed"``.

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
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import LinearConstraint, milp
from scipy.sparse import coo_matrix, csr_matrix, hstack, vstack

from ntm_analysis.core.i18n import message
from ntm_analysis.core.money import format_money
from ntm_analysis.core.errors import InternalError
from ntm_analysis.reference.scheduling import OBJECTIVES
from ntm_analysis.schedule.phasing import year_shares

CANDIDATE_COLUMNS = ["village_code", "commune", "plan_category", "border_commune", "commune_target_year",
                     "meets_at_baseline", "criteria_missing", "cost_vnd"]


@dataclass(frozen=True)
class PlanRules:
    """The plan's constraints for one horizon; budgets in whole VND, index source, columns year."""

    years: tuple[int, ...]
    min_per_year: dict[int, int]
    category_quotas: dict[str, int]
    border_share: float
    budgets: pd.DataFrame
    phasing: dict[int, object] = field(default_factory=lambda: {0: 1})  # lag → share (see phasing.py)
    objective: str = "min_cost"
    deadline_exempt: tuple[str, ...] = ()  # commune-linked villages released from their commune's year
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
    ``rule``, ``amount``, ``message_vi``, ``message_en``.
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


class ScheduleError(InternalError):
    """The solver returned a plan that breaks a constraint: never shown to a user as a plan."""


# ---------------------------------------------------------------- the model


@dataclass(frozen=True)
class _Model:
    """Rows of the programme by rule, so that rules can be made elastic and named."""

    rows: list[tuple[str, object, csr_matrix, float, float]]  # (rule, key, row, lower, upper)
    n_vars: int
    cost: np.ndarray
    upper: np.ndarray


def _model(cands: pd.DataFrame, rules: PlanRules, border_total: int, border_done: int) -> _Model:
    """The programme over the villages still to schedule; ``border_total`` / ``border_done``: villages in
    border communes, and those already meeting the standard (they count toward the share)."""
    n, years = len(cands), list(rules.years)
    n_years = len(years)
    idx = lambda v, y: v * n_years + y  # noqa: E731 - the variable index of village v, year position y
    cost = np.repeat(cands["cost_vnd"].to_numpy(float), n_years)
    upper = np.ones(n * n_years)
    deadline = cands["commune_target_year"]
    linked = cands["plan_category"].eq("commune_linked").to_numpy()
    rows = []
    for v in range(n):
        rows.append(("once", cands["village_code"].iat[v], _row({idx(v, j): 1 for j in range(n_years)}, n * n_years),
                     0, 1))
        if linked[v] and pd.notna(deadline.iat[v]) and cands["village_code"].iat[v] not in rules.deadline_exempt:
            late = {idx(v, j): 1 for j, y in enumerate(years) if y > int(deadline.iat[v])}
            if late:
                rows.append(("deadline", cands["village_code"].iat[v], _row(late, n * n_years), 0, 0))
    for j, y in enumerate(years):
        rows.append(("per_year", y, _row({idx(v, j): 1 for v in range(n)}, n * n_years),
                     rules.min_per_year.get(y, 0), np.inf))
    for cat, quota in rules.category_quotas.items():
        members = np.flatnonzero(cands["plan_category"].eq(cat).to_numpy())
        rows.append(("category", cat, _row({idx(v, j): 1 for v in members for j in range(n_years)}, n * n_years),
                     quota, np.inf))
    border = np.flatnonzero(cands["border_commune"].to_numpy(bool))
    if border_total and rules.border_share > 0:
        need = math.ceil(rules.border_share / 100 * border_total - 1e-9) - border_done
        rows.append(("border", rules.border_share,
                     _row({idx(v, j): 1 for v in border for j in range(n_years)}, n * n_years), need, np.inf))
    for source in rules.sources:
        amounts = cands[f"cost_{source}"].to_numpy(float)
        for t, year in enumerate(years):
            coeffs = {}
            for j, y in enumerate(years):
                share = _share_in_year(rules.phasing, y, year, years[0])
                if share:
                    for v in np.flatnonzero(amounts):
                        coeffs[idx(v, j)] = amounts[v] * share
            rows.append(("budget", (source, year), _row(coeffs, n * n_years), -np.inf,
                         float(rules.budgets.at[source, year])))
    return _Model(rows, n * n_years, cost, upper)


def _share_in_year(phasing: dict[int, object], scheduled: int, year: int, first: int) -> float:
    """Share of a village's cost spent in ``year`` when it is scheduled for ``scheduled``."""
    return float(year_shares(phasing, scheduled, [first]).get(year, 0))


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


def _row(coeffs: dict[int, float], n_vars: int) -> csr_matrix:
    cols = np.fromiter(coeffs.keys(), dtype=np.int64, count=len(coeffs))
    vals = np.fromiter(coeffs.values(), dtype=float, count=len(coeffs))
    return coo_matrix((vals, (np.zeros(len(cols), dtype=np.int64), cols)), shape=(1, n_vars)).tocsr()


def _objective(model: _Model, rules: PlanRules) -> np.ndarray:
    """Objective coefficients near 1. Costs count in average village costs, not in đồng: HiGHS finds plans
    much sooner than with coefficients of 10⁸–10⁹ (benchmarks/README.md), and the scale changes neither the
    optimum nor the relative gap."""
    if rules.objective == "min_cost":
        return model.cost / max(float(model.cost.mean()) if model.n_vars else 1.0, 1.0)
    scale = model.cost.sum() + 1.0  # most villages first; among equals, the cheapest
    return -1.0 + model.cost / scale


# ---------------------------------------------------------------- solving


def schedule_villages(cands: pd.DataFrame, rules: PlanRules, time_limit: float = 60.0,
                      mip_gap: float = 1e-4) -> SchedulePlan:
    """The optimal schedule, re-checked; or, when none exists, the best plan under the smallest relaxation."""
    if rules.objective not in OBJECTIVES:
        raise ValueError(f"unknown objective {rules.objective!r}; use one of {', '.join(OBJECTIVES)}")
    cands = normalise_candidates(cands)
    started = time.perf_counter()
    pending, model = _build(cands, rules)
    result = _solve(model, _objective(model, rules), time_limit, mip_gap)
    relaxations: list[dict] = []
    status = "optimal"
    if result is None or result.x is None:
        relaxations = explain_infeasibility(cands, rules, time_limit)
        rules = relax(rules, relaxations)
        pending, model = _build(cands, rules)
        result = _solve(model, _objective(model, rules), time_limit, mip_gap)
        status = "relaxed"
        if result is None or result.x is None:
            raise ScheduleError("no plan even after relaxing the named constraints; please report this")
    plan = _plan_from(result.x, pending, cands, rules, status, relaxations)
    plan.mip_gap = float(getattr(result, "mip_gap", 0.0) or 0.0)
    plan.seconds = time.perf_counter() - started
    violations = check_plan(plan.schedule, cands, rules)
    if violations:
        raise ScheduleError("the solver's plan breaks: " + "; ".join(v["message_en"] for v in violations))
    return plan


def normalise_candidates(cands: pd.DataFrame) -> pd.DataFrame:
    """Candidates with clean dtypes: boolean flags, Int64 years, int64 whole-VND costs."""
    costs = [c for c in cands.columns if c.startswith("cost_")]
    out = cands.reset_index(drop=True).astype({c: "int64" for c in costs})
    out["border_commune"] = out["border_commune"].fillna(False).astype(bool)
    out["meets_at_baseline"] = out["meets_at_baseline"].fillna(False).astype(bool)
    out["commune_target_year"] = pd.to_numeric(out["commune_target_year"], errors="coerce").astype("Int64")
    if "year" in out.columns:
        out["year"] = pd.to_numeric(out["year"], errors="coerce").astype("Int64")
    return out


def _build(cands: pd.DataFrame, rules: PlanRules) -> tuple[pd.DataFrame, _Model]:
    """The villages still to schedule, and the programme over them."""
    pending = cands[~cands["meets_at_baseline"]].reset_index(drop=True)
    border = cands["border_commune"]
    return pending, _model(pending, rules, int(border.sum()), int((border & cands["meets_at_baseline"]).sum()))


def _solve(model: _Model, c: np.ndarray, time_limit: float, mip_gap: float):  # noqa: ANN202 - OptimizeResult
    matrix = vstack([r[2] for r in model.rows]).tocsr()
    lower = np.array([r[3] for r in model.rows], dtype=float)
    upper = np.array([r[4] for r in model.rows], dtype=float)
    with _quiet_solver():
        result = milp(c, constraints=LinearConstraint(matrix, lower, upper), integrality=np.ones(model.n_vars),
                      bounds=(0, model.upper), options={"time_limit": time_limit, "mip_rel_gap": mip_gap})
    return result if result.status in (0, 1) and result.x is not None else None


def _plan_from(x: np.ndarray, pending: pd.DataFrame, cands: pd.DataFrame, rules: PlanRules, status: str,
               relaxations: list[dict]) -> SchedulePlan:
    years = list(rules.years)
    chosen = np.round(x[: len(pending) * len(years)]).reshape(len(pending), len(years)).astype(bool)
    year = [years[row.argmax()] if row.any() else pd.NA for row in chosen]
    scheduled = pending.assign(year=pd.array(year, dtype="Int64"))
    schedule = pd.concat([scheduled, cands[cands["meets_at_baseline"].astype(bool)].assign(
        year=pd.array([pd.NA] * int(cands["meets_at_baseline"].astype(bool).sum()), dtype="Int64"))],
        ignore_index=True)
    spend = spend_by_year(schedule, rules)
    done = schedule["year"].notna()
    return SchedulePlan(schedule, spend, status, rules.objective, int(schedule.loc[done, "cost_vnd"].sum()),
                        int(done.sum()), relaxations)


def spend_by_year(schedule: pd.DataFrame, rules: PlanRules) -> pd.DataFrame:
    """Money spent per source (rows) and year (columns) under the phasing rule, in VND (float)."""
    years = list(rules.years)
    done = schedule[schedule["year"].notna()]
    when = done["year"].to_numpy(dtype=np.int64)
    distinct, position = np.unique(when, return_inverse=True)
    shares = _shares(rules, distinct.tolist())[position].reshape(len(done), len(years))
    costs = done[[f"cost_{s}" for s in rules.sources]].to_numpy(float)
    return pd.DataFrame(costs.T @ shares, index=rules.sources, columns=years)


def _shares(rules: PlanRules, scheduled: list[int]) -> np.ndarray:
    """Share of a village's cost spent in each horizon year (columns) when scheduled for each of
    ``scheduled`` (rows); a year outside the horizon may spend nothing inside it."""
    years = list(rules.years)
    return np.array([[_share_in_year(rules.phasing, when, y, years[0]) for y in years] for when in scheduled],
                    dtype=float).reshape(len(scheduled), len(years))


# ---------------------------------------------------------------- checking, in our own code


def check_plan(schedule: pd.DataFrame, cands: pd.DataFrame, rules: PlanRules) -> list[dict]:
    """Every constraint the plan breaks, re-computed from the schedule without the solver's matrices."""
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
                                  *_texts("violation.category", category=lambda lang: _name(cat, lang, rules.names), have=have,
                                          quota=quota, short=quota - have)))
    border = cands[cands["border_commune"].fillna(False).astype(bool)]
    if len(border) and rules.border_share > 0:
        meeting = int(border["meets_at_baseline"].astype(bool).sum()) + int(
            done["village_code"].isin(border["village_code"]).sum())
        need = math.ceil(rules.border_share / 100 * len(border) - 1e-9)
        if meeting < need:
            out.append(_violation(("border", rules.border_share), need - meeting,
                                  *_texts("violation.border", meeting=meeting, villages=len(border),
                                          share=rules.border_share, need=need, short=need - meeting)))
    late = done[done["plan_category"].eq("commune_linked") & done["commune_target_year"].notna()
                & (done["year"] > done["commune_target_year"]) & ~done["village_code"].isin(rules.deadline_exempt)]
    for rec in late.itertuples():
        out.append(_violation(("deadline", rec.village_code), int(rec.year - rec.commune_target_year),
                              *_texts("violation.deadline", village=rec.village_code, year=rec.year,
                                      target_year=rec.commune_target_year)))
    spend = spend_by_year(schedule, rules)
    for source in rules.sources:
        for year in rules.years:
            over = spend.at[source, year] - float(rules.budgets.at[source, year])
            if over > 0.5:  # half a đồng: float sums of whole-VND amounts
                out.append(_violation(("budget", (source, year)), over,
                                      *_texts("violation.budget", source=lambda lang: _name(source, lang, rules.names),
                                              year=year, amount=lambda lang: format_money(round(over), lang))))
    return out


def _violation(rule: object, amount: float, vi: str, en: str) -> dict:
    return {"rule": rule, "amount": amount, "message_vi": vi, "message_en": en}


def _texts(key: str, **values: Any) -> tuple[str, str]:
    """The message ``schedule.<key>`` in Vietnamese and in English; a callable value is called with the
    language (names and money differ between the two)."""
    return tuple(message(f"schedule.{key}", lang, **{k: v(lang) if callable(v) else v for k, v in values.items()})
                 for lang in ("vi", "en"))


# ---------------------------------------------------------------- when no plan exists


def explain_infeasibility(cands: pd.DataFrame, rules: PlanRules, time_limit: float = 60.0) -> list[dict]:
    """The smallest relaxation that makes a plan possible, one dict per relaxed rule (planner language).

    Elastic programme: every plan rule (annual minimum, category quota, border share, deadline, budget)
    gets a non-negative slack; one village of shortfall weighs 1, a budget overrun weighs its amount in
    units of the average village cost. Minimising the slacks names the rules in conflict and by how much.
    """
    pending, model = _build(normalise_candidates(cands), rules)
    soft = [i for i, r in enumerate(model.rows) if r[0] != "once"]
    unit = max(float(pending["cost_vnd"].mean()) if len(pending) else 1.0, 1.0)
    matrix = vstack([r[2] for r in model.rows]).tocsr()
    slack_cols = []
    for i in soft:
        rule, _, _, lower, upper = model.rows[i]
        sign = -1.0 if upper < np.inf else 1.0  # "≤ upper" rows: subtract slack; "≥ lower" rows: add it
        slack_cols.append(coo_matrix(([sign], ([i], [0])), shape=(len(model.rows), 1)))
    full = hstack([matrix, *slack_cols]).tocsr()
    weights = np.array([unit_weight(model.rows[i][0], unit) for i in soft])
    c = np.concatenate([np.zeros(model.n_vars), weights])
    lower = np.array([r[3] for r in model.rows], dtype=float)
    upper = np.array([r[4] for r in model.rows], dtype=float)
    with _quiet_solver():
        result = milp(c, constraints=LinearConstraint(full, lower, upper),
                      integrality=np.concatenate([np.ones(model.n_vars), np.zeros(len(soft))]),
                      bounds=(0, np.concatenate([model.upper, np.full(len(soft), np.inf)])),
                      options={"time_limit": time_limit})
    if result.x is None:
        raise ScheduleError("the elastic programme has no solution; please report this")
    slacks = result.x[model.n_vars:]
    return [_relaxation(model.rows[i][0], model.rows[i][1], s, rules.names) for i, s in zip(soft, slacks) if s > 1e-6]


def unit_weight(rule: str, unit: float) -> float:
    """Weight of one unit of slack: villages count 1; money counts per average village cost."""
    return 1.0 / unit if rule == "budget" else 1.0


def _relaxation(rule: str, key: object, slack: float, names: Mapping[str, tuple[str, str]]) -> dict:
    if rule == "budget":
        source, year = key
        return _violation(("budget", key), slack,
                          *_texts("relaxation.budget", source=lambda lang: _name(source, lang, names), year=year,
                                  amount=lambda lang: format_money(math.ceil(slack - 1e-3), lang)))
    n = math.ceil(slack - 1e-6)
    if rule == "per_year":
        texts = _texts("relaxation.per_year", year=key, n=n)
    elif rule == "category":
        texts = _texts("relaxation.category", category=lambda lang: _name(key, lang, names), n=n)
    elif rule == "border":
        texts = _texts("relaxation.border", share=key, n=n)
    else:
        texts = _texts("relaxation.deadline", village=key)
    return _violation((rule, key), n, *texts)


def relax(rules: PlanRules, relaxations: list[dict]) -> PlanRules:
    """``rules`` with the named relaxations applied (lower minimums and quotas, larger budgets)."""
    per_year, quotas = dict(rules.min_per_year), dict(rules.category_quotas)
    budgets, share = rules.budgets.copy(), rules.border_share
    dropped_deadlines = []
    for r in relaxations:
        rule, key = r["rule"]
        if rule == "per_year":
            per_year[key] = max(per_year[key] - int(r["amount"]), 0)
        elif rule == "category":
            quotas[key] = max(quotas[key] - int(r["amount"]), 0)
        elif rule == "budget":
            budgets.at[key[0], key[1]] += math.ceil(r["amount"] - 1e-3)  # solver noise is not a đồng
        elif rule == "border":
            share = 0.0
        elif rule == "deadline":
            dropped_deadlines.append(key)
    return replace(rules, min_per_year=per_year, category_quotas=quotas, budgets=budgets, border_share=share,
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
    costs = order[[f"cost_{s}" for s in rules.sources]].to_numpy(float)  # village × source
    shares = _shares(rules, years)  # year scheduled × year spent
    limit = rules.budgets[years].to_numpy(float) + 0.5  # source × year; half a đồng for float sums
    bound = (order["plan_category"].eq("commune_linked") & order["commune_target_year"].notna()
             & ~order["village_code"].isin(rules.deadline_exempt)).to_numpy()
    latest = np.where(bound, order["commune_target_year"].to_numpy(dtype=float, na_value=np.inf), np.inf)
    spend = np.zeros((len(rules.sources), len(years)))
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
