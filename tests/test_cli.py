"""The `ntm` command: readable help, clear messages, meaningful exit codes, no tracebacks."""

import subprocess
import sys
from pathlib import Path

import pytest

from ntm_analysis.cli import EXIT_DATA_ERRORS, EXIT_OK, EXIT_USER, main
from tests.conftest import villages_sheet, write_xlsx


def test_help_is_readable():
    out = subprocess.run([sys.executable, "-m", "ntm_analysis", "--help"], capture_output=True, text=True)
    assert out.returncode == 0
    for command in ["sample", "template", "clean", "notebook", "all"]:
        assert command in out.stdout
    assert "làm sạch" in out.stdout


def test_missing_raw_folder_is_a_message_not_a_traceback(tmp_path, capsys):
    assert main(["clean", "--raw", str(tmp_path / "nowhere"), "--out", str(tmp_path / "out")]) == EXIT_USER
    err = capsys.readouterr().err
    assert "nowhere" in err and "Traceback" not in err


def test_bad_criteria_file_named_in_message(tmp_path, capsys):
    bad = tmp_path / "my-criteria.yaml"
    bad.write_text("id: x\ncriteria: [", encoding="utf-8")
    (tmp_path / "raw").mkdir()
    assert main(["clean", "--raw", str(tmp_path / "raw"), "--criteria", str(bad)]) == EXIT_USER
    assert "my-criteria.yaml" in capsys.readouterr().err


def test_clean_prints_conservation_and_strict_exit(tmp_path, capsys):
    write_xlsx(tmp_path / "raw" / "a.xlsx", {"Làng": villages_sheet(), "2024": [["Mã làng", "2.1"], ["0999", 50]]})
    args = ["clean", "--raw", str(tmp_path / "raw"), "--out", str(tmp_path / "out"), "--quiet"]
    assert main(args) == EXIT_OK
    out = capsys.readouterr().out
    assert "1 ô đọc / cells read = 0 sạch / clean" in out and "+ 1 loại / rejected" in out
    assert (tmp_path / "out" / "quality_report.xlsx").exists()
    assert main([*args, "--strict"]) == EXIT_DATA_ERRORS


def test_unknown_notebook_parameter_is_refused_before_running(tmp_path, capsys):
    code = main(["notebook", "01_data_quality", "-p", "yaer=2023", "--out", str(tmp_path)])
    assert code == EXIT_USER
    assert "yaer" in capsys.readouterr().err
    assert not any(tmp_path.iterdir())


def test_template_command_writes_workbook(tmp_path):
    assert main(["template", "--out", str(tmp_path / "mau.xlsx")]) == EXIT_OK
    assert (tmp_path / "mau.xlsx").stat().st_size > 0


def test_parameters_are_read_as_yaml_values():
    from ntm_analysis.cli import parse_parameter

    assert parse_parameter("budget_scale=0.8") == ("budget_scale", 0.8)
    assert parse_parameter("year=2024") == ("year", 2024)
    assert parse_parameter("budgets={community: {2024: 150.5}}") == ("budgets", {"community": {2024: 150.5}})
    assert parse_parameter("commune=Ia Pếch") == ("commune", "Ia Pếch")
    assert parse_parameter("commune=") == ("commune", "")
    assert parse_parameter("flag=true") == ("flag", True)
    assert parse_parameter("codes=[1, 2]") == ("codes", [1, 2])


def test_a_parameter_of_the_wrong_type_is_refused_before_running(tmp_path, capsys):
    code = main(["notebook", "04_phased_investment", "-p", "budget_scale=lots", "--processed", str(tmp_path / "p"),
                 "--out", str(tmp_path / "out")])
    assert code == EXIT_USER
    err = capsys.readouterr().err
    assert "budget_scale" in err and "float" in err and "Traceback" not in err
    assert not (tmp_path / "out").exists() and not (tmp_path / "p").exists()


def test_parameters_from_a_file_are_checked_like_flags(tmp_path, capsys):
    params = tmp_path / "params.yaml"
    params.write_text("budget_scale: 0.8\nyaer: 2024\n", encoding="utf-8")
    code = main(["notebook", "04_phased_investment", "-f", str(params), "--processed", str(tmp_path / "p")])
    assert code == EXIT_USER and "yaer" in capsys.readouterr().err


@pytest.mark.parametrize("name", ["../notebooks/01_data_quality", "/etc/passwd", "01_data_quality.ipynb", "nope"])
def test_only_the_projects_notebooks_run(name, tmp_path, capsys):
    assert main(["notebook", name, "--processed", str(tmp_path)]) == EXIT_USER
    assert "01_data_quality" in capsys.readouterr().err  # the message lists the notebooks there are


def test_every_command_takes_the_same_settings_and_flags_reach_the_notebooks(tmp_path, monkeypatch):
    import ntm_analysis.reports.notebooks as notebooks
    from ntm_analysis.settings import load_settings

    seen = {}
    monkeypatch.setattr(notebooks, "run_notebook", lambda name, params, out: seen.update(params) or (out, out))
    costs = tmp_path / "costs.yaml"
    costs.write_bytes((load_settings(None).cost_rules_data.path).read_bytes())
    assert main(["notebook", "reports/district", "--processed", str(tmp_path / "p"), "--cost-file", str(costs)]) == 0
    settings = load_settings(Path(seen["config"]))
    assert settings.processed == tmp_path / "p" and settings.cost_rules == str(costs)


@pytest.mark.parametrize("flag, content, expected", [
    ("--admin", "name,code\nIa O,1\n", "communes.csv"),
    ("--cost-file", "id: [", "communes.csv"),
    ("--plan", "id: p\n", "communes.csv"),
])
def test_a_bad_data_file_is_a_message_for_every_command(flag, content, expected, tmp_path, capsys):
    bad = tmp_path / "communes.csv"
    bad.write_text(content, encoding="utf-8")
    write_xlsx(tmp_path / "raw" / "a.xlsx", {"Làng": villages_sheet(), "2020": [["Mã làng", "2.1"], ["0101", 50]]})
    assert main(["clean", "--raw", str(tmp_path / "raw"), "--processed", str(tmp_path / "out"), "--quiet",
                 *([flag, str(bad)] if flag != "--cost-file" else [])]) in (EXIT_OK, EXIT_USER)
    capsys.readouterr()
    code = main(["costs" if flag == "--cost-file" else "clean", "--processed", str(tmp_path / "out"),
                 *(["--raw", str(tmp_path / "raw"), "--quiet"] if flag != "--cost-file" else []), flag, str(bad)])
    err = capsys.readouterr().err
    assert code == EXIT_USER and expected in err and "Traceback" not in err


def test_a_bug_keeps_its_traceback(monkeypatch, tmp_path):
    import ntm_analysis.pipeline as pipeline

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(pipeline, "run_clean", broken)
    with pytest.raises(RuntimeError, match="a bug"):
        main(["clean", "--raw", str(tmp_path)])


def test_a_settings_file_runs_every_command(tmp_path, capsys):
    write_xlsx(tmp_path / "work" / "data" / "raw" / "a.xlsx", {"Làng": villages_sheet(),
                                                      "2020": [["Mã làng", "2.1"], ["0101", 50], ["0102", 90]]})
    config = tmp_path / "work" / "ntm-settings.yaml"
    config.write_text((Path(__file__).parents[1] / "ntm_analysis" / "reference" / "data" / "sample-settings.yaml")
                      .read_text(encoding="utf-8"), encoding="utf-8")
    assert main(["clean", "--config", str(config), "--quiet"]) == EXIT_OK
    assert (tmp_path / "work" / "data" / "processed" / "villages.parquet").is_file()
    assert main(["score", "--config", str(config), "--year", "2020"]) == EXIT_OK
    assert (tmp_path / "work" / "reports" / "bieu-tong-hop-2020.xlsx").is_file()
    assert main(["score", "--config", str(config), "--year", "2031"]) == EXIT_USER
    assert "2020" in capsys.readouterr().err  # the years there are
