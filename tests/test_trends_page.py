"""The Trends page's rising terms and bursts, and upvotes beside frequency on Overview and
Keywords, through AppTest on the shipped page: tables with the columns the issue asks for,
controls that change them, a term's or a burst's papers one choice away."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import REPO_ROOT
from streamlit.testing.v1 import AppTest


@pytest.fixture
def app(seed_store, monkeypatch) -> AppTest:
    monkeypatch.setenv("PAPERTRENDS_DB", str(seed_store.path))
    monkeypatch.chdir(REPO_ROOT)
    return AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=120)


def opened(app: AppTest, page: str) -> AppTest:
    app.run()
    app.switch_page(page)
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def table_with(app: AppTest, *columns: str) -> pd.DataFrame:
    for frame in app.dataframe:
        if set(columns) <= set(frame.value.columns):
            return frame.value
    raise AssertionError(f"no table with {columns}")


def tables_with(app: AppTest, *columns: str) -> list[pd.DataFrame]:
    return [f.value for f in app.dataframe if set(columns) <= set(f.value.columns)]


def captions(app: AppTest) -> str:
    return "\n".join(c.value for c in app.caption)


def test_rising_terms_show_both_windows_and_z(app):
    opened(app, "pages/trends.py")
    rising = table_with(app, "term", "papers_a", "papers_b", "share_a", "share_b", "z")
    assert rising["z"].is_monotonic_decreasing
    assert (rising["z"] > 0).any() and (rising["z"] < 0).any(), "rising and falling terms"
    assert (rising[["papers_a", "papers_b"]].max(axis=1) >= 3).all()  # the default minimum
    assert "papers; previous window" in captions(app)
    assert "weighted log-odds ratio" in captions(app)
    topics = table_with(app, "topic", "papers_a", "papers_b", "z")
    assert len(topics) >= 5
    # a term's most upvoted papers: the first term's, in the window where it is commoner
    papers = table_with(app, "title", "upvotes")
    assert 0 < len(papers) <= 10


def test_the_minimum_papers_control_narrows_the_terms(app):
    opened(app, "pages/trends.py")
    before = table_with(app, "term", "z")
    app.number_input(key="trends_min_papers").set_value(6).run()
    assert not app.exception
    after = table_with(app, "term", "z")
    assert len(after) < len(before)
    assert (after[["papers_a", "papers_b"]].max(axis=1) >= 6).all()
    app.number_input(key="trends_min_papers").set_value(500).run()
    assert any("No term is in 500 or more papers" in i.value for i in app.info)


def test_choosing_a_term_lists_its_papers(app):
    opened(app, "pages/trends.py")
    rising = table_with(app, "term", "z")
    last = rising["term"].iloc[-1]  # a falling term: its papers of the previous window
    box = next(s for s in app.selectbox if s.label.startswith("Most upvoted papers with"))
    box.set_value(last).run()
    assert not app.exception
    assert "In the previous window" in captions(app)


def test_bursts_follow_gamma_and_list_a_bursts_papers(app):
    opened(app, "pages/trends.py")
    assert any("not over" in c for c in captions(app).splitlines())
    app.number_input(key="trends_burst_gamma").set_value(0.0).run()
    assert not app.exception
    many = table_with(app, "term", "start", "end", "strength", "papers", "ongoing")
    assert len(many) > 0 and many["strength"].is_monotonic_decreasing
    app.number_input(key="trends_burst_gamma").set_value(0.5).run()
    fewer = tables_with(app, "term", "start", "end", "strength")
    assert not fewer or len(fewer[0]) <= len(many)
    app.number_input(key="trends_burst_gamma").set_value(0.0).run()
    box = next(s for s in app.selectbox if s.label.startswith("Most upvoted papers of a burst"))
    box.set_value(box.options[-1]).run()
    assert not app.exception
    assert tables_with(app, "title", "upvotes") or "known upvote count" in captions(app)


def test_topic_bursts_and_the_unfinished_period(app):
    opened(app, "pages/trends.py")
    app.segmented_control(key="trends_burst_kind").set_value("Topics").run()
    app.number_input(key="trends_burst_gamma").set_value(0.0).run()
    assert not app.exception
    counted = table_with(app, "topic", "start", "end", "strength", "ongoing")
    assert len(counted) > 0
    app.toggle(key="trends_burst_unfinished").set_value(True).run()
    assert not app.exception
    assert not any("left out, and an ongoing burst" in c for c in captions(app).splitlines())
    with_begun = table_with(app, "topic", "start", "end", "strength", "ongoing")
    assert with_begun["end"].max() >= counted["end"].max()


def test_keywords_show_upvotes_beside_frequency(app):
    opened(app, "pages/keywords.py")
    engagement = table_with(app, "term", "papers", "with_upvotes", "median_upvotes",
                            "mean_upvotes")
    frequencies = table_with(app, "term", "papers", "occurrences")
    assert engagement["term"].tolist() == frequencies["term"].tolist()
    assert (engagement["with_upvotes"] <= engagement["papers"]).all()
    assert "unknown is not zero" in captions(app)  # 7 seed papers have no upvote count


def test_overview_shows_upvotes_per_topic(app):
    opened(app, "pages/overview.py")
    topics = table_with(app, "topic", "papers", "with_upvotes", "median_upvotes")
    assert topics["papers"].is_monotonic_decreasing
    assert "unknown is not zero" in captions(app)
