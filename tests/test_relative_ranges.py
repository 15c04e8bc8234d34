"""Date ranges that end on the collection's newest date: a shared link keeps showing the
latest days as the collection grows."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import REPO_ROOT
from streamlit.testing.v1 import AppTest

from papertrends.collection import schema
from papertrends.collection.export import export_filename
from papertrends.collection.filters import Filters
from papertrends.collection.loaded import Collection

D = dt.date


def _collection(*days: dt.date) -> Collection:
    return Collection(schema.to_frame(schema.to_table([
        {"paper_id": f"p{i}", "title": f"Paper {i}", "published": day}
        for i, day in enumerate(days)])))


def _kept(filters: Filters, collection: Collection) -> list[str]:
    return collection.papers["paper_id"][filters.mask(collection)].tolist()


def test_the_last_days_end_on_the_newest_paper_and_move_with_it() -> None:
    last_7 = Filters.from_params({"range": "last-7"})
    collection = _collection(D(2025, 9, 1), D(2025, 10, 24), D(2025, 10, 25), D(2025, 10, 31))
    assert _kept(last_7, collection) == ["p2", "p3"]  # 25 to 31 October, both included
    assert last_7.date_span(collection) == (D(2025, 10, 25), None)
    # Tomorrow's collection: the same link, the latest week again.
    grown = _collection(D(2025, 9, 1), D(2025, 10, 24), D(2025, 10, 25), D(2025, 10, 31),
                        D(2025, 11, 3))
    assert _kept(last_7, grown) == ["p3", "p4"]


def test_this_year_and_a_relative_range_over_dates_in_the_link() -> None:
    collection = _collection(D(2024, 12, 31), D(2025, 1, 1), D(2025, 6, 1))
    this_year = Filters.from_params({"range": "this-year", "from": "2024-01-01"})
    assert _kept(this_year, collection) == ["p1", "p2"]
    assert this_year.to_params() == {"range": "this-year"}
    assert this_year.describe() == "published this year (the newest paper's year)"
    assert Filters.from_params({"range": "last-30"}).describe() == (
        "published in the last 30 days of the collection")
    # Unknown dates stay out once the range is narrowed, as with picked dates.
    assert _kept(this_year, _collection(D(2025, 6, 1), None)) == ["p0"]


def test_a_bad_range_in_a_link_is_named_and_ignored() -> None:
    filters = Filters.from_params({"range": "last-3000"})
    assert filters.relative == "" and filters.problems == ("range='last-3000'",)


def test_the_file_name_says_the_range() -> None:
    collection = _collection(D(2025, 10, 1), D(2025, 10, 31))
    filters = Filters(relative="last-30")
    selected = collection.papers[filters.mask(collection)]
    assert export_filename(selected, filters) == "papers_last-30-days_2025-10-31_to_2025-10-31.csv"


@pytest.fixture
def app(seed_store, monkeypatch) -> AppTest:
    monkeypatch.setenv("PAPERTRENDS_DB", str(seed_store.path))
    monkeypatch.chdir(REPO_ROOT)
    return AppTest.from_file(str(REPO_ROOT / "pages" / "explore.py"), default_timeout=120)


def test_a_link_to_the_last_30_days_opens_them_and_the_sidebar_says_so(app, seed_papers) -> None:
    newest = seed_papers["published"].dropna().max()
    expected = int((seed_papers["published"] >= newest - dt.timedelta(days=29)).fillna(
        False).sum())
    app.query_params["range"] = "last-30"
    app.run()
    assert not app.exception
    assert app.selectbox(key="f_range").value == "last-30"
    header = next(m.value for m in app.markdown if "papers**" in m.value)
    assert header.startswith(f"**{expected} of 98 papers**")
    assert 0 < expected < 98
    assert any(f"to {newest}" in c.value for c in app.sidebar.caption)
    app.selectbox(key="f_range").set_value("last-7").run()
    assert dict(app.query_params) == {"range": "last-7"}
    app.selectbox(key="f_range").set_value("").run()  # back to picked dates: the slider
    assert app.slider(key="f_dates") and dict(app.query_params) == {}
