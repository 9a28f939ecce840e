"""Commune and district reports: rendered from the cleaned sample into a temporary reports folder.

The notebook tests render one commune and the district once per session (``tests/reports_sample.py``)
and check what came out: no error cell, the parameters recorded, every section, every figure (saved as
PNG, shown inline, not blank), the Excel companion, the index. The batch tests check safe names,
parameters passed as data, incremental runs, and that a failing report fails alone.
"""

from __future__ import annotations

import base64
import html
import io
import os
import re
import shutil

import nbformat
import numpy as np
import openpyxl
import pytest
from matplotlib import image as mpimg
from papermill.iorw import load_notebook_node
from papermill.parameterize import parameterize_notebook

from ntm_analysis.reports import content as rc
from ntm_analysis.cli import EXIT_REPORTS_FAILED, EXIT_USER, main
from ntm_analysis.core.money import format_money
from ntm_analysis.schedule.planning import status_lines
from ntm_analysis.clean.quality_report import SYNTHETIC_BANNER
from ntm_analysis.reports.notebooks import check_parameters, notebook_html
from ntm_analysis.reference.admin_units import area_words
from ntm_analysis.reports.batch import (DISTRICT_SLUG, REPORT_COLUMNS, match_commune, page_title, report_jobs,
                                       run_reports, safe_output_dir)
from tests.notebook_helpers import outputs
from tests.reports_sample import COMMUNE, YEAR, cleaned_sample, rendered_sample

notebook = pytest.mark.notebook  # renders reports through papermill
COMMUNE_FIGURES = {"heatmap", "cost-by-criterion", "schedule"}
DISTRICT_FIGURES = {"heatmap", "cost-by-criterion", "failure-rate", "progress", "plan-vs-projection", "schedule",
                    "investment", "cumulative", "communes"}


@pytest.fixture(scope="session")
def processed(tmp_path_factory):
    return cleaned_sample(tmp_path_factory)


@pytest.fixture(scope="session")
def rendered(tmp_path_factory):
    return rendered_sample(tmp_path_factory)


@pytest.fixture(scope="session")
def results(rendered):
    """The district-wide results the reports used (from the cache the batch wrote)."""
    return rc.district_results("", YEAR, rendered.processed)


@pytest.fixture(scope="module")
def english(rendered, tmp_path_factory):
    """The commune's report in English."""
    jobs = report_jobs([COMMUNE], YEAR, processed_dir=rendered.processed,
                       reports_dir=tmp_path_factory.mktemp("reports-en"), area="district", lang="en", district=False)
    table = run_reports(jobs, YEAR, processed_dir=rendered.processed, progress=False)
    assert table["status"].tolist() == ["done"], table["error"].tolist()
    return jobs[0]


def _markdown(nb) -> str:
    return "\n".join(str(o.get("data", {}).get("text/markdown", "")) for o in outputs(nb))


def _page_text(page: str) -> str:
    """The visible text of an HTML page, tags removed and entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", " ", re.sub(r"<(style|script)\b.*?</\1>", " ", page, flags=re.S)))


def _headings(page: str, level: int) -> list[str]:
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", "", h)).replace("¶", "").split())
            for h in re.findall(rf"<h{level}\b[^>]*>(.*?)</h{level}>", page, flags=re.S)]


def _png_colours(data: bytes) -> int:
    pixels = mpimg.imread(io.BytesIO(data), format="png")
    return len(np.unique(pixels.reshape(-1, pixels.shape[-1]), axis=0))


# --- the rendered reports --------------------------------------------------------------------------------


@notebook
def test_batch_renders_the_commune_and_the_district(rendered):
    assert list(rendered.table.columns) == REPORT_COLUMNS
    assert rendered.table["status"].tolist() == ["done", "done"], rendered.table["error"].tolist()
    assert rendered.table["slug"].tolist() == ["ia-pech", DISTRICT_SLUG]
    for job in rendered.jobs:
        assert {p.name for p in rendered.out_dir.glob(f"{job.slug}.*")} == {
            f"{job.slug}{s}" for s in (".html", ".ipynb", ".xlsx", ".hash.json")}


@notebook
@pytest.mark.parametrize("kind", ["commune", "district"])
def test_no_error_cell_and_parameters_recorded(rendered, kind):
    job = next(j for j in rendered.jobs if j.kind == kind)
    nb = nbformat.read(job.output(".ipynb"), as_version=4)
    assert not [o for o in outputs(nb) if o.get("output_type") == "error"]
    assert not [o for o in outputs(nb) if o.get("name") == "stderr"]
    assert nb.metadata["papermill"]["parameters"] == job.parameters
    assert job.parameters["lang"] == "vi" and job.parameters["year"] == YEAR
    assert (kind == "commune") == ("commune" in job.parameters)


@notebook
@pytest.mark.parametrize("kind", ["commune", "district"])
def test_every_section_is_present_with_a_contents_entry(rendered, kind):
    job = next(j for j in rendered.jobs if j.kind == kind)
    page = job.output(".html").read_text(encoding="utf-8")
    expected = [f"{i}. {rc.text(key, 'vi', year=YEAR)}" for i, key in enumerate(rc.SECTIONS[kind], start=1)]
    assert _headings(page, 2) == expected
    contents = page[page.index('<nav class="toc"'):page.index("</nav>")]
    assert all(html.escape(h, quote=False) in contents for h in expected)
    title = page_title(kind, "vi", name=job.name, year=YEAR, **area_words(job.area, "vi"))
    assert _headings(page, 1) == [title]  # the template's generic title replaced by the report's
    assert f"<title>{html.escape(title)}</title>" in page
    assert '<html lang="vi">' in page
    assert "cdnjs" not in page and "<script src=" not in page  # nothing fetched from the internet


@notebook
@pytest.mark.parametrize(("kind", "names"), [("commune", COMMUNE_FIGURES), ("district", DISTRICT_FIGURES)])
def test_every_figure_is_saved_as_png_and_shown_not_blank(rendered, kind, names):
    job = next(j for j in rendered.jobs if j.kind == kind)
    page = job.output(".html").read_text(encoding="utf-8")
    figures_dir = rendered.out_dir / f"{job.slug}_files"
    assert job.parameters["figures_dir"] == str(figures_dir)
    saved = {p.stem: p.read_bytes() for p in figures_dir.glob("*")}
    assert set(saved) == names and all(p.suffix == ".png" for p in figures_dir.glob("*"))
    sources = re.findall(r'<img\b[^>]*\bsrc="([^"]+)"', page)
    assert len(sources) == len(names)
    inline = []
    for src in sources:
        if src.startswith("data:"):
            assert src.startswith("data:image/png;base64,")
            inline.append(base64.b64decode(src.split(",", 1)[1]))
        else:  # a referenced image: it must exist beside the page
            inline.append((job.output(".html").parent / html.unescape(src)).read_bytes())
    assert sorted(inline) == sorted(saved.values())  # the page shows exactly the files saved
    assert all(_png_colours(data) > 3 for data in inline)


@notebook
def test_commune_report_content(rendered, results):
    job = rendered.jobs[0]
    nb = nbformat.read(job.output(".ipynb"), as_version=4)
    text = _markdown(nb)
    page = _page_text(job.output(".html").read_text(encoding="utf-8"))
    scope = rc.scope_villages(results, COMMUNE)
    status = results.scores.villages[results.scores.villages["village_code"].isin(scope["village_code"])
                                     & results.scores.villages["year"].eq(YEAR)]
    assert results.synthetic and SYNTHETIC_BANNER in text
    assert f"**{int(status['meets_standard'].sum())}/{len(status)}** làng đạt chuẩn năm {YEAR}" in text
    assert all(label in page for label in status["met_label"])  # x/19 of every village
    # the gaps' cost, in Vietnamese format
    total = int(results.projection.loc[results.projection["village_code"].isin(scope["village_code"]),
                                       "central_vnd"].sum())
    assert f"Tổng: **{format_money(total, 'vi')}**" in text
    # the plan is infeasible on the sample: the relaxation is explained, then the commune's schedule
    assert results.optimum.status == "relaxed"
    explanation = status_lines(results.optimum, results.cost_rules.source_names("vi"), "vi")
    assert all(line.removeprefix("- ") in page for line in explanation)
    scheduled = rc.scheduled_in_scope(results, scope)
    assert len(scheduled) and all(name in page for name in scheduled["village_name"])
    # the commune's part of the plan's targets, and the actions for its failing criteria
    assert "Gắn với xã đạt chuẩn NTM" in page and "Xã không thuộc diện biên giới" in page
    failing = rc.failing_villages(results.scores.criteria, scope, YEAR)
    assert len(failing) and all(name in page for name in rc.next_actions(results, scope)["action"].head(3))
    assert "Ngưỡng chưa xác minh" in page and results.criteria.unverified()["code"].iloc[0] in page
    assert "xa-ia-pech.xlsx" in page  # the data-quality section names the commune's file


@notebook
def test_district_report_content(rendered):
    job = rendered.jobs[1]
    page = job.output(".html").read_text(encoding="utf-8")
    visible = _page_text(page)
    assert {"Toàn huyện", "Theo xã", "Theo nhóm kế hoạch"} <= set(_headings(page, 3))  # Alkire–Foster levels
    assert "Chưa phân bổ cho tiêu chí nào: 4.051 triệu đồng" in visible  # the plan's unattributed amount
    assert "35.051" in visible and "Xã biên giới: tỷ lệ làng đạt chuẩn so với 90 %" in visible


@notebook
def test_language_and_number_format_follow_lang(rendered, english, results):
    page = english.output(".html").read_text(encoding="utf-8")
    assert '<html lang="en">' in page
    assert _headings(page, 2) == [f"{i}. {rc.text(key, 'en', year=YEAR)}"
                                  for i, key in enumerate(rc.SECTIONS["commune"], start=1)]
    scope = rc.scope_villages(results, COMMUNE)
    total = int(results.projection.loc[results.projection["village_code"].isin(scope["village_code"]),
                                       "central_vnd"].sum())
    assert total >= 1_000_000_000  # so that the thousands separator shows
    assert f"Total: <strong>{format_money(total, 'en')}</strong>" in page
    vietnamese = rendered.jobs[0].output(".html").read_text(encoding="utf-8")
    assert format_money(total, "vi") in vietnamese and format_money(total, "vi") != format_money(total, "en")
    assert "Tình trạng từng làng" not in page
    book = openpyxl.load_workbook(english.output(".xlsx"))
    assert book.sheetnames[0] == "Summary" and "Cost by source" in book.sheetnames


@notebook
@pytest.mark.parametrize("kind", ["commune", "district"])
def test_excel_companion_opens_with_its_sheets(rendered, kind):
    job = next(j for j in rendered.jobs if j.kind == kind)
    book = openpyxl.load_workbook(job.parameters["excel_path"])
    expected = ["Tổng hợp", "Ngưỡng chưa xác minh", "Kinh phí theo nguồn", "Lịch đạt chuẩn", "Việc cần làm",
                "Chất lượng số liệu"]
    assert set(expected) <= set(book.sheetnames)
    if kind == "commune":
        assert COMMUNE in book.sheetnames and len(book.sheetnames) == len(expected) + 1
    else:
        assert {"Đối chiếu kế hoạch", "Phân kỳ vốn", "Alkire-Foster"} <= set(book.sheetnames)
        values = [c.value for row in book["Đối chiếu kế hoạch"].iter_rows() for c in row]
        assert 4051 in values and 35051 in values  # million VND, exact
    assert SYNTHETIC_BANNER in [c.value for c in book["Kinh phí theo nguồn"]["A"]]


@notebook
def test_index_links_every_report(rendered):
    index = (rendered.out_dir / "index.html").read_text(encoding="utf-8")
    for job in rendered.jobs:
        assert f'href="{job.slug}.html"' in index and f'href="{job.slug}.xlsx"' in index
    assert index.count('<tr class="done">') == 2


@pytest.mark.parametrize("kind", ["commune", "district"])
def test_templates_are_thin_and_declare_what_the_batch_passes(kind, tmp_path):
    job = next(j for j in report_jobs(["Ia O"], YEAR, processed_dir=tmp_path, reports_dir=tmp_path, area="district") if j.kind == kind)
    nb = nbformat.read(job.template, as_version=4)
    assert nb.metadata["kernelspec"]["language"] == "python"
    title, imports, parameters, derive, *sections = nb.cells
    assert title.cell_type == "markdown" and title.source.startswith("# ")
    assert "import" in imports.source and "parameters" in parameters.metadata.get("tags", [])
    assert "district_results" in derive.source and sections
    names = []
    for line in parameters.source.splitlines():  # `name: type = literal  # comment`, no "=" in the comment
        found = re.fullmatch(r"(\w+): (str|int) = (\"[^\"]*\"|\d+)  # ([^=]+)", line)
        assert found, line
        names.append(found.group(1))
    assert sorted(names) == sorted(job.parameters)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code)
    assert not re.search(r"^\s*(def|class|for|while|if|with|try)\b", "\n".join(c.source for c in code), flags=re.M)


# --- names, paths and parameters ------------------------------------------------------------------------


def test_unsafe_names_stay_inside_the_reports_folder_and_arrive_as_data(processed, tmp_path):
    names = ["../../x", 'Ia "O"\nx', "/etc/passwd", "Toàn huyện", "IA O", "Ia O", ""]
    jobs = report_jobs(names, YEAR, processed_dir=processed, reports_dir=tmp_path / "reports", area="district")
    year_dir = (tmp_path / "reports").resolve() / str(YEAR)
    slugs = [job.slug for job in jobs]
    assert len(set(slugs)) == len(slugs) and slugs[-1] == DISTRICT_SLUG  # unique; the district's reserved
    assert slugs[:4] == ["x", "ia-o-x", "etc-passwd", "toan-huyen-2"]
    for job in jobs:
        assert re.fullmatch(r"[a-z0-9-]+", job.slug)
        for suffix in (".html", ".ipynb", ".xlsx", ".hash.json"):
            assert job.output(suffix).resolve().parent == year_dir
        assert {os.path.dirname(job.parameters["figures_dir"]), os.path.dirname(job.parameters["excel_path"])} == {
            str(year_dir)}
        check_parameters(job.template, job.parameters)  # exactly the names the templates declare
    quoted = jobs[1]
    assert quoted.parameters["commune"] == 'Ia "O"\nx' and quoted.name == 'Ia "O"\nx'
    # papermill writes the parameters as Python literals: run the injected cell, get the name back intact
    nb = parameterize_notebook(load_notebook_node(str(quoted.template)), quoted.parameters)
    injected = next(c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", []))
    namespace: dict = {}
    exec(injected.source, namespace)  # noqa: S102 - the cell papermill would run
    assert {k: namespace[k] for k in quoted.parameters} == quoted.parameters
    assert os.path.isabs(quoted.parameters["processed_dir"])
    with pytest.raises(ValueError):
        safe_output_dir(tmp_path, "../2025")  # type: ignore[arg-type]


def test_names_in_titles_are_escaped(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Generic title\n\nBody")])
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, path)
    name = 'Ia "O"\n<script>alert(1)</script> *x*'
    page = notebook_html(path, page_title("commune", "vi", name=name, year=YEAR))
    assert "<script>alert" not in page
    assert _headings(page, 1) == [f'Báo cáo xây dựng làng nông thôn mới — Ia "O" <script>alert(1)</script> *x*, '
                                  f"năm {YEAR}"]


def test_match_commune_ignores_case_diacritics_and_prefix():
    communes = ["Ia Pếch", "Ia O"]
    assert match_commune("xã ia pech", communes) == "Ia Pếch"
    with pytest.raises(ValueError, match="Ia O"):
        match_commune("Ia Nowhere", communes)


# --- incremental runs and failures ----------------------------------------------------------------------


@notebook
def test_unchanged_reports_are_skipped_changed_inputs_rerun(rendered):
    jobs, out_dir, processed = rendered.jobs, rendered.out_dir, rendered.processed
    outputs = [job.output(suffix) for job in jobs for suffix in (".html", ".ipynb", ".xlsx")]
    made = {p: p.stat().st_mtime_ns for p in outputs}
    again = run_reports(jobs, YEAR, processed_dir=processed, progress=False)
    assert again["status"].tolist() == ["skipped", "skipped"]
    assert {p: p.stat().st_mtime_ns for p in outputs} == made  # nothing rewritten
    summary = processed / "run-settings.yaml"  # the run's settings: an input of every report
    original = summary.read_bytes()
    try:
        os.utime(summary)  # a new date alone changes nothing: the hash is of the content
        assert run_reports(jobs[:1], YEAR, processed_dir=processed, progress=False)["status"].tolist() == ["skipped"]
        summary.write_bytes(original + b"# changed\n")  # a changed input: its reports run again
        rerun = run_reports(jobs[:1], YEAR, processed_dir=processed, progress=False)
        assert rerun["status"].tolist() == ["done"], rerun["error"].tolist()
        assert jobs[0].output(".html").stat().st_mtime_ns > made[jobs[0].output(".html")]
        index = (out_dir / "index.html").read_text(encoding="utf-8")
        # a one-commune run keeps the district in the index, marked as needing a new run
        assert f'href="{DISTRICT_SLUG}.html"' in index and '<tr class="outdated">' in index
        assert run_reports(jobs[:1], YEAR, processed_dir=processed, progress=False)["status"].tolist() == ["skipped"]
    finally:
        summary.write_bytes(original)


@notebook
def test_force_reruns_and_a_failing_report_fails_alone(rendered, tmp_path):
    good = rendered.jobs[0]
    bad = report_jobs(["Xã Hỏng"], YEAR, processed_dir=tmp_path / "nowhere", reports_dir=rendered.reports, area="district",
                      district=False)[0]
    before = good.output(".html").stat().st_mtime_ns
    table = run_reports([good, bad], YEAR, processed_dir=rendered.processed, force=True, progress=False)
    rows = table.set_index("slug")
    assert rows["status"].to_dict() == {good.slug: "done", bad.slug: "failed"}
    assert good.output(".html").stat().st_mtime_ns > before  # forced: run although unchanged
    error = rows.at[bad.slug, "error"]
    assert error.startswith("SettingsFileError") and "nowhere" in error and "\x1b" not in error
    assert not bad.output(".hash.json").exists() and not bad.output(".html").exists()
    index = (rendered.out_dir / "index.html").read_text(encoding="utf-8")
    row = re.search(r'<tr class="failed">.*?</tr>', index, flags=re.S).group(0)
    assert "Xã Hỏng" in row and html.escape(error) in row and "href" not in row
    assert f'href="{good.slug}.html"' in index


@notebook
def test_cli_exits_4_when_a_report_fails(rendered, tmp_path, capsys):
    processed = tmp_path / "processed"
    shutil.copytree(rendered.processed, processed)
    # the report's figures folder cannot be made (a file stands in its place): that report fails
    (tmp_path / "reports" / str(YEAR)).mkdir(parents=True)
    (tmp_path / "reports" / str(YEAR) / "ia-o_files").write_text("in the way", encoding="utf-8")
    code = main(["report", "--commune", "ia o", "--year", str(YEAR), "--processed", str(processed),
                 "--out", str(tmp_path / "reports"), "--quiet", "--processes", "1"])
    out = capsys.readouterr().out
    assert code == EXIT_REPORTS_FAILED
    assert "failed" in out and "ia-o_files" in out and "0/1 báo cáo / reports ok" in out
    assert '<tr class="failed">' in (tmp_path / "reports" / str(YEAR) / "index.html").read_text(encoding="utf-8")


def test_a_mixed_processed_folder_is_refused_before_any_report_runs(rendered, tmp_path, capsys):
    broken = tmp_path / "processed"
    shutil.copytree(rendered.processed, broken)
    (broken / "quality_problems.csv").write_text("not,a,quality,log\n1,2,3,4\n", encoding="utf-8")
    code = main(["report", "--commune", "ia o", "--year", str(YEAR), "--processed", str(broken),
                 "--out", str(tmp_path / "reports"), "--quiet", "--processes", "1"])
    assert code == EXIT_USER and "quality_problems.csv" in capsys.readouterr().err
    assert not (tmp_path / "reports").exists()


def test_cli_refuses_a_year_without_data(processed, tmp_path, capsys):
    code = main(["report", "--all", "--year", "1999", "--processed", str(processed), "--out", str(tmp_path)])
    assert code == EXIT_USER
    assert "2020, 2021, 2022, 2023, 2024, 2025" in capsys.readouterr().err
    assert not (tmp_path / "1999").exists()

