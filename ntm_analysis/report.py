"""Run the analysis notebooks through papermill and export them to HTML, into ``reports/``."""

from __future__ import annotations

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
                 notebooks_dir: Path = NOTEBOOKS_DIR) -> tuple[Path, Path]:
    """Execute ``notebooks/<name>.ipynb`` with ``parameters``; write the executed copy and an HTML page.

    Returns the paths of the executed notebook and of the HTML export (code hidden).
    """
    parameters = parameters or {}
    source = Path(notebooks_dir) / f"{name}.ipynb"
    check_parameters(source, parameters)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    executed = out_dir / f"{name}.ipynb"
    tmp = out_dir / f".{name}.running.ipynb"
    try:
        pm.execute_notebook(str(source), str(tmp), parameters=parameters, kernel_name=kernel_name(),
                            language="python", cwd=str(PROJECT_DIR), progress_bar=False)
        tmp.replace(executed)
    finally:
        tmp.unlink(missing_ok=True)
    html = write_text(notebook_html(executed), out_dir / f"{name}.html")
    return executed, html


def notebook_html(path: Path) -> str:
    """The executed notebook as a standalone HTML page without the code cells' input."""
    exporter = HTMLExporter(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(nbformat.read(path, as_version=4))
    return body
