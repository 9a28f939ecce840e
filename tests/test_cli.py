"""The `ntm` command: readable help, clear messages, meaningful exit codes, no tracebacks."""

import subprocess
import sys

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
