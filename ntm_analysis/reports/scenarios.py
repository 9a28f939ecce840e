"""Scenarios: notebook 04 rendered once per set of parameters, in separate processes, and compared.

:func:`run_scenarios` returns ``scenario, status, objective, villages, relaxations, total_cost_vnd``, one
``cost_<source>_vnd`` column per funding source, ``summary_path`` and ``error``, one row per scenario.
"""

from __future__ import annotations

import json
import multiprocessing
from collections.abc import Mapping
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pandas as pd

from ntm_analysis.config import NOTEBOOKS_DIR
from ntm_analysis.core.vietnamese import slugify
from ntm_analysis.pipeline import run_costs
from ntm_analysis.reports.notebook_inputs import notebook_settings
from ntm_analysis.reports.notebooks import NotebookParameterError, check_parameters, run_notebook

SCHEDULE_NOTEBOOK = "04_phased_investment"


def run_scenarios(scenarios: Mapping[str, Mapping[str, Any]], out_dir: Path, processes: int = 2) -> pd.DataFrame:
    """Render notebook 04 once per scenario (its parameters), in separate processes, and compare them.

    Each scenario renders into ``out_dir/<slug>/`` and writes ``schedule_summary.json`` there (the
    notebook's ``summary_path``). Parameter names are checked before anything runs; a scenario with an
    unknown name, or whose notebook fails, gets a ``failed`` row with the error and the others still run.
    The chain's scores and costs of each processed folder the scenarios read are brought up to date once,
    here, before the workers start (:func:`prepare_chain`): the workers then only read them, and never
    write the same processed folder at the same time.
    Returns one row per scenario, in the order given (columns: module docstring).
    The workers are started with "spawn": a script calling this needs the ``if __name__ == "__main__":``
    guard (a notebook, pytest and the ``ntm`` command need nothing).

    Raises
    ------
    ValueError
        Two scenario names with the same slug (they would share a folder).
    """
    out_dir = Path(out_dir)
    slugs = {name: slugify(name) for name in scenarios}
    if len(set(slugs.values())) < len(slugs):
        raise ValueError(f"scenario names must differ once made file-safe, got {', '.join(slugs.values())}")
    params = {name: {**scenarios[name], "summary_path": str(out_dir / slug / "schedule_summary.json")}
              for name, slug in slugs.items()}
    errors = {name: _parameter_error(p) for name, p in params.items()}
    errors.update(prepare_chain({name: p for name, p in params.items() if errors[name] is None}))
    runnable = [name for name in scenarios if errors[name] is None]
    context = multiprocessing.get_context("spawn")  # papermill is not thread-safe; no fork of a busy parent
    with ProcessPoolExecutor(max_workers=max(1, processes), mp_context=context) as pool:
        futures = {name: pool.submit(render_scenario, params[name], str(out_dir / slugs[name])) for name in runnable}
        for name, future in futures.items():
            errors[name] = _result_error(future)
    return _comparison([_comparison_row(name, params[name], errors[name]) for name in scenarios])


def prepare_chain(params: Mapping[str, Mapping[str, Any]]) -> dict[str, str]:
    """Run the score and cost stages once for each run the scenarios read (their ``config`` and
    ``processed_dir``), so that each is current before the scenarios render in parallel; a stage already
    current is only read. Returns the error of every scenario whose run cannot be brought up to date
    (a missing processed folder, a faulty settings file …), by scenario name.
    """
    runs: dict[tuple[str, str], list[str]] = {}
    for name, p in params.items():
        runs.setdefault((str(p.get("config", "")), str(p.get("processed_dir", ""))), []).append(name)
    errors = {}
    for (config, processed_dir), names in runs.items():
        try:
            run_costs(notebook_settings(config, processed_dir))
        except Exception as exc:  # noqa: BLE001 - reported in the rows of the scenarios that read this run
            errors.update(dict.fromkeys(names, _error_text(exc)))
    return errors


def _parameter_error(params: Mapping[str, Any]) -> str | None:
    try:
        check_parameters(NOTEBOOKS_DIR / f"{SCHEDULE_NOTEBOOK}.ipynb", dict(params))
    except NotebookParameterError as exc:
        return str(exc)
    return None


def render_scenario(params: dict[str, Any], out_dir: str) -> str | None:
    """Render notebook 04 with ``params`` into ``out_dir`` (in a worker process); the error, or None.

    Every exception becomes its message: one scenario's failure must not stop the others, and a
    papermill error does not survive the trip between processes.
    """
    try:
        run_notebook(SCHEDULE_NOTEBOOK, params, Path(out_dir))
    except Exception as exc:  # noqa: BLE001 - reported in the scenario's row
        return _error_text(exc)
    return None


def _error_text(exc: Exception) -> str:
    if hasattr(exc, "ename"):  # papermill's execution error: the notebook's own exception
        return f"{exc.ename}: {exc.evalue}"
    return f"{type(exc).__name__}: {exc}"


def _result_error(future: Any) -> str | None:
    try:
        return future.result()
    except Exception as exc:  # noqa: BLE001 - a worker that died: the scenario failed, the others go on
        return _error_text(exc)


def _comparison_row(name: str, params: Mapping[str, Any], error: str | None) -> dict:
    path = Path(params["summary_path"])
    row = {"scenario": name, "summary_path": str(path), "error": error or ""}
    if error is not None or not path.is_file():
        return {**row, "status": "failed", "error": error or f"no summary written at {path}"}
    summary = json.loads(path.read_text(encoding="utf-8"))
    return {**row, "status": summary["status"], "objective": summary["objective"],
            "villages": summary["villages_scheduled"], "relaxations": len(summary["relaxations"]),
            "total_cost_vnd": summary["total_cost_vnd"],
            **{f"cost_{s}_vnd": v for s, v in summary["cost_by_source_vnd"].items()}}


def _comparison(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    sources = [c for c in frame.columns if c.startswith("cost_") and c.endswith("_vnd")]
    columns = ["scenario", "status", "objective", "villages", "relaxations", "total_cost_vnd", *sources,
               "summary_path", "error"]
    frame = frame.reindex(columns=columns)
    return frame.astype({"villages": "Int64", "relaxations": "Int64", "total_cost_vnd": "Int64",
                         **dict.fromkeys(sources, "Int64"), "objective": "string"})
