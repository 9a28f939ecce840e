"""Atomic, reproducible writes: a crash never leaves half a file, and the same table gives the same bytes."""

from __future__ import annotations

import io
import os
import re
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
from openpyxl import Workbook

from ntm_analysis.core.excel import csv_safe, csv_unsafe

# A fixed timestamp for workbook metadata and zip entries, so that re-running gives identical files.
_FIXED_ZIP_TIME = (2020, 1, 1, 0, 0, 0)
_CORE_DATES = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it replaces ``path`` in one rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        tmp.chmod(0o666 & ~_umask())  # mkstemp makes files private; give them the usual permissions
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_text(text: str, path: Path) -> Path:
    """Write UTF-8 text atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)


def write_parquet(df: pd.DataFrame, path: Path) -> Path:
    """Write ``df`` as parquet (index dropped), atomically."""
    with atomic_path(path) as tmp:
        df.to_parquet(tmp, index=False, engine="pyarrow")
    return Path(path)


def write_csv(df: pd.DataFrame, path: Path) -> Path:
    """Write ``df`` as UTF-8 CSV with a BOM, so that Excel shows Vietnamese text correctly; text cells that
    a spreadsheet would take for a formula are neutralised (:func:`~ntm_analysis.core.excel.csv_safe`)."""
    with atomic_path(path) as tmp:
        csv_safe(df).to_csv(tmp, index=False, encoding="utf-8-sig", lineterminator="\n")
    return Path(path)


def read_csv(path: Path) -> pd.DataFrame:
    """A CSV written by :func:`write_csv`, every cell as text, as it was before neutralising."""
    table = pd.read_csv(path, encoding="utf-8-sig", keep_default_na=False, dtype=str)
    quoted = [c for c in table.columns if table[c].str.startswith("'").any()]
    return table.assign(**{c: table[c].map(csv_unsafe) for c in quoted}).rename(columns=csv_unsafe)


def write_table(df: pd.DataFrame, stem: Path) -> list[Path]:
    """Write ``df`` beside ``stem`` as ``.parquet`` (typed) and ``.csv`` (for Excel users)."""
    stem = Path(stem)
    return [write_parquet(df, stem.with_suffix(".parquet")), write_csv(df, stem.with_suffix(".csv"))]


def stable_xlsx_bytes(data: bytes) -> bytes:
    """Rewrite an xlsx package with fixed timestamps, so the same content gives the same bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in sorted(src.infolist(), key=lambda i: i.filename):
            payload = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                payload = _CORE_DATES.sub(rb"\g<1>2020-01-01T00:00:00Z\g<2>", payload)
            dst.writestr(zipfile.ZipInfo(info.filename, date_time=_FIXED_ZIP_TIME), payload,
                         compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def write_workbook(workbook: Workbook, path: Path) -> Path:
    """Save an openpyxl workbook atomically and byte-stably."""
    buffer = io.BytesIO()
    workbook.save(buffer)
    with atomic_path(path) as tmp:
        tmp.write_bytes(stable_xlsx_bytes(buffer.getvalue()))
    return Path(path)
