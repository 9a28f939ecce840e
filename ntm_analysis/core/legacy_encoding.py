"""Legacy Vietnamese encodings (TCVN3 / ABC and VNI-Windows) found in sheets typed with old .Vn fonts.

Such text reaches us as Unicode whose characters are the Latin-1 code points equal to the legacy
bytes: "Lµng" (TCVN3) or "Laøng" (VNI) for "Làng".

Tables are built from the 12 vowels x 6 tones (+ đ) and were checked against two public tables:
TCVN3 against GNU libiconv ``lib/tcvn.h`` (mirror koron/libiconv; all 74 TCVN3 codes agree),
VNI-Windows and TCVN3 against duydev/vietnamese-conversion ``src/charsets.ts``.

Limitation: TCVN3 (ABC) has no codes for uppercase letters with a tone mark; old sheets type them
with the lowercase code in an uppercase font (.VnTimeH). ``to_unicode`` therefore gives lowercase
toned letters ("LµNG" -> "LàNG") and ``from_unicode`` writes "À" as the code of "à". The capitals
Ă Â Ê Ô Ơ Ư Đ have their own codes (¡ ¢ £ ¤ ¥ ¦ §). TCVN3 "ư" is U+00AD, a soft hyphen.
"""

from __future__ import annotations

import re
import unicodedata

from ntm_analysis.core.vietnamese import nfc

ENCODINGS = ("tcvn3", "vni")

# Tone marks in the order used by every table below: grave, acute, hook above, tilde, dot below.
_TONE_MARKS = "\u0300\u0301\u0309\u0303\u0323"

# TCVN3 codes of each lowercase vowel with the five tones (order of _TONE_MARKS).
_TCVN3_TONED = {
    "a": "µ¸¶·¹",
    "ă": "»¾¼½Æ",
    "â": "ÇÊÈÉË",
    "e": "ÌÐÎÏÑ",
    "ê": "ÒÕÓÔÖ",
    "i": "×ÝØÜÞ",
    "o": "ßãáâä",
    "ô": "åèæçé",
    "ơ": "êíëìî",
    "u": "ïóñòô",
    "ư": "õøö÷ù",
    "y": "úýûüþ",
}
_TCVN3_PLAIN = {
    "ă": "¨", "â": "©", "ê": "ª", "ô": "«", "ơ": "¬", "ư": "\xad", "đ": "®",
    "Ă": "¡", "Â": "¢", "Ê": "£", "Ô": "¤", "Ơ": "¥", "Ư": "¦", "Đ": "§",
}  # fmt: skip

# VNI-Windows spells a letter as base + mark character; uppercase letters use the uppercase
# mark characters ("aø" = "à", "AØ" = "À"). Marks are listed untoned first, then _TONE_MARKS order.
_VNI_TONES = ("", "ø", "ù", "û", "õ", "ï")
_VNI_CIRCUMFLEX = ("â", "à", "á", "å", "ã", "ä")
_VNI_BREVE = ("ê", "è", "é", "ú", "ü", "ë")
_VNI_SPELLING = {
    "a": ("a", _VNI_TONES),
    "ă": ("a", _VNI_BREVE),
    "â": ("a", _VNI_CIRCUMFLEX),
    "e": ("e", _VNI_TONES),
    "ê": ("e", _VNI_CIRCUMFLEX),
    "o": ("o", _VNI_TONES),
    "ô": ("o", _VNI_CIRCUMFLEX),
    "ơ": ("ô", _VNI_TONES),
    "u": ("u", _VNI_TONES),
    "ư": ("ö", _VNI_TONES),
    "y": ("y", _VNI_TONES),
}
_VNI_I = "iìíæóò"  # i takes one character per tone
_VNI_Y_DOT = "î"  # ỵ is one character too


def _compose(vowel: str, tone: int) -> str:
    """Vowel with tone ``tone`` (0 = none, 1..5 = _TONE_MARKS), NFC."""
    return nfc(vowel + ("" if tone == 0 else _TONE_MARKS[tone - 1]))


def _tcvn3_lower_table() -> dict[str, str]:
    """Unicode -> TCVN3 for the 67 lowercase letters and the 7 plain capitals."""
    table = dict(_TCVN3_PLAIN)
    for vowel, codes in _TCVN3_TONED.items():
        table.update({_compose(vowel, tone + 1): code for tone, code in enumerate(codes)})
    return table


def _vni_lower_table() -> dict[str, str]:
    """Unicode -> VNI-Windows for the lowercase letters (plain a, e, i, o, u, y included)."""
    table = {"đ": "ñ"} | {_compose("i", tone): code for tone, code in enumerate(_VNI_I)}
    for vowel, (base, marks) in _VNI_SPELLING.items():
        table.update({_compose(vowel, tone): base + mark for tone, mark in enumerate(marks)})
    table[_compose("y", 5)] = _VNI_Y_DOT
    return table


_TCVN3_LOWER = _tcvn3_lower_table()
_VNI_LOWER = _vni_lower_table()
_VI_LOWER = sorted(letter for letter in _VNI_LOWER if not letter.isascii())
VIETNAMESE_LETTERS: tuple[str, ...] = tuple(_VI_LOWER) + tuple(c.upper() for c in _VI_LOWER)
"""The 134 non-ASCII Vietnamese letters: 67 lowercase (60 toned vowels, ă â ê ô ơ ư, đ) and their capitals."""

_TCVN3_TO_UNICODE = {code: letter for letter, code in _TCVN3_LOWER.items()}
# Capitals take the code of their lowercase letter, except the 7 capitals with a code of their own.
_TCVN3_FROM_UNICODE = {letter.upper(): code for letter, code in _TCVN3_LOWER.items()} | _TCVN3_LOWER
_VNI_FROM_UNICODE = {letter.upper(): code.upper() for letter, code in _VNI_LOWER.items()} | _VNI_LOWER
_VNI_TO_UNICODE = {code: letter for letter, code in _VNI_FROM_UNICODE.items() if code != letter}
_VNI_CODE = re.compile("|".join(sorted(map(re.escape, _VNI_TO_UNICODE), key=len, reverse=True)))

# --- detection -------------------------------------------------------------------------------
_VI_LATIN1 = frozenset(c for c in VIETNAMESE_LETTERS if 0x80 <= ord(c) <= 0xFF)
_TCVN3_CODES = frozenset(_TCVN3_TO_UNICODE)
_VNI_CHARS = frozenset("".join(_VNI_TO_UNICODE)) - frozenset("aeouyAEOUY")
_LEGACY_CHARS = _TCVN3_CODES | _VNI_CHARS
# TCVN3 codes that look like capitals but stand for lowercase letters ("ChÝa" = "Chía", "ViÖt" = "Việt").
_TCVN3_CAPITALS = frozenset(c for c in _TCVN3_CODES if c.isupper())
# Other TCVN3 codes that never occur in Unicode Vietnamese ("¸", "µ", "®", soft hyphen, ...).
_TCVN3_ONLY = _TCVN3_CODES - _VI_LATIN1 - _TCVN3_CAPITALS
# VNI single characters that never occur in Unicode Vietnamese (ñ = đ, ö = ư, æ = ỉ, î = ỵ).
_VNI_ONLY_SINGLES = frozenset(c for c in _VNI_TO_UNICODE if len(c) == 1) - _VI_LATIN1
# VNI letter + mark sequences; "oà", "oá", "oã" are left out: old-style Unicode writes "hoà", "hoá".
_VNI_SEQUENCE = re.compile(
    "|".join(
        re.escape(code)
        for code in _VNI_TO_UNICODE
        if len(code) == 2 and code.casefold() not in {"oà", "oá", "oã"}
    )
)
# Characters left over after a wrong conversion: legacy codes and Latin-1 letters that are not Vietnamese.
_SUSPICIOUS = (
    _LEGACY_CHARS | frozenset(chr(c) for c in range(0xC0, 0x100) if chr(c).isalpha())
) - _VI_LATIN1
_TONES = frozenset(_TONE_MARKS)
_WORD_BREAK = re.compile(r"[\s!-/:-@\[-`{-~]+")
_FINAL_NH_CH = re.compile(r"([^\W\d_])(?:nh|ch)\b", re.IGNORECASE)
_BEFORE_NH_CH = frozenset("aêiy")


def to_unicode(text: str, encoding: str) -> str:
    """Convert legacy-encoded text to Unicode NFC.

    Parameters
    ----------
    text : str
        Text whose characters are the Latin-1 code points of the legacy bytes.
    encoding : str
        "tcvn3" or "vni". Characters outside the encoding's table are kept as they are.

    Raises
    ------
    ValueError
        If ``encoding`` is not one of ``ENCODINGS``.
    """
    if encoding == "tcvn3":
        return nfc("".join(_TCVN3_TO_UNICODE.get(ch, ch) for ch in text))
    if encoding == "vni":
        return nfc(_VNI_CODE.sub(lambda m: _VNI_TO_UNICODE[m.group()], text))
    raise ValueError(f"unknown legacy encoding {encoding!r}; use one of {ENCODINGS}")


def from_unicode(text: str, encoding: str) -> str:
    """Write Unicode text in a legacy encoding (to make test data and sample sheets).

    For "tcvn3", uppercase letters with a tone mark get the lowercase code (see the module
    docstring), so only lowercase text and the capitals Ă Â Ê Ô Ơ Ư Đ round-trip.

    Raises
    ------
    ValueError
        If ``encoding`` is not one of ``ENCODINGS``.
    """
    if encoding == "tcvn3":
        table = _TCVN3_FROM_UNICODE
    elif encoding == "vni":
        table = _VNI_FROM_UNICODE
    else:
        raise ValueError(f"unknown legacy encoding {encoding!r}; use one of {ENCODINGS}")
    return "".join(table.get(ch, ch) for ch in nfc(text))


def _is_wordish(ch: str) -> bool:
    """True for letters and for TCVN3 codes (which stand for letters)."""
    return ch.isalpha() or ch in _TCVN3_CODES


def _tcvn3_evidence(text: str) -> bool:
    """True when ``text`` holds a TCVN3 code inside a word that proper Unicode cannot hold there."""
    padded = f" {text} "
    for i in range(1, len(padded) - 1):
        prev, ch, nxt = padded[i - 1], padded[i], padded[i + 1]
        if ch in _TCVN3_ONLY and (_is_wordish(prev) or _is_wordish(nxt)):
            return True
        if ch in _TCVN3_CAPITALS and _is_wordish(prev) and (prev.islower() or nxt.islower()):
            return True
    return False


def _vni_single_evidence(text: str) -> bool:
    """True when ``text`` holds a VNI-only letter (ñ, ö, æ, î and capitals) next to a letter."""
    padded = f" {text} "
    return any(
        padded[i] in _VNI_ONLY_SINGLES and (padded[i - 1].isalpha() or padded[i + 1].isalpha())
        for i in range(1, len(padded) - 1)
    )


def _is_bad_word(word: str) -> bool:
    """True when a converted word cannot be Vietnamese.

    That is: a stray code or non-Vietnamese letter, two tones, đ after a lowercase letter, a loose mark.
    """
    tones = 0
    for i, ch in enumerate(word):
        if ch in _SUSPICIOUS or ch == "\ufffd" or unicodedata.combining(ch):
            return True
        if ch in "đĐ" and i > 0 and word[i - 1].islower():
            return True
        tones += any(m in _TONES for m in unicodedata.normalize("NFD", ch))
    return tones > 1


def _bad_words(text: str) -> tuple[int, int]:
    """(number of bad words, number of words) of Unicode text."""
    words = [w for w in _WORD_BREAK.split(text) if w]
    return sum(map(_is_bad_word, words)), len(words)


def _odd_finals(text: str) -> int:
    """Number of words ending in -nh/-ch after a vowel other than a, ê, i, y ("tổnh"): not Vietnamese."""
    return sum(
        nfc("".join(c for c in unicodedata.normalize("NFD", m.group(1)) if c not in _TONES)).lower()
        not in _BEFORE_NH_CH
        for m in _FINAL_NH_CH.finditer(text)
    )


def _plausible(text: str) -> bool:
    """True when at most 5 % of the words of converted text look wrong (none in short text)."""
    bad, total = _bad_words(text)
    return bad <= total // 20


def detect_legacy(text: str) -> str | None:
    """Guess whether ``text`` is TCVN3 or VNI text read as Latin-1; conservative.

    Returns "tcvn3", "vni" or None. Text holding any letter beyond Latin-1 (ư, ạ, ...) is Unicode.
    TCVN3 needs a code that Unicode Vietnamese never uses ("¸", "®", ...) or a lowercase code that
    looks like a capital inside a word ("ChÝa"); VNI needs a letter + mark sequence ("aø", "eâ")
    or a VNI-only letter ("ñ"). The text converted with the guessed encoding must then read as
    Vietnamese words. When both fit, a VNI letter + mark sequence decides for VNI, else the reading
    with fewer impossible -nh/-ch endings ("Tænh" is VNI "Tỉnh", not TCVN3 "Tổnh"), else TCVN3.
    Known blind spots: VNI text whose letters are all identical to Unicode ("Ia Chía"), TCVN3 text
    whose codes are all ordinary lowercase letters ("sè hé" = "số hộ") or capitals only ("CHÝA")
    are not detected; a foreign word with one umlaut ("Zürich") is taken for TCVN3 ("Zỹrich").
    """
    if not any(ch in _LEGACY_CHARS for ch in text):
        return None
    if any(ch.isalpha() and ord(ch) > 0xFF for ch in text):
        return None
    tcvn3_text, vni_text = to_unicode(text, "tcvn3"), to_unicode(text, "vni")
    tcvn3 = _tcvn3_evidence(text) and _plausible(tcvn3_text)
    vni_sequence = _VNI_SEQUENCE.search(text) is not None
    vni = (vni_sequence or _vni_single_evidence(text)) and _plausible(vni_text)
    if vni and tcvn3 and not vni_sequence:
        return "vni" if _odd_finals(vni_text) < _odd_finals(tcvn3_text) else "tcvn3"
    if vni:
        return "vni"
    return "tcvn3" if tcvn3 else None


def repair_legacy(text: str) -> tuple[str, str | None]:
    """Return (Unicode text, detected encoding), or (``text`` unchanged, None) when not legacy."""
    encoding = detect_legacy(text)
    if encoding is None:
        return text, None
    return to_unicode(text, encoding), encoding


_CANDIDATE_CHARS = {"tcvn3": _TCVN3_CODES, "vni": frozenset("".join(_VNI_TO_UNICODE)) - frozenset("aeiouyAEIOUY")}
SHEET_EVIDENCE = 2  # cells detected on their own before a sheet counts as typed in a legacy encoding


def is_candidate(text: str, encoding: str) -> bool:
    """Whether ``text`` could be ``encoding``: it holds one of its codes and no letter beyond Latin-1 (which
    only Unicode has)."""
    chars = _CANDIDATE_CHARS[encoding]
    return any(ch in chars for ch in text) and not any(ch.isalpha() and ord(ch) > 0xFF for ch in text)


def sheet_encoding(texts: list[str]) -> str | None:
    """The legacy encoding a sheet is typed in, from the evidence of all its distinct texts; None if Unicode.

    A sheet counts as TCVN3 (or VNI) when at least ``SHEET_EVIDENCE`` of its texts are detected as such on
    their own (:func:`detect_legacy`), more than of the other encoding, and they are at least half of
    the texts that could be that encoding at all. Short cells that say too little on their own ("Sè hé",
    "Vônih") can then be read in the sheet's encoding (:func:`convert_in_sheet`).
    """
    detected = [detect_legacy(t) for t in texts]
    counts = {e: detected.count(e) for e in ENCODINGS}
    best = max(ENCODINGS, key=lambda e: counts[e])
    other = counts["vni" if best == "tcvn3" else "tcvn3"]
    candidates = sum(is_candidate(t, best) for t in texts)
    if counts[best] < SHEET_EVIDENCE or counts[best] <= other or 2 * counts[best] < candidates:
        return None
    return best


def convert_in_sheet(text: str, encoding: str) -> str | None:
    """``text`` read in the sheet's ``encoding`` when it says too little on its own ("Sè hé" -> "Số hộ").

    None when the text cannot be that encoding or the converted text does not read as Vietnamese. The
    caller decides from the text's row and column that the text was typed with the sheet's legacy font.
    """
    if not is_candidate(text, encoding):
        return None
    converted = to_unicode(text, encoding)
    return converted if converted != nfc(text) and _plausible(converted) else None


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode a CSV file's bytes to NFC text; never raises.

    Returns
    -------
    tuple[str, str]
        The text and the encoding used: "utf-8-sig" (BOM), "utf-8", "tcvn3" or "vni" (legacy
        text, converted), else "windows-1258" (undecodable bytes become U+FFFD). Legacy text is
        chosen only when it reads better than the Windows-1258 reading.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return nfc(data[3:].decode("utf-8", errors="replace")), "utf-8-sig"
    try:
        return nfc(data.decode("utf-8")), "utf-8"
    except UnicodeDecodeError:
        pass
    windows = nfc(data.decode("cp1258", errors="replace"))
    latin = data.decode("latin-1")
    encoding = detect_legacy(latin)
    if encoding is not None:
        converted = to_unicode(latin, encoding)
        if _bad_words(converted)[0] < _bad_words(windows)[0]:
            return converted, encoding
    return windows, "windows-1258"


_WINDOWS_1258_TONES = "\u0300\u0301\u0303\u0309\u0323"  # grave, acute, tilde, hook above, dot below


def encode_windows_1258(text: str) -> bytes:
    """Encode text the way Windows-1258 stores Vietnamese: vowel shapes precomposed, tones combining.

    "Làng" -> b"La\\xccng" ("a" + combining grave); used to make test files and the sample's CSV.
    """
    out = []
    for ch in unicodedata.normalize("NFC", text):
        decomposed = unicodedata.normalize("NFD", ch)
        tones = "".join(c for c in decomposed if c in _WINDOWS_1258_TONES)
        base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _WINDOWS_1258_TONES))
        out.append(base + tones)
    return "".join(out).encode("cp1258")
