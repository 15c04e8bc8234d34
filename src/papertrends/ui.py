"""Streamlit glue shared by app.py and every page: loading, the filter sidebar, headers.

This is the only package module that imports Streamlit. It keeps one ``Collection`` per store
version in ``st.cache_resource`` (the store file's fingerprint and the taxonomy digest are the
key, so an ingest or a taxonomy edit shows up on the next rerun), turns the sidebar widgets into
one ``Filters`` value mirrored in the URL, and hands pages a ``View``: the collection, the
filters, and the selected rows.
"""

from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st

from papertrends.analytics.momentum import compute_paper_rates
from papertrends.charts import topic_colors
from papertrends.collection import Collection
from papertrends.enrich import enrich
from papertrends.errors import StoreBusyError
from papertrends.filters import Filters
from papertrends.sources import SHIPPED_PAGE, read_path
from papertrends.store import DB_ENV, Store
from papertrends.topics import Taxonomy, default_topics_path, load_taxonomy

ROOT = Path(__file__).resolve().parents[2]
_AUTHOR_STEPS = (1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 25, 30, 40, 50, 75, 100, 150, 200, 300,
                 500, 1000, 2000, 5000)
_CODE_LABELS = {"any": "Any", "yes": "With code", "no": "Without code"}
FILTER_KEYS = ("f_dates", "f_topics", "f_search", "f_min_upvotes", "f_authors", "f_code")


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

    @property
    def total(self) -> int:
        return len(self.collection)

    @cached_property
    def count(self) -> int:
        return int(self.mask.sum())

    @cached_property
    def selected(self) -> pd.DataFrame:
        """The selected papers, every column but the long texts; labels are collection rows.
        ``collection.with_text(mask)`` has them all, for a download. Unfiltered, the frame
        itself (pages only read it): copying a million rows would be most of a rerun."""
        if self.count == self.total:
            return self.collection.without_text
        return self.collection.without_text.loc[self.mask]


# -- loading ---------------------------------------------------------------------------------

def store() -> Store:
    return Store(os.environ.get(DB_ENV) or ROOT / "data" / "papers.duckdb")


@st.cache_resource(show_spinner=False)
def _last_loaded() -> dict[str, object]:
    return {}


_load_lock = threading.Lock()


@st.cache_resource(show_spinner=False, max_entries=2)
def _collection(fingerprint: tuple, taxonomy_digest: str, _taxonomy: Taxonomy) -> Collection:
    return Collection.from_store(store(), _taxonomy.names)


# Resources, not data: st.cache_data would copy a million snapshot rows on every rerun. Pages
# only read these frames.
@st.cache_resource(max_entries=6, show_spinner=False)
def _side_table(fingerprint: tuple, name: str) -> pd.DataFrame:
    return getattr(store(), name)()


@st.cache_resource(max_entries=2, show_spinner=False)
def _paper_rates(fingerprint: tuple) -> pd.DataFrame:
    return compute_paper_rates(_side_table(fingerprint, "snapshots"))


def paper_rates() -> pd.DataFrame:
    """Upvotes per day of every paper seen twice (analytics.momentum), once per version."""
    return _paper_rates(store().fingerprint())


def repositories() -> pd.DataFrame:
    """GitHub facts per repository from ``papertrends enrich-github``, once per version."""
    return _side_table(store().fingerprint(), "repositories")


@st.cache_resource(max_entries=4, show_spinner=False)
def _taxonomy(path: str, stamp: tuple[int, int]) -> Taxonomy:
    return load_taxonomy(path)


def current_taxonomy() -> Taxonomy:
    """The topic taxonomy, parsed again only when its file changes."""
    path = default_topics_path()
    try:
        stat = path.stat()
    except OSError:
        return load_taxonomy(path)  # raises the error that names the file
    return _taxonomy(str(path), (stat.st_mtime_ns, stat.st_size))


def load_collection() -> Collection:
    """The stored collection, building it from the shipped page on a fresh machine.

    While another process holds the store for writing, the previous version stays on screen.
    """
    taxonomy = current_taxonomy()
    paper_store = store()
    last = _last_loaded()
    key = (paper_store.fingerprint(), taxonomy.digest)
    if last.get("key") == key:  # nothing changed on disk: no need to open the store
        return last["collection"]
    try:
        with _load_lock:
            if not paper_store.exists():
                with st.spinner("Building the collection from the shipped Papers page..."):
                    _, table = read_path(SHIPPED_PAGE)
                    paper_store.ingest([(f"hf-page:{SHIPPED_PAGE.name}", enrich(table, taxonomy))],
                                       taxonomy)
            if paper_store.sync_topics(taxonomy):
                st.toast("The topic taxonomy changed: papers were re-tagged.")
        key = (paper_store.fingerprint(), taxonomy.digest)
        collection = _collection(*key, taxonomy)
    except StoreBusyError:
        if "collection" not in last:
            raise
        st.info("The collection is being updated by another process; showing the version "
                "loaded before. Reload the page in a moment to see the new data.")
        return last["collection"]
    last.update(key=key, collection=collection)
    return collection


# -- filters -------------------------------------------------------------------------------

def _author_steps(collection: Collection) -> list[int]:
    top = collection.most_authors or 1
    return [s for s in _AUTHOR_STEPS if s < top] + [top]


def _widget_state_from(filters: Filters, collection: Collection) -> dict[str, object]:
    """Session-state values for the widgets that show ``filters`` (clamped to the data)."""
    state: dict[str, object] = {
        "f_topics": [t for t in filters.topics if t in collection.topics],
        "f_search": filters.search,
        "f_min_upvotes": filters.min_upvotes,
        "f_code": filters.has_code,
    }
    bounds = collection.date_bounds
    if bounds:
        low, high = bounds
        start = min(max(filters.date_from or low, low), high)
        end = max(min(filters.date_to or high, high), start)
        state["f_dates"] = (start, end)
    steps = _author_steps(collection)
    low_a = max([s for s in steps if s <= (filters.authors_min or 1)] or [steps[0]])
    high_a = min([s for s in steps if s >= (filters.authors_max or steps[-1])] or [steps[-1]])
    state["f_authors"] = (low_a, max(low_a, high_a))
    return state


def _filters_from_widgets(collection: Collection, state: dict[str, object]) -> Filters:
    """The filters the widgets show. ``state`` holds the values the widgets returned this run
    (after a page switch, st.session_state may not yet hold a value restored by the widget)."""
    date_from = date_to = None
    bounds = collection.date_bounds
    if bounds and "f_dates" in state:
        start, end = state["f_dates"]
        date_from = start if start > bounds[0] else None
        date_to = end if end < bounds[1] else None
    steps = _author_steps(collection)
    low, high = state.get("f_authors", (steps[0], steps[-1]))
    return Filters(
        date_from=date_from, date_to=date_to,
        topics=tuple(state.get("f_topics", ())),
        search=state.get("f_search", ""),
        min_upvotes=int(state.get("f_min_upvotes", 0) or 0),
        authors_min=low if low > steps[0] else None,
        authors_max=high if high < steps[-1] else None,
        has_code=state.get("f_code", "any"),
    )


def _reset_filters(collection: Collection) -> None:
    st.session_state.update(_widget_state_from(Filters(), collection))


def _follow_new_bounds(collection: Collection) -> None:
    """After new papers arrive, a range left wide open stays wide open; others are clamped."""
    state = st.session_state
    for key, bounds in (("f_dates", collection.date_bounds),
                        ("f_authors", (_author_steps(collection)[0],
                                       _author_steps(collection)[-1]))):
        previous = state.get(f"{key}_bounds")
        state[f"{key}_bounds"] = bounds
        if bounds is None or previous is None or previous == bounds or key not in state:
            continue
        low, high = state[key]
        low = bounds[0] if low <= previous[0] else min(max(low, bounds[0]), bounds[1])
        high = bounds[1] if high >= previous[1] else max(min(high, bounds[1]), low)
        if key == "f_authors":
            steps = _author_steps(collection)
            low = max([s for s in steps if s <= low] or [steps[0]])
            high = min([s for s in steps if s >= high] or [steps[-1]])
        state[key] = (low, high)


def _url_params() -> dict[str, list[str]]:
    return {key: st.query_params.get_all(key) for key in st.query_params}


def sidebar_filters(collection: Collection) -> Filters:
    """Draw the shared filter panel and return its value; keeps the URL in step with it."""
    state = st.session_state
    if "f_initialised" not in state:
        from_url = Filters.from_params(_url_params())
        state.update(_widget_state_from(from_url, collection))
        state["f_initialised"] = True
        if from_url.problems:
            st.sidebar.warning("Ignored link parameters: " + ", ".join(from_url.problems))

    # Each page's widgets are new widgets to Streamlit, which would start them empty after a
    # page switch; owning the values in session state carries the filters to the next page.
    for key in FILTER_KEYS:
        if key in state:
            state[key] = state[key]
    _follow_new_bounds(collection)
    sidebar = st.sidebar
    sidebar.header("Filters")
    values: dict[str, object] = {}
    bounds = collection.date_bounds
    if bounds and bounds[0] < bounds[1]:
        values["f_dates"] = sidebar.slider(
            "Published", min_value=bounds[0], max_value=bounds[1], value=bounds, key="f_dates",
            format="YYYY-MM-DD")
    values["f_topics"] = sidebar.multiselect(
        "Topics", collection.topics, key="f_topics", placeholder="All topics",
        help="Papers with any of the chosen topics.")
    values["f_search"] = sidebar.text_input(
        "Search title and abstract", key="f_search", placeholder='e.g. reward "tool use"',
        help='All words must match, at the start of a word; "quote" a phrase.')
    values["f_min_upvotes"] = sidebar.number_input(
        "Minimum upvotes", min_value=0, step=1, key="f_min_upvotes")
    steps = _author_steps(collection)
    if len(steps) > 1:
        values["f_authors"] = sidebar.select_slider(
            "Authors per paper", options=steps, key="f_authors", value=(steps[0], steps[-1]))
    values["f_code"] = sidebar.radio(
        "GitHub code", list(_CODE_LABELS), key="f_code", horizontal=True,
        format_func=_CODE_LABELS.__getitem__)
    sidebar.button("Reset filters", on_click=_reset_filters, args=(collection,), key="f_reset",
                   width="stretch")

    filters = _filters_from_widgets(collection, values)
    unknown_dates = collection.count_unknown("published")
    unknown_authors = collection.count_unknown("n_authors")
    if unknown_dates or unknown_authors:
        sidebar.caption(
            f"{unknown_dates:,} papers have no known date and {unknown_authors:,} no known author "
            "count; they are kept unless you narrow that filter.")
    if _url_params() != {k: v if isinstance(v, list) else [v]
                         for k, v in filters.to_params().items()}:
        st.query_params.from_dict(filters.to_params())
    return filters


# -- the view and page furniture ------------------------------------------------------------

def build_view() -> View:
    """Load, draw the shared filter panel, filter: once per rerun, by ``page_header``.

    Pages build it (rather than app.py) so that a page also works when run on its own, as
    Streamlit's AppTest does after ``switch_page``.
    """
    collection = load_collection()
    filters = sidebar_filters(collection)
    mask = filters.mask(collection)
    return View(collection, filters, mask, topic_colors(collection.topics))


def page_header(title: str, caption: str) -> View:
    """Filters, title, what the page shows, and 'N of M papers' for the active filters."""
    view = build_view()
    st.title(title)
    st.caption(caption)
    st.markdown(f"**{view.count:,} of {view.total:,} papers** · "
                f"{escape_markdown(view.filters.describe())}")
    return view


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:])")


def escape_markdown(text: str) -> str:
    """Data shown inside Markdown (titles, search words) must render as the literal text."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def plural(count: int, noun: str) -> str:
    """'1 paper', '2,000 papers'."""
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


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


def note_left_out(count: int, why: str) -> None:
    """Say how many rows a chart could not show, and why."""
    if count:
        st.caption(f"{count:,} papers left out: {why}.")
