"""Notebook 02 (gap analysis) rendered through papermill on a small processed folder built from hand-made
raw files, and checked on what it shows.

Four villages, marked synthetic, scored in 2020, 2023 and 2025 (2019 set, missing data fails):
0101 Làng Plei Mơ (Ia Krái, commune-linked): transport fails in 2020, meets from 2023;
0102 Làng Đê Hra (Ia O, border, group 2): health fails in 2020, meets from 2023 — with an income of 45,
     enough under the 2019 set (41) but not under the 2022 set for group 2 (50);
0103 Làng Kép (Ia O, border): housing always fails, no health-insurance data (15.2) in 2025;
0104 Làng Ốp (Ia Krái, other): environment (17.2) always fails.
"""

from pathlib import Path

import nbformat
import pytest

from ntm_analysis.sample import write_marker
from ntm_analysis.clean.quality_report import SYNTHETIC_BANNER
from ntm_analysis.pipeline import run_score
from ntm_analysis.reference.criteria import load_criteria_set
from ntm_analysis.reports.notebooks import run_notebook
from tests.conftest import clean, settings_for, write_clean_outputs, write_xlsx
from tests.notebook_helpers import folder_state

pytestmark = pytest.mark.notebook
YEARS = (2020, 2023, 2025)
VILLAGES = [["Mã làng", "Tên làng", "Xã", "Số hộ", "Nhóm", "Phân loại"],
            ["0101", "Làng Plei Mơ", "Ia Krái", 120, "1", "Gắn với xã NTM"],
            ["0102", "Làng Đê Hra", "Ia O", 80, "2", None],
            ["0103", "Làng Kép", "Ia O", 95, "1", None],
            ["0104", "Làng Ốp", "Ia Krái", 60, "1", "Làng còn lại"]]
SPECIAL = {("0101", 2020, "2.1"): 50, ("0102", 2020, "15.1"): 60, ("0103", 2025, "15.2"): None,
           **{("0102", y, "10"): 45 for y in YEARS}, **{("0103", y, "9.2"): 50 for y in YEARS},
           **{("0104", y, "17.2"): 60 for y in YEARS}}
HEADINGS = ["Tình trạng từng làng", "Bản đồ tiêu chí", "Tỷ lệ làng chưa đạt từng tiêu chí", "Khoảng cách đến chuẩn",
            "Alkire–Foster", "Tiến độ so với mục tiêu kế hoạch", "Xã biên giới", "Xu hướng chỉ tiêu",
            "Chấm lại theo bộ tiêu chí khác", "Ngưỡng chưa xác minh", "Từng xã"]


@pytest.fixture(scope="module")
def processed(tmp_path_factory) -> Path:
    criteria = load_criteria_set("gia-lai-village-2019")
    rows = [["Mã làng", "Năm", "Chỉ tiêu", "Giá trị"]]
    for code in ["0101", "0102", "0103", "0104"]:
        for year in YEARS:
            for ind in criteria.indicators:
                passing = 1 if ind.kind == "boolean" else (100 if ind.direction == ">=" else 0)
                rows.append([code, year, ind.code, SPECIAL.get((code, year, ind.code), passing)])
    raw = tmp_path_factory.mktemp("raw")
    write_xlsx(raw / "huyen.xlsx", {"Danh sách làng": VILLAGES, "Số liệu": rows})
    write_marker(raw, ["huyen.xlsx"], seed=0)  # synthetic test data, marked as the sample marks its files
    result = clean(raw, criteria)
    assert result.summary["values"]["clean"] == 4 * len(YEARS) * len(criteria.indicators)
    out = tmp_path_factory.mktemp("processed")
    write_clean_outputs(result, out)
    return out


def _render(tmp_path: Path, parameters: dict):
    executed, html = run_notebook("02_gap_analysis", parameters, tmp_path)
    nb = nbformat.read(executed, as_version=4)
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors, [f"{e['ename']}: {e['evalue']}" for e in errors]
    assert nb.metadata["papermill"]["parameters"] == parameters
    return nb, html.read_text(encoding="utf-8")


def _outputs_text(nb) -> str:
    return "\n".join(str(o.get("text", "")) + str(o.get("data", {}).get("text/plain", ""))
                     + str(o.get("data", {}).get("text/markdown", "")) + str(o.get("data", {}).get("text/html", ""))
                     for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))


def _images(nb) -> int:
    return sum("image/png" in o.get("data", {}) for c in nb.cells if c.cell_type == "code" for o in c.outputs)


def test_gap_notebook_for_the_district(processed, tmp_path):
    parameters = {"processed_dir": str(processed), "year": 2025}
    nb, page = _render(tmp_path, parameters)
    text = _outputs_text(nb)
    assert SYNTHETIC_BANNER in text
    assert "**2/4** làng đạt chuẩn năm 2025" in text
    assert "Nhà ở dân cư; Y tế" in text and "17/19" in text               # 0103: housing failed, 15.2 no data
    assert "Môi trường và an toàn thực phẩm" in text                     # 0104's missing criterion
    assert "lost" in text and "0102" in text                              # the 2022 rule: income 45 < 50
    assert "Đường trục thôn, làng được cứng hóa" in text                 # an illustrative threshold listed
    assert "Đã đạt mục tiêu" in text                                      # Open SDG status, in Vietnamese
    assert _images(nb) == 5                                               # heatmap, failures, distance,
    for heading in HEADINGS:                                              # progress, communes
        assert heading in page, heading
    assert page.count("<img") >= 5


def test_gap_notebook_for_one_commune_in_english(processed, tmp_path):
    parameters = {"processed_dir": str(processed), "year": 2025, "commune": "IA KRAI", "lang": "en"}
    nb, _ = _render(tmp_path, parameters)
    text = _outputs_text(nb)
    assert "**1/2** làng đạt chuẩn năm 2025" in text
    assert "Làng Plei Mơ" in text and "Làng Ốp" in text and "Làng Kép" not in text.split("Alkire")[0]
    assert "Criteria not met" in text and "Environment &amp; food safety" in text
    assert "unchanged" in text and "lost" not in text                     # 0102 is in Ia O, out of scope
    assert "Target achieved" in text
    assert _images(nb) == 5


def test_another_criteria_set_and_policy_are_applied_in_memory(processed, tmp_path):
    run_score(settings_for(processed=processed))  # the chain's own scores, current
    before = folder_state(processed)
    parameters = {"processed_dir": str(processed), "year": 2025, "criteria_set": "gia-lai-village-2022",
                  "policy": "exclude"}
    nb, _ = _render(tmp_path, parameters)
    text = _outputs_text(nb)
    assert "bộ tiêu chí / criteria set: `gia-lai-village-2022` · thiếu số liệu / missing data: `exclude`" in text
    assert folder_state(processed) == before  # nothing written: not the scores, not the manifest
