"""Every page through Streamlit's AppTest: renders, filters, empty state, URL state."""

from __future__ import annotations

import re

import pytest
from conftest import REPO_ROOT
from streamlit.testing.v1 import AppTest

PAGES = ["pages/overview.py", "pages/trends.py", "pages/authors.py", "pages/keywords.py",
         "pages/github.py", "pages/explore.py"]
N_OF_M = re.compile(r"\*\*([\d,]+) of ([\d,]+) papers\*\*")


@pytest.fixture
def app(seed_store, monkeypatch) -> AppTest:
    monkeypatch.setenv("PAPERTRENDS_DB", str(seed_store.path))
    monkeypatch.chdir(REPO_ROOT)
    return AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=120)


def _open(app: AppTest, page: str) -> AppTest:
    app.run()
    app.switch_page(page)
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def selected_count(app: AppTest) -> int:
    """The count over a drill-down's list: '**12 papers selected**'."""
    for block in app.markdown:
        found = re.search(r"\*\*([\d,]+) papers? selected\*\*", block.value)
        if found:
            return int(found[1].replace(",", ""))
    raise AssertionError("no drill-down on the page")


def n_of_m(app: AppTest) -> tuple[int, int]:
    for block in app.markdown:
        found = N_OF_M.search(block.value)
        if found:
            return int(found[1].replace(",", "")), int(found[2].replace(",", ""))
    raise AssertionError("no 'N of M papers' line on the page")


@pytest.mark.parametrize("page", PAGES)
def test_page_renders_the_whole_seed(app, page):
    _open(app, page)
    assert n_of_m(app) == (98, 98)
    assert not app.error


@pytest.mark.parametrize("page", PAGES)
def test_search_narrows_every_page(app, page):
    _open(app, page)
    app.text_input(key="f_search").input("diffusion").run()
    assert not app.exception
    shown, total = n_of_m(app)
    assert 0 < shown < total == 98


@pytest.mark.parametrize("page", PAGES)
def test_no_match_shows_the_empty_state(app, page):
    _open(app, page)
    app.text_input(key="f_search").input("zzzz-no-such-word").run()
    assert not app.exception
    assert n_of_m(app) == (0, 98)
    assert any("No papers match" in info.value for info in app.info)


def test_filters_survive_a_page_switch_and_reach_the_url(app):
    _open(app, "pages/overview.py")
    app.multiselect(key="f_topics").select("Agents").run()
    agents = n_of_m(app)[0]
    assert 0 < agents < 98
    assert app.query_params["topic"] in ("Agents", ["Agents"])
    app.switch_page("pages/github.py").run()
    assert n_of_m(app)[0] == agents
    assert app.multiselect(key="f_topics").value == ["Agents"]


def test_query_parameters_restore_the_filters(app):
    app.query_params["q"] = '"reinforcement learning"'
    app.query_params["code"] = "yes"
    _open(app, "pages/explore.py")
    assert app.text_input(key="f_search").value == '"reinforcement learning"'
    assert app.radio(key="f_code").value == "yes"
    shown, _ = n_of_m(app)
    assert 0 < shown < 16  # 16 seed papers link code; only some are about RL


def test_invalid_query_parameters_are_reported_not_fatal(app):
    app.query_params["min_upvotes"] = "lots"
    app.run()  # the link opens the default page, Overview
    assert not app.exception
    assert n_of_m(app) == (98, 98)
    assert any("min_upvotes" in w.value for w in app.warning)


def test_reset_filters_shows_everything_again(app):
    app.query_params["q"] = "agent"
    app.query_params["min_upvotes"] = "1"
    _open(app, "pages/overview.py")
    assert n_of_m(app)[0] < 98
    app.button(key="f_reset").click().run()
    assert n_of_m(app) == (98, 98)
    assert app.text_input(key="f_search").value == ""


def test_the_github_page_stays_readable_with_thousands_of_repositories(fresh_store, taxonomy,
                                                                      monkeypatch):
    """One owner with 5,003 starred repositories: the facts table shows the 5,000 most
    starred and says so; the owners table names ten of them and counts the rest."""
    from papertrends.collection import schema
    from papertrends.collection.enrich import enrich

    rows = [{"paper_id": f"2401.{number:05d}", "title": f"Paper {number}",
             "abstract": f"Code: https://github.com/bigorg/repo{number}",
             "github_stars": number} for number in range(5_003)]
    fresh_store.ingest([("many", enrich(schema.to_table(rows), taxonomy))], taxonomy)
    monkeypatch.setenv("PAPERTRENDS_DB", str(fresh_store.path))
    monkeypatch.chdir(REPO_ROOT)
    app = _open(AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=120),
                "pages/github.py")
    facts = next(table.value for table in app.dataframe if "stars" in table.value)
    assert len(facts) == 5_000 and facts["stars"].iloc[0] == 5_002
    assert any("the first 5,000 of 5,003" in caption.value for caption in app.caption)
    owners = next(table.value for table in app.dataframe if "repositories" in table.value)
    assert owners["repositories"].iloc[0].endswith(", and 4,993 more")


@pytest.mark.parametrize("page", ["pages/overview.py", "pages/trends.py", "pages/authors.py",
                                  "pages/github.py"])
def test_time_charts_say_the_last_period_is_not_over(app, page):
    """The shipped page's newest paper is of 9 October 2025: that month (or week, quarter,
    year) has only begun, and its low bar must not read as a fall."""
    _open(app, page)
    notes = [c.value for c in app.caption if "is not over" in c.value]
    assert any("days so far" in note for note in notes), notes



def test_explore_sends_one_page_of_papers_at_a_time(app):
    """50 rows a page, in the chosen order, every selected paper on one page; new filters
    start again on page 1."""
    _open(app, "pages/explore.py")
    first = app.dataframe[0].value
    assert len(first) == 50
    assert any("Papers 1-50 of 98" in caption.value for caption in app.caption)
    app.number_input(key="explore_page").set_value(2).run()
    second = app.dataframe[0].value
    assert len(second) == 48
    assert any("Papers 51-98 of 98" in caption.value for caption in app.caption)
    assert set(first["title"]).isdisjoint(second["title"])
    upvotes = [*first["upvotes"], *second["upvotes"]]
    known = [u for u in upvotes if u == u]  # most upvoted first, unknown last
    assert known == sorted(known, reverse=True)
    app.text_input(key="f_search").input("model").run()  # 50-odd papers
    shown, _ = n_of_m(app)
    assert shown > 50
    assert app.number_input(key="explore_page").value == 1
    assert any(f"Papers 1-50 of {shown}" in caption.value for caption in app.caption)


def test_filtering_by_a_keyword_narrows_the_sidebar_search(app):
    """The Keywords page lists the papers of the picked term; "Filter by this" adds the term
    to the shared search: the sidebar shows it, the page counts the papers mentioning it,
    and the filters already there are kept."""
    app.query_params["code"] = "yes"
    _open(app, "pages/keywords.py")
    [metric] = [m for m in app.metric if m.label == "Papers mentioning it"]
    mentioning = int(metric.value.split(" ")[0].replace(",", ""))
    assert selected_count(app) == mentioning
    assert app.query_params["sel"] in ("keywords.terms", ["keywords.terms"])
    [button] = [b for b in app.button if b.label == "Filter by this"]
    button.click().run()
    assert not app.exception
    assert app.text_input(key="f_search").value
    assert app.radio(key="f_code").value == "yes"
    assert n_of_m(app)[0] == mentioning
