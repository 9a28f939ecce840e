"""Benchmark: cleaning a province-to-national-scale input against pandas merely reading it.

Run from the repository root::

    .venv/bin/python benchmarks/bench_clean.py [--villages 10000] [--formats csv,xlsx] [--layouts wide,long]
                                               [--repeat N] [--regenerate]

It generates, into ``benchmarks/data/`` (git-ignored), a villages CSV and the indicator values of every
village for six years (2019–2024) and every indicator of ``gia-lai-village-2019``:

* ``csv-wide``  – one row per village × year, one column per indicator (CSV);
* ``csv-long``  – one row per value (CSV);
* ``xlsx-wide`` – the wide table as an .xlsx workbook (a long table of ~1.8 M rows does not fit in one
  Excel sheet, whose limit is 1,048,576 rows, so there is no ``xlsx-long``);
* ``xlsx-office`` – the same table laid out as an office lays it out (``--layouts office``): a merged title
  row, a two-row header (identity cells merged down, a criterion title merged over its indicators), the
  commune cell merged down each village's six rows (10,000 merged ranges at 10,000 villages) and a
  signature footer, so that merged-range handling and the non-data rows are measured at scale.

Cells look like an office's: Vietnamese numbers as text ("45,5"), "Đạt" / "Chưa đạt", ~2 % empty cells
and a few hundred invalid ones (text in a number column, a percent above 100, an unknown yes/no mark).

For each input, two jobs each run in a fresh child process (so that peak memory is the job's own):

* **read**  – the bare read: ``pandas.read_csv(path, dtype=str, keep_default_na=False)`` or
  ``pandas.read_excel(path, dtype=str)`` of the values file and of the villages file;
* **clean** – ``ntm_analysis.clean.folder.clean_raw_folder`` on a folder holding just those two files.

Wall time (and the CPU time of the process, which a busy machine disturbs less) is measured inside the
child around the job only: imports and loading the criteria set are excluded. Peak memory is
``resource.getrusage(RUSAGE_SELF).ru_maxrss`` at the end of the child, so it includes the interpreter
and the imported libraries; ``/proc/self/status`` VmHWM is printed next to it as a cross-check (a child
inherits its parent's resident size in ``ru_maxrss`` on Linux, so the inputs are generated in a child
too and the parent stays small). With ``--repeat N`` each job runs N times; the table shows the fastest
time and the highest peak. Nothing is written into the package.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA = HERE / "data"
CRITERIA_SET = "gia-lai-village-2019"
YEARS = list(range(2019, 2025))
COMMUNES_CSV = ROOT / "ntm_analysis" / "reference" / "ia-grai-communes.csv"
EMPTY_SHARE = 0.02
INVALID_CELLS = 300
SEED = 20240601
TARGET_RATIO = 3.0
TARGET_PEAK_MB = 2048.0

ID_HEADERS = ["Mã làng", "Tên làng", "Xã"]
LONG_HEADERS = [*ID_HEADERS, "Năm", "Chỉ tiêu", "Giá trị"]
_NAME_PARTS = (["Plei", "Đê", "Bôn", "Kon", "Tơ", "Ia", "Bui", "Chư"],
               ["Mơ", "Hra", "Ktu", "Grăng", "Dêr", "Pếch", "Blang", "Ốp", "Lốc", "Kênh"])
_INVALID = {"percent": ["khoảng 50", "chưa rõ", "105", "1O0"],
            "money": ["khoảng 30", "chưa có số liệu", "3O,5"],
            "boolean": ["có lẽ", "đang làm", "?"]}


@dataclass(frozen=True)
class Input:
    """One benchmark input: a folder holding the villages CSV and one values file."""

    name: str
    folder: Path
    values_file: str

    @property
    def values_path(self) -> Path:
        return self.folder / self.values_file

    @property
    def villages_path(self) -> Path:
        return self.folder / "villages.csv"


INPUTS = {
    ("csv", "wide"): ("csv-wide", "values_wide.csv"),
    ("csv", "long"): ("csv-long", "values_long.csv"),
    ("xlsx", "wide"): ("xlsx-wide", "values_wide.xlsx"),
    ("xlsx", "office"): ("xlsx-office", "values_office.xlsx"),
}
FOOTER = [["Người lập biểu", None, None, None, "TM. ỦY BAN NHÂN DÂN"], ["(Ký, ghi rõ họ tên)", None, None, None,
                                                                       "CHỦ TỊCH"]]


# ---------------------------------------------------------------- generating the input


def _indicators() -> list[tuple[str, str]]:
    """(code, unit) of every indicator of the criteria set, in order."""
    from ntm_analysis.reference.criteria import load_criteria_set

    return [(i.code, i.unit) for i in load_criteria_set(CRITERIA_SET).indicators]


def make_villages(n: int) -> pd.DataFrame:
    """``n`` villages over Ia Grai's communes (cycling), codes as zero-padded text."""
    communes = pd.read_csv(COMMUNES_CSV, dtype=str)["commune"].tolist()
    rng = np.random.default_rng(SEED)
    width = max(5, len(str(n)))
    first, second = _NAME_PARTS
    return pd.DataFrame({
        "Mã làng": [f"{i:0{width}d}" for i in range(1, n + 1)],
        "Tên làng": [f"Làng {first[i % len(first)]} {second[(i // len(first)) % len(second)]} {i}"
                     for i in range(1, n + 1)],
        "Xã": [communes[i % len(communes)] for i in range(n)],
        "Số hộ": rng.integers(40, 400, n).astype(str),
        "Tỷ lệ hộ DTTS": [f"{v:.1f}".replace(".", ",") for v in rng.uniform(1, 100, n)],
    })


def _vi_numbers(values: np.ndarray) -> list[str]:
    """Vietnamese decimal commas: 45.5 -> "45,5"; whole numbers without decimals."""
    return [str(int(v)) if v.is_integer() else f"{v:.1f}".replace(".", ",") for v in values.tolist()]


def _indicator_cells(unit: str, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` plausible cells for one indicator, as an office types them."""
    if unit == "boolean":
        return np.where(rng.random(n) < 0.7, "Đạt", "Chưa đạt").astype(object)
    if unit == "percent":
        values = np.round(rng.uniform(1, 100, n), 1)  # below 1 % reads as a probable fraction
        values[rng.random(n) < 0.15] = 100.0
    else:  # income, million VND per person and year
        values = np.round(rng.uniform(15, 70, n), 1)
    return np.array(_vi_numbers(values), dtype=object)


def make_wide(villages: pd.DataFrame, indicators: list[tuple[str, str]]) -> pd.DataFrame:
    """One row per village × year, one column per indicator code; empty and invalid cells sprinkled in."""
    rng = np.random.default_rng(SEED + 1)
    ids = villages[ID_HEADERS].loc[villages.index.repeat(len(YEARS))].reset_index(drop=True)
    n = len(ids)
    wide = ids.assign(**{"Năm": np.tile(np.array(YEARS, dtype=str), len(villages))})
    columns = {code: _indicator_cells(unit, n, rng) for code, unit in indicators}
    for column in columns.values():
        column[rng.random(n) < EMPTY_SHARE] = ""
    units = dict(indicators)
    codes = [code for code, _ in indicators]
    for _ in range(INVALID_CELLS):
        code = codes[rng.integers(len(codes))]
        kind = "boolean" if units[code] == "boolean" else "percent" if units[code] == "percent" else "money"
        columns[code][rng.integers(n)] = _INVALID[kind][rng.integers(len(_INVALID[kind]))]
    return pd.concat([wide, pd.DataFrame(columns)], axis=1)


def wide_to_long(wide: pd.DataFrame, codes: list[str]) -> pd.DataFrame:
    """The same values, one row per village × year × indicator."""
    long = wide.melt(id_vars=[*ID_HEADERS, "Năm"], value_vars=codes, var_name="Chỉ tiêu", value_name="Giá trị")
    order = {code: i for i, code in enumerate(codes)}
    long = long.assign(_o=long["Chỉ tiêu"].map(order)).sort_values(["Mã làng", "Năm", "_o"], kind="stable")
    return long[LONG_HEADERS].reset_index(drop=True)


def write_xlsx(frame: pd.DataFrame, path: Path, sheet: str = "Số liệu") -> None:
    """A one-sheet workbook in openpyxl's write-only mode; codes and numbers stay text, years are numbers."""
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    ws = book.create_sheet(sheet)
    ws.append(list(frame.columns))
    year = frame.columns.get_loc("Năm")
    for row in frame.itertuples(index=False, name=None):
        cells = [c if c != "" else None for c in row]
        cells[year] = int(cells[year])
        ws.append(cells)
    book.save(path)


def write_office_xlsx(frame: pd.DataFrame, indicators: list[tuple[str, str]], path: Path) -> None:
    """The wide table as an office lays it out (see the module docstring), merged ranges included.

    openpyxl's write-only mode cannot merge cells, so the ``<mergeCells>`` list is written into the sheet's
    XML afterwards, where Excel puts it (right after ``<sheetData>``).
    """
    import zipfile

    import openpyxl
    from openpyxl.utils import get_column_letter

    codes = [code for code, _ in indicators]
    width = len(ID_HEADERS) + 1 + len(codes)
    last = get_column_letter(width)
    criterion = [code.split(".")[0] for code in codes]
    upper = [*ID_HEADERS, "Năm", *[f"TC{c}" for c in criterion]]
    lower = [None] * (len(ID_HEADERS) + 1) + codes
    merged = [f"A1:{last}1"] + [f"{get_column_letter(j + 1)}2:{get_column_letter(j + 1)}3"
                                for j in range(len(ID_HEADERS) + 1)]
    start = len(ID_HEADERS) + 1
    for j in range(len(codes)):  # a criterion's title over its indicators
        if (j == 0 or criterion[j] != criterion[j - 1]) and j + 1 < len(codes) and criterion[j + 1] == criterion[j]:
            end = j
            while end + 1 < len(codes) and criterion[end + 1] == criterion[j]:
                end += 1
            merged.append(f"{get_column_letter(start + j + 1)}2:{get_column_letter(start + end + 1)}2")
    book = openpyxl.Workbook(write_only=True)
    ws = book.create_sheet("Số liệu")
    ws.append(["BIỂU TỔNG HỢP KẾT QUẢ ĐÁNH GIÁ TIÊU CHÍ THÔN, LÀNG NÔNG THÔN MỚI"])
    ws.append(upper)
    ws.append(lower)
    year, commune = frame.columns.get_loc("Năm"), frame.columns.get_loc("Xã")
    row_number, first, previous = 3, 4, None
    for row in frame.itertuples(index=False, name=None):
        row_number += 1
        cells = [c if c != "" else None for c in row]
        cells[year] = int(cells[year])
        if cells[0] == previous:  # the commune cell is merged down the village's rows
            cells[commune] = None
        else:
            if previous is not None and row_number - 1 > first:
                merged.append(f"C{first}:C{row_number - 1}")
            first, previous = row_number, cells[0]
        ws.append(cells)
    merged.append(f"C{first}:C{row_number}")
    ws.append([])
    for footer in FOOTER:
        ws.append(footer)
    book.save(path)
    xml = "".join(f'<mergeCell ref="{ref}"/>' for ref in merged)
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</sheetData>", f'</sheetData><mergeCells count="{len(merged)}">{xml}'
                                                    f"</mergeCells>".encode(), 1)
            target.writestr(item, data)
    tmp.replace(path)


def _stamp(n_villages: int) -> dict:
    return {"villages": n_villages, "years": YEARS, "criteria": CRITERIA_SET, "seed": SEED,
            "empty_share": EMPTY_SHARE, "invalid_cells": INVALID_CELLS, "version": 3}


def inputs_for(n_villages: int, wanted: list[tuple[str, str]]) -> list[Input]:
    """Where each wanted input lives."""
    return [Input(INPUTS[k][0], DATA / f"{INPUTS[k][0]}-{n_villages}", INPUTS[k][1]) for k in wanted]


def generate(n_villages: int, todo: list[Input]) -> None:
    """Write the inputs in ``todo`` (in a child process: the parent stays small, see ``run_child``)."""
    stamp = _stamp(n_villages)
    indicators = _indicators()
    villages = make_villages(n_villages)
    wide = make_wide(villages, indicators)
    for item in todo:
        started = time.perf_counter()
        item.folder.mkdir(parents=True, exist_ok=True)
        villages.to_csv(item.villages_path, index=False)
        if "office" in item.name:
            write_office_xlsx(wide, indicators, item.values_path)
        elif item.values_file.endswith(".xlsx"):
            write_xlsx(wide, item.values_path)
        elif "long" in item.name:
            wide_to_long(wide, [c for c, _ in indicators]).to_csv(item.values_path, index=False)
        else:
            wide.to_csv(item.values_path, index=False)
        _params_path(item).write_text(json.dumps(stamp), encoding="utf-8")
        print(f"generated {item.values_path.relative_to(ROOT)} "
              f"({item.values_path.stat().st_size / 2**20:.1f} MiB) in {time.perf_counter() - started:.1f} s",
              file=sys.stderr)


def _params_path(item: Input) -> Path:
    """The generation parameters, next to (not in) the input folder, which must hold only the input."""
    return item.folder.with_name(item.folder.name + ".json")


def _fresh(item: Input, stamp: dict) -> bool:
    params = _params_path(item)
    return (item.values_path.exists() and item.villages_path.exists() and params.exists()
            and json.loads(params.read_text(encoding="utf-8")) == stamp)


# ---------------------------------------------------------------- the jobs, each in a child process


def _peak_mb() -> float:
    """Peak resident memory of this process so far, MiB (Linux reports ru_maxrss in KiB).

    On Linux a child's ``ru_maxrss`` starts from its parent's resident size at the fork, which is why
    the parent never holds the generated data.
    """
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10


def _high_water_mb() -> float | None:
    """The same peak from ``/proc/self/status`` (VmHWM, this program only), as a cross-check; Linux only."""
    try:
        lines = Path("/proc/self/status").read_text().splitlines()
    except OSError:
        return None
    return next((int(line.split()[1]) / 2**10 for line in lines if line.startswith("VmHWM:")), None)


def bare_read(folder: Path, values_file: str) -> dict:
    """pandas alone reading the values file and the villages file, every cell as text."""
    path = folder / values_file
    if path.suffix == ".xlsx":
        values = pd.read_excel(path, dtype=str)
    else:
        values = pd.read_csv(path, dtype=str, keep_default_na=False)
    villages = pd.read_csv(folder / "villages.csv", dtype=str, keep_default_na=False)
    return {"rows": len(values), "cells": int(values.size), "village_rows": len(villages)}


def clean(folder: Path, criteria: object) -> dict:
    """The whole clean step on the folder; returns the conservation counts."""
    from ntm_analysis.clean.folder import clean_raw_folder
    from ntm_analysis.settings import load_settings

    sample = load_settings(None)  # the sample's commune list and plan (the generated villages use its communes)
    summary = clean_raw_folder(folder, criteria, sample.admin, sample.plan_data).summary
    return {"values": summary["values"], "village_rows": summary["village_rows"],
            "problems": summary["problems"]}


def child(job: str, folder: Path, values_file: str) -> None:
    """Run one job and print one JSON line: seconds, peak MiB and what the job returned."""
    criteria = None
    if job == "clean":
        from ntm_analysis.reference.criteria import load_criteria_set
        import ntm_analysis.pipeline  # noqa: F401 - imported before the clock starts

        criteria = load_criteria_set(CRITERIA_SET)
    started, cpu_started = time.perf_counter(), time.process_time()
    out = bare_read(folder, values_file) if job == "read" else clean(folder, criteria)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    print(json.dumps({"seconds": seconds, "cpu_seconds": cpu_seconds, "peak_mb": _peak_mb(),
                      "hwm_mb": _high_water_mb(), **out}, ensure_ascii=False))


def run_child(job: str, item: Input) -> dict:
    """One job in a fresh interpreter."""
    done = subprocess.run([sys.executable, __file__, "--child", job, "--folder", str(item.folder),
                           "--values-file", item.values_file],
                          capture_output=True, text=True, check=False, cwd=ROOT)
    if done.returncode != 0:
        raise RuntimeError(f"{job} {item.name} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def ensure_inputs(n_villages: int, inputs: list[Input], regenerate: bool) -> None:
    """Generate, in a child process, the inputs missing or made with other parameters."""
    stamp = _stamp(n_villages)
    todo = [i.name for i in inputs if regenerate or not _fresh(i, stamp)]
    if todo:
        subprocess.run([sys.executable, __file__, "--child", "generate", "--villages", str(n_villages),
                        "--inputs", ",".join(todo)], check=True, cwd=ROOT)


# ---------------------------------------------------------------- measuring and reporting


def measure(item: Input, repeat: int) -> dict:
    """Fastest wall time and highest peak of ``repeat`` runs of each job."""
    result = {"input": item.name, "size_mb": item.values_path.stat().st_size / 2**20}
    for job in ["read", "clean"]:
        runs = [run_child(job, item) for _ in range(repeat)]
        result[job] = {"seconds": min(r["seconds"] for r in runs), "cpu_seconds": min(r["cpu_seconds"] for r in runs),
                       "peak_mb": max(r["peak_mb"] for r in runs),
                       "all_seconds": [round(r["seconds"], 2) for r in runs], "last": runs[-1]}
        print(f"{item.name} {job}: {result[job]['all_seconds']} s, peak {result[job]['peak_mb']:.0f} MiB "
              f"(VmHWM {max(r['hwm_mb'] or 0 for r in runs):.0f} MiB)", file=sys.stderr)
    result["ratio"] = result["clean"]["seconds"] / result["read"]["seconds"]
    result["cpu_ratio"] = result["clean"]["cpu_seconds"] / result["read"]["cpu_seconds"]
    return result


def machine() -> str:
    """One line describing where the figures were measured."""
    import openpyxl

    pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") / 2**30
    return (f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, {pages:.1f} GiB RAM; "
            f"Python {platform.python_version()}, pandas {pd.__version__}, numpy {np.__version__}, "
            f"openpyxl {openpyxl.__version__}")


def table(results: list[dict]) -> str:
    """The results as a markdown table."""
    lines = ["| input | values file | cells in → clean / rejected / set aside | bare read | clean | clean ÷ read "
             "| peak RSS read | peak RSS clean | targets (≤ 3×, < 2 GiB) |",
             "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | --- |"]
    for r in results:
        counts = r["clean"]["last"]["values"]
        ok = r["ratio"] <= TARGET_RATIO and r["clean"]["peak_mb"] < TARGET_PEAK_MB
        lines.append(
            f"| {r['input']} | {r['size_mb']:.1f} MiB | {counts['input']:,} → {counts['clean']:,} / "
            f"{counts['rejected']:,} / {counts.get('set_aside', 0):,} | {_seconds(r['read'])} | {_seconds(r['clean'])} "
            f"| {r['ratio']:.1f}× ({r['cpu_ratio']:.1f}× CPU) | {r['read']['peak_mb']:.0f} MiB "
            f"| {r['clean']['peak_mb']:.0f} MiB | {'met' if ok else 'NOT met'} |")
    return "\n".join(lines)


def _seconds(job: dict) -> str:
    """Wall time, with the CPU time of the process in brackets (the two differ on a busy machine)."""
    return f"{job['seconds']:.1f} s ({job['cpu_seconds']:.1f} s CPU)"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--villages", type=int, default=10_000, help="number of villages (default 10000)")
    parser.add_argument("--formats", default="csv,xlsx", help="comma-separated: csv, xlsx (default both)")
    parser.add_argument("--layouts", default="wide,long", help="comma-separated: wide, long, office (default "
                        "wide,long; xlsx is wide or office only)")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each job; the fastest is shown")
    parser.add_argument("--regenerate", action="store_true", help="rewrite the inputs even if present")
    parser.add_argument("--child", choices=["read", "clean", "generate"], help=argparse.SUPPRESS)
    parser.add_argument("--inputs", help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--values-file", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child == "generate":
        names = args.inputs.split(",")
        generate(args.villages, [i for i in inputs_for(args.villages, list(INPUTS)) if i.name in names])
        return
    if args.child:
        child(args.child, args.folder, args.values_file)
        return
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    layouts = [x.strip() for x in args.layouts.split(",") if x.strip()]
    wanted = [k for k in INPUTS if k[0] in formats and k[1] in layouts]
    if not wanted:
        parser.error("no input selected (formats: csv, xlsx; layouts: wide, long, office; xlsx is wide or office "
                     "only, csv wide or long)")
    inputs = inputs_for(args.villages, wanted)
    ensure_inputs(args.villages, inputs, args.regenerate)
    load_before = os.getloadavg()
    results = [measure(item, args.repeat) for item in inputs]
    load_after = os.getloadavg()
    print(f"{args.villages:,} villages × {len(YEARS)} years × all indicators of {CRITERIA_SET}; "
          f"fastest of {args.repeat} run(s)\n\n{machine()}\n"
          f"load average (1 min) {load_before[0]:.1f} at the start, {load_after[0]:.1f} at the end\n")
    print(table(results))


if __name__ == "__main__":
    sys.path.append(str(ROOT))  # when ntm-analysis is not installed; PYTHONPATH still comes first
    main()
