"""The clean step as a whole: conservation, identical re-runs, atomic writes, the Excel report."""

import os

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pandas as pd

from ntm_analysis.core.storage import atomic_path
from tests.conftest import clean, clean_into, load_clean_tables, villages_sheet, write_clean_outputs, write_xlsx

CELLS = st.one_of(st.none(), st.integers(-5, 150), st.floats(allow_nan=False, allow_infinity=False, width=32),
                  st.sampled_from(["Đạt", "Chưa đạt", "x", "75%", "0,75", "35.051", "1.234,5", "abc", "", " ",
                                   "=A1", "có lẽ", "12.5", "1,234"]),
                  st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=6))
CODES = st.sampled_from(["0101", "0102", "0999", "", None])
INDICATORS = ["2.1", "5", "10", "17.2", "9.9"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.tuples(CODES, st.sampled_from([2021, 2022, "2023", "x", None]),
                               st.lists(CELLS, min_size=5, max_size=5)), min_size=1, max_size=12),
       long_rows=st.lists(st.tuples(CODES, st.sampled_from([2021, 2022]),
                                    st.sampled_from(INDICATORS + ["Thu nhập", None]), CELLS), max_size=12))
def test_every_value_cell_is_clean_or_rejected(tmp_path_factory, criteria, rows, long_rows):
    folder = tmp_path_factory.mktemp("raw")
    wide = [["Mã làng", "Năm", *INDICATORS], *[[c, y, *cells] for c, y, cells in rows]]
    write_xlsx(folder / "a.xlsx", {"Làng": villages_sheet(), "Ngang": wide,
                                   "Dọc": [["Mã làng", "Năm", "Chỉ tiêu", "Giá trị"], *map(list, long_rows)]})
    result = clean(folder, criteria)
    values = result.summary["values"]
    # counted independently of the pipeline: every cell under a header (the unknown "9.9" too, blank or
    # not), every long row (rows that are entirely empty are not rows at all, as in Excel); rows set aside
    # as not data (a numbering row "1 2 3" …) count their filled cells instead
    aside = _set_aside_rows(result.problems)
    wide_rows = [(n + 2, [c, y, *cells]) for n, (c, y, cells) in enumerate(rows)]
    wide_cells = sum(len(INDICATORS) if (("Ngang", r) not in aside) else sum(map(_filled, row))
                     for r, row in wide_rows if any(_filled(v) for v in row))
    long_cells = sum((("Dọc", n + 2) not in aside) or sum(map(_filled, row))
                     for n, row in enumerate(long_rows) if any(_filled(v) for v in row))
    assert values["input"] == wide_cells + long_cells
    assert values["input"] == len(result.values) + len(result.rejected_values) + values["set_aside"]
    assert not result.values.duplicated(["village_code", "year", "indicator_code"]).any()


def _set_aside_rows(problems: pd.DataFrame) -> set[tuple[str, int]]:
    """(sheet, row) of every row reported as not data."""
    blocks = problems[problems["code"].isin(["header_repeated", "numbering_row", "units_row", "subtotal_row",
                                             "section_row", "footer_rows"])]
    found = set()
    for rec in blocks.itertuples():
        span = [int(p) for p in rec.problem_en.split(":")[0].split()[-1].split("–")]
        found |= {(rec.sheet, r) for r in range(span[0], span[-1] + 1)}
    return found


def _filled(value) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def test_same_input_same_bytes(tmp_path, criteria):
    write_xlsx(tmp_path / "raw" / "a.xlsx", {"Làng": villages_sheet(),
                                             "2024": [["Mã làng", "2.1", "5"], ["0101", "80", "x"], ["0999", 1, 1]]})
    clean_into(tmp_path / "raw", tmp_path / "one")
    clean_into(tmp_path / "raw", tmp_path / "two")
    first, second = sorted((tmp_path / "one").iterdir()), sorted((tmp_path / "two").iterdir())
    assert [p.name for p in first] == [p.name for p in second]
    for a, b in zip(first, second):
        assert a.read_bytes() == b.read_bytes(), a.name
    assert {p.name for p in first} >= {"villages.parquet", "indicator_values.csv", "quality_report.xlsx",
                                       "quality_problems.csv", "rejected_values.parquet", "clean_summary.json"}


def test_clean_values_load_with_category_keys_and_nothing_else_changed(tmp_path, criteria):
    write_xlsx(tmp_path / "raw" / "a.xlsx", {"Làng": villages_sheet(),
                                             "2024": [["Mã làng", "5", "2.1", "10"], ["0102", "x", "80", "41,5"],
                                                      ["0101", "", "75", "40"]]})
    result = clean(tmp_path / "raw", criteria)
    write_clean_outputs(result, tmp_path / "out")
    _, values, _ = load_clean_tables(tmp_path / "out")
    for key in ("village_code", "indicator_code"):
        assert isinstance(values[key].dtype, pd.CategoricalDtype)
        assert list(values[key].cat.categories) == sorted(values[key].cat.categories)
    pd.testing.assert_frame_equal(values.astype({"village_code": str, "indicator_code": str}),
                                  result.values.reset_index(drop=True), check_dtype=False)
    assert values.sort_values(["indicator_code"])["indicator_code"].tolist() == sorted(values["indicator_code"])


def test_quality_workbook_lists_every_problem(tmp_path, criteria):
    write_xlsx(tmp_path / "raw" / "a.xlsx", {"Làng": villages_sheet(),
                                             "2024": [["Mã làng", "2.1"], ["0101", "180"], ["0999", 1]]})
    result = clean(tmp_path / "raw", criteria)
    write_clean_outputs(result, tmp_path / "out")
    book = openpyxl.load_workbook(tmp_path / "out" / "quality_report.xlsx")
    problems = book["Vấn đề - Problems"]
    assert problems.max_row - 1 == len(result.problems) == 2
    assert problems.freeze_panes == "A2"
    rows = [[c.value for c in row] for row in problems.iter_rows(min_row=2)]
    assert {r[6] for r in rows} == {"out_of_range", "unknown_village"}
    assert all(r[7] and r[8] and r[9] and r[10] for r in rows)  # vi/en problem and fix


def test_atomic_write_leaves_old_file_on_crash(tmp_path):
    target = tmp_path / "table.csv"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half", encoding="utf-8")
        raise RuntimeError("crash")
    assert target.read_text(encoding="utf-8") == "old"
    assert os.listdir(tmp_path) == ["table.csv"]
