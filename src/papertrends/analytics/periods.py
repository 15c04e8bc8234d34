"""Calendar periods for time series: one place decides how dates are bucketed."""

from __future__ import annotations

import pandas as pd

PERIODS = {"week": "W-SUN", "month": "M", "quarter": "Q", "year": "Y"}


def default_period(published: pd.Series) -> str:
    """A bucket size that gives a readable number of bars for the span of most dates.

    The span between the 5th and 95th percentile is used, so that one paper from 2013 in a
    collection of 2025 papers does not turn the default into years.
    """
    known = published.dropna()
    if known.empty:
        return "month"
    seconds = known.astype("datetime64[s]").astype("int64")
    low, high = seconds.quantile([0.05, 0.95])
    days = (high - low) / 86_400
    if days <= 180:
        return "week"
    if days <= 4 * 365:
        return "month"
    if days <= 12 * 365:
        return "quarter"
    return "year"


def period_start(published: pd.Series, period: str) -> pd.Series:
    """The first day of each date's period (missing dates stay missing)."""
    if period not in PERIODS:
        raise ValueError(f"period must be one of {', '.join(PERIODS)}, not {period!r}")
    dates = published.astype("datetime64[s]")
    return dates.dt.to_period(PERIODS[period]).dt.start_time
