"""Trends: papers and topics over time, upvotes over time, rising and falling terms and
topics, bursts."""

import hashlib

import numpy as np
import streamlit as st

from papertrends.analytics import bursts as burst_defaults
from papertrends.analytics.bursts import (
    PeriodCounts,
    detect_bursts,
    term_counts_per_period,
    topic_counts_per_period,
)
from papertrends.analytics.compare import (
    DEFAULT_MIN_PAPERS,
    DEFAULT_PRIOR_SIZE,
    compute_distinctive_terms,
    compute_distinctive_topics,
)
from papertrends.analytics.engagement import compute_term_papers
from papertrends.analytics.momentum import rank_rising_papers
from papertrends.analytics.periods import PERIODS, as_days, default_period, last_complete_day
from papertrends.analytics.summary import compute_top_papers
from papertrends.analytics.trends import (
    compute_papers_per_period,
    compute_topic_counts_per_period,
    compute_upvotes_per_period,
    rising_windows,
    split_sparse_periods,
    window_masks,
)
from papertrends.app import drill, loading, page, widgets
from papertrends.charts.compare import chart_bursts, chart_distinctive
from papertrends.charts.trends import (
    chart_topic_share,
    chart_topics_per_period,
    chart_upvotes_per_period,
)

MIN_PERIOD_PAPERS = 5  # a share of 1, 2 or 3 papers swings 0-100% and hides the trend
SHARE = {"format": "percent"}
NAMES = ("recent", "previous")
TERM_BURSTS_AT_ONCE = 200_000  # selected papers beyond which term bursts wait for a click


def top_papers_table(top) -> None:
    if top.empty:
        st.caption("None of these papers has a known upvote count.")
    else:
        st.dataframe(top, hide_index=True, width="stretch", column_config=widgets.PAPER_COLUMNS,
                     column_order=[c for c in top.columns if top[c].notna().any()])


@st.cache_resource(max_entries=8, show_spinner=False)
def _period_counts(fingerprint: tuple, mask_digest: str, kind: str, period: str,
                   through, date_column: str, _view) -> PeriodCounts:
    published = _view.collection.papers[date_column]
    if kind == "Terms":
        return term_counts_per_period(_view.collection.term_index(), _view.mask, published,
                                      period, through=through)
    return topic_counts_per_period(_view.collection.topic_matrix, _view.mask, published,
                                   period, through=through)


def period_counts(view: page.View, kind: str, period: str, through) -> PeriodCounts:
    """Papers per period and term (or topic), kept per store version, filter and period:
    changing s or gamma, or opening a burst's papers, runs only the detection again."""
    digest = hashlib.blake2b(np.packbits(view.mask).tobytes(), digest_size=16).hexdigest()
    key = (id(view.collection), loading.store().fingerprint())  # this collection, this version
    return _period_counts(key, digest, kind, period, through, view.date_column, view)


def picked_row(key: str) -> int:
    """The row clicked in the table under ``key`` (the first when none)."""
    state = st.session_state.get(key)
    rows = state["selection"]["rows"] if state else []
    return rows[0] if rows else 0


def comparison_columns(first: str, second: str, label: str) -> dict:
    return {label: label.capitalize(),
            "papers_a": widgets.count_column(f"{first} papers"),
            "papers_b": widgets.count_column(f"{second} papers"),
            "share_a": st.column_config.NumberColumn(f"{first} share", **SHARE),
            "share_b": st.column_config.NumberColumn(f"{second} share", **SHARE),
            "delta": None,
            "z": st.column_config.NumberColumn(
                "z", format="%.2f", help="Above 2: rising beyond chance; below -2: falling")}



view = page.page_header("Trends", "What is rising: papers per period stacked by topic, each "
                                "topic's share over time, upvotes, the terms and topics gaining "
                                "and losing ground, and bursts. Click a bar, a cell or a point "
                                "(or drag a box over several) to list the papers behind it.")
page.stop_if_empty(view)
# What this page reads of the selected papers: not their titles, authors and links.
papers = view.selected_columns("paper_id", "published", "featured", "upvotes", "topics")
undated = int(papers[view.date_column].isna().sum())

period = st.segmented_control("Period", list(PERIODS),
                              default=default_period(papers[view.date_column]),
                              format_func=str.capitalize, key="trends_period") or "month"

st.subheader("Papers per period, by topic")
topic_counts = compute_topic_counts_per_period(papers, period, view.date_column)
if topic_counts.empty:
    st.info(f"None of the selected papers has a known {view.date_words}.")
else:
    totals = compute_papers_per_period(papers, period, view.date_column)
    view.time_chart(chart_topics_per_period(topic_counts, totals, period, view.topic_colors,
                                            dated=view.date_label),
                    period, chart="trends.topics")
    st.subheader("Each topic's share of the period's papers")
    steady, sparse_papers = split_sparse_periods(topic_counts, MIN_PERIOD_PAPERS)
    if steady.empty:
        st.info(f"No {period} has {MIN_PERIOD_PAPERS} or more selected papers; "
                "choose a longer period to compare shares.")
    else:
        drill.drillable_chart(view, chart_topic_share(steady, period, view.topic_colors,
                                                      dated=view.date_label),
                              "trends.share", resets_on=period)
    widgets.note_left_out(sparse_papers, f"in a {period} with fewer than {MIN_PERIOD_PAPERS} "
                                    "papers, where a share says little")
widgets.note_left_out(undated, f"no known {view.date_words}")

st.subheader("Upvotes over time")
upvotes = compute_upvotes_per_period(papers, period, view.date_column)
if upvotes.empty:
    st.info("None of the selected papers has both a known date and a known upvote count.")
else:
    view.time_chart(chart_upvotes_per_period(upvotes, period, dated=view.date_label), period,
                    chart="trends.upvotes")
    widgets.note_left_out(len(papers) - int(upvotes["papers"].sum()),
                     "no known date or upvote count")

index = view.collection.term_index()
published = view.dates

st.subheader("Rising and falling terms")
st.caption("A term's z weighs the change in its share of papers, from the previous window to "
           "the recent one, against how many papers that share rests on (the weighted "
           "log-odds ratio with the collection's own frequencies as the prior, Monroe et al. "
           "2008): above 2 or below -2 is a rise or a fall chance alone rarely makes, and a "
           "rare term that grew fivefold outranks a frequent one that grew a little.")
window_column, support_column = st.columns([3, 2])
window = window_column.select_slider(
    "Window length (days)", options=[7, 14, 30, 60, 90, 180, 365, 730], value=180,
    key="trends_window", help="The recent window ends at the newest selected paper; the "
                              "previous window is as long and ends the day before.")
min_support = int(support_column.number_input(
    "Minimum papers", min_value=1, max_value=10_000, value=DEFAULT_MIN_PAPERS, step=1,
    key="trends_min_papers",
    help="A term or topic must be in at least this many papers of one window."))
masks = window_masks(published, view.mask, window)
recent, previous = masks if masks is not None else (None, None)
if masks is None or not recent.any() or not previous.any():
    st.info("Not enough dated papers in the two windows to compare; try a longer window.")
else:
    (previous_start, previous_end), (recent_start, recent_end) = rising_windows(
        published[view.mask], window)
    st.caption(f"Recent window {recent_start} to {recent_end}: "
               f"{widgets.plural(int(recent.sum()), 'paper')}; previous window "
               f"{previous_start} to {previous_end}: "
               f"{widgets.plural(int(previous.sum()), 'paper')}. The prior counts as "
               f"{DEFAULT_PRIOR_SIZE:g} papers of the collection's make-up; lighter bars "
               "are within chance (|z| < 1.96).")
    windows = {"from": str(previous_start), "to": str(recent_end)}  # what a bar stands for
    rising = compute_distinctive_terms(index, recent, previous, min_papers=min_support, top=15)
    if rising.empty:
        st.info(f"No term is in {min_support} or more papers of either window; lower the "
                "minimum or try a longer window.")
    else:
        left, right = st.columns(2)
        drill.drillable_chart(view, chart_distinctive(rising, "term", NAMES, within=windows),
                              "trends.rising_terms", resets_on=(window, min_support),
                              where=left)
        right.dataframe(rising, hide_index=True, width="stretch", key="trends_rising_table",
                        on_select="rerun", selection_mode="single-row",
                        column_config=comparison_columns("Recent", "Previous", "term"),
                        height=min(600, 35 * len(rising) + 40))
        terms = rising["term"].tolist()
        term = st.selectbox("Most upvoted papers with the term (or click a row of the table)",
                            terms, index=min(picked_row("trends_rising_table"), len(terms) - 1))
        row = rising.iloc[terms.index(term)]
        where = recent if row.z > 0 else previous
        st.caption(f"In the {'recent' if row.z > 0 else 'previous'} window, where it is "
                   "commoner.")
        top_papers_table(compute_term_papers(index, where, view.collection.without_text, term))

    st.subheader("Rising and falling topics")
    topics = compute_distinctive_topics(view.collection.topic_matrix, recent, previous,
                                        min_papers=min_support)
    if topics.empty:
        st.info("No topic has enough papers in the two windows.")
    else:
        left, right = st.columns(2)
        drill.drillable_chart(view, chart_distinctive(topics, "topic", NAMES, within=windows),
                              "trends.rising_topics", resets_on=(window, min_support),
                              where=left)
        right.dataframe(topics, hide_index=True, width="stretch",
                        column_config=comparison_columns("Recent", "Previous", "topic"))

st.subheader("Bursts")
st.caption(f"A burst is a run of {period}s in which a term was in far more papers than "
           "usual (Kleinberg's burst detection, 2002, over each period's papers). Strength "
           "is how much better the burst explains those periods' counts than the usual rate "
           "does: long bursts far above the usual share are the strongest.")
kind_column, s_column, gamma_column = st.columns([2, 2, 2])
# Term bursts count every term per period: about a second beyond a few hundred thousand
# selected papers, so a big selection starts on topic bursts, term bursts a click away.
many = view.count > TERM_BURSTS_AT_ONCE
kind = kind_column.segmented_control(
    "Bursts of", ["Terms", "Topics"], default="Topics" if many else "Terms",
    key="trends_burst_kind",
    help=f"With more than {TERM_BURSTS_AT_ONCE:,} selected papers, topics come first: "
         "term bursts take a second or so to count." if many else None) or (
    "Topics" if many else "Terms")
s = s_column.number_input(
    "Rate multiple s", min_value=1.1, max_value=10.0, value=burst_defaults.DEFAULT_S,
    step=0.1, key="trends_burst_s",
    help="In a burst a term is in s times its usual share of papers. 2, Kleinberg's "
         "value: a doubled rate, not a chance wobble.")
gamma = gamma_column.number_input(
    "Cost of a burst gamma", min_value=0.0, max_value=10.0,
    value=burst_defaults.DEFAULT_GAMMA, step=0.5, key="trends_burst_gamma",
    help="What entering a burst costs, times ln(number of periods). 2 keeps bursts that "
         "chance alone almost never makes among thousands of terms (about 1 flat term in "
         "1,000); Kleinberg's 1, meant for one stream, also finds one in about 1 flat term "
         "in 8.")
bounds = view.collection.date_range(view.date_column)
newest = bounds[1] if bounds else None
if newest is None:
    st.info(f"None of the papers has a known {view.date_words}.")
else:
    through = last_complete_day(newest, period)
    if through < newest and not st.toggle(
            f"Count the {period} that is not over", key="trends_burst_unfinished",
            help=f"The {period} after {through} has only begun (the newest paper is from "
                 f"{newest}). A burst compares shares of each period's papers, so a begun "
                 "period shows no false drop, but its share rests on fewer papers."):
        st.caption(f"The {period} after {through} is not over (the newest paper is from "
                   f"{newest}): its papers are left out, and an ongoing burst is one that "
                   f"reaches the {period} that ends {through}.")
    else:
        through = None
    label = "term" if kind == "Terms" else "topic"
    found = detect_bursts(period_counts(view, kind, period, through), label, s=s, gamma=gamma,
                          top=25 if kind == "Terms" else None)
    if found.empty:
        st.info(f"No burst among the selected papers' {label}s per {period}: try a shorter "
                "period, a lower s or gamma, or wider filters.")
    else:
        drill.drillable_chart(view, chart_bursts(found, label, dated=view.date_label),
                              f"trends.bursts_{label}", resets_on=(period, s, gamma, through))
        st.caption("Darker bars are stronger bursts; hatched ones are ongoing (they reach "
                   f"the last {period} counted).")
        st.dataframe(found, hide_index=True, width="stretch", key=f"trends_bursts_{label}",
                     on_select="rerun", selection_mode="single-row", column_config={
                         label: label.capitalize(),
                         "start": st.column_config.DateColumn("From", format="YYYY-MM-DD"),
                         "end": st.column_config.DateColumn("To", format="YYYY-MM-DD"),
                         "periods": widgets.count_column(f"{period.capitalize()}s"),
                         "strength": st.column_config.NumberColumn("Strength", format="%.1f"),
                         "papers": widgets.count_column("Papers with it"),
                         "period_papers": widgets.count_column("Papers then"),
                         "share": st.column_config.NumberColumn("Share then", **SHARE),
                         "usual_share": st.column_config.NumberColumn("Usual share", **SHARE),
                         "ongoing": st.column_config.CheckboxColumn("Ongoing")})
        choices = [f"{row[label]}: {row['start']:%Y-%m-%d} to {row['end']:%Y-%m-%d}"
                   for row in found.to_dict("records")]
        choice = st.selectbox("Most upvoted papers of a burst (or click a row of the table)",
                              choices, index=min(picked_row(f"trends_bursts_{label}"),
                                                 len(choices) - 1))
        burst = found.iloc[choices.index(choice)]
        days = as_days(published)
        during = (view.mask & (days >= np.datetime64(burst["start"].date()))
                  & (days <= np.datetime64(burst["end"].date())))
        if kind == "Terms":
            top = compute_term_papers(index, during, view.collection.without_text,
                                      burst["term"])
        else:
            with_topic = view.collection.topic_matrix[burst["topic"]].to_numpy()
            top = compute_top_papers(view.collection.without_text.loc[during & with_topic], 10)
        top_papers_table(top)

st.subheader("Fastest-rising papers")
rising_papers = rank_rising_papers(loading.paper_rates(), papers,
                                   titles=view.collection.without_text["title"])
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
