"""Calendar periods for time series: one place decides how dates are bucketed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from papertrends.common import arrow

PERIODS = {"week": "W-SUN", "month": "M", "quarter": "Q", "year": "Y"}


def default_period(published: pd.Series) -> str:
    """A bucket size that gives a readable number of bars for the span of most dates.

    The span between the 5th and 95th percentile is used, so that one paper from 2013 in a
    collection of 2025 papers does not turn the default into years.
    """
    days = as_days(published)
    known = days[~np.isnat(days)].astype(np.int64)
    if not len(known):
        return "month"
    low, high = np.quantile(known, [0.05, 0.95])
    days = high - low
    if days <= 180:
        return "week"
    if days <= 4 * 365:
        return "month"
    if days <= 12 * 365:
        return "quarter"
    return "year"


def period_start(published: pd.Series, period: str) -> pd.Series:
    """The first day of each date's period (missing dates stay missing), as datetime64[s].

    Calendar arithmetic on the day numbers (numpy, no Python object per date): pandas'
    ``to_period`` takes seconds on a million dates, this a few milliseconds.
    """
    if period not in PERIODS:
        raise ValueError(f"period must be one of {', '.join(PERIODS)}, not {period!r}")
    days = as_days(published)
    if period == "week":  # weeks run Monday to Sunday; day 0 (1970-01-01) was a Thursday
        starts = days - ((days.astype(np.int64) + 3) % 7).astype("timedelta64[D]")
    elif period == "month":
        starts = days.astype("datetime64[M]").astype("datetime64[D]")
    elif period == "quarter":
        months = days.astype("datetime64[M]")
        starts = (months - (months.astype(np.int64) % 3).astype("timedelta64[M]")
                  ).astype("datetime64[D]")
    else:
        years = (days.astype("datetime64[M]").astype(np.int64) // 12).astype("datetime64[Y]")
        starts = np.where(np.isnat(days), np.datetime64("NaT"), years).astype("datetime64[D]")
    return pd.Series(starts.astype("datetime64[s]"), index=published.index)


def as_days(published: pd.Series) -> np.ndarray:
    """Dates as datetime64[D] (NaT when missing), straight from Arrow when they are Arrow."""
    if isinstance(published.dtype, pd.ArrowDtype):
        array = arrow.contiguous(published)
        if pa.types.is_date(array.type) or pa.types.is_timestamp(array.type):
            numbers = pc.cast(array.cast(pa.date32()), pa.int32())
            values = np.asarray(numbers.fill_null(0), dtype=np.int64).astype("datetime64[D]")
            values[np.asarray(numbers.is_null())] = np.datetime64("NaT")
            return values
    return np.asarray(published.astype("datetime64[s]").to_numpy(), dtype="datetime64[D]")


@dataclass(frozen=True)
class UnfinishedPeriod:
    """The period still under way: its first day, the days of it the collection covers so
    far (up to its newest date), and the days it has in all."""

    start: pd.Timestamp
    covered: int
    length: int


def unfinished_period(newest: dt.date | None, period: str) -> UnfinishedPeriod | None:
    """The period still under way on ``newest`` (the collection's newest date, not the
    selection's: a filter does not end a month); None when ``newest`` is the period's last
    day, or no date is known.

    Its bars show only part of a period, and would read as a drop: charts mark it, and
    comparisons of periods leave it out (``complete_periods``)."""
    if newest is None:
        return None
    start = period_start(pd.Series([pd.Timestamp(newest)]), period).iloc[0]
    following = period_start(pd.Series([start + pd.Timedelta(days=_LONGEST[period])]),
                             period).iloc[0]
    covered = (pd.Timestamp(newest) - start).days + 1
    length = (following - start).days
    return None if covered >= length else UnfinishedPeriod(start, covered, length)


def period_ends(starts: pd.Series, period: str) -> np.ndarray:
    """The last day (datetime64[D]) of each ``period`` beginning on ``starts``: what a
    selected bar spans."""
    days = as_days(pd.Series(starts))
    following = period_start(pd.Series(days + np.timedelta64(_LONGEST[period], "D")), period)
    return as_days(following) - np.timedelta64(1, "D")


# More days than the period ever has, fewer than two of them: one step lands in the next.
_LONGEST = {"week": 7, "month": 31, "quarter": 92, "year": 366}


def complete_periods(counts: pd.DataFrame, unfinished: UnfinishedPeriod | None,
                     column: str = "period") -> pd.DataFrame:
    """The rows of periods that are over (``unfinished_period``'s is left out)."""
    if unfinished is None or counts.empty:
        return counts
    return counts[pd.to_datetime(counts[column]) < unfinished.start]


def last_complete_day(newest: dt.date, period: str) -> dt.date:
    """The last day of the last ``period`` that is over on ``newest`` (a collection's newest
    date): ``newest`` itself when it ends its period, else the day before its period began."""
    if period not in PERIODS:
        raise ValueError(f"period must be one of {', '.join(PERIODS)}, not {period!r}")
    unfinished = unfinished_period(newest, period)
    return newest if unfinished is None else (
        unfinished.start - pd.Timedelta(days=1)).date()
