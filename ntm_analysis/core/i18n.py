"""User-facing wording as data: one message catalogue per language, one lookup.

The catalogues are ``reference/data/messages/<lang>.yaml`` (:data:`~ntm_analysis.config.MESSAGES_DIR`),
one per language of :data:`LANGS`, with the same keys (in the manner of Open SDG's translations). A file
is a nested mapping; a message's key is its dotted path, namespaced by area: ``figures.status_pass``,
``report.status``, ``summary.title``, ``annex.unit``, ``schedule.rules.border`` … Values are
:meth:`str.format` templates (``"Tình trạng từng làng năm {year}"``) with the same placeholders in every
language.

- :func:`message` — one message in one language, placeholders filled in;
- :func:`template` — the same, unfilled (for callers that format or cut it themselves);
- :func:`messages` — every message under a prefix, in the catalogue's order;
- :func:`bilingual` — "vi / en" in one string, for the cells that show both languages.

Each catalogue is read once per process (:func:`catalogue`). An unknown key or language raises
:class:`MessageError`, which names it.
"""

from __future__ import annotations

import difflib
import string
from collections.abc import Mapping
from functools import cache
from types import MappingProxyType
from typing import Any

import yaml

from ntm_analysis.config import MESSAGES_DIR
from ntm_analysis.core.errors import NtmError

LANGS = ("vi", "en")


class MessageError(NtmError, KeyError, ValueError):
    """A message key or language the catalogues do not have (a ``KeyError`` for lookups, a ``ValueError``
    for callers that check their ``lang`` argument)."""

    def __str__(self) -> str:  # KeyError would show the message in quotes
        return str(self.args[0]) if self.args else ""


@cache
def catalogue(lang: str) -> Mapping[str, str]:
    """Every message of ``lang``, flat and read-only: dotted key -> template, in the file's order (read once).

    Raises
    ------
    MessageError
        ``lang`` is not one of :data:`LANGS`.
    ~ntm_analysis.core.errors.DataFileError
        The file is not a mapping of text keys to non-empty text.
    """
    if lang not in LANGS:
        raise MessageError(f"unknown language {lang!r}: messages exist in {', '.join(LANGS)}")
    path = MESSAGES_DIR / f"{lang}.yaml"
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)  # noqa: S506 - a safe loader
    flat: dict[str, str] = {}
    faults: list[str] = []
    _flatten(data, "", flat, faults)
    if faults:
        from ntm_analysis.core.errors import DataFileError

        raise DataFileError(path, faults)
    return MappingProxyType(flat)


def _flatten(node: object, prefix: str, out: dict[str, str], faults: list[str]) -> None:
    if not isinstance(node, dict):
        faults.append(f"{prefix or 'top level'}: expected a mapping, found {type(node).__name__}")
        return
    for key, value in node.items():
        if not isinstance(key, str):  # an unquoted yes / no / 1 becomes a boolean or a number
            faults.append(f"{prefix}{key!r}: a key must be text (quote it)")
            continue
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            _flatten(value, f"{path}.", out, faults)
        elif isinstance(value, str) and value.strip():
            out[path] = value
        else:
            faults.append(f"{path}: expected non-empty text, found {value!r}")


def template(key: str, lang: str) -> str:
    """The message ``key`` in ``lang`` as written in the catalogue (placeholders not filled in)."""
    try:
        return catalogue(lang)[key]
    except KeyError:
        if lang not in LANGS:
            raise
        near = difflib.get_close_matches(key, catalogue(lang), n=3)
        hint = f"; did you mean {', '.join(near)}?" if near else ""
        raise MessageError(f"no message {key!r} in the {lang} catalogue ({MESSAGES_DIR / (lang + '.yaml')})"
                           f"{hint}") from None


def message(key: str, lang: str, **values: Any) -> str:
    """The message ``key`` in ``lang`` with ``values`` filled in (``message("report.status", "vi",
    year=2025)`` -> ``"Tình trạng từng làng năm 2025"``); values it does not use are ignored.

    Raises
    ------
    MessageError
        Unknown key or language, or a placeholder of the message without a value.
    """
    text = template(key, lang)
    try:
        return text.format(**values)
    except KeyError as exc:
        raise MessageError(f"message {key!r} needs a value for {{{exc.args[0]}}}") from None


def messages(prefix: str, lang: str) -> dict[str, str]:
    """Every message under ``prefix`` (a dotted path) in ``lang``, keyed by the rest of its key, in the
    catalogue's order; placeholders not filled in. Raises :class:`MessageError` when there is none."""
    start = f"{prefix}."
    found = {k[len(start):]: v for k, v in catalogue(lang).items() if k.startswith(start)}
    if not found:
        raise MessageError(f"no messages under {prefix!r} in the {lang} catalogue")
    return found


def bilingual(key: str, sep: str = " / ", **values: Any) -> str:
    """The Vietnamese and the English message side by side: ``"Tệp / File"``."""
    return sep.join(message(key, lang, **values) for lang in LANGS)


def placeholders(text: str) -> set[str]:
    """The field names of a template: ``{"year", "unit"}`` for ``"… {year} — {unit}"``."""
    return {name.split(".")[0].split("[")[0] for _, name, _, _ in string.Formatter().parse(text) if name}
