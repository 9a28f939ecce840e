"""Hostile cells (formula injection, controls, mathtext, HTML, a 1 MB cell) through reading, cleaning and
every writer: no live formula, no unescaped markup, nothing lost, nothing crashing."""

from __future__ import annotations

import csv
import html
import shutil
import zipfile
from pathlib import Path

import matplotlib.pyplot as plt
import mistune
import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from IPython.display import Markdown

from ntm_analysis.clean.quality_report import quality_workbook
from ntm_analysis.config import RAW_DIR
from ntm_analysis.core.excel import (FORMULA_PREFIXES, MAX_CELL_CHARS, append_row, csv_safe, csv_text, csv_unsafe,
                                     escape_controls, looks_like_formula, set_value, sheet_title)
from ntm_analysis.core.storage import read_csv, write_csv, write_workbook
from ntm_analysis.pipeline import baseline_year, run_costs, run_schedule, run_score, write_annex, write_summary
from tests.conftest import clean_into, settings_for

INJECTIONS = ['=HYPERLINK("http://x","click")', "=cmd|' /C calc'!A0", "+1+1", "-1+1", "@SUM(A1)"]
HTML_NAMES = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "[x](javascript:alert(1))"]
MATH_NAME = "Làng $x^2$ {b}"
CONTROL_NAMES = ["Làng\x00Nul", "Làng\x07Chuông\x1b"]
BIG_NOTE = "Ghi chú " + "x" * (1 << 20)  # a 1 MB cell
COMMUNE = "Ia Sao"
csv.field_size_limit(1 << 24)  # the 1 MB cell


def _hostile_raw(folder: Path) -> Path:
    """The shipped sample plus a villages CSV and a villages workbook of hostile names in :data:`COMMUNE`."""
    shutil.copytree(RAW_DIR, folder)
    rows = [["Mã làng", "Tên làng", "Xã", "Số hộ", "Ghi chú"]]
    names = [*CONTROL_NAMES, "\t=1+2", "\r=1+2", MATH_NAME]
    rows += [[f"99{i:02d}", name, COMMUNE, 100, BIG_NOTE if i == 0 else ""] for i, name in enumerate(names)]
    with open(folder / "lang-them.csv", "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    book = openpyxl.Workbook()
    sheet = book.active
    append_row(sheet, ["Mã làng", "Tên làng", "Xã", "Số hộ", "Ghi chú"])
    for i, name in enumerate([*INJECTIONS, *HTML_NAMES], start=50):
        append_row(sheet, [f"99{i:02d}", name, COMMUNE, "=cmd|' /C calc'!A0" if i == 50 else 90, HTML_NAMES[i % 3]])
    append_row(sheet, ["9990", "Làng X", HTML_NAMES[0], 90, ""])  # an unknown commune: rejected, reported
    book.save(folder / "lang-them-2.xlsx")
    return folder


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The hostile folder cleaned, scored, costed and scheduled: (processed, reports)."""
    base = tmp_path_factory.mktemp("hostile")
    raw, processed, reports = _hostile_raw(base / "raw"), base / "processed", base / "reports"
    clean_into(raw, processed, reports=reports)
    run = settings_for(raw, processed, reports=reports)
    scores = run_score(run)
    write_summary(run, scores, None, synthetic=True)
    write_annex(run, run_costs(run), baseline_year(run, scores), synthetic=True)
    run_schedule(run)
    return processed, reports


def _xlsx_cells(path: Path) -> list[openpyxl.cell.Cell]:
    book = openpyxl.load_workbook(path)
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]


def _no_formula(path: Path) -> list[str]:
    """Every text of ``path``; fails when a cell is a formula (``<f>`` in the sheet XML or data type "f")."""
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name), (path, name)
    cells = _xlsx_cells(path)
    assert not [c.coordinate for c in cells if c.data_type == "f"], path
    return [c.value for c in cells if isinstance(c.value, str)]


def test_hostile_names_come_out_as_text_in_every_workbook(hostile_run):
    processed, reports = hostile_run
    books = sorted([*processed.glob("*.xlsx"), *reports.rglob("*.xlsx")])
    assert {p.name for p in books} >= {"quality_report.xlsx"} and len(books) >= 3
    texts = {p.name: _no_formula(p) for p in books}
    every = [t for values in texts.values() for t in values]
    for name in INJECTIONS:  # shown as typed, as text
        assert name in every, name
    summary = next(v for k, v in texts.items() if k.startswith("bieu-tong-hop"))
    assert "=HYPERLINK(\"http://x\",\"click\")" in summary and MATH_NAME in summary
    quality = texts["quality_report.xlsx"]
    assert "=cmd|' /C calc'!A0" in quality  # the bad households cell, reported with its value
    assert any("\\x00" in t for t in quality)  # the removed NUL shown in the changes sheet


def test_csv_outputs_are_neutralised_and_read_back_as_written(hostile_run):
    processed, _ = hostile_run
    for path in processed.glob("*.csv"):
        with open(path, encoding="utf-8-sig", newline="") as handle:
            for row in csv.reader(handle):
                for cell in row:
                    assert not looks_like_formula(cell), (path.name, cell[:60])
    villages = pd.read_parquet(processed / "villages.parquet")
    names = set(villages["village_name"])
    assert set(INJECTIONS) | set(HTML_NAMES) | {MATH_NAME, "=1+2", "LàngNul", "LàngChuông"} <= names
    assert not villages["village_name"].str.contains("[\x00-\x08\x0b\x0c\x0e-\x1f]").any()
    raw_csv = (processed / "villages.csv").read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in raw_csv and "'@SUM(A1)" in raw_csv and BIG_NOTE in raw_csv  # the 1 MB cell whole
    changes = read_csv(processed / "quality_changes.csv")
    removed = changes[changes["rule"] == "control_characters_removed"]
    assert set(removed["before"]) >= {"Làng\\x00Nul", "Làng\\x07Chuông\\x1b"}
    assert set(removed["after"]) >= {"LàngNul", "LàngChuông"} and set(removed["file"]) == {"lang-them.csv"}
    problems = read_csv(processed / "quality_problems.csv")
    assert "=cmd|' /C calc'!A0" in set(problems["value"])  # read back as it was, apostrophe taken off


def test_every_name_figure_survives_mathtext(tmp_path, plan):
    """Each figure that shows names from the data, on hand-made frames named with ``$…$``."""
    from ntm_analysis.figures import costs, schedule, scores

    name = MATH_NAME
    villages = pd.DataFrame({"village_code": ["01", "02"], "village_name": [name, "B"], "commune": [name, "$C"]})
    crit = pd.DataFrame({"village_code": ["01", "01", "02", "02"], "year": 2025, "criterion": [1, 2, 1, 2],
                         "criterion_vi": [name, "Điện $1"] * 2, "criterion_en": ["a", "b"] * 2,
                         "status": ["pass", "fail", "incomplete", "pass"], "met": [True, False, False, True]})
    status = pd.DataFrame({"village_code": ["01", "02"], "year": 2025, "meets_standard": [True, False],
                           "criteria_met": [19, 17], "criteria_failed": [0, 2], "criteria_incomplete": [0, 0],
                           "policy": "missing_fails", "distance_to_standard": [0.0, 0.2]})
    village_costs = pd.DataFrame({"village_code": ["01", "02"], "village_name": [name, "B"], "commune": [name, "$C"],
                                  "central_vnd": [10**9, 2 * 10**9], "low_vnd": [5 * 10**8, 10**9],
                                  "high_vnd": [2 * 10**9, 3 * 10**9]})
    sched = pd.DataFrame({"village_code": ["01", "02"], "village_name": [name, "B"], "commune": [name, "$C"],
                          "plan_category": ["other", "border"], "year": [2023, 2024]})
    drawn = []
    for make in (lambda: scores.criteria_heatmap_figure(crit, villages, year=2025),
                 lambda: scores.distance_figure(status, villages, year=2025),
                 lambda: scores.commune_multiples_figure(status, villages),
                 lambda: costs.village_cost_figure(village_costs),
                 lambda: schedule.schedule_chart_figure(sched, plan=plan)):
        fig = make()
        scores.save_figure(fig, tmp_path / f"f{len(drawn)}.png")  # drawing parses every text
        # what is drawn: the text after matplotlib's mathtext step, and whether it was read as math
        drawn.append([t._preprocess_math(t.get_text()) for t in fig.findobj(plt.Text) if "x^2" in t.get_text()])
        plt.close(fig)
    assert len(drawn) == 5 and all(drawn)
    assert all(shown.count("$") >= 2 and math is False for texts in drawn for shown, math in texts)


def test_report_sections_escape_markup_from_the_data(hostile_run):
    from ntm_analysis.reports import content as rc
    from ntm_analysis.reports.results import district_results

    processed, reports = hostile_run
    results = district_results(settings_for(processed=processed), 2025)
    scope = results.villages[results.villages["commune"] == COMMUNE]
    book = rc.write_report_workbook(results, scope, reports / "commune.xlsx")  # the commune report's workbook
    assert set(INJECTIONS) | set(HTML_NAMES) <= set(_no_formula(book))
    outputs = [rc.header(results, scope), rc.status_summary(results, scope), *rc.quality_section(results, scope),
               rc.table(scope[["village_code", "village_name", "commune", "note"]])]
    # Markdown rendered as nbconvert renders it (mistune), HTML as it is
    page = "\n".join(mistune.html(o.data) if isinstance(o, Markdown) else o.data for o in outputs)
    assert "<script" not in page and "<img" not in page and 'href="javascript' not in page
    for name in HTML_NAMES:
        assert html.escape(name, quote=False) in page or html.escape(name) in page, name  # shown as typed
    for name in HTML_NAMES:
        rendered = mistune.html(rc.md_escape(name))
        assert rendered.strip() == f"<p>{html.escape(name, quote=False)}</p>", rendered


# ---------------------------------------------------------------- the helpers, one rule each


HOSTILE = [*INJECTIONS, "\t=1", "\r=1", "=", "-", "x\x00y", "\x1f", "\ud800", "\uffff", BIG_NOTE]


def test_set_value_never_makes_a_formula_and_keeps_the_text(tmp_path):
    book = openpyxl.Workbook()
    for row, value in enumerate(HOSTILE, start=1):
        set_value(book.active.cell(row=row, column=1), value)
    path = write_workbook(book, tmp_path / "h.xlsx")
    texts = _no_formula(path)
    assert texts[:5] == INJECTIONS and "x\\x00y" in texts and "\\x1f" in texts
    assert len(texts[-1]) == MAX_CELL_CHARS and texts[-1].endswith("…")  # Excel's limit, visibly cut
    quoted = [c.quotePrefix for c in _xlsx_cells(path)[:5]]
    assert all(quoted)


def test_csv_cells_get_an_apostrophe_except_true_numbers(tmp_path):
    frame = pd.DataFrame({"text": [*INJECTIONS, "-5", "+3,5", "-1.234,5", "1e-3", "'=x", "Làng A"],
                          "number": range(11)})
    frame.loc[0, "number"] = -7
    path = write_csv(frame, tmp_path / "t.csv")
    written = pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert written["text"].tolist() == [*("'" + s for s in INJECTIONS), "-5", "+3,5", "-1.234,5", "1e-3", "''=x",
                                        "Làng A"]
    assert written["number"][0] == "-7"
    assert read_csv(path)["text"].tolist() == frame["text"].tolist()


def test_sheet_titles_from_data_are_safe():
    taken: set[str] = set()
    assert sheet_title("=a/b[c]:d*e?f\\g\x00", taken) == "=a-b-c--d-e-f-g"
    assert sheet_title("=A/B[C]:D*E?F\\G", taken) == "=A-B-C--D-E-F-G (2)"
    assert sheet_title("'  '") == "Sheet" and len(sheet_title("x" * 100)) == 31


def test_quality_workbook_of_150000_problems_is_summarised_by_kind():
    n = 30_000
    problems = pd.DataFrame({"file": "a.xlsx", "sheet": "S", "row": pd.array(range(n), dtype="Int64"), "column": "B",
                             "value": "=1+1", "severity": ["error"] * 10 + ["warning"] * (n - 10),
                             "code": ["bad"] * 10 + ["odd"] * (n - 10), "problem_vi": "v", "problem_en": "e",
                             "fix_vi": "f", "fix_en": "g"})
    changes = pd.DataFrame(columns=["file", "sheet", "row", "column", "rule", "before", "after", "count"])
    summary = {"criteria_set": "x", "files": [], "village_rows": {"input": 0, "clean": 0, "rejected": 0},
               "values": {"input": n, "clean": 0, "clean_missing": 0, "rejected": n},
               "problems": {"error": 10, "warning": n - 10}, "changes": 0}
    book = quality_workbook(problems, changes, summary, max_listed=1000)
    listed, by_kind = book.worksheets[1], book.worksheets[2]
    assert listed.max_row == 1001 and by_kind.max_row == 3
    assert [c.value for c in by_kind[3]][:3] == ["warning", "odd", n - 10]
    assert book.worksheets[0].cell(book.worksheets[0].max_row, 2).value == 1000
    assert all(c.data_type == "s" for c in listed["E"][1:])


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=0, max_size=60))
def test_no_text_makes_a_formula_or_an_error(text):
    cell = openpyxl.Workbook().active.cell(row=1, column=1)
    set_value(cell, text)
    assert cell.data_type != "f" and cell.value == escape_controls(text)
    safe = csv_text(text)
    written = escape_controls(text).replace("\r\n", "\n").replace("\r", "\n")
    assert not looks_like_formula(safe) and csv_unsafe(safe) == written
    assert csv_safe(pd.DataFrame({"a": [text]}))["a"][0] == safe
    openpyxl.Workbook().create_sheet(sheet_title(text))  # never a title openpyxl refuses
    if text.startswith(FORMULA_PREFIXES) and looks_like_formula(text):
        assert safe.startswith("'")
