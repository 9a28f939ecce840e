"""Clean the indicator values: one row per village × year × indicator, from long or wide tables.

Clean values (``VALUE_COLUMNS``): ``village_code``, ``year``, ``indicator_code``, ``value`` (float;
booleans as 1.0 / 0.0; **missing stays missing**, NaN, never zero), ``note``, and the source
``file, sheet, row, column`` of the cell.

Rejected values (``REJECTED_VALUE_COLUMNS``): the same source columns, the raw ``cell`` as text and the
``reason`` (a problem code). Every cell read from a values table lands in exactly one of the two.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from ntm_analysis.clean.cells import (from_distinct, log_legacy_cells, parser_for, read_code, read_distinct,
                                   tidy_text, with_context_commune)
from ntm_analysis.reference.criteria import CriteriaSet
from ntm_analysis.reference.criteria import VOCABULARY
from ntm_analysis.raw.tables import Table
from ntm_analysis.core.vn_numbers import parse_number
from ntm_analysis.raw.quality_log import Location, QualityLog
from ntm_analysis.clean.schemas import VALUE_RANGES, VALUES, YEAR_RANGE, failing_cells, report_out_of_range
from ntm_analysis.core.vietnamese import fold

VALUE_COLUMNS = ["village_code", "year", "indicator_code", "value", "note", "file", "sheet", "row", "column"]
REJECTED_VALUE_COLUMNS = ["file", "sheet", "row", "column", "cell", "reason"]
KEPT_COLUMNS = [*VALUE_COLUMNS, "cell"]  # while cleaning, the raw cell travels with the value
WARNINGS_KEEP_VALUE = {"probable_fraction"}


def clean_values(tables: list[Table], villages: pd.DataFrame, criteria: CriteriaSet, log: QualityLog,
                 rejected_villages: pd.DataFrame | None = None,
                 renames: dict[str, str] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Clean every long or wide table against ``villages``; return (values, rejected values).

    ``rejected_villages`` (columns ``village_code, village_name, file, sheet, row, reason``) lets a value
    of a village whose row was rejected say so, rather than that the village is unknown. ``renames``
    (folded old commune -> new commune) lets a table that names villages under their old commune find them.
    """
    index = _VillageIndex.of(villages, rejected_villages, renames or {})
    communes = sorted(set(villages["commune"].dropna()))
    parts = [_read_table(with_context_commune(table, communes, log) if "village_code" not in table.frame.columns
                         else table, index, criteria, log) for table in tables]
    values = pd.concat([p[0] for p in parts], ignore_index=True) if parts else _empty(KEPT_COLUMNS)
    rejected = [p[1] for p in parts]
    values, out_of_range = _check_ranges(values, criteria, log)
    values, duplicates = _resolve_duplicates(values, log)
    rejected = pd.concat([*rejected, out_of_range, duplicates], ignore_index=True)
    values = values[VALUE_COLUMNS].astype({"village_code": "string", "indicator_code": "string", "year": "int64",
                                           "value": "float64", "row": "int64"})
    VALUES.validate(values, lazy=True, inplace=True)  # a failure here is a bug in the steps above, not a user
    # mistake; inplace: nothing is coerced, so this only spares pandera a copy of the table
    return (_in_order(values, criteria),
            rejected[REJECTED_VALUE_COLUMNS].astype({"row": "Int64"}).reset_index(drop=True))


def _in_order(values: pd.DataFrame, criteria: CriteriaSet) -> pd.DataFrame:
    """Values by village code, year and the criteria set's indicator order (codes compare as text).

    The order is one stable sort of a single number per value, fast when the table is already in order
    (as long tables usually are); village × year × indicator is unique here, so no ties remain.
    """
    order = {code: i for i, code in enumerate(i.code for i in criteria.indicators)}
    key = np.zeros(len(values), dtype=np.int64)
    for codes, size in [_ranks(values["village_code"]), _ranks(values["year"]),
                        (_per_indicator(values["indicator_code"], order, len(order)).astype(np.int64),
                         len(order) + 1)]:
        key = key * size + codes
    positions = np.argsort(key, kind="stable")
    if (positions == np.arange(len(values))).all():
        return values.reset_index(drop=True)
    return values.take(positions).reset_index(drop=True)


def _ranks(column: pd.Series) -> tuple[np.ndarray, int]:
    """Each value's rank among the column's distinct values (sorted), and how many there are."""
    codes, uniques = pd.factorize(column, sort=True)
    return codes.astype(np.int64), len(uniques)


def _empty(columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(columns=columns)


# ---------------------------------------------------------------- one table


def _read_table(table: Table, villages: _VillageIndex, criteria: CriteriaSet,
                log: QualityLog) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Resolve each row's village and year, melt to one cell per row, then read every cell."""
    where = Location(table.file, table.sheet)
    frame = table.frame
    unknown = _unknown_column_cells(table, log)
    if not {"village_code", "village_name"} & set(frame.columns):
        log.problem("missing_column", where, detail="Mã làng / Tên làng", count=len(frame))
        return _empty(KEPT_COLUMNS), pd.concat([_all_cells(table, "missing_column"), unknown])
    if "year" not in frame.columns and table.year_from_name is None:
        log.problem("no_year", where, count=len(frame))
        return _empty(KEPT_COLUMNS), pd.concat([_all_cells(table, "no_year"), unknown])
    rows = _resolve_rows(table, villages, log)
    cells = _with_rows(_melt(table, criteria, log), rows)
    row_problem, cells = _split(cells, cells["row_reason"].notna())
    rejected = [_as_rejected(row_problem, row_problem["row_reason"]), unknown]
    no_indicator, cells = _split(cells, cells["indicator_code"].isna())
    rejected.append(_as_rejected(no_indicator, "unknown_indicator"))
    value, problem = _read_cells(cells, table, criteria, log)
    bad = pd.notna(problem)
    bad[bad] = [p not in WARNINGS_KEEP_VALUE for p in problem[bad]]
    unreadable, kept = _split(cells, bad)
    rejected.append(_as_rejected(unreadable, problem[bad]))
    return kept.assign(value=value[~bad]), pd.concat(rejected, ignore_index=True)


def _split(frame: pd.DataFrame, mask: pd.Series | np.ndarray) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the rows where ``mask`` holds, the other rows); the frame is not copied when one side is empty."""
    mask = np.asarray(mask, dtype=bool)
    if not mask.any():
        return frame.iloc[:0], frame
    if mask.all():
        return frame, frame.iloc[:0]
    return frame[mask], frame[~mask]


def _resolve_rows(table: Table, villages: _VillageIndex, log: QualityLog) -> pd.DataFrame:
    """Per table row: ``row``, ``village_code``, ``year``, ``note`` and ``row_reason`` (a problem or NA)."""
    frame, rows = table.frame, table.frame["row"]
    out = pd.DataFrame({"row": rows}, index=frame.index)
    text = {name: tidy_text(frame[name], rows, table, name, log) if name in frame.columns
            else pd.Series(pd.NA, index=frame.index, dtype="string")
            for name in ["village_name", "commune", "note"]}
    code = (read_code(frame["village_code"], rows, table, "village_code", log) if "village_code" in frame.columns
            else pd.Series(pd.NA, index=frame.index, dtype="string"))
    out["village_code"], reason = _match_villages(code, text["village_name"], text["commune"], table, villages, log)
    out["year"], year_reason = _read_years(table, log)
    out["note"] = text["note"]
    out["row_reason"] = reason.fillna(year_reason)
    return out


def _match_villages(code: pd.Series, name: pd.Series, commune: pd.Series, table: Table,
                    index: _VillageIndex, log: QualityLog) -> tuple[pd.Series, pd.Series]:
    """Village codes for each row: by code when given, else by (commune, name) or a unique name.

    Each distinct (code, name, commune) is resolved once; problems are reported on every row concerned.
    """
    group, first = _distinct_rows([code, name, commune])
    outcomes = [_resolve_village(*key, index)
                for key in zip(*(column.take(first).to_numpy(dtype=object) for column in [code, name, commune]))]
    resolved = from_distinct([found for found, _, _ in outcomes], group, code.index)
    problems = np.array([problem for _, problem, _ in outcomes], dtype=object)
    reason = pd.Series(problems[group], index=code.index, dtype=object)
    concerned = np.array([problem is not None or detail is not None for _, problem, detail in outcomes],
                         dtype=bool)[group]
    rows = table.frame["row"].to_numpy()
    for pos in np.flatnonzero(concerned):
        _, problem, detail = outcomes[group[pos]]
        _report_village(problem, detail, int(rows[pos]), code.iloc[pos], name.iloc[pos], commune.iloc[pos], table,
                        log)
    return resolved, reason


def _distinct_rows(columns: list[pd.Series]) -> tuple[np.ndarray, np.ndarray]:
    """Each row's number among the distinct rows of ``columns`` (see ``_row_keys``) and the position of
    each distinct row's first appearance."""
    keys = _row_keys(columns)
    _, first = np.unique(keys, return_index=True)
    return keys, first


def _row_keys(columns: list[pd.Series]) -> np.ndarray:
    """One number per row, the same for rows equal in all ``columns`` (NA equals NA), numbered 0, 1 …
    in order of first appearance."""
    keys, size = np.zeros(len(columns[0]), dtype=np.int64), 1
    for column in columns:
        codes, uniques = pd.factorize(column, use_na_sentinel=True)
        if size * (len(uniques) + 1) >= 2**62:  # renumber before the combined number could overflow
            keys, size = _renumbered(keys)
        keys, size = keys * (len(uniques) + 1) + (codes + 1), size * (len(uniques) + 1)
    return _renumbered(keys)[0]


def _renumbered(keys: np.ndarray) -> tuple[np.ndarray, int]:
    """Keys renumbered 0, 1 … in order of first appearance, and how many distinct keys there are."""
    codes, uniques = pd.factorize(keys)
    return codes.astype(np.int64), len(uniques)


def _report_village(problem: str | None, detail: str | None, row: int, code: object, name: object,
                    commune: object, table: Table, log: QualityLog) -> None:
    """Log what ``_resolve_village`` found wrong with one row."""
    if problem == "missing_required_value":
        log.problem(problem, _loc(table, row, "village_code"))
    elif problem in {"unknown_village", "village_code_leading_zero", "village_row_rejected"} and pd.notna(code):
        log.problem(problem, _loc(table, row, "village_code"), code, detail=detail or "")
    elif problem:
        log.problem(problem, _loc(table, row, "village_name"), name, detail=detail or "")
    else:
        log.problem("commune_mismatch", _loc(table, row, "commune"), commune, detail=detail)


@dataclass
class _VillageIndex:
    """The villages table prepared for matching: commune by code, (code, commune) by folded name, and
    the rejected village rows (code or folded name -> where and why) to name them in messages.

    Folded texts are remembered while the index lives: the same names and communes recur.
    """

    villages: pd.DataFrame
    commune_of: dict[str, str]
    rejected: pd.DataFrame
    renames: dict[str, str] = field(default_factory=dict)
    _folded: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, villages: pd.DataFrame, rejected: pd.DataFrame | None = None,
           renames: dict[str, str] | None = None) -> _VillageIndex:
        rejected = rejected if rejected is not None else pd.DataFrame(
            columns=["village_code", "village_name", "file", "sheet", "row", "reason"])
        return cls(villages, dict(zip(villages["village_code"], villages["commune"])), rejected, dict(renames or {}))

    @cached_property
    def without_zeros(self) -> dict[str, list[str]]:
        """Codes with leading zeros by the code Excel leaves of them ("0907" under "907")."""
        found: dict[str, list[str]] = {}
        for code in self.commune_of:
            if isinstance(code, str) and code.startswith("0") and code.lstrip("0"):
                found.setdefault(code.lstrip("0"), []).append(code)
        return found

    @cached_property
    def rejected_rows(self) -> dict[str, str]:
        """Where and why each rejected village row was rejected, by code and by folded name."""
        found: dict[str, str] = {}
        for rec in self.rejected.to_dict("records"):
            place = f"{rec['reason']}: {rec['file']} {rec['sheet']} #{rec['row']}".replace("  ", " ")
            for key in [rec["village_code"], self.fold(rec["village_name"]) if pd.notna(rec["village_name"]) else None]:
                if pd.notna(key) and key not in found:
                    found[key] = place
        return found

    @cached_property
    def by_name(self) -> dict[str, list[tuple[str, str]]]:
        """Villages by folded name; built on first use (only rows without a code need it)."""
        by_name: dict[str, list[tuple[str, str]]] = {}
        for code, name, commune in zip(self.villages["village_code"], self.villages["village_name"],
                                       self.villages["commune"]):
            by_name.setdefault(self.fold(name), []).append((code, commune))
        return by_name

    def fold(self, text: str) -> str:
        """``vietnamese.fold``, computed once per distinct text."""
        if text not in self._folded:
            self._folded[text] = fold(text)
        return self._folded[text]

    def commune_key(self, name: str) -> str:
        """A commune name's matching key, without a leading "xã" / "thị trấn"; an old commune's is the key of
        the commune it became."""
        folded = self.fold(name)
        if folded in self.renames:
            folded = self.fold(self.renames[folded])
        return folded.removeprefix("xa ").removeprefix("thi tran ")


def _resolve_village(code: object, name: object, commune: object,
                     index: _VillageIndex) -> tuple[object, str | None, str | None]:
    """(village code or NA, problem code or None, detail: candidates, or the mismatching commune)."""
    if pd.isna(code) and pd.isna(name):
        return pd.NA, "missing_required_value", None
    if pd.notna(code):
        if code not in index.commune_of:
            return (pd.NA, *_unknown_code(code, index))
        found = (code, index.commune_of[code])
    else:
        matches = index.by_name.get(index.fold(name), [])
        if pd.notna(commune) and len(matches) > 1:
            matches = [m for m in matches if index.fold(m[1]) == index.commune_key(commune)]
        if not matches and index.fold(name) in index.rejected_rows:
            return pd.NA, "village_row_rejected", index.rejected_rows[index.fold(name)]
        if len(matches) != 1:
            return pd.NA, "ambiguous_village" if matches else "unknown_village", ", ".join(m[0] for m in matches)
        found = matches[0]
    if pd.notna(commune) and index.commune_key(commune) != index.fold(found[1]):
        return found[0], None, f"{found[0]} ({found[1]})"
    return found[0], None, None


def _unknown_code(code: str, index: _VillageIndex) -> tuple[str, str | None]:
    """Why a code is not in the villages table: its row was rejected, it lost its leading zeros, or unknown."""
    if code in index.rejected_rows:
        return "village_row_rejected", index.rejected_rows[code]
    if candidates := index.without_zeros.get(code.lstrip("0")):
        return "village_code_leading_zero", " / ".join(candidates)
    if code.lstrip("0") != code and code.lstrip("0") in index.commune_of:  # the villages table lost them
        return "village_code_leading_zero", code.lstrip("0")
    return "unknown_village", None


def _read_years(table: Table, log: QualityLog) -> tuple[pd.Series, pd.Series]:
    frame = table.frame
    if "year" not in frame.columns:
        return (pd.Series(table.year_from_name, index=frame.index, dtype="Int64"),
                pd.Series(pd.NA, index=frame.index, dtype=object))
    year, _, _ = read_distinct(frame["year"], lambda raw: _year_reading(raw, table.year_from_name))
    bad = np.isnan(year)
    for row, cell in zip(frame["row"].to_numpy()[bad], frame["year"].to_numpy()[bad]):
        log.problem("invalid_year", _loc(table, int(row), "year"), cell)
    reason = pd.Series(np.where(bad, "invalid_year", None), index=frame.index, dtype=object)
    return pd.Series(year, index=frame.index).round().astype("Int64"), reason


def _year_reading(raw: object, fallback: int | None):  # noqa: ANN202 - a numbers.Reading
    if hasattr(raw, "year") and not isinstance(raw, (int, float)):  # an Excel date: its year
        return parse_number(raw.year)
    reading = parse_number(raw, "vi")
    if reading.value is None and reading.problem is None and fallback is not None:
        return parse_number(fallback)
    ok = reading.value is not None and float(reading.value).is_integer() and \
        YEAR_RANGE[0] <= reading.value <= YEAR_RANGE[1]
    return reading if ok else parse_number(None)


def _loc(table: Table, row: int, column: str) -> Location:
    return Location(table.file, table.sheet, row, table.headers.get(column, column))


def _melt(table: Table, criteria: CriteriaSet, log: QualityLog) -> pd.DataFrame:
    """One row per cell: ``row``, ``column`` (header text), ``indicator_code`` (NA if unknown), ``cell``.

    Wide tables give their indicator columns one after the other; ``position`` is the cell's row in
    ``table.frame``.
    """
    frame = table.frame
    if table.kind == "wide":
        columns = table.indicator_columns
        n = len(frame)
        return pd.DataFrame({
            "row": np.tile(frame["row"].to_numpy(), len(columns)),
            "indicator_code": _repeat_text(columns, n, "string"),
            "cell": pd.Series(_stack(frame, columns), dtype=object),
            "column": _repeat_text([table.headers[c] for c in columns], n),
            "file": _repeat_text([table.file], n * len(columns)),
            "sheet": _repeat_text([table.sheet], n * len(columns)),
            "position": np.tile(np.arange(n), len(columns)),
        })
    raw = tidy_text(frame["indicator"], frame["row"], table, "indicator", log)
    codes = _match_indicators(raw, criteria)
    for row, cell in zip(frame["row"].to_numpy()[codes.isna().to_numpy()],
                         frame["indicator"].to_numpy()[codes.isna().to_numpy()]):
        log.problem("unknown_indicator", _loc(table, int(row), "indicator"), cell, detail=criteria.id)
    n = len(frame)
    return pd.DataFrame({"file": _repeat_text([table.file], n), "sheet": _repeat_text([table.sheet], n),
                         "row": frame["row"].to_numpy(), "column": _repeat_text([table.headers["value"]], n),
                         "indicator_code": codes, "cell": frame["value"].astype(object),
                         "position": np.arange(n)})


def _repeat_text(texts: list[str], times: int, dtype: str = "str") -> pd.api.extensions.ExtensionArray:
    """Each of ``texts`` repeated ``times`` times, in order, as a text array."""
    return pd.array(texts, dtype=dtype).take(np.repeat(np.arange(len(texts)), times))


def _stack(frame: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """The cells of ``columns``, one column after the other."""
    if not columns:
        return np.empty(0, dtype=object)
    return np.concatenate([frame[c].to_numpy(dtype=object) for c in columns])


def _match_indicators(text: pd.Series, criteria: CriteriaSet) -> pd.Series:
    """The indicator code each (tidied) text names, NA when none; each distinct text is matched once."""
    codes, texts = pd.factorize(text, use_na_sentinel=True)
    matched = [criteria.match_indicator(t) or pd.NA for t in texts]
    return from_distinct(matched, codes, text.index) if matched else pd.Series(pd.NA, index=text.index,
                                                                               dtype="string")


def _with_rows(cells: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    """``cells`` with the columns of ``rows`` (village, year, note, row_reason) of the row each cell is in."""
    per_cell = rows.drop(columns="row").take(cells["position"].to_numpy()).reset_index(drop=True)
    return pd.concat([cells.drop(columns="position"), per_cell], axis=1)


def _read_cells(cells: pd.DataFrame, table: Table, criteria: CriteriaSet,
                log: QualityLog) -> tuple[np.ndarray, np.ndarray]:
    """Each cell's value (NaN if none) and problem (None if fine), read with its indicator's parser.

    The number convention is judged per indicator; every problem is logged at its cell.
    """
    raw = cells["cell"].to_numpy(dtype=object)
    value = np.full(len(cells), np.nan)
    problem = np.full(len(cells), None, dtype=object)
    detail = np.full(len(cells), None, dtype=object)
    for code, where in _groups(cells["indicator_code"]):
        indicator = criteria.indicator(code)
        group = raw[where]
        parser = parser_for(indicator.kind, indicator.unit, pd.Series(group, dtype=object), indicator.plausible)
        value[where], problem[where], detail[where] = read_distinct(group, parser)
    _report_cells(problem, detail, raw, cells, table, log)
    log_legacy_cells(raw, cells["row"].to_numpy(), cells["column"].to_numpy(dtype=object), table, log)
    return value, problem


def _groups(keys: pd.Series) -> Iterator[tuple[object, np.ndarray]]:
    """(key, positions) for each distinct key, in order of first appearance; positions ascending."""
    codes, uniques = pd.factorize(keys, use_na_sentinel=True)
    small = np.int16 if len(uniques) < 2**15 else np.intp  # a stable sort of int16 is numpy's radix sort
    order = np.argsort(codes.astype(small), kind="stable")
    ends = np.cumsum(np.bincount(codes[codes >= 0], minlength=len(uniques)))
    start = int(np.sum(codes < 0))
    for key, end in zip(uniques, ends + start):
        yield key, order[start:end]
        start = end


def _report_cells(problem: np.ndarray, detail: np.ndarray, raw: np.ndarray, cells: pd.DataFrame, table: Table,
                  log: QualityLog) -> None:
    """One problem per cell that could not be read (or is kept with a warning), at its source cell."""
    found = np.flatnonzero(pd.notna(problem))
    rows, columns = cells["row"].to_numpy()[found], cells["column"].take(found).to_numpy(dtype=object)
    for pos, row, column in zip(found, rows, columns):
        log.problem(problem[pos], Location(table.file, table.sheet, int(row), column), raw[pos], detail=detail[pos])


def _unknown_column_cells(table: Table, log: QualityLog) -> pd.DataFrame:
    """Cells of unrecognised columns in a values table, blank ones too: rejected, one problem per column."""
    for header, cells in table.unknown_columns.items():
        log.problem("unknown_column", Location(table.file, table.sheet, None, header), count=int(cells.notna().sum()))
    parts = [pd.DataFrame({"file": table.file, "sheet": table.sheet, "row": cells.index.astype("int64"),
                           "column": header, "cell": cells.map(_cell_text).to_numpy(), "reason": "unknown_column"})
             for header, cells in table.unknown_columns.items()]
    return pd.concat(parts, ignore_index=True) if parts else _empty(REJECTED_VALUE_COLUMNS)


def _all_cells(table: Table, reason: str) -> pd.DataFrame:
    """Every value cell (filled or not) of a table that could not be read at all."""
    columns = table.indicator_columns if table.kind == "wide" else ["value"]
    cells = table.frame.melt(id_vars="row", value_vars=columns, var_name="field", value_name="cell")
    cells = cells.assign(file=table.file, sheet=table.sheet, column=cells["field"].map(table.headers))
    return _as_rejected(cells, reason)


def _as_rejected(cells: pd.DataFrame, reason: object) -> pd.DataFrame:
    return pd.DataFrame({"file": cells["file"], "sheet": cells["sheet"], "row": cells["row"],
                         "column": cells["column"], "cell": cells["cell"].map(_cell_text), "reason": reason},
                        index=cells.index)


def _cell_text(cell: object) -> str:
    return "" if cell is None or (isinstance(cell, float) and np.isnan(cell)) else str(cell)


# ---------------------------------------------------------------- across tables


def _check_ranges(values: pd.DataFrame, criteria: CriteriaSet,
                  log: QualityLog) -> tuple[pd.DataFrame, pd.DataFrame]:
    """pandera, lazily: a value outside its unit's range (a percent above 100 …) is rejected."""
    units = {i.code: i.unit for i in criteria.indicators}
    bounds = pd.DataFrame({u: (v["min"], v["max"]) for u, v in VOCABULARY["units"].items()},
                          index=["low", "high"]).T.astype(float).fillna({"low": -np.inf, "high": np.inf})
    low = {code: bounds.at[unit, "low"] if unit in bounds.index else -np.inf for code, unit in units.items()}
    high = {code: bounds.at[unit, "high"] if unit in bounds.index else np.inf for code, unit in units.items()}
    ranges = pd.DataFrame({"value": values["value"].astype("float64"),
                           "low": _per_indicator(values["indicator_code"], low, -np.inf),
                           "high": _per_indicator(values["indicator_code"], high, np.inf)}, index=values.index)
    cases = failing_cells(ranges, VALUE_RANGES)
    if cases.empty:
        return values, _as_rejected(values.iloc[:0], "out_of_range")
    frame = values.loc[cases["index"].unique()].assign(low=ranges["low"], high=ranges["high"],
                                                      value=ranges["value"])
    cases = cases.assign(header=frame.loc[cases["index"], "column"].to_numpy(),
                         allowed=[_range_text(frame.at[i, "low"], frame.at[i, "high"],
                                              units.get(frame.at[i, "indicator_code"], np.nan))
                                  for i in cases["index"]])
    report_out_of_range(frame, cases, log)
    bad = values.index.isin(cases["index"])
    return values[~bad], _as_rejected(values[bad], "out_of_range")


def _per_indicator(codes: pd.Series, lookup: dict[str, float], default: float) -> np.ndarray:
    """``lookup[code]`` for each value's indicator code (``default`` when absent); one look-up per code."""
    ids, distinct = pd.factorize(codes, use_na_sentinel=True)
    return np.array([lookup.get(code, default) for code in distinct] + [default], dtype="float64")[ids]


def _range_text(low: float, high: float, unit: str) -> str:
    low_text = "" if np.isinf(low) else f"{low:g}"
    high_text = "" if np.isinf(high) else f"{high:g}"
    return f"{low_text}–{high_text} ({unit})" if high_text else f"≥ {low_text} ({unit})"


def _resolve_duplicates(values: pd.DataFrame, log: QualityLog) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The same village × year × indicator twice: kept once if the values agree, else all rejected."""
    key = ["village_code", "year", "indicator_code"]
    dup = values.duplicated(key, keep=False)
    if not dup.any():
        return values, _empty(REJECTED_VALUE_COLUMNS)
    groups = values[dup].assign(_has=values.loc[dup, "value"].notna()).sort_values("_has", ascending=False,
                                                                                 kind="stable")
    drop, reasons = [], []
    for (code, year, ind), group in groups.groupby(key, sort=False):
        places = "; ".join(f"{r.file} {r.sheet} #{r.row} {r.column}".strip() for r in group.itertuples())
        detail = f"{code}, {year}, {ind}: {places}"
        conflict = group["value"].dropna().nunique() > 1
        losers = group.index if conflict else group.index[1:]
        for idx in losers:
            rec = values.loc[idx]
            reason = ("duplicate_value" if conflict else
                      "duplicate_value_blank" if pd.isna(rec["value"]) != pd.isna(group["value"].iloc[0])
                      else "duplicate_value_same")
            log.problem(reason, Location(rec["file"], rec["sheet"], int(rec["row"]), rec["column"]), rec["cell"],
                        detail=detail)
            drop.append(idx)
            reasons.append(reason)
    rejected = _as_rejected(values.loc[drop], reasons)
    return values.drop(index=drop), rejected
