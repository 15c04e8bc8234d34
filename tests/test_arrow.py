"""The Arrow helpers: one contiguous array, row for row, whatever chunks a column came in."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pytest

from papertrends.common import arrow


def column(*chunks: list, type: pa.DataType) -> pd.Series:
    """A pandas column in these Arrow chunks, as a grown store's ``Store.load`` gives it."""
    return pd.Series(pd.arrays.ArrowExtensionArray(
        pa.chunked_array([pa.array(chunk, type) for chunk in chunks], type)))


LISTS = pa.list_(pa.string())


def test_a_column_in_chunks_becomes_one_array_row_for_row():
    values = arrow.contiguous(column([3, None], [], [5], type=pa.int64()))
    assert isinstance(values, pa.Array)
    assert values.to_pylist() == [3, None, 5]


def test_a_column_in_one_chunk_is_not_copied():
    one = pa.array(["a", "b", "c"]).slice(1)  # a slice, as a filter or DuckDB may hand over
    values = arrow.contiguous(pd.Series(pd.arrays.ArrowExtensionArray(pa.chunked_array([one]))))
    assert values.buffers()[2].address == one.buffers()[2].address
    assert values.to_pylist() == ["b", "c"]


def test_no_chunk_at_all_is_an_empty_array_of_the_column_type():
    values = arrow.contiguous(column(type=LISTS))
    assert len(values) == 0 and values.type == LISTS


def test_list_elements_know_their_row_in_the_whole_column_not_in_their_chunk():
    lists = column([["Agents"], []], [["Vision", "Agents"]], [None, ["Robotics"]], type=LISTS)
    rows, elements = arrow.flatten(lists)
    assert rows.tolist() == [0, 2, 2, 4]
    assert elements.to_pylist() == ["Agents", "Vision", "Agents", "Robotics"]


def test_list_lengths_count_a_missing_list_as_empty():
    lengths = arrow.list_lengths(column([["a", "b"]], [None, []], type=LISTS))
    assert lengths.tolist() == [2, 0, 0]


def test_codes_are_shared_across_chunks_in_order_of_first_appearance():
    codes, distinct = arrow.encode(column(["b", "a"], ["b", "c"], type=pa.string()))
    assert codes.tolist() == [0, 1, 0, 2]
    assert distinct.to_pylist() == ["b", "a", "c"]
    assert distinct.take(pa.array(codes)).to_pylist() == ["b", "a", "b", "c"]


def test_a_missing_value_has_no_code():
    with pytest.raises(ValueError, match="without nulls"):
        arrow.encode(column(["a"], [None], type=pa.string()))
