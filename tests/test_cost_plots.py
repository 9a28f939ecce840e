"""Cost figures, checked by their artists: bars, colours per source, labels, ranges, the synthetic mark."""

import matplotlib.colors as mcolors
import numpy as np
import pandas as pd
import pytest
from matplotlib.container import BarContainer

from ntm_analysis.figures import costs as cost_plots
from ntm_analysis.figures.costs import (SOURCE_COLOURS, cost_by_criterion_figure, plan_vs_projection_figure,
                                     plot_cost_by_criterion, plot_plan_vs_projection, plot_village_costs,
                                     village_cost_figure)

M = 1_000_000
NAMES = {2: ("Giao thông", "Transport"), 9: ("Nhà ở dân cư", "Housing")}
SOURCE_NAMES = {"integrated": ("Vốn lồng ghép", "Integrated funds"),
                "enterprises": ("Doanh nghiệp, HTX", "Enterprises"), "community": ("Cộng đồng dân cư", "Community")}


def _projection(lines):
    """Projection-like lines: (village, criterion, source, central million VND)."""
    frame = pd.DataFrame(lines, columns=["village_code", "criterion", "source", "central"])
    return frame.assign(
        criterion_vi=frame["criterion"].map(lambda n: NAMES[n][0]),
        criterion_en=frame["criterion"].map(lambda n: NAMES[n][1]),
        source_vi=frame["source"].map(lambda s: SOURCE_NAMES[s][0]),
        source_en=frame["source"].map(lambda s: SOURCE_NAMES[s][1]),
        low_vnd=(frame["central"] * M // 2).astype("int64"), central_vnd=(frame["central"] * M).astype("int64"),
        high_vnd=(frame["central"] * M * 2).astype("int64"))


PROJECTION = _projection([("a", 2, "integrated", 10_000), ("b", 2, "integrated", 2_000),
                          ("a", 9, "enterprises", 3_000), ("a", 9, "community", 3_000)])


def _colour(patch):
    return mcolors.to_hex(patch.get_facecolor())


def test_cost_by_criterion_stacks_sources_largest_criterion_on_top():
    ax = plot_cost_by_criterion(PROJECTION)
    assert len(ax.patches) == 2 * 3  # a bar per criterion and source present (zero where it pays nothing)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["9. Nhà ở dân cư", "2. Giao thông"]  # 6 000 below, 12 000 on top
    colours = {_colour(p) for p in ax.patches if p.get_width() > 0}
    assert colours == {SOURCE_COLOURS[s] for s in ("integrated", "enterprises", "community")}
    housing = [p for p in ax.patches if p.get_width() > 0 and p.get_y() < 0.5]
    assert sorted(p.get_width() for p in housing) == [3_000, 3_000]
    assert {t.get_text() for t in ax.texts} == {"12.000", "6.000"}  # totals, Vietnamese thousands
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Vốn lồng ghép", "Doanh nghiệp, HTX",
                                                                    "Cộng đồng dân cư"]
    assert ax.get_xlabel() == "Triệu đồng"


def test_cost_by_criterion_in_english_and_synthetic_mark():
    fig = cost_by_criterion_figure(PROJECTION, lang="en", synthetic=True)
    ax = fig.axes[0]
    assert {t.get_text() for t in ax.texts} == {"12,000", "6,000"}
    assert ax.get_yticklabels()[-1].get_text() == "2. Transport"
    assert "SYNTHETIC DATA" in [t.get_text() for t in fig.texts]


COMPARISON = pd.DataFrame({
    "row": ["2", "17", "unattributed", "total"], "criterion": pd.array([2, 17, None, None], dtype="Int64"),
    "label_vi": ["Giao thông", "Môi trường", "Chưa phân bổ cho tiêu chí nào", "Tổng cộng"],
    "label_en": ["Transport", "Environment", "Not attributed to any criterion", "Total"],
    "row_kind": ["criterion", "criterion", "unattributed", "total"],
    "plan_vnd": pd.array([10_000 * M, None, 4_051 * M, 14_051 * M], dtype="Int64"),
    "low_vnd": np.array([2_000, 500, 0, 2_500], dtype="int64") * M,
    "central_vnd": np.array([4_000, 1_000, 0, 5_000], dtype="int64") * M,
    "high_vnd": np.array([7_000, 2_000, 0, 9_000], dtype="int64") * M,
})


def test_plan_vs_projection_pairs_bars_and_shows_the_range():
    ax = plot_plan_vs_projection(COMPARISON, lang="en")
    plan, projection = [c for c in ax.containers if isinstance(c, BarContainer)]
    assert [p.get_width() for p in plan.patches] == [10_000, 4_051]  # no plan bar where the plan gives none
    assert [p.get_width() for p in projection.patches] == [4_000, 1_000]  # the total row is not drawn
    assert {_colour(p) for p in plan.patches} == {cost_plots.PLAN_COLOUR}
    bars = projection.errorbar.lines[2][0].get_segments()
    assert [(s[0][0], s[1][0]) for s in bars] == [(2_000, 7_000), (500, 2_000)]  # low – high
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["2. Transport", "17. Environment", "Not attributed to any criterion"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Plan", "Projection (low – high range)"]


def test_plan_vs_projection_figure_vietnamese():
    fig = plan_vs_projection_figure(COMPARISON, synthetic=True)
    assert fig.axes[0].get_title() == "Dự toán của kế hoạch so với ước tính từ các làng"
    assert "DỮ LIỆU GIẢ LẬP" in [t.get_text() for t in fig.texts]


VILLAGE_COSTS = pd.DataFrame({
    "village_code": ["a", "b", "c"], "village_name": ["Làng A", "Làng B", pd.NA], "commune": ["Ia O", "Ia O", "Ia Tô"],
    "low_vnd": np.array([100, 50, 10], dtype="int64") * M, "central_vnd": np.array([200, 300, 20], dtype="int64") * M,
    "high_vnd": np.array([400, 600, 40], dtype="int64") * M})


def test_village_costs_sorted_with_range_and_commune():
    ax = plot_village_costs(VILLAGE_COSTS)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["c (Ia Tô)", "Làng A (Ia O)", "Làng B (Ia O)"]  # largest at the top; code when unnamed
    assert [p.get_width() for p in ax.patches] == [20, 200, 300]
    bars = next(c for c in ax.containers if isinstance(c, BarContainer))
    segments = bars.errorbar.lines[2][0].get_segments()
    assert [(s[0][0], s[1][0]) for s in segments] == [(10, 40), (100, 400), (50, 600)]


def test_village_cost_figure_grows_with_villages():
    many = pd.concat([VILLAGE_COSTS.assign(village_code=VILLAGE_COSTS["village_code"] + str(i)) for i in range(30)])
    small, large = village_cost_figure(VILLAGE_COSTS), village_cost_figure(many, lang="en", synthetic=True)
    assert large.get_figheight() > small.get_figheight()
    assert large.axes[0].get_title() == "Cost per village (central, with the low – high range)"


@pytest.mark.parametrize("sources", [["integrated", "bank"], ["other"]])
def test_unknown_sources_get_a_colour(sources):
    colours = cost_plots.source_colours(sources)
    assert set(colours) == set(sources) and all(colours.values())
