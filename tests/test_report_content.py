"""What the reports show, on small hand-made frames; the district-wide results and their cache."""

from __future__ import annotations

import shutil

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from IPython.display import HTML, Markdown

from ntm_analysis.catalog import OutputsError
from ntm_analysis.core.errors import UserError
from ntm_analysis.reports import content as rc
from tests.reports_sample import cleaned_sample

PLAN = {"baseline_year": 2020, "period": {"start": 2021, "end": 2025},
        "targets": {"villages_total": 30, "by_category": {"commune_linked": 6, "border": 6, "other": 18},
                    "border_commune_share": 90}}


def test_text_is_vietnamese_or_english_only():
    assert rc.text("status", "vi", year=2025) == "Tình trạng từng làng năm 2025"
    assert rc.text("status", "en", year=2025) == "Status of each village, 2025"
    with pytest.raises(ValueError, match="lang"):
        rc.text("status", "fr", year=2025)


def test_headings_are_numbered_by_their_place_in_the_report():
    assert rc.heading("commune", "costs", "vi").data.startswith("## 3. Khoảng cách")
    assert rc.heading("district", "alkire_foster", "en").data == "## 4. Alkire–Foster measures (H, A, M0)"


def test_names_from_data_are_literal_markdown():
    assert rc.md_escape('Ia "O"\n<b>x</b> *y*') == 'Ia "O" \\<b\\>x\\</b\\> \\*y\\*'


def test_markdown_lines_keep_a_list_together_and_the_rest_apart():
    assert rc.markdown_lines(["Head:", "- a", "- b", "Tail."]) == "Head:\n\n- a\n- b\n\nTail."


def test_table_formats_numbers_money_years_and_booleans_in_the_language():
    frame = pd.DataFrame({"year": [2025, 2024], "name": ["<Làng A>", None], "villages": [1234, 5],
                          "cost_vnd": [1_865_400_000, 0], "ratio": [0.125, float("nan")], "ok": [True, False]})
    vi = rc.format_table(frame, "vi")
    assert vi.to_dict("list") == {"year": ["2025", "2024"], "name": ["<Làng A>", ""], "villages": ["1.234", "5"],
                                  "cost_vnd": ["1.865", "0"], "ratio": ["0,12", ""], "ok": ["Có", "Không"]}
    en = rc.format_table(frame, "en", {"name": "Village", "cost_vnd": "Cost"}, decimals={"ratio": 3})
    assert list(en.columns) == ["Village", "Cost (million VND)"] and en["Cost (million VND)"][0] == "1,865"
    page = rc.table(frame, "vi").data
    assert "&lt;Làng A&gt;" in page and "<Làng" not in page  # escaped
    assert '<td class="num">1.234</td>' in page and '<td class="text">' in page


def test_show_leaves_out_empty_outputs(monkeypatch):
    shown = []
    monkeypatch.setattr(rc, "display", shown.append)
    rc.show(Markdown(""), (HTML(" "), [Markdown("x"), None]), HTML("<p>y</p>"))
    assert [item.data for item in shown] == ["x", "<p>y</p>"]


def test_show_figure_displays_exactly_the_file_it_saves(tmp_path):
    fig, ax = plt.subplots()
    ax.plot([0, 1], [1, 0])
    image = rc.show_figure(fig, tmp_path, "line")
    assert image.data == (tmp_path / "line.png").read_bytes() and image.data[:8] == b"\x89PNG\r\n\x1a\n"
    assert not plt.fignum_exists(fig.number)  # closed: not shown a second time by the inline backend
    fig, _ = plt.subplots()
    assert rc.show_figure(fig, "", "kept-nowhere").data[:4] == b"\x89PNG"


def test_commune_targets_count_the_commune_part_and_where_it_stands():
    scope = pd.DataFrame({"village_code": ["a", "b", "c"], "plan_category": ["commune_linked", "other", "other"]})
    status = pd.DataFrame({"village_code": ["a", "a", "b", "b", "c", "c", "z"],
                           "year": [2020, 2023, 2020, 2023, 2020, 2023, 2023],
                           "meets_standard": [False, True, False, False, True, True, True]})
    schedule = pd.DataFrame({"village_code": ["a", "b", "c", "z"], "year": pd.array([2022, 2025, pd.NA, 2021],
                                                                                     dtype="Int64")})
    targets = {"all": 30, "commune_linked": 6, "border": 6, "other": 18}  # the plan's, as DistrictResults.targets gives them
    table = rc.commune_targets(status, scope, targets, 2020, schedule, 2023).set_index("category")
    assert table.loc["all"].to_dict() == {"district_target": 30, "villages": 3, "part": 2, "expected": 1,
                                          "reached": 1, "meeting": 2, "on_track": True}
    assert table.loc["other", ["part", "expected", "reached", "meeting"]].tolist() == [1, 0, 0, 1]  # c met at baseline
    assert table.loc["border", ["villages", "part"]].tolist() == [0, 0]


def test_failing_villages_lists_each_failed_criterion_once():
    scope = pd.DataFrame({"village_code": ["a", "b"], "village_name": ["Làng A", "Làng B"]})
    criteria = pd.DataFrame({"village_code": ["a", "b", "a", "b", "x"], "year": [2025] * 5,
                             "criterion": [2, 2, 9, 9, 2], "status": ["fail", "fail", "incomplete", "pass", "fail"]})
    assert rc.failing_villages(criteria, scope, 2025).to_dict("list") == {
        "criterion": [2], "failing": [2], "villages": ["Làng A; Làng B"]}


def test_scope_files_and_problems():
    villages = pd.DataFrame({"village_code": ["a", "b"], "file": ["xa-a.xlsx", "xa-b.xlsx"]})
    values = pd.DataFrame({"village_code": ["a", "a"], "file": ["xa-a.xlsx", "so-lieu.csv"]})
    files = rc.scope_files(villages, values, pd.DataFrame({"village_code": ["a"]}))
    assert files == ["so-lieu.csv", "xa-a.xlsx"]
    problems = pd.DataFrame({"file": ["xa-a.xlsx", "xa-b.xlsx", "so-lieu.csv", "xa-a.xlsx"],
                             "sheet": ["S", "S", "", "S"], "row": ["10", "1", "2", "3"],
                             "severity": ["warning", "error", "warning", "error"]})
    chosen = rc.scope_problems(problems, files)
    assert chosen[["file", "row", "severity"]].values.tolist() == [
        ["xa-a.xlsx", "3", "error"], ["so-lieu.csv", "2", "warning"], ["xa-a.xlsx", "10", "warning"]]


def test_district_results_read_the_chain_and_score_nothing_again(tmp_path_factory, monkeypatch):
    processed = cleaned_sample(tmp_path_factory)
    first = rc.district_results("", 2024, processed)
    # the chain's outputs are current: a second call reads them, it neither scores nor solves again
    import ntm_analysis.pipeline as pipeline
    from ntm_analysis.schedule import solver

    def refuse(*args, **kwargs):
        raise AssertionError("scored or scheduled again")

    monkeypatch.setattr(pipeline, "score_villages", refuse)
    monkeypatch.setattr(solver, "schedule_villages", refuse)
    again = rc.district_results("", 2024, processed)
    assert again.optimum.total_cost_vnd == first.optimum.total_cost_vnd
    assert again.optimum.status == first.optimum.status
    pd.testing.assert_frame_equal(again.phased, first.phased)
    pd.testing.assert_frame_equal(again.scores.villages, first.scores.villages)


def test_district_results_refuse_a_year_without_data(tmp_path_factory):
    with pytest.raises(UserError, match="2020, 2021"):
        rc.district_results("", 1999, cleaned_sample(tmp_path_factory))


def test_a_file_that_is_not_a_quality_log_is_refused(tmp_path_factory, tmp_path):
    processed = tmp_path / "processed"
    shutil.copytree(cleaned_sample(tmp_path_factory), processed)
    # a quality log replaced by another CSV is refused by the manifest check before anything reads it
    (processed / "quality_problems.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(OutputsError, match="quality_problems.csv"):
        rc.district_results("", 2024, processed)