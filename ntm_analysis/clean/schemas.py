"""pandera schemas for the clean tables, and turning their failures into quality problems.

Validation is lazy: every failing cell is found in one pass, reported with its source location
(``file``, ``sheet``, ``row`` columns carried by every clean table) and then left out.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from ntm_analysis.raw.quality_log import Location, QualityLog

YEAR_RANGE = (1990, 2100)

VILLAGES = pa.DataFrameSchema(
    {
        "village_code": pa.Column("string", pa.Check.str_length(min_value=1), unique=True),
        "village_name": pa.Column("string", pa.Check.str_length(min_value=1)),
        "commune": pa.Column("string", pa.Check.str_length(min_value=1)),
        "households": pa.Column("Int64", pa.Check.ge(0), nullable=True),
        "population": pa.Column("Int64", pa.Check.ge(0), nullable=True),
        "ethnic_minority_share": pa.Column("float64", pa.Check.in_range(0, 100), nullable=True),
        "commune_target_year": pa.Column("Int64", pa.Check.in_range(*YEAR_RANGE), nullable=True),
        "road_km": pa.Column("float64", pa.Check.ge(0), nullable=True),
        "lane_km": pa.Column("float64", pa.Check.ge(0), nullable=True),
        "livestock_households": pa.Column("Int64", pa.Check.ge(0), nullable=True),
        "border_commune": pa.Column("boolean", nullable=True),
        "plan_category": pa.Column("string", nullable=True),  # a plan's category id (the plan defines them)
    },
    strict=False,
    name="villages",
)

VALUE_RANGES = pa.DataFrameSchema(
    {"value": pa.Column("float64", nullable=True), "low": pa.Column("float64"), "high": pa.Column("float64")},
    checks=[pa.Check(lambda d: d["value"].isna() | d["value"].between(d["low"], d["high"]),
                     name="value_in_unit_range")],
    strict=False,
    name="indicator values in their unit's range",
)

VALUES = pa.DataFrameSchema(
    {
        "village_code": pa.Column("string", pa.Check.str_length(min_value=1)),
        "year": pa.Column("int64", pa.Check.in_range(*YEAR_RANGE)),
        "indicator_code": pa.Column("string"),
        "value": pa.Column("float64", nullable=True),
        "file": pa.Column(nullable=False),
        "row": pa.Column("int64", pa.Check.ge(1)),
    },
    unique=["village_code", "year", "indicator_code"],
    strict=False,
    name="clean indicator values",
)

_RANGE_TEXT = {
    "households": "≥ 0", "population": "≥ 0", "ethnic_minority_share": "0–100 %", "road_km": "≥ 0",
    "lane_km": "≥ 0", "livestock_households": "≥ 0",
    "commune_target_year": f"{YEAR_RANGE[0]}–{YEAR_RANGE[1]}", "year": f"{YEAR_RANGE[0]}–{YEAR_RANGE[1]}",
}


def failing_cells(frame: pd.DataFrame, schema: pa.DataFrameSchema) -> pd.DataFrame:
    """Validate lazily; one row per failing cell: ``index`` (frame index), ``column``, ``check``."""
    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as errors:
        cases = errors.failure_cases
        cases = cases[cases["index"].notna() & cases["column"].isin(frame.columns)]
        dataframe_check = cases["schema_context"].eq("DataFrameSchema")
        cases = cases[~dataframe_check | cases["column"].eq("value")]  # a frame-wide check names every column
        return cases[["index", "column", "check"]].drop_duplicates().reset_index(drop=True)
    return pd.DataFrame(columns=["index", "column", "check"])


def report_out_of_range(frame: pd.DataFrame, cases: pd.DataFrame, log: QualityLog) -> None:
    """Log ``out_of_range`` for each failing cell at its source location.

    ``cases`` comes from :func:`failing_cells`, optionally with ``header`` (the header text to name)
    and ``allowed`` (the allowed range as text) columns; otherwise the column name and its range.
    """
    for case in cases.to_dict("records"):
        rec = frame.loc[case["index"]]
        column = case["column"]
        where = Location(rec["file"], rec["sheet"], int(rec["row"]), case.get("header", column))
        log.problem("out_of_range", where, rec[column], detail=case.get("allowed", _RANGE_TEXT.get(column, "")))
