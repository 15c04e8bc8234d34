"""Columns in Arrow chunks, as a store grown by updates hands them over, for tests to build.

``Store.load`` after an update gives each column in several chunks (the updated rows in one
of their own); ``chunked`` makes any such layout, ``recombined`` the one-chunk frame to compare
with.
"""

from __future__ import annotations

from itertools import pairwise

import pandas as pd
import pyarrow as pa
from hypothesis import strategies as st


def whole_column(column: pd.Series) -> pa.Array:
    """The column's values as one Arrow array (``pa.array`` gives its chunks, if any)."""
    values = pa.array(column)
    return values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values


def n_chunks(column: pd.Series) -> int:
    values = pa.array(column)
    return values.num_chunks if isinstance(values, pa.ChunkedArray) else 1


def recombined(frame: pd.DataFrame) -> pd.DataFrame:
    """Every Arrow column of ``frame`` as one chunk."""
    return frame.apply(lambda column: pd.Series(pd.arrays.ArrowExtensionArray(
        whole_column(column)), index=column.index)
        if isinstance(column.dtype, pd.ArrowDtype) else column)


@st.composite
def chunked(draw: st.DrawFn, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with each Arrow column cut into two or more random chunks of its own:
    zero-copy slices, so they start at offsets, some of them empty; an empty column may have
    no chunk at all. (One chunk is what the answers are compared with.)"""
    columns = {}
    for name in frame.columns:
        column = frame[name]
        if not isinstance(column.dtype, pd.ArrowDtype):
            columns[name] = column
            continue
        whole = whole_column(column)
        cuts = draw(st.lists(st.integers(0, len(whole)), min_size=1, max_size=4))
        bounds = [0, *sorted(cuts), len(whole)]
        pieces = [whole.slice(start, end - start) for start, end in pairwise(bounds)]
        if not len(whole) and draw(st.booleans()):
            pieces = []
        columns[name] = pd.Series(pd.arrays.ArrowExtensionArray(
            pa.chunked_array(pieces, whole.type)), index=frame.index)
    result = pd.DataFrame(columns, index=frame.index)
    assert result.dtypes.equals(frame.dtypes)
    return result
