"""One way to read a data file: safe YAML, bounded size and expansion, every fault named; the plan validated."""

import time

import pytest

from ntm_analysis.core.errors import DataFileError, DataFileNotFound, UserError
from ntm_analysis.core.yaml_files import read_yaml_file
from ntm_analysis.reference.criteria import CriteriaFileError, load_criteria_set
from ntm_analysis.reference.plan import PlanFileError, load_plan

BILLION_LAUGHS = """a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def test_a_billion_laughs_file_is_refused_quickly(tmp_path):
    path = tmp_path / "laughs.yaml"
    path.write_text(BILLION_LAUGHS, encoding="utf-8")
    started = time.perf_counter()
    with pytest.raises(CriteriaFileError, match="expands to more than"):
        load_criteria_set(str(path))
    assert time.perf_counter() - started < 5


def test_a_structure_that_contains_itself_is_refused(tmp_path):
    path = tmp_path / "loop.yaml"
    path.write_text("a: &a [1, *a]\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="contains itself"):
        read_yaml_file(path)


@pytest.mark.parametrize("text, fault", [
    ("a: !!python/object/apply:os.system ['true']\n", "YAML syntax error"),
    ("a: [1, 2\n", "line 2"),
    ("a: \xff\n", None),
])
def test_unsafe_or_broken_yaml_is_a_user_error_naming_the_file(tmp_path, text, fault):
    path = tmp_path / "x.yaml"
    path.write_bytes(text.encode("latin-1") if "\xff" in text else text.encode("utf-8"))
    with pytest.raises(DataFileError) as caught:
        read_yaml_file(path)
    assert "x.yaml" in str(caught.value) and isinstance(caught.value, UserError)
    assert fault is None or fault in str(caught.value)


def test_an_oversized_file_is_refused_before_parsing(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_text("a: " + "x" * 2000 + "\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="larger than"):
        read_yaml_file(path, max_bytes=1000)


def test_text_is_normalised_and_shared_parts_read_once(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text("a: &x {name: \"  Ia  Kra\u0301i \"}\nb: *x\n", encoding="utf-8")
    data = read_yaml_file(path)
    assert data["a"]["name"] == "Ia Krái" and data["b"] is data["a"]


def test_an_unknown_id_lists_the_shipped_ones():
    with pytest.raises(DataFileNotFound, match="ia-grai-2021-2025"):
        load_plan("no-such-plan")


def test_the_shipped_plan_is_valid():
    plan = load_plan("ia-grai-2021-2025")
    assert plan["targets"]["villages_total"] == 30 and plan["resources"]["total"] == 35051


def test_a_faulty_plan_lists_every_fault(tmp_path):
    path = tmp_path / "plan.yaml"
    path.write_text("""id: p
name_vi: Kế hoạch
period: {start: 2030, end: 2026}
unit_level: hamlet
categories:
  - {id: a, name_vi: A, name_en: A}
  - {id: a, name_vi: B, name_en: B}
  - {id: c, name_vi: C}
targets:
  villages_total: -3
  by_category: {b: 2}
  border_commune_share: 140
  speed: 3
resources: {unit: million_vnd, total: 10, by_source: {x: 4, y: 5}}
""", encoding="utf-8")
    with pytest.raises(PlanFileError) as caught:
        load_plan(str(path))
    message = str(caught.value)
    for fault in ["name_en", "period", "unit_level", "given twice", "item 3", "villages_total", "'b' is not a category",
                  "border_commune_share", "speed"]:
        assert fault in message, fault
