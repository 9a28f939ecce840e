"""Cell-level cleaning shared by the villages and values tables: text, codes, numbers, with every
rewrite and every rejected cell recorded in the quality log.

Parsing works on a column's *distinct* values and maps the result back, so a column of a million
cells holding a few hundred distinct strings costs a few hundred parses.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from ntm_analysis.dataset import Table
from ntm_analysis.legacy_encoding import repair_legacy
from ntm_analysis.numbers import Reading, number_convention, parse_bool, parse_number, parse_percent
from ntm_analysis.quality import Location, QualityLog
from ntm_analysis.vietnamese import clean_text, nfc

Parser = Callable[[object], Reading]


def tidy_text(cells: pd.Series, rows: pd.Series, table: Table, column: str, log: QualityLog) -> pd.Series:
    """NFC, trimmed text with legacy encodings (TCVN3, VNI) converted; each rewrite logged.

    ``cells`` holds raw cells (any type), ``rows`` the user's row numbers for the same index;
    non-text cells (numbers) are turned into text, missing cells stay missing.
    """
    present = cells.dropna()
    if present.empty:
        return pd.Series(pd.NA, index=cells.index, dtype="string")
    first_row = rows.loc[present.index].groupby(present.astype(str).to_numpy()).min()
    counts = present.astype(str).value_counts()
    mapping = {}
    for raw, count in counts.items():
        after, rules = _tidy_one(raw)
        mapping[raw] = after or pd.NA
        where = Location(table.file, table.sheet, int(first_row[raw]), table.headers.get(column, column))
        for rule in rules:
            log.change(where, rule, raw, after, int(count))
    return present.astype(str).map(mapping).reindex(cells.index).astype("string")


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
    numeric = cells.map(lambda v: isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)
                        and pd.notna(v))
    as_text = cells.where(~numeric, cells[numeric].map(_number_text) if numeric.any() else cells)
    for idx in cells.index[numeric]:
        log.problem("code_stored_as_number", _where(table, rows[idx], column), cells[idx])
    return tidy_text(as_text, rows, table, column, log)


def _number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def parse_cells(cells: pd.Series, parser: Parser) -> pd.DataFrame:
    """Apply ``parser`` to each distinct cell: columns ``value`` (float), ``problem``, ``detail``."""
    codes, uniques = pd.factorize(cells, use_na_sentinel=True)
    readings = [parser(_repair_cell(u)) for u in uniques] + [parser(None)]  # code -1 = missing cell
    pick = np.where(codes < 0, len(readings) - 1, codes)
    return pd.DataFrame({
        "value": np.array([np.nan if r.value is None else r.value for r in readings], dtype="float64")[pick],
        "problem": np.array([r.problem for r in readings], dtype=object)[pick],
        "detail": np.array([r.detail for r in readings], dtype=object)[pick],
    }, index=cells.index)


def _repair_cell(cell: object) -> object:
    return clean_text(repair_legacy(cell)[0]) if isinstance(cell, str) else cell


def parser_for(kind: str, unit: str, cells: pd.Series) -> Parser:
    """The reader for an indicator or field: booleans, percentages or plain numbers.

    For numbers the column's convention (Vietnamese, English or mixed) is read from the column itself.
    """
    if kind == "boolean" or unit == "boolean":
        return parse_bool
    convention = number_convention(cells.dropna().drop_duplicates())
    if unit == "percent":
        return lambda raw: parse_percent(raw, convention)
    return lambda raw: parse_number(raw, convention)


def _where(table: Table, row: object, column: str) -> Location:
    return Location(table.file, table.sheet, int(row), table.headers.get(column, column))


def report_readings(readings: pd.DataFrame, cells: pd.Series, rows: pd.Series, table: Table, column: str,
                    log: QualityLog) -> None:
    """Log one problem per cell whose reading has a problem."""
    for idx in readings.index[readings["problem"].notna()]:
        log.problem(readings.at[idx, "problem"], _where(table, rows[idx], column), cells[idx],
                    detail=readings.at[idx, "detail"])
