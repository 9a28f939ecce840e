"""Villages table: codes as text, communes matched after normalisation, duplicates, derived fields."""

import unicodedata

from ntm_analysis.core.legacy_encoding import from_unicode
from tests.conftest import clean, codes, write_xlsx

HEADER = ["Mã làng", "Tên làng", "Xã", "Số hộ", "Tỷ lệ hộ DTTS (%)", "Nhóm kế hoạch", "Năm xã phấn đấu đạt chuẩn NTM"]


def _villages(tmp_path, criteria, *rows):
    write_xlsx(tmp_path / "lang.xlsx", {"Danh sách làng": [HEADER, *rows]})
    return clean(tmp_path, criteria)


def test_commune_spellings_are_matched_and_listed(tmp_path, criteria):
    result = _villages(tmp_path, criteria,
                       ["0101", "Làng A", "IA KRAI", 10], ["0102", "Làng B", "ia krái", 10],
                       ["0103", "Làng C", "Xã Ia Chia", 10], ["0104", "Làng D", "Ia Der", 10])
    assert result.villages.set_index("village_code")["commune"].to_dict() == {
        "0101": "Ia Krái", "0102": "Ia Krái", "0103": "Ia Chía", "0104": "Ia Dêr"}
    matched = result.changes[result.changes["rule"] == "name_matched"]
    assert sorted(zip(matched["before"], matched["after"])) == [
        ("IA KRAI", "Ia Krái"), ("Ia Der", "Ia Dêr"), ("Xã Ia Chia", "Ia Chía"), ("ia krái", "Ia Krái")]
    assert result.problems.empty


def test_commune_type_comes_from_the_commune_list(tmp_path, criteria):
    result = _villages(tmp_path, criteria, ["0101", "Làng A", "Thị trấn Ia Kha", 10], ["0102", "Làng B", "Ia O", 10])
    assert result.villages.set_index("village_code")["commune_type"].to_dict() == {"0101": "thị trấn",
                                                                                   "0102": "xã"}


def test_unknown_commune_is_reported_not_invented(tmp_path, criteria):
    result = _villages(tmp_path, criteria, ["0101", "Làng A", "Ia Krá", 10], ["0102", "Làng B", "Ia O", 10])
    assert result.villages["village_code"].tolist() == ["0102"]
    assert codes(result) == ["unknown_commune"]
    problem = result.problems.iloc[0]
    assert (problem["row"], problem["column"], problem["value"]) == (2, "C – Xã", "Ia Krá")
    assert "Ia Krái" in problem["problem_en"]  # the close match is suggested
    assert result.rejected_villages["reason"].tolist() == ["unknown_commune"]


def test_codes_keep_leading_zeros_and_numeric_codes_are_flagged(tmp_path, criteria):
    result = _villages(tmp_path, criteria, ["0101", "Làng A", "Ia O", 10], [102, "Làng B", "Ia O", 10])
    assert sorted(result.villages["village_code"]) == ["0101", "102"]
    assert codes(result) == ["code_stored_as_number"]


def test_duplicate_codes_identical_kept_once_different_rejected(tmp_path, criteria):
    result = _villages(tmp_path, criteria,
                       ["0101", "Làng A", "Ia O", 10], ["0101", "Làng A", "Ia O", 10],
                       ["0202", "Làng B", "Ia O", 10], ["0202", "Làng C", "Ia O", 12])
    assert result.villages["village_code"].tolist() == ["0101"]
    assert sorted(codes(result)) == ["duplicate_village", "duplicate_village", "duplicate_village_row"]
    assert sorted(result.rejected_villages["reason"]) == ["duplicate_village", "duplicate_village",
                                                          "duplicate_village_row"]
    assert result.summary["village_rows"] == {"input": 4, "clean": 1, "rejected": 3}


def test_nfd_and_legacy_names_become_unicode(tmp_path, criteria):
    result = _villages(tmp_path, criteria,
                       ["0101", unicodedata.normalize("NFD", "Làng  Đê Kôn"), "Ia O", 10],
                       ["0102", from_unicode("Làng Plei Mơ", "tcvn3"), from_unicode("Ia Chía", "tcvn3"), 10])
    names = result.villages.set_index("village_code")["village_name"].to_dict()
    assert names == {"0101": "Làng Đê Kôn", "0102": "Làng Plei Mơ"}
    assert {"unicode_nfc", "whitespace", "legacy_tcvn3"} <= set(result.changes["rule"])


def test_vietnamese_numbers_and_ranges(tmp_path, criteria):
    result = _villages(tmp_path, criteria, ["0101", "Làng A", "Ia O", "1.250", "87,5"],
                       ["0102", "Làng B", "Ia O", -5, 140])
    got = result.villages.set_index("village_code")
    assert got.loc["0101", "households"] == 1250 and got.loc["0101", "ethnic_minority_share"] == 87.5
    assert got["households"].isna()["0102"] and got["ethnic_minority_share"].isna()["0102"]  # left out, row kept
    assert codes(result) == ["out_of_range", "out_of_range"]


def test_derived_group_category_and_border(tmp_path, criteria):
    result = _villages(tmp_path, criteria,
                       ["0101", "Làng A", "Ia O", 10, 95],                       # border commune
                       ["0102", "Làng B", "Ia Krái", 10, 10, None, 2023],         # target year in plan period
                       ["0103", "Làng C", "Ia Krái", 10, 60, "khác", 2023],       # assigned category wins
                       ["0104", "Làng D", "Ia Kha", 10, None])
    got = result.villages.set_index("village_code")
    assert got["plan_category"].to_dict() == {"0101": "border", "0102": "commune_linked", "0103": "other",
                                              "0104": "other"}
    assert got["plan_category_source"].to_dict()["0103"] == "assigned"
    assert got["threshold_group"].to_dict() == {"0101": "1", "0102": "2", "0103": "1", "0104": "1"}
    assert got["border_commune"].to_dict() == {"0101": True, "0102": False, "0103": False, "0104": False}
    assert got.loc["0101", "commune_code"] == "23782" and got.loc["0101", "district"] == "Ia Grai"


def test_unknown_category_is_an_error_and_falls_back_to_derived(tmp_path, criteria):
    result = _villages(tmp_path, criteria, ["0101", "Làng A", "Ia O", 10, 95, "ưu tiên"])
    assert codes(result) == ["unknown_category"]
    assert result.villages.loc[0, "plan_category"] == "border"


def test_missing_required_column_and_value(tmp_path, criteria):
    write_xlsx(tmp_path / "a.xlsx", {"Làng": [["Mã làng", "Tên làng", "Số hộ"], ["0101", "Làng A", 10]],
                                     "Làng 2": [HEADER, ["0102", None, "Ia O", 10]]})
    result = clean(tmp_path, criteria)
    assert sorted(codes(result)) == ["missing_column", "missing_required_value"]
    assert result.villages.empty
    assert result.summary["village_rows"] == {"input": 2, "clean": 0, "rejected": 2}
