"""Benchmark: every report of the sample district (13 communes + the district), against the floor.

Run from the repository root::

    .venv/bin/python benchmarks/bench_reports.py [--year 2025] [--processes N] [--repeat 3]

The shipped sample (``data/raw``) is cleaned into ``benchmarks/data/reports/processed/`` (git-ignored);
then, ``--repeat`` times and interleaved, so that both see the same machine load:

* **floor** – one papermill run of a notebook holding only the report templates' import cell, started
  the way :func:`ntm_analysis.reports.notebooks.run_notebook` starts a report (same kernel, cwd and options): the
  cost of a kernel, its imports and papermill, which every report pays however little it computes. The
  floor of the batch is that time × the number of reports ÷ the processes used.
* **batch** – ``ntm report --all --year Y --force --processes N --quiet`` in a fresh process, wall time
  from start to exit (worker start-up, the shared district-wide computation, 14 reports, the index), and
  CPU time summed over all its processes.
* **parallel floor** – the floor notebook run once per report by ``N`` worker processes started the way
  the batch starts them (a fork server), wall time: the floor as the machine delivers it at that moment, a
  fairer yardstick than the formula when other jobs share the machine.

The target (issue 6) is batch ≤ 1.5 × floor. Each figure printed is the fastest of the repeats (the
machine may be shared: the load average is printed with it). The breakdown reads papermill's own cell
timings from the executed notebooks of the last batch: the import cell (the floor's share), the cell
loading the shared results (from the cache in ``<processed>/report_cache/``) and the report's sections.
``results.json`` beside the processed folder keeps every measurement.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import nbformat
import papermill as pm
import psutil

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA = HERE / "data" / "reports"
TARGET = 1.5


def prepare(processed: Path) -> None:
    """The shipped sample, cleaned (``ntm clean``) into ``processed``."""
    if processed.exists():
        shutil.rmtree(processed)
    subprocess.run([str(ROOT / ".venv" / "bin" / "ntm"), "clean", "--raw", str(ROOT / "data" / "raw"), "--out",
                    str(processed), "--quiet"], check=True, cwd=ROOT, stdout=subprocess.DEVNULL)


def floor_notebook(path: Path) -> Path:
    """A notebook with the commune template's title and import cell only (the district's imports are the same)."""
    from ntm_analysis.config import NOTEBOOKS_DIR

    template = nbformat.read(NOTEBOOKS_DIR / "reports" / "commune.ipynb", as_version=4)
    district = nbformat.read(NOTEBOOKS_DIR / "reports" / "district.ipynb", as_version=4)
    assert template.cells[1].source == district.cells[1].source, "the templates' import cells differ"
    nb = nbformat.v4.new_notebook(cells=template.cells[:2], metadata=template.metadata)
    nbformat.write(nb, path)
    return path


def cpu_seconds(*who: int) -> float:
    """User + system CPU time so far of ``who`` (``resource.RUSAGE_SELF`` / ``RUSAGE_CHILDREN``: finished,
    waited-for descendants, kernels and workers included)."""
    return sum(resource.getrusage(w).ru_utime + resource.getrusage(w).ru_stime for w in who)


def time_floor(notebook: Path, out: Path) -> tuple[float, float]:
    """Wall and CPU time (this process and the kernel) of one papermill run of ``notebook``, as
    ``run_notebook`` runs a report."""
    from ntm_analysis.reports.notebooks import kernel_name

    started, cpu = time.perf_counter(), cpu_seconds(resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    pm.execute_notebook(str(notebook), str(out), kernel_name=kernel_name(), language="python", cwd=str(ROOT),
                        progress_bar=False, request_save_on_cell_execute=False)
    return (time.perf_counter() - started,
            cpu_seconds(resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN) - cpu)


def _run_floor(notebook: str, out: str) -> None:
    time_floor(Path(notebook), Path(out))


def time_parallel_floor(notebook: Path, n: int, processes: int) -> float:
    """Wall time of ``n`` floor runs by ``processes`` workers started as the batch starts its own (no
    export, no index)."""
    from ntm_analysis.reports.batch import _context  # the batch's way of starting workers

    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=processes, mp_context=_context()) as pool:
        for future in [pool.submit(_run_floor, str(notebook), str(DATA / f"floor-out-{i}.ipynb")) for i in range(n)]:
            future.result()
    return time.perf_counter() - started


def time_batch(processed: Path, reports: Path, year: int, processes: int) -> tuple[float, float, int]:
    """Wall and CPU time of ``ntm report --all --force`` in a fresh process; its exit code.

    The CPU time is the sum over every process of the batch (the command, the fork server, the workers,
    the kernels) of its user + system time, sampled every 0.1 s with psutil until it ends: the workers
    are not children the command waits for, so ``RUSAGE_CHILDREN`` would miss them. Time used after a
    process's last sample is missed too (≤ 0.1 s each), so the figure is a slight underestimate.
    """
    started = time.perf_counter()
    command = subprocess.Popen([str(ROOT / ".venv" / "bin" / "ntm"), "report", "--all", "--year", str(year), "--force",
                                "--processes", str(processes), "--quiet", "--processed", str(processed),
                                "--out", str(reports)], cwd=ROOT, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    root, seen = psutil.Process(command.pid), {}
    while command.poll() is None:
        try:
            tree = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            break
        for proc in tree:
            try:
                times = proc.cpu_times()
                seen[(proc.pid, proc.create_time())] = times.user + times.system
            except psutil.Error:
                pass  # ended between the listing and the reading
        time.sleep(0.1)
    return time.perf_counter() - started, sum(seen.values()), command.wait()


def breakdown(out_dir: Path) -> dict:
    """Papermill's cell timings of the executed reports: import cell, shared-results cell, the rest."""
    rows = {}
    for path in sorted(out_dir.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        seconds = [float(c.metadata.get("papermill", {}).get("duration") or 0) for c in code]
        derive = next(i for i, c in enumerate(code) if "district_results" in c.source)
        rows[path.stem] = {"notebook": float(nb.metadata["papermill"]["duration"]), "imports": seconds[0],
                           "shared_results": seconds[derive], "sections": sum(seconds[derive + 1:])}
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    processed, reports = DATA / "processed", DATA / "out"
    DATA.mkdir(parents=True, exist_ok=True)
    prepare(processed)
    notebook = floor_notebook(DATA / "floor.ipynb")
    from ntm_analysis.pipeline import load_clean_tables

    n_reports = load_clean_tables(processed)[0]["commune"].nunique() + 1
    floors, floor_cpu, parallel, batches, batch_cpu, loads = [], [], [], [], [], []
    time_floor(notebook, DATA / "floor-out.ipynb")  # warm the disk cache and the kernel's bytecode
    for i in range(args.repeat):
        loads.append(os.getloadavg()[0])
        wall, cpu = time_floor(notebook, DATA / "floor-out.ipynb")
        floors.append(wall)
        floor_cpu.append(cpu)
        parallel.append(time_parallel_floor(notebook, n_reports, args.processes))
        wall, cpu, code = time_batch(processed, reports, args.year, args.processes)
        if code != 0:
            print(f"ntm report exited with {code}", file=sys.stderr)
            return 1
        batches.append(wall)
        batch_cpu.append(cpu)
        print(f"run {i + 1}: floor notebook {floors[-1]:.1f} s (CPU {floor_cpu[-1]:.1f} s), parallel floor "
              f"{parallel[-1]:.1f} s, batch {wall:.1f} s (CPU {cpu:.1f} s), load {loads[-1]:.1f}")
    floor = min(floors) * n_reports / args.processes
    batch = min(batches)
    parts = breakdown(reports / str(args.year))
    communes = [v for k, v in parts.items() if k != "toan-huyen"]
    summary = {
        "machine": f"{platform.system()} {platform.machine()}, nproc {os.cpu_count()}, Python {platform.python_version()}",
        "reports": n_reports, "processes": args.processes, "repeat": args.repeat, "load_average_1min": loads,
        "floor_notebook_s": floors, "parallel_floor_s": parallel, "batch_s": batches, "floor_s": floor,
        "ratio": batch / floor, "ratio_to_parallel_floor": batch / min(parallel), "floor_cpu_s": floor_cpu,
        "batch_cpu_s": batch_cpu, "cpu_ratio": min(batch_cpu) / (min(floor_cpu) * n_reports),
        "target_ratio": TARGET, "breakdown": parts,
    }
    (DATA / "results.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    print(f"\n{summary['machine']}; {n_reports} reports, {args.processes} processes; fastest of {args.repeat}; "
          f"load average {min(loads):.1f}–{max(loads):.1f}")
    print("| measure | wall time |\n| --- | ---: |")
    print(f"| one empty report notebook (kernel, imports, papermill) | {min(floors):.1f} s |")
    print(f"| floor: {min(floors):.1f} s × {n_reports} ÷ {args.processes} | {floor:.1f} s |")
    print(f"| parallel floor: {n_reports} floor runs by {args.processes} workers | {min(parallel):.1f} s |")
    print(f"| `ntm report --all --force` | {batch:.1f} s |")
    print(f"| ratio to the floor (target ≤ {TARGET}) | {batch / floor:.2f} |")
    print(f"| ratio to the parallel floor | {batch / min(parallel):.2f} |")
    print("\n| CPU time (user + system, every process) | |\n| --- | ---: |")
    print(f"| one empty report notebook | {min(floor_cpu):.1f} s |")
    print(f"| floor: × {n_reports} | {min(floor_cpu) * n_reports:.1f} s |")
    print(f"| `ntm report --all --force` | {min(batch_cpu):.1f} s |")
    print(f"| CPU ratio | {min(batch_cpu) / (min(floor_cpu) * n_reports):.2f} |")

    def median(key: str, rows: list[dict]) -> float:
        return statistics.median(r[key] for r in rows)

    print("\nPer report, papermill's cell timings (median over the communes; the district):")
    print("| part | commune | district |\n| --- | ---: | ---: |")
    for key, name in [("notebook", "whole notebook"), ("imports", "import cell"),
                      ("shared_results", "shared results (cache)"), ("sections", "sections")]:
        print(f"| {name} | {median(key, communes):.1f} s | {parts['toan-huyen'][key]:.1f} s |")
    print(f"\ntarget (batch ≤ {TARGET} × floor): {'met' if batch <= TARGET * floor else 'not met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
