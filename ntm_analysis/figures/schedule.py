"""Schedule figures, in the pattern of :mod:`ntm_analysis.figures.scores`: ``plot_*`` draw on one axes and return it,
``*_figure`` own a figure and stamp it with :func:`ntm_analysis.figures.scores.mark_synthetic` when ``synthetic``.
Money is drawn in million VND (triệu đồng), axis numbers in the language's format.

Frames they take:

- :func:`investment_figure` — :func:`ntm_analysis.schedule.planning.phased_investment` (``year, source,
  amount_vnd``), and optionally the budgets (``PlanRules.budgets``): money spent each year, stacked by
  funding source, with the year's total budget;
- :func:`cumulative_figure` — a schedule (``SchedulePlan.schedule``: ``plan_category, year``) and its
  ``PlanRules``: villages reaching the standard (cumulative) by plan category, against the plan's line;
- :func:`schedule_chart_figure` — a schedule (``village_code, village_name, commune, plan_category,
  year``): one row per scheduled village, grouped by commune; a dot in the year of recognition and a
  line over the years its money is spent;
- :func:`optimum_vs_greedy_figure` — two ``SchedulePlan``: villages and money per year side by side;
- :func:`scenario_figure` — :func:`ntm_analysis.schedule.planning.run_scenarios`: villages and cost per scenario.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from ntm_analysis.figures import scores as plots
from ntm_analysis.figures.costs import source_colours
from ntm_analysis.core.i18n import template
from ntm_analysis.core.money import UNITS, add_up
from ntm_analysis.core.vn_numbers import format_number
from ntm_analysis.schedule.solver import PlanRules, SchedulePlan
from ntm_analysis.core.vietnamese import fold
from ntm_analysis.reference.plan import category_names

plt = plots.plt  # pyplot as plots.py set it up (backend chosen there)
PLAN_COLOURS = ("#2b6ca3", "#b4b4b4")  # the optimum, then the greedy baseline
SPAN_COLOUR = "#9e9e9e"
FAILED_COLOUR = "#c0392b"


def label(key: str, lang: str = "vi") -> str:
    """A schedule-figure label in Vietnamese (default) or English: the catalogue's ``figures.<key>``,
    placeholders (``{year}``) left for the caller."""
    return template(f"figures.{key}", lang)


def _million(vnd: pd.Series | np.ndarray) -> np.ndarray:
    """Amounts in million VND, for drawing only."""
    return np.asarray(vnd, dtype="float64") / UNITS["million"]


def _number_axis(axis, lang: str) -> None:  # noqa: ANN001 - a matplotlib Axis
    axis.set_major_formatter(FuncFormatter(lambda v, _: format_number(v, lang)))


def _year_ticks(ax: Axes, years: list[int], lang: str) -> None:
    ax.set_xticks(years, [str(y) for y in years])
    ax.set_xlabel(label("year_axis", lang))


# --- investment by year ---------------------------------------------------------------------------


def plot_investment_by_year(phased: pd.DataFrame, *, ax: Axes | None = None, lang: str = "vi",
                            budgets: pd.DataFrame | None = None,
                            source_names: Mapping[str, str] | None = None) -> Axes:
    """Vertical bars: money spent each year, stacked by source (one bar series per source); with
    ``budgets`` (source × year, đồng), the year's total budget as a dashed line."""
    sums = add_up(phased.astype({"source": str}), ["year", "source"], ["amount_vnd"])
    wide = sums.pivot(index="year", columns="source", values="amount_vnd").fillna(0)
    years = sorted(set(wide.index) | set(budgets.columns if budgets is not None else []))
    wide = wide.reindex(index=years, fill_value=0)
    order = list(budgets.index) if budgets is not None else []  # the budgets' (cost file's) order first
    sources = [s for s in order if s in wide] + [s for s in wide.columns if s not in order]
    colours, names = source_colours(sources), dict(source_names or {})
    with plt.style.context(plots.STYLE):
        ax = ax or plt.subplots()[1]
        bottom = np.zeros(len(years))
        for source in sources:
            heights = _million(wide[source])
            ax.bar(years, heights, bottom=bottom, color=colours[source], label=plots.literal(names.get(source, source)),
                   width=0.6)
            bottom += heights
        if budgets is not None:
            ax.plot(years, _million(budgets.reindex(columns=years).sum()), color=plots.TARGET_COLOUR,
                    linestyle="--", marker="o", markersize=4, label=label("budget", lang))
        _year_ticks(ax, years, lang)
        _number_axis(ax.yaxis, lang)
        ax.set_ylabel(label("million_axis", lang))
        ax.set_title(label("investment_title", lang))
        ax.grid(axis="y", alpha=0.3)
        ax.grid(axis="x", visible=False)
        ax.legend(loc="upper left", fontsize=8, bbox_to_anchor=(1.0, 1.0))
    return ax


def investment_figure(phased: pd.DataFrame, *, lang: str = "vi", budgets: pd.DataFrame | None = None,
                      source_names: Mapping[str, str] | None = None, synthetic: bool = False) -> Figure:
    """The investment-by-year chart as its own figure."""
    with plt.style.context(plots.STYLE):
        fig, ax = plt.subplots(figsize=(9, 4.5), layout="constrained")
        plot_investment_by_year(phased, ax=ax, lang=lang, budgets=budgets, source_names=source_names)
        if synthetic:
            plots.mark_synthetic(fig, lang)
    return fig


# --- cumulative villages against the target ----------------------------------------------------------------


def cumulative_villages(schedule: pd.DataFrame, rules: PlanRules, plan: dict) -> pd.DataFrame:
    """Villages scheduled up to each year (index, every year of the horizon) per plan category (columns,
    in the plan's order), and ``target``: the cumulative annual minimum of ``rules``."""
    done = schedule[schedule["year"].notna()]
    years = list(rules.years)
    counts = pd.crosstab(done["year"].astype("int64"), done["plan_category"]).reindex(
        index=years, columns=[c["id"] for c in plan["categories"]], fill_value=0)
    target = np.cumsum([rules.min_per_year.get(y, 0) for y in years])
    return counts.cumsum().assign(target=target)


def plot_cumulative_villages(schedule: pd.DataFrame, rules: PlanRules, *, ax: Axes | None = None,
                             lang: str = "vi", plan: dict) -> Axes:
    """Stacked bars of cumulative villages per plan category and year, with the plan's target line (the
    annual minimum, cumulated); the district total above each bar."""
    table = cumulative_villages(schedule, rules, plan)
    names = category_names(lang, plan)
    years = list(table.index)
    with plt.style.context(plots.STYLE):
        ax = ax or plt.subplots()[1]
        bottom = np.zeros(len(years))
        for cat, colour in plots.category_colours(plan).items():
            heights = table[cat].to_numpy(float)
            ax.bar(years, heights, bottom=bottom, color=colour, label=plots.literal(names[cat]), width=0.6)
            bottom += heights
        ax.plot(years, table["target"], color=plots.TARGET_COLOUR, linestyle="--", marker="o", markersize=4,
                label=label("target", lang))
        for x, total in zip(years, bottom):
            ax.annotate(str(int(total)), (x, total), xytext=(0, 3), textcoords="offset points", ha="center",
                        fontsize=8)
        _year_ticks(ax, years, lang)
        ax.set_ylabel(label("cumulative_axis", lang))
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_title(label("cumulative_title", lang))
        ax.grid(axis="y", alpha=0.3)
        ax.grid(axis="x", visible=False)
        ax.legend(loc="upper left", fontsize=8)
    return ax


def cumulative_figure(schedule: pd.DataFrame, rules: PlanRules, *, lang: str = "vi", plan: dict,
                      synthetic: bool = False) -> Figure:
    """The cumulative-villages chart as its own figure."""
    with plt.style.context(plots.STYLE):
        fig, ax = plt.subplots(layout="constrained")
        plot_cumulative_villages(schedule, rules, ax=ax, lang=lang, plan=plan)
        if synthetic:
            plots.mark_synthetic(fig, lang)
    return fig


# --- village × year chart ---------------------------------------------------------------------------------


def chart_rows(schedule: pd.DataFrame) -> pd.DataFrame:
    """The scheduled villages in chart order: communes alphabetical (ignoring diacritics), then year, code."""
    done = schedule[schedule["year"].notna()]
    key = done["commune"].astype(object).fillna("?").map(lambda c: (fold(str(c)), str(c)))
    return (done.assign(_key=key).sort_values(["_key", "year", "village_code"], kind="stable")
            .drop(columns="_key").reset_index(drop=True))


def plot_schedule_chart(schedule: pd.DataFrame, *, ax: Axes | None = None, lang: str = "vi",
                        rules: PlanRules | None = None, plan: dict) -> Axes:
    """One row per scheduled village (grouped by commune, a line between communes, the commune's name on
    the right): a dot in its year of recognition, coloured by plan category, and with ``rules`` a grey
    line over the years its money is spent (its phasing, from the horizon's first year on)."""
    rows = chart_rows(schedule)
    names = category_names(lang, plan)
    y = np.arange(len(rows))[::-1]  # first row at the top
    years = rows["year"].astype("int64").to_numpy()
    horizon = list(rules.years) if rules is not None else sorted(set(years.tolist()))
    lag = max((int(k) for k in rules.phasing), default=0) if rules is not None else 0
    with plt.style.context(plots.STYLE):
        ax = ax or plt.subplots()[1]
        if lag:
            ax.hlines(y, np.maximum(years - lag, horizon[0]), years, color=SPAN_COLOUR, linewidth=2,
                      label=label("spending", lang))
        for cat, colour in plots.category_colours(plan).items():
            mask = rows["plan_category"].eq(cat).fillna(False).to_numpy()
            if mask.any():
                ax.scatter(years[mask], y[mask], color=colour, s=24, zorder=3, label=plots.literal(names[cat]))
        communes = rows["commune"].astype(object).fillna("?")
        starts = np.flatnonzero(communes.ne(communes.shift()).to_numpy())
        for start, end in zip(starts, [*starts[1:], len(rows)]):
            if start:
                ax.axhline(y[start] + 0.5, color="#cccccc", linewidth=0.8)
            ax.annotate(plots.literal(communes.iat[start]), (1.0, (y[start] + y[end - 1]) / 2),
                        xycoords=("axes fraction", "data"),
                        xytext=(4, 0), textcoords="offset points", va="center", fontsize=7)
        ax.set_yticks(y, (rows["village_name"].astype(object).fillna(rows["village_code"]) if "village_name" in rows
                          else rows["village_code"]).map(plots.literal), fontsize=7)
        ax.set_ylim(-0.7, len(rows) - 0.3)
        _year_ticks(ax, horizon, lang)
        if horizon:
            ax.set_xlim(horizon[0] - 0.5, horizon[-1] + 0.5)
        ax.set_title(label("chart_title", lang))
        ax.legend(loc="upper left", fontsize=8, bbox_to_anchor=(0, -0.08), ncol=2, frameon=False)
    return ax


def schedule_chart_figure(schedule: pd.DataFrame, *, lang: str = "vi", rules: PlanRules | None = None,
                          plan: dict, synthetic: bool = False) -> Figure:
    """The village × year chart as its own figure, its height growing with the number of villages."""
    scheduled = int(schedule["year"].notna().sum())
    with plt.style.context(plots.STYLE):
        fig, ax = plt.subplots(figsize=(8, max(4.0, 0.17 * scheduled + 1.8)), layout="constrained")
        plot_schedule_chart(schedule, ax=ax, lang=lang, rules=rules, plan=plan)
        if synthetic:
            plots.mark_synthetic(fig, lang)
    return fig


# --- optimum vs greedy ------------------------------------------------------------------------------------


def per_year(plans: Mapping[str, SchedulePlan], measure: str, years: list[int]) -> pd.DataFrame:
    """Villages reaching the standard (``measure`` "villages") or money spent ("spend", đồng) per year
    (index) and plan (columns)."""
    if measure == "villages":
        return pd.DataFrame({name: p.schedule["year"].dropna().astype("int64").value_counts()
                            .reindex(years, fill_value=0) for name, p in plans.items()})
    return pd.DataFrame({name: p.spend.sum().reindex(years, fill_value=0.0) for name, p in plans.items()})


def plot_plans_by_year(plans: Mapping[str, SchedulePlan], measure: str, *, ax: Axes | None = None,
                       lang: str = "vi") -> Axes:
    """Grouped bars per year, one series per plan (labelled by its key): villages (``measure``
    "villages") or money spent ("spend", million VND)."""
    years = sorted({int(y) for p in plans.values() for y in p.spend.columns})
    table = per_year(plans, measure, years)
    width = 0.8 / max(len(plans), 1)
    with plt.style.context(plots.STYLE):
        ax = ax or plt.subplots()[1]
        for i, name in enumerate(table.columns):
            heights = table[name].to_numpy(float) if measure == "villages" else _million(table[name])
            ax.bar(np.array(years) + (i - (len(plans) - 1) / 2) * width, heights, width=width, label=name,
                   color=PLAN_COLOURS[i % len(PLAN_COLOURS)])
        _year_ticks(ax, years, lang)
        if measure == "villages":
            ax.set_ylabel(label("villages_axis", lang))
            ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        else:
            ax.set_ylabel(label("million_axis", lang))
            _number_axis(ax.yaxis, lang)
        ax.set_title(label("villages_per_year" if measure == "villages" else "spend_per_year", lang), fontsize=10)
        ax.grid(axis="y", alpha=0.3)
        ax.grid(axis="x", visible=False)
    return ax


def optimum_vs_greedy_figure(optimum: SchedulePlan, greedy: SchedulePlan, *, lang: str = "vi",
                             synthetic: bool = False) -> Figure:
    """Villages per year (left) and money spent per year (right), the optimum beside the greedy baseline."""
    plans = {label("optimum", lang): optimum, label("greedy", lang): greedy}
    with plt.style.context(plots.STYLE):
        fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4.2), layout="constrained")
        plot_plans_by_year(plans, "villages", ax=left, lang=lang)
        plot_plans_by_year(plans, "spend", ax=right, lang=lang)
        right.legend(loc="upper right", fontsize=8)
        fig.suptitle(label("comparison_title", lang), fontweight="bold")
        if synthetic:
            plots.mark_synthetic(fig, lang)
    return fig


# --- scenarios ------------------------------------------------------------------------------------------


def _scenario_labels(comparison: pd.DataFrame, lang: str) -> list[str]:
    """Scenario names, with "(failed)" or "(relaxed)" where that is their status."""
    notes = {"failed": label("failed", lang), "relaxed": label("relaxed", lang)}
    return [plots.literal(f"{name} ({notes[status]})" if status in notes else name)
            for name, status in zip(comparison["scenario"], comparison["status"])]


def plot_scenarios(comparison: pd.DataFrame, measure: str, *, ax: Axes | None = None, lang: str = "vi",
                   source_names: Mapping[str, str] | None = None) -> Axes:
    """Horizontal bars, one per scenario (first at the top): villages (``measure`` "villages") or total
    cost stacked by source ("cost", million VND). A failed scenario has no bar and says so."""
    y = np.arange(len(comparison))[::-1]
    failed = comparison["status"].eq("failed").to_numpy()
    with plt.style.context(plots.STYLE):
        ax = ax or plt.subplots()[1]
        if measure == "villages":
            ax.barh(y, comparison["villages"].fillna(0).to_numpy(float), color=PLAN_COLOURS[0], height=0.6)
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            ax.set_xlabel(label("villages_axis", lang))
        else:
            columns = [c for c in comparison.columns if c.startswith("cost_") and c.endswith("_vnd")]
            sources = [c.removeprefix("cost_").removesuffix("_vnd") for c in columns]
            colours, names = source_colours(sources), dict(source_names or {})
            left = np.zeros(len(comparison))
            for source, column in zip(sources, columns):
                width = _million(comparison[column].fillna(0).to_numpy(dtype="float64"))
                ax.barh(y, width, left=left, color=colours[source], height=0.6,
                        label=plots.literal(names.get(source, source)))
                left += width
            _number_axis(ax.xaxis, lang)
            ax.set_xlabel(label("million_axis", lang))
            if columns:
                ax.legend(loc="lower right", fontsize=7)
        for yi in y[failed]:
            ax.annotate(label("failed", lang), (0, yi), xytext=(4, 0), textcoords="offset points", va="center",
                        color=FAILED_COLOUR, fontsize=8)
        ax.set_yticks(y, _scenario_labels(comparison, lang), fontsize=8)
        ax.set_title(label("scenario_villages" if measure == "villages" else "scenario_cost", lang), fontsize=10)
    return ax


def scenario_figure(comparison: pd.DataFrame, lang: str = "vi", synthetic: bool = False,
                    source_names: Mapping[str, str] | None = None) -> Figure:
    """Villages (left) and total cost by source (right) per scenario, from
    :func:`ntm_analysis.schedule.planning.run_scenarios`."""
    with plt.style.context(plots.STYLE):
        fig, (left, right) = plt.subplots(1, 2, figsize=(10, max(3.0, 0.5 * len(comparison) + 1.5)),
                                          layout="constrained", sharey=True)
        plot_scenarios(comparison, "villages", ax=left, lang=lang)
        plot_scenarios(comparison, "cost", ax=right, lang=lang, source_names=source_names)
        fig.suptitle(label("scenario_title", lang), fontweight="bold")
        if synthetic:
            plots.mark_synthetic(fig, lang)
    return fig
