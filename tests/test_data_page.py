"""The Data page through AppTest: sources, uploading a file (good and bad), fetching days."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from conftest import open_data_page
from hf_samples import body, entry
from pytest_httpserver import HTTPServer
from streamlit.testing.v1 import AppTest

from papertrends.analytics.sources import compute_source_summary, source_group
from papertrends.collection.store import Store

NEW_PAPER = entry("2511.00042", "Sparse Routers for Tiny Agents", upvotes=7)


@pytest.fixture
def store(seed_store: Store, tmp_path: Path) -> Store:
    """A writable copy of the seed store."""
    path = tmp_path / "papers.duckdb"
    shutil.copy(seed_store.path, path)
    return Store(path)


@pytest.fixture
def app(store: Store, monkeypatch) -> AppTest:
    return open_data_page(store, monkeypatch)


def unescaped(markdown: str) -> str:
    """The text a reader sees: the page shows data inside Markdown as code, a span padded
    with a space each side or a block on lines of its own, seen without the backticks."""
    def shown(code: str) -> str:
        return code[1:-1] if code.startswith(" ") and code.endswith(" ") else code.strip("\n")
    return re.sub(r"(`+)(.+?)\1", lambda found: shown(found[2]), markdown, flags=re.DOTALL)


def text_of(at: AppTest) -> str:
    return unescaped("\n".join(str(e.value) for kind in (
        "markdown", "success", "warning", "error", "info") for e in getattr(at, kind)))


def test_the_page_says_where_the_collection_came_from(app):
    sources = app.dataframe[0].value
    assert sources["kind"].tolist() == ["Saved Papers page: hf_papers_seed.txt"]
    assert sources["papers"].tolist() == [98]
    assert app.metric[0].value == "98"


def test_an_uploaded_file_is_previewed_then_added(app, store):
    app.file_uploader(key="data_upload").upload(
        "day.json", body(NEW_PAPER), "application/json").run()
    assert not app.exception
    assert "1 new" in text_of(app)
    assert len(store.load()) == 98, "a preview must not change the collection"

    app.button(key="data_add").click().run()
    assert not app.exception
    assert len(store.load()) == 99
    assert "Added day.json: 1 new" in text_of(app)
    assert "**99 of 99 papers**" in text_of(app)


def test_a_bad_file_is_refused_with_its_error_and_changes_nothing(app, store):
    before = store.fingerprint()
    bad = b"title,abstract\n\"unterminated,quote\n"
    app.file_uploader(key="data_upload").upload("broken.csv", bad, "text/csv").run()
    assert not app.exception
    [error] = [unescaped(e.value) for e in app.error]
    assert "nothing was changed" in error
    assert "broken.csv" in error
    assert not any(b.key == "data_add" for b in app.button)
    assert store.fingerprint() == before


@pytest.fixture
def hf_server(httpserver: HTTPServer, monkeypatch) -> HTTPServer:
    monkeypatch.setenv("HF_ENDPOINT", httpserver.url_for("/"))
    return httpserver


def test_fetching_days_stores_each_day_and_names_the_failed_one(app, store, hf_server):
    good, bad = dt.date(2025, 10, 1), dt.date(2025, 10, 2)
    hf_server.expect_request("/api/daily_papers", query_string=f"date={good}").respond_with_data(
        body(NEW_PAPER), content_type="application/json")
    hf_server.expect_request("/api/daily_papers", query_string=f"date={bad}").respond_with_data(
        "not here", status=404)
    app.date_input(key="data_days").set_value((good, bad))
    app.button(key="data_fetch_go").click().run()
    assert not app.exception
    [warning] = [unescaped(w.value) for w in app.warning if "failed" in w.value]
    assert str(bad) in warning and "HTTP 404" in warning
    assert len(store.load()) == 99, "the good day is kept"
    assert store.fetched_days()["day"].tolist() == [good]


def test_compute_source_summary_groups_api_days_and_files():
    papers = pd.DataFrame({
        "published": [dt.date(2025, 1, 2), None, dt.date(2025, 3, 1)],
        "source": ["hf-api:2025-01-02", "hf-api:2025-01-03", "csv:export.csv"]})
    when = pd.Timestamp("2025-03-02 10:00", tz="UTC")
    log = pd.DataFrame({"ingested_at": [when - pd.Timedelta(days=1), when],
                        "source": ["hf-api:2025-01-02", "csv:export.csv"],
                        "new": [1, 1], "updated": [0, 0], "unchanged": [0, 0]})
    summary = compute_source_summary(papers, log)
    assert summary["papers"] == 3
    assert summary["first_published"] == dt.date(2025, 1, 2)
    assert summary["last_update"] == when
    sources = summary["sources"]
    assert sources["kind"].tolist() == ["Hugging Face API", "CSV: export.csv"]
    assert sources["papers"].tolist() == [2, 1]
    assert source_group("hf-page:seed.txt") == "Saved Papers page: seed.txt"


def test_the_upload_widget_shows_the_limit_the_server_enforces(app):
    """No figure of its own: the widget takes server.maxUploadSize, which the server checks
    on every upload (tests/test_install.py checks that serve and `streamlit run` set it)."""
    uploader = app.file_uploader(key="data_upload")
    assert uploader.proto.max_upload_size_mb == 100
