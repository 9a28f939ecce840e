"""The district's Excel summary ("biểu tổng hợp") of one year's scores, and the village status table.

:func:`summary_workbook` builds the workbook offices use: a district "Tổng hợp" sheet with counts per
commune, one sheet per commune with every village's result per criterion ("Đạt" / "Chưa đạt" / "Chưa có
số liệu"), "x/N" (N: the set's criteria) and whether it meets the standard, the criteria set and
missing-data policy stated in a footer row, and the thresholds still to be verified on a last sheet. Under
a set that applies to communes only (``applies_to: [commune]``) the units are communes, and the sheets say
so. Save it with
:func:`ntm_analysis.core.storage.write_workbook` (byte-stable).

:func:`status_table` is the same information per village as a frame for the notebooks;
:func:`select_commune` picks one commune's villages by a diacritic- and case-insensitive name.
"""

from __future__ import annotations


import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from ntm_analysis.reference.admin_units import area_words
from ntm_analysis.reference.plan import category_names
from ntm_analysis.reference.criteria import CriteriaSet
from ntm_analysis.clean.quality_report import SYNTHETIC_BANNER
from ntm_analysis.core.excel import append_row, put, sheet_title
from ntm_analysis.core.i18n import messages
from ntm_analysis.score.scoring import Scores
from ntm_analysis.core.vietnamese import fold

FILLS = {"pass": PatternFill("solid", fgColor="C6EFCE"), "fail": PatternFill("solid", fgColor="FFC7CE"),
         "incomplete": PatternFill("solid", fgColor="D9D9D9")}
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_BANNER_FILL = PatternFill("solid", fgColor="FFC000")


def select_commune(villages: pd.DataFrame, commune: str = "") -> pd.DataFrame:
    """The villages of ``commune`` (matched ignoring case, diacritics and spacing), or all when empty.

    "ia krai", "IA KRÁI" and "Ia  Krái" all select "Ia Krái". Raises ``ValueError`` naming the
    communes present when none matches.
    """
    if not str(commune).strip():
        return villages.copy()
    folded = villages["commune"].astype(object).map(lambda c: fold(str(c)) if pd.notna(c) else "")
    key = fold(str(commune))
    chosen = villages[folded == key]
    for prefix in ("xa ", "thi tran "):  # "Xã Ia O", "Thị trấn Ia Kha"
        if chosen.empty and key.startswith(prefix):
            chosen = villages[folded == key.removeprefix(prefix)]
    if chosen.empty:
        known = ", ".join(sorted(villages["commune"].dropna().unique(), key=lambda c: fold(str(c))))
        raise ValueError(f"commune {commune!r} not found among the villages' communes: {known}")
    return chosen.copy()


def status_table(status: pd.DataFrame, villages: pd.DataFrame, year: int, plan: dict, lang: str = "vi") -> pd.DataFrame:
    """One row per village of ``villages`` assessed in ``year``: commune, code, name, plan category,
    "x/N", meets the standard (yes/no), the criteria not met and the distance to the standard;
    headers in ``lang``.

    ``status``: ``Scores.villages``; ``villages``: ``village_code, village_name, commune, plan_category``.
    Rows by commune (alphabetical), then criteria met (descending), then distance.
    """
    t = messages("summary", lang)
    rows = status[status["year"] == year].merge(
        villages[["village_code", "village_name", "commune", "plan_category"]], on="village_code", how="inner")
    categories = category_names(lang, plan)
    rows = rows.assign(
        commune_key=rows["commune"].astype(object).map(lambda c: fold(str(c)) if pd.notna(c) else "~"),
        category=rows["plan_category"].astype(object).map(categories),
        meets=rows["meets_standard"].map({True: t["yes"], False: t["no"]}),
        distance=rows["distance_to_standard"].round(3),
    ).sort_values(["commune_key", "criteria_met", "distance_to_standard", "village_code"],
                  ascending=[True, False, True, True], kind="stable")
    columns = {"commune": t["commune"], "village_code": t["code"], "village_name": t["name"],
               "category": t["category"], "met_label": t["met"], "meets": t["meets"],
               f"missing_criteria_{lang}": t["missing"], "distance": t["distance"]}
    return rows[list(columns)].rename(columns=columns).reset_index(drop=True)


def summary_workbook(scores: Scores, villages: pd.DataFrame, criteria: CriteriaSet, year: int, lang: str = "vi",
                     synthetic: bool = False, *, area: str) -> Workbook:
    """The "biểu tổng hợp" for ``year``: a summary of the whole ``area`` (a level of ``AREA_LEVELS``:
    the district's, a commune's …), one sheet per commune, unverified thresholds.

    ``scores`` must come from ``criteria``; ``villages``: ``village_code, village_name, commune``.
    Every village of a commune is listed; one without data for ``year`` is shown as not assessed.
    """
    if scores.criteria_set != criteria.id:
        raise ValueError(f"scores are under criteria set {scores.criteria_set!r}, not {criteria.id!r}")
    t = _words(criteria, lang)
    footer = t["footer"].format(name=getattr(criteria, f"name_{lang}"), id=criteria.id,
                                instrument=criteria.instrument, policy=t[scores.policy])
    crit = scores.criteria[scores.criteria["year"] == year]
    status = scores.villages[scores.villages["year"] == year].set_index("village_code")
    communes = sorted(villages["commune"].dropna().unique(), key=lambda c: (fold(str(c)), str(c)))
    book = Workbook()
    taken: set[str] = set()
    summary = book.active
    summary.title = sheet_title(t["summary_sheet"], taken)
    _summary_sheet(summary, villages, status, communes, year, t, synthetic, footer, area_words(area, lang))
    for commune in communes:
        sheet = book.create_sheet(sheet_title(str(commune), taken))
        members = villages[villages["commune"] == commune].sort_values("village_code", kind="stable")
        _commune_sheet(sheet, commune, members, crit, status, criteria, year, lang, synthetic, footer)
    _unverified_sheet(book.create_sheet(sheet_title(t["unverified_sheet"], taken)), criteria, lang)
    return book


def _words(criteria: CriteriaSet, lang: str) -> dict[str, str]:
    """The workbook's words in ``lang``: of villages, or of communes (``summary.commune_set``) under a set
    that applies to communes only."""
    words = messages("summary", lang)
    return words if "village" in criteria.applies_to else {**words, **messages("summary.commune_set", lang)}


def _heading(sheet, title: str, width: int, synthetic: bool) -> int:  # noqa: ANN001 - openpyxl worksheet
    """Title row (and synthetic banner row); returns the next free row."""
    put(sheet, 1, 1, title)
    sheet.cell(1, 1).font = Font(bold=True, size=13)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=max(width, 1))
    row = 2
    if synthetic:
        put(sheet, 2, 1, SYNTHETIC_BANNER)
        sheet.cell(2, 1).font = Font(bold=True)
        for col in range(1, max(width, 1) + 1):
            sheet.cell(2, col).fill = _BANNER_FILL
        sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=max(width, 1))
        row = 3
    return row + 1  # one blank row before the table


def _header_row(sheet, row: int, headers: list[str]) -> None:  # noqa: ANN001 - openpyxl worksheet
    for col, text in enumerate(headers, start=1):
        cell = put(sheet, row, col, text)
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")


def _footer(sheet, text: str) -> None:  # noqa: ANN001 - openpyxl worksheet
    row = sheet.max_row + 2
    put(sheet, row, 1, text).font = Font(italic=True)


def _summary_sheet(sheet, villages: pd.DataFrame, status: pd.DataFrame, communes: list[str],  # noqa: ANN001
                   year: int, t: dict, synthetic: bool, footer: str, words: dict[str, str]) -> None:
    headers = [t["number"], t["commune"], t["villages"], t["assessed"].format(year=year), t["meeting"],
               t["not_meeting"], t["share"], t["mean_met"], t["with_gaps"]]
    start = _heading(sheet, t["title"].format(year=year, unit=t["district_unit"].format(**words)), len(headers), synthetic)
    _header_row(sheet, start, headers)
    commune_of = villages.set_index("village_code")["commune"]
    assessed = status.assign(commune=status.index.map(commune_of))
    for i, commune in enumerate(communes, start=1):
        counts = _counts(villages[villages["commune"] == commune], assessed[assessed["commune"] == commune])
        append_row(sheet, [i, commune, *counts])
    all_counts = _counts(villages, assessed[assessed["commune"].isin(communes)])
    for cell in append_row(sheet, ["", t["total"].format(**words), *all_counts]):
        cell.font = Font(bold=True)
    sheet.freeze_panes = sheet.cell(start + 1, 3).coordinate
    widths = [6, 18, 10, 16, 14, 14, 14, 14, 14]
    for col, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(col)].width = width
    sheet.row_dimensions[start].height = 45
    _footer(sheet, footer)


def _counts(members: pd.DataFrame, assessed: pd.DataFrame) -> list:
    """villages, assessed, meeting, not meeting, share meeting %, mean criteria met, villages with gaps."""
    n_assessed = len(assessed)
    meeting = int(assessed["meets_standard"].sum())
    return [len(members), n_assessed, meeting, n_assessed - meeting,
            round(100 * meeting / n_assessed, 1) if n_assessed else None,
            round(float(assessed["criteria_met"].mean()), 1) if n_assessed else None,
            int((assessed["criteria_incomplete"] > 0).sum())]


def _commune_sheet(sheet, commune: str, members: pd.DataFrame, crit: pd.DataFrame,  # noqa: ANN001
                   status: pd.DataFrame, criteria: CriteriaSet, year: int, lang: str, synthetic: bool,
                   footer: str) -> None:
    t, words = _words(criteria, lang), messages("summary.status", lang)
    numbers = [c.number for c in criteria.criteria]
    headers = [t["number"], t["code"], t["name"],
               *[f"{c.number}. {getattr(c, f'name_{lang}')}" for c in criteria.criteria],
               t["met"], t["meets"], t["missing"]]
    # "XÃ IA O", "THỊ TRẤN IA KHA"; the villages table says which (from the commune list): summary.commune_unit.xa …
    kinds = members["commune_type"].dropna() if "commune_type" in members else pd.Series(dtype=str)
    kind = fold(str(kinds.iloc[0])).replace(" ", "_") if len(kinds) else "xa"
    unit = t.get(f"commune_unit.{kind}", t["commune_unit.xa"]).format(commune=str(commune).upper())
    start = _heading(sheet, t["title"].format(year=year, unit=unit), len(headers), synthetic)
    _header_row(sheet, start, headers)
    by_village = crit.set_index(["village_code", "criterion"])["status"]
    for i, village in enumerate(members.itertuples(index=False), start=1):
        code = village.village_code
        assessed = code in status.index
        states = [by_village.get((code, n), "incomplete") if assessed else "incomplete" for n in numbers]
        if assessed:
            row_status = status.loc[code]
            tail = [row_status["met_label"], t["yes"] if row_status["meets_standard"] else t["no"],
                    row_status[f"missing_criteria_{lang}"]]
        else:
            tail = [t["not_assessed"], t["not_assessed"], ""]
        row = append_row(sheet, [i, code, village.village_name, *[words[s] for s in states], *tail])[0].row
        for col, state in enumerate(states, start=4):
            sheet.cell(row, col).fill = FILLS[state]
            sheet.cell(row, col).alignment = Alignment(horizontal="center")
        if assessed:
            sheet.cell(row, 4 + len(numbers) + 1).fill = FILLS["pass" if row_status["meets_standard"] else "fail"]
    sheet.freeze_panes = sheet.cell(start + 1, 4).coordinate
    sheet.row_dimensions[start].height = 75
    for col, width in enumerate([5, 10, 24, *[12] * len(numbers), 10, 10, 40], start=1):
        sheet.column_dimensions[get_column_letter(col)].width = width
    _footer(sheet, footer)


def _threshold_text(row: pd.Series, t: dict) -> str:
    if row["unit"] == "boolean":
        return t["yes"]
    unit = "" if row["unit"] == "count" else t.get(f"units.{row['unit']}", row["unit"])  # a count has no unit
    return f"{row['direction']} {row['threshold']:g} {unit}".strip()


def _unverified_sheet(sheet, criteria: CriteriaSet, lang: str) -> None:  # noqa: ANN001 - openpyxl worksheet
    t = _words(criteria, lang)
    table = criteria.unverified()
    headers = [t["u_criterion"], t["u_code"], t["u_indicator"], t["u_group"], t["u_threshold"],
               t["u_provenance"], t["u_note"]]
    put(sheet, 1, 1, t["unverified_title"].format(id=criteria.id)).font = Font(bold=True, size=13)
    put(sheet, 2, 1, t["unverified_note"])
    _header_row(sheet, 4, headers)
    groups = {g.id: getattr(g, f"name_{lang}") for g in criteria.groups}
    for rec in table.itertuples(index=False):
        row = pd.Series(rec._asdict())
        append_row(sheet, [f"{row['criterion']}. {row[f'criterion_{lang}']}", row["code"], row[f"name_{lang}"],
                      groups.get(row["group"], row["group"]), _threshold_text(row, t), row["provenance"],
                      row["provenance_note"] or ""])
    if table.empty:
        append_row(sheet, [t["none_unverified"]])
    sheet.freeze_panes = "A5"
    for col, width in enumerate([30, 12, 50, 24, 22, 14, 40], start=1):
        sheet.column_dimensions[get_column_letter(col)].width = width
