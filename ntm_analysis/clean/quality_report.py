"""The data-quality report as an Excel workbook a district officer can work through row by row."""

from __future__ import annotations

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

SYNTHETIC_BANNER = ("DỮ LIỆU GIẢ LẬP — không phải số liệu thật của địa phương / "
                    "SYNTHETIC DATA — not real figures of any locality")
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_ERROR_FILL = PatternFill("solid", fgColor="F8CBAD")
_WARNING_FILL = PatternFill("solid", fgColor="FFF2CC")
_BANNER_FILL = PatternFill("solid", fgColor="FFC000")
_PROBLEM_HEADERS = {
    "file": "Tệp / File", "sheet": "Trang / Sheet", "row": "Dòng / Row", "column": "Cột / Column",
    "value": "Giá trị / Value", "severity": "Mức / Severity", "code": "Mã lỗi / Code",
    "problem_vi": "Vấn đề", "problem_en": "Problem", "fix_vi": "Cách sửa", "fix_en": "How to fix",
}
_CHANGE_HEADERS = {
    "file": "Tệp / File", "sheet": "Trang / Sheet", "row": "Dòng đầu / First row", "column": "Cột / Column",
    "rule": "Quy tắc / Rule", "before": "Trước / Before", "after": "Sau / After", "count": "Số ô / Cells",
}


def quality_workbook(problems: pd.DataFrame, changes: pd.DataFrame, summary: dict) -> Workbook:
    """Summary, problems (errors first, coloured) and rewrites, each sheet with a frozen header."""
    book = Workbook()
    _summary_sheet(book.active, summary)
    _table_sheet(book.create_sheet("Vấn đề - Problems"), problems, _PROBLEM_HEADERS, colour_by="severity")
    _table_sheet(book.create_sheet("Thay đổi - Changes"), changes, _CHANGE_HEADERS)
    return book


def _summary_sheet(sheet, summary: dict) -> None:  # noqa: ANN001 - openpyxl worksheet
    sheet.title = "Tóm tắt - Summary"
    rows = [("Báo cáo chất lượng dữ liệu / Data-quality report", "")]
    if summary.get("synthetic"):
        rows.append((SYNTHETIC_BANNER, ""))
    v, r, p = summary["values"], summary["village_rows"], summary["problems"]
    rows += [
        ("Bộ tiêu chí / Criteria set", summary["criteria_set"]),
        ("Số tệp đã đọc / Files read", len(summary["files"])),
        ("Dòng làng đọc / Village rows read", r["input"]),
        ("Làng sạch / Clean villages", r["clean"]),
        ("Dòng làng bị loại / Village rows rejected", r["rejected"]),
        ("Ô giá trị đọc / Value cells read", v["input"]),
        ("Giá trị sạch / Clean values", v["clean"]),
        ("  trong đó để trống / of which empty", v["clean_missing"]),
        ("Giá trị bị loại / Values rejected", v["rejected"]),
        ("Lỗi / Errors", p["error"]),
        ("Cảnh báo / Warnings", p["warning"]),
        ("Ô được sửa tự động / Cells rewritten", summary["changes"]),
    ]
    for row in rows:
        sheet.append(list(row))
    sheet["A1"].font = Font(bold=True, size=14)
    if summary.get("synthetic"):
        sheet["A2"].font = Font(bold=True)
        sheet["A2"].fill = _BANNER_FILL
    sheet.column_dimensions["A"].width = 48
    sheet.column_dimensions["B"].width = 24


def _table_sheet(sheet, table: pd.DataFrame, headers: dict[str, str],  # noqa: ANN001 - openpyxl worksheet
                 colour_by: str | None = None) -> None:
    sheet.append([headers[c] for c in headers])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    fills = {"error": _ERROR_FILL, "warning": _WARNING_FILL}
    for rec in table[list(headers)].astype(object).where(table[list(headers)].notna(), None).itertuples(index=False):
        sheet.append(list(rec))
        if colour_by:
            fill = fills.get(getattr(rec, colour_by))
            if fill:
                for cell in sheet[sheet.max_row]:
                    cell.fill = fill
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{max(sheet.max_row, 1)}"
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
