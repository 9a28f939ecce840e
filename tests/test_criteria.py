"""Tests for ntm_analysis.reference.criteria: shipped sets, header matching, tables and file validation."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from ntm_analysis.reference.criteria import (
    CriteriaFileError,
    CriteriaSet,
    available_criteria_sets,
    load_criteria_set,
)

SHIPPED = ("gia-lai-village-2019", "gia-lai-village-2022")  # the village sets (19 criteria)
COMMUNE_SET = "ntm-commune-2026-2030"  # the 2026–2030 commune skeleton: tests/test_criteria_shapes.py
CODES = [
    "1", "2.1", "2.2", "3", "4", "5", "6", "7", "8.1", "8.2", "9.1", "9.2", "10", "11", "12", "13",
    "14.1", "14.2", "15.1", "15.2", "16", "17.1", "17.2", "17.3", "17.4", "17.5", "18.1", "18.2",
    "19.1", "19.2",
]
STRICTER_GROUP_2 = {"10": 50.0, "11": 5.0, "15.1": 90.0, "17.2": 85.0}


@pytest.fixture(scope="module")
def set_2019() -> CriteriaSet:
    return load_criteria_set("gia-lai-village-2019")


@pytest.fixture(scope="module")
def set_2022() -> CriteriaSet:
    return load_criteria_set("gia-lai-village-2022")


# --- shipped sets ---------------------------------------------------------------------------------


def test_available_sets_are_the_shipped_files() -> None:
    assert available_criteria_sets() == sorted([*SHIPPED, COMMUNE_SET])


@pytest.mark.parametrize("set_id", SHIPPED)
def test_shipped_set_has_19_criteria_and_30_unique_codes(set_id: str) -> None:
    criteria_set = load_criteria_set(set_id)
    assert criteria_set.id == set_id
    assert [c.number for c in criteria_set.criteria] == list(range(1, 20))
    assert [ind.code for ind in criteria_set.indicators] == CODES
    assert criteria_set.criteria_required == 19


@pytest.mark.parametrize("set_id", [*SHIPPED, COMMUNE_SET])
def test_shipped_file_is_nfc(set_id: str) -> None:
    text = load_criteria_set(set_id).path.read_text(encoding="utf-8")
    assert unicodedata.normalize("NFC", text) == text


def test_2019_metadata_and_single_group(set_2019: CriteriaSet) -> None:
    assert set_2019.instrument == "Quyết định 183/QĐ-UBND ngày 17/4/2019 của UBND tỉnh Gia Lai"
    assert (set_2019.valid_from, set_2019.valid_to) == (2019, 2020)
    assert [g.id for g in set_2019.groups] == ["all"]
    assert set_2019.indicator("15.1").name_vi == "Người dân tham gia BHYT"
    assert set_2019.indicator("10").unit == "million_vnd_per_person_year"
    assert set_2019.indicator("9.1").direction == "<="


def test_2022_has_two_groups(set_2022: CriteriaSet) -> None:
    assert [g.id for g in set_2022.groups] == ["1", "2"]
    assert (set_2022.valid_from, set_2022.valid_to) == (2021, 2025)
    assert "826/QĐ-UBND" in set_2022.instrument


def test_2022_group_1_equals_2019(set_2019: CriteriaSet, set_2022: CriteriaSet) -> None:
    for code in CODES:
        assert set_2022.indicator(code).threshold_for("1") == set_2019.indicator(code).threshold_for("all")


def test_2022_group_2_is_stricter_exactly_where_documented(set_2022: CriteriaSet) -> None:
    differing = {
        ind.code: ind.threshold_for("2")
        for ind in set_2022.indicators
        if ind.threshold_for("2") != ind.threshold_for("1")
    }
    assert differing == STRICTER_GROUP_2
    for code in STRICTER_GROUP_2:
        ind = set_2022.indicator(code)
        looser, stricter = ind.threshold_for("1"), ind.threshold_for("2")
        assert stricter > looser if ind.direction == ">=" else stricter < looser
        assert ind.provenance == "illustrative"


def test_threshold_for_unknown_group_names_the_groups(set_2022: CriteriaSet) -> None:
    with pytest.raises(KeyError, match="groups: 1, 2"):
        set_2022.indicator("10").threshold_for("3")


def test_indicator_unknown_code_raises_clear_key_error(set_2019: CriteriaSet) -> None:
    with pytest.raises(KeyError, match="no indicator '2.3'"):
        set_2019.indicator("2.3")


def test_load_unknown_name_raises_file_not_found() -> None:
    with pytest.raises(FileNotFoundError, match="gia-lai-village-2019"):
        load_criteria_set("gia-lai-village-2030")


# --- tables ---------------------------------------------------------------------------------------


def test_indicator_table_one_row_per_indicator_and_group(set_2022: CriteriaSet) -> None:
    table = set_2022.indicator_table()
    assert len(table) == 30 * 2
    assert {"set_id", "criterion", "criterion_vi", "code", "group", "threshold", "provenance"} <= set(table)
    assert table["threshold"].dtype == float
    row = table.loc[(table["code"] == "11") & (table["group"] == "2")].iloc[0]
    assert (row["threshold"], row["direction"], row["criterion_en"]) == (5.0, "<=", "Poor households")
    assert table.loc[table["code"] == "19.1", "threshold"].tolist() == [1.0, 1.0]


def test_unverified_lists_illustrative_only(set_2019: CriteriaSet) -> None:
    unverified = set(set_2019.unverified()["code"])
    assert {"1", "2.1", "5", "11", "17.1", "19.2"} <= unverified
    assert unverified.isdisjoint({"4", "10", "15.1", "15.2", "17.2", "19.1"})
    assert len(unverified) == 24
    assert set(set_2019.unverified()["provenance"]) == {"illustrative"}


def test_unverified_in_2022_includes_the_invented_group_2_values(set_2022: CriteriaSet) -> None:
    unverified = set(set_2022.unverified()["code"])
    assert set(STRICTER_GROUP_2) <= unverified
    assert "19.1" not in unverified


# --- header matching ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("2.1", "2.1"),
        ("2,1", "2.1"),
        ("TC 2.1", "2.1"),
        ("Chỉ tiêu 2.1", "2.1"),
        ("chi tieu  17.2:", "17.2"),
        ("10", "10"),
        ("Tỷ lệ hộ nghèo", "11"),
        ("TY LE HO NGHEO", "11"),
        ("  tỷ   lệ hộ  nghèo (%) ", "11"),
        ("BHYT", "15.1"),
        ("bhyt", "15.1"),
        ("Thu nhập bình quân", "10"),
        ("thu nhap binh quan dau nguoi", "10"),
        ("Thu nhập", "10"),  # a single-indicator criterion's name
        ("Per-capita income", "10"),
        ("Đường trục thôn, làng được cứng hoá", "2.1"),  # old-style tone mark
        ("2.1 Giao thông", "2.1"),
        ("10. Thu nhập BQ (tr.đ/người/năm)", "10"),
    ],
)
def test_match_indicator_finds_the_code(set_2019: CriteriaSet, header: str, expected: str) -> None:
    assert set_2019.match_indicator(header) == expected


@pytest.mark.parametrize(
    "header",
    [
        "Giao thông",  # criterion with two indicators: would be a guess
        "10 Hộ nghèo",  # the code and the name disagree
        "2.3",  # no such indicator
        "Tiêu chí 2",  # a criterion, not an indicator
        "3G",
        "Tên thôn",
        "",
    ],
)
def test_match_indicator_returns_none_rather_than_guess(set_2019: CriteriaSet, header: str) -> None:
    assert set_2019.match_indicator(header) is None


# --- user files and validation --------------------------------------------------------------------


def minimal_set() -> dict:
    """A small valid criteria set with two groups and two criteria."""
    return {
        "id": "thu-nghiem", "version": "1", "name_vi": "Bộ thử nghiệm", "name_en": "Test set",
        "instrument": "none", "valid_from": 2021, "valid_to": 2025, "criteria_required": 2,
        "groups": [
            {"id": "1", "name_vi": "Nhóm 1", "name_en": "Group 1"},
            {"id": "2", "name_vi": "Nhóm 2", "name_en": "Group 2"},
        ],
        "source_note": "hand-made for tests",
        "criteria": [
            {"number": 1, "name_vi": "Quy hoạch", "name_en": "Planning", "indicators": [
                {"code": "1", "name_vi": "Có quy hoạch", "name_en": "Has a plan", "unit": "boolean",
                 "kind": "boolean", "direction": "==", "threshold": True, "provenance": "plan"},
            ]},
            {"number": 2, "name_vi": "Giao thông", "name_en": "Transport", "indicators": [
                {"code": "2.1", "name_vi": "Đường trục", "name_en": "Axis roads", "unit": "percent",
                 "kind": "numeric", "direction": ">=", "thresholds": {"1": 70, "2": 80},
                 "provenance": "illustrative", "aliases": ["Đường trục thôn"]},
                {"code": "2.2", "name_vi": "Đường ngõ", "name_en": "Lanes", "unit": "percent",
                 "kind": "numeric", "direction": ">=", "threshold": 100, "provenance": "national"},
            ]},
        ],
    }


def write_set(folder: Path, data: dict, name: str = "my-set.yaml") -> Path:
    path = folder / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def indicator(data: dict, code: str) -> dict:
    """The raw indicator mapping with this code, to be edited by a test."""
    return next(ind for c in data["criteria"] for ind in c["indicators"] if ind["code"] == code)


def error_text(path: Path) -> str:
    with pytest.raises(CriteriaFileError) as info:
        load_criteria_set(path)
    assert info.value.path == path
    assert path.name in str(info.value)
    return str(info.value)


def test_user_file_loads_from_path(tmp_path: Path) -> None:
    path = write_set(tmp_path, minimal_set())
    criteria_set = load_criteria_set(path)
    assert criteria_set.id == "thu-nghiem"
    assert criteria_set.path == path
    assert criteria_set.indicator("2.2").thresholds == {"1": 100.0, "2": 100.0}
    assert criteria_set.indicator("2.1").threshold_for("2") == 80.0
    assert criteria_set.indicator("1").threshold_for("1") is True
    assert criteria_set.match_indicator("duong truc thon") == "2.1"
    assert load_criteria_set(str(path)).id == "thu-nghiem"


def test_user_file_text_is_nfc_normalised(tmp_path: Path) -> None:
    data = minimal_set()
    data["criteria"][1]["name_vi"] = unicodedata.normalize("NFD", "Giao thông")
    criteria_set = load_criteria_set(write_set(tmp_path, data))
    assert criteria_set.criteria[1].name_vi == "Giao thông"
    assert unicodedata.is_normalized("NFC", criteria_set.criteria[1].name_vi)


def test_unquoted_group_ids_are_read_as_text(tmp_path: Path) -> None:
    data = minimal_set()
    for group in data["groups"]:
        group["id"] = int(group["id"])
    indicator(data, "2.1")["thresholds"] = {1: 70, 2: 80}
    assert load_criteria_set(write_set(tmp_path, data)).indicator("2.1").threshold_for("2") == 80.0


def test_yaml_syntax_error_reports_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("id: x\nversion: 1\ngroups: [a, b\nname_vi: y\n", encoding="utf-8")
    text = error_text(path)
    assert "YAML syntax error at line 4" in text


def test_empty_file_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "empty.yaml"
    path.write_text("", encoding="utf-8")
    assert "top level must be a mapping" in error_text(path)


Mutation = Callable[[dict], object]

FAULTS: list = [
    pytest.param(lambda d: d.pop("instrument"), ["missing key(s) instrument"], id="missing-top-level-key"),
    pytest.param(lambda d: indicator(d, "2.2").update(code="2.1"), ["duplicate indicator code '2.1'"],
                 id="duplicate-code"),
    pytest.param(lambda d: d["criteria"][1].update(number=1), ["duplicate criterion number 1"],
                 id="duplicate-criterion-number"),
    pytest.param(lambda d: indicator(d, "2.1").update(unit="percnet"),
                 ["indicator 2.1", "unknown unit 'percnet'"], id="unknown-unit"),
    pytest.param(lambda d: indicator(d, "1").update(kind="yes/no"), ["indicator 1", "unknown kind 'yes/no'"],
                 id="unknown-kind"),
    pytest.param(lambda d: indicator(d, "2.1").update(direction="=>"), ["unknown direction '=>'"],
                 id="unknown-direction"),
    pytest.param(lambda d: indicator(d, "1").update(direction=">="),
                 ["indicator 1", "direction '>=' does not fit kind 'boolean'"], id="direction-kind-mismatch"),
    pytest.param(lambda d: indicator(d, "2.1").update(unit="boolean"),
                 ["unit 'boolean' needs kind 'boolean', not 'numeric'"], id="unit-kind-mismatch"),
    pytest.param(lambda d: indicator(d, "2.2").update(provenance="official"),
                 ["indicator 2.2", "unknown provenance 'official'"], id="unknown-provenance"),
    pytest.param(lambda d: indicator(d, "2.1").update(thresholds={"1": 70}),
                 ["indicator 2.1", "no threshold for group(s) 2"], id="group-missing-from-thresholds"),
    pytest.param(lambda d: indicator(d, "2.1").update(thresholds={"1": 70, "2": 80, "3": 90}),
                 ["indicator 2.1", "undeclared group(s) 3"], id="undeclared-group"),
    pytest.param(lambda d: indicator(d, "2.1").update(thresholds={"1": 70, "2": 120}),
                 ["group 2", "threshold 120 is outside the range of unit 'percent'"], id="percent-above-100"),
    pytest.param(lambda d: indicator(d, "2.2").update(unit="million_vnd_per_person_year", threshold=-5),
                 ["threshold -5 is outside the range of unit 'million_vnd_per_person_year'"],
                 id="negative-money"),
    pytest.param(lambda d: indicator(d, "1").update(threshold="có"), ["must be true or false, found 'có'"],
                 id="boolean-threshold-not-boolean"),
    pytest.param(lambda d: indicator(d, "2.2").update(threshold="cao"),
                 ["must be a finite number, found 'cao'"], id="numeric-threshold-not-number"),
    pytest.param(lambda d: indicator(d, "2.2").update(code="3.1"),
                 ["code '3.1' does not start with its criterion number 2"], id="code-criterion-mismatch"),
    pytest.param(lambda d: indicator(d, "2.2").update(code=2.2), ["quote it in YAML"],
                 id="code-written-as-float"),
    pytest.param(lambda d: d["criteria"][0].update(indicators=[]), ["criterion 1: has no indicators"],
                 id="criterion-without-indicators"),
    pytest.param(lambda d: d.update(criteria_required=3), ["criteria_required is 3 but the file has only 2"],
                 id="criteria-required-too-large"),
    pytest.param(lambda d: indicator(d, "2.2").update(thresholds={"1": 1, "2": 2}),
                 ["either 'threshold'", "exactly one"], id="threshold-and-thresholds"),
    pytest.param(lambda d: indicator(d, "2.2").update(treshold=indicator(d, "2.2").pop("threshold")),
                 ["unknown key(s) treshold"], id="misspelt-key"),
    pytest.param(lambda d: d.update(valid_from=2026), ["valid_from 2026 is after valid_to 2025"],
                 id="years-reversed"),
    pytest.param(lambda d: indicator(d, "2.2").update(aliases=["Đường trục thôn"]),
                 ["'duong truc thon'", "2.1, 2.2"], id="alias-names-two-indicators"),
    pytest.param(lambda d: d["groups"].append({"id": "1", "name_vi": "Lặp", "name_en": "Again"}),
                 ["group id '1' is declared 2 times"], id="duplicate-group"),
    pytest.param(lambda d: indicator(d, "2.2").update(plausible=[0, 130]),
                 ["plausible range [0, 130] is outside the range of unit 'percent'"], id="plausible-beyond-unit"),
    pytest.param(lambda d: indicator(d, "2.2").update(plausible=[30]), ["plausible must be [low, high]"],
                 id="plausible-not-a-pair"),
]


def test_plausible_range_is_optional_data(criteria) -> None:
    ranges = {i.code: i.plausible for i in criteria.indicators if i.plausible is not None}
    assert ranges == {"9.1": (0.0, 30.0), "11": (0.0, 60.0)}


@pytest.mark.parametrize(("mutate", "expected"), FAULTS)
def test_validation_fault_names_file_and_problem(
    tmp_path: Path, mutate: Mutation, expected: list[str]
) -> None:
    data = minimal_set()
    mutate(data)
    text = error_text(write_set(tmp_path, data))
    for fragment in expected:
        assert fragment in text


def test_every_fault_is_reported_at_once(tmp_path: Path) -> None:
    data = minimal_set()
    data.pop("source_note")
    indicator(data, "2.1")["unit"] = "percnet"
    indicator(data, "2.2")["code"] = "2.1"
    indicator(data, "1")["threshold"] = 2
    with pytest.raises(CriteriaFileError) as info:
        load_criteria_set(write_set(tmp_path, data))
    faults = info.value.faults
    assert len(faults) == 4
    for fragment in ("source_note", "percnet", "duplicate indicator code '2.1'", "true or false"):
        assert any(fragment in fault for fault in faults), fragment
