"""Exact money: whole Vietnamese đồng as ``int64``, largest-remainder splits, exact roll-ups, display.

Every amount in the cost tools is a whole number of đồng (VND) held in an ``int64`` column whose name
ends in ``_vnd``. int64 holds up to 9.2 × 10¹⁸ đồng, far beyond any district budget (the district
plan's total, 35.051 triệu đồng, is 3.5 × 10¹⁰ đồng). A share of an amount is never a float: it is split
with the largest-remainder rule (:func:`allocate`), so the parts add up to the whole to the đồng, and a
roll-up is an integer sum (:func:`add_up`), so it adds up exactly too. Rounding happens only for display
(:func:`format_money`: "35.051 triệu đồng", or "35,051 million VND" in English).

Frames
------
:func:`split_by_shares` returns the rows of its input repeated once per part of their key's shares,
with the columns of the shares frame added (``share`` and the columns naming the part, e.g. ``source``)
and the amount columns replaced by each part's amount.
:func:`add_up` returns ``by`` + the amount columns (int64), one row per group.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from numbers import Rational, Real

import numpy as np
import pandas as pd

from ntm_analysis.core.i18n import LANGS, template
from ntm_analysis.core.vn_numbers import format_number

UNITS = {"vnd": 1, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}


def to_vnd(amount: Real | str, unit: str = "million") -> int:
    """An amount given in ``unit`` ("million" for triệu đồng) as whole đồng, exactly.

    ``to_vnd(35051) == 35_051_000_000``; ``to_vnd(0.5) == 500_000``. Decimal text is read exactly
    (``0.1`` is one tenth, not the float nearest to it).

    Raises
    ------
    ValueError
        Unknown unit, a value that is not a finite number, or one that is not a whole number of đồng.
    """
    if unit not in UNITS:
        raise ValueError(f"unknown money unit {unit!r}; use one of {', '.join(UNITS)}")
    if isinstance(amount, bool):
        raise ValueError(f"{amount!r} is not an amount of money")
    try:
        exact = Decimal(str(amount)) * UNITS[unit]
    except InvalidOperation:
        raise ValueError(f"{amount!r} is not an amount of money") from None
    if not exact.is_finite() or exact != exact.to_integral_value():
        raise ValueError(f"{amount!r} {unit} is not a whole number of đồng")
    return int(exact)


def as_fraction(share: Real | str) -> Fraction:
    """A share as an exact fraction: ``1``, ``0.5``, ``"1/3"``, ``"0.25"`` or a ``Fraction``.

    Raises
    ------
    ValueError
        Not a finite number or a fraction "a/b".
    """
    if isinstance(share, bool):
        raise ValueError(f"{share!r} is not a share")
    if isinstance(share, Rational):
        return Fraction(share)
    if isinstance(share, float) and not math.isfinite(share):
        raise ValueError(f"{share!r} is not a share")
    try:
        return Fraction(str(share).strip())
    except (ValueError, ZeroDivisionError):
        raise ValueError(f"{share!r} is not a share (write a number such as 0.5 or a fraction such as 1/3)") from None


def allocate(total: int, shares: Sequence[Fraction]) -> list[int]:
    """Split ``total`` đồng into whole-đồng parts proportional to ``shares``, adding up to ``total``.

    Largest-remainder rule: each part gets the whole đồng of its exact share (rounded towards zero),
    and the đồng left over go one each to the parts with the largest remainders (the earlier part on
    a tie). Every part is within one đồng of its exact share.

    Raises
    ------
    ValueError
        ``shares`` empty, negative, or not adding up to 1.
    """
    shares = [Fraction(s) for s in shares]
    if not shares or any(s < 0 for s in shares) or sum(shares) != 1:
        raise ValueError(f"shares must be non-negative and add up to 1, got {', '.join(map(str, shares))}")
    sign, size = (-1 if total < 0 else 1), abs(int(total))
    exact = [size * s for s in shares]
    parts = [math.floor(x) for x in exact]
    left = size - sum(parts)
    order = sorted(range(len(shares)), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in order[:left]:
        parts[i] += 1
    return [sign * p for p in parts]


def check_money(frame: pd.DataFrame, columns: Iterable[str]) -> None:
    """Raise ``TypeError`` unless every money column of ``frame`` is int64 (whole đồng, no NaN)."""
    wrong = [f"{c} ({frame[c].dtype})" for c in columns if frame[c].dtype != np.int64]
    if wrong:
        raise TypeError(f"money columns must be int64 whole đồng; got {', '.join(wrong)}")


def split_by_shares(frame: pd.DataFrame, shares: pd.DataFrame, key: str | list[str],
                    amounts: Sequence[str]) -> pd.DataFrame:
    """Split each row's amounts among the parts its key has in ``shares``, to the đồng.

    ``frame``: rows with ``key`` and int64 ``amounts`` columns. ``shares``: ``key``, ``share`` (exact
    ``Fraction``, adding up to 1 per key) and the columns naming each part (e.g. ``source``).
    Returns one row per row of ``frame`` × part of its key, in that order; each row's parts add up to
    its amounts exactly.

    Raises
    ------
    KeyError
        A row whose key has no shares.
    """
    check_money(frame, amounts)
    keys = [key] if isinstance(key, str) else list(key)
    rows = frame.reset_index(drop=True).rename_axis("_row").reset_index()
    merged = rows.merge(shares, on=keys, how="left")  # left order kept: a row's parts are contiguous
    if merged["share"].isna().any():
        unknown = merged.loc[merged["share"].isna(), keys].drop_duplicates().itertuples(index=False, name=None)
        raise KeyError(f"no shares for {', '.join(map(str, unknown))}")
    row_ids = merged["_row"].to_numpy()
    starts = np.flatnonzero(np.r_[True, row_ids[1:] != row_ids[:-1]]) if len(row_ids) else np.array([], int)
    bounds = list(zip(starts, [*starts[1:], len(merged)]))
    share_list = merged["share"].tolist()
    parts = {col: np.array([part for a, b in bounds
                            for part in allocate(int(merged[col].iat[a]), share_list[a:b])], dtype=np.int64)
             for col in amounts}
    return merged.drop(columns="_row").assign(**parts)


def add_up(frame: pd.DataFrame, by: Sequence[str], amounts: Sequence[str]) -> pd.DataFrame:
    """Integer sums of ``amounts`` per group of ``by`` (all rows when ``by`` is empty), exact to the đồng."""
    check_money(frame, amounts)
    if not by:
        return pd.DataFrame({col: [np.int64(frame[col].sum())] for col in amounts}).astype("int64")
    return frame.groupby(list(by), sort=True, dropna=False, observed=True)[list(amounts)].sum().reset_index()


def format_money(vnd: int | None, lang: str = "vi", unit: str = "million", decimals: int = 0,
                 with_unit: bool = True) -> str:
    """An amount of đồng for a report: ``format_money(35_051_000_000)`` → "35.051 triệu đồng".

    English with ``lang="en"`` ("35,051 million VND"); ``unit`` one of vnd, thousand, million,
    billion. Rounding (half to even) happens here only. A missing amount gives "".
    """
    if lang not in LANGS or unit not in UNITS:
        raise ValueError(f"need lang 'vi' or 'en' and unit one of {', '.join(UNITS)}, got {lang!r}, {unit!r}")
    if vnd is None or pd.isna(vnd):
        return ""
    scaled = Decimal(int(vnd)) / UNITS[unit]
    text = format_number(float(round(scaled, decimals)), lang, decimals)
    return f"{text} {template(f'money.unit.{unit}', lang)}" if with_unit else text


def display_money(frame: pd.DataFrame, lang: str = "vi", unit: str = "million", decimals: int = 0) -> pd.DataFrame:
    """A copy of ``frame`` for display: every ``*_vnd`` column as text in ``unit``, without the unit name."""
    money = [c for c in frame.columns if c.endswith("_vnd")]
    return frame.assign(**{c: frame[c].map(lambda v: format_money(v, lang, unit, decimals, with_unit=False))
                           for c in money})
