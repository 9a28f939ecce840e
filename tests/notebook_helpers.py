"""Reading an executed notebook's outputs, for the notebook tests (not a test module)."""

from __future__ import annotations

import hashlib
from pathlib import Path


def outputs(nb) -> list[dict]:  # noqa: ANN001 - an nbformat notebook
    """Every output of every code cell, in order."""
    return [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]


def output_text(nb) -> str:  # noqa: ANN001 - an nbformat notebook
    """Every stream, markdown, HTML and plain-text output (tables: HTML, which pandas does not truncate)."""
    return "\n".join(str(o.get("text", "")) + "".join(str(o.get("data", {}).get(kind, ""))
                                                      for kind in ("text/markdown", "text/html", "text/plain"))
                     for o in outputs(nb))


def folder_state(folder: Path) -> dict[str, str]:
    """Every file of ``folder`` by name, with the SHA-256 of its bytes: to show a notebook wrote nothing there."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(Path(folder).iterdir()) if p.is_file()}
