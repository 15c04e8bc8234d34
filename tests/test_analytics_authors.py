"""Team-size analytics on hand-made frames with known answers, and the Authors charts."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import plotly.graph_objects as go
import pyarrow as pa
import pytest

from papertrends.analytics import authors
from papertrends.charts import authors as charts
from papertrends.charts import topic_colors
from papertrends.collection import schema
from papertrends.collection.schema import empty_frame, to_frame, to_table


def papers(*records: dict) -> pd.DataFrame:
    rows = []
    for number, record in enumerate(records):
        rows.append({"paper_id": f"p{number}", "title": f"Paper {number}", **record})
    return to_frame(to_table(rows))


def counts(*values: int | None) -> pd.DataFrame:
    return papers(*({"n_authors": v} for v in values))


# -- histogram --------------------------------------------------------------------------------

def test_exact_histogram_has_a_bar_per_count_and_ignores_unknown_counts():
    histogram = authors.compute_author_histogram(counts(1, 2, 2, 5, None, None))
    assert histogram["bucket"].tolist() == ["1", "2", "3", "4", "5"]
    assert histogram["papers"].tolist() == [1, 2, 0, 0, 1]
    assert histogram["share"].tolist() == pytest.approx([0.25, 0.5, 0, 0, 0.25])


def test_exact_histogram_lumps_a_long_tail_into_one_last_bar():
    values = [*range(1, 21), 445]
    histogram = authors.compute_author_histogram(counts(*values))
    last = histogram.iloc[-1]
    assert last["bucket"].endswith("+")
    assert last["high"] == 445
    assert len(histogram) <= 40
    assert histogram["papers"].sum() == len(values)
    assert (histogram["low"].iloc[:-1] == histogram["high"].iloc[:-1]).all()


@pytest.mark.parametrize(("values", "expected"), [
    ([1], {"1": 1}),
    ([1, 2, 3, 4, 5, 8, 9, 445],
     {"1": 1, "2": 1, "3\u20134": 2, "5\u20138": 2, "9\u201316": 1, "17\u201332": 0,
      "33\u201364": 0, "65\u2013128": 0, "129\u2013256": 0, "257\u2013512": 1}),
    ([16, 17], {"9\u201316": 1, "17\u201332": 1}),
])
def test_log_histogram_uses_power_of_two_buckets(values, expected):
    histogram = authors.compute_author_histogram(counts(*values, None), log_buckets=True)
    assert dict(zip(histogram["bucket"], histogram["papers"], strict=True)) == expected
    assert histogram["share"].sum() == pytest.approx(1.0)


@pytest.mark.parametrize("frame", [empty_frame(), counts(None, None)], ids=["empty", "unknown"])
@pytest.mark.parametrize("log_buckets", [False, True])
def test_histogram_without_known_counts_is_empty(frame, log_buckets):
    histogram = authors.compute_author_histogram(frame, log_buckets)
    assert histogram.empty
    assert list(histogram.columns) == ["bucket", "low", "high", "papers", "share"]


# -- summary ----------------------------------------------------------------------------------

def test_summary_leaves_unknown_counts_out_rather_than_counting_zero():
    figures = authors.compute_team_size_summary(counts(1, 1, 4, 10, 20, None))
    assert figures["known"] == 5
    assert figures["unknown"] == 1
    assert figures["mean"] == pytest.approx(7.2)
    assert figures["median"] == 4
    assert figures["p90"] == pytest.approx(16.0)
    assert figures["max"] == 20
    assert figures["single_share"] == pytest.approx(0.4)
    assert figures["ten_plus_share"] == pytest.approx(0.4)


@pytest.mark.parametrize("frame", [empty_frame(), counts(None)], ids=["empty", "unknown"])
def test_summary_without_known_counts_has_no_figures(frame):
    figures = authors.compute_team_size_summary(frame)
    assert figures["known"] == 0
    assert figures["unknown"] == len(frame)
    assert all(figures[k] is None for k in ("mean", "median", "p90", "max", "single_share",
                                            "ten_plus_share"))


def test_summary_counts_papers_with_author_names():
    frame = papers({"n_authors": 2, "authors": ["Ada", "Bo"]}, {"n_authors": 3},
                   {"authors": ["Cy"]})
    assert authors.compute_team_size_summary(frame)["named"] == 2


# -- over time and by topic ---------------------------------------------------------------------

def test_team_size_per_period_uses_dated_papers_with_known_counts():
    frame = papers(
        {"published": dt.date(2024, 1, 3), "n_authors": 3},
        {"published": dt.date(2024, 1, 30), "n_authors": 5},
        {"published": dt.date(2024, 3, 1), "n_authors": 10},
        {"published": dt.date(2024, 3, 2)},                   # unknown count
        {"n_authors": 100},                                   # unknown date
    )
    spread = authors.compute_team_size_per_period(frame, "month")
    assert spread["period"].dt.strftime("%Y-%m").tolist() == ["2024-01", "2024-03"]
    assert spread["papers"].tolist() == [2, 1]
    assert spread["median"].tolist() == [4, 10]
    assert spread["q1"].tolist() == [3.5, 10]
    assert spread["q3"].tolist() == [4.5, 10]


@pytest.mark.parametrize("frame", [empty_frame(), counts(4), papers({"published": dt.date(
    2024, 1, 1)})], ids=["empty", "undated", "unknown count"])
def test_team_size_per_period_without_data_is_empty(frame):
    spread = authors.compute_team_size_per_period(frame, "year")
    assert spread.empty
    assert list(spread.columns) == ["period", "papers", "median", "q1", "q3", "mean"]


def test_team_size_by_topic_counts_a_paper_under_each_topic():
    frame = papers({"n_authors": 2, "topics": ["X", "Y"]}, {"n_authors": 6, "topics": ["X"]},
                   {"topics": ["Y"]}, {"n_authors": 9, "topics": []})
    spread = authors.compute_team_size_by_topic(frame).set_index("topic")
    assert spread.loc["X", "papers"] == 2
    assert spread.loc["X", "median"] == 4
    assert spread.loc["Y", "papers"] == 1
    assert spread.loc["Y", "median"] == 2
    assert list(spread.index) == ["X", "Y"]  # largest median first


def test_team_size_by_topic_of_nothing_is_empty():
    assert list(authors.compute_team_size_by_topic(empty_frame()).columns) == [
        "topic", "papers", "median", "q1", "q3", "mean"]


# -- against upvotes ---------------------------------------------------------------------------

def test_authors_vs_upvotes_keeps_papers_with_both_known():
    frame = papers({"n_authors": 2, "upvotes": 0}, {"n_authors": 3},
                   {"upvotes": 5}, {"n_authors": 8, "upvotes": 7})
    points = authors.compute_authors_vs_upvotes(frame)
    assert points["title"].tolist() == ["Paper 0", "Paper 3"]
    assert points["n_authors"].tolist() == [2, 8]
    assert points["upvotes"].tolist() == [0, 7]
    assert authors.compute_authors_vs_upvotes(empty_frame()).empty


def test_authors_vs_upvotes_samples_large_selections_but_the_figures_use_all():
    frame = papers(*({"n_authors": 1 + i % 7, "upvotes": i % 3} for i in range(60)))
    points = authors.compute_authors_vs_upvotes(frame, max_points=10)
    assert len(points) == 10
    assert points["title"].is_unique
    assert points.equals(authors.compute_authors_vs_upvotes(frame, max_points=10))  # stable
    assert authors.compute_upvotes_by_team_size(frame)["papers"].sum() == 60


def test_upvotes_by_team_size_buckets():
    frame = papers(*({"n_authors": n, "upvotes": u}
                     for n, u in [(1, 0), (3, 2), (4, 0), (5, 6), (8, 4)]))
    buckets = authors.compute_upvotes_by_team_size(frame)
    assert buckets["bucket"].tolist() == ["1", "3\u20134", "5\u20138"]
    assert buckets["papers"].tolist() == [1, 2, 2]
    assert buckets["mean_upvotes"].tolist() == [0, 1, 5]
    assert buckets["upvoted_share"].tolist() == [0, 0.5, 1]
    assert buckets["middle"].tolist() == pytest.approx([1, 12 ** 0.5, 40 ** 0.5])
    assert authors.compute_upvotes_by_team_size(empty_frame()).empty


@pytest.mark.parametrize(("pairs", "expected"), [
    ([(1, 0), (2, 1), (3, 5)], 1.0),
    ([(1, 5), (2, 1), (3, 0)], -1.0),
    ([(1, 0), (2, 0), (3, 0)], None),   # constant upvotes
    ([(1, 0), (2, 1)], None),           # too few papers
])
def test_rank_correlation(pairs, expected):
    frame = papers(*({"n_authors": n, "upvotes": u} for n, u in pairs))
    result = authors.compute_rank_correlation(frame)
    assert result == (None if expected is None else pytest.approx(expected))


# -- names --------------------------------------------------------------------------------------

def test_top_authors_counts_papers_not_mentions():
    frame = papers(
        {"authors": ["Ada", "Bo", "Ada"], "upvotes": 3, "published": dt.date(2024, 1, 1)},
        {"authors": [" Ada ", ""], "published": dt.date(2024, 6, 1)},   # unknown upvotes
        {"authors": ["Bo"], "upvotes": 4},
        {"authors": []},
    )
    top = authors.compute_top_authors(frame)
    assert top["author"].tolist() == ["Bo", "Ada"]       # tie on papers: more upvotes first
    assert top["papers"].tolist() == [2, 2]
    assert top["total_upvotes"].tolist() == [7, 3]
    assert top.set_index("author").loc["Ada", "latest"] == dt.date(2024, 6, 1)
    assert len(authors.compute_top_authors(frame, n=1)) == 1


def test_top_authors_ties_are_broken_by_name():
    frame = papers({"authors": ["Cy", "Bo"]}, {"authors": ["Ada"]}, {"authors": ["Dee", "Ed"]})
    assert authors.compute_top_authors(frame, n=2)["author"].tolist() == ["Ada", "Bo"]


@pytest.mark.parametrize("frame", [empty_frame(), counts(3, None)], ids=["empty", "no names"])
def test_top_authors_without_names_is_empty(frame):
    top = authors.compute_top_authors(frame)
    assert top.empty
    assert list(top.columns) == ["author", "papers", "total_upvotes", "latest"]


# -- charts -------------------------------------------------------------------------------------

SAMPLE = papers(
    {"n_authors": 3, "upvotes": 2, "published": dt.date(2024, 1, 5), "topics": ["Agents"],
     "authors": ["Ada", "Bo", "Cy"]},
    {"n_authors": 445, "upvotes": 0, "published": dt.date(2024, 5, 5),
     "topics": ["Agents", "Other"]},
    {"n_authors": 5, "published": dt.date(2025, 2, 1), "topics": ["Other"]},
    {"upvotes": 1, "topics": ["Other"]},
)


def _figures(frame: pd.DataFrame) -> list[go.Figure]:
    points = authors.compute_authors_vs_upvotes(frame)
    colors = topic_colors(["Agents", "Other"])
    return [
        charts.chart_author_histogram(authors.compute_author_histogram(frame)),
        charts.chart_author_histogram(authors.compute_author_histogram(frame, True), True),
        charts.chart_team_size_over_time(authors.compute_team_size_per_period(frame, "month"),
                                         "month"),
        charts.chart_team_size_by_topic(authors.compute_team_size_by_topic(frame), colors),
        charts.chart_authors_vs_upvotes(points, authors.compute_upvotes_by_team_size(frame)),
        charts.chart_top_authors(authors.compute_top_authors(frame)),
    ]


@pytest.mark.parametrize("frame", [SAMPLE, empty_frame()], ids=["sample", "empty"])
def test_charts_are_figures_with_axis_titles(frame):
    for figure in _figures(frame):
        assert isinstance(figure, go.Figure)
        assert figure.layout.xaxis.title.text


def test_charts_name_the_paper_on_hover():
    figure = _figures(SAMPLE)[4]
    assert "Paper 0" in figure.data[0].customdata[:, 0]
    assert "customdata[0]" in figure.data[0].hovertemplate
    assert figure.layout.yaxis.title.text == "Upvotes"
    assert figure.layout.xaxis.type == "log"


def test_several_arrow_chunks_give_the_same_answers():
    """A loaded collection can arrive in several Arrow chunks; list handling must not care."""
    table = schema.conform(pa.Table.from_pandas(SAMPLE, preserve_index=False))
    chunked = to_frame(pa.concat_tables([table.slice(0, 2), table.slice(2)]))
    assert pa.array(chunked["topics"]).num_chunks == 2
    pd.testing.assert_frame_equal(authors.compute_team_size_by_topic(chunked),
                                  authors.compute_team_size_by_topic(SAMPLE))
    pd.testing.assert_frame_equal(authors.compute_top_authors(chunked),
                                  authors.compute_top_authors(SAMPLE))
    assert (authors.compute_team_size_summary(chunked)
            == authors.compute_team_size_summary(SAMPLE))
