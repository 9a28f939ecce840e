"""The message catalogues (reference/data/messages/{vi,en}.yaml) and their one lookup, core.i18n; and, for each
module that reads them, that a known text still comes out as written."""

from __future__ import annotations

import unicodedata

import pytest
import yaml

from ntm_analysis.config import MESSAGES_DIR
from ntm_analysis.core import i18n
from ntm_analysis.core.errors import DataFileError
from ntm_analysis.reference.plan import load_plan
from ntm_analysis.core.i18n import LANGS, MessageError, bilingual, catalogue, message, messages, placeholders


# --- the catalogues ---------------------------------------------------------------------------------------


def test_there_is_one_catalogue_per_language_in_the_package_data():
    assert sorted(p.name for p in MESSAGES_DIR.glob("*.yaml")) == sorted(f"{lang}.yaml" for lang in LANGS)


def test_every_key_exists_in_every_language():
    keys = {lang: set(catalogue(lang)) for lang in LANGS}
    assert keys["vi"] - keys["en"] == set(), "only in vi.yaml"
    assert keys["en"] - keys["vi"] == set(), "only in en.yaml"


def test_both_catalogues_list_the_keys_in_the_same_order():
    assert list(catalogue("vi")) == list(catalogue("en"))


@pytest.mark.parametrize("key", sorted(catalogue("vi")))
def test_a_message_has_the_same_placeholders_in_every_language(key):
    assert placeholders(catalogue("vi")[key]) == placeholders(catalogue("en")[key])


@pytest.mark.parametrize("lang", LANGS)
def test_no_message_is_empty_and_every_template_is_well_formed(lang):
    for key, text in catalogue(lang).items():
        assert text.strip(), key
        assert text == text.strip(), f"{key}: leading or trailing space"
        placeholders(text)  # raises ValueError on an unbalanced brace


def test_the_vietnamese_catalogue_is_nfc():
    raw = (MESSAGES_DIR / "vi.yaml").read_text(encoding="utf-8")
    assert unicodedata.normalize("NFC", raw) == raw


def test_the_catalogues_cover_every_area():
    for lang in LANGS:
        data = yaml.safe_load((MESSAGES_DIR / f"{lang}.yaml").read_text(encoding="utf-8"))
        assert set(data) >= {"figures", "report", "summary", "annex", "schedule"}


def test_placeholders_are_the_field_names():
    assert placeholders("{share:g} % — {unit}, {year}") == {"share", "unit", "year"}
    assert placeholders("no fields, {{literal}}") == set()


# --- the lookup -------------------------------------------------------------------------------------------


def test_message_fills_in_the_values():
    assert message("report.status", "vi", year=2025) == "Tình trạng từng làng năm 2025"
    assert message("report.status", "en", year=2025) == "Status of each village, 2025"


def test_an_unknown_key_fails_naming_it_and_the_catalogue():
    with pytest.raises(KeyError, match=r"report\.no_such_key.*vi\.yaml"):
        message("report.no_such_key", "vi")


def test_an_unknown_language_fails_naming_it():
    with pytest.raises(MessageError, match="'fr'.*vi, en"):
        message("report.status", "fr", year=2025)
    with pytest.raises(ValueError):  # callers that check their lang argument catch ValueError
        message("report.status", "fr", year=2025)


def test_a_missing_value_fails_naming_the_placeholder():
    with pytest.raises(MessageError, match=r"report\.status.*\{year\}"):
        message("report.status", "vi")


def test_messages_gives_an_area_in_catalogue_order():
    assert messages("summary.status", "en") == {"pass": "Met", "fail": "Not met", "incomplete": "No data"}
    with pytest.raises(MessageError, match="nothing.here"):
        messages("nothing.here", "vi")


def test_bilingual_puts_vietnamese_first():
    assert bilingual("quality.column.file") == "Tệp / File"
    assert bilingual("quality.sheet.problems", " - ") == "Vấn đề - Problems"


def test_a_catalogue_is_read_once(monkeypatch):
    catalogue("vi")
    monkeypatch.setattr(i18n.yaml, "load", lambda *a, **k: pytest.fail("read again"))
    assert message("figures.status_pass", "vi") == "Đạt"


def test_a_faulty_catalogue_is_a_data_file_error_listing_every_fault(tmp_path, monkeypatch):
    (tmp_path / "vi.yaml").write_text("report:\n  yes: Có\n  empty: ''\n  list: [a]\n", encoding="utf-8")
    monkeypatch.setattr(i18n, "MESSAGES_DIR", tmp_path)
    i18n.catalogue.cache_clear()
    try:
        with pytest.raises(DataFileError) as caught:
            catalogue("vi")
    finally:
        monkeypatch.undo()
        i18n.catalogue.cache_clear()
    assert len(caught.value.faults) == 3
    assert "True" in caught.value.faults[0] and "quote it" in caught.value.faults[0]


# --- the modules that read them: a known text comes out as before -------------------------------------------


def test_figure_labels():
    from ntm_analysis.figures import costs, schedule, scores

    assert scores.label("status_fail", "vi") == "Chưa đạt"
    assert scores.label("heatmap_title", "en") == "Criteria met by each village, {year}"  # filled in by the figure
    assert costs.label("million_axis", "vi") == "Triệu đồng"
    assert schedule.label("greedy", "en") == "Rank, then fund down the list"


def test_report_texts_and_titles():
    from ntm_analysis.reports import batch, content

    assert content.text("costs", "vi") == "Khoảng cách đến chuẩn và kinh phí khắc phục theo nguồn vốn"
    assert content.text("h_expected", "en", year=2025) == "Expected by 2025"
    assert content.heading("district", "alkire_foster", "en").data == "## 4. Alkire–Foster measures (H, A, M0)"
    assert batch.page_title("commune", "vi", name="Ia O", year=2025) == (
        "Báo cáo xây dựng làng nông thôn mới — Ia O, năm 2025")
    assert batch.page_title("district", "en", year=2025) == "New Rural village report — whole district, 2025"


def test_report_index_words(tmp_path):
    import pandas as pd

    from ntm_analysis.reports.batch import REPORT_COLUMNS, write_index

    row = dict.fromkeys(REPORT_COLUMNS, "") | {"name": "Ia O", "slug": "ia-o", "status": "outdated",
                                                "html": "ia-o.html", "excel": "ia-o.xlsx", "seconds": 1.0}
    page = write_index(pd.DataFrame([row]), tmp_path, 2025).read_text(encoding="utf-8")
    assert "<h1>Báo cáo làng nông thôn mới năm 2025 / NTM village reports 2025</h1>" in page
    assert "<td>⚠ số liệu đã đổi, cần chạy lại / inputs changed, run again</td>" in page
    assert "<th>Trạng thái / Status</th>" in page


def test_summary_workbook_words():
    import pandas as pd

    from ntm_analysis.score.summary_workbook import status_table

    status = pd.DataFrame({"village_code": ["a"], "year": [2025], "criteria_met": [19], "met_label": ["19/19"],
                           "meets_standard": [True], "distance_to_standard": [0.0], "missing_criteria_vi": [""],
                           "missing_criteria_en": [""]})
    villages = pd.DataFrame({"village_code": ["a"], "village_name": ["Làng A"], "commune": ["Ia O"],
                             "plan_category": ["other"]})
    table = status_table(status, villages, 2025, load_plan("ia-grai-2021-2025"), "vi")
    assert list(table.columns) == ["Xã", "Mã làng", "Tên làng", "Phân loại kế hoạch", "Số tiêu chí đạt", "Đạt chuẩn",
                                   "Tiêu chí chưa đạt", "Khoảng cách đến chuẩn"]
    assert table.loc[0, "Đạt chuẩn"] == "Có"


def test_quality_workbook_words():
    import pandas as pd

    from ntm_analysis.clean import quality_report
    from ntm_analysis.raw.quality_log import PROBLEM_COLUMNS

    assert quality_report.SYNTHETIC_BANNER == ("DỮ LIỆU GIẢ LẬP — không phải số liệu thật của địa phương / "
                                               "SYNTHETIC DATA — not real figures of any locality")
    with pytest.raises(AttributeError):
        quality_report.NO_SUCH_NAME  # noqa: B018
    summary = {"criteria_set": "x", "files": [],
               "values": dict.fromkeys(["input", "clean", "clean_missing", "rejected"], 0),
               "village_rows": dict.fromkeys(["input", "clean", "rejected"], 0), "problems": {"error": 0, "warning": 0},
               "changes": 0}
    book = quality_report.quality_workbook(pd.DataFrame(columns=PROBLEM_COLUMNS),
                                           pd.DataFrame(columns=["file", "sheet", "row", "column", "rule", "before",
                                                                 "after", "count"]), summary)
    assert book.sheetnames == ["Tóm tắt - Summary", "Vấn đề - Problems", "Thay đổi - Changes"]
    first_column = [row[0].value for row in book["Tóm tắt - Summary"].iter_rows()]
    assert first_column[0] == "Báo cáo chất lượng dữ liệu / Data-quality report"
    assert first_column[8] == "  trong đó để trống / of which empty"
    headers = [cell.value for cell in book["Vấn đề - Problems"][1]]
    assert headers[:2] == ["Tệp / File", "Trang / Sheet"] and headers[-4:] == ["Vấn đề", "Problem", "Cách sửa",
                                                                               "How to fix"]
    assert book["Thay đổi - Changes"]["C1"].value == "Dòng đầu / First row"


def test_cost_projection_and_money_words():
    from ntm_analysis.core.money import format_money
    from ntm_analysis.cost.projection import reconcile_plan
    from ntm_analysis.reference.cost_rules import load_cost_rules

    rows = reconcile_plan(load_cost_rules("ia-grai-2021-2025"), load_plan("ia-grai-2021-2025")).set_index("row")
    assert rows.loc["unattributed", "label_vi"] == "Chưa phân bổ cho tiêu chí nào"
    assert rows.loc["plan_total", "label_en"] == "The plan's total need"
    assert rows.loc["plan_total", "note_vi"] == "Mục V của kế hoạch"
    assert messages("annex", "vi")["unit"] == "Đơn vị tính: triệu đồng"
    assert format_money(35_051_000_000, "vi") == "35.051 triệu đồng"
    assert format_money(35_051_000_000, "en", "billion", 1) == "35.1 billion VND"


def test_planning_words():
    from ntm_analysis.schedule import planning

    assert planning.rule_text({"rule": ("budget", ("community", 2024)), "amount": 2e9}, {"community": "Dân"},
                              "en") == "Dân, 2024: short by 2,000 million VND"
    assert planning.rule_text({"rule": ("budget", ("community", 2024)), "amount": 2e9}, {"community": "Dân"},
                              "vi") == "Dân, năm 2024: thiếu 2.000 triệu đồng"
    assert message("schedule.rules.border", "en", share=90.0) == (
        "Border communes: at least 90 % of their villages meet the standard by the end")
    assert bilingual("schedule.total") == "Tổng cộng / Total"


def test_progress_and_action_words():
    from ntm_analysis.score import progress

    assert progress.trend_labels("vi")["on_track"] == "Đúng tiến độ"
    assert progress.TREND_LABELS["deterioration"] == ("Đi xuống", "Deterioration")
    assert list(progress.TREND_LABELS) == progress.TREND_STATUSES
    assert messages("actions", "en") == {"met": "Met", "not_met": "Not met", "no_money": "No money needed"}


@pytest.mark.parametrize(("lang", "label"), [("vi", "Mục lục"), ("en", "Contents")])
def test_contents_label_of_a_rendered_page(tmp_path, lang, label):
    import nbformat

    from ntm_analysis.reports.notebooks import notebook_html

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Title\n\n## Part\n\nBody")])
    nb.metadata["papermill"] = {"parameters": {"lang": lang}}
    nbformat.write(nb, tmp_path / "nb.ipynb")
    assert f"<strong>{label}</strong>" in notebook_html(tmp_path / "nb.ipynb")


def test_scheduler_messages():
    from ntm_analysis.schedule.solver import explain_infeasibility

    from tests.test_schedule import _fixed

    cands, rules = _fixed()
    tight = type(rules)(rules.years, {2021: 3, 2022: 1, 2023: 1}, rules.category_quotas, 100.0, rules.budgets)
    texts = {(r["message_vi"], r["message_en"]) for r in explain_infeasibility(cands, tight)}
    assert texts == {("Năm 2021: phải giảm mức tối thiểu 1 làng", "2021: the annual minimum must drop by 1 villages")}


def test_input_template_guide(tmp_path):
    from openpyxl import load_workbook

    from ntm_analysis.raw.template import write_template
    from ntm_analysis.reference.criteria import load_criteria_set

    book = load_workbook(write_template(tmp_path / "t.xlsx", load_criteria_set("gia-lai-village-2019"), load_plan("ia-grai-2021-2025")))
    guide = book.worksheets[0]
    assert guide["A1"].value == ("MẪU NHẬP LIỆU RÀ SOÁT LÀNG NÔNG THÔN MỚI / NEW RURAL VILLAGE ASSESSMENT INPUT "
                                 "TEMPLATE")
    assert (guide["A2"].value, guide["B2"].value) == ("Cách dùng", "How to use")
    assert guide["B9"].value == "7. Keep village codes as Text so leading zeros survive."
