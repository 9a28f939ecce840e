"""Time the data-quality workbook for a large problem list (issue 17: it was quadratic).

    PYTHONPATH=. .venv/bin/python benchmarks/bench_quality_workbook.py 150000 [--list-all]

Builds ``n`` problems of two kinds (half errors, half warnings), then times building the workbook and
saving it byte-stably; ``--list-all`` lists every problem in the workbook instead of the first
``MAX_LISTED_PROBLEMS`` plus the count by kind.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from ntm_analysis.clean.quality_report import MAX_LISTED_PROBLEMS, quality_workbook
from ntm_analysis.core.storage import write_workbook


def main(n: int, list_all: bool) -> None:
    """Print the build, save and total times for ``n`` problems."""
    problems = pd.DataFrame({
        "file": "xa-ia-ba.xlsx", "sheet": "Số liệu", "row": pd.array(range(1, n + 1), dtype="Int64"),
        "column": "K – Đường", "value": "12,5", "severity": (["error", "warning"] * n)[:n],
        "code": (["value_out_of_range", "value_unusual"] * n)[:n], "problem_vi": "Giá trị ngoài khoảng",
        "problem_en": "Value out of range", "fix_vi": "Kiểm tra lại", "fix_en": "Check it"})
    changes = pd.DataFrame(columns=["file", "sheet", "row", "column", "rule", "before", "after", "count"])
    summary = {"criteria_set": "x", "files": [], "village_rows": {"input": 0, "clean": 0, "rejected": 0},
               "values": {"input": n, "clean": n, "clean_missing": 0, "rejected": 0},
               "problems": {"error": n // 2, "warning": n - n // 2}, "changes": 0}
    start = time.perf_counter()
    book = quality_workbook(problems, changes, summary, max_listed=n if list_all else MAX_LISTED_PROBLEMS)
    built = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        write_workbook(book, Path(folder) / "quality_report.xlsx")
    saved = time.perf_counter()
    print(f"{n} problems{' (all listed)' if list_all else ''}: build {built - start:.1f} s, "
          f"save {saved - built:.1f} s, total {saved - start:.1f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]), "--list-all" in sys.argv[2:])
