"""The search box's word index gives exactly the papers a scan of every text would."""

from __future__ import annotations

import itertools
import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from papertrends.collection import schema
from papertrends.collection.filters import Filters, search_terms
from papertrends.collection.loaded import Collection
from papertrends.indexes import search_index as search_index_module
from papertrends.indexes.search_index import build_search_index, term_pattern

EDGE_TEXTS = [
    "GPT-4's 3D scene: agents, Agentic RL (RLHF) and the world model.",
    "C++ and .NET; über-efficient ÜBER models\ttabbed\r\nlines",
    "", "   ", "-leading and trailing-", "large language models; large-scale language",
    "x_y under_scores 1.5B 7b-instruct \u03b1-\u03b2 \u00bd 北京 大学",  # alpha-beta, one half
]


def _scan(texts: list[str], term: str) -> np.ndarray:
    """What the search did before the index: the pattern over every lower-cased text."""
    lowered = pc.utf8_lower(pa.array(texts))
    return pc.match_substring_regex(lowered, term_pattern(term)).to_numpy(zero_copy_only=False)


def _indexed(texts: list[str], term: str) -> np.ndarray:
    index = build_search_index(pa.array(texts))
    return index.matching(term, lambda rows: pa.array(texts).take(pa.array(rows)))


PUNCTUATED_TERMS = ["gpt-4", "gpt-4's", "c++", ".net", "(rl)", "large language", "large lang",
                   "language models;", "über-eff", "-", "++", "7b-in", "½", "北京 大", "x_y",
                   "1.5b", "missing", "a"]


def _terms_from(texts: list[str], every: int) -> list[str]:
    """Words, their first letters and neighbouring pairs from ``texts`` (every ``every``-th of
    them, sorted: each term costs a scan), and terms with punctuation."""
    terms: set[str] = set()
    for text in texts:
        words = [w for w in re.split(r"[\W_]+", text.lower()) if w]
        for word in words:
            terms.update({word, word[:1], word[:3]})
        terms.update(" ".join(pair) for pair in itertools.pairwise(words))
    return sorted(terms)[::every] + PUNCTUATED_TERMS


@pytest.fixture(scope="module")
def seed_texts(seed_store) -> list[str]:
    papers = seed_store.load()
    return (papers["title"].fillna("") + "\n" + papers["abstract"].fillna("")).tolist()


def test_the_index_finds_what_a_scan_finds_on_the_seed(seed_texts) -> None:
    texts = seed_texts + EDGE_TEXTS
    terms = _terms_from(texts, every=150)
    index = build_search_index(pa.array(texts))
    row_texts = lambda rows: pa.array(texts).take(pa.array(rows))  # noqa: E731
    for term in terms:
        found = index.matching(term, row_texts)
        assert found.tolist() == _scan(texts, term).tolist(), term
    assert _scan(texts, "agent").sum() > 10  # the comparison is not between empty answers


def test_an_index_built_in_blocks_and_chunks_equals_one_built_at_once(seed_texts,
                                                                       monkeypatch) -> None:
    """A large collection is read from the store a block at a time and split into chunks;
    each word's rows must come out whole and ascending all the same."""
    texts = seed_texts + EDGE_TEXTS
    whole = build_search_index(pa.array(texts))
    monkeypatch.setattr(search_index_module, "CHUNK_ROWS", 7)
    blocks = [pa.chunked_array([texts[:20], texts[20:30]]), pa.array(texts[30:61]),
              pa.array(texts[61:])]
    pieces = build_search_index(blocks)
    assert pieces.words.tolist() == whole.words.tolist()
    assert pieces.starts.tolist() == whole.starts.tolist()
    assert pieces.rows.tolist() == whole.rows.tolist()
    agents = pieces.with_word("agents").tolist()
    assert agents == sorted(set(agents)) and len(agents) > 10


@settings(max_examples=150, deadline=None)
@given(st.lists(st.text(alphabet="aAbB-_ .'é1É\n", max_size=30), min_size=1, max_size=6),
       st.text(alphabet="abB-_ .'é1", min_size=1, max_size=6))
def test_the_index_finds_what_a_scan_finds_on_any_text(texts: list[str], raw: str) -> None:
    for term in search_terms(raw):
        assert _indexed(texts, term).tolist() == _scan(texts, term).tolist()


def test_a_store_collection_searches_with_the_index_saved_beside_it(seed_store, monkeypatch
                                                                    ) -> None:
    in_memory = Collection(seed_store.load())  # abstracts in the frame, no cache: built here
    first = Collection.from_store(seed_store)  # abstracts left in the store
    first.prepare_indexes()
    monkeypatch.setattr(search_index_module, "build_search_index", _must_not_build)
    monkeypatch.setattr("papertrends.indexes.term_cache.build_search_index", _must_not_build)
    again = Collection.from_store(seed_store)  # a fresh dashboard process: loads the file
    for query in ("agent", '"language model"', "gui agent", "rl", "3d", "zzz"):
        filters = Filters(search=query)
        expected = filters.mask(in_memory)
        assert filters.mask(again).tolist() == expected.tolist(), query
    assert Filters(search="agent").mask(again).sum() > 5
    # Mapped, not read: at a million papers the row lists are half a gigabyte.
    assert all(isinstance(segment.search.rows, np.memmap)
               for segment in again.search_index.segments)


def test_a_changed_collection_gets_a_new_index(fresh_store, taxonomy) -> None:
    fresh_store.ingest([("one", schema.to_table([
        {"paper_id": "p1", "title": "Agents at work"}]))], taxonomy)
    Collection.from_store(fresh_store).prepare_indexes()
    fresh_store.ingest([("two", schema.to_table([
        {"paper_id": "p2", "title": "Quantum agents", "abstract": "Qubits."}]))], taxonomy)
    later = Collection.from_store(fresh_store)
    assert set(later.papers["paper_id"][Filters(search="qubit").mask(later)]) == {"p2"}
    assert set(later.papers["paper_id"][Filters(search="agents").mask(later)]) == {"p1", "p2"}


def _must_not_build(*args, **kwargs):
    raise AssertionError("the saved index should have been used")


def test_many_terms_with_punctuation_read_the_text_once_and_answer_as_each_alone(seed_texts):
    """Every term with punctuation needs its candidates' text; a search of several reads it
    once, for the rows all the terms' words leave, and finds what the terms one by one find."""
    texts = seed_texts + EDGE_TEXTS
    index = build_search_index(pa.array(texts))
    reads: list[int] = []

    def row_texts(rows):
        reads.append(len(rows))
        return pa.array(texts).take(pa.array(rows))

    for terms in (["gpt-4", "the world", "agents,"], ["large lang", "language models;"],
                  ["of-the", "in-the", "a.b", "gpt-4"], ["agent", "model"]):
        each = np.logical_and.reduce([_scan(texts, term) for term in terms])
        reads.clear()
        assert index.matching_all(terms, row_texts).tolist() == each.tolist(), terms
        punctuated = [t for t in terms if not re.fullmatch(r"[^\W_]+", t)]
        assert len(reads) == (1 if punctuated else 0), terms
        together = np.logical_and.reduce([index.candidates(term)[0] for term in terms])
        assert not reads or reads[0] == together.sum(), "only rows every term's words leave"
