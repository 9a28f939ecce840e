"""The catalogue and the chain: each stage reads what the previous wrote, runs once, and refuses a mixed set."""

import shutil

import pandas as pd
import pytest

import ntm_analysis.pipeline as pipeline
from ntm_analysis.catalog import DATASETS, Catalog, OutputsError
from ntm_analysis.reports.results import district_results
from tests.conftest import settings_for, villages_sheet, write_xlsx


@pytest.fixture
def small_chain(tmp_path):
    """Two villages with values for 2020 and 2021, cleaned into a fresh processed folder."""
    write_xlsx(tmp_path / "raw" / "xa.xlsx", {
        "Làng": villages_sheet(),
        "Số liệu": [["Mã làng", "Năm", "2.1", "4", "10"], ["0101", 2020, 50, 99, 30], ["0102", 2020, 80, 97, 45],
                    ["0101", 2021, 75, 99, 44], ["0102", 2021, 90, 99, 50]]})
    settings = settings_for(tmp_path / "raw", tmp_path / "processed", reports=tmp_path / "reports")
    pipeline.run_clean(settings)
    return settings


def test_each_stage_runs_once_and_later_stages_read_its_outputs(small_chain, monkeypatch):
    calls = {"score": 0, "schedule": 0}
    from ntm_analysis.schedule import solver

    score, schedule = pipeline.score_villages, solver.schedule_villages

    def counted_score(*args, **kwargs):
        calls["score"] += 1
        return score(*args, **kwargs)

    def counted_schedule(*args, **kwargs):
        calls["schedule"] += 1
        return schedule(*args, **kwargs)

    monkeypatch.setattr(pipeline, "score_villages", counted_score)
    monkeypatch.setattr(solver, "schedule_villages", counted_schedule)
    pipeline.run_score(small_chain)
    pipeline.run_costs(small_chain)
    result = pipeline.run_schedule(small_chain)
    district_results(small_chain, 2021)
    assert calls == {"score": 1, "schedule": 1}
    manifest = Catalog(small_chain.processed).manifest()["stages"]
    assert set(manifest) == {"clean", "score", "costs", "schedule"}
    assert result.plan.status in {"optimal", "relaxed"}


def test_a_changed_setting_reruns_its_stage(small_chain):
    pipeline.run_score(small_chain)
    before = Catalog(small_chain.processed).stage_key("score")
    other = small_chain.with_overrides(policy="exclude")
    scores = pipeline.run_score(other)
    assert Catalog(small_chain.processed).stage_key("score") != before
    assert set(scores.villages["policy"]) == {"exclude"}


def test_a_table_from_another_run_is_refused(small_chain, tmp_path):
    pipeline.run_score(small_chain)
    catalog = Catalog(small_chain.processed)
    villages = catalog.read("villages")
    # a villages table changed behind the chain's back (a crash midway, a copy from elsewhere)
    villages.iloc[:1].to_parquet(catalog.path("villages"), index=False)
    with pytest.raises(OutputsError, match="villages.parquet"):
        catalog.read("villages")
    with pytest.raises(OutputsError):
        pipeline.run_score(small_chain)


def test_a_missing_stage_says_which_command_to_run(small_chain, tmp_path):
    empty = small_chain.with_overrides(processed=tmp_path / "empty")
    with pytest.raises(OutputsError, match="ntm clean"):
        pipeline.run_score(empty)
    shutil.copytree(small_chain.processed, tmp_path / "copy")
    with pytest.raises(OutputsError, match="ntm score"):
        Catalog(tmp_path / "copy").read("village_status")


def test_every_dataset_is_written_by_its_stage(small_chain):
    pipeline.run_schedule(small_chain)
    catalog = Catalog(small_chain.processed)
    recorded = {name for stage in catalog.manifest()["stages"].values() for name in stage["files"]}
    expected = {f for d in DATASETS.values() for f in d.files}
    assert recorded == expected
    assert isinstance(catalog.read("schedule_summary"), dict)
    assert isinstance(catalog.read("schedule_plan"), pd.DataFrame)
