"""The results every report of one year shares, read from the chain's outputs (nothing computed twice).

:func:`district_results` reads what the stages wrote (clean tables, scores, the baseline cost projection,
the schedule) through :mod:`ntm_analysis.pipeline`, running a stage only if its outputs are missing or out
of date, and derives the few things that depend on the report year (the year's gaps and their cost).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ntm_analysis.catalog import Catalog
from ntm_analysis.core.errors import UserError
from ntm_analysis.cost.projection import gap_costs, project_costs
from ntm_analysis.pipeline import (baseline_year, choose_year, load_clean, run_schedule, run_score,
                                   years_with_data)
from ntm_analysis.reference.admin_units import area_level, area_words
from ntm_analysis.reference.cost_rules import CostRules
from ntm_analysis.reference.plan import plan_targets
from ntm_analysis.reference.criteria import CriteriaSet
from ntm_analysis.schedule.planning import build_candidates, phased_investment
from ntm_analysis.schedule.solver import PlanRules, SchedulePlan
from ntm_analysis.score.scoring import Scores
from ntm_analysis.settings import Settings, load_settings

PROBLEM_COLUMNS = ["file", "sheet", "row", "column", "value", "severity", "code", "problem_vi", "problem_en",
                   "fix_vi", "fix_en"]


@dataclass(frozen=True)
class DistrictResults:
    """Everything the reports of one year share.

    ``gaps``: the gaps of ``year`` (:func:`~ntm_analysis.cost.projection.gap_costs`); ``projection``: the
    cost of closing them (at the cost file's prices); ``baseline_projection``: the same for the baseline
    year, the costs the schedule uses; ``optimum``: the schedule under ``rules`` (its ``status`` says
    whether the rules had to be relaxed); ``phased``: its phased investment (``year, source, criterion,
    commune, amount_vnd``). ``problems``: the quality log.
    """

    settings: Settings
    year: int
    villages: pd.DataFrame
    values: pd.DataFrame
    rejected_values: pd.DataFrame
    clean_summary: dict
    problems: pd.DataFrame
    cost_rules: CostRules
    plan: dict
    scores: Scores
    gaps: pd.DataFrame
    projection: pd.DataFrame
    baseline_projection: pd.DataFrame
    candidates: pd.DataFrame
    rules: PlanRules
    optimum: SchedulePlan
    phased: pd.DataFrame
    baseline_year: int

    @property
    def processed_dir(self) -> Path:
        return Path(self.settings.processed)

    @property
    def synthetic(self) -> bool:
        return bool(self.clean_summary.get("synthetic", False))

    @property
    def criteria(self) -> CriteriaSet:
        return self.settings.criteria_set

    @property
    def years(self) -> list[int]:
        return list(self.rules.years)

    @property
    def targets(self) -> dict[str, int | None]:
        """The plan's targets for the whole area and per category (None where it sets none)."""
        return plan_targets(self.plan, self.scores.villages, self.villages, self.baseline_year)

    def area(self, lang: str) -> dict[str, str]:
        """The words for the whole area of the reports (a district only when there is one)."""
        return area_words(area_level(self.plan, self.villages), lang)


def district_results(config: str | Path | Settings, year: int | None, processed_dir: str | Path = "") -> DistrictResults:
    """The shared results for the reports of ``year`` (default the latest year with data).

    ``config``: the run's settings, or the path of its settings file ("" for the bundled sample);
    ``processed_dir``, when given, overrides its processed folder.

    Raises
    ------
    UserError
        The chain's outputs are missing and cannot be made, or no village has data for ``year``.
    """
    settings = config if isinstance(config, Settings) else load_settings(Path(config) if config else None)
    if processed_dir:
        settings = settings.with_overrides(processed=Path(processed_dir))
    scores = run_score(settings)
    year = choose_year(year, years_with_data(scores))
    schedule = run_schedule(settings)
    catalog = Catalog(settings.processed)
    villages, values, clean_summary = load_clean(settings)
    rules, baseline = settings.cost_rules_data, baseline_year(settings, scores)
    baseline_projection = project_costs(scores, villages, rules, baseline)
    projection = baseline_projection if year == baseline else project_costs(scores, villages, rules, year)
    plan = schedule.plan
    return DistrictResults(
        settings=settings, year=year, villages=villages, values=values,
        rejected_values=catalog.read("rejected_values"), clean_summary=clean_summary,
        problems=_quality_log(catalog), cost_rules=rules, plan=settings.plan_data, scores=scores,
        gaps=gap_costs(scores, villages, rules, year), projection=projection,
        baseline_projection=baseline_projection,
        candidates=build_candidates(scores, villages, baseline_projection, baseline), rules=schedule.rules,
        optimum=plan, phased=phased_investment(plan, schedule.rules, schedule.lines),
        baseline_year=baseline)


def _quality_log(catalog: Catalog) -> pd.DataFrame:
    log = catalog.read("quality_problems")
    lacking = [c for c in PROBLEM_COLUMNS if c not in log.columns]
    if lacking:
        raise UserError(f"{catalog.path('quality_problems')} is not a quality log written by `ntm clean`: no "
                        f"column(s) {', '.join(lacking)}; run `ntm clean` again")
    return log
