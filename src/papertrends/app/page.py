"""What every page starts with: the loaded collection, the shared filters, the selected rows
(a ``View``), the page title and "N of M papers"."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from papertrends.analytics.periods import UnfinishedPeriod, unfinished_period
from papertrends.app import widgets
from papertrends.app.drill import active_drill, drillable_chart
from papertrends.app.loading import load_collection
from papertrends.app.sidebar import sidebar_filters
from papertrends.charts import mark_unfinished, topic_colors
from papertrends.collection.drill import Drill
from papertrends.collection.filters import Filters
from papertrends.collection.loaded import PUBLISHED, Collection


@dataclass(frozen=True)
class View:
    """What a page shows: the whole collection, the active filters and the rows they keep.

    The selected rows are only copied when a page asks for them, and without the long texts
    (abstracts): at a million papers those are gigabytes, and only Explore shows them.
    """

    collection: Collection
    filters: Filters
    mask: np.ndarray  # over collection rows: True where the paper passes the filters
    topic_colors: dict[str, str]
    drill: Drill | None = None  # the marks selected on one of the page's charts

    def with_drill(self, drill: Drill | None) -> View:
        return replace(self, drill=drill)

    @property
    def total(self) -> int:
        return len(self.collection)

    @cached_property
    def count(self) -> int:
        return int(self.mask.sum())

    @cached_property
    def date_column(self) -> str:
        """The date every time chart of this view uses: 'published' or 'featured'."""
        return self.filters.dates_in(self.collection)

    @property
    def date_words(self) -> str:
        """That date in a sentence: 'no known publication date'."""
        return "publication date" if self.date_column == PUBLISHED else "featured day"

    @property
    def date_label(self) -> str:
        """That date on a time axis (the charts' ``dated``)."""
        return "Published" if self.date_column == PUBLISHED else "Featured on Daily Papers"

    def time_chart(self, figure: go.Figure, period: str, chart: str | None = None) -> None:
        """A chart over periods, the one not over yet marked on it and said under it;
        ``chart`` names it for a drill-down (``drill.drillable_chart``)."""
        unfinished = self.unfinished(period)
        figure = mark_unfinished(figure, unfinished)
        note = widgets.unfinished_note(unfinished, period)
        if chart:
            drillable_chart(self, figure, chart, resets_on=period, note=note)
            return
        st.plotly_chart(figure, width="stretch")
        if note:
            st.caption(note)

    @property
    def dates(self) -> pd.Series:
        """That date for every paper of the collection (not only the selected)."""
        return self.collection.papers[self.date_column]

    def unfinished(self, period: str) -> UnfinishedPeriod | None:
        """The ``period`` still under way on the collection's newest date (a filter does not
        end a month): charts mark it, comparisons leave it out."""
        bounds = self.collection.date_range(self.date_column)
        return unfinished_period(bounds[1] if bounds else None, period)

    def selected_columns(self, *columns: str) -> pd.DataFrame:
        """Only these columns of the selected papers (those of them the collection has): a
        page that reads a few copies a few. The selection's author and link lists are most of
        what ``selected`` copies: half a second at a million papers under a date filter."""
        present = [c for c in columns if c in self.collection.without_text]
        frame = self.collection.without_text[present]
        return frame if self.count == self.total else frame.loc[self.mask]

    @cached_property
    def selected(self) -> pd.DataFrame:
        """The selected papers, every column but the long texts; labels are collection rows.
        ``collection.with_text(mask)`` has them all, for a download. Unfiltered, the frame
        itself (pages only read it): copying a million rows would be most of a rerun."""
        if self.count == self.total:
            return self.collection.without_text
        return self.collection.without_text.loc[self.mask]


def build_view(page: str) -> View:
    """Load, draw the shared filter panel, filter: once per rerun, by ``page_header``.

    Pages build it (rather than app.py) so that a page also works when run on its own, as
    Streamlit's AppTest does after ``switch_page``.
    """
    collection = load_collection()
    filters = sidebar_filters(collection)
    mask = filters.mask(collection)
    return View(collection, filters, mask, topic_colors(collection.topics),
                active_drill(page))


def page_header(title: str, caption: str) -> View:
    """Filters, title, what the page shows, and 'N of M papers' for the active filters."""
    view = build_view(title.lower())
    st.title(title)
    st.caption(caption)
    # The filters' words hold search terms and topics from the link: plain text, beside the
    # count (which the tests and a reader look for in bold).
    with st.container(horizontal=True, gap="small", vertical_alignment="center"):
        st.markdown(f"**{view.count:,} of {view.total:,} papers** ·", width="content")
        st.text(view.filters.describe())
    return view


def stop_if_empty(view: View) -> None:
    """A friendly empty state instead of empty axes."""
    if view.count:
        return
    if view.total == 0:
        st.info("The collection is empty. Add papers with `papertrends ingest PATH`.")
    else:
        st.info("No papers match these filters. Widen the date range, clear the search or "
                "press **Reset filters** in the sidebar.")
    st.stop()
