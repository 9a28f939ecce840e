#!/usr/bin/env python3
"""Set up ntm-analysis and run it, with nothing but Python ≥ 3.11 and pip.

    python3 bootstrap.py main   # environment + Jupyter kernel + the main job on the sample district
    python3 bootstrap.py test   # environment + the whole test suite

The environment is a local virtual environment in ``.venv``; it is created once and reused.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
KERNEL = "ntm-analysis"


def run(*args: str | Path) -> None:
    """Run a command from the project folder; stop with its exit code if it fails."""
    print("+", " ".join(str(a) for a in args), flush=True)
    code = subprocess.call([str(a) for a in args], cwd=ROOT)
    if code:
        sys.exit(code)


def setup() -> None:
    """Create ``.venv``, install the package with its test tools, register the Jupyter kernel."""
    if sys.version_info < (3, 11):
        sys.exit(f"ntm-analysis needs Python 3.11 or newer (this is {sys.version.split()[0]})")
    if not PYTHON.exists():
        venv.EnvBuilder(with_pip=True).create(VENV)
    run(PYTHON, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    run(PYTHON, "-m", "pip", "install", "--quiet", "-e", ".[dev]")
    run(PYTHON, "-m", "ipykernel", "install", "--sys-prefix", "--name", KERNEL,
        "--display-name", "Python (ntm-analysis)")


def install_browser() -> None:
    """Headless Chromium for the report browser tests: Debian's package, when this machine can install it.

    Elsewhere the browser tests are skipped with a message saying how to enable them.
    """
    if Path("/usr/bin/chromium").exists() or not Path("/usr/bin/apt-get").exists():
        return
    if hasattr(os, "geteuid") and os.geteuid() != 0:
        print("Chromium not installed (needs root: apt-get install chromium); the browser tests will be skipped")
        return
    run("apt-get", "update", "-qq")
    run("apt-get", "install", "-y", "-qq", "--no-install-recommends", "chromium")


def main() -> None:
    """Set up, then run the main job (``main``) or the tests (``test``)."""
    task = sys.argv[1] if len(sys.argv) > 1 else "main"
    if task not in {"main", "test", "setup"}:
        sys.exit("usage: python3 bootstrap.py [main|test|setup]")
    setup()
    if task == "main":
        run(BIN / "ntm", "all")
    elif task == "test":
        install_browser()
        run(PYTHON, "-m", "pytest", *sys.argv[2:])


if __name__ == "__main__":
    main()
