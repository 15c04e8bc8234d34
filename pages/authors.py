"""Authors: team sizes per paper, over time, by topic, against upvotes, and frequent authors."""

import streamlit as st

from papertrends.analytics.authors import (
    compute_author_histogram,
    compute_authors_vs_upvotes,
    compute_rank_correlation,
    compute_team_size_by_topic,
    compute_team_size_per_period,
    compute_team_size_summary,
    compute_top_authors,
    compute_upvotes_by_team_size,
)
from papertrends.analytics.periods import PERIODS, default_period
from papertrends.app import drill, page, widgets
from papertrends.charts.authors import (
    chart_author_histogram,
    chart_authors_vs_upvotes,
    chart_team_size_by_topic,
    chart_team_size_over_time,
    chart_top_authors,
)

view = page.page_header("Authors", "How large the teams are: authors per paper, over time and "
                                 "by topic, and whether larger teams get more upvotes. Click a "
                                 "bar or a point to list the papers behind it.")
page.stop_if_empty(view)
papers = view.selected
figures = compute_team_size_summary(papers)
if not figures["known"]:
    st.info("None of the selected papers has a known author count.")
    st.stop()

columns = st.columns(6)
columns[0].metric("Mean authors", f"{figures['mean']:.1f}",
                  help="Pulled up by a few very large teams; the median is more typical.")
columns[1].metric("Median authors", f"{figures['median']:g}")
columns[2].metric("90th percentile", f"{figures['p90']:g}",
                  help="9 in 10 papers have at most this many authors.")
columns[3].metric("Largest team", f"{figures['max']:,}")
columns[4].metric("Single-author", f"{figures['single_share']:.1%}")
columns[5].metric("10 or more authors", f"{figures['ten_plus_share']:.1%}")
st.caption(f"Over the {figures['known']:,} selected papers with a known author count.")
widgets.note_left_out(figures["unknown"], "no known author count (not counted as zero)")

st.subheader("Authors per paper")
log_buckets = st.toggle("Log scale (power-of-two buckets: 1, 2, 3-4, 5-8, ...)",
                        key="authors_log")
drill.drillable_chart(view, chart_author_histogram(compute_author_histogram(papers, log_buckets),
                                                   log_buckets),
                      "authors.histogram", resets_on=log_buckets)

st.subheader("Team size over time")
period = st.segmented_control("Period", list(PERIODS),
                              default=default_period(papers[view.date_column]),
                              format_func=str.capitalize, key="authors_period") or "month"
over_time = compute_team_size_per_period(papers, period, view.date_column)
if over_time.empty:
    st.info("None of the selected papers has both a known date and a known author count.")
else:
    view.time_chart(chart_team_size_over_time(over_time, period, dated=view.date_label),
                    period, chart="authors.over_time")
    widgets.note_left_out(len(papers) - int(over_time["papers"].sum()),
                     f"no known {view.date_words} or author count")

st.subheader("Team size by topic")
st.caption("A paper counts under each of its topics; in brackets, the topic's papers with a "
           "known author count.")
drill.drillable_chart(view, chart_team_size_by_topic(compute_team_size_by_topic(papers),
                                                     view.topic_colors), "authors.topics")

st.subheader("Authors and upvotes")
points = compute_authors_vs_upvotes(papers)
buckets = compute_upvotes_by_team_size(papers)
if points.empty:
    st.info("None of the selected papers has both a known author count and known upvotes.")
else:
    st.plotly_chart(chart_authors_vs_upvotes(points, buckets), width="stretch")
    correlation = compute_rank_correlation(papers)
    both = int(buckets["papers"].sum())
    notes = ["Points are spread slightly so that papers with equal values stay visible."]
    if len(points) < both:
        notes.append(f"A fixed sample of {len(points):,} of {both:,} papers is drawn; the mean "
                     "line and the correlation use all of them.")
    if correlation is not None:
        notes.append(f"Rank (Spearman) correlation of authors and upvotes: {correlation:+.2f} "
                     "(0: no relation, 1: more authors always means more upvotes).")
    st.caption(" ".join(notes))
    widgets.note_left_out(len(papers) - both, "no known author count or upvotes")

st.subheader("Most frequent authors")
if figures["named"]:
    top = compute_top_authors(papers, 20)
    left, right = st.columns([3, 2])
    left.plotly_chart(chart_top_authors(top), width="stretch")
    right.dataframe(top, hide_index=True, width="stretch", column_config={
        "author": st.column_config.TextColumn("Author"),
        "papers": widgets.count_column("Papers"),
        "total_upvotes": widgets.count_column("Upvotes (total)"),
        "latest": st.column_config.DateColumn("Latest paper", format="YYYY-MM-DD"),
    })
    widgets.note_left_out(len(papers) - figures["named"], "no author names known")
else:
    st.caption("Author names are not known for these papers (the shipped Papers page lists "
               "only how many authors a paper has); papers read from the API carry names.")
