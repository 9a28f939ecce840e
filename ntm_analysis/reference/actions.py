"""The plan's action catalogue: what the plan says to do about each criterion, who does it, who pays.

The catalogue is data (``reference/actions-<plan>.yaml``): per criterion, the actions of section IV
of the plan (Vietnamese text, short English gloss), the responsible bodies (section VI) and the
funding sources (ids of the cost file). Every fault in the file is reported together in one
:class:`ActionsFileError`.

Frames
------
:meth:`ActionCatalogue.table`: ``criterion, criterion_vi, criterion_en, baseline, action_no, action_vi,
action_en, responsible`` (tuple of body ids), ``sources`` (tuple of source ids).
:func:`actions_for` (``ACTION_COLUMNS``): ``criterion, criterion_name, plan_baseline, action,
responsible, funding`` — text in the chosen language, bodies and sources as names joined by "; ".
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ntm_analysis.config import REFERENCE_DIR
from ntm_analysis.core.errors import DataFileError
from ntm_analysis.core.i18n import LANGS, messages
from ntm_analysis.core.vietnamese import clean_text
from ntm_analysis.core.yaml_files import read_yaml_file, resolve_data_file
from ntm_analysis.reference.cost_rules import CostRules

BASELINES = ("met", "not_met")
ACTION_COLUMNS = ["criterion", "criterion_name", "plan_baseline", "action", "responsible", "funding"]


class ActionsFileError(DataFileError):
    """An action catalogue that cannot be used; lists every fault found in it."""

    what = "action catalogue"


@dataclass(frozen=True)
class Body:
    """A responsible body named in section VI of the plan (or in the action's own text)."""

    id: str
    name_vi: str
    name_en: str
    role_vi: str
    role_en: str


@dataclass(frozen=True)
class Action:
    """One action of the plan for a criterion."""

    text_vi: str
    text_en: str
    responsible: tuple[str, ...]
    sources: tuple[str, ...]


@dataclass(frozen=True)
class CriterionActions:
    """A criterion's actions; ``baseline`` is "not_met" for plan section IV.1, "met" for IV.2."""

    criterion: int
    name_vi: str
    name_en: str
    baseline: str
    actions: tuple[Action, ...]
    note_vi: str = ""
    note_en: str = ""


@dataclass(frozen=True)
class ActionCatalogue:
    """The plan's actions, criterion by criterion, and the bodies responsible."""

    id: str
    plan: str
    bodies: tuple[Body, ...]
    criteria: tuple[CriterionActions, ...]
    path: Path

    def table(self) -> pd.DataFrame:
        """One row per action; see the module docstring for the columns."""
        rows = [(c.criterion, c.name_vi, c.name_en, c.baseline, i, a.text_vi, a.text_en, a.responsible, a.sources)
                for c in self.criteria for i, a in enumerate(c.actions, start=1)]
        return pd.DataFrame(rows, columns=["criterion", "criterion_vi", "criterion_en", "baseline", "action_no",
                                           "action_vi", "action_en", "responsible", "sources"])


def load_actions(name_or_path: str | Path, rules: CostRules) -> ActionCatalogue:
    """Load and validate an action catalogue (a shipped plan id or a path).

    Source ids are checked against the funding sources of ``rules``.

    Raises
    ------
    DataFileNotFound
        Neither a shipped plan id nor an existing file.
    ActionsFileError
        The file is not valid; the error lists every fault.
    """
    path = _resolve(name_or_path)
    data = read_yaml_file(path, ActionsFileError)
    if not isinstance(data, dict):
        raise ActionsFileError(path, ["top level must be a mapping of keys"])
    source_ids = {s.id for s in rules.sources}
    faults: list[str] = []
    bodies = tuple(_body(item, faults) for item in data.get("bodies") or [])
    faults.extend(f"body {bid!r} is declared {n} times" for bid, n in Counter(b.id for b in bodies).items() if n > 1)
    body_ids = {b.id for b in bodies}
    criteria = tuple(_criterion(item, body_ids, source_ids, faults) for item in data.get("criteria") or [])
    faults.extend(f"criterion {n} is listed {k} times"
                  for n, k in Counter(c.criterion for c in criteria).items() if k > 1)
    if not bodies or not criteria:
        faults.append("the catalogue needs non-empty 'bodies' and 'criteria' lists")
    if faults:
        raise ActionsFileError(path, faults)
    return ActionCatalogue(str(data.get("id", "")), str(data.get("plan", "")), bodies, criteria, path)


def available_action_files() -> list[str]:
    """Ids of the action catalogues shipped with the package (``actions-<id>.yaml``)."""
    return sorted(p.stem.removeprefix("actions-") for p in REFERENCE_DIR.glob("actions-*.yaml"))


def _resolve(name_or_path: str | Path) -> Path:
    return resolve_data_file(name_or_path, lambda name: REFERENCE_DIR / f"actions-{name}.yaml",
                             available_action_files(), "danh mục giải pháp / action catalogue")


def _text(raw: dict, key: str) -> str:
    value = raw.get(key, "")
    return clean_text(value) if isinstance(value, str) else ""


def _body(item: Any, faults: list[str]) -> Body:
    if not isinstance(item, dict) or not _text(item, "id"):
        faults.append(f"body {item!r}: needs id, name_vi, name_en, role_vi, role_en")
        return Body("", "", "", "", "")
    return Body(*(_text(item, key) for key in ("id", "name_vi", "name_en", "role_vi", "role_en")))


def _criterion(item: Any, body_ids: set[str], source_ids: set[str], faults: list[str]) -> CriterionActions:
    number = item.get("criterion") if isinstance(item, dict) else None
    if isinstance(number, bool) or not isinstance(number, int):
        faults.append(f"criterion entry {str(item)[:60]!r}: needs an integer 'criterion'")
        return CriterionActions(0, "", "", "met", ())
    if item.get("baseline") not in BASELINES:
        faults.append(f"criterion {number}: baseline must be one of {', '.join(BASELINES)}")
    actions = tuple(_action(a, number, i, body_ids, source_ids, faults)
                    for i, a in enumerate(item.get("actions") or [], start=1))
    if not actions and not _text(item, "note_vi"):
        faults.append(f"criterion {number}: no actions and no note saying why")
    return CriterionActions(number, _text(item, "name_vi"), _text(item, "name_en"), str(item.get("baseline")),
                            actions, _text(item, "note_vi"), _text(item, "note_en"))


def _action(item: Any, number: int, position: int, body_ids: set[str], source_ids: set[str],
            faults: list[str]) -> Action:
    where = f"criterion {number}, action {position}"
    if not isinstance(item, dict) or not _text(item, "vi") or not _text(item, "en"):
        faults.append(f"{where}: needs the plan's text 'vi' and an English gloss 'en'")
        return Action("", "", (), ())
    responsible = tuple(str(b) for b in item.get("responsible") or [])
    sources = tuple(str(s) for s in item.get("sources") or [])
    if not responsible:
        faults.append(f"{where}: no responsible body")
    faults.extend(f"{where}: unknown body {b!r} (declared: {', '.join(sorted(body_ids))})"
                  for b in responsible if b not in body_ids)
    faults.extend(f"{where}: unknown source {s!r} (declared: {', '.join(sorted(source_ids))})"
                  for s in sources if s not in source_ids)
    return Action(_text(item, "vi"), _text(item, "en"), responsible, sources)


def actions_for(criteria_numbers: Iterable[int], catalogue: ActionCatalogue, rules: CostRules,
                lang: str = "vi") -> pd.DataFrame:
    """What the plan says to do about each of ``criteria_numbers`` (e.g. a village's failing criteria).

    One row per action (one row with the catalogue's note for a criterion without actions), criteria
    in the order given, duplicates dropped; text in ``lang`` ("vi": the plan's own words, "en": the
    gloss). Columns: ``ACTION_COLUMNS``.

    Raises
    ------
    ValueError
        ``lang`` is not "vi" or "en", or a criterion is not in the catalogue.
    """
    if lang not in LANGS:
        raise ValueError(f"lang must be 'vi' or 'en', got {lang!r}")
    words = messages("actions", lang)  # the plan's assessment (met / not met), "no money needed"
    sources = rules.source_names(lang)
    bodies = {b.id: getattr(b, f"name_{lang}") for b in catalogue.bodies}
    by_number = {c.criterion: c for c in catalogue.criteria}
    numbers = list(dict.fromkeys(int(n) for n in criteria_numbers))
    unknown = [n for n in numbers if n not in by_number]
    if unknown:
        raise ValueError(f"criteria {', '.join(map(str, unknown))} are not in the action catalogue {catalogue.path}")
    rows = []
    for number in numbers:
        entry = by_number[number]
        head = (number, getattr(entry, f"name_{lang}"), words[entry.baseline])
        if not entry.actions:
            rows.append((*head, getattr(entry, f"note_{lang}"), "", ""))
        for action in entry.actions:
            rows.append((*head, getattr(action, f"text_{lang}"), "; ".join(bodies[b] for b in action.responsible),
                         "; ".join(sources[s] for s in action.sources) or words["no_money"]))
    return pd.DataFrame(rows, columns=ACTION_COLUMNS)
