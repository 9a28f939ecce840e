"""The clean step: raw folder → clean, typed tables + a data-quality report, with nothing lost.

``clean_raw_folder`` reads and cleans; ``write_clean_outputs`` writes every table atomically to
``data/processed`` (parquet and CSV), the quality report (CSV and Excel) and ``clean_summary.json``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from tqdm import tqdm

from ntm_analysis.admin_units import load_admin_units, plan_definition
from ntm_analysis.criteria import CriteriaSet
from ntm_analysis.dataset import Table, list_raw_files, read_tables
from ntm_analysis.processed import read_values
from ntm_analysis.quality import QualityLog
from ntm_analysis.cost_annex import write_cost_annex
from ntm_analysis.cost_rules import CostRules
from ntm_analysis.costs import (calibrate_unit_costs, plan_resources, plan_vs_projection, project_costs,
                                reconcile_plan, source_table, target_villages)
from ntm_analysis.planning import (build_candidates, cost_lines, phased_investment, plan_rules, schedule_rules,
                                   scheduled_villages, write_schedule_summary)
from ntm_analysis.quality_report import quality_workbook
from ntm_analysis.schedule import SchedulePlan, schedule_villages
from ntm_analysis.scoring import Scores
from ntm_analysis.storage import write_csv, write_table, write_text, write_workbook
from ntm_analysis.values import clean_values
from ntm_analysis.villages import clean_villages

SYNTHETIC_MARKER = "SYNTHETIC_DATA.md"


class ConservationError(RuntimeError):
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


def clean_raw_folder(raw_dir: Path, criteria: CriteriaSet, admin_path: Path | None = None,
                     progress: bool = False) -> CleanResult:
    """Read every file in ``raw_dir``, clean it, and account for every row and value.

    Raises ``ConservationError`` if a value was neither kept nor rejected (a bug, checked every run).
    """
    raw_dir = Path(raw_dir)
    log = QualityLog()
    files = [p for p in list_raw_files(raw_dir) if p.name != SYNTHETIC_MARKER]
    tables: list[Table] = []
    for path in tqdm(files, desc="Đọc tệp / reading files", unit="file", disable=not progress):
        tables += read_tables([path], raw_dir, criteria, log)
    plan = plan_definition()
    village_tables = [t for t in tables if t.kind == "villages"]
    value_tables = [t for t in tables if t.kind in {"long", "wide"}]
    villages, rejected_villages = clean_villages(village_tables, load_admin_units(admin_path), plan, log)
    values, rejected_values = clean_values(value_tables, villages, criteria, log, rejected_villages)
    result = CleanResult(villages, values, rejected_villages, rejected_values, log.problem_table(),
                         log.change_table())
    result.summary = _summary(result, files, tables, raw_dir, criteria)
    _check_conservation(result.summary)
    return result


def _summary(result: CleanResult, files: list[Path], tables: list[Table], raw_dir: Path,
             criteria: CriteriaSet) -> dict:
    village_rows_in = sum(len(t.frame) for t in tables if t.kind == "villages")
    cells_in = sum(len(t.frame) * (len(t.indicator_columns) if t.kind == "wide" else 1)
                   + sum(len(c) for c in t.unknown_columns.values())
                   for t in tables if t.kind in {"long", "wide"})
    set_aside = sum(t.set_aside_cells for t in tables)  # titles, subtotals, footers …: reported, not read
    severity = result.problems["severity"].value_counts()
    return {
        "criteria_set": criteria.id,
        "synthetic": (raw_dir / SYNTHETIC_MARKER).exists(),
        "files": [{"file": p.relative_to(raw_dir).as_posix(), "sha256": hashlib.sha256(p.read_bytes()).hexdigest()}
                  for p in files],
        "tables": {kind: sum(t.kind == kind for t in tables) for kind in ["villages", "long", "wide"]},
        "village_rows": {"input": village_rows_in, "clean": len(result.villages),
                         "rejected": len(result.rejected_villages)},
        "values": {"input": cells_in + set_aside, "clean": len(result.values), "set_aside": set_aside,
                   "clean_present": int(result.values["value"].notna().sum()),
                   "clean_missing": int(result.values["value"].isna().sum()),
                   "rejected": len(result.rejected_values)},
        "problems": {"error": int(severity.get("error", 0)), "warning": int(severity.get("warning", 0))},
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
        f"{summary['problems']['warning']} cảnh báo / warnings; {summary['changes']} ô được sửa / cells rewritten",
    ]


def write_clean_outputs(result: CleanResult, out_dir: Path) -> list[Path]:
    """Write every table of ``result`` to ``out_dir``, atomically; same input, same bytes."""
    out_dir = Path(out_dir)
    written = []
    for name in ["villages", "values", "rejected_villages", "rejected_values"]:
        stem = "indicator_values" if name == "values" else name
        written += write_table(getattr(result, name), out_dir / stem)
    written.append(write_csv(result.problems, out_dir / "quality_problems.csv"))
    written.append(write_csv(result.changes, out_dir / "quality_changes.csv"))
    written.append(write_workbook(quality_workbook(result.problems, result.changes, result.summary),
                                  out_dir / "quality_report.xlsx"))
    written.append(write_text(json.dumps(result.summary, ensure_ascii=False, indent=2, sort_keys=True) + "\n",
                              out_dir / "clean_summary.json"))
    return written


def load_clean_tables(processed_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """(villages, indicator values, clean summary) as written by ``ntm clean`` in ``processed_dir``.

    The values' keys (:data:`~ntm_analysis.processed.VALUE_KEYS`) are categorical, categories sorted; every
    other column has the dtype it was written with.
    """
    processed_dir = Path(processed_dir)
    missing = [n for n in ["villages.parquet", "indicator_values.parquet", "clean_summary.json"]
               if not (processed_dir / n).exists()]
    if missing:
        raise FileNotFoundError(f"{processed_dir}: {', '.join(missing)} not found; run `ntm clean` first")
    summary = json.loads((processed_dir / "clean_summary.json").read_text(encoding="utf-8"))
    return (pd.read_parquet(processed_dir / "villages.parquet"),
            read_values(processed_dir / "indicator_values.parquet"), summary)


def write_scores(scores: Scores, out_dir: Path) -> list[Path]:
    """Write the three levels of scores to ``out_dir`` (parquet and CSV), atomically."""
    out_dir = Path(out_dir)
    written = []
    for name, frame in [("indicator_scores", scores.indicators), ("criterion_scores", scores.criteria),
                        ("village_status", scores.villages)]:
        written += write_table(frame, out_dir / name)
    return written


def write_cost_outputs(scores: Scores, villages: pd.DataFrame, rules: CostRules, baseline_year: int,
                       out_dir: Path, annex_path: Path, synthetic: bool, lang: str = "vi") -> list[Path]:
    """Cost tables in ``out_dir`` (parquet and CSV) and the plan-annex workbook at ``annex_path``.

    Tables: ``cost_projection`` (village × criterion × source, low / central / high, at the cost file's
    prices), ``cost_by_source`` (the annex layout), ``cost_reconciliation`` (the plan's own table,
    reproduced, with what it does not attribute), ``cost_plan_vs_projection`` (for the target villages)
    and ``cost_calibration``.
    """
    plan = plan_definition(rules.plan)
    projection = project_costs(scores, villages, rules, baseline_year)
    targets = target_villages(scores.villages, plan, baseline_year)
    tables = {
        "cost_projection": projection.assign(share=projection["share"].astype(str)),
        "cost_by_source": source_table(projection, rules),
        "cost_reconciliation": reconcile_plan(rules, plan),
        "cost_plan_vs_projection": plan_vs_projection(
            projection[projection["village_code"].isin(targets["village_code"])], rules, plan),
        "cost_calibration": calibrate_unit_costs(scores, villages, rules, plan, targets["village_code"],
                                                 baseline_year),
    }
    written = [p for name, table in tables.items() for p in write_table(table, Path(out_dir) / name)]
    sheets = {"Kinh phí theo nguồn" if lang == "vi" else "Cost by source": tables["cost_by_source"],
              "Đối chiếu kế hoạch" if lang == "vi" else "Plan reconciliation": tables["cost_reconciliation"]}
    written.append(write_cost_annex(sheets, rules, annex_path, lang=lang, synthetic=synthetic))
    return written


def write_schedule_outputs(scores: Scores, villages: pd.DataFrame, rules: CostRules, baseline_year: int,
                           out_dir: Path) -> tuple[SchedulePlan, list[Path]]:
    """Schedule the villages under the plan's own rules (relaxed, and said so, when they conflict).

    Writes ``schedule`` (the scheduled villages by year), ``phased_investment`` (year × source × criterion
    × commune, whole đồng) and ``schedule_summary.json`` to ``out_dir``.
    """
    plan = plan_definition(rules.plan)
    projection = project_costs(scores, villages, rules, baseline_year)
    candidates = build_candidates(scores, villages, projection, baseline_year)
    plan_rules_ = plan_rules(plan, plan_resources(plan), start=plan["period"]["start"], end=plan["period"]["end"])
    optimum = schedule_villages(candidates, plan_rules_)
    lines = cost_lines(projection)
    out_dir = Path(out_dir)
    written = [*write_table(scheduled_villages(optimum), out_dir / "schedule"),
               *write_table(phased_investment(optimum, schedule_rules(optimum, plan_rules_), lines),
                            out_dir / "phased_investment"),
               write_schedule_summary(optimum, plan_rules_, out_dir / "schedule_summary.json", lines)]
    return optimum, written
