"""Read raw workbooks and CSV files into grids of cells, and recognise the tables they hold.

A *grid* is one sheet as the user sees it: an object DataFrame whose index is the row number shown in
Excel (or the CSV line) and whose cells are what the file holds (text, numbers, dates, None), every cell
of a merged range holding the range's value. Recognising a table converts the sheet's legacy-encoded
text, finds its header band (one to three rows, not necessarily the first), maps each column to a field
of the raw data contract (``reference/raw-fields.yaml``) or to an indicator of the criteria set, sets
aside the rows that are not data (``layout``), and decides whether the sheet is a villages table, a long
values table or a wide values table.
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
from openpyxl.utils import get_column_letter

from ntm_analysis.config import REFERENCE_DIR
from ntm_analysis.reference.criteria import CriteriaSet
from ntm_analysis.raw.layout import DATA, blocks, is_title_row, row_kinds, section_names, subtotal_mismatches
from ntm_analysis.core.legacy_encoding import (convert_in_sheet, decode_bytes, is_candidate, repair_legacy,
                                         sheet_encoding)
from ntm_analysis.raw.merged_cells import Range, SheetLayout, fill_merged, read_sheet_layouts
from ntm_analysis.core.excel import ILLEGAL_CHARACTERS
from ntm_analysis.raw.quality_log import Location, QualityLog, file_label
from ntm_analysis.core.vietnamese import clean_text, fold

EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
READ_SUFFIXES = EXCEL_SUFFIXES | {".csv"}
HEADER_SCAN_ROWS = 40
PERCENT_SAMPLE_ROWS = 60  # rows whose cell formats tell which columns Excel shows as percentages
HELP_SHEETS = {"Hướng dẫn - Guide", "Chỉ tiêu - Indicators"}  # the template's own help, not data
_YEAR_IN_NAME = re.compile(r"(?<!\d)(20\d\d)(?!\d)")
_HEADER_NOISE = re.compile(r"[\*:]+$|\s*\([^)]*\)\s*$")
_SLASH = re.compile(r"\s*/\s*")
_HEADER_UNIT = re.compile(r"\((?:km|m|ha|%)\)\s*$")


@dataclass(frozen=True)
class Grid:
    """One sheet of one file, cells as the officer sees them; ``cells.index`` holds the user's row numbers
    and ``cells.columns`` the 0-based column positions (0 = Excel column A).

    Every cell of a merged range holds the range's value; ``merged`` lists the ranges (1-based).
    """

    file: str
    sheet: str
    cells: pd.DataFrame
    merged: tuple[Range, ...] = ()
    hidden_columns: frozenset[int] = frozenset()  # hidden in Excel (0-based positions): read, and reported
    percent_columns: frozenset[int] = frozenset()  # shown as percentages by Excel: numbers already × 100


@dataclass
class Table:
    """A recognised table: ``kind`` is ``villages``, ``long`` or ``wide`` (``unread``: a sheet with no table).

    ``frame`` has a ``row`` column (the user's row number) and one column per mapped field
    (``village_code``, ``year`` …) or, for wide tables, per indicator code; ``headers`` maps each
    of those columns to the header text as written, for the quality report. In values tables,
    ``unknown_columns`` keeps the cells of unrecognised columns (header text -> cells by row), so
    that they are accounted for as rejected values rather than dropped. ``set_aside_cells`` counts the
    non-empty cells not read because they are not data (titles, numbering, subtotals, footers, columns
    of a villages table that are not in the contract, a sheet with no table), each reported in the log.
    Headers (``headers``) name columns as the officer sees them: "K – Đường ngõ xóm".
    """

    kind: str
    file: str
    sheet: str
    frame: pd.DataFrame
    headers: dict[str, str] = field(default_factory=dict)
    indicator_columns: list[str] = field(default_factory=list)
    year_from_name: int | None = None  # the one year in the sheet's name, the file's name or the title rows
    unknown_columns: dict[str, pd.Series] = field(default_factory=dict)
    set_aside_cells: int = 0
    title: str = ""  # the texts of the title rows above the header


# ---------------------------------------------------------------- the raw data contract


@cache
def raw_fields() -> list[dict]:
    """The raw data contract's fields, from ``reference/raw-fields.yaml``."""
    with open(REFERENCE_DIR / "raw-fields.yaml", encoding="utf-8") as fh:
        return yaml.safe_load(fh)["fields"]


@cache
def _field_aliases() -> dict[str, str]:
    """Field names by matching key; an alias naming a unit ("đường trục thôn (km)", "hộ dtts (%)") matches
    only with it, so that the indicator "Đường trục thôn" (a percentage) is not taken for the road length
    nor a count of ethnic-minority households ("Hộ DTTS") for their share."""
    aliases: dict[str, str] = {}
    for spec in raw_fields():
        for alias in [spec["name"], spec["name"].replace("_", " "), *spec["aliases"]]:
            aliases[fold(alias)] = spec["name"]
            if not _HEADER_UNIT.search(fold(alias)):
                aliases[header_key(alias)] = spec["name"]
    return aliases


def header_key(text: str) -> str:
    """A header's matching key: folded, without a trailing unit in brackets, ``*`` or ``:``; "/" read as ","
    ("Tên thôn/làng" = "Tên thôn, làng")."""
    key = _SLASH.sub(", ", fold(str(text)).replace("_", " "))
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
        width = max(map(len, rows), default=0)
        cells = pd.DataFrame([row + [None] * (width - len(row)) for row in rows], dtype=object)
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
    """Every worksheet as a grid of computed values, merged ranges filled; formulas Excel never computed are
    kept as text."""
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    formulas = _has_formulas(data)
    layouts = read_sheet_layouts(data)  # read-only sheets know neither their merged cells nor hidden columns
    grids = []
    for sheet in book.worksheets:
        if sheet.title in HELP_SHEETS:
            continue
        cells = pd.DataFrame(list(sheet.iter_rows(values_only=True)), dtype=object)
        if formulas and not cells.empty:
            cells = _fill_uncomputed_formulas(cells, data, sheet.title)
        layout = layouts.get(sheet.title, SheetLayout())
        percent = _percent_columns(sheet)
        cells = fill_merged(_as_shown_in_percent(cells, percent), list(layout.merged))
        cells.index = pd.RangeIndex(1, len(cells) + 1)
        grids.append(Grid(label, sheet.title, _drop_empty(cells), layout.merged, layout.hidden_columns, percent))
    book.close()
    return grids


def _percent_columns(sheet: object) -> frozenset[int]:
    """Columns whose numbers Excel shows as percentages (format "0%", "0.0%" …): 0.855 is shown "85.5%".

    The streaming reader gives formats only with cell objects, so they are read from the first
    ``PERCENT_SAMPLE_ROWS`` rows: a column counts when every number there has a percent format.
    """
    formats: dict[int, list[bool]] = {}
    for row in sheet.iter_rows(max_row=PERCENT_SAMPLE_ROWS):
        for position, cell in enumerate(row):
            value = cell.value
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                formats.setdefault(position, []).append("%" in (cell.number_format or ""))
    return frozenset(col for col, flags in formats.items() if all(flags))


def _as_shown_in_percent(cells: pd.DataFrame, columns: frozenset[int]) -> pd.DataFrame:
    """Numbers of percent-formatted columns as Excel shows them (0.855 -> 85.5); other cells as they are."""
    if not columns:
        return cells
    cells = cells.copy()
    for col in columns & set(cells.columns):
        values = cells[col].to_numpy(dtype=object)
        cells[col] = [round(v * 100, 9) if isinstance(v, (int, float)) and not isinstance(v, bool) else v
                      for v in values]
    return cells


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


IDENTITY_FIELDS = ("row_number", "village_code", "village_name", "commune")
ADDITIVE_FIELDS = ("households", "population", "livestock_households", "road_km", "lane_km")
_MEASURE_WORDS = re.compile(r"^(?:(?:ty le|km|so km|so luong|ket qua|dat|chua dat|dat/chua dat|danh gia|gia tri|"
                            r"muc do|thuc hien|hien trang)\b|\(?%\)?$)")
_TOTAL_WORDS = re.compile(r"^(?:tong|tong so|tong cong|cong|chung|toan bo)\s*[:.]?$")  # "Số hộ" over "Tổng số | …"
_BLOCK_CODES = {"title": "title_rows", "header": "header_repeated", "numbering": "numbering_row", "units": "units_row",
                "subtotal": "subtotal_row", "section": "section_row", "footer": "footer_rows"}


def recognise_table(grid: Grid, criteria: CriteriaSet, log: QualityLog) -> Table | None:
    """Find the header band and the kind of table in ``grid``, setting aside the rows that are not data.

    The sheet's legacy encoding is decided first (every converted cell goes to the changes log); title
    rows above the header and numbering, subtotal, section and footer rows below it are reported once
    per block and counted in ``Table.set_aside_cells``. A sheet with no table gives a table of kind
    ``unread`` whose non-empty cells are all set aside (so they stay in the balance); an empty sheet None.
    """
    where = Location(grid.file, grid.sheet)
    if grid.cells.empty:
        log.problem("sheet_empty", where)
        return None
    cells, conversions = _repair_sheet(grid.cells, criteria)
    header_rows, matches, texts = _find_header(cells, criteria)
    labels = _column_labels(cells.columns, texts)
    _log_conversions(conversions, labels, where, log)
    if header_rows is None:
        preview = ", ".join(str(v) for v in cells.iloc[0].dropna().head(4))
        log.problem("sheet_not_recognised", where, detail=f"first row: {preview}", count=len(cells))
        return _unread(grid, cells)
    _report_hidden_columns(matches, cells, header_rows, grid.hidden_columns, labels, where, log)
    _report_duplicate_columns(matches, labels, where, log, grid.hidden_columns)  # before the fields are taken
    fields = {name: col for col, (kind, name) in matches.items() if kind == "field"}
    indicators = {name: col for col, (kind, name) in matches.items() if kind == "indicator"}
    if "indicator" in fields and "value" in fields:
        kind = "long"
    elif indicators:
        kind = "wide"
    elif {"commune", "village_name"} <= fields.keys() or {"village_code", "households"} <= fields.keys():
        kind = "villages"
    else:
        found = ", ".join(sorted(fields)) or "-"
        log.problem("sheet_not_recognised", where, detail=f"columns found: {found}", count=len(cells))
        return _unread(grid, cells)
    body = cells.iloc[cells.index.searchsorted(header_rows[-1], side="right"):]  # rows ascend
    identity = [fields[name] for name in IDENTITY_FIELDS if name in fields]
    kinds = row_kinds(body, identity, [col for col in matches if col not in identity], texts)
    set_aside = _set_aside(cells, header_rows, body, kinds, where, log)
    set_aside += _unread_columns(kind, matches, body[kinds == DATA], labels, where, log)
    _check_subtotals(body, kinds, {fields[n]: labels[fields[n]] for n in ADDITIVE_FIELDS if n in fields}, where, log)
    _log_merged_data(grid, body, kinds, labels, where, log)
    _log_percent_format(grid, body[kinds == DATA], labels, where, log)
    data = body[kinds == DATA]
    columns = {**fields, **(indicators if kind == "wide" else {})}
    frame = pd.DataFrame({name: data[col] for name, col in columns.items()}, index=data.index)
    frame.insert(0, "row", data.index.to_numpy())
    headers = {name: labels[col] for name, col in columns.items()}
    sections = section_names(body, kinds, [*identity, body.columns[0]])[kinds == DATA]
    if "commune" not in fields and pd.notna(sections).any():
        frame["commune"] = sections  # "I. Xã Ia Krái" over its villages
        headers["commune"] = f"{labels[identity[0]]} (dòng tiêu đề nhóm / section heading)"
    unknown = {labels[col]: data[col] for col in data.columns
               if col not in matches and (texts.get(col) is not None or data[col].notna().any())}
    if kind == "villages":
        for header, column in unknown.items():
            if column.notna().any():
                log.problem("unknown_column", Location(where.file, where.sheet, None, header),
                            count=int(column.notna().sum()))
        set_aside += sum(int(column.notna().sum()) for column in unknown.values())
        unknown = {}
    title = _title_text(cells, header_rows[0])
    return Table(kind, grid.file, grid.sheet, frame.reset_index(drop=True), headers=headers,
                 indicator_columns=list(indicators) if kind == "wide" else [],
                 year_from_name=_year_in_names(grid.sheet, grid.file, title),
                 unknown_columns=unknown, set_aside_cells=set_aside, title=title)


def _unread_columns(kind: str, matches: dict, data: pd.DataFrame, labels: dict, where: Location,
                    log: QualityLog) -> int:
    """Report the recognised columns this kind of table does not read (households in a values sheet, an
    indicator in a long table …), once per column; return how many non-empty cells they hold."""
    table = "villages" if kind == "villages" else "values"
    tables = {spec["name"]: spec["table"] for spec in raw_fields()}
    long_only = set() if kind == "long" else {"indicator", "value"}  # the fields only a long table reads
    total = 0
    for col, (what, name) in matches.items():
        unused = (what == "indicator" and kind != "wide") or (
            what == "field" and (table not in tables[name] or name in long_only))
        if unused and (count := int(data[col].notna().sum())):
            detail = ("thông tin làng chỉ đọc từ danh sách làng / village details are read from the villages list"
                      if table == "values" and what == "field" else
                      f"bảng dạng {kind} / a {kind} table")
            log.problem("column_not_read", Location(where.file, where.sheet, None, labels[col]), detail=detail,
                        count=count)
            total += count
    return total


def _unread(grid: Grid, cells: pd.DataFrame) -> Table:
    """A sheet with no table: nothing is read, every non-empty cell is set aside."""
    return Table("unread", grid.file, grid.sheet, pd.DataFrame({"row": pd.Series(dtype="int64")}),
                 set_aside_cells=int(cells.notna().to_numpy().sum()))


def column_letter(col: object) -> str:
    """The Excel letter of a grid column (grid columns are 0-based positions): 0 -> "A", 10 -> "K"."""
    return get_column_letter(int(col) + 1)


def _column_labels(columns: pd.Index, texts: dict) -> dict:
    """Each column as the officer sees it: the Excel letter and the header text, "K – Đường ngõ xóm"."""
    return {col: f"{column_letter(col)} – {texts[col]}" if texts.get(col) else column_letter(col)
            for col in columns}


def _repair_sheet(cells: pd.DataFrame, criteria: CriteriaSet) -> tuple[pd.DataFrame, list[tuple]]:
    """The sheet with control characters (NUL …) removed and legacy-encoded texts (TCVN3, VNI) converted;
    returns the cells and the conversions ``(column, before, after, rule, first row, count)``, for the
    changes log (where the outputs show a removed character as ``\\x00``).

    A text that is legacy on its own is converted; once the sheet is known to be typed in a legacy
    encoding, a text that says too little on its own ("Sè hé") is converted too where most of the
    texts of its row or column that could be legacy are, unless it already names a header as it is.
    """
    texts = list({u for col in cells.columns for u in pd.unique(cells[col]) if isinstance(u, str)})
    repaired = {}
    for text in texts:
        readable = ILLEGAL_CHARACTERS.sub("", text)  # NUL and other controls no workbook can hold
        after, found = repair_legacy(readable)
        if found:
            repaired[text] = (clean_text(after), f"legacy_{found}")
        elif readable != text:
            repaired[text] = (readable, "control_characters_removed")
    if not repaired:
        return cells, []
    distinct = {col: pd.factorize(cells[col], use_na_sentinel=True) for col in cells.columns}
    encoding = sheet_encoding(texts)
    if encoding:
        _repair_by_context(cells, distinct, repaired, encoding, criteria)
    columns, conversions = {}, []
    for col, (codes, uniques) in distinct.items():
        hits = [k for k, u in enumerate(uniques) if isinstance(u, str) and (u in repaired or (u, col) in repaired)]
        if not hits:
            columns[col] = cells[col]
            continue
        new = np.array([_repaired(u, col, repaired) for u in uniques] + [np.nan], dtype=object)
        columns[col] = pd.Series(new[codes], index=cells.index, dtype=object)
        for k in hits:
            rows = cells.index[codes == k]
            after, rule = repaired.get(uniques[k]) or repaired[(uniques[k], col)]
            conversions.append((col, uniques[k], after, rule, int(rows.min()), len(rows)))
    return pd.DataFrame(columns, index=cells.index, columns=cells.columns, dtype=object), conversions


def _repaired(value: object, col: object, repaired: dict) -> object:
    if isinstance(value, str):
        if value in repaired:
            return repaired[value][0]
        if (value, col) in repaired:
            return repaired[(value, col)][0]
    return value


def _repair_by_context(cells: pd.DataFrame, distinct: dict, repaired: dict, encoding: str,
                       criteria: CriteriaSet) -> None:
    """Add to ``repaired`` (by ``(text, column)``) the texts of a legacy sheet that need their context.

    Such a text is converted in a column where at least half of the cells that could be legacy were
    detected on their own, or, when it is its column's only such cell (a header over numbers), in a
    row where they were; the cells of one text are converted everywhere in its column when any of
    them is (the column is then typed in the legacy font).
    """
    detected = np.column_stack([np.append([isinstance(u, str) and u in repaired for u in uniques], False)[codes]
                                for codes, uniques in distinct.values()])
    candidate = np.column_stack([np.append([isinstance(u, str) and is_candidate(u, encoding) for u in uniques],
                                           False)[codes] for codes, uniques in distinct.values()])
    undecided = candidate & ~detected
    if not undecided.any():
        return
    by_row = (detected.sum(axis=1) > 0) & (2 * detected.sum(axis=1) >= candidate.sum(axis=1))
    by_column = (detected.sum(axis=0) > 0) & (2 * detected.sum(axis=0) >= candidate.sum(axis=0))
    silent = candidate.sum(axis=0) <= 1  # a column whose one candidate is its header: its row decides
    convert = undecided & (by_column[None, :] | (silent[None, :] & by_row[:, None]))
    for j, (col, (codes, uniques)) in enumerate(distinct.items()):
        for k in np.unique(codes[convert[:, j]]):
            text = uniques[k]
            if match_header(text, criteria) is None and (after := convert_in_sheet(text, encoding)):
                repaired[(text, col)] = (clean_text(after), f"legacy_{encoding}")


def _log_conversions(conversions: list[tuple], labels: dict, where: Location, log: QualityLog) -> None:
    for col, before, after, rule, row, count in conversions:
        log.change(Location(where.file, where.sheet, row, labels[col]), rule, before, after, count)


def _find_header(cells: pd.DataFrame, criteria: CriteriaSet) -> tuple[list[int] | None, dict, dict]:
    """The best header band among the first rows: its rows, the matched columns and each column's text.

    A band is one row and up to two rows right above it (a title row ends the band). Each column is
    named by its lowest labelled cell (a group title over sub-columns is never itself a field); the
    band must name the village column, its lowest row must name at least one column, and the band
    naming the most distinct fields and indicators wins; on a tie, a band reaching one row further down
    the same header wins (rows under a header are not data), a header repeated lower down does not.
    """
    best: tuple[int, list[int] | None, dict, dict] = (1, None, {}, {})
    rows = list(cells.index[:HEADER_SCAN_ROWS])
    for pos, row in enumerate(rows):
        if not any(match_header(v, criteria) for v in cells.loc[row].tolist()):
            continue
        band = [row]
        for upper in rows[max(0, pos - 2):pos][::-1]:
            if upper != band[0] - 1 or is_title_row(cells.loc[upper]):
                break
            band.insert(0, upper)
        matches, texts = _band_matches(cells, band, criteria)
        named = len(set(matches.values()))  # a group title filled over its sub-columns names one thing
        extends = best[1] is not None and best[1][-1] in band  # the same header, one more row down
        if _identifies_village(matches) and (named > best[0] or (named == best[0] and (extends or best[1] is None))):
            best = (named, band, matches, texts)
    return best[1], best[2], best[3]


def _band_matches(cells: pd.DataFrame, band: list[int], criteria: CriteriaSet) -> tuple[dict, dict]:
    """Per column, the header text (the lowest labelled cell) and its match.

    Under an indicator's title, a lower cell that only names a measure ("Tỷ lệ (%)", "Kết quả") lets
    the title name the column, unless the title spans several columns (it is then a group title); a
    lower cell that says "total" ("Số hộ" over "Tổng số | Trong đó DTTS") lets even a group title name it.
    """
    block = cells.loc[band]
    matches, texts = {}, {}
    for j, col in enumerate(cells.columns):
        column = [v for v in block[col].tolist() if v is not None and not (isinstance(v, float) and np.isnan(v))]
        if not column:
            continue
        lowest = clean_text(str(column[-1]))
        texts[col] = lowest
        if found := match_header(lowest, criteria):
            matches[col] = found
            continue
        if len(column) > 1 and (_TOTAL_WORDS.match(fold(lowest)) or _MEASURE_WORDS.match(fold(lowest))):
            title = clean_text(str(column[-2]))
            spans = _spans(block, j, column[-2]) and not _TOTAL_WORDS.match(fold(lowest))
            if not spans and (found := match_header(title, criteria)):
                matches[col], texts[col] = found, f"{title} – {lowest}"
    return matches, texts


def _spans(block: pd.DataFrame, j: int, value: object) -> bool:
    """Whether ``value`` also heads a neighbouring column in the same band row (a merged group title)."""
    neighbours = [block.iloc[:, k] for k in (j - 1, j + 1) if 0 <= k < block.shape[1]]
    return any((column == value).any() for column in neighbours)


def _identifies_village(matches: dict) -> bool:
    names = {name for kind, name in matches.values() if kind == "field"}
    return bool(names & {"village_code", "village_name"})


def _report_hidden_columns(matches: dict, cells: pd.DataFrame, header_rows: list[int], hidden: frozenset[int],
                           labels: dict, where: Location, log: QualityLog) -> None:
    """A warning for each recognised column hidden in Excel that holds data: it is read, but unseen."""
    body = cells.loc[cells.index > header_rows[-1]]
    for col in sorted(c for c in matches if c in hidden):
        if count := int(body[col].notna().sum()):
            log.problem("hidden_column_read", Location(where.file, where.sheet, None, labels[col]), count=count)


def _report_duplicate_columns(matches: dict, labels: dict, where: Location, log: QualityLog,
                              hidden: frozenset[int] = frozenset()) -> None:
    """Keep one column per field or indicator (the first visible one); report and drop the others."""
    seen: dict[tuple, object] = {}
    for col, target in sorted(matches.items(), key=lambda item: item[0] in hidden):
        if target in seen:
            log.problem("duplicate_column", Location(where.file, where.sheet, None, labels[col]),
                        detail=f"{labels[seen[target]]} / {labels[col]}")
        else:
            seen[target] = col
    for col in [c for c, t in matches.items() if seen.get(t) != c]:
        del matches[col]


def _set_aside(cells: pd.DataFrame, header_rows: list[int], body: pd.DataFrame, kinds: np.ndarray,
               where: Location, log: QualityLog) -> int:
    """Report the rows that are not data once per block; return how many non-empty cells they hold."""
    title = cells.loc[cells.index < header_rows[0]]
    found = [("title", int(title.index[0]), int(title.index[-1]), title)] if len(title) else []
    rows = body.index.to_numpy()
    found += [(kind, first, last, body.iloc[positions]) for kind, first, last, positions in blocks(rows, kinds)]
    total = 0
    for kind, first, last, part in found:
        count = int(part.notna().to_numpy().sum())
        total += count
        span = str(first) if first == last else f"{first}–{last}"
        log.problem(_BLOCK_CODES[kind], Location(where.file, where.sheet, first), _first_text(part),
                    detail=span, count=count)
    return total


def _first_text(part: pd.DataFrame) -> str:
    """The first text of a block of rows, to show in its message."""
    for value in part.to_numpy(dtype=object).ravel():
        if isinstance(value, str) and value.strip():
            return value if len(value) <= 60 else value[:57] + "…"
    return ""


def _check_subtotals(body: pd.DataFrame, kinds: np.ndarray, columns: dict, where: Location,
                     log: QualityLog) -> None:
    """A warning for each subtotal cell that is not the sum of the village rows it stands for."""
    for pos, col, cell, total in subtotal_mismatches(body, kinds, columns):
        log.problem("subtotal_mismatch", Location(where.file, where.sheet, int(body.index[pos]), columns[col]),
                    cell, detail=f"{total:g}")


def _log_merged_data(grid: Grid, body: pd.DataFrame, kinds: np.ndarray, labels: dict, where: Location,
                     log: QualityLog) -> None:
    """List each merged range that reaches data rows in the changes log: its value was copied to every cell."""
    if not grid.merged:
        return
    data_rows = set(body.index[kinds == DATA])
    for first_row, first_col, last_row, last_col in grid.merged:
        rows = [r for r in range(first_row, last_row + 1) if r in data_rows]
        if not rows or first_col - 1 not in labels:
            continue
        cells = len(rows) * (last_col - first_col + 1) - (first_row in data_rows)
        ref = f"{column_letter(first_col - 1)}{first_row}:{column_letter(last_col - 1)}{last_row}"
        value = body.at[rows[0], first_col - 1] if first_col - 1 in body.columns else None
        if cells and value is not None and not (isinstance(value, float) and np.isnan(value)):
            log.change(Location(where.file, where.sheet, first_row, labels[first_col - 1]), "merged_cell",
                       ref, str(value), cells)


def _log_percent_format(grid: Grid, data: pd.DataFrame, labels: dict, where: Location, log: QualityLog) -> None:
    """List each percent-formatted column's numbers, read as Excel shows them (× 100), in the changes log."""
    for col in sorted(grid.percent_columns & set(data.columns)):
        numbers = data[col].map(lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and v == v)
        if numbers.any():
            first = data.index[numbers.to_numpy()][0]
            shown = data.at[first, col]
            log.change(Location(where.file, where.sheet, int(first), labels[col]), "excel_percent_format",
                       f"{round(shown / 100, 11):g} ({shown:g}%)", f"{shown:g}", int(numbers.sum()))


def _year_in_names(*names: str) -> int | None:
    """The year named by the first of ``names`` that names exactly one (sheet, file, then the title block)."""
    for name in names:
        found = set(_YEAR_IN_NAME.findall(name or ""))
        if len(found) == 1:
            return int(found.pop())
    return None


def _title_text(cells: pd.DataFrame, first_header_row: int) -> str:
    """The texts of the title rows above the header, once each ("BIỂU ĐÁNH GIÁ … NĂM 2024")."""
    title = cells.loc[cells.index < first_header_row].to_numpy(dtype=object).ravel()
    return " ".join(dict.fromkeys(v for v in title if isinstance(v, str)))


def read_tables(paths: Iterable[Path], root: Path, criteria: CriteriaSet, log: QualityLog) -> list[Table]:
    """Read and recognise every table in ``paths``; everything not read is reported in ``log``."""
    tables = []
    for path in paths:
        for grid in read_grids(path, root, log):
            if (table := recognise_table(grid, criteria, log)) is not None:
                tables.append(table)
    return tables
