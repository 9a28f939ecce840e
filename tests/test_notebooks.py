"""Notebooks: rendered through papermill into a temporary folder and checked; nbval for top-to-bottom."""

import ast
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
    """Notebook 01 shows what the clean stage wrote into the processed folder (it does not clean again)."""
    processed = tmp_path / "processed"
    clean_into(CORPUS_CASE, processed)
    params = {"processed_dir": str(processed), "year": 2023, "lang": "en"}
    executed, html = run_notebook("01_data_quality", params, tmp_path / "out")
    nb = nbformat.read(executed, as_version=4)
    assert not [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
                if o.get("output_type") == "error"]
    assert nb.metadata["papermill"]["parameters"] == params
    text = _outputs_text(nb)
    assert "not_a_number" in text and "khoảng 50 triệu" in text  # the corpus case's one problem
    assert "1 ô đọc / cells read = 0 sạch / clean (0 để trống / empty) + 1 loại / rejected" in text
    assert "SYNTHETIC" not in text  # the corpus case is not marked synthetic
    images = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if "image/png" in o.get("data", {})]
    assert len(images) == 1  # the problems chart
    assert "<img" in html.read_text(encoding="utf-8")


def test_data_quality_notebook_needs_the_clean_stage_outputs(tmp_path):
    """An empty processed folder is refused with the chain's message, not cleaned behind the user's back."""
    with pytest.raises(Exception, match="ntm clean"):
        run_notebook("01_data_quality", {"processed_dir": str(tmp_path / "empty")}, tmp_path / "out")
    assert not (tmp_path / "empty").exists()


# --- hygiene: notebooks hold calls and display, nothing else --------------------------------------------------

# Statements a notebook cell may hold: imports, assignments (to names) and expressions.
_STATEMENTS = (ast.Import, ast.ImportFrom, ast.Assign, ast.AnnAssign, ast.Expr)
# Expressions a statement may be built of: calls, names, attribute access, literals (and literal containers),
# keyword arguments, subscripts with a literal key, a sign in front of a literal.
_EXPRESSIONS = (ast.Call, ast.Name, ast.Attribute, ast.Constant, ast.keyword, ast.List, ast.Tuple, ast.Dict,
                ast.Load, ast.Store, ast.Subscript, ast.UnaryOp, ast.USub, ast.UAdd)


def logic_in(source: str) -> list[str]:
    """What in one code cell is more than imports, assignments of calls / names / literals / attributes /
    literal-key subscripts, and calls or names shown: one message per offending node (empty when clean).

    Refused: function and class definitions, lambdas, loops, conditionals (statements and expressions),
    comprehensions, arithmetic or comparisons on anything but literals, augmented assignment, f-strings,
    subscripts with a computed key, starred or walrus expressions, assignment to an attribute or item.
    """
    faults = []
    for stmt in ast.parse(source).body:
        where = f"line {stmt.lineno}"
        if not isinstance(stmt, _STATEMENTS):
            faults.append(f"{where}: {type(stmt).__name__} statement")
            continue
        if isinstance(stmt, ast.Expr) and not isinstance(stmt.value, ast.Call | ast.Name | ast.Attribute):
            faults.append(f"{where}: expression shown is a {type(stmt.value).__name__}, not a call or a name")
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target] if isinstance(
            stmt, ast.AnnAssign) else []
        for target in targets:
            names = target.elts if isinstance(target, ast.Tuple) else [target]
            faults += [f"{where}: assignment to a {type(t).__name__}" for t in names if not isinstance(t, ast.Name)]
        for node in ast.walk(stmt):
            if node is stmt or isinstance(node, ast.alias):
                continue
            if isinstance(node, ast.BinOp | ast.BoolOp | ast.Compare) and not _literal(node):
                faults.append(f"{where}: {type(node).__name__} on values that are not literals")
            elif isinstance(node, ast.Subscript) and not isinstance(node.slice, ast.Constant):
                faults.append(f"{where}: subscript with a computed key")
            elif isinstance(node, ast.UnaryOp) and not isinstance(node.operand, ast.Constant):
                faults.append(f"{where}: {type(node.op).__name__} on a value that is not a literal")
            elif not isinstance(node, _EXPRESSIONS + (ast.BinOp, ast.BoolOp, ast.Compare, ast.operator,
                                                      ast.boolop, ast.cmpop)):
                faults.append(f"{where}: {type(node).__name__}")
    return faults


def _literal(node: ast.AST) -> bool:
    try:
        ast.literal_eval(node)
    except ValueError:
        return False
    return True


def parameter_faults(source: str) -> list[str]:
    """What in a parameters cell is more than one ``name: type = literal  # comment`` line per parameter."""
    faults = []
    lines = source.splitlines()
    for stmt in ast.parse(source).body:
        where = f"line {stmt.lineno}"
        if not (isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value is not None):
            faults.append(f"{where}: not an annotated assignment `name: type = value`")
            continue
        if not _literal(stmt.value):
            faults.append(f"{where}: {stmt.target.id}'s value is not a literal")
        if stmt.end_lineno != stmt.lineno or "  # " not in lines[stmt.lineno - 1]:
            faults.append(f"{where}: {stmt.target.id} needs a one-line comment saying what it is")
    return faults


def all_notebooks() -> list[Path]:
    """The analysis notebooks and the report templates."""
    return sorted(p for p in NOTEBOOKS_DIR.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)


def test_hygiene_check_refuses_logic():
    for source in ["def f():\n    pass", "class A:\n    pass", "f = lambda x: x", "for x in y:\n    show(x)",
                   "while x:\n    pass", "if x:\n    show(x)", "y = [a for a in b]", "y = {a: 1 for a in b}",
                   "y = a + b", "y = frame[frame['year'] == 2020]", "x += 1", "show(f'{x}')", "y = a if b else c",
                   "frame.groupby('a').size() / 2", "y = frame[key]", "y = -x", "frame.x = 1", "a > 1",
                   "print(a and b)"]:
        assert logic_in(source), source
    for source in ["from ntm_analysis.api import gaps, show", "view = gaps.load(config, processed_dir, 2020)",
                   "show(gaps.header(view), view.plan['targets']['villages_total'])", "fig = gaps.heatmap(view)",
                   "gaps.village_status(view)", "view", "a, b = gaps.pair(view)", "x = gaps.f(-1, [1, 2], {'a': 1})"]:
        assert not logic_in(source), (source, logic_in(source))
    assert parameter_faults('year: int = 0  # assessment year\nlang: str = "vi"  # language') == []
    assert parameter_faults("year = 0  # no type") and parameter_faults("year: int = 0") \
        and parameter_faults("year: int = f(0)  # a call")


def test_notebooks_are_committed_without_outputs():
    """Every notebook (analysis and report templates): no outputs, one parameters cell of typed literals with
    a comment each, a kernelspec, and code cells holding calls and display only (the logic is in the package)."""
    notebooks = all_notebooks()
    assert len(notebooks) >= 6
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        assert nb.metadata.get("kernelspec", {}).get("name"), f"{path.name}: kernelspec kept"
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert all(not c.outputs and c.execution_count is None for c in code), path.name
        tagged = [c for c in code if "parameters" in c.metadata.get("tags", [])]
        assert len(tagged) == 1, f"{path.name}: one cell tagged 'parameters'"
        assert parameter_faults(tagged[0].source) == [], f"{path.name}: {parameter_faults(tagged[0].source)}"
        assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# "), f"{path.name}: title"
        assert nb.cells[2] is tagged[0], f"{path.name}: title, imports, then the parameters cell"
        imports = ast.parse(nb.cells[1].source).body
        assert imports and all(isinstance(s, ast.Import | ast.ImportFrom) for s in imports), \
            f"{path.name}: the second cell holds the imports"
        if path.parent == NOTEBOOKS_DIR:  # the analysis notebooks import the notebook API only
            assert {s.module for s in imports if isinstance(s, ast.ImportFrom)} == {"ntm_analysis.api"} and \
                not [s for s in imports if isinstance(s, ast.Import)], f"{path.name}: import from ntm_analysis.api"
            assert 'config: str = ""' in tagged[0].source, f"{path.name}: the config parameter ntm passes"
        faults = {i: logic_in(c.source) for i, c in enumerate(code) if c is not tagged[0]}
        assert not any(faults.values()), f"{path.name}: logic belongs in the package: {faults}"


def test_notebooks_run_top_to_bottom_with_nbval(criteria):
    """Every notebook with its default parameters, on the bundled sample, as a new user runs them."""
    clean_into(RAW_DIR, PROCESSED_DIR)
    out = subprocess.run([sys.executable, "-m", "pytest", "--nbval-lax", "-q", "-p", "no:cacheprovider",
                          str(NOTEBOOKS_DIR)], cwd=PROJECT_DIR, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-2000:]
    assert " passed" in out.stdout
