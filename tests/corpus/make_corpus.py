"""Write the malformed-input corpus (one folder per case). Run: python tests/corpus/make_corpus.py

The files are committed; this script says exactly how each was made. Every case but `empty-file` and
`truncated-xlsx` includes a valid villages table, so that the fault is the only thing wrong.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from ntm_analysis.core.legacy_encoding import encode_windows_1258, from_unicode  # noqa: E402
from tests.conftest import villages_sheet, write_xlsx  # noqa: E402

LONG = ["Mã làng", "Năm", "Chỉ tiêu", "Giá trị"]


def make(case: str) -> Path:
    folder = HERE / case
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    return folder


def main() -> None:
    write_xlsx(make("missing-column") / "xa.xlsx", {
        "Làng": [["Mã làng", "Tên làng", "Số hộ"], ["0101", "Làng Plei Mơ", 120]]})
    write_xlsx(make("duplicate-codes") / "xa.xlsx", {
        "Làng": villages_sheet(["0101", "Làng Khác", "Ia Krái", 90])})
    write_xlsx(make("merged-header") / "xa.xlsx", {
        "Làng": villages_sheet(),
        "2023": [["THÔNG TIN LÀNG", None, "GIAO THÔNG", None, "TRƯỜNG HỌC"],
                 ["Mã làng", "Tên làng", "2.1", "2.2", "5"],
                 ["0101", "Làng Plei Mơ", 72, 100, "Đạt"]]})
    (make("empty-file") / "xa.xlsx").write_bytes(b"")
    write_xlsx(make("empty-sheet") / "xa.xlsx", {"Làng": villages_sheet(), "Trống": []})
    write_xlsx(make("text-in-number") / "xa.xlsx", {
        "Làng": villages_sheet(), "Số liệu": [LONG, ["0101", 2023, "10", "khoảng 50 triệu"]]})
    write_xlsx(make("tcvn3-text") / "xa.xlsx", {
        "Làng": [["Mã làng", "Tên làng", "Xã"],
                 ["0101", from_unicode("Làng Plei Mơ", "tcvn3"), from_unicode("Ia Krái", "tcvn3")]],
        "Số liệu": [LONG, ["0101", 2023, "5", from_unicode("Chưa đạt", "tcvn3")]]})
    (make("bom-csv") / "lang.csv").write_bytes(
        "\ufeffMã làng,Tên làng,Xã\n0101,Làng Plei Mơ,Ia Krái\n".encode("utf-8"))
    folder = make("windows-1258-csv")
    (folder / "lang.csv").write_bytes(encode_windows_1258("Mã làng;Tên làng;Xã\n0101;Làng Plei Mơ;Ia Krái\n"))
    (folder / "so-lieu.csv").write_bytes(encode_windows_1258("Mã làng;Năm;10;5\n0101;2023;38,5;Chưa đạt\n"))
    (make("xlsx-really-csv") / "lang.xlsx").write_text(
        "Mã làng,Tên làng,Xã\n0101,Làng Plei Mơ,Ia Krái\n", encoding="utf-8")
    whole = write_xlsx(HERE / "_whole.xlsx", {"Làng": villages_sheet()}).read_bytes()
    (HERE / "_whole.xlsx").unlink()
    (make("truncated-xlsx") / "xa.xlsx").write_bytes(whole[: len(whole) // 2])


if __name__ == "__main__":
    main()
