"""One way to read a YAML data file: safe loading, bounded size, text normalised, faults named.

Criteria sets, cost rules, action catalogues, plans, scheduling rules and settings files all come
through :func:`read_yaml_file`, and name a shipped file or a user's file through :func:`resolve_data_file`.
Only plain YAML is accepted (``yaml.safe_load``: no ``!!python`` tags); a file larger than
``max_bytes`` or that expands (through anchors and aliases) to more than ``max_nodes`` values is refused
with a message before anything else reads it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from ntm_analysis.core.errors import DataFileError, DataFileNotFound
from ntm_analysis.core.vietnamese import clean_text

MAX_BYTES = 5_000_000
MAX_NODES = 1_000_000


def resolve_data_file(name_or_path: str | Path, shipped: Callable[[str], Path], ids: list[str],
                      what: str) -> Path:
    """The file for a shipped id (``shipped(id)``) or a path to an existing file.

    Raises
    ------
    DataFileNotFound
        Neither; the message lists the shipped ids.
    """
    if isinstance(name_or_path, str) and name_or_path in ids:
        return shipped(name_or_path)
    path = Path(name_or_path).expanduser()
    if not path.is_file():
        raise DataFileNotFound(
            f"không thấy {what} {str(name_or_path)!r} / no {what} {str(name_or_path)!r}: not a shipped one "
            f"({', '.join(ids) or 'none'}) and not an existing file")
    return path


def read_yaml_file(path: Path, error: type[DataFileError] = DataFileError, *, max_bytes: int = MAX_BYTES,
                   max_nodes: int = MAX_NODES) -> Any:
    """Parsed YAML with every text NFC-normalised and trimmed.

    Raises
    ------
    error
        (a :class:`DataFileError` subclass) the file is too large, not UTF-8, not valid YAML, or expands
        past ``max_nodes`` values.
    """
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise error(path, [f"{size:,} bytes: larger than the {max_bytes:,} a data file may have"])
        text = path.read_bytes().decode("utf-8")
        data = yaml.safe_load(text)
    except UnicodeDecodeError as exc:
        raise error(path, [f"not UTF-8 text ({exc.reason} at byte {exc.start})"]) from exc
    except yaml.YAMLError as exc:
        raise error(path, [yaml_fault(exc)]) from exc
    except OSError as exc:
        raise error(path, [f"cannot be read: {exc.strerror or exc}"]) from exc
    count = expanded_size(data)
    if count > max_nodes:
        raise error(path, [f"expands to more than {max_nodes:,} values (anchors and aliases repeated, or a "
                            "structure that contains itself)"])
    return normalise(data)


def yaml_fault(exc: yaml.YAMLError) -> str:
    """A YAML error as one line, with its line and column when PyYAML knows them."""
    mark = getattr(exc, "problem_mark", None)
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
    return f"YAML syntax error{where}: {getattr(exc, 'problem', None) or exc}"


def expanded_size(node: Any) -> float:
    """How many values ``node`` holds once aliases are expanded, measured without expanding them
    (infinite for a structure that contains itself)."""
    sizes: dict[int, float] = {}

    def size(item: Any) -> float:
        if not isinstance(item, (list, dict)):
            return 1
        key = id(item)
        if key not in sizes:
            sizes[key] = math.inf  # seen again before it is measured: it contains itself
            children = [*item.keys(), *item.values()] if isinstance(item, dict) else item
            sizes[key] = 1 + sum(size(child) for child in children)
        return sizes[key]

    return size(node)


def normalise(node: Any) -> Any:
    """``node`` with every text NFC-normalised and trimmed; shared parts normalised once."""
    done: dict[int, Any] = {}

    def walk(item: Any) -> Any:
        if isinstance(item, str):
            return clean_text(item)
        if not isinstance(item, (list, dict)):
            return item
        if id(item) not in done:
            done[id(item)] = ([walk(x) for x in item] if isinstance(item, list)
                              else {walk(k): walk(v) for k, v in item.items()})
        return done[id(item)]

    return walk(node)
