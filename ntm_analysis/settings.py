"""The settings object: every input and output of a run, loaded and validated once, passed to every stage.

A settings file (YAML) names the folders (``raw``, ``processed``, ``reports``), the data files
(``criteria``, ``plan``, ``cost_rules``, ``actions``, ``schedule_rules``, ``admin_units``, optional
``commune_map``: shipped ids or paths), the report ``language``, the missing-data ``policy`` and an optional
``baseline_year``. Relative paths are read from the settings file's folder (the bundled sample's from the
project folder). Command-line flags override single keys (:meth:`Settings.with_overrides`).

The data files are loaded on first use and kept (:attr:`Settings.criteria_set`, :attr:`Settings.plan_data`
…), each through its own validating loader, so a faulty file is named with every fault.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from ntm_analysis.config import PROJECT_DIR, SAMPLE_SETTINGS
from ntm_analysis.core.errors import DataFileError
from ntm_analysis.core.storage import write_text
from ntm_analysis.core.yaml_files import read_yaml_file
from ntm_analysis.reference.actions import ActionCatalogue, load_actions
from ntm_analysis.reference.admin_units import load_admin_units, load_commune_map
from ntm_analysis.reference.cost_rules import CostRules, load_cost_rules
from ntm_analysis.reference.criteria import CriteriaSet, load_criteria_set
from ntm_analysis.reference.plan import load_plan
from ntm_analysis.reference.scheduling import SchedulingDefaults, load_scheduling_defaults

LANGUAGES = ("vi", "en")
POLICIES = ("missing_fails", "exclude")
FOLDERS = ("raw", "processed", "reports")
RUN_SETTINGS = "run-settings.yaml"
FILES = ("criteria", "plan", "cost_rules", "actions", "schedule_rules", "admin_units", "commune_map")


class SettingsFileError(DataFileError):
    """A settings file that cannot be used; lists every fault."""

    what = "settings file / tệp cấu hình"


@dataclass(frozen=True)
class Settings:
    """Every input and output of a run (see the module docstring)."""

    raw: Path
    processed: Path
    reports: Path
    criteria: str
    plan: str
    cost_rules: str
    actions: str
    schedule_rules: str
    admin_units: str
    commune_map: str | None = None
    language: str = "vi"
    policy: str = "missing_fails"
    baseline_year: int | None = None
    source: Path | None = field(default=None, compare=False)

    def with_overrides(self, **values: Any) -> Settings:
        """A copy with the keys given (``None`` values ignored: a flag not given keeps the file's value)."""
        given = {k: v for k, v in values.items() if v is not None}
        unknown = set(given) - {f.name for f in fields(self)}
        if unknown:
            raise SettingsFileError(self.source or Path("?"), [f"unknown key(s) {', '.join(sorted(unknown))}"])
        for key in FOLDERS:
            if key in given:
                given[key] = Path(given[key])
        return _checked(replace(self, **given))

    @cached_property
    def criteria_set(self) -> CriteriaSet:
        return load_criteria_set(self.criteria)

    @cached_property
    def plan_data(self) -> dict:
        return load_plan(self.plan)

    @cached_property
    def cost_rules_data(self) -> CostRules:
        return load_cost_rules(self.cost_rules, self.criteria_set)

    @cached_property
    def actions_data(self) -> ActionCatalogue:
        return load_actions(self.actions, self.cost_rules_data)

    @cached_property
    def scheduling(self) -> SchedulingDefaults:
        return load_scheduling_defaults(self.schedule_rules)

    @cached_property
    def admin(self) -> pd.DataFrame:
        return load_admin_units(self.admin_units)

    @cached_property
    def commune_mapping(self) -> pd.DataFrame | None:
        return None if self.commune_map is None else load_commune_map(self.commune_map)


def settings_text(settings: Settings) -> str:
    """``settings`` as a settings file (YAML), every path absolute: what a notebook or report worker reads."""
    values = {f.name: getattr(settings, f.name) for f in fields(settings) if f.name != "source"}
    values = {k: str(Path(v).resolve()) if k in FOLDERS else v for k, v in values.items()}
    values = {k: str(Path(v).resolve()) if k in FILES and isinstance(v, str) and _looks_like_path(v) else v
              for k, v in values.items()}
    return yaml.safe_dump(values, allow_unicode=True, sort_keys=False)


def save_run_settings(settings: Settings) -> Path:
    """Write the settings of this run into its processed folder (``run-settings.yaml``) and return the path:
    the notebooks and reports of the run read the same settings, overrides included."""
    path = Path(settings.processed) / RUN_SETTINGS
    return write_text(settings_text(settings), path)


def load_settings(path: Path | None = None) -> Settings:
    """The settings in ``path``, or the bundled sample's when ``path`` is None.

    Raises
    ------
    SettingsFileError
        Unknown or missing keys, a wrong type, an unknown language or policy (every fault at once).
    """
    source = Path(path) if path is not None else SAMPLE_SETTINGS
    data = read_yaml_file(source, SettingsFileError)
    base = PROJECT_DIR if path is None else source.resolve().parent
    return _from_mapping(data, source, base)


def _from_mapping(data: Any, source: Path, base: Path) -> Settings:
    if not isinstance(data, dict):
        raise SettingsFileError(source, ["the file must be a mapping of keys (key: value)"])
    known = {f.name for f in fields(Settings)} - {"source"}
    faults = [f"unknown key {key!r} (known keys: {', '.join(sorted(known))})" for key in data if key not in known]
    required = [*FOLDERS, *[f for f in FILES if f != "commune_map"]]
    faults += [f"missing key {key!r}" for key in required if data.get(key) in (None, "")]
    values: dict[str, Any] = {}
    for key in FOLDERS:
        if isinstance(data.get(key), str) and data[key]:
            values[key] = _path(data[key], base)
    for key in FILES:
        value = data.get(key)
        if value in (None, ""):
            continue
        if not isinstance(value, str):
            faults.append(f"{key}: expected an id or a file path, found {value!r}")
            continue
        values[key] = _data_file(value, base)
    for key, allowed in (("language", LANGUAGES), ("policy", POLICIES)):
        if key in data and data[key] not in allowed:
            faults.append(f"{key}: {data[key]!r} is not one of {', '.join(allowed)}")
        elif key in data:
            values[key] = data[key]
    year = data.get("baseline_year")
    if year is not None and (not isinstance(year, int) or isinstance(year, bool) or not 1990 <= year <= 2100):
        faults.append(f"baseline_year: expected a year such as 2020, found {year!r}")
    elif year is not None:
        values["baseline_year"] = year
    if faults:
        raise SettingsFileError(source, faults)
    return Settings(**values, source=source)


def _path(value: str, base: Path) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else base / path


def _looks_like_path(value: str) -> bool:
    return "/" in value or "\\" in value or value.endswith((".yaml", ".yml", ".csv"))


def _data_file(value: str, base: Path) -> str:
    """An id stays an id; anything that looks like a path is read from the settings file's folder."""
    return str(_path(value, base)) if _looks_like_path(value) else value


def _checked(settings: Settings) -> Settings:
    faults = []
    if settings.language not in LANGUAGES:
        faults.append(f"language: {settings.language!r} is not one of {', '.join(LANGUAGES)}")
    if settings.policy not in POLICIES:
        faults.append(f"policy: {settings.policy!r} is not one of {', '.join(POLICIES)}")
    if faults:
        raise SettingsFileError(settings.source or Path("?"), faults)
    return settings
