"""The shared filter panel: widgets whose values are one ``Filters``, mirrored in the URL."""

from __future__ import annotations

import streamlit as st

from papertrends.app import widgets
from papertrends.collection.drill import is_drill_param
from papertrends.collection.filters import (
    DATE_LABELS,
    MAX_COUNT,
    RELATIVE_RANGES,
    Filters,
    parse_search,
)
from papertrends.collection.loaded import PUBLISHED, Collection

_AUTHOR_STEPS = (1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 25, 30, 40, 50, 75, 100, 150, 200, 300,
                 500, 1000, 2000, 5000)
_CODE_LABELS = {"any": "Any", "yes": "With code", "no": "Without code"}
FILTER_KEYS = ("f_date_column", "f_range", "f_dates", "f_topics", "f_search", "f_min_upvotes",
               "f_authors", "f_known_authors", "f_code", "f_owners")


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
        "f_owners": list(filters.owners),
        "f_date_column": filters.dates_in(collection),
        "f_range": filters.relative,
    }
    bounds = collection.date_range(filters.dates_in(collection))
    if bounds:
        low, high = bounds
        start = min(max(filters.date_from or low, low), high)
        end = max(min(filters.date_to or high, high), start)
        state["f_dates"] = (start, end)
    steps = _author_steps(collection)
    low_a = max([s for s in steps if s <= (filters.authors_min or 1)] or [steps[0]])
    high_a = min([s for s in steps if s >= (filters.authors_max or steps[-1])] or [steps[-1]])
    state["f_authors"] = (low_a, max(low_a, high_a))
    state["f_known_authors"] = filters.authors_min is not None or filters.authors_max is not None
    return state


def _filters_from_widgets(collection: Collection, state: dict[str, object]) -> Filters:
    """The filters the widgets show. ``state`` holds the values the widgets returned this run
    (after a page switch, st.session_state may not yet hold a value restored by the widget)."""
    date_from = date_to = None
    date_column = state.get("f_date_column", PUBLISHED)
    relative = state.get("f_range", "")
    bounds = collection.date_range(date_column)
    if bounds and "f_dates" in state and not relative:
        start, end = state["f_dates"]
        date_from = start if start > bounds[0] else None
        date_to = end if end < bounds[1] else None
    steps = _author_steps(collection)
    low, high = state.get("f_authors", (steps[0], steps[-1]))
    known_only = state.get("f_known_authors", False)
    return Filters(
        date_from=date_from, date_to=date_to,
        topics=tuple(state.get("f_topics", ())),
        search=state.get("f_search", ""),
        min_upvotes=int(state.get("f_min_upvotes", 0) or 0),
        authors_min=low if low > steps[0] or known_only else None,
        authors_max=high if high < steps[-1] else None,
        has_code=state.get("f_code", "any"),
        owners=tuple(state.get("f_owners", ())),
        date_column=date_column,
        relative=relative,
    )


def show_filters(collection: Collection, filters: Filters) -> None:
    """Make the sidebar show ``filters`` from the next run on: what a page's "Filter by
    this" does. Call it from a widget's callback, which runs before the sidebar is drawn."""
    st.session_state.update(_widget_state_from(filters, collection))


def _reset_filters(collection: Collection) -> None:
    show_filters(collection, Filters())


def _follow_new_bounds(collection: Collection) -> None:
    """After new papers arrive, a range left wide open stays wide open; others are clamped."""
    state = st.session_state
    dates = collection.date_range(state.get("f_date_column", PUBLISHED))
    for key, bounds in (("f_dates", dates),
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


def url_params() -> dict[str, list[str]]:
    """The link's query parameters, every value as a list."""
    return {key: st.query_params.get_all(key) for key in st.query_params}


def sidebar_filters(collection: Collection) -> Filters:
    """Draw the shared filter panel and return its value; keeps the URL in step with it."""
    state = st.session_state
    if "f_initialised" not in state:
        from_url = Filters.from_params(url_params())
        state.update(_widget_state_from(from_url, collection))
        state["f_initialised"] = True
        if from_url.problems:
            # Each problem is "key='value'": the key is one of ours, the value the link's.
            keys = dict.fromkeys(problem.partition("=")[0] for problem in from_url.problems)
            widgets.note_ignored(st.sidebar, f"Ignored link parameters: {', '.join(keys)}. "
                                 "As the link gave them:", list(from_url.problems))

    # Each page's widgets are new widgets to Streamlit, which would start them empty after a
    # page switch; owning the values in session state carries the filters to the next page.
    for key in FILTER_KEYS:
        if key in state:
            state[key] = state[key]
    _follow_new_bounds(collection)
    sidebar = st.sidebar
    sidebar.header("Filters")
    values: dict[str, object] = {}
    if len(collection.date_columns) > 1:
        values["f_date_column"] = sidebar.radio(
            "Dates", collection.date_columns, key="f_date_column",
            format_func=DATE_LABELS.__getitem__,
            help="Which date the date range and every time chart use. By default the "
                 "paper's own (arXiv) date; Daily Papers may feature a paper days or months "
                 "later.")
    else:
        state["f_date_column"] = PUBLISHED  # a link's choice the collection cannot honour
    date_column = values.get("f_date_column", PUBLISHED)
    bounds = collection.date_range(date_column)
    if bounds and bounds[0] < bounds[1]:
        values["f_range"] = sidebar.selectbox(
            "Date range", ["", *RELATIVE_RANGES], key="f_range",
            format_func=lambda key: RELATIVE_RANGES.get(key, "Dates picked below"),
            help="Ending on the newest paper's date: a link to the last 30 days keeps "
                 "showing the latest days as the collection grows.")
        if values["f_range"]:
            start, _ = Filters(date_column=date_column, relative=values["f_range"]).date_span(
                collection)
            sidebar.caption(f"{max(start, bounds[0])} to {bounds[1]}, the newest paper's date")
        else:
            values["f_dates"] = sidebar.slider(
                "Featured" if date_column != PUBLISHED else "Published", min_value=bounds[0],
                max_value=bounds[1], value=bounds, key="f_dates", format="YYYY-MM-DD")
    values["f_topics"] = sidebar.multiselect(
        "Topics", collection.topics, key="f_topics", placeholder="All topics",
        help="Papers with any of the chosen topics.")
    values["f_search"] = sidebar.text_input(
        "Search title and abstract", key="f_search", placeholder='e.g. reward "tool use"',
        help='All words must match, at the start of a word; "quote" a phrase; join '
             'alternatives with | (no spaces): llm|"language model".')
    ignored = parse_search(values["f_search"]).ignored
    if ignored:
        widgets.note_ignored(sidebar, "Part of the search was ignored, to keep pages quick:",
                             list(ignored))
    values["f_min_upvotes"] = sidebar.number_input(
        "Minimum upvotes", min_value=0, max_value=MAX_COUNT, step=1, key="f_min_upvotes")
    steps = _author_steps(collection)
    if len(steps) > 1:
        values["f_authors"] = sidebar.select_slider(
            "Authors per paper", options=steps, key="f_authors", value=(steps[0], steps[-1]))
    if collection.count_unknown("n_authors"):
        # A narrowed range leaves them out anyway; at full range this is the only way to.
        values["f_known_authors"] = sidebar.checkbox(
            "Only papers with a known author count", key="f_known_authors",
            help="Unknown is not zero: by default a paper whose author count is not known "
                 "is kept until the range is narrowed.")
    values["f_code"] = sidebar.radio(
        "GitHub code", list(_CODE_LABELS), key="f_code", horizontal=True,
        format_func=_CODE_LABELS.__getitem__)
    owners = state.get("f_owners") or []
    values["f_owners"] = sidebar.multiselect(
        "GitHub owners", owners, key="f_owners", accept_new_options=True,
        placeholder="Any owner (type a name)",
        help="Papers linking a repository of any of these users or organisations (the part "
             "of github.com/owner/repo before the slash, in any case).")
    sidebar.button("Reset filters", on_click=_reset_filters, args=(collection,), key="f_reset",
                   width="stretch")

    filters = _filters_from_widgets(collection, values)
    unknown_dates = collection.count_unknown(date_column)
    unknown_authors = collection.count_unknown("n_authors")
    if unknown_dates or unknown_authors:
        sidebar.caption(
            f"{unknown_dates:,} papers have no known "
            f"{'date' if date_column == PUBLISHED else 'featured day'} and "
            f"{unknown_authors:,} no known author count; they are kept unless you narrow that "
            "filter.")
    # The URL holds the filters and, beside them, a chart's selection (``app.drill``).
    wanted = {**{k: v for k, v in url_params().items() if is_drill_param(k)},
              **filters.to_params()}
    if url_params() != {k: v if isinstance(v, list) else [v] for k, v in wanted.items()}:
        st.query_params.from_dict(wanted)
    return filters
