"""Reading the clean values table: categorical keys, categories sorted, values unchanged."""

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from ntm_analysis.catalog import sorted_categories


@given(texts=st.lists(st.one_of(st.none(), st.sampled_from(["10", "2.1", "1", "19.2", "Ia Pếch", "a", "B"])),
                      min_size=0, max_size=60),
       chunk=st.sampled_from([1, 3, 1 << 20]))
def test_sorting_categories_keeps_every_value(texts, chunk):
    column = pd.Series(texts, dtype="category", name="indicator_code", index=range(5, 5 + len(texts)))
    column = column.cat.reorder_categories(column.cat.categories[::-1])  # reversed: needs recoding
    result = sorted_categories(column, chunk)
    assert list(result.cat.categories) == sorted(column.cat.categories)
    assert result.astype(object).where(result.notna(), None).tolist() == texts
    assert result.index.equals(column.index) and result.name == column.name


def test_already_sorted_categories_are_left_as_they_are():
    column = pd.Series(["0101", "0102", "0101"], dtype="category")
    assert sorted_categories(column) is column

