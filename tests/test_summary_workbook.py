"""The "biểu tổng hợp" workbook, the status table and commune selection, on hand-made scores.

Ia Krái: a meets every criterion; b fails transport (2.1) and has no health data (15.1).
Ia O: c fails housing (9.2) and income (10); d has no data for the year (not assessed).
"""

import numpy as np
import openpyxl
import pandas as pd
import pytest

from ntm_analysis.reference.plan import load_plan
from ntm_analysis.clean.quality_report import SYNTHETIC_BANNER
from ntm_analysis.score.scoring import score_villages
from ntm_analysis.core.storage import write_workbook
from ntm_analysis.core.excel import MAX_SHEET_TITLE
from ntm_analysis.score.summary_workbook import (select_commune, status_table, summary_workbook)

YEAR = 2023
VILLAGES = pd.DataFrame({
    "village_code": ["a", "b", "c", "d"], "village_name": ["Làng Plei Mơ", "Làng Đê Hra", "Làng Kép", "Làng Ốp"],
    "commune": ["Ia Krái", "Ia Krái", "Ia O", "Ia O"],
    "plan_category": ["commune_linked", "other", "border", "border"], "threshold_group": ["1", "1", "1", "2"]})
STATUS_VI = {"pass": "Đạt", "fail": "Chưa đạt", "incomplete": "Chưa có số liệu"}
STATUS_EN = {"pass": "Met", "fail": "Not met", "incomplete": "No data"}
FILL = {"pass": "C6EFCE", "fail": "FFC7CE", "incomplete": "D9D9D9"}


def _values(criteria) -> pd.DataFrame:
    special = {("b", "2.1"): 50.0, ("b", "15.1"): np.nan, ("c", "9.2"): 50.0, ("c", "10"): 30.0}
    rows = []
    for village in "abc":
        for ind in criteria.indicators:
            passing = 1.0 if ind.kind == "boolean" else (100.0 if ind.direction == ">=" else 0.0)
            rows.append((village, YEAR, ind.code, special.get((village, ind.code), passing)))
    rows.append(("d", YEAR - 1, "2.1", 80.0))  # d was assessed the year before only
    return pd.DataFrame(rows, columns=["village_code", "year", "indicator_code", "value"])


@pytest.fixture(scope="module")
def scores(criteria):
    return score_villages(_values(criteria), VILLAGES, criteria)


@pytest.fixture(scope="module")
def book(scores, criteria):
    return summary_workbook(scores, VILLAGES, criteria, YEAR, synthetic=True, area="district")


def _rows(sheet) -> list[list]:
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def _table(sheet, first_header: str) -> tuple[int, list[str], list[list]]:
    """(header row number, headers, the data rows up to the first empty row) of a sheet."""
    rows = _rows(sheet)
    start = next(i for i, r in enumerate(rows) if r[0] == first_header)
    body = []
    for r in rows[start + 1:]:
        if all(v is None for v in r):
            break
        body.append(r)
    return start + 1, rows[start], body


def test_one_sheet_per_commune_between_the_summary_and_the_unverified_list(book):
    assert book.sheetnames == ["Tổng hợp", "Ia Krái", "Ia O", "Ngưỡng chưa xác minh"]


def test_commune_sheet_cells_match_the_scores(book, scores, criteria):
    sheet = book["Ia Krái"]
    assert sheet["A1"].value == ("BIỂU TỔNG HỢP KẾT QUẢ THỰC HIỆN BỘ TIÊU CHÍ LÀNG NÔNG THÔN MỚI NĂM 2023 — "
                                 "XÃ IA KRÁI")
    assert sheet["A2"].value == SYNTHETIC_BANNER
    header_row, headers, body = _table(sheet, "STT")
    assert headers[:5] == ["STT", "Mã làng", "Tên làng", "1. Quy hoạch", "2. Giao thông"]
    assert headers[-3:] == ["Số tiêu chí đạt", "Đạt chuẩn", "Tiêu chí chưa đạt"]
    assert [r[1] for r in body] == ["a", "b"]
    crit = scores.criteria[scores.criteria["year"] == YEAR].set_index(["village_code", "criterion"])["status"]
    status = scores.villages[scores.villages["year"] == YEAR].set_index("village_code")
    for offset, row in enumerate(body):
        code = row[1]
        for j, c in enumerate(criteria.criteria):
            state = crit[(code, c.number)]
            assert row[3 + j] == STATUS_VI[state], (code, c.number)
            assert sheet.cell(header_row + 1 + offset, 4 + j).fill.fgColor.rgb.endswith(FILL[state])
        assert row[3 + len(criteria.criteria)] == status.loc[code, "met_label"]
    b = body[1]
    assert (b[4], b[17], b[-3], b[-2], b[-1]) == ("Chưa đạt", "Chưa có số liệu", "17/19", "Không", "Giao thông; Y tế")
    assert body[0][-3:-1] == ["19/19", "Có"]
    assert sheet.freeze_panes == f"D{header_row + 1}"
    assert all(sheet.cell(header_row, col).font.bold for col in range(1, len(headers) + 1))


def test_a_township_is_titled_as_one(criteria):
    villages = VILLAGES.assign(commune=VILLAGES["commune"].replace({"Ia O": "Ia Kha"}),
                               commune_type=VILLAGES["commune"].map({"Ia O": "thị trấn", "Ia Krái": "xã"}))
    book = summary_workbook(score_villages(_values(criteria), villages, criteria), villages, criteria, YEAR, area="district")
    assert book["Ia Kha"]["A1"].value.endswith("— THỊ TRẤN IA KHA")
    english = summary_workbook(score_villages(_values(criteria), villages, criteria), villages, criteria, YEAR,
                               lang="en", area="district")
    assert english["Ia Kha"]["A1"].value.endswith("— TOWNSHIP IA KHA")
    assert book["Ia Krái"]["A1"].value.endswith("— XÃ IA KRÁI")


def test_village_without_data_for_the_year_is_listed_as_not_assessed(book):
    _, _, body = _table(book["Ia O"], "STT")
    assert [r[1] for r in body] == ["c", "d"]
    c, d = body
    assert (c[11], c[12], c[-3], c[-2]) == ("Chưa đạt", "Chưa đạt", "17/19", "Không")  # housing, income
    assert set(d[3:22]) == {"Chưa có số liệu"} and d[-3:-1] == ["Chưa đánh giá", "Chưa đánh giá"]


def test_district_sheet_counts_per_commune(book):
    sheet = book["Tổng hợp"]
    assert sheet["A1"].value.endswith("NĂM 2023 — TOÀN HUYỆN") and sheet["A2"].value == SYNTHETIC_BANNER
    _, headers, body = _table(sheet, "STT")
    assert headers[:6] == ["STT", "Xã", "Số làng", "Số làng có số liệu năm 2023", "Số làng đạt chuẩn",
                           "Số làng chưa đạt chuẩn"]
    krai, o, total = body
    assert krai[1:] == ["Ia Krái", 2, 2, 1, 1, 50.0, 18.0, 1]
    assert o[1:7] == ["Ia O", 2, 1, 0, 1, 0.0]
    assert total[1:6] == ["Toàn huyện", 4, 3, 1, 2]


def test_footer_states_the_criteria_set_and_policy(book, criteria):
    for name in ["Tổng hợp", "Ia Krái", "Ia O"]:
        footer = _rows(book[name])[-1][0]
        assert criteria.id in footer and "missing_fails" in footer and "chưa đạt" in footer


def test_unverified_sheet_lists_the_illustrative_thresholds(book, criteria):
    _, headers, body = _table(book["Ngưỡng chưa xác minh"], "Tiêu chí")
    assert headers[:3] == ["Tiêu chí", "Mã chỉ tiêu", "Chỉ tiêu"]
    codes = [r[1] for r in body]
    assert codes == criteria.unverified()["code"].tolist()
    assert "2.1" in codes and "4" not in codes and "15.2" not in codes  # electricity: national; 15.2: plan
    road = body[codes.index("2.1")]
    assert road[2] == "Đường trục thôn, làng được cứng hóa" and road[4] == ">= 70 %"
    assert {r[5] for r in body} == {"illustrative"}


def test_no_banner_without_synthetic_data(scores, criteria):
    book = summary_workbook(scores, VILLAGES, criteria, YEAR, area="district")
    for sheet in book.worksheets:
        assert SYNTHETIC_BANNER not in [v for row in _rows(sheet) for v in row]


def test_english_labels(scores, criteria):
    book = summary_workbook(scores, VILLAGES, criteria, YEAR, lang="en", synthetic=True, area="district")
    assert book.sheetnames == ["Summary", "Ia Krái", "Ia O", "Unverified thresholds"]
    sheet = book["Ia Krái"]
    assert sheet["A1"].value.endswith("2023 — COMMUNE IA KRÁI")
    _, headers, body = _table(sheet, "No.")
    assert headers[3:5] == ["1. Planning", "2. Transport"] and headers[-3:-1] == ["Criteria met", "Meets the standard"]
    b = body[1]
    assert (b[4], b[17], b[3], b[-2], b[-1]) == (STATUS_EN["fail"], STATUS_EN["incomplete"], STATUS_EN["pass"],
                                                 "No", "Transport; Health")
    assert "Missing data" in _rows(sheet)[-1][0]


def test_workbook_bytes_are_stable(scores, criteria, tmp_path):
    first = write_workbook(summary_workbook(scores, VILLAGES, criteria, YEAR, area="district"), tmp_path / "a.xlsx").read_bytes()
    second = write_workbook(summary_workbook(scores, VILLAGES, criteria, YEAR, area="district"), tmp_path / "b.xlsx").read_bytes()
    assert first == second
    assert openpyxl.load_workbook(tmp_path / "a.xlsx").sheetnames[1] == "Ia Krái"


def test_sheet_titles_are_excel_safe_and_unique(criteria):
    villages = pd.DataFrame({"village_code": ["x", "y", "z"], "village_name": ["X", "Y", "Z"],
                             "commune": ["Xã A/B: [thử] một tên rất dài vượt quá giới hạn", "Tổng hợp",
                                         "Xã A/B: [thử] một tên rất dài vượt quá giới hạn khác"],
                             "plan_category": ["other"] * 3, "threshold_group": ["1"] * 3})
    values = pd.DataFrame({"village_code": ["x"], "year": [YEAR], "indicator_code": ["2.1"], "value": [80.0]})
    book = summary_workbook(score_villages(values, villages, criteria), villages, criteria, YEAR, area="district")
    titles = book.sheetnames
    assert len(titles) == len({t.casefold() for t in titles}) == 5
    assert all(len(t) <= MAX_SHEET_TITLE and not set(t) & set("[]:*?/\\") for t in titles)
    assert titles[0] == "Tổng hợp" and titles[1] != "Tổng hợp"


def test_scores_from_another_set_are_refused(scores, criteria_2022):
    with pytest.raises(ValueError, match="gia-lai-village-2019"):
        summary_workbook(scores, VILLAGES, criteria_2022, YEAR, area="district")


def test_select_commune_ignores_case_diacritics_and_prefix():
    assert select_commune(VILLAGES, "ia krai")["village_code"].tolist() == ["a", "b"]
    assert select_commune(VILLAGES, "Xã IA O")["village_code"].tolist() == ["c", "d"]
    assert len(select_commune(VILLAGES, "")) == 4
    with pytest.raises(ValueError, match="Ia Krái, Ia O"):
        select_commune(VILLAGES, "Ia Tô")


def test_status_table(scores):
    table = status_table(scores.villages, VILLAGES, YEAR, load_plan("ia-grai-2021-2025"))
    assert list(table.columns) == ["Xã", "Mã làng", "Tên làng", "Phân loại kế hoạch", "Số tiêu chí đạt", "Đạt chuẩn",
                                   "Tiêu chí chưa đạt", "Khoảng cách đến chuẩn"]
    assert table["Mã làng"].tolist() == ["a", "b", "c"]          # d has no scores for the year
    assert table["Số tiêu chí đạt"].tolist() == ["19/19", "17/19", "17/19"]
    assert table["Đạt chuẩn"].tolist() == ["Có", "Không", "Không"]
    assert table.loc[2, "Tiêu chí chưa đạt"] == "Nhà ở dân cư; Thu nhập"
    english = status_table(scores.villages, VILLAGES[VILLAGES["commune"] == "Ia O"], YEAR, load_plan("ia-grai-2021-2025"), lang="en")
    assert english["Village code"].tolist() == ["c"] and english.loc[0, "Criteria not met"] == "Housing; Income"
    assert english.loc[0, "Plan category"] == "Border commune"
