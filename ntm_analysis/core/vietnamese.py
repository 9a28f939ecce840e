"""Vietnamese text: Unicode NFC, whitespace, diacritic-insensitive matching keys and file-safe slugs."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"[\s\u00a0\u2000-\u200b\u202f\u205f\u3000\ufeff]+")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def nfc(text: str) -> str:
    """Return ``text`` in Unicode NFC (composed) form."""
    return unicodedata.normalize("NFC", text)


def clean_text(text: str) -> str:
    """NFC, with whitespace (including no-break and zero-width spaces) trimmed and collapsed to one space."""
    return _SPACES.sub(" ", nfc(text)).strip()


def strip_diacritics(text: str) -> str:
    """Remove Vietnamese tone and vowel marks: "Ia Krái" -> "Ia Krai", "Đắk" -> "Dak"."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return nfc("".join(ch for ch in decomposed if not unicodedata.combining(ch)))


def fold(text: str) -> str:
    """Matching key: cleaned, without diacritics, case-folded ("IA KRAI" == "Ia Krái")."""
    return strip_diacritics(clean_text(text)).casefold()


def slugify(text: str) -> str:
    """File-safe ASCII slug: "Ia Pếch" -> "ia-pech"; never empty, never a path."""
    slug = _NOT_SLUG.sub("-", fold(text)).strip("-")
    return slug or "unnamed"
