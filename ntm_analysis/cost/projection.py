"""What closing the gaps costs, who pays, and how that compares with the district plan's own figures.

Money is exact (see :mod:`ntm_analysis.core.money`): every ``*_vnd`` column is int64 whole đồng, except
``plan_vnd`` and ``difference_vnd`` in :func:`plan_vs_projection`, nullable ``Int64`` because the plan
gives no figure for most criteria, and ``implied_unit_cost_vnd`` in :func:`calibrate_unit_costs`
(``Int64``, NA where no target village has the gap). A gap line is rounded to the đồng once, when its
rule is applied, and once more when it is escalated to another year; after that every split (largest
remainder) and every roll-up (integer sum) is exact.

Frames returned
---------------
:func:`village_quantities`: ``village_code, quantity, quantity_value, quantity_default`` (bool: the
cost file's default was used because the villages table lacks the number).

:func:`gap_costs` (``GAP_COLUMNS``), one row per village × failing indicator (per failing criterion
for a criterion rule), at the cost file's prices: ``village_code, year, criterion, indicator_code``
(NA for a criterion rule), ``kind, quantity, quantity_value, quantity_default, shortfall`` (in the
indicator's unit), ``gap_units`` (km, households … lacking; 1 for a lump sum; 0 for a zero rule),
``low_vnd, central_vnd, high_vnd, provenance, note``.

:func:`quantity_defaults`: ``quantity, name_vi, name_en, default, villages_costed, villages_defaulted``.

:func:`project_costs` (``PROJECTION_COLUMNS``), one row per village × criterion × source, money
rules only: ``village_code, village_name, commune, plan_category, year`` (the baseline year assessed),
``criterion, criterion_vi, criterion_en, source`` (categorical, in the cost file's order), ``source_vi,
source_en, share`` (exact ``Fraction``),
``price_year`` (the year whose prices the amounts are in), ``low_vnd, central_vnd, high_vnd``.

:func:`rollup_costs`: the ``by`` columns, ``villages`` (distinct villages), ``low_vnd, central_vnd,
high_vnd``.

:func:`source_table` and :func:`reconcile_plan` (the annex layout, ``row`` order as shown): ``row``
(id), ``criterion`` (Int64, NA on other rows), ``label_vi, label_en, row_kind`` (criterion / subtotal /
unattributed / total), one ``<source>_vnd`` column per source of the cost file, ``total_vnd``;
:func:`reconcile_plan` adds ``basis`` (plan / assumption / derived), ``note_vi`` and ``note_en``.

:func:`reconciliation_lines` gives the same as text lines, amounts in the language's number format.

:func:`plan_vs_projection`: ``row, criterion, label_vi, label_en, row_kind, plan_vnd, low_vnd,
central_vnd, high_vnd, difference_vnd`` (central − plan), ``difference_pct`` (of the plan's figure).

:func:`target_villages`: ``village_code, criteria_missing, distance_to_standard, reached_year``
(Int64), ``basis`` (reached / fewest_missing).

:func:`calibrate_unit_costs` (``CALIBRATION_COLUMNS``), one row per money rule of a criterion the plan
costs: ``criterion, criterion_vi, criterion_en, indicator_code, kind, quantity, target_villages,
failing_villages, gap_units, plan_vnd, bottom_up_vnd`` (central), ``ratio`` (plan / bottom-up),
``unit_cost_vnd`` (the cost file's central), ``implied_unit_cost_vnd, provenance, flagged, note``.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
import pandera.pandas as pa

from ntm_analysis.reference.cost_rules import LEVELS, QUANTITY_COLUMNS, CostRules
from ntm_analysis.reference.plan import PlanEstimate, PlanResources, plan_resources, villages_to_reach
from ntm_analysis.core.i18n import message
from ntm_analysis.core.money import add_up, allocate, check_money, format_money, split_by_shares
from ntm_analysis.score.scoring import Scores

AMOUNTS = [f"{level}_vnd" for level in LEVELS]
GAP_COLUMNS = ["village_code", "year", "criterion", "indicator_code", "kind", "quantity", "quantity_value",
               "quantity_default", "shortfall", "gap_units", *AMOUNTS, "provenance", "note"]
CALIBRATION_COLUMNS = ["criterion", "criterion_vi", "criterion_en", "indicator_code", "kind", "quantity",
                       "target_villages", "failing_villages", "gap_units", "plan_vnd", "bottom_up_vnd", "ratio",
                       "unit_cost_vnd", "implied_unit_cost_vnd", "provenance", "flagged", "note"]
PROJECTION_COLUMNS = ["village_code", "village_name", "commune", "plan_category", "year", "criterion",
                      "criterion_vi", "criterion_en", "source", "source_vi", "source_en", "share", "price_year",
                      *AMOUNTS]
# The villages a projection reads: one row per code; quantities, where given, not negative.
VILLAGE_INPUT = pa.DataFrameSchema(
    {"village_code": pa.Column(nullable=False, unique=True),
     **{q: pa.Column(checks=pa.Check.ge(0), nullable=True, required=False) for q in QUANTITY_COLUMNS}},
    strict=False, name="villages for costing")


def _both(key: str) -> tuple[str, str]:
    """The message ``key`` in Vietnamese and in English, for a ``*_vi`` / ``*_en`` column pair."""
    return message(key, "vi"), message(key, "en")


def _row_labels(row: str) -> dict[str, str]:
    """``label_vi`` and ``label_en`` of a summary row (``projection.row.<row>``: total, unattributed …)."""
    vi, en = _both(f"projection.row.{row}")
    return {"label_vi": vi, "label_en": en}


# --- village quantities -----------------------------------------------------------------------------


def village_quantities(villages: pd.DataFrame, rules: CostRules) -> pd.DataFrame:
    """Each village's value of every quantity the cost file declares, its default where missing.

    ``villages``: ``village_code`` and any of the quantity columns (a missing column counts as empty),
    checked with :data:`VILLAGE_INPUT` (every fault reported at once).
    """
    VILLAGE_INPUT.validate(villages, lazy=True)
    frames = []
    for q in rules.quantities:
        raw = villages[q.id] if q.id in villages else pd.Series(np.nan, index=villages.index)
        value = pd.to_numeric(raw, errors="coerce").astype("float64")
        frames.append(pd.DataFrame({"village_code": villages["village_code"].astype("string"), "quantity": q.id,
                                    "quantity_value": value.fillna(q.default), "quantity_default": value.isna()}))
    return pd.concat(frames, ignore_index=True).astype({"quantity": "string"})


def quantity_defaults(gaps: pd.DataFrame, rules: CostRules) -> pd.DataFrame:
    """How many villages each quantity's default was used for, among the villages costed with it.

    ``gaps``: :func:`gap_costs`.
    """
    used = gaps[gaps["kind"] == "per_quantity"]
    costed = used.groupby("quantity")["village_code"].nunique()
    defaulted = used[used["quantity_default"]].groupby("quantity")["village_code"].nunique()
    rows = [(q.id, q.name_vi, q.name_en, q.default, int(costed.get(q.id, 0)), int(defaulted.get(q.id, 0)))
            for q in rules.quantities]
    return pd.DataFrame(rows, columns=["quantity", "name_vi", "name_en", "default", "villages_costed",
                                       "villages_defaulted"])


# --- gap costs and projection ---------------------------------------------------------------------


def gap_costs(scores: Scores, villages: pd.DataFrame, rules: CostRules, year: int) -> pd.DataFrame:
    """Cost of closing every failing indicator of ``year``, at the cost file's prices (``GAP_COLUMNS``).

    A lump sum is charged once per failing village; a per-quantity rule charges shortfall / 100 ×
    the village quantity × the unit cost, rounded to the đồng; a zero rule gives a line of 0 with its
    note. Indicators without data are not costed. ``villages`` gives the quantities
    (:func:`village_quantities`).

    Raises
    ------
    ValueError
        A failing indicator of ``scores`` has no rule (scores under another criteria set).
    """
    table = rules.rule_table()
    failing = scores.indicators[(scores.indicators["year"] == year) & (scores.indicators["status"] == "fail")]
    _check_rules_cover(failing, table, rules)
    own = table[table["indicator_code"].notna()]
    by_indicator = failing[["village_code", "year", "criterion", "indicator_code", "shortfall"]].astype(
        {"indicator_code": "string"}).merge(own, on=["criterion", "indicator_code"], how="inner")
    criteria = scores.criteria
    failing_criteria = criteria[(criteria["year"] == year) & (criteria["status"] == "fail")]
    by_criterion = failing_criteria[["village_code", "year", "criterion"]].merge(
        table[table["indicator_code"].isna()], on="criterion", how="inner").assign(shortfall=np.nan)
    lines = pd.concat([by_indicator, by_criterion], ignore_index=True).astype(
        {"village_code": "string", **dict.fromkeys(AMOUNTS, "int64")})
    # villages missing from ``villages`` get every quantity's default
    costed = pd.DataFrame({"village_code": lines["village_code"].unique()}).merge(
        villages.astype({"village_code": "string"}), on="village_code", how="left")
    lines = lines.merge(village_quantities(costed, rules), on=["village_code", "quantity"], how="left")
    return _price_lines(lines).sort_values(["village_code", "criterion", "indicator_code"], kind="stable",
                                           na_position="first").reset_index(drop=True)[GAP_COLUMNS]


def _check_rules_cover(failing: pd.DataFrame, table: pd.DataFrame, rules: CostRules) -> None:
    covered = set(table["indicator_code"].dropna()) | set(
        failing.loc[failing["criterion"].isin(table.loc[table["indicator_code"].isna(), "criterion"]),
                    "indicator_code"])
    missing = sorted(set(failing["indicator_code"]) - covered)
    if missing:
        raise ValueError(f"cost file {rules.path} (criteria set {rules.criteria_set}) has no rule for failing "
                         f"indicator(s) {', '.join(missing)}")


def _price_lines(lines: pd.DataFrame) -> pd.DataFrame:
    """Gap units and the three amounts of each line, rounded to the đồng (half to even)."""
    per_quantity = lines["kind"].eq("per_quantity").to_numpy()
    units = np.select([per_quantity, lines["kind"].eq("lump_sum").to_numpy()],
                      [lines["shortfall"].to_numpy(float) / 100 * lines["quantity_value"].to_numpy(float), 1.0],
                      default=0.0)
    amounts = {col: np.rint(units * lines[col].to_numpy(np.int64)).astype(np.int64) for col in AMOUNTS}
    return lines.assign(gap_units=units, quantity_default=lines["quantity_default"].fillna(False).astype(bool),
                        **amounts)


def escalation_factor(price_year: int, year: int, rate: float) -> float:
    """(1 + rate) ** (year − price_year): prices of ``price_year`` expressed in ``year``."""
    return float((1 + rate) ** (year - price_year))


def escalate(frame: pd.DataFrame, factor: float) -> pd.DataFrame:
    """``frame`` with every amount column multiplied by ``factor``, each rounded to the đồng."""
    check_money(frame, AMOUNTS)
    return frame.assign(**{col: np.rint(frame[col].to_numpy(np.int64) * factor).astype(np.int64)
                           for col in AMOUNTS})


def project_costs(scores: Scores, villages: pd.DataFrame, rules: CostRules, baseline_year: int,
                  year: int | None = None, escalation: float | None = None) -> pd.DataFrame:
    """Cost of closing every gap of ``baseline_year`` per village × criterion × source (``PROJECTION_COLUMNS``).

    Each village's criterion cost (the sum of its gap lines) is escalated from the cost file's price
    year to ``year`` (default: the price year) at ``escalation`` a year (default: the file's rate),
    then split among the criterion's funding sources to the đồng. Zero-cost lines are left out (see
    :func:`gap_costs` for them).
    """
    year = rules.price_year if year is None else int(year)
    rate = rules.escalation if escalation is None else float(escalation)
    gaps = gap_costs(scores, villages, rules, baseline_year)
    money = gaps[gaps["kind"] != "zero"]
    per_criterion = add_up(money, ["village_code", "year", "criterion"], AMOUNTS)
    escalated = escalate(per_criterion, escalation_factor(rules.price_year, year, rate))
    shares = rules.funding_table()[["criterion", "source", "source_vi", "source_en", "share"]]
    split = split_by_shares(escalated, shares, "criterion", AMOUNTS)
    names = scores.criteria[["criterion", "criterion_vi", "criterion_en"]].drop_duplicates("criterion")
    info = villages[["village_code", "village_name", "commune", "plan_category"]].astype(
        {"village_code": "string"})
    return (split.astype({"village_code": "string"})
            .merge(info, on="village_code", how="left")
            .merge(names, on="criterion", how="left")
            # sources as a categorical in the cost file's order, so every roll-up lists them in that order
            .assign(price_year=year,
                    source=lambda d: pd.Categorical(d["source"], [s.id for s in rules.sources]))
            .sort_values(["village_code", "criterion", "source"], kind="stable")
            .reset_index(drop=True)[PROJECTION_COLUMNS])


def rollup_costs(projection: pd.DataFrame, by: Iterable[str]) -> pd.DataFrame:
    """Exact sums of the low / central / high amounts per group of ``by`` (e.g. commune, plan_category,
    source), with the number of distinct villages; the whole projection when ``by`` is empty."""
    by = list(by)
    sums = add_up(projection, by, AMOUNTS)
    if not by:
        return sums.assign(villages=projection["village_code"].nunique())[["villages", *AMOUNTS]]
    villages = (projection.groupby(by, sort=True, dropna=False, observed=True)["village_code"].nunique()
                .rename("villages").reset_index())
    return sums.merge(villages, on=by, how="left")[[*by, "villages", *AMOUNTS]]


def source_table(projection: pd.DataFrame, rules: CostRules, amount: str = "central_vnd") -> pd.DataFrame:
    """Criteria × funding sources of one amount (central by default), with a total row: an annex's body.

    Columns: see the module docstring (annex layout).
    """
    sums = add_up(projection, ["criterion", "criterion_vi", "criterion_en", "source"], [amount])
    wide = (sums.pivot(index=["criterion", "criterion_vi", "criterion_en"], columns="source", values=amount)
            .reindex(columns=[s.id for s in rules.sources]).fillna(0).astype("int64"))
    wide.columns = [f"{c}_vnd" for c in wide.columns]
    rows = wide.reset_index().rename(columns={"criterion_vi": "label_vi", "criterion_en": "label_en"})
    rows = rows.assign(row=rows["criterion"].astype(str), row_kind="criterion")
    return _with_total(rows, rules, "total")


def _source_columns(rules: CostRules) -> list[str]:
    return [f"{s.id}_vnd" for s in rules.sources]


def _with_total(rows: pd.DataFrame, rules: CostRules, total_id: str) -> pd.DataFrame:
    """``rows`` with ``total_vnd`` and a last row summing them, in the annex layout's column order."""
    sources = _source_columns(rules)
    total = {"row": total_id, "criterion": pd.NA, **_row_labels(total_id), "row_kind": "total",
             **{c: np.int64(rows[c].sum()) for c in sources}}
    table = pd.concat([rows, pd.DataFrame([total])], ignore_index=True)
    return _annex_columns(table, sources)


def _annex_columns(table: pd.DataFrame, sources: list[str], extra: Iterable[str] = ()) -> pd.DataFrame:
    table = table.astype({"criterion": "Int64", **dict.fromkeys(sources, "int64")})
    table["total_vnd"] = table[sources].sum(axis=1).astype("int64")
    return table[["row", "criterion", "label_vi", "label_en", "row_kind", *sources, "total_vnd", *extra]]


# --- the plan's own table and its reconciliation ----------------------------------------------------


def reconcile_plan(rules: CostRules, plan: dict) -> pd.DataFrame:
    """The plan's resources table rebuilt exactly, with what no criterion accounts for shown on its own row.

    Rows: each criterion the plan costs (sources as stated; a source named without an amount gets the
    criterion's remainder split by the cost file's funding shares — an assumption, said in ``basis``
    and ``note``), their sum, the amount not attributed to any criterion (the plan's source totals
    minus that sum), and the plan's total. Columns: annex layout + ``basis, note_vi, note_en``.
    """
    resources = plan_resources(plan)
    sources = _source_columns(rules)
    _check_plan_sources(resources, rules)
    names = {c.number: (c.name_vi, c.name_en) for c in rules.criteria.criteria}
    items = pd.DataFrame([_estimate_row(e, names[e.criterion], rules) for e in resources.estimates])
    items = items.assign(**{c: items[c].fillna(0) if c in items else 0 for c in sources}).astype(
        dict.fromkeys(sources, "int64"))
    criteria_sum = {c: int(items[c].sum()) for c in sources}
    plan_total = {f"{k}_vnd": v for k, v in resources.by_source_vnd.items()}
    extra = [
        _summary_row("criteria_sum", "subtotal", criteria_sum, "derived", ("", "")),
        _summary_row("unattributed", "unattributed", {c: plan_total.get(c, 0) - criteria_sum[c] for c in sources},
                     "derived", _both("projection.note.unattributed")),
        _summary_row("plan_total", "total", {c: plan_total.get(c, 0) for c in sources}, "plan",
                     _both("projection.note.plan_total")),
    ]
    return _annex_columns(pd.concat([items, pd.DataFrame(extra)], ignore_index=True), sources,
                          ["basis", "note_vi", "note_en"])


def _check_plan_sources(resources: PlanResources, rules: CostRules) -> None:
    known = {s.id for s in rules.sources}
    named = set(resources.by_source_vnd) | {s for e in resources.estimates for s in e.sources_vnd}
    if named - known:
        raise ValueError(f"the plan names source(s) {', '.join(sorted(named - known))} that cost file "
                         f"{rules.path} does not declare ({', '.join(sorted(known))})")


def _estimate_row(estimate: PlanEstimate, names: tuple[str, str], rules: CostRules) -> dict:
    """One criterion's row: stated amounts, and the remainder split among the sources named without one."""
    amounts = {f"{s}_vnd": v for s, v in estimate.sources_vnd.items() if v is not None}
    open_sources = [s for s, v in estimate.sources_vnd.items() if v is None]
    notes = {lang: estimate.quote for lang in ("vi", "en")}
    if open_sources:
        shares = _open_shares(estimate.criterion, open_sources, rules)
        rest = estimate.amount_vnd - sum(amounts.values())
        amounts |= {f"{s}_vnd": part for s, part in zip(open_sources, allocate(rest, list(shares.values())))}
        for lang in notes:
            names_ = rules.source_names(lang)
            split = ", ".join(f"{names_[s]} {share}" for s, share in shares.items())
            notes[lang] = message("projection.note.open_split", lang, split=split, quote=estimate.quote)
    return {"row": str(estimate.criterion), "criterion": estimate.criterion, "label_vi": names[0],
            "label_en": names[1], "row_kind": "criterion", "basis": "assumption" if open_sources else "plan",
            "note_vi": notes["vi"], "note_en": notes["en"], **amounts}


def _open_shares(criterion: int, open_sources: list[str], rules: CostRules) -> dict:
    """The cost file's shares of ``open_sources`` for ``criterion``, rescaled to add up to 1."""
    funding = next((f for f in rules.funding if f.criterion == criterion), None)
    shares = {s: (funding.shares.get(s, 0) if funding else 0) for s in open_sources}
    if sum(shares.values()) == 0:
        raise ValueError(f"the plan names source(s) {', '.join(open_sources)} for criterion {criterion} without "
                         f"amounts, and cost file {rules.path} gives them no share to split by")
    return {s: share / sum(shares.values()) for s, share in shares.items()}


def _summary_row(row: str, kind: str, amounts: dict[str, int], basis: str, note: tuple[str, str]) -> dict:
    return {"row": row, "criterion": pd.NA, **_row_labels(row), "row_kind": kind, "basis": basis,
            "note_vi": note[0], "note_en": note[1], **amounts}


def reconciliation_lines(reconciliation: pd.DataFrame, rules: CostRules, lang: str = "vi") -> list[str]:
    """The reconciliation in words: the sum of the criteria, the unattributed amount and the plan's total,
    each by source, then every assumption it rests on. ``reconciliation``: :func:`reconcile_plan`."""
    names = rules.source_names(lang)
    lines = []
    for rec in reconciliation[reconciliation["row_kind"] != "criterion"].to_dict("records"):
        parts = "; ".join(f"{names[s]} {format_money(rec[f'{s}_vnd'], lang, with_unit=False)}" for s in names)
        lines.append(f"{rec[f'label_{lang}']}: {format_money(rec['total_vnd'], lang)} ({parts})")
    assumed = reconciliation[reconciliation["basis"] == "assumption"]
    lines += [f"{label}: {note}" for label, note in zip(assumed[f"label_{lang}"], assumed[f"note_{lang}"])]
    return lines


def plan_vs_projection(projection: pd.DataFrame, rules: CostRules, plan: dict) -> pd.DataFrame:
    """The plan's estimate against the bottom-up projection, by criterion, in money and percent.

    One row per criterion either side costs, then the plan's unattributed amount (projected 0) and the
    totals. ``difference_vnd`` = central − plan; ``difference_pct`` = 100 × difference / plan (NA where
    the plan gives no figure).
    """
    resources = plan_resources(plan)
    planned = {e.criterion: e.amount_vnd for e in resources.estimates}
    projected = add_up(projection, ["criterion"], AMOUNTS).set_index("criterion")
    names = {c.number: (c.name_vi, c.name_en) for c in rules.criteria.criteria}
    numbers = sorted(set(planned) | set(projected.index))
    rows = [{"row": str(n), "criterion": n, "label_vi": names[n][0], "label_en": names[n][1],
             "row_kind": "criterion", "plan_vnd": planned.get(n, pd.NA),
             **{c: int(projected.at[n, c]) if n in projected.index else 0 for c in AMOUNTS}} for n in numbers]
    unattributed = resources.total_vnd - sum(planned.values())
    rows.append({"row": "unattributed", "criterion": pd.NA, **_row_labels("unattributed"),
                 "row_kind": "unattributed", "plan_vnd": unattributed,
                 **dict.fromkeys(AMOUNTS, 0)})
    rows.append({"row": "total", "criterion": pd.NA, **_row_labels("total"),
                 "row_kind": "total", "plan_vnd": resources.total_vnd,
                 **{c: int(projected[c].sum()) for c in AMOUNTS}})
    table = pd.DataFrame(rows).astype({"criterion": "Int64", "plan_vnd": "Int64",
                                       **dict.fromkeys(AMOUNTS, "int64")})
    difference = table["central_vnd"].astype("Int64") - table["plan_vnd"]
    percent = (100 * difference.astype("Float64") / table["plan_vnd"].astype("Float64")).round(1)
    return table.assign(difference_vnd=difference, difference_pct=percent)


# --- calibration ----------------------------------------------------------------------------------


def target_villages(status: pd.DataFrame, plan: dict, baseline_year: int) -> pd.DataFrame:
    """The villages the plan targets, as the data show them.

    When the data reach the plan's end year: the villages not meeting the standard in the baseline
    year that meet it in some year up to the end year (``basis`` "reached"). Otherwise: as many villages
    as the plan targets (``targets.villages_total``; for a ``villages_share`` target, the villages still
    to reach that share; without either, every village not meeting the standard) with the fewest criteria
    missing at baseline, then the smallest distance to the standard, then the code (``basis``
    "fewest_missing"). ``status``: ``Scores.villages``.
    """
    end = plan["period"]["end"]
    base = status[(status["year"] == baseline_year) & ~status["meets_standard"]]
    missing = base["criteria_failed"] + base["criteria_incomplete"] * base["policy"].eq("missing_fails")
    base = base.assign(criteria_missing=missing.astype("int64"))
    later = status[status["year"].between(baseline_year + 1, end) & status["meets_standard"]]
    reached = later.groupby("village_code")["year"].min().rename("reached_year")
    columns = ["village_code", "criteria_missing", "distance_to_standard", "reached_year", "basis"]
    if (status["year"] == end).any():
        chosen = base.merge(reached, left_on="village_code", right_index=True, how="inner")
        return chosen.assign(basis="reached").astype({"reached_year": "Int64"}).sort_values(
            "village_code").reset_index(drop=True)[columns]
    chosen = base.sort_values(["criteria_missing", "distance_to_standard", "village_code"], kind="stable")
    return (chosen.head(_targeted(plan, status[status["year"] == baseline_year], len(chosen)))
            .assign(reached_year=pd.NA, basis="fewest_missing")
            .astype({"reached_year": "Int64"}).reset_index(drop=True)[columns])


def _targeted(plan: dict, baseline: pd.DataFrame, pending: int) -> int:
    """How many villages not meeting the standard at baseline the plan's targets ask for (all without one)."""
    need = villages_to_reach(plan.get("targets") or {}, None, len(baseline), int(baseline["meets_standard"].sum()))
    return pending if need is None else need


def calibrate_unit_costs(scores: Scores, villages: pd.DataFrame, rules: CostRules, plan: dict, baseline_year: int,
                         targets: Iterable[str] | None = None, factor: float | None = None) -> pd.DataFrame:
    """Unit costs implied by the plan's estimates and the target villages' baseline gaps, vs the cost file's.

    For each criterion the plan costs, ``ratio`` = the plan's figure / the bottom-up central cost of
    the target villages' baseline gaps (both at the cost file's prices); each money rule's implied
    unit cost is its central unit cost × ``ratio`` (for a criterion with one rule: the plan's figure /
    the gap units). ``flagged`` when the ratio is above ``factor`` or below 1 / ``factor`` (default:
    the file's ``calibration_factor``), or when no target village has the gap.
    ``targets`` default: :func:`target_villages`.
    """
    factor = rules.calibration_factor if factor is None else factor
    codes = set(target_villages(scores.villages, plan, baseline_year)["village_code"] if targets is None
                else targets)
    gaps = gap_costs(scores, villages, rules, baseline_year)
    gaps = gaps[gaps["village_code"].isin(codes) & (gaps["kind"] != "zero")]
    planned = {e.criterion: e.amount_vnd for e in plan_resources(plan).estimates}
    table = rules.rule_table()
    rows = table[table["criterion"].isin(planned) & (table["kind"] != "zero")].merge(
        _gaps_per_rule(gaps), on=["criterion", "indicator_code"], how="left").fillna(
        {"failing_villages": 0, "gap_units": 0.0})
    plan_vnd = rows["criterion"].map(planned).astype("int64")
    bottom_up = rows["criterion"].map(gaps.groupby("criterion")["central_vnd"].sum()).fillna(0).astype("int64")
    ratio = (plan_vnd / bottom_up.where(bottom_up > 0)).astype("float64")
    names = {c.number: (c.name_vi, c.name_en) for c in rules.criteria.criteria}
    return rows.assign(
        criterion_vi=rows["criterion"].map(lambda n: names[n][0]),
        criterion_en=rows["criterion"].map(lambda n: names[n][1]),
        target_villages=len(codes), failing_villages=rows["failing_villages"].astype("int64"),
        plan_vnd=plan_vnd, bottom_up_vnd=bottom_up, ratio=ratio, unit_cost_vnd=rows["central_vnd"],
        implied_unit_cost_vnd=np.rint(rows["central_vnd"] * ratio).astype("Int64"),
        flagged=ratio.isna() | (ratio > factor) | (ratio < 1 / factor),
        note=ratio.map(lambda r: _calibration_note(r, factor)),
    )[CALIBRATION_COLUMNS].reset_index(drop=True)


def _gaps_per_rule(gaps: pd.DataFrame) -> pd.DataFrame:
    """Failing villages and gap units per rule (``indicator_code`` NA for a criterion rule)."""
    return (gaps.groupby(["criterion", "indicator_code"], dropna=False)
            .agg(failing_villages=("village_code", "nunique"), gap_units=("gap_units", "sum")).reset_index())


def _calibration_note(ratio: float, factor: float) -> str:
    if np.isnan(ratio):
        return "no target village has this gap at baseline"
    if ratio > factor:
        return f"the plan implies more than {factor:g}× this unit cost"
    if ratio < 1 / factor:
        return f"the plan implies less than 1/{factor:g} of this unit cost"
    return ""


def cost_tables(scores: Scores, villages: pd.DataFrame, rules: CostRules, plan: dict,
                baseline_year: int) -> dict[str, pd.DataFrame]:
    """The cost stage's tables for the gaps of ``baseline_year``, at the cost file's prices:
    ``cost_projection`` (:func:`project_costs`), ``cost_by_source`` (the annex layout),
    ``cost_reconciliation`` (the plan's own table, with what it does not attribute),
    ``cost_plan_vs_projection`` (the plan's target villages) and ``cost_calibration``."""
    projection = project_costs(scores, villages, rules, baseline_year)
    targets = target_villages(scores.villages, plan, baseline_year)
    return {
        "cost_projection": projection,
        "cost_by_source": source_table(projection, rules),
        "cost_reconciliation": reconcile_plan(rules, plan),
        "cost_plan_vs_projection": plan_vs_projection(
            projection[projection["village_code"].isin(targets["village_code"])], rules, plan),
        "cost_calibration": calibrate_unit_costs(scores, villages, rules, plan, baseline_year, targets["village_code"]),
    }
