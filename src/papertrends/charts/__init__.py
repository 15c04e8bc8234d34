"""Charts: ``chart_<thing>(frame) -> plotly Figure`` built from what ``compute_*`` returns.

Charts never read the store or filter: they draw the frame they are given. This module holds
what all charts share: one colour per topic (the same on every page), the common layout, how
text from the papers becomes a label (``axis_label``, ``hover_label``, ``label_axis``), and
what each mark stands for when a user selects it (``drill_meta``).
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.colors import qualitative

from papertrends.analytics.periods import UnfinishedPeriod, period_ends
from papertrends.collection.schema import OTHER_TOPIC
from papertrends.common.text import shorten

_PALETTE = qualitative.Plotly + qualitative.D3 + qualitative.Set2 + qualitative.Pastel
OTHER_COLOR = "#9e9e9e"
PERIOD_LABEL = {"week": "week starting", "month": "month", "quarter": "quarter starting",
                "year": "year"}
# An axis label's length: a 10,000-character "word" or a 3,000-character author name would
# take the whole width and squeeze the bars to a sliver. The full text is in the hover.
LABEL_CHARS = 40
HOVER_LINE_CHARS = 80


def drill_meta(whole: dict | None = None, points: list[dict] | None = None, *,
               rows: list[dict] | None = None, columns: list[dict] | None = None) -> dict:
    """A trace's ``meta``: the filter parameters (``Filters.to_params`` keys) of the papers
    behind its marks, for the whole trace and per point (or per row and column of a heat
    map); ``collection.drill`` reads a selection back from them."""
    meta: dict = {}
    if whole:
        meta["drill"] = whole
    if points is not None:
        meta["drill_points"] = points
    if rows is not None:
        meta["drill_rows"], meta["drill_columns"] = rows, columns or []
    return meta


def label_drill(label: str, value: str) -> dict:
    """What a mark of one topic or one term stands for: that topic, or a search for the
    term (a phrase in quotes)."""
    if label == "topic":
        return {"topic": [value]}
    return {"q": f'"{value}"' if " " in value else value}


def labels_drill(frame: pd.DataFrame, label: str) -> list[dict]:
    """``label_drill`` for each row; a term's own search when the frame has one (the
    ``search`` column: a term and the acronyms counted with it, 'llm|"language model"')."""
    if label != "topic" and "search" in frame:
        return [{"q": search} for search in frame["search"]]
    return [label_drill(label, value) for value in frame[label]]


def period_drill(starts: Iterable[object], period: str) -> list[dict]:
    """Each period's date span as drill parameters: a selected bar stands for its days."""
    starts = pd.Series(pd.to_datetime(pd.Series(list(starts))))
    if starts.empty:
        return []
    ends = period_ends(starts, period)
    return [{"from": f"{start:%Y-%m-%d}", "to": str(end)}
            for start, end in zip(starts, ends, strict=True)]


def topic_colors(topics: list[str]) -> dict[str, str]:
    """A stable colour per topic in taxonomy order; 'Other' is always grey."""
    colors = {}
    named = [t for t in topics if t != OTHER_TOPIC]
    for index, topic in enumerate(named):
        colors[topic] = _PALETTE[index % len(_PALETTE)]
    colors[OTHER_TOPIC] = OTHER_COLOR
    return colors


def styled(figure: go.Figure, *, x_title: str | None = None, y_title: str | None = None,
           height: int = 420) -> go.Figure:
    """The layout every chart shares: titled axes, legend on top, no wasted margins.

    Titles go to the primary axes only, so a chart with a second y axis keeps its own title.
    """
    figure.update_layout(
        height=height, margin={"l": 10, "r": 10, "t": 40, "b": 10},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0, "title": None},
        hoverlabel={"namelength": -1},
    )
    if x_title is not None:
        figure.layout.xaxis.title.text = x_title
    if y_title is not None:
        figure.layout.yaxis.title.text = y_title
    return figure


def period_axis_title(period: str, dated: str = "Published") -> str:
    return f"{dated} ({PERIOD_LABEL[period]})"


UNFINISHED_OPACITY = 0.35


def mark_unfinished(figure: go.Figure, unfinished: UnfinishedPeriod | None) -> go.Figure:
    """Show the period that is not over yet for what it is: its bars lighter and hatched,
    its points hollow, and a band saying how much of it has passed, so its low count does
    not read as a fall."""
    if unfinished is None:
        return figure
    marked = False
    for trace in figure.data:
        x = pd.Series(trace.x if trace.x is not None else [])
        if trace.type not in ("bar", "scatter") or not pd.api.types.is_datetime64_any_dtype(x):
            continue  # only a time axis has the period on it
        late = x.ge(unfinished.start).to_numpy()
        if not late.any():
            continue
        marked = True
        if trace.type == "bar":
            trace.marker.opacity = np.where(late, UNFINISHED_OPACITY, 1.0).tolist()
            trace.marker.pattern = {"shape": ["/" if x else "" for x in late.tolist()]}
        elif trace.type == "scatter":
            trace.marker.symbol = ["circle-open" if x else "circle" for x in late.tolist()]
    if not marked:
        return figure
    half = pd.Timedelta(days=unfinished.length / 2)  # a bar is centred on its period's start
    figure.add_vrect(x0=unfinished.start - half, x1=unfinished.start + half,
                     fillcolor="#9e9e9e", opacity=0.12, line_width=0, layer="below",
                     annotation_text=f"not over: {unfinished.covered} of "
                                     f"{unfinished.length} days",
                     annotation_position="top left", annotation_font_size=11)
    return figure


def plain(text: object) -> str:
    """``text`` as Plotly shows it literally. Plotly draws labels, legends and hovers as a small
    HTML subset (``<b>``, ``<a href>`` links, ``<br>``, ``&amp;`` entities): a title or a name
    holding ``<a href="https://...">`` would become a link on the chart. Escaping ``&``, ``<``
    and ``>`` as entities, which Plotly turns back into the characters, shows what was written.
    """
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def axis_label(text: object) -> str:
    """A category's label on an axis or in a legend: plain, at most ``LABEL_CHARS`` long."""
    return plain(shorten(str(text), LABEL_CHARS))


def hover_label(text: object) -> str:
    """The full text for a hover: plain, in lines of at most ``HOVER_LINE_CHARS`` (a hover box
    does not wrap, and a long label would run off the screen)."""
    lines = textwrap.wrap(str(text), HOVER_LINE_CHARS, break_on_hyphens=False) or [""]
    return "<br>".join(plain(line) for line in lines)


def hover_labels(values: Iterable[object]) -> list[str]:
    return [hover_label(value) for value in values]


def hover_columns(*columns: Iterable[object]) -> np.ndarray:
    """Columns side by side for a trace's ``customdata``, each keeping its own values (numpy's
    column_stack would make every number a string next to a label)."""
    return np.column_stack([np.asarray(list(column), dtype=object) for column in columns])


def label_axis(figure: go.Figure, axis: str, values: Iterable[object]) -> None:
    """Make ``axis`` ("x" or "y") a category axis of ``values`` labelled with ``axis_label``.
    The categories stay the full values (two names alike in their first 40 characters stay
    two bars); put ``hover_label`` of them in the trace's hover."""
    values = [str(value) for value in values]
    figure.update_layout({f"{axis}axis": {
        "type": "category", "tickmode": "array", "tickvals": values,
        "ticktext": [axis_label(value) for value in values]}})
