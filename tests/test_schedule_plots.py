"""Schedule figures, tested by their artists."""

import matplotlib.collections as mcoll
import numpy as np
import pandas as pd
import pytest

from ntm_analysis.reference.plan import load_plan
from ntm_analysis.schedule.planning import phased_investment
from ntm_analysis.schedule.solver import PlanRules, greedy_schedule, schedule_villages
from ntm_analysis.figures.schedule import (chart_rows, cumulative_figure, investment_figure, optimum_vs_greedy_figure,
                                         plot_cumulative_villages, plot_investment_by_year, plot_schedule_chart,
                                         scenario_figure, schedule_chart_figure)

YEARS = (2021, 2022, 2023)


@pytest.fixture(scope="module")
def instance():
    """Six villages in two communes (one already meeting), two sources, two villages a year."""
    cands = pd.DataFrame({
        "village_code": [f"v{i}" for i in range(6)], "village_name": [f"Làng {i}" for i in range(6)],
        "commune": ["Ia O", "Ia O", "Ia Sao", "Ia Sao", "Ia Sao", "Ia O"],
        "plan_category": ["border", "border", "commune_linked", "other", "other", "other"],
        "border_commune": [True, True, False, False, False, False],
        "commune_target_year": pd.array([pd.NA, pd.NA, 2022, pd.NA, pd.NA, pd.NA], dtype="Int64"),
        "meets_at_baseline": [False, False, False, False, False, True], "criteria_missing": [1, 2, 1, 3, 2, 0],
        "cost_integrated": [300, 500, 200, 400, 100, 0], "cost_community": [50, 0, 20, 80, 10, 0]})
    cands["cost_vnd"] = cands["cost_integrated"] + cands["cost_community"]
    budgets = pd.DataFrame(dict.fromkeys(YEARS, [1_000, 200]), index=["integrated", "community"])
    rules = PlanRules(YEARS, dict.fromkeys(YEARS, 1), {"border": 1}, 0.0, budgets, {0: "1/2", 1: "1/2"})
    return cands, rules, schedule_villages(cands, rules), greedy_schedule(cands, rules)


def test_investment_bars_stack_one_series_per_source_under_the_budget_line(instance):
    _, rules, plan, _ = instance
    phased = phased_investment(plan, rules)
    ax = plot_investment_by_year(phased, budgets=rules.budgets, source_names={"integrated": "Vốn lồng ghép"})
    assert len(ax.containers) == 2 and all(len(bars) == len(YEARS) for bars in ax.containers)
    assert [c.get_label() for c in ax.containers] == ["Vốn lồng ghép", "community"]
    heights = sum(p.get_height() for bars in ax.containers for p in bars)
    assert heights == pytest.approx(plan.total_cost_vnd / 1e6)
    budget = [line for line in ax.get_lines() if line.get_label() == "Ngân sách (tổng các nguồn)"]
    assert budget and list(budget[0].get_ydata()) == pytest.approx([1_200 / 1e6] * 3)


def test_cumulative_bars_meet_the_target_line(instance):
    _, rules, plan, _ = instance
    ax = plot_cumulative_villages(plan.schedule, rules, lang="en", plan=load_plan("ia-grai-2021-2025"))
    target = [line for line in ax.get_lines() if line.get_label() == "Plan target"]
    assert list(target[0].get_ydata()) == [1, 2, 3]
    tops = np.sum([[p.get_height() for p in bars] for bars in ax.containers], axis=0)
    assert list(tops) == list(np.cumsum([int((plan.schedule["year"] == y).sum()) for y in YEARS]))
    assert tops[-1] == plan.villages_scheduled


def test_schedule_chart_has_one_point_per_scheduled_village(instance):
    _, rules, plan, _ = instance
    ax = plot_schedule_chart(plan.schedule, rules=rules, plan=load_plan("ia-grai-2021-2025"))
    points = sum(len(c.get_offsets()) for c in ax.collections if isinstance(c, mcoll.PathCollection))
    assert points == plan.villages_scheduled == int(plan.schedule["year"].notna().sum())
    rows = chart_rows(plan.schedule)
    assert [t.get_text() for t in ax.get_yticklabels()] == rows["village_name"].tolist()
    assert list(dict.fromkeys(rows["commune"])) == ["Ia O", "Ia Sao"]  # grouped by commune, alphabetical
    spans = [c for c in ax.collections if isinstance(c, mcoll.LineCollection)]
    assert spans and min(seg[0][0] for seg in spans[0].get_segments()) >= YEARS[0]  # no spending before 2021


def test_figures_carry_the_synthetic_mark_only_when_synthetic(instance):
    cands, rules, plan, greedy = instance
    phased = phased_investment(plan, rules)
    for make in (lambda s: investment_figure(phased, synthetic=s), lambda s: cumulative_figure(plan.schedule, rules, plan=load_plan("ia-grai-2021-2025"),
                                                                                                synthetic=s),
                 lambda s: schedule_chart_figure(plan.schedule, rules=rules, plan=load_plan("ia-grai-2021-2025"), synthetic=s),
                 lambda s: optimum_vs_greedy_figure(plan, greedy, synthetic=s)):
        assert "DỮ LIỆU GIẢ LẬP" in [t.get_text() for t in make(True).texts]
        assert "DỮ LIỆU GIẢ LẬP" not in [t.get_text() for t in make(False).texts]


def test_optimum_and_greedy_side_by_side(instance):
    _, _, plan, greedy = instance
    fig = optimum_vs_greedy_figure(plan, greedy, lang="en")
    villages, money = fig.axes
    assert [c.get_label() for c in villages.containers] == ["Optimum", "Rank, then fund down the list"]
    assert sum(p.get_height() for p in villages.containers[0]) == plan.villages_scheduled
    assert sum(p.get_height() for p in villages.containers[1]) == greedy.villages_scheduled
    assert sum(p.get_height() for p in money.containers[0]) == pytest.approx(plan.total_cost_vnd / 1e6)


def test_scenario_figure_shows_failed_scenarios_without_bars():
    comparison = pd.DataFrame({
        "scenario": ["plan", "typo"], "status": ["optimal", "failed"],
        "villages": pd.array([30, pd.NA], dtype="Int64"), "total_cost_vnd": pd.array([3_000_000_000, pd.NA],
                                                                                    dtype="Int64"),
        "cost_integrated_vnd": pd.array([2_000_000_000, pd.NA], dtype="Int64"),
        "cost_community_vnd": pd.array([1_000_000_000, pd.NA], dtype="Int64")})
    fig = scenario_figure(comparison, "en", True)
    villages, cost = fig.axes
    assert [p.get_width() for p in villages.containers[0]] == [30, 0]
    assert [c.get_label() for c in cost.containers] == ["integrated", "community"]
    assert [p.get_width() for p in cost.containers[0]] == [2_000, 0]
    assert [t.get_text() for t in villages.get_yticklabels()] == ["plan", "typo (failed)"]
    assert "failed" in [t.get_text() for t in villages.texts]
    assert "SYNTHETIC DATA" in [t.get_text() for t in fig.texts]
