"""Charts: ``chart_<thing>(frame) -> plotly Figure`` built from what ``compute_*`` returns.

Charts never read the store or filter: they draw the frame they are given. This module holds
what all charts share: one colour per topic (the same on every page) and the common layout.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.colors import qualitative

from papertrends.analytics.periods import UnfinishedPeriod
from papertrends.collection.schema import OTHER_TOPIC

_PALETTE = qualitative.Plotly + qualitative.D3 + qualitative.Set2 + qualitative.Pastel
OTHER_COLOR = "#9e9e9e"
PERIOD_LABEL = {"week": "week starting", "month": "month", "quarter": "quarter starting",
                "year": "year"}


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


def period_axis_title(period: str) -> str:
    return f"Published ({PERIOD_LABEL[period]})"


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
