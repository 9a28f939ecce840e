"""From scores and costs to the scheduler's inputs, the plan's rules, summaries and scenario runs."""

import json
from fractions import Fraction
from types import MappingProxyType

import numpy as np
import pandas as pd
import pytest

from ntm_analysis.reference.plan import load_plan
from ntm_analysis.config import RAW_DIR
from ntm_analysis.reference.plan import PlanResources, plan_resources
from ntm_analysis.reference.scheduling import load_scheduling_defaults
from ntm_analysis.clean.folder import CleanResult
from ntm_analysis.schedule.planning import (annual_budgets, budget_use, build_candidates, cost_lines, investment_table,
                                   phased_investment, plan_rules, rules_lines, schedule_summary,
                                   status_lines, villages_per_year, write_schedule_summary)
from ntm_analysis.reports.scenarios import run_scenarios
from ntm_analysis.schedule.solver import CANDIDATE_COLUMNS, PlanRules, schedule_villages
from ntm_analysis.score.scoring import Scores
from tests.conftest import clean, write_clean_outputs

PLAN = load_plan("ia-grai-2021-2025")
SOURCES = ["central_direct", "integrated", "community"]


# --- candidates -------------------------------------------------------------------------------------


def _scores() -> Scores:
    """Villages A (fails 2, 1 incomplete), B (fails 1), C (meets) in 2020; in 2021 A meets, C does not."""
    status = pd.DataFrame({
        "village_code": ["A", "B", "C", "A", "C"], "year": [2020, 2020, 2020, 2021, 2021],
        "criteria_failed": [2, 1, 0, 0, 1], "criteria_incomplete": [1, 0, 0, 0, 0],
        "meets_standard": [False, False, True, True, False],
        "distance_to_standard": [0.8, 0.3, 0.0, 0.0, 0.1], "policy": "missing_fails"})
    return Scores(pd.DataFrame(), pd.DataFrame(), status, "test-set", "missing_fails")


def _villages() -> pd.DataFrame:
    """A, B, C as scored, and D never assessed."""
    return pd.DataFrame({
        "village_code": pd.array(["A", "B", "C", "D"], dtype="string"), "village_name": ["Làng A", "Làng B",
                                                                                        "Làng C", "Làng D"],
        "commune": ["Ia O", "Ia O", "Ia Sao", "Ia Sao"], "plan_category": ["border", "border", "commune_linked",
                                                                           "other"],
        "border_commune": pd.array([True, True, False, False], dtype="boolean"),
        "commune_target_year": pd.array([pd.NA, pd.NA, 2022, pd.NA], dtype="Int64"),
        "households": pd.array([120, 80, 95, 60], dtype="Int64")})


def _projection() -> pd.DataFrame:
    """A's cost lines: integrated 100 + 250 (two criteria), community 7; B and C: none."""
    source = pd.Categorical(["integrated", "integrated", "community"], categories=SOURCES)
    return pd.DataFrame({"village_code": pd.array(["A", "A", "A"], dtype="string"), "criterion": [2, 5, 2],
                         "source": source, "central_vnd": np.array([100, 250, 7], dtype="int64")})


def test_candidates_sum_costs_per_source_exactly():
    cands = build_candidates(_scores(), _villages(), _projection(), 2020)
    assert list(cands.columns) == [*CANDIDATE_COLUMNS, "distance_to_standard", "households", "village_name",
                                   "cost_central_direct", "cost_integrated", "cost_community"]
    assert cands["village_code"].tolist() == ["A", "B", "C"]  # D has no baseline status
    a = cands.set_index("village_code")
    assert a.loc["A", ["cost_central_direct", "cost_integrated", "cost_community", "cost_vnd"]].tolist() == [
        0, 350, 7, 357]
    assert (a.loc[["B", "C"], ["cost_integrated", "cost_community", "cost_vnd"]] == 0).all().all()
    assert all(cands[c].dtype == np.int64 for c in cands.columns if c.startswith("cost_"))


def test_candidates_take_the_baseline_year_status():
    a = build_candidates(_scores(), _villages(), _projection(), 2020).set_index("village_code")
    assert a["meets_at_baseline"].tolist() == [False, False, True]
    assert a["criteria_missing"].tolist() == [3, 1, 0]  # failed + incomplete under missing_fails
    assert a.loc["A", "distance_to_standard"] == 0.8
    assert a.loc["C", "commune_target_year"] == 2022 and a.loc["A", "border_commune"]
    later = build_candidates(_scores(), _villages(), _projection(), 2021).set_index("village_code")
    assert later["meets_at_baseline"].to_dict() == {"A": True, "C": False}


def test_cost_lines_are_the_central_amounts():
    lines = cost_lines(_projection())
    assert list(lines.columns) == ["village_code", "criterion", "source", "amount_vnd"]
    assert lines["amount_vnd"].tolist() == [100, 250, 7] and lines["amount_vnd"].dtype == np.int64
    assert lines["source"].tolist() == ["integrated", "integrated", "community"]


# --- the plan's rules ---------------------------------------------------------------------------------


def test_scheduling_file_gives_phasing_objective_and_budget_rule():
    defaults = load_scheduling_defaults("ia-grai-2021-2025")
    assert dict(defaults.phasing) == {1: Fraction(1, 2), 0: Fraction(1, 2)}
    assert defaults.provenance["phasing"] == "illustrative"
    assert defaults.provenance["annual_budgets"] == "assumption"
    assert defaults.objective == "min_cost" and defaults.budget_rule == "even_split"
    assert "biểu đính kèm" in defaults.notes["annual_budgets"][0]


def test_rules_from_the_plan():
    resources = plan_resources(PLAN)
    rules = plan_rules(PLAN, resources, load_scheduling_defaults("ia-grai-2021-2025"), start=2021, end=2025)
    assert rules.years == (2021, 2022, 2023, 2024, 2025)
    assert rules.min_per_year == dict.fromkeys(rules.years, 6)
    assert rules.category_quotas == {"commune_linked": 6, "border": 6, "other": 18}
    assert rules.border_share == 90
    assert rules.objective == "min_cost" and rules.phasing == {1: Fraction(1, 2), 0: Fraction(1, 2)}
    assert rules.budgets.sum(axis=1).to_dict() == dict(resources.by_source_vnd)  # to the đồng
    assert rules.budgets.at["integrated", 2021] == 3_410_200_000  # 17.051 triệu đồng / 5


def test_even_split_adds_up_when_it_does_not_divide():
    resources = PlanResources(1_000_000_003, MappingProxyType({"community": 1_000_000_003}), ())
    split = annual_budgets(resources, [2021, 2022, 2023, 2024, 2025])
    assert split.loc["community"].tolist() == [200_000_001, 200_000_001, 200_000_001, 200_000_000, 200_000_000]
    assert split.loc["community"].sum() == 1_000_000_003 and split.dtypes.eq(np.int64).all()


def test_overrides_replace_the_plan_exactly():
    resources = plan_resources(PLAN)
    rules = plan_rules(PLAN, resources, load_scheduling_defaults("ia-grai-2021-2025"), start=2021, end=2023, budget_scale=0.5,
                       budgets={"community": {2022: 123.4567, "2023": 0.1}}, min_per_year=3, quotas={"border": 2},
                       border_share=50, objective="max_villages", phasing={0: 1})
    assert rules.years == (2021, 2022, 2023) and rules.min_per_year == {2021: 3, 2022: 3, 2023: 3}
    assert rules.budgets.at["community", 2022] == 61_728_350  # 123,456,700 đồng × 0.5
    assert rules.budgets.at["community", 2023] == 50_000
    assert rules.budgets.at["community", 2021] == 850_000_000 and rules.budgets.at["integrated", 2022] == 1_705_100_000
    assert rules.category_quotas == {"commune_linked": 6, "border": 2, "other": 18}
    assert (rules.border_share, rules.objective, rules.phasing) == (50.0, "max_villages", {0: 1})


def test_overrides_that_cannot_be_used_are_refused():
    resources = plan_resources(PLAN)
    with pytest.raises(ValueError, match="unknown funding source.*people"):
        plan_rules(PLAN, resources, load_scheduling_defaults("ia-grai-2021-2025"), start=2021, end=2025, budgets={"people": {2021: 1}})
    with pytest.raises(ValueError, match="no resources for 2026"):
        plan_rules(PLAN, resources, load_scheduling_defaults("ia-grai-2021-2025"), start=2021, end=2026)
    with pytest.raises(ValueError, match="whole number of đồng"):
        plan_rules(PLAN, resources, load_scheduling_defaults("ia-grai-2021-2025"), start=2021, end=2025, budgets={"community": {2021: 0.0000001}})
    rules = plan_rules(PLAN, resources, load_scheduling_defaults("ia-grai-2021-2025"), start=2025, end=2026, budgets={s: {2026: 10} for s in resources.by_source_vnd})
    assert rules.budgets[2026].tolist() == [10_000_000] * 4


def test_rules_in_planner_language_say_where_each_rule_comes_from():
    resources = plan_resources(PLAN)
    lines = rules_lines(plan_rules(PLAN, resources, load_scheduling_defaults("ia-grai-2021-2025"), start=2021, end=2025), {"border": "Xã biên giới"}, "en", defaults=load_scheduling_defaults("ia-grai-2021-2025"),
                        budget_scale=0.5, budgets={"community": {2022: 100}})
    assert "Quotas by category (new villages over the horizon): commune_linked: 6, Xã biên giới: 6, other: 18" in lines
    assert any(line.startswith("Phasing of a village's money: 50 % 1 year(s) before it; 50 % in the year of "
                               "recognition; spending due before 2021 counts in 2021 (Illustrative") for line in lines)
    assert lines[-2:] == ["Budgets replaced (million VND): community 2022: 100",
                          "Every annual budget multiplied by 0.5"]
    own = rules_lines(plan_rules(PLAN, resources, load_scheduling_defaults("ia-grai-2021-2025"), start=2021, end=2025, phasing={0: 1}), {}, "vi", defaults=load_scheduling_defaults("ia-grai-2021-2025"))
    assert "Phân kỳ vốn của một làng: 100 % trong năm đạt chuẩn; phần chi trước năm 2021 tính vào năm 2021" in own


# --- summaries ---------------------------------------------------------------------------------------------


def _instance(budget: int) -> tuple[pd.DataFrame, PlanRules]:
    """Three villages (one already meeting), two sources, two years, one village a year."""
    cands = pd.DataFrame({
        "village_code": ["v1", "v2", "v3"], "commune": ["x", "x", "y"], "plan_category": ["other", "border", "other"],
        "border_commune": [False, True, False], "commune_target_year": pd.array([pd.NA] * 3, dtype="Int64"),
        "meets_at_baseline": [False, False, True], "criteria_missing": [1, 2, 0],
        "cost_integrated": [300, 500, 0], "cost_community": [101, 0, 0]})
    cands["cost_vnd"] = cands["cost_integrated"] + cands["cost_community"]
    budgets = pd.DataFrame({2021: [budget, budget], 2022: [budget, budget]}, index=["integrated", "community"])
    return cands, PlanRules((2021, 2022), {2021: 1, 2022: 1}, {}, 0.0, budgets, {0: "1/2", 1: "1/2"})


def test_summary_states_the_schedule_in_json():
    cands, rules = _instance(1_000)
    plan = schedule_villages(cands, rules)
    summary = json.loads(json.dumps(schedule_summary(plan, rules)))
    assert summary["status"] == "optimal" and summary["objective"] == "min_cost"
    assert summary["villages_scheduled"] == 2 and summary["villages_by_year"] == {"2021": 1, "2022": 1}
    assert summary["villages_by_category"] == {"border": 1, "other": 1}
    assert summary["total_cost_vnd"] == 901
    assert summary["cost_by_source_vnd"] == {"integrated": 800, "community": 101}
    spend = summary["spend_vnd"]
    assert {s: sum(by_year.values()) for s, by_year in spend.items()} == summary["cost_by_source_vnd"]
    assert summary["budgets_vnd"]["community"] == {"2021": 1_000, "2022": 1_000}
    assert summary["relaxations"] == [] and summary["violations"] == []


def test_summary_of_a_relaxed_plan_names_the_rules_in_both_languages(tmp_path):
    cands, rules = _instance(200)
    plan = schedule_villages(cands, rules)
    assert plan.status == "relaxed"
    path = write_schedule_summary(plan, rules, tmp_path / "out" / "schedule_summary.json")
    summary = json.loads(path.read_text(encoding="utf-8"))
    assert summary == json.loads(json.dumps(schedule_summary(plan, rules)))
    budget = [r for r in summary["relaxations"] if r["rule"] == "budget"]
    assert budget and all(isinstance(r["key"], list) and r["key"][0] in ("integrated", "community") for r in budget)
    assert all(r["message_vi"] and r["message_en"] and isinstance(r["amount"], int) for r in summary["relaxations"])
    lines = status_lines(plan, {"integrated": "Vốn lồng ghép", "community": "Cộng đồng dân cư"}, "vi")
    assert lines[0].startswith("Không có lịch nào") and any("Vốn lồng ghép, năm" in line for line in lines)


def test_phased_tables_add_up_and_show_overruns():
    cands, rules = _instance(200)
    plan = schedule_villages(cands, rules)
    counts = villages_per_year(plan, rules)
    assert counts.loc["Tổng cộng / Total", "total"] == plan.villages_scheduled == 2
    assert counts.loc[[2021, 2022], "total"].tolist() == [1, 1]
    phased = phased_investment(plan, rules)
    table = investment_table(phased, "source", list(rules.years), order=rules.sources)
    assert list(table.index) == ["integrated", "community", "Tổng cộng / Total"]
    assert table.loc["Tổng cộng / Total", "total"] == plan.total_cost_vnd == 901
    use = budget_use(phased, rules)
    assert list(use.columns) == ["source", "year", "budget_vnd", "spend_vnd", "left_vnd"]
    assert use["spend_vnd"].sum() == 901 and (use["left_vnd"] < 0).any()  # the plan's own budgets are exceeded


# --- scenarios ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tiny_processed(tmp_path_factory, criteria):
    """Two communes of the sample district (Ia O, border; Ia Sao, one commune-linked village), cleaned."""
    result = clean(RAW_DIR, criteria)
    keep = result.villages["commune"].isin(["Ia O", "Ia Sao"])
    codes = set(result.villages.loc[keep, "village_code"])
    tiny = CleanResult(result.villages[keep], result.values[result.values["village_code"].isin(codes)],
                       result.rejected_villages.iloc[:0], result.rejected_values.iloc[:0], result.problems.iloc[:0],
                       result.changes.iloc[:0], result.summary)
    out = tmp_path_factory.mktemp("tiny") / "processed"
    write_clean_outputs(tiny, out)
    return out


@pytest.mark.notebook
def test_scenarios_run_apart_and_a_bad_one_fails_alone(tiny_processed, tmp_path):
    small = {"processed_dir": str(tiny_processed), "min_per_year": 1, "quota_commune_linked": 1, "quota_border": 2,
             "quota_other": 0, "border_share": 0.0}
    comparison = run_scenarios({"Kế hoạch nhỏ": small, "typo": {**small, "budget_scal": 2.0},
                                "missing data": {**small, "processed_dir": str(tmp_path / "nowhere")}},
                               tmp_path / "scenarios", processes=2)
    assert comparison["scenario"].tolist() == ["Kế hoạch nhỏ", "typo", "missing data"]
    ok, typo, missing = comparison.to_dict("records")
    assert ok["status"] in ("optimal", "relaxed") and ok["error"] == ""
    summary = json.loads((tmp_path / "scenarios" / "ke-hoach-nho" / "schedule_summary.json").read_text("utf-8"))
    assert ok["villages"] == summary["villages_scheduled"] >= 3
    assert ok["total_cost_vnd"] == summary["total_cost_vnd"] == sum(
        ok[f"cost_{s}_vnd"] for s in summary["cost_by_source_vnd"])
    assert (tmp_path / "scenarios" / "ke-hoach-nho" / "04_phased_investment.html").is_file()
    assert typo["status"] == "failed" and "budget_scal" in typo["error"] and pd.isna(typo["villages"])
    assert not (tmp_path / "scenarios" / "typo").exists()  # refused before anything ran
    # the chain's own message: no output of `ntm clean` in that folder (found before any worker started)
    assert missing["status"] == "failed" and "OutputsError" in missing["error"] and "ntm clean" in missing["error"]
    assert not (tmp_path / "scenarios" / "missing-data").exists()


def test_a_budget_relaxation_is_worded_to_the_dong_unless_it_is_whole_millions():
    from ntm_analysis.schedule.planning import rule_text

    names = {"community": "Cộng đồng dân cư"}
    small = {"rule": ("budget", ("community", 2024)), "amount": 1, "message_vi": "", "message_en": ""}
    whole = {**small, "amount": 214_000_000}
    assert "1 đồng" in rule_text(small, names, "vi") and "0 triệu" not in rule_text(small, names, "vi")
    assert "214 triệu đồng" in rule_text(whole, names, "vi")
