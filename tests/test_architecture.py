"""The package's shape: imports point down the layers, light modules stay light, one error hierarchy."""

import importlib
import inspect
import pkgutil
import subprocess
import sys
from pathlib import Path

import ntm_analysis
from ntm_analysis.core.errors import NtmError

LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def test_import_linter_contracts_hold():
    out = subprocess.run([str(LINT_IMPORTS), "--no-cache"], capture_output=True, text=True,
                         cwd=Path(ntm_analysis.__file__).parents[1])
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-2000:]
    assert "0 broken" in out.stdout


def _modules_loaded_by(module: str) -> set[str]:
    code = f"import sys, {module}; print(' '.join(sorted(m.split('.')[0] for m in sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def test_cleaning_loads_no_plotting_notebook_or_solver_machinery():
    loaded = _modules_loaded_by("ntm_analysis.pipeline")
    assert not loaded & {"matplotlib", "seaborn", "papermill", "nbformat", "nbconvert", "IPython", "scipy"}


def test_the_command_line_starts_without_the_data_stack():
    assert not _modules_loaded_by("ntm_analysis.cli") & {"pandas", "numpy", "matplotlib", "openpyxl"}


def _package_modules() -> list[str]:
    return [m.name for m in pkgutil.walk_packages(ntm_analysis.__path__, "ntm_analysis.")
            if not m.name.endswith("__main__")]


def test_every_error_the_package_raises_on_purpose_is_an_ntm_error():
    foreign = []
    for name in _package_modules():
        module = importlib.import_module(name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ == name and issubclass(cls, BaseException) and not issubclass(cls, NtmError):
                foreign.append(f"{name}.{cls.__name__}")
    assert foreign == []


def test_no_module_shadows_the_standard_library():
    stdlib = set(sys.stdlib_module_names)
    assert not [name for name in _package_modules() if name.rsplit(".", 1)[-1] in stdlib]
