"""Cost figures, in the pattern of :mod:`ntm_analysis.figures.scores`: ``plot_*`` draw on one axes and return it,
``*_figure`` own a figure and stamp it with :func:`ntm_analysis.figures.scores.mark_synthetic` when
``synthetic``. Amounts are drawn in million VND (triệu đồng), axis numbers in the language's format.

Frames they take (see :mod:`ntm_analysis.cost.projection`):

- :func:`cost_by_criterion_figure` — :func:`~ntm_analysis.cost.projection.project_costs` (``criterion,
  criterion_vi, criterion_en, source, source_vi, source_en`` and the amount): cost by criterion,
  stacked by funding source;
- :func:`plan_vs_projection_figure` — :func:`~ntm_analysis.cost.projection.plan_vs_projection`: the plan's
  estimate beside the projection (central, with its low–high range) per criterion, and the plan's
  amount not attributed to any criterion;
- :func:`village_cost_figure` — :func:`~ntm_analysis.cost.projection.rollup_costs` by ``village_code,
  village_name, commune``: each village's cost with its low–high range.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from ntm_analysis.figures import scores as plots
from ntm_analysis.core.i18n import template
from ntm_analysis.core.money import UNITS, add_up
from ntm_analysis.core.vn_numbers import format_number

plt = plots.plt  # pyplot as plots.py set it up (backend chosen there)
SOURCE_COLOURS = {"central_direct": "#1f4e79", "integrated": "#5b9bd5", "enterprises": "#e08a1e",
                  "community": "#2e9e5b"}
OTHER_COLOURS = ("#8e6c8a", "#b07aa1", "#9c755f", "#bab0ac")
PLAN_COLOUR = "#7f7f7f"
PROJECTION_COLOUR = "#2b6ca3"


def label(key: str, lang: str = "vi") -> str:
    """A cost-figure label in Vietnamese (default) or English: the catalogue's ``figures.<key>``, placeholders
    (``{year}``) left for the caller."""
    return template(f"figures.{key}", lang)


def source_colours(sources: list[str]) -> dict[str, str]:
    """A fixed colour per known funding source; others from a small cycle."""
    others = iter(OTHER_COLOURS * (1 + len(sources) // len(OTHER_COLOURS)))
    return {s: SOURCE_COLOURS.get(s) or next(others) for s in sources}


def _million(vnd: pd.Series | np.ndarray) -> np.ndarray:
    """Amounts in million VND, for drawing only."""
    return np.asarray(vnd, dtype="float64") / UNITS["million"]


def _money_axis(ax: Axes, lang: str) -> None:
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: format_number(v, lang)))
    ax.set_xlabel(label("million_axis", lang))


def _source_order(sources: pd.Series) -> list[str]:
    present = list(dict.fromkeys(sources))
    return [s for s in SOURCE_COLOURS if s in present] + [s for s in present if s not in SOURCE_COLOURS]


# --- cost by criterion, stacked by source -----------------------------------------------------------


def plot_cost_by_criterion(projection: pd.DataFrame, *, ax: Axes | None = None, lang: str = "vi",
                           amount: str = "central_vnd") -> Axes:
    """Horizontal bars: each criterion's cost (largest at the top), stacked by funding source.

    The total is written at the end of each bar.
    """
    name = f"criterion_{lang}"
    sums = add_up(projection, ["criterion", name, "source", f"source_{lang}"], [amount])
    totals = sums.groupby(["criterion", name])[amount].sum().sort_values(kind="stable").reset_index()
    sources = _source_order(sums["source"])
    colours = source_colours(sources)
    source_names = {s: plots.literal(n) for s, n in zip(sums["source"], sums[f"source_{lang}"])}
    y = np.arange(len(totals))
    with plt.style.context(plots.STYLE):
        ax = ax or plt.subplots()[1]
        left = np.zeros(len(totals))
        for source in sources:
            part = totals[["criterion"]].merge(sums[sums["source"] == source], on="criterion", how="left")
            width = _million(part[amount].fillna(0))
            ax.barh(y, width, left=left, color=colours[source], label=source_names[source], height=0.7)
            left += width
        for yi, total in zip(y, _million(totals[amount])):
            ax.annotate(format_number(total, lang), (total, yi), xytext=(3, 0), textcoords="offset points",
                        va="center", fontsize=8)
        ax.set_yticks(y, [plots.criterion_label(n, s, 32) for n, s in zip(totals["criterion"], totals[name])],
                      fontsize=8)
        ax.set_xlim(0, max(left.max(initial=0) * 1.15, 1))
        _money_axis(ax, lang)
        ax.set_title(label("by_criterion_title", lang))
        if sources:
            ax.legend(loc="lower right", fontsize=8)
    return ax


def cost_by_criterion_figure(projection: pd.DataFrame, *, lang: str = "vi", amount: str = "central_vnd",
                             synthetic: bool = False) -> Figure:
    """The cost-by-criterion chart as its own figure."""
    with plt.style.context(plots.STYLE):
        fig, ax = plt.subplots(figsize=(8, 5), layout="constrained")
        plot_cost_by_criterion(projection, ax=ax, lang=lang, amount=amount)
        if synthetic:
            plots.mark_synthetic(fig, lang)
    return fig


# --- plan vs projection -------------------------------------------------------------------------------


def plot_plan_vs_projection(comparison: pd.DataFrame, *, ax: Axes | None = None, lang: str = "vi") -> Axes:
    """Paired horizontal bars per criterion: the plan's estimate (grey; none where the plan gives no
    figure) and the projection's central amount with its low–high range; the plan's unattributed
    amount on its own row at the bottom."""
    rows = comparison[comparison["row_kind"].isin(["criterion", "unattributed"])].reset_index(drop=True)
    names = [label("unattributed", lang) if kind == "unattributed" else plots.criterion_label(int(n), s, 32)
             for n, s, kind in zip(rows["criterion"], rows[f"label_{lang}"], rows["row_kind"])]
    y = np.arange(len(rows))[::-1]  # first row at the top
    plan = _million(rows["plan_vnd"].to_numpy(dtype="float64", na_value=np.nan))
    central = _million(rows["central_vnd"])
    error = np.vstack([central - _million(rows["low_vnd"]), _million(rows["high_vnd"]) - central])
    with plt.style.context(plots.STYLE):
        ax = ax or plt.subplots()[1]
        has_plan = ~np.isnan(plan)
        ax.barh(y[has_plan] + 0.2, plan[has_plan], height=0.4, color=PLAN_COLOUR, label=label("plan", lang))
        costed = rows["row_kind"].eq("criterion").to_numpy()
        ax.barh(y[costed] - 0.2, central[costed], height=0.4, color=PROJECTION_COLOUR,
                xerr=error[:, costed], error_kw={"ecolor": "#333333", "capsize": 2, "linewidth": 0.8},
                label=label("projection", lang))
        ax.set_yticks(y, names, fontsize=8)
        _money_axis(ax, lang)
        ax.set_title(label("plan_title", lang))
        ax.legend(loc="lower right", fontsize=8)
    return ax


def plan_vs_projection_figure(comparison: pd.DataFrame, *, lang: str = "vi", synthetic: bool = False) -> Figure:
    """The plan-vs-projection chart as its own figure."""
    with plt.style.context(plots.STYLE):
        fig, ax = plt.subplots(figsize=(8, 5.5), layout="constrained")
        plot_plan_vs_projection(comparison, ax=ax, lang=lang)
        if synthetic:
            plots.mark_synthetic(fig, lang)
    return fig


# --- cost per village -----------------------------------------------------------------------------------


def plot_village_costs(village_costs: pd.DataFrame, *, ax: Axes | None = None, lang: str = "vi") -> Axes:
    """Sorted horizontal bars: each village's central cost (largest at the top), whiskers from low to high.

    Village names carry the commune in brackets when several communes are shown.
    """
    rows = village_costs.sort_values(["central_vnd", "village_code"], ascending=[True, False], kind="stable")
    names = rows["village_name"].astype(object).fillna(rows["village_code"])
    if rows["commune"].nunique() > 1:
        names = names + " (" + rows["commune"].astype(object).fillna("?") + ")"
    names = names.map(plots.literal)
    central = _million(rows["central_vnd"])
    error = np.vstack([central - _million(rows["low_vnd"]), _million(rows["high_vnd"]) - central])
    y = np.arange(len(rows))
    with plt.style.context(plots.STYLE):
        ax = ax or plt.subplots()[1]
        ax.barh(y, central, color=PROJECTION_COLOUR, height=0.7, xerr=error, label=label("central", lang),
                error_kw={"ecolor": "#333333", "capsize": 1.5, "linewidth": 0.7})
        ax.set_yticks(y, names, fontsize=7)
        ax.set_ylim(-0.7, len(rows) - 0.3)
        _money_axis(ax, lang)
        ax.set_title(label("village_title", lang))
    return ax


def village_cost_figure(village_costs: pd.DataFrame, *, lang: str = "vi", synthetic: bool = False) -> Figure:
    """The cost-per-village chart as its own figure, its height growing with the number of villages."""
    with plt.style.context(plots.STYLE):
        fig, ax = plt.subplots(figsize=(8, max(4.5, 0.16 * len(village_costs) + 1.8)), layout="constrained")
        plot_village_costs(village_costs, ax=ax, lang=lang)
        if synthetic:
            plots.mark_synthetic(fig, lang)
    return fig
