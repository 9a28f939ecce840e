"""The sample district's reports, rendered once per test session for the report and browser tests.

Not a test module: ``test_report_batch.py`` and ``test_reports_browser.py`` both build their fixtures
from :func:`rendered_sample`, so the sample is cleaned and its reports rendered once per session.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ntm_analysis.config import RAW_DIR
from ntm_analysis.reference.criteria import load_criteria_set
from ntm_analysis.pipeline import clean_raw_folder, write_clean_outputs
from ntm_analysis.reports.batch import ReportJob, report_jobs, run_reports

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
        write_clean_outputs(clean_raw_folder(RAW_DIR, load_criteria_set("gia-lai-village-2019")), out)
        _CACHE["processed", key] = out
    return _CACHE["processed", key]


def rendered_sample(tmp_path_factory) -> RenderedSample:  # noqa: ANN001 - pytest's TempPathFactory
    """One commune (:data:`COMMUNE`) and the district for :data:`YEAR`, in Vietnamese, rendered once."""
    key = id(tmp_path_factory)
    if ("rendered", key) not in _CACHE:
        processed = cleaned_sample(tmp_path_factory)
        reports = tmp_path_factory.mktemp("reports")
        jobs = report_jobs([COMMUNE], YEAR, processed_dir=processed, reports_dir=reports)
        table = run_reports(jobs, YEAR, processed_dir=processed, processes=2, progress=False)
        _CACHE["rendered", key] = RenderedSample(processed, reports, jobs, table)
    return _CACHE["rendered", key]
