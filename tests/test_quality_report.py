"""The quality log, its tables and the per-file summary."""

import pandas as pd

from ntm_analysis.raw.quality_log import Location, QualityLog, problem_catalogue
from ntm_analysis.clean.quality_report import quality_by_file


def test_every_problem_has_both_languages_and_a_fix():
    for code, entry in problem_catalogue().items():
        assert entry["severity"] in {"error", "warning", "info"}, code
        assert all(entry[k].strip() for k in ["problem_vi", "problem_en", "fix_vi", "fix_en"]), code


def test_problems_sorted_errors_first_and_filled():
    log = QualityLog()
    log.problem("probable_fraction", Location("a.xlsx", "S", 5, "4"), 0.85)
    log.problem("out_of_range", Location("a.xlsx", "S", 9, "2.1"), 105, detail="0–100")
    table = log.problem_table()
    assert table["code"].tolist() == ["out_of_range", "probable_fraction"]
    assert table.loc[0, "problem_en"] == "Value 105 is outside the allowed range 0–100."
    assert table.loc[1, "value"] == "0.85"


def test_changes_grouped_with_first_row_and_count():
    log = QualityLog()
    for row in [7, 3, 9]:
        log.change(Location("a.xlsx", "S", row, "Xã"), "name_matched", "IA KRAI", "Ia Krái")
    table = log.change_table()
    assert table[["row", "count"]].values.tolist() == [[3, 3]]


def test_quality_by_file():
    villages = pd.DataFrame({"village_code": ["1", "2"], "commune": ["Ia O", "Ia O"], "file": ["a", "a"]})
    values = pd.DataFrame({"village_code": ["1", "1", "2"], "value": [1.0, None, 2.0], "file": ["b", "b", "b"]})
    rejected = pd.DataFrame({"file": ["b"]})
    problems = pd.DataFrame({"file": ["b", "b"], "severity": ["error", "warning"]})
    table = quality_by_file(villages, values, rejected, problems).set_index("file")
    assert table.loc["b", ["values", "empty", "rejected", "errors", "warnings"]].tolist() == [3, 1, 1, 1, 1]
    assert table.loc["a", "villages"] == 2 and table.loc["b", "communes"] == "Ia O"
