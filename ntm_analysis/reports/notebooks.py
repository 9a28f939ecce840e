"""Run the analysis notebooks through papermill and export them to HTML, into ``reports/``."""

from __future__ import annotations

import functools
import html
import re
from pathlib import Path
from typing import Any

import nbformat
import papermill as pm
from jupyter_client.kernelspec import find_kernel_specs
from jinja2 import DictLoader
from nbconvert import HTMLExporter

from ntm_analysis.config import KERNEL_NAME, NOTEBOOKS_DIR, PROJECT_DIR, REPORTS_DIR
from ntm_analysis.core.errors import NtmError, UserError
from ntm_analysis.core.i18n import message
from ntm_analysis.core.storage import write_text
from ntm_analysis.settings import load_settings


_TYPES: dict[str, tuple[type, ...]] = {"str": (str,), "int": (int,), "float": (int, float), "bool": (bool,),
                                       "list": (list,), "dict": (dict,)}


class NotebookParameterError(UserError):
    """A parameter the notebook does not declare, or a value of the wrong type (papermill would only warn)."""


class UnknownNotebookError(UserError):
    """A name that is not one of the project's notebooks."""


def available_notebooks(notebooks_dir: Path = NOTEBOOKS_DIR) -> list[str]:
    """The project's notebooks by name (``01_data_quality`` …, ``reports/commune`` …)."""
    return sorted(p.relative_to(notebooks_dir).with_suffix("").as_posix() for p in notebooks_dir.rglob("*.ipynb")
                  if ".ipynb_checkpoints" not in p.parts)


def notebook_path(name: str, notebooks_dir: Path = NOTEBOOKS_DIR) -> Path:
    """The notebook called ``name``; only the project's own notebooks are run.

    Raises
    ------
    UnknownNotebookError
        ``name`` is a path, or not one of :func:`available_notebooks`.
    """
    known = available_notebooks(notebooks_dir)
    if name not in known:
        raise UnknownNotebookError(f"không có sổ tay / no notebook {name!r}; sổ tay có / notebooks: {', '.join(known)}")
    return Path(notebooks_dir) / f"{name}.ipynb"


def kernel_name() -> str:
    """The project's registered kernel, or the default Python kernel when it is not registered."""
    return KERNEL_NAME if KERNEL_NAME in find_kernel_specs() else "python3"


def check_parameters(notebook: Path, parameters: dict[str, Any]) -> None:
    """Check ``parameters`` against the notebook's parameters cell: every name declared, every value of the
    declared type (an int is accepted for a float).

    Raises
    ------
    NotebookParameterError
        Every unknown name and every mistyped value, at once.
    """
    declared = _declared(str(notebook))
    faults = [f"unknown parameter {name!r} / không có tham số {name!r}" for name in sorted(set(parameters) - set(declared))]
    for name, value in parameters.items():
        kind = declared.get(name)
        allowed = _TYPES.get(kind or "")
        if allowed and (not isinstance(value, allowed) or (isinstance(value, bool) and bool not in allowed)):
            faults.append(f"{name} takes a {kind}, got {value!r} ({type(value).__name__}) / "
                          f"{name} cần kiểu {kind}, nhận {value!r}")
    if faults:
        listing = "; ".join(faults)
        names = ", ".join(f"{n}: {k or '?'}" for n, k in declared.items())
        raise NotebookParameterError(f"{notebook.name}: {listing}. The notebook declares / sổ tay khai báo: {names}")


@functools.cache
def _declared(notebook: str) -> dict[str, str | None]:
    """Parameter name → declared type name (papermill's reading of the parameters cell)."""
    return {name: info.get("inferred_type_name") for name, info in pm.inspect_notebook(notebook).items()}


def run_notebook(name: str, parameters: dict[str, Any] | None = None, out_dir: Path = REPORTS_DIR,
                 notebooks_dir: Path = NOTEBOOKS_DIR, stem: str | None = None,
                 title: str | None = None) -> tuple[Path, Path]:
    """Execute ``notebooks/<name>.ipynb`` with ``parameters``; write the executed copy and an HTML page.

    ``stem`` names the outputs (default ``name``); ``title`` is the HTML page title (default: the
    notebook's first heading). Returns the paths of the executed notebook and of the HTML export
    (code hidden, with a table of contents). A notebook that fails leaves no output behind.
    """
    parameters = parameters or {}
    source = notebook_path(name, Path(notebooks_dir))
    check_parameters(source, parameters)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = stem or Path(name).name
    executed = out_dir / f"{stem}.ipynb"
    tmp = out_dir / f".{stem}.running.ipynb"
    try:
        # no save after every cell: the partial notebook is deleted on failure anyway, and each save
        # serialises and validates the whole notebook, figures included
        pm.execute_notebook(str(source), str(tmp), parameters=parameters, kernel_name=kernel_name(),
                            language="python", cwd=str(PROJECT_DIR), progress_bar=False,
                            request_save_on_cell_execute=False)
        tmp.replace(executed)
    finally:
        tmp.unlink(missing_ok=True)
    html = write_text(notebook_html(executed, title), out_dir / f"{stem}.html")
    return executed, html


def notebook_html(path: Path, title: str | None = None) -> str:
    """The executed notebook as a standalone HTML page: no code, a title and a table of contents.

    ``title`` (default: the notebook's first heading) is the page's title and replaces the first
    level-1 heading of the page (a report template's generic title becomes the report's own). The page
    loads nothing from the internet (no require.js, no MathJax: a report must open offline), and its
    language and contents label follow the notebook's ``lang`` parameter when it has one, else the language of
    the run's settings (its ``config`` parameter; an analysis notebook's empty ``lang`` means that one).
    """
    nb = nbformat.read(path, as_version=4)
    parameters = nb.metadata.get("papermill", {}).get("parameters", {})
    lang = str(parameters.get("lang") or _settings_language(str(parameters.get("config", ""))))
    if title:
        _replace_first_heading(nb, title)
    title = title or _first_heading(nb) or path.stem
    body, _ = _exporter("en" if lang == "en" else "vi").from_notebook_node(nb, resources={"metadata": {"name": title}})
    return _with_contents(body, lang)


def _settings_language(config: str) -> str:
    """The report language of the settings file ``config`` ("vi" when there is none or it cannot be read)."""
    if not config:
        return "vi"
    try:
        return load_settings(Path(config)).language
    except NtmError:
        return "vi"


# The lab template without the scripts it would fetch from a CDN: require.js, MathJax and the loader of
# mermaid (notebooks here draw no mermaid diagrams).
_OFFLINE_TEMPLATE = "ntm_offline.html.j2"
_OFFLINE = """{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
"""


@functools.cache
def _exporter(language_code: str) -> HTMLExporter:
    """One exporter per language and process: its template is compiled once, not once per report."""
    return HTMLExporter(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True,
                        extra_loaders=[DictLoader({_OFFLINE_TEMPLATE: _OFFLINE})], template_file=_OFFLINE_TEMPLATE,
                        language_code=language_code)


def _replace_first_heading(nb: nbformat.NotebookNode, title: str) -> None:
    """Put ``title`` (as literal text) in place of the notebook's first level-1 heading."""
    literal = html.escape(" ".join(title.split()), quote=False)
    literal = re.sub(r"([\\`*_{}\[\]()#+.!|~-])", r"\\\1", literal)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source, found = re.subn(r"^#\s+.+$", lambda _: f"# {literal}", cell.source, count=1,
                                         flags=re.MULTILINE)
            if found:
                return


def _first_heading(nb: nbformat.NotebookNode) -> str | None:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            found = re.search(r"^#\s+(.+)$", cell.source, flags=re.MULTILINE)
            if found:
                return found.group(1).strip()
    return None


_HEADING = re.compile(r'<h([23]) id="([^"]+)"[^>]*>(.*?)(?:<a class="anchor-link".*?</a>)?</h\1>', re.S)


def _with_contents(body: str, lang: str = "vi") -> str:
    """Insert a table of contents (the page's level-2 and level-3 headings, their text as rendered) below
    the page's title; its label in ``lang``."""
    entries = [(int(level), anchor, re.sub(r"<[^>]+>", "", text).strip())
               for level, anchor, text in _HEADING.findall(body)]
    if not entries:
        return body
    label = message("report.contents", "en" if lang == "en" else "vi")
    items = "".join(f'<li class="toc-h{level}"><a href="#{anchor}">{text}</a></li>'
                    for level, anchor, text in entries)
    nav = (f'<nav class="toc" aria-label="{label}"><strong>{label}</strong><ul>{items}</ul>'
           '</nav><style>nav.toc{margin:1em 2em;padding:.5em 1em;border:1px solid #ddd;background:#fafafa;'
           'font-family:var(--jp-content-font-family)}nav.toc li.toc-h3{margin-left:1.5em}</style>')
    # below the page's title when it has one, else at the top of the page
    if re.search(r"</h1>", body):
        return re.sub(r"</h1>", lambda m: m.group(0) + nav, body, count=1)
    return re.sub(r"(<main[^>]*>|<body[^>]*>)", lambda m: m.group(1) + nav, body, count=1)
