"""The catalogue of processed files: every output of the chain named once, with its stage, form and reader.

Each stage writes its outputs through :meth:`Catalog.write_stage` and then records them in the folder's
``manifest.json``: per stage, the key it ran under (a hash of its inputs, settings and code) and the
SHA-256 of every file it wrote. :meth:`Catalog.read` checks a file against the manifest before reading
it, so a set of tables from two runs (a run killed midway, a file copied in by hand) is refused with a
message instead of being analysed; :meth:`Catalog.is_current` tells a stage its outputs are already
there for the same inputs, so it need not run again.

The clean values table is read with its keys (``VALUE_KEYS``) as categories: each value repeats 30 times
or more, so at national scale they load faster and take a fraction of the memory of text.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from ntm_analysis.config import PACKAGE_DIR
from ntm_analysis.core.errors import UserError
from ntm_analysis.core.storage import read_csv, write_csv, write_table, write_text, write_workbook

MANIFEST = "manifest.json"
VALUE_KEYS = ["village_code", "indicator_code"]


@dataclass(frozen=True)
class Dataset:
    """One processed output: ``form`` is ``table`` (parquet + CSV), ``csv``, ``json`` or ``xlsx``."""

    name: str
    stage: str
    form: str
    description: str

    @property
    def files(self) -> list[str]:
        """File names in the processed folder (the first is the one read)."""
        if self.form == "table":
            return [f"{self.name}.parquet", f"{self.name}.csv"]
        return [f"{self.name}.{self.form}"]


DATASETS: dict[str, Dataset] = {d.name: d for d in [
    Dataset("villages", "clean", "table", "one row per clean village"),
    Dataset("indicator_values", "clean", "table", "one value per village × year × indicator"),
    Dataset("rejected_villages", "clean", "table", "village rows left out, with the reason"),
    Dataset("rejected_values", "clean", "table", "value cells left out, with the reason"),
    Dataset("quality_problems", "clean", "csv", "the data-quality problems, one per row"),
    Dataset("quality_changes", "clean", "csv", "the rewrites made while cleaning"),
    Dataset("quality_report", "clean", "xlsx", "the data-quality report workbook"),
    Dataset("clean_summary", "clean", "json", "counts, conservation, input hashes"),
    Dataset("indicator_scores", "score", "table", "pass / fail / no data per village × year × indicator"),
    Dataset("criterion_scores", "score", "table", "status per village × year × criterion"),
    Dataset("village_status", "score", "table", "x/N, meets the standard, distance, per village × year"),
    Dataset("cost_projection", "costs", "table", "cost to close every baseline gap, village × criterion × source"),
    Dataset("cost_by_source", "costs", "table", "the plan annex layout: criteria × funding sources"),
    Dataset("cost_reconciliation", "costs", "table", "the plan's resources table with what it leaves unattributed"),
    Dataset("cost_plan_vs_projection", "costs", "table", "the plan's estimates against the bottom-up costs"),
    Dataset("cost_calibration", "costs", "table", "unit costs implied by the plan's estimates"),
    Dataset("schedule", "schedule", "table", "the villages scheduled, by year"),
    Dataset("schedule_plan", "schedule", "table", "every candidate village with its year (empty when not scheduled)"),
    Dataset("phased_investment", "schedule", "table", "money by year × source × criterion × commune"),
    Dataset("schedule_summary", "schedule", "json", "status, objective, relaxations, budgets"),
]}
STAGES = tuple(dict.fromkeys(d.stage for d in DATASETS.values()))


class OutputsError(UserError):
    """The processed folder lacks an output, or holds outputs of different runs."""


class Catalog:
    """The processed folder of a run: paths, verified reading, whole-stage writing, the manifest."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def path(self, name: str) -> Path:
        """The file read for dataset ``name``."""
        return self.folder / DATASETS[name].files[0]

    def manifest(self) -> dict:
        """The manifest (empty when the folder has none)."""
        path = self.folder / MANIFEST
        if not path.is_file():
            return {"stages": {}}
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (ValueError, OSError):
            return {"stages": {}}

    def stage_key(self, stage: str) -> str | None:
        """The key ``stage`` last ran under, or None."""
        return self.manifest()["stages"].get(stage, {}).get("key")

    def is_current(self, stage: str, key: str) -> bool:
        """Whether ``stage``'s outputs are in place, intact, and were written under ``key``."""
        entry = self.manifest()["stages"].get(stage)
        return bool(entry) and entry.get("key") == key and all(
            (self.folder / name).is_file() and file_sha256(self.folder / name) == digest
            for name, digest in entry["files"].items())

    def outputs_digest(self, *stages: str) -> str:
        """One hash of the files ``stages`` wrote: the input key of the stage that reads them.

        Raises
        ------
        OutputsError
            A stage has not run, or one of its files is missing or is not the one it recorded.
        """
        recorded = self.manifest()["stages"]
        for stage in stages:
            if stage not in recorded:
                raise OutputsError(_missing_message(self.folder, stage))
            for name, digest in recorded[stage]["files"].items():
                path = self.folder / name
                if not path.is_file():
                    raise OutputsError(_missing_message(self.folder, stage, name))
                if file_sha256(path) != digest:
                    raise OutputsError(_foreign_message(path, stage))
        return digest_of({s: recorded[s]["files"] for s in stages})

    def read(self, name: str, columns: list[str] | None = None) -> Any:
        """Dataset ``name`` (a DataFrame, or a dict for JSON), after checking it against the manifest.

        Raises
        ------
        OutputsError
            The file is missing, or it is not the one the manifest records (another run's).
        """
        dataset = DATASETS[name]
        path = self.path(name)
        entry = self.manifest()["stages"].get(dataset.stage)
        if not path.is_file() or entry is None or path.name not in entry["files"]:
            raise OutputsError(_missing_message(self.folder, dataset.stage, path.name))
        if file_sha256(path) != entry["files"][path.name]:
            raise OutputsError(_foreign_message(path, dataset.stage))
        if name == "indicator_values":
            return read_values(path, columns)
        if dataset.form == "table":
            return pd.read_parquet(path, columns=columns)
        if dataset.form == "json":
            return json.loads(path.read_text(encoding="utf-8"))
        if dataset.form == "csv":
            return read_csv(path)
        raise OutputsError(f"{path}: a workbook is for people, not read back")

    def write_stage(self, stage: str, key: str, outputs: Mapping[str, Any]) -> list[Path]:
        """Write every output of ``stage`` (each file atomically), then record them in the manifest.

        ``outputs``: dataset name → DataFrame (``table``, ``csv``), dict or text (``json``) or openpyxl Workbook
        (``xlsx``). The manifest is written last: until then, readers see the previous run's record and
        refuse the files that changed.
        """
        expected = {n for n, d in DATASETS.items() if d.stage == stage}
        if set(outputs) != expected:
            raise ValueError(f"stage {stage} writes {sorted(expected)}, got {sorted(outputs)}")
        written: list[Path] = []
        for name, value in outputs.items():
            written += _write(DATASETS[name], value, self.folder)
        manifest = self.manifest()
        manifest["stages"][stage] = {"key": key, "files": {p.name: file_sha256(p) for p in written}}
        write_text(json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n", self.folder / MANIFEST)
        return written


def _write(dataset: Dataset, value: Any, folder: Path) -> list[Path]:
    stem = folder / dataset.name
    if dataset.form == "table":
        return write_table(value, stem)
    if dataset.form == "csv":
        return [write_csv(value, stem.with_suffix(".csv"))]
    if dataset.form == "json":  # a dict, or text already laid out by its stage
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        return [write_text(text, stem.with_suffix(".json"))]
    return [write_workbook(value, stem.with_suffix(".xlsx"))]


def _foreign_message(path: Path, stage: str) -> str:
    return (f"{path}: tệp này không thuộc lần chạy đã ghi các kết quả khác (bị ghi dở hoặc chép từ nơi khác); "
            f"hãy chạy lại `ntm {stage}` / this file is not the one the run of `ntm {stage}` recorded (a run "
            f"stopped midway, or a file from elsewhere); run `ntm {stage}` again")


def _missing_message(folder: Path, stage: str, name: str = "") -> str:
    what = f"{name} " if name else ""
    return (f"{folder}: chưa có kết quả {what}của bước `ntm {stage}`; hãy chạy `ntm {stage}` trước / "
            f"no {what}output of `ntm {stage}` here; run `ntm {stage}` first")


def file_sha256(path: Path, chunk: int = 1 << 20) -> str:
    """SHA-256 of a file's bytes, read ``chunk`` bytes at a time."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def digest_of(value: Any) -> str:
    """SHA-256 of a JSON-serialisable value (keys sorted): a stable content key."""
    return hashlib.sha256(json.dumps(value, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


def code_files() -> list[Path]:
    """The package's own code and figure style: a change to them changes what a stage or report produces."""
    return sorted([*PACKAGE_DIR.rglob("*.py"), *PACKAGE_DIR.rglob("*.mplstyle")])


@functools.cache
def code_digest() -> str:
    """SHA-256 of :func:`code_files`, read once per process: the code a run started with."""
    return digest_of({p.relative_to(PACKAGE_DIR).as_posix(): file_sha256(p) for p in code_files()})


def read_values(path: Path, columns: list[str] | None = None) -> pd.DataFrame:
    """The clean values table at ``path``, its ``VALUE_KEYS`` as categories in sorted order (so that
    sorting by them sorts as text would)."""
    keys = [k for k in VALUE_KEYS if columns is None or k in columns]
    values = pd.read_parquet(path, columns=columns, read_dictionary=keys)
    for key in keys:
        values[key] = sorted_categories(values[key])
    # arrow keeps the memory it read with for reuse (about 1 GB per 30 million rows); what comes next is numpy's
    pa.default_memory_pool().release_unused()
    return values


def sorted_categories(column: pd.Series, chunk: int = 1 << 20) -> pd.Series:
    """``column`` (categorical) with its categories sorted, the same values.

    pandas' ``reorder_categories`` would do, but it recodes through a 64-bit copy of the codes (240 MB for
    30 million rows); this recodes ``chunk`` rows at a time in the codes' own width.
    """
    categories = column.cat.categories
    if categories.is_monotonic_increasing:  # village codes usually are: `ntm clean` sorts by them
        return column
    order = categories.argsort()
    codes = column.cat.codes.to_numpy()
    position = np.empty(len(order) + 1, dtype=codes.dtype)
    position[order] = np.arange(len(order))
    position[-1] = -1  # a missing value (code -1) stays missing
    recoded = np.empty_like(codes)
    for start in range(0, len(codes), chunk):
        recoded[start:start + chunk] = position[codes[start:start + chunk]]
    return pd.Series(pd.Categorical.from_codes(recoded, dtype=pd.CategoricalDtype(categories.take(order))),
                     index=column.index, name=column.name, copy=False)
