"""Spreadsheet-safe text: nothing from the data becomes a formula, and no character an xlsx cannot hold
reaches openpyxl.

Every writer of an xlsx output puts its cells through :func:`put` / :func:`append_row`, every CSV output goes
through :func:`csv_safe`, every sheet title through :func:`sheet_title` (OWASP "CSV injection").

- xlsx: a text is always stored as a text cell (never a formula, whatever it starts with); a text that
  would look like a formula to someone editing the cell also gets Excel's quote prefix ("'" shown only in
  the formula bar), so that retyping it keeps it text.
- CSV: a text cell that starts with ``=``, ``+``, ``-``, ``@``, tab or carriage return gets a leading
  apostrophe, as OWASP recommends. True numbers are left alone: numeric columns are never touched, and
  neither is a text that is a plain number ("-5", "+3,5", "-1.234,5", "1e-3"), which a spreadsheet
  reads as that number and never as a formula. The apostrophe is added reversibly (:func:`csv_unsafe`
  gives back the text), so a CSV the toolkit reads back is read as written. A carriage return inside a text
  becomes a line feed (the CSV writer leaves a lone one unquoted), and a text starting with a line break
  gets the apostrophe too.
- Characters XML 1.0 forbids (NUL and the other C0 controls except tab, newline and carriage return, lone
  surrogates, U+FFFE/U+FFFF) are shown as ``\\x00``-style escapes, so that nothing vanishes silently.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import pandas as pd
from openpyxl.cell.cell import Cell
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
MAX_CELL_CHARS = 32_767  # Excel's limit for one cell; the CSV keeps longer texts whole
MAX_SHEET_TITLE = 31
ILLEGAL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d+)*|[.,]\d+)(?:[eE][+-]?\d+)?")
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def escape_controls(text: str) -> str:
    """``text`` with each character an xlsx cannot hold written as a visible escape (NUL as ``\\x00``)."""
    return ILLEGAL_CHARACTERS.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                                  else f"\\u{ord(m.group()):04x}", text)


def looks_like_formula(text: str) -> bool:
    """True when a spreadsheet could read ``text`` as a formula: it starts with one of
    :data:`FORMULA_PREFIXES` and is not a plain number."""
    return text.startswith(FORMULA_PREFIXES) and _PLAIN_NUMBER.fullmatch(text) is None


def cell_value(value: Any) -> Any:
    """``value`` ready for an xlsx cell: a text escaped (:func:`escape_controls`) and cut to Excel's limit
    (ending in "…" when cut); anything else unchanged."""
    if not isinstance(value, str):
        return value
    text = escape_controls(value)
    return text if len(text) <= MAX_CELL_CHARS else text[:MAX_CELL_CHARS - 1] + "…"


def set_value(cell: Cell, value: Any) -> Cell:
    """Put ``value`` in ``cell``; a text is stored as text, never as a formula."""
    value = cell_value(value)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"  # openpyxl makes any "=…" a formula; a text cell is written as an inline string
        if looks_like_formula(value):
            cell.quotePrefix = True
    return cell


def put(sheet: Worksheet, row: int, column: int, value: Any = None) -> Cell:
    """The cell at ``row``, ``column`` of ``sheet`` holding ``value`` (see :func:`set_value`)."""
    return set_value(sheet.cell(row=row, column=column), value)


def append_row(sheet: Worksheet, values: Iterable[Any]) -> list[Cell]:
    """Write ``values`` in the row below the last one of ``sheet``, in constant time per cell; returns the cells."""
    row = sheet._current_row + 1  # noqa: SLF001 - what Worksheet.append uses; max_row scans every cell
    return [put(sheet, row, column, value) for column, value in enumerate(values, start=1)]


def sheet_title(name: str, taken: set[str] | None = None) -> str:
    """An Excel-safe sheet title: no ``[]:*?/\\`` or control characters, at most 31 characters, not blank,
    and (when ``taken`` is given: case-folded titles already used, updated here) unique."""
    base = _BAD_SHEET_CHARS.sub("-", ILLEGAL_CHARACTERS.sub("", name)).strip().strip("'")[:MAX_SHEET_TITLE].strip()
    base = base or "Sheet"
    if taken is None:
        return base
    title, n = base, 2
    while title.casefold() in taken:
        suffix = f" ({n})"
        title, n = base[:MAX_SHEET_TITLE - len(suffix)] + suffix, n + 1
    taken.add(title.casefold())
    return title


def csv_text(text: str) -> str:
    """One CSV text cell made safe: controls escaped, a carriage return made a line feed (the CSV writer
    would leave a lone one unquoted, and it would break the row), and a formula-looking text (or one
    starting with a line break) behind an apostrophe.

    An apostrophe is also added before a text that already starts with apostrophes followed by such a
    prefix, so that :func:`csv_unsafe` can take exactly one off."""
    text = escape_controls(text)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "'" + text if _csv_quoted(text.lstrip("'")) else text


def csv_unsafe(text: str) -> str:
    """The inverse of :func:`csv_text`'s apostrophe (escapes and line feeds stay): the text as written before."""
    return text[1:] if text.startswith("'") and _csv_quoted(text.lstrip("'")) else text


def _csv_quoted(text: str) -> bool:
    return looks_like_formula(text) or text.startswith("\n")


def csv_safe(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with every text cell and column name passed through :func:`csv_text`; numeric columns and
    non-text values untouched. Returns ``df`` itself when nothing needed changing."""
    columns = {}
    for name in df.columns:
        column = df[name]
        if column.dtype.kind in "biufcmM" or isinstance(column.dtype, pd.BooleanDtype):
            continue
        texts = [u for u in pd.unique(column.astype(object)) if isinstance(u, str)]
        changed = {u: csv_text(u) for u in texts if csv_text(u) != u}
        if changed:
            columns[name] = column.astype(object).map(lambda v, new=changed: new.get(v, v) if isinstance(v, str) else v)
    renamed = {c: csv_text(c) for c in df.columns if isinstance(c, str) and csv_text(c) != c}
    if not columns and not renamed:
        return df
    out = df.copy()
    for name, column in columns.items():
        out[name] = column
    return out.rename(columns=renamed)
