"""Score villages under a criteria set: indicator → criterion → village status, with gap measures.

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
criteria_failed, criteria_incomplete, met_label`` ("17/19"), ``meets_standard``,
``distance_to_standard``, ``missing_criteria_vi``, ``missing_criteria_en``, ``criteria_set``, ``policy``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from ntm_analysis.criteria import CriteriaSet, Indicator
from ntm_analysis.criteria.loader import VOCABULARY

POLICIES = ("missing_fails", "exclude")
INDICATOR_SCORE_COLUMNS = ["village_code", "year", "criterion", "indicator_code", "group", "value", "threshold",
                           "direction", "unit", "status", "shortfall", "normalised_gap", "provenance"]
CRITERION_SCORE_COLUMNS = ["village_code", "year", "criterion", "criterion_vi", "criterion_en", "status", "met",
                           "gap", "policy"]
VILLAGE_STATUS_COLUMNS = ["village_code", "year", "criteria_met", "criteria_total", "criteria_failed",
                          "criteria_incomplete", "met_label", "meets_standard", "distance_to_standard",
                          "missing_criteria_vi", "missing_criteria_en", "criteria_set", "policy"]

TEXT = pd.Series([""]).dtype  # pandas' default text dtype (arrow-backed "str" since pandas 3), as before
# Status codes in the dense arrays: positions in these label tuples (no data / incomplete share code 2).
INDICATOR_STATUSES = ("pass", "fail", "no_data")
CRITERION_STATUSES = ("pass", "fail", "incomplete")
PASS, FAIL, NO_DATA, INCOMPLETE = 0, 1, 2, 2


class ScoringError(ValueError):
    """The data cannot be scored under this criteria set (e.g. a village group the set does not define)."""


@dataclass(frozen=True)
class Scores:
    """The three levels of scores for one criteria set and one missing-data policy."""

    indicators: pd.DataFrame
    criteria: pd.DataFrame
    villages: pd.DataFrame
    criteria_set: str
    policy: str


def score_villages(values: pd.DataFrame, villages: pd.DataFrame, criteria: CriteriaSet,
                   policy: str = "missing_fails") -> Scores:
    """Score every village × year with at least one value, under ``criteria`` and ``policy``.

    ``values``: clean indicator values (``village_code, year, indicator_code, value``), one row per
    village × year × indicator. ``villages``: clean villages (``village_code, threshold_group``).
    """
    if policy not in POLICIES:
        raise ScoringError(f"unknown missing-data policy {policy!r}; use one of {', '.join(POLICIES)}")
    rules = _Rules.of(criteria)
    grid = _Grid.of(values, village_groups(villages, criteria), rules)
    judged = _judge(grid, rules)
    verdicts = _criterion_verdicts(grid, judged, rules)
    return Scores(_indicator_frame(grid, judged, rules), _criterion_frame(grid, verdicts, rules, criteria, policy),
                  _village_frame(grid, verdicts, rules, criteria, policy), criteria.id, policy)


def village_groups(villages: pd.DataFrame, criteria: CriteriaSet) -> pd.Series:
    """The threshold group of each village under ``criteria`` (index ``village_code``).

    A set with a single group applies it to every village; otherwise each village's
    ``threshold_group`` must be one of the set's groups.
    """
    ids = [g.id for g in criteria.groups]
    groups = villages.set_index("village_code")["threshold_group"].astype("string")
    if len(ids) == 1:
        return pd.Series(ids[0], index=groups.index, dtype="string")
    unknown = sorted(set(groups.dropna()) - set(ids)) + (["(trống / empty)"] if groups.isna().any() else [])
    if unknown:
        raise ScoringError(f"criteria set {criteria.id} defines groups {', '.join(ids)}; villages have "
                           f"group(s) {', '.join(unknown)}: set 'Nhóm' in the villages table")
    return groups


# ---------------------------------------------------------------- the criteria set as arrays


@dataclass(frozen=True)
class _Rules:
    """A criteria set as arrays: one column per indicator, ordered by criterion (stable), one row per group.

    ``threshold`` and ``scale`` have an extra last row for villages missing from the villages table: no
    threshold (NaN), so their indicators fail when they have a value, and a gap scale of 1.
    """

    indicators: tuple[Indicator, ...]
    groups: tuple[str, ...]
    threshold: np.ndarray
    scale: np.ndarray
    criteria: tuple[int, ...]
    criterion_starts: np.ndarray

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
                   criteria=tuple(numbers[starts].tolist()), criterion_starts=starts)

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
        village_of_run, village_codes = pd.factorize(values["village_code"].take(heads), sort=True,
                                                     use_na_sentinel=False)
        year_of_run, years = pd.factorize(values["year"].take(heads), sort=True, use_na_sentinel=False)
        pair_of_run, pairs = pd.factorize(village_of_run * len(years) + year_of_run, sort=True)
        village, year = np.divmod(pairs, len(years))
        group_of_village = pd.Index(rules.groups).get_indexer(groups.reindex(village_codes))

        n_indicators = len(rules.indicators)
        column = _indicator_columns(values["indicator_code"], rules)
        cell = np.repeat(pair_of_run * n_indicators, np.diff(heads, append=len(values)))
        cell += column
        value = values["value"].to_numpy(dtype=float, na_value=np.nan)
        if (column < 0).any():  # rows for indicators outside the set: ignored
            inside = column >= 0
            cell, value = cell[inside], value[inside]
        filled = np.zeros(len(pairs) * n_indicators, dtype=bool)
        filled[cell] = True
        if np.count_nonzero(filled) < len(cell):
            raise ScoringError(f"values hold {len(cell) - np.count_nonzero(filled):,} duplicate village × year × "
                               "indicator row(s); keep one row per key, as `ntm clean` does")
        dense = np.full(len(filled), np.nan)
        dense[cell] = value
        return cls(village_codes, years, village, year, group_of_village[village],
                   dense.reshape(len(pairs), n_indicators))

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
        values = column.array
        starts[1:] |= pd.Series(values[1:] != values[:-1]).to_numpy(dtype=bool, na_value=True)
    return np.flatnonzero(starts)


def _indicator_columns(codes: pd.Series, rules: _Rules) -> np.ndarray:
    """The rules' column of each row's indicator code; -1 for a code outside the set or missing."""
    row_codes, distinct = pd.factorize(codes)
    return np.append(pd.Index(rules.column("code")).get_indexer(distinct), -1).astype(np.int8).take(row_codes)


# ---------------------------------------------------------------- judging


@dataclass(frozen=True)
class _Judged:
    """Per pair × indicator (the grid's shape): threshold, status code, shortfall and normalised gap."""

    threshold: np.ndarray
    status: np.ndarray
    shortfall: np.ndarray
    gap: np.ndarray


def _judge(grid: _Grid, rules: _Rules) -> _Judged:
    """Status, shortfall (in the indicator's unit) and normalised gap (0–1) of every cell.

    Each rule applies to a whole column, so the directions broadcast over the pairs; a cell without
    data has no shortfall nor gap (NaN).
    """
    value, threshold = grid.value, rules.threshold[grid.group]
    direction = np.array(rules.column("direction"))
    at_least, at_most = direction == ">=", direction == "<="
    passes = np.where(at_least, value >= threshold, np.where(at_most, value <= threshold, value == threshold))
    status = np.where(np.isnan(value), np.int8(NO_DATA), np.where(passes, np.int8(PASS), np.int8(FAIL)))
    shortfall = np.subtract(value, threshold)                      # "≤ t" and "= t": above the threshold
    np.subtract(threshold, value, out=shortfall, where=at_least)   # "≥ t": below it
    np.abs(shortfall, out=shortfall, where=~(at_least | at_most))  # "= t": either way
    np.clip(shortfall, 0, None, out=shortfall)
    gap = np.divide(shortfall, rules.scale[grid.group])
    np.clip(gap, 0, 1, out=gap)
    return _Judged(threshold, status, shortfall, gap)


@dataclass(frozen=True)
class _Verdicts:
    """Criterion status code and gap per scored pair (``pairs``: grid positions) × criterion."""

    pairs: np.ndarray
    status: np.ndarray
    gap: np.ndarray


def _criterion_verdicts(grid: _Grid, judged: _Judged, rules: _Rules) -> _Verdicts:
    """Pass when all indicators of the criterion pass, fail when any fails, otherwise incomplete.

    The gap of a failed criterion is the largest normalised gap of its indicators, 0 when it passes and
    NaN when incomplete. Pairs whose village is not in the villages table are not scored.
    """
    pairs = np.flatnonzero(grid.group >= 0)
    starts = rules.criterion_starts
    failed = np.logical_or.reduceat(judged.status == FAIL, starts, axis=1)[pairs]
    no_data = np.logical_or.reduceat(judged.status == NO_DATA, starts, axis=1)[pairs]
    status = np.where(failed, np.int8(FAIL), np.where(no_data, np.int8(INCOMPLETE), np.int8(PASS)))
    gap = np.fmax.reduceat(judged.gap, starts, axis=1)[pairs]  # the largest, ignoring NaN
    gap[status == PASS] = 0.0
    gap[status == INCOMPLETE] = np.nan
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
        "threshold": judged.threshold.ravel(),
        "direction": _tiled(rules.column("direction"), n_pairs, unknown),
        "unit": _tiled(rules.column("unit"), n_pairs, unknown),
        "status": _take(INDICATOR_STATUSES, judged.status.ravel()),
        "shortfall": judged.shortfall.ravel(),
        "normalised_gap": judged.gap.ravel(),
        "provenance": _tiled(rules.column("provenance"), n_pairs, unknown),
    }, copy=False)


def _criterion_frame(grid: _Grid, verdicts: _Verdicts, rules: _Rules, criteria: CriteriaSet,
                     policy: str) -> pd.DataFrame:
    """One row per scored pair × criterion (``CRITERION_SCORE_COLUMNS``)."""
    n_pairs, n_criteria = verdicts.status.shape
    names = {c.number: c for c in criteria.criteria}
    return pd.DataFrame({
        **grid.keys(n_criteria, verdicts.pairs),
        "criterion": np.tile(rules.criteria, n_pairs),
        "criterion_vi": _tiled([names[n].name_vi for n in rules.criteria], n_pairs),
        "criterion_en": _tiled([names[n].name_en for n in rules.criteria], n_pairs),
        "status": _take(CRITERION_STATUSES, verdicts.status.ravel()),
        "met": verdicts.status.ravel() == PASS,
        "gap": verdicts.gap.ravel(),
        "policy": _tiled([policy], n_pairs * n_criteria),
    }, copy=False)


def _village_frame(grid: _Grid, verdicts: _Verdicts, rules: _Rules, criteria: CriteriaSet,
                   policy: str) -> pd.DataFrame:
    """x/19, meets-standard, the criteria missing (vi / en) and the distance to the standard, per pair."""
    total = len(criteria.criteria)
    status = verdicts.status
    met, failed, incomplete = ((status == code).sum(axis=1) for code in (PASS, FAIL, INCOMPLETE))
    # under missing_fails an incomplete criterion is missing, with the full gap of an unknown
    missing = (status == FAIL) | ((status == INCOMPLETE) & (policy == "missing_fails"))
    terms = np.where(np.isnan(verdicts.gap), 1.0 if policy == "missing_fails" else 0.0, verdicts.gap)
    excused = incomplete if policy == "exclude" else 0
    names = {c.number: c for c in criteria.criteria}
    missing_vi, missing_en = _joined(missing, [[names[n].name_vi for n in rules.criteria],
                                               [names[n].name_en for n in rules.criteria]])
    return pd.DataFrame({
        **grid.keys(1, verdicts.pairs),
        "criteria_met": met,
        "criteria_total": np.full(len(status), total, dtype=np.int64),
        "criteria_failed": failed,
        "criteria_incomplete": incomplete,
        "met_label": _take([f"{k}/{total}" for k in range(total + 1)], met),
        "meets_standard": (failed == 0) & (met + excused >= criteria.criteria_required),
        "distance_to_standard": np.add.reduceat(terms, [0], axis=1)[:, 0],  # pandas' grouped sum, to the digit
        "missing_criteria_vi": missing_vi,
        "missing_criteria_en": missing_en,
        "criteria_set": _tiled([criteria.id], len(status)),
        "policy": _tiled([policy], len(status)),
    }, copy=False)


def _joined(flags: np.ndarray, languages: Sequence[Sequence[str]]) -> list[pd.Series]:
    """For each list of names in ``languages``, the names flagged in each row of ``flags`` joined with "; ".

    Each distinct row of flags (a pattern of missing criteria) is joined once.
    """
    packed = pd.DataFrame(np.packbits(flags, axis=1))
    pattern = packed.groupby(list(packed.columns), sort=False).ngroup().to_numpy()
    _, first = np.unique(pattern, return_index=True)
    return [_take(["; ".join(np.asarray(names)[flags[row]]) for row in first], pattern) for names in languages]


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
