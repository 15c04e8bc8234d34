"""Every page's drill-down through AppTest: a link's selection lists its papers under the
chart it was made on, "Filter by this" makes it the sidebar's filters, "Clear selection"
ends it, and the URL follows each step."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import REPO_ROOT
from streamlit.testing.v1 import AppTest
from test_app import n_of_m, selected_count

from papertrends.collection.drill import Drill
from papertrends.collection.filters import Filters
from papertrends.collection.loaded import Collection

D = dt.date
# (page, chart, the selection's filters): one per drillable chart a link can name.
DRILLS = [
    ("pages/overview.py", "overview.papers", Filters(date_from=D(2025, 1, 1),
                                                     date_to=D(2025, 3, 31))),
    ("pages/overview.py", "overview.topics", Filters(topics=("Agents",))),
    ("pages/trends.py", "trends.topics", Filters(date_from=D(2025, 1, 1),
                                                 date_to=D(2025, 3, 31), topics=("Agents",))),
    ("pages/trends.py", "trends.upvotes", Filters(date_from=D(2024, 1, 1),
                                                  date_to=D(2024, 12, 31))),
    ("pages/authors.py", "authors.histogram", Filters(authors_min=5, authors_max=5)),
    ("pages/authors.py", "authors.topics", Filters(topics=("Reasoning & planning",),
                                                   authors_min=1)),
    ("pages/github.py", "github.topics", Filters(topics=("Agents",), has_code="yes")),
    ("pages/github.py", "github.over_time", Filters(date_from=D(2025, 1, 1),
                                                    date_to=D(2025, 6, 30), has_code="no")),
]


@pytest.fixture
def app(seed_store, monkeypatch) -> AppTest:
    monkeypatch.setenv("PAPERTRENDS_DB", str(seed_store.path))
    monkeypatch.chdir(REPO_ROOT)
    return AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=120)


@pytest.fixture(scope="module")
def collection(seed_store) -> Collection:
    return Collection.from_store(seed_store)


def _open_link(app: AppTest, page: str, params: dict) -> AppTest:
    for key, value in params.items():
        app.query_params[key] = value
    app.run()
    app.switch_page(page)
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def _url(app: AppTest) -> dict:
    return {key: app.query_params[key] for key in app.query_params}


@pytest.mark.parametrize(("page", "chart", "narrowing"), DRILLS,
                         ids=[chart for _, chart, _ in DRILLS])
def test_a_links_selection_lists_its_papers_and_filter_by_this_keeps_them(
        app, collection, page, chart, narrowing):
    expected = int(narrowing.mask(collection).sum())
    assert expected, "pick a selection the seed has papers for"
    _open_link(app, page, Drill(chart, narrowing).to_params())
    assert selected_count(app) == expected
    listed = app.dataframe[[len(d.value) for d in app.dataframe].index(min(expected, 50))]
    assert len(listed.value) == min(expected, 50)
    assert _url(app)["sel"] == chart
    next(b for b in app.button if b.label == "Filter by this").click().run()
    assert not app.exception
    assert n_of_m(app)[0] == expected
    assert not any(key.startswith("sel") for key in _url(app))
    assert not any(b.label == "Filter by this" for b in app.button)
    assert Filters.from_params(_url(app)).mask(collection).sum() == expected


def test_a_selection_lists_only_papers_the_shared_filters_keep(app, collection):
    shared = Filters(has_code="yes")
    narrowing = Filters(topics=("Agents",))
    params = {**shared.to_params(), **Drill("overview.topics", narrowing).to_params()}
    _open_link(app, "pages/overview.py", params)
    expected = int((shared.mask(collection) & narrowing.mask(collection)).sum())
    assert 0 < expected < narrowing.mask(collection).sum()
    assert selected_count(app) == expected
    # a change of the shared filters keeps the selection and lists what both keep
    app.radio(key="f_code").set_value("no").run()
    assert selected_count(app) == int((~collection.has_code & narrowing.mask(collection)).sum())
    assert _url(app)["sel"] == "overview.topics"


def test_clear_selection_ends_the_drill_down_and_leaves_the_url(app):
    _open_link(app, "pages/trends.py",
               Drill("trends.upvotes", Filters(date_from=D(2024, 1, 1))).to_params())
    next(b for b in app.button if b.label == "Clear selection").click().run()
    assert not app.exception
    with pytest.raises(AssertionError):
        selected_count(app)
    assert not any(key.startswith("sel") for key in _url(app))


def test_a_selection_waits_on_its_own_page(app):
    """Made on Trends: not listed on Authors (nor in its URL), back when Trends opens."""
    drill = Drill("trends.topics", Filters(topics=("Agents",), date_from=D(2025, 1, 1)))
    _open_link(app, "pages/authors.py", drill.to_params())
    with pytest.raises(AssertionError):
        selected_count(app)
    assert "sel" not in _url(app)
    app.switch_page("pages/trends.py").run()
    assert selected_count(app) > 0 and _url(app)["sel"] == "trends.topics"


def test_a_link_to_a_term_picks_it_on_the_keywords_page(app):
    _open_link(app, "pages/keywords.py", {"sel": "keywords.terms", "sel_q": "reasoning"})
    [term] = [s.value for s in app.selectbox if s.key.startswith("kw_term_")]
    assert term == "reasoning"
    [metric] = [m for m in app.metric if m.label == "Papers mentioning it"]
    assert selected_count(app) == int(metric.value.split(" ")[0].replace(",", ""))
