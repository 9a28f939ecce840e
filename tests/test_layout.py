"""Rows that are not data (ntm_analysis.raw.layout) and merged ranges read beside the streaming read."""

from __future__ import annotations

import numpy as np
import openpyxl
import pandas as pd

from ntm_analysis.raw.layout import blocks, is_title_row, row_kinds, subtotal_mismatches
from ntm_analysis.raw.merged_cells import fill_merged, read_sheet_layouts


def _body(rows: list[list[object]], first: int = 5) -> pd.DataFrame:
    return pd.DataFrame(rows, index=range(first, first + len(rows)), dtype=object).replace({None: np.nan})


def test_row_kinds_numbering_subtotal_section_footer():
    body = _body([["(1)", "(2)", "(3)", "(4)"],
                  ["I", "Xã Ia Krái", None, None],
                  [1, "Làng Plei Mơ", 120, 540],
                  [2, "Thôn Cộng Hòa", 80, 300],  # a village named "Cộng …" is not a subtotal
                  ["Cộng xã Ia Krái", None, 200, 840],
                  [None, None, None, "Ia Krái, ngày 15 tháng 12 năm 2025"],
                  [None, "Người lập biểu", None, "CHỦ TỊCH"],
                  [None, "Nguyễn Văn A", None, "Trần Văn B"]])
    kinds = row_kinds(body, identity=[0, 1], values=[2, 3])
    assert kinds.tolist() == ["numbering", "section", "data", "data", "subtotal", "footer", "footer", "footer"]
    assert [(k, a, b) for k, a, b, _ in blocks(body.index.to_numpy(), kinds)] == [
        ("numbering", 5, 5), ("section", 6, 6), ("subtotal", 9, 9), ("footer", 10, 12)]


def test_plain_and_lettered_numbering_rows_but_not_data():
    assert row_kinds(_body([[1, 2, 3, 4, 5]]), [0], [1]).tolist() == ["numbering"]
    assert row_kinds(_body([["A", "B", 1, 2, 3]]), [0], [1]).tolist() == ["numbering"]
    assert row_kinds(_body([["0101", 2023, 72, 100]]), [0], [2, 3]).tolist() == ["data"]


def test_a_note_with_a_date_on_a_village_row_is_data():
    body = _body([["0101", "Làng A", 5, "công nhận ngày 5 tháng 3 năm 2024"]])
    assert row_kinds(body, identity=[0, 1], values=[2]).tolist() == ["data"]


def test_title_rows():
    assert is_title_row(pd.Series(["BIỂU TỔNG HỢP"] * 6))
    assert is_title_row(pd.Series(["ỦY BAN NHÂN DÂN", None, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"]))
    assert not is_title_row(pd.Series(["STT", "Tên thôn", "Dân số", "Dân số"]))


def test_subtotals_checked_per_block_and_grand_total():
    body = _body([[1, 100], [2, 60], ["Cộng", 160], [3, 75], [4, 50], ["Cộng", 120], ["Tổng cộng", 285]])
    kinds = row_kinds(body, identity=[0], values=[1])
    assert subtotal_mismatches(body, kinds, {1: "B – Số hộ"}) == [(5, 1, 120.0, 125.0)]


def test_merged_ranges_and_hidden_columns_read_from_the_zip(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Làng & thôn"  # an XML-escaped name
    for row in [["STT", "Tên", "Dân số", None], [None, None, "Số hộ", "Số khẩu"], [1, "Làng A", 10, 40]]:
        sheet.append(row)
    for ref in ["A1:A2", "B1:B2", "C1:D1"]:
        sheet.merge_cells(ref)
    sheet.column_dimensions["D"].hidden = True
    book.create_sheet("Trống")
    book.save(tmp_path / "a.xlsx")
    layouts = read_sheet_layouts((tmp_path / "a.xlsx").read_bytes())
    assert list(layouts) == ["Làng & thôn"]
    layout = layouts["Làng & thôn"]
    assert sorted(layout.merged) == [(1, 1, 2, 1), (1, 2, 2, 2), (1, 3, 1, 4)] and layout.hidden_columns == {3}
    cells = pd.DataFrame([["STT", "Tên", "Dân số", None], [None, None, "Số hộ", "Số khẩu"]], dtype=object)
    filled = fill_merged(cells, list(layout.merged))
    assert filled.values.tolist() == [["STT", "Tên", "Dân số", "Dân số"], ["STT", "Tên", "Số hộ", "Số khẩu"]]
    assert cells.iat[1, 0] is None  # the input is not changed


def test_header_and_numbering_repeated_inside_the_body():
    body = _body([[1, "0101", "Làng A", 10],
                  ["STT", "Mã làng", "Tên làng", "Số hộ"],
                  [1, 2, 3, 4],
                  [2, "0102", "Làng B", 20]])
    headers = {0: "STT", 1: "Mã làng", 2: "Tên làng", 3: "Số hộ"}
    assert row_kinds(body, identity=[0, 1, 2], values=[3], headers=headers).tolist() == [
        "data", "header", "numbering", "data"]
