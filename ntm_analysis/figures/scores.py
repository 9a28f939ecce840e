"""Figures. ``plot_*`` draw on one axes and return it; ``*_figure`` own a figure. No file writing here
except in :func:`save_figure`, and no ``plt.show()``.

Every label goes through :func:`label` (the ``figures.*`` messages of the catalogues in
``reference/data/messages``; Vietnamese by default, English with ``lang="en"``); every
``*_figure`` takes ``synthetic`` and stamps the figure with :func:`mark_synthetic` when it is True.

Gap-analysis figures and the frames they take (see ``scoring``, ``aggregates`` and ``progress``):

- :func:`criteria_heatmap_figure` — ``Scores.criteria`` + villages: pass / fail / no data per village
  and criterion for one year, villages grouped by commune;
- :func:`failure_rate_figure` — ``alkire_foster(...)[1]``: share of villages failing each criterion;
- :func:`distance_figure` — ``Scores.villages`` + villages: distance to the standard per village;
- :func:`progress_figure` — ``standard_progress(...)``: cumulative new villages vs the plan target;
- :func:`commune_multiples_figure` — ``Scores.villages`` + villages: one small panel per commune.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import matplotlib.pyplot as plt

# No backend is forced here: importing this module must not change the caller's matplotlib (a headless
# process gets Agg by matplotlib's own fallback). In a Jupyter kernel, which names its inline backend in
# MPLBACKEND, that backend is loaded now: loading it turns interactive mode on, and if that happened inside
# a figure function's style context, leaving the context would turn it off again and every later figure
# would stay out of the notebook.
if "inline" in os.environ.get("MPLBACKEND", ""):
    plt.switch_backend(os.environ["MPLBACKEND"])
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.colors import ListedColormap  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from ntm_analysis.reference.plan import category_names  # noqa: E402
from ntm_analysis.config import STYLE_FILE  # noqa: E402
from ntm_analysis.core.i18n import template  # noqa: E402
from ntm_analysis.core.storage import atomic_path  # noqa: E402
from ntm_analysis.core.vietnamese import fold  # noqa: E402
from ntm_analysis.score.scoring import criteria_missing  # noqa: E402

STYLE = STYLE_FILE
SEVERITY_COLOURS = {"error": "#c0392b", "warning": "#e6a700", "info": "#9aa5b1"}
# Criterion status (``Scores.criteria["status"]``): one colour map for every pass / fail / no-data figure.
STATUS_ORDER = ("pass", "fail", "incomplete")
STATUS_COLOURS = {"pass": "#2e9e5b", "fail": "#d0453a", "incomplete": "#b4b4b4"}
STATUS_CMAP = ListedColormap([STATUS_COLOURS[s] for s in STATUS_ORDER], name="ntm_status")
# Number of criteria a village misses: 0 (meets), 1, 2, 3, 4 or more.
MISSING_COLOURS = ("#2e9e5b", "#fdd49e", "#fc8d59", "#e34a33", "#a50f15")
CATEGORY_PALETTE = ("#2b6ca3", "#e08a1e", "#7fb3d5", "#5b9b5b", "#b07aa1", "#9c755f", "#bab0ac")
TARGET_COLOUR = "#333333"


def label(key: str, lang: str = "vi") -> str:
    """A figure label in Vietnamese (default) or English: the catalogue's ``figures.<key>``, placeholders
    (``{year}``) left for the caller."""
    return template(f"figures.{key}", lang)


def literal(text: object) -> str:
    """``text`` (a name from the data) drawn as written: ``$`` escaped, so that matplotlib never reads
    ``$…$`` as mathtext (a parse error would stop the figure)."""
    return str(text).replace("$", r"\$")


def criterion_label(number: int, name: str, max_chars: int = 24) -> str:
    """Axis label for a criterion: number + short name, e.g. ``"18. Hệ thống chính trị"``.

    The short name is the name up to its first comma, cut at a word boundary (with "…") when longer
    than ``max_chars``.
    """
    short = name.split(",")[0].strip()
    if len(short) > max_chars:
        cut = short[:max_chars].rsplit(" ", 1)[0] if " " in short[:max_chars] else short[:max_chars]
        short = cut.rstrip(" &,") + "…"
    return literal(f"{number}. {short}")


def _name_column(lang: str) -> str:
    return f"criterion_{lang}"


def _year_title(key: str, lang: str, year: int | None) -> str:
    """A title ending in ", {year}", without that ending when the year is unknown."""
    text = label(key, lang)
    return text.format(year=year) if year is not None else text.rsplit(",", 1)[0]


def _one_year(frame: pd.DataFrame, year: int | None, what: str) -> pd.DataFrame:
    """The rows of ``year`` (or of the only year present when ``year`` is None)."""
    if year is None:
        years = frame["year"].unique() if "year" in frame else []
        if len(years) > 1:
            raise ValueError(f"{what}: several years ({', '.join(map(str, sorted(years)))}); pass year=")
        return frame
    rows = frame[frame["year"] == year]
    if rows.empty:
        raise ValueError(f"{what}: no rows for year {year}")
    return rows


def _commune_order(communes: pd.Series) -> list[str]:
    """Communes in Vietnamese alphabetical order (ignoring diacritics and case)."""
    return sorted(communes.dropna().unique(), key=lambda c: (fold(str(c)), str(c)))


# --- data problems (notebook 01) -------------------------------------------------------------------


def plot_problem_counts(problems: pd.DataFrame, *, ax: Axes | None = None, lang: str = "vi") -> Axes:
    """Horizontal bars: problems per kind (the message in ``lang``), coloured by severity.

    ``problems`` is the quality log's problem table (columns ``code, severity, problem_vi, problem_en``).
    """
    with plt.style.context(STYLE):
        ax = ax or plt.subplots()[1]
        counts = (problems.groupby(["code", "severity"]).size().rename("n").reset_index()
                  .sort_values("n", kind="stable"))
        ax.barh(counts["code"], counts["n"], color=counts["severity"].map(SEVERITY_COLOURS))
        ax.set_title(label("problems_title", lang))
        ax.set_xlabel(label("problems_axis", lang))
    return ax


def problems_figure(problems: pd.DataFrame, *, lang: str = "vi", synthetic: bool = False) -> Figure:
    """The problem-count chart as its own figure, with the synthetic-data mark when it applies."""
    with plt.style.context(STYLE):
        fig, ax = plt.subplots()
        plot_problem_counts(problems, ax=ax, lang=lang)
        if synthetic:
            mark_synthetic(fig, lang)
    return fig


# --- villages × criteria heatmap ---------------------------------------------------------------------


def heatmap_matrix(criteria_scores: pd.DataFrame, villages: pd.DataFrame, year: int) -> pd.DataFrame:
    """Criterion status (pass / fail / incomplete) per village for ``year``, in heatmap order.

    ``criteria_scores``: ``Scores.criteria``; ``villages``: ``village_code, village_name, commune``.
    Returns one row per village assessed in ``year``, index (``commune, village_code, village_name``),
    one column per criterion number. Communes in alphabetical order; within a commune, villages by
    criteria met (descending), then code.
    """
    rows = _one_year(criteria_scores, year, "criteria scores")
    met = rows.groupby("village_code")["met"].sum().rename("criteria_met")
    info = (pd.DataFrame({"village_code": met.index, "criteria_met": met.to_numpy()})
            .merge(villages[["village_code", "village_name", "commune"]], on="village_code", how="left"))
    info = info.assign(commune=info["commune"].astype(object).fillna("?"),
                       village_name=info["village_name"].astype(object).fillna(info["village_code"]))
    rank = {c: i for i, c in enumerate(_commune_order(info["commune"]))}
    info = (info.assign(commune_rank=info["commune"].map(rank))
            .sort_values(["commune_rank", "criteria_met", "village_code"], ascending=[True, False, True],
                         kind="stable"))
    matrix = rows.pivot(index="village_code", columns="criterion", values="status")
    matrix = matrix.reindex(index=info["village_code"]).sort_index(axis=1)
    matrix.index = pd.MultiIndex.from_frame(info[["commune", "village_code", "village_name"]])
    matrix.columns.name = "criterion"
    return matrix


def plot_criteria_heatmap(criteria_scores: pd.DataFrame, villages: pd.DataFrame, year: int, *,
                          ax: Axes | None = None, lang: str = "vi") -> Axes:
    """Villages × criteria heatmap of pass / fail / no data for ``year`` (see :func:`heatmap_matrix`).

    Villages are grouped by commune (a line between communes, the commune's name on the right);
    criteria on the x axis as "number. short name" in ``lang``; a legend with the three states.
    """
    matrix = heatmap_matrix(criteria_scores, villages, year)
    names = (criteria_scores.drop_duplicates("criterion").set_index("criterion")[_name_column(lang)])
    codes = matrix.apply(lambda col: col.map({s: i for i, s in enumerate(STATUS_ORDER)})).to_numpy(float)
    n_rows, n_cols = codes.shape
    with plt.style.context(STYLE):
        ax = ax or plt.subplots()[1]
        ax.imshow(codes, cmap=STATUS_CMAP, vmin=-0.5, vmax=len(STATUS_ORDER) - 0.5, aspect="auto",
                  interpolation="nearest")
        ax.grid(False)
        ax.set_xticks(range(n_cols), [criterion_label(n, names[n]) for n in matrix.columns], rotation=60,
                      ha="right", rotation_mode="anchor", fontsize=8)
        ax.set_yticks(range(n_rows), [literal(v) for v in matrix.index.get_level_values("village_name")], fontsize=7)
        ax.set_xticks(np.arange(-0.5, n_cols), minor=True)
        ax.set_yticks(np.arange(-0.5, n_rows), minor=True)
        ax.grid(which="minor", color="white", linewidth=0.6)
        ax.tick_params(which="minor", length=0)
        communes = matrix.index.get_level_values("commune").to_numpy()
        starts = [0, *[i for i in range(1, n_rows) if communes[i] != communes[i - 1]]]
        for start, end in zip(starts, [*starts[1:], n_rows]):
            if start:
                ax.axhline(start - 0.5, color="black", linewidth=1.2)
            ax.text(n_cols - 0.5 + 0.3, (start + end - 1) / 2, literal(communes[start]), ha="left", va="center",
                    fontsize=8, fontweight="bold", clip_on=False)
        ax.legend(handles=[Patch(facecolor=STATUS_COLOURS[s], label=label(f"status_{s}", lang))
                           for s in STATUS_ORDER],
                  loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=3, frameon=False, fontsize=8)
        ax.set_title(label("heatmap_title", lang).format(year=year), pad=22)
        ax.set_xlabel(label("criterion_axis", lang))
    return ax


def criteria_heatmap_figure(criteria_scores: pd.DataFrame, villages: pd.DataFrame, year: int, *,
                            lang: str = "vi", synthetic: bool = False) -> Figure:
    """The heatmap as its own figure, its height growing with the number of villages."""
    n = criteria_scores.loc[criteria_scores["year"] == year, "village_code"].nunique()
    with plt.style.context(STYLE):
        fig, ax = plt.subplots(figsize=(9, max(4.5, 0.17 * n + 2.8)), layout="constrained")
        plot_criteria_heatmap(criteria_scores, villages, year, ax=ax, lang=lang)
        if synthetic:
            mark_synthetic(fig, lang)
    return fig


# --- failure rate per criterion ----------------------------------------------------------------------


def plot_failure_rate(per_criterion: pd.DataFrame, *, ax: Axes | None = None, lang: str = "vi",
                      year: int | None = None) -> Axes:
    """Horizontal bars: share of villages failing each criterion, largest at the top.

    ``per_criterion``: ``alkire_foster``'s per-criterion frame (``criterion, criterion_vi, criterion_en,
    censored_headcount``) for one group of villages; ``year`` selects a year when several are present.
    """
    rows = _one_year(per_criterion, year, "per-criterion frame")
    if rows["criterion"].duplicated().any():
        raise ValueError("per-criterion frame: several rows per criterion; select one group of villages")
    rows = rows.assign(share=100 * rows["censored_headcount"]).sort_values(
        ["share", "criterion"], ascending=[True, False], kind="stable")
    if year is None and "year" in rows:
        year = int(rows["year"].iloc[0])
    with plt.style.context(STYLE):
        ax = ax or plt.subplots()[1]
        bars = ax.barh([criterion_label(n, s, 40) for n, s in zip(rows["criterion"], rows[_name_column(lang)])],
                       rows["share"], color=STATUS_COLOURS["fail"])
        ax.bar_label(bars, labels=[f"{v:.0f} %" for v in rows["share"]], padding=2, fontsize=8)
        ax.set_xlim(0, 110)
        ax.set_xlabel(label("failure_axis", lang))
        ax.set_title(_year_title("failure_title", lang, year))
        ax.tick_params(axis="y", labelsize=8)
    return ax


def failure_rate_figure(per_criterion: pd.DataFrame, *, lang: str = "vi", year: int | None = None,
                        synthetic: bool = False) -> Figure:
    """The failure-rate chart as its own figure."""
    with plt.style.context(STYLE):
        fig, ax = plt.subplots(figsize=(8, 6), layout="constrained")
        plot_failure_rate(per_criterion, ax=ax, lang=lang, year=year)
        if synthetic:
            mark_synthetic(fig, lang)
    return fig


# --- distance to the standard -------------------------------------------------------------------------



def _village_labels(rows: pd.DataFrame, villages: pd.DataFrame) -> pd.Series:
    """Village names, with the commune in brackets when the rows span several communes."""
    info = villages.set_index("village_code")
    name = rows["village_code"].map(info["village_name"]).astype(object).fillna(rows["village_code"])
    commune = rows["village_code"].map(info["commune"]).astype(object)
    if commune.nunique() > 1:
        return name + " (" + commune.fillna("?") + ")"
    return name


def plot_distance(status: pd.DataFrame, villages: pd.DataFrame, *, ax: Axes | None = None, lang: str = "vi",
                  year: int | None = None) -> Axes:
    """Sorted horizontal bars: each village's distance to the standard, farthest at the top.

    Bars are coloured by the number of criteria missing (:data:`MISSING_COLOURS`, 4 or more in one
    colour); villages meeting the standard have no bar and are marked with a green diamond at 0.
    ``status``: ``Scores.villages``; ``villages``: ``village_code, village_name, commune``.
    """
    rows = _one_year(status, year, "village status")
    rows = rows.assign(missing=criteria_missing(rows)).sort_values(
        ["distance_to_standard", "village_code"], ascending=[True, False], kind="stable")
    year = int(rows["year"].iloc[0]) if year is None else year
    colour_index = rows["missing"].clip(upper=len(MISSING_COLOURS) - 1)
    positions = np.arange(len(rows))
    with plt.style.context(STYLE):
        ax = ax or plt.subplots()[1]
        ax.barh(positions, rows["distance_to_standard"], color=[MISSING_COLOURS[i] for i in colour_index])
        meets = rows["meets_standard"].to_numpy(bool)
        ax.scatter(np.zeros(meets.sum()), positions[meets], marker="D", s=28, color=STATUS_COLOURS["pass"],
                   edgecolor="white", zorder=3, label=label("meets_standard", lang))
        ax.set_yticks(positions, _village_labels(rows, villages).map(literal), fontsize=7)
        ax.set_ylim(-0.7, len(rows) - 0.3)
        ax.set_xlabel(label("distance_axis", lang))
        ax.set_title(_year_title("distance_title", lang, year))
        present = sorted(set(colour_index) - {0})
        handles = [Patch(facecolor=MISSING_COLOURS[i],
                         label=f"≥ {i}" if i == len(MISSING_COLOURS) - 1 else str(i)) for i in present]
        handles.append(Line2D([], [], marker="D", linestyle="", color=STATUS_COLOURS["pass"],
                              label=label("meets_standard", lang)))
        ax.legend(handles=handles, title=label("missing_legend", lang), loc="lower right", fontsize=8,
                  title_fontsize=8)
    return ax


def distance_figure(status: pd.DataFrame, villages: pd.DataFrame, *, lang: str = "vi", year: int | None = None,
                    synthetic: bool = False) -> Figure:
    """The distance chart as its own figure, its height growing with the number of villages."""
    n = status["village_code"].nunique() if year is None else int((status["year"] == year).sum())
    with plt.style.context(STYLE):
        fig, ax = plt.subplots(figsize=(8, max(4.5, 0.16 * n + 1.8)), layout="constrained")
        plot_distance(status, villages, ax=ax, lang=lang, year=year)
        if synthetic:
            mark_synthetic(fig, lang)
    return fig


# --- progress vs the plan's target ---------------------------------------------------------------------



def category_colours(plan: dict) -> dict[str, str]:
    """Plan category id -> its colour, in the plan's order (the palette repeats past its length)."""
    return {c["id"]: CATEGORY_PALETTE[i % len(CATEGORY_PALETTE)] for i, c in enumerate(plan["categories"])}


def plot_progress(progress: pd.DataFrame, *, ax: Axes | None = None, lang: str = "vi",
                  plan: dict) -> Axes:
    """Stacked bars of cumulative new villages per plan category and year, with the plan's target line.

    ``progress``: :func:`ntm_analysis.score.progress.standard_progress` (``year, category, cumulative_new,
    target_cumulative``). The line is the pro-rata target for all villages; the number above each bar
    is the district's cumulative total.
    """
    names = category_names(lang, plan)
    wide = progress.pivot(index="year", columns="category", values="cumulative_new").sort_index()
    everything = progress[progress["category"] == "all"].set_index("year").sort_index()
    years = wide.index.to_numpy()
    with plt.style.context(STYLE):
        ax = ax or plt.subplots()[1]
        bottom = np.zeros(len(years))
        for cat, colour in category_colours(plan).items():
            heights = wide[cat].to_numpy(float) if cat in wide else np.zeros(len(years))
            ax.bar(years, heights, bottom=bottom, color=colour, label=literal(names[cat]), width=0.6)
            bottom += heights
        ax.plot(everything.index, everything["target_cumulative"], color=TARGET_COLOUR, linestyle="--",
                marker="o", markersize=4, label=label("target", lang))
        for x, total in zip(everything.index, everything["cumulative_new"]):
            ax.annotate(str(int(total)), (x, total), xytext=(0, 3), textcoords="offset points", ha="center",
                        fontsize=8)
        ax.set_xticks(years, [str(y) for y in years])
        ax.set_xlabel(label("year_axis", lang))
        ax.set_ylabel(label("progress_axis", lang))
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_title(label("progress_title", lang))
        ax.grid(axis="y", alpha=0.3)
        ax.legend(loc="upper left", fontsize=8)
    return ax


def progress_figure(progress: pd.DataFrame, *, lang: str = "vi", plan: dict,
                    synthetic: bool = False) -> Figure:
    """The progress-vs-target chart as its own figure."""
    with plt.style.context(STYLE):
        fig, ax = plt.subplots(layout="constrained")
        plot_progress(progress, ax=ax, lang=lang, plan=plan)
        if synthetic:
            mark_synthetic(fig, lang)
    return fig


# --- small multiples per commune --------------------------------------------------------------------


def plot_commune_progress(status: pd.DataFrame, *, ax: Axes | None = None, lang: str = "vi",
                          title: str | None = None) -> Axes:
    """One commune's panel: villages assessed (grey) and meeting the standard (green) per year.

    ``status``: the ``Scores.villages`` rows of one commune's villages.
    """
    per_year = status.groupby("year").agg(assessed=("village_code", "size"),
                                          meeting=("meets_standard", "sum")).sort_index()
    years = per_year.index.to_numpy()
    with plt.style.context(STYLE):
        ax = ax or plt.subplots()[1]
        ax.bar(years, per_year["assessed"], color=STATUS_COLOURS["incomplete"], alpha=0.45, width=0.7,
               label=label("villages_assessed", lang))
        bars = ax.bar(years, per_year["meeting"], color=STATUS_COLOURS["pass"], width=0.7,
                      label=label("meets_standard", lang))
        ax.bar_label(bars, labels=[str(int(v)) for v in per_year["meeting"]], fontsize=7, padding=1)
        ax.set_xticks(years, [f"'{y % 100:02d}" for y in years], fontsize=7)
        ax.tick_params(axis="y", labelsize=7)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # villages are whole
        ax.grid(axis="y", alpha=0.3)
        if title:
            ax.set_title(literal(title), fontsize=9)
    return ax


def commune_multiples_figure(status: pd.DataFrame, villages: pd.DataFrame, *, lang: str = "vi",
                             ncols: int = 4, synthetic: bool = False) -> Figure:
    """One small panel per commune (alphabetical), same scales: villages meeting the standard per year.

    ``status``: ``Scores.villages``; ``villages``: ``village_code, commune``.
    """
    commune = status["village_code"].map(villages.set_index("village_code")["commune"]).astype(object)
    rows = status.assign(commune=commune.fillna("?"))
    communes = _commune_order(rows["commune"])
    ncols = max(1, min(ncols, len(communes)))
    nrows = max(1, math.ceil(len(communes) / ncols))
    with plt.style.context(STYLE):
        fig, axes = plt.subplots(nrows, ncols, figsize=(2.3 * ncols + 0.6, 1.9 * nrows + 1.0), sharex=True,
                                 sharey=True, squeeze=False)
        flat = axes.ravel()
        for ax, name in zip(flat, communes):
            plot_commune_progress(rows[rows["commune"] == name], ax=ax, lang=lang, title=name)
        for ax in flat[len(communes):]:
            ax.set_visible(False)
        for ax in flat[max(0, len(communes) - ncols):len(communes)]:
            ax.tick_params(labelbottom=True)  # the lowest panel of each column shows the years
        fig.suptitle(label("communes_title", lang), fontweight="bold")
        handles, labels_ = flat[0].get_legend_handles_labels()
        fig.legend(handles, labels_, loc="lower center", ncol=2, fontsize=8, frameon=False,
                   bbox_to_anchor=(0.5, -0.02))
        fig.supylabel(label("villages_axis", lang), fontsize=9)
        fig.tight_layout(rect=(0, 0.04, 1, 1))
        if synthetic:
            mark_synthetic(fig, lang)
    return fig


# --- shared ---------------------------------------------------------------------------------------


def mark_synthetic(fig: Figure, lang: str = "vi") -> None:
    """Stamp a figure visibly as made from synthetic data."""
    fig.text(0.99, 0.01, label("synthetic", lang), ha="right", va="bottom", color="#c0392b",
             fontsize=9, fontweight="bold", alpha=0.8)


def save_figure(fig: Figure, path: Path) -> Path:
    """Write ``fig`` as PNG, atomically; no timestamp in the metadata, so the bytes are stable.

    The style's ``savefig`` settings (dpi, tight bounding box) apply here too, since saving happens
    outside the plotting functions' style context."""
    with plt.style.context(STYLE), atomic_path(Path(path)) as tmp:  # the style's dpi and tight bbox
        fig.draw_without_rendering()  # settle the constrained layout first, so that every save gives the same bytes
        fig.savefig(tmp, format="png", metadata={"Software": None})
    return Path(path)
