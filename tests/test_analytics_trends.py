"""Trends analytics on a small frame with answers worked out by hand."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pyarrow as pa

from papertrends.analytics.compare import compute_distinctive_terms
from papertrends.analytics.trends import (
    compute_papers_per_period,
    compute_topic_counts_per_period,
    compute_upvotes_per_period,
    split_sparse_periods,
    window_masks,
)
from papertrends.indexes.terms import build_term_index


def frame() -> pd.DataFrame:
    rows = [  # published, topics, upvotes
        ("2025-01-05", ["Agents", "Reasoning"], 3),
        ("2025-01-20", ["Agents"], 0),
        ("2025-03-02", ["Vision"], None),
        ("2025-03-30", ["Agents", "Vision"], 7),
        (None, ["Agents"], 4),  # unknown date: in no period
    ]
    published = pa.array([dt.date.fromisoformat(d) if d else None for d, _, _ in rows],
                         pa.date32())
    return pd.DataFrame({
        "published": pd.Series(published, dtype=pd.ArrowDtype(pa.date32())),
        "topics": pd.Series(pa.array([t for _, t, _ in rows], pa.list_(pa.string())),
                            dtype=pd.ArrowDtype(pa.list_(pa.string()))),
        "upvotes": pd.Series(pa.array([u for _, _, u in rows], pa.int64()),
                             dtype=pd.ArrowDtype(pa.int64())),
    })


def test_papers_per_month_fill_the_empty_months():
    counts = compute_papers_per_period(frame(), "month")
    assert counts["period"].dt.strftime("%Y-%m").tolist() == ["2025-01", "2025-02", "2025-03"]
    assert counts["papers"].tolist() == [2, 0, 2]


def test_topic_counts_count_a_paper_under_each_topic_and_share_of_the_period():
    counts = compute_topic_counts_per_period(frame(), "month")
    table = {(row.period.strftime("%Y-%m"), row.topic): (row.papers, row.period_papers,
                                                         row.share)
             for row in counts.itertuples()}
    assert table == {
        ("2025-01", "Agents"): (2, 2, 1.0),
        ("2025-01", "Reasoning"): (1, 2, 0.5),
        ("2025-03", "Vision"): (2, 2, 1.0),
        ("2025-03", "Agents"): (1, 2, 0.5),
    }
    assert counts["topic"].tolist()[:2] == ["Agents", "Reasoning"]  # biggest first per period


def test_topic_counts_of_undated_papers_are_empty():
    undated = frame().iloc[[4]]
    assert compute_topic_counts_per_period(undated, "week").empty


def test_upvotes_per_quarter_leave_out_unknown_upvotes():
    upvotes = compute_upvotes_per_period(frame(), "quarter")
    assert len(upvotes) == 1
    row = upvotes.iloc[0]
    assert (row.papers, row.total_upvotes, row.median_upvotes) == (3, 10, 3.0)


def test_rising_terms_compare_the_recent_window_with_the_one_before():
    papers = pd.DataFrame({
        "title": [""] * 6,
        "abstract": ["diffusion policy", "diffusion policy", "graph networks",
                     "graph networks", "graph networks diffusion policy", "graph networks"],
    })
    published = pd.Series(pd.to_datetime(["2025-01-01", "2025-01-02", "2025-01-03",
                                          "2025-01-11", "2025-01-12", "2025-01-13"]))
    mask = np.ones(6, dtype=bool)
    recent, previous = window_masks(published, mask, 10)
    assert recent.tolist() == [False] * 3 + [True] * 3  # 2025-01-04 to 2025-01-13
    assert previous.tolist() == [True] * 3 + [False] * 3  # the ten days before
    index = build_term_index(papers, "abstracts")
    rising = compute_distinctive_terms(index, recent, previous, min_papers=1)
    top, bottom = rising.iloc[0], rising.iloc[-1]
    assert top.term == "graph networks" and top.z > 0
    assert (top.papers_a, top.papers_b) == (3, 1)
    assert (top.share_a, top.share_b) == (1.0, 1 / 3)
    assert bottom.term == "diffusion policy" and bottom.z < 0  # its share fell: falling
    assert (bottom.papers_a, bottom.papers_b) == (1, 2)
    assert compute_distinctive_terms(index, recent, previous)["term"].tolist() == [
        "graph networks"], "min_papers=3 by default: two papers are not a trend"
    # The windows are those of the masked papers' newest date.
    early = np.array([True, True, True, True, False, False])
    recent, previous = window_masks(published, early, 10)
    assert recent.tolist() == [False, True, True, True, False, False]  # 2025-01-02 to 01-11
    assert window_masks(published, np.zeros(6, bool), 10) is None


def test_sparse_periods_are_split_off_with_their_paper_count():
    counts = compute_topic_counts_per_period(frame(), "month")
    steady, left_out = split_sparse_periods(counts, 2)
    assert len(steady) == 4 and left_out == 0
    steady, left_out = split_sparse_periods(counts, 3)
    assert steady.empty and left_out == 4  # two months of two papers each, counted once
