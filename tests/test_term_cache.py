"""The term cache beside the store: same answers as counting afresh, and each text analysed once."""

from __future__ import annotations

import shutil

import numpy as np
import pyarrow as pa
import pytest
from click.testing import CliRunner

from papertrends.cli import main
from papertrends.collection import schema
from papertrends.collection.enrich import enrich
from papertrends.indexes import term_cache, terms
from papertrends.indexes.term_cache import TermCache
from papertrends.indexes.terms import RawCounts, build_term_index, count_raw, text_for


@pytest.fixture
def store(seed_store, tmp_path):
    """A writable copy of the seed store (the cache folder lives beside it)."""
    copy = type(seed_store)(tmp_path / "papers.duckdb")
    shutil.copy(seed_store.path, copy.path)
    return copy


def same_index(a: terms.TermIndex, b: terms.TermIndex) -> None:
    assert a.terms.tolist() == b.terms.tolist()
    assert a.labels.tolist() == b.labels.tolist()
    assert a.stems == b.stems
    assert (a.counts != b.counts).nnz == 0 and a.counts.shape == b.counts.shape


@pytest.mark.parametrize("source", ["both", "titles", "abstracts"])
def test_the_cache_gives_the_index_counted_afresh(store, source):
    papers = store.load()
    same_index(TermCache.beside(store.path).index(papers, source),
               build_term_index(papers, source))


def test_a_new_process_reads_the_index_without_analysing(store, analysed):
    papers = store.load()
    first = TermCache.beside(store.path).index(papers)
    assert analysed == [98, 98]  # titles and abstracts, once each
    again = TermCache.beside(store.path).index(papers)  # as a restarted dashboard would
    assert analysed == [98, 98]
    same_index(first, again)


def test_after_an_ingest_only_new_and_changed_papers_are_analysed(store, taxonomy, analysed):
    cache = TermCache.beside(store.path)
    before = store.load()
    cache.index(before)
    changed = before.iloc[[0]].assign(abstract="Quantum annealers schedule quantum circuits.")
    new = before.iloc[[1]].assign(paper_id="2511.99999", title="Quantum error correction",
                                  abstract="Surface codes protect quantum circuits.")
    table = schema.conform(pa.Table.from_pandas(
        changed.drop(columns=["last_updated"]), preserve_index=False))
    table = pa.concat_tables([table, schema.conform(pa.Table.from_pandas(
        new.drop(columns=["first_seen", "last_updated"]), preserve_index=False))])
    store.ingest([("test", enrich(table, taxonomy))], taxonomy)
    analysed.clear()

    after = store.load()
    index = cache.index(after)
    assert analysed == [2, 2]  # one changed, one new: titles and abstracts
    same_index(index, build_term_index(after))
    papers_with = dict(zip(index.terms.tolist(), index.totals()[0], strict=True))
    assert papers_with["quantum circuits"] == 2  # the changed abstract and the new one


def test_other_papers_or_another_order_never_get_the_saved_rows(store, analysed):
    """Saved rows stand for papers at positions: the same papers in another order, or
    fewer of them (a store rebuilt), get an index of their own, the one counted afresh."""
    papers = store.load()
    cache = TermCache.beside(store.path)
    cache.index(papers)
    for subset in (papers.iloc[::-1], papers.iloc[5:], papers):
        subset = subset.reset_index(drop=True)
        same_index(cache.index(subset), build_term_index(subset, "both"))


def test_a_damaged_segment_is_rebuilt_not_fatal(store):
    papers = store.load()
    cache = TermCache.beside(store.path)
    cache.index(papers)
    for path in cache.folder.glob("segment-*.npz"):
        path.write_bytes(b"not a numpy file")
    term_cache._SEGMENTS.clear()
    same_index(TermCache.beside(store.path).index(papers), build_term_index(papers))


def test_a_damaged_cache_file_is_rebuilt_not_fatal(store):
    papers = store.load()
    cache = TermCache.beside(store.path)
    cache.index(papers)
    for path in cache.folder.glob("*.npz"):
        path.write_bytes(b"not a numpy file")
    same_index(TermCache.beside(store.path).index(papers), build_term_index(papers))


def test_worker_processes_count_what_one_process_counts(seed_store, monkeypatch):
    texts = text_for(seed_store.load(), "abstracts")
    monkeypatch.setattr(terms, "_PARALLEL_MIN_TEXTS", 10)
    monkeypatch.setattr(terms, "_CHUNK_TEXTS", 40)  # three chunks over two processes
    parallel, serial = count_raw(texts, workers=2), count_raw(texts, workers=1)
    assert parallel.vocabulary.tolist() == serial.vocabulary.tolist()
    assert (parallel.counts != serial.counts).nnz == 0


def test_titles_plus_abstracts_is_both(seed_store):
    papers = seed_store.load()
    both = count_raw(text_for(papers, "titles")) + count_raw(text_for(papers, "abstracts"))
    alone = count_raw(text_for(papers, "both"))
    assert both.vocabulary.tolist() == alone.vocabulary.tolist()
    assert (both.counts != alone.counts).nnz == 0


def test_stacking_keeps_rows_and_joins_vocabularies():
    top = count_raw(["sparse attention heads"])
    bottom = count_raw(["diffusion policy", "sparse attention"])
    stacked = RawCounts.stack([top, bottom])
    column = {term: i for i, term in enumerate(stacked.vocabulary.tolist())}
    dense = stacked.counts.toarray()
    assert dense.shape[0] == 3
    assert dense[:, column["sparse attention"]].tolist() == [1, 0, 1]
    assert dense[:, column["diffusion policy"]].tolist() == [0, 1, 0]
    assert np.array_equal(dense.sum(axis=1) > 0, [True, True, True])


def test_ingest_leaves_the_index_ready_for_the_dashboard(tmp_path, seed_path, analysed):
    db = tmp_path / "papers.duckdb"
    result = CliRunner().invoke(main, ["-q", "ingest", str(seed_path), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "papers.duckdb.terms" / "manifest.json").exists()
    analysed.clear()
    from papertrends.collection.store import Store
    TermCache.beside(db).index(Store(db).load(), "titles")
    assert analysed == []  # counted at ingest, read back now


def test_the_saved_indexes_are_found_however_the_loaded_columns_are_chunked(seed_store) -> None:
    """DuckDB hands a column over in chunks that differ from one load to the next, and a
    chunk may be a slice of a larger buffer: the same papers must still find their saved
    indexes (a miss rebuilds them, minutes at a million papers), and other papers must not."""
    import pandas as pd

    from papertrends.indexes.term_cache import ids_chain

    papers = seed_store.load(with_text=False)
    ids = papers["paper_id"].tolist()
    cuts = [40, 70, len(ids)]
    padded = pa.array(["x" * 50, *ids, "y" * 50])
    for chunks in ([padded.slice(1, 40), padded.slice(41, len(ids) - 40)],
                   [padded.slice(1, 55), padded.slice(56, len(ids) - 55)],
                   [padded.slice(1, len(ids))]):
        other = papers.assign(paper_id=pd.Series(
            pd.arrays.ArrowExtensionArray(pa.chunked_array(chunks)), index=papers.index))
        assert other["paper_id"].tolist() == ids
        assert ids_chain(other["paper_id"], cuts) == ids_chain(papers["paper_id"], cuts)
    whole = ids_chain(papers["paper_id"], cuts)
    # A chain extended by the rows added alone is the chain of all of them.
    assert ids_chain(pa.array(ids[70:]), [len(ids) - 70], previous=whole[1]) == whole[2:]
    assert ids_chain(papers["paper_id"].iloc[1:], [39]) != whole[:1]
    assert ids_chain(papers["paper_id"].iloc[::-1], cuts) != whole


def test_texts_to_count_are_read_a_block_at_a_time(monkeypatch) -> None:
    """A million abstracts are read from the store in blocks as the counting needs them, not
    all at once; every slice still holds the texts of its rows, in order."""
    from papertrends.indexes import term_cache

    monkeypatch.setattr(term_cache, "_TEXT_BLOCK_ROWS", 3)
    reads: list[list[int]] = []

    def text_values(column: str, rows: np.ndarray) -> list[str]:
        reads.append(rows.tolist())
        return [f"{column} {row}" for row in rows]

    rows = np.array([5, 9, 2, 7, 1, 8, 4])
    texts = term_cache._LazyTexts(text_values, "abstract", rows)
    assert len(texts) == 7 and not reads
    assert texts[0:2] == ["abstract 5", "abstract 9"]
    assert texts[2:6] == [f"abstract {r}" for r in (2, 7, 1, 8)]
    assert texts[6] == "abstract 4"
    assert list(texts[0:7]) == [f"abstract {r}" for r in rows]
    assert max(len(read) for read in reads) == 3
    raw = terms.count_raw(texts, workers=1)
    assert raw.counts.shape[0] == 7
