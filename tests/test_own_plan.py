"""A planner outside Ia Grai 2021–2025: `ntm init`, their own plan and communes, data for two years keyed by
the communes before the 2025 reform, and the whole chain on it with no edit to the package."""

import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from ntm_analysis.catalog import Catalog
from ntm_analysis.cli import EXIT_OK, EXIT_USER, main
from ntm_analysis.config import REFERENCE_DIR
from ntm_analysis.settings import load_settings

# villages typed under the old communes (before 1/7/2025), all in today's xã Ia Grai
OLD_VILLAGES = [("0101", "Làng Dê Lâm", "Thị trấn Ia Kha", 120, 95), ("0102", "Làng Ia Bă", "Xã Ia Bă", 90, 80),
                ("0103", "Thôn 1", "Xã Ia Grăng", 150, 5), ("0104", "Làng Bông", "Ia Grang", 70, 99)]


def _work_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "xa-ia-grai"
    assert main(["init", str(folder), "--name", "Ia Grai"]) == EXIT_OK
    shutil.copyfile(REFERENCE_DIR / "plan-xa-ia-grai-2026-2030.yaml", folder / "plan.yaml")
    settings = folder / "ntm-settings.yaml"
    settings.write_text(settings.read_text(encoding="utf-8").replace("commune_map: null", "commune_map: ia-grai-2025"),
                        encoding="utf-8")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Danh sách làng"
    sheet.append(["Mã làng", "Tên làng", "Xã", "Số hộ", "Tỷ lệ hộ DTTS (%)"])
    for village in OLD_VILLAGES:
        sheet.append(list(village))
    for year in (2024, 2025):
        values = book.create_sheet(str(year))
        values.append(["Mã làng", "2.1", "4", "10", "15.1", "17.2"])
        for i, village in enumerate(OLD_VILLAGES):
            values.append([village[0], 60 + 10 * i + (year - 2024) * 5, 99, 35 + 5 * i, 80 + i, 70 + 3 * i])
    book.save(folder / "data" / "raw" / "so-lieu-xa-cu.xlsx")
    return settings


def test_init_writes_a_folder_that_loads_and_refuses_to_overwrite(tmp_path, capsys):
    folder = tmp_path / "new"
    assert main(["init", str(folder), "--name", "Ia O"]) == EXIT_OK
    settings = load_settings(folder / "ntm-settings.yaml")
    assert settings.raw == folder / "data" / "raw" and settings.raw.is_dir()
    assert settings.plan_data["area"]["commune"] == "Ia O" and settings.plan_data["unit_level"] == "commune"
    assert settings.admin["district"].eq("").all()  # no district level since 1/7/2025
    assert (folder / "mau-nhap-lieu-ntm.xlsx").is_file()
    text = (folder / "ntm-settings.yaml").read_text(encoding="utf-8")
    assert "# Bộ tiêu chí" in text and "criteria set" in text  # every key commented in both languages
    capsys.readouterr()
    assert main(["init", str(folder)]) == EXIT_USER
    assert "not empty" in capsys.readouterr().err


def test_old_commune_files_flow_into_the_new_commune_and_the_chain_runs_on_their_years(tmp_path, capsys):
    config = _work_folder(tmp_path)
    for command in (["clean", "--quiet"], ["score"], ["costs"], ["schedule"]):
        assert main([*command, "--config", str(config)]) == EXIT_OK, capsys.readouterr().err
    settings = load_settings(config)
    catalog = Catalog(settings.processed)
    villages = catalog.read("villages")
    assert set(villages["commune"]) == {"Ia Grai"} and set(villages["commune_code"]) == {"23764"}
    assert villages["district"].isna().all()
    # the plan's own categories, assigned by its rules (≥ 15 % ethnic-minority households)
    assert villages.set_index("village_code")["plan_category"].to_dict() == {
        "0101": "ethnic_minority", "0102": "ethnic_minority", "0103": "other", "0104": "ethnic_minority"}
    changes = catalog.read("quality_changes")
    mapped = changes[changes["rule"] == "commune_mapped"]
    assert set(mapped["before"]) == {"Thị trấn Ia Kha", "Xã Ia Bă", "Xã Ia Grăng", "Ia Grang"}
    assert set(mapped["after"]) == {"Ia Grai"}
    assert sorted(catalog.read("village_status")["year"].unique()) == [2024, 2025]
    summary = catalog.read("schedule_summary")
    assert summary["years"] == [2026, 2027, 2028, 2029, 2030]
    assert summary["villages_scheduled"] == 4  # the plan's 100 % target: every village by 2030
    assert (settings.reports / "phu-luc-kinh-phi-2025.xlsx").is_file()  # the plan's baseline 2025
    capsys.readouterr()
    assert main(["score", "--config", str(config), "--year", "2023"]) == EXIT_USER
    assert "2024, 2025" in capsys.readouterr().err


def test_a_baseline_without_data_names_the_years_there_are(tmp_path, capsys):
    config = _work_folder(tmp_path)
    assert main(["clean", "--config", str(config), "--quiet"]) == EXIT_OK
    assert main(["costs", "--config", str(config), "--baseline-year", "2021"]) == EXIT_USER
    err = capsys.readouterr().err
    assert "2021" in err and "2024, 2025" in err and "Traceback" not in err


@pytest.mark.notebook
def test_the_main_job_runs_for_a_post_reform_commune(tmp_path):
    config = _work_folder(tmp_path)
    assert main(["all", "--config", str(config)]) == EXIT_OK
    reports = load_settings(config).reports
    index = (reports / "2025" / "index.html").read_text(encoding="utf-8")
    assert "Toàn xã" in index and "toàn huyện" not in index.lower()  # no district level: the commune's whole
    page = (reports / "2025" / "toan-xa.html").read_text(encoding="utf-8")
    assert "<title>Báo cáo xây dựng làng nông thôn mới toàn xã, năm 2025</title>" in page
    book = openpyxl.load_workbook(reports / "2025" / "ia-grai.xlsx")
    assert "TOÀN XÃ" in book.worksheets[0]["A1"].value
    assert pd.read_parquet(load_settings(config).processed / "village_status.parquet")["year"].max() == 2025
