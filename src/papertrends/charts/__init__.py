"""Charts: ``chart_<thing>(frame) -> plotly Figure`` built from what ``compute_*`` returns.

Charts never read the store or filter: they draw the frame they are given. This module holds
what all charts share: one colour per topic (the same on every page) and the common layout.
"""

from __future__ import annotations

import plotly.graph_objects as go
from plotly.colors import qualitative

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
