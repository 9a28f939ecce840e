"""The notebooks' view modules (``reports/*_view.py``), called in-process on the cleaned sample district: they
read the chain's outputs, and apply a parameter that differs from the settings in memory only."""

from pathlib import Path

import pytest

from ntm_analysis.api import costs, gaps, notebook_settings, quality, schedule
from ntm_analysis.catalog import OutputsError
from ntm_analysis.config import PROJECT_DIR, RAW_DIR
from ntm_analysis.pipeline import run_costs, run_schedule, run_score
from tests.conftest import clean_into, settings_for
from tests.notebook_helpers import folder_state


@pytest.fixture(scope="module")
def processed(tmp_path_factory, criteria) -> Path:
    """The sample district cleaned, scored, costed and scheduled (the chain's stages, current)."""
    out = tmp_path_factory.mktemp("processed")
    clean_into(RAW_DIR, out)
    run_schedule(settings_for(processed=out))
    return out


def test_settings_of_a_notebook_default_to_the_sample_and_take_a_folder(tmp_path):
    assert notebook_settings().processed == PROJECT_DIR / "data" / "processed"
    assert notebook_settings("", "elsewhere/processed").processed == PROJECT_DIR / "elsewhere" / "processed"
    assert notebook_settings("", str(tmp_path)).processed == tmp_path


def test_quality_view_reads_the_clean_stage_and_refuses_an_empty_folder(processed, tmp_path):
    view = quality.load("", str(processed))
    assert view.synthetic and view.lang == "vi"
    assert quality.files_table(view)["values"].sum() == view.summary["values"]["clean"]
    assert "= " in quality.conservation_text(view)
    with pytest.raises(OutputsError, match="ntm clean"):
        quality.load("", str(tmp_path / "empty"))


def test_gap_view_reads_the_stored_scores(processed):
    view = gaps.load("", str(processed), commune="ia o")
    stored = run_score(settings_for(processed=processed))
    assert view.year == int(stored.villages["year"].max())  # 0: the latest year with data
    assert view.scores.villages.equals(stored.villages)
    assert set(view.scope["commune"]) == {"Ia O"}
    assert set(view.scope_scores.villages["village_code"]) <= set(view.scope["village_code"])


def test_views_apply_other_parameters_in_memory(processed):
    before = folder_state(processed)
    view = gaps.load("", str(processed), criteria_set="gia-lai-village-2022", policy="exclude")
    assert (view.criteria.id, view.scores.policy) == ("gia-lai-village-2022", "exclude")
    cost = costs.load("", str(processed), baseline_year=2021, price_year=2021, escalation=0.0)
    assert cost.baseline_year == 2021 and cost.tables["cost_calibration"] is not None
    scenario = schedule.load("", str(processed), budget_scale=0.5, quotas=schedule.requested_quotas(border=2))
    assert not scenario.stored and scenario.rules.category_quotas["border"] == 2
    assert folder_state(processed) == before


def test_cost_view_reads_the_stage_tables_at_the_settings_own(processed):
    view = costs.load("", str(processed))
    stored = run_costs(settings_for(processed=processed))
    assert view.tables["cost_reconciliation"].equals(stored["cost_reconciliation"])
    assert view.price_year == view.plan["period"]["end"]  # 0: the plan's last year


def test_schedule_view_is_the_chain_schedule_when_nothing_is_overridden(processed):
    view = schedule.load("", str(processed))
    stored = run_schedule(settings_for(processed=processed))  # current: read back
    assert view.stored and view.optimum.total_cost_vnd == stored.plan.total_cost_vnd
    assert int(view.phased["amount_vnd"].sum()) == view.optimum.total_cost_vnd
    assert schedule.requested_quotas(-1, 3, -1) == {"border": 3}


def test_the_settings_own_baseline_given_explicitly_still_reads_the_stored_outputs(processed):
    settings = settings_for(processed=processed)
    assert schedule.load("", str(processed), baseline_year=settings.plan_data["baseline_year"]).stored
    assert not schedule.load("", str(processed), baseline_year=2021).stored
