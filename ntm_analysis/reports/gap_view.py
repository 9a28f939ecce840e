"""Notebook 02 (gap analysis): the villages' status, criteria missed, Alkire–Foster measures, progress
against the plan, indicator trends and the effect of another criteria set — from the chain's scores.

:func:`load` reads the clean tables and the score stage's outputs (:func:`~ntm_analysis.pipeline.run_score`
returns them when current). A ``criteria_set`` or ``policy`` other than the settings' rescores the
villages in memory; the rule-change comparison rescores the scope under ``rescore_criteria_set``, in
memory too. Nothing here writes to the processed folder except what the score stage itself writes.
Every other function takes the :class:`GapView` and returns one thing to display.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from IPython.display import Markdown
from matplotlib.figure import Figure

from ntm_analysis.core.i18n import bilingual
from ntm_analysis.figures.scores import (
    commune_multiples_figure,
    criteria_heatmap_figure,
    distance_figure,
    failure_rate_figure,
    progress_figure,
)
from ntm_analysis.pipeline import baseline_year, choose_year, load_clean, run_score, years_with_data
from ntm_analysis.reference.criteria import CriteriaSet, load_criteria_set
from ntm_analysis.reports.notebook_inputs import in_scope, language, notebook_settings, scope_label, synthetic_banner
from ntm_analysis.score.aggregates import GROUPINGS, alkire_foster, decomposition
from ntm_analysis.score.progress import (
    border_share,
    compare_criteria_sets,
    indicator_trends,
    standard_progress,
    trend_labels,
)
from ntm_analysis.score.scoring import Scores, score_villages
from ntm_analysis.score.summary_workbook import select_commune, status_table
from ntm_analysis.settings import Settings


@dataclass(frozen=True)
class GapView:
    """The scores of one run as notebook 02 shows them.

    ``settings``: the run's, with the notebook's ``criteria_set`` and ``policy`` applied (in memory);
    ``scores``: every village under them; ``scope``: the villages of the chosen commune (all when none);
    ``scope_scores``: ``scores`` of those villages; ``rescored``: the scope's village status under
    ``rescore_criteria`` (the same values, another set).
    """

    settings: Settings
    scores: Scores
    villages: pd.DataFrame
    values: pd.DataFrame
    synthetic: bool
    year: int
    baseline_year: int
    commune: str
    scope: pd.DataFrame
    scope_scores: Scores
    rescore_criteria: CriteriaSet
    rescored: pd.DataFrame
    lang: str

    @property
    def criteria(self) -> CriteriaSet:
        return self.settings.criteria_set

    @property
    def plan(self) -> dict:
        return self.settings.plan_data


def load(config: str = "", processed_dir: str = "", year: int = 0, commune: str = "", criteria_set: str = "",
         policy: str = "", rescore_criteria_set: str = "gia-lai-village-2022", lang: str = "") -> GapView:
    """The run's scores for notebook 02 (see the module docstring); ``year`` 0 for the latest year with
    data; ``commune`` empty for the whole district (names matched ignoring case and diacritics).

    Raises
    ------
    OutputsError
        The processed folder holds no clean tables.
    UserError
        No data for ``year``.
    ValueError
        No commune of that name.
    """
    run = notebook_settings(config, processed_dir)
    settings = run.with_overrides(criteria=criteria_set or None, policy=policy or None)
    villages, values, summary = load_clean(run)
    # the stored scores when the notebook asks for the settings' own; another set or policy: in memory
    scores = run_score(run) if settings == run else score_villages(values, villages, settings.criteria_set,
                                                                     settings.policy)
    chosen = choose_year(year or None, years_with_data(scores))
    scope = select_commune(villages, commune)
    rescore = load_criteria_set(rescore_criteria_set)
    rescored = score_villages(in_scope(values, scope), scope, rescore, settings.policy).villages
    return GapView(settings, scores, villages, values, bool(summary.get("synthetic", False)), chosen,
                   baseline_year(settings, scores), commune, scope, scope_scores(scores, scope), rescore,
                   rescored, language(run, lang))


def scope_scores(scores: Scores, scope: pd.DataFrame) -> Scores:
    """``scores`` restricted to the villages of ``scope`` (the per-indicator and per-criterion tables
    restricted on first use)."""
    return Scores(lambda: in_scope(scores.indicators, scope), lambda: in_scope(scores.criteria, scope),
                  in_scope(scores.villages, scope), scores.criteria_set, scores.policy)


def _year_rows(frame: pd.DataFrame, year: int) -> pd.DataFrame:
    return frame[frame["year"] == year]


# --- header and status -------------------------------------------------------------------------------------


def header(view: GapView) -> list[Markdown | None]:
    """The synthetic-data banner (when it applies) and the scope line: scope, year, criteria set, policy."""
    return [synthetic_banner(view.synthetic),
            Markdown(f"{bilingual('notebook.scope')}: **{scope_label(view.scope, view.commune)}** · "
                     f"{bilingual('notebook.year')}: **{view.year}** · {bilingual('notebook.criteria_set')}: "
                     f"`{view.criteria.id}` · {bilingual('notebook.missing_data')}: `{view.scores.policy}`")]


def meeting_line(view: GapView) -> Markdown:
    """How many of the scope's villages assessed in the year meet the standard."""
    status = _year_rows(view.scope_scores.villages, view.year)
    return Markdown(f"**{int(status['meets_standard'].sum())}/{len(status)}** "
                    + bilingual("notebook.meeting", year=view.year))


def village_status(view: GapView) -> pd.DataFrame:
    """Each village of the scope in the year: commune, code, name, category, x/N, meets, criteria missed,
    distance (:func:`~ntm_analysis.score.summary_workbook.status_table`, headers in the view's language)."""
    return status_table(view.scope_scores.villages, view.scope, view.year, view.plan, view.lang)


def heatmap(view: GapView) -> Figure:
    """Criteria met, failed or without data, per village of the scope, in the year."""
    return criteria_heatmap_figure(view.scope_scores.criteria, view.scope, view.year, lang=view.lang,
                                   synthetic=view.synthetic)


def scope_failure_rates(view: GapView) -> pd.DataFrame:
    """The scope's per-criterion Alkire–Foster table, every year (``aggregates.CRITERION_COLUMNS``)."""
    return alkire_foster(view.scope_scores, view.scope)[1]


def failure_rate_chart(view: GapView) -> Figure:
    """Share of the scope's villages failing each criterion in the year."""
    return failure_rate_figure(scope_failure_rates(view), year=view.year, lang=view.lang, synthetic=view.synthetic)


def distance_chart(view: GapView) -> Figure:
    """Each village's distance to the standard in the year."""
    return distance_figure(view.scope_scores.villages, view.scope, year=view.year, lang=view.lang,
                           synthetic=view.synthetic)


# --- Alkire–Foster -------------------------------------------------------------------------------------------


def af_summaries(view: GapView) -> list[Markdown | pd.DataFrame]:
    """For the district, each commune, each plan category and each threshold group
    (:data:`~ntm_analysis.score.aggregates.GROUPINGS`): a level-3 heading and the year's H, A, M0."""
    out: list[Markdown | pd.DataFrame] = []
    for level, by in GROUPINGS.items():
        out += [Markdown(f"### {level}"), _year_rows(alkire_foster(view.scores, view.villages, by)[0], view.year)]
    return out


def af_criteria(view: GapView) -> pd.DataFrame:
    """Each criterion's failing villages, censored headcount and contribution to the scope's M0 in the year,
    the largest contribution first."""
    rates = _year_rows(scope_failure_rates(view), view.year)
    return rates[["criterion", f"criterion_{view.lang}", "failing", "censored_headcount", "contribution"]
                 ].sort_values("contribution", ascending=False)


def commune_contributions(view: GapView) -> pd.DataFrame:
    """Each commune's share of the district M0 in the year
    (:func:`~ntm_analysis.score.aggregates.decomposition`)."""
    return _year_rows(decomposition(view.scores, view.villages, ["commune"]), view.year)


# --- progress against the plan ------------------------------------------------------------------------------


def progress_table(view: GapView) -> pd.DataFrame:
    """District-wide: villages meeting the standard for the first time after the baseline, cumulatively,
    against the plan's pro-rata targets (:func:`~ntm_analysis.score.progress.standard_progress`)."""
    return standard_progress(view.scores.villages, view.villages, view.plan)


def progress_chart(view: GapView) -> Figure:
    """:func:`progress_table` as cumulative lines against the target."""
    return progress_figure(progress_table(view), lang=view.lang, plan=view.plan, synthetic=view.synthetic)


def border_communes(view: GapView) -> pd.DataFrame:
    """Border communes' share of villages meeting the standard each year against the plan's share."""
    return border_share(view.scores.villages, view.villages, view.plan)


# --- indicator trends ------------------------------------------------------------------------------------------


def trends(view: GapView) -> pd.DataFrame:
    """Each indicator's scope value from the baseline year to the latest, against its threshold by the end of
    the plan period (``progress.TREND_COLUMNS``), with ``status_label`` in the view's language."""
    table = indicator_trends(view.scope_scores.indicators, view.criteria, view.baseline_year,
                             view.plan["period"]["end"])
    return table.assign(status_label=table["status"].map(trend_labels(view.lang)))


def trend_counts(trend_table: pd.DataFrame) -> pd.Series:
    """Indicators per trend status (``status_label`` of :func:`trends`)."""
    return trend_table["status_label"].value_counts()


def trend_rows(trend_table: pd.DataFrame, view: GapView) -> pd.DataFrame:
    """The columns of :func:`trends` shown: code, name, baseline and latest year and value, target, method,
    ratio, status."""
    return trend_table[["indicator_code", f"name_{view.lang}", "baseline_year", "baseline", "latest_year",
                        "latest", "target", "method", "ratio", "status_label"]]


# --- another criteria set --------------------------------------------------------------------------------------


def rescore_line(view: GapView) -> Markdown:
    """Which set the scope is rescored under."""
    return Markdown(f"{bilingual('notebook.compared_with')}: `{view.rescore_criteria.id}` "
                    f"({view.rescore_criteria.name_vi} / {view.rescore_criteria.name_en})")


def rule_changes(view: GapView) -> pd.DataFrame:
    """The scope's villages in the year, their status under the view's set and under the rescoring set
    (:func:`~ntm_analysis.score.progress.compare_criteria_sets`: ``change`` gained / lost / unchanged)."""
    return _year_rows(compare_criteria_sets(view.scope_scores.villages, view.rescored), view.year)


def change_counts(changes: pd.DataFrame) -> pd.Series:
    """Villages per kind of change."""
    return changes["change"].value_counts()


def changed_villages(changes: pd.DataFrame, view: GapView) -> pd.DataFrame:
    """The villages whose status changes, with name, commune and threshold group."""
    return changes[changes["change"] != "unchanged"].merge(
        view.scope[["village_code", "village_name", "commune", "threshold_group"]], on="village_code")


# --- thresholds and communes -------------------------------------------------------------------------------------


def unverified_thresholds(view: GapView) -> pd.DataFrame:
    """The view's criteria set's thresholds marked illustrative."""
    lang = view.lang
    return view.criteria.unverified()[["criterion", f"criterion_{lang}", "code", f"name_{lang}", "group",
                                       "direction", "threshold", "unit", "provenance_note"]]


def communes_chart(view: GapView) -> Figure:
    """One panel per commune of the district: villages assessed and meeting the standard each year."""
    return commune_multiples_figure(view.scores.villages, view.villages, lang=view.lang, synthetic=view.synthetic)
