"""Run the analysis notebooks through papermill and export them to HTML, into ``reports/``."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import nbformat
import papermill as pm
from jupyter_client.kernelspec import find_kernel_specs
from nbconvert import HTMLExporter

from ntm_analysis.config import KERNEL_NAME, NOTEBOOKS_DIR, PROJECT_DIR, REPORTS_DIR
from ntm_analysis.storage import write_text


class NotebookParameterError(ValueError):
    """A parameter the notebook does not declare (papermill itself would only warn)."""


def kernel_name() -> str:
    """The project's registered kernel, or the default Python kernel when it is not registered."""
    return KERNEL_NAME if KERNEL_NAME in find_kernel_specs() else "python3"


def check_parameters(notebook: Path, parameters: dict[str, Any]) -> None:
    """Raise ``NotebookParameterError`` naming any parameter the notebook's parameters cell lacks."""
    declared = pm.inspect_notebook(str(notebook))
    unknown = sorted(set(parameters) - set(declared))
    if unknown:
        raise NotebookParameterError(
            f"{notebook.name}: unknown parameter(s) {', '.join(unknown)}; "
            f"the notebook declares {', '.join(sorted(declared))}")


def run_notebook(name: str, parameters: dict[str, Any] | None = None, out_dir: Path = REPORTS_DIR,
                 notebooks_dir: Path = NOTEBOOKS_DIR, stem: str | None = None,
                 title: str | None = None) -> tuple[Path, Path]:
    """Execute ``notebooks/<name>.ipynb`` with ``parameters``; write the executed copy and an HTML page.

    ``stem`` names the outputs (default ``name``); ``title`` is the HTML page title (default: the
    notebook's first heading). Returns the paths of the executed notebook and of the HTML export
    (code hidden, with a table of contents). A notebook that fails leaves no output behind.
    """
    parameters = parameters or {}
    source = Path(notebooks_dir) / f"{name}.ipynb"
    check_parameters(source, parameters)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = stem or Path(name).name
    executed = out_dir / f"{stem}.ipynb"
    tmp = out_dir / f".{stem}.running.ipynb"
    try:
        pm.execute_notebook(str(source), str(tmp), parameters=parameters, kernel_name=kernel_name(),
                            language="python", cwd=str(PROJECT_DIR), progress_bar=False)
        tmp.replace(executed)
    finally:
        tmp.unlink(missing_ok=True)
    html = write_text(notebook_html(executed, title), out_dir / f"{stem}.html")
    return executed, html


def notebook_html(path: Path, title: str | None = None) -> str:
    """The executed notebook as a standalone HTML page: no code, a title and a table of contents."""
    nb = nbformat.read(path, as_version=4)
    title = title or _first_heading(nb) or path.stem
    exporter = HTMLExporter(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
    return _with_contents(body)


def _first_heading(nb: nbformat.NotebookNode) -> str | None:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            found = re.search(r"^#\s+(.+)$", cell.source, flags=re.MULTILINE)
            if found:
                return found.group(1).strip()
    return None


_HEADING = re.compile(r'<h([23]) id="([^"]+)"[^>]*>(.*?)(?:<a class="anchor-link".*?</a>)?</h\1>', re.S)


def _with_contents(body: str) -> str:
    """Insert a table of contents (the page's level-2 and level-3 headings) at the top of the page."""
    entries = [(int(level), anchor, re.sub(r"<[^>]+>", "", text).strip())
               for level, anchor, text in _HEADING.findall(body)]
    if not entries:
        return body
    items = "".join(f'<li class="toc-h{level}"><a href="#{anchor}">{html.escape(text, quote=False)}</a></li>'
                    for level, anchor, text in entries)
    nav = (f'<nav class="toc" aria-label="Mục lục / Contents"><strong>Mục lục / Contents</strong><ul>{items}</ul>'
           '</nav><style>nav.toc{margin:1em 2em;padding:.5em 1em;border:1px solid #ddd;background:#fafafa}'
           'nav.toc li.toc-h3{margin-left:1.5em}</style>')
    return re.sub(r"(<main[^>]*>|<body[^>]*>)", lambda m: m.group(1) + nav, body, count=1)
