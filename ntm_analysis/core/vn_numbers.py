"""Numbers, percentages and yes/no marks as people type them in Vietnam.

Vietnamese writes "." for thousands and "," for decimals (35.051 = 35051; 0,75). Readers never
raise: they return a ``Reading`` whose ``problem`` is one of the codes in
``reference/problems.yaml``: "not_a_number", "ambiguous_number", "formula_not_computed",
"date_in_number_column", "probable_fraction" (a warning: the value is kept) or "not_a_boolean".
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from numbers import Real

import numpy as np
import pandas as pd

from ntm_analysis.core.vietnamese import clean_text, fold

CONVENTIONS = ("vi", "en", "mixed")
# Thousands and decimal separators of each convention.
_SEPARATORS = {"vi": (".", ","), "en": (",", ".")}
_CONVENTION_NAMES = {"vi": "Vietnamese", "en": "English"}

_BLANKS = frozenset({"", "-", "--", "—", "–", "n/a", "na", "n.a", "n.a.", "#n/a", "nan", "none", "null"})
_SIGNS = {"+": 1.0, "-": -1.0, "−": -1.0}
_SPACE_GROUPED = re.compile(r"[0-9]{1,3}(?: [0-9]{3})+(?:[.,][0-9]+)?")
_TRUE = frozenset({"dat", "d", "x", "co", "yes", "y", "true", "1", "✓", "✔"})
_FALSE = frozenset({"chua dat", "khong dat", "chua", "khong", "k", "ko", "no", "n", "false", "0", "✗", "✘"})


@dataclass(frozen=True)
class Reading:
    """The outcome of reading one cell.

    Attributes
    ----------
    value : float | None
        The value; None when the cell is missing or unreadable.
    problem : str | None
        Problem code, None when fine.
    detail : str
        Short English detail for the report.
    """

    value: float | None
    problem: str | None = None
    detail: str = ""


def _show(raw: object) -> str:
    """Short repr of a raw value for a detail message."""
    text = repr(raw)
    return text if len(text) <= 40 else text[:37] + "..."


def _is_missing(raw: object) -> bool:
    """True for None, NaN, NaT, pd.NA and blank-like strings ("", "-", "N/A", ...)."""
    if isinstance(raw, str):
        return clean_text(raw).casefold() in _BLANKS
    if isinstance(raw, Decimal):
        return raw.is_nan()
    return bool(pd.api.types.is_scalar(raw) and pd.isna(raw))


def _is_bool(raw: object) -> bool:
    """True for Python and numpy booleans."""
    return isinstance(raw, (bool, np.bool_))


def _pattern(thousands: str, decimal: str) -> re.Pattern[str]:
    """Digits with optional grouped thousands (first group 1-3 digits, no leading 0) and decimals."""
    t, d = re.escape(thousands), re.escape(decimal)
    return re.compile(rf"(?:[0-9]+|[1-9][0-9]{{0,2}}(?:{t}[0-9]{{3}})+)(?:{d}[0-9]+)?|{d}[0-9]+")


_PATTERNS = {name: _pattern(*seps) for name, seps in _SEPARATORS.items()}


def _readings(body: str) -> dict[str, str]:
    """Canonical decimal strings of an unsigned number, keyed by each convention that can read it."""
    readings = {}
    for name, (thousands, decimal) in _SEPARATORS.items():
        if _PATTERNS[name].fullmatch(body):
            readings[name] = body.replace(thousands, "").replace(decimal, ".")
    return readings


def _split_sign(text: str) -> tuple[float, str]:
    """(sign, unsigned rest) of cleaned number text; spaces used as thousands separators removed."""
    sign = _SIGNS.get(text[:1], 0.0)
    body = text[1:].strip() if sign else text
    if _SPACE_GROUPED.fullmatch(body):
        body = body.replace(" ", "")
    return sign or 1.0, body


def _evidence(text: str) -> str | None:
    """"vi" or "en" when the text is a number only that convention can read, else None."""
    body = _split_sign(clean_text(text).removesuffix("%").strip())[1]
    readings = _readings(body)
    if len(readings) == 1 and any(sep in body for sep in ".,"):
        return next(iter(readings))
    return None


def _finite(value: float, raw: object) -> Reading:
    """Reading of a value that must be finite."""
    if math.isfinite(value):
        return Reading(value + 0.0)  # + 0.0 turns -0.0 into 0.0
    return Reading(None, "not_a_number", f"{_show(raw)} is not a finite number")


def _parse_text(raw: str, convention: str) -> Reading:
    """Read a number typed as text; see ``parse_number``."""
    text = clean_text(raw)
    if text.startswith("="):
        return Reading(None, "formula_not_computed", f"formula {_show(text)}")
    sign, body = _split_sign(text)
    readings = _readings(body)
    if not readings:
        return Reading(None, "not_a_number", f"{_show(text)} is not a number")
    if len(set(readings.values())) > 1:
        if convention not in _SEPARATORS:
            both = " or ".join(f"{readings[c]} ({_CONVENTION_NAMES[c]})" for c in ("vi", "en"))
            return Reading(None, "ambiguous_number", f"could be {both}")
        return _finite(sign * float(readings[convention]), raw)
    return _finite(sign * float(next(iter(readings.values()))), raw)


def parse_number(raw: object, convention: str = "vi") -> Reading:
    """Read a number from a cell; never raises.

    Parameters
    ----------
    raw : object
        Cell value: str, int, float, None, NaN, datetime or anything else.
    convention : str
        "vi" (1.234,5), "en" (1,234.5) or "mixed". It only matters for a single "." or ","
        followed by exactly three digits ("35.051"): "vi" and "en" read it their way, "mixed"
        reports "ambiguous_number". Every other form has at most one valid reading.

    Returns
    -------
    Reading
        Missing cells give ``Reading(None)`` without a problem.
    """
    if _is_missing(raw):
        return Reading(None)
    if _is_bool(raw):
        return Reading(None, "not_a_number", f"{_show(raw)} is a yes/no value")
    if isinstance(raw, (dt.date, dt.time, np.datetime64)):
        return Reading(None, "date_in_number_column", str(raw))
    if isinstance(raw, (Real, Decimal)):
        try:
            return _finite(float(raw), raw)
        except OverflowError:
            return Reading(None, "not_a_number", "too large")
    if isinstance(raw, str):
        return _parse_text(raw, convention)
    return Reading(None, "not_a_number", f"{type(raw).__name__} value")


def number_convention(values: Iterable[object]) -> str:
    """The number convention of a column's raw values.

    Returns "vi" when some text value can only be Vietnamese ("0,75", "1.234,5", "1.234.567") and
    none only English, "en" in the opposite case, "mixed" when both occur, and "vi" (the house
    default) when there is no evidence. Non-text values and ambiguous text ("35.051") give none.
    """
    found = {_evidence(v) for v in values if isinstance(v, str)}
    if {"vi", "en"} <= found:
        return "mixed"
    return "en" if "en" in found else "vi"


def parse_percent(raw: object, convention: str = "vi") -> Reading:
    """Read a percentage in 0-100 units: "75%", "75 %", "75", 75, "0,75%".

    A value strictly between 0 and 1 without a "%" sign is kept as it is, with the warning
    "probable_fraction". The range is not checked.
    """
    text = clean_text(raw) if isinstance(raw, str) else None
    if text is not None and text.endswith("%"):
        body = text[:-1].strip()
        return parse_number(body, convention) if body else Reading(None, "not_a_number", "'%' alone")
    reading = parse_number(raw, convention)
    if reading.value is not None and 0 < reading.value < 1:
        return Reading(reading.value, "probable_fraction", f"{reading.value:g} may mean {reading.value * 100:g}%")
    return reading


def parse_bool(raw: object) -> Reading:
    """Read a pass/fail mark as 1.0 / 0.0: "Đạt" / "Chưa đạt", "x", "có" / "không", yes / no, 1 / 0.

    Text is compared after ``fold`` (case, diacritics and spacing do not matter). Empty cells are
    missing; anything else gives "not_a_boolean".
    """
    if _is_missing(raw):
        return Reading(None)
    if _is_bool(raw):
        return Reading(1.0 if raw else 0.0)
    if isinstance(raw, (Real, Decimal)) and raw in (0, 1):
        return Reading(float(raw))
    if isinstance(raw, str):
        key = fold(raw)
        if key.startswith("="):
            return Reading(None, "formula_not_computed", f"formula {_show(clean_text(raw))}")
        if key in _TRUE or key in _FALSE:
            return Reading(1.0 if key in _TRUE else 0.0)
    return Reading(None, "not_a_boolean", f"{_show(raw)} is not a pass/fail mark")


def format_number(x: float, lang: str = "vi", decimals: int = 0) -> str:
    """Format a number for a report: "vi" -> "35.051", "1.234,5"; "en" -> "35,051", "1,234.5".

    ``parse_number(format_number(x, lang, d), lang).value == round(x, d)`` for finite ``x``.
    Negative numbers get a leading "-" (never "-0"); NaN and infinities give "".

    Raises
    ------
    ValueError
        If ``lang`` is not "vi" or "en", or ``decimals`` is negative.
    """
    if lang not in _SEPARATORS or decimals < 0:
        raise ValueError(f"need lang 'vi' or 'en' and decimals >= 0, got {lang!r}, {decimals!r}")
    if not math.isfinite(x):
        return ""
    english = f"{float(x):z,.{decimals}f}"
    if lang == "en":
        return english
    return english.translate(str.maketrans({",": ".", ".": ","}))
