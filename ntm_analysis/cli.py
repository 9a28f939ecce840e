"""The ``ntm`` command (also ``python -m ntm_analysis``).

Every command reads one settings file (``--config FILE``; without it, the bundled sample's), lets its
flags override single keys, and calls one function of the chain (:mod:`ntm_analysis.pipeline`).

Exit codes: 0 done; 2 the user's input cannot be used (a missing folder, a bad data or settings file, an
unknown parameter) — the message says what to fix; 3 ``clean --strict`` found data errors;
4 some reports failed (the others were written; the index lists the errors);
1 an unexpected failure (a bug: please report it with the traceback).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

EXIT_OK, EXIT_BUG, EXIT_USER, EXIT_DATA_ERRORS, EXIT_REPORTS_FAILED = 0, 1, 2, 3, 4
MAIN_NOTEBOOKS = ["01_data_quality", "02_gap_analysis", "03_cost_projection", "04_phased_investment"]
SYNTHETIC_LINE = "*** DỮ LIỆU GIẢ LẬP / SYNTHETIC DATA ***"

# flag → settings key, for the flags that override the settings file
OVERRIDES = {"raw": "raw", "processed": "processed", "reports": "reports", "criteria": "criteria", "plan": "plan",
             "cost_file": "cost_rules", "actions": "actions", "admin": "admin_units", "commune_map": "commune_map",
             "lang": "language", "policy": "policy", "baseline_year": "baseline_year"}


def settings_of(args: argparse.Namespace):  # noqa: ANN201 - a Settings (imported lazily: `ntm --help` stays fast)
    """The settings file named by ``--config`` (or the bundled sample's), overridden by the flags given."""
    from ntm_analysis.settings import load_settings

    given = {key: getattr(args, flag) for flag, key in OVERRIDES.items() if getattr(args, flag, None) is not None}
    return load_settings(args.config).with_overrides(**given)


def _synthetic(summary: dict) -> None:
    if summary.get("synthetic"):
        print(SYNTHETIC_LINE)


def _sample(args: argparse.Namespace) -> int:
    from ntm_analysis.sample import SAMPLE_SEED, generate_sample

    out = args.out or settings_of(args).raw
    manifest = generate_sample(out, seed=SAMPLE_SEED if args.seed is None else args.seed)
    print(f"Đã tạo dữ liệu mẫu GIẢ LẬP / wrote SYNTHETIC sample data: {len(manifest['villages'])} làng / villages "
          f"→ {out}")
    return EXIT_OK


def _template(args: argparse.Namespace) -> int:
    from ntm_analysis.raw.template import write_template

    settings = settings_of(args)
    out = args.out or Path(settings.reports) / "mau-nhap-lieu-ntm.xlsx"
    path = write_template(out, settings.criteria_set, settings.plan_data)
    print(f"Đã tạo mẫu nhập liệu / wrote the input template: {path}")
    return EXIT_OK


def _clean(args: argparse.Namespace) -> int:
    from ntm_analysis.clean.folder import conservation_lines
    from ntm_analysis.pipeline import run_clean

    settings = settings_of(args)
    result = run_clean(settings, progress=not args.quiet)
    _synthetic(result.summary)
    for line in conservation_lines(result.summary):
        print(line)
    print(f"Kết quả / outputs in {settings.processed} (báo cáo chất lượng / quality report: quality_report.xlsx)")
    errors = result.summary["problems"]["error"]
    return EXIT_DATA_ERRORS if args.strict and errors else EXIT_OK


def _score(args: argparse.Namespace) -> int:
    from ntm_analysis.pipeline import load_clean, run_score, write_summary

    settings = settings_of(args)
    scores = run_score(settings)
    summary = load_clean(settings)[2]
    excel = write_summary(settings, scores, args.year, synthetic=summary["synthetic"])
    per_year = scores.villages.groupby("year")["meets_standard"].agg(["sum", "size"])
    _synthetic(summary)
    print(f"Bộ tiêu chí / criteria set: {settings.criteria_set.id}; thiếu số liệu / missing data: {settings.policy}")
    for y, row in per_year.iterrows():
        print(f"  {y}: {int(row['sum'])}/{int(row['size'])} làng đạt chuẩn / villages meet the standard")
    print(f"Kết quả / outputs in {settings.processed}; biểu tổng hợp / summary: {excel}")
    return EXIT_OK


def _costs(args: argparse.Namespace) -> int:
    from ntm_analysis.cost.projection import reconciliation_lines
    from ntm_analysis.pipeline import baseline_year, load_clean, run_costs, run_score, write_annex

    settings = settings_of(args)
    tables = run_costs(settings)
    baseline = baseline_year(settings, run_score(settings))
    summary = load_clean(settings)[2]
    annex = write_annex(settings, tables, baseline, synthetic=summary["synthetic"])
    _synthetic(summary)
    if not int(tables["cost_projection"]["central_vnd"].sum()):
        print(f"  Không có khoảng cách nào cần kinh phí năm {baseline} / no gap to cost in {baseline}")
    for line in reconciliation_lines(tables["cost_reconciliation"], settings.cost_rules_data, settings.language):
        print(f"  {line}")
    print(f"Kết quả / outputs in {settings.processed}; phụ lục / annex: {annex}")
    return EXIT_OK


def _schedule(args: argparse.Namespace) -> int:
    from ntm_analysis.pipeline import load_clean, run_schedule

    settings = settings_of(args)
    result = run_schedule(settings)
    _synthetic(load_clean(settings)[2])
    print(f"Lịch đạt chuẩn / schedule: {result.plan.villages_scheduled} làng / villages, "
          f"trạng thái / status {result.plan.status}")
    for item in result.plan.relaxations:
        print(f"  - {item['message_vi']} / {item['message_en']}")
    print(f"Kết quả / outputs in {settings.processed}")
    return EXIT_OK


def _notebook(args: argparse.Namespace) -> int:
    from ntm_analysis.reports.notebooks import check_parameters, notebook_path, run_notebook
    from ntm_analysis.settings import RUN_SETTINGS, save_run_settings

    settings = settings_of(args)
    params = {**read_parameter_file(args.param_file), **dict(parse_parameter(p) for p in args.param)}
    params.setdefault("config", str(Path(settings.processed).resolve() / RUN_SETTINGS))
    check_parameters(notebook_path(args.name), params)  # before anything is written
    save_run_settings(settings)
    executed, html = run_notebook(args.name, params, args.out or settings.reports)
    print(f"Đã chạy / executed: {executed} ; HTML: {html}")
    return EXIT_OK


def _report(args: argparse.Namespace) -> int:
    from ntm_analysis.reports.batch import run_report_batch

    if not args.all and not args.commune:
        from ntm_analysis.core.errors import UserError

        raise UserError("Chọn --commune TÊN hoặc --all / give --commune NAME or --all")
    table = run_report_batch(settings_of(args), args.year, commune=args.commune, everyone=args.all,
                             force=args.force, processes=args.processes, progress=not args.quiet)
    for rec in table.itertuples():
        print(f"  {rec.status:8} {rec.name}" + (f" — {rec.error}" if rec.error else ""))
    failed = int((table["status"] == "failed").sum())
    print(f"{len(table) - failed}/{len(table)} báo cáo / reports ok")
    return EXIT_REPORTS_FAILED if failed else EXIT_OK


def _all(args: argparse.Namespace) -> int:
    """The main job: sample (bundled sample only) → clean → score → costs → schedule → notebooks → reports."""
    settings = settings_of(args)
    report_year = args.year
    steps: list[tuple[str, Callable[[], int]]] = [
        *([("sample", lambda: _sample(_with(args, out=None, seed=None)))] if args.config is None else []),
        ("clean", lambda: _clean(_with(args, quiet=False, strict=False))),
        ("score", lambda: _score(_with(args, year=None))),
        ("costs", lambda: _costs(args)),
        ("schedule", lambda: _schedule(args)),
        *[(name, lambda name=name: _notebook(_with(args, name=name, param=[], param_file=None, out=None)))
          for name in MAIN_NOTEBOOKS],
        ("reports", lambda: _report(_with(args, all=True, commune="", year=report_year, force=False,
                                          processes=os.cpu_count() or 1, quiet=False))),
    ]
    print(f"Cấu hình / settings: {settings.source}")
    for name, step in steps:
        print(f"== {name} ==", flush=True)
        code = step()
        if code != EXIT_OK:
            return code
    return EXIT_OK


def _with(args: argparse.Namespace, **values: Any) -> argparse.Namespace:
    return argparse.Namespace(**{**vars(args), **values})


def _init(args: argparse.Namespace) -> int:
    from ntm_analysis.init import init_work_folder

    written = init_work_folder(args.folder, name=args.name)
    print(f"Đã tạo thư mục làm việc / wrote the work folder {args.folder}:")
    for path in written:
        print(f"  {path}")
    print(f"Tiếp theo / next: điền kế hoạch và số liệu, rồi / fill in the plan and data, then: "
          f"ntm all --config {Path(args.folder) / 'ntm-settings.yaml'}")
    return EXIT_OK


def parse_parameter(text: str) -> tuple[str, Any]:
    """``name=value`` with the value read as YAML: ``0.8`` a float, ``true`` a boolean, ``[1, 2]`` a list,
    ``{a: 1}`` a mapping, anything else text."""
    import yaml

    from ntm_analysis.core.errors import UserError

    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise UserError(f"Tham số phải có dạng tên=giá_trị / parameters take the form name=value: {text!r}")
    try:
        parsed = yaml.safe_load(value) if value.strip() else ""
    except yaml.YAMLError:
        parsed = value
    return name.strip(), "" if parsed is None else parsed


def read_parameter_file(path: Path | None) -> dict[str, Any]:
    """The parameters in a YAML file (``-f params.yaml``, as papermill reads them), or none."""
    if path is None:
        return {}
    from ntm_analysis.core.errors import DataFileError
    from ntm_analysis.core.yaml_files import read_yaml_file

    data = read_yaml_file(Path(path))
    if not isinstance(data, dict):
        raise DataFileError(Path(path), ["a parameters file is a mapping of name: value"])
    return data


def _settings_flags(p: argparse.ArgumentParser, *keys: str) -> None:
    p.add_argument("--config", type=Path, default=None,
                   help="tệp cấu hình (YAML; mặc định huyện mẫu) / settings file (default: the bundled sample)")
    helps = {
        "raw": ("--raw", Path, "thư mục số liệu gốc / raw folder"),
        "processed": ("--processed", Path, "thư mục số liệu sạch / clean-data folder"),
        "reports": ("--reports", Path, "thư mục báo cáo / reports folder"),
        "criteria": ("--criteria", str, "bộ tiêu chí (mã hoặc tệp YAML) / criteria set (id or YAML file)"),
        "plan": ("--plan", str, "kế hoạch (mã hoặc tệp YAML) / plan (id or YAML file)"),
        "cost_file": ("--cost-file", str, "tệp định mức chi phí (YAML) / cost rules file"),
        "actions": ("--actions", str, "danh mục giải pháp (YAML) / action catalogue"),
        "admin": ("--admin", str, "danh mục xã (CSV) / commune list (CSV)"),
        "commune_map": ("--commune-map", str, "bảng chuyển đổi xã cũ → mới (CSV) / old → new commune map"),
        "lang": ("--lang", str, "ngôn ngữ vi | en / language"),
        "policy": ("--policy", str, "ô trống: missing_fails (mặc định) | exclude / missing data policy"),
        "baseline_year": ("--baseline-year", int, "năm gốc (mặc định theo kế hoạch) / baseline year"),
    }
    for key in keys:
        flag, kind, text = helps[key]
        p.add_argument(flag, type=kind, default=None, dest=key, help=text)


ALL_FLAGS = tuple(OVERRIDES)


def build_parser() -> argparse.ArgumentParser:
    """The command line, with help a planner can read (Vietnamese first, English after)."""
    parser = argparse.ArgumentParser(
        prog="ntm",
        description="ntm-analysis: làm sạch số liệu rà soát nông thôn mới, chấm điểm, dự toán, lập lịch và báo cáo. "
                    "Cleans New Rural assessments, scores, costs, schedules and reports.",
        epilog="Ví dụ / example: ntm init my-commune  ·  ntm all --config my-commune/ntm-settings.yaml")
    sub = parser.add_subparsers(dest="command", required=True, metavar="LỆNH/COMMAND")

    p = sub.add_parser("init", help="tạo thư mục làm việc mới / write a new work folder (settings, plan, template)")
    p.add_argument("folder", type=Path, help="thư mục mới / the new folder")
    p.add_argument("--name", default="", help="tên xã hoặc huyện / the commune's or district's name")
    p.set_defaults(func=_init)

    p = sub.add_parser("sample", help="tạo huyện mẫu giả lập / write the synthetic sample district")
    _settings_flags(p, "raw")
    p.add_argument("--out", type=Path, default=None, help="thư mục ghi (mặc định thư mục raw) / folder to write")
    p.add_argument("--seed", type=int, default=None, help="hạt giống ngẫu nhiên / random seed")
    p.set_defaults(func=_sample)

    p = sub.add_parser("template", help="tạo mẫu nhập liệu Excel có chú thích / write the annotated input template")
    _settings_flags(p, "reports", "criteria", "plan")
    p.add_argument("--out", type=Path, default=None, help="tệp ghi / file to write")
    p.set_defaults(func=_template)

    p = sub.add_parser("clean", help="đọc, làm sạch, báo cáo chất lượng / read, clean, report data quality")
    _settings_flags(p, "raw", "processed", "criteria", "plan", "admin", "commune_map")
    p.add_argument("--out", type=Path, default=None, dest="processed", help=argparse.SUPPRESS)
    p.add_argument("--strict", action="store_true", help="mã thoát 3 nếu có lỗi số liệu / exit 3 on data errors")
    p.add_argument("--quiet", action="store_true", help="không hiện tiến độ / no progress bar")
    p.set_defaults(func=_clean)

    p = sub.add_parser("score", help="chấm điểm theo bộ tiêu chí / score villages against a criteria set")
    _settings_flags(p, "processed", "reports", "criteria", "policy", "lang")
    p.add_argument("--year", type=int, default=None, help="năm của biểu tổng hợp (mặc định năm cuối) / summary year")
    p.set_defaults(func=_score)

    p = sub.add_parser("costs", help="dự toán kinh phí, đối chiếu kế hoạch / cost projection and plan reconciliation")
    _settings_flags(p, "processed", "reports", "criteria", "policy", "plan", "cost_file", "baseline_year", "lang")
    p.set_defaults(func=_costs)

    p = sub.add_parser("schedule", help="lịch đạt chuẩn tối ưu theo kế hoạch / optimal schedule under the plan")
    _settings_flags(p, "processed", "criteria", "policy", "plan", "cost_file", "baseline_year")
    p.set_defaults(func=_schedule)

    p = sub.add_parser("notebook", help="chạy một sổ tay phân tích / run an analysis notebook")
    _settings_flags(p, *ALL_FLAGS)
    p.add_argument("name", help="tên sổ tay, ví dụ / notebook name, e.g. 01_data_quality")
    p.add_argument("-p", "--param", action="append", default=[],
                   help="tham số tên=giá_trị (giá trị đọc như YAML) / name=value (value read as YAML)")
    p.add_argument("-f", "--param-file", type=Path, default=None, help="tệp tham số YAML / parameters file")
    p.add_argument("--out", type=Path, default=None, help="thư mục ghi / output folder")
    p.set_defaults(func=_notebook)

    p = sub.add_parser("report", help="báo cáo từng xã và toàn địa bàn / reports per commune and for the whole area")
    _settings_flags(p, *ALL_FLAGS)
    p.add_argument("--commune", default="", help="tên xã / commune name")
    p.add_argument("--all", action="store_true", help="mọi xã và toàn địa bàn / every commune and the whole area")
    p.add_argument("--year", type=int, default=None, help="năm báo cáo (mặc định năm cuối) / report year")
    p.add_argument("--force", action="store_true", help="chạy lại cả báo cáo không đổi / re-run unchanged reports")
    p.add_argument("--processes", type=int, default=os.cpu_count() or 1, help="số tiến trình / parallel processes")
    p.add_argument("--out", type=Path, default=None, dest="reports", help=argparse.SUPPRESS)
    p.add_argument("--quiet", action="store_true", help="không hiện tiến độ / no progress bar")
    p.set_defaults(func=_report)

    p = sub.add_parser("all", help="việc chính: từ số liệu đến báo cáo / the main job, from data to reports")
    _settings_flags(p, *ALL_FLAGS)
    p.add_argument("--year", type=int, default=None, help="năm báo cáo (mặc định năm cuối) / report year")
    p.set_defaults(func=_all)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: parse, run, turn user mistakes into messages and exit codes; a bug keeps its traceback."""
    args = build_parser().parse_args(argv)
    from ntm_analysis.core.errors import UserError

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
