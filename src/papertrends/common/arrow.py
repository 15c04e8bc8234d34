"""Arrow arrays out of pandas columns, whatever chunks the columns arrived in.

A loaded collection's columns are Arrow ChunkedArrays, and how many chunks they have is not
ours to choose: DuckDB hands a table over a batch at a time, a store grown by an update returns
the updated rows as a chunk of their own (2,754 rows and 30), and pandas keeps the chunks when
it filters. ``pa.array(series)`` returns those chunks as they are. Arrow's compute functions
take them, but what they give back is chunked too: a dictionary encoding has no single
``.dictionary`` or ``.indices``, and parent indices and codes become lists of pieces. Code
that indexes numpy arrays by row position needs one contiguous array: ``contiguous`` makes
it, and the helpers below build on it, so no analysis ever depends on the chunks.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

Values = pd.Series | pd.Index | pa.Array | pa.ChunkedArray


def contiguous(values: Values) -> pa.Array:
    """``values`` as one Arrow array, row for row.

    A column already in one chunk is returned without a copy (so is an Arrow array); only a
    column in several chunks is copied into one. No chunk at all (an empty answer) gives an
    empty array of the column's type.
    """
    array = values if isinstance(values, pa.Array | pa.ChunkedArray) else pa.array(values)
    if isinstance(array, pa.Array):
        return array
    return array.chunk(0) if array.num_chunks == 1 else array.combine_chunks()


def flatten(lists: Values) -> tuple[np.ndarray, pa.Array]:
    """(row of each element, the elements) of a list column: the row is the list's position
    in ``lists``, counted from 0 over all of it, never within a chunk."""
    lists = contiguous(lists)
    return pc.list_parent_indices(lists).to_numpy(), pc.list_flatten(lists)


def list_lengths(lists: Values) -> np.ndarray:
    """Elements per row of a list column as int64, 0 for a missing list."""
    lengths = pc.fill_null(pc.list_value_length(contiguous(lists)), 0)
    return lengths.to_numpy().astype(np.int64)


def encode(values: Values) -> tuple[np.ndarray, pa.Array]:
    """(code per value, the distinct values): ``distinct[codes]`` gives ``values`` back.

    Codes are int64 numbers in order of first appearance, for numpy to count and group
    (``np.bincount``) without a Python object per value: a million papers carry millions of
    topic labels and names. ``values`` must have no nulls (fill or filter them first): a
    missing value has no code.
    """
    values = contiguous(values)
    if values.null_count:
        raise ValueError("encode needs values without nulls; fill or filter them first")
    encoded = pc.dictionary_encode(values)
    return encoded.indices.to_numpy().astype(np.int64), encoded.dictionary
