"""From a chart's marks to their papers: every mark of every drillable chart stands for
exactly the papers it counts, a selection reads back from the browser's point indices alone,
and a drill-down's URL form and "Filter by this" keep the same papers."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from papertrends.analytics.authors import (
    compute_author_histogram,
    compute_team_size_by_topic,
    compute_team_size_per_period,
)
from papertrends.analytics.engagement import compute_topic_engagement
from papertrends.analytics.github import (
    compute_code_by_topic,
    compute_code_per_period,
    compute_top_owners,
)
from papertrends.analytics.trends import (
    compute_papers_per_period,
    compute_topic_counts_per_period,
    compute_upvotes_per_period,
)
from papertrends.charts import topic_colors
from papertrends.charts.authors import (
    chart_author_histogram,
    chart_team_size_by_topic,
    chart_team_size_over_time,
)
from papertrends.charts.compare import chart_engagement
from papertrends.charts.github import chart_code_by_topic, chart_code_per_period, chart_top_owners
from papertrends.charts.trends import (
    chart_papers_per_period,
    chart_topic_share,
    chart_topics_per_period,
    chart_upvotes_per_period,
)
from papertrends.collection.drill import Drill, selected_narrowing
from papertrends.collection.filters import Filters
from papertrends.collection.loaded import Collection


@pytest.fixture(scope="module")
def collection(seed_store) -> Collection:
    return Collection.from_store(seed_store)


def _count(collection: Collection, narrowing: Filters, within: Filters | None = None) -> int:
    return int(((within or Filters()).mask(collection) & narrowing.mask(collection)).sum())


def _y(trace, j):
    return trace.y[j]


def _x(trace, j):
    return trace.x[j]


def _custom(trace, j):
    return trace.customdata[j][0]


def _charts(papers, colors):
    """(name, figure, {curve: count of point j}) for every drillable chart on the seed."""
    counts = compute_topic_counts_per_period(papers, "month")
    totals = compute_papers_per_period(papers, "month")
    topics = chart_topics_per_period(counts, totals, "month", colors)
    return [
        ("topics per period", topics, {i: _y for i in range(len(topics.data))}),
        ("papers per period", chart_papers_per_period(
            compute_papers_per_period(papers, "quarter"), "quarter"), {0: _y}),
        ("upvotes per period", chart_upvotes_per_period(
            compute_upvotes_per_period(papers, "quarter"), "quarter"), {0: _custom}),
        ("authors histogram", chart_author_histogram(compute_author_histogram(papers)),
         {0: _y}),
        ("authors log histogram", chart_author_histogram(
            compute_author_histogram(papers, True), True), {0: _y}),
        ("team size over time", chart_team_size_over_time(
            compute_team_size_per_period(papers, "quarter"), "quarter"), {2: _custom}),
        ("team size by topic", chart_team_size_by_topic(
            compute_team_size_by_topic(papers), colors), {0: _custom}),
        ("code per period", chart_code_per_period(compute_code_per_period(papers, "month"),
                                                  "month"), {0: _y, 1: _y}),
        ("code by topic", chart_code_by_topic(compute_code_by_topic(papers), colors),
         {0: _custom}),
        ("owners", chart_top_owners(compute_top_owners(papers, 15)), {0: _custom}),
        ("topic engagement", chart_engagement(compute_topic_engagement(papers), "topic"),
         {0: _x}),
    ]


@pytest.mark.parametrize("filtered", [False, True], ids=["whole seed", "filtered"])
def test_every_mark_stands_for_exactly_the_papers_it_counts(collection, filtered):
    """A click on any bar, segment or point lists as many papers as the mark shows."""
    within = Filters(search="model") if filtered else Filters()
    mask = within.mask(collection)
    papers = collection.without_text.loc[mask]
    colors = topic_colors(collection.topics)
    for name, figure, counted in _charts(papers, colors):
        metas = [trace.meta for trace in figure.data]
        checked = 0
        for curve, count_of in counted.items():
            trace = figure.data[curve]
            for j in range(len(trace.x if trace.orientation != "h" else trace.y)):
                point = {"curve_number": curve, "point_index": j, "x": "shown as text"}
                narrowing = selected_narrowing([point], metas, "published")
                assert narrowing is not None, (name, curve, j)
                assert _count(collection, narrowing, within) == count_of(trace, j), (
                    name, curve, j, narrowing)
                checked += 1
        assert checked, name


def test_a_heat_map_cell_stands_for_its_topic_and_period(collection):
    papers = collection.without_text
    counts = compute_topic_counts_per_period(papers, "quarter")
    figure = chart_topic_share(counts, "quarter", topic_colors(collection.topics))
    metas = [trace.meta for trace in figure.data]
    papers_in = np.asarray(figure.data[0].customdata)[..., 0]
    rows, columns = papers_in.shape
    for row in range(rows):
        for column in range(columns):
            point = {"curve_number": 0, "point_number": [row, column]}
            narrowing = selected_narrowing([point], metas, "published")
            assert _count(collection, narrowing) == papers_in[row, column]


def test_several_selected_marks_list_every_paper_behind_any_of_them(collection):
    """A box over two months of one topic and one of another: one date span, either topic."""
    papers = collection.without_text
    counts = compute_topic_counts_per_period(papers, "month")
    totals = compute_papers_per_period(papers, "month")
    figure = chart_topics_per_period(counts, totals, "month", topic_colors(collection.topics))
    metas = [trace.meta for trace in figure.data]
    first, second = figure.data[0], figure.data[1]
    points = [{"curve_number": 0, "point_index": 0}, {"curve_number": 0, "point_index": 1},
              {"curve_number": 1, "point_index": 0}]
    narrowing = selected_narrowing(points, metas, "published")
    assert set(narrowing.topics) == {first.meta["drill"]["topic"][0],
                                     second.meta["drill"]["topic"][0]}
    starts = [first.meta["drill_points"][0]["from"], first.meta["drill_points"][1]["from"],
              second.meta["drill_points"][0]["from"]]
    assert narrowing.date_from == dt.date.fromisoformat(min(starts))
    ends = [first.meta["drill_points"][1]["to"], second.meta["drill_points"][0]["to"]]
    assert narrowing.date_to == dt.date.fromisoformat(max(ends))
    wanted = set(narrowing.topics)
    dates = [None if day is pd.NA else day for day in papers["published"].tolist()]
    expected = sum(1 for day, topics in zip(dates, papers["topics"], strict=True)
                   if day is not None and narrowing.date_from <= day <= narrowing.date_to
                   and wanted & set(topics))
    assert expected and _count(collection, narrowing) == expected


def test_points_that_stand_for_no_papers_select_nothing():
    metas = [None, {"drill_points": [{"topic": ["A"]}]},
             {"drill_rows": [{"topic": ["A"]}], "drill_columns": [{"from": "2024-01-01"}]}]
    for point in ({"curve_number": 0, "point_index": 0},  # a trace without drill-down
                  {"curve_number": 1, "point_index": 5},  # past the trace's points
                  {"curve_number": 1, "point_index": "0"},
                  {"curve_number": 7, "point_index": 0},  # no such trace
                  {"curve_number": 2, "point_number": [0, 3]},
                  {"curve_number": 2, "point_index": 0},  # a heat map cell needs [row, col]
                  {}):
        assert selected_narrowing([point], metas, "published") is None, point


def test_a_drill_down_round_trips_through_its_url():
    drill = Drill("trends.topics", Filters(date_from=dt.date(2025, 1, 1),
                                           date_to=dt.date(2025, 1, 31), topics=("Agents",),
                                           search='"tool use"', owners=("openai",)))
    params = drill.to_params()
    assert params["sel"] == "trends.topics" and params["sel_topic"] == ["Agents"]
    assert all(key == "sel" or key.startswith("sel_") for key in params)
    assert Drill.from_params(params) == drill
    # the shared filters' keys are not the drill-down's, and the reverse
    assert Filters.from_params(params) == Filters()
    assert Drill.from_params({"from": "2025-01-01", "sel": "trends.topics"}) is None
    assert Drill.from_params({"sel_topic": "Agents"}) is None
    assert Drill("x.y", Filters()).page == "x"


def test_filter_by_this_keeps_exactly_the_listed_papers(collection):
    """The shared filters narrowed by the selection: dates intersected (a relative range
    resolved), search terms added, author ranges intersected, the selection's topic."""
    shared = Filters(relative="last-90", search="model", authors_min=2)
    narrowing = Filters(date_from=dt.date(2025, 8, 1), date_to=dt.date(2025, 12, 31),
                        topics=("Agents",), search="agent", authors_max=10)
    combined = shared.narrowed_by(narrowing, collection)
    assert combined.relative == "" and combined.date_to == dt.date(2025, 12, 31)
    assert combined.date_from == dt.date(2025, 8, 1)
    assert combined.search == "model agent"
    assert (combined.authors_min, combined.authors_max) == (2, 10)
    listed = shared.mask(collection) & narrowing.mask(collection)
    assert listed.any()
    assert np.array_equal(combined.mask(collection), listed)
    # a selection without dates keeps a relative range relative
    assert shared.narrowed_by(Filters(topics=("Agents",)), collection).relative == "last-90"


def test_an_owner_filter_keeps_papers_linking_that_owners_repositories(collection):
    owners = compute_top_owners(collection.without_text, 3)
    owner = owners["owner"].iloc[0]
    mask = Filters(owners=(owner.upper(),)).mask(collection)
    assert mask.sum() == owners["papers"].iloc[0]
    repos = collection.papers["github_repos"][mask]
    assert all(any(r.lower().startswith(owner.lower() + "/") for r in rs) for rs in repos)
    assert "code by" in Filters(owners=(owner,)).describe()
    assert Filters.from_params(Filters(owners=(owner, "x")).to_params()).owners == (owner, "x")
