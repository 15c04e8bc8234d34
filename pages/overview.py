"""Overview: key figures, the most upvoted papers and papers over time."""

import streamlit as st

from papertrends.analytics.engagement import compute_topic_engagement
from papertrends.analytics.periods import default_period
from papertrends.analytics.summary import compute_key_figures, compute_top_papers
from papertrends.analytics.trends import compute_papers_per_period
from papertrends.app import drill, page, widgets
from papertrends.charts.compare import chart_engagement
from papertrends.charts.trends import chart_papers_per_period

view = page.page_header("Overview", "Key figures of the selected papers, the most upvoted ones, "
                                  "and how many were published over time. Click a bar or a point "
                                  "to list the papers behind it.")
page.stop_if_empty(view)
papers = view.selected
figures = compute_key_figures(papers)

columns = st.columns(5)
columns[0].metric("Papers", f"{figures['papers']:,}")
if figures["first_published"] is not None:
    columns[1].metric("Published", f"{figures['first_published']:%Y}\N{EN DASH}"
                                   f"{figures['last_published']:%Y}",
                      help=f"{figures['first_published']} to {figures['last_published']}; "
                           f"{figures['unknown_date']} papers with no known date.")
else:
    columns[1].metric("Published", "unknown")
columns[2].metric("Median authors per paper",
                  "unknown" if figures["median_authors"] is None
                  else f"{figures['median_authors']:g}",
                  help=f"{figures['unknown_authors']} papers with no known author count "
                       "are left out.")
columns[3].metric("With GitHub code", f"{figures['share_with_code']:.0%}",
                  help=f"{figures['with_code']} papers link a GitHub repository.")
columns[4].metric("Total upvotes", f"{figures['total_upvotes']:,}",
                  help=f"{figures['unknown_upvotes']} papers with unknown upvotes.")

st.subheader("Most upvoted")
top = compute_top_papers(papers, 10)
if top.empty:
    st.caption("No selected paper has a known upvote count.")
else:
    st.dataframe(top, hide_index=True, width="stretch",
                 column_order=[c for c in top.columns if top[c].notna().any()],
                 column_config=widgets.PAPER_COLUMNS)

st.subheader("Papers over time")
period = default_period(papers[view.date_column])
per_period = compute_papers_per_period(papers, period, view.date_column)
view.time_chart(chart_papers_per_period(per_period, period, dated=view.date_label),
                period, chart="overview.papers")
widgets.note_left_out(len(papers) - int(per_period["papers"].sum()), f"no known {view.date_words}")

st.subheader("Topics: papers and attention")
st.caption("How many selected papers each topic has, and the median and mean upvotes they "
           "draw: a small topic high up draws more attention per paper than a crowded one.")
engagement = compute_topic_engagement(papers)
if engagement.empty:
    st.caption("The selected papers have no topic.")
else:
    drill.drillable_chart(view, chart_engagement(engagement, "topic"), "overview.topics")
    st.dataframe(engagement, hide_index=True, width="stretch", column_config={
        "topic": st.column_config.TextColumn("Topic"),
        "papers": widgets.count_column("Papers"),
        "with_upvotes": widgets.count_column("With upvotes", help="Of them, with a known count"),
        "median_upvotes": st.column_config.NumberColumn("Median", format="%.1f",
                                                        help="Median upvotes"),
        "mean_upvotes": st.column_config.NumberColumn("Mean", format="%.1f",
                                                      help="Mean upvotes")})
    if figures["unknown_upvotes"]:
        st.caption(f"{widgets.plural(figures['unknown_upvotes'], 'selected paper')} with no "
                   "known upvote count: left out of the medians and means, not counted as 0 "
                   "(unknown is not zero).")
