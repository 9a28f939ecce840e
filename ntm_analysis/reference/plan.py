"""The user's plan as a validated data file: period, baseline, targets, categories and resources.

A plan file (YAML) has ``id``, ``name_vi``, ``name_en``, ``period: {start, end}`` and ``categories`` (each
``id``, ``name_vi``, ``name_en``, optional ``aliases`` and ``assign``: how a village the offices left
unassigned gets the category — ``border_commune``, ``commune_target_in_period`` (its commune aims at
commune NTM within the period), ``ethnic_minority_area`` (≥ 15 % ethnic-minority households) or
``default``; the first category in ``assignment_order`` (default: the plan's order) whose rule holds wins).
Optionally ``unit_level`` (district, commune or province), ``area``, ``instrument``, ``baseline_year``,
``baseline_criteria_set``, ``targets`` (all optional: ``villages_total``, ``villages_per_year``,
``villages_share`` — percent of the unit's villages meeting the standard by the end —, ``by_category:
{category: n}``, ``border_commune_share`` in percent, ``communes_aiming_ntm``), ``baseline_failing_criteria``
and ``resources`` (``unit``, ``total``, ``by_source: {source: amount}``, an optional annual table
``by_year: {year: {source: amount}}``, optional ``by_criterion: [{criterion, amount, sources, quote}]``,
optional ``provenance``). The loader names the file and every fault; :func:`plan_resources` reads the
resources in whole đồng.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

import pandas as pd

from ntm_analysis.config import REFERENCE_DIR
from ntm_analysis.core.errors import DataFileError
from ntm_analysis.core.money import format_money, to_vnd
from ntm_analysis.core.vietnamese import fold
from ntm_analysis.core.yaml_files import read_yaml_file, resolve_data_file

UNIT_LEVELS = ("province", "district", "commune")
TARGET_KEYS = ("villages_total", "villages_per_year", "villages_share", "by_category", "border_commune_share",
               "communes_aiming_ntm")
ASSIGN_RULES = ("border_commune", "commune_target_in_period", "ethnic_minority_area", "default")
_TOP_REQUIRED = ("id", "name_vi", "name_en", "period", "categories")
_TOP_OPTIONAL = ("unit_level", "area", "instrument", "baseline_year", "baseline_criteria_set", "targets",
                 "baseline_failing_criteria", "resources", "assignment_order")


class PlanFileError(DataFileError):
    """A plan file that cannot be used; lists every fault."""

    what = "plan file / tệp kế hoạch"


@dataclass(frozen=True)
class PlanEstimate:
    """One criterion's cost estimate in the plan; a source named without an amount maps to None."""

    criterion: int
    amount_vnd: int
    sources_vnd: Mapping[str, int | None]
    quote: str


@dataclass(frozen=True)
class PlanResources:
    """The plan's resources table and the criteria estimates, in đồng."""

    total_vnd: int
    by_source_vnd: Mapping[str, int]
    estimates: tuple[PlanEstimate, ...]
    by_year_vnd: Mapping[int, Mapping[str, int]] = field(default_factory=dict)  # the plan's annual table, if any
    provenance: str = "plan"


def available_plans() -> list[str]:
    """Ids of the plans shipped with the package (``plan-<id>.yaml``)."""
    return sorted(p.stem.removeprefix("plan-") for p in REFERENCE_DIR.glob("plan-*.yaml"))


@cache
def load_plan(name_or_path: str | Path) -> dict:
    """A shipped plan by id, or a user's plan file by path, validated (the mapping as written).

    Raises
    ------
    DataFileNotFound
        Neither a shipped id nor an existing file.
    PlanFileError
        Missing or unknown keys, a period that runs backwards, a target or category that does not fit
        (every fault at once).
    """
    path = resolve_data_file(name_or_path, lambda name: REFERENCE_DIR / f"plan-{name}.yaml", available_plans(),
                             "kế hoạch / plan")
    data = read_yaml_file(path, PlanFileError)
    faults = _faults(data)
    if faults:
        raise PlanFileError(path, faults)
    if data.get("resources") is not None:
        try:
            plan_resources(data)
        except ValueError as exc:
            raise PlanFileError(path, [str(exc)]) from exc
    return data


def _faults(data: Any) -> list[str]:
    if not isinstance(data, dict):
        return ["the file must be a mapping of keys (key: value)"]
    faults = [f"missing key {key!r}" for key in _TOP_REQUIRED if key not in data]
    faults += [f"unknown key {key!r} (known: {', '.join(_TOP_REQUIRED + _TOP_OPTIONAL)})"
               for key in data if key not in _TOP_REQUIRED + _TOP_OPTIONAL]
    period = data.get("period")
    if "period" in data and not (isinstance(period, dict) and all(_is_year(period.get(k)) for k in ("start", "end"))
                                 and period["start"] <= period["end"]):
        faults.append(f"period: expected {{start: YEAR, end: YEAR}} with start ≤ end, found {period!r}")
    if data.get("baseline_year") is not None and not _is_year(data["baseline_year"]):
        faults.append(f"baseline_year: expected a year, found {data['baseline_year']!r}")
    if data.get("unit_level") is not None and data["unit_level"] not in UNIT_LEVELS:
        faults.append(f"unit_level: {data['unit_level']!r} is not one of {', '.join(UNIT_LEVELS)}")
    faults += _category_faults(data.get("categories"))
    order = data.get("assignment_order")
    ids = [c.get("id") for c in data.get("categories") or [] if isinstance(c, dict)]
    if order is not None and (not isinstance(order, list) or sorted(map(str, order)) != sorted(map(str, ids))):
        faults.append(f"assignment_order: expected every category id once ({', '.join(map(str, ids))}), found {order!r}")
    faults += _target_faults(data.get("targets"), data.get("categories"))
    return faults


def _is_year(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1990 <= value <= 2100


def _category_faults(categories: Any) -> list[str]:
    if categories is None:
        return []
    if not isinstance(categories, list) or not categories:
        return ["categories: expected a list of {id, name_vi, name_en, aliases}"]
    faults, seen = [], set()
    for position, item in enumerate(categories, start=1):
        if not isinstance(item, dict) or not all(isinstance(item.get(k), str) and item[k]
                                                 for k in ("id", "name_vi", "name_en")):
            faults.append(f"categories, item {position}: needs id, name_vi and name_en")
            continue
        if item["id"] in seen:
            faults.append(f"categories: id {item['id']!r} is given twice")
        seen.add(item["id"])
        if not isinstance(item.get("aliases", []), list):
            faults.append(f"categories, {item['id']}: aliases must be a list of names")
        if item.get("assign") is not None and item["assign"] not in ASSIGN_RULES:
            faults.append(f"categories, {item['id']}: assign {item['assign']!r} is not one of {', '.join(ASSIGN_RULES)}")
    defaults = [c["id"] for c in categories if isinstance(c, dict) and c.get("assign") == "default"]
    if len(defaults) > 1:
        faults.append(f"categories: only one may be assigned by default, found {', '.join(defaults)}")
    return faults


def _target_faults(targets: Any, categories: Any) -> list[str]:
    if targets is None:
        return []
    if not isinstance(targets, dict):
        return ["targets: expected a mapping (villages_total, villages_per_year, by_category, …)"]
    faults = [f"targets: unknown key {key!r} (known: {', '.join(TARGET_KEYS)})" for key in targets
              if key not in TARGET_KEYS]
    for key in ("villages_total", "villages_per_year", "communes_aiming_ntm"):
        value = targets.get(key)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
            faults.append(f"targets.{key}: expected a whole number ≥ 0, found {value!r}")
    for key in ("border_commune_share", "villages_share"):
        share = targets.get(key)
        if share is not None and (isinstance(share, bool) or not isinstance(share, (int, float))
                                  or not 0 <= share <= 100):
            faults.append(f"targets.{key}: expected a percent from 0 to 100, found {share!r}")
    by_category = targets.get("by_category")
    known = {c.get("id") for c in categories or [] if isinstance(c, dict)}
    if by_category is not None:
        if not isinstance(by_category, dict):
            faults.append("targets.by_category: expected {category id: number of villages}")
        else:
            faults += [f"targets.by_category: {key!r} is not a category of the plan ({', '.join(sorted(known))})"
                       for key in by_category if key not in known]
            faults += [f"targets.by_category.{key}: expected a whole number ≥ 0, found {n!r}"
                       for key, n in by_category.items() if not isinstance(n, int) or isinstance(n, bool) or n < 0]
    return faults


def plan_resources(plan: dict) -> PlanResources:
    """The ``resources`` section of a plan, in đồng, checked for consistency.

    Raises
    ------
    ValueError
        The section is missing, or its amounts do not add up (the message lists every fault).
    """
    raw = plan.get("resources")
    if not isinstance(raw, dict):
        raise ValueError(f"plan {plan.get('id')}: no resources section")
    unit = raw.get("unit", "million_vnd").removesuffix("_vnd")
    faults: list[str] = []
    by_source = {str(k): to_vnd(v, unit) for k, v in raw["by_source"].items()}
    total = to_vnd(raw["total"], unit)
    if sum(by_source.values()) != total:
        faults.append(f"the sources add up to {format_money(sum(by_source.values()), 'en')}, not the total "
                      f"{format_money(total, 'en')}")
    estimates = tuple(_plan_estimate(item, unit, faults) for item in raw.get("by_criterion") or [])
    by_year = {int(year): {str(k): to_vnd(v, unit) for k, v in amounts.items()}
               for year, amounts in (raw.get("by_year") or {}).items()}
    for year, amounts in by_year.items():
        if set(amounts) - set(by_source):
            faults.append(f"by_year {year}: source(s) {', '.join(sorted(set(amounts) - set(by_source)))} not in by_source")
    for source, amount in by_source.items():
        if by_year and sum(a.get(source, 0) for a in by_year.values()) != amount:
            faults.append(f"by_year: the years of {source} add up to "
                          f"{format_money(sum(a.get(source, 0) for a in by_year.values()), 'en')}, not "
                          f"{format_money(amount, 'en')}")
    if faults:
        raise ValueError(f"plan {plan.get('id')}, resources: " + "; ".join(faults))
    return PlanResources(total, MappingProxyType(by_source), estimates,
                         MappingProxyType({y: MappingProxyType(a) for y, a in sorted(by_year.items())}),
                         str(raw.get("provenance", "plan")))


def _plan_estimate(item: dict, unit: str, faults: list[str]) -> PlanEstimate:
    amount = to_vnd(item["amount"], unit)
    sources = {str(k): None if v is None else to_vnd(v, unit) for k, v in item["sources"].items()}
    stated = sum(v for v in sources.values() if v is not None)
    if stated > amount or (None not in sources.values() and stated != amount):
        faults.append(f"criterion {item['criterion']}: its sources add up to {format_money(stated, 'en')}, "
                      f"not {format_money(amount, 'en')}")
    return PlanEstimate(int(item["criterion"]), amount, MappingProxyType(sources), item.get("quote", ""))


def villages_to_reach(targets: dict, category: str | None, villages: int, meeting: int) -> int | None:
    """How many more villages the plan asks to reach the standard over its period: ``villages_total``
    (or ``by_category[category]``); for a ``villages_share`` target, the villages still to reach that share
    of ``villages`` when ``meeting`` already do; None when the plan sets neither."""
    fixed = targets.get("villages_total") if category is None else (targets.get("by_category") or {}).get(category)
    if fixed is not None:
        return int(fixed)
    if targets.get("villages_share") is not None:
        return max(math.ceil(Fraction(str(targets["villages_share"])) * villages / 100) - meeting, 0)
    return None


def plan_targets(plan: dict, status: pd.DataFrame, villages: pd.DataFrame, baseline_year: int) -> dict[str, int | None]:
    """The plan's target of villages to reach the standard over its period, for the whole area (``all``) and
    per plan category (in the plan's order; None where the plan sets none), from the villages' baseline
    status (``status``: ``village_code, year, meets_standard``; ``villages``: ``village_code, plan_category``)."""
    targets = plan.get("targets") or {}
    base = status[status["year"] == baseline_year].merge(villages[["village_code", "plan_category"]], on="village_code")
    out = {"all": villages_to_reach(targets, None, len(base), int(base["meets_standard"].sum()))}
    for category in (c["id"] for c in plan["categories"]):
        members = base[base["plan_category"] == category]
        out[category] = villages_to_reach(targets, category, len(members), int(members["meets_standard"].sum()))
    return out


def assignment_rules(plan: dict) -> list[tuple[str, str]]:
    """(category id, assignment rule) in the order rules are tried; a category without ``assign`` is only
    ever given by the offices."""
    by_id = {c["id"]: c for c in plan["categories"]}
    order = plan.get("assignment_order") or list(by_id)
    return [(cid, by_id[cid]["assign"]) for cid in order if by_id[cid].get("assign")]


def category_lookup(plan: dict) -> dict[str, str]:
    """Folded category names and aliases -> category id."""
    lookup = {}
    for cat in plan["categories"]:
        for alias in [cat["id"], cat["name_vi"], cat["name_en"], *cat.get("aliases", [])]:
            lookup[fold(alias).replace("_", " ")] = cat["id"]
    return lookup


def category_names(lang: str, plan: dict) -> dict[str, str]:
    """Plan category id -> its name in ``lang``."""
    return {c["id"]: c[f"name_{lang}"] for c in plan["categories"]}
