"""The malformed-input corpus: each case gets a clear, specific message, and nothing is lost."""
from tests.conftest import clean

from pathlib import Path

import pytest


CORPUS = Path(__file__).parent / "corpus"

# case -> (problem code, file, sheet, row, column) expected in the report; None = not checked
EXPECTED = {
    "missing-column": ("missing_column", "xa.xlsx", "Làng", None, ""),
    "duplicate-codes": ("duplicate_village", "xa.xlsx", "Làng", 2, "A – Mã làng"),
    "empty-file": ("file_empty", "xa.xlsx", "", None, ""),
    "empty-sheet": ("sheet_empty", "xa.xlsx", "Trống", None, ""),
    "text-in-number": ("not_a_number", "xa.xlsx", "Số liệu", 2, "D – Giá trị"),
    "xlsx-really-csv": ("file_misnamed", "lang.xlsx", "", None, ""),
    "truncated-xlsx": ("file_unreadable", "xa.xlsx", "", None, ""),
}


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_problem_reported_where_it_is(case, criteria):
    result = clean(CORPUS / case, criteria)
    code, file, sheet, row, column = EXPECTED[case]
    found = result.problems[result.problems["code"] == code]
    assert len(found) >= 1, result.problems[["code", "problem_en"]]
    first = found.iloc[0]
    assert (first["file"], first["sheet"], first["column"]) == (file, sheet, column)
    if row is not None:
        assert first["row"] == row
    assert first["problem_vi"] and first["problem_en"] and first["fix_vi"] and first["fix_en"]
    assert "{" not in first["problem_en"] + first["fix_en"]  # every placeholder filled


@pytest.mark.parametrize("case", sorted(p.name for p in CORPUS.iterdir() if p.is_dir()))
def test_nothing_lost(case, criteria):
    summary = clean(CORPUS / case, criteria).summary
    for part in ["village_rows", "values"]:
        assert summary[part]["input"] == (summary[part]["clean"] + summary[part]["rejected"]
                                          + summary[part].get("set_aside", 0))


def test_merged_header_is_read(criteria):
    result = clean(CORPUS / "merged-header", criteria)
    assert result.values.set_index("indicator_code")["value"].to_dict() == {"2.1": 72.0, "2.2": 100.0, "5": 1.0}
    assert result.problems.empty


def test_duplicate_codes_reject_both_rows(criteria):
    result = clean(CORPUS / "duplicate-codes", criteria)
    assert "0101" not in set(result.villages["village_code"])
    assert (result.rejected_villages["village_code"] == "0101").sum() == 2


def test_tcvn3_text_converted_and_listed(criteria):
    result = clean(CORPUS / "tcvn3-text", criteria)
    assert result.villages[["village_name", "commune"]].values.tolist() == [["Làng Plei Mơ", "Ia Krái"]]
    assert result.values["value"].tolist() == [0.0]  # "Chưa đạt" in TCVN3
    assert (result.changes["rule"] == "legacy_tcvn3").sum() >= 2


@pytest.mark.parametrize("case", ["bom-csv", "windows-1258-csv"])
def test_csv_encodings_read_as_unicode(case, criteria):
    result = clean(CORPUS / case, criteria)
    assert result.villages["village_name"].tolist() == ["Làng Plei Mơ"]
    assert result.villages["commune"].tolist() == ["Ia Krái"]
    assert result.problems.empty


def test_windows_1258_values(criteria):
    result = clean(CORPUS / "windows-1258-csv", criteria)
    assert result.values.set_index("indicator_code")["value"].to_dict() == {"10": 38.5, "5": 0.0}
