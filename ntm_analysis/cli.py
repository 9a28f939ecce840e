"""The ``ntm`` command (also ``python -m ntm_analysis``).

Exit codes: 0 done; 2 the user's input cannot be used (a missing folder, a bad criteria file, an
unknown parameter) — the message says what to fix; 3 ``clean --strict`` found data errors;
4 some reports failed (the others were written; the index lists the errors);
1 an unexpected failure (a bug: please report it with the message).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from ntm_analysis.config import (DEFAULT_CRITERIA_SET, PROCESSED_DIR, RAW_DIR, REPORTS_DIR, SAMPLE_SEED,
                                 SAMPLE_YEARS)

EXIT_OK, EXIT_BUG, EXIT_USER, EXIT_DATA_ERRORS, EXIT_REPORTS_FAILED = 0, 1, 2, 3, 4
MAIN_NOTEBOOKS = ["01_data_quality", "02_gap_analysis", "03_cost_projection", "04_phased_investment"]


class UserError(Exception):
    """A mistake the user can fix; shown as a message, never as a traceback."""


def _sample(args: argparse.Namespace) -> int:
    from ntm_analysis.sample import generate_sample

    manifest = generate_sample(args.out, seed=args.seed)
    print(f"Đã tạo dữ liệu mẫu GIẢ LẬP / wrote SYNTHETIC sample data: {len(manifest['villages'])} làng / villages "
          f"→ {args.out}")
    return EXIT_OK


def _template(args: argparse.Namespace) -> int:
    from ntm_analysis.raw.template import write_template

    path = write_template(args.out, _criteria(args.criteria))
    print(f"Đã tạo mẫu nhập liệu / wrote the input template: {path}")
    return EXIT_OK


def _clean(args: argparse.Namespace) -> int:
    from ntm_analysis.pipeline import clean_raw_folder, conservation_lines, write_clean_outputs

    if not Path(args.raw).is_dir():
        raise UserError(f"Không thấy thư mục dữ liệu / raw-data folder not found: {args.raw}")
    result = clean_raw_folder(args.raw, _criteria(args.criteria), args.admin, progress=not args.quiet)
    written = write_clean_outputs(result, args.out)
    if result.summary["synthetic"]:
        print("*** DỮ LIỆU GIẢ LẬP / SYNTHETIC DATA ***")
    for line in conservation_lines(result.summary):
        print(line)
    print(f"Kết quả / outputs: {len(written)} tệp / files in {args.out} "
          f"(báo cáo chất lượng / quality report: quality_report.xlsx)")
    errors = result.summary["problems"]["error"]
    return EXIT_DATA_ERRORS if args.strict and errors else EXIT_OK


def _score(args: argparse.Namespace) -> int:
    from ntm_analysis.pipeline import load_clean_tables, write_scores
    from ntm_analysis.score.scoring import ScoringError, score_villages
    from ntm_analysis.core.storage import write_workbook
    from ntm_analysis.score.summary_workbook import summary_workbook

    try:
        villages, values, summary = load_clean_tables(args.processed)
    except FileNotFoundError as exc:
        raise UserError(str(exc)) from exc
    criteria = _criteria(args.criteria)
    try:
        scores = score_villages(values, villages, criteria, args.policy)
    except ScoringError as exc:
        raise UserError(str(exc)) from exc
    written = write_scores(scores, args.processed)
    year = args.year or int(scores.villages["year"].max())
    book = summary_workbook(scores, villages, criteria, year, lang=args.lang, synthetic=summary["synthetic"])
    excel = write_workbook(book, args.reports / f"bieu-tong-hop-{year}.xlsx")
    per_year = scores.villages.groupby("year")["meets_standard"].agg(["sum", "size"])
    if summary["synthetic"]:
        print("*** DỮ LIỆU GIẢ LẬP / SYNTHETIC DATA ***")
    print(f"Bộ tiêu chí / criteria set: {criteria.id}; thiếu số liệu / missing data: {args.policy}")
    for y, row in per_year.iterrows():
        print(f"  {y}: {int(row['sum'])}/{int(row['size'])} làng đạt chuẩn / villages meet the standard")
    print(f"Kết quả / outputs: {len(written)} tệp / files in {args.processed}; biểu tổng hợp / summary: {excel}")
    return EXIT_OK


def _scored_with_costs(args: argparse.Namespace) -> tuple:
    """(cost rules, villages, scores under the cost file's criteria set, clean summary, baseline year)."""
    from ntm_analysis.reference.admin_units import plan_definition
    from ntm_analysis.reference.cost_rules import CostFileError, load_cost_rules
    from ntm_analysis.pipeline import load_clean_tables
    from ntm_analysis.score.scoring import ScoringError, score_villages

    try:
        rules = load_cost_rules(args.cost_file or None)
        villages, values, summary = load_clean_tables(args.processed)
        scores = score_villages(values, villages, rules.criteria)
    except (CostFileError, FileNotFoundError, ScoringError) as exc:
        raise UserError(str(exc)) from exc
    baseline = args.baseline_year or plan_definition(rules.plan)["baseline_year"]
    return rules, villages, scores, summary, baseline


def _costs(args: argparse.Namespace) -> int:
    from ntm_analysis.reference.admin_units import plan_definition
    from ntm_analysis.cost.projection import reconcile_plan, reconciliation_lines
    from ntm_analysis.pipeline import write_cost_outputs

    rules, villages, scores, summary, baseline = _scored_with_costs(args)
    annex = args.reports / f"phu-luc-kinh-phi-{baseline}.xlsx"
    written = write_cost_outputs(scores, villages, rules, baseline, args.processed, annex,
                                 synthetic=summary["synthetic"], lang=args.lang)
    if summary["synthetic"]:
        print("*** DỮ LIỆU GIẢ LẬP / SYNTHETIC DATA ***")
    for line in reconciliation_lines(reconcile_plan(rules, plan_definition(rules.plan)), rules, args.lang):
        print(f"  {line}")
    print(f"Kết quả / outputs: {len(written)} tệp / files; phụ lục / annex: {annex}")
    return EXIT_OK


def _schedule(args: argparse.Namespace) -> int:
    from ntm_analysis.pipeline import write_schedule_outputs

    rules, villages, scores, summary, baseline = _scored_with_costs(args)
    plan, written = write_schedule_outputs(scores, villages, rules, baseline, args.processed)
    if summary["synthetic"]:
        print("*** DỮ LIỆU GIẢ LẬP / SYNTHETIC DATA ***")
    print(f"Lịch đạt chuẩn / schedule: {plan.villages_scheduled} làng / villages, trạng thái / status {plan.status}")
    for item in plan.relaxations:
        print(f"  - {item['message_vi']} / {item['message_en']}")
    print(f"Kết quả / outputs: {len(written)} tệp / files in {args.processed}")
    return EXIT_OK


def _notebook(args: argparse.Namespace) -> int:
    from ntm_analysis.reports.notebooks import NotebookParameterError, run_notebook

    params = dict(_parse_param(p) for p in args.param)
    try:
        executed, html = run_notebook(args.name, params, args.out)
    except NotebookParameterError as exc:
        raise UserError(str(exc)) from exc
    except FileNotFoundError as exc:
        raise UserError(f"Không thấy sổ tay / notebook not found: {exc.filename}") from exc
    print(f"Đã chạy / executed: {executed} ; HTML: {html}")
    return EXIT_OK


def _all(args: argparse.Namespace) -> int:
    """The main job on the sample district: sample → clean → score → costs → schedule → notebooks → reports."""
    steps: list[tuple[str, Callable[[], int]]] = [
        ("sample", lambda: _sample(argparse.Namespace(out=args.raw, seed=SAMPLE_SEED))),
        ("clean", lambda: _clean(argparse.Namespace(raw=args.raw, out=args.processed, criteria=args.criteria,
                                                    admin=None, quiet=False, strict=False))),
        ("score", lambda: _score(argparse.Namespace(processed=args.processed, criteria=args.criteria,
                                                    policy="missing_fails", year=0, lang="vi",
                                                    reports=args.reports))),
        ("costs", lambda: _costs(argparse.Namespace(processed=args.processed, cost_file="", baseline_year=0,
                                                    lang="vi", reports=args.reports))),
        ("schedule", lambda: _schedule(argparse.Namespace(processed=args.processed, cost_file="", baseline_year=0))),
        *[(name, lambda name=name: _notebook(argparse.Namespace(name=name, param=[], out=args.reports)))
          for name in MAIN_NOTEBOOKS],
        ("reports", lambda: _report(argparse.Namespace(
            all=True, commune="", year=SAMPLE_YEARS[-1], lang="vi", force=False, processes=os.cpu_count() or 1,
            processed=args.processed, out=args.reports, quiet=False))),
    ]
    for name, step in steps:
        print(f"== {name} ==", flush=True)
        code = step()
        if code != EXIT_OK:
            return code
    return EXIT_OK


def _report(args: argparse.Namespace) -> int:
    import pandas as pd

    from ntm_analysis.reports.batch import match_commune, report_jobs, run_reports, start_workers

    if not args.all and not args.commune:
        raise UserError("Chọn --commune TÊN hoặc --all / give --commune NAME or --all")
    start_workers()  # the report workers' server starts importing while the tables are read
    tables = {name: Path(args.processed) / f"{name}.parquet" for name in ("villages", "indicator_values")}
    missing = [path.name for path in tables.values() if not path.is_file()]
    if missing:
        raise UserError(f"{args.processed}: {', '.join(missing)} not found; run `ntm clean` first")
    # only the two columns needed here (the reports read the tables themselves)
    communes = pd.read_parquet(tables["villages"], columns=["commune"])["commune"]
    years = pd.read_parquet(tables["indicator_values"], columns=["year"])["year"]
    years = sorted(int(y) for y in years.dropna().unique())
    if args.year not in years:  # every report would fail on it
        raise UserError(f"Không có số liệu năm {args.year} / no data for {args.year}; "
                        f"năm có số liệu / years with data: {', '.join(map(str, years))}")
    communes = sorted(communes.dropna().unique())
    try:
        chosen = communes if args.all else [match_commune(args.commune, communes)]
        jobs = report_jobs(chosen, args.year, processed_dir=args.processed, reports_dir=args.out, lang=args.lang,
                           district=args.all)
        table = run_reports(jobs, args.year, processed_dir=args.processed, force=args.force,
                            processes=args.processes, progress=not args.quiet)
    except ValueError as exc:  # a commune not found, an unsafe path, a parameter the templates lack
        raise UserError(str(exc)) from exc
    for rec in table.itertuples():
        print(f"  {rec.status:8} {rec.name}" + (f" — {rec.error}" if rec.error else ""))
    failed = int((table["status"] == "failed").sum())
    print(f"Mục lục / index: {Path(args.out) / str(args.year) / 'index.html'}; "
          f"{len(table) - failed}/{len(table)} báo cáo / reports ok")
    return EXIT_REPORTS_FAILED if failed else EXIT_OK


def _parse_param(text: str) -> tuple[str, object]:
    if "=" not in text:
        raise UserError(f"Tham số phải có dạng tên=giá_trị / parameters take the form name=value: {text!r}")
    name, value = text.split("=", 1)
    return name.strip(), int(value) if value.strip().lstrip("-").isdigit() else value


def _criteria(name: str):  # noqa: ANN202 - a CriteriaSet
    from ntm_analysis.reference.criteria import CriteriaFileError, load_criteria_set

    try:
        return load_criteria_set(name)
    except (CriteriaFileError, FileNotFoundError, KeyError) as exc:
        raise UserError(str(exc)) from exc


def build_parser() -> argparse.ArgumentParser:
    """The command line, with help a planner can read (Vietnamese first, English after)."""
    parser = argparse.ArgumentParser(
        prog="ntm",
        description="ntm-analysis: làm sạch số liệu rà soát làng nông thôn mới và lập báo cáo. "
                    "Cleans New Rural village assessments and produces reports.",
        epilog="Ví dụ / example: ntm clean --raw data/raw  ·  ntm template  ·  ntm all")
    sub = parser.add_subparsers(dest="command", required=True, metavar="LỆNH/COMMAND")

    p = sub.add_parser("sample", help="tạo huyện mẫu giả lập / write the synthetic sample district")
    p.add_argument("--out", type=Path, default=RAW_DIR, help="thư mục ghi / folder to write (default data/raw)")
    p.add_argument("--seed", type=int, default=SAMPLE_SEED, help="hạt giống ngẫu nhiên / random seed")
    p.set_defaults(func=_sample)

    p = sub.add_parser("template", help="tạo mẫu nhập liệu Excel có chú thích / write the annotated input template")
    p.add_argument("--out", type=Path, default=REPORTS_DIR / "mau-nhap-lieu-ntm.xlsx", help="tệp ghi / file to write")
    p.add_argument("--criteria", default=DEFAULT_CRITERIA_SET, help="bộ tiêu chí (mã hoặc tệp YAML) / criteria set")
    p.set_defaults(func=_template)

    p = sub.add_parser("clean", help="đọc, làm sạch, báo cáo chất lượng / read, clean, report data quality")
    p.add_argument("--raw", type=Path, default=RAW_DIR, help="thư mục số liệu gốc / raw folder (default data/raw)")
    p.add_argument("--out", type=Path, default=PROCESSED_DIR, help="thư mục kết quả / output folder")
    p.add_argument("--criteria", default=DEFAULT_CRITERIA_SET, help="bộ tiêu chí (mã hoặc tệp YAML) / criteria set")
    p.add_argument("--admin", type=Path, default=None, help="danh mục xã (CSV) / commune list (CSV)")
    p.add_argument("--strict", action="store_true", help="mã thoát 3 nếu có lỗi số liệu / exit 3 on data errors")
    p.add_argument("--quiet", action="store_true", help="không hiện tiến độ / no progress bar")
    p.set_defaults(func=_clean)

    p = sub.add_parser("score", help="chấm điểm làng theo bộ tiêu chí / score villages against a criteria set")
    p.add_argument("--processed", type=Path, default=PROCESSED_DIR, help="thư mục số liệu sạch / clean-data folder")
    p.add_argument("--criteria", default=DEFAULT_CRITERIA_SET, help="bộ tiêu chí (mã hoặc tệp YAML) / criteria set")
    p.add_argument("--policy", choices=["missing_fails", "exclude"], default="missing_fails",
                   help="ô trống: tính là chưa đạt (mặc định) hoặc loại ra / missing data: counts as not met "
                        "(default) or is excluded and reported")
    p.add_argument("--year", type=int, default=0, help="năm của biểu tổng hợp (mặc định năm cuối) / summary year")
    p.add_argument("--lang", choices=["vi", "en"], default="vi", help="ngôn ngữ / language")
    p.add_argument("--reports", type=Path, default=REPORTS_DIR, help="thư mục báo cáo / reports folder")
    p.set_defaults(func=_score)

    p = sub.add_parser("costs", help="dự toán kinh phí, đối chiếu kế hoạch / cost projection and plan reconciliation")
    p.add_argument("--processed", type=Path, default=PROCESSED_DIR, help="thư mục số liệu sạch / clean-data folder")
    p.add_argument("--cost-file", default="", help="tệp định mức chi phí (YAML) / cost rules file")
    p.add_argument("--baseline-year", type=int, default=0, help="năm gốc (mặc định theo kế hoạch) / baseline year")
    p.add_argument("--lang", choices=["vi", "en"], default="vi", help="ngôn ngữ / language")
    p.add_argument("--reports", type=Path, default=REPORTS_DIR, help="thư mục báo cáo / reports folder")
    p.set_defaults(func=_costs)

    p = sub.add_parser("schedule", help="lịch đạt chuẩn tối ưu theo kế hoạch / optimal schedule under the plan")
    p.add_argument("--processed", type=Path, default=PROCESSED_DIR, help="thư mục số liệu sạch / clean-data folder")
    p.add_argument("--cost-file", default="", help="tệp định mức chi phí (YAML) / cost rules file")
    p.add_argument("--baseline-year", type=int, default=0, help="năm gốc (mặc định theo kế hoạch) / baseline year")
    p.set_defaults(func=_schedule)

    p = sub.add_parser("notebook", help="chạy một sổ tay phân tích / run an analysis notebook")
    p.add_argument("name", help="tên sổ tay, ví dụ / notebook name, e.g. 01_data_quality")
    p.add_argument("-p", "--param", action="append", default=[], help="tham số tên=giá_trị / name=value")
    p.add_argument("--out", type=Path, default=REPORTS_DIR, help="thư mục ghi / output folder")
    p.set_defaults(func=_notebook)

    p = sub.add_parser("report", help="báo cáo từng xã và toàn huyện / reports per commune and for the district")
    p.add_argument("--commune", default="", help="tên xã / commune name")
    p.add_argument("--all", action="store_true", help="mọi xã và toàn huyện / every commune and the district")
    p.add_argument("--year", type=int, required=True, help="năm báo cáo / report year")
    p.add_argument("--lang", choices=["vi", "en"], default="vi", help="ngôn ngữ / language")
    p.add_argument("--force", action="store_true", help="chạy lại cả báo cáo không đổi / re-run unchanged reports")
    p.add_argument("--processes", type=int, default=os.cpu_count() or 1, help="số tiến trình / parallel processes")
    p.add_argument("--processed", type=Path, default=PROCESSED_DIR, help="thư mục số liệu sạch / clean-data folder")
    p.add_argument("--out", type=Path, default=REPORTS_DIR, help="thư mục báo cáo / reports folder")
    p.add_argument("--quiet", action="store_true", help="không hiện tiến độ / no progress bar")
    p.set_defaults(func=_report)

    p = sub.add_parser("all", help="việc chính trên huyện mẫu / the main job on the sample district")
    p.add_argument("--raw", type=Path, default=RAW_DIR)
    p.add_argument("--processed", type=Path, default=PROCESSED_DIR)
    p.add_argument("--reports", type=Path, default=REPORTS_DIR)
    p.add_argument("--criteria", default=DEFAULT_CRITERIA_SET)
    p.set_defaults(func=_all)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: parse, run, turn user mistakes into messages and exit codes."""
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except UserError as exc:
        print(f"Lỗi / error: {exc}", file=sys.stderr)
        return EXIT_USER
    except KeyboardInterrupt:
        print("Đã dừng / interrupted", file=sys.stderr)
        return EXIT_USER


if __name__ == "__main__":
    sys.exit(main())
