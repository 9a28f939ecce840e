"""Reading the clean values table that ``ntm clean`` writes (``indicator_values.parquet``).

A module of its own, importing pandas and pyarrow only, so that reading the table does not load the rest of the package.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

# Columns of the values table read as categories: each value repeats 30 times or more, so at national scale
# (tens of millions of rows) they load faster and take a fraction of the memory of text (benchmarks/README.md).
VALUE_KEYS = ["village_code", "indicator_code"]


def read_values(path: Path) -> pd.DataFrame:
    """The clean values table at ``path``, its ``VALUE_KEYS`` as categories in sorted order (so that
    sorting by them sorts as text would)."""
    values = pd.read_parquet(path, read_dictionary=VALUE_KEYS)
    for key in VALUE_KEYS:
        values[key] = sorted_categories(values[key])
    # arrow keeps the memory it read with for reuse (about 1 GB per 30 million rows); what comes next is numpy's
    pa.default_memory_pool().release_unused()
    return values


def sorted_categories(column: pd.Series, chunk: int = 1 << 20) -> pd.Series:
    """``column`` (categorical) with its categories sorted, the same values.

    pandas' ``reorder_categories`` would do, but it recodes through a 64-bit copy of the codes (240 MB for
    30 million rows); this recodes ``chunk`` rows at a time in the codes' own width.
    """
    categories = column.cat.categories
    if categories.is_monotonic_increasing:  # village codes usually are: `ntm clean` sorts by them
        return column
    order = categories.argsort()
    codes = column.cat.codes.to_numpy()
    position = np.empty(len(order) + 1, dtype=codes.dtype)
    position[order] = np.arange(len(order))
    position[-1] = -1  # a missing value (code -1) stays missing
    recoded = np.empty_like(codes)
    for start in range(0, len(codes), chunk):
        recoded[start:start + chunk] = position[codes[start:start + chunk]]
    return pd.Series(pd.Categorical.from_codes(recoded, dtype=pd.CategoricalDtype(categories.take(order))),
                     index=column.index, name=column.name, copy=False)
