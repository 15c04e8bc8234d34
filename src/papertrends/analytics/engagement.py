"""Attention beside frequency: the upvotes of the papers with a topic or a term.

A frequent topic is not necessarily the one readers care most about: a niche topic can draw
more upvotes per paper than a crowded one. Each topic and term gets its papers, how many of
them have a known upvote count, and the median and mean upvotes of those. A paper whose
upvotes are unknown is left out of the median and the mean, not counted as 0: unknown is not
zero (the page says how many).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from papertrends.analytics.summary import compute_top_papers
from papertrends.common import arrow
from papertrends.indexes.terms import TermIndex

ENGAGEMENT_COLUMNS = {"papers": "int64", "with_upvotes": "int64", "median_upvotes": "float64",
                      "mean_upvotes": "float64"}


def _empty(label: str) -> pd.DataFrame:
    return pd.DataFrame({label: pd.Series(dtype=str),
                         **{k: pd.Series(dtype=v) for k, v in ENGAGEMENT_COLUMNS.items()}})


def _upvotes(values: pd.Series) -> np.ndarray:
    """Upvotes as floats, NaN where unknown."""
    return arrow.contiguous(values).cast("float64").to_numpy(zero_copy_only=False)


def compute_topic_engagement(papers: pd.DataFrame) -> pd.DataFrame:
    """topic, papers (with the topic), with_upvotes (of those, with a known count),
    median_upvotes, mean_upvotes (over those; NaN when none); most papers first."""
    if not len(papers):
        return _empty("topic")
    parents, labels = arrow.flatten(papers["topics"])
    codes, distinct = arrow.encode(labels)
    names = np.array(distinct.to_pylist(), dtype=object)
    if not len(names):
        return _empty("topic")
    upvotes = _upvotes(papers["upvotes"])[parents]
    known = ~np.isnan(upvotes)
    with_upvotes = np.bincount(codes[known], minlength=len(names))
    # Sorted by topic, then upvotes: each topic's known counts are one run, its median the
    # middle of the run (the mean of the two middle values when the run is even). Upvotes
    # are whole and not negative, so one sort of (topic, upvotes) packed in an integer does.
    values = upvotes[known]
    if len(values) and (values.min() < 0 or values.max() >= 1 << 40):
        ordered = values[np.lexsort((values, codes[known]))]
    else:
        packed = (codes[known].astype(np.int64) << 40) | values.astype(np.int64)
        ordered = (np.sort(packed) & ((1 << 40) - 1)).astype(np.float64)
    starts = np.concatenate([[0], np.cumsum(with_upvotes)[:-1]])
    has = with_upvotes > 0
    low = ordered[(starts + (with_upvotes - 1) // 2)[has]]
    high = ordered[(starts + with_upvotes // 2)[has]]
    medians = np.full(len(names), np.nan)
    medians[has] = (low + high) / 2
    means = np.full(len(names), np.nan)
    means[has] = (np.bincount(codes[known], weights=upvotes[known], minlength=len(names))[has]
                  / with_upvotes[has])
    result = pd.DataFrame({
        "topic": pd.Series(names, dtype=str),
        "papers": np.bincount(codes, minlength=len(names)).astype("int64"),
        "with_upvotes": with_upvotes.astype("int64"),
        "median_upvotes": medians,
        "mean_upvotes": means,
    })
    return result.sort_values(["papers", "topic"], ascending=[False, True], ignore_index=True)


def compute_term_engagement(index: TermIndex, mask: np.ndarray, upvotes: pd.Series,
                            terms: Sequence[str]) -> pd.DataFrame:
    """For each of ``terms`` (labels of the index, in that order): term, papers (masked
    papers with it), with_upvotes, median_upvotes, mean_upvotes.

    ``upvotes`` is the whole collection's column, aligned with the index rows. The masked
    papers are grouped by their upvotes (those with none known in a group of their own), so
    one sparse product gives each term's papers per upvote count, and the medians come
    exactly from those counts.
    """
    columns = _columns_of(index, terms)
    if not len(columns):
        return _empty("term")
    mask = np.asarray(mask, dtype=bool)
    values = _upvotes(upvotes)
    unknown = np.isnan(values)
    known = mask & ~unknown
    distinct, inverse = np.unique(values[known], return_inverse=True)
    groups = np.full(len(values), -1, dtype=np.int64)
    groups[known] = inverse
    groups[mask & unknown] = len(distinct)
    grouped = index.papers_by_group(groups, len(distinct) + 1, columns)  # values x terms
    per_value = grouped[:-1]
    with_upvotes = per_value.sum(axis=0)
    papers = grouped.sum(axis=0)
    cumulative = np.cumsum(per_value, axis=0)
    medians = np.full(len(columns), np.nan)
    for k in np.flatnonzero(with_upvotes):
        n = with_upvotes[k]
        low = distinct[np.searchsorted(cumulative[:, k], (n - 1) // 2, side="right")]
        high = distinct[np.searchsorted(cumulative[:, k], n // 2, side="right")]
        medians[k] = (low + high) / 2
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.where(with_upvotes > 0, distinct @ per_value / np.maximum(with_upvotes, 1),
                         np.nan)
    return pd.DataFrame({
        "term": pd.Series(np.asarray(index.labels)[columns], dtype=str),
        "papers": papers.astype("int64"),
        "with_upvotes": with_upvotes.astype("int64"),
        "median_upvotes": medians,
        "mean_upvotes": means.astype("float64"),
    })


def term_rows(index: TermIndex, mask: np.ndarray, term: str) -> np.ndarray:
    """A row mask: the masked papers containing ``term`` (a label of the index)."""
    mask = np.asarray(mask, dtype=bool)
    found = np.zeros(len(mask), dtype=bool)
    columns = _columns_of(index, [term])
    if not len(columns) or not mask.any():
        return found
    rows = np.flatnonzero(mask)
    groups = np.full(len(mask), -1, dtype=np.int64)
    groups[rows] = np.arange(len(rows))
    found[rows[index.papers_by_group(groups, len(rows), columns)[:, 0] > 0]] = True
    return found


def compute_term_papers(index: TermIndex, mask: np.ndarray, papers: pd.DataFrame, term: str,
                        n: int = 10) -> pd.DataFrame:
    """The ``n`` most upvoted masked papers containing ``term``, as ``compute_top_papers``
    gives them. ``papers`` is the whole collection, aligned with the index rows.

    Only the most upvoted papers are looked at, more of them until ``n`` have the term: the
    term counts of a few thousand rows, not of a million (every paper tied with the last one
    looked at is looked at too, so the answer is the one all of them would give)."""
    upvotes = papers["upvotes"].to_numpy(dtype="float64", na_value=np.nan)
    known = np.flatnonzero(np.asarray(mask, dtype=bool) & ~np.isnan(upvotes))
    order = known[np.argsort(-upvotes[known], kind="stable")]
    descending = -upvotes[order]
    size = _FIRST_LOOK
    while True:
        end = len(order) if size >= len(order) else int(np.searchsorted(
            descending, descending[size - 1], side="right"))
        looked = np.zeros(len(upvotes), dtype=bool)
        looked[order[:end]] = True
        found = term_rows(index, looked, term)
        if end >= len(order) or found.sum() >= n:
            return compute_top_papers(papers.iloc[np.flatnonzero(found)], n)
        size *= 8


_FIRST_LOOK = 2_000  # papers looked at first for a term's most upvoted ones


def _columns_of(index: TermIndex, terms: Sequence[str]) -> np.ndarray:
    """The index columns of these labels, in their order; unknown labels are skipped."""
    if not len(terms) or index.n_terms == 0:
        return np.array([], dtype=np.int64)
    labels = pd.Index(np.asarray(index.labels, dtype=object))
    if labels.is_unique:
        at = labels.get_indexer(list(terms))
    else:  # the first column of a label shown twice
        first = {label: k for k, label in reversed(list(enumerate(labels)))}
        at = np.array([first.get(t, -1) for t in terms])
    return np.asarray(at[at >= 0], dtype=np.int64)
