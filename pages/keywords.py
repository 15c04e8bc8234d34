"""Keywords: the words and phrases that dominate the selected papers: cloud, bars and table."""

import zlib
from functools import partial

import pandas as pd
import streamlit as st

from papertrends.analytics.engagement import compute_term_engagement
from papertrends.analytics.keywords import (
    compute_term_frequencies,
    covered_papers,
    parse_exclusions,
)
from papertrends.app import drill, page, widgets
from papertrends.charts.compare import chart_engagement
from papertrends.charts.keywords import BAR_LIMIT, chart_term_frequencies, word_cloud_image
from papertrends.collection.drill import Drill, selected_narrowing
from papertrends.collection.filters import Filters, search_terms

SOURCES = {"both": "Both", "titles": "Titles", "abstracts": "Abstracts",
           "keywords": "HF keywords"}


@st.cache_data(max_entries=32, show_spinner=False)
def cloud_image(terms: tuple[str, ...], papers: tuple[int, ...]):
    """Keyed by the frequencies themselves: picking a term does not redraw the cloud."""
    return word_cloud_image(pd.DataFrame({"term": terms, "papers": papers}))


def pick_row() -> None:
    """A table row click picks that term (callbacks run before the page does)."""
    rows = st.session_state[st.session_state["kw_table_key"]]["selection"]["rows"]
    terms = st.session_state.get("kw_table_terms", [])
    if rows and rows[0] < len(terms):
        st.session_state["kw_picked"] = terms[rows[0]]


def pick_point(key: str) -> None:
    """A click on a term's bar or point picks that term (the first, of several)."""
    state = st.session_state
    points = state[key]["selection"]["points"]
    narrowing = selected_narrowing(points[:1], state.get(f"{key}_meta", []), "published")
    searches = state.get("kw_table_searches", [])
    if narrowing is not None and narrowing.search in searches:
        state["kw_picked"] = state["kw_table_terms"][searches.index(narrowing.search)]


def term_chart(where, figure, key: str) -> None:
    """A chart whose bars or points pick a term, as the table's rows do."""
    st.session_state[f"{key}_meta"] = [trace.meta for trace in figure.data]
    where.plotly_chart(figure, width="stretch", key=key, on_select=partial(pick_point, key),
                       selection_mode="points")


def pick_in_box(key: str) -> None:
    st.session_state["kw_picked"] = st.session_state[key]


view = page.page_header("Keywords", "Which terms dominate the selected papers: words and "
                                  "common phrases.")
page.stop_if_empty(view)

left, middle, right = st.columns([2, 3, 3])
n_words = left.slider("Number of terms", 10, 150, 60, step=10, key="kw_top")
has_keywords = view.collection.has_ai_keywords
sources = [s for s in SOURCES if s != "keywords" or has_keywords]
source = middle.segmented_control(
    "Count terms in", sources, format_func=SOURCES.get, default="both", key="kw_source",
    help="Titles, abstracts, or both together"
         + ("; or the keywords Hugging Face generated for papers fetched from its API."
            if has_keywords else ".")) or "both"
exclude = parse_exclusions(right.text_input(
    "Terms to exclude", key="kw_exclude", placeholder="e.g. agents, language models",
    help="Comma-separated. Excluding a word also removes the phrases containing it "
         "('agent' removes 'LLM agents'); plural and singular count as one."))

with st.spinner("Counting terms in the collection (once per collection)..."):
    index = view.collection.term_index(source)
frequencies = compute_term_frequencies(index, view.mask, top=n_words, exclude=exclude)
if frequencies.empty:
    without = " once the excluded terms are left out" if exclude else ""
    where = {"both": "titles or abstracts", "titles": "titles", "abstracts": "abstracts",
             "keywords": "Hugging Face keywords"}[source]
    st.info(f"The selected papers have no countable term in their {where}"
            f"{without}. Try another source, fewer exclusions or wider filters.")
    st.stop()

with_terms = covered_papers(index, view.mask)
image = cloud_image(tuple(frequencies["term"]), tuple(int(p) for p in frequencies["papers"]))
st.image(image, width="stretch")
st.caption(f"The {len(frequencies)} most widespread terms; size follows how many selected "
           f"papers mention each ({with_terms:,} of {view.count:,} have any term). "
           "Stop words and abstract boilerplate ('propose', 'results') are left out; "
           "plural and singular are merged, and so are an acronym and its expansion when "
           "papers define it ('large language models (LLMs)'): the form written most is "
           "shown, the others under 'Also written'.")

# Each term's search: the term and the acronyms counted with it, as "Filter by this" sets it.
frequencies["search"] = [index.search_query(term) for term in frequencies["term"]]
terms = st.session_state["kw_table_terms"] = frequencies["term"].tolist()
searches = st.session_state["kw_table_searches"] = frequencies["search"].tolist()
linked = search_terms(view.drill.narrowing.search) if view.drill is not None else None
as_searched = [search_terms(search) for search in searches]
if linked in as_searched and "kw_picked" not in st.session_state:  # a link's picked term
    st.session_state["kw_picked"] = terms[as_searched.index(linked)]
chart_column, table_column = st.columns([5, 4])
picked = st.session_state.get("kw_picked")
picked = picked if picked in terms else terms[0]
# The table and the term box get new keys whenever the terms or the picked one change, both
# starting on that term: they always agree, and no stale row or option stays selected.
digest = zlib.crc32(repr((terms, picked)).encode())
key = st.session_state["kw_table_key"] = f"kw_table_{digest}"
term_chart(chart_column, chart_term_frequencies(frequencies), "kw_bars")
if len(frequencies) > BAR_LIMIT:
    chart_column.caption(f"The top {BAR_LIMIT}; the table lists all {len(frequencies)}.")
table_column.dataframe(
    frequencies.assign(share=frequencies["share"] * 100), hide_index=True, width="stretch",
    height=600, key=key, on_select=pick_row, selection_mode="single-row",
    selection_default={"selection": {"rows": [terms.index(picked)]}},
    column_config={
        "term": st.column_config.TextColumn("Term"),
        "papers": widgets.count_column("Papers", help="Selected papers mentioning it"),
        "occurrences": widgets.count_column("Mentions", help="Occurrences in them"),
        "share": st.column_config.NumberColumn("Share", format="%.0f%%", help="Of the selected"),
        "aliases": st.column_config.TextColumn(
            "Also written", help="Acronyms and expansions the papers define as one term "
                                 "('large language models (LLMs)'): counted together"),
    }, column_order=["term", "papers", "occurrences", "share",
                     *(["aliases"] if frequencies["aliases"].str.len().gt(0).any() else [])])

st.subheader("Papers mentioning a term")
term_column, count_column, button_column = st.columns([5, 3, 4], vertical_alignment="bottom")
term_column.selectbox("Term (or click a bar, a row or a point)", terms, terms.index(picked),
                      key=f"kw_term_{digest}", on_change=pick_in_box, args=(f"kw_term_{digest}",))
row = frequencies.iloc[terms.index(picked)]
count_column.metric("Papers mentioning it", f"{row.papers:,} ({row.share:.0%})",
                    help=f"Of {view.count:,} selected papers; "
                         f"{row.occurrences:,} occurrences in all.")
# The term is a paper's text (an HF keyword is any string): plain text, never Markdown.
button_column.text(f"Searched as {row.search}: words starting with "
                   + ("any of them" if "|" in row.search else "it")
                   + ", so every spelling counts.")
drill.show_drill(view, Drill("keywords.terms", Filters(search=row.search)), clearable=False)

st.subheader("Attention beside frequency")
st.caption("The median and mean upvotes of the selected papers mentioning each term, beside how "
           "many they are: a term high up and to the left draws attention out of proportion "
           "to how often it appears.")
engagement = compute_term_engagement(index, view.mask, view.collection.papers["upvotes"], terms)
engagement = engagement.merge(frequencies[["term", "search"]], on="term", how="left")
term_chart(st, chart_engagement(engagement, "term"), "kw_engagement")
st.dataframe(engagement, hide_index=True, width="stretch", height=320, column_config={
    "term": st.column_config.TextColumn("Term"),
    "papers": widgets.count_column("Papers"),
    "with_upvotes": widgets.count_column("With upvotes", help="Of them, with a known count"),
    "median_upvotes": st.column_config.NumberColumn("Median", format="%.1f",
                                                    help="Median upvotes"),
    "mean_upvotes": st.column_config.NumberColumn("Mean", format="%.1f", help="Mean upvotes")})
unknown = int((view.mask & view.collection.papers["upvotes"].isna().to_numpy(bool)).sum())
if unknown:
    st.caption(f"{widgets.plural(unknown, 'selected paper')} with no known upvote count: left "
               "out of the medians and means, not counted as 0 (unknown is not zero).")
