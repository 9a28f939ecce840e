import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from ntm_analysis.core.vietnamese import clean_text, fold, slugify


def test_clean_text_composes_and_collapses_whitespace():
    decomposed = unicodedata.normalize("NFD", "Ia  Krái\u00a0 ")
    assert clean_text(decomposed) == "Ia Krái"
    assert clean_text("\ufeffLàng\u200b Đê") == "Làng Đê"


def test_fold_matches_spelling_variants():
    assert fold("Ia Krái") == fold("Ia Krai") == fold("IA KRAI") == fold(" ia   KRÁI ") == "ia krai"
    assert fold("Ia Dêr") == fold("Ia Der")
    assert fold("Đắk Lắk") == "dak lak"


def test_fold_distinguishes_different_names():
    assert fold("Ia Bă") != fold("Ia Ba Ria")
    assert fold("Ia Kha") != fold("Ia Khai")


def test_slugify_is_file_safe():
    assert slugify("Ia Pếch") == "ia-pech"
    assert slugify("../../x") == "x"
    assert slugify("Xã \"Ia O\"\n") == "xa-ia-o"
    assert slugify("///") == "unnamed"


@given(st.text())
def test_clean_text_and_fold_are_idempotent(text):
    once = clean_text(text)
    assert clean_text(once) == once
    assert unicodedata.is_normalized("NFC", once)
    assert fold(fold(text)) == fold(text)


@given(st.text())
def test_slug_never_escapes(text):
    slug = slugify(text)
    assert slug and "/" not in slug and "." not in slug and "\\" not in slug
