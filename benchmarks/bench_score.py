"""Benchmark: scoring a national-scale processed table against pandas merely loading it.

Run from the repository root::

    .venv/bin/python benchmarks/bench_score.py [--village-years 1000000] [--naive-sample 20000]
                                               [--repeat N] [--regenerate]

It generates, into ``benchmarks/data/`` (git-ignored), the two processed tables that ``ntm clean`` writes
and ``ntm score`` reads (``villages.parquet``, ``indicator_values.parquet``), with the dtypes the pipeline
writes: ``village_code`` and ``indicator_code`` as ``string``, ``year`` int64, ``value`` float64 (booleans
1.0 / 0.0, ~2 % NaN), one row per village × year × indicator of ``gia-lai-village-2022`` (30 indicators),
sorted as ``clean_values`` sorts them. Villages are spread over threshold groups "1" and "2"; years are
2021–2025, so 1,000,000 village-years are 200,000 villages and 30,000,000 value rows. Only the four
columns scoring reads are written; the real table also carries ``note, file, sheet, row, column``, which
would make the load (the yardstick) slower, not the scoring.

Each job runs twice, once per way of loading the values (``--keys``): **category** is how the tool loads
them (``ntm_analysis.catalog.read_values``: ``village_code`` and ``indicator_code`` read from parquet's
dictionary encoding as categories); **string** is a plain ``pandas.read_parquet`` (text keys), to show how
much of the time and memory text keys would cost.

Jobs, each in a fresh child process so that peak memory (``ru_maxrss``, which includes the interpreter
and the imported libraries) is the job's own; wall time is measured inside the child, imports and
loading the criteria set excluded:

* **load**  – ``pandas.read_parquet`` of both tables;
* **score** – the same load, then ``score_villages(values, villages, gia-lai-village-2022)``;
  scoring time = score job − load job. ``score_villages`` computes every status, gap and the village
  status; the long indicator and criterion frames (30 and 19 rows per village-year) are built when first
  used, so
* **frames** – the score job, then building those two frames (as ``ntm score`` does before writing them);
* **naive** – a row-by-row scorer kept in this file only (Python loops, thresholds looked up in dicts)
  on ``--naive-sample`` village-years (whole villages, drawn at random), extrapolated linearly to the
  full size. The same sample is scored by ``score_villages`` (string and category keys) and the
  criteria met and meets-standard of every village-year must agree, or the benchmark fails.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA = HERE / "data"
CRITERIA_SET = "gia-lai-village-2022"
YEARS = list(range(2021, 2026))
PASS_SHARE = 0.95    # chance that an indicator value meets its threshold
EMPTY_SHARE = 0.02   # chance that a value is missing (NaN)
SEED = 20240603
TARGET_RATIO = 2.0
TARGET_PEAK_MB = 2048.0
KEY_DTYPES = ("string", "category")


# ---------------------------------------------------------------- generating the processed tables


def folder_for(village_years: int) -> Path:
    return DATA / f"score-{village_years}"


def generate(village_years: int, regenerate: bool) -> Path:
    """Write the processed tables for ``village_years`` (reused when already there with the same stamp)."""
    from ntm_analysis.reference.criteria import load_criteria_set
    from ntm_analysis.core.storage import write_parquet

    folder = folder_for(village_years)
    stamp = {"village_years": village_years, "years": YEARS, "criteria": CRITERIA_SET, "seed": SEED,
             "pass_share": PASS_SHARE, "empty_share": EMPTY_SHARE, "version": 2}
    params = folder / "params.json"
    files = [folder / "villages.parquet", folder / "indicator_values.parquet"]
    if (not regenerate and params.exists() and all(f.exists() for f in files)
            and json.loads(params.read_text(encoding="utf-8")) == stamp):
        return folder
    started = time.perf_counter()
    criteria = load_criteria_set(CRITERIA_SET)
    rng = np.random.default_rng(SEED)
    n_villages = math.ceil(village_years / len(YEARS))
    # national-looking codes: 5-digit commune + 3-digit village, zero-padded text, in sorted order
    codes = np.array([f"{10000 + i // 40:05d}{i % 40 + 1:03d}" for i in range(n_villages)], dtype=object)
    group_ids = [g.id for g in criteria.groups]
    village_group = rng.integers(0, len(group_ids), n_villages)
    villages = pd.DataFrame({"village_code": codes, "threshold_group": np.array(group_ids)[village_group]}
                            ).astype("string")

    indicators = criteria.indicators
    n_rows_vy, n_ind = n_villages * len(YEARS), len(indicators)
    group_of_row = np.repeat(village_group, len(YEARS))          # village-major, then year
    values = np.empty((n_rows_vy, n_ind))
    for j, ind in enumerate(indicators):
        threshold = np.array([float(ind.threshold_for(g)) for g in group_ids])[group_of_row]
        passes = rng.random(n_rows_vy) < PASS_SHARE
        u = rng.random(n_rows_vy)
        if ind.kind == "boolean":
            values[:, j] = np.where(passes, threshold, 1.0 - threshold)
            continue
        top = 100.0 if ind.unit in ("percent", "points") else threshold * 2
        if ind.direction == ">=":
            col = np.where(passes, threshold + u * (top - threshold), u * threshold)
        else:
            col = np.where(passes, u * threshold, threshold + u * (top - threshold))
        values[:, j] = np.round(col, 1)
    values[rng.random(values.shape) < EMPTY_SHARE] = np.nan

    village_codes = pd.Categorical.from_codes(np.repeat(np.arange(n_villages), len(YEARS) * n_ind), codes)
    indicator_codes = pd.Categorical.from_codes(np.tile(np.arange(n_ind), n_rows_vy),
                                                [i.code for i in indicators])
    table = pd.DataFrame({
        "village_code": village_codes,
        "year": np.tile(np.repeat(np.array(YEARS, dtype="int64"), n_ind), n_villages),
        "indicator_code": indicator_codes,
        "value": values.ravel(),
    })
    del values
    folder.mkdir(parents=True, exist_ok=True)
    write_parquet(villages, folder / "villages.parquet")
    write_parquet(table.astype({"village_code": "string", "indicator_code": "string"}),
                  folder / "indicator_values.parquet")
    params.write_text(json.dumps(stamp), encoding="utf-8")
    print(f"generated {len(table):,} value rows ({n_villages:,} villages × {len(YEARS)} years × {n_ind} "
          f"indicators) in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return folder


# ---------------------------------------------------------------- the naive scorer (benchmark only)


def naive_score(values: pd.DataFrame, villages: pd.DataFrame, criteria) -> dict[tuple[str, int], tuple[int, bool]]:
    """(criteria met, meets standard) per village × year, row by row, under ``missing_fails``.

    The obvious implementation: gather each village-year's values in a dict, then for every indicator
    look its threshold up by (code, group), compare, and fold the result into its criterion.
    """
    rules = {(ind.code, g.id): (ind.criterion, ind.direction, float(ind.threshold_for(g.id)))
             for ind in criteria.indicators for g in criteria.groups}
    single = criteria.groups[0].id if len(criteria.groups) == 1 else None
    group_of = {code: single or str(group)
                for code, group in zip(villages["village_code"], villages["threshold_group"])}
    found: dict[tuple[str, int], dict[str, float]] = {}
    for village, year, code, value in values[["village_code", "year", "indicator_code", "value"]].itertuples(
            index=False, name=None):
        found.setdefault((village, int(year)), {})[code] = value
    out = {}
    for (village, year), got in found.items():
        group = group_of[village]
        status: dict[int, str] = {}
        for ind in criteria.indicators:
            criterion, direction, threshold = rules[(ind.code, group)]
            value = got.get(ind.code)
            if value is None or math.isnan(value):
                result = "no_data"
            elif direction == ">=":
                result = "pass" if value >= threshold else "fail"
            elif direction == "<=":
                result = "pass" if value <= threshold else "fail"
            else:
                result = "pass" if value == threshold else "fail"
            before = status.get(criterion, "pass")
            if before == "fail" or result == "fail":
                status[criterion] = "fail"
            elif before == "no_data" or result == "no_data":
                status[criterion] = "no_data"
            else:
                status[criterion] = "pass"
        met = sum(s == "pass" for s in status.values())
        failed = any(s == "fail" for s in status.values())
        out[(village, year)] = (met, not failed and met >= criteria.criteria_required)
    return out


def _outcome(scores) -> dict[tuple[str, int], tuple[int, bool]]:
    frame = scores.villages
    return {(str(v), int(y)): (int(m), bool(s)) for v, y, m, s in
            zip(frame["village_code"], frame["year"], frame["criteria_met"], frame["meets_standard"])}


def _check_same(expected: dict, got: dict, label: str) -> None:
    if expected == got:
        return
    keys = sorted(set(expected) | set(got))
    wrong = [(k, expected.get(k), got.get(k)) for k in keys if expected.get(k) != got.get(k)]
    raise SystemExit(f"MISMATCH naive vs {label}: {len(wrong):,} of {len(keys):,} village-years differ, "
                     f"e.g. (key, naive, vectorised) {wrong[:5]}")


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with categorical and text columns as ``string``, to compare results of both key dtypes."""
    return frame.astype({c: "string" for c in frame.columns
                         if isinstance(frame[c].dtype, pd.CategoricalDtype) or frame[c].dtype == object
                         or pd.api.types.is_string_dtype(frame[c].dtype)})


# ---------------------------------------------------------------- the jobs, each in a child process


def _cpu_seconds() -> float:
    """User + system CPU time of this process so far (all its threads)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _peak_mb() -> float:
    """Peak resident memory of this process so far, MiB (Linux reports ru_maxrss in KiB)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10


def child(job: str, folder: Path, keys: str, sample: int) -> dict:
    """Run one job; return wall time, peak memory and a few facts about what it produced."""
    from ntm_analysis.reference.criteria import load_criteria_set
    from ntm_analysis.score.scoring import score_villages

    criteria = load_criteria_set(CRITERIA_SET)
    from ntm_analysis.catalog import read_values

    values_path = folder / "indicator_values.parquet"
    if job == "naive":
        return naive_child(folder, criteria, sample)
    started, cpu = time.perf_counter(), _cpu_seconds()
    villages = pd.read_parquet(folder / "villages.parquet")
    values = read_values(values_path) if keys == "category" else pd.read_parquet(values_path)
    loaded = time.perf_counter()
    scores = score_villages(values, villages, criteria) if job in ("score", "frames") else None
    scored = time.perf_counter()
    if job == "frames":  # the long indicator and criterion tables, built on first use
        _ = scores.indicators, scores.criteria
    finished, cpu, peak = time.perf_counter(), _cpu_seconds() - cpu, _peak_mb()
    out = {"seconds": finished - started, "cpu_seconds": cpu, "load_seconds": loaded - started,
           "peak_mb": peak, "rows": len(values), "dtypes": {c: str(t) for c, t in values.dtypes.items()}}
    if scores is not None:  # facts for the report, after the clock has stopped
        out.update(score_seconds=scored - loaded, frames_seconds=finished - scored, village_years=len(scores.villages),
                   indicator_rows=len(scores.indicators), criterion_rows=len(scores.criteria),
                   meeting=int(scores.villages["meets_standard"].sum()),
                   criteria_met_total=int(scores.villages["criteria_met"].sum()),
                   # shallow: arrow text columns count their buffers, object columns their pointers
                   output_mb={name: round(getattr(scores, name).memory_usage(deep=False).sum() / 2**20)
                              for name in ("indicators", "criteria", "villages")})
    return out


def sample_tables(folder: Path, sample: int) -> Path:
    """Write the values and villages of ``sample`` village-years (whole villages drawn at random) beside the
    full tables, so that the naive job reads only them (and its peak memory is its own)."""
    out = folder / f"naive-sample-{sample}"
    if (out / "indicator_values.parquet").exists() and (out / "villages.parquet").exists():
        return out
    villages = pd.read_parquet(folder / "villages.parquet")
    rng = np.random.default_rng(SEED + 7)
    n_villages = min(len(villages), max(1, math.ceil(sample / len(YEARS))))
    chosen = sorted(rng.choice(villages["village_code"].to_numpy(str), n_villages, replace=False).tolist())
    values = pd.read_parquet(folder / "indicator_values.parquet", filters=[("village_code", "in", chosen)])
    out.mkdir(exist_ok=True)
    values.to_parquet(out / "indicator_values.parquet", index=False)
    villages[villages["village_code"].isin(chosen)].to_parquet(out / "villages.parquet", index=False)
    return out


def naive_child(folder: Path, criteria, sample: int) -> dict:
    """Naive scoring of the sample; checked against ``score_villages`` on the same sample."""
    from ntm_analysis.score.scoring import score_villages

    sample_folder = folder / f"naive-sample-{sample}"
    villages = pd.read_parquet(sample_folder / "villages.parquet")
    values = pd.read_parquet(sample_folder / "indicator_values.parquet")
    started, cpu = time.perf_counter(), _cpu_seconds()
    expected = naive_score(values, villages, criteria)
    seconds, cpu = time.perf_counter() - started, _cpu_seconds() - cpu
    peak = _peak_mb()
    strings = score_villages(values, villages, criteria)
    _check_same(expected, _outcome(strings), "score_villages (string keys)")
    as_category = values.astype({"village_code": "category", "indicator_code": "category"})
    categories = score_villages(as_category, villages, criteria)
    _check_same(expected, _outcome(categories), "score_villages (category keys)")
    for name in ("indicators", "criteria", "villages"):
        pd.testing.assert_frame_equal(_plain(getattr(strings, name)), _plain(getattr(categories, name)),
                                      check_dtype=False, obj=f"{name} (string vs category keys)")
    return {"seconds": seconds, "cpu_seconds": cpu, "peak_mb": peak, "village_years": len(expected),
            "rows": len(values), "meeting": sum(m for _, m in expected.values())}


def run_child(job: str, folder: Path, keys: str = "string", sample: int = 0, extra: tuple[str, ...] = ()) -> dict:
    """One job in a fresh interpreter.

    On Linux a child's ``ru_maxrss`` starts from its parent's resident size at fork, so this parent never
    holds the big tables: even generating them is a child job.
    """
    done = subprocess.run([sys.executable, __file__, "--child", job, "--folder", str(folder), "--keys", keys,
                           "--naive-sample", str(sample), *extra], capture_output=True, text=True, check=False,
                          cwd=ROOT)
    if done.returncode != 0:
        raise SystemExit(f"{job} ({keys}) failed:\n{done.stderr}")
    sys.stderr.write(done.stderr)
    return json.loads(done.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------- measuring and reporting


def measure(folder: Path, keys: str, repeat: int) -> dict:
    """Fastest wall time and highest peak of ``repeat`` runs of load and of load + score."""
    result = {}
    for job in ["load", "score", "frames"]:
        runs = [run_child(job, folder, keys) for _ in range(repeat)]
        fastest = min(runs, key=lambda r: r["seconds"])
        result[job] = {"seconds": fastest["seconds"], "cpu_seconds": fastest["cpu_seconds"],
                       "peak_mb": max(r["peak_mb"] for r in runs),
                       "all_seconds": [round(r["seconds"], 2) for r in runs], "fastest": fastest}
        print(f"{keys} {job}: {result[job]['all_seconds']} s, peak {result[job]['peak_mb']:.0f} MiB",
              file=sys.stderr)
    result["score_seconds"] = result["score"]["seconds"] - result["load"]["seconds"]
    result["ratio"] = result["score_seconds"] / result["load"]["seconds"]
    result["score_cpu_seconds"] = result["score"]["cpu_seconds"] - result["load"]["cpu_seconds"]
    return result


def machine() -> str:
    """One line describing where the figures were measured."""
    import pyarrow

    pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") / 2**30
    return (f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, {pages:.1f} GiB RAM; "
            f"Python {platform.python_version()}, pandas {pd.__version__}, numpy {np.__version__}, "
            f"pyarrow {pyarrow.__version__}")


def table(results: dict[str, dict], naive: dict, village_years: int) -> str:
    """The measured figures as a markdown table (one block of rows per key dtype)."""
    lines = ["| keys | job | wall time | CPU time | peak RSS | ratio to load (wall) |",
             "| --- | --- | ---: | ---: | ---: | ---: |"]
    for keys, r in results.items():
        load, score, frames = r["load"], r["score"], r["frames"]
        inside = score["fastest"]["score_seconds"]
        lines += [f"| {keys} | (a) load: `read_parquet` × 2 | {load['seconds']:.2f} s | {load['cpu_seconds']:.2f} s "
                  f"| {load['peak_mb']:,.0f} MiB | 1.00× |",
                  f"| {keys} | (b) load + `score_villages` | {score['seconds']:.2f} s | {score['cpu_seconds']:.2f} s "
                  f"| {score['peak_mb']:,.0f} MiB | |",
                  f"| {keys} | **score, vectorised = (b) − (a)** | {r['score_seconds']:.2f} s "
                  f"| {r['score_cpu_seconds']:.2f} s | (b) | **{r['ratio']:.2f}×** |",
                  f"| {keys} | score alone, timed inside (b) | {inside:.2f} s | | | {inside / load['seconds']:.2f}× |",
                  f"| {keys} | (c) load + `score_villages` + the long indicator and criterion frames "
                  f"| {frames['seconds']:.2f} s | {frames['cpu_seconds']:.2f} s | {frames['peak_mb']:,.0f} MiB "
                  f"| {(frames['seconds'] - load['seconds']) / load['seconds']:.2f}× |"]
    string_load = results["string"]["load"]["seconds"]
    factor = village_years / naive["village_years"]
    extrapolated = naive["seconds"] * factor
    lines.append(f"| string | naive row-by-row, **extrapolated** ×{factor:,.0f} from {naive['village_years']:,} "
                 f"village-years measured in {naive['seconds']:.2f} s | ≈ {extrapolated:,.0f} s "
                 f"| ≈ {naive['cpu_seconds'] * factor:,.0f} s | {naive['peak_mb']:,.0f} MiB (sample job only) "
                 f"| ≈ {extrapolated / string_load:,.0f}× |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--village-years", type=int, default=1_000_000, help="default 1000000")
    parser.add_argument("--naive-sample", type=int, default=20_000, help="village-years scored naively "
                        "(whole villages, so rounded up to a multiple of the years; default 20000)")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each job; the fastest is shown")
    parser.add_argument("--keys", default=",".join(KEY_DTYPES), help="key dtypes to measure: string, category")
    parser.add_argument("--regenerate", action="store_true", help="rewrite the tables even if present")
    parser.add_argument("--child", choices=["prepare", "load", "score", "frames", "naive"], help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child == "prepare":
        sample_tables(generate(args.village_years, args.regenerate), args.naive_sample)
        print(json.dumps({"peak_mb": _peak_mb()}))
        return
    if args.child:
        print(json.dumps(child(args.child, args.folder, args.keys, args.naive_sample)))
        return
    folder = folder_for(args.village_years)
    run_child("prepare", folder, sample=args.naive_sample,
              extra=("--village-years", str(args.village_years), *(["--regenerate"] if args.regenerate else [])))
    naive = run_child("naive", folder, sample=args.naive_sample)
    print(f"naive: {naive['village_years']:,} village-years in {naive['seconds']:.2f} s; agrees with "
          f"score_villages (string and category keys)", file=sys.stderr)
    keys = [k.strip() for k in args.keys.split(",") if k.strip()]
    results = {k: measure(folder, k, args.repeat) for k in keys}
    first = results[keys[0]]["score"]["fastest"]
    for k in keys[1:]:
        other = results[k]["score"]["fastest"]
        facts = ("village_years", "indicator_rows", "criterion_rows", "meeting", "criteria_met_total")
        if any(other[f] != first[f] for f in facts):
            raise SystemExit(f"string and category keys give different scores: {first} vs {other}")
    print(f"{first['rows']:,} value rows = {first['village_years']:,} village-years × 30 indicators of "
          f"{CRITERIA_SET}; {first['meeting']:,} village-years meet the standard; fastest of {args.repeat} run(s)"
          f"\n\n{machine()}\n")
    print(table(results, naive, first["village_years"]))
    for k in keys:
        r = results[k]
        ok = r["ratio"] <= TARGET_RATIO and r["score"]["peak_mb"] < TARGET_PEAK_MB
        print(f"\n{k} keys: score ÷ load {r['ratio']:.2f}× (target ≤ {TARGET_RATIO:g}×), peak "
              f"{r['score']['peak_mb']:.0f} MiB (target < {TARGET_PEAK_MB:.0f} MiB): {'met' if ok else 'NOT met'}; "
              f"score alone, timed inside the fastest score job: {r['score']['fastest']['score_seconds']:.2f} s; "
              f"scored frames (MiB): {r['score']['fastest']['output_mb']}")
    (folder / "results.json").write_text(json.dumps({"machine": machine(), "naive": naive, **results}, indent=1),
                                         encoding="utf-8")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
