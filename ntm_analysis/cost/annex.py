"""Cost tables as an Excel annex ("biểu") of a plan: criteria rows, funding-source columns, totals.

Each sheet takes a frame in the annex layout of :mod:`ntm_analysis.cost.projection` (:func:`~ntm_analysis.cost.projection.reconcile_plan`
or :func:`~ntm_analysis.cost.projection.source_table`): ``row, criterion, label_vi, label_en, row_kind``, one
``<source>_vnd`` column per source of the cost file, ``total_vnd``, optionally ``note_vi`` / ``note_en``. Cells hold
amounts in million VND (exact: đồng / 10⁶) with a number format that shows them rounded to whole
millions in the Vietnamese way ("35.051", whatever the reader's Excel locale) or the English way
("35,051"); subtotal and total rows are bold; the two header rows are frozen. Save with
:func:`write_cost_annex` (atomic, byte-stable through :func:`ntm_analysis.core.storage.write_workbook`).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from ntm_analysis.reference.cost_rules import CostRules
from ntm_analysis.core.i18n import LANGS, messages
from ntm_analysis.core.money import UNITS
from ntm_analysis.clean.quality_report import SYNTHETIC_BANNER
from ntm_analysis.core.excel import put, sheet_title
from ntm_analysis.core.storage import write_workbook

# Whole millions with "." between thousands whatever the reader's locale (literal dots, not the
# locale's separator). Values below −999 fall in the last section and show without separators.
NUMBER_FORMATS = {"vi": r'[>=1000000]#"."###"."###;[>=1000]#"."###;0', "en": "#,##0"}
BOLD_ROWS = ("subtotal", "total")
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_BANNER_FILL = PatternFill("solid", fgColor="FFC000")
_THIN = Side(style="thin", color="999999")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def cost_annex_workbook(tables: Mapping[str, pd.DataFrame], rules: CostRules, *, lang: str = "vi",
                        synthetic: bool = False, titles: Mapping[str, str] | None = None) -> Workbook:
    """One sheet per table (key: sheet name, at most 31 characters), each in the annex layout.

    ``titles`` gives each sheet's heading (default: the sheet name in capitals); ``rules`` the funding
    sources' names and order.
    """
    if lang not in LANGS:
        raise ValueError(f"lang must be 'vi' or 'en', got {lang!r}")
    book = Workbook()
    book.remove(book.active)
    taken: set[str] = set()
    for name, table in tables.items():
        heading = (titles or {}).get(name, name.upper())
        _annex_sheet(book.create_sheet(sheet_title(name, taken)), table, rules, heading, lang, synthetic)
    return book


def write_cost_annex(tables: Mapping[str, pd.DataFrame], rules: CostRules, path: Path, *, lang: str = "vi",
                     synthetic: bool = False, titles: Mapping[str, str] | None = None) -> Path:
    """Write :func:`cost_annex_workbook` to ``path``, atomically and byte-stably."""
    return write_workbook(cost_annex_workbook(tables, rules, lang=lang, synthetic=synthetic, titles=titles), path)


def _annex_sheet(sheet, table: pd.DataFrame, rules: CostRules, heading: str, lang: str,  # noqa: ANN001
                 synthetic: bool) -> None:
    text = messages("annex", lang)
    sources = [(f"{s.id}_vnd", getattr(s, f"name_{lang}")) for s in rules.sources]
    note = f"note_{lang}"
    has_note = note in table and table[note].fillna("").astype(str).str.len().gt(0).any()
    width = 3 + len(sources) + int(has_note)
    row = _heading(sheet, heading, text["unit"], width, synthetic)
    _header(sheet, row, text, [name for _, name in sources], has_note)
    sheet.freeze_panes = sheet.cell(row=row + 2, column=3)
    number = 0
    for offset, rec in enumerate(table.to_dict("records"), start=row + 2):
        is_criterion = rec["row_kind"] == "criterion"
        number += is_criterion
        label = (text["criterion"].format(n=rec["criterion"], name=rec[f"label_{lang}"]) if is_criterion
                 else rec[f"label_{lang}"])
        values = [number if is_criterion else None, label, _millions(rec["total_vnd"]),
                  *(_millions(rec[column]) for column, _ in sources)]
        if has_note:
            values.append(rec[note] or None)
        _data_row(sheet, offset, values, bold=rec["row_kind"] in BOLD_ROWS, italic=rec["row_kind"] == "unattributed",
                  lang=lang)
    _widths(sheet, len(sources), has_note)


def _millions(vnd: int) -> float:
    """An exact whole-đồng amount in million VND for a cell (rounded only by the cell's format)."""
    return int(vnd) / UNITS["million"]


def _heading(sheet, heading: str, unit: str, width: int, synthetic: bool) -> int:  # noqa: ANN001
    """Title, synthetic banner and unit rows; returns the first header row."""
    put(sheet, 1, 1, heading).font = Font(bold=True, size=13)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    sheet.cell(row=1, column=1).alignment = Alignment(horizontal="center")
    row = 2
    if synthetic:
        banner = put(sheet, row, 1, SYNTHETIC_BANNER)
        banner.font, banner.fill = Font(bold=True), _BANNER_FILL
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
        row += 1
    unit_cell = put(sheet, row, width, unit)
    unit_cell.font, unit_cell.alignment = Font(italic=True), Alignment(horizontal="right")
    return row + 1


def _header(sheet, row: int, text: dict, source_names: list[str], has_note: bool) -> None:  # noqa: ANN001
    """Two header rows: STT, item, total and note span both; "by funding source" spans the sources."""
    first_source, last_source = 4, 3 + len(source_names)
    spanning = [(1, text["no"]), (2, text["item"]), (3, text["total"])]
    if has_note:
        spanning.append((last_source + 1, text["note"]))
    for column, value in spanning:
        put(sheet, row, column, value)
        sheet.merge_cells(start_row=row, start_column=column, end_row=row + 1, end_column=column)
    put(sheet, row, first_source, text["by_source"])
    sheet.merge_cells(start_row=row, start_column=first_source, end_row=row, end_column=last_source)
    for column, name in enumerate(source_names, start=first_source):
        put(sheet, row + 1, column, name)
    for r in (row, row + 1):
        for column in range(1, last_source + 1 + int(has_note)):
            cell = sheet.cell(row=r, column=column)
            cell.font, cell.fill, cell.border = Font(bold=True), _HEADER_FILL, _BORDER
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _data_row(sheet, row: int, values: list, bold: bool, italic: bool, lang: str) -> None:  # noqa: ANN001
    for column, value in enumerate(values, start=1):
        cell = put(sheet, row, column, value)
        cell.border = _BORDER
        cell.font = Font(bold=bold, italic=italic)
        if isinstance(value, float):
            cell.number_format = NUMBER_FORMATS[lang]
        elif column == 1:
            cell.alignment = Alignment(horizontal="center")
        else:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def _widths(sheet, n_sources: int, has_note: bool) -> None:  # noqa: ANN001
    widths = [6, 40, 14, *([16] * n_sources), *([60] if has_note else [])]
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
