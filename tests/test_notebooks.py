"""Notebooks: rendered through papermill into a temporary folder and checked; nbval for top-to-bottom."""

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from ntm_analysis.config import NOTEBOOKS_DIR, PROCESSED_DIR, PROJECT_DIR, RAW_DIR
from ntm_analysis.reports.notebooks import run_notebook
from tests.conftest import clean_into

pytestmark = pytest.mark.notebook
CORPUS_CASE = Path(__file__).parent / "corpus" / "text-in-number"


def _outputs_text(nb) -> str:
    return "\n".join(str(o.get("text", "")) + str(o.get("data", {}).get("text/plain", ""))
                     + str(o.get("data", {}).get("text/markdown", ""))
                     for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))


def test_data_quality_notebook_renders(tmp_path):
    executed, html = run_notebook("01_data_quality", {"raw_dir": str(CORPUS_CASE), "year": 2023, "lang": "en"},
                                  tmp_path)
    nb = nbformat.read(executed, as_version=4)
    assert not [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
                if o.get("output_type") == "error"]
    assert nb.metadata["papermill"]["parameters"] == {"raw_dir": str(CORPUS_CASE), "year": 2023, "lang": "en"}
    text = _outputs_text(nb)
    assert "not_a_number" in text and "khoảng 50 triệu" in text  # the corpus case's one problem
    assert "1 ô đọc / cells read = 0 sạch / clean (0 để trống / empty) + 1 loại / rejected" in text
    assert "SYNTHETIC" not in text  # the corpus case is not marked synthetic
    images = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if "image/png" in o.get("data", {})]
    assert len(images) == 1  # the problems chart
    assert "<img" in html.read_text(encoding="utf-8")


def test_notebooks_are_committed_without_outputs():
    for path in NOTEBOOKS_DIR.glob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert all(not c.outputs and c.execution_count is None for c in code), path.name
        tagged = [c for c in code if "parameters" in c.metadata.get("tags", [])]
        assert len(tagged) == 1, f"{path.name}: one cell tagged 'parameters'"
        assert "def " not in "".join(c.source for c in code), f"{path.name}: logic belongs in the package"


def test_notebooks_run_top_to_bottom_with_nbval(criteria):
    """Every notebook with its default parameters, on the bundled sample, as a new user runs them."""
    clean_into(RAW_DIR, PROCESSED_DIR)
    out = subprocess.run([sys.executable, "-m", "pytest", "--nbval-lax", "-q", "-p", "no:cacheprovider",
                          str(NOTEBOOKS_DIR)], cwd=PROJECT_DIR, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-2000:]
    assert " passed" in out.stdout
