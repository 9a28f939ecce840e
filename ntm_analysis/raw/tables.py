"""Read raw workbooks and CSV files into grids of cells, and recognise the tables they hold.

A *grid* is one sheet as the user sees it: an object DataFrame whose index is the row number shown in
Excel (or the CSV line) and whose cells are exactly what the file holds (text, numbers, dates, None).
Recognising a table finds its header row (not necessarily the first), maps each header to a field of
the raw data contract (``reference/raw-fields.yaml``) or to an indicator of the criteria set, and
decides whether the sheet is a villages table, a long values table or a wide values table.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import yaml

from ntm_analysis.config import REFERENCE_DIR
from ntm_analysis.reference.criteria import CriteriaSet
from ntm_analysis.core.legacy_encoding import decode_bytes, repair_legacy
from ntm_analysis.raw.quality_log import Location, QualityLog, file_label
from ntm_analysis.core.vietnamese import clean_text, fold

EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
READ_SUFFIXES = EXCEL_SUFFIXES | {".csv"}
HEADER_SCAN_ROWS = 30
HELP_SHEETS = {"Hướng dẫn - Guide", "Chỉ tiêu - Indicators"}  # the template's own help, not data
_YEAR_IN_NAME = re.compile(r"(?<!\d)(20\d\d)(?!\d)")
_HEADER_NOISE = re.compile(r"[\*:]+$|\s*\([^)]*\)\s*$")


@dataclass(frozen=True)
class Grid:
    """One sheet of one file, cells as stored; ``cells.index`` holds the user's row numbers."""

    file: str
    sheet: str
    cells: pd.DataFrame


@dataclass
class Table:
    """A recognised table: ``kind`` is ``villages``, ``long`` or ``wide``.

    ``frame`` has a ``row`` column (the user's row number) and one column per mapped field
    (``village_code``, ``year`` …) or, for wide tables, per indicator code; ``headers`` maps each
    of those columns to the header text as written, for the quality report. In values tables,
    ``unknown_columns`` keeps the cells of unrecognised columns (header text -> cells by row), so
    that they are accounted for as rejected values rather than dropped.
    """

    kind: str
    file: str
    sheet: str
    frame: pd.DataFrame
    headers: dict[str, str] = field(default_factory=dict)
    indicator_columns: list[str] = field(default_factory=list)
    year_from_name: int | None = None
    unknown_columns: dict[str, pd.Series] = field(default_factory=dict)


# ---------------------------------------------------------------- the raw data contract


@cache
def raw_fields() -> list[dict]:
    """The raw data contract's fields, from ``reference/raw-fields.yaml``."""
    with open(REFERENCE_DIR / "raw-fields.yaml", encoding="utf-8") as fh:
        return yaml.safe_load(fh)["fields"]


@cache
def _field_aliases() -> dict[str, str]:
    aliases: dict[str, str] = {}
    for spec in raw_fields():
        for alias in [spec["name"], spec["name"].replace("_", " "), *spec["aliases"]]:
            aliases[header_key(alias)] = spec["name"]
    return aliases


def header_key(text: str) -> str:
    """A header's matching key: folded, without a trailing unit in brackets, ``*`` or ``:``."""
    key = fold(str(text)).replace("_", " ")
    return _HEADER_NOISE.sub("", key).strip()


def match_header(text: object, criteria: CriteriaSet) -> tuple[str, str] | None:
    """Map one header cell to ``("field", name)`` or ``("indicator", code)``; None when unknown."""
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return None
    raw = repair_legacy(clean_text(str(text)))[0]
    if not raw:
        return None
    field_name = _field_aliases().get(header_key(raw)) or _field_aliases().get(fold(raw))
    if field_name:
        return ("field", field_name)
    code = criteria.match_indicator(raw)
    return ("indicator", code) if code else None


# ---------------------------------------------------------------- reading files into grids


def list_raw_files(folder: Path) -> list[Path]:
    """Every file below ``folder`` except hidden files, Excel lock files and README/.gitkeep."""
    files = [p for p in sorted(Path(folder).rglob("*")) if p.is_file()]
    return [p for p in files
            if not p.name.startswith((".", "~$")) and p.name.lower() not in {"readme.md", "readme.txt"}]


def read_grids(path: Path, root: Path, log: QualityLog) -> list[Grid]:
    """Read every sheet of an xlsx or csv file; problems go to ``log``, never raised."""
    label = file_label(path, root)
    where = Location(label)
    suffix = path.suffix.lower()
    if suffix not in READ_SUFFIXES:
        log.problem("file_ignored", where, path.suffix)
        return []
    data = path.read_bytes()
    if not data.strip():
        log.problem("file_empty", where)
        return []
    if suffix in EXCEL_SUFFIXES and not zipfile.is_zipfile(io.BytesIO(data)):
        if _looks_like_text(data):
            log.problem("file_misnamed", where, detail=path.suffix)
            return [_csv_grid(data, label, log)]
        log.problem("file_unreadable", where, detail="not an Excel .xlsx workbook (damaged, or another format)")
        return []
    if suffix in EXCEL_SUFFIXES:
        try:
            return _excel_grids(data, label)
        except (zipfile.BadZipFile, KeyError, ValueError, OSError, EOFError) as exc:
            log.problem("file_unreadable", where, detail=f"damaged or incomplete workbook ({type(exc).__name__})")
            return []
    return [_csv_grid(data, label, log)]


def _looks_like_text(data: bytes) -> bool:
    sample = data[:4096]
    return b"\x00" not in sample and sample.count(b"\n") >= 1


def _csv_grid(data: bytes, label: str, log: QualityLog) -> Grid:
    """Decode (UTF-8, BOM, Windows-1258, TCVN3/VNI) and split a CSV file, keeping every cell as text."""
    text, encoding = decode_bytes(data)
    if encoding not in {"utf-8", "utf-8-sig"}:
        log.change(Location(label), "encoding_converted", encoding, "utf-8")
    delimiter = _sniff_delimiter(text)
    try:  # from UTF-8 bytes, which pandas' parser reads faster than a str; as categories: the parser
        # numbers the distinct texts of each column, which _drop_empty needs
        cells = pd.read_csv(io.BytesIO(text.encode("utf-8")), sep=delimiter, header=None, dtype="category",
                            keep_default_na=False, na_filter=False, skip_blank_lines=False)
    except pd.errors.ParserError:  # ragged rows: fall back to the csv module
        rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
        cells = pd.DataFrame(rows, dtype=object)
    cells.index = pd.RangeIndex(1, len(cells) + 1)
    return Grid(label, "", _drop_empty(cells))


def _sniff_delimiter(text: str) -> str:
    head = "\n".join(_first_lines(text, 20))
    counts = {d: head.count(d) for d in [",", ";", "\t"]}
    return max(counts, key=lambda d: (counts[d], d == ","))


def _first_lines(text: str, n: int) -> list[str]:
    """``text.splitlines()[:n]`` without splitting the whole (possibly large) text."""
    size = 1 << 16
    while size < len(text):
        lines = text[:size].splitlines()
        if len(lines) > n:  # the first n lines ended before the cut
            return lines[:n]
        size *= 4
    return text.splitlines()[:n]


def _excel_grids(data: bytes, label: str) -> list[Grid]:
    """Every worksheet as a grid of computed values; formulas Excel never computed are kept as text."""
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    formulas = _has_formulas(data)
    grids = []
    for sheet in book.worksheets:
        if sheet.title in HELP_SHEETS:
            continue
        cells = pd.DataFrame(list(sheet.iter_rows(values_only=True)), dtype=object)
        if formulas and not cells.empty:
            cells = _fill_uncomputed_formulas(cells, data, sheet.title)
        cells.index = pd.RangeIndex(1, len(cells) + 1)
        grids.append(Grid(label, sheet.title, _drop_empty(cells)))
    book.close()
    return grids


def _has_formulas(data: bytes) -> bool:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return any(_contains(archive, name, b"<f") for name in archive.namelist()
                   if name.startswith("xl/worksheets/") and name.endswith(".xml"))


def _contains(archive: zipfile.ZipFile, name: str, needle: bytes, chunk: int = 1 << 20) -> bool:
    """Whether a member of ``archive`` holds ``needle``, read a chunk at a time (sheets can be large)."""
    with archive.open(name) as member:
        tail = b""
        while block := member.read(chunk):
            if needle in tail + block[:len(needle) - 1] or needle in block:
                return True
            tail = block[-(len(needle) - 1):]
    return False


def _fill_uncomputed_formulas(cells: pd.DataFrame, data: bytes, title: str) -> pd.DataFrame:
    """Where a cell has a formula but no saved result, show the formula so it is reported."""
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    raw = pd.DataFrame(list(book[title].iter_rows(values_only=True)), dtype=object)
    book.close()
    raw = raw.reindex(index=cells.index, columns=cells.columns)
    return cells.mask(cells.isna() & raw.apply(_formula_cells), raw)


def _formula_cells(column: pd.Series) -> pd.Series:
    """True where a cell holds formula text ("=…"); only text cells are looked at."""
    values = column.to_numpy(dtype=object)
    text = np.array([isinstance(v, str) for v in values], dtype=bool)
    found = np.zeros(len(values), dtype=bool)
    found[text] = [v.startswith("=") for v in values[text]]
    return pd.Series(found, index=column.index)


def _drop_empty(cells: pd.DataFrame) -> pd.DataFrame:
    """Drop rows and columns with no content (blank strings count as empty); blank cells become NaN.

    Every column comes back as objects (categories as their texts); text columns share one string
    object per distinct text.
    """
    columns, blanks = {}, []
    for col in cells.columns:
        columns[col], blank = _blanks_to_nan(cells[col])
        blanks.append(blank)
    blank = np.column_stack(blanks) if blanks else np.ones((len(cells), 0), dtype=bool)
    cells = pd.DataFrame(columns, index=cells.index, columns=cells.columns, dtype=object)
    empty_rows, empty_columns = blank.all(axis=1), blank.all(axis=0)
    if not empty_rows.any() and not empty_columns.any():
        return cells
    return cells.loc[~empty_rows, ~empty_columns]


def _blanks_to_nan(column: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """A column's cells as objects, NaN where blank (missing or only spaces), and where that is.

    Each distinct cell is looked at once. A column holding only text is rebuilt from its distinct
    texts; other columns keep their cells as they are (1, 1.0 and True are distinct cells).
    """
    codes, uniques = _distinct_cells(column)
    blank = np.array([isinstance(u, str) and not u.strip() for u in uniques] + [True], dtype=bool)[codes]
    # (code -1 picks the last entry: a missing cell is blank)
    if all(isinstance(u, str) for u in uniques):
        values = np.append(uniques, np.nan)[codes]
    else:
        values = column.to_numpy(dtype=object, copy=True)
    values[blank] = np.nan
    return values, blank


def _distinct_cells(column: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Each cell's number among the column's distinct cells (``-1``: missing: None, NaN, NaT …), and those."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.cat.codes.to_numpy(), np.asarray(column.cat.categories, dtype=object)
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    return codes, np.asarray(uniques, dtype=object)


# ---------------------------------------------------------------- recognising tables


def recognise_table(grid: Grid, criteria: CriteriaSet, log: QualityLog) -> Table | None:
    """Find the header and the kind of table in ``grid``; report and return None when there is none."""
    where = Location(grid.file, grid.sheet)
    if grid.cells.empty:
        log.problem("sheet_empty", where)
        return None
    header_rows, matches = _find_header(grid.cells, criteria)
    if header_rows is None:
        preview = ", ".join(str(v) for v in grid.cells.iloc[0].dropna().head(4))
        log.problem("sheet_not_recognised", where, detail=f"first row: {preview}", count=len(grid.cells))
        return None
    body = grid.cells.iloc[grid.cells.index.searchsorted(header_rows[-1], side="right"):]  # rows ascend
    header_text = _header_text(grid.cells, header_rows)
    fields = {name: col for col, (kind, name) in matches.items() if kind == "field"}
    indicators = {name: col for col, (kind, name) in matches.items() if kind == "indicator"}
    _report_duplicate_columns(matches, header_text, where, log)
    if "indicator" in fields and "value" in fields:
        kind = "long"
    elif indicators:
        kind = "wide"
    elif {"commune", "village_name"} <= fields.keys() or {"village_code", "households"} <= fields.keys():
        kind = "villages"
    else:
        found = ", ".join(sorted(fields)) or "-"
        log.problem("sheet_not_recognised", where, detail=f"columns found: {found}", count=len(grid.cells))
        return None
    columns = {**fields, **(indicators if kind == "wide" else {})}
    frame = pd.DataFrame({name: body[col] for name, col in columns.items()}, index=body.index)
    frame.insert(0, "row", body.index.to_numpy())
    unknown = {header_text[col]: body[col].dropna() for col in body.columns
               if col not in matches and body[col].notna().any()}
    if kind == "villages":
        for header, cells in unknown.items():
            log.problem("unknown_column", Location(where.file, where.sheet, None, header), count=len(cells))
        unknown = {}
    return Table(kind, grid.file, grid.sheet, frame.reset_index(drop=True),
                 headers={name: header_text[col] for name, col in columns.items()},
                 indicator_columns=list(indicators) if kind == "wide" else [],
                 year_from_name=_year_in_names(grid.sheet, grid.file),
                 unknown_columns=unknown)


def _find_header(cells: pd.DataFrame, criteria: CriteriaSet) -> tuple[list[int] | None, dict]:
    """Best header among the first rows: a single row, or two rows when the upper one is merged."""
    best: tuple[int, list[int] | None, dict] = (1, None, {})
    rows = list(cells.index[:HEADER_SCAN_ROWS])
    for pos, row in enumerate(rows):
        single = {col: m for col, v in cells.loc[row].items() if (m := match_header(v, criteria))}
        if not _identifies_village(single):  # the lowest header row names the village column itself
            continue
        candidates = [([row], single)]
        if pos > 0:
            band = [rows[pos - 1], row]
            candidates.append((band, {col: m for col, v in _merge_band(cells, band).items()
                                      if (m := match_header(v, criteria))}))
        for band, matches in candidates:
            if len(matches) > best[0]:
                best = (len(matches), band, matches)
    return best[1], best[2]


def _merge_band(cells: pd.DataFrame, band: list[int]) -> dict:
    """Header text per column: the lowest non-empty cell of the band (merged cells hold text above)."""
    merged = {}
    for col in cells.columns:
        values = [cells.at[r, col] for r in band if pd.notna(cells.at[r, col])]
        merged[col] = values[-1] if values else None
    return merged


def _identifies_village(matches: dict) -> bool:
    names = {name for kind, name in matches.values() if kind == "field"}
    return bool(names & {"village_code", "village_name"})


def _header_text(cells: pd.DataFrame, band: list[int]) -> dict:
    return {col: clean_text(str(v)) if v is not None else f"#{i + 1}"
            for i, (col, v) in enumerate(_merge_band(cells, band).items())}


def _report_duplicate_columns(matches: dict, header_text: dict, where: Location, log: QualityLog) -> None:
    seen: dict[tuple, object] = {}
    for col, target in matches.items():
        if target in seen:
            log.problem("duplicate_column", Location(where.file, where.sheet, None, header_text[col]),
                        detail=f"{header_text[seen[target]]} / {header_text[col]}")
        else:
            seen[target] = col
    for col in [c for c, t in matches.items() if seen.get(t) != c]:
        del matches[col]


def _year_in_names(*names: str) -> int | None:
    for name in names:
        found = _YEAR_IN_NAME.findall(name or "")
        if len(found) == 1:
            return int(found[0])
    return None


def read_tables(paths: Iterable[Path], root: Path, criteria: CriteriaSet, log: QualityLog) -> list[Table]:
    """Read and recognise every table in ``paths``; everything not read is reported in ``log``."""
    tables = []
    for path in paths:
        for grid in read_grids(path, root, log):
            if (table := recognise_table(grid, criteria, log)) is not None:
                tables.append(table)
    return tables
