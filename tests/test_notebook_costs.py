"""Notebook 03 (cost projection) rendered through papermill on a freshly cleaned sample district."""

import nbformat
import pytest

from ntm_analysis.clean.quality_report import SYNTHETIC_BANNER
from ntm_analysis.config import RAW_DIR
from ntm_analysis.core.money import format_money
from ntm_analysis.cost.projection import project_costs
from ntm_analysis.pipeline import run_costs
from ntm_analysis.reference.cost_rules import cost_file_path, load_cost_rules
from ntm_analysis.reports.notebooks import run_notebook
from ntm_analysis.score.scoring import score_villages
from ntm_analysis.score.summary_workbook import select_commune
from tests.conftest import clean_into, load_clean_tables, settings_for
from tests.notebook_helpers import folder_state, output_text, outputs

pytestmark = pytest.mark.notebook


@pytest.fixture(scope="module")
def processed(tmp_path_factory, criteria):
    """The shipped synthetic sample district, cleaned into a temporary folder of this module's own."""
    out = tmp_path_factory.mktemp("processed")
    clean_into(RAW_DIR, out)
    return out


def test_cost_notebook_renders_the_plan_reconciliation(processed, tmp_path):
    params = {"processed_dir": str(processed)}
    executed, html = run_notebook("03_cost_projection", params, tmp_path)
    nb = nbformat.read(executed, as_version=4)
    assert not [o for o in outputs(nb) if o.get("output_type") == "error"]
    assert nb.metadata["papermill"]["parameters"] == params
    text = output_text(nb)
    assert SYNTHETIC_BANNER in text
    assert ("Chưa phân bổ cho tiêu chí nào: 4.051 triệu đồng (Vốn đầu tư trực tiếp (ngân sách TW, tỉnh) 0; "
            "Vốn lồng ghép 3.051; Doanh nghiệp, HTX 500; Cộng đồng dân cư 500)") in text
    assert "Tổng nhu cầu vốn của kế hoạch: 35.051 triệu đồng" in text
    assert "Giả định: chia Doanh nghiệp, HTX 1/2, Cộng đồng dân cư 1/2" in text
    assert "Làng mục tiêu / target villages: **30** (cách chọn / basis: `reached`)" in text
    assert "đơn giá lệch quá 3 lần" in text  # the calibration line
    assert "Chú ý phát triển Đảng viên cho vị trí Thôn Đội trưởng" in text  # actions for criterion 19
    figures = [o for o in outputs(nb) if "image/png" in o.get("data", {})]
    assert len(figures) == 3
    assert html.read_text(encoding="utf-8").count("<img") >= 3


def test_cost_notebook_parameters_change_scope_prices_and_language(processed, tmp_path):
    params = {"processed_dir": str(processed), "commune": "ia o", "price_year": 2021, "escalation": 0.0,
              "lang": "en"}
    executed, _ = run_notebook("03_cost_projection", params, tmp_path)
    nb = nbformat.read(executed, as_version=4)
    assert not [o for o in outputs(nb) if o.get("output_type") == "error"]
    villages, values, _ = load_clean_tables(processed)
    rules = load_cost_rules("ia-grai-2021-2025")
    projection = project_costs(score_villages(values, villages, rules.criteria), villages, rules, 2020)
    scope = projection[projection["village_code"].isin(select_commune(villages, "Ia O")["village_code"])]
    text = output_text(nb)
    assert "scope: **Ia O**" in text
    assert f"total: **{format_money(int(scope['central_vnd'].sum()), 'en')}**" in text
    assert "Not attributed to any criterion: 4,051 million VND" in text


def test_another_cost_file_is_applied_in_memory(processed, tmp_path):
    """The shipped cost file named by its path (not the settings' id): the comparison tables are made in
    memory, the same as the stage's, and nothing is written to the processed folder."""
    run_costs(settings_for(processed=processed))  # the chain's own cost tables, current
    before = folder_state(processed)
    params = {"processed_dir": str(processed), "cost_file": str(cost_file_path("ia-grai-2021-2025"))}
    executed, _ = run_notebook("03_cost_projection", params, tmp_path)
    nb = nbformat.read(executed, as_version=4)
    assert not [o for o in outputs(nb) if o.get("output_type") == "error"]
    text = output_text(nb)
    assert "Tổng nhu cầu vốn của kế hoạch: 35.051 triệu đồng" in text
    assert "Làng mục tiêu / target villages: **30** (cách chọn / basis: `reached`)" in text
    assert folder_state(processed) == before
