"""A seeded, synthetic sample district modelled on Ia Grai (Gia Lai), written as messy raw files.

Every figure and every village name here is invented; only the 13 communes (names, codes, border flags)
are real, from ``reference/ia-grai-communes.csv``. The data tell the district plan's story
(``reference/plan-ia-grai-2021-2025.yaml``): a few villages meet the standard at the 2020 baseline, the
others fail mainly the criteria the plan names, and the plan's 30 villages reach the standard in
2021–2025, 6 a year, split 6 commune-linked / 6 border / 18 other, so that 90 % of the border communes'
villages meet it by 2025. Thresholds come from the criteria sets, never from this module.

``sample_district`` builds the true tables; ``generate_sample`` writes them as district files arrive
(long and wide workbooks, a Windows-1258 CSV, a sheet typed in TCVN3, spelling variants, NFD text)
with a handful of planted errors, and returns a manifest of the villages and the planted errors.
"""

from __future__ import annotations

import csv
import hashlib
import io
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from ntm_analysis.reference.criteria import VOCABULARY, CriteriaSet, Indicator, load_criteria_set
from ntm_analysis.core.legacy_encoding import from_unicode
from ntm_analysis.core.vn_numbers import format_number
from ntm_analysis.clean.folder import SYNTHETIC_MARKER
from ntm_analysis.core.errors import UserError
from ntm_analysis.core.storage import atomic_path, write_text, write_workbook
from ntm_analysis.core.vietnamese import nfc, slugify
from ntm_analysis.clean.villages import ETHNIC_MINORITY_AREA_SHARE
from ntm_analysis.settings import Settings, load_settings

SAMPLE_SEED = 20210101
SAMPLE_YEARS = tuple(range(2020, 2026))


@cache
def sample_settings() -> Settings:
    """The bundled sample's settings: the Ia Grai plan, commune list and criteria sets the sample is made for."""
    return load_settings(None)

# The 2021–2025 criteria set with two threshold groups (group 2: villages outside the ethnic-minority area).
GROUPED_CRITERIA_SET = "gia-lai-village-2022"

# Sample design (invented, not plan facts).
BASELINE_VILLAGES = 3  # villages meeting the standard in 2020, all in border communes
TOWN_GROUP_2_VILLAGES = 3  # town villages below the ethnic-minority area share (threshold group 2)
VILLAGES_PER_COMMUNE = (8, 11)  # village count range of a non-border commune (upper bound excluded)
NEVER_REACHING_PER_COMMUNE = 2  # villages per non-border commune kept below the standard
MISSING_SHARE = 0.02  # of the values of villages that never reach the standard, left empty
BASELINE_FAIL_SHARE = {"plan_named": 0.45, "other": 0.04, "15.1": 0.9, "17.2": 0.7}
# Value trends, by indicator code or unit: (shortfall below the threshold the year before a fix,
# extra shortfall per earlier year) as uniform ranges; pass values sit above the threshold by up to
# the first range's upper bound and keep rising at half the yearly step.
TRENDS = {
    "percent": ((2.0, 8.0), (2.0, 6.0)),
    "million_vnd_per_person_year": ((0.5, 2.5), (2.0, 4.0)),
    "15.1": ((3.0, 10.0), (8.0, 12.0)),
    "9.1": ((1.0, 4.0), (1.0, 3.0)),
    "11": ((1.0, 3.0), (1.0, 3.0)),
}

# How the communes send their files.
WIDE_COMMUNE = "Ia Yok"  # one wide sheet per year, headed by indicator names
CSV_COMMUNE = "Ia Dêr"  # Windows-1258 CSV, wide, headed by indicator codes; villages in a UTF-8 CSV
TCVN3_COMMUNE = "Ia Bă"  # sheets typed with a legacy .Vn font
MERGED_HEADER_COMMUNE = "Ia Krái"  # villages list with a two-row merged header, numbering, total and footer
DISTRICT_LIST_COMMUNES = ("Ia Hrung", "Ia Khai")  # villages listed in one district-level workbook instead
DISTRICT_LIST_FILE = "huyen-ia-grai-danh-sach-lang.xlsx"
SPELLINGS = {
    "Ia Krái": ("Ia Krái", "Ia Krai", "IA KRÁI"),
    "Ia Chía": ("Ia Chía", "Xã Ia Chia"),
    "Ia Dêr": ("Ia Der",),
    "Ia Kha": ("Thị trấn Ia Kha", "TT Ia Kha"),
}
UNKNOWN_INDICATOR = "20.1"
# Planted errors that replace a true cell of a village that never reaches the standard:
# (commune, indicator kind or unit, cell written, problem code).
REPLACED_VALUES = (
    ("Ia Krái", "percent", "112", "out_of_range"),
    ("Ia Tô", "boolean", "có lẽ", "not_a_boolean"),
    (WIDE_COMMUNE, "percent", "khoảng 50", "not_a_number"),
    (CSV_COMMUNE, "percent", "0,85", "probable_fraction"),
)
EXTRA_ROW_COMMUNES = {"unknown_village": "Ia Sao", "duplicate_value": "Ia Hrung",
                      "unknown_indicator": "Ia Khai", "unknown_commune": "Ia Grăng"}
NEGATIVE_HOUSEHOLDS_COMMUNE = "Ia Pếch"

TITLE = "BIỂU TỔNG HỢP KẾT QUẢ RÀ SOÁT CÁC TIÊU CHÍ LÀNG NÔNG THÔN MỚI"
FOOTER = ([None, None, None, None, None, None, "Ia Grai, ngày 20 tháng 12 năm 2025"],
          [None, "Người lập biểu", None, None, None, None, "TM. ỦY BAN NHÂN DÂN"],
          [None, "(Ký, ghi rõ họ tên)", None, None, None, None, "CHỦ TỊCH"],
          [], [None, "Nguyễn Thị Hoa", None, None, None, None, "Rơ Mah Tuấn"])  # invented names
VILLAGE_HEADERS = ["STT", "Mã làng", "Tên làng", "Xã", "Số hộ", "Số khẩu", "Tỷ lệ hộ DTTS (%)", "Xã biên giới",
                   "Nhóm kế hoạch", "Năm xã phấn đấu đạt chuẩn NTM"]
LONG_HEADERS = ["Mã làng", "Năm", "Chỉ tiêu", "Giá trị", "Ghi chú"]
NOTES = ("Theo báo cáo của làng", "Ước tính", "Đã kiểm tra thực tế")
MARKS = (("Đạt", "Chưa đạt"), ("Đạt", "Chưa đạt"), ("x", "không"), ("có", "không"), ("Có", "Không"))
_NAME_HEADS = ("Plei", "Đê", "Bôn", "Kon", "Tơ")
_NAME_SYLLABLES = ("Mơ", "Nú", "Kôn", "Hra", "Rơ", "Ngol", "Bâu", "Lăk", "Hơ", "Jut", "Krông", "Dơ", "Tăng",
                   "Yăm", "Hlo", "Pơ", "Nhơn", "Kla", "Drăng", "Brêl", "Glai", "Tum", "Reo", "Hmơ", "Biêr", "Sơk")
_TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")

MARKER_TEXT = """# DỮ LIỆU GIẢ LẬP / SYNTHETIC DATA

**Tiếng Việt.** Các tệp trong thư mục này là dữ liệu giả lập, được tạo ra để minh họa cách dùng
ntm-analysis. Tên làng và mọi số liệu đều là bịa đặt; chỉ danh sách 13 xã, thị trấn (tên, mã, xã biên
giới) lấy theo huyện Ia Grai, tỉnh Gia Lai. Đây KHÔNG phải số liệu thật của địa phương nào. Một số lỗi
được cố ý cài vào để minh họa báo cáo chất lượng dữ liệu.

**English.** The files in this folder are synthetic data, invented to demonstrate ntm-analysis. Village
names and all figures are made up; only the list of 13 communes (names, codes, border flags) follows
Ia Grai district, Gia Lai province. These are NOT real figures of any locality. A few errors are planted
on purpose to demonstrate the data-quality report.

Tạo bởi / generated by `ntm sample` (ntm_analysis.sample), seed {seed}.

Các tệp của mẫu (SHA-256) — dữ liệu chỉ được coi là giả lập khi thư mục có đúng các tệp này /
the sample's files (SHA-256) — the data count as synthetic only while the folder holds exactly these:

{files}
"""


@dataclass(frozen=True)
class SampleDistrict:
    """The true tables behind the sample files.

    ``villages``: code, name, commune, commune_type, border, group (threshold group), households,
    population, ethnic_minority_share, commune_target_year (Int64), category (commune_linked / border /
    other), reaches_standard_year (Int64, NA = not by the end of the plan period) and
    blocking_indicator (for the villages that never reach it: a plan-named indicator failed every year).
    ``values``: village_code, year, indicator_code, value (float; pass/fail marks as 1.0 / 0.0).
    """

    villages: pd.DataFrame
    values: pd.DataFrame


@dataclass
class _Sheet:
    """One sheet (or CSV file) as rows of cells; ``cells`` maps a key to its (row, column) position."""

    title: str
    kind: str  # villages | values
    commune: str
    rows: list[list[object]]
    header: int  # index of the (lowest) header row in ``rows``
    cells: dict[tuple, tuple[int, int]] = field(default_factory=dict)
    merged: list[str] = field(default_factory=list)  # merged ranges, "A5:A6"
    header_top: int | None = None  # index of the first header row of a header band

    def append(self, row: list[object], keys: dict[int, tuple] | None = None) -> int:
        """Append ``row``; ``keys`` maps column positions to cell keys. Returns the row's index."""
        self.rows.append(row)
        for column, key in (keys or {}).items():
            self.cells[key] = (len(self.rows) - 1, column)
        return len(self.rows) - 1


@dataclass
class _File:
    """A raw file: a workbook of sheets, or a CSV (one sheet titled "") with its encoding."""

    name: str
    sheets: list[_Sheet]
    csv_encoding: str | None = None
    csv_delimiter: str = ";"


# ---------------------------------------------------------------- the true district


def sample_district(seed: int = SAMPLE_SEED) -> SampleDistrict:
    """Build the sample district's villages and indicator values for ``SAMPLE_YEARS``."""
    rng = np.random.default_rng(seed)
    plan = sample_settings().plan_data
    sets = _criteria_sets(plan["baseline_criteria_set"])
    villages = _villages(rng, sample_settings().admin, plan)
    fix_years, blocking = _fix_years(rng, villages, sets[0])
    villages = villages.assign(blocking_indicator=pd.Series(blocking, dtype="string"))
    return SampleDistrict(villages, _leave_gaps(rng, villages, _values(rng, villages, fix_years, sets)))


def _leave_gaps(rng: np.random.Generator, villages: pd.DataFrame, values: pd.DataFrame) -> pd.DataFrame:
    """Leave ``MISSING_SHARE`` of the values of villages that never reach the standard empty, as real
    files do (empty is not zero); the story's villages keep every value."""
    never = villages.loc[villages["reaches_standard_year"].isna(), "code"]
    candidates = values.index[values["village_code"].isin(never)]
    empty = rng.choice(candidates, size=int(MISSING_SHARE * len(candidates)), replace=False)
    return values.assign(value=values["value"].mask(values.index.isin(empty)))


@cache
def _criteria_sets(baseline_set: str) -> tuple[CriteriaSet, CriteriaSet]:
    """The plan's baseline set and the 2021–2025 set with two threshold groups."""
    return load_criteria_set(baseline_set), load_criteria_set(GROUPED_CRITERIA_SET)


def _villages(rng: np.random.Generator, admin: pd.DataFrame, plan: dict) -> pd.DataFrame:
    """One row per village: where it is, its size, its threshold group, plan category and reach year."""
    counts = _village_counts(rng, admin, plan["targets"])
    target_years = _commune_target_years(rng, admin, plan)
    rows = [{"code": f"{i + 1:02d}{j + 1:02d}", "commune": unit.commune, "commune_type": unit.commune_type,
             "border": bool(unit.border),
             "town_minority": unit.commune_type == "thị trấn" and j < TOWN_GROUP_2_VILLAGES}
            for i, unit in enumerate(admin.itertuples()) for j in range(counts[unit.commune])]
    villages = pd.DataFrame(rows)
    n = len(villages)
    households = rng.integers(60, 351, n)
    share = np.where(villages["town_minority"], rng.uniform(3, ETHNIC_MINORITY_AREA_SHARE - 1, n),
                     rng.uniform(60, 100, n)).round(1)
    villages = villages.assign(
        name=_village_names(rng, villages["town_minority"]),
        households=households,
        population=(households * rng.uniform(4.2, 4.8, n)).round().astype(int),
        ethnic_minority_share=share,
        group=np.where(share < ETHNIC_MINORITY_AREA_SHARE, "2", "1"),
        commune_target_year=villages["commune"].map(target_years).astype("Int64"),
    ).drop(columns="town_minority")
    villages["category"] = _categories(rng, villages)
    villages["reaches_standard_year"] = _reach_years(rng, villages, plan)
    return villages


def _village_counts(rng: np.random.Generator, admin: pd.DataFrame, targets: dict) -> dict[str, int]:
    """Villages per commune; the border communes get just enough for the plan's border share."""
    reaching = BASELINE_VILLAGES + targets["by_category"]["border"]
    border_total = reaching * 100 // targets["border_commune_share"]
    border = admin.loc[admin["border"], "commune"].tolist()
    counts = {name: border_total // len(border) + (i < border_total % len(border)) for i, name in enumerate(border)}
    others = admin.loc[~admin["border"], "commune"]
    return counts | dict(zip(others, rng.integers(*VILLAGES_PER_COMMUNE, len(others)).tolist()))


def _commune_target_years(rng: np.random.Generator, admin: pd.DataFrame, plan: dict) -> dict[str, int]:
    """The communes aiming at commune NTM in the plan period, each with a year (every year used)."""
    eligible = admin.loc[~admin["border"] & admin["commune_type"].eq("xã"), "commune"].to_numpy()
    n = plan["targets"]["communes_aiming_ntm"]
    years = np.resize(np.arange(plan["period"]["start"], plan["period"]["end"] + 1), n)
    return dict(zip(rng.choice(eligible, n, replace=False).tolist(), rng.permutation(years).tolist()))


def _village_names(rng: np.random.Generator, hamlet: pd.Series) -> list[str]:
    """Unique, obviously invented names: "Làng Plei Mơ Nú"; "Thôn …" for town hamlets."""
    names: list[str] = []
    while len(names) < len(hamlet):
        name = _invented_name(rng, "Thôn" if hamlet.iloc[len(names)] else "Làng")
        if name not in names:
            names.append(name)
    return names


def _invented_name(rng: np.random.Generator, prefix: str) -> str:
    """A prefix and two or three invented syllables, each starting with a consonant (TCVN3-safe capitals)."""
    words = [rng.choice(_NAME_HEADS), *rng.choice(_NAME_SYLLABLES, rng.integers(1, 3), replace=False)]
    return " ".join([prefix, *words])


def _categories(rng: np.random.Generator, villages: pd.DataFrame) -> pd.Series:
    """Border communes' villages are "border"; one village per aiming commune is "commune_linked"."""
    category = pd.Series("other", index=villages.index).mask(villages["border"], "border")
    aiming = villages[villages["commune_target_year"].notna()]
    linked = [rng.choice(group.index) for _, group in aiming.groupby("commune")]
    return category.mask(category.index.isin(linked), "commune_linked")


def _reach_years(rng: np.random.Generator, villages: pd.DataFrame, plan: dict) -> pd.Series:
    """The year each village first meets the standard: the baseline few, then the plan's 30."""
    targets, period = plan["targets"], plan["period"]
    slots = [year for year in range(period["start"], period["end"] + 1) for _ in range(targets["villages_per_year"])]
    if len(slots) != targets["villages_total"] or sum(targets["by_category"].values()) != len(slots):
        raise ValueError("the plan's yearly, total and per-category village targets do not add up")
    years = pd.Series(pd.NA, index=villages.index, dtype="Int64")
    linked = villages.index[villages["category"].eq("commune_linked")]
    years.loc[linked] = villages.loc[linked, "commune_target_year"]
    for year in years[linked]:
        slots.remove(year)
    border = villages.index[villages["category"].eq("border")].to_numpy()
    baseline = rng.choice(border, BASELINE_VILLAGES, replace=False)
    years.loc[baseline] = plan["baseline_year"]
    border_reaching = rng.choice(np.setdiff1d(border, baseline), targets["by_category"]["border"], replace=False)
    other_reaching = rng.choice(_other_candidates(rng, villages), targets["by_category"]["other"], replace=False)
    chosen = np.concatenate([border_reaching, other_reaching])
    years.loc[chosen] = rng.permutation(slots)
    return years


def _other_candidates(rng: np.random.Generator, villages: pd.DataFrame) -> np.ndarray:
    """"Other" ethnic-minority villages that may reach the standard; a few per commune never do."""
    pool = villages[villages["category"].eq("other") & villages["group"].eq("1")]
    kept = [i for _, group in pool.groupby("commune")
            for i in rng.choice(group.index, min(NEVER_REACHING_PER_COMMUNE, len(group)), replace=False)]
    return pool.index.difference(kept).to_numpy()


def _fix_years(rng: np.random.Generator, villages: pd.DataFrame,
               criteria: CriteriaSet) -> tuple[dict[str, dict[str, int]], list[str | None]]:
    """Per village and indicator, the first year it passes (after the period: never); and blockers."""
    fixes, blocking = {}, []
    for village in villages.itertuples():
        fixes[village.code], blocker = _village_fix_years(rng, village.reaches_standard_year, criteria.indicators)
        blocking.append(blocker)
    return fixes, blocking


def _village_fix_years(rng: np.random.Generator, reach: object,
                       indicators: tuple[Indicator, ...]) -> tuple[dict[str, int], str | None]:
    """Fix years of one village: all passed by ``reach``; one plan-named indicator fixed exactly then.

    A village that never reaches the standard keeps one plan-named indicator (returned) failing
    beyond the period.
    """
    first, last = SAMPLE_YEARS[0], SAMPLE_YEARS[-1]
    fixes = {ind.code: first - int(rng.integers(1, 4)) for ind in indicators}
    if pd.notna(reach) and reach == first:
        return fixes, None
    named = [ind.code for ind in indicators if ind.criterion in plan_named_criteria()]
    failing = [ind.code for ind in indicators if rng.random() < _baseline_fail_share(ind)]
    deciding = rng.choice([code for code in failing if code in named] or named)
    never = last + int(rng.integers(1, 4))
    latest = int(reach) if pd.notna(reach) else never
    for code in failing:
        fixes[code] = int(rng.integers(first + 1, latest + 1))
    fixes[deciding] = latest
    return fixes, None if pd.notna(reach) else str(deciding)


def plan_named_criteria() -> frozenset[int]:
    """The criteria the plan's baseline assessment names as often not met (from the plan file)."""
    return frozenset(sample_settings().plan_data["baseline_failing_criteria"])


def _baseline_fail_share(indicator: Indicator) -> float:
    """Chance that a village not yet meeting the standard fails ``indicator`` at baseline."""
    if indicator.code in BASELINE_FAIL_SHARE:
        return BASELINE_FAIL_SHARE[indicator.code]
    return BASELINE_FAIL_SHARE["plan_named" if indicator.criterion in plan_named_criteria() else "other"]


def _values(rng: np.random.Generator, villages: pd.DataFrame, fix_years: dict[str, dict[str, int]],
            sets: tuple[CriteriaSet, ...]) -> pd.DataFrame:
    """Every village × year × indicator value, passing from its fix year on, failing before."""
    rows = []
    for village in villages.itertuples():
        for ind in sets[0].indicators:
            fix = fix_years[village.code][ind.code]
            if ind.kind == "boolean":
                series = [float(year >= fix) for year in SAMPLE_YEARS]
            else:
                series = _numeric_series(rng, ind, _bounds(sets, ind.code, village.group), fix)
            rows += [(village.code, year, ind.code, value) for year, value in zip(SAMPLE_YEARS, series)]
    return pd.DataFrame(rows, columns=["village_code", "year", "indicator_code", "value"])


def _bounds(sets: tuple[CriteriaSet, ...], code: str, group: str) -> tuple[float, float]:
    """(pass bound, fail bound): a value passing every applicable threshold, or failing every one."""
    thresholds = []
    for criteria in sets:
        ind = criteria.indicator(code)
        thresholds += [ind.thresholds[group]] if group in ind.thresholds else list(ind.thresholds.values())
    strict, lenient = (max, min) if ind.direction == ">=" else (min, max)
    return float(strict(thresholds)), float(lenient(thresholds))


def _numeric_series(rng: np.random.Generator, ind: Indicator, bounds: tuple[float, float], fix: int) -> list[float]:
    """A plausible trend: below the fail bound before ``fix``, at or above the pass bound from it on."""
    sign = 1.0 if ind.direction == ">=" else -1.0
    gap_range, step_range = TRENDS.get(ind.code) or TRENDS[ind.unit]
    gap, step, margin = rng.uniform(*gap_range), rng.uniform(*step_range), rng.uniform(0, gap_range[1])
    unit = VOCABULARY["units"][ind.unit]
    low, high = unit["min"], unit["max"] if unit["max"] is not None else np.inf
    series = []
    for year in SAMPLE_YEARS:
        if year < fix:
            oriented = sign * bounds[1] - gap - step * (fix - 1 - year)
        else:
            oriented = sign * bounds[0] + margin + step / 2 * (year - fix)
        value = round(float(np.clip(sign * oriented, low, high)), 1)
        series.append(1.0 if ind.unit == "percent" and 0 < value < 1 else value + 0.0)  # no fraction-like percent
    return series


# ---------------------------------------------------------------- writing the files


def generate_sample(out_dir: Path, seed: int = SAMPLE_SEED) -> dict:
    """Write the sample district's raw files into ``out_dir``; return the manifest.

    Only the files named by ``sample_file_names`` and the marker ``SYNTHETIC_DATA.md`` are written
    (atomically, byte-identical for the same seed); nothing else in ``out_dir`` is touched.

    Returns
    -------
    dict
        ``villages``: list of {code, name, commune, category, reaches_standard_year (None: not by
        the end of the period)}; ``planted_errors``: list of {file, sheet ("" for CSV), row (as
        shown in Excel / CSV line), column (header text), value (as written), code (problem code)};
        ``files``: the file names written.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    own = {*sample_file_names(), SYNTHETIC_MARKER}
    others = sorted(p.name for p in out_dir.iterdir() if p.name not in own)
    if others:
        raise UserError(f"{out_dir}: thư mục có tệp khác ({', '.join(others[:5])}); mẫu giả lập chỉ được ghi vào "
                        f"thư mục trống / the folder holds other files ({', '.join(others[:5])}): the synthetic "
                        "sample is written only into an empty folder (or over itself), never beside real data")
    rng = np.random.default_rng([seed, 1])  # a stream apart from the one building the district
    district = sample_district(seed)
    admin = sample_settings().admin
    criteria = _criteria_sets(sample_settings().plan_data["baseline_criteria_set"])[0]
    files = _commune_files(rng, district, admin, criteria)
    planted = _plant_errors(rng, files, district, criteria)
    for raw in files:
        _write(raw, out_dir / raw.name)
    write_marker(out_dir, [raw.name for raw in files], seed)
    return {"villages": _manifest_villages(district.villages),
            "planted_errors": sorted(planted, key=lambda p: (p["file"], p["sheet"], p["row"])),
            "files": [raw.name for raw in files] + [SYNTHETIC_MARKER]}


def write_marker(folder: Path, names: list[str], seed: int) -> Path:
    """The synthetic-data marker of ``folder``: what the data are, and the SHA-256 of each of ``names`` (the
    clean step treats the folder as synthetic only while it holds exactly those files)."""
    listing = "\n".join(f"- `{name}` {hashlib.sha256((folder / name).read_bytes()).hexdigest()}" for name in names)
    return write_text(MARKER_TEXT.format(seed=seed, files=listing), folder / SYNTHETIC_MARKER)


def sample_file_names(admin: pd.DataFrame | None = None) -> list[str]:
    """The fixed list of data files ``generate_sample`` writes (one or two per commune, then the district list)."""
    admin = sample_settings().admin if admin is None else admin
    return [*(name for unit in admin.itertuples() for name in _file_names(unit)), DISTRICT_LIST_FILE]


def _file_names(unit: tuple) -> list[str]:
    """A commune's files: "xa-ia-krai.xlsx"; values and villages CSVs for the CSV commune."""
    stem = slugify(f"{unit.commune_type} {unit.commune}")
    return [f"{stem}-so-lieu.csv", f"{stem}-danh-sach-lang.csv"] if unit.commune == CSV_COMMUNE else [f"{stem}.xlsx"]


def _manifest_villages(villages: pd.DataFrame) -> list[dict]:
    """The manifest's village list (JSON-ready: None for a village not reaching the standard)."""
    return [{"code": v.code, "name": v.name, "commune": v.commune, "category": v.category,
             "reaches_standard_year": None if pd.isna(v.reaches_standard_year) else int(v.reaches_standard_year)}
            for v in villages.itertuples()]


def _commune_files(rng: np.random.Generator, district: SampleDistrict, admin: pd.DataFrame,
                   criteria: CriteriaSet) -> list[_File]:
    """A workbook per commune (long values + villages sheets); the wide and CSV communes differ, and the
    villages of ``DISTRICT_LIST_COMMUNES`` are listed in one district-level workbook, written last."""
    files, listed = [], []
    for unit in admin.itertuples():
        names = _file_names(unit)
        villages = district.villages[district.villages["commune"].eq(unit.commune)]
        values = district.values[district.values["village_code"].isin(villages["code"])]
        subtitle = (f"{unit.commune_type.capitalize()} {unit.commune}, huyện {unit.district}, tỉnh {unit.province}"
                    " — SỐ LIỆU GIẢ LẬP / SYNTHETIC DATA")
        if unit.commune == CSV_COMMUNE:
            files.append(_File(names[0], [_csv_values_sheet(rng, villages, values, criteria, subtitle)],
                               csv_encoding="cp1258"))
            files.append(_File(names[1], [_villages_sheet(rng, villages, text_only=True)],
                               csv_encoding="utf-8-sig", csv_delimiter=","))
        elif unit.commune == WIDE_COMMUNE:
            files.append(_File(names[0], [*_wide_sheets(rng, villages, values, criteria, subtitle),
                                          _villages_sheet(rng, villages, subtitle)]))
        else:
            legacy = unit.commune == TCVN3_COMMUNE
            sheets = [_long_sheet(rng, villages, values, criteria, subtitle, legacy),
                      _villages_sheet(rng, villages, subtitle, legacy=legacy)]
            if unit.commune == MERGED_HEADER_COMMUNE:
                sheets[1] = _office_layout(sheets[1])
            elif unit.commune in DISTRICT_LIST_COMMUNES:
                listed.append(sheets.pop())
            files.append(_File(names[0], sheets))
    return [*files, _File(DISTRICT_LIST_FILE, [_district_list(listed)])]


def _office_layout(sheet: _Sheet) -> _Sheet:
    """A villages sheet as many offices lay it out: "Dân số" over "Số hộ | Số khẩu" in a two-row header
    whose other cells are merged down, a numbering row, a "Tổng cộng" row and a signature footer."""
    top, header, data = sheet.rows[:sheet.header], sheet.rows[sheet.header], sheet.rows[sheet.header + 1:]
    upper = [*header[:4], "Dân số", None, *header[6:]]
    lower = [None] * 4 + header[4:6] + [None] * (len(header) - 6)
    first = len(top) + 1  # Excel row of the upper header row
    merged = [f"{get_column_letter(c + 1)}{first}:{get_column_letter(c + 1)}{first + 1}"
              for c in range(len(header)) if c not in (4, 5)] + [f"E{first}:F{first}"]
    total_row = first + 3 + len(data)
    total = ["Tổng cộng", None, None, None, *[sum(_count_value(row[c]) for row in data) for c in (4, 5)]]
    rows = [*top, upper, lower, [f"({c + 1})" for c in range(len(header))], *data, total, [], *map(list, FOOTER)]
    return _Sheet(sheet.title, sheet.kind, sheet.commune, rows, len(top) + 1,
                  {key: (row + 2, column) for key, (row, column) in sheet.cells.items()},
                  [*merged, f"A{total_row}:D{total_row}"], header_top=len(top))


def _count_value(cell: object) -> int:
    """A household or population cell as written ("1.545" or 1545) read back as a number."""
    return int(str(cell).replace(".", "")) if isinstance(cell, str) else int(cell)


def _district_list(sheets: list[_Sheet]) -> _Sheet:
    """One district-level villages list of the ``DISTRICT_LIST_COMMUNES``: the commune cell merged down
    its villages, a "Cộng xã …" row after each commune, a "Tổng cộng" row and a signature footer."""
    header = sheets[0].rows[sheets[0].header]
    top = [["ỦY BAN NHÂN DÂN HUYỆN IA GRAI"], [TITLE], ["DANH SÁCH THÔN, LÀNG — SỐ LIỆU GIẢ LẬP / SYNTHETIC DATA"],
           []]
    rows, merged, number = [*top, [header[0], header[3], header[1], header[2], *header[4:]]], [], 0
    totals = [0, 0]
    for sheet in sheets:
        data = sheet.rows[sheet.header + 1:]
        first = len(rows) + 1
        for k, row in enumerate(data):
            number += 1
            rows.append([number, row[3] if k == 0 else None, row[1], row[2], *row[4:]])
        sums = [sum(_count_value(row[c]) for row in data) for c in (4, 5)]
        totals = [a + b for a, b in zip(totals, sums)]
        merged += [f"B{first}:B{len(rows)}", f"B{len(rows) + 1}:D{len(rows) + 1}"]
        rows.append([None, f"Cộng xã {sheet.commune}", None, None, *sums])
    rows.append([None, "Tổng cộng", None, None, *totals])
    merged.append(f"B{len(rows)}:D{len(rows)}")
    return _Sheet("Danh sách làng toàn huyện", "villages", "", [*rows, [], *map(list, FOOTER)], len(top), {}, merged)


def _titles(*lines: str) -> list[list[object]]:
    """Title rows above a header, then one blank row."""
    return [[line] for line in lines] + [[]]


def _villages_sheet(rng: np.random.Generator, villages: pd.DataFrame, subtitle: str | None = None,
                    legacy: bool = False, text_only: bool = False) -> _Sheet:
    """The "Danh sách làng" table (a CSV has no title rows); TCVN3 names and commune when ``legacy``."""
    commune = villages["commune"].iloc[0]
    encode = (lambda text: from_unicode(text, "tcvn3")) if legacy else (lambda text: text)
    top = _titles(encode(TITLE), encode(subtitle)) if subtitle else []
    sheet = _Sheet("" if text_only else "Danh sách làng", "villages", commune, [*top, VILLAGE_HEADERS], len(top))
    spellings = SPELLINGS.get(commune, (commune, f"Xã {commune}"))
    for number, v in enumerate(villages.itertuples(), start=1):
        row = [number, v.code, encode(_messy_name(rng, v.name)), encode(str(rng.choice(spellings))),
               _count_cell(rng, v.households, text_only), _count_cell(rng, v.population, text_only),
               _number_cell(rng, v.ethnic_minority_share, "percent", text_only),
               str(rng.choice(["x", "có"] if v.border else ["", "không"])),
               _category_cell(rng, v.category, explicit=pd.notna(v.commune_target_year)),
               None if pd.isna(v.commune_target_year) else int(v.commune_target_year)]
        sheet.append(row, {4: ("households", v.code)})
    return sheet


def _category_cell(rng: np.random.Generator, category: str, explicit: bool) -> str | None:
    """The plan category as written (its name or first alias), or blank.

    Always given in the communes aiming at NTM, where a blank would be derived as "commune-linked".
    """
    if not explicit and rng.random() >= 0.3:
        return None
    names = next(c for c in sample_settings().plan_data["categories"] if c["id"] == category)
    return str(rng.choice([names["name_vi"], names["aliases"][0]]))


def _messy_name(rng: np.random.Generator, name: str) -> str:
    """A name as typed: sometimes decomposed (NFD), sometimes with a doubled space."""
    draw = rng.random()
    if draw < 0.15:
        return unicodedata.normalize("NFD", name)
    return name.replace(" ", "  ", 1) if draw < 0.25 else name


def _long_sheet(rng: np.random.Generator, villages: pd.DataFrame, values: pd.DataFrame, criteria: CriteriaSet,
                subtitle: str, legacy: bool) -> _Sheet:
    """The "Số liệu" sheet: one value per row (Mã làng, Năm, Chỉ tiêu, Giá trị, Ghi chú)."""
    top = _titles(TITLE, subtitle)
    sheet = _Sheet("Số liệu", "values", villages["commune"].iloc[0], [*top, LONG_HEADERS], len(top))
    for rec in values.sort_values(["year", "village_code"], kind="stable").itertuples():
        cell = _value_cell(rng, criteria.indicator(rec.indicator_code), rec.value, legacy=legacy)
        note = rng.choice(NOTES) if rng.random() < 0.03 else None
        sheet.append([rec.village_code, int(rec.year), rec.indicator_code, cell, note],
                     {3: (rec.village_code, rec.year, rec.indicator_code)})
    return sheet


def _wide_sheets(rng: np.random.Generator, villages: pd.DataFrame, values: pd.DataFrame, criteria: CriteriaSet,
                 subtitle: str) -> list[_Sheet]:
    """One sheet per year named after it, one column per indicator headed by its Vietnamese name."""
    names = dict(zip(villages["code"], villages["name"]))
    sheets = []
    for year, group in values.groupby("year"):
        top = _titles(f"{TITLE} NĂM {year}", subtitle)
        sheet = _Sheet(str(year), "values", villages["commune"].iloc[0],
                       [*top, ["STT", "Mã làng", "Tên làng", *(i.name_vi for i in criteria.indicators)]], len(top))
        for number, (code, rows) in enumerate(group.groupby("village_code"), start=1):
            cells = [_value_cell(rng, criteria.indicator(r.indicator_code), r.value) for r in rows.itertuples()]
            sheet.append([number, code, _messy_name(rng, names[code]), *cells],
                         {3 + k: (code, year, r.indicator_code) for k, r in enumerate(rows.itertuples())})
        sheets.append(sheet)
    return sheets


def _csv_values_sheet(rng: np.random.Generator, villages: pd.DataFrame, values: pd.DataFrame,
                      criteria: CriteriaSet, subtitle: str) -> _Sheet:
    """A wide CSV headed by indicator codes, with a "Năm" column; every cell is text."""
    names = dict(zip(villages["code"], villages["name"]))
    header = ["Mã làng", "Tên làng", "Năm", *(i.code for i in criteria.indicators)]
    sheet = _Sheet("", "values", villages["commune"].iloc[0], [[subtitle], header], 1)
    for (year, code), rows in values.groupby(["year", "village_code"]):
        cells = [_value_cell(rng, criteria.indicator(r.indicator_code), r.value, text_only=True)
                 for r in rows.itertuples()]
        sheet.append([code, names[code], str(year), *cells],
                     {3 + k: (code, year, r.indicator_code) for k, r in enumerate(rows.itertuples())})
    return sheet


def _value_cell(rng: np.random.Generator, ind: Indicator, value: float, *, legacy: bool = False,
                text_only: bool = False) -> object:
    """An indicator value as an office types it: marks in several styles, numbers as text or numbers."""
    if pd.isna(value):
        return None
    if ind.kind != "boolean":
        return _number_cell(rng, value, ind.unit, text_only)
    marks = MARKS[0] if legacy else MARKS[int(rng.integers(len(MARKS)))]
    mark = marks[0] if value else marks[1]
    return from_unicode(mark, "tcvn3") if legacy else mark


def _number_cell(rng: np.random.Generator, value: float, unit: str, text_only: bool) -> object:
    """A number, its Vietnamese text ("45,5") or, for percentages, sometimes "45,5%"."""
    styles = ("text", "percent") if text_only else ("number", "number", "text", "percent")
    style = styles[int(rng.integers(len(styles)))]
    if style == "number":
        return int(value) if float(value).is_integer() else float(value)
    text = format_number(value, "vi", 0 if float(value).is_integer() else 1)
    return text + "%" if style == "percent" and unit == "percent" else text


def _count_cell(rng: np.random.Generator, value: int, text_only: bool) -> object:
    """A count as a number or as Vietnamese text with thousands dots ("1.250")."""
    return format_number(value, "vi") if text_only or rng.random() < 0.4 else int(value)


# ---------------------------------------------------------------- planted errors


def _plant_errors(rng: np.random.Generator, files: list[_File], district: SampleDistrict,
                  criteria: CriteriaSet) -> list[dict]:
    """Plant the errors the quality report must catch, on villages that never reach the standard."""
    planted = []
    for commune, kind, cell, code in REPLACED_VALUES:
        raw, sheet, row, column = _locate(files, commune, "values", _host_cell(rng, district, commune, kind, criteria))
        sheet.rows[row][column] = cell
        planted.append(_record(raw, sheet, row, column, code))
    planted += _plant_extra_values(rng, files, district, criteria)
    planted += _plant_village_errors(rng, files, district)
    return planted


def _host_cell(rng: np.random.Generator, district: SampleDistrict, commune: str, kind: str,
               criteria: CriteriaSet) -> tuple[str, int, str]:
    """(village, year, indicator) of a never-reaching village, on an indicator that does not block it."""
    villages = district.villages
    host = villages[villages["commune"].eq(commune) & villages["blocking_indicator"].notna()].sample(
        1, random_state=rng).iloc[0]
    codes = [i.code for i in criteria.indicators
             if kind in (i.kind, i.unit) and i.code != host["blocking_indicator"]]
    return host["code"], int(rng.choice(SAMPLE_YEARS)), str(rng.choice(codes))


def _locate(files: list[_File], commune: str, kind: str, key: tuple) -> tuple[_File, _Sheet, int, int]:
    """The file, sheet, row and column index of the cell ``key`` of ``commune``."""
    for raw, sheet in _sheets(files):
        if sheet.commune == commune and sheet.kind == kind and key in sheet.cells:
            return raw, sheet, *sheet.cells[key]
    raise KeyError(f"no cell {key} for {commune}")


def _sheets(files: list[_File]) -> Iterator[tuple[_File, _Sheet]]:
    """Every (file, sheet) pair."""
    return ((raw, sheet) for raw in files for sheet in raw.sheets)


def _record(raw: _File, sheet: _Sheet, row: int, column: int, code: str) -> dict:
    """A planted error as the manifest lists it: where the user sees the cell (its column as "D – Xã": the
    Excel letter and the lowest header text over it), and the expected code."""
    band = sheet.rows[sheet.header if sheet.header_top is None else sheet.header_top:sheet.header + 1]
    header = next(row[column] for row in band[::-1] if column < len(row) and row[column] is not None)
    return {"file": raw.name, "sheet": sheet.title, "row": row + 1,
            "column": f"{get_column_letter(column + 1)} – {header}", "value": sheet.rows[row][column], "code": code}


def _plant_extra_values(rng: np.random.Generator, files: list[_File], district: SampleDistrict,
                        criteria: CriteriaSet) -> list[dict]:
    """Extra rows in long sheets: an unknown village, a conflicting duplicate, an unknown indicator."""
    planted = []
    commune = EXTRA_ROW_COMMUNES["unknown_village"]
    village, year, code = _host_cell(rng, district, commune, "percent", criteria)
    raw, sheet, row, _ = _locate(files, commune, "values", (village, year, code))
    unknown = village[:2] + "99"
    added = sheet.append([unknown, year, code, sheet.rows[row][3], None])
    planted.append(_record(raw, sheet, added, 0, "unknown_village"))

    commune = EXTRA_ROW_COMMUNES["duplicate_value"]
    key = _host_cell(rng, district, commune, "percent", criteria)
    raw, sheet, row, column = _locate(files, commune, "values", key)
    true = district.values.set_index(["village_code", "year", "indicator_code"]).at[key, "value"]
    added = sheet.append([*key, float(true - 10 if true > 50 else true + 10), None])
    planted += [_record(raw, sheet, row, column, "duplicate_value"), _record(raw, sheet, added, 3, "duplicate_value")]

    commune = EXTRA_ROW_COMMUNES["unknown_indicator"]
    village, year, code = _host_cell(rng, district, commune, "boolean", criteria)
    raw, sheet, _, _ = _locate(files, commune, "values", (village, year, code))
    added = sheet.append([village, year, UNKNOWN_INDICATOR, "Đạt", None])
    planted.append(_record(raw, sheet, added, 2, "unknown_indicator"))
    return planted


def _plant_village_errors(rng: np.random.Generator, files: list[_File], district: SampleDistrict) -> list[dict]:
    """Negative households for a never-reaching village; an extra village in a misspelt commune."""
    villages = district.villages
    host = villages[villages["commune"].eq(NEGATIVE_HOUSEHOLDS_COMMUNE) & villages["blocking_indicator"].notna()]
    host = host.sample(1, random_state=rng).iloc[0]
    raw, sheet, row, column = _locate(files, NEGATIVE_HOUSEHOLDS_COMMUNE, "villages", ("households", host["code"]))
    sheet.rows[row][column] = -int(host["households"])
    planted = [_record(raw, sheet, row, column, "out_of_range")]

    commune = EXTRA_ROW_COMMUNES["unknown_commune"]
    code = villages.loc[villages["commune"].eq(commune), "code"].iloc[0][:2] + "99"
    raw, sheet = next((r, s) for r, s in _sheets(files) if s.commune == commune and s.kind == "villages")
    name = _invented_name(rng, "Làng")
    while name in set(villages["name"]):
        name = _invented_name(rng, "Làng")
    number = len(sheet.rows) - sheet.header
    added = sheet.append([number, code, name, commune[:-1], int(rng.integers(60, 351)), None, None, None, None, None])
    planted.append(_record(raw, sheet, added, 3, "unknown_commune"))
    return planted


# ---------------------------------------------------------------- bytes on disk


def _write(raw: _File, path: Path) -> None:
    """Write a workbook (byte-stable) or a CSV in its encoding, atomically."""
    if raw.csv_encoding is None:
        book = Workbook()
        book.remove(book.active)
        for sheet in raw.sheets:
            target = book.create_sheet(sheet.title)
            for row in sheet.rows:
                target.append(row)
            for ref in sheet.merged:
                target.merge_cells(ref)
        write_workbook(book, path)
        return
    rows = raw.sheets[0].rows
    width = max(len(row) for row in rows)
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=raw.csv_delimiter, lineterminator="\r\n").writerows(
        [*row, *[None] * (width - len(row))] for row in rows)  # Excel pads short rows
    text = buffer.getvalue()
    data = _windows_1258(text) if raw.csv_encoding == "cp1258" else text.encode(raw.csv_encoding)
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


def _windows_1258(text: str) -> bytes:
    """Encode as Windows-1258, which has few precomposed toned letters: base letter + combining tone."""
    out = bytearray()
    for ch in nfc(text):
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", ch)
            base = nfc("".join(c for c in parts if c not in _TONE_MARKS))
            out += (base + "".join(c for c in parts if c in _TONE_MARKS)).encode("cp1258")
    return bytes(out)
