"""Load, validate and query criteria sets stored as versioned YAML files.

A criteria set holds any number of criteria, each with one or more indicators; an indicator has one
threshold per group of the set (any number of groups). Every fault in a file is collected and reported
together in one `CriteriaFileError`.

Two optional top-level keys say what a set is for:

- ``applies_to``: the kinds of unit it scores, ``[village]`` (default), ``[commune]`` or both. A set that
  applies to communes scores communes listed as units in the villages table: one row per commune, its
  code as the unit code and its name as the unit name (and as its commune).
- ``group_from``: where each unit's threshold group comes from: ``village`` (default: the villages
  table's ``threshold_group``) or ``commune`` (the ``group`` column of the commune list, for the unit's
  commune; see `ntm_analysis.score.scoring.village_groups`).
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pandas as pd

from ntm_analysis.config import CRITERIA_DIR
from ntm_analysis.core.errors import DataFileError
from ntm_analysis.core.vietnamese import fold
from ntm_analysis.core.yaml_files import read_yaml_file, resolve_data_file


VOCABULARY: dict[str, dict[str, Any]] = {
    # unit -> the kind of indicator it measures and the allowed threshold range (None: unbounded)
    "units": {
        "percent": {"kind": "numeric", "min": 0.0, "max": 100.0},
        "points": {"kind": "numeric", "min": 0.0, "max": 100.0},
        "million_vnd_per_person_year": {"kind": "numeric", "min": 0.0, "max": None},
        "count": {"kind": "numeric", "min": 0.0, "max": None},
        "boolean": {"kind": "boolean", "min": None, "max": None},
    },
    # kind -> the directions that fit it
    "kinds": {"numeric": (">=", "<="), "boolean": ("==",)},
    # provenance -> whether the threshold comes from an official text (False: to be verified)
    "provenances": {"plan": True, "national": True, "illustrative": False},
    # group_from -> where a unit's threshold group is read
    "group_sources": ("village", "commune"),
    # applies_to -> the kinds of unit a set may score
    "unit_kinds": ("village", "commune"),
}

_TOP_KEYS = (
    "id", "version", "name_vi", "name_en", "instrument", "valid_from", "valid_to",
    "criteria_required", "groups", "source_note", "criteria",
)
_TOP_OPTIONAL = ("group_from", "applies_to")
_GROUP_KEYS = ("id", "name_vi", "name_en")
_CRITERION_KEYS = ("number", "name_vi", "name_en", "indicators")
_INDICATOR_KEYS = ("code", "name_vi", "name_en", "unit", "kind", "direction", "provenance")
_INDICATOR_OPTIONAL = ("threshold", "thresholds", "provenance_note", "aliases", "plausible")

_CODE = re.compile(r"\d+(?:\.\d+)?")
# A header that starts with a code, after `fold`: "2.1", "2,1", "tc 2.1", "chi tieu 2.1: ...".
_CODE_HEADER = re.compile(
    r"(?:(?:tieu chi|chi tieu|tc|ct)\s*)?(\d+)(?:\s*[.,]\s*(\d+))?(?:\s*[.:)-]\s*|\s+|$)(.*)"
)
_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_PUNCTUATION = re.compile(r"[^\w\s]")

TABLE_COLUMNS = (
    "set_id", "criterion", "criterion_vi", "criterion_en", "code", "name_vi", "name_en", "unit",
    "kind", "direction", "group", "threshold", "provenance", "provenance_note",
)


class CriteriaFileError(DataFileError):
    """A criteria file that cannot be used; lists every fault found in it."""

    what = "criteria file"


@dataclass(frozen=True)
class Group:
    """A group of units (villages or communes) sharing the same thresholds."""

    id: str
    name_vi: str
    name_en: str


@dataclass(frozen=True)
class Indicator:
    """One measurable indicator with a threshold per group of the set."""

    code: str
    criterion: int
    name_vi: str
    name_en: str
    unit: str
    kind: str
    direction: str
    thresholds: Mapping[str, float | bool]
    provenance: str
    provenance_note: str = ""
    aliases: tuple[str, ...] = ()
    plausible: tuple[float, float] | None = None  # range of values met in practice (optional, data only)

    @property
    def verified(self) -> bool:
        """Whether the threshold comes from an official text (`plan` or `national`)."""
        return bool(VOCABULARY["provenances"][self.provenance])

    def threshold_for(self, group: str) -> float | bool:
        """Threshold that applies to units of ``group`` (a group id)."""
        try:
            return self.thresholds[str(group)]
        except KeyError:
            known = ", ".join(self.thresholds)
            raise KeyError(
                f"indicator {self.code} has no threshold for group {group!r} (groups: {known})"
            ) from None


@dataclass(frozen=True)
class Criterion:
    """A criterion; it passes when all its indicators pass."""

    number: int
    name_vi: str
    name_en: str
    indicators: tuple[Indicator, ...]


@dataclass(frozen=True)
class CriteriaSet:
    """A versioned set of criteria, as loaded from one YAML file.

    ``group_from`` ("village" or "commune") says where a unit's threshold group comes from;
    ``applies_to`` the kinds of unit the set scores ("village", "commune").
    """

    id: str
    version: str
    name_vi: str
    name_en: str
    instrument: str
    valid_from: int
    valid_to: int
    criteria_required: int
    source_note: str
    groups: tuple[Group, ...]
    criteria: tuple[Criterion, ...]
    path: Path
    group_from: str = "village"
    applies_to: tuple[str, ...] = ("village",)

    @property
    def indicators(self) -> tuple[Indicator, ...]:
        """All indicators, in criterion order."""
        return tuple(ind for criterion in self.criteria for ind in criterion.indicators)

    def indicator(self, code: str) -> Indicator:
        """The indicator with this code, e.g. ``"2.1"``; KeyError if the set has none."""
        for ind in self.indicators:
            if ind.code == str(code):
                return ind
        codes = ", ".join(ind.code for ind in self.indicators)
        raise KeyError(f"criteria set {self.id!r} has no indicator {code!r} (codes: {codes})")

    def match_indicator(self, header: str) -> str | None:
        """Code of the indicator a column header names, or None.

        The header may be a code ("2.1", "2,1", "TC 2.1", "Chỉ tiêu 2.1"), an indicator's Vietnamese or
        English name or alias, the name of a single-indicator criterion, or a code followed by a name.
        Comparison ignores case, diacritics, punctuation, extra spaces and bracketed notes like "(%)".
        Returns None when nothing matches or when the header could name two indicators.
        """
        whole = self._lookup(_match_key(header))
        if whole:
            return _single(whole)
        found = _CODE_HEADER.fullmatch(fold(header))
        if found is None:
            return None
        code = ".".join(part for part in found.group(1, 2) if part)
        named = self._lookup(_match_key(found.group(3)))
        if code not in self._code_set or (named and code not in named):
            return None
        return code

    def indicator_table(self) -> pd.DataFrame:
        """One row per indicator and group.

        Columns: set_id, criterion, criterion_vi, criterion_en, code, name_vi, name_en, unit, kind,
        direction, group, threshold (float; boolean thresholds as 1.0/0.0), provenance, provenance_note.
        """
        rows = [
            (self.id, criterion.number, criterion.name_vi, criterion.name_en, ind.code, ind.name_vi,
             ind.name_en, ind.unit, ind.kind, ind.direction, group.id,
             float(ind.threshold_for(group.id)), ind.provenance, ind.provenance_note)
            for criterion in self.criteria
            for ind in criterion.indicators
            for group in self.groups
        ]
        return pd.DataFrame(rows, columns=list(TABLE_COLUMNS))

    def unverified(self) -> pd.DataFrame:
        """Rows of `indicator_table` whose threshold is not from an official text (``illustrative``)."""
        codes = [ind.code for ind in self.indicators if not ind.verified]
        table = self.indicator_table()
        return table.loc[table["code"].isin(codes)].reset_index(drop=True)

    @cached_property
    def _code_set(self) -> frozenset[str]:
        return frozenset(ind.code for ind in self.indicators)

    @cached_property
    def _indicator_index(self) -> dict[str, frozenset[str]]:
        return _name_index((key, ind.code) for ind in self.indicators for key in _indicator_names(ind))

    @cached_property
    def _criterion_index(self) -> dict[str, frozenset[str]]:
        return _name_index(
            (name, ind.code)
            for criterion in self.criteria
            for name in (criterion.name_vi, criterion.name_en)
            for ind in criterion.indicators
        )

    def _lookup(self, key: str) -> frozenset[str]:
        """Codes named by a match key: indicator names first, criterion names as a fallback."""
        return self._indicator_index.get(key) or self._criterion_index.get(key, frozenset())


def available_criteria_sets() -> list[str]:
    """Ids of the criteria sets shipped with the package."""
    return sorted(path.stem for path in CRITERIA_DIR.glob("*.yaml"))


def load_criteria_set(name_or_path: str | Path) -> CriteriaSet:
    """Load a shipped criteria set by id, or a user's own YAML file by path.

    A set may have any number of criteria and groups. ``group_from: commune`` takes each unit's group from
    the commune list's ``group`` column; ``applies_to: [commune]`` marks a set that scores communes, listed
    as units in the villages table (one row per commune with its code and name).

    Raises
    ------
    FileNotFoundError
        Neither a shipped id nor an existing file.
    CriteriaFileError
        The file is not valid; the error lists every fault.
    """
    path = _resolve(name_or_path)
    return _parse_set(_read_yaml(path), path)


# --- reading -------------------------------------------------------------------------------------


def _resolve(name_or_path: str | Path) -> Path:
    return resolve_data_file(name_or_path, lambda name: CRITERIA_DIR / f"{name}.yaml", available_criteria_sets(),
                             "bộ tiêu chí / criteria set")


def _read_yaml(path: Path) -> Any:
    """Parsed YAML with every text NFC-normalised and trimmed; faults as CriteriaFileError."""
    return read_yaml_file(path, CriteriaFileError)


# --- validation and construction ------------------------------------------------------------------
# Each _parse_* function appends its faults to `faults` and returns None when it found any.


def _parse_set(data: Any, path: Path) -> CriteriaSet:
    if not isinstance(data, dict):
        raise CriteriaFileError(path, [f"top level must be a mapping of keys, found {_show(data)}"])
    faults: list[str] = []
    _check_keys(data, _TOP_KEYS, _TOP_OPTIONAL, "top level", faults)
    texts = {key: _text(data, key, "top level", faults) for key in ("name_vi", "name_en", "instrument")}
    header = {key: _identifier(data, key, faults) for key in ("id", "version")}
    years = [_integer(data, key, "top level", faults) for key in ("valid_from", "valid_to")]
    if None not in years and years[0] > years[1]:
        faults.append(f"valid_from {years[0]} is after valid_to {years[1]}")
    groups = _parse_groups(data.get("groups"), faults) if "groups" in data else None
    group_ids = None if groups is None else tuple(group.id for group in groups)
    criteria = _parse_criteria(data.get("criteria"), group_ids, faults) if "criteria" in data else None
    required = _parse_required(data, faults)
    source_note = _text(data, "source_note", "top level", faults)
    group_from, applies_to = _parse_scope(data, faults)
    if criteria:
        _check_name_clashes(criteria, faults)
    if faults or groups is None or criteria is None or required is None or None in years:
        raise CriteriaFileError(path, faults)
    return CriteriaSet(
        **header, **texts, valid_from=years[0], valid_to=years[1], criteria_required=required,
        source_note=source_note, groups=groups, criteria=criteria, path=path, group_from=group_from,
        applies_to=applies_to,
    )


def _parse_scope(data: dict, faults: list[str]) -> tuple[str, tuple[str, ...]]:
    """``group_from`` (default "village") and ``applies_to`` (default ["village"]), checked."""
    sources, kinds = VOCABULARY["group_sources"], VOCABULARY["unit_kinds"]
    group_from = data.get("group_from", "village")
    if not _known(group_from, sources):
        faults.append(f"top level: unknown group_from {_show(group_from)} (known: {', '.join(sources)})")
    applies_to = data.get("applies_to", ["village"])
    if (not isinstance(applies_to, list) or not applies_to or not all(_known(k, kinds) for k in applies_to)
            or len(set(applies_to)) < len(applies_to)):
        faults.append(f"top level: applies_to must be a non-empty list of distinct kinds of unit among "
                      f"{', '.join(kinds)}, found {_show(applies_to)}")
        applies_to = ["village"]
    return str(group_from), tuple(applies_to)


def _parse_required(data: dict, faults: list[str]) -> int | None:
    required = _integer(data, "criteria_required", "top level", faults)
    raw_criteria = data.get("criteria")
    count = len(raw_criteria) if isinstance(raw_criteria, list) else None
    if required is None:
        return None
    if required < 1:
        faults.append(f"criteria_required must be at least 1, found {required}")
    elif count is not None and required > count:
        faults.append(f"criteria_required is {required} but the file has only {count} criteria")
    return required


def _parse_groups(raw: Any, faults: list[str]) -> tuple[Group, ...] | None:
    if not isinstance(raw, list) or not raw:
        faults.append(f"groups must be a non-empty list of {{id, name_vi, name_en}}, found {_show(raw)}")
        return None
    before = len(faults)
    groups = [_parse_group(item, position, faults) for position, item in enumerate(raw, start=1)]
    ids = Counter(group.id for group in groups if group is not None)
    faults.extend(f"group id {gid!r} is declared {n} times" for gid, n in ids.items() if n > 1)
    return None if len(faults) > before else tuple(groups)  # type: ignore[arg-type]


def _parse_group(raw: Any, position: int, faults: list[str]) -> Group | None:
    where = f"group #{position}"
    if not isinstance(raw, dict):
        faults.append(f"{where}: must be a mapping with id, name_vi, name_en, found {_show(raw)}")
        return None
    before = len(faults)
    _check_keys(raw, _GROUP_KEYS, (), where, faults)
    group_id = _identifier(raw, "id", faults, where)
    names = [_text(raw, key, where, faults) for key in ("name_vi", "name_en")]
    return None if len(faults) > before else Group(group_id, *names)


def _parse_criteria(
    raw: Any, group_ids: tuple[str, ...] | None, faults: list[str]
) -> tuple[Criterion, ...] | None:
    if not isinstance(raw, list) or not raw:
        faults.append(f"criteria must be a non-empty list, found {_show(raw)}")
        return None
    before = len(faults)
    criteria = [_parse_criterion(item, position, group_ids, faults) for position, item in enumerate(raw, 1)]
    mappings = [item for item in raw if isinstance(item, dict)]
    numbers = [item["number"] for item in mappings if isinstance(item.get("number"), int)]
    codes = [str(ind["code"]) for item in mappings for ind in _as_list(item.get("indicators"))
             if isinstance(ind, dict) and "code" in ind]
    _check_duplicates(numbers, "criterion number", faults)
    _check_duplicates(codes, "indicator code", faults)
    return None if len(faults) > before else tuple(criteria)  # type: ignore[arg-type]


def _parse_criterion(
    raw: Any, position: int, group_ids: tuple[str, ...] | None, faults: list[str]
) -> Criterion | None:
    if not isinstance(raw, dict):
        faults.append(f"criterion #{position}: must be a mapping, found {_show(raw)}")
        return None
    where = f"criterion {raw.get('number', '#' + str(position))}"
    before = len(faults)
    _check_keys(raw, _CRITERION_KEYS, (), where, faults)
    number = _integer(raw, "number", where, faults)
    names = [_text(raw, key, where, faults) for key in ("name_vi", "name_en")]
    raw_indicators = raw.get("indicators")
    if "indicators" in raw and (not isinstance(raw_indicators, list) or not raw_indicators):
        faults.append(f"{where}: has no indicators (indicators must be a non-empty list)")
    indicators = [
        _parse_indicator(item, number, _indicator_where(where, item, i), group_ids, faults)
        for i, item in enumerate(_as_list(raw_indicators), start=1)
    ]
    if len(faults) > before or number is None:
        return None
    return Criterion(number, *names, indicators=tuple(indicators))  # type: ignore[arg-type]


def _parse_indicator(
    raw: Any, number: int | None, where: str, group_ids: tuple[str, ...] | None, faults: list[str]
) -> Indicator | None:
    if not isinstance(raw, dict):
        faults.append(f"{where}: must be a mapping, found {_show(raw)}")
        return None
    before = len(faults)
    _check_keys(raw, _INDICATOR_KEYS, _INDICATOR_OPTIONAL, where, faults)
    code = _parse_code(raw, number, where, faults)
    names = [_text(raw, key, where, faults) for key in ("name_vi", "name_en")]
    unit, kind, direction, provenance = _check_vocabulary(raw, where, faults)
    thresholds = _parse_thresholds(raw, unit, kind, group_ids, where, faults)
    note = _text(raw, "provenance_note", where, faults, required=False)
    aliases = _parse_aliases(raw, where, faults)
    plausible = _parse_plausible(raw, unit, where, faults)
    if len(faults) > before or code is None or number is None:
        return None
    return Indicator(
        code, number, *names, unit=unit, kind=kind, direction=direction,
        thresholds=MappingProxyType(thresholds), provenance=provenance, provenance_note=note,
        aliases=aliases, plausible=plausible,
    )


def _parse_plausible(raw: dict, unit: Any, where: str, faults: list[str]) -> tuple[float, float] | None:
    """The optional ``plausible: [low, high]`` range, inside the unit's range."""
    if "plausible" not in raw:
        return None
    value = raw["plausible"]
    if (not isinstance(value, list) or len(value) != 2
            or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value) or value[0] > value[1]):
        faults.append(f"{where}: plausible must be [low, high] numbers, found {_show(value)}")
        return None
    spec = VOCABULARY["units"].get(unit) if isinstance(unit, str) else None
    if spec and ((spec["min"] is not None and value[0] < spec["min"]) or
                 (spec["max"] is not None and value[1] > spec["max"])):
        faults.append(f"{where}: plausible range {value} is outside the range of unit {unit!r}")
        return None
    return float(value[0]), float(value[1])


def _parse_code(raw: dict, number: int | None, where: str, faults: list[str]) -> str | None:
    if "code" not in raw:
        return None
    value = raw["code"]
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        faults.append(f"{where}: code must be text such as \"2.1\" (quote it in YAML), found {_show(value)}")
        return None
    code = str(value)
    if not _CODE.fullmatch(code):
        faults.append(f"{where}: code {code!r} must look like \"3\" or \"2.1\"")
    elif number is not None and code.split(".")[0] != str(number):
        faults.append(f"{where}: code {code!r} does not start with its criterion number {number}")
    return code


def _check_vocabulary(raw: dict, where: str, faults: list[str]) -> tuple[Any, Any, Any, Any]:
    """Check unit, kind, direction and provenance against VOCABULARY; return them as given."""
    units, kinds, provenances = (VOCABULARY[key] for key in ("units", "kinds", "provenances"))
    unit, kind, direction, provenance = (raw.get(key) for key in ("unit", "kind", "direction", "provenance"))
    directions = tuple(dict.fromkeys(d for fitting in kinds.values() for d in fitting))
    checks = [
        ("unit", unit, units), ("kind", kind, kinds), ("direction", direction, directions),
        ("provenance", provenance, provenances),
    ]
    for key, value, known in checks:
        if key in raw and not _known(value, known):
            faults.append(f"{where}: unknown {key} {_show(value)} (known: {', '.join(known)})")
    if _known(kind, kinds) and _known(direction, directions) and direction not in kinds[kind]:
        faults.append(
            f"{where}: direction {direction!r} does not fit kind {kind!r} (use {' or '.join(kinds[kind])})"
        )
    if _known(unit, units) and _known(kind, kinds) and units[unit]["kind"] != kind:
        faults.append(f"{where}: unit {unit!r} needs kind {units[unit]['kind']!r}, not {kind!r}")
    return unit, kind, direction, provenance


def _parse_thresholds(
    raw: dict, unit: Any, kind: Any, group_ids: tuple[str, ...] | None, where: str, faults: list[str]
) -> dict[str, float | bool]:
    """Group id -> threshold, from ``threshold`` (every group) or ``thresholds`` (one per group)."""
    if ("threshold" in raw) == ("thresholds" in raw):
        faults.append(f"{where}: give either 'threshold' (one value for every group) or 'thresholds' "
                      "(a value per group), exactly one of them")
        return {}
    if "threshold" in raw:
        value = _parse_value(raw["threshold"], unit, kind, where, faults)
        return {} if value is None else {group: value for group in group_ids or ()}
    if not isinstance(raw["thresholds"], dict):
        faults.append(f"{where}: thresholds must map group ids to values, found {_show(raw['thresholds'])}")
        return {}
    values = {str(group): value for group, value in raw["thresholds"].items()}
    if group_ids is not None:
        _check_groups_covered(values, group_ids, where, faults)
    parsed = {group: _parse_value(value, unit, kind, f"{where}, group {group}", faults)
              for group, value in values.items()}
    return {group: value for group, value in parsed.items() if value is not None}


def _check_groups_covered(values: dict, group_ids: tuple[str, ...], where: str, faults: list[str]) -> None:
    declared = ", ".join(group_ids)
    missing = [group for group in group_ids if group not in values]
    undeclared = [group for group in values if group not in group_ids]
    if missing:
        faults.append(f"{where}: no threshold for group(s) {', '.join(missing)} (groups: {declared})")
    if undeclared:
        faults.append(
            f"{where}: threshold for undeclared group(s) {', '.join(undeclared)} (groups: {declared})"
        )


def _parse_value(value: Any, unit: Any, kind: Any, where: str, faults: list[str]) -> float | bool | None:
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        faults.append(f"{where}: a boolean threshold must be true or false, found {_show(value)}")
        return None
    if kind != "numeric":
        return None  # unknown kind, already reported
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        faults.append(f"{where}: a numeric threshold must be a finite number, found {_show(value)}")
        return None
    spec = VOCABULARY["units"].get(unit) if isinstance(unit, str) else None
    if spec and not _in_range(value, spec["min"], spec["max"]):
        faults.append(f"{where}: threshold {value} is outside the range of unit {unit!r} "
                      f"({_range_text(spec['min'], spec['max'])})")
        return None
    return float(value)


def _parse_aliases(raw: dict, where: str, faults: list[str]) -> tuple[str, ...]:
    aliases = raw.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a for a in aliases):
        faults.append(f"{where}: aliases must be a list of non-empty texts, found {_show(aliases)}")
        return ()
    return tuple(aliases)


def _check_name_clashes(criteria: tuple[Criterion, ...], faults: list[str]) -> None:
    """A code, name or alias must not name two indicators (headers would become ambiguous)."""
    pairs = [(key, ind.code) for criterion in criteria for ind in criterion.indicators
             for key in _indicator_names(ind)]
    for key, codes in _name_index(pairs).items():
        if len(codes) > 1:
            faults.append(f"the name or alias {key!r} (after folding) names several indicators: "
                          f"{', '.join(sorted(codes))}")


# --- small helpers --------------------------------------------------------------------------------


def _check_keys(raw: dict, required: tuple[str, ...], optional: tuple[str, ...], where: str,
                faults: list[str]) -> None:
    missing = [key for key in required if key not in raw]
    unknown = [str(key) for key in raw if key not in required and key not in optional]
    if missing:
        faults.append(f"{where}: missing key(s) {', '.join(missing)}")
    if unknown:
        faults.append(f"{where}: unknown key(s) {', '.join(unknown)} (allowed: "
                      f"{', '.join(required + optional)})")


def _check_duplicates(values: Iterable[Any], what: str, faults: list[str]) -> None:
    counts = Counter(values)
    faults.extend(f"duplicate {what} {value!r} ({n} times)" for value, n in counts.items() if n > 1)


def _text(raw: dict, key: str, where: str, faults: list[str], required: bool = True) -> str:
    if key not in raw:
        return ""  # a missing required key is reported by _check_keys
    value = raw[key]
    if isinstance(value, str) and (value or not required):
        return value
    faults.append(f"{where}: {key} must be a non-empty text, found {_show(value)}")
    return ""


def _identifier(raw: dict, key: str, faults: list[str], where: str = "top level") -> str:
    """An id or version: text, or a number written without quotes (kept as its text)."""
    value = raw.get(key)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return _text(raw, key, where, faults)


def _integer(raw: dict, key: str, where: str, faults: list[str]) -> int | None:
    if key not in raw:
        return None
    value = raw[key]
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    faults.append(f"{where}: {key} must be a whole number, found {_show(value)}")
    return None


def _indicator_where(criterion_where: str, raw: Any, position: int) -> str:
    label = raw["code"] if isinstance(raw, dict) and "code" in raw else f"#{position}"
    return f"{criterion_where}, indicator {label}"


def _known(value: Any, known: Iterable[str]) -> bool:
    return isinstance(value, str) and value in known


def _in_range(value: float, low: float | None, high: float | None) -> bool:
    return (low is None or value >= low) and (high is None or value <= high)


def _range_text(low: float | None, high: float | None) -> str:
    if high is None:
        return f">= {low:g}"
    return f"{low:g} to {high:g}"


def _as_list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _show(value: Any) -> str:
    return "nothing" if value is None else repr(value)


def _match_key(text: str) -> str:
    """Comparison key for headers and names: folded, bracketed notes and punctuation dropped."""
    return " ".join(_PUNCTUATION.sub(" ", _BRACKETS.sub(" ", fold(text))).split())


def _indicator_names(ind: Indicator) -> list[str]:
    return [ind.code, ind.name_vi, ind.name_en, *ind.aliases]


def _name_index(pairs: Iterable[tuple[str, str]]) -> dict[str, frozenset[str]]:
    """Match key -> the codes it names (empty keys dropped)."""
    index: defaultdict[str, set[str]] = defaultdict(set)
    for name, code in pairs:
        if key := _match_key(name):
            index[key].add(code)
    return {key: frozenset(codes) for key, codes in index.items()}


def _single(codes: frozenset[str]) -> str | None:
    return next(iter(codes)) if len(codes) == 1 else None
