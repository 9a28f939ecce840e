"""Tests for ntm_analysis.core.vn_numbers: Vietnamese / English numbers, percentages, pass/fail marks."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ntm_analysis.core.vn_numbers import (
    Reading,
    format_number,
    number_convention,
    parse_bool,
    parse_number,
    parse_percent,
)

PROBLEMS = {
    None,
    "not_a_number",
    "ambiguous_number",
    "formula_not_computed",
    "date_in_number_column",
    "probable_fraction",
    "not_a_boolean",
}


# --- parse_number ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1.234,5", 1234.5),
        ("1,234.5", 1234.5),
        ("1.234.567", 1234567.0),
        ("1,234,567", 1234567.0),
        ("1.234.567,89", 1234567.89),
        ("1,234,567.89", 1234567.89),
        ("0,75", 0.75),
        ("0.75", 0.75),
        ("12.5", 12.5),
        ("12,5", 12.5),
        ("1234.567", 1234.567),  # 4 digits before the separator: not thousands
        ("0,750", 0.75),  # a thousands group never starts with 0
        ("0.750", 0.75),
        (",5", 0.5),
        ("42", 42.0),
        ("0123", 123.0),
        ("35 051", 35051.0),
        ("35\u00a0051", 35051.0),
        ("1 234 567,5", 1234567.5),
        ("  7  ", 7.0),
        ("+5", 5.0),
        ("-1.234,5", -1234.5),
        ("−3", -3.0),  # U+2212 minus sign
        ("- 3", -3.0),
        ("-0", 0.0),
    ],
)
@pytest.mark.parametrize("convention", ["vi", "en", "mixed"])
def test_unambiguous_text_reads_the_same_under_every_convention(raw: str, expected: float, convention: str) -> None:
    assert parse_number(raw, convention) == Reading(expected)


@pytest.mark.parametrize(
    ("raw", "vi", "en", "detail"),
    [
        ("35.051", 35051.0, 35.051, "could be 35051 (Vietnamese) or 35.051 (English)"),
        ("1,234", 1.234, 1234.0, "could be 1.234 (Vietnamese) or 1234 (English)"),
        ("1.000", 1000.0, 1.0, "could be 1000 (Vietnamese) or 1.000 (English)"),
        ("-999,999", -999.999, -999999.0, "could be 999.999 (Vietnamese) or 999999 (English)"),
    ],
)
def test_single_separator_before_three_digits_depends_on_convention(raw: str, vi: float, en: float, detail: str) -> None:
    assert parse_number(raw, "vi") == Reading(vi)
    assert parse_number(raw) == Reading(vi)  # Vietnamese is the default
    assert parse_number(raw, "en") == Reading(en)
    assert parse_number(raw, "mixed") == Reading(None, "ambiguous_number", detail)


@pytest.mark.parametrize("raw", ["", "   ", "\u00a0", None, float("nan"), np.nan, pd.NA, pd.NaT, "-", "—", "–", "N/A", "n/a", "#N/A", "NaN", Decimal("NaN")])
def test_blank_cells_are_missing_without_a_problem(raw: object) -> None:
    assert parse_number(raw) == Reading(None)


@pytest.mark.parametrize("raw", ["abc", "12..5", "1.23.4", "1,2.3", "5.", "1 2", "12 34", "75%", "1e5", "--5", "+", "1.234,5,6", "١٢", "#DIV/0!"])
def test_text_that_is_no_number(raw: str) -> None:
    reading = parse_number(raw, "mixed")
    assert reading.value is None
    assert reading.problem == "not_a_number"
    assert reading.detail


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(5, 5.0), (-2, -2.0), (2.5, 2.5), (0.75, 0.75), (np.int64(7), 7.0), (np.float32(0.5), 0.5), (Decimal("1.25"), 1.25), (Fraction(1, 4), 0.25)],
)
def test_numbers_are_taken_as_they_are(raw: object, expected: float) -> None:
    assert parse_number(raw, "mixed") == Reading(expected)


@pytest.mark.parametrize("raw", [True, False, np.bool_(True), float("inf"), -math.inf, 10**400, [1], b"12", 1j, object()])
def test_non_numbers_are_not_a_number(raw: object) -> None:
    reading = parse_number(raw)
    assert (reading.value, reading.problem) == (None, "not_a_number")


def test_formula_left_uncomputed() -> None:
    reading = parse_number(" =SUM(B2:B9)")
    assert (reading.value, reading.problem) == (None, "formula_not_computed")
    assert "SUM" in reading.detail


@pytest.mark.parametrize("raw", [dt.date(2023, 5, 1), dt.datetime(2023, 5, 1, 8, 30), pd.Timestamp("2023-05-01"), np.datetime64("2023-05-01"), dt.time(8, 30)])
def test_dates_in_a_number_column(raw: object) -> None:
    reading = parse_number(raw)
    assert (reading.value, reading.problem) == (None, "date_in_number_column")
    assert "2023" in reading.detail or "08:30" in reading.detail


# --- number_convention -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["0,75", "35.051"], "vi"),
        (["1.234,5"], "vi"),
        (["1.234.567", "12"], "vi"),
        (["0.75", "35.051"], "en"),
        (["1,234.5"], "en"),
        (["1,234,567"], "en"),
        (["0,75", "0.75"], "mixed"),
        (["1.234,5", "1,234,567"], "mixed"),
        (["35.051", "1,234", "12"], "vi"),  # ambiguous only: house default
        ([], "vi"),
        ([0.75, 1234.5, None, float("nan")], "vi"),  # numbers are no evidence
        (["-0,75%", "75 %"], "vi"),
        (["12 345.5"], "en"),
    ],
)
def test_number_convention(values: list[object], expected: str) -> None:
    assert number_convention(values) == expected


def test_number_convention_accepts_any_iterable() -> None:
    assert number_convention(v for v in ["0.5", "7"]) == "en"
    assert number_convention(pd.Series(["0,5", 7, None], dtype=object)) == "vi"


# --- parse_percent ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("75%", Reading(75.0)),
        ("75 %", Reading(75.0)),
        ("75", Reading(75.0)),
        (75, Reading(75.0)),
        ("0,75%", Reading(0.75)),  # explicit % sign: really 0.75 %
        ("100%", Reading(100.0)),
        ("0", Reading(0.0)),
        (1, Reading(1.0)),
        ("120", Reading(120.0)),  # range is the caller's business
        ("-5%", Reading(-5.0)),
        ("", Reading(None)),
        (None, Reading(None)),
        ("-", Reading(None)),
    ],
)
def test_parse_percent(raw: object, expected: Reading) -> None:
    assert parse_percent(raw) == expected


@pytest.mark.parametrize("raw", [0.75, "0,75", "0.75", Decimal("0.5"), "0,05"])
def test_bare_value_between_0_and_1_is_a_probable_fraction(raw: object) -> None:
    reading = parse_percent(raw)
    assert reading.problem == "probable_fraction"
    assert reading.value == float(Decimal(str(raw).replace(",", ".")))
    assert "%" in reading.detail


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("%", "not_a_number"),
        ("abc%", "not_a_number"),
        ("=A1*100", "formula_not_computed"),
        (dt.date(2020, 1, 1), "date_in_number_column"),
        ("35.051%", "ambiguous_number"),
    ],
)
def test_parse_percent_problems(raw: object, problem: str) -> None:
    assert parse_percent(raw, "mixed").problem == problem


# --- parse_bool ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    ["Đạt", "đạt", "ĐẠT", "Đ", "x", "X", "có", "Có", "yes", "Y", "y", "true", "TRUE", "1", 1, 1.0, True, np.bool_(True), "✓", " dat ", "DAT"],
)
def test_true_marks(raw: object) -> None:
    assert parse_bool(raw) == Reading(1.0)


@pytest.mark.parametrize(
    "raw",
    ["Chưa đạt", "chưa  đạt", "CHUA DAT", "Không đạt", "KHONG DAT", "chưa", "không", "ko", "K", "k", "no", "n", "false", "FALSE", "0", 0, 0.0, False, np.bool_(False)],
)
def test_false_marks(raw: object) -> None:
    assert parse_bool(raw) == Reading(0.0)


@pytest.mark.parametrize("raw", ["", "  ", None, float("nan"), pd.NA])
def test_empty_bool_is_missing(raw: object) -> None:
    assert parse_bool(raw) == Reading(None)


@pytest.mark.parametrize("raw", ["maybe", "đạt một phần", "2", 2, 0.5, dt.date(2020, 1, 1), "yes!", [True]])
def test_other_marks_are_not_a_boolean(raw: object) -> None:
    reading = parse_bool(raw)
    assert (reading.value, reading.problem) == (None, "not_a_boolean")


# --- format_number ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("x", "lang", "decimals", "expected"),
    [
        (35051, "vi", 0, "35.051"),
        (35051, "en", 0, "35,051"),
        (0.75, "vi", 2, "0,75"),
        (0.75, "en", 2, "0.75"),
        (1234.5, "vi", 1, "1.234,5"),
        (1234.5, "en", 1, "1,234.5"),
        (1234567.891, "vi", 2, "1.234.567,89"),
        (-1234.5, "vi", 1, "-1.234,5"),
        (-0.4, "vi", 0, "0"),  # never "-0"
        (12, "en", 0, "12"),
        (float("nan"), "vi", 0, ""),
    ],
)
def test_format_number(x: float, lang: str, decimals: int, expected: str) -> None:
    assert format_number(x, lang, decimals) == expected


@pytest.mark.parametrize(("lang", "decimals"), [("fr", 0), ("vi", -1)])
def test_format_number_rejects_bad_arguments(lang: str, decimals: int) -> None:
    with pytest.raises(ValueError):
        format_number(1.0, lang, decimals)


# --- properties ------------------------------------------------------------------------------

finite = st.floats(allow_nan=False, allow_infinity=False)


@given(x=finite, lang=st.sampled_from(["vi", "en"]), decimals=st.integers(0, 6))
def test_format_then_parse_round_trips(x: float, lang: str, decimals: int) -> None:
    assert parse_number(format_number(x, lang, decimals), lang).value == round(x, decimals)


@given(x=st.floats(-1e12, 1e12), lang=st.sampled_from(["vi", "en"]), decimals=st.sampled_from([1, 2, 4, 5]))
def test_formatted_with_decimals_other_than_3_reads_the_same_under_every_convention(x: float, lang: str, decimals: int) -> None:
    text = format_number(x, lang, decimals)
    assert {parse_number(text, c).value for c in ("vi", "en", "mixed")} == {round(x, decimals)}


@given(x=st.floats(-1e12, 1e12), decimals=st.integers(0, 4))
def test_vietnamese_and_english_formats_read_alike_under_their_own_conventions(x: float, decimals: int) -> None:
    vi = parse_number(format_number(x, "vi", decimals), "vi")
    en = parse_number(format_number(x, "en", decimals), "en")
    assert vi == en


def _check(reading: object) -> None:
    """Invariants of every Reading."""
    assert isinstance(reading, Reading)
    assert reading.problem in PROBLEMS
    assert reading.value is None or math.isfinite(reading.value)
    if reading.problem not in (None, "probable_fraction"):
        assert reading.value is None


readers = st.sampled_from(
    [
        lambda raw: parse_number(raw, "vi"),
        lambda raw: parse_number(raw, "en"),
        lambda raw: parse_number(raw, "mixed"),
        lambda raw: parse_percent(raw, "mixed"),
        parse_percent,
        parse_bool,
    ]
)
anything = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(),
    st.text(alphabet="0123456789.,  -+−%=", max_size=12),
    st.dates(),
    st.datetimes(),
    st.times(),
    st.decimals(),
    st.fractions(),
    st.complex_numbers(),
    st.binary(max_size=8),
    st.lists(st.integers(), max_size=2),
    st.just(pd.NaT),
    st.just(pd.NA),
    st.just(np.datetime64("NaT")),
    st.builds(np.float64, st.floats()),
    st.builds(np.int64, st.integers(-(2**63), 2**63 - 1)),
)


@given(reader=readers, raw=anything)
def test_readers_never_raise(reader, raw: object) -> None:
    _check(reader(raw))


@given(reader=readers, raw=st.text())
def test_readers_never_raise_on_text(reader, raw: str) -> None:
    _check(reader(raw))


@given(raw=finite)
def test_finite_floats_are_read_as_they_are(raw: float) -> None:
    assert parse_number(raw, "mixed").value == raw


@given(raw=st.floats())
def test_floats_never_raise(raw: float) -> None:
    for reader in (parse_number, parse_percent, parse_bool):
        _check(reader(raw))


vi_only = st.builds(lambda x: format_number(x, "vi", 2), st.floats(-1e9, 1e9))  # "1.234,50", "0,75"
en_only = st.builds(lambda x: format_number(x, "en", 2), st.floats(-1e9, 1e9))
ambiguous = st.builds(lambda a, b: f"{a}.{b:03d}", st.integers(1, 999), st.integers(0, 999))
no_evidence = st.one_of(ambiguous, st.integers().map(str), finite, st.none(), st.just(""))


@given(data=st.data(), vi=st.lists(vi_only, max_size=3), en=st.lists(en_only, max_size=3), rest=st.lists(no_evidence, max_size=5))
def test_number_convention_follows_the_evidence(data: st.DataObject, vi: list[str], en: list[str], rest: list[object]) -> None:
    values = data.draw(st.permutations(vi + en + rest))
    expected = {(True, True): "mixed", (True, False): "vi", (False, True): "en", (False, False): "vi"}
    assert number_convention(values) == expected[(bool(vi), bool(en))]


@given(value=vi_only)
def test_vietnamese_evidence_reads_the_same_under_the_detected_convention(value: str) -> None:
    assert parse_number(value, number_convention([value])) == parse_number(value, "mixed")


@settings(max_examples=50)
@given(x=st.floats(0.001, 0.999))
def test_bare_fractions_warn_but_percent_signs_do_not(x: float) -> None:
    assert parse_percent(x).problem == "probable_fraction"
    assert parse_percent(format_number(x, "vi", 2) + "%").problem is None
