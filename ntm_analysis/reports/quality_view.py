"""Notebook 01 (data quality): what the clean stage read, kept, changed and left out, read back from the
processed folder of the run (nothing is cleaned again here, so the notebook shows the very district
``ntm clean`` produced, with its own commune list and plan).

:func:`load` reads the clean stage's outputs into a :class:`QualityView`; every other function takes the
view and returns one thing to display (a frame, a figure, Markdown or text).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from IPython.display import Markdown
from matplotlib.figure import Figure

from ntm_analysis.catalog import Catalog
from ntm_analysis.clean.folder import conservation_lines
from ntm_analysis.clean.quality_report import quality_by_file
from ntm_analysis.core.i18n import message
from ntm_analysis.figures.scores import problems_figure
from ntm_analysis.pipeline import load_clean
from ntm_analysis.reference.criteria import CriteriaSet, load_criteria_set
from ntm_analysis.reports.notebook_inputs import language, notebook_settings, synthetic_banner
from ntm_analysis.settings import Settings


@dataclass(frozen=True)
class QualityView:
    """The clean stage's outputs of one run, and what the notebook was asked to show.

    ``problems`` and ``changes``: the quality log as written (``quality_problems.csv``,
    ``quality_changes.csv``, text columns); ``summary``: ``clean_summary.json``; ``criteria``: the set whose
    unverified thresholds are listed; ``year``: 0 for every year.
    """

    settings: Settings
    criteria: CriteriaSet
    villages: pd.DataFrame
    values: pd.DataFrame
    rejected_values: pd.DataFrame
    problems: pd.DataFrame
    changes: pd.DataFrame
    summary: dict
    year: int
    lang: str

    @property
    def synthetic(self) -> bool:
        return bool(self.summary.get("synthetic", False))


def load(config: str = "", processed_dir: str = "", year: int = 0, criteria_set: str = "",
         lang: str = "") -> QualityView:
    """The clean stage's outputs in the run's processed folder (``processed_dir`` when given).

    ``criteria_set``: another set whose unverified thresholds to list (empty: the settings' own);
    ``lang``: empty for the settings' language.

    Raises
    ------
    OutputsError
        The folder holds no (or an incomplete) output of ``ntm clean``.
    """
    settings = notebook_settings(config, processed_dir)
    catalog = Catalog(settings.processed)
    villages, values, summary = load_clean(settings)
    criteria = load_criteria_set(criteria_set) if criteria_set else settings.criteria_set
    return QualityView(settings, criteria, villages, values, catalog.read("rejected_values"),
                       catalog.read("quality_problems"), catalog.read("quality_changes"), summary, int(year),
                       language(settings, lang))


def banner(view: QualityView) -> Markdown | None:
    """The synthetic-data warning when the raw folder was marked synthetic."""
    return synthetic_banner(view.synthetic)


def conservation_text(view: QualityView) -> str:
    """The conservation check as ``ntm clean`` prints it: rows and cells read = clean + rejected."""
    return "\n".join(conservation_lines(view.summary))


def coverage_line(view: QualityView) -> Markdown:
    """The criteria set the data were cleaned under, the years and the number of communes."""
    summary = view.summary
    return Markdown(message("notebook.coverage", view.lang, criteria=summary.get("criteria_set", view.criteria.id),
                            years=summary["years"], communes=summary["communes"]))


def files_table(view: QualityView) -> pd.DataFrame:
    """Per input file: communes, clean villages and values, empty, rejected, errors, warnings
    (:func:`~ntm_analysis.clean.quality_report.quality_by_file`)."""
    return quality_by_file(view.villages, view.values, view.rejected_values, view.problems)


def problems_chart(view: QualityView) -> Figure:
    """Problems by kind and severity."""
    return problems_figure(view.problems, lang=view.lang, synthetic=view.synthetic)


def problem_counts(view: QualityView) -> pd.DataFrame:
    """Problems per severity and code: index ``severity, code``, column ``n``."""
    return view.problems.groupby(["severity", "code"]).size().rename("n").to_frame()


def problem_list(view: QualityView) -> pd.DataFrame:
    """Every problem: ``file, sheet, row, column, value, severity``, the problem and its fix in the view's
    language."""
    return view.problems[["file", "sheet", "row", "column", "value", "severity", f"problem_{view.lang}",
                          f"fix_{view.lang}"]]


def changes(view: QualityView) -> pd.DataFrame:
    """What was matched or converted while cleaning (names, encodings, Unicode), as logged."""
    return view.changes


def empty_values(view: QualityView) -> pd.DataFrame:
    """Per indicator (in order of appearance), of the view's year (every year for 0): ``sum`` (values
    left empty) and ``size`` (values)."""
    values = view.values if not view.year else view.values[view.values["year"] == view.year]
    return (values.assign(empty=values["value"].isna())
            .groupby("indicator_code", sort=False, observed=True)["empty"].agg(["sum", "size"]))


def unverified_thresholds(view: QualityView) -> pd.DataFrame:
    """The criteria set's thresholds not from an official text: ``code``, name, ``group, direction,
    threshold, provenance``."""
    return view.criteria.unverified()[["code", f"name_{view.lang}", "group", "direction", "threshold",
                                       "provenance"]]
