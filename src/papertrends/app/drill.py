"""From a chart to its papers: a selected mark lists the papers behind it under the chart.

Selecting (clicking, or dragging a box over) bars, segments, cells or points of a chart makes
a ``Drill``: the chart's name and the filters its marks stand for. One drill-down is active
at a time, held in session state and in the URL (``collection.drill``), so a shared link
opens the same list. The list is paged like Explore's table, with its count, "Filter by this"
(the selection becomes the sidebar's filters) and "Clear selection".
"""

from __future__ import annotations

import json

import plotly.graph_objects as go
import streamlit as st

from papertrends.analytics.table import compute_paper_table
from papertrends.app import widgets
from papertrends.app.sidebar import show_filters, url_params
from papertrends.collection.drill import Drill, is_drill_param, selected_narrowing
from papertrends.collection.filters import Filters
from papertrends.collection.loaded import Collection

_STATE = "drill"
_GENERATION = "drill_generation"  # a new chart key after a clear: the chart's marks unselect


def active_drill(page: str) -> Drill | None:
    """The drill-down on this page: the link's on the first run, then the user's. One made on
    another page waits there (and leaves the URL) while the user looks elsewhere."""
    state = st.session_state
    if _STATE not in state:
        state[_STATE] = Drill.from_params(url_params())
    drill = state[_STATE]
    drill = drill if drill is not None and drill.page == page else None
    _write_url(drill)
    return drill


def _write_url(drill: Drill | None) -> None:
    wanted = drill.to_params() if drill else {}
    for key in [k for k in st.query_params if is_drill_param(k) and k not in wanted]:
        del st.query_params[key]
    for key, value in wanted.items():
        if st.query_params.get_all(key) != (value if isinstance(value, list) else [value]):
            st.query_params[key] = value


def _set(drill: Drill | None) -> None:
    st.session_state[_STATE] = drill
    _write_url(drill)


def _clear() -> None:
    st.session_state[_STATE] = None
    st.session_state[_GENERATION] = st.session_state.get(_GENERATION, 0) + 1


def _filter_by(collection: Collection, filters: Filters) -> None:
    show_filters(collection, filters)
    _clear()


def drillable_chart(view, figure: go.Figure, chart: str, resets_on: object = None,
                    note: str | None = None, where=None) -> None:
    """Draw ``figure`` (whose traces say what their marks stand for, ``charts.drill_meta``)
    so that selecting marks lists their papers below it. ``chart`` names it in the URL
    ("trends.topics"); a change of ``resets_on`` (the period shown) redraws the chart
    unselected without ending a drill-down a link opened. ``note`` is said under the chart,
    above the list. ``where`` (a column) holds the chart; the list spans the page below."""
    state = st.session_state
    key = f"chart_{chart}_{state.get(_GENERATION, 0)}"
    event = (where or st).plotly_chart(figure, width="stretch", on_select="rerun",
                            selection_mode=("points", "box"), key=key)
    if note:
        (where or st).caption(note)
    points = list(event.selection.points) if event else []
    seen = json.dumps([points, repr(resets_on)], sort_keys=True, default=str)
    previous = state.get(f"{key}_seen")
    state[f"{key}_seen"] = seen
    if previous is not None and previous != seen and json.loads(previous)[1] == repr(resets_on):
        narrowing = selected_narrowing(points, [trace.meta for trace in figure.data],
                                       view.date_column)
        if narrowing is not None:
            view = view.with_drill(Drill(chart, narrowing))
            _set(view.drill)
        elif view.drill is not None and view.drill.chart == chart:
            view = view.with_drill(None)
            _set(None)
    if view.drill is not None and view.drill.chart == chart:
        _selected_papers(view, view.drill)


def show_drill(view, drill: Drill, clearable: bool = True) -> None:
    """List ``drill``'s papers and make it the page's drill-down (in the URL): for a page
    whose own widgets pick what to list (the Keywords page's term)."""
    if view.drill != drill:
        _set(drill)
    _selected_papers(view, drill, clearable)


def _selected_papers(view, drill: Drill, clearable: bool = True) -> None:
    """The papers of a drill-down, a page at a time, with what to do with them."""
    listed = drill.listed(view.filters, view.collection)
    mask = view.mask & drill.narrowing.mask(view.collection)
    count = int(mask.sum())
    with st.container(border=True):
        with st.container(horizontal=True, gap="small", vertical_alignment="center"):
            st.markdown(f"**{widgets.plural(count, 'paper')} selected** ·", width="content")
            st.text(drill.narrowing.describe())  # a term or a topic from the link: plain
        left, right, _ = st.columns([1, 1, 3])
        left.button("Filter by this", key=f"drill_filter_{drill.chart}", type="primary",
                    icon=":material/filter_alt:", on_click=_filter_by,
                    args=(view.collection, listed), width="stretch",
                    help="Make the selection the sidebar's filters, on every page.")
        if clearable:
            right.button("Clear selection", key=f"drill_clear_{drill.chart}", on_click=_clear,
                         icon=":material/close:", width="stretch")
        if not count:
            st.caption("None of the papers the filters keep is in this selection.")
            return
        frame = view.collection.without_text
        papers = frame if count == view.total else frame.loc[mask]
        first = widgets.table_page(count, f"drill_page_{drill.chart}", listed)
        table = compute_paper_table(
            papers, "Upvotes", limit=widgets.PAGE_ROWS, offset=first,
            abstracts=lambda rows: view.collection.texts(rows, ("abstract",))["abstract"],
            date_column=view.date_column)
        st.dataframe(table, hide_index=True, width="stretch",
                     height=560 if len(table) > 15 else "auto",
                     column_order=["title", *view.collection.date_columns, "upvotes",
                                   "n_authors", "topics", "hugging_face", "arxiv", "github",
                                   "project_page"],
                     column_config=widgets.PAPER_COLUMNS)
