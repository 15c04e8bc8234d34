"""Every page on a store grown by an update: DuckDB hands its columns over in several Arrow
chunks, which once broke the Trends page (issue 14)."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import REPO_ROOT
from streamlit.testing.v1 import AppTest
from test_app import n_of_m

PAGES = sorted(str(path.relative_to(REPO_ROOT)) for path in (REPO_ROOT / "pages").glob("*.py"))


@pytest.fixture
def grown_app(grown_store, monkeypatch) -> AppTest:
    monkeypatch.setenv("PAPERTRENDS_DB", str(grown_store.path))
    monkeypatch.chdir(REPO_ROOT)
    return AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=120)


def open_page(app: AppTest, page: str) -> AppTest:
    app.switch_page(page)
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


@pytest.fixture(scope="module")
def grown_papers(grown_store) -> pd.DataFrame:
    return grown_store.load(with_text=False)


def test_the_pages_cover_every_page_file():
    assert "pages/trends.py" in PAGES and len(PAGES) >= 7


@pytest.mark.parametrize("page", PAGES)
def test_every_page_opens_on_a_grown_store(grown_app, grown_papers, page):
    grown_app.run()
    open_page(grown_app, page)
    assert n_of_m(grown_app) == (len(grown_papers), len(grown_papers))
    assert not grown_app.error


def test_a_date_filter_on_a_grown_store_counts_the_same_papers_on_every_page(grown_app,
                                                                            grown_papers):
    published = grown_papers["published"]
    since = published.sort_values().iloc[len(published) // 2]
    expected = int((published >= since).sum())
    grown_app.query_params["from"] = since.isoformat()
    grown_app.run()
    for page in PAGES:
        open_page(grown_app, page)
        assert n_of_m(grown_app) == (expected, len(grown_papers)), page
