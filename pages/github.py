"""GitHub: which papers link code, over time and by topic, who owns it, and project pages."""

import streamlit as st
from streamlit import column_config as cc

from papertrends.analytics.github import (
    NAMES_PER_OWNER,
    compute_code_by_topic,
    compute_code_papers,
    compute_code_per_period,
    compute_code_summary,
    compute_languages,
    compute_project_hosts,
    compute_project_pages,
    compute_repository_facts,
    compute_top_owners,
    compute_upvote_medians_by_code,
    compute_upvotes_by_code,
)
from papertrends.analytics.periods import PERIODS, default_period
from papertrends.app import drill, loading, page, widgets
from papertrends.charts.github import (
    chart_code_by_topic,
    chart_code_per_period,
    chart_top_owners,
    chart_upvotes_by_code,
)

REPOSITORY_ROWS = 5_000  # most starred first; languages are counted over all of them

view = page.page_header("GitHub", "How many papers link a GitHub repository, over time and by "
                                "topic, who owns the code, and project pages (not code). Click a "
                                "bar to list the papers behind it.")
page.stop_if_empty(view)
# What this page reads of the selected papers: not their authors or Hugging Face keywords.
papers = view.selected_columns("paper_id", "title", "published", "featured", "upvotes",
                               "n_authors", "topics", "github_repos", "github_stars",
                               "project_urls")
summary = compute_code_summary(papers)
PAPER_COLUMNS = {"title": cc.TextColumn("Title", width="large"),
                 "published": cc.DateColumn("Published", format="YYYY-MM-DD"),
                 "upvotes": widgets.count_column("Upvotes"),
                 "hugging_face": cc.LinkColumn("Hugging Face", display_text="paper page")}

columns = st.columns(5)
columns[0].metric("Papers with code", f"{summary['with_code']:,}")
columns[1].metric("Share with code", f"{summary['share_with_code']:.1%}")
columns[2].metric("Distinct repositories", f"{summary['repos']:,}")
columns[3].metric("Owners", f"{summary['owners']:,}", help="GitHub users or organisations.")
columns[4].metric("With a project page", f"{summary['with_project_page']:,}",
                  help=f"{summary['share_with_project_page']:.1%} of papers; "
                       f"{summary['page_only']} of them link no repository.")
if view.filters.has_code != "any":
    st.info("The sidebar's **GitHub code** filter keeps only papers "
            f"{'with' if view.filters.has_code == 'yes' else 'without'} code, so the shares "
            "below are all or nothing. Set it to *Any* to compare.")

st.subheader("Code over time")
period = st.segmented_control("Period", list(PERIODS),
                              default=default_period(papers[view.date_column]),
                              format_func=str.capitalize, key="github_period") or "month"
per_period = compute_code_per_period(papers, period, view.date_column)
if per_period.empty:
    st.info(f"None of the selected papers has a known {view.date_words}.")
else:
    view.time_chart(chart_code_per_period(per_period, period, dated=view.date_label),
                    period, chart="github.over_time")
    widgets.note_left_out(len(papers) - int(per_period["papers"].sum()),
                          f"no known {view.date_words}")

if not summary["with_code"]:
    st.info("None of the selected papers links a GitHub repository, so there is nothing to "
            "break down by topic or owner.")
else:
    st.subheader("Code by topic")
    st.caption("A paper counts under each of its topics.")
    drill.drillable_chart(view, chart_code_by_topic(compute_code_by_topic(papers),
                                                    view.topic_colors), "github.topics")

    st.subheader("Upvotes with and without code")
    medians = compute_upvote_medians_by_code(papers)
    left, right = st.columns(2)
    upvotes = compute_upvotes_by_code(papers)
    left.plotly_chart(chart_upvotes_by_code(upvotes), width="stretch")
    right.dataframe(medians.drop(columns="unknown_upvotes"), hide_index=True, column_config={
        "code": "Papers", "papers": widgets.count_column("Count"),
        "median_upvotes": widgets.count_column("Median upvotes"),
        "mean_upvotes": cc.NumberColumn("Mean", format="%.2f"),
        "upvoted_share": cc.NumberColumn("≥ 1 upvote", format="percent")})
    with right:
        widgets.note_left_out(int(medians["unknown_upvotes"].sum()), "upvotes not known")
        if len(upvotes) < medians["papers"].sum():
            st.caption(f"The chart shows a fixed sample of {len(upvotes):,} papers; the table "
                       "uses all of them.")

    st.subheader("Owners with the most linked repositories")
    owners = compute_top_owners(papers, 15)
    left, right = st.columns([2, 3])
    right.dataframe(owners, hide_index=True, height="content", column_config={
        "owner": "Owner", "repos": widgets.count_column("Repositories"),
        "papers": widgets.count_column("Papers"), "repositories": cc.TextColumn(
            "Names", help=f"Most linked first; after the first {NAMES_PER_OWNER}, how many more."
        )})
    drill.drillable_chart(view, chart_top_owners(owners), "github.owners", where=left)

    st.subheader("Papers with code")
    st.caption("One row per repository (a paper linking several has several rows), newest "
               "first, at most 5,000 rows.")
    st.dataframe(compute_code_papers(papers), hide_index=True, column_order=[
        "title", "github", "published", "upvotes", "hugging_face"], column_config={
        **PAPER_COLUMNS,
        "github": cc.LinkColumn("Repository", display_text=r"github\.com/(.*)")})

    st.subheader("Repositories: stars and languages")
    facts = compute_repository_facts(papers, loading.repositories())
    if facts["stars"].isna().all() and facts["language"].isna().all():
        st.caption("No stars or languages known yet: `papertrends enrich-github` looks the "
                   "linked repositories up on GitHub (papers fetched from the Hugging Face API "
                   "also bring their star counts).")
    else:
        languages = compute_languages(facts)
        left, right = st.columns([1, 3])
        if len(languages):
            left.dataframe(languages, hide_index=True, column_config={
                "language": "Language", "repos": widgets.count_column("Repositories")})
        else:
            left.caption("No primary languages known yet (`papertrends enrich-github`).")
        right.dataframe(facts.head(REPOSITORY_ROWS), hide_index=True, column_config={
            "repo": None, "github": cc.LinkColumn("Repository", display_text=r"github\.com/(.*)"),
            "papers": widgets.count_column("Papers"), "stars": widgets.count_column("Stars"),
            "forks": widgets.count_column("Forks"), "language": "Language",
            "pushed_at": cc.DatetimeColumn("Last push", format="YYYY-MM-DD"),
            "archived": cc.CheckboxColumn("Archived")})
        notes = [f"Most starred first; the first {REPOSITORY_ROWS:,} of {len(facts):,}."
                 ] if len(facts) > REPOSITORY_ROWS else []
        if unknown := int(facts["stars"].isna().sum()):
            notes.append(f"{unknown:,} repositories have no known star count (listed last).")
        if notes:
            st.caption(" ".join(notes))

st.subheader("Project pages")
pages = compute_project_pages(papers)
if pages.empty:
    st.caption("None of the selected papers links a project page.")
else:
    st.caption(f"{summary['with_project_page']:,} papers ({summary['share_with_project_page']:.1%}"
               f") link a project page, demo or dataset page; {summary['both']:,} of them also "
               "link a repository. Project pages are not counted as code.")
    left, right = st.columns([1, 3])
    left.dataframe(compute_project_hosts(papers), hide_index=True, column_order=[
        "host", "papers"], column_config={"host": "Host", "papers": widgets.count_column("Papers")})
    right.dataframe(pages, hide_index=True, column_order=[
        "title", "project_page", "published", "upvotes", "has_code", "hugging_face"],
        column_config={**PAPER_COLUMNS, "has_code": cc.CheckboxColumn("Has code"),
                       "project_page": cc.LinkColumn(
                           "Project page", display_text=r"https?://(?:www\.)?(.{0,40})")})
