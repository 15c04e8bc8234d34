"""Rising papers from upvote snapshots: small frames with answers worked out by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from papertrends.analytics.momentum import (
    RISING_COLUMNS,
    compute_paper_rates,
    compute_rising_papers,
    rank_rising_papers,
)
from papertrends.collection import schema

T = pd.Timestamp("2025-10-01 00:00", tz="UTC")
HOUR, DAY = pd.Timedelta(hours=1), pd.Timedelta(days=1)
PAPERS = schema.to_frame(schema.to_table([
    {"paper_id": p, "title": f"Paper {p}"} for p in "abcdef"]))


def snapshots(*rows: tuple[str, pd.Timedelta, int | None]) -> pd.DataFrame:
    return pd.DataFrame({"paper_id": [r[0] for r in rows], "seen_at": [T + r[1] for r in rows],
                         "upvotes": pd.array([r[2] for r in rows], dtype="Int64")})


SNAPSHOTS = snapshots(
    ("a", 0 * DAY, 1), ("a", 1 * DAY, 4), ("a", 2 * DAY, 11),  # +10 in 2 days: 5 a day
    ("b", 0 * DAY, 5), ("b", 1 * DAY, 8),  # +3 in 1 day
    ("c", 0 * DAY, 3),  # one sighting: rate unknown
    ("d", 0 * DAY, 0), ("d", 1 * HOUR, 50),  # an hour apart: too close to rank
    ("e", 0 * DAY, 9), ("e", 4 * DAY, 7),  # lost 2 in 4 days
    ("f", 0 * DAY, 2), ("f", 1 * DAY, None), ("f", 2 * DAY, 8),  # +6 in 2 days, gap ignored
)


def test_rates_and_order() -> None:
    rising = compute_rising_papers(SNAPSHOTS, PAPERS)
    assert list(rising.columns) == list(RISING_COLUMNS)
    assert list(rising["paper_id"]) == ["a", "f", "b", "e"]  # f and b tie: f gained more
    assert list(rising["per_day"]) == [5.0, 3.0, 3.0, -0.5]
    assert list(rising["gained"]) == [10, 6, 3, -2]
    assert list(rising["days"]) == [2.0, 2.0, 1.0, 4.0]
    assert list(rising["upvotes"]) == [11, 8, 8, 7]  # the latest count
    assert list(rising["snapshots"]) == [3, 2, 2, 2]
    assert list(rising["title"]) == ["Paper a", "Paper f", "Paper b", "Paper e"]
    assert rising["first_seen_at"].iloc[0] == T and rising["last_seen_at"].iloc[0] == T + 2 * DAY


def test_ties_go_to_the_larger_gain() -> None:
    tied = snapshots(("b", 0 * DAY, 0), ("b", 1 * DAY, 3), ("a", 0 * DAY, 0), ("a", DAY, 3),
                     ("c", 0 * DAY, 0), ("c", 2 * DAY, 6))
    assert list(compute_rising_papers(tied, PAPERS)["paper_id"]) == ["c", "a", "b"]


def test_only_the_selected_papers_count() -> None:
    selected = PAPERS[PAPERS["paper_id"].isin(["b", "c"])]
    assert list(compute_rising_papers(SNAPSHOTS, selected)["paper_id"]) == ["b"]


def test_titles_come_from_the_collection_when_the_selection_leaves_them_out() -> None:
    """A page's selection keeps the collection's row labels and may leave the titles out."""
    selected = PAPERS.iloc[[5, 0, 1]][["paper_id"]]  # f, a, b
    ranked = rank_rising_papers(compute_paper_rates(SNAPSHOTS), selected,
                                titles=PAPERS["title"])
    assert list(ranked["paper_id"]) == ["a", "f", "b"]
    assert list(ranked["title"]) == ["Paper a", "Paper f", "Paper b"]


def test_a_window_keeps_recent_snapshots() -> None:
    rising = compute_rising_papers(SNAPSHOTS, PAPERS, window=pd.Timedelta(days=3))
    # The newest snapshot is e's at day 4, so the window starts at day 1: only a has two
    # snapshots from then on (4 and 11).
    assert list(rising["paper_id"]) == ["a"] and list(rising["per_day"]) == [7.0]


@pytest.mark.parametrize(("min_span", "expected"), [
    (pd.Timedelta(0), ["d", "a", "f", "b", "e"]),  # d: +50 in an hour is 1200 a day
    (pd.Timedelta(days=2), ["a", "f", "e"]),
])
def test_min_span(min_span, expected) -> None:
    assert list(compute_rising_papers(SNAPSHOTS, PAPERS, min_span=min_span)["paper_id"]) == (
        expected)


def test_limit_and_empty_inputs() -> None:
    assert list(compute_rising_papers(SNAPSHOTS, PAPERS, limit=1)["paper_id"]) == ["a"]
    assert len(compute_rising_papers(SNAPSHOTS, PAPERS, limit=None)) == 4
    for rising in (compute_rising_papers(SNAPSHOTS.iloc[:0], PAPERS),
                   compute_rising_papers(SNAPSHOTS, PAPERS.iloc[:0]),
                   compute_rising_papers(snapshots(("c", 0 * DAY, 3)), PAPERS)):
        assert rising.empty and list(rising.columns) == list(RISING_COLUMNS)
        assert dict(rising.dtypes.astype(str)) == RISING_COLUMNS


def test_store_snapshots_feed_it(fresh_store, taxonomy) -> None:
    record = {"paper_id": "a", "title": "Paper a"}
    for when, upvotes in ((T, 2), (T + DAY, None), (T + 2 * DAY, 6)):
        fresh_store.ingest([("x", schema.to_table([{**record, "upvotes": upvotes}]))], taxonomy,
                           now=when.to_pydatetime())
    stored = fresh_store.snapshots()
    assert list(stored["upvotes"]) == [2, 6]  # an unknown count is no snapshot
    [row] = compute_rising_papers(stored, fresh_store.load()).to_dict("records")
    assert (row["paper_id"], row["gained"], row["per_day"]) == ("a", 4, 2.0)
