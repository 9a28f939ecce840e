"""Notebook 04 (schedule and phased investment): which villages reach the standard in which year within the
budgets, the ranking the offices would use, the re-check, the phased investment and the greedy baseline.

:func:`load` reads the schedule the chain made under the plan's own rules
(:func:`~ntm_analysis.pipeline.run_schedule`, returned as stored when current). Scenario parameters (another
horizon, objective, budgets or their scale, quotas, villages a year, border share, baseline year) make a
schedule in memory under the rules they give, from the stored scores and costs; nothing is written to the
processed folder but what the chain's stages write. The greedy baseline and the ranking are always made
in memory (they are views, not outputs of the chain).
Every other function takes the :class:`ScheduleView` and returns one thing to display.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from IPython.display import Markdown
from matplotlib.figure import Figure

from ntm_analysis.core.i18n import bilingual
from ntm_analysis.core.money import display_money, format_money
from ntm_analysis.cost.projection import project_costs
from ntm_analysis.figures.schedule import (
    cumulative_figure,
    investment_figure,
    optimum_vs_greedy_figure,
    schedule_chart_figure,
)
from ntm_analysis.pipeline import baseline_year as chain_baseline_year
from ntm_analysis.pipeline import load_clean, rule_names, run_costs, run_schedule, run_score
from ntm_analysis.reference.plan import category_names, villages_to_reach, plan_resources
from ntm_analysis.reports.notebook_inputs import (
    bullet_list,
    is_settings_baseline,
    language,
    notebook_settings,
    synthetic_banner,
)
from ntm_analysis.schedule.planning import (
    RANKING_ALTERNATIVES,
    budget_table,
    budget_use,
    build_candidates,
    compare_plans,
    cost_lines,
    investment_table,
    money_text,
    phased_investment,
    plan_rules,
    rule_text,
    rules_lines,
    schedule_rules,
    scheduled_villages,
    status_lines,
    villages_per_year,
    write_schedule_summary,
)
from ntm_analysis.schedule.solver import (
    PlanRules,
    SchedulePlan,
    check_plan,
    greedy_schedule,
    rank_villages,
    ranking_sensitivity,
    schedule_villages,
)
from ntm_analysis.settings import Settings

QUOTA_CATEGORIES = ("commune_linked", "border", "other")
RANKING_COLUMNS = ["rank", "village_code", "village_name", "commune", "plan_category", "criteria_missing",
                   "cost_vnd", "distance_to_standard", "households", "tied"]


@dataclass(frozen=True)
class ScheduleView:
    """The schedule of one run (or of a scenario) as notebook 04 shows it.

    ``rules``: the rules asked for (the plan's, with the notebook's overrides); ``in_force``: those the
    optimum was made under (relaxed where no schedule meets them); ``candidates``: ``build_candidates`` of
    the baseline year; ``lines``: the cost lines phased (``village_code, criterion, source, amount_vnd``);
    ``phased``: ``year, source, criterion, commune, amount_vnd``; ``stored``: whether the optimum is the
    chain's own schedule (no override given). ``budget_scale`` and ``budgets``: the overrides, for the
    rules' wording.
    """

    settings: Settings
    synthetic: bool
    baseline_year: int
    candidates: pd.DataFrame
    rules: PlanRules
    optimum: SchedulePlan
    greedy: SchedulePlan
    in_force: PlanRules
    lines: pd.DataFrame
    phased: pd.DataFrame
    stored: bool
    budget_scale: float
    budgets: dict
    lang: str

    @property
    def plan(self) -> dict:
        return self.settings.plan_data

    @property
    def years(self) -> list[int]:
        return list(self.rules.years)

    @property
    def source_names(self) -> dict[str, str]:
        return self.settings.cost_rules_data.source_names(self.lang)

    @property
    def categories(self) -> dict[str, str]:
        return category_names(self.lang, self.plan)

    @property
    def top_n(self) -> int:
        """The villages the plan targets (every candidate not yet meeting the standard when it sets no number)."""
        pending = self.candidates[~self.candidates["meets_at_baseline"].astype(bool)]
        need = villages_to_reach(self.plan.get("targets") or {}, None, len(self.candidates),
                                 len(self.candidates) - len(pending))
        return len(pending) if need is None else need


def requested_quotas(commune_linked: int = -1, border: int = -1, other: int = -1) -> dict[str, int]:
    """The category quotas given (``-1``: the plan's, left out)."""
    given = dict(zip(QUOTA_CATEGORIES, (commune_linked, border, other)))
    return {category: int(quota) for category, quota in given.items() if quota >= 0}


def load(config: str = "", processed_dir: str = "", baseline_year: int = 0, start_year: int = 0,
         end_year: int = 0, objective: str = "", budget_scale: float = 1.0, budgets: Mapping | None = None,
         min_per_year: int = -1, quotas: Mapping[str, int] | None = None, border_share: float = -1.0,
         lang: str = "") -> ScheduleView:
    """The run's schedule, or a scenario's (see the module docstring).

    Defaults mean the settings' own: ``baseline_year`` 0 (the settings', else the plan's), ``start_year`` /
    ``end_year`` 0 (the plan's period), ``objective`` empty (the scheduling file's), ``budget_scale`` 1,
    ``budgets`` empty (million VND per source and year), ``min_per_year`` and ``border_share`` -1 (the
    plan's), ``quotas`` empty (:func:`requested_quotas`).

    Raises
    ------
    OutputsError
        The processed folder holds no clean tables.
    UserError
        No data for the baseline year.
    ValueError
        A horizon year without a budget, an unknown source, a negative scale or quota.
    """
    run = notebook_settings(config, processed_dir)
    settings = run.with_overrides(baseline_year=baseline_year or None)
    plan, budgets, quotas = settings.plan_data, dict(budgets or {}), dict(quotas or {})
    period = plan["period"]
    start, end = start_year or int(period["start"]), end_year or int(period["end"])
    chosen_objective = objective or settings.scheduling.objective
    villages, _, summary = load_clean(run)
    scores = run_score(run)
    baseline = chain_baseline_year(settings, scores)
    # central costs at the cost file's prices, the basis the plan's budgets are read in
    own_baseline = is_settings_baseline(run, baseline_year)
    projection = (run_costs(run)["cost_projection"] if own_baseline
                  else project_costs(scores, villages, settings.cost_rules_data, baseline))
    candidates = build_candidates(scores, villages, projection, baseline)
    rules = plan_rules(plan, plan_resources(plan), settings.scheduling, start=start, end=end,
                       budget_scale=budget_scale, budgets=budgets,
                       min_per_year=None if min_per_year < 0 else min_per_year, quotas=quotas,
                       border_share=None if border_share < 0 else border_share, objective=chosen_objective,
                       names=rule_names(settings))
    stored = (own_baseline and (start, end) == (period["start"], period["end"])
              and chosen_objective == settings.scheduling.objective and budget_scale == 1 and not budgets
              and min_per_year < 0 and not quotas and border_share < 0)
    if stored:
        result = run_schedule(run)
        optimum, rules, lines = result.plan, result.rules, result.lines
    else:
        optimum, lines = schedule_villages(candidates, rules), cost_lines(projection)
    in_force = schedule_rules(optimum, rules)  # the plan's rules, relaxed where no schedule meets them
    return ScheduleView(settings, bool(summary.get("synthetic", False)), baseline, candidates, rules, optimum,
                        greedy_schedule(candidates, rules), in_force, lines,
                        phased_investment(optimum, in_force, lines), stored, budget_scale, budgets,
                        language(run, lang))


# --- header and rules ----------------------------------------------------------------------------------------


def header(view: ScheduleView) -> list[Markdown | None]:
    """The synthetic-data banner (when it applies) and the headline: baseline, horizon, villages meeting the
    standard at baseline, status, villages scheduled, total cost."""
    optimum, candidates, b = view.optimum, view.candidates, bilingual
    return [synthetic_banner(view.synthetic), Markdown(
        f"{b('notebook.baseline')}: **{view.baseline_year}** · {b('notebook.horizon')}: "
        f"**{view.years[0]}–{view.years[-1]}** · {b('notebook.meeting_at_baseline')}: "
        f"**{int(candidates['meets_at_baseline'].sum())}** / {len(candidates)} · "
        f"{b('notebook.status')}: **{optimum.status}** · {b('notebook.villages_scheduled')}: "
        f"**{optimum.villages_scheduled}** · {b('notebook.schedule_total')}: "
        f"**{format_money(optimum.total_cost_vnd, view.lang)}** "
        f"({b('notebook.prices_of')} {view.settings.cost_rules_data.price_year})")]


def rules_in_force(view: ScheduleView) -> Markdown:
    """The rules asked for, in planner language, with where each comes from (a bullet list)."""
    return bullet_list(rules_lines(view.rules, view.categories, view.lang, budget_scale=view.budget_scale,
                                   budgets=view.budgets, defaults=view.settings.scheduling))


def budgets_table(view: ScheduleView) -> pd.DataFrame:
    """The annual budgets asked for by funding source, with a total, as text (million VND)."""
    return money_text(budget_table(view.rules, view.source_names), view.lang)


# --- ranking ------------------------------------------------------------------------------------------------------


def ranking(view: ScheduleView) -> pd.DataFrame:
    """The villages not meeting the standard at baseline in the offices' order (``rank``, ``tied``)."""
    return rank_villages(view.candidates)


def ties_line(view: ScheduleView) -> Markdown:
    """How many of the top villages tie with another on every ranking key."""
    top = ranking(view).head(view.top_n)
    return Markdown(f"**{int(top['tied'].sum())}** " + bilingual("notebook.ties", top=view.top_n))


def ranking_top(view: ScheduleView) -> pd.DataFrame:
    """The top of the ranking (as many villages as the plan's target), money as text, categories named."""
    top = ranking(view).head(view.top_n)[RANKING_COLUMNS]
    return display_money(top, view.lang).replace({"plan_category": view.categories})


def ranking_changes(view: ScheduleView) -> pd.DataFrame:
    """How the top of the ranking changes under other orders of its keys."""
    return ranking_sensitivity(view.candidates, RANKING_ALTERNATIVES, view.top_n)


# --- the optimal schedule ----------------------------------------------------------------------------------------


def status(view: ScheduleView) -> Markdown:
    """Whether a schedule meets every rule; when none does, the rules in conflict and by how much."""
    return Markdown("\n".join(status_lines(view.optimum, view.source_names, view.lang)))


def per_year(view: ScheduleView) -> pd.DataFrame:
    """Villages scheduled per year and plan category (categories named), with totals."""
    return villages_per_year(view.optimum, view.rules).rename(columns=view.categories)


def scheduled(view: ScheduleView) -> pd.DataFrame:
    """The villages scheduled, by year then commune, with their cost (text, million VND)."""
    return display_money(scheduled_villages(view.optimum), view.lang).replace({"plan_category": view.categories})


def recheck(view: ScheduleView) -> Markdown:
    """Every rule re-computed from the schedule in our own code: against the rules in force and against the
    plan's own, with each broken rule in words."""
    broken = check_plan(view.optimum.schedule, view.candidates, view.in_force)
    against_plan = check_plan(view.optimum.schedule, view.candidates, view.rules)
    items = "\n".join(f"- {rule_text(v, view.source_names, view.lang)}" for v in [*broken, *against_plan])
    return Markdown(
        f"{bilingual('notebook.rules_broken')}: **{len(broken)}** ({bilingual('notebook.against_in_force')}) · "
        f"**{len(against_plan)}** ({bilingual('notebook.against_plan')})\n\n{items}")


# --- phased investment --------------------------------------------------------------------------------------------


def phased_total(view: ScheduleView) -> Markdown:
    """The phased investment's total, and whether it equals the schedule's total cost."""
    total = int(view.phased["amount_vnd"].sum())
    return Markdown(f"{bilingual('notebook.phased_total')}: **{format_money(total, view.lang)}** · "
                    f"{bilingual('notebook.equals_total')}: **{total == view.optimum.total_cost_vnd}**")


def phased_by(view: ScheduleView, by: str) -> pd.DataFrame:
    """The phased investment per ``by`` (``source``, ``criterion`` or ``commune``) and year, with totals, as
    text (million VND); sources in the plan's order and named."""
    if by == "source":
        table = investment_table(view.phased, "source", view.years, order=view.rules.sources)
        return money_text(table.rename(index=view.source_names), view.lang)
    return money_text(investment_table(view.phased, by, view.years), view.lang)


def budget_spend(view: ScheduleView) -> pd.DataFrame:
    """Each source's budget, spend and what is left per year (``left_vnd`` below zero: over the budget)."""
    return display_money(budget_use(view.phased, view.in_force).replace({"source": view.source_names}), view.lang)


def investment_chart(view: ScheduleView) -> Figure:
    """Investment by year and source against the year's budgets."""
    return investment_figure(view.phased, lang=view.lang, budgets=view.rules.budgets, source_names=view.source_names,
                             synthetic=view.synthetic)


def cumulative_chart(view: ScheduleView) -> Figure:
    """Villages reaching the standard, cumulatively, against the plan's line."""
    return cumulative_figure(view.optimum.schedule, view.rules, lang=view.lang, plan=view.plan,
                             synthetic=view.synthetic)


def schedule_chart(view: ScheduleView) -> Figure:
    """Each scheduled village's year and the years its money is spent, grouped by commune."""
    return schedule_chart_figure(view.optimum.schedule, lang=view.lang, rules=view.rules, plan=view.plan,
                                 synthetic=view.synthetic)


# --- optimum vs greedy --------------------------------------------------------------------------------------------


def plans_compared(view: ScheduleView) -> pd.DataFrame:
    """The optimum and the greedy baseline: status, villages, total cost, rules broken or relaxed."""
    return display_money(compare_plans({"optimum": view.optimum, "greedy": view.greedy}), view.lang)


def greedy_misses(view: ScheduleView) -> Markdown:
    """The plan's rules the greedy baseline misses, in words (a bullet list)."""
    return bullet_list(rule_text(v, view.source_names, view.lang) for v in view.greedy.violations)


def optimum_vs_greedy_chart(view: ScheduleView) -> Figure:
    """Villages and money per year, optimum beside the greedy baseline."""
    return optimum_vs_greedy_figure(view.optimum, view.greedy, lang=view.lang, synthetic=view.synthetic)


# --- the summary file ---------------------------------------------------------------------------------------------


def write_summary(view: ScheduleView, summary_path: str = "") -> Markdown | None:
    """Write the schedule summary JSON to ``summary_path`` (scenario runs read it) and say where; nothing
    when the path is empty. Never into the processed folder unless the path says so."""
    if not summary_path:
        return None
    written = write_schedule_summary(view.optimum, view.rules, Path(summary_path), view.lines)
    return Markdown(f"{bilingual('notebook.summary_written')}: `{written}`")
