"""What is rising: papers, topics and upvotes over time, and the windows rising terms and
topics compare (``analytics.compare`` scores them).

Every series is bucketed by ``periods.period_start`` and leaves out papers without a known date
(pages say how many). Topic series count a paper under each of its topics.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from papertrends.analytics.periods import PERIODS, as_days, period_start
from papertrends.common import arrow


def _dated(papers: pd.DataFrame, period: str, columns: list[str], date_column: str
           ) -> pd.DataFrame:
    """``columns`` of the papers with a known date, plus their ``period``.

    Only the named columns are copied: the selection may hold a million abstracts.
    """
    starts = period_start(papers[date_column], period)
    known = starts.notna().to_numpy()
    if known.all():  # every paper dated: no copy of the rows
        return papers[columns].assign(period=starts)
    frame = papers.loc[known, columns]
    frame["period"] = starts[known]
    return frame


def compute_papers_per_period(papers: pd.DataFrame, period: str,
                              date_column: str = "published") -> pd.DataFrame:
    """period, papers (distinct dated papers per period), every period in the span present."""
    dated = _dated(papers, period, [], date_column)
    if dated.empty:
        return pd.DataFrame({"period": pd.Series(dtype="datetime64[s]"),
                             "papers": pd.Series(dtype=int)})
    counts = dated.groupby("period").size()
    span = pd.period_range(counts.index.min(), counts.index.max(),
                           freq=PERIODS[period]).start_time
    counts = counts.reindex(span.astype(counts.index.dtype), fill_value=0)
    return counts.rename_axis("period").reset_index(name="papers")


def compute_topic_counts_per_period(papers: pd.DataFrame, period: str,
                                    date_column: str = "published") -> pd.DataFrame:
    """period, topic, papers (with that topic), period_papers, share (of the period's papers)."""
    dated = _dated(papers, period, ["topics"], date_column)
    columns = {"period": "datetime64[s]", "topic": str, "papers": int, "period_papers": int,
               "share": float}
    if dated.empty:
        return pd.DataFrame({k: pd.Series(dtype=v) for k, v in columns.items()})
    # Integer codes and one bincount, not a row per (paper, topic): a million papers carry
    # three million topic labels, and Python strings for each would take seconds.
    period_codes, periods = pd.factorize(dated["period"], sort=True)
    parents, labels = arrow.flatten(dated["topics"])
    topic_codes, distinct = arrow.encode(labels)
    names = distinct.to_pylist()
    cells = period_codes[parents] * len(names) + topic_codes
    grid = np.bincount(cells, minlength=len(periods) * len(names)).reshape(len(periods), -1)
    period_papers = np.bincount(period_codes, minlength=len(periods))
    rows, columns = np.nonzero(grid)
    counts = pd.DataFrame({
        "period": pd.Series(periods[rows]).astype("datetime64[s]"),
        "topic": np.array(names, dtype=object)[columns],
        "papers": grid[rows, columns].astype(int),
        "period_papers": period_papers[rows].astype(int),
    })
    counts["share"] = counts["papers"] / counts["period_papers"]
    return counts.sort_values(["period", "papers", "topic"], ascending=[True, False, True],
                              ignore_index=True)


def split_sparse_periods(topic_counts: pd.DataFrame, min_papers: int
                         ) -> tuple[pd.DataFrame, int]:
    """(rows of periods with at least ``min_papers`` papers, papers in the other periods).

    A share of 1, 2 or 3 papers swings between 0 and 100% and hides the trend, so the share
    chart leaves those periods out and says how many papers that is.
    """
    steady = topic_counts[topic_counts["period_papers"] >= min_papers]
    sparse = topic_counts[topic_counts["period_papers"] < min_papers]
    return steady, int(sparse.groupby("period")["period_papers"].first().sum())


def compute_upvotes_per_period(papers: pd.DataFrame, period: str,
                               date_column: str = "published") -> pd.DataFrame:
    """period, papers (with known upvotes), total_upvotes, median_upvotes, mean_upvotes."""
    dated = _dated(papers, period, ["upvotes"], date_column)
    dated = dated[dated["upvotes"].notna()]
    if dated.empty:
        return pd.DataFrame({k: pd.Series(dtype=v) for k, v in {
            "period": "datetime64[s]", "papers": int, "total_upvotes": int,
            "median_upvotes": float, "mean_upvotes": float}.items()})
    upvotes = dated["upvotes"].astype("float64")
    grouped = upvotes.groupby(dated["period"])
    return pd.DataFrame({
        "papers": grouped.size(),
        "total_upvotes": grouped.sum().astype("int64"),
        "median_upvotes": grouped.median(),
        "mean_upvotes": grouped.mean(),
    }).rename_axis("period").reset_index()


def rising_windows(published: pd.Series, window_days: int
                   ) -> tuple[tuple[dt.date, dt.date], tuple[dt.date, dt.date]] | None:
    """(previous, recent) date windows of ``window_days`` ending at the newest date."""
    known = published.dropna()
    if known.empty:
        return None
    end = known.max()
    recent_start = end - dt.timedelta(days=window_days - 1)
    previous_end = recent_start - dt.timedelta(days=1)
    previous_start = previous_end - dt.timedelta(days=window_days - 1)
    return (previous_start, previous_end), (recent_start, end)


def window_masks(published: pd.Series, mask: np.ndarray, window_days: int
                 ) -> tuple[np.ndarray, np.ndarray] | None:
    """(recent, previous) row masks: the masked papers of each of ``rising_windows``; None
    when no masked paper has a date. ``published`` is the whole collection's dates, aligned
    with the rows of the term index and the topic matrix: the masks select rows of both, for
    ``compare.compute_distinctive_terms`` (A the recent window, B the one before)."""
    mask = np.asarray(mask, dtype=bool)
    windows = rising_windows(published[mask], window_days)
    if windows is None:
        return None
    days = as_days(published)  # NaT, in no window, when unknown

    def inside(start: dt.date, end: dt.date) -> np.ndarray:
        return mask & (days >= np.datetime64(start)) & (days <= np.datetime64(end))

    (previous_start, previous_end), (recent_start, recent_end) = windows
    return inside(recent_start, recent_end), inside(previous_start, previous_end)
