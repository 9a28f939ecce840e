"""Shared fixtures: the shipped criteria sets and small writers for hand-made raw files."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import openpyxl
import pytest

from ntm_analysis.clean.folder import CleanResult, clean_raw_folder
from ntm_analysis.reference.criteria import CriteriaSet, load_criteria_set
from ntm_analysis.settings import Settings, load_settings


def sample_settings() -> Settings:
    """The bundled sample's settings (the Ia Grai plan, commune list, cost rules, criteria set)."""
    return load_settings(None)


@pytest.fixture(scope="session")
def settings() -> Settings:
    return sample_settings()


@pytest.fixture(scope="session")
def plan(settings: Settings) -> dict:
    return settings.plan_data


@pytest.fixture(scope="session")
def cost_rules(settings: Settings):  # noqa: ANN201 - CostRules
    return settings.cost_rules_data


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


def clean(folder: Path, criteria: CriteriaSet, admin: object = None) -> CleanResult:
    """Clean ``folder`` with the sample's commune list (or ``admin``) and plan."""
    settings = sample_settings()
    return clean_raw_folder(folder, criteria, settings.admin if admin is None else admin, settings.plan_data)


def codes(result: CleanResult) -> list[str]:
    """The problem codes reported, in report order."""
    return result.problems["code"].tolist()


def cp1258_bytes(text: str) -> bytes:
    """Text as Windows-1258 writes it: precomposed vowels, tone marks as combining characters."""
    from ntm_analysis.core.legacy_encoding import encode_windows_1258

    return encode_windows_1258(text)


def settings_for(raw: Path | None = None, processed: Path | None = None, **keys: object) -> Settings:
    """The sample's settings with another raw and/or processed folder (and other keys)."""
    return sample_settings().with_overrides(raw=raw, processed=processed, **keys)


def clean_into(raw: Path, processed: Path, **keys: object) -> CleanResult:
    """Run the clean stage on ``raw`` into ``processed`` (the chain's first stage, manifest included)."""
    from ntm_analysis.pipeline import run_clean

    return run_clean(settings_for(raw, processed, **keys))


def load_clean_tables(processed: Path) -> tuple:
    """(villages, values, clean summary) as the clean stage wrote them into ``processed``."""
    from ntm_analysis.pipeline import load_clean

    return load_clean(settings_for(processed=processed))


def write_clean_outputs(result: CleanResult, processed: Path) -> list[Path]:
    """Write a clean result into ``processed`` as the clean stage does (its outputs and the manifest)."""
    from ntm_analysis.catalog import Catalog
    from ntm_analysis.clean.folder import clean_outputs

    return Catalog(processed).write_stage("clean", "written by a test", clean_outputs(result))
