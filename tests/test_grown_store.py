"""A store that outgrew one DuckDB row group and was then updated: ``Store.load`` hands each
column to Arrow in several chunks, which crashed the Trends page (issue 14). Every analysis
gives the answers of the same papers in one chunk, and every page opens on it."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from analytics_calls import COMPUTE, Inputs, answers, assert_same_answers
from chunking import n_chunks, recombined
from conftest import REPO_ROOT
from streamlit.testing.v1 import AppTest
from test_app import n_of_m

from papertrends.collection import pipeline, schema
from papertrends.collection.store import Store
from papertrends.collection.topics import Taxonomy
from papertrends.sources import read_path
from papertrends.sources.synth import synthesize

ROW_GROUP = 122_880  # DuckDB's rows per row group: Store.load hands them over a group at a time
UPDATED = 30
PAGES = sorted(str(path.relative_to(REPO_ROOT)) for path in (REPO_ROOT / "pages").glob("*.py"))


def _filler(n: int) -> pa.Table:
    """``n`` dated papers with a short title and nothing else to analyse: enough rows to
    fill a row group, cheap to tag and index."""
    numbers = np.arange(n)
    return schema.conform(pa.table({
        "paper_id": pa.array([f"filler-{k:06d}" for k in numbers]),
        "title": pa.array([f"Filler paper {k}" for k in numbers]),
        "published": pa.array(np.datetime64("2024-01-01")
                              + (numbers % 600).astype("timedelta64[D]")),
        "upvotes": pa.array(numbers % 50),
        "n_authors": pa.array(1 + numbers % 12),
    }))


@pytest.fixture(scope="module")
def grown_store(tmp_path_factory: pytest.TempPathFactory, seed_path,
                taxonomy: Taxonomy) -> Store:
    """About 125,000 dated papers, as two ingests leave them: filler, then a few thousand
    synthetic papers (authors, topics, code links) across the row-group boundary, then 30
    of those again with more upvotes. Every paper is dated, so nothing a page leaves out
    recombines the chunks. About ten seconds to build."""
    _, base = read_path(seed_path)
    papers = pa.concat_tables(list(synthesize(3_000, schema.to_frame(base), seed=1,
                                              today=dt.date(2025, 10, 10))))
    papers = papers.filter(pc.is_valid(papers["published"]))
    updated = papers.take(pa.array(range(0, papers.num_rows, papers.num_rows // UPDATED)
                                   [:UPDATED]))
    updated = updated.set_column(updated.schema.get_field_index("upvotes"), "upvotes",
                                 pc.add(pc.fill_null(updated["upvotes"], 0), 7))
    store = Store(tmp_path_factory.mktemp("grown") / "grown.duckdb")
    pipeline.ingest(store, [("synth:filler", _filler(ROW_GROUP - 1_000)),
                            ("synth:papers", papers)], taxonomy)
    pipeline.ingest(store, [("synth:update", updated)], taxonomy)
    return store


# -- every analysis --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def grown(grown_store: Store) -> Inputs:
    inputs = Inputs(grown_store.load(), grown_store.snapshots(), grown_store.repositories(),
                    grown_store.ingest_log())
    assert all(n_chunks(inputs.papers[name]) > 1 for name in inputs.papers), \
        "the store no longer hands over chunks: build one that does"
    assert inputs.papers["published"].notna().all()
    return inputs


@pytest.fixture(scope="module")
def grown_in_one_chunk(grown: Inputs) -> Inputs:
    return grown.map(recombined)


@pytest.mark.parametrize("name", COMPUTE)
def test_every_analysis_answers_as_on_one_chunk(name, grown, grown_in_one_chunk):
    assert_same_answers(name, grown, answers(name, grown_in_one_chunk))


# -- every page ------------------------------------------------------------------------------

@pytest.fixture
def app(grown_store, monkeypatch) -> AppTest:
    monkeypatch.setenv("PAPERTRENDS_DB", str(grown_store.path))
    monkeypatch.chdir(REPO_ROOT)
    return AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=120)


def open_page(app: AppTest, page: str) -> AppTest:
    app.switch_page(page)
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


@pytest.fixture(scope="module")
def grown_papers(grown: Inputs) -> pd.DataFrame:
    return grown.papers


def test_the_pages_are_every_page_file():
    assert "pages/trends.py" in PAGES and len(PAGES) >= 7


@pytest.mark.parametrize("page", PAGES)
def test_every_page_opens(app, grown_papers, page):
    app.run()
    open_page(app, page)
    assert n_of_m(app) == (len(grown_papers), len(grown_papers))
    assert not app.error


def test_a_date_filter_counts_the_same_papers_on_every_page(app, grown_papers):
    published = grown_papers["published"]
    since = published.sort_values().iloc[len(published) // 2]
    expected = int((published >= since).sum())
    app.query_params["from"] = since.isoformat()
    app.run()
    for page in PAGES:
        open_page(app, page)
        assert n_of_m(app) == (expected, len(grown_papers)), page
