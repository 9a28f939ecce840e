"""Byte-stable workbooks and figures, tables in two formats."""

import openpyxl
import pandas as pd

from ntm_analysis.figures.scores import problems_figure, save_figure
from ntm_analysis.core.storage import write_table, write_workbook


def test_workbook_bytes_do_not_depend_on_the_clock(tmp_path, monkeypatch):
    book = openpyxl.Workbook()
    book.active["A1"] = "Làng"
    first = write_workbook(book, tmp_path / "a.xlsx").read_bytes()
    book.properties.created = pd.Timestamp("2031-05-05").to_pydatetime()
    second = write_workbook(book, tmp_path / "b.xlsx").read_bytes()
    assert first == second
    assert openpyxl.load_workbook(tmp_path / "b.xlsx").active["A1"].value == "Làng"


def test_table_written_as_parquet_and_csv_with_bom(tmp_path):
    frame = pd.DataFrame({"village_code": pd.Series(["0101"], dtype="string"), "value": [1.5]})
    parquet, csv = write_table(frame, tmp_path / "t")
    assert pd.read_parquet(parquet)["village_code"].tolist() == ["0101"]
    assert csv.read_bytes().startswith(b"\xef\xbb\xbf")


def test_figure_png_is_byte_stable(tmp_path):
    problems = pd.DataFrame({"code": ["out_of_range", "probable_fraction"], "severity": ["error", "warning"]})
    fig = problems_figure(problems, synthetic=True)
    texts = [t.get_text() for t in fig.texts]
    assert "DỮ LIỆU GIẢ LẬP" in texts
    assert save_figure(fig, tmp_path / "a.png").read_bytes() == save_figure(fig, tmp_path / "b.png").read_bytes()
