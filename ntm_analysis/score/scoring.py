"""Score villages under a criteria set: indicator → criterion → village status, with gap measures.

A set may have any number of criteria (the label is "x/N", N the set's criteria) and of threshold groups.
The units scored are the rows of the villages table: villages, or communes listed as units (one row per
commune) for a set that applies to communes. Each unit's group is its ``threshold_group`` or, for a set
with ``group_from: commune``, the group of its commune in the commune list (`commune_groups`).

The standard is **conjunctive**: a criterion passes when all its indicators pass, a village meets the
standard when all criteria pass. No average may hide a failed criterion: the distance to the standard
adds one term per criterion, each the largest normalised gap among its indicators.

Missing data follows an explicit policy, stated in every output (``policy`` column):

- ``missing_fails`` (default): a criterion with an indicator without data is *not met*, as a
  recognition council would treat it;
- ``exclude``: such a criterion is left out of the count and reported as incomplete; a village then
  meets the standard when no assessed criterion fails.

Scored frames
-------------
indicator scores (``INDICATOR_SCORE_COLUMNS``): ``village_code, year, criterion, indicator_code, group,
value, threshold, direction, unit, status`` (pass / fail / no_data), ``shortfall`` (in the indicator's
unit; 1 for a failed boolean; 0 when it passes; NaN without data), ``normalised_gap`` (0–1),
``provenance``.

criterion scores (``CRITERION_SCORE_COLUMNS``): ``village_code, year, criterion, criterion_vi,
criterion_en, status`` (pass / fail / incomplete), ``met`` (bool, under the policy), ``gap`` (largest
normalised gap of its indicators), ``policy``.

village status (``VILLAGE_STATUS_COLUMNS``): ``village_code, year, criteria_met, criteria_total,
criteria_failed, criteria_incomplete, met_label`` ("17/19", "7/10": x of the set's N criteria),
``meets_standard``, ``distance_to_standard``, ``missing_criteria_vi``, ``missing_criteria_en``,
``criteria_set``, ``policy``.
``met_label`` and the missing criteria are categorical: a million village-years share a few thousand texts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import compress

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ntm_analysis.core.errors import UserError
from ntm_analysis.core.i18n import bilingual
from ntm_analysis.reference.criteria import CriteriaSet, Indicator
from ntm_analysis.reference.criteria import VOCABULARY

POLICIES = ("missing_fails", "exclude")
INDICATOR_SCORE_COLUMNS = ["village_code", "year", "criterion", "indicator_code", "group", "value", "threshold",
                           "direction", "unit", "status", "shortfall", "normalised_gap", "provenance"]
CRITERION_SCORE_COLUMNS = ["village_code", "year", "criterion", "criterion_vi", "criterion_en", "status", "met",
                           "gap", "policy"]
VILLAGE_STATUS_COLUMNS = ["village_code", "year", "criteria_met", "criteria_total", "criteria_failed",
                          "criteria_incomplete", "met_label", "meets_standard", "distance_to_standard",
                          "missing_criteria_vi", "missing_criteria_en", "criteria_set", "policy"]

TEXT = pd.Series([""]).dtype  # pandas' default text dtype (arrow-backed "str" since pandas 3), as before
# Status codes in the dense arrays: positions in these label tuples, in increasing severity, so that the
# worst indicator of a criterion (fail over no data over pass) is the largest code and gives its status.
INDICATOR_STATUSES = ("pass", "no_data", "fail")
CRITERION_STATUSES = ("pass", "incomplete", "fail")
PASS, NO_DATA, INCOMPLETE, FAIL = 0, 1, 1, 2


class ScoringError(UserError):
    """The data cannot be scored under this criteria set (e.g. a village group the set does not define)."""


class Scores:
    """The three levels of scores for one criteria set and one missing-data policy.

    ``indicators`` and ``criteria`` may be given as a function that builds the frame: it is then built on
    first use and kept. At national scale they are by far the largest tables (one row per indicator and
    per criterion for each village and year: 30 and 19 under the Gia Lai village sets), while the village
    status, progress and aggregates need neither.
    """

    def __init__(self, indicators: pd.DataFrame | Callable[[], pd.DataFrame],
                 criteria: pd.DataFrame | Callable[[], pd.DataFrame], villages: pd.DataFrame, criteria_set: str,
                 policy: str) -> None:
        self._frames = {"indicators": indicators, "criteria": criteria}
        self.villages, self.criteria_set, self.policy = villages, criteria_set, policy

    @property
    def indicators(self) -> pd.DataFrame:
        """Indicator scores (``INDICATOR_SCORE_COLUMNS``)."""
        return self._frame("indicators")

    @property
    def criteria(self) -> pd.DataFrame:
        """Criterion scores (``CRITERION_SCORE_COLUMNS``)."""
        return self._frame("criteria")

    def _frame(self, name: str) -> pd.DataFrame:
        frame = self._frames[name]
        if callable(frame):
            frame = self._frames[name] = frame()
        return frame

    def __getstate__(self) -> dict:
        """For pickling (the reports' cache): the frames themselves, built if they were not yet."""
        return {**self.__dict__, "_frames": {name: self._frame(name) for name in self._frames}}

    def __repr__(self) -> str:
        return f"Scores({self.criteria_set!r}, {self.policy!r}, {len(self.villages):,} village-years)"


def score_villages(values: pd.DataFrame, villages: pd.DataFrame, criteria: CriteriaSet,
                   policy: str = "missing_fails", commune_groups: pd.Series | None = None) -> Scores:
    """Score every village × year with at least one value, under ``criteria`` and ``policy``.

    ``values``: clean indicator values (``village_code, year, indicator_code, value``), one row per
    village × year × indicator. ``villages``: clean villages, or communes as units (``village_code``, and
    ``threshold_group`` or ``commune``). ``commune_groups``: the group of each commune (index: commune
    name), needed when the set has ``group_from: commune``; see `village_groups`.
    """
    if policy not in POLICIES:
        raise ScoringError(f"unknown missing-data policy {policy!r}; use one of {', '.join(POLICIES)}")
    rules = _Rules.of(criteria)
    grid = _Grid.of(values, village_groups(villages, criteria, commune_groups), rules)
    verdicts = _criterion_verdicts(grid, rules)
    return Scores(lambda: _indicator_frame(grid, _judge(grid.value.T, grid.group, rules), rules),
                  lambda: _criterion_frame(grid, verdicts, rules, criteria, policy),
                  _village_frame(grid, verdicts, rules, criteria, policy), criteria.id, policy)


def village_groups(villages: pd.DataFrame, criteria: CriteriaSet,
                   commune_groups: pd.Series | None = None) -> pd.Series:
    """The threshold group of each unit under ``criteria`` (index ``village_code``).

    A set with a single group applies it to every unit. Otherwise, with ``group_from: village`` each
    unit's ``threshold_group`` must be one of the set's groups; with ``group_from: commune`` each unit
    takes the group its ``commune`` has in ``commune_groups`` (index: commune name, as `commune_groups`
    reads it from the commune list).

    Raises
    ------
    ScoringError
        A group the set does not define, a unit without one, or (``group_from: commune``) no
        ``commune_groups``; the message names the villages' groups or the communes at fault.
    """
    ids = [g.id for g in criteria.groups]
    if len(ids) == 1:
        return pd.Series(ids[0], index=pd.Index(villages["village_code"]), dtype="string")
    if criteria.group_from == "commune":
        return _groups_from_communes(villages, criteria, commune_groups)
    groups = villages.set_index("village_code")["threshold_group"].astype("string")
    empty = ["(trống / empty)"] if groups.isna().any() else []
    unknown = sorted(groups[~groups.isin(ids)].dropna().unique()) + empty
    if unknown:
        raise ScoringError(f"criteria set {criteria.id} defines groups {', '.join(ids)}; villages have "
                           f"group(s) {', '.join(unknown)}: set 'Nhóm' in the villages table")
    return groups


def commune_groups(admin: pd.DataFrame) -> pd.Series:
    """The threshold group of each commune of a commune list (index ``commune``; missing when blank).

    ``admin``: a commune list as `load_admin_units` reads it, with its optional ``group`` column.

    Raises
    ------
    ScoringError
        The list has no ``group`` column.
    """
    if "group" not in admin.columns:
        raise ScoringError(bilingual("scoring.no_group_column"))
    groups = admin.set_index("commune")["group"].astype("string").str.strip()
    return groups.mask(groups.eq(""))


def _groups_from_communes(villages: pd.DataFrame, criteria: CriteriaSet,
                          commune_groups: pd.Series | None) -> pd.Series:
    """Each unit's group: its commune's in ``commune_groups``; every commune at fault named at once."""
    if commune_groups is None:
        raise ScoringError(bilingual("scoring.commune_groups_needed", set=criteria.id))
    ids = [g.id for g in criteria.groups]
    known = commune_groups.astype("string").groupby(level=0).first()
    communes = villages["commune"].astype("string")
    groups = pd.Series(communes.map(known).to_numpy(), index=pd.Index(villages["village_code"]), dtype="string")
    lacking = sorted(communes[groups.isna().to_numpy()].fillna("(trống / empty)").unique())
    bad = (groups.notna() & ~groups.isin(ids)).to_numpy()
    unknown = sorted({f"{commune} ({group})" for commune, group in zip(communes[bad], groups[bad])})
    faults = ([bilingual("scoring.commune_without_group", communes="; ".join(lacking))] if lacking else []) + (
        [bilingual("scoring.commune_unknown_group", communes="; ".join(unknown), set=criteria.id,
                   groups=", ".join(ids))] if unknown else [])
    if faults:
        raise ScoringError("\n".join(faults))
    return groups


# ---------------------------------------------------------------- the criteria set as arrays


@dataclass(frozen=True)
class _Rules:
    """A criteria set as arrays: one column per indicator, ordered by criterion (stable), one row per group.

    ``threshold`` and ``scale`` have an extra last row for villages missing from the villages table: no
    threshold (NaN), so their indicators fail when they have a value, and a gap scale of 1. ``sign`` and
    ``mirror`` (one row per indicator) turn threshold − value into the shortfall (see `_judge`).
    """

    indicators: tuple[Indicator, ...]
    groups: tuple[str, ...]
    threshold: np.ndarray
    scale: np.ndarray
    criteria: tuple[int, ...]
    criterion_starts: np.ndarray
    sign: np.ndarray
    mirror: np.ndarray

    @classmethod
    def of(cls, criteria: CriteriaSet) -> _Rules:
        """The rules of ``criteria``."""
        indicators = tuple(sorted(criteria.indicators, key=lambda ind: ind.criterion))
        groups = tuple(g.id for g in criteria.groups)
        thresholds = np.array([[float(ind.threshold_for(g)) for ind in indicators] for g in groups])
        numbers = np.array([ind.criterion for ind in indicators])
        starts = np.flatnonzero(np.r_[True, numbers[1:] != numbers[:-1]])
        return cls(indicators, groups,
                   threshold=np.vstack([thresholds, np.full(len(indicators), np.nan)]),
                   scale=np.vstack([_gap_scale(indicators, thresholds), np.ones(len(indicators))]),
                   criteria=tuple(numbers[starts].tolist()), criterion_starts=starts,
                   sign=np.array([[-1.0 if ind.direction == "<=" else 1.0] for ind in indicators]),
                   mirror=np.array([[0.0 if ind.direction in (">=", "<=") else -1.0] for ind in indicators]))

    def column(self, attribute: str) -> list:
        """One attribute of every indicator, in column order."""
        return [getattr(ind, attribute) for ind in self.indicators]


def _gap_scale(indicators: Sequence[Indicator], threshold: np.ndarray) -> np.ndarray:
    """What a shortfall is measured against, so gaps of different units compare on 0–1.

    "≥ t": the threshold itself (12 points short of 70 % is 12/70). "≤ t": the room between the
    threshold and the unit's maximum (20 % poor households against ≤ 12 % is 8/88), or the threshold
    when the unit has no maximum. Booleans: 1. ``threshold``: groups × indicators.
    """
    unit_max = np.array([VOCABULARY["units"][ind.unit]["max"] for ind in indicators], dtype=float)
    at_least = np.array([ind.direction == ">=" for ind in indicators])
    boolean = np.array([ind.unit == "boolean" for ind in indicators])
    upper_room = np.where(np.isnan(unit_max), threshold, unit_max - threshold)
    scale = np.where(at_least, threshold, upper_room)
    return np.where(boolean, 1.0, np.where(scale > 0, scale, 1.0))


# ---------------------------------------------------------------- the values as a dense grid


@dataclass(frozen=True)
class _Grid:
    """The assessed village × year pairs, sorted by village code then year, and their values.

    ``village_codes`` and ``years`` hold the distinct keys (sorted); ``village``, ``year`` and ``group``
    give, per pair, a position in them and in the rules' groups (-1: village not in the villages table);
    ``value`` is pairs × indicators in the rules' column order, NaN where there is no value.
    """

    village_codes: pd.Index
    years: pd.Index
    village: np.ndarray
    year: np.ndarray
    group: np.ndarray
    value: np.ndarray

    @classmethod
    def of(cls, values: pd.DataFrame, groups: pd.Series, rules: _Rules) -> _Grid:
        """Lay ``values`` out by pair and indicator; ``groups`` as given by `village_groups`."""
        # Rows of one village-year are usually consecutive: find the runs, factorise the first row of each.
        heads = _run_heads(values["village_code"], values["year"])
        village_of_run, village_codes = pd.factorize(_rows(values["village_code"], heads), sort=True,
                                                     use_na_sentinel=False)
        year_of_run, years = pd.factorize(values["year"].take(heads), sort=True, use_na_sentinel=False)
        pair_of_run, pairs = pd.factorize(village_of_run * len(years) + year_of_run, sort=True)
        village, year = np.divmod(pairs, len(years))
        village_group = groups.reindex(village_codes.astype(groups.index.dtype)).to_numpy()
        group_of_village = pd.Index(rules.groups).get_indexer(village_group)
        column = _indicator_columns(values["indicator_code"], rules)
        value = values["value"]  # float64 as `ntm clean` writes it: a view here, copied into the grid below
        value = value.to_numpy() if value.dtype == np.float64 else value.to_numpy(dtype=float, na_value=np.nan)
        dense = (_regular_layout(value, column, heads, pair_of_run, len(rules.indicators))
                 if len(heads) == len(pairs) else None)
        if dense is None:
            dense = _scatter(value, column, heads, pair_of_run, len(pairs), len(rules.indicators))
        return cls(village_codes, years, village, year, group_of_village[village], dense)

    def keys(self, repeat: int, pairs: np.ndarray | slice = slice(None)) -> dict[str, pd.Series]:
        """``village_code`` and ``year`` columns of ``pairs`` (positions), each repeated ``repeat`` times."""
        return {name: pd.Series(keys.take(positions[pairs]).repeat(repeat), copy=False)
                for name, keys, positions in [("village_code", self.village_codes, self.village),
                                              ("year", self.years, self.year)]}


def _run_heads(*columns: pd.Series) -> np.ndarray:
    """Positions where a run of rows with equal ``columns`` starts (a missing key always starts one)."""
    starts = np.zeros(len(columns[0]), dtype=bool)
    starts[:1] = True
    for column in columns:
        starts[1:] |= _changes(column)
    return np.flatnonzero(starts)


def _changes(column: pd.Series) -> np.ndarray:
    """Whether each row but the first differs from the row before it, or is missing."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        codes = column.cat.codes.to_numpy()
        return (codes[1:] != codes[:-1]) | (codes[1:] < 0)
    if _arrow_text(column):
        data = pa.chunked_array(pa.array(column.array))
        return pc.fill_null(pc.not_equal(data[1:], data[:-1]), True).to_numpy()
    values = column.array
    return pd.Series(values[1:] != values[:-1]).to_numpy(dtype=bool, na_value=True)


def _regular_layout(value: np.ndarray, column: np.ndarray, heads: np.ndarray, pair_of_run: np.ndarray,
                    n_indicators: int) -> np.ndarray | None:
    """The grid without scattering, when the table is laid out as ``ntm clean`` writes it: one run per pair,
    in pair order, each run holding every indicator once in the same order; else None."""
    n_runs = len(heads)
    if (len(value) != n_runs * n_indicators or not np.array_equal(pair_of_run, np.arange(n_runs))
            or not (np.diff(heads, append=len(value)) == n_indicators).all()
            or not np.array_equal(np.sort(column[:n_indicators]), np.arange(n_indicators))
            or not (column.reshape(n_runs, n_indicators) == column[:n_indicators]).all()):
        return None
    order = np.argsort(column[:n_indicators])
    rows = value.reshape(n_runs, n_indicators)
    # a copy either way: the scores must not change if the caller later edits the values table in place
    return rows.copy() if np.array_equal(order, np.arange(n_indicators)) else rows[:, order]


def _scatter(value: np.ndarray, column: np.ndarray, heads: np.ndarray, pair_of_run: np.ndarray, n_pairs: int,
             n_indicators: int) -> np.ndarray:
    """The grid (pairs × indicators) of any layout: each value put in its cell; duplicates refused."""
    cell = np.repeat(pair_of_run * n_indicators, np.diff(heads, append=len(value)))
    cell += column
    if (column < 0).any():  # rows for indicators outside the set: ignored
        inside = column >= 0
        cell, value = cell[inside], value[inside]
    filled = np.zeros(n_pairs * n_indicators, dtype=bool)
    filled[cell] = True
    if np.count_nonzero(filled) < len(cell):
        raise ScoringError(f"values hold {len(cell) - np.count_nonzero(filled):,} duplicate village × year × "
                           "indicator row(s); keep one row per key, as `ntm clean` does")
    dense = np.full(len(filled), np.nan)
    dense[cell] = value
    return dense.reshape(n_pairs, n_indicators)


def _arrow_text(column: pd.Series) -> bool:
    return isinstance(column.dtype, pd.StringDtype) and column.dtype.storage == "pyarrow"


def _rows(column: pd.Series, positions: np.ndarray) -> pd.Series:
    """``column.take(positions)`` for increasing ``positions``; arrow text is taken chunk by chunk (a take
    across a table's hundreds of chunks is slow, and combining them first would copy the column)."""
    if not _arrow_text(column):
        return column.take(positions)
    data = pa.chunked_array(pa.array(column.array))
    ends = np.cumsum([len(chunk) for chunk in data.chunks])
    cuts = np.searchsorted(positions, ends)
    pieces = [chunk.take(pa.array(positions[lo:hi] - (end - len(chunk))))
              for chunk, end, lo, hi in zip(data.chunks, ends, np.r_[0, cuts[:-1]], cuts) if hi > lo]
    return pd.Series(pd.array(pa.chunked_array(pieces, type=data.type), dtype=column.dtype), copy=False)


def _indicator_columns(codes: pd.Series, rules: _Rules) -> np.ndarray:
    """The rules' column of each row's indicator code; -1 for a code outside the set or missing."""
    if isinstance(codes.dtype, pd.CategoricalDtype):
        row_codes, distinct = codes.cat.codes.to_numpy(), codes.cat.categories
    elif _arrow_text(codes):  # arrow looks each text up among the set's codes, far faster than factorising
        data = pa.chunked_array(pa.array(codes.array))
        found = pc.index_in(data, value_set=pa.array(rules.column("code"), type=data.type))
        return pc.fill_null(found, -1).to_numpy().astype(np.int8)
    else:
        row_codes, distinct = pd.factorize(codes)
    return np.append(pd.Index(rules.column("code")).get_indexer(distinct), -1).astype(np.int8).take(row_codes)


# ---------------------------------------------------------------- judging


@dataclass(frozen=True)
class _Judged:
    """Per indicator × pair (the grid transposed): threshold, status code, shortfall and normalised gap."""

    threshold: np.ndarray
    status: np.ndarray
    shortfall: np.ndarray
    gap: np.ndarray


def _judge(value: np.ndarray, group: np.ndarray, rules: _Rules) -> _Judged:
    """Status, shortfall (in the indicator's unit) and normalised gap (0–1) of every cell of ``value``
    (indicators × pairs, the pairs' groups in ``group``).

    The shortfall is how far the value is on the wrong side of the threshold: below it for "≥ t", above it
    for "≤ t", either way for "= t", else 0; a cell passes when it is 0. A cell without data has no
    shortfall nor gap (NaN); a village without a threshold (not in the villages table) fails.
    """
    threshold = rules.threshold.T.take(group, axis=1)
    below = np.subtract(threshold, value)
    shortfall = np.multiply(below, rules.sign)           # "≥ t": below it; "≤ t": above it
    np.multiply(below, rules.mirror, out=below)          # "= t": the other side too; else 0
    np.maximum(shortfall, below, out=shortfall)
    shortfall += 0.0                                      # -0.0 (0 × a negative) becomes 0.0
    status = np.multiply(~(shortfall <= 0), np.int8(FAIL), dtype=np.int8)  # NaN compares False: it fails
    status[np.isnan(value)] = NO_DATA
    gap = np.divide(shortfall, rules.scale.T.take(group, axis=1))
    np.minimum(gap, 1, out=gap)
    return _Judged(threshold, status, shortfall, gap)


@dataclass(frozen=True)
class _Verdicts:
    """Criterion status code and gap per criterion × scored pair (``pairs``: grid positions)."""

    pairs: np.ndarray
    status: np.ndarray
    gap: np.ndarray


BLOCK = 16_384  # pairs judged at a time: the intermediate arrays stay small (~4 MB each for 30 indicators)


def _criterion_verdicts(grid: _Grid, rules: _Rules) -> _Verdicts:
    """Pass when all indicators of the criterion pass, fail when any fails, otherwise incomplete.

    The gap of a failed criterion is the largest normalised gap of its indicators, 0 when it passes and
    NaN when incomplete. Pairs whose village is not in the villages table are not scored. The cells are
    judged a block of pairs at a time, each indicator's values contiguous, and only the verdicts kept.
    """
    segments = list(zip(rules.criterion_starts, [*rules.criterion_starts[1:], len(rules.indicators)]))
    n_pairs = len(grid.group)
    status = np.empty((len(segments), n_pairs), dtype=np.int8)
    gap = np.empty((len(segments), n_pairs))
    for first in range(0, n_pairs, BLOCK):
        rows = slice(first, first + BLOCK)
        judged = _judge(np.ascontiguousarray(grid.value[rows].T), grid.group[rows], rules)
        for k, (lo, hi) in enumerate(segments):  # a loop: numpy's reduceat is far slower here
            status[k, rows] = judged.status[lo:hi].max(axis=0)  # the worst indicator decides
            gap[k, rows] = np.fmax.reduce(judged.gap[lo:hi], axis=0)  # the largest, ignoring NaN
    gap[status == PASS] = 0.0
    gap[status == INCOMPLETE] = np.nan
    pairs = np.flatnonzero(grid.group >= 0)
    if len(pairs) < n_pairs:
        status, gap = status[:, pairs], gap[:, pairs]
    return _Verdicts(pairs, status, gap)


# ---------------------------------------------------------------- the scored frames


def _indicator_frame(grid: _Grid, judged: _Judged, rules: _Rules) -> pd.DataFrame:
    """One row per pair × indicator (``INDICATOR_SCORE_COLUMNS``)."""
    n_pairs, n_indicators = grid.value.shape
    unknown = np.repeat(grid.group < 0, n_indicators)  # no rule for a village missing from the villages table
    criterion = np.tile(rules.column("criterion"), n_pairs)
    groups = np.array([*rules.groups, pd.NA], dtype=object)  # group -1 picks the last
    return pd.DataFrame({
        **grid.keys(n_indicators),
        "criterion": np.where(unknown, np.nan, criterion) if unknown.any() else criterion,
        "indicator_code": pd.Series(np.tile(np.array(rules.column("code"), dtype=object), n_pairs), dtype=object,
                                    copy=False),
        "group": pd.Series(groups.take(grid.group).repeat(n_indicators), dtype=object, copy=False),
        "value": grid.value.ravel(),
        "threshold": judged.threshold.T.ravel(),
        "direction": _tiled(rules.column("direction"), n_pairs, unknown),
        "unit": _tiled(rules.column("unit"), n_pairs, unknown),
        "status": _take(INDICATOR_STATUSES, judged.status.T.ravel()),
        "shortfall": judged.shortfall.T.ravel(),
        "normalised_gap": judged.gap.T.ravel(),
        "provenance": _tiled(rules.column("provenance"), n_pairs, unknown),
    }, copy=False)


def _criterion_frame(grid: _Grid, verdicts: _Verdicts, rules: _Rules, criteria: CriteriaSet,
                     policy: str) -> pd.DataFrame:
    """One row per scored pair × criterion (``CRITERION_SCORE_COLUMNS``)."""
    n_criteria, n_pairs = verdicts.status.shape
    names = {c.number: c for c in criteria.criteria}
    return pd.DataFrame({
        **grid.keys(n_criteria, verdicts.pairs),
        "criterion": np.tile(rules.criteria, n_pairs),
        "criterion_vi": _tiled([names[n].name_vi for n in rules.criteria], n_pairs),
        "criterion_en": _tiled([names[n].name_en for n in rules.criteria], n_pairs),
        "status": _take(CRITERION_STATUSES, verdicts.status.T.ravel()),
        "met": verdicts.status.T.ravel() == PASS,
        "gap": verdicts.gap.T.ravel(),
        "policy": _tiled([policy], n_pairs * n_criteria),
    }, copy=False)


def _village_frame(grid: _Grid, verdicts: _Verdicts, rules: _Rules, criteria: CriteriaSet,
                   policy: str) -> pd.DataFrame:
    """x/N (N: the set's criteria), meets-standard, the criteria missing (vi / en) and the distance to the
    standard, per pair."""
    total = len(criteria.criteria)
    status = verdicts.status
    met, failed, incomplete = ((status == code).sum(axis=0) for code in (PASS, FAIL, INCOMPLETE))
    # under missing_fails an incomplete criterion is missing, with the full gap of an unknown
    missing = (status == FAIL) | ((status == INCOMPLETE) & (policy == "missing_fails"))
    terms = np.where(np.isnan(verdicts.gap), 1.0 if policy == "missing_fails" else 0.0, verdicts.gap)
    excused = incomplete if policy == "exclude" else 0
    names = {c.number: c for c in criteria.criteria}
    missing_vi, missing_en = _joined(missing.T, [[names[n].name_vi for n in rules.criteria],
                                               [names[n].name_en for n in rules.criteria]])
    return pd.DataFrame({
        **grid.keys(1, verdicts.pairs),
        "criteria_met": met,
        "criteria_total": np.full(len(met), total, dtype=np.int64),
        "criteria_failed": failed,
        "criteria_incomplete": incomplete,
        "met_label": _categories([f"{k}/{total}" for k in range(total + 1)], met),
        "meets_standard": (failed == 0) & (met + excused >= criteria.criteria_required),
        # each pair's terms summed as pandas' grouped sum does, to the digit
        "distance_to_standard": np.add.reduceat(np.ascontiguousarray(terms.T), [0], axis=1)[:, 0],
        "missing_criteria_vi": missing_vi,
        "missing_criteria_en": missing_en,
        "criteria_set": _tiled([criteria.id], len(met)),
        "policy": _tiled([policy], len(met)),
    }, copy=False)


def _joined(flags: np.ndarray, languages: Sequence[Sequence[str]]) -> list[pd.Series]:
    """For each list of names in ``languages``, the names flagged in each row of ``flags`` joined with "; ",
    as a categorical column: each distinct row of flags (a pattern of missing criteria) is joined once.
    """
    packed = np.packbits(flags, axis=1)  # a pattern as one number: its bytes, padded to a multiple of 8
    padded = np.zeros((len(flags), -(-packed.shape[1] // 8) * 8), dtype=np.uint8)
    padded[:, :packed.shape[1]] = packed
    keys = padded.view(np.uint64)
    if keys.shape[1] == 1:  # up to 64 criteria: hashing the numbers is faster than sorting them
        pattern, distinct = pd.factorize(keys[:, 0])
        first = np.full(len(distinct), len(pattern))
        np.minimum.at(first, pattern, np.arange(len(pattern)))
    else:
        _, first, pattern = np.unique(keys, axis=0, return_index=True, return_inverse=True)
    patterns = flags[first].tolist()
    return [_categories(["; ".join(compress(names, row)) for row in patterns], pattern.reshape(-1))
            for names in languages]


def _categories(labels: Sequence[str], positions: np.ndarray) -> pd.Series:
    """``labels[positions]`` as a categorical column (``labels`` distinct): no text is copied per row."""
    return pd.Series(pd.Categorical.from_codes(positions, dtype=pd.CategoricalDtype(pd.Index(labels, dtype=TEXT))),
                     copy=False)


def _take(labels: Sequence[str], positions: np.ndarray) -> pd.Series:
    """``labels[positions]`` as a ``TEXT`` column (arrow takes small integer positions as they are)."""
    strings = pa.array(list(labels), type=pa.large_string()).take(pa.array(positions))
    return pd.Series(pd.array(strings, dtype=TEXT), copy=False)


def _tiled(labels: Sequence[str], times: int, missing: np.ndarray | None = None) -> pd.Series:
    """``labels`` end to end ``times`` times as a ``TEXT`` column, missing where ``missing`` is set.

    The arrow buffers are tiled directly, far faster than taking that many strings one by one.
    """
    encoded = [label.encode() for label in labels]
    ends = np.cumsum([len(b) for b in encoded], dtype=np.int64)
    offsets = np.zeros(len(labels) * times + 1, dtype=np.int64)
    np.add(np.arange(times, dtype=np.int64)[:, None] * ends[-1], ends, out=offsets[1:].reshape(times, len(labels)))
    data = np.tile(np.frombuffer(b"".join(encoded), dtype=np.uint8), times)
    valid = None if missing is None or not missing.any() else pa.py_buffer(np.packbits(~missing, bitorder="little"))
    strings = pa.LargeStringArray.from_buffers(len(offsets) - 1, pa.py_buffer(offsets), pa.py_buffer(data), valid)
    return pd.Series(pd.array(strings, dtype=TEXT), copy=False)

def criteria_missing(status: pd.DataFrame) -> pd.Series:
    """Criteria each village misses under its policy: failed, plus incomplete under ``missing_fails``.

    ``status``: ``Scores.villages`` (``criteria_failed, criteria_incomplete, policy``).
    """
    counted = status["policy"].eq("missing_fails").astype(int)
    return (status["criteria_failed"] + counted * status["criteria_incomplete"]).astype(int)
