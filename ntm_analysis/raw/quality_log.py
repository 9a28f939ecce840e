"""Data-quality problems and rewrites: one row per problem, in Vietnamese and English, with how to fix it.

Problem table columns: ``file, sheet, row, column, value, severity, code, problem_vi, problem_en,
fix_vi, fix_en``. ``row`` is the row number the user sees in Excel (1-based, header rows included) or
the CSV line number; it is empty for problems about a whole file or sheet.

Change table columns: ``file, sheet, row, column, rule, before, after, count``: every rewrite made
while cleaning (Unicode normalisation, legacy-encoding conversion, name matching), grouped so that a
commune misspelt on 500 rows is one line with ``count`` 500 and the first row.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from ntm_analysis.config import REFERENCE_DIR

PROBLEM_COLUMNS = ["file", "sheet", "row", "column", "value", "severity", "code",
                   "problem_vi", "problem_en", "fix_vi", "fix_en"]
CHANGE_COLUMNS = ["file", "sheet", "row", "column", "rule", "before", "after", "count"]
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}  # info: rows set aside as not data (titles, footers …)


@cache
def problem_catalogue() -> dict[str, dict[str, str]]:
    """Problem codes with severity and message templates, from ``reference/problems.yaml``."""
    with open(REFERENCE_DIR / "problems.yaml", encoding="utf-8") as fh:
        return yaml.safe_load(fh)


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""


@dataclass(frozen=True)
class Location:
    """Where a cell sits in the user's files."""

    file: str
    sheet: str = ""
    row: int | None = None
    column: str = ""


@dataclass
class QualityLog:
    """Collects problems and rewrites while files are read and cleaned."""

    problems: list[dict[str, Any]] = field(default_factory=list)
    _changes: dict[tuple, list] = field(default_factory=lambda: defaultdict(lambda: [None, 0]))

    def problem(self, code: str, where: Location, value: Any = "", **details: Any) -> None:
        """Record one problem; ``details`` fill the message placeholders (``detail``, ``count`` …)."""
        entry = problem_catalogue()[code]
        fill = _Blank(value=_show(value), column=where.column, **{k: _show(v) for k, v in details.items()})
        self.problems.append({
            "file": where.file, "sheet": where.sheet, "row": where.row, "column": where.column,
            "value": _show(value), "severity": entry["severity"], "code": code,
            "problem_vi": entry["problem_vi"].format_map(fill), "problem_en": entry["problem_en"].format_map(fill),
            "fix_vi": entry["fix_vi"].format_map(fill), "fix_en": entry["fix_en"].format_map(fill),
        })

    def problems_from_frame(self, frame: pd.DataFrame, code: str) -> None:
        """Record ``code`` for every row of ``frame`` (columns file, sheet, row, column, value[, detail])."""
        for rec in frame.to_dict("records"):
            where = Location(rec["file"], rec["sheet"], _int_or_none(rec["row"]), rec["column"])
            self.problem(code, where, rec["value"], detail=rec.get("detail", ""))

    def change(self, where: Location, rule: str, before: str, after: str, count: int = 1) -> None:
        """Record a rewrite; identical rewrites in one column are grouped, keeping the first row."""
        key = (where.file, where.sheet, where.column, rule, before, after)
        slot = self._changes[key]
        if slot[0] is None or (where.row is not None and where.row < slot[0]):
            slot[0] = where.row
        slot[1] += count

    def problem_table(self) -> pd.DataFrame:
        """All problems, errors first, then by file, sheet and row."""
        table = pd.DataFrame(self.problems, columns=PROBLEM_COLUMNS).astype({"row": "Int64"})
        order = table["severity"].map(SEVERITY_ORDER)
        return (table.assign(_order=order)
                .sort_values(["_order", "file", "sheet", "row", "column", "code"], kind="stable")
                .drop(columns="_order").reset_index(drop=True))

    def change_table(self) -> pd.DataFrame:
        """All rewrites, grouped, by file, sheet and first row."""
        rows = [{"file": k[0], "sheet": k[1], "row": v[0], "column": k[2], "rule": k[3],
                 "before": k[4], "after": k[5], "count": v[1]} for k, v in self._changes.items()]
        table = pd.DataFrame(rows, columns=CHANGE_COLUMNS).astype({"row": "Int64", "count": "int64"})
        return table.sort_values(["file", "sheet", "row", "column", "rule", "before"], kind="stable",
                                 na_position="first").reset_index(drop=True)


def _show(value: Any) -> str:
    """A cell value as the user typed it, for messages."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _int_or_none(value: Any) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def file_label(path: Path, root: Path) -> str:
    """A file's name as shown in reports: relative to the raw folder when inside it."""
    try:
        return Path(path).resolve().relative_to(Path(root).resolve()).as_posix()
    except ValueError:
        return Path(path).name
