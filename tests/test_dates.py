"""Two dates per paper: its own (published) and the day Daily Papers featured it.

Real Daily Papers data has both, days to months apart; the user picks which one the date
filter and every time chart use, and the choice is in the link.
"""

from __future__ import annotations

import base64
import datetime as dt

import numpy as np
import pandas as pd
import plotly.io
import pytest
from conftest import REPO_ROOT
from hf_samples import MISSING, body, entry
from streamlit.testing.v1 import AppTest

from papertrends.collection import pipeline
from papertrends.collection.export import export_filename
from papertrends.collection.filters import Filters
from papertrends.collection.loaded import Collection
from papertrends.collection.store import Store
from papertrends.sources import read_bytes
from papertrends.sources.hf_api import parse_hf_api

D = dt.date


def _day(paper_id: str, published: str, featured: str | None) -> dict:
    """An API entry published on one day and featured on another (None: not said)."""
    submitted = MISSING if featured is None else f"{featured}T06:00:00.000Z"
    return entry(paper_id, f"Paper {paper_id}", published=f"{published}T17:00:00.000Z",
                 submittedOnDailyAt=submitted)


def _collection(tmp_path, *days: tuple[str, list[dict]]) -> tuple[Store, Collection]:
    """A store grown one fetched day at a time, as `papertrends fetch` grows one."""
    store = Store(tmp_path / "dates.duckdb")
    for day, entries in days:
        table = parse_hf_api(body(*entries), path=f"{day}.json", day=D.fromisoformat(day))
        pipeline.ingest(store, [(f"hf-api:{day}", table)])
    return store, Collection.from_store(store)


def test_the_featured_day_is_the_utc_day_daily_papers_gave(tmp_path) -> None:
    _, collection = _collection(tmp_path, ("2025-03-10", [
        _day("2502.00001", "2025-02-01", "2025-03-10"),
        entry("2502.00002", "Late at night", published="2025-02-02T10:00:00.000Z",
              submittedOnDailyAt="2025-03-10T23:59:59.000Z")]))
    featured = dict(zip(collection.papers["paper_id"], collection.papers["featured"],
                        strict=True))
    assert featured == {"2502.00001": D(2025, 3, 10), "2502.00002": D(2025, 3, 10)}
    assert collection.date_columns == ("published", "featured")
    assert collection.date_range("featured") == (D(2025, 3, 10), D(2025, 3, 10))
    assert collection.date_range("published") == (D(2025, 2, 1), D(2025, 2, 2))


def test_a_day_without_submitted_on_daily_at_is_the_day_it_was_fetched_for(tmp_path) -> None:
    """Before 2025-03 the API did not say when a paper was featured: the day asked for is."""
    table = parse_hf_api(body(_day("2405.00001", "2024-05-20", None)), day=D(2024, 5, 27))
    assert table["submitted_at"].to_pylist() == [dt.datetime(2024, 5, 27, tzinfo=dt.UTC)]
    # A saved response named after its day says the same; another name says nothing.
    _, named = read_bytes(body(_day("2405.00001", "2024-05-20", None)), "2024-05-27.json")
    _, unnamed = read_bytes(body(_day("2405.00001", "2024-05-20", None)), "may.json")
    assert named["submitted_at"].to_pylist() == table["submitted_at"].to_pylist()
    assert unnamed["submitted_at"].to_pylist() == [None]
    # What the API says wins over the name.
    _, said = read_bytes(body(_day("2405.00001", "2024-05-20", "2024-05-25")), "2024-05-27.json")
    assert said["submitted_at"].to_pylist()[0].date() == D(2024, 5, 25)


def test_a_paper_featured_again_keeps_its_first_featured_day(tmp_path) -> None:
    _, collection = _collection(
        tmp_path,
        ("2024-06-03", [_day("2405.00001", "2024-05-30", None)]),
        ("2024-06-09", [_day("2405.00001", "2024-05-30", None)]))
    assert collection.papers["featured"].tolist() == [D(2024, 6, 3)]


def test_a_saved_papers_page_offers_no_choice(seed_papers) -> None:
    collection = Collection(seed_papers)
    assert collection.date_columns == ("published",)
    # A link asking for featured days there falls back to the one date the papers have.
    filters = Filters.from_params({"dates": "featured", "from": "2024-12-27"})
    assert filters.dates_in(collection) == "published"
    assert filters.mask(collection).sum() == (collection.papers["published"] >= D(2024, 12, 27)
                                              ).sum()


def test_the_date_filter_uses_the_chosen_date(tmp_path) -> None:
    # Two papers published in January, featured in January and in March.
    _, collection = _collection(
        tmp_path,
        ("2025-01-20", [_day("2501.00001", "2025-01-10", "2025-01-20")]),
        ("2025-03-05", [_day("2501.00002", "2025-01-12", "2025-03-05")]))
    march = {"from": "2025-03-01", "to": "2025-03-31"}
    assert Filters.from_params(march).mask(collection).sum() == 0
    featured = Filters.from_params({**march, "dates": "featured"})
    assert collection.papers["paper_id"][featured.mask(collection)].tolist() == ["2501.00002"]
    assert featured.describe() == "featured on Daily Papers 2025-03-01 to 2025-03-31"
    assert featured.to_params() == {**march, "dates": "featured"}
    assert Filters.from_params(featured.to_params()) == featured
    name = export_filename(collection.papers[featured.mask(collection)], featured)
    assert name == "papers_featured_2025-03-01_to_2025-03-31.csv"


def test_a_bad_dates_value_in_a_link_is_named_and_ignored() -> None:
    filters = Filters.from_params({"dates": "tomorrow"})
    assert filters.date_column == "published"
    assert filters.problems == ("dates='tomorrow'",)


@pytest.fixture
def two_date_store(tmp_path, monkeypatch) -> Store:
    """Six papers published on 10 January 2025 and featured on Daily Papers in three months."""
    days = [("2025-01-20", ["2501.00001", "2501.00002"]),
            ("2025-02-14", ["2501.00003"]),
            ("2025-03-05", ["2501.00004", "2501.00005", "2501.00006"])]
    store, _ = _collection(tmp_path, *[
        (day, [_day(paper_id, "2025-01-10", day) for paper_id in ids])
        for day, ids in days])
    monkeypatch.setenv("PAPERTRENDS_DB", str(store.path))
    monkeypatch.chdir(REPO_ROOT)
    return store


def _overview(query: dict[str, str]) -> AppTest:
    app = AppTest.from_file(str(REPO_ROOT / "pages" / "overview.py"), default_timeout=120)
    for key, value in query.items():
        app.query_params[key] = value
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def _papers_per_period(app: AppTest) -> tuple[str, pd.Series]:
    """The Overview's papers-per-period chart: its time axis title and its bars."""
    [figure] = [figure for figure in (plotly.io.from_json(c.proto.spec)
                                      for c in app.get("plotly_chart"))
                if str(figure.layout.xaxis.title.text).startswith(
                    ("Published (", "Featured on Daily Papers ("))][:1]
    [bars] = [trace for trace in figure.data if trace.type == "bar"][:1]
    return figure.layout.xaxis.title.text, pd.Series(_values(bars.y), index=bars.x)


def _values(values) -> np.ndarray:
    """A trace's numbers as Plotly sends them: a list, or typed binary ('bdata')."""
    if isinstance(values, dict):
        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"])
    return np.asarray(values)


def test_time_charts_follow_the_date_the_link_chose(two_date_store) -> None:
    published = _overview({})
    assert published.radio(key="f_date_column").value == "published"
    title, counts = _papers_per_period(published)
    assert title.startswith("Published")
    assert counts[counts > 0].tolist() == [6]  # all on 10 January

    featured = _overview({"dates": "featured"})
    assert featured.radio(key="f_date_column").value == "featured"
    title, counts = _papers_per_period(featured)
    assert title.startswith("Featured on Daily Papers")
    assert counts[counts > 0].tolist() == [2, 1, 3]  # January, February, March


def test_choosing_the_featured_day_in_the_sidebar_moves_the_date_range(two_date_store) -> None:
    app = _overview({})
    app.radio(key="f_date_column").set_value("featured").run()
    assert not app.exception
    slider = app.slider(key="f_dates")
    assert slider.label == "Featured"
    assert tuple(slider.value) == (D(2025, 1, 20), D(2025, 3, 5))
    assert dict(app.query_params) == {"dates": "featured"}
