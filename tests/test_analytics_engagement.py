"""Upvotes beside frequency (analytics.engagement): medians and means per topic and per term
over the papers with a known count, checked against pandas on the same papers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
import scipy.sparse as sp

from papertrends.analytics import engagement
from papertrends.analytics.engagement import (
    compute_term_engagement,
    compute_term_papers,
    compute_topic_engagement,
    term_rows,
)
from papertrends.analytics.summary import compute_top_papers
from papertrends.indexes.terms import TermIndex

# paper: (terms, topics, upvotes)
PAPERS = [
    (["agents", "tools"], ["Agents"], 10),
    (["agents"], ["Agents", "Vision"], 0),
    (["agents", "vision"], ["Agents"], None),
    (["vision"], ["Vision"], 3),
    (["vision", "tools"], ["Vision", "Speech"], 5),
    (["speech"], ["Speech"], 40),
    (["agents"], [], 2),
]
TERMS = ["agents", "speech", "tools", "vision"]


def index() -> TermIndex:
    rows = [(i, TERMS.index(t)) for i, (terms, _, _) in enumerate(PAPERS) for t in terms]
    matrix = sp.csr_matrix((np.ones(len(rows), np.int32), tuple(zip(*rows, strict=True))),
                           shape=(len(PAPERS), len(TERMS)))
    return TermIndex(matrix, np.array(TERMS, dtype=object))


def frame() -> pd.DataFrame:
    return pd.DataFrame({
        "paper_id": pd.Series([f"2501.0000{i}" for i in range(len(PAPERS))],
                              dtype=pd.ArrowDtype(pa.string())),
        "title": [f"Paper {i}" for i in range(len(PAPERS))],
        "published": pd.Series(pd.array([pd.Timestamp("2025-01-01").date()] * len(PAPERS),
                                        dtype=pd.ArrowDtype(pa.date32()))),
        "upvotes": pd.Series([u for *_, u in PAPERS], dtype=pd.ArrowDtype(pa.int64())),
        "n_authors": pd.Series([1] * len(PAPERS), dtype=pd.ArrowDtype(pa.int64())),
        "github_repos": pd.Series([[] for _ in PAPERS],
                                  dtype=pd.ArrowDtype(pa.list_(pa.string()))),
        "topics": pd.Series([t for _, t, _ in PAPERS], dtype=pd.ArrowDtype(pa.list_(pa.string()))),
    })


def expected(mask: np.ndarray, has) -> dict[str, tuple]:
    """Per label: (papers, with upvotes, median, mean) by pandas, unknown upvotes dropped."""
    found = {}
    for name in {n for terms, topics, _ in PAPERS for n in (*terms, *topics)}:
        rows = [i for i, paper in enumerate(PAPERS) if mask[i] and has(paper, name)]
        upvotes = pd.Series([PAPERS[i][2] for i in rows], dtype="Float64").dropna()
        found[name] = (len(rows), len(upvotes), upvotes.median() if len(upvotes) else np.nan,
                       upvotes.mean() if len(upvotes) else np.nan)
    return found


def rows_of(result: pd.DataFrame, label: str) -> dict[str, tuple]:
    return {row[label]: (row["papers"], row["with_upvotes"], row["median_upvotes"],
                         row["mean_upvotes"]) for row in result.to_dict("records")}


@pytest.mark.parametrize("keep", [[1, 1, 1, 1, 1, 1, 1], [1, 0, 1, 1, 0, 1, 1],
                                  [0, 0, 1, 0, 0, 0, 0]])
def test_term_medians_and_means_leave_unknown_upvotes_out(keep):
    mask = np.array(keep, dtype=bool)
    result = compute_term_engagement(index(), mask, frame()["upvotes"], ["vision", "agents",
                                                                        "tools", "speech"])
    assert result["term"].tolist() == ["vision", "agents", "tools", "speech"]
    wanted = expected(mask, lambda paper, name: name in paper[0])
    for term, values in rows_of(result, "term").items():
        np.testing.assert_allclose(values, wanted[term], equal_nan=True, err_msg=term)


def test_agents_by_hand():
    everything = np.ones(len(PAPERS), dtype=bool)
    [row] = compute_term_engagement(index(), everything, frame()["upvotes"],
                                    ["agents", "no such term"]).to_dict("records")
    # four papers: 10, 0, unknown, 2 -> three known, median 2, mean 4
    assert (row["papers"], row["with_upvotes"], row["median_upvotes"], row["mean_upvotes"]) == (
        4, 3, 2.0, 4.0)


def test_topic_medians_and_means_leave_unknown_upvotes_out():
    papers = frame()
    result = compute_topic_engagement(papers)
    assert result["topic"].tolist() == ["Agents", "Vision", "Speech"]  # most papers first
    wanted = expected(np.ones(len(PAPERS), bool), lambda paper, name: name in paper[1])
    for topic, values in rows_of(result, "topic").items():
        np.testing.assert_allclose(values, wanted[topic], equal_nan=True, err_msg=topic)
    assert compute_topic_engagement(papers.iloc[:0]).empty
    only_unknown = compute_topic_engagement(papers.iloc[[2]])
    assert only_unknown["with_upvotes"].tolist() == [0]
    assert np.isnan(only_unknown["median_upvotes"].iloc[0])


def test_a_terms_papers_are_one_lookup_away():
    mask = np.array([1, 1, 1, 1, 1, 1, 0], dtype=bool)
    assert np.flatnonzero(term_rows(index(), mask, "agents")).tolist() == [0, 1, 2]
    assert not term_rows(index(), mask, "nothing").any()
    top = compute_term_papers(index(), mask, frame(), "agents")
    assert top["title"].tolist() == ["Paper 0", "Paper 1"]  # the unknown one is not ranked
    assert top["upvotes"].tolist() == [10, 0]


def test_a_terms_top_papers_are_those_all_the_papers_give(monkeypatch) -> None:
    """Looking at the most upvoted papers first (a few at a time here), ties included, gives
    the ranking that ranking every paper with the term gives."""
    rng = np.random.default_rng(3)
    n_papers = 400
    has = rng.random((n_papers, len(TERMS))) < [0.5, 0.02, 0.1, 0.3]
    matrix = sp.csr_matrix(has.astype(np.int32))
    papers = pd.DataFrame({
        "paper_id": [f"2501.{i:05d}" for i in range(n_papers)],
        "title": [f"Paper {i}" for i in range(n_papers)],
        "upvotes": pd.array(np.where(rng.random(n_papers) < 0.1, None,
                                     rng.integers(0, 12, n_papers)), dtype="Int64"),
        "published": pd.Series(pd.to_datetime("2025-01-01") + pd.to_timedelta(
            rng.integers(0, 300, n_papers), unit="D")).dt.date,
        "n_authors": 3, "github_repos": [[] for _ in range(n_papers)]})
    terms_index = TermIndex(matrix, np.array(TERMS, dtype=object))
    mask = rng.random(n_papers) < 0.8
    monkeypatch.setattr(engagement, "_FIRST_LOOK", 3)
    for term in TERMS:
        everyone = compute_top_papers(
            papers.iloc[np.flatnonzero(mask & has[:, TERMS.index(term)])], 10)
        pd.testing.assert_frame_equal(
            compute_term_papers(terms_index, mask, papers, term), everyone)
