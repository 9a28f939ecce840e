"""The clean stage: a raw folder → clean, typed tables and a data-quality report, with nothing lost.

:func:`clean_raw_folder` reads every file and cleans it; :func:`clean_outputs` gives the stage's outputs
by catalogue name (tables, the quality report as CSV and Excel, ``clean_summary``). Every row and value
read lands in the clean tables or in the rejected ones: checked on every run (:class:`ConservationError`).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from tqdm import tqdm

from ntm_analysis.clean.quality_report import quality_workbook
from ntm_analysis.clean.values import clean_values
from ntm_analysis.clean.villages import clean_villages
from ntm_analysis.core.errors import InternalError
from ntm_analysis.raw.quality_log import Location, QualityLog
from ntm_analysis.raw.tables import Table, list_raw_files, read_tables
from ntm_analysis.reference.admin_units import commune_renames
from ntm_analysis.reference.criteria import CriteriaSet

SYNTHETIC_MARKER = "SYNTHETIC_DATA.md"


class ConservationError(InternalError):
    """Cells were lost between input and output: a bug in ntm-analysis, never a user mistake."""


@dataclass
class CleanResult:
    """Everything the clean step produces; see ``villages`` and ``values`` modules for the columns."""

    villages: pd.DataFrame
    values: pd.DataFrame
    rejected_villages: pd.DataFrame
    rejected_values: pd.DataFrame
    problems: pd.DataFrame
    changes: pd.DataFrame
    summary: dict = field(default_factory=dict)


def clean_raw_folder(raw_dir: Path, criteria: CriteriaSet, admin: pd.DataFrame, plan: dict,
                     progress: bool = False, commune_map: pd.DataFrame | None = None) -> CleanResult:
    """Read every file in ``raw_dir``, clean it, and account for every row and value.

    ``admin``: the commune list (:func:`~ntm_analysis.reference.admin_units.load_admin_units`); ``plan``:
    the plan (its categories and period decide derived plan categories); ``commune_map``: old → new
    communes (:func:`~ntm_analysis.reference.admin_units.load_commune_map`), applied on reading.
    Raises ``ConservationError`` if a value was neither kept nor rejected (a bug, checked every run).
    """
    raw_dir = Path(raw_dir)
    log = QualityLog()
    files = [p for p in list_raw_files(raw_dir) if p.name != SYNTHETIC_MARKER]
    synthetic = _is_synthetic(raw_dir, files, log)
    tables: list[Table] = []
    for path in tqdm(files, desc="Đọc tệp / reading files", unit="file", disable=not progress):
        tables += read_tables([path], raw_dir, criteria, log)
    village_tables = [t for t in tables if t.kind == "villages"]
    value_tables = [t for t in tables if t.kind in {"long", "wide"}]
    renames = commune_renames(commune_map, admin)
    villages, rejected_villages = clean_villages(village_tables, admin, plan, log, renames)
    values, rejected_values = clean_values(value_tables, villages, criteria, log, rejected_villages, renames)
    result = CleanResult(villages, values, rejected_villages, rejected_values, log.problem_table(),
                         log.change_table())
    result.summary = _summary(result, files, tables, raw_dir, criteria, synthetic)
    _check_conservation(result.summary)
    return result


def _is_synthetic(raw_dir: Path, files: list[Path], log: QualityLog) -> bool:
    """Whether the folder holds exactly the sample's files as ``ntm sample`` wrote them: its marker lists
    each file's SHA-256 (a marker left beside real data, or beside added files, marks nothing)."""
    marker = raw_dir / SYNTHETIC_MARKER
    if not marker.is_file():
        return False
    listed = dict(re.findall(r"`([^`]+)` ([0-9a-f]{64})", marker.read_text(encoding="utf-8", errors="replace")))
    found = {p.relative_to(raw_dir).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}
    if listed and found == listed:
        return True
    differ = sorted(set(found) ^ set(listed) | {n for n in set(found) & set(listed) if found[n] != listed[n]})
    log.problem("synthetic_files_changed", Location(SYNTHETIC_MARKER), detail=", ".join(differ[:5]) or "?")
    return False


def _summary(result: CleanResult, files: list[Path], tables: list[Table], raw_dir: Path,
             criteria: CriteriaSet, synthetic: bool) -> dict:
    village_rows_in = sum(len(t.frame) for t in tables if t.kind == "villages")
    cells_in = sum(len(t.frame) * (len(t.indicator_columns) if t.kind == "wide" else 1)
                   + sum(len(c) for c in t.unknown_columns.values())
                   for t in tables if t.kind in {"long", "wide"})
    set_aside = sum(t.set_aside_cells for t in tables)  # titles, subtotals, footers …: reported, not read
    severity = result.problems["severity"].value_counts()
    return {
        "criteria_set": criteria.id,
        "synthetic": synthetic,
        "files": [{"file": p.relative_to(raw_dir).as_posix(), "sha256": hashlib.sha256(p.read_bytes()).hexdigest()}
                  for p in files],
        "tables": {kind: sum(t.kind == kind for t in tables) for kind in ["villages", "long", "wide"]},
        "village_rows": {"input": village_rows_in, "clean": len(result.villages),
                         "rejected": len(result.rejected_villages)},
        "values": {"input": cells_in + set_aside, "clean": len(result.values), "set_aside": set_aside,
                   "clean_present": int(result.values["value"].notna().sum()),
                   "clean_missing": int(result.values["value"].isna().sum()),
                   "rejected": len(result.rejected_values)},
        "problems": {"error": int(severity.get("error", 0)), "warning": int(severity.get("warning", 0)),
                     "info": int(severity.get("info", 0))},
        "changes": int(result.changes["count"].sum()),
        "years": sorted(int(y) for y in result.values["year"].unique()),
        "communes": int(result.villages["commune"].nunique()),
    }


def _check_conservation(summary: dict) -> None:
    for what in ["village_rows", "values"]:
        counts = summary[what]
        if counts["input"] != counts["clean"] + counts["rejected"] + counts.get("set_aside", 0):
            raise ConservationError(f"{what}: {counts['input']} read but {counts['clean']} clean + "
                                    f"{counts['rejected']} rejected + {counts.get('set_aside', 0)} set aside; "
                                    "please report this bug")


def conservation_lines(summary: dict) -> list[str]:
    """The conservation check as printed by ``ntm clean``, in Vietnamese and English."""
    v, r = summary["values"], summary["village_rows"]
    return [
        f"Làng / villages: {r['input']} dòng đọc / rows read = {r['clean']} sạch / clean + "
        f"{r['rejected']} loại / rejected",
        f"Giá trị / values: {v['input']} ô đọc / cells read = {v['clean']} sạch / clean "
        f"({v['clean_missing']} để trống / empty) + {v['rejected']} loại / rejected + "
        f"{v.get('set_aside', 0)} để riêng / set aside (tiêu đề, dòng cộng, chữ ký / titles, subtotals, footers)",
        f"Vấn đề / problems: {summary['problems']['error']} lỗi / errors, "
        f"{summary['problems']['warning']} cảnh báo / warnings, {summary['problems'].get('info', 0)} thông tin / "
        f"notes; {summary['changes']} ô được sửa / cells rewritten",
    ]


def clean_outputs(result: CleanResult) -> dict[str, Any]:
    """The clean stage's outputs by catalogue name (:data:`ntm_analysis.catalog.DATASETS`)."""
    return {"villages": result.villages, "indicator_values": result.values,
            "rejected_villages": result.rejected_villages, "rejected_values": result.rejected_values,
            "quality_problems": result.problems, "quality_changes": result.changes,
            "quality_report": quality_workbook(result.problems, result.changes, result.summary),
            "clean_summary": result.summary}
