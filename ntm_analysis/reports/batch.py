"""One report per commune and one for the district, regenerated in one command.

Each report is a parameterised notebook (``notebooks/reports/commune.ipynb``, ``district.ipynb``) run by
papermill in its own process (papermill is process-safe, not thread-safe), exported to HTML (code hidden,
a table of contents), with its figures as PNG and a companion Excel workbook, under
``reports/<year>/<slug>.*``. An ``index.html`` links every report with its status and date.

A report whose notebook, parameters, input files and code have not changed is not run again: a content
hash is recorded beside it (``<slug>.hash.json``); ``force`` re-runs. A commune that fails does not stop
the others: its error is in the index and in the returned table, and the batch reports failure (a failed
report keeps no hash, so the next run tries it again).

Before the reports start, the district-wide results they share (scores, costs, the optimal schedule) are
computed once and cached in the processed folder
(:func:`ntm_analysis.reports.content.district_results`, ``<processed>/report_cache/``), so that a batch
does not schedule the district once per commune. Reports run in worker processes, never forks of the
caller (papermill is not thread-safe, and a forked busy parent can deadlock): forked from a clean fork
server that has imported the report modules once, or spawned where there is no fork server. A script
calling :func:`run_reports` needs the ``if __name__ == "__main__":`` guard.

``run_reports`` returns one row per report (``REPORT_COLUMNS``): ``kind`` (commune / district),
``name``, ``slug``, ``status`` (done / skipped / failed), ``error``, ``html``, ``excel``, ``seconds``.
"""

from __future__ import annotations

import hashlib
import html
import json
import multiprocessing
import re
import time
from collections.abc import Iterable
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pandas as pd
from tqdm import tqdm

from ntm_analysis.catalog import code_digest
from ntm_analysis.config import NOTEBOOKS_DIR, REFERENCE_DIR, REPORTS_DIR
from ntm_analysis.core.errors import UserError
from ntm_analysis.core.i18n import bilingual, message
from ntm_analysis.core.storage import write_text
from ntm_analysis.core.vietnamese import fold, slugify
from ntm_analysis.settings import RUN_SETTINGS, Settings, save_run_settings

REPORT_COLUMNS = ["kind", "name", "slug", "status", "error", "html", "excel", "seconds"]
TEMPLATES = {"commune": "reports/commune", "district": "reports/district"}
DISTRICT_SLUG = "toan-huyen"
STATUS_MARKS = {"done": "✔", "skipped": "✔", "outdated": "⚠", "failed": "✘"}  # before the index's status words


def page_title(kind: str, lang: str = "vi", **values: Any) -> str:
    """The title of a ``kind`` report ("commune" or "district") in ``lang``: ``name`` and ``year`` filled in."""
    return message(f"report.page_title.{kind}", "vi" if lang == "vi" else "en", **values)


class UnsafePathError(UserError):
    """A report path that would fall outside the reports folder."""


@dataclass(frozen=True)
class ReportJob:
    """One report to render: its template, parameters and where its outputs go."""

    kind: str
    name: str
    slug: str
    out_dir: Path
    parameters: dict[str, Any] = field(default_factory=dict)

    @property
    def template(self) -> Path:
        return NOTEBOOKS_DIR / f"{TEMPLATES[self.kind]}.ipynb"

    def output(self, suffix: str) -> Path:
        return self.out_dir / f"{self.slug}{suffix}"


def safe_output_dir(root: Path, year: int) -> Path:
    """``root/<year>``, refusing anything that resolves outside ``root``."""
    root = Path(root).resolve()
    target = (root / str(int(year))).resolve()
    if not target.is_relative_to(root):
        raise UnsafePathError(f"{target} is outside {root}")
    return target


def report_jobs(communes: list[str], year: int, *, processed_dir: Path, reports_dir: Path = REPORTS_DIR,
                lang: str = "vi", district: bool = True, **extra: Any) -> list[ReportJob]:
    """Jobs for ``communes`` (and the district): slugs made safe, parameters passed as data.

    Slugs are unique within the batch: the district's (``toan-huyen``) is reserved, and a commune whose
    slug is already taken (two names that differ only in case, diacritics or punctuation) gets ``-2``,
    ``-3`` … added. ``processed_dir`` is passed as an absolute path (the notebooks run in the project
    folder, not in the caller's).
    """
    out_dir = safe_output_dir(reports_dir, year)
    processed_dir = Path(processed_dir).resolve()
    jobs, taken = [], {DISTRICT_SLUG} if district else set()
    for name in communes:
        base = slug = slugify(name)
        n = 1
        while slug in taken:
            n += 1
            slug = f"{base}-{n}"
        taken.add(slug)
        if not (out_dir / slug).resolve().is_relative_to(out_dir):  # slugify makes this impossible; checked anyway
            raise UnsafePathError(name)
        jobs.append(_job("commune", name, slug, out_dir, year, processed_dir, lang, extra))
    if district:
        jobs.append(_job("district", "", DISTRICT_SLUG, out_dir, year, processed_dir, lang, extra))
    return jobs


def _job(kind: str, name: str, slug: str, out_dir: Path, year: int, processed_dir: Path, lang: str,
         extra: dict) -> ReportJob:
    params = {"processed_dir": str(processed_dir), "config": str(processed_dir / RUN_SETTINGS), "year": int(year),
              "lang": lang,
              "figures_dir": str(out_dir / f"{slug}_files"), "excel_path": str(out_dir / f"{slug}.xlsx"),
              **({"commune": name} if kind == "commune" else {}), **extra}
    return ReportJob(kind, name, slug, out_dir, params)


def match_commune(name: str, communes: list[str]) -> str:
    """The commune of ``communes`` that ``name`` designates, after normalisation ("ia pech" → "Ia Pếch")."""
    key = fold(name).removeprefix("xa ").removeprefix("thi tran ")
    found = [c for c in communes if fold(c) == key]
    if not found:
        raise UserError(f"không có xã / no commune {name!r}; các xã / communes: {', '.join(sorted(communes))}")
    return found[0]


# ---------------------------------------------------------------- incremental runs


def input_hash(job: ReportJob, inputs: list[Path]) -> str:
    """A digest of the template, the parameters, every input file's content and the package's code
    (:func:`code_digest`: a fix in the code must not leave an old report looking current)."""
    digest = files_digest(inputs)
    digest.update(job.template.read_bytes())
    digest.update(json.dumps(job.parameters, sort_keys=True, ensure_ascii=False).encode("utf-8"))
    digest.update(code_digest().encode("ascii"))
    return digest.hexdigest()


def report_inputs(processed_dir: Path) -> list[Path]:
    """The files a report reads: the processed tables, the clean summary and quality log, and the shipped
    reference data (plan, costs, actions, scheduling) and criteria sets."""
    processed_dir = Path(processed_dir)
    found = [*processed_dir.glob("*.parquet"), *processed_dir.glob("*.json"), processed_dir / "quality_problems.csv",
             processed_dir / RUN_SETTINGS, *REFERENCE_DIR.rglob("*.*")]
    return sorted(p for p in found if p.is_file())


def files_digest(paths: Iterable[Path], root_names: bool = True) -> Any:
    """A SHA-256 (``hashlib`` object) over each file's name (its path with ``root_names=False``) and content,
    in path order."""
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update((path.name if root_names else str(path)).encode("utf-8") + b"\0")
        digest.update(path.read_bytes())
    return digest


def is_up_to_date(job: ReportJob, digest: str) -> bool:
    """True when the recorded hash matches and every output is present."""
    record = job.output(".hash.json")
    if not record.exists() or not all(job.output(s).exists() for s in (".html", ".ipynb", ".xlsx")):
        return False
    try:
        return json.loads(record.read_text(encoding="utf-8")).get("hash") == digest
    except (ValueError, AttributeError):  # a damaged record: run again
        return False


# ---------------------------------------------------------------- running


def render_report(job: ReportJob, year: int, digest: str) -> dict:
    """Run one report (in the calling process); return its row for the index."""
    started = time.perf_counter()
    lang = job.parameters.get("lang", "vi")
    title = page_title(job.kind, lang, name=job.name, year=year)
    job.output(".hash.json").unlink(missing_ok=True)  # until it succeeds, the report is not current
    from ntm_analysis.reports.notebooks import run_notebook

    try:
        run_notebook(TEMPLATES[job.kind], job.parameters, job.out_dir, stem=job.slug, title=title)
    except Exception as exc:  # noqa: BLE001 - any failure of one report is reported, never raised
        return _row(job, "failed", error_text(exc), started)
    write_text(json.dumps({"hash": digest, "parameters": job.parameters,
                           "date": datetime.now(timezone.utc).isoformat(timespec="seconds")},
                          ensure_ascii=False, indent=2, sort_keys=True) + "\n", job.output(".hash.json"))
    return _row(job, "done", "", started)


_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def error_text(exc: BaseException) -> str:
    """One line for the index: the notebook's own exception for a failed cell (papermill's ``ename:
    evalue``), else the exception's type and last line; terminal colour codes removed, at most 500
    characters."""
    if getattr(exc, "ename", None):
        text = f"{exc.ename}: {exc.evalue}"
    else:
        lines = str(exc).strip().splitlines()
        text = f"{type(exc).__name__}: {lines[-1] if lines else ''}"
    return " ".join(_ANSI.sub("", text).split())[:500]


def _row(job: ReportJob, status: str, error: str, started: float) -> dict:
    return {"kind": job.kind, "name": job.name or message("index.district", "vi"), "slug": job.slug, "status": status,
            "error": error,
            "html": job.output(".html").name, "excel": job.output(".xlsx").name,
            "seconds": round(time.perf_counter() - started, 1)}


def run_reports(jobs: list[ReportJob], year: int, *, processed_dir: Path, force: bool = False,
                processes: int = 2, progress: bool = True) -> pd.DataFrame:
    """Render every job, in parallel processes; skip unchanged ones; write ``index.html``.

    The chain's outputs the reports read must be current (:func:`run_report_batch` makes sure); a worker
    that dies fails its report only.
    """
    from ntm_analysis.reports.notebooks import check_parameters  # papermill: imported here, not by `ntm report` at start

    start_workers()  # the workers' server imports its modules while this process checks and hashes
    for job in jobs:  # a misspelt parameter stops the batch before anything runs
        check_parameters(job.template, job.parameters)
    inputs = report_inputs(processed_dir)
    rows, todo = [], []
    for job in jobs:
        digest = input_hash(job, inputs)
        if not force and is_up_to_date(job, digest):
            rows.append(_row(job, "skipped", "", time.perf_counter()))
        else:
            todo.append((job, digest))
    todo.sort(key=lambda item: item[0].kind != "district")  # the longest report first
    if todo:
        with ProcessPoolExecutor(max_workers=max(1, min(processes, len(todo))), mp_context=_context()) as pool:
            futures: dict[Future, ReportJob] = {pool.submit(render_report, job, year, digest): job
                                                for job, digest in todo}
            for future in tqdm(as_completed(futures), total=len(futures), desc=bilingual("index.progress"),
                               unit="report", disable=not progress):
                rows.append(_result_row(future, futures[future]))
    table = pd.DataFrame(rows, columns=REPORT_COLUMNS)
    order = {job.slug: i for i, job in enumerate(jobs)}
    table = table.sort_values("slug", key=lambda s: s.map(order), kind="stable").reset_index(drop=True)
    if jobs:  # the index lists every report of the year's folder, not only this batch's
        write_index(pd.concat([table, _other_reports(jobs[0].out_dir, jobs)], ignore_index=True), jobs[0].out_dir,
                    year)
    return table


def _other_reports(out_dir: Path, jobs: list[ReportJob]) -> pd.DataFrame:
    """Rows for the reports already in ``out_dir`` that are not in ``jobs`` (an earlier ``--all`` run seen
    from a one-commune run): ``skipped`` when still current, ``outdated`` when its inputs have changed."""
    batch = {job.slug for job in jobs}
    rows = []
    for record in sorted(Path(out_dir).glob("*.hash.json")):
        slug = record.name.removesuffix(".hash.json")
        if slug in batch or not (out_dir / f"{slug}.html").exists():
            continue
        try:
            params = json.loads(record.read_text(encoding="utf-8"))["parameters"]
            kind = "commune" if "commune" in params else "district"
            job = ReportJob(kind, params.get("commune", ""), slug, Path(out_dir), params)
            current = is_up_to_date(job, input_hash(job, report_inputs(Path(params["processed_dir"]))))
        except (OSError, ValueError, KeyError, TypeError):
            continue
        rows.append(_row(job, "skipped" if current else "outdated", "", time.perf_counter()))
    return pd.DataFrame(rows, columns=REPORT_COLUMNS)


def _context() -> multiprocessing.context.BaseContext:
    """How workers start: "forkserver" where there is one (POSIX), else "spawn".

    Either way no worker is a fork of the caller, whose threads (a Jupyter kernel's, a thread pool's) a fork
    would copy in a state that can deadlock. The fork server is a fresh process that imports the report
    modules (papermill, nbconvert, pandas) once and forks each worker from there, instead of every spawned
    worker importing them again.
    """
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["ntm_analysis.reports.batch", "ntm_analysis.reports.notebooks"])
        return context
    return multiprocessing.get_context("spawn")


def start_workers() -> None:
    """Start the workers' fork server now, so that its imports run while the caller does other work (a
    no-op where workers are spawned, or when the server already runs)."""
    if _context().get_start_method() == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()


def _result_row(future: Future, job: ReportJob) -> dict:
    try:
        return future.result()
    except Exception as exc:  # noqa: BLE001 - a worker that died (or an unpicklable result): this report failed
        job.output(".hash.json").unlink(missing_ok=True)
        return _row(job, "failed", error_text(exc), time.perf_counter())


def write_index(table: pd.DataFrame, out_dir: Path, year: int) -> Path:
    """``index.html`` linking every report of ``table``, with its status (done / skipped / outdated /
    failed) and the date it was made; a failed report's error, and no link to its stale outputs."""
    rows = []
    for rec in table.itertuples():
        record = out_dir / f"{rec.slug}.hash.json"
        date = json.loads(record.read_text(encoding="utf-8"))["date"][:10] if record.exists() else ""
        status = f"{STATUS_MARKS[rec.status]} {bilingual(f'index.status.{rec.status}')}"
        link = (f'<a href="{html.escape(rec.html)}">{html.escape(rec.name)}</a>' if rec.status != "failed"
                else html.escape(rec.name))
        excel = (f'<a href="{html.escape(rec.excel)}">Excel</a>'
                 if rec.status != "failed" and (out_dir / rec.excel).exists() else "")
        rows.append(f"<tr class=\"{rec.status}\"><td>{link}</td><td>{status}</td><td>{date}</td>"
                    f"<td>{excel}</td><td>{html.escape(rec.error)}</td></tr>")
    title = bilingual("index.title", year=year)
    th = {key: bilingual(f"index.{key}") for key in ("report", "status_column", "date", "error")}
    page = f"""<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font-family:"DejaVu Sans",sans-serif;margin:2em}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:.3em .8em;text-align:left}}tr.failed td{{background:#f8cbad}}
tr.outdated td{{background:#fff2cc}}</style></head>
<body><h1>{title}</h1>
<table><thead><tr><th>{th['report']}</th><th>{th['status_column']}</th><th>{th['date']}</th><th>Excel</th>
<th>{th['error']}</th></tr></thead><tbody>
{chr(10).join(rows)}
</tbody></table></body></html>
"""
    return write_text(page, out_dir / "index.html")


def run_report_batch(settings: Settings, year: int | None, *, commune: str = "", everyone: bool = False,
                     force: bool = False, processes: int = 2, progress: bool = True) -> pd.DataFrame:
    """The reports of ``year`` (default the latest with data) for ``commune`` or, with ``everyone``, for
    every commune and the whole area, under ``settings``; the table :func:`run_reports` returns.

    The chain is brought up to date first (a stage whose outputs are current is not run again), so the
    workers only read; the run's settings are saved beside the processed tables for them to read.

    Raises
    ------
    UserError
        No data for ``year`` (the years there are are listed), or no commune called ``commune``.
    """
    from ntm_analysis.pipeline import choose_year, load_clean, run_schedule, run_score, years_with_data

    start_workers()  # the report workers' server starts importing while the chain is checked
    run_schedule(settings)
    villages = load_clean(settings)[0]
    year = choose_year(year, years_with_data(run_score(settings)))
    communes = sorted(villages["commune"].dropna().unique())
    chosen = communes if everyone else [match_commune(commune, communes)]
    save_run_settings(settings)
    jobs = report_jobs(chosen, year, processed_dir=settings.processed, reports_dir=settings.reports,
                       lang=settings.language, district=everyone)
    return run_reports(jobs, year, processed_dir=settings.processed, force=force, processes=processes,
                       progress=progress)
