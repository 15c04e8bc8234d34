"""The shared filters select the same papers whatever Arrow chunks the collection arrives in:
a store grown by updates hands each column over in several (see ``chunking``)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pyarrow as pa
import pytest
from chunking import chunked
from hypothesis import given, settings
from hypothesis import strategies as st

from papertrends.collection.filters import Filters
from papertrends.collection.loaded import Collection

FILTERS = [
    Filters(),
    Filters(date_from=dt.date(2025, 1, 1), date_to=dt.date(2025, 12, 31)),
    Filters(topics=("Agents", "Other")),
    Filters(search="diffusion"),
    Filters(search='"language model" agent'),
    Filters(min_upvotes=5),
    Filters(authors_min=2, authors_max=8),
    Filters(has_code="yes"),
    Filters(has_code="no", topics=("Agents",)),
]


def selections(collection: Collection) -> dict[str, object]:
    """What a page reads off a collection: each filter's rows, the topics, and what the
    Keywords page asks before it counts."""
    return {"masks": [f.mask(collection).tolist() for f in FILTERS],
            "topics": collection.topics, "has_ai_keywords": collection.has_ai_keywords,
            "search_texts": collection.search_texts().to_pylist()}


@pytest.fixture(scope="module")
def one_chunk(seed_papers: pd.DataFrame) -> dict[str, object]:
    return selections(Collection(seed_papers))


def test_the_filters_select_papers_on_the_seed(one_chunk):
    counts = [sum(mask) for mask in one_chunk["masks"]]
    assert counts[0] == 98 and all(0 < n < 98 for n in counts[1:])


@settings(max_examples=20, deadline=None)
@given(data=st.data())
def test_chunks_never_change_which_papers_a_filter_keeps(seed_papers, one_chunk,
                                                         data: st.DataObject):
    assert selections(Collection(data.draw(chunked(seed_papers)))) == one_chunk


def test_a_missing_list_in_a_later_chunk_counts_as_empty(seed_papers):
    """Lists are empty when unknown, but a null list (a frame from elsewhere) in a chunk
    must read as one: the Keywords page asks whether any paper has keywords."""
    keywords = pa.chunked_array([pa.array([["agents"]] + [[]] * 96, pa.list_(pa.string())),
                                 pa.array([None], pa.list_(pa.string()))])
    papers = seed_papers.assign(ai_keywords=pd.arrays.ArrowExtensionArray(keywords))
    assert Collection(papers).has_ai_keywords
