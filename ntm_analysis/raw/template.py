"""The blank, annotated input workbook: the raw data contract as a file an office can fill in."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from ntm_analysis.reference.criteria import CriteriaSet
from ntm_analysis.raw.tables import HELP_SHEETS, raw_fields
from ntm_analysis.core.i18n import bilingual, messages
from ntm_analysis.core.excel import append_row, put
from ntm_analysis.core.storage import write_workbook

_REQUIRED_FILL = PatternFill("solid", fgColor="F8CBAD")
_OPTIONAL_FILL = PatternFill("solid", fgColor="DDEBF7")
VILLAGE_FIELDS = ["village_code", "village_name", "commune", "district", "province", "threshold_group",
                  "border_commune", "households", "population", "ethnic_minority_share", "commune_target_year",
                  "plan_category", "road_km", "lane_km", "livestock_households", "note"]
LONG_FIELDS = ["village_code", "year", "indicator", "value", "note"]
WIDE_ID_FIELDS = ["village_code", "village_name", "commune", "year"]


def write_template(path: Path, criteria: CriteriaSet, plan: dict) -> Path:
    """Write the template workbook for ``criteria`` to ``path`` (atomically); return the path."""
    fields = {f["name"]: f for f in raw_fields()}
    book = Workbook()
    guide = book.active
    guide.title, indicator_title = sorted(HELP_SHEETS)
    vi, en = messages("template.guide", "vi"), messages("template.guide", "en")  # title, how to, steps
    append_row(guide, [bilingual("template.guide.title"), ""])
    for key in list(vi)[1:]:
        append_row(guide, [vi[key], en[key]])
    guide["A1"].font = Font(bold=True, size=13)
    guide.column_dimensions["A"].width = 90
    guide.column_dimensions["B"].width = 90

    villages = book.create_sheet("Danh sách làng")
    _header(villages, [fields[n] for n in VILLAGE_FIELDS])
    _validations(villages, criteria, plan)

    long_sheet = book.create_sheet("Số liệu dọc")
    _header(long_sheet, [fields[n] for n in LONG_FIELDS])

    wide = book.create_sheet("Số liệu ngang")
    _header(wide, [fields[n] for n in WIDE_ID_FIELDS])
    for indicator in criteria.indicators:
        column = wide.max_column + 1
        cell = put(wide, 1, column, indicator.code)
        cell.font, cell.fill = Font(bold=True), _OPTIONAL_FILL
        cell.comment = Comment(_indicator_note(indicator, criteria), "ntm-analysis", width=320, height=160)
        wide.column_dimensions[get_column_letter(column)].width = 9

    table = book.create_sheet(indicator_title)
    columns = ["code", "criterion_vi", "name_vi", "name_en", "unit", "direction", "group", "threshold", "provenance"]
    indicators = criteria.indicator_table()[columns]
    append_row(table, columns)
    for rec in indicators.itertuples(index=False):
        append_row(table, rec)
    table.freeze_panes = "A2"
    return write_workbook(book, path)


def _header(sheet, specs: list[dict]) -> None:  # noqa: ANN001 - openpyxl worksheet
    """Header row: Vietnamese name (first alias), ``*`` when required, the help as a cell comment."""
    for column, spec in enumerate(specs, start=1):
        title = spec["aliases"][0].capitalize() + ("*" if spec["required"] else "")
        cell = put(sheet, 1, column, title)
        cell.font = Font(bold=True)
        cell.fill = _REQUIRED_FILL if spec["required"] else _OPTIONAL_FILL
        cell.alignment = Alignment(wrap_text=True)
        cell.comment = Comment(f"{spec['help_vi']}\n\n{spec['help_en']}", "ntm-analysis", width=320, height=140)
        sheet.column_dimensions[get_column_letter(column)].width = 18
        if spec["type"] == "code":  # keep leading zeros
            for row in range(2, 1002):
                sheet.cell(row=row, column=column).number_format = "@"
    sheet.freeze_panes = "A2"


def _validations(sheet, criteria: CriteriaSet, plan: dict) -> None:  # noqa: ANN001 - openpyxl worksheet
    """Drop-down lists for the yes/no, category and group columns of the villages sheet."""
    lists = {
        "border_commune": ["có", "không"],
        "plan_category": [c["name_vi"] for c in plan["categories"]],
        "threshold_group": [g.id for g in criteria.groups],
    }
    for name, options in lists.items():
        column = get_column_letter(VILLAGE_FIELDS.index(name) + 1)
        check = DataValidation(type="list", formula1='"' + ",".join(options) + '"', allow_blank=True)
        check.add(f"{column}2:{column}1001")
        sheet.add_data_validation(check)


def _indicator_note(indicator, criteria: CriteriaSet) -> str:  # noqa: ANN001 - an Indicator
    thresholds = ", ".join(f"{g}: {indicator.direction} {v}" for g, v in indicator.thresholds.items())
    unit, threshold, provenance = (bilingual(f"template.note.{key}") for key in ("unit", "threshold", "provenance"))
    return (f"{indicator.name_vi}\n{indicator.name_en}\n{unit}: {indicator.unit}\n"
            f"{threshold} ({criteria.id}): {thresholds}\n{provenance}: {indicator.provenance}")
