"""The one chain: clean → score → costs → schedule, each stage reading what the previous one wrote.

Every stage takes the :class:`~ntm_analysis.settings.Settings` of the run and the processed folder's
:class:`~ntm_analysis.catalog.Catalog`. A stage records the key it ran under (its inputs' hashes, the
settings it depends on, the package's code); run again with the same key, it reads its outputs back
instead of recomputing them, so one ``ntm all`` scores each village-year once. The CLI, the notebooks
and the reports call these functions and nothing else of the chain.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from ntm_analysis.catalog import Catalog, code_digest, digest_of, file_sha256
from ntm_analysis.clean.folder import CleanResult, clean_raw_folder, clean_outputs
from ntm_analysis.core.errors import UserError
from ntm_analysis.core.storage import write_workbook
from ntm_analysis.cost.annex import write_cost_annex
from ntm_analysis.cost.projection import cost_tables
from ntm_analysis.reference.admin_units import area_level
from ntm_analysis.reference.plan import plan_resources
from ntm_analysis.score.scoring import Scores, commune_groups, score_villages
from ntm_analysis.score.summary_workbook import summary_workbook
from ntm_analysis.settings import Settings

if TYPE_CHECKING:  # the scheduler needs scipy: imported by the functions that schedule, not by `ntm clean`
    from ntm_analysis.schedule.solver import PlanRules, SchedulePlan


@dataclass
class ScheduleResult:
    """The schedule stage's result: the plan, the rules it was solved under, and its cost lines."""

    plan: "SchedulePlan"
    rules: "PlanRules"
    lines: pd.DataFrame
    summary: dict


def _data_digest(settings: Settings, *keys: str) -> dict[str, str]:
    """Content hashes of what the named settings hold (an id's shipped file included): a stage reruns when
    the content changes, not only when the settings name another file."""
    files = {"criteria": lambda: settings.criteria_set.path, "cost_rules": lambda: settings.cost_rules_data.path,
             "schedule_rules": lambda: settings.scheduling.path}
    loaded = {"plan": lambda: settings.plan_data, "admin_units": lambda: settings.admin.to_dict("list"),
              "commune_map": lambda: (None if settings.commune_mapping is None
                                      else settings.commune_mapping.to_dict("list"))}
    return {key: file_sha256(Path(files[key]())) if key in files else digest_of(loaded[key]()) for key in keys}


# ---------------------------------------------------------------- clean


def run_clean(settings: Settings, progress: bool = False) -> CleanResult:
    """Read and clean the raw folder; write the clean tables and the data-quality report.

    Raises
    ------
    UserError
        The raw folder does not exist.
    """
    if not Path(settings.raw).is_dir():
        raise UserError(f"Không thấy thư mục dữ liệu / raw-data folder not found: {settings.raw}")
    result = clean_raw_folder(settings.raw, settings.criteria_set, settings.admin, settings.plan_data, progress,
                              settings.commune_mapping)
    key = digest_of({"raw": result.summary["files"], "code": code_digest(),
                     "settings": _data_digest(settings, "criteria", "plan", "admin_units", "commune_map")})
    Catalog(settings.processed).write_stage("clean", key, clean_outputs(result))
    return result


def load_clean(settings: Settings) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """(villages, indicator values, clean summary) as the clean stage wrote them."""
    catalog = Catalog(settings.processed)
    return catalog.read("villages"), catalog.read("indicator_values"), catalog.read("clean_summary")


# ---------------------------------------------------------------- score


def _commune_groups(settings: Settings) -> pd.Series | None:
    """The commune list's groups when the criteria set takes its groups per commune (and has more than one),
    else None."""
    criteria = settings.criteria_set
    return commune_groups(settings.admin) if criteria.group_from == "commune" and len(criteria.groups) > 1 else None


def _score_key(settings: Settings, catalog: Catalog, groups: pd.Series | None) -> str:
    # a set taking its groups per commune depends on the commune list's groups too
    extra = {} if groups is None else {"commune_groups": digest_of(list(groups.astype(object).items()))}
    return digest_of({"inputs": catalog.outputs_digest("clean"), "policy": settings.policy, "code": code_digest(),
                      "settings": _data_digest(settings, "criteria"), **extra})


def run_score(settings: Settings) -> Scores:
    """Score every village-year of the clean tables under the settings' criteria set and policy.

    Reads the clean stage's outputs; writes ``indicator_scores``, ``criterion_scores`` and
    ``village_status``; when they are current (same inputs, settings and code), reads them back instead.
    """
    catalog = Catalog(settings.processed)
    groups = _commune_groups(settings)
    key = _score_key(settings, catalog, groups)
    if catalog.is_current("score", key):
        return load_scores(settings)
    villages, values, _ = load_clean(settings)
    scores = score_villages(values, villages, settings.criteria_set, settings.policy, commune_groups=groups)
    catalog.write_stage("score", key, {"indicator_scores": scores.indicators, "criterion_scores": scores.criteria,
                                       "village_status": scores.villages})
    return scores


def load_scores(settings: Settings) -> Scores:
    """The scores the score stage wrote; the long per-indicator and per-criterion tables read on first use."""
    catalog = Catalog(settings.processed)
    return Scores(lambda: catalog.read("indicator_scores"), lambda: catalog.read("criterion_scores"),
                  catalog.read("village_status"), settings.criteria_set.id, settings.policy)


def years_with_data(scores: Scores) -> list[int]:
    """The years at least one village was assessed in."""
    return sorted(int(y) for y in scores.villages["year"].dropna().unique())


def choose_year(requested: int | None, years: list[int], what: str = "year") -> int:
    """``requested`` when the data hold it; the latest year when None.

    Raises
    ------
    UserError
        No data for ``requested`` (the message lists the years there are), or no data at all.
    """
    if not years:
        raise UserError("Chưa có số liệu năm nào / the clean tables hold no year with data")
    if requested is None:
        return years[-1]
    if int(requested) not in years:
        raise UserError(f"Không có số liệu năm {requested} / no data for {what} {requested}; năm có số liệu / "
                        f"years with data: {', '.join(map(str, years))}")
    return int(requested)


def baseline_year(settings: Settings, scores: Scores) -> int:
    """The baseline: the settings' ``baseline_year``, else the plan's; it must be a year with data.

    Raises
    ------
    UserError
        Neither gives one (the message lists the years found and how to choose), or it has no data.
    """
    years = years_with_data(scores)
    chosen = settings.baseline_year or settings.plan_data.get("baseline_year")
    if chosen is None:
        raise UserError("Kế hoạch không ghi năm gốc / the plan gives no baseline year; năm có số liệu / years "
                        f"with data: {', '.join(map(str, years))}; chọn bằng / choose with --baseline-year YEAR "
                        "(or baseline_year in the settings or the plan)")
    return choose_year(int(chosen), years, "baseline year / năm gốc")


def write_summary(settings: Settings, scores: Scores, year: int | None, synthetic: bool) -> Path:
    """The Excel summary ("biểu tổng hợp") of ``year`` (default the latest) in the reports folder."""
    year = choose_year(year, years_with_data(scores))
    villages = Catalog(settings.processed).read("villages")
    book = summary_workbook(scores, villages, settings.criteria_set, year, lang=settings.language,
                            synthetic=synthetic, area=area_level(settings.plan_data, villages))
    return write_workbook(book, Path(settings.reports) / f"bieu-tong-hop-{year}.xlsx")


# ---------------------------------------------------------------- costs


def run_costs(settings: Settings) -> dict[str, pd.DataFrame]:
    """Cost every baseline gap; reconcile with the plan; calibrate unit costs (scoring first if needed).

    Writes ``cost_projection`` (village × criterion × source, low / central / high, at the cost file's
    prices), ``cost_by_source`` (the annex layout), ``cost_reconciliation`` (the plan's own table,
    reproduced, with what it does not attribute), ``cost_plan_vs_projection`` (the target villages) and
    ``cost_calibration``; reads them back when current. Returns them by name.
    """
    scores = run_score(settings)
    catalog = Catalog(settings.processed)
    baseline = baseline_year(settings, scores)
    key = digest_of({"inputs": catalog.outputs_digest("clean", "score"), "baseline": baseline,
                     "code": code_digest(), "settings": _data_digest(settings, "cost_rules", "plan")})
    names = ["cost_projection", "cost_by_source", "cost_reconciliation", "cost_plan_vs_projection",
             "cost_calibration"]
    if catalog.is_current("costs", key):
        return {name: catalog.read(name) for name in names}
    tables = cost_tables(scores, catalog.read("villages"), settings.cost_rules_data, settings.plan_data, baseline)
    # the funding shares are exact fractions: stored as their text ("1/2")
    tables["cost_projection"] = tables["cost_projection"].assign(share=tables["cost_projection"]["share"].astype(str))
    catalog.write_stage("costs", key, tables)
    return tables


def write_annex(settings: Settings, tables: dict[str, pd.DataFrame], year: int, synthetic: bool) -> Path:
    """The cost annex workbook ("phụ lục kinh phí") of the baseline ``year`` in the reports folder."""
    lang = settings.language
    sheets = {"Kinh phí theo nguồn" if lang == "vi" else "Cost by source": tables["cost_by_source"],
              "Đối chiếu kế hoạch" if lang == "vi" else "Plan reconciliation": tables["cost_reconciliation"]}
    return write_cost_annex(sheets, settings.cost_rules_data, Path(settings.reports) / f"phu-luc-kinh-phi-{year}.xlsx",
                            lang=lang, synthetic=synthetic)


# ---------------------------------------------------------------- schedule


def plan_rules_for(settings: Settings, candidates: pd.DataFrame) -> PlanRules:
    """The plan's own rules over its period (annual budgets from its resources, scheduling file's phasing).

    Raises
    ------
    UserError
        The plan has no resources: the scheduler needs the budgets by source.
    """
    from ntm_analysis.schedule.planning import plan_rules

    plan = settings.plan_data
    if not plan.get("resources"):
        raise UserError(f"Kế hoạch {plan['id']} không có mục nguồn lực (resources) / the plan has no resources "
                        "section: the schedule needs the budgets by funding source (see the plan template)")
    return plan_rules(plan, plan_resources(plan), settings.scheduling, start=plan["period"]["start"],
                      end=plan["period"]["end"], names=rule_names(settings), candidates=candidates)


def rule_names(settings: Settings) -> dict[str, tuple[str, str]]:
    """Funding-source and plan-category id → (vi, en) names, for the scheduler's messages."""
    categories = {c["id"]: (c["name_vi"], c["name_en"]) for c in settings.plan_data["categories"]}
    sources = settings.cost_rules_data.source_names
    return {**categories, **{k: (v, sources("en")[k]) for k, v in sources("vi").items()}}


def run_schedule(settings: Settings) -> ScheduleResult:
    """Schedule the villages under the plan's own rules (relaxed, and said so, when they conflict).

    Reads the scores and the cost projection (running those stages first if needed); writes ``schedule``
    (the scheduled villages by year), ``schedule_plan`` (every candidate with its year),
    ``phased_investment`` (year × source × criterion × commune, whole đồng) and ``schedule_summary``.
    """
    from ntm_analysis.schedule.planning import (build_candidates, cost_lines, phased_investment, schedule_rules,
                                                schedule_summary, scheduled_villages)
    from ntm_analysis.schedule.solver import schedule_villages

    scores = run_score(settings)
    projection = run_costs(settings)["cost_projection"]
    catalog = Catalog(settings.processed)
    candidates = build_candidates(scores, catalog.read("villages"), projection, baseline_year(settings, scores))
    rules = plan_rules_for(settings, candidates)
    lines = cost_lines(projection)
    key = digest_of({"inputs": catalog.outputs_digest("clean", "score", "costs"), "code": code_digest(),
                     "settings": _data_digest(settings, "plan", "schedule_rules")})
    if catalog.is_current("schedule", key):
        return load_schedule(settings, rules, lines)
    optimum = schedule_villages(candidates, rules)
    summary = schedule_summary(optimum, rules, lines)
    catalog.write_stage("schedule", key, {
        "schedule": scheduled_villages(optimum), "schedule_plan": optimum.schedule,
        "phased_investment": phased_investment(optimum, schedule_rules(optimum, rules), lines),
        "schedule_summary": _summary_text(summary)})
    return ScheduleResult(optimum, rules, lines, summary)


def _summary_text(summary: dict) -> str:
    return json.dumps(summary, ensure_ascii=False, indent=2) + "\n"


def load_schedule(settings: Settings, rules: PlanRules, lines: pd.DataFrame) -> ScheduleResult:
    """The schedule the schedule stage wrote, as a plan (its relaxations as recorded), under ``rules``."""
    from ntm_analysis.schedule.planning import schedule_rules
    from ntm_analysis.schedule.solver import SchedulePlan, spend_by_year

    catalog = Catalog(settings.processed)
    summary = catalog.read("schedule_summary")
    frame = catalog.read("schedule_plan")
    relaxed = [{**r, "rule": (r["rule"], tuple(r["key"]) if isinstance(r["key"], list) else r["key"])}
               for r in summary["relaxations"]]
    plan = SchedulePlan(frame, pd.DataFrame(), summary["status"], summary["objective"],
                        int(summary["total_cost_vnd"]), int(summary["villages_scheduled"]), relaxed,
                        summary["violations"])
    plan.spend = spend_by_year(frame, schedule_rules(plan, rules))
    return ScheduleResult(plan, rules, lines, summary)
