"""The chain's own costs on the bundled sample: `ntm clean` against a bare read of the same files, `ntm --help`,
and a second `ntm score` / `ntm costs` / `ntm schedule` on unchanged inputs (read back, not recomputed).

    .venv/bin/python benchmarks/bench_chain.py --repeat 5

Runs are interleaved (bare read, clean, bare read, clean …) so that a busy machine slows both alike; the
figures are medians of wall time. The bare read opens every workbook of data/raw with openpyxl's streaming
reader and reads every row, and reads every CSV with the csv module, pandas imported as the tool imports
it — what any reader of these files must do.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NTM = [sys.executable, "-m", "ntm_analysis"]
BARE_READ = """
import csv, sys
from pathlib import Path
import openpyxl, pandas
for path in sorted(Path(sys.argv[1]).iterdir()):
    if path.suffix == ".xlsx":
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        for sheet in book.worksheets:
            for _ in sheet.iter_rows(values_only=True):
                pass
        book.close()
    elif path.suffix == ".csv":
        text = path.read_bytes().decode("utf-8", errors="replace")
        rows = list(csv.reader(text.splitlines(), csv.Sniffer().sniff(text[:4096], delimiters=",;\\t")))
"""


def timed(command: list[str]) -> float:
    """Wall seconds of one run of ``command`` (which must succeed)."""
    started = time.perf_counter()
    subprocess.run(command, check=True, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    raw = ROOT / "data" / "raw"
    with tempfile.TemporaryDirectory() as tmp:
        processed, reports = Path(tmp) / "processed", Path(tmp) / "reports"
        bare, clean, help_ = [], [], []
        for _ in range(args.repeat):
            bare.append(timed([sys.executable, "-c", BARE_READ, str(raw)]))
            clean.append(timed([*NTM, "clean", "--raw", str(raw), "--processed", str(processed), "--quiet"]))
            help_.append(timed([*NTM, "--help"]))
        first = {c: timed([*NTM, c, "--processed", str(processed), *(["--reports", str(reports)] if c != "schedule" else [])])
                 for c in ("score", "costs", "schedule")}
        again = {c: timed([*NTM, c, "--processed", str(processed), *(["--reports", str(reports)] if c != "schedule" else [])])
                 for c in ("score", "costs", "schedule")}
    b, c, h = statistics.median(bare), statistics.median(clean), statistics.median(help_)
    print(f"bare read {b:.2f} s · ntm clean {c:.2f} s · ratio {c / b:.2f} (runs: {', '.join(f'{x:.2f}' for x in clean)})")
    print(f"ntm --help {h:.2f} s")
    for command in first:
        print(f"ntm {command}: first {first[command]:.2f} s, again on unchanged inputs {again[command]:.2f} s")


if __name__ == "__main__":
    main()
