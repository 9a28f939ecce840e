"""Clean the villages tables: one row per village, communes matched to the administrative list.

Output columns (``VILLAGE_COLUMNS``): ``village_code`` (text, leading zeros kept), ``village_name``,
``commune`` (official spelling), ``commune_code``, ``commune_type`` (xã / thị trấn / phường, from the
commune list), ``district``, ``province``, ``threshold_group`` and
``threshold_group_source`` (assigned / derived), ``border_commune``, ``households``, ``population``,
``ethnic_minority_share`` (percent), ``commune_target_year``, ``plan_category`` (commune_linked /
border / other) and ``plan_category_source``, ``note``, and the source ``file, sheet, row``.

Rejected rows (``REJECTED_VILLAGE_COLUMNS``): ``file, sheet, row, village_code, village_name, commune``
(as typed, tidied, never matched), ``reason`` (a problem code) and ``fields_as_typed`` (the row's other
cells as typed: "E – Số hộ: 120; F – Số khẩu: 540"); the quality log says why and how to fix it.
"""

from __future__ import annotations

import difflib

import numpy as np
import pandas as pd

from ntm_analysis.reference.admin_units import commune_lookup
from ntm_analysis.reference.plan import assignment_rules, category_lookup
from ntm_analysis.clean.cells import (log_legacy_cells, map_distinct, parse_cells, parser_for, read_code,
                                   report_readings, tidy_text, with_context_commune)
from ntm_analysis.raw.tables import Table
from ntm_analysis.raw.quality_log import Location, QualityLog
from ntm_analysis.clean.schemas import VILLAGES, failing_cells, report_out_of_range
from ntm_analysis.core.vietnamese import fold

VILLAGE_COLUMNS = ["village_code", "village_name", "commune", "commune_code", "commune_type", "district",
                   "province", "threshold_group", "threshold_group_source", "border_commune", "households",
                   "population", "ethnic_minority_share", "commune_target_year", "plan_category",
                   "plan_category_source", "road_km", "lane_km", "livestock_households", "note", "file", "sheet", "row"]
REJECTED_VILLAGE_COLUMNS = ["file", "sheet", "row", "village_code", "village_name", "commune", "reason",
                            "fields_as_typed"]
REQUIRED = ["village_code", "village_name", "commune"]
TEXT_FIELDS = ["village_name", "commune", "district", "province", "threshold_group", "plan_category", "note"]
NUMBER_FIELDS = {"households": "count", "population": "count", "ethnic_minority_share": "percent",
                 "commune_target_year": "count", "border_commune": "boolean", "road_km": "count", "lane_km": "count",
                 "livestock_households": "count"}
TYPED_COMMUNE = "commune_as_typed"
TYPED_FIELDS = "fields_as_typed"
ETHNIC_MINORITY_AREA_SHARE = 15.0  # percent of households; national rule, Decision 33/2020/QĐ-TTg


def clean_villages(tables: list[Table], admin: pd.DataFrame, plan: dict, log: QualityLog,
                   renames: dict[str, str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Clean every villages table; return (villages, rejected rows). Every input row lands in one.

    ``renames`` (:func:`~ntm_analysis.reference.admin_units.commune_renames`): old communes the commune list
    no longer has -> the commune each became; a village typed under its old commune is moved to the new one
    and the move is logged (rule ``commune_mapped``).
    """
    read, rejected = [], []
    for table in tables:
        frame, bad = _read_table(table, admin, plan, log, renames)
        read.append(frame)
        rejected.append(bad)
    villages = pd.concat(read, ignore_index=True) if read else _empty_read()
    villages, duplicates = _resolve_duplicates(villages, {(t.file, t.sheet): t.headers for t in tables}, log)
    villages = _derive(villages, admin, plan)
    villages = _validate(villages, tables, log)
    rejected = pd.concat([*rejected, duplicates], ignore_index=True) if rejected or len(duplicates) else None
    rejected = (rejected if rejected is not None else pd.DataFrame(columns=REJECTED_VILLAGE_COLUMNS))
    return (villages[VILLAGE_COLUMNS].sort_values(["commune", "village_code"], kind="stable")
            .reset_index(drop=True),
            rejected[REJECTED_VILLAGE_COLUMNS].astype({"row": "Int64"}).reset_index(drop=True))


def _empty_read() -> pd.DataFrame:
    return pd.DataFrame(columns=[*VILLAGE_COLUMNS])


def _read_table(table: Table, admin: pd.DataFrame, plan: dict, log: QualityLog,
                renames: dict[str, str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    table = with_context_commune(table, admin["commune"].tolist(), log)
    frame, rows = table.frame, table.frame["row"]
    missing = [name for name in REQUIRED if name not in frame.columns]
    if missing:
        log.problem("missing_column", Location(table.file, table.sheet), detail=", ".join(missing), count=len(frame))
        return _empty_read(), _rejected(table, frame, "missing_column")
    out = pd.DataFrame({"file": table.file, "sheet": table.sheet, "row": rows}, index=frame.index)
    out["village_code"] = read_code(frame["village_code"], rows, table, "village_code", log)
    for name in TEXT_FIELDS:
        cells = frame[name] if name in frame.columns else pd.Series(None, index=frame.index, dtype=object)
        out[name] = tidy_text(cells, rows, table, name, log)
    for name, unit in NUMBER_FIELDS.items():
        cells = frame[name] if name in frame.columns else pd.Series(None, index=frame.index, dtype=object)
        readings = parse_cells(cells, parser_for("boolean" if unit == "boolean" else "numeric", unit, cells))
        report_readings(readings, cells, rows, table, name, log)
        log_legacy_cells(cells.to_numpy(dtype=object), rows.to_numpy(),
                         np.full(len(cells), table.headers.get(name, name), dtype=object), table, log)
        out[name] = readings["value"]
    out["plan_category"] = _read_category(out, table, plan, log)
    blank = out[REQUIRED].isna().any(axis=1)
    for idx in out.index[blank]:
        column = next(name for name in REQUIRED if pd.isna(out.at[idx, name]))
        log.problem("missing_required_value", Location(table.file, table.sheet, int(rows[idx]),
                                                       table.headers[column]))
    out[TYPED_COMMUNE] = out["commune"]  # rejected rows keep the commune as typed, and their other cells
    out[TYPED_FIELDS] = _as_typed(frame, table)
    out["commune"], unknown = _match_communes(out, table, admin, log, renames)
    bad = blank | unknown
    return out[~bad], _rejected(table, out[bad].assign(reason=["missing_required_value" if b else "unknown_commune"
                                                                for b in blank[bad]]))


def _rejected(table: Table, frame: pd.DataFrame, reason: str | None = None) -> pd.DataFrame:
    """Rejected rows with their code, name and commune as typed (tidied, never matched) and their other
    cells as typed."""
    out = pd.DataFrame({"file": table.file, "sheet": table.sheet, "row": frame["row"]}, index=frame.index)
    if TYPED_COMMUNE in frame.columns:
        frame = frame.assign(commune=frame[TYPED_COMMUNE])
    for name in ["village_code", "village_name", "commune"]:
        out[name] = frame[name].astype("string") if name in frame.columns else pd.NA
    out["reason"] = frame["reason"] if reason is None else reason
    out[TYPED_FIELDS] = frame[TYPED_FIELDS] if TYPED_FIELDS in frame.columns else _as_typed(frame, table)
    return out


def _as_typed(frame: pd.DataFrame, table: Table) -> pd.Series:
    """Each row's cells other than code, name and commune, as typed: "E – Số hộ: 120; F – Số khẩu: 540"."""
    others = [c for c in frame.columns if c not in {"row", *REQUIRED}]
    texts = [[f"{table.headers.get(c, c)}: {v}" if pd.notna(v) else None for v in frame[c].tolist()]
             for c in others]
    return pd.Series(["; ".join(t for t in row if t) for row in zip(*texts)] if others else "",
                     index=frame.index, dtype="string")


def _match_communes(out: pd.DataFrame, table: Table, admin: pd.DataFrame, log: QualityLog,
                    renames: dict[str, str]) -> tuple[pd.Series, pd.Series]:
    """Official commune names; spelling variants rewritten and old communes mapped to their new one (both
    logged), unknown ones reported."""
    lookup = commune_lookup(admin)
    matched = map_distinct(out["commune"], lambda name: lookup.get(fold(name)))
    mapped = map_distinct(out["commune"], lambda name: renames.get(fold(name))).where(matched.isna())
    for (before, after), group in out[mapped.notna()].groupby([out["commune"], mapped]):
        log.change(Location(table.file, table.sheet, int(group["row"].min()), table.headers["commune"]),
                   "commune_mapped", before, after, len(group))
    matched = matched.fillna(mapped)
    unknown = out["commune"].notna() & matched.isna()
    for idx in out.index[unknown]:
        name = out.at[idx, "commune"]
        close = difflib.get_close_matches(fold(name), list(lookup), n=1, cutoff=0.75)
        hint = f" (gần giống / close to: {lookup[close[0]]})" if close else ""
        log.problem("unknown_commune", Location(table.file, table.sheet, int(out.at[idx, "row"]),
                                                table.headers["commune"]), name, detail=hint)
    renamed = out["commune"].notna() & matched.notna() & (out["commune"] != matched) & mapped.isna()
    for (before, after), group in out[renamed].groupby([out["commune"], matched]):
        log.change(Location(table.file, table.sheet, int(group["row"].min()), table.headers["commune"]),
                   "name_matched", before, after, len(group))
    return matched.astype("string"), unknown


def _read_category(out: pd.DataFrame, table: Table, plan: dict, log: QualityLog) -> pd.Series:
    lookup = category_lookup(plan)
    ids = map_distinct(out["plan_category"], lambda v: lookup.get(fold(v)))
    allowed = ", ".join(c["name_vi"] for c in plan["categories"])
    for idx in out.index[out["plan_category"].notna() & ids.isna()]:
        log.problem("unknown_category", Location(table.file, table.sheet, int(out.at[idx, "row"]),
                                                 table.headers["plan_category"]),
                    out.at[idx, "plan_category"], detail=allowed)
    return ids.astype("string")


def _resolve_duplicates(villages: pd.DataFrame, headers: dict, log: QualityLog) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A code given twice: identical rows are kept once (warning); differing rows all rejected (error).

    ``headers`` gives each table's column labels by (file, sheet), to name the code column in messages.
    """
    content = [c for c in villages.columns if c not in {"file", "sheet", "row", TYPED_COMMUNE, TYPED_FIELDS}]
    dup = villages["village_code"].duplicated(keep=False)
    keep = ~dup
    rejected = []
    for code, group in villages[dup].groupby("village_code", sort=False):
        places = "; ".join(f"{r.file} {r.sheet} #{r.row}".strip() for r in group.itertuples())
        if len(group[content].astype(str).drop_duplicates()) == 1:
            keep[group.index[0]] = True
            for idx in group.index[1:]:
                _log_row(log, "duplicate_village_row", villages.loc[idx], code, places, headers)
                rejected.append(villages.loc[[idx]].assign(reason="duplicate_village_row"))
        else:
            for idx in group.index:
                _log_row(log, "duplicate_village", villages.loc[idx], code, places, headers)
            rejected.append(group.assign(reason="duplicate_village"))
    bad = (pd.concat(rejected) if rejected else pd.DataFrame(columns=[*villages.columns, "reason"]))
    if TYPED_COMMUNE in bad.columns:
        bad = bad.assign(commune=bad[TYPED_COMMUNE])
    return villages[keep], bad.reindex(columns=REJECTED_VILLAGE_COLUMNS)


def _log_row(log: QualityLog, code: str, rec: pd.Series, value: str, detail: str, headers: dict) -> None:
    column = headers.get((rec["file"], rec["sheet"]), {}).get("village_code", "village_code")
    log.problem(code, Location(rec["file"], rec["sheet"], int(rec["row"]), column), value, detail=detail)


def _derive(villages: pd.DataFrame, admin: pd.DataFrame, plan: dict) -> pd.DataFrame:
    """Fill what the office left blank from the administrative list and the plan's rules."""
    units = admin.set_index("commune")
    period = plan["period"]
    in_period = villages["commune_target_year"].between(period["start"], period["end"])
    border = villages["border_commune"].map({1.0: True, 0.0: False})
    border = border.where(border.notna(), villages["commune"].map(units["border"]))
    derived_category = _derived_category(plan, border=border.fillna(False).astype(bool), in_period=in_period,
                                         minority=villages["ethnic_minority_share"] >= ETHNIC_MINORITY_AREA_SHARE)
    derived_group = pd.Series("1", index=villages.index).mask(
        villages["ethnic_minority_share"] < ETHNIC_MINORITY_AREA_SHARE, "2")
    group = villages["threshold_group"].str.replace(r"(?i)^(nhóm|nhom|group)\s*", "", regex=True)
    return villages.assign(
        commune_code=villages["commune"].map(units["commune_code"]).astype("string"),
        commune_type=villages["commune"].map(units["commune_type"]).replace("", pd.NA).astype("string"),
        # no district level since 1/7/2025: an empty district in the commune list stays empty, not ""
        district=villages["district"].fillna(villages["commune"].map(units["district"])).replace("", pd.NA)
        .astype("string"),
        province=villages["province"].fillna(villages["commune"].map(units["province"])).astype("string"),
        border_commune=border.astype("boolean"),
        threshold_group=group.fillna(derived_group).astype("string"),
        threshold_group_source=group.notna().map({True: "assigned", False: "derived"}).astype("string"),
        plan_category=villages["plan_category"].fillna(derived_category).astype("string"),
        plan_category_source=villages["plan_category"].notna().map({True: "assigned", False: "derived"}),
        households=villages["households"].round().astype("Int64"),
        population=villages["population"].round().astype("Int64"),
        livestock_households=villages["livestock_households"].round().astype("Int64"),
        road_km=villages["road_km"].astype("float64"),
        lane_km=villages["lane_km"].astype("float64"),
        commune_target_year=villages["commune_target_year"].round().astype("Int64"),
        ethnic_minority_share=villages["ethnic_minority_share"].astype("float64"),
        village_code=villages["village_code"].astype("string"),
        village_name=villages["village_name"].astype("string"),
        commune=villages["commune"].astype("string"),
        row=villages["row"].astype("int64"),
    )


def _derived_category(plan: dict, **conditions: pd.Series) -> pd.Series:
    """The plan category of each village by the plan's assignment rules: the first category (in the plan's
    ``assignment_order``) whose rule holds; empty where none does (``conditions``: ``border``, ``in_period``,
    ``minority``, boolean per village)."""
    holds = {"border_commune": conditions["border"], "commune_target_in_period": conditions["in_period"],
             "ethnic_minority_area": conditions["minority"].fillna(False)}
    index = conditions["border"].index
    derived = pd.Series(pd.NA, index=index, dtype="string")
    for category, rule in reversed(assignment_rules(plan)):  # the earlier a rule, the later it is applied
        derived = derived.mask(holds.get(rule, pd.Series(True, index=index)).astype(bool), category)
    return derived


def _validate(villages: pd.DataFrame, tables: list[Table], log: QualityLog) -> pd.DataFrame:
    """pandera, lazily: a value out of range is reported and left out (the village row is kept)."""
    cases = failing_cells(villages, VILLAGES)
    headers = {(t.file, t.sheet): t.headers for t in tables}
    header_of = pd.Series([headers.get((f, s), {}).get(c, c) for f, s, c in
                           zip(villages.loc[cases["index"], "file"], villages.loc[cases["index"], "sheet"],
                               cases["column"])], index=cases.index, dtype=object)
    report_out_of_range(villages, cases.assign(header=header_of), log)
    cleaned = villages.copy()
    for idx, column in zip(cases["index"], cases["column"]):
        cleaned.at[idx, column] = pd.NA
    return cleaned
