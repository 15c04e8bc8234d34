"""Rising papers: upvotes gained per day, from the store's upvote snapshots.

A paper's rate needs two sightings some time apart; with one sighting (or two minutes apart)
the rate is unknown, so such papers are left out rather than shown as not rising.
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from papertrends.common import arrow

RISING_COLUMNS = {
    "paper_id": "string", "title": "string", "upvotes": "int64", "gained": "int64",
    "days": "float64", "per_day": "float64", "snapshots": "int64",
    "first_seen_at": "datetime64[us, UTC]", "last_seen_at": "datetime64[us, UTC]",
}
_DAY = pd.Timedelta(days=1)
MIN_SPAN = pd.Timedelta(hours=12)  # sightings closer than this give a rate too noisy to rank


def compute_rising_papers(snapshots: pd.DataFrame, papers: pd.DataFrame, *,
                          window: pd.Timedelta | None = None,
                          min_span: pd.Timedelta = MIN_SPAN,
                          limit: int | None = 20) -> pd.DataFrame:
    """The papers gaining upvotes fastest, fastest first.

    ``snapshots`` has paper_id, seen_at, upvotes (``Store.snapshots()``); ``papers`` is the
    selection to rank (the filtered collection), which also gives the titles. See
    ``compute_paper_rates`` for how a rate is worked out; ties go to the larger gain, then
    the paper_id.
    """
    rates = compute_paper_rates(snapshots, window=window, min_span=min_span)
    return rank_rising_papers(rates, papers, limit=limit)


def compute_paper_rates(snapshots: pd.DataFrame, *, window: pd.Timedelta | None = None,
                        min_span: pd.Timedelta = MIN_SPAN) -> pd.DataFrame:
    """Upvotes gained per day for every paper with a rate, whatever the filters.

    For each paper the first and last snapshot are compared: ``gained`` upvotes over
    ``days`` between them, ``per_day`` the rate and ``upvotes`` the latest count. ``window``
    keeps only snapshots taken that long before the newest one, so the rate is a recent one.
    Papers whose snapshots span less than ``min_span`` are left out. This depends on the
    snapshots only, so the dashboard works it out once per store version and a filter change
    only ranks (``rank_rising_papers``).
    """
    columns = [c for c in RISING_COLUMNS if c != "title"]
    if snapshots.empty:
        return _empty()[columns]
    seen = pd.DataFrame({
        "paper_id": snapshots["paper_id"].astype("string").to_numpy(),
        "seen_at": pd.to_datetime(snapshots["seen_at"], utc=True).to_numpy(),
        "upvotes": snapshots["upvotes"].astype("Int64").to_numpy(),
    })
    seen = seen[seen["upvotes"].notna()]
    if window is not None and len(seen):
        seen = seen[seen["seen_at"] >= seen["seen_at"].max() - window]
    seen = seen.sort_values(["paper_id", "seen_at"], kind="stable")
    grouped = seen.groupby("paper_id", sort=False)
    ends = grouped.agg(first_seen_at=("seen_at", "first"), last_seen_at=("seen_at", "last"),
                       first=("upvotes", "first"), upvotes=("upvotes", "last"),
                       snapshots=("seen_at", "size"))
    span = ends["last_seen_at"] - ends["first_seen_at"]
    ends = ends[(ends["snapshots"] >= 2) & (span >= min_span) & (span > pd.Timedelta(0))]
    if ends.empty:
        return _empty()[columns]
    ends = ends.assign(
        gained=ends["upvotes"] - ends["first"],
        days=(ends["last_seen_at"] - ends["first_seen_at"]) / _DAY,
    ).reset_index()
    ends["per_day"] = ends["gained"] / ends["days"]
    return ends[columns]


def rank_rising_papers(rates: pd.DataFrame, papers: pd.DataFrame, *,
                       limit: int | None = 20, titles: pd.Series | None = None
                       ) -> pd.DataFrame:
    """The rates of the papers in ``papers`` (a selection), fastest first, with titles:
    ``papers``' own, or ``titles`` (the collection's, by the row labels ``papers`` keeps, as
    a page's selection does) when it leaves them out, so that a page need not copy them."""
    if rates.empty or papers.empty:
        return _empty()
    ids = arrow.contiguous(papers["paper_id"]).cast(pa.string())
    chosen = rates[pc.is_in(arrow.contiguous(rates["paper_id"]).cast(pa.string()),
                            value_set=ids).to_numpy(zero_copy_only=False)]
    ranked = chosen.sort_values(["per_day", "gained", "paper_id"],
                                ascending=[False, False, True], ignore_index=True)
    if limit is not None:
        ranked = ranked.head(limit)
    # Titles only for the rows shown: a lookup into a million papers, not a join with them.
    where = pc.index_in(arrow.contiguous(ranked["paper_id"]).cast(pa.string()), value_set=ids)
    if titles is None:
        shown = arrow.contiguous(papers["title"]).cast(pa.string()).take(where).to_pylist()
    else:
        shown = titles.loc[papers.index[where.to_numpy(zero_copy_only=False)]].tolist()
    ranked = ranked.assign(title=shown)
    return ranked[list(RISING_COLUMNS)].astype(RISING_COLUMNS)


def _empty() -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in RISING_COLUMNS.items()})
