"""The data-quality report as an Excel workbook a district officer can work through row by row."""

from __future__ import annotations

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from ntm_analysis.core.excel import append_row
from ntm_analysis.core.i18n import bilingual, message

_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_ERROR_FILL = PatternFill("solid", fgColor="F8CBAD")
_WARNING_FILL = PatternFill("solid", fgColor="FFF2CC")
_BANNER_FILL = PatternFill("solid", fgColor="FFC000")
# Table columns and their message (quality.column.*): "Tệp / File"; the problem and fix columns come in
# each language separately.
_PROBLEM_COLUMNS = {"file": "file", "sheet": "sheet", "row": "row", "column": "column", "value": "value",
                    "severity": "severity", "code": "code", "problem_vi": ("problem", "vi"),
                    "problem_en": ("problem", "en"), "fix_vi": ("fix", "vi"), "fix_en": ("fix", "en")}
_CHANGE_COLUMNS = {"file": "file", "sheet": "sheet", "row": "first_row", "column": "column", "rule": "rule",
                   "before": "before", "after": "after", "count": "cells"}
_KIND_COLUMNS = {"severity": "severity", "code": "code", "count": "count", "problem_vi": ("problem", "vi"),
                 "problem_en": ("problem", "en"), "fix_vi": ("fix", "vi"), "fix_en": ("fix", "en")}
MAX_LISTED_PROBLEMS = 20_000  # rows of the problems sheet; beyond, counted by kind (the CSV lists all)
_SUMMARY_ROWS = ("criteria_set", "files_read", "village_rows_read", "clean_villages", "village_rows_rejected",
                 "value_cells_read", "clean_values", "of_which_empty", "values_rejected", "errors", "warnings",
                 "cells_rewritten")


def __getattr__(name: str) -> str:
    # SYNTHETIC_BANNER ("DỮ LIỆU GIẢ LẬP — … / SYNTHETIC DATA — …") is looked up in the catalogues when asked
    # for (``from … import SYNTHETIC_BANNER`` asks), not when this module is imported
    if name == "SYNTHETIC_BANNER":
        return bilingual("quality.synthetic_banner")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _headers(columns: dict[str, str | tuple[str, str]]) -> dict[str, str]:
    """Column -> header cell, in ``columns``' order."""
    return {column: message(f"quality.column.{key[0]}", key[1]) if isinstance(key, tuple)
            else bilingual(f"quality.column.{key}") for column, key in columns.items()}


def quality_workbook(problems: pd.DataFrame, changes: pd.DataFrame, summary: dict,
                     max_listed: int = MAX_LISTED_PROBLEMS) -> Workbook:
    """Summary, problems (errors first, coloured) and rewrites, each sheet with a frozen header.

    Past ``max_listed`` problems the workbook lists the first ``max_listed`` (errors first) and adds a sheet
    counting every problem by kind; the full list stays in ``quality_problems.csv``.
    """
    book = Workbook()
    listed = problems.head(max_listed)
    _summary_sheet(book.active, summary, listed=len(listed) if len(listed) < len(problems) else None)
    _table_sheet(book.create_sheet(bilingual("quality.sheet.problems", " - ")), listed, _headers(_PROBLEM_COLUMNS),
                 colour_by="severity")
    if len(listed) < len(problems):
        _table_sheet(book.create_sheet(bilingual("quality.sheet.by_kind", " - ")), problems_by_kind(problems),
                     _headers(_KIND_COLUMNS), colour_by="severity")
    _table_sheet(book.create_sheet(bilingual("quality.sheet.changes", " - ")), changes, _headers(_CHANGE_COLUMNS))
    return book


def problems_by_kind(problems: pd.DataFrame) -> pd.DataFrame:
    """One row per problem code, in the problems' order: ``severity, code, count`` and the first problem's
    ``problem_vi, problem_en, fix_vi, fix_en``."""
    first = problems.drop_duplicates("code")
    counts = problems.groupby("code", sort=False).size()
    return first.assign(count=first["code"].map(counts))[list(_KIND_COLUMNS)].reset_index(drop=True)


def _summary_sheet(sheet, summary: dict, listed: int | None = None) -> None:  # noqa: ANN001 - openpyxl worksheet
    sheet.title = bilingual("quality.sheet.summary", " - ")
    rows = [(bilingual("quality.summary.title"), "")]
    if summary.get("synthetic"):
        rows.append((bilingual("quality.synthetic_banner"), ""))
    v, r, p = summary["values"], summary["village_rows"], summary["problems"]
    values = [summary["criteria_set"], len(summary["files"]), r["input"], r["clean"], r["rejected"], v["input"],
              v["clean"], v["clean_missing"], v["rejected"], p["error"], p["warning"], summary["changes"]]
    rows += [(("  " if key == "of_which_empty" else "") + bilingual(f"quality.summary.{key}"), value)
             for key, value in zip(_SUMMARY_ROWS, values)]
    if listed is not None:
        rows.append((bilingual("quality.summary.listed"), listed))
    for row in rows:
        append_row(sheet, row)
    sheet["A1"].font = Font(bold=True, size=14)
    if summary.get("synthetic"):
        sheet["A2"].font = Font(bold=True)
        sheet["A2"].fill = _BANNER_FILL
    sheet.column_dimensions["A"].width = 48
    sheet.column_dimensions["B"].width = 24


def _table_sheet(sheet, table: pd.DataFrame, headers: dict[str, str],  # noqa: ANN001 - openpyxl worksheet
                 colour_by: str | None = None) -> None:
    for cell in append_row(sheet, headers.values()):
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    fills = {"error": _ERROR_FILL, "warning": _WARNING_FILL}  # information rows stay plain
    for rec in table[list(headers)].astype(object).where(table[list(headers)].notna(), None).itertuples(index=False):
        cells = append_row(sheet, rec)  # each row in constant time (sheet[sheet.max_row] scanned every cell)
        fill = fills.get(getattr(rec, colour_by)) if colour_by else None
        if fill:
            for cell in cells:
                cell.fill = fill
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{len(table) + 1}"
    for i, column in enumerate(headers, start=1):
        width = 60 if column.startswith(("problem", "fix")) else 18
        sheet.column_dimensions[get_column_letter(i)].width = width


def quality_by_file(villages: pd.DataFrame, values: pd.DataFrame, rejected_values: pd.DataFrame,
                    problems: pd.DataFrame) -> pd.DataFrame:
    """One row per input file: what it gave and what it lost.

    Columns: ``file, communes`` (communes of the villages it describes), ``villages`` (clean village
    rows), ``values`` (clean value cells), ``empty`` (of which left empty), ``rejected`` (value cells
    left out), ``errors``, ``warnings``.
    """
    commune_of = dict(zip(villages["village_code"], villages["commune"]))
    communes = pd.concat([villages[["file", "commune"]],
                          values.assign(commune=values["village_code"].map(commune_of))[["file", "commune"]]])
    table = pd.DataFrame({
        "communes": communes.dropna().groupby("file")["commune"].agg(lambda s: ", ".join(sorted(set(s)))),
        "villages": villages.groupby("file").size(),
        "values": values.groupby("file").size(),
        "empty": values["value"].isna().groupby(values["file"]).sum(),
        "rejected": rejected_values.groupby("file").size(),
        "errors": problems[problems["severity"] == "error"].groupby("file").size(),
        "warnings": problems[problems["severity"] == "warning"].groupby("file").size(),
    })
    counts = ["villages", "values", "empty", "rejected", "errors", "warnings"]
    table[counts] = table[counts].fillna(0).astype("int64")
    table["communes"] = table["communes"].fillna("")
    return table.rename_axis("file").reset_index().sort_values("file", kind="stable").reset_index(drop=True)
