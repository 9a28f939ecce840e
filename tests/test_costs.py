"""Cost rules, exact money, projection, the plan's reconciliation, calibration, actions and the Excel annex."""

from fractions import Fraction

import numpy as np
import openpyxl
import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from pandera import errors as pa_errors

from ntm_analysis.reference.actions import ActionsFileError, actions_for, load_actions
from ntm_analysis.cost.annex import NUMBER_FORMATS, cost_annex_workbook, write_cost_annex
from ntm_analysis.reference.cost_rules import CostFileError, cost_file_path, load_cost_rules
from ntm_analysis.reference.plan import load_plan, plan_resources
from ntm_analysis.cost.projection import (calibrate_unit_costs, escalation_factor, gap_costs,
                                plan_vs_projection, project_costs, quantity_defaults, reconcile_plan,
                                reconciliation_lines, rollup_costs, source_table, target_villages)
from ntm_analysis.core.money import add_up, allocate, as_fraction, format_money, split_by_shares, to_vnd
from ntm_analysis.score.scoring import score_villages

M = 1_000_000  # đồng per million


def COST_RULES():  # noqa: N802 - the sample's cost rules
    return load_cost_rules("ia-grai-2021-2025")


def ACTIONS():  # noqa: N802 - the sample's action catalogue
    return load_actions("ia-grai-2021-2025", COST_RULES())


# --- helpers ---------------------------------------------------------------------------------------


def _passing(criteria, village, year=2020):
    rows = []
    for ind in criteria.indicators:
        value = 1.0 if ind.kind == "boolean" else (100.0 if ind.direction == ">=" else 0.0)
        rows.append((village, year, ind.code, value))
    return pd.DataFrame(rows, columns=["village_code", "year", "indicator_code", "value"])


def _values(criteria, changes: dict[str, dict[str, float]], year=2020):
    """Every indicator passing for each village, except ``changes``: village -> {code: value}."""
    frames = []
    for village, changed in changes.items():
        frame = _passing(criteria, village, year)
        for code, value in changed.items():
            frame.loc[frame["indicator_code"] == code, "value"] = value
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def _villages(rows):
    """Villages with code, households, road_km (NaN = unknown); other columns filled in."""
    frame = pd.DataFrame(rows, columns=["village_code", "households", "road_km"])
    return frame.assign(village_name="Làng " + frame["village_code"], commune="Ia O", plan_category="other",
                        threshold_group="all", lane_km=np.nan, livestock_households=pd.NA).astype(
        {"village_code": "string", "households": "Int64", "road_km": "float64"})


@pytest.fixture()
def write_cost_file(tmp_path):
    """Write a copy of the shipped cost file with ``edit(data)`` applied; return its path."""
    def write(edit=lambda data: None, name="scenario.yaml"):
        data = yaml.safe_load(cost_file_path("ia-grai-2021-2025").read_text(encoding="utf-8"))
        edit(data)
        path = tmp_path / name
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        return path
    return write


def _rule(data, **key):
    (name, value), = key.items()
    return next(r for r in data["rules"] if r.get(name) == value)


def _round_costs(data):
    """Round unit costs for hand computation: 2.1 per km 500/1000/2000, criterion 5 100/200/300,
    criterion 6 100/100/100, 9.1 per household 50/50/50; default road 2.5 km."""
    _rule(data, indicator="2.1")["unit_cost_million_vnd"] = {"low": 500, "central": 1000, "high": 2000}
    _rule(data, criterion=5)["unit_cost_million_vnd"] = {"low": 100, "central": 200, "high": 300}
    _rule(data, criterion=6)["unit_cost_million_vnd"] = {"low": 100, "central": 100, "high": 100}
    _rule(data, indicator="9.1")["unit_cost_million_vnd"] = {"low": 50, "central": 50, "high": 50}
    data["quantities"]["road_km"]["default"] = 2.5
    data["price_year"] = 2021
    data["escalation"] = 0.1


@pytest.fixture()
def hand_case(criteria, write_cost_file):
    """Village a: road 4 km, 200 households, fails 2.1 by 12 points, 5, 9.1 by 5 points and 19.1.
    Village b: road unknown (default 2.5 km), fails 2.1 by 10 points. Village c: fails 6."""
    rules = load_cost_rules(write_cost_file(_round_costs))
    villages = _villages([("a", 200, 4.0), ("b", 150, np.nan), ("c", 100, 1.0)])
    values = _values(criteria, {"a": {"2.1": 58.0, "5": 0.0, "9.1": 5.0, "19.1": 0.0},
                                "b": {"2.1": 60.0}, "c": {"6": 0.0}})
    return score_villages(values, villages, criteria), villages, rules


# --- exact money --------------------------------------------------------------------------------------


def test_allocate_largest_remainder_hand_case():
    # 100 000 000 đồng in thirds and sixths: the two đồng left over go to the largest remainders (2/3)
    assert allocate(100 * M, [Fraction(1, 3), Fraction(1, 3), Fraction(1, 6), Fraction(1, 6)]) == [
        33_333_333, 33_333_333, 16_666_667, 16_666_667]
    assert allocate(10, [Fraction(1, 3)] * 3) == [4, 3, 3]  # a tie goes to the earlier part
    with pytest.raises(ValueError, match="add up to 1"):
        allocate(10, [Fraction(1, 2), Fraction(1, 3)])


@given(st.integers(min_value=0, max_value=10**13),
       st.lists(st.integers(min_value=0, max_value=50), min_size=1, max_size=6).filter(lambda w: sum(w) > 0))
def test_allocate_adds_up_to_the_dong(total, weights):
    shares = [Fraction(w, sum(weights)) for w in weights]
    parts = allocate(total, shares)
    assert sum(parts) == total
    assert all(abs(part - total * share) < 1 for part, share in zip(parts, shares))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["Ia O", "Ia Chía", "Ia Krái"]), st.integers(1, 4),
                          st.integers(0, 5 * 10**11)), min_size=1, max_size=40),
       st.dictionaries(st.integers(1, 4),
                       st.lists(st.integers(0, 9), min_size=4, max_size=4).filter(lambda w: sum(w) > 0),
                       min_size=4, max_size=4))
def test_rollups_conserve_money(lines, weights):
    frame = pd.DataFrame(lines, columns=["commune", "criterion", "central_vnd"]).astype({"central_vnd": "int64"})
    frame = frame.assign(village_code=[f"v{i}" for i in range(len(frame))], low_vnd=frame["central_vnd"] // 2,
                         high_vnd=frame["central_vnd"] * 2)
    sources = ["central_direct", "integrated", "enterprises", "community"]
    shares = pd.DataFrame([(c, s, Fraction(w, sum(ws))) for c, ws in weights.items() for s, w in zip(sources, ws)
                           if w], columns=["criterion", "source", "share"])
    split = split_by_shares(frame, shares, "criterion", ["low_vnd", "central_vnd", "high_vnd"])
    for column in ["low_vnd", "central_vnd", "high_vnd"]:
        total = int(frame[column].sum())
        assert split[column].dtype == np.int64
        for by in (["source"], ["commune"], ["criterion", "source"], ["commune", "source"]):
            assert int(rollup_costs(split, by)[column].sum()) == total
        assert int(rollup_costs(split, [])[column].iloc[0]) == total
        per_line = add_up(split, ["village_code"], [column]).set_index("village_code")[column]
        assert per_line.to_dict() == frame.set_index("village_code")[column].to_dict()


def test_money_conversion_and_formatting():
    assert to_vnd(35051) == 35_051_000_000 and to_vnd("0.1") == 100_000 and to_vnd(1, "vnd") == 1
    with pytest.raises(ValueError, match="whole number of đồng"):
        to_vnd(0.0000001)
    assert as_fraction("1/3") == Fraction(1, 3) and as_fraction(0.1) == Fraction(1, 10)
    assert format_money(35_051_000_000) == "35.051 triệu đồng"
    assert format_money(35_051_000_000, "en") == "35,051 million VND"
    assert format_money(35_051_000_000, "vi", unit="billion", decimals=1) == "35,1 tỷ đồng"
    assert format_money(1_499_999, "vi") == "1 triệu đồng"  # rounding only here
    assert format_money(None) == ""


# --- the cost file ------------------------------------------------------------------------------------


def test_shipped_cost_rules_cover_every_indicator(criteria):
    rules = load_cost_rules("ia-grai-2021-2025")
    table = rules.rule_table()
    assert rules.price_year == 2021 and rules.criteria_set == criteria.id and rules.calibration_factor == 3
    covered = set(table["indicator_code"].dropna()) | {
        ind.code for ind in criteria.indicators if ind.criterion in set(table.loc[table["indicator_code"].isna(),
                                                                                 "criterion"])}
    assert covered == {ind.code for ind in criteria.indicators}
    road = table[table["indicator_code"] == "2.1"].iloc[0]
    assert (road["kind"], road["quantity"], road["central_vnd"], road["provenance"]) == (
        "per_quantity", "road_km", 1080 * M, "reference")
    assert "Chư Păh" in road["source"]
    militia = table[table["indicator_code"] == "19.1"].iloc[0]
    assert militia["kind"] == "zero" and "party" in militia["note"]
    assert set(table["provenance"]) <= {"reference", "illustrative", "plan"}


def test_shipped_funding_shares_follow_the_plan():
    funding = load_cost_rules("ia-grai-2021-2025").funding_table()
    shares = {c: dict(zip(g["source"], g["share"])) for c, g in funding.groupby("criterion")}
    assert shares[2] == {"integrated": 1} and shares[5] == {"integrated": 1}
    assert shares[6] == {"central_direct": Fraction(1, 3), "integrated": Fraction(1, 3),
                         "enterprises": Fraction(1, 6), "community": Fraction(1, 6)}
    assert shares[9] == {"enterprises": Fraction(1, 2), "community": Fraction(1, 2)}
    provenance = funding.drop_duplicates("criterion").set_index("criterion")["provenance"]
    assert provenance[6] == "plan" and provenance[9] == "assumption"


def test_bad_cost_file_lists_every_fault(write_cost_file):
    def spoil(data):
        del data["price_year"]
        _rule(data, indicator="2.1")["unit_cost_million_vnd"]["low"] = -5
        data["rules"].append({"criterion": 25, "kind": "zero", "provenance": "plan", "note": "?"})
        next(f for f in data["funding"] if f["criterion"] == 6)["shares"]["community"] = "1/12"
        next(f for f in data["funding"] if f["criterion"] == 2)["shares"] = {"integrated": 0.5, "bank": 0.5}
    path = write_cost_file(spoil, name="bad-costs.yaml")
    with pytest.raises(CostFileError) as caught:
        load_cost_rules(path)
    error = caught.value
    assert error.path == path and str(path) in str(error)
    assert len(error.faults) == 5, error.faults
    message = str(error)
    for expected in ["missing price_year (the year whose prices the unit costs are in)", "negative low unit cost -5", "unknown criterion 25",
                     "shares add up to 91.6667 % (11/12), not 100 %", "unknown source 'bank'"]:
        assert expected in message, message


def test_cost_file_rejects_gaps_in_coverage_and_unfunded_money(write_cost_file):
    def spoil(data):
        data["rules"] = [r for r in data["rules"] if r.get("indicator") != "19.1"]
        data["funding"] = [f for f in data["funding"] if f["criterion"] != 5]
    with pytest.raises(CostFileError) as caught:
        load_cost_rules(write_cost_file(spoil))
    assert caught.value.faults == ["indicator 19.1 has no cost rule: add one (a zero rule with a note if it costs "
                                   "nothing)", "criterion 5 has a money rule but no funding shares"]


# --- gap costs and projection ---------------------------------------------------------------------


def test_each_rule_kind_on_a_hand_computed_case(hand_case):
    scores, villages, rules = hand_case
    gaps = gap_costs(scores, villages, rules, 2020).set_index(["village_code", "criterion"])
    road = gaps.loc[("a", 2)]  # per quantity: 12 points / 100 × 4 km × 1 000 million
    assert (road["gap_units"], road["low_vnd"], road["central_vnd"], road["high_vnd"]) == pytest.approx(
        (0.48, 240 * M, 480 * M, 960 * M))
    assert not road["quantity_default"]
    default_road = gaps.loc[("b", 2)]  # road length unknown: the file's default, 2.5 km
    assert default_road["central_vnd"] == 250 * M and default_road["quantity_default"]
    school = gaps.loc[("a", 5)]  # lump sum per failing village
    assert (school["kind"], school["central_vnd"], school["gap_units"]) == ("lump_sum", 200 * M, 1.0)
    housing = gaps.loc[("a", 9)]  # 5 % of 200 households × 50 million
    assert housing["central_vnd"] == 500 * M
    militia = gaps.loc[("a", 19)]  # zero-cost rule: a line of 0 with its note
    assert (militia["kind"], militia["central_vnd"]) == ("zero", 0) and "party" in militia["note"]
    defaults = quantity_defaults(gaps.reset_index(), rules).set_index("quantity")
    assert defaults.loc["road_km", ["villages_costed", "villages_defaulted"]].tolist() == [2, 1]


def test_projection_splits_by_source_to_the_dong_and_escalates(hand_case):
    scores, villages, rules = hand_case
    projection = project_costs(scores, villages, rules, 2020)
    assert set(projection["price_year"]) == {2021} and 19 not in set(projection["criterion"])
    housing = projection[(projection["village_code"] == "a") & (projection["criterion"] == 9)]
    assert dict(zip(housing["source"], housing["central_vnd"])) == {"enterprises": 250 * M, "community": 250 * M}
    hall = projection[projection["criterion"] == 6]
    assert hall["central_vnd"].tolist() == [33_333_333, 33_333_333, 16_666_667, 16_666_667]
    later = project_costs(scores, villages, rules, 2020, year=2023)  # two years at 10 %: × 1.21
    assert escalation_factor(2021, 2023, 0.1) == pytest.approx(1.21)
    road = later[(later["village_code"] == "a") & (later["criterion"] == 2)]
    assert road["central_vnd"].tolist() == [580_800_000] and set(later["price_year"]) == {2023}
    assert project_costs(scores, villages, rules, 2020, year=2023, escalation=0.0)["central_vnd"].sum() == \
        projection["central_vnd"].sum()


def test_rollups_and_source_table_add_up(hand_case):
    scores, villages, rules = hand_case
    projection = project_costs(scores, villages, rules, 2020)
    total = int(projection["central_vnd"].sum())
    assert total == (480 + 250 + 200 + 500 + 100) * M
    by_source = rollup_costs(projection, ["source"])
    assert by_source["source"].tolist() == ["central_direct", "integrated", "enterprises", "community"]
    assert int(by_source["central_vnd"].sum()) == total
    table = source_table(projection, rules)
    assert table["row"].tolist() == ["2", "5", "6", "9", "total"]
    assert table.iloc[-1]["total_vnd"] == total
    assert (table[[c for c in table if c.endswith("_vnd") and c != "total_vnd"]].sum(axis=1)
            == table["total_vnd"]).all()


# --- the plan's table ---------------------------------------------------------------------------------


def test_reconciliation_reproduces_the_plan_exactly():
    recon = reconcile_plan(load_cost_rules("ia-grai-2021-2025"), load_plan("ia-grai-2021-2025")).set_index("row")
    sources = ["central_direct_vnd", "integrated_vnd", "enterprises_vnd", "community_vnd"]
    millions = (recon[sources + ["total_vnd"]] // M).astype(int)
    assert millions.loc["plan_total"].tolist() == [1000, 17051, 8500, 8500, 35051]
    assert millions.loc[["2", "5", "6", "9"], "total_vnd"].tolist() == [10000, 3000, 3000, 15000]
    assert millions.loc["6"].tolist() == [1000, 1000, 500, 500, 3000]
    assert millions.loc["9"].tolist() == [0, 0, 7500, 7500, 15000]  # the 50/50 assumption
    assert millions.loc["criteria_sum"].tolist() == [1000, 14000, 8000, 8000, 31000]
    assert millions.loc["unattributed"].tolist() == [0, 3051, 500, 500, 4051]
    assert (recon[sources + ["total_vnd"]] % M == 0).all().all()  # exact to the đồng
    assert recon.loc["9", "basis"] == "assumption" and "1/2" in recon.loc["9", "note_en"]
    assert recon.loc[["2", "5", "6"], "basis"].tolist() == ["plan"] * 3


def test_reconciliation_lines_state_the_unattributed_amount_and_the_assumption():
    rules = load_cost_rules("ia-grai-2021-2025")
    lines = reconciliation_lines(reconcile_plan(rules, load_plan("ia-grai-2021-2025")), rules, "vi")
    assert lines[1] == ("Chưa phân bổ cho tiêu chí nào: 4.051 triệu đồng (Vốn đầu tư trực tiếp (ngân sách TW, "
                        "tỉnh) 0; Vốn lồng ghép 3.051; Doanh nghiệp, HTX 500; Cộng đồng dân cư 500)")
    assert lines[2].startswith("Tổng nhu cầu vốn của kế hoạch: 35.051 triệu đồng")
    assert lines[3].startswith("Nhà ở dân cư: Giả định: chia Doanh nghiệp, HTX 1/2, Cộng đồng dân cư 1/2")
    english = reconciliation_lines(reconcile_plan(rules, load_plan("ia-grai-2021-2025")), rules, "en")
    assert english[1].startswith("Not attributed to any criterion: 4,051 million VND")


def test_plan_resources_must_add_up():
    resources = plan_resources(load_plan("ia-grai-2021-2025"))
    assert resources.total_vnd == 35_051 * M and resources.by_source_vnd["integrated"] == 17_051 * M
    broken = {"id": "x", "resources": {"total": 100, "by_source": {"integrated": 90}, "by_criterion": [
        {"criterion": 2, "amount": 50, "sources": {"integrated": 60}}]}}
    with pytest.raises(ValueError, match="add up to 90 million VND, not the total 100 million VND; criterion 2: "
                                         "its sources add up to 60 million VND, not 50 million VND"):
        plan_resources(broken)


def test_plan_vs_projection_in_money_and_percent(hand_case):
    scores, villages, rules = hand_case
    comparison = plan_vs_projection(project_costs(scores, villages, rules, 2020), rules, load_plan("ia-grai-2021-2025")).set_index("row")
    assert comparison.loc["2", "plan_vnd"] == 10_000 * M and comparison.loc["2", "central_vnd"] == 730 * M
    assert comparison.loc["2", "difference_vnd"] == -9_270 * M
    assert comparison.loc["2", "difference_pct"] == pytest.approx(-92.7)
    assert comparison.loc["unattributed", "plan_vnd"] == 4_051 * M
    assert comparison.loc["total", "plan_vnd"] == 35_051 * M
    assert comparison.loc["total", "central_vnd"] == 1_530 * M


# --- calibration --------------------------------------------------------------------------------------


def _status(rows):
    frame = pd.DataFrame(rows, columns=["village_code", "year", "meets_standard", "criteria_failed",
                                        "distance_to_standard"])
    return frame.assign(criteria_incomplete=0, policy="missing_fails")


PLAN = {"baseline_year": 2020, "period": {"end": 2025}, "targets": {"villages_total": 2}}


def test_target_villages_reached_by_the_end_year_when_the_data_show_it():
    status = _status([("v1", 2020, True, 0, 0.0), ("v2", 2020, False, 3, 1.0), ("v3", 2020, False, 1, 0.2),
                      ("v2", 2023, True, 0, 0.0), ("v3", 2025, False, 1, 0.2), ("v1", 2025, True, 0, 0.0)])
    targets = target_villages(status, PLAN, PLAN["baseline_year"])
    assert targets[["village_code", "reached_year", "basis"]].values.tolist() == [["v2", 2023, "reached"]]


def test_target_villages_fewest_missing_without_the_end_year():
    status = _status([("v1", 2020, False, 3, 1.0), ("v2", 2020, False, 1, 0.5), ("v3", 2020, False, 1, 0.2),
                      ("v4", 2020, True, 0, 0.0), ("v1", 2022, False, 3, 1.0)])
    targets = target_villages(status, PLAN, PLAN["baseline_year"])
    assert targets["village_code"].tolist() == ["v3", "v2"] and set(targets["basis"]) == {"fewest_missing"}


def test_calibration_flags_unit_costs_out_of_line(hand_case):
    scores, villages, rules = hand_case
    table = calibrate_unit_costs(scores, villages, rules, load_plan("ia-grai-2021-2025"), 2020, targets=["a", "c"], factor=20)
    school = table[table["criterion"] == 5].iloc[0]
    # the plan's 3 000 million for schools over one failing target village at 200 million: 15×
    assert (school["plan_vnd"], school["bottom_up_vnd"], school["failing_villages"]) == (3_000 * M, 200 * M, 1)
    assert school["ratio"] == pytest.approx(15) and school["implied_unit_cost_vnd"] == 3_000 * M
    assert not school["flagged"]
    hall = table[table["criterion"] == 6].iloc[0]  # 3 000 million over one hall at 100 million: 30× > 20
    assert hall["ratio"] == pytest.approx(30) and hall["flagged"] and "more than 20×" in hall["note"]
    road = table[table["indicator_code"] == "2.1"].iloc[0]
    assert road["gap_units"] == pytest.approx(0.48) and road["unit_cost_vnd"] == 1_000 * M
    assert road["implied_unit_cost_vnd"] == round(1_000 * M * 10_000 / 480)
    lanes = table[table["indicator_code"] == "2.2"].iloc[0]
    assert lanes["failing_villages"] == 0 and lanes["ratio"] == road["ratio"]  # same criterion, same scaling
    assert set(table["target_villages"]) == {2}
    assert calibrate_unit_costs(scores, villages, rules, load_plan("ia-grai-2021-2025"), 2020, targets=["a", "c"])["flagged"].all()  # default 3×


# --- actions ------------------------------------------------------------------------------------------


def test_actions_for_failing_criteria():
    table = actions_for([19, 2, 19], ACTIONS(), COST_RULES(), "vi")
    assert table["criterion"].tolist() == [19, 2, 2]
    assert table.iloc[0]["action"] == "Chú ý phát triển Đảng viên cho vị trí Thôn Đội trưởng của các làng."
    assert table.iloc[0]["funding"] == "Không cần kinh phí" and "UBND xã" in table.iloc[0]["responsible"]
    assert table.iloc[1]["funding"] == "Vốn lồng ghép"
    english = actions_for([6], ACTIONS(), COST_RULES(), "en")
    assert english.iloc[0]["plan_baseline"] == "Not met"
    assert english.iloc[0]["funding"].count(";") == 3  # direct, integrated, enterprises, community
    assert actions_for([1], ACTIONS(), COST_RULES(), "en").iloc[0]["action"] == "The plan names no action for this criterion."
    with pytest.raises(ValueError, match="criteria 25 are not in the action catalogue"):
        actions_for([25], ACTIONS(), COST_RULES())


def test_action_catalogue_checks_bodies_and_sources(tmp_path):
    catalogue = ACTIONS()
    assert {b.id for b in catalogue.bodies} >= {"steering_committee", "agriculture", "ntm_office",
                                                "finance_planning", "fatherland_front", "commune_committee"}
    assert len(catalogue.criteria) == 19
    path = tmp_path / "actions.yaml"
    path.write_text(yaml.safe_dump({"bodies": [{"id": "x", "name_vi": "X", "name_en": "X"}], "criteria": [
        {"criterion": 2, "baseline": "not_met", "actions": [{"vi": "a", "en": "a", "responsible": ["y"],
                                                             "sources": ["bank"]}]}]}), encoding="utf-8")
    with pytest.raises(ActionsFileError, match="unknown body 'y'.*\n.*unknown source 'bank'"):
        load_actions(path, COST_RULES())


# --- the Excel annex ---------------------------------------------------------------------------------


def test_annex_layout_formats_and_bytes(tmp_path):
    rules = load_cost_rules("ia-grai-2021-2025")
    tables = {"Biểu 1 - Kế hoạch": reconcile_plan(rules, load_plan("ia-grai-2021-2025"))}
    sheet = cost_annex_workbook(tables, rules, synthetic=True)["Biểu 1 - Kế hoạch"]
    cells = {c.value: c for row in sheet.iter_rows() for c in row if c.value is not None}
    assert "Đơn vị tính: triệu đồng" in cells and "Chia theo nguồn vốn" in cells and "Vốn lồng ghép" in cells
    total = next(r for r in sheet.iter_rows() if r[1].value == "Tổng nhu cầu vốn của kế hoạch")
    assert [c.value for c in total[2:7]] == [35051, 1000, 17051, 8500, 8500]
    assert all(c.font.bold for c in total[:7]) and total[2].number_format == NUMBER_FORMATS["vi"]
    unattributed = next(r for r in sheet.iter_rows() if r[1].value == "Chưa phân bổ cho tiêu chí nào")
    assert [c.value for c in unattributed[2:7]] == [4051, 0, 3051, 500, 500] and not unattributed[2].font.bold
    assert sheet.freeze_panes == "C6"  # title, banner, unit, two header rows: data from row 6
    first = write_cost_annex(tables, rules, tmp_path / "a.xlsx").read_bytes()
    assert write_cost_annex(tables, rules, tmp_path / "b.xlsx").read_bytes() == first
    english = openpyxl.load_workbook(write_cost_annex(tables, rules, tmp_path / "en.xlsx", lang="en"))
    numbers = [c for row in english.active.iter_rows() for c in row if isinstance(c.value, (int, float))
               and c.column > 2]
    assert {c.number_format for c in numbers} == {"#,##0"}


def test_villages_with_negative_quantities_are_rejected(hand_case):
    scores, villages, rules = hand_case
    bad = villages.assign(road_km=[4.0, -1.0, 1.0], households=pd.array([200, -5, 100], dtype="Int64"))
    with pytest.raises(pa_errors.SchemaErrors) as caught:
        gap_costs(scores, bad, rules, 2020)
    assert {"road_km", "households"} <= set(caught.value.failure_cases["column"])
