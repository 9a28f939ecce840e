"""Notebook 04 (schedule and phased investment) rendered through papermill on the cleaned sample district."""

import json

import nbformat
import pytest

from ntm_analysis.clean.quality_report import SYNTHETIC_BANNER
from ntm_analysis.config import RAW_DIR
from ntm_analysis.pipeline import run_costs
from ntm_analysis.reports.notebooks import run_notebook
from tests.conftest import clean_into, settings_for
from tests.notebook_helpers import folder_state, output_text, outputs

pytestmark = pytest.mark.notebook
NOTEBOOK = "04_phased_investment"


@pytest.fixture(scope="module")
def processed(tmp_path_factory, criteria):
    """The shipped synthetic sample district, cleaned into a temporary folder of this module's own."""
    out = tmp_path_factory.mktemp("processed")
    clean_into(RAW_DIR, out)
    return out


def test_schedule_notebook_renders_the_plan(processed, tmp_path):
    params = {"processed_dir": str(processed), "summary_path": str(tmp_path / "summary.json")}
    executed, html = run_notebook(NOTEBOOK, params, tmp_path)
    nb = nbformat.read(executed, as_version=4)
    assert not [o for o in outputs(nb) if o.get("output_type") == "error"]
    assert nb.metadata["papermill"]["parameters"] == params
    text = output_text(nb)
    assert SYNTHETIC_BANNER in text
    assert "Chỉ tiêu theo nhóm (số làng mới đạt chuẩn trong giai đoạn): Gắn với xã đạt chuẩn NTM: 6" in text
    assert "theo biểu đính kèm" in text  # the even split says it is an assumption, and why
    assert "## 3. Lịch tối ưu" in "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert summary["villages_scheduled"] >= 30 and set(summary["villages_by_year"].values()) >= {6}
    assert f"làng được xếp lịch / villages scheduled: **{summary['villages_scheduled']}**" in text
    assert "bằng tổng kinh phí của lịch / equals the schedule's total cost: **True**" in text
    assert "rules broken: **0** (so với các quy định đang áp dụng" in text  # the re-check
    figures = [o for o in outputs(nb) if "image/png" in o.get("data", {})]
    assert len(figures) == 4
    assert html.read_text(encoding="utf-8").count("<img") >= 4


def test_tiny_budgets_are_explained(processed, tmp_path):
    run_costs(settings_for(processed=processed))  # the chain's scores and costs, current
    before = folder_state(processed)
    params = {"processed_dir": str(processed), "budget_scale": 0.01, "lang": "en"}
    executed, _ = run_notebook(NOTEBOOK, params, tmp_path)
    assert folder_state(processed) == before  # a scenario is solved in memory: nothing written there
    nb = nbformat.read(executed, as_version=4)
    assert not [o for o in outputs(nb) if o.get("output_type") == "error"]
    text = output_text(nb)
    assert "No schedule meets every rule of the plan" in text
    assert "- Integrated funds (national target programmes, other projects), 2021: short by" in text
    assert "The schedule below is the best one with those rules relaxed." in text
    assert "Every annual budget multiplied by 0.01" in text
