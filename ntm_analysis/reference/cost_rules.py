"""Cost rules as data: unit costs per indicator, village quantities, funding shares per criterion.

A cost file (``reference/cost-rules-<id>.yaml``, or a user's own copy for a scenario) gives, for every
indicator of a criteria set, one rule (its own, or its criterion's):

- ``lump_sum``: a sum per failing village (per failing criterion for a criterion rule);
- ``per_quantity``: shortfall (percentage points) / 100 × a village quantity (km of road, households,
  livestock households …) × a unit cost;
- ``zero``: no money, with a note saying why (e.g. 19.1, the militia leader's party membership).

Unit costs come as low / central / high in million VND at the file's ``price_year``, each rule with its
``provenance`` (``reference`` with its ``source``, ``illustrative``, or ``plan`` for a zero rule); the
file also gives an annual ``escalation`` rate, the village quantities' defaults (used when the villages
table lacks the number) and each criterion's funding shares by source, adding up to exactly 1.

Every fault in a file is collected and reported together in one :class:`CostFileError`.

Frames
------
:meth:`CostRules.rule_table`: ``criterion, indicator_code`` (NA for a criterion rule), ``kind,
quantity, low_vnd, central_vnd, high_vnd`` (unit costs, whole đồng), ``provenance, source, note``.
:meth:`CostRules.funding_table`: ``criterion, source, source_vi, source_en, share`` (exact
``Fraction``), ``provenance, note``.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pandas as pd

from ntm_analysis.config import REFERENCE_DIR
from ntm_analysis.core.errors import DataFileError
from ntm_analysis.reference.criteria import CriteriaFileError, CriteriaSet, load_criteria_set
from ntm_analysis.core.money import as_fraction, to_vnd
from ntm_analysis.core.yaml_files import read_yaml_file, resolve_data_file

KINDS = ("lump_sum", "per_quantity", "zero")
LEVELS = ("low", "central", "high")
# provenance of a unit cost -> whether it comes from an observed figure or the plan (False: to be replaced)
RULE_PROVENANCES = {"reference": True, "plan": True, "illustrative": False}
FUNDING_PROVENANCES = ("plan", "assumption")
QUANTITY_PROVENANCES = ("reference", "illustrative")
# village quantities a rule may use: columns of the clean villages table
QUANTITY_COLUMNS = ("households", "population", "road_km", "lane_km", "livestock_households")
YEAR_RANGE = (1990, 2100)

_TOP_REQUIRED = ("id", "name_vi", "name_en", "plan", "criteria_set", "price_year", "escalation",
                 "calibration_factor", "sources", "quantities", "rules", "funding")
_TOP_OPTIONAL = ("escalation_provenance", "source_note")
_QUANTITY_KEYS = ("name_vi", "name_en", "unit_vi", "unit_en", "default", "provenance")
_RULE_KEYS = ("criterion", "indicator", "kind", "quantity", "unit_cost_million_vnd", "provenance", "source", "note")
_FUNDING_KEYS = ("criterion", "shares", "provenance", "note")
_KEY_HINTS = {"price_year": "the year whose prices the unit costs are in",
              "escalation": "the annual price escalation, 0.04 for 4 %",
              "calibration_factor": "how far apart unit costs may be before calibration flags them, 3 for 3×"}
RULE_COLUMNS = ["criterion", "indicator_code", "kind", "quantity", "low_vnd", "central_vnd", "high_vnd",
                "provenance", "source", "note"]
FUNDING_COLUMNS = ["criterion", "source", "source_vi", "source_en", "share", "provenance", "note"]


class CostFileError(DataFileError):
    """A cost file that cannot be used; lists every fault found in it."""

    what = "cost file"


@dataclass(frozen=True)
class Source:
    """A funding source (vốn đầu tư trực tiếp, vốn lồng ghép, …)."""

    id: str
    name_vi: str
    name_en: str


@dataclass(frozen=True)
class Quantity:
    """A village quantity a rule multiplies by, with the default used when the villages table lacks it."""

    id: str
    name_vi: str
    name_en: str
    unit_vi: str
    unit_en: str
    default: float
    provenance: str
    note: str = ""


@dataclass(frozen=True)
class CostRule:
    """What closing one indicator's gap (``indicator``) or one criterion's (``indicator`` None) costs."""

    criterion: int
    indicator: str | None
    kind: str
    quantity: str | None
    unit_cost_vnd: Mapping[str, int]
    provenance: str
    source: str = ""
    note: str = ""

    @property
    def costs_money(self) -> bool:
        """False for a zero-cost rule."""
        return self.kind != "zero"


@dataclass(frozen=True)
class FundingRule:
    """The share of a criterion's cost paid by each source (exact fractions adding up to 1)."""

    criterion: int
    shares: Mapping[str, Fraction]
    provenance: str
    note: str = ""


@dataclass(frozen=True)
class CostRules:
    """One cost file, validated against its criteria set."""

    id: str
    name_vi: str
    name_en: str
    plan: str
    criteria: CriteriaSet
    price_year: int
    escalation: float
    escalation_provenance: str
    calibration_factor: float
    source_note: str
    sources: tuple[Source, ...]
    quantities: tuple[Quantity, ...]
    rules: tuple[CostRule, ...]
    funding: tuple[FundingRule, ...]
    path: Path

    @property
    def criteria_set(self) -> str:
        """Id of the criteria set the rules were checked against."""
        return self.criteria.id

    def source_names(self, lang: str = "vi") -> dict[str, str]:
        """Source id -> its name in ``lang``, in the file's order."""
        return {s.id: getattr(s, f"name_{lang}") for s in self.sources}

    def quantity(self, quantity_id: str) -> Quantity:
        """The quantity with this id."""
        return next(q for q in self.quantities if q.id == quantity_id)

    def rule_table(self) -> pd.DataFrame:
        """One row per rule; see the module docstring for the columns."""
        rows = [(r.criterion, r.indicator, r.kind, r.quantity, *(r.unit_cost_vnd[level] for level in LEVELS),
                 r.provenance, r.source, r.note) for r in self.rules]
        table = pd.DataFrame(rows, columns=RULE_COLUMNS)
        return table.astype({"indicator_code": "string", "quantity": "string",
                             **{f"{level}_vnd": "int64" for level in LEVELS}})

    def funding_table(self) -> pd.DataFrame:
        """One row per criterion × source with a share; see the module docstring for the columns."""
        names = {s.id: s for s in self.sources}
        rows = [(f.criterion, source, names[source].name_vi, names[source].name_en, share, f.provenance, f.note)
                for f in self.funding for source, share in f.shares.items()]
        return pd.DataFrame(rows, columns=FUNDING_COLUMNS)


def available_cost_files() -> list[str]:
    """Ids of the cost files shipped with the package (``cost-rules-<id>.yaml``)."""
    return sorted(p.stem.removeprefix("cost-rules-") for p in REFERENCE_DIR.glob("cost-rules-*.yaml"))


def cost_file_path(name_or_path: str | Path) -> Path:
    """The shipped cost file of a plan id, or a user's file by path."""
    return resolve_data_file(name_or_path, lambda name: REFERENCE_DIR / f"cost-rules-{name}.yaml",
                             available_cost_files(), "tệp định mức chi phí / cost file")


def load_cost_rules(name_or_path: str | Path, criteria: CriteriaSet | None = None) -> CostRules:
    """Load and validate a cost file (a shipped plan id or a path).

    ``criteria`` overrides the criteria set the file names (``criteria_set``); rules are checked
    against it: every indicator needs exactly one rule.

    Raises
    ------
    DataFileNotFound
        Neither a shipped plan id nor an existing file.
    CostFileError
        The file is not valid; the error lists every fault.
    """
    path = cost_file_path(name_or_path)
    data = _read_yaml(path)
    if not isinstance(data, dict):
        raise CostFileError(path, [f"top level must be a mapping of keys, found {_show(data)}"])
    faults: list[str] = []
    _check_keys(data, _TOP_REQUIRED, _TOP_OPTIONAL, "top level", faults)
    header = _parse_header(data, faults)
    criteria = criteria or _criteria_set(data, faults)
    sources = _parse_sources(data.get("sources"), faults)
    quantities = _parse_quantities(data.get("quantities"), faults)
    rules = _parse_rules(data.get("rules"), criteria, {q.id for q in quantities}, faults)
    funding = _parse_funding(data.get("funding"), criteria, {s.id for s in sources}, faults)
    _check_funded(rules, data.get("funding"), faults)
    if faults:
        raise CostFileError(path, faults)
    return CostRules(**header, criteria=criteria, sources=sources, quantities=quantities, rules=rules,
                     funding=funding, path=path)


# --- reading --------------------------------------------------------------------------------------


def _read_yaml(path: Path) -> Any:
    return read_yaml_file(path, CostFileError)


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _check_keys(raw: dict, required: tuple[str, ...], optional: tuple[str, ...], where: str,
                faults: list[str]) -> None:
    missing = [key + (f" ({_KEY_HINTS[key]})" if key in _KEY_HINTS else "") for key in required if key not in raw]
    unknown = [str(key) for key in raw if key not in required + optional]
    if missing:
        faults.append(f"{where}: missing {', '.join(missing)}")
    if unknown:
        faults.append(f"{where}: unknown key(s) {', '.join(unknown)} (known: {', '.join(required + optional)})")


def _text(raw: dict, key: str, where: str, faults: list[str], required: bool = True) -> str:
    """The text under ``key``; "" when absent (a missing required key is reported by ``_check_keys``)."""
    if key not in raw:
        return ""
    value = raw[key]
    if not isinstance(value, str) or (required and not value):
        faults.append(f"{where}: {key} must be text, found {_show(value)}")
        return ""
    return value


def _number(value: Any) -> float | None:
    """A finite number, or None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    return float(value)


# --- header ---------------------------------------------------------------------------------------


def _parse_header(data: dict, faults: list[str]) -> dict[str, Any]:
    texts = {key: _text(data, key, "top level", faults) for key in ("id", "name_vi", "name_en", "plan")}
    price_year = data.get("price_year")
    if "price_year" in data and (isinstance(price_year, bool) or not isinstance(price_year, int)
                                 or not YEAR_RANGE[0] <= price_year <= YEAR_RANGE[1]):
        faults.append(f"price_year must be a year ({YEAR_RANGE[0]}–{YEAR_RANGE[1]}), found {_show(price_year)}")
    escalation = _number(data.get("escalation"))
    if "escalation" in data and (escalation is None or not -1 < escalation < 1):
        faults.append(f"escalation must be an annual rate above -1 and below 1 (0.04 for 4 %), "
                      f"found {_show(data.get('escalation'))}")
    factor = _number(data.get("calibration_factor"))
    if "calibration_factor" in data and (factor is None or factor <= 1):
        faults.append(f"calibration_factor must be a number above 1 (3 for 3×), found "
                      f"{_show(data.get('calibration_factor'))}")
    return {**texts, "price_year": price_year, "escalation": escalation, "calibration_factor": factor,
            "escalation_provenance": _text(data, "escalation_provenance", "top level", faults, required=False),
            "source_note": _text(data, "source_note", "top level", faults, required=False)}


def _criteria_set(data: dict, faults: list[str]) -> CriteriaSet | None:
    if "criteria_set" not in data:
        return None  # reported by _check_keys
    name = data["criteria_set"]
    if not isinstance(name, str) or not name:
        faults.append(f"criteria_set must be the id of a criteria set or a path, found {_show(name)}")
        return None
    try:
        return load_criteria_set(name)
    except (FileNotFoundError, CriteriaFileError) as exc:
        faults.append(f"criteria_set {name!r} cannot be loaded: {str(exc).splitlines()[0]}")
        return None


# --- sources and quantities ------------------------------------------------------------------------


def _parse_sources(raw: Any, faults: list[str]) -> tuple[Source, ...]:
    if not isinstance(raw, list) or not raw:
        if raw is not None:
            faults.append(f"sources must be a non-empty list of {{id, name_vi, name_en}}, found {_show(raw)}")
        return ()
    sources = []
    for position, item in enumerate(raw, start=1):
        where = f"source #{position}"
        if not isinstance(item, dict):
            faults.append(f"{where}: must be a mapping with id, name_vi, name_en, found {_show(item)}")
            continue
        _check_keys(item, ("id", "name_vi", "name_en"), (), where, faults)
        sources.append(Source(*(_text(item, key, where, faults) for key in ("id", "name_vi", "name_en"))))
    faults.extend(f"source id {sid!r} is declared {n} times"
                  for sid, n in Counter(s.id for s in sources).items() if n > 1)
    return tuple(sources)


def _parse_quantities(raw: Any, faults: list[str]) -> tuple[Quantity, ...]:
    if not isinstance(raw, dict):
        if raw is not None:
            faults.append(f"quantities must map a villages column to its default, found {_show(raw)}")
        return ()
    quantities = []
    for qid, item in raw.items():
        where = f"quantity {qid}"
        if qid not in QUANTITY_COLUMNS:
            faults.append(f"{where}: not a villages column (known: {', '.join(QUANTITY_COLUMNS)})")
        if not isinstance(item, dict):
            faults.append(f"{where}: must be a mapping with {', '.join(_QUANTITY_KEYS)}, found {_show(item)}")
            continue
        _check_keys(item, _QUANTITY_KEYS, ("note",), where, faults)
        default = _number(item.get("default"))
        if "default" in item and (default is None or default < 0):
            faults.append(f"{where}: default must be a number ≥ 0, found {_show(item.get('default'))}")
        if "provenance" in item and item["provenance"] not in QUANTITY_PROVENANCES:
            faults.append(f"{where}: unknown provenance {_show(item['provenance'])} "
                          f"(known: {', '.join(QUANTITY_PROVENANCES)})")
        texts = [_text(item, key, where, faults) for key in ("name_vi", "name_en", "unit_vi", "unit_en")]
        quantities.append(Quantity(str(qid), *texts, default=default or 0.0,
                                   provenance=str(item.get("provenance")),
                                   note=_text(item, "note", where, faults, required=False)))
    return tuple(quantities)


# --- rules ----------------------------------------------------------------------------------------


def _parse_rules(raw: Any, criteria: CriteriaSet | None, quantity_ids: set[str],
                 faults: list[str]) -> tuple[CostRule, ...]:
    if not isinstance(raw, list) or not raw:
        if raw is not None:
            faults.append(f"rules must be a non-empty list, found {_show(raw)}")
        return ()
    rules = [_parse_rule(item, position, criteria, quantity_ids, faults) for position, item in enumerate(raw, 1)]
    if criteria is not None:
        _check_coverage([item for item in raw if isinstance(item, dict)], criteria, faults)
    return tuple(rule for rule in rules if rule is not None)


def _rule_where(item: dict, position: int) -> str:
    if "indicator" in item:
        return f"rule for indicator {item['indicator']}"
    if "criterion" in item:
        return f"rule for criterion {item['criterion']}"
    return f"rule #{position}"


def _parse_rule(item: Any, position: int, criteria: CriteriaSet | None, quantity_ids: set[str],
                faults: list[str]) -> CostRule | None:
    if not isinstance(item, dict):
        faults.append(f"rule #{position}: must be a mapping, found {_show(item)}")
        return None
    where = _rule_where(item, position)
    before = len(faults)
    _check_keys(item, ("kind", "provenance"), tuple(k for k in _RULE_KEYS if k not in ("kind", "provenance")),
                where, faults)
    criterion, indicator = _rule_target(item, criteria, where, faults)
    kind = item.get("kind")
    if "kind" in item and kind not in KINDS:
        faults.append(f"{where}: unknown kind {_show(kind)} (known: {', '.join(KINDS)})")
    provenance = item.get("provenance")
    if "provenance" in item and provenance not in RULE_PROVENANCES:
        faults.append(f"{where}: unknown provenance {_show(provenance)} (known: {', '.join(RULE_PROVENANCES)})")
    source = _text(item, "source", where, faults, required=False)
    note = _text(item, "note", where, faults, required=False)
    if provenance == "reference" and not source:
        faults.append(f"{where}: a reference unit cost needs its source")
    quantity = _rule_quantity(item, kind, indicator, criteria, quantity_ids, where, faults)
    costs = _unit_costs(item, kind, where, faults)
    if kind == "zero" and not note:
        faults.append(f"{where}: a zero-cost rule needs a note saying why it costs nothing")
    if len(faults) > before or criterion is None:
        return None
    return CostRule(criterion, indicator, kind, quantity, MappingProxyType(costs), provenance, source, note)


def _rule_target(item: dict, criteria: CriteriaSet | None, where: str,
                 faults: list[str]) -> tuple[int | None, str | None]:
    """(criterion number, indicator code or None) of a rule, checked against the criteria set."""
    if ("criterion" in item) == ("indicator" in item):
        faults.append(f"{where}: give either 'criterion' or 'indicator', exactly one of them")
        return None, None
    if "indicator" in item:
        code = str(item["indicator"])
        if criteria is None:
            return int(code.split(".")[0]) if code.split(".")[0].isdigit() else None, code
        try:
            return criteria.indicator(code).criterion, code
        except KeyError:
            faults.append(f"{where}: unknown indicator {code!r} in criteria set {criteria.id}")
            return None, None
    number = item["criterion"]
    known = [c.number for c in criteria.criteria] if criteria is not None else None
    if isinstance(number, bool) or not isinstance(number, int) or (known is not None and number not in known):
        faults.append(f"{where}: unknown criterion {_show(number)}"
                      + (f" in criteria set {criteria.id}" if criteria is not None else ""))
        return None, None
    return number, None


def _rule_quantity(item: dict, kind: Any, indicator: str | None, criteria: CriteriaSet | None,
                   quantity_ids: set[str], where: str, faults: list[str]) -> str | None:
    quantity = item.get("quantity")
    if kind != "per_quantity":
        if "quantity" in item:
            faults.append(f"{where}: only a per_quantity rule takes a quantity")
        return None
    if indicator is None:
        faults.append(f"{where}: a per_quantity rule applies to one indicator; give 'indicator'")
    elif criteria is not None and _indicator_unit(criteria, indicator) not in (None, "percent"):
        faults.append(f"{where}: a per_quantity rule needs a percent indicator, {indicator} is in "
                      f"{_indicator_unit(criteria, indicator)}; use lump_sum")
    if quantity not in quantity_ids:
        faults.append(f"{where}: unknown quantity {_show(quantity)} (declared: {', '.join(sorted(quantity_ids))})")
    return quantity


def _indicator_unit(criteria: CriteriaSet, code: str) -> str | None:
    try:
        return criteria.indicator(code).unit
    except KeyError:
        return None


def _unit_costs(item: dict, kind: Any, where: str, faults: list[str]) -> dict[str, int]:
    """low / central / high unit costs in whole đồng (zeros for a zero-cost rule)."""
    raw = item.get("unit_cost_million_vnd")
    if kind == "zero":
        if raw is not None:
            faults.append(f"{where}: a zero-cost rule takes no unit_cost_million_vnd")
        return dict.fromkeys(LEVELS, 0)
    if not isinstance(raw, dict) or set(raw) != set(LEVELS):
        faults.append(f"{where}: unit_cost_million_vnd must give low, central and high, found {_show(raw)}")
        return dict.fromkeys(LEVELS, 0)
    costs: dict[str, int] = {}
    for level in LEVELS:
        value = _number(raw[level])
        if value is None:
            faults.append(f"{where}: {level} unit cost must be a number, found {_show(raw[level])}")
        elif value < 0:
            faults.append(f"{where}: negative {level} unit cost {raw[level]}")
        else:
            try:
                costs[level] = to_vnd(raw[level])
            except ValueError as exc:
                faults.append(f"{where}: {level} unit cost: {exc}")
    if len(costs) == len(LEVELS) and not costs["low"] <= costs["central"] <= costs["high"]:
        faults.append(f"{where}: unit costs must satisfy low ≤ central ≤ high, found "
                      f"{raw['low']}, {raw['central']}, {raw['high']}")
    return costs if len(costs) == len(LEVELS) else dict.fromkeys(LEVELS, 0)


def _check_coverage(items: list[dict], criteria: CriteriaSet, faults: list[str]) -> None:
    """Every indicator covered by exactly one rule, its own or its criterion's (faulty rules count too,
    so that one fault is not reported twice)."""
    by_criterion = Counter(item["criterion"] for item in items if "criterion" in item and "indicator" not in item)
    by_indicator = Counter(str(item["indicator"]) for item in items if "indicator" in item)
    for ind in criteria.indicators:
        count = by_indicator[ind.code] + by_criterion[ind.criterion]
        if count == 0:
            faults.append(f"indicator {ind.code} has no cost rule: add one (a zero rule with a note if it "
                          "costs nothing)")
        elif count > 1:
            faults.append(f"indicator {ind.code} has {count} cost rules (its own and/or its criterion's); keep one")


# --- funding --------------------------------------------------------------------------------------


def _parse_funding(raw: Any, criteria: CriteriaSet | None, source_ids: set[str],
                   faults: list[str]) -> tuple[FundingRule, ...]:
    if not isinstance(raw, list):
        if raw is not None:
            faults.append(f"funding must be a list of {{criterion, shares, provenance}}, found {_show(raw)}")
        return ()
    known = {c.number for c in criteria.criteria} if criteria is not None else None
    funding = [_parse_funding_rule(item, position, known, source_ids, faults)
               for position, item in enumerate(raw, start=1)]
    funding = [f for f in funding if f is not None]
    faults.extend(f"criterion {n} has {count} funding rules; keep one"
                  for n, count in Counter(f.criterion for f in funding).items() if count > 1)
    return tuple(funding)


def _parse_funding_rule(item: Any, position: int, known: set[int] | None, source_ids: set[str],
                        faults: list[str]) -> FundingRule | None:
    if not isinstance(item, dict):
        faults.append(f"funding #{position}: must be a mapping, found {_show(item)}")
        return None
    where = f"funding for criterion {item.get('criterion', '#' + str(position))}"
    before = len(faults)
    _check_keys(item, ("criterion", "shares", "provenance"), ("note",), where, faults)
    number = item.get("criterion")
    if "criterion" in item and (isinstance(number, bool) or not isinstance(number, int)
                                or (known is not None and number not in known)):
        faults.append(f"{where}: unknown criterion {_show(number)}")
    if "provenance" in item and item["provenance"] not in FUNDING_PROVENANCES:
        faults.append(f"{where}: unknown provenance {_show(item['provenance'])} "
                      f"(known: {', '.join(FUNDING_PROVENANCES)})")
    shares = _shares(item.get("shares"), source_ids, where, faults) if "shares" in item else {}
    note = _text(item, "note", where, faults, required=False)
    if len(faults) > before:
        return None
    return FundingRule(number, MappingProxyType(shares), item["provenance"], note)


def _shares(raw: Any, source_ids: set[str], where: str, faults: list[str]) -> dict[str, Fraction]:
    if not isinstance(raw, dict) or not raw:
        faults.append(f"{where}: shares must map source ids to shares, found {_show(raw)}")
        return {}
    shares: dict[str, Fraction] = {}
    for source, value in raw.items():
        if source not in source_ids:
            faults.append(f"{where}: unknown source {source!r} (declared: {', '.join(sorted(source_ids))})")
        try:
            share = as_fraction(value)
        except ValueError as exc:
            faults.append(f"{where}: {exc}")
            continue
        if not 0 <= share <= 1:
            faults.append(f"{where}: share of {source} must be between 0 and 1, found {value}")
        shares[str(source)] = share
    total = sum(shares.values())
    if len(shares) == len(raw) and total != 1:
        faults.append(f"{where}: shares add up to {float(total) * 100:g} % ({total}), not 100 %")
    return shares


def _check_funded(rules: tuple[CostRule, ...], raw_funding: Any, faults: list[str]) -> None:
    """Every criterion with a money rule has a funding entry (a faulty one counts: it is reported already)."""
    items = raw_funding if isinstance(raw_funding, list) else []
    funded = {item.get("criterion") for item in items if isinstance(item, dict)}
    unfunded = sorted({r.criterion for r in rules if r.costs_money} - funded)
    faults.extend(f"criterion {n} has a money rule but no funding shares" for n in unfunded)
