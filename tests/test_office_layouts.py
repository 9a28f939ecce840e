"""Office layouts (tests/office_layouts.py) through the whole clean step: every value exact, every village
attribute right, every non-data row set aside and reported once per block, nothing lost."""

from __future__ import annotations

import re
from collections import Counter

import numpy as np
import pandas as pd
import pytest

from tests.conftest import clean
from tests.office_layouts import CASES

BLOCK_CODES = ["title_rows", "header_repeated", "numbering_row", "units_row", "subtotal_row", "section_row",
               "footer_rows"]


@pytest.fixture(scope="module", params=sorted(CASES))
def case_result(request, tmp_path_factory, criteria):
    case = CASES[request.param]()
    folder = case.write(tmp_path_factory.mktemp(request.param))
    return case, clean(folder, criteria)


def test_values_exact(case_result):
    case, result = case_result
    got = {(r.village_code, r.year, r.indicator_code): (None if np.isnan(r.value) else r.value)
           for r in result.values.itertuples()}
    assert got == case.values


def test_village_attributes_exact(case_result):
    case, result = case_result
    villages = result.villages.set_index("village_code")
    assert sorted(villages.index) == sorted(case.villages)
    for code, fields in case.villages.items():
        for name, expected in fields.items():
            assert villages.at[code, name] == expected, (code, name)
        for name in {"households", "population", "ethnic_minority_share", "note"} - fields.keys():
            assert pd.isna(villages.at[code, name]), (code, name)


def test_problems_exact(case_result):
    case, result = case_result
    assert Counter(result.problems["code"]) == Counter(case.problems)
    texts = result.problems[["problem_vi", "problem_en", "fix_vi", "fix_en"]].to_numpy().ravel()
    assert all(t and "{" not in t for t in texts)
    assert not result.problems["column"].str.contains(r"#\d", regex=True).any()  # columns named as in Excel


def test_non_data_rows_set_aside_once_per_block(case_result):
    case, result = case_result
    blocks = result.problems[result.problems["code"].isin(BLOCK_CODES)]
    got: dict[tuple[str, str], list[tuple[str, int, int]]] = {}
    for rec in blocks.itertuples():
        span = [int(n) for n in re.match(r"Rows? (\d+(?:–\d+)?)", rec.problem_en).group(1).split("–")]
        got.setdefault((rec.file, rec.sheet), []).append((rec.code, span[0], span[-1]))
        assert rec.row == span[0]
    assert {k: sorted(v, key=lambda b: b[1]) for k, v in got.items()} == case.set_aside


def test_rejections_exact_and_as_typed(case_result):
    case, result = case_result
    assert Counter(result.rejected_values["reason"]) == Counter(case.rejected_values)
    columns = ["village_code", "village_name", "commune", "reason", "fields_as_typed"]
    assert result.rejected_villages[columns].to_dict("records") == case.rejected_villages


def test_balance_holds(case_result):
    _, result = case_result
    values = result.summary["values"]
    assert values["input"] == values["clean"] + values["rejected"] + values["set_aside"]
    rows = result.summary["village_rows"]
    assert rows["input"] == rows["clean"] + rows["rejected"]


def test_every_rewrite_listed(tmp_path, criteria):
    """Percent formats, legacy text and merged data cells are each in the changes log, where they are."""
    result = clean(CASES["excel-percent-format"]().write(tmp_path / "percent"), criteria)
    percent = result.changes[result.changes["rule"] == "excel_percent_format"]
    assert percent[["sheet", "row", "column", "before", "after", "count"]].values.tolist() == [
        ["2024", 2, "C – Đường trục thôn", "0.7 (70%)", "70", 2], ["Làng", 2, "D – Tỷ lệ hộ DTTS", "0.855 (85.5%)",
                                                                      "85.5", 2]]
    legacy = clean(CASES["legacy-sheets"]().write(tmp_path / "legacy"), criteria).changes
    short = legacy[legacy["before"].isin(["Sè hé", "Ghi chó", "Vônih"])]
    assert sorted(short[["after", "rule"]].values.tolist()) == [["Ghi chú", "legacy_tcvn3"], ["Số hộ", "legacy_tcvn3"],
                                                               ["Vơnih", "legacy_vni"]]
    merged = clean(CASES["district-merged-communes"]().write(tmp_path / "district"), criteria).changes
    assert merged.loc[merged["rule"] == "merged_cell", ["row", "before", "after", "count"]].values.tolist() == [
        [5, "B5:B6", "Ia Krái", 1], [9, "B9:B11", "Ia O", 2]]



def test_rows_set_aside_are_information_not_warnings(case_result):
    """Titles, numbering, subtotals and footers are reported once per block as information: they never
    count among the errors and warnings an officer has to act on."""
    _, result = case_result
    blocks = result.problems[result.problems["code"].isin(BLOCK_CODES)]
    assert set(blocks["severity"]) <= {"info"}
    counts = result.summary["problems"]
    assert counts["info"] == int(result.problems["severity"].eq("info").sum()) >= len(blocks)
    assert counts["warning"] == int(result.problems["severity"].eq("warning").sum())
