"""Clean the indicator values: one row per village × year × indicator, from long or wide tables.

Clean values (``VALUE_COLUMNS``): ``village_code``, ``year``, ``indicator_code``, ``value`` (float;
booleans as 1.0 / 0.0; **missing stays missing**, NaN, never zero), ``note``, and the source
``file, sheet, row, column`` of the cell.

Rejected values (``REJECTED_VALUE_COLUMNS``): the same source columns, the raw ``cell`` as text and the
``reason`` (a problem code). Every cell read from a values table lands in exactly one of the two.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ntm_analysis.cleaning import parse_cells, parser_for, read_code, report_readings, tidy_text
from ntm_analysis.criteria import CriteriaSet
from ntm_analysis.criteria.loader import VOCABULARY
from ntm_analysis.dataset import Table
from ntm_analysis.numbers import parse_number
from ntm_analysis.quality import Location, QualityLog
from ntm_analysis.schemas import VALUE_RANGES, VALUES, YEAR_RANGE, failing_cells, report_out_of_range
from ntm_analysis.vietnamese import fold

VALUE_COLUMNS = ["village_code", "year", "indicator_code", "value", "note", "file", "sheet", "row", "column"]
REJECTED_VALUE_COLUMNS = ["file", "sheet", "row", "column", "cell", "reason"]
KEPT_COLUMNS = [*VALUE_COLUMNS, "cell"]  # while cleaning, the raw cell travels with the value
WARNINGS_KEEP_VALUE = {"probable_fraction"}


def clean_values(tables: list[Table], villages: pd.DataFrame, criteria: CriteriaSet,
                 log: QualityLog) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Clean every long or wide table against ``villages``; return (values, rejected values)."""
    parts = [_read_table(table, villages, criteria, log) for table in tables]
    values = pd.concat([p[0] for p in parts], ignore_index=True) if parts else _empty(KEPT_COLUMNS)
    rejected = [p[1] for p in parts]
    values, out_of_range = _check_ranges(values, criteria, log)
    values, duplicates = _resolve_duplicates(values, log)
    rejected = pd.concat([*rejected, out_of_range, duplicates], ignore_index=True)
    values = values[VALUE_COLUMNS].astype({"village_code": "string", "indicator_code": "string", "year": "int64",
                                           "value": "float64", "row": "int64"})
    VALUES.validate(values, lazy=True)  # a failure here is a bug in the steps above, not a user mistake
    order = {code: i for i, code in enumerate(i.code for i in criteria.indicators)}
    values = values.assign(_o=values["indicator_code"].map(order)).sort_values(
        ["village_code", "year", "_o"], kind="stable").drop(columns="_o").reset_index(drop=True)
    return values, rejected[REJECTED_VALUE_COLUMNS].astype({"row": "Int64"}).reset_index(drop=True)


def _empty(columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(columns=columns)


# ---------------------------------------------------------------- one table


def _read_table(table: Table, villages: pd.DataFrame, criteria: CriteriaSet,
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
    cells = _melt(table, criteria, log).merge(rows, on="row", how="left")
    row_problem = cells["row_reason"].notna()
    rejected = [_as_rejected(cells[row_problem], cells.loc[row_problem, "row_reason"]), unknown]
    cells = cells[~row_problem]
    no_indicator = cells["indicator_code"].isna()
    rejected.append(_as_rejected(cells[no_indicator], "unknown_indicator"))
    cells = cells[~no_indicator]
    readings = _read_cells(cells, table, criteria, log)
    bad = readings["problem"].notna() & ~readings["problem"].isin(WARNINGS_KEEP_VALUE)
    rejected.append(_as_rejected(cells[bad], readings.loc[bad, "problem"]))
    kept = cells[~bad].assign(value=readings.loc[~bad, "value"])
    return kept, pd.concat(rejected, ignore_index=True)


def _resolve_rows(table: Table, villages: pd.DataFrame, log: QualityLog) -> pd.DataFrame:
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
                    villages: pd.DataFrame, log: QualityLog) -> tuple[pd.Series, pd.Series]:
    """Village codes for each row: by code when given, else by (commune, name) or a unique name.

    Each distinct (code, name, commune) is resolved once; problems are reported on every row concerned.
    """
    keys = pd.DataFrame({"code": code, "name": name, "commune": commune})
    distinct = keys.drop_duplicates()
    index = _VillageIndex.of(villages)
    outcomes = {k: _resolve_village(*k, index) for k in distinct.itertuples(index=False, name=None)}
    resolved_of = {k: v[0] for k, v in outcomes.items()}
    as_tuples = list(keys.itertuples(index=False, name=None))
    resolved = pd.Series([resolved_of[k] for k in as_tuples], index=code.index, dtype="string")
    reason = pd.Series([outcomes[k][1] for k in as_tuples], index=code.index, dtype=object)
    for idx in code.index[reason.notna() | pd.Series([outcomes[k][2] is not None for k in as_tuples],
                                                     index=code.index)]:
        _, problem, mismatch = outcomes[as_tuples[code.index.get_loc(idx)]]
        row = int(table.frame.at[idx, "row"])
        if problem == "missing_required_value":
            log.problem(problem, _loc(table, row, "village_code"))
        elif problem == "unknown_village" and pd.notna(code[idx]):
            log.problem(problem, _loc(table, row, "village_code"), code[idx])
        elif problem:
            log.problem(problem, _loc(table, row, "village_name"), name[idx], detail=mismatch or "")
        else:
            log.problem("commune_mismatch", _loc(table, row, "commune"), commune[idx], detail=mismatch)
    return resolved, reason


@dataclass(frozen=True)
class _VillageIndex:
    """The villages table prepared for matching: commune by code, (code, commune) by folded name."""

    commune_of: dict[str, str]
    by_name: dict[str, list[tuple[str, str]]]

    @classmethod
    def of(cls, villages: pd.DataFrame) -> _VillageIndex:
        by_name: dict[str, list[tuple[str, str]]] = {}
        for code, name, commune in zip(villages["village_code"], villages["village_name"], villages["commune"]):
            by_name.setdefault(fold(name), []).append((code, commune))
        return cls(dict(zip(villages["village_code"], villages["commune"])), by_name)


def _resolve_village(code: object, name: object, commune: object,
                     index: _VillageIndex) -> tuple[object, str | None, str | None]:
    """(village code or NA, problem code or None, detail: candidates, or the mismatching commune)."""
    if pd.isna(code) and pd.isna(name):
        return pd.NA, "missing_required_value", None
    if pd.notna(code):
        if code not in index.commune_of:
            return pd.NA, "unknown_village", None
        found = (code, index.commune_of[code])
    else:
        matches = index.by_name.get(fold(name), [])
        if pd.notna(commune) and len(matches) > 1:
            matches = [m for m in matches if fold(m[1]) == _commune_key(commune)]
        if len(matches) != 1:
            return pd.NA, "ambiguous_village" if matches else "unknown_village", ", ".join(m[0] for m in matches)
        found = matches[0]
    if pd.notna(commune) and _commune_key(commune) != fold(found[1]):
        return found[0], None, f"{found[0]} ({found[1]})"
    return found[0], None, None


def _commune_key(name: str) -> str:
    return fold(name).removeprefix("xa ").removeprefix("thi tran ")


def _read_years(table: Table, log: QualityLog) -> tuple[pd.Series, pd.Series]:
    frame = table.frame
    if "year" not in frame.columns:
        return (pd.Series(table.year_from_name, index=frame.index, dtype="Int64"),
                pd.Series(pd.NA, index=frame.index, dtype=object))
    readings = parse_cells(frame["year"], lambda raw: _year_reading(raw, table.year_from_name))
    bad = readings["value"].isna()
    for idx in frame.index[bad]:
        log.problem("invalid_year", _loc(table, int(frame.at[idx, "row"]), "year"), frame.at[idx, "year"])
    reason = pd.Series(np.where(bad, "invalid_year", None), index=frame.index, dtype=object)
    return readings["value"].round().astype("Int64"), reason


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
    """One row per cell: ``row``, ``column`` (header text), ``indicator_code`` (NA if unknown), ``cell``."""
    frame = table.frame
    if table.kind == "wide":
        long = frame.melt(id_vars="row", value_vars=table.indicator_columns, var_name="indicator_code",
                          value_name="cell")
        long["column"] = long["indicator_code"].map(table.headers)
        return long.assign(file=table.file, sheet=table.sheet).astype({"indicator_code": "string"})
    raw = tidy_text(frame["indicator"], frame["row"], table, "indicator", log)
    codes = raw.map(lambda text: criteria.match_indicator(text) if pd.notna(text) else pd.NA)
    for idx in frame.index[codes.isna()]:
        log.problem("unknown_indicator", _loc(table, int(frame.at[idx, "row"]), "indicator"),
                    frame.at[idx, "indicator"], detail=criteria.id)
    return pd.DataFrame({"file": table.file, "sheet": table.sheet, "row": frame["row"],
                         "column": table.headers["value"], "indicator_code": codes.astype("string"),
                         "cell": frame["value"]})


def _read_cells(cells: pd.DataFrame, table: Table, criteria: CriteriaSet, log: QualityLog) -> pd.DataFrame:
    """Read each cell with its indicator's parser; the number convention is judged per column."""
    parts = []
    for code, group in cells.groupby("indicator_code", sort=False):
        indicator = criteria.indicator(code)
        readings = parse_cells(group["cell"], parser_for(indicator.kind, indicator.unit, group["cell"]))
        report_readings(readings, group["cell"], group["row"], table, "value", log) if table.kind == "long" \
            else _report_wide(readings, group, table, log)
        parts.append(readings)
    return (pd.concat(parts) if parts else pd.DataFrame(columns=["value", "problem", "detail"])).reindex(cells.index)


def _report_wide(readings: pd.DataFrame, group: pd.DataFrame, table: Table, log: QualityLog) -> None:
    for idx in readings.index[readings["problem"].notna()]:
        log.problem(readings.at[idx, "problem"], Location(table.file, table.sheet, int(group.at[idx, "row"]),
                                                          group.at[idx, "column"]),
                    group.at[idx, "cell"], detail=readings.at[idx, "detail"])


def _unknown_column_cells(table: Table, log: QualityLog) -> pd.DataFrame:
    """Cells of unrecognised columns in a values table: rejected, one problem per column."""
    for header, cells in table.unknown_columns.items():
        log.problem("unknown_column", Location(table.file, table.sheet, None, header), count=len(cells))
    parts = [pd.DataFrame({"file": table.file, "sheet": table.sheet, "row": cells.index.astype("int64"),
                           "column": header, "cell": cells.map(str).to_numpy(), "reason": "unknown_column"})
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
    units = pd.Series({i.code: i.unit for i in criteria.indicators})
    unit = values["indicator_code"].map(units)
    bounds = pd.DataFrame({u: (v["min"], v["max"]) for u, v in VOCABULARY["units"].items()},
                          index=["low", "high"]).T.astype(float).fillna({"low": -np.inf, "high": np.inf})
    frame = values.assign(low=unit.map(bounds["low"]).fillna(-np.inf), high=unit.map(bounds["high"]).fillna(np.inf),
                          year=values["year"].astype("int64"), value=values["value"].astype("float64"),
                          village_code=values["village_code"].astype("string"),
                          indicator_code=values["indicator_code"].astype("string"))
    cases = failing_cells(frame, VALUE_RANGES)
    cases = cases.assign(header=frame.loc[cases["index"], "column"].to_numpy(),
                         allowed=[_range_text(frame.at[i, "low"], frame.at[i, "high"], units_name)
                                  for i, units_name in zip(cases["index"], unit[cases["index"]])])
    report_out_of_range(frame, cases, log)
    bad = values.index.isin(cases["index"])
    return values[~bad], _as_rejected(values[bad], "out_of_range")


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
            log.problem("duplicate_value" if conflict else "duplicate_value_same",
                        Location(rec["file"], rec["sheet"], int(rec["row"]), rec["column"]), rec["cell"],
                        detail=detail)
            drop.append(idx)
            reasons.append("duplicate_value" if conflict else "duplicate_value_same")
    rejected = _as_rejected(values.loc[drop], reasons)
    return values.drop(index=drop), rejected
