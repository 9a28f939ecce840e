"""Cell-level cleaning shared by the villages and values tables: text, codes, numbers, with every
rewrite and every rejected cell recorded in the quality log.

Parsing works on a column's *distinct* values and maps the result back, so a column of a million
cells holding a few hundred distinct strings costs a few hundred parses.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

import numpy as np
import pandas as pd

from ntm_analysis.raw.tables import Table
from ntm_analysis.core.legacy_encoding import repair_legacy
from ntm_analysis.core.vn_numbers import Reading, number_convention, parse_bool, parse_number, parse_percent
from ntm_analysis.raw.quality_log import Location, QualityLog
from ntm_analysis.core.vietnamese import clean_text, fold, nfc

Parser = Callable[[object], Reading]


def tidy_text(cells: pd.Series, rows: pd.Series, table: Table, column: str, log: QualityLog) -> pd.Series:
    """NFC, trimmed text with legacy encodings (TCVN3, VNI) converted; each rewrite logged.

    ``cells`` holds raw cells (any type), ``rows`` the user's row numbers for the same index;
    non-text cells (numbers) are turned into text, missing cells stay missing.
    """
    codes, texts = distinct_texts(cells)
    if not len(texts):
        return pd.Series(pd.NA, index=cells.index, dtype="string")
    present = codes >= 0
    first_row = first_of_each(codes[present], rows.reindex(cells.index).to_numpy()[present], len(texts))
    counts = np.bincount(codes[present], minlength=len(texts))
    tidied = []
    for raw, first, count in zip(texts, first_row, counts):
        after, rules = _tidy_one(raw)
        tidied.append(after or pd.NA)
        where = Location(table.file, table.sheet, int(first), table.headers.get(column, column))
        for rule in rules:
            log.change(where, rule, raw, after, int(count))
    return from_distinct(tidied, codes, cells.index)


def distinct_texts(cells: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Each cell's number among the distinct texts of the column (``-1``: missing cell), and those texts.

    Cells that are not text are compared as ``Series.astype(str)`` writes them (1, 1.0 and True differ).
    """
    codes, uniques = pd.factorize(cells, use_na_sentinel=True)
    if all(isinstance(u, str) for u in uniques):
        return codes, list(uniques)
    present = codes >= 0
    as_text = np.array([str(v) for v in cells.to_numpy(dtype=object)[present]], dtype=object)
    text_codes, texts = pd.factorize(as_text)
    codes = np.full(len(cells), -1, dtype=np.intp)
    codes[present] = text_codes
    return codes, list(texts)


def map_distinct(cells: pd.Series, func: Callable[[object], object]) -> pd.Series:
    """``func`` of each present cell (as objects), called once per distinct cell; missing cells give NA.

    For columns of one kind of value (text): distinct cells are told apart by equality (1 == 1.0 == True).
    """
    codes, uniques = pd.factorize(cells, use_na_sentinel=True)
    mapped = np.array([func(u) for u in uniques] + [pd.NA], dtype=object)
    return pd.Series(mapped[codes], index=cells.index, dtype=object)


def first_of_each(codes: np.ndarray, rows: np.ndarray, n: int) -> np.ndarray:
    """The smallest of ``rows`` for each code ``0 … n-1`` (every code occurs)."""
    first = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first, codes, rows.astype(np.int64))
    return first


def from_distinct(values: list, codes: np.ndarray, index: pd.Index) -> pd.Series:
    """A ``string`` Series from distinct values (text or NA) and each cell's code (``-1``: missing)."""
    return pd.Series(pd.array(values, dtype="string").take(codes, allow_fill=True), index=index)


def _tidy_one(raw: str) -> tuple[str, list[str]]:
    rules = []
    text, encoding = repair_legacy(raw)
    if encoding:
        rules.append(f"legacy_{encoding}")
    elif nfc(raw) != raw:
        rules.append("unicode_nfc")
    tidy = clean_text(text)
    if tidy != nfc(text) and not encoding:
        rules.append("whitespace")
    return tidy, rules


def read_code(cells: pd.Series, rows: pd.Series, table: Table, column: str, log: QualityLog) -> pd.Series:
    """Village codes as text. A code Excel stored as a number loses its leading zeros: reported."""
    numeric = pd.Series(_numeric_cells(cells.to_numpy(dtype=object)), index=cells.index)
    if not numeric.any():
        return tidy_text(cells, rows, table, column, log)
    for idx in cells.index[numeric]:
        log.problem("code_stored_as_number", _where(table, rows[idx], column), cells[idx])
    return tidy_text(cells.where(~numeric, cells[numeric].map(_number_text)), rows, table, column, log)


def _numeric_cells(values: np.ndarray) -> np.ndarray:
    """True for each cell holding a number (not a yes/no value, not NaN)."""
    if pd.api.types.infer_dtype(values, skipna=True) in {"string", "empty"}:
        return np.zeros(len(values), dtype=bool)
    return np.array([isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool) and pd.notna(v)
                     for v in values], dtype=bool)


def _number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def parse_cells(cells: pd.Series, parser: Parser) -> pd.DataFrame:
    """Apply ``parser`` to each distinct cell: columns ``value`` (float), ``problem``, ``detail``."""
    value, problem, detail = read_distinct(cells, parser)
    return pd.DataFrame({"value": value, "problem": problem, "detail": detail}, index=cells.index)


def read_distinct(cells: pd.Series | np.ndarray, parser: Parser) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``parser`` applied once per distinct cell: arrays of values (float), problems and details, per cell."""
    codes, uniques = pd.factorize(cells, use_na_sentinel=True)
    readings = [parser(_repair_cell(u)) for u in uniques] + [parser(None)]  # code -1 = missing cell
    pick = np.where(codes < 0, len(readings) - 1, codes)
    return (np.array([np.nan if r.value is None else r.value for r in readings], dtype="float64")[pick],
            np.array([r.problem for r in readings], dtype=object)[pick],
            np.array([r.detail for r in readings], dtype=object)[pick])


def log_legacy_cells(cells: np.ndarray, rows: np.ndarray, columns: np.ndarray, table: Table,
                     log: QualityLog) -> None:
    """Log the cells written in a legacy encoding (TCVN3, VNI) that the readers convert before reading
    (:func:`read_distinct`): one change per distinct text and column, at its first row.

    ``cells`` are raw cells, ``rows`` and ``columns`` the user's row number and column header of each.
    """
    codes, uniques = pd.factorize(cells, use_na_sentinel=True)
    for k, cell in enumerate(uniques):
        text, encoding = repair_legacy(cell) if isinstance(cell, str) else (cell, None)
        if encoding is None:
            continue
        where = np.flatnonzero(codes == k)
        for column in pd.unique(columns[where]):
            here = where[columns[where] == column]
            log.change(Location(table.file, table.sheet, int(rows[here].min()), column), f"legacy_{encoding}",
                       cell, clean_text(text), len(here))


def _repair_cell(cell: object) -> object:
    return clean_text(repair_legacy(cell)[0]) if isinstance(cell, str) else cell


def parser_for(kind: str, unit: str, cells: pd.Series, plausible: tuple[float, float] | None = None) -> Parser:
    """The reader for an indicator or field: booleans, percentages or plain numbers.

    For numbers the column's convention (Vietnamese, English or mixed) is read from the column itself.
    ``plausible`` is the indicator's plausible range (percent); when given, a value below 1 is flagged as a
    probable fraction only if it lies outside that range while a hundred times it lies inside.
    """
    if kind == "boolean" or unit == "boolean":
        return parse_bool
    convention = number_convention(cells.dropna().drop_duplicates())
    if unit == "percent":
        if plausible is None:
            return lambda raw: parse_percent(raw, convention)
        return lambda raw: _fraction_if_implausible(parse_percent(raw, convention), plausible)
    return lambda raw: parse_number(raw, convention)


def _fraction_if_implausible(reading: Reading, plausible: tuple[float, float]) -> Reading:
    """Drop the probable-fraction warning where the value itself is a plausible percentage."""
    low, high = plausible
    if reading.problem == "probable_fraction" and not (low <= reading.value * 100 <= high and
                                                        not low <= reading.value <= high):
        return Reading(reading.value)
    return reading


def _where(table: Table, row: object, column: str) -> Location:
    return Location(table.file, table.sheet, int(row), table.headers.get(column, column))


def report_readings(readings: pd.DataFrame, cells: pd.Series, rows: pd.Series, table: Table, column: str,
                    log: QualityLog) -> None:
    """Log one problem per cell whose reading has a problem."""
    has_problem = readings["problem"].notna().to_numpy()
    for problem, detail, cell, row in zip(readings["problem"].to_numpy()[has_problem],
                                          readings["detail"].to_numpy()[has_problem],
                                          cells.reindex(readings.index).to_numpy()[has_problem],
                                          rows.reindex(readings.index).to_numpy()[has_problem]):
        log.problem(problem, _where(table, row, column), cell, detail=detail)


def with_context_commune(table: Table, communes: list[str], log: QualityLog) -> Table:
    """A table without a commune column takes the one of ``communes`` its sheet name, title or file name
    names (a district workbook with a sheet per commune); the choice is listed in the changes log."""
    if "commune" in table.frame.columns or table.frame.empty:
        return table
    for text in [table.sheet, table.title, table.file.rsplit("/", 1)[-1].rsplit(".", 1)[0].replace("-", " ")]:
        key = fold(text or "")
        found = [c for c in communes if re.search(rf"(?<!\w){re.escape(fold(c))}(?!\w)", key)]
        if len(found) == 1:
            log.change(Location(table.file, table.sheet, int(table.frame["row"].min()), "Xã"), "commune_from_sheet",
                       text, found[0], len(table.frame))
            return replace(table, frame=table.frame.assign(commune=found[0]),
                           headers={**table.headers, "commune": f"Xã (từ tên trang / from the sheet: {text})"})
    return table
