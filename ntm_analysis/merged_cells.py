"""Merged cells of xlsx workbooks, read beside openpyxl's streaming (read-only) reader.

A read-only workbook gives no merged ranges, yet offices merge cells all the time: a header whose
"STT", "Mã thôn" and "Tên thôn" cells span two rows, a criterion title over its indicators, a commune
cell merged down its villages. Each sheet's ``<mergeCells>`` list is read here straight from the
sheet's XML in the zip, a chunk at a time (no tree is built), and :func:`fill_merged` gives every cell
of a range the value of its top-left cell, as the officer sees it on screen.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile

import numpy as np
import pandas as pd
from openpyxl.utils.cell import range_boundaries

Range = tuple[int, int, int, int]  # first row, first column, last row, last column; 1-based, inclusive

_SHEET = re.compile(rb"<(?:\w+:)?sheet\b[^>]*?\bname=\"([^\"]*)\"[^>]*?\br:id=\"([^\"]*)\"")
_SHEET_RID_FIRST = re.compile(rb"<(?:\w+:)?sheet\b[^>]*?\br:id=\"([^\"]*)\"[^>]*?\bname=\"([^\"]*)\"")
_RELATION = re.compile(rb"<Relationship\b[^>]*>")
_ATTRIBUTE = re.compile(rb"(\w+)=\"([^\"]*)\"")
_MERGE = re.compile(rb"<(?:\w+:)?mergeCell\s+ref=\"([A-Z]+[0-9]+(?::[A-Z]+[0-9]+)?)\"")
_CHUNK = 1 << 20


def merged_ranges(data: bytes) -> dict[str, list[Range]]:
    """The merged ranges of every worksheet of an xlsx workbook, by sheet title.

    Parameters
    ----------
    data : bytes
        The workbook file.

    Returns
    -------
    dict[str, list[Range]]
        Sheet title -> ranges ``(first_row, first_col, last_row, last_col)``, 1-based; sheets without
        merged cells are left out.
    """
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        paths = _sheet_paths(archive)
        found = {}
        for title, path in paths.items():
            if path in archive.namelist() and (ranges := _ranges_in(archive, path)):
                found[title] = ranges
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


def _ranges_in(archive: zipfile.ZipFile, path: str) -> list[Range]:
    """The ``<mergeCell ref=…>`` ranges of one sheet's XML, read a chunk at a time."""
    ranges, tail = [], b""
    with archive.open(path) as member:
        while block := member.read(_CHUNK):
            text = tail + block
            cut = text.rfind(b"<")  # a tag may straddle the chunk boundary: keep it for the next chunk
            head, tail = (text[:cut], text[cut:]) if cut >= 0 else (text, b"")
            ranges += [_bounds(ref) for ref in _MERGE.findall(head)]
    ranges += [_bounds(ref) for ref in _MERGE.findall(tail)]
    return [r for r in ranges if (r[0], r[1]) != (r[2], r[3])]


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
