"""From scores and costs to a schedule: the candidates, the plan's rules, summaries and scenario runs.

The scheduler (:mod:`ntm_analysis.schedule.solver`) takes a candidate frame and :class:`~ntm_analysis.schedule.solver.PlanRules`;
this module builds both from the project's tables: the targets from the plan file
(:func:`~ntm_analysis.reference.plan.load_plan`), the annual budgets from the plan's resources by
source (:func:`~ntm_analysis.reference.plan.plan_resources`), and the phasing rule, the default objective and how
the budgets are spread over the years from the scheduling file
(``reference/data/schedule-<id>.yaml``, :func:`~ntm_analysis.reference.scheduling.load_scheduling_defaults`).

Frames returned
---------------
:func:`build_candidates`: ``schedule.CANDIDATE_COLUMNS`` (``village_code, commune, plan_category,
border_commune, commune_target_year, meets_at_baseline, criteria_missing, cost_vnd``), then
``distance_to_standard, households, village_name`` and one ``cost_<source>`` per funding source (int64
whole đồng).

:func:`cost_lines`: ``village_code, criterion, source, amount_vnd`` (int64), for
:func:`~ntm_analysis.schedule.phasing.phase_investment`.

:func:`annual_budgets`: index ``source``, one int64 column per year (whole đồng).
:func:`budget_table`: index the source's name, one int64 column per year, ``total``.

:func:`budget_use`: ``source, year, budget_vnd, spend_vnd, left_vnd`` (int64).

:func:`investment_table`: index the values of ``by`` and a total row; one int64 column per year, ``total``.

:func:`scheduled_villages`: ``year, commune, village_code, village_name, plan_category, criteria_missing,
cost_vnd`` and the ``cost_<source>`` columns, one row per scheduled village.

:func:`villages_per_year`: index ``year`` and a total row; one column per plan category, ``total``.

:func:`compare_plans`: ``plan, status, villages, total_cost_vnd, rules_broken`` (violations or
relaxations), one row per plan.

"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from fractions import Fraction
from pathlib import Path
from typing import Any

import pandas as pd

from ntm_analysis.core.i18n import bilingual, message, messages
from ntm_analysis.reference.plan import PlanResources
from ntm_analysis.reference.scheduling import SchedulingDefaults
from ntm_analysis.core.money import add_up, allocate, as_fraction, format_money, to_vnd
from ntm_analysis.schedule.phasing import phase_investment
from ntm_analysis.schedule.solver import CANDIDATE_COLUMNS, PlanRules, SchedulePlan, relax
from ntm_analysis.score.scoring import Scores, criteria_missing
from ntm_analysis.core.storage import write_text

EXTRA_COLUMNS = ["distance_to_standard", "households", "village_name"]
# Other orders of the ranking keys, to show how much the top of the list depends on the order chosen.
RANKING_ALTERNATIVES = {
    "closest_first": (("distance_to_standard", True), ("criteria_missing", True), ("cost_vnd", True)),
    "cheapest_first": (("cost_vnd", True), ("criteria_missing", True), ("distance_to_standard", True)),
    "largest_first": (("households", False), ("criteria_missing", True), ("cost_vnd", True)),
}


# --- the scheduling file -----------------------------------------------------------------------------


# --- candidates -----------------------------------------------------------------------------------------


def projection_sources(projection: pd.DataFrame) -> list[str]:
    """Funding sources of a projection: the categorical's (cost file) order, else order of appearance."""
    source = projection["source"]
    return [str(s) for s in (source.cat.categories if isinstance(source.dtype, pd.CategoricalDtype)
                             else source.drop_duplicates())]


def build_candidates(scores: Scores, villages: pd.DataFrame, projection: pd.DataFrame,
                     baseline_year: int) -> pd.DataFrame:
    """The villages assessed in ``baseline_year`` as scheduling candidates (columns: module docstring).

    ``meets_at_baseline``, ``criteria_missing`` (failed, plus incomplete under ``missing_fails``) and
    ``distance_to_standard`` come from the baseline year's status; each ``cost_<source>`` is the sum of the
    projection's central amounts of the village and source (0 for a village without a cost line), and
    ``cost_vnd`` their sum. ``villages``: the clean villages table; ``projection``:
    :func:`~ntm_analysis.cost.projection.project_costs` (``village_code, source, central_vnd``).
    """
    status = scores.villages[scores.villages["year"] == baseline_year]
    base = pd.DataFrame({"village_code": status["village_code"].astype("string"),
                         "meets_at_baseline": status["meets_standard"].astype(bool),
                         "criteria_missing": criteria_missing(status).astype("int64"),
                         "distance_to_standard": status["distance_to_standard"].astype("float64")})
    info = villages[["village_code", "village_name", "commune", "plan_category", "border_commune",
                     "commune_target_year", "households"]].astype({"village_code": "string"})
    costs = village_costs(projection)
    cost_columns = list(costs.columns.drop("village_code"))
    out = (info.merge(base, on="village_code", how="inner")
           .merge(costs, on="village_code", how="left")
           # villages without a cost line: nothing to pay
           .fillna(dict.fromkeys(cost_columns, 0))
           .astype(dict.fromkeys(cost_columns, "int64")))
    out["cost_vnd"] = out[cost_columns].sum(axis=1).astype("int64")
    out = out.assign(border_commune=out["border_commune"].fillna(False).astype(bool),
                     commune_target_year=out["commune_target_year"].astype("Int64"))
    return out.sort_values("village_code", kind="stable").reset_index(drop=True)[
        [*CANDIDATE_COLUMNS, *EXTRA_COLUMNS, *cost_columns]]


def village_costs(projection: pd.DataFrame) -> pd.DataFrame:
    """``village_code`` and one ``cost_<source>`` column (int64, exact sums of ``central_vnd``) per source."""
    sources = projection_sources(projection)
    sums = add_up(projection.astype({"village_code": "string", "source": "string"}),
                  ["village_code", "source"], ["central_vnd"])
    wide = (sums.pivot(index="village_code", columns="source", values="central_vnd")
            .reindex(columns=sources).fillna(0).astype("int64"))
    wide.columns = [f"cost_{s}" for s in sources]
    return wide.rename_axis(columns=None).reset_index()


def cost_lines(projection: pd.DataFrame) -> pd.DataFrame:
    """The projection's central amounts as cost lines: ``village_code, criterion, source, amount_vnd``."""
    return pd.DataFrame({"village_code": projection["village_code"].astype("string"),
                         "criterion": projection["criterion"],
                         "source": projection["source"].astype("string"),
                         "amount_vnd": projection["central_vnd"].astype("int64")}).reset_index(drop=True)


# --- the plan's rules ------------------------------------------------------------------------------------


def annual_budgets(resources: PlanResources, years: list[int]) -> pd.DataFrame:
    """The plan's annual table where it has one; else each source's total split evenly over ``years``, to the
    đồng (the earlier years take the odd đồng)."""
    if resources.by_year_vnd:
        rows = {source: [resources.by_year_vnd.get(y, {}).get(source, 0) for y in years]
                for source in resources.by_source_vnd}
        return pd.DataFrame.from_dict(rows, orient="index", columns=list(years)).astype("int64").rename_axis("source")
    shares = [Fraction(1, len(years))] * len(years)
    rows = {source: allocate(total, shares) for source, total in resources.by_source_vnd.items()}
    return pd.DataFrame.from_dict(rows, orient="index", columns=list(years)).astype("int64").rename_axis("source")


def plan_rules(plan: dict, resources: PlanResources, scheduling: SchedulingDefaults, *, start: int, end: int,
               budget_scale: float = 1.0,
               budgets: Mapping[str, Mapping[int, float]] | None = None, min_per_year: int | None = None,
               quotas: Mapping[str, int] | None = None, border_share: float | None = None,
               objective: str | None = None, phasing: Mapping[int, object] | None = None,
               names: Mapping[str, tuple[str, str]] | None = None,
               candidates: pd.DataFrame | None = None) -> PlanRules:
    """The plan's rules for ``start``–``end``, each overridable.

    Defaults: villages a year, category quotas and border-commune share from ``plan["targets"]`` (a target
    the plan does not set is no rule: 0 villages, no quota, 0 %); a ``villages_share`` target (percent of the
    villages meeting the standard by the end) becomes, per plan category of ``candidates``, a quota of the
    villages still to reach it (the larger of that and the category's own quota); annual budgets from the
    plan's annual table, else from ``resources`` split over the plan's resource period by the scheduling file's rule;
    phasing and objective from the scheduling file. ``budgets`` (million VND, ``{source: {year:
    amount}}``) replaces single cells, converted to whole đồng exactly; then every budget is multiplied by
    ``budget_scale`` (rounded to the đồng, half to even). ``quotas`` replaces the quotas it names.
    ``names``: source and category id → (vi, en) names for the scheduler's messages.

    Raises
    ------
    ValueError
        A year of the horizon without a budget, an unknown source, a negative scale or quota.
    """
    defaults = scheduling
    years = list(range(int(start), int(end) + 1))
    period = (plan.get("resources") or {}).get("period", plan["period"])
    table = annual_budgets(resources, list(range(period["start"], period["end"] + 1))).reindex(columns=years)
    table = _override_budgets(table, budgets or {})
    if table.isna().any().any():
        lacking = [str(y) for y in years if table[y].isna().any()]
        raise ValueError(f"the plan gives no resources for {', '.join(lacking)} (its period is {period['start']}–"
                         f"{period['end']}); give those years' budgets in `budgets`")
    if budget_scale < 0:
        raise ValueError(f"budget_scale must not be negative, got {budget_scale}")
    scale = Fraction(str(budget_scale))
    table = table.map(lambda vnd: round(Fraction(int(vnd)) * scale)).astype("int64")
    targets = plan.get("targets") or {}
    quota = dict(targets.get("by_category") or {})
    for category, need in _share_quotas(targets.get("villages_share"), candidates).items():
        quota[category] = max(int(quota.get(category, 0)), need)
    quota = {**quota, **(quotas or {})}
    if any(int(q) < 0 for q in quota.values()):
        raise ValueError(f"category quotas must not be negative, got {quota}")
    per_year = int(targets.get("villages_per_year") or 0) if min_per_year is None else int(min_per_year)
    share = targets.get("border_commune_share") or 0
    return PlanRules(tuple(years), dict.fromkeys(years, per_year), {c: int(q) for c, q in quota.items()},
                     float(share if border_share is None else border_share), table,
                     dict(defaults.phasing if phasing is None else phasing),
                     defaults.objective if objective is None else objective, names=dict(names or {}))


def _share_quotas(share: float | None, candidates: pd.DataFrame | None) -> dict[str, int]:
    """Per plan category, the villages still to reach the standard for ``share`` % of them to meet it."""
    if share is None or candidates is None or candidates.empty:
        return {}
    counts = candidates.groupby("plan_category", observed=True)["meets_at_baseline"].agg(["size", "sum"])
    return {str(c): max(math.ceil(Fraction(str(share)) * int(r["size"]) / 100) - int(r["sum"]), 0)
            for c, r in counts.iterrows()}


def _override_budgets(table: pd.DataFrame, budgets: Mapping[str, Mapping[int, float]]) -> pd.DataFrame:
    """``table`` (source × year, đồng) with the cells of ``budgets`` (million VND) replaced."""
    unknown = sorted(set(budgets) - set(table.index))
    if unknown:
        raise ValueError(f"unknown funding source(s) {', '.join(unknown)} in budgets "
                         f"(known: {', '.join(table.index)})")
    out = table.astype("object")
    for source, by_year in budgets.items():
        for year, amount in by_year.items():
            if int(year) in out.columns:
                out.at[source, int(year)] = to_vnd(amount)
    return out


def budget_table(rules: PlanRules, source_names: Mapping[str, str]) -> pd.DataFrame:
    """The annual budgets in force: index the source's name, one int64 column per year, ``total``."""
    table = rules.budgets.rename(index=dict(source_names)).rename_axis(index=None).astype("int64")
    return table.assign(total=table.sum(axis=1))


def rules_lines(rules: PlanRules, category_names: Mapping[str, str], lang: str = "vi", *,
                budget_scale: float = 1.0, budgets: Mapping[str, Mapping[int, float]] | None = None,
                defaults: SchedulingDefaults) -> list[str]:
    """The rules in force in planner language: horizon, villages a year, quotas, border share, phasing
    (with the scheduling file's note when it is the file's rule), objective, and where the annual budgets
    come from (``budget_scale`` and ``budgets``: the overrides given to :func:`plan_rules`)."""
    text = messages("schedule.rules", lang)
    first = rules.years[0]
    phasing = "; ".join(_phasing_part(lag, share, lang) for lag, share in sorted(rules.phasing.items(), reverse=True))
    is_default = {int(k): as_fraction(v) for k, v in rules.phasing.items()} == dict(defaults.phasing)
    note = f" ({defaults.notes['phasing'][lang == 'en']})" if is_default else ""
    lines = [text["horizon"].format(years=f"{first}–{rules.years[-1]}"),
             text["per_year"].format(n=", ".join(map(str, sorted(set(rules.min_per_year.values()))))),
             text["quotas"].format(quotas=", ".join(f"{category_names.get(c, c)}: {q}"
                                                    for c, q in rules.category_quotas.items())),
             text["border"].format(share=rules.border_share),
             text["phasing"].format(phasing=phasing, first=first, note=note),
             text["objective"].format(objective=message(f"schedule.objective.{rules.objective}", lang)),
             text["budgets"].format(note=defaults.notes["annual_budgets"][lang == "en"])]
    overrides = "; ".join(f"{s} {y}: {a:g}" for s, by_year in (budgets or {}).items() for y, a in by_year.items())
    lines += [text["overrides"].format(overrides=overrides)] if overrides else []
    lines += [text["scale"].format(scale=budget_scale)] if budget_scale != 1 else []
    return lines


def _phasing_part(lag: int, share: object, lang: str) -> str:
    pct = f"{float(as_fraction(share)) * 100:g} %"
    if lag == 0:
        return message("schedule.phasing_in_year", lang, pct=pct)
    return message("schedule.phasing_before", lang, pct=pct, lag=lag)


# --- schedules as tables -----------------------------------------------------------------------------------


def schedule_rules(plan: SchedulePlan, rules: PlanRules) -> PlanRules:
    """The rules ``plan`` was made under: ``rules`` with its relaxations applied, if any."""
    return relax(rules, plan.relaxations) if plan.status == "relaxed" else rules


def scheduled_villages(plan: SchedulePlan) -> pd.DataFrame:
    """The villages ``plan`` schedules, by year then commune (columns: module docstring)."""
    done = plan.schedule[plan.schedule["year"].notna()]
    columns = ["year", "commune", "village_code", "village_name", "plan_category", "criteria_missing", "cost_vnd",
               *[c for c in done.columns if c.startswith("cost_") and c != "cost_vnd"]]
    return done.sort_values(["year", "commune", "village_code"], kind="stable").reset_index(drop=True)[
        [c for c in columns if c in done.columns]]


def villages_per_year(plan: SchedulePlan, rules: PlanRules) -> pd.DataFrame:
    """Villages scheduled per year (rows, every year of the horizon, then a total row) and plan category."""
    done = plan.schedule[plan.schedule["year"].notna()]
    category = done["plan_category"].astype(object).fillna("?")  # a village without one still counts
    table = pd.crosstab(done["year"].astype("int64"), category).reindex(
        index=list(rules.years), columns=list(dict.fromkeys([*rules.category_quotas, *sorted(category.unique())])),
        fill_value=0)
    table["total"] = table.sum(axis=1)
    table.loc[bilingual("schedule.total")] = table.sum()
    return table.rename_axis(index="year", columns=None).astype("int64")


def phased_investment(plan: SchedulePlan, rules: PlanRules, lines: pd.DataFrame | None = None) -> pd.DataFrame:
    """:func:`~ntm_analysis.schedule.phasing.phase_investment` of ``plan`` (``year, source, criterion, commune,
    amount_vnd``); ``lines`` default: one line per village and source from the schedule's cost columns
    (``criterion`` 0)."""
    lines = schedule_lines(plan.schedule, rules) if lines is None else lines
    return phase_investment(plan.schedule, lines, rules.phasing, list(rules.years))


def schedule_lines(schedule: pd.DataFrame, rules: PlanRules) -> pd.DataFrame:
    """Cost lines from a schedule's ``cost_<source>`` columns: ``village_code, criterion`` (0), ``source,
    amount_vnd``."""
    long = schedule[["village_code", *[f"cost_{s}" for s in rules.sources]]].melt(
        "village_code", var_name="source", value_name="amount_vnd")
    return long.assign(criterion=0, source=long["source"].str.removeprefix("cost_"),
                       amount_vnd=long["amount_vnd"].astype("int64"))[["village_code", "criterion", "source",
                                                                         "amount_vnd"]]


def investment_table(phased: pd.DataFrame, by: str, years: list[int], order: list | None = None) -> pd.DataFrame:
    """The phased investment per value of ``by`` (rows, in ``order`` when given, then a total row) and
    year, with a ``total`` column. ``phased``: :func:`phased_investment`; exact integer sums.
    """
    sums = add_up(phased, [by, "year"], ["amount_vnd"])
    table = sums.pivot(index=by, columns="year", values="amount_vnd").reindex(columns=years)
    if order is not None:  # the given order first, anything else after it
        table = table.reindex(index=[o for o in order if o in table.index]
                              + [i for i in table.index if i not in set(order)])
    table = table.fillna(0).astype("int64")
    table["total"] = table.sum(axis=1)
    table.loc[bilingual("schedule.total")] = table.sum()
    return table.rename_axis(columns=None).astype("int64")


def budget_use(phased: pd.DataFrame, rules: PlanRules) -> pd.DataFrame:
    """Each source's budget, spend and what is left per year (columns: module docstring)."""
    spend = add_up(phased, ["source", "year"], ["amount_vnd"]).rename(columns={"amount_vnd": "spend_vnd"})
    long = (rules.budgets.rename_axis("source").reset_index()
            .melt("source", var_name="year", value_name="budget_vnd").astype({"year": "int64"}))
    out = long.merge(spend.assign(source=spend["source"].astype(str)), on=["source", "year"],
                     how="left").fillna({"spend_vnd": 0}).astype({"budget_vnd": "int64", "spend_vnd": "int64"})
    return out.assign(left_vnd=out["budget_vnd"] - out["spend_vnd"])[
        ["source", "year", "budget_vnd", "spend_vnd", "left_vnd"]]


def compare_plans(plans: Mapping[str, SchedulePlan]) -> pd.DataFrame:
    """One row per plan: status, villages, total cost and the number of plan rules it breaks or relaxes."""
    return pd.DataFrame([{"plan": name, "status": p.status, "villages": p.villages_scheduled,
                          "total_cost_vnd": p.total_cost_vnd, "rules_broken": len(p.violations) + len(p.relaxations)}
                         for name, p in plans.items()]).astype({"total_cost_vnd": "int64"})


def rule_text(item: dict, source_names: Mapping[str, str], lang: str = "vi") -> str:
    """A relaxation or violation in planner language: a budget one with the source's name and the exact
    amount (in millions when it is whole millions, else to the đồng), any other one as the scheduler words it."""
    rule, key = item["rule"] if isinstance(item["rule"], tuple) else (item["rule"], None)
    if rule != "budget":
        return item[f"message_{lang}"]
    vnd = round(float(item["amount"]))
    (source, year), amount = key, format_money(vnd, lang, unit="million" if vnd % 1_000_000 == 0 else "vnd")
    name = source_names.get(source, source)
    return message("schedule.budget_short", lang, name=name, year=year, amount=amount)


def status_lines(plan: SchedulePlan, source_names: Mapping[str, str], lang: str = "vi") -> list[str]:
    """Whether a schedule meets every rule of the plan; when none does, the rules in conflict and by how
    much (the smallest relaxation), then that the schedule shown is the best one with them relaxed."""
    if plan.status == "optimal":
        return [message("schedule.status.optimal", lang)]
    head, tail = message("schedule.status.conflict", lang), message("schedule.status.relaxed", lang)
    return [head, *[f"- {rule_text(r, source_names, lang)}" for r in plan.relaxations], tail]


def money_text(table: pd.DataFrame, lang: str = "vi") -> pd.DataFrame:
    """A wide money table (every column whole đồng, e.g. :func:`investment_table`) as text in million VND."""
    return table.map(lambda vnd: format_money(vnd, lang, with_unit=False))


# --- the summary file ----------------------------------------------------------------------------------------


def schedule_summary(plan: SchedulePlan, rules: PlanRules, lines: pd.DataFrame | None = None) -> dict:
    """A JSON-safe summary of ``plan``: status, objective, villages per year and category, the villages
    scheduled each year, total cost, cost per source, spend per source and year (phased to the đồng,
    from ``lines`` when given, see :func:`phased_investment`), the budgets, relaxations and violations
    (``rule, key, amount, message_vi, message_en``). Years are string keys; money in whole đồng.
    """
    done = plan.schedule[plan.schedule["year"].notna()]
    spend = add_up(phased_investment(plan, rules, lines), ["source", "year"], ["amount_vnd"])
    by_year = {str(y): int((done["year"] == y).sum()) for y in rules.years}
    return {
        "status": plan.status,
        "objective": plan.objective,
        "years": [int(y) for y in rules.years],
        "villages_scheduled": int(plan.villages_scheduled),
        "villages_by_year": by_year,
        "villages_by_category": {str(c): int(n) for c, n in done["plan_category"].value_counts().sort_index().items()},
        "villages_by_year_category": {str(y): {str(c): int(n) for c, n in g["plan_category"].value_counts()
                                               .sort_index().items()} for y, g in done.groupby("year")},
        "schedule": {str(y): sorted(map(str, g["village_code"])) for y, g in done.groupby("year")},
        "total_cost_vnd": int(plan.total_cost_vnd),
        "cost_by_source_vnd": {s: int(done[f"cost_{s}"].sum()) for s in rules.sources},
        "spend_vnd": {s: {str(y): int(spend.loc[(spend["source"] == s) & (spend["year"] == y), "amount_vnd"].sum())
                          for y in rules.years} for s in rules.sources},
        "budgets_vnd": {s: {str(y): int(rules.budgets.at[s, y]) for y in rules.years} for s in rules.sources},
        "relaxations": [_json_rule(r) for r in plan.relaxations],
        "violations": [_json_rule(v) for v in plan.violations],
    }


def _json_rule(item: dict) -> dict:
    rule, key = item["rule"] if isinstance(item["rule"], tuple) else (item["rule"], None)
    # villages short, or đồng over / to add (the solver's float, to the nearest đồng)
    return {"rule": str(rule), "key": _json_value(key), "amount": int(round(float(item["amount"]))),
            "message_vi": item["message_vi"], "message_en": item["message_en"]}


def _json_value(value: Any) -> Any:
    if isinstance(value, tuple | list):
        return [_json_value(v) for v in value]
    if value is None or isinstance(value, str | bool):
        return value
    return value.item() if hasattr(value, "item") else value


def write_schedule_summary(plan: SchedulePlan, rules: PlanRules, path: Path,
                           lines: pd.DataFrame | None = None) -> Path:
    """Write :func:`schedule_summary` as UTF-8 JSON, atomically; the same plan gives the same bytes."""
    text = json.dumps(schedule_summary(plan, rules, lines), ensure_ascii=False, indent=2)
    return write_text(text + "\n", Path(path))
