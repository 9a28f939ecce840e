"""Indicator values: long and wide tables, village matching, parsing, ranges, duplicates, missing."""

import numpy as np

from ntm_analysis.core.legacy_encoding import from_unicode
from tests.conftest import clean, codes, villages_sheet, write_xlsx

LONG = ["Mã làng", "Năm", "Chỉ tiêu", "Giá trị"]


def _long(tmp_path, criteria, *rows, more=None):
    write_xlsx(tmp_path / "a.xlsx", {"Làng": villages_sheet(), "Số liệu": [LONG, *rows], **(more or {})})
    return clean(tmp_path, criteria)


def _value_map(result):
    return {(r.village_code, r.year, r.indicator_code): r.value for r in result.values.itertuples()}


def test_long_values_parsed_by_indicator_kind(tmp_path, criteria):
    result = _long(tmp_path, criteria,
                   ["0101", 2021, "2.1", "75%"], ["0101", 2021, "5", "Đạt"], ["0101", 2021, "13", "không"],
                   ["0101", 2021, "10", "41,5"], ["0101", 2021, "15.2", "x"], ["0101", 2021, "Thu nhập", None])
    got = _value_map(result)
    assert got[("0101", 2021, "2.1")] == 75.0
    assert got[("0101", 2021, "5")] == 1.0 and got[("0101", 2021, "13")] == 0.0 and got[("0101", 2021, "15.2")] == 1.0
    # "Thu nhập" names indicator 10 again, empty: no conflict, the value is kept and the blank repeat reported
    assert codes(result) == ["duplicate_value_blank"]
    assert got[("0101", 2021, "10")] == 41.5


def test_empty_is_missing_not_zero(tmp_path, criteria):
    result = _long(tmp_path, criteria, ["0101", 2021, "2.1", None], ["0101", 2021, "2.2", 0])
    got = _value_map(result)
    assert np.isnan(got[("0101", 2021, "2.1")]) and got[("0101", 2021, "2.2")] == 0.0
    assert result.summary["values"]["clean_missing"] == 1
    assert result.problems.empty


def test_bad_values_rejected_with_reason(tmp_path, criteria):
    result = _long(tmp_path, criteria,
                   ["0101", 2021, "2.1", "105"], ["0101", 2021, "2.2", "khoảng 50"], ["0101", 2021, "5", "có lẽ"],
                   ["0101", 2021, "20.1", 1], ["0999", 2021, "5", "Đạt"], ["0101", "năm nay", "5", "Đạt"])
    assert result.values.empty
    assert sorted(result.rejected_values["reason"]) == sorted(
        ["out_of_range", "not_a_number", "not_a_boolean", "unknown_indicator", "unknown_village", "invalid_year"])
    problem = result.problems.set_index("code").loc["out_of_range"]
    assert (problem["file"], problem["sheet"], problem["row"], problem["column"], problem["value"]) == \
        ("a.xlsx", "Số liệu", 2, "D – Giá trị", "105")
    assert problem["fix_vi"] and problem["fix_en"]


def test_probable_fraction_is_kept_and_flagged(tmp_path, criteria):
    result = _long(tmp_path, criteria, ["0101", 2021, "4", 0.85])
    assert _value_map(result)[("0101", 2021, "4")] == 0.85
    assert codes(result) == ["probable_fraction"]
    assert result.problems.loc[0, "severity"] == "warning"


def test_ambiguous_number_in_a_mixed_column_is_flagged_not_guessed(tmp_path, criteria):
    result = _long(tmp_path, criteria, ["0101", 2021, "10", "35.051"], ["0102", 2021, "10", "0.75"],
                   ["0101", 2022, "10", "40,5"])
    got = _value_map(result)
    assert ("0101", 2021, "10") not in got
    assert got[("0102", 2021, "10")] == 0.75 and got[("0101", 2022, "10")] == 40.5
    assert codes(result) == ["ambiguous_number"]


def test_vietnamese_thousands_in_a_vietnamese_column(tmp_path, criteria):
    result = _long(tmp_path, criteria, ["0101", 2021, "10", "35.051"], ["0102", 2021, "10", "1.234,5"])
    got = _value_map(result)
    assert got[("0101", 2021, "10")] == 35051 and got[("0102", 2021, "10")] == 1234.5


def test_duplicates_same_value_kept_once_conflicting_rejected(tmp_path, criteria):
    result = _long(tmp_path, criteria, ["0101", 2021, "2.1", 70], ["0101", 2021, "2.1", "70"],
                   ["0101", 2021, "2.2", 60], ["0101", 2021, "2.2", 65])
    got = _value_map(result)
    assert got == {("0101", 2021, "2.1"): 70.0}
    assert sorted(result.rejected_values["reason"]) == ["duplicate_value", "duplicate_value", "duplicate_value_same"]
    assert result.summary["values"] == {"input": 4, "clean": 1, "clean_present": 1, "clean_missing": 0,
                                        "rejected": 3, "set_aside": 0}


def test_wide_rows_matched_by_name_and_commune(tmp_path, criteria):
    write_xlsx(tmp_path / "a.xlsx", {
        "Làng": villages_sheet(),
        "2024": [["Tên làng", "Xã", "2.1", "5"], ["LANG PLEI MO", "Ia Krai", "80", from_unicode("Đạt", "tcvn3")],
                 ["Làng Không Có", "Ia O", "10", "Đạt"]],
    })
    result = clean(tmp_path, criteria)
    assert _value_map(result) == {("0101", 2024, "2.1"): 80.0, ("0101", 2024, "5"): 1.0}
    assert codes(result) == ["unknown_village"]  # one problem for the row, two values rejected
    assert result.rejected_values["reason"].tolist() == ["unknown_village", "unknown_village"]
    legacy = result.changes[result.changes["rule"] == "legacy_tcvn3"]
    assert legacy[["row", "column", "before", "after", "count"]].values.tolist() == [
        [2, "D – 5", from_unicode("Đạt", "tcvn3"), "Đạt", 1]]  # the value cell's conversion is in the changes log


def test_legacy_value_cells_are_logged_once_per_text_and_column(tmp_path, criteria):
    tcvn3 = from_unicode("Đạt", "tcvn3")
    result = _long(tmp_path, criteria, ["0101", 2024, "5", tcvn3], ["0102", 2024, "5", tcvn3],
                   ["0101", 2024, "19.1", from_unicode("Chưa đạt", "tcvn3")])
    assert _value_map(result) == {("0101", 2024, "5"): 1.0, ("0102", 2024, "5"): 1.0, ("0101", 2024, "19.1"): 0.0}
    legacy = result.changes[result.changes["rule"] == "legacy_tcvn3"].sort_values("row")
    assert legacy[["row", "column", "after", "count"]].values.tolist() == [[2, "D – Giá trị", "Đạt", 2],
                                                                          [4, "D – Giá trị", "Chưa đạt", 1]]


def test_unknown_wide_column_is_accounted_for(tmp_path, criteria):
    write_xlsx(tmp_path / "a.xlsx", {"Làng": villages_sheet(),
                                     "2024": [["Mã làng", "2.1", "Chỉ số lạ"], ["0101", 80, 3], ["0102", 70, None]]})
    result = clean(tmp_path, criteria)
    assert codes(result) == ["unknown_column"]
    assert result.problems.loc[0, "column"] == "C – Chỉ số lạ"  # the Excel column letter and its header
    assert result.summary["values"]["input"] == 4  # two indicator cells and both cells of the unknown column
    assert result.summary["values"]["rejected"] == 2
    assert result.rejected_values["cell"].tolist() == ["3", ""]


def test_no_year_anywhere(tmp_path, criteria):
    write_xlsx(tmp_path / "a.xlsx", {"Làng": villages_sheet(), "Số liệu": [["Mã làng", "2.1"], ["0101", 80]]})
    result = clean(tmp_path, criteria)
    assert codes(result) == ["no_year"]
    assert result.rejected_values["reason"].tolist() == ["no_year"]  # the one value cell; codes are not values
