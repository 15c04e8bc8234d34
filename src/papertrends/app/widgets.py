"""Small pieces pages share: text shown literally, counts with separators, paper table
columns, messages that survive a rerun."""

from __future__ import annotations

import re

import plotly.graph_objects as go
import streamlit as st

from papertrends.analytics.periods import UnfinishedPeriod
from papertrends.charts import mark_unfinished

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:])")


def escape_markdown(text: str) -> str:
    """Data shown inside Markdown (titles, search words) must render as the literal text."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def plural(count: int, noun: str) -> str:
    """'1 paper', '2,000 papers'."""
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def count_column(label: str, **options) -> st.column_config.NumberColumn:
    """A table column of counts, shown with thousands separators: at a million papers they
    run to six and seven digits."""
    return st.column_config.NumberColumn(label, format="localized", **options)


# How paper tables (analytics.table.compute_paper_table) are shown, on every page alike.
PAPER_COLUMNS = {
    "title": st.column_config.TextColumn("Title", width="large"),
    "published": st.column_config.DateColumn("Published", format="YYYY-MM-DD"),
    "upvotes": count_column("Upvotes"),
    "n_authors": count_column("Authors"),
    "topics": st.column_config.TextColumn("Topics"),
    "github": st.column_config.LinkColumn("GitHub", display_text=r"github\.com/(.*)"),
    "project_page": st.column_config.LinkColumn("Project page", display_text="open"),
    "hugging_face": st.column_config.LinkColumn("Hugging Face", display_text="paper page"),
    "abstract": st.column_config.TextColumn("Abstract", width="large"),
}


def flash(message: str, kind: str = "success") -> None:
    """A message for the next rerun: what an action did, shown after the page reloads."""
    st.session_state["_flash"] = (kind, message)


def show_flash() -> None:
    kind, message = st.session_state.pop("_flash", (None, None))
    if message:
        (st.warning if kind == "warning" else st.success)(message)


def time_chart(figure: go.Figure, unfinished: UnfinishedPeriod | None, period: str) -> None:
    """A chart over periods, the one not over yet marked on it and said under it."""
    st.plotly_chart(mark_unfinished(figure, unfinished), width="stretch")
    if unfinished is not None:
        st.caption(f"The last {period} (from {unfinished.start:%Y-%m-%d}) is not over: "
                   f"{unfinished.covered} of {unfinished.length} days so far, drawn lighter "
                   "and hatched. Its count is not a drop.")


def note_left_out(count: int, why: str) -> None:
    """Say how many rows a chart could not show, and why."""
    if count:
        st.caption(f"{count:,} papers left out: {why}.")
