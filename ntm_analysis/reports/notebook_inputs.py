"""What every analysis notebook starts from: the run's settings, its language, and how outputs are shown.

The analysis notebooks (``notebooks/0*.ipynb``) take ``config`` (the settings file ``ntm`` writes for the
run; empty for the bundled sample) and optionally ``processed_dir``; :func:`notebook_settings` turns them
into the :class:`~ntm_analysis.settings.Settings` the chain ran under. A notebook parameter left at its
"default" value (empty text, 0, -1) means the settings' own; one that differs is applied in memory by the
notebook's view module, never written to the processed folder.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd
from IPython.display import HTML, Markdown, display

from ntm_analysis.reports.content import md_escape
from ntm_analysis.clean.quality_report import SYNTHETIC_BANNER
from ntm_analysis.config import PROJECT_DIR
from ntm_analysis.core.i18n import bilingual
from ntm_analysis.settings import Settings, load_settings


def notebook_settings(config: str = "", processed_dir: str = "") -> Settings:
    """The run's settings: the file ``config`` (the bundled sample's when empty), with ``processed_dir``
    (relative paths from the project folder) in place of its processed folder when given."""
    settings = load_settings(_project_path(config) if config else None)
    if processed_dir:
        settings = settings.with_overrides(processed=_project_path(processed_dir))
    return settings


def _project_path(path: str) -> Path:
    given = Path(path).expanduser()
    return given if given.is_absolute() else PROJECT_DIR / given


def is_settings_baseline(settings: Settings, year: int = 0) -> bool:
    """Whether the baseline ``year`` a notebook asks for is the settings' own (0, or the year the settings or
    else their plan name): then the chain's stored outputs hold it."""
    return not year or year == (settings.baseline_year or settings.plan_data.get("baseline_year"))


def language(settings: Settings, lang: str = "") -> str:
    """``lang`` when given, else the settings' report language."""
    return lang or settings.language


def show_whole_tables() -> None:
    """Let pandas show every row of a district (up to 500) and every cell in full (actions, notes, rules)."""
    pd.set_option("display.max_rows", 500)
    pd.set_option("display.max_colwidth", None)


def synthetic_banner(synthetic: bool) -> Markdown | None:
    """The synthetic-data warning, bold, when the data are synthetic; None otherwise."""
    return Markdown(f"**⚠ {SYNTHETIC_BANNER}**") if synthetic else None


def bullet_list(lines: Iterable[str]) -> Markdown:
    """``lines`` as a Markdown bullet list."""
    return Markdown("\n".join(f"- {line}" for line in lines))


def scope_label(scope: pd.DataFrame, commune: str) -> str:
    """The communes of ``scope`` (in order of appearance, escaped for Markdown: names come from the data)
    when a commune was asked for, else the district."""
    return (", ".join(md_escape(c) for c in scope["commune"].unique()) if commune
            else bilingual("notebook.whole_district"))


def in_scope(frame: pd.DataFrame, scope: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``frame`` whose ``village_code`` is one of ``scope``'s."""
    return frame[frame["village_code"].isin(scope["village_code"])]


def show(*items: Any) -> None:
    """Display ``items`` in order (lists and tuples flattened), leaving out None and empty Markdown / HTML."""
    for item in items:
        if isinstance(item, list | tuple):
            show(*item)
        elif item is not None and not (isinstance(item, Markdown | HTML) and not (item.data or "").strip()):
            display(item)
