"""Workbooks laid out as commune and district offices lay out their "biểu", with what they must give.

Each case writes one folder of workbooks (openpyxl, with real merged ranges) and states its expected
clean villages, clean values and problems exactly. ``tests/test_office_layouts.py`` runs them through
the whole clean step. Villages are in Ia Grai communes; the default criteria set is
gia-lai-village-2019.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import openpyxl

from ntm_analysis.core.legacy_encoding import from_unicode

TITLE_COMMUNE = [["ỦY BAN NHÂN DÂN", None, None, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"],
                 ["XÃ IA KRÁI", None, None, "Độc lập - Tự do - Hạnh phúc"]]
FOOTER = [[None, None, None, None, "Ia Krái, ngày 15 tháng 12 năm 2025"],
          [None, "Người lập biểu", None, None, "TM. ỦY BAN NHÂN DÂN"],
          [None, "(Ký, ghi rõ họ tên)", None, None, "CHỦ TỊCH"],
          [None, None, None, None, "(Ký, ghi rõ họ tên, đóng dấu)"],
          [None, "Rơ Châm H'Luyện", None, None, "Nguyễn Văn Thành"]]


@dataclass
class Sheet:
    """Rows as written (None = empty cell), merged ranges ("A1:C1"), hidden columns ("E") and number
    formats by column ("F": "0.0%")."""

    rows: list[list[object]]
    merged: list[str] = field(default_factory=list)
    hidden: list[str] = field(default_factory=list)
    formats: dict[str, str] = field(default_factory=dict)


@dataclass
class Case:
    """A folder of workbooks and what the clean step must make of it."""

    files: dict[str, dict[str, Sheet]]
    villages: dict[str, dict[str, object]]  # code -> expected clean fields
    values: dict[tuple[str, int, str], float | None]  # (code, year, indicator) -> value (None = missing)
    problems: dict[str, int]  # problem code -> how many times reported
    set_aside: dict[tuple[str, str], list[tuple[str, int, int]]] = field(default_factory=dict)
    # (file, sheet) -> [(problem code of the block, first row, last row)]
    rejected_villages: list[dict[str, object]] = field(default_factory=list)
    rejected_values: dict[str, int] = field(default_factory=dict)  # reason -> count
    csv_files: dict[str, str] = field(default_factory=dict)  # name -> text (written as UTF-8)

    def write(self, folder: Path) -> Path:
        """Write every workbook of the case into ``folder``."""
        folder.mkdir(parents=True, exist_ok=True)
        for name, sheets in self.files.items():
            book = openpyxl.Workbook()
            book.remove(book.active)
            for title, sheet in sheets.items():
                ws = book.create_sheet(title)
                for row in sheet.rows:
                    ws.append(list(row))
                for ref in sheet.merged:
                    ws.merge_cells(ref)
                for letter in sheet.hidden:
                    ws.column_dimensions[letter].hidden = True
                for letter, number_format in sheet.formats.items():
                    for cell in ws[letter]:
                        if isinstance(cell.value, (int, float)):
                            cell.number_format = number_format
            book.save(folder / name)
        for name, text in self.csv_files.items():
            (folder / name).write_text(text, encoding="utf-8")
        return folder


def _v(name: str, commune: str, **fields: object) -> dict[str, object]:
    return {"village_name": name, "commune": commune, **fields}


def commune_two_row_header() -> Case:
    """A commune's villages list: office title, a two-row merged header with "Dân số" over "Số hộ | Số
    khẩu", a numbering row, a "Tổng cộng" row, a signature footer; and its 2024 assessment with a
    three-row header ("Các tiêu chí" over "TC2. GIAO THÔNG" over "Đường trục thôn | Đường ngõ xóm")."""
    villages = Sheet(
        [*TITLE_COMMUNE,
         [],
         ["DANH SÁCH THÔN, LÀNG XÃ IA KRÁI NĂM 2024"],
         ["STT", "Mã thôn", "Tên thôn, làng", "Xã", "Dân số", None, "Tỷ lệ hộ DTTS (%)", "Ghi chú"],
         [None, None, None, None, "Số hộ", "Số khẩu", None, None],
         ["(1)", "(2)", "(3)", "(4)", "(5)", "(6)", "(7)", "(8)"],
         [1, "0701", "Làng Plei Mơ", "Ia Krái", 120, 540, 95, None],
         [2, "0702", "Làng Đê Hra", None, 85, 390, "88,5", "mới sáp nhập"],
         [3, "0703", "Thôn Hợp Thành", None, 140, 610, 12, None],
         ["Tổng cộng", None, None, None, 345, 1540, None, None],
         [],
         *FOOTER],
        merged=["A1:C1", "D1:H1", "A2:C2", "D2:H2", "A4:H4", "A5:A6", "B5:B6", "C5:C6", "D5:D6", "E5:F5", "G5:G6",
                "H5:H6", "D8:D10", "A11:D11"])
    values = Sheet(
        [["BIỂU ĐÁNH GIÁ KẾT QUẢ THỰC HIỆN TIÊU CHÍ THÔN, LÀNG NÔNG THÔN MỚI NĂM 2024"],
         [],
         ["STT", "Tên thôn, làng", "Các tiêu chí", None, None, None, "Ghi chú"],
         [None, None, "TC2. GIAO THÔNG", None, "TC5. TRƯỜNG HỌC", "TC9. NHÀ Ở DÂN CƯ", None],
         [None, None, "Đường trục thôn", "Đường ngõ xóm", None, "Hộ còn nhà tạm, dột nát", None],
         ["A", "B", 1, 2, 3, 4, 5],
         [1, "Làng Plei Mơ", 72, "100%", "Đạt", 0.2, None],
         [2, "Làng Đê Hra", "65,5", 80, "Chưa đạt", 3, None],
         [3, "Thôn Hợp Thành", 90, 95, "x", 0, "đạt 2023"],
         [],
         *FOOTER],
        merged=["A1:G1", "A3:A5", "B3:B5", "C3:F3", "C4:D4", "E4:E5", "G3:G5"])
    return Case(
        files={"ia-krai-2024.xlsx": {"Danh sách thôn": villages, "Đánh giá 2024": values}},
        villages={"0701": _v("Làng Plei Mơ", "Ia Krái", households=120, population=540, ethnic_minority_share=95.0),
                  "0702": _v("Làng Đê Hra", "Ia Krái", households=85, population=390, ethnic_minority_share=88.5,
                             note="mới sáp nhập"),
                  "0703": _v("Thôn Hợp Thành", "Ia Krái", households=140, population=610,
                             ethnic_minority_share=12.0)},
        values={("0701", 2024, "2.1"): 72.0, ("0701", 2024, "2.2"): 100.0, ("0701", 2024, "5"): 1.0,
                ("0701", 2024, "9.1"): 0.2,
                ("0702", 2024, "2.1"): 65.5, ("0702", 2024, "2.2"): 80.0, ("0702", 2024, "5"): 0.0,
                ("0702", 2024, "9.1"): 3.0,
                ("0703", 2024, "2.1"): 90.0, ("0703", 2024, "2.2"): 95.0, ("0703", 2024, "5"): 1.0,
                ("0703", 2024, "9.1"): 0.0},
        problems={"title_rows": 2, "numbering_row": 2, "subtotal_row": 1, "footer_rows": 2},
        set_aside={("ia-krai-2024.xlsx", "Danh sách thôn"): [("title_rows", 1, 4), ("numbering_row", 7, 7),
                                                             ("subtotal_row", 11, 11), ("footer_rows", 13, 17)],
                   ("ia-krai-2024.xlsx", "Đánh giá 2024"): [("title_rows", 1, 1), ("numbering_row", 6, 6),
                                                           ("footer_rows", 11, 15)]},
    )


def district_merged_communes() -> Case:
    """A district-level list: section headings per commune, the commune cell merged down its villages,
    "Cộng xã …" subtotals (one wrong), a grand total and a footer; codes typed without leading zeros in a
    values sheet of the same workbook."""
    rows = [["UBND HUYỆN IA GRAI"],
            ["TỔNG HỢP THÔN, LÀNG TOÀN HUYỆN"],
            ["STT", "Xã, thị trấn", "Mã thôn", "Tên thôn, làng", "Số hộ", "Số khẩu"],
            ["I", "Xã Ia Krái", None, None, None, None],
            [1, "Ia Krái", "0801", "Làng Krái", 100, 450],
            [2, None, "0802", "Làng Dor", 60, 270],
            [None, "Cộng xã Ia Krái", None, None, 160, 720],
            ["II", "Xã Ia O", None, None, None, None],
            [3, "Ia O", "0903", "Làng Mook Đen", 75, 300],
            [4, None, "0904", "Làng Vơnih", 50, 210],
            [5, None, "0907", "Làng Bi", 30, 130],
            [None, "Cộng xã Ia O", None, None, 150, 640],  # 75 + 50 + 30 = 155 households: a mismatch
            [None, "TỔNG CỘNG", None, None, 315, 1360],
            [],
            *[[None, *row[1:]] for row in FOOTER]]
    values = Sheet([["Mã làng", "Năm", "Đường trục thôn", "Đường ngõ xóm"],
                    [801, 2024, 70, 80],
                    [907, 2024, 55, 60],
                    ["0904", 2024, 40, 50]])
    return Case(
        files={"huyen-ia-grai.xlsx": {"Toàn huyện": Sheet(rows, merged=["B5:B6", "B9:B11", "B7:D7", "B12:D12",
                                                                       "B13:D13"]),
                                      "Số liệu": values}},
        villages={"0801": _v("Làng Krái", "Ia Krái", households=100, population=450),
                  "0802": _v("Làng Dor", "Ia Krái", households=60, population=270),
                  "0903": _v("Làng Mook Đen", "Ia O", households=75, population=300),
                  "0904": _v("Làng Vơnih", "Ia O", households=50, population=210),
                  "0907": _v("Làng Bi", "Ia O", households=30, population=130)},
        values={("0904", 2024, "2.1"): 40.0, ("0904", 2024, "2.2"): 50.0},
        problems={"title_rows": 1, "section_row": 2, "subtotal_row": 2, "subtotal_mismatch": 1, "footer_rows": 1,
                  "code_stored_as_number": 2, "village_code_leading_zero": 2},
        set_aside={("huyen-ia-grai.xlsx", "Toàn huyện"): [
            ("title_rows", 1, 2), ("section_row", 4, 4), ("subtotal_row", 7, 7), ("section_row", 8, 8),
            ("subtotal_row", 12, 13), ("footer_rows", 15, 19)]},
        rejected_values={"village_code_leading_zero": 4},
    )


def legacy_sheets() -> Case:
    """A villages sheet typed entirely in TCVN3 (short headers "Sè hé", "Ghi chó" included) and an
    assessment sheet typed in VNI, whose village "Vônih" says too little on its own."""
    tcvn3 = [[from_unicode(t, "tcvn3") if isinstance(t, str) else t for t in row] for row in [
        ["Mã thôn", "Tên thôn", "Xã", "Số hộ", "Ghi chú"],
        ["1001", "Làng Chư Kó", "Ia Tô", 90, "Đạt chuẩn năm 2023"],
        ["1002", "Vơnih", "Ia Tô", 45, None],
        ["1003", "Thôn Đoàn Kết", "Ia Tô", 130, "Hộ nghèo cao"]]]
    vni = [[from_unicode(t, "vni") if isinstance(t, str) else t for t in row] for row in [
        ["Tên thôn", "Xã", "Năm", "Đường trục thôn", "Điểm trường mầm non", "Ghi chú"],
        ["Làng Chư Kó", "Ia Tô", 2024, 80, "Đạt", "Đường đất"],
        ["Vơnih", "Ia Tô", 2024, 60, "Chưa đạt", None],  # VNI "Vônih": nothing on its own says VNI
        ["Thôn Đoàn Kết", "Ia Tô", 2024, 75, "Đạt", "Đường nhựa"]]]
    return Case(
        files={"ia-to.xlsx": {"Thon": Sheet(tcvn3), "Danh gia": Sheet(vni)}},
        villages={"1001": _v("Làng Chư Kó", "Ia Tô", households=90, note="Đạt chuẩn năm 2023"),
                  "1002": _v("Vơnih", "Ia Tô", households=45),
                  "1003": _v("Thôn Đoàn Kết", "Ia Tô", households=130, note="Hộ nghèo cao")},
        values={("1001", 2024, "2.1"): 80.0, ("1001", 2024, "5"): 1.0, ("1002", 2024, "2.1"): 60.0,
                ("1002", 2024, "5"): 0.0, ("1003", 2024, "2.1"): 75.0, ("1003", 2024, "5"): 1.0},
        problems={},
    )


def long_title_hidden_column() -> Case:
    """The header on row 8 after a long title block, a row of units under it, a hidden column still holding
    data, "x" for met,
    a notes sheet with no table, and a village whose commune is misspelt (its row and values rejected)."""
    title = [["UBND XÃ IA O"], ["BAN CHỈ ĐẠO CHƯƠNG TRÌNH MTQG XÂY DỰNG NÔNG THÔN MỚI"], [],
             ["BIỂU TỔNG HỢP KẾT QUẢ"], ["ĐÁNH GIÁ TIÊU CHÍ THÔN, LÀNG NÔNG THÔN MỚI"],
             ["(Kèm theo Báo cáo số 15/BC-UBND ngày 10/12/2024)"], []]
    sheet = Sheet([*title,
                   ["STT", "Mã làng", "Tên làng", "Xã", "Năm", "Có quy hoạch được công khai", "Đường trục thôn",
                    "Hộ còn nhà tạm, dột nát"],
                   [None, None, None, None, None, "Đạt/Chưa đạt", "%", "%"],
                   [1, "1101", "Làng Bi Giông", "Ia O", 2024, "x", 0.75, 0.2],
                   [2, "1102", "Làng Ó", "Ia O", 2024, None, 100, 1.5],
                   [3, "1103", "Làng Tung Breng", "Ia O", 2024, "x", 82, None]],
                  hidden=["H"])
    villages = Sheet([["Mã làng", "Tên làng", "Xã", "Số hộ"],
                      ["1101", "Làng Bi Giông", "Ia O", 60],
                      ["1102", "Làng Ó", "Ia O", 70],
                      ["1103", "Làng Tung Breng", "Ia Ó Ó", 80]])
    notes = Sheet([["Ghi chú: số liệu tính đến ngày 30/11/2024"], ["Nguồn: báo cáo các thôn"]])
    return Case(
        files={"ia-o-2024.xlsx": {"Làng": villages, "Tổng hợp": sheet, "Ghi chú": notes}},
        villages={"1101": _v("Làng Bi Giông", "Ia O", households=60),
                  "1102": _v("Làng Ó", "Ia O", households=70)},
        values={("1101", 2024, "1"): 1.0, ("1101", 2024, "2.1"): 0.75, ("1101", 2024, "9.1"): 0.2,
                ("1102", 2024, "1"): None, ("1102", 2024, "2.1"): 100.0, ("1102", 2024, "9.1"): 1.5},
        problems={"title_rows": 1, "units_row": 1, "probable_fraction": 1, "unknown_commune": 1,
                  "village_row_rejected": 1, "sheet_not_recognised": 1, "hidden_column_read": 1},
        set_aside={("ia-o-2024.xlsx", "Tổng hợp"): [("title_rows", 1, 6), ("units_row", 9, 9)]},
        rejected_villages=[{"village_code": "1103", "village_name": "Làng Tung Breng", "commune": "Ia Ó Ó",
                            "reason": "unknown_commune", "fields_as_typed": "D – Số hộ: 80"}],
        rejected_values={"village_row_rejected": 3},
    )


def formulas_csv_transposed() -> Case:
    """A sheet with no year but in its title, header cells with line breaks, a "Tổng" row of SUM formulas
    Excel never computed (set aside, not reported as formulas) beside a data cell whose formula was never
    computed (reported); a sheet laid out one indicator per row (not read: reported, its cells counted);
    and a CSV export with a title line, a numbering line and a footer."""
    values = Sheet([["KẾT QUẢ ĐÁNH GIÁ TIÊU CHÍ THÔN, LÀNG NĂM 2023"],
                    ["Mã\nlàng", "Tên thôn,\nlàng", "Người dân tham gia\nBHYT", "Tỷ lệ hộ nghèo"],
                    ["1201", "Làng Ó Nông", 91, "4,5"],
                    ["1202", "Làng Al Bă", "=C3+1", 0.3],
                    ["Tổng", None, "=AVERAGE(C3:C4)", "=AVERAGE(D3:D4)"]])
    villages = Sheet([["Mã làng", "Tên làng", "Xã", "Số hộ"],
                      ["1201", "Làng Ó Nông", "Ia Yok", 150],
                      ["1202", "Làng Al Bă", "Ia Yok", 95],
                      [None, "Tổng cộng", None, "=SUM(D2:D3)"]])
    transposed = Sheet([["STT", "Chỉ tiêu", "Làng Ó Nông", "Làng Al Bă"],
                        [1, "Đường trục thôn", 70, 85],
                        [2, "Đường ngõ xóm", 60, 90]])
    csv = ("DANH SÁCH THÔN, LÀNG XÃ IA YOK\n"
           "Mã làng,Tên làng,Xã,Số hộ\n"
           "1,2,3,4\n"
           "1203,Làng Dơ Lang,Ia Yok,120\n"
           ",,,\n"
           "Người lập biểu,,,CHỦ TỊCH\n")
    return Case(
        files={"ia-yok.xlsx": {"Biểu 01": values, "Danh sách": villages, "Theo chỉ tiêu": transposed}},
        csv_files={"ia-yok-them.csv": csv},
        villages={"1201": _v("Làng Ó Nông", "Ia Yok", households=150),
                  "1202": _v("Làng Al Bă", "Ia Yok", households=95),
                  "1203": _v("Làng Dơ Lang", "Ia Yok", households=120)},
        values={("1201", 2023, "15.1"): 91.0, ("1201", 2023, "11"): 4.5, ("1202", 2023, "11"): 0.3},
        problems={"title_rows": 2, "subtotal_row": 2, "numbering_row": 1, "footer_rows": 1,
                  "formula_not_computed": 1, "sheet_not_recognised": 1},
        set_aside={("ia-yok.xlsx", "Biểu 01"): [("title_rows", 1, 1), ("subtotal_row", 5, 5)],
                   ("ia-yok.xlsx", "Danh sách"): [("subtotal_row", 4, 4)],
                   ("ia-yok-them.csv", ""): [("title_rows", 1, 1), ("numbering_row", 3, 3),
                                             ("footer_rows", 6, 6)]},
        rejected_values={"formula_not_computed": 1},
    )


def commune_from_sheet_or_section() -> Case:
    """A district workbook with one sheet per commune and no commune column (the sheet name or the title
    names it), and a list whose communes are section headings ("I. Xã Ia Pếch") over their villages."""
    krai = Sheet([["UBND XÃ IA KRÁI"], ["Tên thôn/làng", "Mã số", "Tổng số hộ"],
                  ["Làng Ngol", "1301", 70], ["Làng Mơ", "1302", 40]])
    sao = Sheet([["DANH SÁCH THÔN XÃ IA SAO"], ["Mã thôn", "Tên thôn", "Số hộ"], ["1401", "Thôn 1", 210]])
    sections = Sheet([["STT", "Mã làng", "Tên làng", "Số hộ"],
                      ["I", "Xã Ia Pếch", None, None],
                      [1, "1501", "Làng Pếch", 90],
                      ["II", "XÃ IA CHÍA", None, None],
                      [1, "1601", "Làng Chía", 60],
                      [2, "1602", "Làng Bia", 35]])
    return Case(
        files={"huyen.xlsx": {"Ia Krái": krai, "Trang 2": sao, "Theo xã": sections}},
        villages={"1301": _v("Làng Ngol", "Ia Krái", households=70), "1302": _v("Làng Mơ", "Ia Krái", households=40),
                  "1401": _v("Thôn 1", "Ia Sao", households=210), "1501": _v("Làng Pếch", "Ia Pếch", households=90),
                  "1601": _v("Làng Chía", "Ia Chía", households=60), "1602": _v("Làng Bia", "Ia Chía", households=35)},
        values={},
        problems={"title_rows": 2, "section_row": 2},
        set_aside={("huyen.xlsx", "Ia Krái"): [("title_rows", 1, 1)],
                   ("huyen.xlsx", "Trang 2"): [("title_rows", 1, 1)],
                   ("huyen.xlsx", "Theo xã"): [("section_row", 2, 2), ("section_row", 4, 4)]},
    )


def total_sub_columns() -> Case:
    """"Số hộ" over "Tổng số | Trong đó: hộ DTTS" (the total is the households; the count of ethnic-minority
    households is not their share), "Tỷ lệ hộ DTTS" over "%" and a footer signed "Người tổng hợp … (Đã ký)"."""
    sheet = Sheet([["Mã làng", "Tên làng", "Xã", "Số hộ", None, "Tỷ lệ hộ DTTS"],
                   [None, None, None, "Tổng số", "Trong đó: hộ DTTS", "%"],
                   ["1701", "Làng Dăng", "Ia Grăng", 120, 96, 80],
                   ["1702", "Làng Ngó", "Ia Grăng", 75, 15, 20],
                   [None, "Người tổng hợp", None, None, "(Đã ký)"]],
                  merged=["A1:A2", "B1:B2", "C1:C2", "D1:E1"])
    return Case(
        files={"ia-grang.xlsx": {"Thôn": sheet}},
        villages={"1701": _v("Làng Dăng", "Ia Grăng", households=120, ethnic_minority_share=80.0),
                  "1702": _v("Làng Ngó", "Ia Grăng", households=75, ethnic_minority_share=20.0)},
        values={},
        problems={"unknown_column": 1, "footer_rows": 1},
        set_aside={("ia-grang.xlsx", "Thôn"): [("footer_rows", 5, 5)]},
    )


def village_details_in_values_sheet() -> Case:
    """An assessment sheet that repeats the villages' households (read from the villages list only: the
    column is reported, its cells counted) and a long sheet with a stray indicator column."""
    villages = Sheet([["Mã làng", "Tên làng", "Xã", "Số hộ"], ["1801", "Làng Tơ", "Ia Hrung", 55]])
    wide = Sheet([["Mã làng", "Tên làng", "Số hộ", "Năm", "Đường trục thôn"], ["1801", "Làng Tơ", 55, 2024, 66]])
    long = Sheet([["Mã làng", "Năm", "Chỉ tiêu", "Giá trị", "5"], ["1801", 2024, "2.2", "70", "Đạt"]])
    return Case(
        files={"ia-hrung.xlsx": {"Làng": villages, "Số liệu": wide, "Dọc": long}},
        villages={"1801": _v("Làng Tơ", "Ia Hrung", households=55)},
        values={("1801", 2024, "2.1"): 66.0, ("1801", 2024, "2.2"): 70.0},
        problems={"column_not_read": 2},
    )


def hidden_stale_column() -> Case:
    """Last year's figures left in a hidden column C beside this year's visible column D, same indicator:
    the visible one is read; the hidden one is reported (hidden, duplicate) and its cells rejected."""
    villages = Sheet([["Mã làng", "Tên làng", "Xã"], ["1901", "Làng Ia Lâu", "Ia Tô"]])
    values = Sheet([["Mã làng", "Năm", "Đường trục thôn", "Đường trục thôn, làng được cứng hóa"],
                    ["1901", 2024, 40, 75]], hidden=["C"])
    return Case(
        files={"ia-to-2024.xlsx": {"Làng": villages, "2024": values}},
        villages={"1901": _v("Làng Ia Lâu", "Ia Tô")},
        values={("1901", 2024, "2.1"): 75.0},
        problems={"hidden_column_read": 1, "duplicate_column": 1, "unknown_column": 1},
        rejected_values={"unknown_column": 1},
    )


def excel_percent_format() -> Case:
    """Shares typed as Excel percentages (0.855 shown "85.5%"): read as shown, listed in the changes log;
    a share typed as a bare 0.9 in a General-format column stays a probable fraction."""
    villages = Sheet([["Mã làng", "Tên làng", "Xã", "Tỷ lệ hộ DTTS"], ["2001", "Làng Chư", "Ia Khai", 0.855],
                      ["2002", "Làng Mơ", "Ia Khai", 0.4]], formats={"D": "0.0%"})
    values = Sheet([["Mã làng", "Năm", "Đường trục thôn", "Đường ngõ xóm"], ["2001", 2024, 0.7, 0.9],
                    ["2002", 2024, 1, 55]], formats={"C": "0%"})
    return Case(
        files={"ia-khai.xlsx": {"Làng": villages, "2024": values}},
        villages={"2001": _v("Làng Chư", "Ia Khai", ethnic_minority_share=85.5),
                  "2002": _v("Làng Mơ", "Ia Khai", ethnic_minority_share=40.0)},
        values={("2001", 2024, "2.1"): 70.0, ("2001", 2024, "2.2"): 0.9, ("2002", 2024, "2.1"): 100.0,
                ("2002", 2024, "2.2"): 55.0},
        problems={"probable_fraction": 1},
    )


def repeated_header() -> Case:
    """Blocks copied with their header and numbering rows (page by page) into one list."""
    header = ["STT", "Mã làng", "Tên làng", "Xã", "Số hộ"]
    sheet = Sheet([header, [1, 2, 3, 4, 5], [1, "2101", "Làng Dơ", "Ia Bă", 30],
                   header, [1, 2, 3, 4, 5], [2, "2102", "Làng Hrưng", "Ia Bă", 45]])
    return Case(
        files={"ia-ba.xlsx": {"Thôn": sheet}},
        villages={"2101": _v("Làng Dơ", "Ia Bă", households=30), "2102": _v("Làng Hrưng", "Ia Bă", households=45)},
        values={},
        problems={"numbering_row": 2, "header_repeated": 1},
        set_aside={("ia-ba.xlsx", "Thôn"): [("numbering_row", 2, 2), ("header_repeated", 4, 4),
                                            ("numbering_row", 5, 5)]},
    )


def values_sheet_per_commune() -> Case:
    """Assessments in one sheet per commune, villages named only ("Thôn 1" is in both communes): the sheet
    name says which commune's "Thôn 1" each row is."""
    villages = Sheet([["Mã làng", "Tên làng", "Xã"], ["2201", "Thôn 1", "Ia Sao"], ["2301", "Thôn 1", "Ia Hrung"]])
    sao = Sheet([["Tên thôn", "Năm", "Đường trục thôn"], ["Thôn 1", 2024, 61]])
    hrung = Sheet([["BIỂU ĐÁNH GIÁ XÃ IA HRUNG"], ["Tên thôn", "Năm", "Đường trục thôn"], ["Thôn 1", 2024, 77]])
    return Case(
        files={"huyen-2024.xlsx": {"Làng": villages, "Xã Ia Sao": sao, "Trang 3": hrung}},
        villages={"2201": _v("Thôn 1", "Ia Sao"), "2301": _v("Thôn 1", "Ia Hrung")},
        values={("2201", 2024, "2.1"): 61.0, ("2301", 2024, "2.1"): 77.0},
        problems={"title_rows": 1},
        set_aside={("huyen-2024.xlsx", "Trang 3"): [("title_rows", 1, 1)]},
    )


CASES = {"commune-two-row-header": commune_two_row_header, "district-merged-communes": district_merged_communes,
         "legacy-sheets": legacy_sheets, "long-title-hidden-column": long_title_hidden_column,
         "formulas-csv-transposed": formulas_csv_transposed,
         "commune-from-sheet-or-section": commune_from_sheet_or_section, "total-sub-columns": total_sub_columns,
         "village-details-in-values-sheet": village_details_in_values_sheet, "hidden-stale-column": hidden_stale_column,
         "excel-percent-format": excel_percent_format, "repeated-header": repeated_header,
         "values-sheet-per-commune": values_sheet_per_commune}
