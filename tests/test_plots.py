"""Figures checked by their artists, on three hand-made villages in two communes scored under the 2019 set.

Village a (Ia Krái) meets every criterion; b (Ia Krái) fails transport (2.1) and has no health data
(15.1) in 2023, then meets everything in 2024; c (Ia O) fails housing (9.2) and income (10) both years.
"""

import warnings

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_rgba

from ntm_analysis.reference.plan import load_plan
from ntm_analysis.score.aggregates import alkire_foster
from ntm_analysis.figures.scores import (MISSING_COLOURS, STATUS_CMAP, STATUS_COLOURS, commune_multiples_figure,
                                criteria_heatmap_figure, criterion_label, distance_figure, failure_rate_figure,
                                heatmap_matrix, plot_criteria_heatmap, plot_distance, plot_failure_rate,
                                label, plot_progress, progress_figure, save_figure)
from ntm_analysis.score.progress import standard_progress
from ntm_analysis.score.scoring import score_villages

PLAN = load_plan("ia-grai-2021-2025")
SYNTHETIC_VI, SYNTHETIC_EN = label("synthetic", "vi"), label("synthetic", "en")


def _values(criteria) -> pd.DataFrame:
    special = {("b", 2023, "2.1"): 50.0, ("b", 2023, "15.1"): np.nan, ("c", 2023, "9.2"): 50.0,
               ("c", 2023, "10"): 30.0, ("c", 2024, "9.2"): 50.0, ("c", 2024, "10"): 30.0}
    rows = []
    for village in "abc":
        for year in (2023, 2024):
            for ind in criteria.indicators:
                passing = 1.0 if ind.kind == "boolean" else (100.0 if ind.direction == ">=" else 0.0)
                rows.append((village, year, ind.code, special.get((village, year, ind.code), passing)))
    return pd.DataFrame(rows, columns=["village_code", "year", "indicator_code", "value"])


VILLAGES = pd.DataFrame({
    "village_code": ["a", "b", "c"], "village_name": ["Làng Plei Mơ", "Làng Đê Hra", "Làng Kép"],
    "commune": ["Ia Krái", "Ia Krái", "Ia O"], "plan_category": ["commune_linked", "other", "border"],
    "threshold_group": ["1", "1", "1"], "border_commune": [False, False, True]})


@pytest.fixture(scope="module")
def scores(criteria):
    return score_villages(_values(criteria), VILLAGES, criteria)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _texts(fig) -> list[str]:
    return [t.get_text() for t in fig.texts]


def _draw_without_glyph_warnings(fig) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.canvas.draw()
    missing = [str(w.message) for w in caught if "glyph" in str(w.message).lower()]
    assert not missing, missing


# --- heatmap ---------------------------------------------------------------------------------------


def test_heatmap_matrix_groups_by_commune_and_orders_by_criteria_met(scores):
    matrix = heatmap_matrix(scores.criteria, VILLAGES, 2023)
    assert list(matrix.index.get_level_values("village_code")) == ["a", "b", "c"]  # Ia Krái: a 19 > b 17
    assert list(matrix.index.get_level_values("commune")) == ["Ia Krái", "Ia Krái", "Ia O"]
    assert list(matrix.columns) == list(range(1, 20))
    assert (matrix.loc[("Ia Krái", "b", "Làng Đê Hra"), 2], matrix.loc[("Ia Krái", "b", "Làng Đê Hra"), 15]) == \
        ("fail", "incomplete")


def test_heatmap_cells_colours_labels_and_legend(scores):
    ax = plot_criteria_heatmap(scores.criteria, VILLAGES, 2023)
    image = ax.images[0]
    cells = np.asarray(image.get_array())
    assert cells.shape == (3, 19)
    assert (cells[0] == 0).all()                     # village a: every criterion met
    assert cells[1, 1] == 1 and cells[1, 14] == 2    # b: transport failed, health without data
    assert cells[2, 8] == 1 and cells[2, 9] == 1     # c: housing and income failed
    colour = {s: image.cmap(image.norm(i)) for i, s in enumerate(["pass", "fail", "incomplete"])}
    assert colour == {s: to_rgba(STATUS_COLOURS[s]) for s in colour}
    assert colour["pass"][1] > colour["pass"][0] and colour["fail"][0] > colour["fail"][1]  # green, red
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert ticks[1] == "2. Giao thông" and ticks[14] == "15. Y tế" and ticks[17] == "18. Hệ thống chính trị"
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Làng Plei Mơ", "Làng Đê Hra", "Làng Kép"]
    legend = ax.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["Đạt", "Chưa đạt", "Chưa có số liệu"]
    assert [to_rgba(h.get_facecolor()) for h in legend.legend_handles] == \
        [to_rgba(STATUS_COLOURS[s]) for s in ["pass", "fail", "incomplete"]]
    assert {t.get_text() for t in ax.texts} == {"Ia Krái", "Ia O"}  # commune labels
    assert len(ax.lines) == 1                                         # one separator between the communes
    assert "2023" in ax.get_title()


def test_heatmap_in_english_and_the_colour_map_constant(scores):
    ax = plot_criteria_heatmap(scores.criteria, VILLAGES, 2024, lang="en")
    assert [t.get_text() for t in ax.get_xticklabels()][1] == "2. Transport"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Met", "Not met", "No data"]
    assert [to_rgba(c) for c in STATUS_CMAP.colors] == [to_rgba(STATUS_COLOURS[s]) for s in
                                                         ["pass", "fail", "incomplete"]]


def test_heatmap_year_without_scores_is_an_error(scores):
    with pytest.raises(ValueError, match="2019"):
        heatmap_matrix(scores.criteria, VILLAGES, 2019)


def test_criterion_label_shortens_long_names():
    assert criterion_label(18, "Hệ thống chính trị, bình đẳng giới, tiếp cận pháp luật") == "18. Hệ thống chính trị"
    assert criterion_label(7, "Hạ tầng thương mại nông thôn") == "7. Hạ tầng thương mại nông…"
    assert criterion_label(2, "Giao thông") == "2. Giao thông"


# --- failure rate ----------------------------------------------------------------------------------


def test_failure_rate_bars_follow_the_censored_headcount(scores):
    _, per_criterion = alkire_foster(scores, VILLAGES)
    ax = plot_failure_rate(per_criterion, year=2023)
    bars = ax.patches
    assert len(bars) == 19
    widths = dict(zip([t.get_text() for t in ax.get_yticklabels()], [b.get_width() for b in bars]))
    for name in ["2. Giao thông", "9. Nhà ở dân cư", "10. Thu nhập", "15. Y tế"]:  # 1 village of 3 each
        assert widths[name] == pytest.approx(100 / 3)
    assert widths["1. Quy hoạch"] == 0
    assert bars[-1].get_width() == max(b.get_width() for b in bars)  # largest at the top
    assert {to_rgba(b.get_facecolor()) for b in bars} == {to_rgba(STATUS_COLOURS["fail"])}
    assert "2023" in ax.get_title()


def test_failure_rate_needs_one_year(scores):
    _, per_criterion = alkire_foster(scores, VILLAGES)
    with pytest.raises(ValueError, match="year"):
        plot_failure_rate(per_criterion)
    ax = plot_failure_rate(per_criterion, year=2024, lang="en")
    widths = dict(zip([t.get_text() for t in ax.get_yticklabels()], [b.get_width() for b in ax.patches]))
    assert widths["15. Health"] == 0 and widths["10. Income"] == pytest.approx(100 / 3)


# --- distance to the standard ----------------------------------------------------------------------


def test_distance_bars_sorted_coloured_and_meeting_villages_marked(scores):
    ax = plot_distance(scores.villages, VILLAGES, year=2023)
    bars = ax.patches
    assert len(bars) == 3
    widths = [b.get_width() for b in bars]
    assert widths == sorted(widths) and widths[0] == 0      # farthest at the top, village a at 0
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[0] == "Làng Plei Mơ (Ia Krái)" and set(labels[1:]) == {"Làng Đê Hra (Ia Krái)", "Làng Kép (Ia O)"}
    # b misses 2 (transport failed, health without data under missing_fails); c misses 2
    assert [to_rgba(b.get_facecolor()) for b in bars[1:]] == [to_rgba(MISSING_COLOURS[2])] * 2
    marks = ax.collections[0].get_offsets()
    assert marks.tolist() == [[0.0, 0.0]]                    # one diamond, at village a's bar
    legend = ax.get_legend()
    assert legend.get_title().get_text() == "Số tiêu chí chưa đạt"
    assert [t.get_text() for t in legend.get_texts()] == ["2", "Đạt chuẩn"]


def test_distance_under_exclude_does_not_count_missing_data(criteria):
    excluded = score_villages(_values(criteria), VILLAGES, criteria, "exclude")
    ax = plot_distance(excluded.villages, VILLAGES, year=2023, lang="en")
    colours = dict(zip([t.get_text() for t in ax.get_yticklabels()], [to_rgba(b.get_facecolor()) for b in ax.patches]))
    assert colours["Làng Đê Hra (Ia Krái)"] == to_rgba(MISSING_COLOURS[1])  # only transport counts
    assert "Meets the standard" in [t.get_text() for t in ax.get_legend().get_texts()]


# --- progress vs target ----------------------------------------------------------------------------


def _progress():
    villages = pd.DataFrame({"village_code": list("abcd"),
                             "plan_category": ["commune_linked", "border", "other", "other"]})
    meeting = {2020: set(), 2021: {"a"}, 2022: {"a", "b", "c"}}
    status = pd.DataFrame([(v, y, v in m) for y, m in meeting.items() for v in "abcd"],
                          columns=["village_code", "year", "meets_standard"])
    return standard_progress(status, villages, PLAN)


def test_progress_stacks_categories_against_the_target_line():
    progress = _progress()
    ax = plot_progress(progress, plan=load_plan("ia-grai-2021-2025"))
    assert len(ax.patches) == 3 * 3                           # 3 categories × 3 years
    heights = [p.get_height() for p in ax.patches]
    assert heights == [0, 1, 1, 0, 0, 1, 0, 0, 1]             # commune-linked, border, other per year
    bottoms = [p.get_y() for p in ax.patches]
    assert bottoms[6:] == [0, 1, 2]                           # "other" stacked on the two below
    target = ax.lines[0]
    assert list(target.get_ydata()) == pytest.approx([0, 6, 12])
    names = {c["id"]: c["name_vi"] for c in PLAN["categories"]}
    assert [t.get_text() for t in ax.get_legend().get_texts()] == \
        ["Mục tiêu kế hoạch", names["commune_linked"], names["border"], names["other"]]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2020", "2021", "2022"]


# --- small multiples -------------------------------------------------------------------------------


def test_commune_multiples_one_panel_per_commune(scores):
    fig = commune_multiples_figure(scores.villages, VILLAGES, synthetic=True)
    panels = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in panels] == ["Ia Krái", "Ia O"]
    krai = panels[0]
    meeting = [p.get_height() for p in krai.patches[2:]]      # after the two grey "assessed" bars
    assert [p.get_height() for p in krai.patches[:2]] == [2, 2] and meeting == [1, 2]
    assert to_rgba(krai.patches[2].get_facecolor()) == to_rgba(STATUS_COLOURS["pass"])
    assert [p.get_height() for p in panels[1].patches[2:]] == [0, 0]
    assert SYNTHETIC_VI in _texts(fig)


# --- every figure: synthetic mark, glyphs, byte-stable files -----------------------------------------


def _figures(scores, lang, synthetic):
    _, per_criterion = alkire_foster(scores, VILLAGES)
    return [
        criteria_heatmap_figure(scores.criteria, VILLAGES, 2023, lang=lang, synthetic=synthetic),
        failure_rate_figure(per_criterion, year=2023, lang=lang, synthetic=synthetic),
        distance_figure(scores.villages, VILLAGES, year=2023, lang=lang, synthetic=synthetic),
        progress_figure(_progress(), lang=lang, plan=load_plan("ia-grai-2021-2025"), synthetic=synthetic),
        commune_multiples_figure(scores.villages, VILLAGES, lang=lang, synthetic=synthetic),
    ]


@pytest.mark.parametrize("lang, mark", [("vi", SYNTHETIC_VI), ("en", SYNTHETIC_EN)])
def test_synthetic_mark_only_when_asked(scores, lang, mark):
    for fig in _figures(scores, lang, synthetic=True):
        assert mark in _texts(fig)
    for fig in _figures(scores, lang, synthetic=False):
        assert mark not in _texts(fig)


def test_vietnamese_text_renders_without_missing_glyphs(scores):
    for fig in _figures(scores, "vi", synthetic=True):
        _draw_without_glyph_warnings(fig)


def test_save_figure_twice_gives_identical_bytes(scores, tmp_path):
    fig = criteria_heatmap_figure(scores.criteria, VILLAGES, 2023, synthetic=True)
    first = save_figure(fig, tmp_path / "one.png").read_bytes()
    second = save_figure(fig, tmp_path / "two.png").read_bytes()
    assert first[:8] == b"\x89PNG\r\n\x1a\n" and first == second
    assert not list(tmp_path.glob(".*.tmp"))  # nothing half-written left behind
    rebuilt = criteria_heatmap_figure(scores.criteria, VILLAGES, 2023, synthetic=True)
    assert save_figure(rebuilt, tmp_path / "three.png").read_bytes() == first
