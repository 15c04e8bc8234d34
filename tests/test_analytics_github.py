"""Code-link analytics on hand-made frames with known answers, and the GitHub charts."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import plotly.graph_objects as go
import pyarrow as pa
import pytest

from papertrends.analytics import github
from papertrends.charts import github as charts
from papertrends.charts import topic_colors
from papertrends.collection import schema
from papertrends.collection.schema import empty_frame, to_frame, to_table


def papers(*records: dict) -> pd.DataFrame:
    rows = []
    for number, record in enumerate(records):
        rows.append({"paper_id": f"p{number}", "title": f"Paper {number}", **record})
    return to_frame(to_table(rows))


MIXED = papers(
    {"github_repos": ["acme/x", "acme/y"], "upvotes": 10, "published": dt.date(2024, 3, 1),
     "topics": ["Agents"]},
    {"github_repos": ["ACME/X"], "upvotes": 4, "published": dt.date(2024, 1, 1),
     "topics": ["Agents", "Vision"]},                   # same repo, other spelling
    {"github_repos": ["solo/z"], "project_urls": ["https://solo.github.io/z"],
     "published": dt.date(2023, 12, 1), "topics": ["Vision"]},   # unknown upvotes
    {"project_urls": ["https://www.example.org/demo", "https://acme.github.io/demo"],
     "upvotes": 1, "published": dt.date(2024, 3, 9), "topics": ["Vision"]},
    {"upvotes": 0, "topics": ["Agents"]},               # undated, no links
)


# -- summary ----------------------------------------------------------------------------------

def test_summary_counts_papers_repositories_owners_and_pages():
    summary = github.compute_code_summary(MIXED)
    assert summary["papers"] == 5
    assert summary["with_code"] == 3
    assert summary["share_with_code"] == pytest.approx(0.6)
    assert summary["repos"] == 3          # acme/x counted once across papers and spellings
    assert summary["owners"] == 2
    assert summary["with_project_page"] == 2
    assert summary["share_with_project_page"] == pytest.approx(0.4)
    assert summary["page_only"] == 1      # a project page is not code
    assert summary["both"] == 1


def test_summary_of_nothing():
    summary = github.compute_code_summary(empty_frame())
    assert summary["papers"] == summary["with_code"] == summary["repos"] == 0
    assert summary["share_with_code"] is None


def test_non_http_project_links_are_not_project_pages():
    frame = papers({"project_urls": ["javascript:alert(1)", "ftp://example.org/x"]})
    assert github.compute_code_summary(frame)["with_project_page"] == 0
    assert github.compute_project_pages(frame).empty


# -- over time and by topic ---------------------------------------------------------------------

def test_code_per_period_fills_the_span_and_leaves_undated_papers_out():
    shares = github.compute_code_per_period(MIXED, "month")
    assert shares["period"].dt.strftime("%Y-%m").tolist() == [
        "2023-12", "2024-01", "2024-02", "2024-03"]
    assert shares["papers"].tolist() == [1, 1, 0, 2]
    assert shares["with_code"].tolist() == [1, 1, 0, 1]
    assert shares["without_code"].tolist() == [0, 0, 0, 1]
    assert shares["share"].iloc[[0, 1, 3]].tolist() == [1.0, 1.0, 0.5]
    assert math.isnan(shares["share"].iloc[2])   # no papers: no share, not 0%


@pytest.mark.parametrize("frame", [empty_frame(), papers({"github_repos": ["a/b"]})],
                         ids=["empty", "undated"])
def test_code_per_period_without_dates_is_empty(frame):
    shares = github.compute_code_per_period(frame, "year")
    assert shares.empty
    assert list(shares.columns) == ["period", "papers", "with_code", "without_code", "share"]


def test_code_by_topic_counts_a_paper_under_each_topic():
    shares = github.compute_code_by_topic(MIXED).set_index("topic")
    assert shares.loc["Agents", ["papers", "with_code"]].tolist() == [3, 2]
    assert shares.loc["Vision", ["papers", "with_code"]].tolist() == [3, 2]
    assert shares.loc["Agents", "share"] == pytest.approx(2 / 3)
    assert list(github.compute_code_by_topic(empty_frame()).columns) == [
        "topic", "papers", "with_code", "share"]


# -- owners -------------------------------------------------------------------------------------

def test_top_owners_count_distinct_repositories_and_papers():
    owners = github.compute_top_owners(MIXED)
    assert owners["owner"].tolist() == ["acme", "solo"]   # spelling seen first
    assert owners["repos"].tolist() == [2, 1]
    assert owners["papers"].tolist() == [2, 1]
    assert owners["repositories"].tolist() == ["x, y", "z"]   # most linked first


def test_top_owners_same_owner_across_papers_and_limit():
    frame = papers({"github_repos": ["big/a"]}, {"github_repos": ["big/b"]},
                   {"github_repos": ["big/a", "small/c"]}, {"github_repos": ["tiny/d"]})
    owners = github.compute_top_owners(frame, n=2)
    assert owners["owner"].tolist() == ["big", "small"]
    assert owners[["repos", "papers"]].to_numpy().tolist() == [[2, 3], [1, 1]]
    assert owners["repositories"].iloc[0] == "a, b"


def test_top_owners_break_ties_by_name_case_insensitively():
    frame = papers({"github_repos": ["zed/a"]}, {"github_repos": ["Bee/b"]},
                   {"github_repos": ["ant/c", "not a repo"]}, {"github_repos": ["bee/B"]})
    owners = github.compute_top_owners(frame, n=2)
    assert owners["owner"].tolist() == ["Bee", "ant"]   # 'Bee' and 'bee/B': one repo, 2 papers
    assert owners[["repos", "papers"]].to_numpy().tolist() == [[1, 2], [1, 1]]
    assert github.compute_code_summary(frame)["repos"] == 3


@pytest.mark.parametrize("frame", [empty_frame(), papers({"project_urls": ["https://a.io"]})],
                         ids=["empty", "no code"])
def test_top_owners_without_code_is_empty(frame):
    owners = github.compute_top_owners(frame)
    assert owners.empty
    assert list(owners.columns) == ["owner", "repos", "papers", "repositories"]


# -- upvotes with and without code ---------------------------------------------------------------

def test_upvotes_by_code_leaves_unknown_upvotes_out():
    points = github.compute_upvotes_by_code(MIXED)
    assert points["title"].tolist() == ["Paper 0", "Paper 1", "Paper 3", "Paper 4"]
    assert points["code"].tolist() == [github.WITH_CODE, github.WITH_CODE,
                                       github.WITHOUT_CODE, github.WITHOUT_CODE]
    medians = github.compute_upvote_medians_by_code(MIXED).set_index("code")
    assert medians.loc[github.WITH_CODE, "papers"] == 2
    assert medians.loc[github.WITH_CODE, "median_upvotes"] == 7
    assert medians.loc[github.WITH_CODE, "unknown_upvotes"] == 1
    assert medians.loc[github.WITHOUT_CODE, "median_upvotes"] == 0.5
    assert medians.loc[github.WITHOUT_CODE, "upvoted_share"] == 0.5
    assert medians.loc[github.WITHOUT_CODE, "unknown_upvotes"] == 0


def test_upvote_medians_of_nothing_still_have_both_groups():
    medians = github.compute_upvote_medians_by_code(empty_frame())
    assert medians["code"].tolist() == [github.WITH_CODE, github.WITHOUT_CODE]
    assert medians["papers"].tolist() == [0, 0]
    assert medians["median_upvotes"].isna().all()
    assert github.compute_upvotes_by_code(empty_frame()).empty


# -- lists --------------------------------------------------------------------------------------

def test_code_papers_have_one_row_per_repository_newest_first():
    table = github.compute_code_papers(MIXED)
    assert table["repo"].tolist() == ["acme/x", "acme/y", "ACME/X", "solo/z"]
    assert table["title"].tolist() == ["Paper 0", "Paper 0", "Paper 1", "Paper 2"]
    assert table["github"].iloc[0] == "https://github.com/acme/x"
    assert all(u.startswith("https://huggingface.co/") for u in table["hugging_face"])
    assert len(github.compute_code_papers(MIXED, limit=2)) == 2
    assert list(github.compute_code_papers(empty_frame()).columns) == [
        "title", "published", "upvotes", "repo", "github", "hugging_face"]


def test_project_pages_and_hosts():
    pages = github.compute_project_pages(MIXED)
    assert pages["title"].tolist() == ["Paper 3", "Paper 3", "Paper 2"]
    assert pages["host"].tolist() == ["example.org", "github.io", "github.io"]
    assert pages["has_code"].tolist() == [False, False, True]
    assert pages["project_page"].iloc[0] == "https://www.example.org/demo"
    hosts = github.compute_project_hosts(MIXED)
    assert hosts.to_numpy().tolist() == [["github.io", 2, 2], ["example.org", 1, 1]]
    assert github.compute_project_hosts(empty_frame()).empty
    assert github.compute_project_pages(empty_frame()).empty


# -- charts -------------------------------------------------------------------------------------

def _figures(frame: pd.DataFrame) -> list[go.Figure]:
    return [
        charts.chart_code_per_period(github.compute_code_per_period(frame, "month"), "month"),
        charts.chart_code_by_topic(github.compute_code_by_topic(frame),
                                   topic_colors(["Agents", "Vision"])),
        charts.chart_top_owners(github.compute_top_owners(frame)),
        charts.chart_upvotes_by_code(github.compute_upvotes_by_code(frame)),
    ]


@pytest.mark.parametrize("frame", [MIXED, empty_frame()], ids=["sample", "empty"])
def test_charts_are_figures_with_axis_titles(frame):
    for figure in _figures(frame):
        assert isinstance(figure, go.Figure)
        assert figure.layout.xaxis.title.text


def test_upvote_chart_names_the_paper_on_hover():
    figure = _figures(MIXED)[3]
    assert list(figure.data[0].text) == ["Paper 0", "Paper 1"]
    assert figure.layout.yaxis.title.text == "Upvotes"


def test_code_per_period_chart_titles_both_axes():
    figure = _figures(MIXED)[0]
    assert figure.layout.yaxis.title.text == "Papers"
    assert figure.layout.yaxis2.title.text == "Share of the period's papers with code"


def test_upvote_points_are_sampled_per_group():
    frame = papers(*({"upvotes": i, "github_repos": ["a/b"] if i < 3 else []}
                     for i in range(40)))
    points = github.compute_upvotes_by_code(frame, max_points=10)
    assert (points["code"] == github.WITH_CODE).sum() == 3     # a small group is kept whole
    assert (points["code"] == github.WITHOUT_CODE).sum() == 5
    assert github.compute_upvote_medians_by_code(frame)["papers"].tolist() == [3, 37]


def test_several_arrow_chunks_give_the_same_answers():
    """A loaded collection can arrive in several Arrow chunks; list handling must not care."""
    table = schema.conform(pa.Table.from_pandas(MIXED, preserve_index=False))
    chunked = to_frame(pa.concat_tables([table.slice(0, 2), table.slice(2)]))
    assert pa.array(chunked["github_repos"]).num_chunks == 2
    assert github.compute_code_summary(chunked) == github.compute_code_summary(MIXED)
    for compute in (github.compute_top_owners, github.compute_project_pages,
                    github.compute_project_hosts, github.compute_code_by_topic,
                    github.compute_code_papers):
        pd.testing.assert_frame_equal(compute(chunked), compute(MIXED))


def test_repository_facts_join_github_answers_and_fall_back_to_hugging_face_stars():
    papers = pd.DataFrame({
        "github_repos": pd.Series([["Acme/Tool"], ["acme/tool", "lab/other"], ["lab/third"]],
                                  dtype=pd.ArrowDtype(pa.list_(pa.string()))),
        "github_stars": pd.array([None, 12, None], dtype="Int64"),
    })
    pushed = dt.datetime(2025, 9, 1, tzinfo=dt.UTC)
    repositories = pd.DataFrame({
        "repo": ["acme/tool", "lab/third"], "status": ["ok", "not_found"],
        "stars": [340, None], "forks": [12, None], "language": ["Python", None],
        "pushed_at": [pushed, None], "archived": [False, None]})
    facts = github.compute_repository_facts(papers, repositories)
    assert facts["repo"].tolist() == ["Acme/Tool", "lab/other", "lab/third"]
    assert facts["papers"].tolist() == [2, 1, 1]
    assert facts["stars"].tolist() == [340, 12, pd.NA]  # GitHub, then Hugging Face, unknown
    assert facts["language"].fillna("?").tolist() == ["Python", "?", "?"]
    languages = github.compute_languages(facts)
    assert languages.to_dict("records") == [{"language": "Python", "repos": 1}]


def test_an_owner_with_many_repositories_lists_the_most_linked_and_counts_the_rest():
    """At a million papers one organisation owns tens of thousands of repositories: its cell
    names the first few, not half a megabyte of them."""
    many = [{"github_repos": [f"big/r{number:02d}"]} for number in range(13)]
    frame = papers(*many, {"github_repos": ["big/r12", "other/x"]})
    owners = github.compute_top_owners(frame)
    listed = owners.set_index("owner")["repositories"]
    shown = [f"r{number:02d}" for number in range(github.NAMES_PER_OWNER - 1)]
    assert listed["big"] == ", ".join(["r12", *shown]) + ", and 3 more"  # r12: linked twice
    assert listed["other"] == "x"
    assert owners.set_index("owner")["repos"]["big"] == 13
