"""Reading files into grids and recognising tables: headers anywhere, merged headers, formats."""

import datetime as dt

import pandas as pd

from ntm_analysis.raw.tables import header_key, match_header, read_grids, recognise_table
from ntm_analysis.raw.quality_log import QualityLog
from tests.conftest import clean, codes, cp1258_bytes, villages_sheet, write_xlsx


def test_header_key_ignores_case_diacritics_units_and_stars():
    assert header_key("Tỷ lệ hộ DTTS (%)") == header_key("ty le ho dtts") == "ty le ho dtts"
    assert header_key("Mã làng*") == header_key("MA LANG") == "ma lang"


def test_match_header_fields_and_indicators(criteria):
    assert match_header("Tên làng", criteria) == ("field", "village_name")
    assert match_header("TEN THON, LANG", criteria) == ("field", "village_name")
    assert match_header("Xã biên giới", criteria) == ("field", "border_commune")
    assert match_header("2.1", criteria) == ("indicator", "2.1")
    assert match_header("Giá trị", criteria) == ("field", "value")
    assert match_header("Ghi chú linh tinh", criteria) is None
    assert match_header(None, criteria) is None


def test_header_row_need_not_be_first_and_sheet_order_is_free(tmp_path, criteria):
    write_xlsx(tmp_path / "a.xlsx", {
        "Số liệu": [["BIỂU TỔNG HỢP"], [], ["Mã làng", "Năm", "Chỉ tiêu", "Giá trị"], ["0101", 2021, "2.1", 80]],
        "Danh sách làng": [["Danh sách"], *villages_sheet()],
    })
    result = clean(tmp_path, criteria)
    assert result.summary["tables"] == {"villages": 1, "long": 1, "wide": 0}
    assert result.values.loc[0, ["village_code", "year", "indicator_code", "value", "row"]].tolist() == \
        ["0101", 2021, "2.1", 80.0, 4]


def test_merged_two_row_header(tmp_path, criteria):
    """A group title merged over two columns above the indicator codes: the lower row names them."""
    write_xlsx(tmp_path / "a.xlsx", {
        "Làng": villages_sheet(),
        "2022": [["Thông tin", None, "Tiêu chí Giao thông", None],
                 ["Mã làng", "Tên làng", "2.1", "2.2"],
                 ["0101", "Làng Plei Mơ", 70, 100]],
    })
    result = clean(tmp_path, criteria)
    got = result.values.set_index("indicator_code")["value"].to_dict()
    assert got == {"2.1": 70.0, "2.2": 100.0}
    assert set(result.values["year"]) == {2022}  # from the sheet name


def test_wide_sheet_headed_by_vietnamese_names(tmp_path, criteria):
    names = [criteria.indicator(c).name_vi for c in ["2.1", "5", "10"]]
    write_xlsx(tmp_path / "a.xlsx", {
        "Làng": villages_sheet(),
        "Số liệu": [["Mã làng", "Năm", *[n.upper() for n in names]], ["0102", "2023", "65,5", "Chưa đạt", "38,2"]],
    })
    result = clean(tmp_path, criteria)
    assert result.values.set_index("indicator_code")["value"].to_dict() == {"2.1": 65.5, "5": 0.0, "10": 38.2}


def test_csv_bom_semicolon_and_windows_1258(tmp_path, criteria):
    (tmp_path / "lang.csv").write_bytes("\ufeffMã làng;Tên làng;Xã\n0101;Làng Plei Mơ;Ia Krái\n".encode("utf-8"))
    (tmp_path / "so-lieu.csv").write_bytes(cp1258_bytes("Mã làng;Năm;10;5\n0101;2024;41,5;Đạt\n"))
    result = clean(tmp_path, criteria)
    assert result.villages["village_name"].tolist() == ["Làng Plei Mơ"]
    assert result.values.set_index("indicator_code")["value"].to_dict() == {"10": 41.5, "5": 1.0}
    assert "encoding_converted" in set(result.changes["rule"])


def test_xlsx_that_is_really_csv(tmp_path, criteria):
    (tmp_path / "lang.xlsx").write_text("Mã làng,Tên làng,Xã\n0101,Làng Plei Mơ,Ia Krái\n", encoding="utf-8")
    result = clean(tmp_path, criteria)
    assert codes(result) == ["file_misnamed"]
    assert result.villages["village_code"].tolist() == ["0101"]


def test_truncated_xlsx_and_empty_file(tmp_path, criteria):
    data = (write_xlsx(tmp_path / "good.xlsx", {"Làng": villages_sheet()})).read_bytes()
    (tmp_path / "cut.xlsx").write_bytes(data[: len(data) // 2])
    (tmp_path / "empty.csv").write_bytes(b"")
    log = QualityLog()
    assert read_grids(tmp_path / "cut.xlsx", tmp_path, log) == []
    assert read_grids(tmp_path / "empty.csv", tmp_path, log) == []
    assert [p["code"] for p in log.problems] == ["file_unreadable", "file_empty"]
    assert log.problems[0]["file"] == "cut.xlsx"


def test_excel_dates_in_year_and_value_columns(tmp_path, criteria):
    write_xlsx(tmp_path / "a.xlsx", {
        "Làng": villages_sheet(),
        "Số liệu": [["Mã làng", "Năm", "Chỉ tiêu", "Giá trị"],
                    ["0101", dt.datetime(2023, 1, 1), "2.1", 80],
                    ["0101", 2023, "10", dt.datetime(2023, 3, 5)]],
    })
    result = clean(tmp_path, criteria)
    assert result.values[["year", "indicator_code", "value"]].values.tolist() == [[2023, "2.1", 80.0]]
    assert "date_in_number_column" in codes(result)


def test_uncomputed_formula_is_reported_not_read_as_empty(tmp_path, criteria):
    write_xlsx(tmp_path / "a.xlsx", {
        "Làng": villages_sheet(),
        "Số liệu": [["Mã làng", "Năm", "Chỉ tiêu", "Giá trị"], ["0101", 2023, "2.1", "=40+40"]],
    })
    result = clean(tmp_path, criteria)
    assert result.values.empty
    assert result.rejected_values["reason"].tolist() == ["formula_not_computed"]


def test_recognise_table_reports_unrecognised_sheet(criteria):
    from ntm_analysis.raw.tables import Grid

    grid = Grid("f.xlsx", "Ghi chú", pd.DataFrame({0: ["Báo cáo quý", "Nội dung"]}, index=[1, 2]))
    log = QualityLog()
    table = recognise_table(grid, criteria, log)  # kept as "unread" so that its cells stay in the balance
    assert (table.kind, table.set_aside_cells, len(table.frame)) == ("unread", 2, 0)
    assert log.problems[0]["code"] == "sheet_not_recognised"
    assert "2" in log.problems[0]["problem_en"]
