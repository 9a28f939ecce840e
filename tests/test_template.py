"""The annotated template: the data contract as a workbook that, once filled in, cleans without a problem."""

import openpyxl

from tests.conftest import clean
from ntm_analysis.raw.template import write_template


def test_filled_template_cleans_without_problems(tmp_path, criteria, plan):
    path = write_template(tmp_path / "raw" / "mau.xlsx", criteria, plan)
    book = openpyxl.load_workbook(path)
    book["Danh sách làng"].append(["0101", "Làng Plei Mơ", "Ia Krái", None, None, None, "không", 120, 540, 96.5])
    wide = book["Số liệu ngang"]
    header = [c.value for c in wide[1]]
    row = {"Mã làng*": "0101", "Năm*": 2024, "2.1": 80, "5": "Đạt", "10": "42,5"}
    wide.append([row.get(h) for h in header])
    book["Số liệu dọc"].append(["0101", 2025, "17.2", "76%"])
    book.save(path)
    result = clean(tmp_path / "raw", criteria)
    assert result.problems.empty, result.problems[["sheet", "code", "problem_en"]]
    assert result.villages["village_code"].tolist() == ["0101"]
    present = result.values.dropna(subset=["value"])
    assert {(r.year, r.indicator_code, r.value) for r in present.itertuples()} == {
        (2024, "2.1", 80.0), (2024, "5", 1.0), (2024, "10", 42.5), (2025, "17.2", 76.0)}
    assert result.summary["values"]["clean_missing"] == len(criteria.indicators) - 3  # empty cells stay empty


def test_template_documents_every_field_and_indicator(tmp_path, criteria, plan):
    book = openpyxl.load_workbook(write_template(tmp_path / "mau.xlsx", criteria, plan))
    assert book["Danh sách làng"]["A1"].value == "Mã làng*"
    assert book["Danh sách làng"]["A1"].comment is not None
    wide_header = [c.value for c in book["Số liệu ngang"][1]]
    assert wide_header[4:] == [i.code for i in criteria.indicators]
    assert book["Danh sách làng"]["A2"].number_format == "@"  # codes keep leading zeros
