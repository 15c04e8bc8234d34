"""Every writer goes through the ingest pipeline: afterwards the indexes kept beside the store
are exactly what a fresh build gives, and the dashboard builds nothing and reads no text."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from conftest import open_data_page
from hf_samples import body, entry
from pytest_httpserver import HTTPServer
from streamlit.testing.v1 import AppTest

from papertrends import cli
from papertrends.collection import pipeline
from papertrends.collection.fetching import fetch_days
from papertrends.collection.github import enrich_github
from papertrends.collection.loaded import Collection
from papertrends.collection.store import Store
from papertrends.indexes import search_index, term_cache, terms
from papertrends.sources.hf_api import parse_hf_api
from papertrends.sources.http_client import RetryPolicy

DAY = dt.date(2025, 10, 1)
SOURCES = ("both", "titles", "abstracts")
NEW_PAPERS = [entry("2510.00001", "Sparse Routers for Tiny Agents", upvotes=7),
              entry("2510.00002", "Reward Models That Read the Manual", upvotes=3,
                    abstract="We train reward models on tool manuals; agents follow them.")]


def _must_not_run(*args, **kwargs):
    raise AssertionError("the dashboard had to build an index or read text")


def assert_indexes_current(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """The saved indexes serve the stored collection with no counting, finishing, building or
    text reading, and they equal indexes built from scratch out of the stored papers."""
    collection = Collection.from_store(store)
    with monkeypatch.context() as patched:
        patched.setattr(terms, "count_raw", _must_not_run)
        patched.setattr(term_cache.TermCache, "update", _must_not_run)
        patched.setattr(term_cache, "build_search_index", _must_not_run)
        patched.setattr(Store, "texts", _must_not_run)
        patched.setattr(Store, "texts_at", _must_not_run)
        saved = {source: collection.term_index(source) for source in SOURCES}
        found = collection.matching("agent")  # one word: answered by the index alone
    papers = store.load()
    for source in SOURCES:
        fresh = terms.build_term_index(papers, source)
        assert saved[source].terms.tolist() == fresh.terms.tolist(), source
        assert saved[source].labels.tolist() == fresh.labels.tolist(), source
        assert saved[source].stems == fresh.stems, source
        assert (saved[source].counts != fresh.counts).nnz == 0, source
    texts = collection.search_texts()
    fresh_search = search_index.build_search_index(texts)
    for query in ("agent", "language model", "gpt-4", "rl", "reward models", "zzz"):
        assert np.array_equal(collection.search_index.matching(query, collection.search_texts),
                              fresh_search.matching(query, collection.search_texts)), query
    lowered = [text.lower() for text in texts.to_pylist()]
    expected = [any(word.startswith("agent") for word in _words(text)) for text in lowered]
    assert found.tolist() == expected


def _words(text: str) -> list[str]:
    return re.split(r"[\W_]+", text)


def _index_files(store: Store) -> dict[str, int]:
    return {path.name: path.stat().st_mtime_ns
            for path in term_cache.TermCache.beside(store.path).folder.iterdir()}


@pytest.fixture
def store(seed_store: Store, tmp_path: Path) -> Store:
    """A writable copy of the seed store with its indexes, as `papertrends ingest` left it."""
    path = tmp_path / "papers.duckdb"
    shutil.copy(seed_store.path, path)
    copy = Store(path)
    pipeline.Update(copy).refresh_indexes()
    return copy


def test_cli_ingest_leaves_current_indexes(store, tmp_path, monkeypatch):
    day = tmp_path / "day.json"
    day.write_bytes(body(*NEW_PAPERS))
    result = CliRunner().invoke(cli.main, ["-q", "ingest", str(day), "--db", str(store.path)])
    assert result.exit_code == 0, result.output
    assert len(store.load()) == 100
    assert_indexes_current(store, monkeypatch)


def test_an_update_keeps_every_paper_in_its_place(store, taxonomy, monkeypatch):
    before = store.load()["paper_id"].tolist()
    seen_again = entry(before[5], "A new title for an old paper", upvotes=999)
    pipeline.ingest(store, [("hf-api:again", _table(NEW_PAPERS[0], seen_again))], taxonomy)
    after = store.load()
    assert after["paper_id"].tolist() == [*before, "2510.00001"]
    assert after["upvotes"].iloc[5] == 999
    assert_indexes_current(store, monkeypatch)


def test_a_daily_update_reads_only_what_it_changed(store, taxonomy, monkeypatch, analysed):
    """New papers and papers seen again with more upvotes: neither the collection nor every
    paper's version is read (the store says which rows it wrote), the texts of the day's
    papers alone are read, and only the new ones are analysed."""
    before = store.load(with_text=False)
    again = [entry(before["paper_id"].iloc[row], before["title"].iloc[row],
                   upvotes=int(before["upvotes"].iloc[row] or 0) + 50,
                   abstract=store.texts([before["paper_id"].iloc[row]], ("abstract",))[
                       "abstract"][0].as_py())
             for row in (3, 40)]
    read: list[int] = []
    texts_at = Store.texts_at

    def counted(self, positions, columns=()):
        read.append(len(positions))
        return texts_at(self, positions, columns)

    with monkeypatch.context() as patched:
        patched.setattr(Store, "load", _must_not_run)
        patched.setattr(Store, "versions", _must_not_run)
        patched.setattr(Store, "texts_at", counted)
        reports = pipeline.ingest(store, [("hf-api:day", _table(*NEW_PAPERS, *again))],
                                  taxonomy)
    assert (reports[0].new, reports[0].updated) == (2, 2)
    assert read and max(read) <= 4, "only the day's papers' texts are read"
    assert analysed[:2] == [2, 2], "titles, then abstracts, of the two new papers alone"
    assert_indexes_current(store, monkeypatch)


def test_writes_the_indexes_missed_are_caught_up_on(store, taxonomy, monkeypatch):
    """Writes whose indexes were never brought up to date (a writer killed after its commit),
    more of them than the store remembers the rows of: the next update compares every
    paper's version instead, and leaves the indexes current."""
    from papertrends.collection import store as store_module
    from papertrends.collection.enrich import enrich

    monkeypatch.setattr(store_module, "_LOGGED_REVISIONS", 2)
    for number in range(3):
        paper = entry(f"2510.1000{number}", f"Missed write {number} on agents", upvotes=number)
        store.ingest([("missed", enrich(_table(paper), taxonomy))], taxonomy)
    assert store.changes_since(term_cache.TermCache.beside(store.path)._read_state().revision
                               ) is None
    pipeline.ingest(store, [("hf-api:day", _table(*NEW_PAPERS))], taxonomy)
    assert len(store.load()) == 103
    assert_indexes_current(store, monkeypatch)


def test_a_store_put_in_place_of_another_gets_its_own_indexes(store, tmp_path, taxonomy,
                                                              monkeypatch):
    """Another store copied over this one (same papers at first, then grown apart): its
    revisions are not this store's, so the saved indexes are checked paper by paper."""
    other = Store(tmp_path / "other.duckdb")
    pipeline.ingest(other, [("hf-api:day", _table(*NEW_PAPERS))], taxonomy)
    shutil.copy(other.path, store.path)
    pipeline.ingest(store, [("hf-api:more", _table(entry("2510.00009", "Agents again")))],
                    taxonomy)
    assert store.load()["paper_id"].tolist() == ["2510.00001", "2510.00002", "2510.00009"]
    assert_indexes_current(store, monkeypatch)


def test_fetch_leaves_current_indexes(store, httpserver: HTTPServer, monkeypatch):
    httpserver.expect_request("/api/daily_papers", query_string=f"date={DAY}").respond_with_data(
        body(*NEW_PAPERS), content_type="application/json")
    report = fetch_days(store, DAY, DAY, endpoint=httpserver.url_for("/"), pause=0)
    assert report.ok and report.new == 2
    assert_indexes_current(store, monkeypatch)


def test_a_fetch_whose_later_days_fail_still_indexes_the_stored_ones(store, httpserver,
                                                                      monkeypatch):
    httpserver.expect_request("/api/daily_papers", query_string=f"date={DAY}").respond_with_data(
        body(*NEW_PAPERS), content_type="application/json")
    httpserver.expect_request("/api/daily_papers").respond_with_data("down", status=503)
    report = fetch_days(store, DAY, DAY + dt.timedelta(days=1), endpoint=httpserver.url_for("/"),
                        pause=0, policy=RetryPolicy(attempts=1))
    assert [d.status for d in report.days] == ["fetched", "failed"]
    assert_indexes_current(store, monkeypatch)


def test_enrich_github_changes_no_index(store, httpserver, monkeypatch):
    httpserver.expect_request("/repos/acme/vplan").respond_with_json({
        "full_name": "acme/vplan", "stargazers_count": 5, "forks_count": 1,
        "language": "Python", "pushed_at": "2025-10-01T00:00:00Z", "archived": False})
    pipeline.ingest(store, [("hf-api:day", _table(NEW_PAPERS[0]))])
    keys = _index_files(store)
    enrich_github(store, api_url=httpserver.url_for("/").rstrip("/"), token="t", limit=1,
                  policy=RetryPolicy(attempts=1))
    assert len(store.repositories()) == 1
    assert _index_files(store) == keys, "repository facts touch no index"
    assert_indexes_current(store, monkeypatch)


def _data_page(store: Store, monkeypatch) -> AppTest:
    return open_data_page(store, monkeypatch)


def test_the_data_pages_upload_leaves_current_indexes(store, monkeypatch):
    app = _data_page(store, monkeypatch)
    app.file_uploader(key="data_upload").upload(
        "day.json", body(*NEW_PAPERS), "application/json").run()
    app.button(key="data_add").click().run()
    assert not app.exception
    assert len(store.load()) == 100
    assert_indexes_current(store, monkeypatch)


def test_the_data_pages_fetch_leaves_current_indexes(store, httpserver, monkeypatch):
    monkeypatch.setenv("HF_ENDPOINT", httpserver.url_for("/"))
    httpserver.expect_request("/api/daily_papers", query_string=f"date={DAY}").respond_with_data(
        body(*NEW_PAPERS), content_type="application/json")
    app = _data_page(store, monkeypatch)
    app.date_input(key="data_days").set_value((DAY, DAY))
    app.button(key="data_fetch_go").click().run()
    assert not app.exception
    assert len(store.load()) == 100
    assert_indexes_current(store, monkeypatch)


def test_the_first_run_build_leaves_current_indexes(tmp_path, monkeypatch):
    store = Store(tmp_path / "new.duckdb")
    app = _data_page(store, monkeypatch)
    assert "**98 of 98 papers**" in app.markdown[0].value
    assert_indexes_current(store, monkeypatch)


def test_a_preview_writes_nothing(store, taxonomy):
    before = store.fingerprint()
    report, enriched = pipeline.Update(store, taxonomy).preview("hf-api:day",
                                                                _table(*NEW_PAPERS))
    assert (report.new, report.updated) == (2, 0)
    assert enriched.num_rows == 2 and "topics" in enriched.column_names
    assert store.fingerprint() == before


def _table(*entries):
    return parse_hf_api(body(*entries), path="day.json", source="hf-api:day")
