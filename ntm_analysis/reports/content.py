"""What the commune and district reports show (``notebooks/reports/*.ipynb``).

The report notebooks only call this module (and the figure modules): no logic lives in them.

The district-wide results the reports share come from :mod:`ntm_analysis.reports.results`: the
chain's outputs read back, nothing computed twice.

Display helpers
---------------
Text is Vietnamese with ``lang="vi"`` and English with ``lang="en"`` (:func:`text`, the ``report.*``
messages of ``reference/data/messages``); numbers and money in that language's format
(:func:`ntm_analysis.core.vn_numbers.format_number`, :func:`ntm_analysis.core.money.format_money`).
Tables are returned as HTML with their cells escaped (names come from data files); text from data is
escaped before it goes into Markdown (:func:`md_escape`).
:func:`show_figure` saves a figure as PNG into the report's figures folder and returns that very PNG
for display, so the page shows exactly the files saved beside it.
"""

from __future__ import annotations

import html
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import HTML, Image, Markdown, display
from matplotlib.figure import Figure
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from ntm_analysis.reference.actions import actions_for
from ntm_analysis.reference.admin_units import area_level
from ntm_analysis.reference.plan import assignment_rules, category_names
from ntm_analysis.score.aggregates import alkire_foster, decomposition
from ntm_analysis.cost.annex import NUMBER_FORMATS
from ntm_analysis.figures.costs import cost_by_criterion_figure, plan_vs_projection_figure
from ntm_analysis.cost.projection import (plan_vs_projection, reconcile_plan,
                                reconciliation_lines, rollup_costs, source_table, target_villages)
from ntm_analysis.reference.criteria import CriteriaSet
from ntm_analysis.core.i18n import message
from ntm_analysis.core.money import UNITS, format_money
from ntm_analysis.core.vn_numbers import format_number
from ntm_analysis.schedule.planning import (budget_use, investment_table, scheduled_villages, status_lines)
from ntm_analysis.figures.scores import (commune_multiples_figure, criteria_heatmap_figure, distance_figure,
                                failure_rate_figure, progress_figure, save_figure)
from ntm_analysis.score.progress import border_share, standard_progress
from ntm_analysis.clean.quality_report import SYNTHETIC_BANNER, quality_by_file
from ntm_analysis.raw.quality_log import SEVERITY_ORDER
from ntm_analysis.reports.results import DistrictResults, district_results  # noqa: F401 - for the report notebooks
from ntm_analysis.figures.schedule import cumulative_figure, investment_figure, schedule_chart_figure
from ntm_analysis.core.excel import put, sheet_title
from ntm_analysis.core.storage import write_workbook
from ntm_analysis.score.summary_workbook import select_commune, status_table, summary_workbook

LANGS = ("vi", "en")

# Section keys of each report, in order: the headings' numbers come from here.
SECTIONS = {
    "commune": ["status", "heatmap", "costs", "targets", "actions", "schedule", "unverified", "quality", "files"],
    "district": ["status", "heatmap", "costs", "alkire_foster", "progress", "reconciliation", "schedule",
                 "phased", "actions", "communes", "unverified", "quality", "files"],
}

_MD_SPECIAL = str.maketrans({c: f"\\{c}" for c in "\\`*_{}[]<>()#+-.!|~"})
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_BANNER_FILL = PatternFill("solid", fgColor="FFC000")


# --- text ------------------------------------------------------------------------------------------------


def _check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise ValueError(f"lang must be 'vi' or 'en', got {lang!r}")
    return lang


def text(key: str, lang: str = "vi", **values: Any) -> str:
    """The report text ``key`` (the catalogue's ``report.<key>``) in ``lang``, with ``values`` filled in
    (``{year}`` …)."""
    return message(f"report.{key}", _check_lang(lang), **values)


def md_escape(value: object) -> str:
    """``value`` as literal Markdown text: whitespace (newlines too) collapsed, Markdown and HTML characters
    escaped, so that a name from a data file shows as written and never becomes markup."""
    return " ".join(str(value).split()).translate(_MD_SPECIAL)


def number(x: float, lang: str = "vi", decimals: int = 0) -> str:
    """``x`` in ``lang``'s format: "1.234,5" (vi), "1,234.5" (en)."""
    return format_number(float(x), lang, decimals)


def heading(kind: str, key: str, lang: str = "vi", **values: Any) -> Markdown:
    """Section heading ``## n. text``: ``n`` is the section's place in :data:`SECTIONS` [``kind``]."""
    return Markdown(f"## {SECTIONS[kind].index(key) + 1}. {text(key, lang, **values)}")


def subheading(key: str, lang: str = "vi", **values: Any) -> Markdown:
    """A level-3 heading (listed in the page's contents)."""
    return Markdown(f"### {text(key, lang, **values)}")


def paragraph(*lines: str) -> Markdown:
    """Lines of Markdown (already escaped where they hold data) as one output; empty lines dropped."""
    return Markdown("\n\n".join(line for line in lines if line))


def table(frame: pd.DataFrame, lang: str = "vi", labels: Mapping[str, str] | None = None, *,
          decimals: Mapping[str, int] | None = None, plain: Iterable[str] = ()) -> HTML:
    """``frame`` as an HTML table for a report: cells escaped, no index, numbers in ``lang``'s format and
    right-aligned, text left-aligned.

    ``*_vnd`` columns (whole đồng) show in million VND, their header followed by the unit; other integers
    with thousands separators, except the ``plain`` columns and ``year``-like ones (``year``, ``*_year``);
    floats with ``decimals`` [column] places (default 2); booleans as yes / no; missing values as blanks.
    ``labels`` renames columns (after formatting) and selects them in its order when given.
    """
    plain = list(plain)
    shown = format_table(frame, lang, labels, decimals=decimals, plain=plain)
    columns = list(labels) if labels is not None else list(frame.columns)
    numeric = [str(c).endswith("_vnd") or (c not in plain and pd.api.types.is_numeric_dtype(frame[c].dtype)
                                           and not pd.api.types.is_bool_dtype(frame[c].dtype))
               for c in columns]
    head = "".join(f'<th class="{"num" if n else "text"}">{html.escape(str(c))}</th>'
                   for c, n in zip(shown.columns, numeric))
    rows = "".join("<tr>" + "".join(f'<td class="{"num" if n else "text"}">{html.escape(v)}</td>'
                                    for v, n in zip(record, numeric)) + "</tr>"
                   for record in shown.itertuples(index=False, name=None))
    return HTML(f"{_TABLE_STYLE}<table class=\"ntm-table\"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody>"
                "</table>")


_TABLE_STYLE = ("<style>table.ntm-table{border-collapse:collapse;margin:.4em 0 1em}"
                "table.ntm-table th,table.ntm-table td{padding:.25em .6em;vertical-align:top;"
                "border-bottom:1px solid #ddd}table.ntm-table th{background:#f2f2f2}"
                "table.ntm-table .num{text-align:right;white-space:nowrap}table.ntm-table .text{text-align:left}"
                "</style>")


def format_table(frame: pd.DataFrame, lang: str = "vi", labels: Mapping[str, str] | None = None, *,
                 decimals: Mapping[str, int] | None = None, plain: Iterable[str] = ()) -> pd.DataFrame:
    """The text frame :func:`table` shows (see there)."""
    _check_lang(lang)
    plain, decimals = set(plain), dict(decimals or {})
    out = {}
    for column in frame.columns:
        values, name = frame[column], str(column)
        if name.endswith("_vnd"):
            out[column] = values.map(lambda v: format_money(v, lang, with_unit=False))
        elif pd.api.types.is_bool_dtype(values.dtype):
            out[column] = values.map(lambda v: "" if pd.isna(v) else text("yes" if v else "no", lang))
        elif name in plain or name == "year" or name.endswith("_year"):
            out[column] = values.map(lambda v: "" if pd.isna(v) else str(v))
        elif pd.api.types.is_integer_dtype(values.dtype):
            out[column] = values.map(lambda v: "" if pd.isna(v) else number(v, lang))
        elif pd.api.types.is_float_dtype(values.dtype):
            places = decimals.get(name, 2)
            out[column] = values.map(lambda v, d=places: "" if pd.isna(v) else number(v, lang, d))
        else:
            out[column] = values.map(lambda v: "" if _missing(v) else str(v))
    formatted = pd.DataFrame(out, index=frame.index, columns=frame.columns)
    if labels is not None:
        unit = text("money_unit", lang)
        formatted = formatted[list(labels)].rename(
            columns={c: f"{lab} ({unit})" if str(c).endswith("_vnd") else lab for c, lab in labels.items()})
    return formatted.reset_index(drop=True)


def _missing(value: Any) -> bool:
    return value is None or (pd.api.types.is_scalar(value) and bool(pd.isna(value)))


def markdown_lines(lines: Iterable[str]) -> str:
    """Lines as Markdown: consecutive "- " items as one list, every other line its own paragraph."""
    out: list[str] = []
    for line in lines:
        if out and line.startswith("- ") and out[-1].startswith("- "):
            out[-1] += "\n" + line
        else:
            out.append(line)
    return "\n\n".join(out)


def show_figure(fig: Figure, figures_dir: str | Path, name: str) -> Image:
    """Save ``fig`` as ``<figures_dir>/<name>.png`` (:func:`~ntm_analysis.figures.scores.save_figure`), close it and
    return that PNG for display: the page shows exactly the file saved. An empty ``figures_dir`` keeps no
    file (the PNG is made in a temporary folder)."""
    try:
        if str(figures_dir):
            data = save_figure(fig, Path(figures_dir) / f"{name}.png").read_bytes()
        else:
            with tempfile.TemporaryDirectory() as tmp:
                data = save_figure(fig, Path(tmp) / f"{name}.png").read_bytes()
    finally:
        plt.close(fig)
    return Image(data=data, format="png")


def show(*items: Any) -> None:
    """Display ``items`` in order (tuples and lists flattened), leaving out empty ones (an empty
    Markdown or HTML, None)."""
    for item in items:
        if isinstance(item, tuple | list):
            show(*item)
        elif item is not None and not (isinstance(item, Markdown | HTML) and not (item.data or "").strip()):
            display(item)


# --- figures ------------------------------------------------------------------------------------------------
# Each returns the figures of a section as displayable PNGs, saved in ``figures_dir`` under a fixed name
# (:func:`show_figure`); an empty list when the section has nothing to draw.


def status_figures(results: DistrictResults, scope: pd.DataFrame, lang: str, figures_dir: str | Path,
                   distance: bool = False) -> list[Image]:
    """The scope's criteria heatmap for the year and, with ``distance``, each village's distance to the
    standard as bars (the status table already gives the distance: off by default)."""
    status = _in_scope(results.scores.villages, scope)
    if not status["year"].eq(results.year).any():
        return []
    out = [show_figure(criteria_heatmap_figure(_in_scope(results.scores.criteria, scope), scope, results.year,
                                               lang=lang, synthetic=results.synthetic), figures_dir, "heatmap")]
    if distance:
        out.append(show_figure(distance_figure(status, scope, year=results.year, lang=lang,
                                               synthetic=results.synthetic), figures_dir, "distance"))
    return out


def cost_figures(results: DistrictResults, scope: pd.DataFrame, lang: str, figures_dir: str | Path) -> list[Image]:
    """The cost of the scope's gaps by criterion, stacked by funding source (none when nothing costs money)."""
    projection = _in_scope(results.projection, scope)
    if projection.empty:
        return []
    return [show_figure(cost_by_criterion_figure(projection, lang=lang, synthetic=results.synthetic), figures_dir,
                        "cost-by-criterion")]


def schedule_figures(results: DistrictResults, scope: pd.DataFrame, lang: str, figures_dir: str | Path
                     ) -> list[Image]:
    """Each scheduled village of the scope in its year, with the years its money is spent."""
    schedule = _in_scope(results.optimum.schedule, scope)
    if not schedule["year"].notna().any():
        return []
    return [show_figure(schedule_chart_figure(schedule, lang=lang, rules=results.rules, plan=results.plan,
                                              synthetic=results.synthetic), figures_dir, "schedule")]


def investment_figures(results: DistrictResults, lang: str, figures_dir: str | Path) -> list[Image]:
    """The district's investment by year and source against the budgets, and the villages reaching the
    standard (cumulative) against the plan's line."""
    names = results.cost_rules.source_names(lang)
    return [show_figure(investment_figure(results.phased, lang=lang, budgets=results.rules.budgets, source_names=names,
                                          synthetic=results.synthetic), figures_dir, "investment"),
            show_figure(cumulative_figure(results.optimum.schedule, results.rules, lang=lang, plan=results.plan,
                                          synthetic=results.synthetic), figures_dir, "cumulative")]


def af_figures(results: DistrictResults, lang: str, figures_dir: str | Path) -> list[Image]:
    """The share of villages failing each criterion in the year, district-wide."""
    return [show_figure(failure_rate_figure(af_failure_rates(results), year=results.year, lang=lang,
                                            synthetic=results.synthetic), figures_dir, "failure-rate")]


def progress_figures(results: DistrictResults, progress: pd.DataFrame, lang: str, figures_dir: str | Path
                     ) -> list[Image]:
    """Cumulative new villages by plan category against the plan's target (``progress``: the frame of
    :func:`progress_tables`)."""
    return [show_figure(progress_figure(progress, lang=lang, plan=results.plan, synthetic=results.synthetic),
                        figures_dir, "progress")]


def plan_figures(results: DistrictResults, comparison: pd.DataFrame, lang: str, figures_dir: str | Path
                 ) -> list[Image]:
    """The plan's estimates against the projection (``comparison``: the frame of :func:`plan_comparison`)."""
    return [show_figure(plan_vs_projection_figure(comparison, lang=lang, synthetic=results.synthetic), figures_dir,
                        "plan-vs-projection")]


def commune_figures(results: DistrictResults, lang: str, figures_dir: str | Path) -> list[Image]:
    """One small panel per commune: villages assessed and meeting the standard each year."""
    return [show_figure(commune_multiples_figure(results.scores.villages, results.villages, lang=lang,
                                                 synthetic=results.synthetic), figures_dir, "communes")]


# --- scope -----------------------------------------------------------------------------------------------


def scope_villages(results: DistrictResults, commune: str = "") -> pd.DataFrame:
    """The villages of ``commune`` (name matched ignoring case and diacritics), or all when empty.

    Raises ``ValueError`` naming the communes when none matches."""
    return select_commune(results.villages, commune)


def scope_label(scope: pd.DataFrame) -> str:
    """The commune name(s) of ``scope``, escaped for Markdown."""
    return md_escape(", ".join(sorted(scope["commune"].dropna().astype(str).unique())))


def header(results: DistrictResults, scope: pd.DataFrame, lang: str = "vi", commune: bool = True) -> Markdown:
    """The synthetic-data banner (when the clean summary says so) and the scope line."""
    policy = text(f"policy_{results.scores.policy}", lang)
    if commune:
        scope_line = text("scope_commune", lang, commune=scope_label(scope), year=results.year,
                          villages=len(scope), criteria=results.criteria.id, policy=policy)
    else:
        scope_line = text("scope_district", lang, **results.area(lang), year=results.year, communes=scope["commune"].nunique(),
                          villages=len(scope), criteria=results.criteria.id, policy=policy)
    return paragraph(f"**⚠ {SYNTHETIC_BANNER}**" if results.synthetic else "", scope_line)


def _in_scope(frame: pd.DataFrame, scope: pd.DataFrame) -> pd.DataFrame:
    return frame[frame["village_code"].isin(scope["village_code"])]


# --- 1. status of each village ---------------------------------------------------------------------------


def status_summary(results: DistrictResults, scope: pd.DataFrame, lang: str = "vi") -> Markdown:
    """Villages meeting the standard out of those assessed in the year; the villages without data."""
    year = results.year
    status = _in_scope(results.scores.villages, scope)
    status = status[status["year"] == year]
    missing = scope[~scope["village_code"].isin(status["village_code"])]
    names = ", ".join(md_escape(n) for n in missing["village_name"].fillna(missing["village_code"]))
    return paragraph(
        text("meeting", lang, meeting=int(status["meets_standard"].sum()), assessed=len(status), year=year,
             incomplete=int((status["criteria_incomplete"] > 0).sum())),
        text("not_assessed", lang, n=len(missing), year=year, names=names) if len(missing) else "",
        text("status_note", lang))


def village_status(results: DistrictResults, scope: pd.DataFrame, lang: str = "vi") -> HTML:
    """Each village of ``scope`` in the year: x/19, meets or not, criteria missed, distance to standard."""
    frame = status_table(results.scores.villages, scope, results.year, results.plan, lang)
    return table(frame, lang, decimals={frame.columns[-1]: 2})


def scope_criteria(results: DistrictResults, scope: pd.DataFrame) -> pd.DataFrame:
    """``Scores.criteria`` of the scope's villages (what the heatmap takes)."""
    return _in_scope(results.scores.criteria, scope)


def scope_status(results: DistrictResults, scope: pd.DataFrame) -> pd.DataFrame:
    """``Scores.villages`` of the scope's villages."""
    return _in_scope(results.scores.villages, scope)


# --- 3. gaps and costs -------------------------------------------------------------------------------------


def scope_projection(results: DistrictResults, scope: pd.DataFrame) -> pd.DataFrame:
    """The cost of closing the year's gaps of the scope's villages (``costs.PROJECTION_COLUMNS``)."""
    return _in_scope(results.projection, scope)


def costs_summary(results: DistrictResults, scope: pd.DataFrame, lang: str = "vi") -> Markdown:
    """Total cost of the year's gaps (central, low–high), villages costed, free gaps, uncosted no-data."""
    projection = scope_projection(results, scope)
    if projection.empty:
        return paragraph(text("no_costs", lang, year=results.year))
    gaps = _in_scope(results.gaps, scope)
    indicators = _in_scope(results.scores.indicators, scope)
    no_data = int((indicators["year"].eq(results.year) & indicators["status"].eq("no_data")).sum())
    return paragraph(text(
        "costs_note", lang, year=results.year, price_year=results.cost_rules.price_year,
        total=format_money(int(projection["central_vnd"].sum()), lang),
        low=format_money(int(projection["low_vnd"].sum()), lang, with_unit=False),
        high=format_money(int(projection["high_vnd"].sum()), lang, with_unit=False),
        villages=projection["village_code"].nunique(), zero=int(gaps["kind"].eq("zero").sum()), no_data=no_data))


def cost_by_source(results: DistrictResults, scope: pd.DataFrame) -> pd.DataFrame:
    """Criteria × funding sources of the central cost of the scope's gaps, with a total row (the annex
    layout of :func:`~ntm_analysis.cost.projection.source_table`); only the total row when nothing costs money."""
    projection = scope_projection(results, scope)
    if projection.empty:
        sources = [f"{s.id}_vnd" for s in results.cost_rules.sources]
        return pd.DataFrame([{"row": "total", "criterion": pd.NA, "label_vi": message("projection.row.total", "vi"),
                              "label_en": message("projection.row.total", "en"), "row_kind": "total",
                              **dict.fromkeys(sources, 0), "total_vnd": 0}])
    return source_table(projection, results.cost_rules)


def cost_by_source_table(results: DistrictResults, scope: pd.DataFrame, lang: str = "vi") -> HTML:
    """:func:`cost_by_source` for display: criterion, name, one column per source, total (million VND)."""
    frame = cost_by_source(results, scope)
    labels = {"criterion": text("h_criterion", lang), f"label_{lang}": text("h_item", lang),
              **{f"{s}_vnd": n for s, n in results.cost_rules.source_names(lang).items()},
              "total_vnd": text("h_total", lang)}
    return table(frame.astype({"criterion": "string"}), lang, labels)


def village_costs(results: DistrictResults, scope: pd.DataFrame, lang: str = "vi") -> tuple[Markdown, HTML]:
    """Central, low and high cost per village of the scope, the costliest first (a lead-in and the table)."""
    projection = scope_projection(results, scope)
    if projection.empty:
        return paragraph(), HTML("")
    sums = (projection.groupby(["commune", "village_code", "village_name"], observed=True)
            [["central_vnd", "low_vnd", "high_vnd"]].sum().reset_index()
            .sort_values(["central_vnd", "village_code"], ascending=[False, True], kind="stable"))
    labels = {"commune": text("h_commune", lang), "village_code": text("h_code", lang),
              "village_name": text("h_village", lang), "central_vnd": text("h_cost", lang),
              "low_vnd": text("h_low", lang), "high_vnd": text("h_high", lang)}
    return paragraph(text("village_costs", lang)), table(sums, lang, labels)


def commune_costs(results: DistrictResults, lang: str = "vi") -> tuple[Markdown, HTML]:
    """Central, low and high cost of the year's gaps per commune, with the villages costed."""
    if results.projection.empty:
        return paragraph(), HTML("")
    sums = rollup_costs(results.projection, ["commune"]).sort_values("central_vnd", ascending=False, kind="stable")
    labels = {"commune": text("h_commune", lang), "villages": text("h_villages", lang),
              "central_vnd": text("h_cost", lang), "low_vnd": text("h_low", lang), "high_vnd": text("h_high", lang)}
    return paragraph(text("commune_costs", lang)), table(sums, lang, labels)


# --- 4. the commune's share of the plan's targets ----------------------------------------------------------


def commune_targets(status: pd.DataFrame, scope: pd.DataFrame, targets: Mapping[str, int | None], baseline: int,
                    schedule: pd.DataFrame, year: int) -> pd.DataFrame:
    """The scope's part of the plan's targets and where it stands in ``year``.

    ``status``: ``Scores.villages``; ``scope``: the commune's villages (``village_code, plan_category``);
    ``schedule``: a schedule (``village_code, year`` — NA when not scheduled).
    One row per category (``all`` first, then the plan's categories). Columns: ``category``,
    ``district_target`` (the plan's 30 / 6 / 6 / 18), ``villages`` (of the scope in the category),
    ``part`` (scheduled in the plan period), ``expected`` (scheduled up to ``year``), ``reached``
    (meeting the standard for the first time after the baseline, up to ``year``), ``meeting`` (meeting
    it in ``year``), ``on_track`` (reached ≥ expected).
    """
    codes = set(scope["village_code"])
    category = scope.set_index("village_code")["plan_category"].astype(object)
    rows_status = status[status["village_code"].isin(codes)]
    first = rows_status[rows_status["meets_standard"].astype(bool)].groupby("village_code")["year"].min()
    reached = set(first[(first > baseline) & (first <= year)].index)
    meeting = set(rows_status.loc[(rows_status["year"] == year) & rows_status["meets_standard"].astype(bool),
                                  "village_code"])
    planned = schedule[schedule["village_code"].isin(codes) & schedule["year"].notna()]
    part = set(planned["village_code"])
    expected = set(planned.loc[planned["year"].astype("int64") <= year, "village_code"])
    rows = []
    for cat, target in targets.items():
        members = set(category.index) if cat == "all" else set(category.index[category == cat])
        rows.append({"category": cat, "district_target": pd.NA if target is None else int(target),
                     "villages": len(members),
                     "part": len(part & members), "expected": len(expected & members),
                     "reached": len(reached & members), "meeting": len(meeting & members)})
    out = pd.DataFrame(rows).astype({"district_target": "Int64"})
    return out.assign(on_track=out["reached"] >= out["expected"])


def _or_dash(value: int | None) -> str:
    return "—" if value is None else str(value)


def border_heading(results: DistrictResults, lang: str = "vi") -> Markdown:
    """The border-share table's heading, with the plan's share (or that the plan sets none)."""
    target = (results.plan.get("targets") or {}).get("border_commune_share")
    return subheading("border_heading", lang, target=_or_dash(None if target is None else f"{target:g}"))


def targets_section(results: DistrictResults, scope: pd.DataFrame, lang: str = "vi") -> tuple[Markdown, HTML, Markdown]:
    """The note on what "part" means, :func:`commune_targets` as a table, and the border-share and
    commune-target lines."""
    plan, year = results.plan, results.year
    names = {"all": text("h_all", lang), **category_names(lang, plan)}
    targets = results.targets
    quotas = ", ".join(f"{names[c]}: {q}" for c, q in targets.items() if c != "all" and q is not None)
    note = paragraph(text("targets_note", lang, **results.area(lang), total=_or_dash(targets["all"]),
                          end=plan["period"]["end"], start=plan["period"]["start"], quotas=quotas or "—", year=year,
                          baseline=results.baseline_year))
    frame = commune_targets(results.scores.villages, scope, targets, results.baseline_year, results.optimum.schedule,
                            year)
    frame = frame.assign(category=frame["category"].map(names))
    labels = {"category": text("h_category", lang), "district_target": text("h_district_target", lang, **results.area(lang)),
              "villages": text("h_villages", lang), "part": text("h_part", lang),
              "expected": text("h_expected", lang, year=year), "reached": text("h_reached", lang, year=year),
              "meeting": text("h_meeting", lang, year=year), "on_track": text("h_on_track", lang)}
    return note, table(frame, lang, labels), paragraph(*commune_target_lines(results, scope, lang))


def commune_target_lines(results: DistrictResults, scope: pd.DataFrame, lang: str = "vi") -> list[str]:
    """The border-share line (the commune's share meeting the standard vs the plan's 90 %, or that it does
    not apply) and, when the commune aims at the commune standard, the year it aims at."""
    plan, year = results.plan, results.year
    target = (plan.get("targets") or {}).get("border_commune_share")
    border = scope["border_commune"].fillna(False).astype(bool)
    lines = []
    if target is None:
        pass  # the plan sets no border-commune rule
    elif border.any():
        status = _in_scope(results.scores.villages, scope[border])
        status = status[status["year"] == year]
        if status.empty:
            lines.append(text("border_none", lang, year=year))
        else:
            meeting, villages = int(status["meets_standard"].sum()), len(status)
            share = 100 * meeting / villages
            lines.append(text("border_yes", lang, meeting=meeting, villages=villages, year=year,
                              share=number(share, lang, 0), target=number(target, lang, 0),
                              verdict=text("reached" if share >= target else "not_reached", lang)))
    else:
        lines.append(text("border_no", lang, target=number(target, lang, 0)))
    target_years = scope["commune_target_year"].dropna()
    linked = [c for c, rule in assignment_rules(plan) if rule == "commune_target_in_period"]
    if len(target_years) and linked:
        lines.append(text("commune_ntm", lang, year=int(target_years.min()),
                          category=category_names(lang, plan)[linked[0]]))
    return lines


# --- 5. what to do next ------------------------------------------------------------------------------------


def failing_villages(criteria_scores: pd.DataFrame, scope: pd.DataFrame, year: int) -> pd.DataFrame:
    """Per criterion failed (status ``fail``) by some village of ``scope`` in ``year``: ``criterion``,
    ``failing`` (villages) and ``villages`` (their names, "; "-joined, by code). By criterion number."""
    rows = criteria_scores[(criteria_scores["year"] == year) & criteria_scores["status"].eq("fail")
                           & criteria_scores["village_code"].isin(scope["village_code"])]
    names = scope.set_index("village_code")["village_name"].astype(object)
    rows = rows.assign(name=rows["village_code"].map(names).fillna(rows["village_code"])).sort_values(
        ["criterion", "village_code"], kind="stable")
    return (rows.groupby("criterion", sort=True)
            .agg(failing=("village_code", "nunique"), villages=("name", lambda s: "; ".join(map(str, s))))
            .reset_index().astype({"criterion": "int64", "failing": "int64"}))


def next_actions(results: DistrictResults, scope: pd.DataFrame, lang: str = "vi") -> pd.DataFrame:
    """:func:`~ntm_analysis.reference.actions.actions_for` the criteria failed in the year by the scope's villages,
    with ``failing`` and ``villages`` (:func:`failing_villages`) added to each row."""
    failing = failing_villages(results.scores.criteria, scope, results.year)
    if failing.empty:
        return pd.DataFrame(columns=["criterion", "criterion_name", "plan_baseline", "action", "responsible",
                                     "funding", "failing", "villages"])
    actions = actions_for(failing["criterion"].tolist(), results.settings.actions_data, results.cost_rules, lang)
    return actions.merge(failing, on="criterion", how="left")


def actions_section(results: DistrictResults, scope: pd.DataFrame, lang: str = "vi",
                    with_villages: bool = True) -> tuple[Markdown, HTML]:
    """The note (and the count of criterion results without data) and :func:`next_actions` as a table."""
    frame = next_actions(results, scope, lang)
    criteria = _in_scope(results.scores.criteria, scope)
    incomplete = int((criteria["year"].eq(results.year) & criteria["status"].eq("incomplete")).sum())
    note = paragraph(text("actions_note" if len(frame) else "no_actions", lang, year=results.year),
                     text("incomplete_note", lang, n=incomplete, year=results.year) if incomplete else "")
    labels = {"criterion": text("h_criterion", lang), "criterion_name": text("h_name", lang),
              "plan_baseline": text("h_baseline", lang), "action": text("h_action", lang),
              "responsible": text("h_responsible", lang), "funding": text("h_funding", lang),
              "failing": text("h_failing", lang)}
    if with_villages:
        labels["villages"] = text("h_failing_villages", lang)
    return note, (table(frame, lang, labels, plain=["criterion"]) if len(frame) else HTML(""))


# --- 6. schedule -------------------------------------------------------------------------------------------


def scope_schedule(results: DistrictResults, scope: pd.DataFrame) -> pd.DataFrame:
    """The district-wide schedule's rows of the scope's villages (scheduled or not)."""
    return _in_scope(results.optimum.schedule, scope)


def scheduled_in_scope(results: DistrictResults, scope: pd.DataFrame) -> pd.DataFrame:
    """:func:`~ntm_analysis.schedule.planning.scheduled_villages` of the district-wide schedule, for the scope."""
    return _in_scope(scheduled_villages(results.optimum), scope).reset_index(drop=True)


def schedule_section(results: DistrictResults, scope: pd.DataFrame, lang: str = "vi",
                     commune: bool = True) -> tuple[Markdown, HTML]:
    """Whether the plan's rules could all be met (the relaxations when not, :func:`status_lines`), the
    scope's count and cost, and its scheduled villages (year, village, category, criteria missing, cost
    by source)."""
    plan, rules, rules_plan = results.optimum, results.cost_rules, results.plan
    done = scheduled_in_scope(results, scope)
    cost = format_money(int(done["cost_vnd"].sum()), lang)
    if commune:
        waiting = _in_scope(results.candidates, scope)
        waiting = int((~waiting["meets_at_baseline"] & ~waiting["village_code"].isin(done["village_code"])).sum())
        count = text("schedule_commune", lang, n=len(done), cost=cost, waiting=waiting)
    else:
        count = text("schedule_district", lang, n=len(done), cost=cost)
    note = paragraph(
        text("schedule_note", lang, **results.area(lang), start=results.years[0], end=results.years[-1], baseline=results.baseline_year,
             price_year=rules.price_year),
        markdown_lines(status_lines(plan, rules.source_names(lang), lang)),
        count if len(done) or not commune else text("no_schedule", lang))
    if done.empty:
        return note, HTML("")
    sources = rules.source_names(lang)
    frame = done.rename(columns={f"cost_{s}": f"{s}_vnd" for s in sources}).assign(
        plan_category=done["plan_category"].astype(object).map(category_names(lang, rules_plan)))
    labels = {"year": text("h_year", lang), **({} if commune else {"commune": text("h_commune", lang)}),
              "village_code": text("h_code", lang), "village_name": text("h_village", lang),
              "plan_category": text("h_category", lang), "criteria_missing": text("h_missing", lang),
              "cost_vnd": text("h_cost", lang), **{f"{s}_vnd": n for s, n in sources.items()}}
    return note, table(frame.astype({"year": "int64"}), lang, labels)


def scope_phased(results: DistrictResults, scope: pd.DataFrame) -> pd.DataFrame:
    """The phased investment of the scope's communes (``year, source, criterion, commune, amount_vnd``)."""
    communes = set(scope["commune"].dropna().astype(str))
    return results.phased[results.phased["commune"].astype(str).isin(communes)]


def phased_table(results: DistrictResults, scope: pd.DataFrame, lang: str = "vi") -> HTML:
    """Money of the scope's scheduled villages by funding source (rows, with a total) and year."""
    phased = scope_phased(results, scope)
    if phased.empty:
        return HTML("")
    wide = investment_table(phased, "source", results.years, order=results.rules.sources)
    wide = wide.rename(index=results.cost_rules.source_names(lang)).rename_axis(text("h_source", lang))
    money = wide.map(lambda vnd: format_money(vnd, lang, with_unit=False)).reset_index()
    money.columns = [str(c) if c != "total" else text("h_total", lang) for c in money.columns]
    return table(money, lang)


def phased_section(results: DistrictResults, scope: pd.DataFrame, lang: str = "vi") -> tuple[Markdown, HTML]:
    """:func:`phased_table` with its lead-in; nothing when the scope has no scheduled village."""
    if scope_phased(results, scope).empty:
        return paragraph(), HTML("")
    return paragraph(text("phased_note", lang)), phased_table(results, scope, lang)


def budget_use_table(results: DistrictResults, lang: str = "vi") -> HTML:
    """Each source's budget, spend and what is left per year (:func:`~ntm_analysis.schedule.planning.budget_use`)."""
    use = budget_use(results.phased, results.rules)
    use = use.assign(source=use["source"].map(results.cost_rules.source_names(lang)))
    labels = {"source": text("h_source", lang), "year": text("h_year", lang), "budget_vnd": text("h_budget", lang),
              "spend_vnd": text("h_spend", lang), "left_vnd": text("h_left", lang)}
    return table(use, lang, labels)


# --- 7. thresholds not verified ----------------------------------------------------------------------------


def unverified_thresholds(criteria: CriteriaSet, lang: str = "vi") -> tuple[Markdown, HTML]:
    """The thresholds the criteria file marks illustrative, with their note."""
    frame = criteria.unverified()
    if frame.empty:
        return paragraph(text("none_unverified", lang)), HTML("")
    labels = {"criterion": text("h_criterion", lang), f"criterion_{lang}": text("h_name", lang),
              "code": text("h_indicator_code", lang), f"name_{lang}": text("h_indicator", lang),
              "group": text("h_group", lang), "direction": text("h_direction", lang),
              "threshold": text("h_threshold", lang), "unit": text("h_unit", lang),
              "provenance_note": text("h_note", lang)}
    return paragraph(text("unverified_note", lang)), table(frame, lang, labels, plain=["criterion", "code"],
                                                           decimals={"threshold": 1})


# --- 8. data quality -----------------------------------------------------------------------------------------


def scope_files(villages: pd.DataFrame, values: pd.DataFrame, scope: pd.DataFrame) -> list[str]:
    """The data files that hold the scope's villages or their values, sorted."""
    codes = scope["village_code"]
    found = set(villages.loc[villages["village_code"].isin(codes), "file"].dropna().astype(str))
    found |= set(values.loc[values["village_code"].isin(codes), "file"].dropna().astype(str))
    return sorted(found)


def scope_problems(problems: pd.DataFrame, files: Iterable[str]) -> pd.DataFrame:
    """The quality log's problems in ``files``, errors first, then by file, sheet and row."""
    files = set(files)
    chosen = problems[problems["file"].astype(str).isin(files)]
    order = chosen["severity"].map(SEVERITY_ORDER).fillna(len(SEVERITY_ORDER))
    row = pd.to_numeric(chosen["row"], errors="coerce")
    return (chosen.assign(_order=order, _row=row)
            .sort_values(["_order", "file", "sheet", "_row"], kind="stable", na_position="last")
            .drop(columns=["_order", "_row"]).reset_index(drop=True))


def quality_section(results: DistrictResults, scope: pd.DataFrame, lang: str = "vi") -> tuple[Markdown, HTML, HTML]:
    """What each of the scope's files gave and lost, and the problems found in them."""
    if results.problems is None:
        return paragraph(text("no_quality_log", lang)), HTML(""), HTML("")
    files = scope_files(results.villages, results.values, scope)
    problems = scope_problems(results.problems, files)
    by_file = quality_by_file(results.villages, results.values, results.rejected_values, results.problems)
    by_file = by_file[by_file["file"].isin(files)]
    note = paragraph(
        text("quality_note", lang, files=len(files), errors=int(problems["severity"].eq("error").sum()),
             warnings=int(problems["severity"].eq("warning").sum())),
        text("quality_problems" if len(problems) else "no_problems", lang))
    file_labels = {"file": text("h_file", lang), "communes": text("h_communes", lang),
                   "villages": text("h_villages", lang), "values": text("h_values", lang),
                   "empty": text("h_empty", lang), "rejected": text("h_rejected", lang),
                   "errors": text("h_errors", lang), "warnings": text("h_warnings", lang)}
    problems = problems.assign(severity=problems["severity"].map(lambda s: text(s, lang) if s in SEVERITY_ORDER
                                                                 else s))
    problem_labels = {"severity": text("h_severity", lang), "file": text("h_file", lang),
                      "sheet": text("h_sheet", lang), "row": text("h_row", lang), "column": text("h_column", lang),
                      "value": text("h_value", lang), f"problem_{lang}": text("h_problem", lang),
                      f"fix_{lang}": text("h_fix", lang)}
    return (note, table(by_file, lang, file_labels),
            table(problems, lang, problem_labels) if len(problems) else HTML(""))


# --- district-only sections ----------------------------------------------------------------------------------


def af_tables(results: DistrictResults, lang: str = "vi") -> list[tuple[Markdown, HTML]]:
    """The Alkire–Foster summary of the year for the district, each commune and each plan category."""
    out = []
    names = category_names(lang, results.plan)
    for key, by in (("af_district", []), ("af_commune", ["commune"]), ("af_category", ["plan_category"])):
        summary = alkire_foster(results.scores, results.villages, by)[0]
        summary = summary[summary["year"] == results.year]
        if "plan_category" in by:
            summary = summary.assign(plan_category=summary["plan_category"].astype(object).map(names))
        labels = {**({"commune": text("h_commune", lang)} if "commune" in by else {}),
                  **({"plan_category": text("h_category", lang)} if "plan_category" in by else {}),
                  "villages": text("h_villages", lang), "not_meeting": text("h_not_meeting", lang),
                  "criteria_missed": text("h_criteria_missed", lang), "H": "H", "A": "A", "M0": "M0"}
        out.append((subheading(key, lang, **results.area(lang)), table(summary, lang, labels,
                                                                        decimals={"H": 3, "A": 3, "M0": 3})))
    return out


def af_decomposition(results: DistrictResults, lang: str = "vi") -> tuple[Markdown, HTML]:
    """Each commune's share of the district M0 in the year."""
    frame = decomposition(results.scores, results.villages, ["commune"])
    frame = frame[frame["year"] == results.year].sort_values("contribution", ascending=False, kind="stable")
    labels = {"commune": text("h_commune", lang), "villages": text("h_villages", lang),
              "population_share": text("h_share", lang), "M0": "M0", "contribution": text("h_contribution", lang)}
    return paragraph(text("decomposition", lang, **results.area(lang))), table(frame, lang, labels, decimals={
        "population_share": 3, "M0": 3, "contribution": 3})


def af_failure_rates(results: DistrictResults) -> pd.DataFrame:
    """The district's per-criterion Alkire–Foster table (what the failure-rate figure takes)."""
    return alkire_foster(results.scores, results.villages)[1]


def progress_tables(results: DistrictResults, lang: str = "vi") -> tuple[pd.DataFrame, HTML, HTML]:
    """:func:`~ntm_analysis.score.progress.standard_progress` (for the figure) and as a table, and the border
    communes' share meeting the standard each year against the plan's."""
    progress = standard_progress(results.scores.villages, results.villages, results.plan)
    names = {"all": text("h_all", lang), **category_names(lang, results.plan)}
    labels = {"year": text("h_year", lang), "category": text("h_category", lang),
              "villages": text("h_villages", lang), "meeting": text("h_meeting_plain", lang),
              "new": text("h_new", lang), "cumulative_new": text("h_cumulative", lang),
              "target_cumulative": text("h_target", lang), "gap_to_target": text("h_gap", lang),
              "on_track": text("h_on_track", lang)}
    shown = progress.assign(category=progress["category"].map(names))
    border = border_share(results.scores.villages, results.villages, results.plan)
    border_labels = {"year": text("h_year", lang), "villages": text("h_villages", lang),
                     "meeting": text("h_meeting_plain", lang), "share": text("h_share_pct", lang),
                     "target_share": text("h_target_pct", lang), "on_track": text("h_on_track", lang)}
    return (progress, table(shown, lang, labels, decimals={"target_cumulative": 1, "gap_to_target": 1}),
            table(border.astype({"target_share": "float64"}), lang, border_labels,
                  decimals={"share": 1, "target_share": 0}))


def reconciliation_section(results: DistrictResults, lang: str = "vi") -> tuple[Markdown, HTML]:
    """The plan's resources table rebuilt, with the amount no criterion accounts for (4.051 triệu đồng in
    the Ia Grai plan) on its own row, and the plan file's lines saying so."""
    frame = reconcile_plan(results.cost_rules, results.plan)
    lines = reconciliation_lines(frame, results.cost_rules, lang)
    labels = {f"label_{lang}": text("h_item", lang),
              **{f"{s}_vnd": n for s, n in results.cost_rules.source_names(lang).items()},
              "total_vnd": text("h_total", lang), f"note_{lang}": text("h_note", lang)}
    return (paragraph(text("reconciliation_note", lang), "\n".join(f"- {md_escape(line)}" for line in lines)),
            table(frame, lang, labels))


def plan_comparison(results: DistrictResults, lang: str = "vi") -> tuple[pd.DataFrame, Markdown, HTML]:
    """The plan's estimates against the baseline projection for the target villages the data show
    (:func:`~ntm_analysis.cost.projection.plan_vs_projection`): the frame (for the figure), the note, the table."""
    targets = target_villages(results.scores.villages, results.plan, results.baseline_year)
    projection = results.baseline_projection
    comparison = plan_vs_projection(projection[projection["village_code"].isin(targets["village_code"])],
                                    results.cost_rules, results.plan)
    labels = {"criterion": text("h_criterion", lang), f"label_{lang}": text("h_item", lang),
              "plan_vnd": text("h_plan", lang), "central_vnd": text("h_projection", lang),
              "low_vnd": text("h_low", lang), "high_vnd": text("h_high", lang),
              "difference_vnd": text("h_difference", lang), "difference_pct": text("h_difference_pct", lang)}
    note = paragraph(text("plan_vs_projection", lang, n=len(targets), price_year=results.cost_rules.price_year))
    return comparison, note, table(comparison.astype({"criterion": "string"}), lang, labels,
                                   decimals={"difference_pct": 1})


# --- 9. companion files ---------------------------------------------------------------------------------------


def files_line(excel_path: str, figures_dir: str, lang: str = "vi") -> Markdown:
    """Where the companion workbook and the figures were written (file names only: the page may move)."""
    if not excel_path and not figures_dir:
        return paragraph(text("files_none", lang))
    return paragraph(text("files_written", lang, excel=md_escape(Path(excel_path).name or "—"),
                          figures=md_escape(Path(figures_dir).name or "—")))


def report_workbook(results: DistrictResults, scope: pd.DataFrame, lang: str = "vi", commune: bool = True
                    ) -> Workbook:
    """The companion workbook: the summary ("biểu tổng hợp") of the scope's villages for the year (a
    summary sheet, one sheet per commune, the unverified thresholds), then the cost of the year's gaps by
    criterion and source, the schedule of the scope's villages, the actions for the failed criteria and the
    data problems of the scope's files; the district's adds the reconciliation with the plan, the phased
    investment by source and the Alkire–Foster summaries. Amounts in million VND, exact (đồng / 10⁶),
    shown in ``lang``'s number format."""
    year, synthetic = results.year, results.synthetic
    area = "commune" if commune else area_level(results.plan, results.villages)
    book = summary_workbook(results.scores, scope, results.criteria, year, lang=lang, synthetic=synthetic, area=area)
    unit = (text("unit_commune", lang, commune=", ".join(sorted(scope["commune"].dropna().astype(str).unique())))
            if commune else text("unit_district", lang, **results.area(lang)))
    sources = results.cost_rules.source_names(lang)
    costs = cost_by_source(results, scope)
    _sheet(book, text("sheet_costs", lang), text("title_costs", lang, year=year, unit=unit), costs,
           {f"label_{lang}": text("h_item", lang), "total_vnd": text("h_total", lang),
            **{f"{s}_vnd": n for s, n in sources.items()}}, lang, synthetic)
    done = scheduled_in_scope(results, scope)
    schedule = done.rename(columns={f"cost_{s}": f"{s}_vnd" for s in sources}).assign(
        plan_category=done["plan_category"].astype(object).map(category_names(lang, results.plan)))
    _sheet(book, text("sheet_schedule", lang),
           text("title_schedule", lang, start=results.years[0], end=results.years[-1], unit=unit), schedule,
           {"year": text("h_year", lang), "commune": text("h_commune", lang), "village_code": text("h_code", lang),
            "village_name": text("h_village", lang), "plan_category": text("h_category", lang),
            "criteria_missing": text("h_missing", lang), "cost_vnd": text("h_cost", lang),
            **{f"{s}_vnd": n for s, n in sources.items()}}, lang, synthetic)
    _sheet(book, text("sheet_actions", lang), text("title_actions", lang, unit=unit, year=year),
           next_actions(results, scope, lang),
           {"criterion": text("h_criterion", lang), "criterion_name": text("h_name", lang),
            "action": text("h_action", lang), "responsible": text("h_responsible", lang),
            "funding": text("h_funding", lang), "failing": text("h_failing", lang),
            "villages": text("h_failing_villages", lang)}, lang, synthetic)
    if results.problems is not None:
        problems = scope_problems(results.problems, scope_files(results.villages, results.values, scope))
        _sheet(book, text("sheet_quality", lang), text("title_quality", lang, unit=unit), problems,
               {"severity": text("h_severity", lang), "file": text("h_file", lang), "sheet": text("h_sheet", lang),
                "row": text("h_row", lang), "column": text("h_column", lang), "value": text("h_value", lang),
                f"problem_{lang}": text("h_problem", lang), f"fix_{lang}": text("h_fix", lang)}, lang, synthetic)
    if not commune:
        _sheet(book, text("sheet_reconciliation", lang), text("title_reconciliation", lang),
               reconcile_plan(results.cost_rules, results.plan),
               {f"label_{lang}": text("h_item", lang), "total_vnd": text("h_total", lang),
                **{f"{s}_vnd": n for s, n in sources.items()}, f"note_{lang}": text("h_note", lang)}, lang, synthetic)
        phased = investment_table(results.phased, "source", results.years, order=results.rules.sources)
        phased = phased.rename(index=sources).rename_axis("source").reset_index()
        phased.columns = [f"{c}_vnd" if c != "source" else c for c in phased.columns]
        _sheet(book, text("sheet_phased", lang), text("title_phased", lang), phased,
               {"source": text("h_source", lang), **{f"{y}_vnd": str(y) for y in results.years},
                "total_vnd": text("h_total", lang)}, lang, synthetic)
        af = pd.concat([alkire_foster(results.scores, results.villages, by)[0].assign(level=level)
                        for level, by in (("district", []), ("commune", ["commune"]),
                                          ("category", ["plan_category"]))], ignore_index=True)
        af = af[af["year"] == year]
        _sheet(book, text("sheet_af", lang), text("title_af", lang, year=year), af,
               {"level": "level", "commune": text("h_commune", lang), "plan_category": text("h_category", lang),
                "villages": text("h_villages", lang), "not_meeting": text("h_not_meeting", lang),
                "criteria_missed": text("h_criteria_missed", lang), "H": "H", "A": "A", "M0": "M0"},
               lang, synthetic)
    return book


def write_report_workbook(results: DistrictResults, scope: pd.DataFrame, path: str | Path, lang: str = "vi",
                          commune: bool = True) -> Path | None:
    """Write :func:`report_workbook` to ``path`` (atomically, byte-stably); nothing when ``path`` is empty."""
    if not str(path):
        return None
    return write_workbook(report_workbook(results, scope, lang, commune), Path(path))


def _sheet(book: Workbook, name: str, title: str, frame: pd.DataFrame, labels: Mapping[str, str], lang: str,
           synthetic: bool) -> None:
    """A sheet with a title row, the synthetic banner when it applies, a header row and ``frame``'s
    ``labels`` columns; ``*_vnd`` columns as million VND numbers."""
    sheet = book.create_sheet(sheet_title(name))
    columns = [c for c in labels if c in frame.columns]
    put(sheet, 1, 1, title).font = Font(bold=True, size=13)
    row = 2
    if synthetic:
        cell = put(sheet, row, 1, SYNTHETIC_BANNER)
        cell.font, cell.fill = Font(bold=True), _BANNER_FILL
        row += 1
    for col, column in enumerate(columns, start=1):
        cell = put(sheet, row, col, labels[column])
        cell.font, cell.fill = Font(bold=True), _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        sheet.column_dimensions[get_column_letter(col)].width = 16 if str(column).endswith("_vnd") else 24
    sheet.freeze_panes = sheet.cell(row=row + 1, column=1)
    for r, record in enumerate(frame[columns].to_dict("records"), start=row + 1):
        for col, column in enumerate(columns, start=1):
            value = _cell_value(record[column])
            if str(column).endswith("_vnd") and value is not None:
                value = int(value) / UNITS["million"]
            cell = put(sheet, r, col, value)
            if str(column).endswith("_vnd"):
                cell.number_format = NUMBER_FORMATS[lang]
            elif isinstance(value, str):
                cell.alignment = Alignment(wrap_text=True, vertical="top")


def _cell_value(value: Any) -> Any:
    """A frame value as an openpyxl cell value: missing as empty, numpy scalars as Python ones."""
    if _missing(value):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value if isinstance(value, int | float | str | bool) else str(value)
