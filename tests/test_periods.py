"""Calendar periods: every date lands in the period pandas' own calendar gives it."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pyarrow as pa
import pytest

from papertrends.analytics.periods import (
    PERIODS,
    complete_periods,
    default_period,
    last_complete_day,
    period_start,
    unfinished_period,
)
from papertrends.charts import UNFINISHED_OPACITY, mark_unfinished
from papertrends.charts.trends import chart_papers_per_period

DAYS = np.datetime64("1999-12-25") + np.arange(0, 800, 3).astype("timedelta64[D]")


@pytest.mark.parametrize("period", list(PERIODS))
@pytest.mark.parametrize("arrow", [True, False])
def test_period_starts_match_pandas_calendar(period, arrow):
    values = pa.array(DAYS, pa.date32())
    dates = (pd.Series(values, dtype=pd.ArrowDtype(pa.date32())) if arrow
             else pd.Series(DAYS.astype("datetime64[s]")))
    dates[5] = None  # unknown stays unknown
    expected = dates.astype("datetime64[s]").dt.to_period(PERIODS[period]).dt.start_time
    starts = period_start(dates, period)
    assert starts.isna().tolist() == expected.isna().tolist()
    assert (starts.dropna().to_numpy() == expected.dropna().to_numpy()).all()


def test_weeks_start_on_monday_and_years_on_new_year():
    dates = pd.Series(pd.to_datetime(["2025-11-23", "2025-11-24", "2026-03-31"]))
    assert period_start(dates, "week").dt.strftime("%Y-%m-%d").tolist() == [
        "2025-11-17", "2025-11-24", "2026-03-30"]
    assert period_start(dates, "quarter").dt.strftime("%Y-%m-%d").tolist() == [
        "2025-10-01", "2025-10-01", "2026-01-01"]
    assert period_start(dates, "year").dt.strftime("%Y-%m-%d").tolist() == [
        "2025-01-01", "2025-01-01", "2026-01-01"]


def test_an_unknown_period_is_refused():
    with pytest.raises(ValueError, match="period must be one of"):
        period_start(pd.Series(pd.to_datetime(["2025-01-01"])), "decade")


@pytest.mark.parametrize("span_days, expected", [(90, "week"), (700, "month"),
                                                 (3000, "quarter"), (6000, "year")])
def test_the_default_period_gives_a_readable_number_of_bars(span_days, expected):
    days = np.datetime64("2010-01-01") + np.linspace(0, span_days, 200).astype("timedelta64[D]")
    assert default_period(pd.Series(days.astype("datetime64[s]"))) == expected


def test_one_old_paper_does_not_turn_the_default_into_years():
    days = list(np.datetime64("2025-01-01") + np.arange(60).astype("timedelta64[D]"))
    dates = pd.Series(pd.to_datetime([np.datetime64("2013-05-29"), *days]))
    assert default_period(dates) == "week"
    assert default_period(pd.Series([None, None], dtype="datetime64[s]")) == "month"


@pytest.mark.parametrize(("newest", "period", "expected"), [
    ("2025-10-09", "month", ("2025-10-01", 9, 31)),
    ("2025-10-09", "week", ("2025-10-06", 4, 7)),  # Monday to Thursday
    ("2025-10-09", "quarter", ("2025-10-01", 9, 92)),
    ("2024-02-10", "year", ("2024-01-01", 41, 366)),
    ("2024-02-29", "month", None),  # the month's last day: it is over
    ("2025-10-12", "week", None),  # a Sunday
    ("2025-12-31", "year", None),
])
def test_the_period_under_way_is_the_one_the_newest_date_does_not_end(newest, period,
                                                                       expected):
    found = unfinished_period(pd.Timestamp(newest).date(), period)
    if expected is None:
        assert found is None
    else:
        assert (found.start, found.covered, found.length) == (
            pd.Timestamp(expected[0]), expected[1], expected[2])


def test_comparisons_leave_the_unfinished_period_out():
    counts = pd.DataFrame({"period": pd.to_datetime(["2025-08-01", "2025-09-01",
                                                     "2025-10-01"]), "papers": [40, 42, 3]})
    unfinished = unfinished_period(pd.Timestamp("2025-10-09").date(), "month")
    assert complete_periods(counts, unfinished)["papers"].tolist() == [40, 42]
    assert complete_periods(counts, None)["papers"].tolist() == [40, 42, 3]
    assert unfinished_period(None, "month") is None


def test_the_chart_draws_the_unfinished_period_lighter_and_says_so():
    counts = pd.DataFrame({"period": pd.to_datetime(["2025-08-01", "2025-09-01",
                                                     "2025-10-01"]), "papers": [40, 42, 3]})
    unfinished = unfinished_period(pd.Timestamp("2025-10-09").date(), "month")
    figure = mark_unfinished(chart_papers_per_period(counts, "month"), unfinished)
    assert list(figure.data[0].marker.opacity) == [1.0, 1.0, UNFINISHED_OPACITY]
    assert list(figure.data[0].marker.pattern.shape) == ["", "", "/"]
    [band] = figure.layout.shapes
    assert pd.Timestamp(band.x0) < pd.Timestamp("2025-10-01") < pd.Timestamp(band.x1)
    assert "9 of 31 days" in figure.layout.annotations[0].text


def test_a_chart_without_a_time_axis_is_left_as_it_is():
    figure = mark_unfinished(go.Figure(go.Heatmap(x=["2025-Q3", "2025-Q4"], y=["a"],
                                                  z=[[1, 2]])),
                             unfinished_period(pd.Timestamp("2025-10-09").date(), "quarter"))
    assert not figure.layout.shapes and not figure.layout.annotations


@pytest.mark.parametrize(("newest", "period", "expected"), [
    ("2025-10-09", "week", "2025-10-05"),  # a Thursday: the week before ended on Sunday
    ("2025-10-12", "week", "2025-10-12"),  # a Sunday ends its week
    ("2025-10-09", "month", "2025-09-30"),
    ("2025-10-31", "month", "2025-10-31"),
    ("2025-02-28", "month", "2025-02-28"),
    ("2025-10-09", "quarter", "2025-09-30"),
    ("2025-12-31", "quarter", "2025-12-31"),
    ("2025-10-09", "year", "2024-12-31"),
])
def test_the_last_complete_day_ends_the_last_period_that_is_over(newest, period, expected):
    day = last_complete_day(dt.date.fromisoformat(newest), period)
    assert day == dt.date.fromisoformat(expected)
    # the day after it starts a period
    after = pd.Series([pd.Timestamp(day + dt.timedelta(days=1))])
    assert period_start(after, period).iloc[0] == pd.Timestamp(day + dt.timedelta(days=1))
    with pytest.raises(ValueError):
        last_complete_day(dt.date(2025, 1, 1), "decade")
