"""Criteria sets of any shape: any number of criteria and groups, groups per village or per commune, and
the shipped skeleton of the 2026–2030 commune set (Decision 51/2025/QĐ-TTg)."""

from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
import yaml

from ntm_analysis.pipeline import _commune_groups, _score_key, run_clean, run_score
from ntm_analysis.reference.admin_units import load_admin_units
from ntm_analysis.reference.criteria import CriteriaFileError, CriteriaSet, load_criteria_set
from ntm_analysis.score.scoring import ScoringError, commune_groups, score_villages
from ntm_analysis.score.summary_workbook import summary_workbook
from tests.conftest import settings_for, write_xlsx

SKELETON = "ntm-commune-2026-2030"
INCOME = {"1": 50.0, "2": 40.0, "3": 30.0}  # criterion 3's threshold by group (made up for the test)


def _boolean(code: str) -> dict:
    return {"code": code, "name_vi": f"Chỉ tiêu {code}", "name_en": f"Indicator {code}", "unit": "boolean",
            "kind": "boolean", "direction": "==", "threshold": True, "provenance": "illustrative"}


def _write_set(path: Path, n_criteria: int, groups: list[str], **top: object) -> CriteriaSet:
    """A set of ``n_criteria`` one-indicator criteria; criterion 3 (when there are 3 groups) is a percent
    with the thresholds ``INCOME``, the others booleans."""
    criteria = []
    for n in range(1, n_criteria + 1):
        indicator = _boolean(str(n))
        if n == 3 and len(groups) == 3:
            indicator = {**indicator, "unit": "percent", "kind": "numeric", "direction": ">="}
            del indicator["threshold"]
            indicator["thresholds"] = INCOME
        criteria.append({"number": n, "name_vi": f"Tiêu chí {n}", "name_en": f"Criterion {n}",
                         "indicators": [indicator]})
    data = {"id": path.stem, "version": "1", "name_vi": "Bộ thử", "name_en": "Test set", "instrument": "none",
            "valid_from": 2026, "valid_to": 2030, "criteria_required": n_criteria,
            "groups": [{"id": g, "name_vi": f"Nhóm {g}", "name_en": f"Group {g}"} for g in groups],
            "source_note": "hand-made for tests", **top, "criteria": criteria}
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return load_criteria_set(path)


def _values(criteria: CriteriaSet, unit: str, year: int, **overrides: float) -> pd.DataFrame:
    """Passing values for every indicator of ``criteria`` (booleans 1, percents 100), ``overrides`` by code
    (``c3=45.0``)."""
    rows = [(unit, year, ind.code, overrides.get(f"c{ind.code}", 1.0 if ind.kind == "boolean" else 100.0))
            for ind in criteria.indicators]
    return pd.DataFrame(rows, columns=["village_code", "year", "indicator_code", "value"])


def _commune_list(path: Path, groups: dict[str, str]) -> pd.DataFrame:
    """A commune list CSV with a ``group`` column, read as the settings read it."""
    rows = [f"Gia Lai,,{1000 + i},{name},xã,false,{group}" for i, (name, group) in enumerate(groups.items())]
    path.write_text("province,district,commune_code,commune,commune_type,border,group\n" + "\n".join(rows) + "\n",
                    encoding="utf-8")
    return load_admin_units(path)


def _units(*communes: str) -> pd.DataFrame:
    """Communes as units of the villages table: one row each, code and name of the commune."""
    return pd.DataFrame({"village_code": [f"u{c}" for c in communes], "village_name": list(communes),
                         "commune": list(communes), "threshold_group": pd.NA})


@pytest.fixture()
def ten_by_three(tmp_path: Path) -> CriteriaSet:
    return _write_set(tmp_path / "ten.yaml", 10, ["1", "2", "3"], group_from="commune", applies_to=["commune"])


def test_ten_criteria_three_groups_from_the_commune_list(ten_by_three: CriteriaSet, tmp_path: Path) -> None:
    admin = _commune_list(tmp_path / "communes.csv", {"An": "1", "Bình": "2", "Chư": "3"})
    # 2026: half a point under the unit's own threshold (which passes a laxer group); 2027: exactly at it
    values = pd.concat([_values(ten_by_three, f"u{name}", year, c3=INCOME[group] - (0.5 if year == 2026 else 0))
                        for name, group in [("An", "1"), ("Bình", "2"), ("Chư", "3")] for year in (2026, 2027)])
    scores = score_villages(values, _units("An", "Bình", "Chư"), ten_by_three, commune_groups=commune_groups(admin))
    status = scores.villages.set_index(["village_code", "year"])
    assert status["met_label"].astype(str).to_dict() == {
        ("uAn", 2026): "9/10", ("uAn", 2027): "10/10", ("uBình", 2026): "9/10", ("uBình", 2027): "10/10",
        ("uChư", 2026): "9/10", ("uChư", 2027): "10/10"}
    assert status["meets_standard"].xs(2027, level="year").all()
    assert not status["meets_standard"].xs(2026, level="year").any()
    assert (status["criteria_total"] == 10).all()
    income = scores.indicators.query("indicator_code == '3' and year == 2026").set_index("village_code")
    assert income["group"].to_dict() == {"uAn": "1", "uBình": "2", "uChư": "3"}
    assert income["threshold"].to_dict() == {"uAn": 50.0, "uBình": 40.0, "uChư": 30.0}
    assert (status["missing_criteria_en"].xs(2026, level="year") == "Criterion 3").all()


def test_met_label_categories_follow_the_set(ten_by_three: CriteriaSet) -> None:
    groups = pd.Series(["2"], index=pd.Index(["An"], name="commune"))
    scores = score_villages(_values(ten_by_three, "uAn", 2026, c1=0.0, c5=0.0), _units("An"), ten_by_three,
                            commune_groups=groups)
    labels = scores.villages["met_label"]
    assert list(labels.cat.categories) == [f"{k}/10" for k in range(11)]
    assert labels.iloc[0] == "8/10"


def test_four_criteria_one_group(tmp_path: Path) -> None:
    criteria = _write_set(tmp_path / "four.yaml", 4, ["all"])
    villages = pd.DataFrame({"village_code": ["a", "b"], "threshold_group": [pd.NA, "anything"]})
    values = pd.concat([_values(criteria, "a", 2026, c2=0.0), _values(criteria, "b", 2026)])
    status = score_villages(values, villages, criteria).villages.set_index("village_code")
    assert status["met_label"].astype(str).to_dict() == {"a": "3/4", "b": "4/4"}
    assert status["meets_standard"].to_dict() == {"a": False, "b": True}
    assert list(status["met_label"].cat.categories) == [f"{k}/4" for k in range(5)]
    assert (status["criteria_total"] == 4).all()


def test_commune_without_group_or_with_an_unknown_one_is_named(ten_by_three: CriteriaSet, tmp_path: Path) -> None:
    admin = _commune_list(tmp_path / "communes.csv", {"An": "1", "Bình": "", "Chư": "9", "Đak": "3"})
    values = pd.concat([_values(ten_by_three, f"u{c}", 2026) for c in ("An", "Bình", "Chư")])
    with pytest.raises(ScoringError) as error:
        score_villages(values, _units("An", "Bình", "Chư"), ten_by_three, commune_groups=commune_groups(admin))
    text = str(error.value)
    assert "Bình" in text and "Chư (9)" in text
    assert "An" not in text.replace("Bình", "") and "Đak" not in text  # only the communes at fault
    assert "'group'" in text and "xã" in text  # says where to fix it, in both languages


def test_commune_groups_are_required_by_a_set_taking_them(ten_by_three: CriteriaSet, tmp_path: Path) -> None:
    values = _values(ten_by_three, "uAn", 2026)
    with pytest.raises(ScoringError, match=ten_by_three.id):
        score_villages(values, _units("An"), ten_by_three)
    plain = tmp_path / "plain.csv"
    plain.write_text("province,district,commune_code,commune,commune_type,border\nGia Lai,,1000,An,xã,false\n",
                     encoding="utf-8")
    assert "group" not in load_admin_units(plain).columns
    with pytest.raises(ScoringError, match="'group'"):
        commune_groups(load_admin_units(plain))


def test_group_per_village_stays_the_default(tmp_path: Path) -> None:
    criteria = _write_set(tmp_path / "village.yaml", 10, ["1", "2", "3"])
    assert (criteria.group_from, criteria.applies_to) == ("village", ("village",))
    villages = pd.DataFrame({"village_code": ["a"], "commune": ["An"], "threshold_group": ["3"]})
    groups = pd.Series(["1"], index=pd.Index(["An"], name="commune"))  # ignored: the set reads the village's
    scores = score_villages(_values(criteria, "a", 2026, c3=35.0), villages, criteria, commune_groups=groups)
    assert scores.villages["met_label"].iloc[0] == "10/10"


@pytest.mark.parametrize(("top", "fault"), [({"group_from": "district"}, "group_from"),
                                            ({"applies_to": "commune"}, "applies_to"),
                                            ({"applies_to": ["village", "hamlet"]}, "applies_to")])
def test_scope_keys_are_checked(tmp_path: Path, top: dict, fault: str) -> None:
    with pytest.raises(CriteriaFileError, match=fault):
        _write_set(tmp_path / "bad.yaml", 4, ["1"], **top)


def test_score_key_follows_the_commune_groups(ten_by_three: CriteriaSet, tmp_path: Path) -> None:
    catalog = SimpleNamespace(outputs_digest=lambda *stages: "clean")
    settings = SimpleNamespace(criteria_set=ten_by_three, policy="missing_fails",
                               admin=_commune_list(tmp_path / "communes.csv", {"An": "1", "Bình": "2"}))
    before = _commune_groups(settings)
    settings.admin = _commune_list(tmp_path / "communes.csv", {"An": "1", "Bình": "3"})
    after = _commune_groups(settings)
    assert before.to_dict() == {"An": "1", "Bình": "2"}
    assert _score_key(settings, catalog, before) != _score_key(settings, catalog, after)


# --- the shipped skeleton of the 2026–2030 commune set ------------------------------------------------


@pytest.fixture(scope="module")
def skeleton() -> CriteriaSet:
    return load_criteria_set(SKELETON)


def test_skeleton_shape(skeleton: CriteriaSet) -> None:
    assert skeleton.id == SKELETON
    assert [c.number for c in skeleton.criteria] == list(range(1, 11))
    assert skeleton.criteria_required == 10
    assert [g.id for g in skeleton.groups] == ["1", "2", "3"]
    assert (skeleton.group_from, skeleton.applies_to) == ("commune", ("commune",))
    assert [c.name_vi for c in skeleton.criteria][::3] == [
        "Quy hoạch", "Đào tạo nguồn nhân lực nông thôn", "Khoa học công nghệ và chuyển đổi số",
        "Tiếp cận pháp luật và an ninh, quốc phòng"]
    assert "dân tộc thiểu số" in skeleton.groups[2].name_vi and "còn lại" in skeleton.groups[1].name_vi
    assert "47" in skeleton.source_note and "other way round" in skeleton.source_note


def test_skeleton_has_no_verified_threshold(skeleton: CriteriaSet) -> None:
    unverified = skeleton.unverified()
    assert set(unverified["code"]) == {ind.code for ind in skeleton.indicators}
    assert len(unverified) == len(skeleton.indicators) * 3
    assert {ind.provenance for ind in skeleton.indicators} == {"illustrative"}
    assert all("51/2025" in ind.provenance_note and "not available" in ind.provenance_note
               for ind in skeleton.indicators)


def test_skeleton_places_the_known_wordings(skeleton: CriteriaSet) -> None:
    known = {"Tỷ lệ nghèo đa chiều": "6.1", "An toàn thực phẩm": "8.2", "Kế hoạch sản phẩm OCOP": "3.2",
             "Households using clean water to standard": "8.1"}
    assert {header: skeleton.match_indicator(header) for header in known} == known
    assert all("assumption" in skeleton.indicator(code).provenance_note for code in known.values())


def test_skeleton_scores_a_commune_x_of_10(skeleton: CriteriaSet) -> None:
    values = _values(skeleton, "uAn", 2026, **{"c6.1": 0.0})
    groups = pd.Series(["3"], index=pd.Index(["An"], name="commune"))
    row = score_villages(values, _units("An"), skeleton, commune_groups=groups).villages.iloc[0]
    assert (row["met_label"], row["meets_standard"]) == ("9/10", False)
    assert row["missing_criteria_vi"] == "Giảm nghèo và an sinh xã hội"


def test_summary_workbook_of_a_commune_set_speaks_of_communes(skeleton: CriteriaSet, criteria: CriteriaSet) -> None:
    units = _units("An").assign(commune_type="xã")
    groups = pd.Series(["1"], index=pd.Index(["An"], name="commune"))
    scores = score_villages(_values(skeleton, "uAn", 2026), units, skeleton, commune_groups=groups)
    book = summary_workbook(scores, units, skeleton, 2026, "vi", area="commune")
    summary, commune, unverified = (book[name] for name in book.sheetnames)
    texts = {str(cell.value) for sheet in (summary, commune) for row in sheet.iter_rows() for cell in row}
    assert {"Số xã", "Mã xã", "Tên xã", "10/10"} <= texts and not {"Số làng", "Mã làng"} & texts
    assert any("BỘ TIÊU CHÍ XÃ NÔNG THÔN MỚI" in text for text in texts)
    assert [c.value for c in commune[3]][3:13] == [f"{c.number}. {c.name_vi}" for c in skeleton.criteria]
    assert {row[3] for row in unverified.iter_rows(min_row=5, values_only=True)} == {g.name_vi for g in skeleton.groups}
    village_book = summary_workbook(score_villages(_values(criteria, "a", 2026), pd.DataFrame(
        {"village_code": ["a"], "village_name": ["A"], "commune": ["An"], "threshold_group": ["1"]}), criteria),
        pd.DataFrame({"village_code": ["a"], "village_name": ["A"], "commune": ["An"]}), criteria, 2026, "vi",
        area="commune")
    assert village_book[village_book.sheetnames[1]].cell(3, 2).value == "Mã làng"


def test_run_score_takes_the_groups_from_the_settings_commune_list(skeleton: CriteriaSet, tmp_path: Path) -> None:
    # two communes as units; Gào (group 3) misses criterion 6; then Ia Grai loses its group: the stage reruns
    long = [["Mã làng", "Năm", "Chỉ tiêu", "Giá trị"]]
    long += [[code, 2026, ind.code, 0 if (code, ind.code) == ("23611", "6.1") else 1]
             for code in ("23611", "23764") for ind in skeleton.indicators]
    write_xlsx(tmp_path / "raw" / "xa.xlsx", {"Làng": [["Mã làng", "Tên làng", "Xã"], ["23611", "Gào", "Gào"],
                                                        ["23764", "Ia Grai", "Ia Grai"]], "Số liệu": long})
    communes = tmp_path / "communes.csv"
    communes.write_text("province,district,commune_code,commune,commune_type,border,group\n"
                        "Gia Lai,,23611,Gào,xã,false,3\nGia Lai,,23764,Ia Grai,xã,false,2\n", encoding="utf-8")
    settings = settings_for(tmp_path / "raw", tmp_path / "processed", criteria=SKELETON, admin_units=str(communes))
    run_clean(settings)
    scores = run_score(settings)
    status = scores.villages.set_index("village_code")["met_label"].astype(str).to_dict()
    assert status == {"23611": "9/10", "23764": "10/10"}
    assert scores.indicators.drop_duplicates("village_code").set_index("village_code")["group"].to_dict() == {
        "23611": "3", "23764": "2"}
    communes.write_text(communes.read_text(encoding="utf-8").replace(",2\n", ",\n"), encoding="utf-8")
    with pytest.raises(ScoringError, match="Ia Grai"):
        run_score(settings_for(tmp_path / "raw", tmp_path / "processed", criteria=SKELETON, admin_units=str(communes)))


def test_a_single_group_set_needs_no_commune_groups(tmp_path: Path) -> None:
    criteria = _write_set(tmp_path / "one.yaml", 4, ["all"], group_from="commune", applies_to=["village", "commune"])
    settings = SimpleNamespace(criteria_set=criteria, admin=pd.DataFrame({"commune": ["An"]}))  # no 'group' column
    assert _commune_groups(settings) is None
    status = score_villages(_values(criteria, "uAn", 2026), _units("An"), criteria).villages
    assert status["met_label"].iloc[0] == "4/4" and criteria.applies_to == ("village", "commune")
