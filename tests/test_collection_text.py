"""The dashboard's collection leaves the abstracts in the store: every answer stays the same."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from papertrends.collection import schema
from papertrends.collection.filters import Filters
from papertrends.collection.loaded import Collection
from papertrends.indexes.term_cache import TermCache


@pytest.fixture(scope="module")
def in_memory(seed_store) -> Collection:
    return Collection(seed_store.load())


@pytest.fixture
def lazy(seed_store, tmp_path) -> Collection:
    """As the dashboard opens it, with its own term cache (the seed store is shared)."""
    collection = Collection.from_store(seed_store)
    collection._term_cache = TermCache(tmp_path / "terms")
    return collection


def test_the_abstracts_are_not_loaded_at_start(lazy) -> None:
    assert not set(schema.LONG_TEXT_COLUMNS) & set(lazy.papers.columns)
    assert len(lazy) == 98


@pytest.mark.parametrize("query", ["agent", '"reinforcement learning"', "diffusion video",
                                   "zzzz-no-such-word"])
def test_search_finds_the_same_papers(in_memory, lazy, query) -> None:
    filters = Filters(search=query)
    assert (filters.mask(lazy) == filters.mask(in_memory)).all()


def test_a_download_has_every_column_of_the_selected_rows(in_memory, lazy) -> None:
    mask = Filters(search="agent").mask(lazy)
    assert 0 < mask.sum() < len(lazy)
    downloaded = lazy.with_text(mask)
    assert list(downloaded.columns) == list(schema.COLUMN_NAMES)
    # The stored columns: not the featured day the collection derives on load.
    pd.testing.assert_frame_equal(downloaded, in_memory.papers.loc[mask, list(schema.COLUMN_NAMES)])


def test_texts_are_read_for_the_rows_asked_in_their_order(in_memory, lazy) -> None:
    rows = np.array([97, 0, 42])
    texts = lazy.texts(rows, ("abstract",))
    assert texts.index.tolist() == [97, 0, 42]
    assert texts["abstract"].tolist() == in_memory.papers["abstract"].iloc[rows].tolist()
    assert lazy.texts(np.array([], dtype=int)).empty


def test_keyword_counts_are_the_same(in_memory, lazy) -> None:
    ours, theirs = lazy.term_index("both"), in_memory.term_index("both")
    assert ours.terms.tolist() == theirs.terms.tolist()
    assert (ours.counts != theirs.counts).nnz == 0


def test_an_unknown_paper_has_no_text(seed_store) -> None:
    known = seed_store.load(with_text=False)["paper_id"].iloc[0]
    texts = seed_store.texts([known, "no-such-paper", known], ("abstract",))
    abstracts = texts["abstract"].to_pylist()
    assert abstracts[0] and abstracts[2] == abstracts[0] and abstracts[1] is None


def test_papers_without_their_texts_need_a_store(seed_store) -> None:
    with pytest.raises(ValueError, match="need the store"):
        Collection(seed_store.load(with_text=False))


def test_texts_are_read_by_position_in_the_order_asked(seed_store) -> None:
    papers = seed_store.load()
    texts = seed_store.texts_at([97, 0, 10**6, 97], ("title", "abstract"))
    assert texts["paper_id"].to_pylist() == [papers["paper_id"].iloc[97],
                                             papers["paper_id"].iloc[0], None,
                                             papers["paper_id"].iloc[97]]
    assert texts["abstract"][1].as_py() == papers["abstract"].iloc[0]
    assert texts["title"][2].as_py() is None


def test_a_frame_whose_positions_hold_other_papers_reads_its_texts_by_id(seed_store) -> None:
    """A store file replaced under a running dashboard: its positions name other papers,
    and each row still gets its own paper's text."""
    papers = seed_store.load(with_text=False).iloc[::-1].reset_index(drop=True)
    collection = Collection(papers, store=seed_store)
    texts = collection.texts(np.array([0, 5]), ("abstract",))
    expected = seed_store.texts(papers["paper_id"].iloc[[0, 5]], ("abstract",))
    assert texts["abstract"].tolist() == expected["abstract"].to_pylist()
