"""The sample district's reports, rendered once per test session for the report and browser tests.

Not a test module: ``test_report_batch.py`` and ``test_reports_browser.py`` both build their fixtures
from :func:`rendered_sample`, so the sample is cleaned and its reports rendered once per session.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ntm_analysis.config import RAW_DIR
from ntm_analysis.reports.batch import ReportJob, report_jobs, run_reports
from ntm_analysis.pipeline import run_schedule
from ntm_analysis.settings import save_run_settings
from tests.conftest import clean_into, settings_for

YEAR = 2025
COMMUNE = "Ia Pếch"  # a commune-linked commune with villages failing criteria in 2025


@dataclass(frozen=True)
class RenderedSample:
    processed: Path  # the shipped sample, cleaned
    reports: Path  # reports folder (the year's subfolder holds the outputs)
    jobs: list[ReportJob]  # the commune's job, then the district's
    table: pd.DataFrame  # what run_reports returned

    @property
    def out_dir(self) -> Path:
        return self.jobs[0].out_dir


_CACHE: dict[int, object] = {}


def cleaned_sample(tmp_path_factory) -> Path:  # noqa: ANN001 - pytest's TempPathFactory
    """The shipped ``data/raw`` sample cleaned into a temporary processed folder (once per session)."""
    key = id(tmp_path_factory)
    if ("processed", key) not in _CACHE:
        out = tmp_path_factory.mktemp("processed")
        clean_into(RAW_DIR, out)
        run_schedule(settings_for(RAW_DIR, out))  # score, costs and schedule: what the reports read
        _CACHE["processed", key] = out
    return _CACHE["processed", key]


def rendered_sample(tmp_path_factory) -> RenderedSample:  # noqa: ANN001 - pytest's TempPathFactory
    """One commune (:data:`COMMUNE`) and the district for :data:`YEAR`, in Vietnamese, rendered once."""
    key = id(tmp_path_factory)
    if ("rendered", key) not in _CACHE:
        processed = cleaned_sample(tmp_path_factory)
        reports = tmp_path_factory.mktemp("reports")
        save_run_settings(settings_for(RAW_DIR, processed, reports=reports))
        jobs = report_jobs([COMMUNE], YEAR, processed_dir=processed, reports_dir=reports, area="district")
        table = run_reports(jobs, YEAR, processed_dir=processed, processes=2, progress=False)
        _CACHE["rendered", key] = RenderedSample(processed, reports, jobs, table)
    return _CACHE["rendered", key]
