"""Trends: papers and topics over time, upvotes over time, and rising terms."""

import streamlit as st

from papertrends.analytics.momentum import rank_rising_papers
from papertrends.analytics.periods import PERIODS, default_period
from papertrends.analytics.trends import (
    compute_papers_per_period,
    compute_rising_terms,
    compute_topic_counts_per_period,
    compute_upvotes_per_period,
    rising_windows,
    split_sparse_periods,
)
from papertrends.app import loading, page, widgets
from papertrends.charts.trends import (
    chart_rising_terms,
    chart_topic_share,
    chart_topics_per_period,
    chart_upvotes_per_period,
)

MIN_PERIOD_PAPERS = 5  # a share of 1, 2 or 3 papers swings 0-100% and hides the trend

view = page.page_header("Trends", "What is rising: papers per period stacked by topic, each "
                                "topic's share over time, upvotes, and terms gaining ground.")
page.stop_if_empty(view)
papers = view.selected
undated = int(papers["published"].isna().sum())

period = st.segmented_control("Period", list(PERIODS), default=default_period(papers["published"]),
                              format_func=str.capitalize, key="trends_period") or "month"

st.subheader("Papers per period, by topic")
topic_counts = compute_topic_counts_per_period(papers, period)
if topic_counts.empty:
    st.info("None of the selected papers has a known publication date.")
else:
    totals = compute_papers_per_period(papers, period)
    widgets.time_chart(chart_topics_per_period(topic_counts, totals, period, view.topic_colors),
                       view.unfinished(period), period)
    st.subheader("Each topic's share of the period's papers")
    steady, sparse_papers = split_sparse_periods(topic_counts, MIN_PERIOD_PAPERS)
    if steady.empty:
        st.info(f"No {period} has {MIN_PERIOD_PAPERS} or more selected papers; "
                "choose a longer period to compare shares.")
    else:
        st.plotly_chart(chart_topic_share(steady, period, view.topic_colors), width="stretch")
    widgets.note_left_out(sparse_papers, f"in a {period} with fewer than {MIN_PERIOD_PAPERS} "
                                    "papers, where a share says little")
widgets.note_left_out(undated, "no known publication date")

st.subheader("Upvotes over time")
upvotes = compute_upvotes_per_period(papers, period)
if upvotes.empty:
    st.info("None of the selected papers has both a known date and a known upvote count.")
else:
    widgets.time_chart(chart_upvotes_per_period(upvotes, period), view.unfinished(period), period)
    widgets.note_left_out(len(papers) - int(upvotes["papers"].sum()),
                     "no known date or upvote count")

st.subheader("Rising terms")
st.caption("Terms whose share of papers grew most from the previous window to the most recent "
           "one: what is trending, not merely frequent.")
window = st.select_slider("Window length (days)", options=[7, 14, 30, 60, 90, 180, 365, 730],
                          value=180, key="trends_window")
published = view.collection.papers["published"]
windows = rising_windows(published[view.mask], window)
rising = compute_rising_terms(view.collection.term_index(), view.mask, published, window)
if windows is None or rising.empty:
    st.info("Not enough dated papers in the two windows to compare; try a longer window.")
else:
    (prev_start, prev_end), (recent_start, recent_end) = windows
    st.caption(f"Recent window {recent_start} to {recent_end}; previous window {prev_start} "
               f"to {prev_end}. Terms in at least 2 recent papers.")
    left, right = st.columns([3, 2])
    left.plotly_chart(chart_rising_terms(rising), width="stretch")
    right.dataframe(rising, hide_index=True, width="stretch", column_config={
        "term": "Term",
        "recent_papers": widgets.count_column("Recent papers"),
        "previous_papers": widgets.count_column("Previous papers"),
        "recent_share": st.column_config.NumberColumn("Recent share", format="percent"),
        "previous_share": st.column_config.NumberColumn("Previous share", format="percent"),
        "change": st.column_config.NumberColumn("Change", format="percent",
                                                help="Percentage points gained"),
    })

st.subheader("Fastest-rising papers")
rising_papers = rank_rising_papers(loading.paper_rates(), papers)
if rising_papers.empty:
    st.caption("Upvotes gained per day need two sightings of the same paper at least 12 hours "
               "apart: fetch the same days again later (Data page, or `papertrends fetch "
               "--refresh`).")
else:
    st.caption("Upvotes gained per day between the first and the last time the collection saw "
               "each paper.")
    st.dataframe(rising_papers, hide_index=True, width="stretch",
                 column_order=["title", "per_day", "gained", "upvotes", "days", "snapshots"],
                 column_config={
                     "title": st.column_config.TextColumn("Title", width="large"),
                     "per_day": st.column_config.NumberColumn("Upvotes per day", format="%.1f"),
                     "gained": widgets.count_column("Gained"),
                     "upvotes": widgets.count_column("Upvotes now"),
                     "days": st.column_config.NumberColumn("Over days", format="%.1f"),
                     "snapshots": widgets.count_column("Sightings")})
