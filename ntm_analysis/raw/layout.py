"""How offices lay out a "biểu": the rows of a sheet that are not data, and the subtotals to check.

Above the header sit title rows ("ỦY BAN NHÂN DÂN XÃ …", "BIỂU TỔNG HỢP …"); under it a numbering row
("(1) (2) (3)", "1 2 3", "A B C") or a row of units ("%", "km"); between the villages subtotal rows
("Cộng xã Ia Krái", "Tổng cộng")
and section headings ("I. Xã Ia Krái"); at the end a signature footer ("Người lập biểu", "TM. ỦY BAN
NHÂN DÂN", "CHỦ TỊCH", "(Ký, ghi rõ họ tên)", "Ia Grai, ngày … tháng … năm …"). :func:`row_kinds`
names each body row's kind, :func:`blocks` groups consecutive rows of one kind so that each block is
reported once, and :func:`subtotal_mismatches` checks each subtotal against the rows it sums.
"""

from __future__ import annotations

import re
from itertools import pairwise

import numpy as np
import pandas as pd

from ntm_analysis.core.vn_numbers import parse_number
from ntm_analysis.core.vietnamese import fold

DATA = "data"  # the other kinds: title (above the header), numbering, units, subtotal, section, footer

_SUBTOTAL = re.compile(
    r"^(?:tong cong|tong so|tong|cong|toan xa|toan huyen|toan thi tran|toan tinh|total|grand total|subtotal|sum)"
    r"(?:\s*[:.(]|\s*$|\s+(?:xa|thi tran|phuong|huyen|thon|lang|toan|chung|cac|so|cong)\b)")
_FOOTER = re.compile(
    r"nguoi lap|lap bieu|\btm\.?\s*(?:uy ban|ubnd|ban)|\bt/m\b|\bkt\.?\s*(?:chu tich|truong)|chu tich|"
    r"ky,?\s*ghi ro|ky ten|ho va ten|dong dau|xac nhan cua|thu truong|ke toan|can bo (?:tong hop|thong ke)|"
    r"nguoi tong hop|\bda ky\b|truong ban|giam doc|noi nhan|ngay\s*[\d.…_/ ]*\s*thang\s*[\d.…_/ ]*\s*nam|"
    r"^ghi chu\s*:|^luu y\s*:|^nguon\s*:")
_TITLE = re.compile(
    r"uy ban nhan dan|ubnd|cong hoa xa hoi|doc lap\s*-\s*tu do|^bieu\b|^bao cao|^danh sach|^ket qua|"
    r"^tong hop|^phu luc|^mau so|^bieu so|^don vi tinh|^dvt|^(?:kem theo|kem)\b|ngay\s*[\d.…_/ ]*\s*thang")
_SECTION = re.compile(r"^(?:(?:[ivx]+|[a-d])\s*[.)/-]\s*)?(?:xa|thi tran|phuong|cum|khu vuc)\b|^(?:[ivx]+)\s*[.)]?$")
_SECTION_NUMBER = re.compile(r"^\s*(?:[IVXivx]+|[A-Da-d])\s*[.)/-]\s*")
_UNITS = re.compile(r"^\(?\s*(?:%|km|m|ha|ho|nguoi|khau|trieu dong(?:/nguoi/nam)?|tr\.?d(?:/ng/nam)?|dong|cai|diem|"
                    r"dat/chua dat|dat/khong dat|co/khong|dvt|don vi tinh|don vi)\s*\)?$")
_NUMBERING = re.compile(r"^\(?\s*(\d{1,3}|[a-z]{1,2})\s*\)?(?:\s*[=+\-*/x]\s*\(?\s*(?:\d{1,3}|[a-z])\s*\)?)*$")


def _flags(column: pd.Series, *patterns: re.Pattern) -> tuple[np.ndarray, list[np.ndarray]]:
    """Whether each cell is empty, and whether its folded text matches each of ``patterns`` (a whole
    number is matched as its digits, as in a numbering row's "1 2 3"; other numbers never match).

    The column is factorised once and each distinct text folded and matched once.
    """
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    folded = [fold(u) if isinstance(u, str) else _integer_text(u) for u in uniques]
    found = [np.array([t is not None and bool(p.search(t)) for t in folded] + [False], dtype=bool)[codes]
             for p in patterns]
    return codes < 0, found


def _integer_text(value: object) -> str | None:
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool) and \
            float(value).is_integer():
        return str(int(value))
    return None


def is_title_row(values: pd.Series) -> bool:
    """A title-block row: one distinct text across the row, or a text that titles a report or an office."""
    texts = values.dropna()
    if texts.empty:
        return True
    distinct = pd.unique(texts.astype(str))
    return len(distinct) == 1 or any(_TITLE.search(fold(t)) for t in distinct)


def row_kinds(body: pd.DataFrame, identity: list, values: list, headers: dict | None = None) -> np.ndarray:
    """The kind of each body row: ``data``, ``header`` (the header repeated), ``numbering``, ``units``,
    ``subtotal``, ``section`` or ``footer``.

    Parameters
    ----------
    body : pd.DataFrame
        The sheet's rows under the header (grid columns).
    identity : list
        Grid columns naming the village or the row (STT, code, name, commune), left to right.
    values : list
        Grid columns holding the row's figures (indicators, households …).
    headers : dict, optional
        The header text of each grid column, to recognise the header repeated inside the body.
    """
    kinds = np.full(len(body), DATA, dtype=object)
    if body.empty:
        return kinds
    labels = [c for c in dict.fromkeys([*identity, body.columns[0]]) if c in body.columns]
    unlabelled, numbered = np.ones(len(body), dtype=bool), np.ones(len(body), dtype=bool)
    subtotal, heading, signed = (np.zeros(len(body), dtype=bool) for _ in range(3))
    repeated = np.zeros(len(body), dtype=int)
    for col in labels:
        header = (headers or {}).get(col)
        same = re.compile(f"^{re.escape(fold(header))}$") if header else re.compile(r"(?!)")
        empty, (is_subtotal, is_heading, is_signed, is_number, is_header) = _flags(
            body[col], _SUBTOTAL, _SECTION, _FOOTER, _NUMBERING, same)
        unlabelled &= empty
        numbered &= empty | is_number
        subtotal |= is_subtotal
        heading |= is_heading
        signed |= is_signed
        repeated += is_header
    kinds[subtotal] = "subtotal"
    kinds[repeated >= min(2, len(labels))] = "header"
    kinds[_numbering_rows(body, np.flatnonzero(numbered & ~unlabelled))] = "numbering"
    kinds[_unit_rows(body) & (kinds == DATA)] = "units"
    kinds[_section_rows(body, heading, values) & (kinds == DATA)] = "section"
    footer = _footer_start(body, labels, unlabelled | signed, signed)
    if footer is not None:
        kinds[footer:] = "footer"
    return kinds


def _numbering_rows(body: pd.DataFrame, candidates: np.ndarray) -> np.ndarray:
    """The column-numbering rows among ``candidates`` (rows whose labels are all numbering tokens):
    "(1) (2) (3)", "1 2 3", "A B C 1 2" across the row; the numbering may repeat lower down."""
    found = np.zeros(len(body), dtype=bool)
    for pos in candidates:
        cells = [c for c in body.iloc[pos].tolist() if c is not None and not (isinstance(c, float) and np.isnan(c))]
        found[pos] = len(cells) >= 3 and _is_numbering(cells)
    return found


def _unit_rows(body: pd.DataFrame) -> np.ndarray:
    """The rows of units among the first three body rows: every filled cell a unit ("%", "km", "hộ", "ĐVT")."""
    found = np.zeros(len(body), dtype=bool)
    for pos in range(min(3, len(body))):
        cells = [c for c in body.iloc[pos].tolist() if isinstance(c, str)]
        found[pos] = bool(cells) and body.iloc[pos].notna().sum() == len(cells) and all(
            _UNITS.match(fold(c)) for c in cells)
    return found


def _is_numbering(cells: list) -> bool:
    tokens = [fold(str(int(c)) if isinstance(c, (int, float)) and float(c).is_integer() else str(c)) for c in cells]
    if not all(_NUMBERING.match(t) for t in tokens):
        return False
    if all(t.startswith("(") for t in tokens):
        return True
    numbers = [int(t) for t in tokens if t.isdigit()]
    letters = [t for t in tokens if t.isalpha()]
    return (all(b - a == 1 for a, b in pairwise(numbers))
            and all(a < b for a, b in pairwise(letters)) and len(numbers) + len(letters) >= 3)


def _section_rows(body: pd.DataFrame, heading: np.ndarray, values: list) -> np.ndarray:
    """Section headings: a commune or a roman numeral in the label columns (``heading``) and no figures."""
    present = [c for c in values if c in body.columns]
    found = heading.copy()
    if present and found.any():
        found[found] = body.iloc[np.flatnonzero(found)][present].isna().all(axis=1).to_numpy()
    return found


def _footer_start(body: pd.DataFrame, labels: list, candidate: np.ndarray, signed: np.ndarray) -> int | None:
    """The position of the first footer row: a signature or date text on a row naming no village.

    ``candidate`` marks the rows naming no village (or a signature in their label columns), ``signed``
    the rows with a signature or date text in their label columns. Everything from the first footer row
    to the end of the sheet is the footer (the signer's name sits under the title).
    """
    candidates = np.flatnonzero(candidate)
    if not len(candidates):
        return None
    rows = body.iloc[candidates]
    marker = signed[candidates].copy()
    for col in [c for c in body.columns if c not in labels]:
        marker |= _flags(rows[col], _FOOTER)[1][0]
    hits = candidates[marker]
    return int(hits[0]) if len(hits) else None


def section_names(body: pd.DataFrame, kinds: np.ndarray, labels: list) -> np.ndarray:
    """For each body row, the heading of the section it is in ("Xã Ia Krái" from "I. Xã Ia Krái"), or None.

    A heading's text is its first label cell that is more than a roman numeral, without its number.
    """
    names = np.full(len(body), None, dtype=object)
    current = None
    sections = set(np.flatnonzero(kinds == "section").tolist())
    if not sections:
        return names
    columns = [c for c in labels if c in body.columns]
    for pos in range(len(body)):
        if pos in sections:
            texts = [str(v) for v in body.iloc[pos][columns].tolist() if isinstance(v, str)]
            texts = [_SECTION_NUMBER.sub("", t).strip() for t in texts if not re.fullmatch(r"[IVXivx]+\.?", t.strip())]
            current = texts[0] if texts and texts[0] else current
        names[pos] = current
    return names


def blocks(rows: np.ndarray, kinds: np.ndarray) -> list[tuple[str, int, int, np.ndarray]]:
    """Consecutive rows of one non-data kind: ``(kind, first row, last row, positions)``.

    ``rows`` are the user's row numbers; rows of the same kind stay one block across blank rows.
    """
    kinds = np.asarray(kinds, dtype=object)
    positions = np.flatnonzero(kinds != DATA)
    if not len(positions):
        return []
    breaks = np.flatnonzero((np.diff(positions) != 1) | (kinds[positions[1:]] != kinds[positions[:-1]])) + 1
    return [(kinds[run[0]], int(rows[run[0]]), int(rows[run[-1]]), run) for run in np.split(positions, breaks)]


def subtotal_mismatches(body: pd.DataFrame, kinds: np.ndarray, columns: dict) -> list[tuple[int, object, float,
                                                                                           float]]:
    """Subtotal cells that equal neither the sum of the data rows since the previous subtotal nor all above.

    ``columns`` maps a grid column to check (additive figures: households, population …) to its label.
    Returns ``(position, column, cell value, sum of the block)`` for each disagreeing cell.
    """
    found = []
    data = kinds == DATA
    for col in columns:
        numbers = np.array([_number(c) for c in body[col].tolist()], dtype="float64")
        start = 0
        for pos in np.flatnonzero(kinds == "subtotal"):
            block = numbers[start:pos][data[start:pos]]
            above = numbers[:pos][data[:pos]]
            cell = numbers[pos]
            start = pos + 1
            if np.isnan(cell) or not len(above):
                continue
            block_sum, all_sum = np.nansum(block), np.nansum(above)  # a grand total follows a subtotal
            if not (len(block) and np.isclose(cell, block_sum, atol=0.01)) and not np.isclose(cell, all_sum, atol=0.01):
                found.append((int(pos), col, float(cell), float(block_sum if len(block) else all_sum)))
    return found


def _number(cell: object) -> float:
    reading = parse_number(cell, "vi")
    return np.nan if reading.value is None or reading.problem else float(reading.value)
