"""Scheduling rules as a data file: how money is phased, the default objective, the annual-budget rule.

A shipped file ``schedule-<id>.yaml`` or the user's own: ``phasing.shares`` (lag in years before the year of
recognition → exact share, adding up to 1), ``objective.default`` (``OBJECTIVES``),
``annual_budgets.rule`` (``BUDGET_RULES``), each with ``provenance`` and ``note_vi`` / ``note_en``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from ntm_analysis.config import REFERENCE_DIR
from ntm_analysis.core.errors import DataFileError
from ntm_analysis.core.money import as_fraction
from ntm_analysis.core.yaml_files import read_yaml_file, resolve_data_file

OBJECTIVES = ("min_cost", "max_villages")
BUDGET_RULES = ("even_split",)
KEYS = ("phasing", "objective", "annual_budgets")


class SchedulingFileError(DataFileError):
    """A scheduling-rules file that cannot be used; lists every fault."""

    what = "scheduling file / tệp quy tắc lập lịch"


@dataclass(frozen=True)
class SchedulingDefaults:
    """The scheduling file: phasing rule (lag → exact share), default objective, annual-budget rule.

    ``notes``: (vi, en) per entry (``phasing``, ``objective``, ``annual_budgets``); ``provenance``: plan,
    assumption or illustrative per entry.
    """

    phasing: Mapping[int, Fraction]
    objective: str
    budget_rule: str
    notes: Mapping[str, tuple[str, str]]
    provenance: Mapping[str, str]
    path: Path


def available_scheduling_files() -> list[str]:
    """Ids of the scheduling files shipped with the package (``schedule-<id>.yaml``)."""
    return sorted(p.stem.removeprefix("schedule-") for p in REFERENCE_DIR.glob("schedule-*.yaml"))


def load_scheduling_defaults(name_or_path: str | Path) -> SchedulingDefaults:
    """Read a scheduling file (a shipped id or a path).

    Raises
    ------
    SchedulingFileError
        Missing sections, phasing shares not adding up to 1, an unknown objective or budget rule (every
        fault at once).
    """
    path = resolve_data_file(name_or_path, lambda name: REFERENCE_DIR / f"schedule-{name}.yaml",
                             available_scheduling_files(), "quy tắc lập lịch / scheduling rules")
    data = read_yaml_file(path, SchedulingFileError)
    missing = [k for k in KEYS if not isinstance(data, dict) or not isinstance(data.get(k), dict)]
    if missing:
        raise SchedulingFileError(path, [f"missing section {k!r}" for k in missing])
    phasing = {int(lag): as_fraction(share) for lag, share in data["phasing"]["shares"].items()}
    objective, rule = data["objective"]["default"], data["annual_budgets"]["rule"]
    faults = []
    if sum(phasing.values()) != 1 or any(lag < 0 for lag in phasing):
        faults.append(f"phasing shares must be for lags ≥ 0 and add up to 1, found {data['phasing']['shares']}")
    if objective not in OBJECTIVES:
        faults.append(f"unknown objective {objective!r} (known: {', '.join(OBJECTIVES)})")
    if rule not in BUDGET_RULES:
        faults.append(f"unknown annual-budget rule {rule!r} (known: {', '.join(BUDGET_RULES)})")
    if faults:
        raise SchedulingFileError(path, faults)
    return SchedulingDefaults(phasing, objective, rule,
                              {k: (data[k].get("note_vi", ""), data[k].get("note_en", "")) for k in KEYS},
                              {k: data[k].get("provenance", "") for k in KEYS}, path)
