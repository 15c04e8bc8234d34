"""Team sizes: authors per paper, over time, by topic, against upvotes, and frequent authors.

Every figure is computed over papers with a known author count only: an unknown count
(``n_authors`` missing) is never taken as zero, and pages say how many papers were left out.
List columns are handled with pyarrow.compute so the functions scale to a million papers.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from papertrends.analytics.periods import period_start
from papertrends.common import arrow

# Above this many distinct counts, the exact histogram lumps its long tail into one bar.
_EXACT_BARS = 40


def _empty(columns: dict[str, object]) -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in columns.items()})


def _all_counts(papers: pd.DataFrame) -> np.ndarray:
    """n_authors per row as int64, 0 where unknown (only ever used through ``_known``)."""
    if not len(papers):
        return np.zeros(0, dtype="int64")
    return pc.fill_null(arrow.contiguous(papers["n_authors"]), 0).to_numpy().astype("int64")


def _known(papers: pd.DataFrame) -> np.ndarray:
    """Row positions of papers with a known author count (never 0 in the schema; a
    non-positive count is treated as unknown rather than as a team of none)."""
    return np.flatnonzero(_all_counts(papers) > 0)


def _counts(papers: pd.DataFrame, rows: np.ndarray) -> np.ndarray:
    return _all_counts(papers)[rows]


def _explode(lists: pd.Series) -> tuple[np.ndarray, np.ndarray, pa.Array]:
    """(parent row, code) per non-null list element and the values, ``values[code]``."""
    parents, flat = arrow.flatten(lists)
    if not flat.null_count:  # the usual case: nothing to filter out
        codes, values = arrow.encode(flat)
        return parents, codes, values
    valid = pc.is_valid(flat)
    codes, values = arrow.encode(flat.filter(valid))
    return parents[valid.to_numpy(zero_copy_only=False)], codes, values


# -- distribution ------------------------------------------------------------------------------

_HISTOGRAM_COLUMNS = {"bucket": str, "low": "int64", "high": "int64", "papers": "int64",
                      "share": "float64"}


def _bucket_label(low: int, high: int, *, open_ended: bool = False) -> str:
    if open_ended:
        return f"{low}+"
    return str(low) if low == high else f"{low}\u2013{high}"


def compute_author_histogram(papers: pd.DataFrame, log_buckets: bool = False) -> pd.DataFrame:
    """bucket (label), low, high (author counts it covers), papers, share (of known counts).

    ``log_buckets``: powers of two (1, 2, 3-4, 5-8, 9-16, ...) over the whole range. Otherwise
    one bar per author count; when the counts span more than 40 values, the tail above the
    95th percentile is one last bar ('18+'), so the bulk of the distribution stays readable.
    Buckets between the smallest and largest are present even when empty.
    """
    known = _counts(papers, _known(papers))
    if not len(known):
        return _empty(_HISTOGRAM_COLUMNS)
    if log_buckets:
        exponent = np.ceil(np.log2(known)).astype("int64")  # 1 -> 0, 2 -> 1, 3..4 -> 2, ...
        bins = np.arange(exponent.min(), exponent.max() + 1)
        lows = np.where(bins == 0, 1, 2 ** np.maximum(bins - 1, 0) + 1)
        highs = 2 ** bins
        papers_per = np.bincount(exponent - bins[0], minlength=len(bins))
        labels = [_bucket_label(int(lo), int(hi)) for lo, hi in zip(lows, highs, strict=True)]
    else:
        low, high = int(known.min()), int(known.max())
        cap = high
        if high - low >= _EXACT_BARS:
            cap = min(low + _EXACT_BARS - 1, max(math.ceil(np.quantile(known, 0.95)), low + 14))
        lows = np.arange(low, cap + 1)
        highs = lows.copy()
        papers_per = np.bincount(np.minimum(known, cap + 1) - low, minlength=cap + 2 - low)
        labels = [str(v) for v in lows]
        if cap < high:
            lows = np.append(lows, cap + 1)
            highs = np.append(highs, high)
            labels.append(_bucket_label(cap + 1, high, open_ended=True))
        else:
            papers_per = papers_per[: len(lows)]
    frame = pd.DataFrame({"bucket": labels, "low": lows.astype("int64"),
                          "high": highs.astype("int64"), "papers": papers_per.astype("int64")})
    frame["share"] = frame["papers"] / len(known)
    return frame


def compute_team_size_summary(papers: pd.DataFrame) -> dict[str, object]:
    """mean, median, p90, max, single_share, ten_plus_share over known counts (None if none);
    known and unknown (papers with / without a known count), named (papers with author names).
    """
    counts = _counts(papers, _known(papers)).astype("float64")
    named = int((arrow.list_lengths(papers["authors"]) > 0).sum()) if len(papers) else 0
    known = len(counts)
    figures: dict[str, object] = {"known": known, "unknown": len(papers) - known,
                                  "named": named}
    if not known:
        return figures | dict.fromkeys(("mean", "median", "p90", "max", "single_share",
                                        "ten_plus_share"))
    return figures | {
        "mean": float(counts.mean()),
        "median": float(np.median(counts)),
        "p90": float(np.quantile(counts, 0.9)),
        "max": int(counts.max()),
        "single_share": float((counts == 1).mean()),
        "ten_plus_share": float((counts >= 10).mean()),
    }


# -- over time and by topic -------------------------------------------------------------------

_SPREAD_COLUMNS = {"papers": "int64", "median": "float64", "q1": "float64", "q3": "float64",
                   "mean": "float64"}


def _spread(codes: np.ndarray, values: np.ndarray, n_groups: int
            ) -> tuple[np.ndarray, pd.DataFrame]:
    """(group codes present, papers / median / q1 / q3 / mean per such group).

    One sort of (group, value) instead of a pandas quantile per group: quantiles interpolate
    linearly between order statistics, as pandas and numpy do by default.
    """
    width = int(values.max()) + 1 if len(values) else 1
    if np.issubdtype(values.dtype, np.integer) and values.min(initial=0) >= 0 and (
            n_groups * width < 2**62):
        # Integers: one sort of group * width + value, twice as fast as a two-key lexsort.
        key = np.sort(codes.astype(np.int64) * width + values)
        ordered = (key % width).astype("float64")
    else:
        ordered = values[np.lexsort((values, codes))].astype("float64")
    sizes = np.bincount(codes, minlength=n_groups)
    present = np.flatnonzero(sizes)
    starts = (np.cumsum(sizes) - sizes)[present]
    size = sizes[present]

    def quantile(q: float) -> np.ndarray:
        position = starts + (size - 1) * q
        low = np.floor(position).astype("int64")
        high = np.ceil(position).astype("int64")
        return ordered[low] + (ordered[high] - ordered[low]) * (position - low)

    sums = np.bincount(codes, weights=values.astype("float64"), minlength=n_groups)[present]
    return present, pd.DataFrame({"papers": size.astype("int64"), "median": quantile(0.5),
                                  "q1": quantile(0.25), "q3": quantile(0.75),
                                  "mean": sums / size})


def compute_team_size_per_period(papers: pd.DataFrame, period: str,
                                 date_column: str = "published") -> pd.DataFrame:
    """period, papers (dated, with a known count), median, q1, q3 (interquartile), mean.

    Only periods that have such papers appear (a median of nothing is not zero).
    """
    rows = _known(papers)
    starts = period_start(papers[date_column].iloc[rows], period)
    dated = starts.notna().to_numpy(bool)
    if not dated.any():
        return _empty({"period": "datetime64[s]"} | _SPREAD_COLUMNS)
    codes, periods = pd.factorize(starts.to_numpy()[dated], sort=True)
    present, frame = _spread(codes, _counts(papers, rows)[dated], len(periods))
    frame.insert(0, "period", periods[present])
    return frame


def compute_team_size_by_topic(papers: pd.DataFrame) -> pd.DataFrame:
    """topic, papers (with a known count), median, q1, q3, mean; a paper counts under each of
    its topics. Sorted by median, largest first."""
    counts = _all_counts(papers)
    if not (counts > 0).any():
        return _empty({"topic": str} | _SPREAD_COLUMNS)
    parents, codes, names = _explode(papers["topics"])
    keep = counts[parents] > 0
    if not keep.any():
        return _empty({"topic": str} | _SPREAD_COLUMNS)
    present, frame = _spread(codes[keep], counts[parents[keep]], len(names))
    frame.insert(0, "topic", pd.Series(names.take(present).to_pylist(), dtype=str))
    return frame.sort_values(["median", "papers", "topic"], ascending=[False, False, True],
                             ignore_index=True)


# -- against upvotes --------------------------------------------------------------------------

MAX_POINTS = 5_000


def _sample(rows: np.ndarray, limit: int | None) -> np.ndarray:
    """At most ``limit`` of ``rows``, the same ones on every rerun, in their original order."""
    if limit is None or len(rows) <= limit:
        return rows
    return np.sort(np.random.default_rng(0).choice(rows, size=limit, replace=False))


def _with_upvotes(papers: pd.DataFrame) -> np.ndarray:
    """Row positions of papers with both a known author count and known upvotes."""
    rows = _known(papers)
    return rows[papers["upvotes"].iloc[rows].notna().to_numpy(bool)]


def compute_authors_vs_upvotes(papers: pd.DataFrame, max_points: int | None = MAX_POINTS
                               ) -> pd.DataFrame:
    """paper_id, title, published, n_authors, upvotes: one row per paper with both known; a
    fixed random sample of ``max_points`` of them when there are more (a scatter of a million
    points helps nobody); the figures below use every paper."""
    rows = _sample(_with_upvotes(papers), max_points)
    both = papers[["paper_id", "title", "published", "n_authors", "upvotes"]].iloc[rows]
    return pd.DataFrame({
        "paper_id": both["paper_id"].to_numpy(),
        "title": both["title"].fillna("(untitled)").to_numpy(),
        "published": both["published"].reset_index(drop=True),
        "n_authors": both["n_authors"].astype("int64").to_numpy(),
        "upvotes": both["upvotes"].astype("int64").to_numpy(),
    })


def _pairs(papers: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    rows = _with_upvotes(papers)
    return (papers["n_authors"].iloc[rows].to_numpy("float64"),
            papers["upvotes"].iloc[rows].to_numpy("float64"))


def compute_upvotes_by_team_size(papers: pd.DataFrame) -> pd.DataFrame:
    """Per power-of-two team-size bucket, over papers with both counts known: bucket, low,
    high, middle (geometric, for a log axis), papers, mean_upvotes, median_upvotes,
    upvoted_share (share of papers with at least one upvote). Only buckets with papers."""
    columns = {"bucket": str, "low": "int64", "high": "int64", "middle": "float64",
               "papers": "int64", "mean_upvotes": "float64", "median_upvotes": "float64",
               "upvoted_share": "float64"}
    n, values = _pairs(papers)
    if not len(n):
        return _empty(columns)
    upvotes = pd.Series(values)
    exponent = pd.Series(np.ceil(np.log2(n)).astype("int64"), name="exponent")
    grouped = upvotes.groupby(exponent)
    frame = pd.DataFrame({
        "papers": grouped.size().astype("int64"),
        "mean_upvotes": grouped.mean(),
        "median_upvotes": grouped.median(),
        "upvoted_share": (upvotes > 0).groupby(exponent).mean(),
    }).reset_index()
    bins = frame.pop("exponent").to_numpy()
    frame.insert(0, "high", (2 ** bins).astype("int64"))
    frame.insert(0, "low", np.where(bins == 0, 1, 2 ** np.maximum(bins - 1, 0) + 1)
                 .astype("int64"))
    frame.insert(0, "bucket", [_bucket_label(int(lo), int(hi))
                               for lo, hi in zip(frame["low"], frame["high"], strict=True)])
    frame.insert(3, "middle", np.sqrt(frame["low"] * frame["high"]).astype("float64"))
    return frame


def compute_rank_correlation(papers: pd.DataFrame) -> float | None:
    """Spearman rank correlation of authors and upvotes over papers with both known; None
    when it is not defined (fewer than 3 papers, or either value constant)."""
    n, upvotes = _pairs(papers)
    if len(n) < 3 or np.unique(n).size < 2 or np.unique(upvotes).size < 2:
        return None
    return float(pd.Series(n).rank().corr(pd.Series(upvotes).rank()))


# -- names ------------------------------------------------------------------------------------

def compute_top_authors(papers: pd.DataFrame, n: int = 20) -> pd.DataFrame:
    """author, papers, total_upvotes (over their papers with known upvotes), latest (newest
    publication date): the ``n`` names on most papers. Empty when no names are known.

    Names are dictionary-encoded in Arrow and counted as integer codes: a million papers
    carry several million author names.
    """
    columns = {"author": str, "papers": "int64", "total_upvotes": "int64", "latest": "object"}
    if not len(papers):
        return _empty(columns)
    rows, flat = arrow.flatten(papers["authors"])
    flat = pc.utf8_trim_whitespace(flat)
    keep = pc.fill_null(pc.greater(pc.utf8_length(flat), 0), False)
    if not pc.any(keep).as_py():
        return _empty(columns)
    rows = rows[keep.to_numpy(zero_copy_only=False)]
    codes, dictionary = arrow.encode(flat.filter(keep))
    pair = np.unique(codes * len(papers) + rows)         # each (author, paper) once
    codes, rows = pair // len(papers), pair % len(papers)
    upvotes = pc.fill_null(arrow.contiguous(papers["upvotes"]), 0).to_numpy()[rows]
    published = papers["published"].astype("datetime64[s]").to_numpy()[rows]
    frame = pd.DataFrame({
        "code": codes, "upvotes": upvotes.astype("int64"),
        "published": published,
    }).groupby("code").agg(papers=("upvotes", "size"), total_upvotes=("upvotes", "sum"),
                           latest=("published", "max"))
    frame = frame.sort_values(["papers", "total_upvotes"], ascending=False)
    if len(frame) > n:  # keep the top n and everything tied with the n-th, then name them
        papers_n, upvotes_n = frame["papers"].iloc[n - 1], frame["total_upvotes"].iloc[n - 1]
        frame = frame[(frame["papers"] > papers_n) | ((frame["papers"] == papers_n)
                                                      & (frame["total_upvotes"] >= upvotes_n))]
    frame.insert(0, "author", dictionary.take(pa.array(frame.index)).to_pylist())
    frame["latest"] = frame["latest"].dt.date.astype(object).where(frame["latest"].notna(), None)
    frame = frame.sort_values(["papers", "total_upvotes", "author"],
                              ascending=[False, False, True], ignore_index=True)
    return frame.head(n).astype({"papers": "int64", "total_upvotes": "int64"})
