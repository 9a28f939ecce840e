"""Notebook 03 (cost projection): what closing the baseline gaps costs, who pays, and how that compares
with the plan's own figures — from the chain's scores and cost tables.

:func:`load` reads the scores (:func:`~ntm_analysis.pipeline.run_score`) and the cost stage's tables
(:func:`~ntm_analysis.pipeline.run_costs`: reconciliation, plan vs projection, calibration), both returned
as stored when current. A ``cost_file`` or ``baseline_year`` other than the settings' makes those tables
in memory (:func:`~ntm_analysis.cost.projection.cost_tables`), never in the processed folder. The projection the notebook shows at
``price_year`` prices (with ``escalation``) is a view of the same gaps, made in memory.
Every other function takes the :class:`CostView` and returns one thing to display.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from IPython.display import Markdown
from matplotlib.figure import Figure

from ntm_analysis.core.i18n import bilingual
from ntm_analysis.core.money import display_money, format_money
from ntm_analysis.cost.projection import (cost_tables, 
    gap_costs,
    project_costs,
    quantity_defaults,
    reconciliation_lines,
    rollup_costs,
    source_table,
    target_villages,
)
from ntm_analysis.figures.costs import cost_by_criterion_figure, plan_vs_projection_figure, village_cost_figure
from ntm_analysis.pipeline import baseline_year as chain_baseline_year
from ntm_analysis.pipeline import load_clean, run_costs, run_score
from ntm_analysis.reference.actions import actions_for
from ntm_analysis.reference.cost_rules import CostRules
from ntm_analysis.reports.notebook_inputs import (
    bullet_list,
    in_scope,
    is_settings_baseline,
    language,
    notebook_settings,
    scope_label,
    synthetic_banner,
)
from ntm_analysis.score.scoring import Scores
from ntm_analysis.score.summary_workbook import select_commune
from ntm_analysis.settings import Settings

VILLAGE_KEYS = ["village_code", "village_name", "commune", "plan_category"]


@dataclass(frozen=True)
class CostView:
    """The costs of one run as notebook 03 shows them.

    ``projection``: the scope's gaps costed at ``price_year`` prices with ``rate`` a year
    (``projection.PROJECTION_COLUMNS``); ``gaps``: the scope's baseline gaps (``projection.GAP_COLUMNS``);
    ``targets``: the plan's target villages as the data show them; ``tables``: the cost stage's
    ``cost_reconciliation``, ``cost_plan_vs_projection`` and ``cost_calibration`` (district-wide, at the
    cost file's prices).
    """

    settings: Settings
    scores: Scores
    villages: pd.DataFrame
    synthetic: bool
    baseline_year: int
    price_year: int
    rate: float
    commune: str
    scope: pd.DataFrame
    projection: pd.DataFrame
    gaps: pd.DataFrame
    targets: pd.DataFrame
    tables: dict[str, pd.DataFrame]
    lang: str

    @property
    def rules(self) -> CostRules:
        return self.settings.cost_rules_data

    @property
    def plan(self) -> dict:
        return self.settings.plan_data


def load(config: str = "", processed_dir: str = "", baseline_year: int = 0, commune: str = "",
         cost_file: str = "", price_year: int = 0, escalation: float = -1.0, lang: str = "") -> CostView:
    """The run's costs for notebook 03 (see the module docstring).

    ``baseline_year`` 0: the settings' (else the plan's); ``cost_file`` empty: the settings' cost rules;
    ``price_year`` 0: the plan's last year; ``escalation`` -1: the cost file's rate; ``commune`` empty:
    the whole district.

    Raises
    ------
    OutputsError
        The processed folder holds no clean tables.
    UserError
        No data for the baseline year.
    """
    run = notebook_settings(config, processed_dir)
    settings = run.with_overrides(cost_rules=cost_file or None, baseline_year=baseline_year or None)
    villages, _, summary = load_clean(run)
    scores = run_score(run)
    baseline = chain_baseline_year(settings, scores)
    # the stored tables when the notebook asks for the settings' own; another cost file or baseline: in memory
    own = settings.cost_rules == run.cost_rules and is_settings_baseline(run, baseline_year)
    tables = (run_costs(run) if own else
              cost_tables(scores, villages, settings.cost_rules_data, settings.plan_data, baseline))
    rules, plan = settings.cost_rules_data, settings.plan_data
    prices = price_year or int(plan["period"]["end"])
    rate = rules.escalation if escalation == -1 else float(escalation)
    scope = select_commune(villages, commune)
    projection = project_costs(scores, villages, rules, baseline, prices, rate)
    return CostView(settings, scores, villages, bool(summary.get("synthetic", False)), baseline, prices, rate,
                    commune, scope, in_scope(projection, scope), in_scope(gap_costs(scores, villages, rules, baseline),
                                                                          scope),
                    target_villages(scores.villages, plan, baseline), tables, language(run, lang))


# --- header --------------------------------------------------------------------------------------------------


def header(view: CostView) -> list[Markdown | None]:
    """The synthetic-data banner (when it applies) and the scope line: scope, baseline, prices, cost file,
    total with its low–high range, villages costed, free gaps, indicators without data."""
    lang, projection, rules = view.lang, view.projection, view.rules
    indicators = in_scope(view.scores.indicators, view.scope)
    no_data = int((indicators["year"].eq(view.baseline_year) & indicators["status"].eq("no_data")).sum())
    b = bilingual
    return [synthetic_banner(view.synthetic), Markdown(
        f"{b('notebook.scope')}: **{scope_label(view.scope, view.commune)}** · {b('notebook.baseline_year')}: "
        f"**{view.baseline_year}** · {b('notebook.prices_of')} **{view.price_year}** ({b('notebook.unit_costs_of')} "
        f"{rules.price_year}, {b('notebook.escalation_rate', rate=format(view.rate, '.1%'))}) · "
        f"{b('notebook.cost_file')}: `{rules.path.name}`\n\n"
        f"{b('notebook.cost_total')}: **{format_money(int(projection['central_vnd'].sum()), lang)}** "
        f"({format_money(int(projection['low_vnd'].sum()), lang, with_unit=False)} – "
        f"{format_money(int(projection['high_vnd'].sum()), lang, with_unit=False)}) · "
        f"{projection['village_code'].nunique()} {b('notebook.villages_costed')} · "
        f"{int(view.gaps['kind'].eq('zero').sum())} {b('notebook.free_gaps')} · {no_data} {b('notebook.uncosted')}")]


def village_quantities(view: CostView) -> pd.DataFrame:
    """Each village quantity the cost rules use, its default, and how many costed villages used the default
    (:func:`~ntm_analysis.cost.projection.quantity_defaults`)."""
    return quantity_defaults(view.gaps, view.rules)


# --- by criterion, source, commune, village -----------------------------------------------------------------------


def by_criterion_chart(view: CostView) -> Figure:
    """The scope's central cost by criterion, stacked by funding source."""
    return cost_by_criterion_figure(view.projection, lang=view.lang, synthetic=view.synthetic)


def by_source(view: CostView) -> pd.DataFrame:
    """Criteria × funding sources of the scope's central cost, with a total row, money as text (million VND)."""
    return display_money(source_table(view.projection, view.rules), view.lang)


def rollups(view: CostView) -> list[pd.DataFrame]:
    """Low, central and high cost of the scope by commune, by plan category and by funding source (money as
    text, million VND); each adds up to the same total."""
    return [display_money(rollup_costs(view.projection, by), view.lang)
            for by in (["commune"], ["plan_category"], ["source", f"source_{view.lang}"])]


def village_totals(view: CostView) -> pd.DataFrame:
    """Low, central and high cost per village of the scope (``VILLAGE_KEYS``, ``villages``, ``*_vnd``)."""
    return rollup_costs(view.projection, VILLAGE_KEYS)


def village_chart(view: CostView) -> Figure:
    """Each village's central cost with its low–high range."""
    return village_cost_figure(village_totals(view), lang=view.lang, synthetic=view.synthetic)


def village_table(view: CostView) -> pd.DataFrame:
    """:func:`village_totals`, the costliest first, money as text (million VND)."""
    return display_money(village_totals(view).sort_values("central_vnd", ascending=False), view.lang)


# --- the plan's figures -------------------------------------------------------------------------------------------


def targets_line(view: CostView) -> Markdown:
    """How many target villages the data show, and on what basis."""
    return Markdown(f"{bilingual('notebook.target_villages')}: **{len(view.targets)}** "
                    f"({bilingual('notebook.basis')}: `{', '.join(view.targets['basis'].unique())}`)")


def plan_vs_projection_chart(view: CostView) -> Figure:
    """The plan's estimate against the projection for its target villages, by criterion."""
    return plan_vs_projection_figure(view.tables["cost_plan_vs_projection"], lang=view.lang,
                                     synthetic=view.synthetic)


def plan_vs_projection_table(view: CostView) -> pd.DataFrame:
    """The cost stage's ``cost_plan_vs_projection``, money as text (million VND)."""
    return display_money(view.tables["cost_plan_vs_projection"], view.lang)


def reconciliation_notes(view: CostView) -> Markdown:
    """The reconciliation in words: the criteria's sum, the unattributed amount, the plan's total, the
    assumptions (a bullet list)."""
    return bullet_list(reconciliation_lines(view.tables["cost_reconciliation"], view.rules, view.lang))


def reconciliation_table(view: CostView) -> pd.DataFrame:
    """The plan's resources table rebuilt (``cost_reconciliation``), money as text (million VND)."""
    return display_money(view.tables["cost_reconciliation"], view.lang)


def calibration_line(view: CostView) -> Markdown:
    """How many implied unit costs are further than the cost file's factor from the file's."""
    factor = view.rules.calibration_factor
    flagged = int(view.tables["cost_calibration"]["flagged"].sum())
    return Markdown(f"**{flagged}** " + bilingual("notebook.flagged", factor=format(factor, "g")))


def calibration_table(view: CostView) -> pd.DataFrame:
    """The cost stage's ``cost_calibration``, money as text (million VND)."""
    return display_money(view.tables["cost_calibration"], view.lang)


# --- actions and provenance ---------------------------------------------------------------------------------------


def failing_criteria(view: CostView) -> list[int]:
    """The criteria some village of the scope fails in the baseline year, in order."""
    crit = in_scope(view.scores.criteria, view.scope)
    failing = crit[crit["year"].eq(view.baseline_year) & crit["status"].eq("fail")]
    return sorted(int(c) for c in failing["criterion"].unique())


def actions(view: CostView) -> pd.DataFrame:
    """What the plan says to do about each failing criterion, who is responsible and who pays
    (:func:`~ntm_analysis.reference.actions.actions_for`)."""
    return actions_for(failing_criteria(view), view.settings.actions_data, view.rules, view.lang)


def unit_cost_sources(view: CostView) -> pd.DataFrame:
    """The cost file's rules with their provenance, money as text (million VND)."""
    return display_money(view.rules.rule_table(), view.lang)
