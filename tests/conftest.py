"""Shared fixtures: the shipped criteria sets and small writers for hand-made raw files."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import openpyxl
import pytest

from ntm_analysis.reference.criteria import CriteriaSet, load_criteria_set
from ntm_analysis.pipeline import CleanResult, clean_raw_folder


@pytest.fixture(scope="session")
def criteria() -> CriteriaSet:
    return load_criteria_set("gia-lai-village-2019")


@pytest.fixture(scope="session")
def criteria_2022() -> CriteriaSet:
    return load_criteria_set("gia-lai-village-2022")


def write_xlsx(path: Path, sheets: dict[str, Iterable[Iterable[object]]]) -> Path:
    """A workbook with one sheet per entry, rows written as given (None = empty cell)."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(list(row))
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


VILLAGES_HEADER = ["Mã làng", "Tên làng", "Xã", "Số hộ"]
VILLAGES = [["0101", "Làng Plei Mơ", "Ia Krái", 120], ["0102", "Làng Đê Hra", "Ia O", 80]]


def villages_sheet(*extra_rows: list[object]) -> list[list[object]]:
    """A small valid villages sheet (villages 0101 in Ia Krái and 0102 in Ia O), plus ``extra_rows``."""
    return [VILLAGES_HEADER, *VILLAGES, *extra_rows]


def clean(folder: Path, criteria: CriteriaSet) -> CleanResult:
    return clean_raw_folder(folder, criteria)


def codes(result: CleanResult) -> list[str]:
    """The problem codes reported, in report order."""
    return result.problems["code"].tolist()


def cp1258_bytes(text: str) -> bytes:
    """Text as Windows-1258 writes it: precomposed vowels, tone marks as combining characters."""
    from ntm_analysis.core.legacy_encoding import encode_windows_1258

    return encode_windows_1258(text)
