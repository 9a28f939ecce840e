"""Merged cells of xlsx workbooks, read beside openpyxl's streaming (read-only) reader.

A read-only workbook gives no merged ranges, yet offices merge cells all the time: a header whose
"STT", "Mã thôn" and "Tên thôn" cells span two rows, a criterion title over its indicators, a commune
cell merged down its villages. Each sheet's ``<mergeCells>`` list is read here straight from the
sheet's XML in the zip, a chunk at a time (no tree is built), with the sheet's hidden columns, and
:func:`fill_merged` gives every cell of a range the value of its top-left cell, as the officer sees it
on screen.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from dataclasses import dataclass

import numpy as np
import pandas as pd
from openpyxl.utils.cell import range_boundaries

Range = tuple[int, int, int, int]  # first row, first column, last row, last column; 1-based, inclusive

_SHEET = re.compile(rb"<(?:\w+:)?sheet\b[^>]*?\bname=\"([^\"]*)\"[^>]*?\br:id=\"([^\"]*)\"")
_SHEET_RID_FIRST = re.compile(rb"<(?:\w+:)?sheet\b[^>]*?\br:id=\"([^\"]*)\"[^>]*?\bname=\"([^\"]*)\"")
_RELATION = re.compile(rb"<Relationship\b[^>]*>")
_ATTRIBUTE = re.compile(rb"(\w+)=\"([^\"]*)\"")
_MERGE = re.compile(rb"<(?:\w+:)?mergeCell\s+ref=\"([A-Z]+[0-9]+(?::[A-Z]+[0-9]+)?)\"")
_COLUMN = re.compile(rb"<(?:\w+:)?col\s[^>]*>")
_CHUNK = 1 << 20


@dataclass(frozen=True)
class SheetLayout:
    """What the streaming reader does not give: a sheet's merged ranges and its hidden columns."""

    merged: tuple[Range, ...] = ()
    hidden_columns: frozenset[int] = frozenset()  # 0-based positions (0 = column A)


def read_sheet_layouts(data: bytes) -> dict[str, SheetLayout]:
    """The merged ranges and hidden columns of every worksheet of an xlsx workbook, by sheet title.

    Parameters
    ----------
    data : bytes
        The workbook file.

    Returns
    -------
    dict[str, SheetLayout]
        Sheet title -> its layout; merged ranges are ``(first_row, first_col, last_row, last_col)``,
        1-based. Sheets with neither are left out.
    """
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = set(archive.namelist())
        found = {}
        for title, path in _sheet_paths(archive).items():
            if path in names and (layout := _scan(archive, path)) != SheetLayout():
                found[title] = layout
    return found


def _sheet_paths(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet title -> the zip path of its XML, from ``xl/workbook.xml`` and its relations."""
    book = archive.read("xl/workbook.xml")
    relations = archive.read("xl/_rels/workbook.xml.rels")
    targets = {}
    for tag in _RELATION.findall(relations):
        attributes = dict(_ATTRIBUTE.findall(tag))
        target = attributes.get(b"Target", b"").decode()
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
        targets[attributes.get(b"Id", b"").decode()] = path
    sheets = [(name, rid) for name, rid in _SHEET.findall(book)] or \
             [(name, rid) for rid, name in _SHEET_RID_FIRST.findall(book)]
    return {_unescape(name.decode("utf-8")): targets[rid.decode()] for name, rid in sheets
            if rid.decode() in targets}


def _unescape(text: str) -> str:
    return (text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&apos;", "'")
            .replace("&amp;", "&"))


def _scan(archive: zipfile.ZipFile, path: str) -> SheetLayout:
    """The ``<mergeCell ref=…>`` ranges and ``<col … hidden="1">`` columns of one sheet's XML, read a chunk
    at a time (no tree is built)."""
    ranges, hidden, tail, before_data = [], set(), b"", True
    with archive.open(path) as member:
        while True:
            block = member.read(_CHUNK)
            text = tail + block
            cut = text.rfind(b"<") if block else len(text)  # a tag may straddle the chunk boundary
            head, tail = text[:cut], text[cut:]
            ranges += [_bounds(ref) for ref in _MERGE.findall(head)]
            columns = _COLUMN.findall(head.split(b"<sheetData", 1)[0]) if before_data else []  # <cols> come first
            before_data = before_data and b"<sheetData" not in head
            for tag in columns:
                attributes = dict(_ATTRIBUTE.findall(tag))
                if attributes.get(b"hidden") in {b"1", b"true"}:
                    hidden.update(range(int(attributes[b"min"]) - 1, int(attributes[b"max"])))
            if not block:
                break
    return SheetLayout(tuple(r for r in ranges if (r[0], r[1]) != (r[2], r[3])), frozenset(hidden))


def _bounds(ref: bytes) -> Range:
    min_col, min_row, max_col, max_row = range_boundaries(ref.decode())
    return min_row, min_col, max_row, max_col


def fill_merged(cells: pd.DataFrame, ranges: list[Range]) -> pd.DataFrame:
    """Every cell of each merged range given the value of the range's top-left cell.

    ``cells`` is a sheet's grid before blank rows and columns are dropped: position ``(i, j)`` is Excel
    row ``i + 1``, column ``j + 1``. The grid grows when a range reaches past its last row or column.
    A new frame is returned; ``cells`` is not changed.
    """
    if not ranges:
        return cells
    rows = max(len(cells), max(r[2] for r in ranges))
    columns = max(len(cells.columns), max(r[3] for r in ranges))
    grid = np.full((rows, columns), None, dtype=object)
    grid[:len(cells), :len(cells.columns)] = cells.to_numpy(dtype=object)
    for first_row, first_col, last_row, last_col in ranges:
        grid[first_row - 1:last_row, first_col - 1:last_col] = grid[first_row - 1, first_col - 1]
    return pd.DataFrame(grid, dtype=object)
