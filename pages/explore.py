"""Explore: the selected papers as a table, and the filtered rows as a CSV download."""

from urllib.parse import urlencode

import streamlit as st

from papertrends.analytics.table import SORT_KEYS, compute_paper_table
from papertrends.app import page, widgets
from papertrends.collection.export import export_filename, to_csv_bytes

view = page.page_header("Explore", "The selected papers, one row each. Download exactly these "
                                 "rows as CSV.")
page.stop_if_empty(view)
papers = view.selected
if st.context.url:  # none in a test without a browser
    query = urlencode(view.filters.to_params(), doseq=True)
    # As code: the link holds the search words as typed, and the box has a copy button.
    st.code(st.context.url + (f"?{query}" if query else ""), language=None, wrap_lines=True)
    st.caption("The link to this view: it opens these filters on this page.")

left, right = st.columns([3, 1])
sort = left.segmented_control("Sort by", list(SORT_KEYS), default="Upvotes",
                              key="explore_sort") or "Upvotes"
right.download_button(
    # A callable: the CSV is only built when the button is pressed, not on every rerun.
    "Download filtered CSV", data=lambda: to_csv_bytes(view.collection.with_text(view.mask)),
    mime="text/csv",
    on_click="ignore",
    file_name=export_filename(papers, view.filters),
    icon=":material/download:", type="primary", width="stretch",
    help="Every column of the collection for the rows matching the current filters.")

first = widgets.table_page(len(papers), "explore_page", (view.filters, sort))
table = compute_paper_table(
    papers, sort, limit=widgets.PAGE_ROWS, offset=first,
    abstracts=lambda rows: view.collection.texts(rows, ("abstract",))["abstract"],
    date_column=view.date_column)
dates = list(view.collection.date_columns)
selection = st.dataframe(
    table, hide_index=True, width="stretch", on_select="rerun",
    height=560 if len(table) > 15 else "auto",  # a short page: no empty rows under it
    selection_mode="single-row", key="explore_table",
    column_order=["title", *dates, "upvotes", "n_authors", "topics", "github",
                  "project_page", "hugging_face", "arxiv", "abstract"],
    column_config={**widgets.PAPER_COLUMNS, "abstract": st.column_config.TextColumn(
        "Abstract (select a row for all of it)", width="large")})

rows = selection.selection.rows if selection else []
if rows:
    chosen = table.index[rows[0]]
    abstract = view.collection.texts([chosen], ("abstract",))["abstract"].iloc[0]
    with st.container(border=True):
        st.caption("Title and abstract of the selected paper")
        st.text(table.at[chosen, "title"])  # a paper's text: plain, never Markdown
        st.text(abstract if isinstance(abstract, str) and abstract else "No abstract.")
else:
    st.caption("Select a row to read its whole abstract.")
