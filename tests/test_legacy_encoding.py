"""Tests for ntm_analysis.core.legacy_encoding: TCVN3 (ABC) and VNI-Windows text and CSV bytes."""

from __future__ import annotations

import codecs
import string
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ntm_analysis.core.legacy_encoding import (
    VIETNAMESE_LETTERS,
    decode_bytes,
    detect_legacy,
    encode_windows_1258,
    from_unicode,
    repair_legacy,
    to_unicode,
)

NAMES = ["Ia Krái", "Ia Chía", "Ia Dêr", "Ia Pếch", "Ia Grăng", "Ia Bă", "Làng Đê Kôn", "Nhà văn hóa", "Chưa đạt"]
HEADERS = [
    "Đạt", "Tên làng", "Mã làng", "Xã", "Ia Tô", "Thôn Tân Lập", "Nguyễn Văn Tiếng", "Uỷ ban nhân dân", "Mường Khương",
    "Quyết định 183/QĐ-UBND của UBND tỉnh", "Nghị quyết HĐND xã", "Decision 826/QĐ-UBND",
]  # fmt: skip
TONES = "\u0300\u0301\u0303\u0309\u0323"

# TCVN3 (VN3) byte -> letter, in byte order, as listed by GNU libiconv lib/tcvn.h (lowercase and
# the seven capitals that have a code); independent of the vowel-by-vowel tables of the module.
TCVN3_BYTES = dict(
    zip(
        [*range(0xA1, 0xAF), 0xB5, 0xB6, 0xB7, 0xB8, 0xB9, *range(0xBB, 0xBF), *range(0xC6, 0xCD), 0xCE, 0xCF,
         *range(0xD0, 0xD9), 0xDC, 0xDD, 0xDE, 0xDF, *range(0xE1, 0xF0), *range(0xF1, 0xFF)],
        "ĂÂÊÔƠƯĐăâêôơưđàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ",
        strict=True,
    )
)  # fmt: skip


# --- tables ----------------------------------------------------------------------------------


def test_there_are_134_distinct_nfc_letters() -> None:
    assert len(set(VIETNAMESE_LETTERS)) == 134
    assert all(unicodedata.is_normalized("NFC", c) and not c.isascii() for c in VIETNAMESE_LETTERS)
    assert {c.lower() for c in VIETNAMESE_LETTERS} == {c for c in VIETNAMESE_LETTERS if c.islower()}


@pytest.mark.parametrize(("byte", "letter"), sorted(TCVN3_BYTES.items()))
def test_tcvn3_table_matches_the_reference(byte: int, letter: str) -> None:
    assert to_unicode(chr(byte), "tcvn3") == letter
    assert from_unicode(letter, "tcvn3") == chr(byte)


def test_tcvn3_table_covers_every_letter() -> None:
    covered = set(TCVN3_BYTES.values())
    assert {c for c in VIETNAMESE_LETTERS if c.islower()} <= covered
    assert len(TCVN3_BYTES) == 74


@pytest.mark.parametrize("letter", [c for c in VIETNAMESE_LETTERS if c.isupper() and c not in "ĂÂÊÔƠƯĐ"])
def test_tcvn3_toned_capitals_use_the_lowercase_code(letter: str) -> None:
    assert from_unicode(letter, "tcvn3") == from_unicode(letter.lower(), "tcvn3")
    assert to_unicode(from_unicode(letter, "tcvn3"), "tcvn3") == letter.lower()


@pytest.mark.parametrize(
    ("unicode", "vni"),
    [
        ("à", "aø"), ("á", "aù"), ("ả", "aû"), ("ã", "aõ"), ("ạ", "aï"),
        ("ă", "aê"), ("ằ", "aè"), ("ắ", "aé"), ("ẳ", "aú"), ("ẵ", "aü"), ("ặ", "aë"),
        ("â", "aâ"), ("ầ", "aà"), ("ấ", "aá"), ("ẩ", "aå"), ("ẫ", "aã"), ("ậ", "aä"),
        ("ê", "eâ"), ("ế", "eá"), ("ô", "oâ"), ("ộ", "oä"),
        ("ì", "ì"), ("í", "í"), ("ỉ", "æ"), ("ĩ", "ó"), ("ị", "ò"),
        ("ơ", "ô"), ("ờ", "ôø"), ("ợ", "ôï"), ("ư", "ö"), ("ứ", "öù"), ("ữ", "öõ"),
        ("ũ", "uõ"), ("ỳ", "yø"), ("ỵ", "î"), ("ỹ", "yõ"), ("đ", "ñ"),
        ("À", "AØ"), ("Á", "AÙ"), ("Ạ", "AÏ"), ("Ă", "AÊ"), ("Ắ", "AÉ"), ("Â", "AÂ"), ("Ấ", "AÁ"),
        ("Ễ", "EÃ"), ("Ỉ", "Æ"), ("Ị", "Ò"), ("Ơ", "Ô"), ("Ớ", "ÔÙ"), ("Ư", "Ö"), ("Ự", "ÖÏ"),
        ("Ỵ", "Î"), ("Đ", "Ñ"),
    ],
)  # fmt: skip
def test_vni_table_spot_checks(unicode: str, vni: str) -> None:
    """Checked against duydev/vietnamese-conversion src/charsets.ts."""
    assert from_unicode(unicode, "vni") == vni
    assert to_unicode(vni, "vni") == unicode


@pytest.mark.parametrize("letter", VIETNAMESE_LETTERS)
def test_vni_codes_are_one_letter_or_a_base_letter_and_a_mark(letter: str) -> None:
    code = from_unicode(letter, "vni")
    base = unicodedata.normalize("NFD", letter)[0].replace("đ", "d").replace("Đ", "D")
    assert all(0x41 <= ord(c) <= 0xFF for c in code)
    assert len(code) == 1 or code[0] in (base, "ô", "Ô", "ö", "Ö")
    assert from_unicode(letter.upper(), "vni") == code.upper()


# --- conversion ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("legacy", "encoding", "unicode"),
    [
        ("Lµng", "tcvn3", "Làng"),
        ("Ia Kr¸i", "tcvn3", "Ia Krái"),
        ("Ch\xada ®¹t", "tcvn3", "Chưa đạt"),
        ("§¹t", "tcvn3", "Đạt"),
        ("LµNG", "tcvn3", "LàNG"),  # capitals with tones come out lowercase
        ("Laøng", "vni", "Làng"),
        ("Kraùi", "vni", "Krái"),
        ("Ñaït", "vni", "Đạt"),
        ("Chöa ñaït", "vni", "Chưa đạt"),
        ("LAØNG", "vni", "LÀNG"),
        ("Möôøng", "vni", "Mường"),
        ("Village 01", "vni", "Village 01"),
    ],
)
def test_to_unicode(legacy: str, encoding: str, unicode: str) -> None:
    result = to_unicode(legacy, encoding)
    assert result == unicode
    assert unicodedata.is_normalized("NFC", result)


def test_from_unicode_accepts_decomposed_text() -> None:
    assert from_unicode(unicodedata.normalize("NFD", "Làng Đê"), "vni") == "Laøng Ñeâ"


@pytest.mark.parametrize("function", [to_unicode, from_unicode])
def test_unknown_encoding_is_an_error(function) -> None:
    with pytest.raises(ValueError, match="viscii"):
        function("abc", "viscii")


lower = sorted({c for c in VIETNAMESE_LETTERS if c.islower()} | set(string.ascii_lowercase) | {" "})
tcvn3_safe = lower + list("ĂÂÊÔƠƯĐ" + string.ascii_uppercase)
everything = lower + [c for c in VIETNAMESE_LETTERS if c.isupper()] + list(string.ascii_uppercase)


@given(st.text(alphabet=tcvn3_safe))
def test_tcvn3_round_trip(text: str) -> None:
    assert to_unicode(from_unicode(text, "tcvn3"), "tcvn3") == text


@given(st.text(alphabet=everything))
def test_vni_round_trip(text: str) -> None:
    assert to_unicode(from_unicode(text, "vni"), "vni") == text


# --- detection -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Làng Ia Krái", "Đạt", "Chưa đạt", "Nhà văn hóa", "Ia Chía", "Kôn", "Ông", "Hoà", "Hoá", "TÊN LÀNG",
        "Village 01", "yes", "35.051", "0,75", "75%", "", " ", "2×3", "© 2020", "José", "São Paulo", "HĐND", "QĐ-UBND",
    ],
)  # fmt: skip
def test_unicode_ascii_and_numbers_are_not_legacy(text: str) -> None:
    assert detect_legacy(text) is None
    assert repair_legacy(text) == (text, None)


@pytest.mark.parametrize("text", NAMES + HEADERS)
def test_tcvn3_names_are_detected_and_repaired(text: str) -> None:
    legacy = from_unicode(text, "tcvn3")
    assert legacy != text
    assert detect_legacy(legacy) == "tcvn3"
    assert repair_legacy(legacy) == (text, "tcvn3")


@pytest.mark.parametrize("text", [n for n in NAMES + HEADERS if n != "Ia Chía"])
def test_vni_names_are_detected_and_repaired(text: str) -> None:
    legacy = from_unicode(text, "vni")
    assert detect_legacy(legacy) == "vni"
    assert repair_legacy(legacy) == (text, "vni")


def test_vni_text_identical_to_unicode_is_left_alone() -> None:
    """VNI writes ì and í as Unicode does, so "Ia Chía" looks the same in both."""
    assert from_unicode("Ia Chía", "vni") == "Ia Chía"
    assert detect_legacy("Ia Chía") is None


@pytest.mark.parametrize(
    ("legacy", "encoding", "unicode"),
    [
        ("cña", "tcvn3", "của"),  # VNI would give "cđa": đ never follows a lowercase letter
        ("ChÝa", "tcvn3", "Chía"),
        ("Ñaït", "vni", "Đạt"),  # TCVN3 would give "ẹaùt": two tones in one word
        ("Teân laøng", "vni", "Tên làng"),  # a VNI letter + mark sequence
        ("Tænh", "vni", "Tỉnh"),  # TCVN3 would give "Tổnh": -nh never follows ô
        ("Tæ 1", "tcvn3", "Tổ 1"),  # VNI "Tỉ 1" is as plausible: TCVN3 wins ties
        ("183/QÑ-UBND", "vni", "183/QĐ-UBND"),  # Ñ after a capital is VNI Đ, not TCVN3 ẹ
    ],
)
def test_cells_that_fit_both_encodings_pick_the_one_that_reads_as_vietnamese(legacy: str, encoding: str, unicode: str) -> None:
    assert repair_legacy(legacy) == (unicode, encoding)


def test_a_foreign_word_whose_tcvn3_reading_has_two_tones_is_not_legacy() -> None:
    assert to_unicode("Müllerstraße", "tcvn3") == "Mỹllerstraòe"
    assert detect_legacy("Müllerstraße") is None


INITIALS = ["", "b", "c", "ch", "d", "đ", "g", "gh", "gi", "h", "k", "kh", "l", "m", "n", "ng", "ngh", "nh", "p", "ph", "qu", "r", "s", "t", "th", "tr", "v", "x"]  # fmt: skip
# Vowel clusters and the index of the vowel that takes the tone (old and new placements).
RHYMES = [
    *((v, 0) for v in "aăâeêioôơuưy"),
    ("ai", 0), ("ao", 0), ("au", 0), ("ay", 0), ("âu", 0), ("ây", 0), ("eo", 0), ("êu", 0), ("ia", 0),
    ("iê", 1), ("iu", 0), ("oa", 0), ("oa", 1), ("oă", 1), ("oe", 0), ("oe", 1), ("oi", 0), ("ôi", 0),
    ("ơi", 0), ("ua", 0), ("uâ", 1), ("uê", 1), ("ui", 0), ("uô", 1), ("uơ", 1), ("uy", 0), ("uy", 1),
    ("ưa", 0), ("ưi", 0), ("ươ", 1), ("ưu", 0), ("yê", 1), ("iêu", 1), ("yêu", 1), ("oai", 1),
    ("oay", 1), ("uôi", 1), ("ươi", 1), ("ươu", 1), ("uya", 1), ("uyê", 2), ("uây", 1), ("oeo", 1),
]  # fmt: skip
FINALS = ["", "c", "ch", "m", "n", "ng", "nh", "p", "t"]


def _spelled(pair: tuple[str, tuple[str, int]]) -> bool:
    """False for "qu" before u/ư/o and "gi" before i, which Vietnamese never writes."""
    initial, (vowels, _) = pair
    return not (initial == "qu" and vowels[0] in "uưo") and not (initial == "gi" and vowels[0] == "i")


def _syllable(pair: tuple[str, tuple[str, int]], tone: str, final: str, case: str) -> str:
    initial, (vowels, at) = pair
    word = initial + vowels[:at] + unicodedata.normalize("NFC", vowels[at] + tone) + vowels[at + 1 :] + final
    return {"lower": word, "title": word[:1].upper() + word[1:], "upper": word.upper()}[case]


syllables = st.builds(
    _syllable,
    st.tuples(st.sampled_from(INITIALS), st.sampled_from(RHYMES)).filter(_spelled),
    st.sampled_from(["", *TONES]),
    st.sampled_from(FINALS),
    st.sampled_from(["lower", "title", "upper"]),
)
ascii_words = st.text(alphabet=string.ascii_letters + string.digits + ".,%-/", min_size=1, max_size=8)


@given(st.lists(st.one_of(syllables, ascii_words), min_size=1, max_size=8))
def test_proper_vietnamese_text_is_never_legacy(words: list[str]) -> None:
    assert detect_legacy(" ".join(words)) is None


@given(
    st.text(alphabet=[*VIETNAMESE_LETTERS, *string.ascii_letters, *string.digits, " "]),
    st.sampled_from([c for c in VIETNAMESE_LETTERS if ord(c) > 0xFF]),
    st.integers(min_value=0),
)
def test_text_with_any_letter_beyond_latin1_is_never_legacy(text: str, letter: str, at: int) -> None:
    at %= len(text) + 1
    assert detect_legacy(text[:at] + letter + text[at:]) is None


@given(st.text())
def test_detection_never_raises(text: str) -> None:
    encoding = detect_legacy(text)
    repaired, found = repair_legacy(text)
    assert encoding == found
    assert (repaired == text) if found is None else (repaired == to_unicode(text, found))


# --- decode_bytes ----------------------------------------------------------------------------

CSV = "Mã làng,Tên làng,Xã,Đạt\n0101,Làng Đê Kôn,Ia Krái,Chưa đạt\n0102,Làng Ia Chía,Ia Pếch,Đạt\n0103,Nhà văn hóa,Ia Grăng,Chưa đạt\n"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (CSV.encode("utf-8"), "utf-8"),
        (unicodedata.normalize("NFD", CSV).encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + CSV.encode("utf-8"), "utf-8-sig"),
        (encode_windows_1258(CSV), "windows-1258"),
        (from_unicode(CSV, "tcvn3").encode("latin-1"), "tcvn3"),
        (from_unicode(CSV, "vni").encode("latin-1"), "vni"),
    ],
)
def test_decode_bytes(data: bytes, encoding: str) -> None:
    assert decode_bytes(data) == (CSV, encoding)


@pytest.mark.parametrize("text", NAMES + HEADERS)
def test_decode_windows_1258_cells(text: str) -> None:
    assert decode_bytes(encode_windows_1258(text)) == (text, "windows-1258")


def test_one_impossible_word_vetoes_a_short_cell_but_not_a_long_file() -> None:
    stray = "Åland"  # Å has no TCVN3 code: it stays, and no Vietnamese word holds it
    assert detect_legacy(from_unicode("Làng Ia Krái", "tcvn3") + " " + stray) is None
    text = CSV * 3 + stray + "\n"
    assert decode_bytes(from_unicode(text, "tcvn3").encode("latin-1")) == (text, "tcvn3")


def test_encode_windows_1258_keeps_tones_as_combining_marks() -> None:
    assert encode_windows_1258("Làng") == b"La\xccng"
    assert encode_windows_1258("Đạt ư") == b"\xd0a\xf2t \xfd"


def test_decode_bytes_keeps_bad_bytes_visible() -> None:
    assert decode_bytes(codecs.BOM_UTF8 + b"\xff") == ("\ufffd", "utf-8-sig")
    assert decode_bytes(b"") == ("", "utf-8")


@given(st.binary())
def test_decode_bytes_never_raises(data: bytes) -> None:
    text, encoding = decode_bytes(data)
    assert encoding in {"utf-8-sig", "utf-8", "windows-1258", "tcvn3", "vni"}
    assert unicodedata.is_normalized("NFC", text)


@given(st.text().filter(lambda t: not t.startswith("\ufeff")))
def test_decode_bytes_reads_utf8(text: str) -> None:
    assert decode_bytes(text.encode("utf-8")) == (unicodedata.normalize("NFC", text), "utf-8")
    assert decode_bytes(codecs.BOM_UTF8 + text.encode("utf-8"))[0] == unicodedata.normalize("NFC", text)
