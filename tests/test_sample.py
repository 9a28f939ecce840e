"""Tests for ntm_analysis.sample: the synthetic district's files, its story and how the pipeline reads it."""

from __future__ import annotations

import shutil

import unicodedata
from collections import Counter
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from ntm_analysis.reference.admin_units import load_admin_units
from ntm_analysis.reference.plan import load_plan
from ntm_analysis.sample import SAMPLE_SEED, SAMPLE_YEARS
from ntm_analysis.reference.criteria import CriteriaSet
from ntm_analysis.clean.folder import SYNTHETIC_MARKER, CleanResult
from ntm_analysis.core.errors import UserError
from ntm_analysis.sample import SampleDistrict, generate_sample, sample_district, sample_file_names
from tests.conftest import clean

# The criteria the plan (section III) names as often failed at baseline; stated here independently.
PLAN_NAMED = {2, 5, 6, 9, 10, 13, 15, 17, 19}


@pytest.fixture(scope="session")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    folder = tmp_path_factory.mktemp("raw")
    return folder, generate_sample(folder)


@pytest.fixture(scope="session")
def manifest(generated: tuple[Path, dict]) -> dict:
    return generated[1]


@pytest.fixture(scope="session")
def district() -> SampleDistrict:
    return sample_district(SAMPLE_SEED)


@pytest.fixture(scope="session")
def cleaned(generated: tuple[Path, dict], criteria: CriteriaSet) -> CleanResult:
    return clean(generated[0], criteria)


@pytest.fixture(scope="session")
def plan() -> dict:
    return load_plan("ia-grai-2021-2025")


def _manifest_villages(manifest: dict) -> pd.DataFrame:
    return pd.DataFrame(manifest["villages"])


def _passes(values: pd.DataFrame, villages: pd.DataFrame, criteria: CriteriaSet, by_group: bool) -> pd.DataFrame:
    """``values`` with ``criterion`` and ``passes`` (against the village's group, or the set's single group)."""
    table = criteria.indicator_table()[["code", "criterion", "group", "direction", "threshold"]]
    group = villages.set_index("code")["group"] if by_group else pd.Series(
        criteria.groups[0].id, index=villages["code"])
    frame = values.assign(group=values["village_code"].map(group)).merge(
        table, left_on=["indicator_code", "group"], right_on=["code", "group"], validate="many_to_one")
    ok = frame["value"].ge(frame["threshold"]).where(frame["direction"].eq(">="),
                                                     frame["value"].le(frame["threshold"]))
    return frame.assign(passes=ok.where(frame["direction"].ne("=="), frame["value"].eq(frame["threshold"])))


def _meets_standard(passes: pd.DataFrame) -> pd.Series:
    """(village_code, year) -> all indicators pass."""
    return passes.groupby(["village_code", "year"])["passes"].all()


# ---------------------------------------------------------------- files


def test_same_seed_same_bytes_other_seed_other_bytes(generated: tuple[Path, dict], tmp_path: Path) -> None:
    folder, first = generated
    again = generate_sample(tmp_path / "again")
    assert generate_sample(tmp_path / "again") == again  # over itself: allowed, same bytes
    other = generate_sample(tmp_path / "other", seed=SAMPLE_SEED + 1)
    assert again == first
    for name in first["files"]:
        assert (tmp_path / "again" / name).read_bytes() == (folder / name).read_bytes(), name
    changed = [n for n in first["files"] if (tmp_path / "other" / n).read_bytes() != (folder / n).read_bytes()]
    assert set(sample_file_names()) <= set(changed)
    assert other["villages"] != first["villages"]


def test_writes_the_fixed_file_list_and_the_synthetic_marker(generated: tuple[Path, dict]) -> None:
    folder, manifest = generated
    assert sorted(p.name for p in folder.iterdir()) == sorted([*sample_file_names(), SYNTHETIC_MARKER])
    assert manifest["files"] == [*sample_file_names(), SYNTHETIC_MARKER]
    marker = (folder / SYNTHETIC_MARKER).read_text(encoding="utf-8")
    assert "GIẢ LẬP" in marker and "synthetic" in marker.lower() and "NOT real" in marker


def test_ia_der_values_are_windows_1258_and_villages_utf8_bom(generated: tuple[Path, dict]) -> None:
    folder, _ = generated
    data = (folder / "xa-ia-der-so-lieu.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    text = unicodedata.normalize("NFC", data.decode("cp1258"))
    assert "Mã làng;Tên làng;Năm;" in text and "Chưa đạt" in text
    assert (folder / "xa-ia-der-danh-sach-lang.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_ia_ba_villages_sheet_is_typed_in_tcvn3(generated: tuple[Path, dict]) -> None:
    book = openpyxl.load_workbook(generated[0] / "xa-ia-ba.xlsx", read_only=True)
    names = [row[2] for row in book["Danh sách làng"].iter_rows(min_row=5, values_only=True)]
    book.close()
    assert names and all(name.startswith("Lµng") for name in names)


# ---------------------------------------------------------------- the villages and the plan's story


def test_about_110_villages_over_the_13_communes(manifest: dict) -> None:
    villages = _manifest_villages(manifest)
    admin = load_admin_units("ia-grai-communes")
    assert 100 <= len(villages) <= 120
    assert set(villages["commune"]) == set(admin["commune"])
    assert villages["code"].is_unique and villages["code"].str.fullmatch(r"\d{4}").all()
    index = {name: f"{i + 1:02d}" for i, name in enumerate(admin["commune"])}
    assert (villages["code"].str[:2] == villages["commune"].map(index)).all()
    assert villages["name"].str.match(r"^(Làng|Thôn) ").all() and villages["name"].is_unique


def test_thirty_villages_reach_the_standard_as_the_plan_says(manifest: dict, plan: dict) -> None:
    villages = _manifest_villages(manifest)
    period = villages["reaches_standard_year"].between(plan["period"]["start"], plan["period"]["end"])
    targets = plan["targets"]
    assert period.sum() == targets["villages_total"]
    assert Counter(villages.loc[period, "category"]) == targets["by_category"]
    per_year = villages.loc[period, "reaches_standard_year"].value_counts()
    assert per_year.to_dict() == dict.fromkeys(range(2021, 2026), targets["villages_per_year"])
    baseline = villages["reaches_standard_year"].eq(plan["baseline_year"]).sum()
    assert 1 <= baseline <= 5


def test_commune_linked_villages_one_per_aiming_commune(district: SampleDistrict, plan: dict) -> None:
    villages = district.villages
    linked = villages[villages["category"].eq("commune_linked")]
    aiming = villages.loc[villages["commune_target_year"].notna(), "commune"].unique()
    assert len(aiming) == plan["targets"]["communes_aiming_ntm"]
    assert sorted(linked["commune"]) == sorted(aiming)
    assert (linked["reaches_standard_year"] == linked["commune_target_year"]).all()


def test_border_communes_reach_the_plan_share_by_2025(manifest: dict, plan: dict) -> None:
    villages = _manifest_villages(manifest)
    border = villages[villages["category"].eq("border")]
    share = 100 * border["reaches_standard_year"].le(plan["period"]["end"]).sum() / len(border)
    assert share >= plan["targets"]["border_commune_share"]


def test_town_has_a_few_group_2_villages(district: SampleDistrict) -> None:
    group_2 = district.villages[district.villages["group"].eq("2")]
    assert 1 <= len(group_2) <= 5
    assert set(group_2["commune"]) == {"Ia Kha"}
    assert (group_2["ethnic_minority_share"] < 15).all()
    assert (district.villages.loc[district.villages["group"].eq("1"), "ethnic_minority_share"] >= 60).all()


@pytest.mark.parametrize("by_group", [False, True], ids=["2019-set", "2022-set-by-group"])
def test_values_meet_the_standard_exactly_from_the_reach_year(district: SampleDistrict, criteria: CriteriaSet,
                                                               criteria_2022: CriteriaSet, by_group: bool) -> None:
    passes = _passes(district.values, district.villages, criteria_2022 if by_group else criteria, by_group)
    meets = _meets_standard(passes).unstack("year")
    reach = district.villages.set_index("code")["reaches_standard_year"]
    for code, row in meets.iterrows():
        expected = [pd.notna(reach[code]) and year >= reach[code] for year in SAMPLE_YEARS]
        assert row.tolist() == expected, code
    named = passes[passes["criterion"].isin(PLAN_NAMED)].groupby(["village_code", "year"])["passes"].all()
    failing = meets.stack()
    assert not named[failing[~failing].index].any()  # every failing village-year fails a plan-named criterion


def test_baseline_failures_are_mostly_the_plan_named_criteria(district: SampleDistrict,
                                                               criteria: CriteriaSet) -> None:
    passes = _passes(district.values, district.villages, criteria, by_group=False)
    baseline = passes[passes["year"].eq(SAMPLE_YEARS[0])]
    criterion_fails = ~baseline.groupby(["village_code", "criterion"])["passes"].all()
    fails = criterion_fails.groupby("criterion").sum()
    named, others = fails[fails.index.isin(PLAN_NAMED)], fails[~fails.index.isin(PLAN_NAMED)]
    assert named.min() > others.max()
    assert named.min() >= len(district.villages) / 3
    assert others.max() <= len(district.villages) / 5


def test_values_trend_plausibly(district: SampleDistrict) -> None:
    values = district.values.pivot_table(index=["village_code", "indicator_code"], columns="year", values="value")
    rising = ["2.1", "10", "15.1", "17.2"]
    steps = values.loc[(slice(None), rising), :].diff(axis=1).iloc[:, 1:]
    assert ((steps >= 0) | steps.isna()).all().all()  # empty cells (missing values) break no trend
    falling = values.xs("9.1", level="indicator_code").diff(axis=1).iloc[:, 1:]
    assert ((falling <= 0) | falling.isna()).all().all()
    income = values.xs("10", level="indicator_code").mean()
    assert income.diff().iloc[1:].between(1, 8).all()
    health = values.xs("15.1", level="indicator_code")
    assert health[SAMPLE_YEARS[0]].median() < 60 < health[SAMPLE_YEARS[-1]].median()
    percent = district.values[~district.values["indicator_code"].isin(["10"])]["value"].dropna()
    assert percent.between(0, 100).all() and not percent.between(0, 1, inclusive="neither").any()


def test_some_values_are_left_empty_only_where_the_story_allows(district: SampleDistrict) -> None:
    missing = district.values[district.values["value"].isna()]
    never = set(district.villages.loc[district.villages["reaches_standard_year"].isna(), "code"])
    assert 0.005 < len(missing) / len(district.values) < 0.02
    assert set(missing["village_code"]) <= never


def test_manifest_matches_the_true_tables(manifest: dict, district: SampleDistrict) -> None:
    truth = district.villages[["code", "name", "commune", "category", "reaches_standard_year"]]
    listed = _manifest_villages(manifest)
    assert listed["code"].tolist() == truth["code"].tolist()
    assert listed["category"].tolist() == truth["category"].tolist()
    assert listed["reaches_standard_year"].fillna(0).tolist() == truth["reaches_standard_year"].fillna(0).tolist()


def test_planted_errors_spare_the_villages_that_reach_the_standard(manifest: dict, district: SampleDistrict,
                                                                    generated: tuple[Path, dict]) -> None:
    planted = manifest["planted_errors"]
    assert 8 <= len(planted) <= 12
    assert {p["code"] for p in planted} == {"out_of_range", "unknown_village", "duplicate_value", "unknown_indicator",
                                            "not_a_number", "probable_fraction", "unknown_commune", "not_a_boolean"}
    reaching = set(district.villages.loc[district.villages["reaches_standard_year"].notna(), "code"])
    for error in planted:
        row = _raw_row(generated[0], error)
        assert not reaching & {str(cell) for cell in row}, error
        assert error["value"] in row, error


def _raw_row(folder: Path, error: dict) -> list[object]:
    """The cells of the row a planted error points at, as stored in the file."""
    path = folder / error["file"]
    if path.suffix == ".csv":
        text = unicodedata.normalize("NFC", path.read_bytes().decode("cp1258"))
        return text.splitlines()[error["row"] - 1].split(";")
    book = openpyxl.load_workbook(path, read_only=True)
    row = next(book[error["sheet"]].iter_rows(min_row=error["row"], max_row=error["row"], values_only=True))
    book.close()
    return list(row)


# ---------------------------------------------------------------- read back by the pipeline


def test_every_planted_error_is_reported_where_it_was_planted(cleaned: CleanResult, manifest: dict) -> None:
    reported = set(cleaned.problems[["file", "sheet", "row", "column", "code"]].itertuples(index=False, name=None))
    for error in manifest["planted_errors"]:
        assert (error["file"], error["sheet"], error["row"], error["column"], error["code"]) in reported, error


def test_no_error_beyond_the_planted_ones(cleaned: CleanResult, manifest: dict) -> None:
    planted = {(e["file"], e["sheet"], e["row"]) for e in manifest["planted_errors"]}
    errors = cleaned.problems[cleaned.problems["severity"].eq("error")]
    assert set(errors[["file", "sheet", "row"]].itertuples(index=False, name=None)) <= planted


def test_summary_says_synthetic(cleaned: CleanResult) -> None:
    assert cleaned.summary["synthetic"] is True


def test_clean_villages_match_the_true_villages(cleaned: CleanResult, district: SampleDistrict) -> None:
    clean = cleaned.villages.set_index("village_code")
    truth = district.villages.set_index("code")
    assert sorted(clean.index) == sorted(truth.index)
    assert (clean["village_name"] == truth["name"].reindex(clean.index)).all()
    assert (clean["commune"] == truth["commune"].reindex(clean.index)).all()
    assert (clean["plan_category"] == truth["category"].reindex(clean.index)).all()
    assert (clean["threshold_group"] == truth["group"].reindex(clean.index)).all()
    households = clean["households"].dropna()
    assert len(households) == len(clean) - 1  # the planted negative count is left out
    assert (households == truth["households"].reindex(households.index)).all()
    assert (clean["population"] == truth["population"].reindex(clean.index)).all()


def test_tcvn3_village_names_come_out_in_unicode(cleaned: CleanResult, district: SampleDistrict) -> None:
    truth = district.villages[district.villages["commune"].eq("Ia Bă")].set_index("code")["name"]
    clean = cleaned.villages.set_index("village_code")["village_name"].reindex(truth.index)
    assert clean.tolist() == truth.tolist()
    assert clean.str.startswith("Làng").all()


def test_values_of_villages_reaching_the_standard_survive_cleaning(cleaned: CleanResult,
                                                                   district: SampleDistrict) -> None:
    reaching = district.villages.loc[district.villages["reaches_standard_year"].notna(), "code"]
    key = ["village_code", "year", "indicator_code"]
    truth = district.values[district.values["village_code"].isin(reaching)].set_index(key)["value"]
    clean = cleaned.values.set_index(key)["value"].reindex(truth.index)
    assert clean.notna().all()
    assert (clean - truth).abs().max() < 1e-9


def test_office_layouts_of_the_sample_are_read(cleaned: CleanResult, district: SampleDistrict) -> None:
    """The merged two-row header and the district-level list give every village, households included;
    their titles, numbering, subtotals and footers are set aside once per block and the subtotals agree."""
    from ntm_analysis.sample import DISTRICT_LIST_COMMUNES, DISTRICT_LIST_FILE, MERGED_HEADER_COMMUNE

    communes = [MERGED_HEADER_COMMUNE, *DISTRICT_LIST_COMMUNES]
    truth = district.villages[district.villages["commune"].isin(communes)].set_index("code")
    clean = cleaned.villages.set_index("village_code").loc[truth.index]
    assert (clean["commune"] == truth["commune"]).all()
    assert (clean["households"] == truth["households"]).all() and (clean["population"] == truth["population"]).all()
    assert set(clean.loc[truth["commune"].isin(DISTRICT_LIST_COMMUNES).to_numpy(), "file"]) == {DISTRICT_LIST_FILE}
    blocks = cleaned.problems[cleaned.problems["file"].isin([DISTRICT_LIST_FILE, "xa-ia-krai.xlsx"])
                              & cleaned.problems["sheet"].str.startswith("Danh sách")]
    assert sorted(blocks["code"]) == sorted(["title_rows", "numbering_row", "subtotal_row", "footer_rows",
                                             "title_rows", "subtotal_row", "subtotal_row", "footer_rows"])
    assert cleaned.summary["values"]["set_aside"] > 0


def test_the_sample_is_never_written_beside_other_files(tmp_path: Path) -> None:
    (tmp_path / "raw").mkdir()
    (tmp_path / "raw" / "xa-cua-toi.xlsx").write_bytes(b"the user's own data")
    with pytest.raises(UserError, match="xa-cua-toi.xlsx"):
        generate_sample(tmp_path / "raw")
    assert [p.name for p in (tmp_path / "raw").iterdir()] == ["xa-cua-toi.xlsx"]  # nothing written


def test_the_synthetic_flag_holds_only_for_the_sample_as_written(generated: tuple[Path, dict], tmp_path: Path,
                                                                criteria) -> None:
    folder = tmp_path / "raw"
    shutil.copytree(generated[0], folder)
    assert clean(folder, criteria).summary["synthetic"] is True
    (folder / "so-lieu-that.csv").write_text("Mã làng,Năm,2.1\n0101,2024,50\n", encoding="utf-8")
    mixed = clean(folder, criteria)
    assert mixed.summary["synthetic"] is False  # real data beside the sample are not marked synthetic
    assert "synthetic_files_changed" in mixed.problems["code"].tolist()
    (folder / "so-lieu-that.csv").unlink()
    first = sorted(folder.glob("*.xlsx"))[0]
    first.write_bytes(first.read_bytes()[:-10])  # a sample file edited: no longer the sample
    assert clean(folder, criteria).summary["synthetic"] is False
