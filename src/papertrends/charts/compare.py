"""Charts of what sets selections and periods apart: the z-scores of ``analytics.compare``
as diverging bars, the bursts of ``analytics.bursts`` as a timeline, and upvotes beside
frequency (``analytics.engagement``)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from papertrends.analytics.compare import Z_NOTABLE
from papertrends.charts import (
    axis_label,
    drill_meta,
    hover_labels,
    label_axis,
    label_drill,
    labels_drill,
    styled,
)

A_COLOR, B_COLOR = "#1f77b4", "#e6550d"  # more typical of A (rising), of B (falling)
A_LIGHT, B_LIGHT = "#aec7e8", "#fdae6b"  # the same, |z| below Z_NOTABLE
STRENGTH_SCALE = [[0.0, "#fdd0a2"], [0.5, "#f16913"], [1.0, "#7f2704"]]  # weakest visible


def chart_distinctive(frame: pd.DataFrame, label: str = "term",
                      names: tuple[str, str] = ("A", "B"), within: dict | None = None
                      ) -> go.Figure:
    """Horizontal bars of z, one row per term (or topic), highest at the top: right of 0
    more typical of ``names[0]``, left of it of ``names[1]``; lighter where |z| < 1.96.
    The hover gives both selections' papers and shares. A bar stands for the papers with
    its term within ``within`` (filter parameters: both windows' dates)."""
    z = frame["z"].to_numpy()
    notable = np.abs(z) >= Z_NOTABLE
    colors = np.where(z > 0, np.where(notable, A_COLOR, A_LIGHT),
                      np.where(notable, B_COLOR, B_LIGHT))
    first, second = names
    figure = go.Figure(go.Bar(
        y=frame[label], x=z, orientation="h", marker_color=colors.tolist(),
        meta=drill_meta(within, labels_drill(frame, label)),
        customdata=np.column_stack([
            frame[["papers_a", "share_a", "papers_b", "share_b"]].to_numpy(dtype=object),
            hover_labels(frame[label])]) if len(frame) else None,
        hovertemplate=(f"<b>%{{customdata[4]}}</b><br>z = %{{x:.2f}}<br>{first}: "
                       f"%{{customdata[0]:,}} papers (%{{customdata[1]:.1%}})<br>{second}: "
                       "%{customdata[2]:,} papers (%{customdata[3]:.1%})<extra></extra>"),
    ))
    figure.add_vline(x=0, line_color="#616161", line_width=1)
    label_axis(figure, "y", frame[label])  # a paper's words: cut short, never markup
    figure.update_yaxes(autorange="reversed", automargin=True)
    left, right = "\N{LEFTWARDS ARROW}", "\N{RIGHTWARDS ARROW}"
    return styled(figure, x_title=f"z   {left} {second} | {first} {right}",
                  y_title=None, height=max(320, 22 * len(frame) + 110))


def chart_bursts(bursts: pd.DataFrame, label: str = "term", *, dated: str = "Published"
                 ) -> go.Figure:
    """A timeline: one row per term, a bar from each burst's first day to its last, darker
    the stronger; an ongoing burst (it reaches the last period counted) is hatched. Rows by
    their first burst's start, the earliest at the top."""
    frame = bursts.sort_values(["start", "strength"], ascending=[True, False])
    order = list(dict.fromkeys(frame[label]))
    starts = pd.to_datetime(frame["start"])
    ends = pd.to_datetime(frame["end"]) + pd.Timedelta(days=1)  # to the end of the last day
    ongoing = frame["ongoing"].to_numpy(dtype=bool)
    figure = go.Figure(go.Bar(
        y=frame[label], base=starts, x=(ends - starts).dt.total_seconds() * 1000,
        orientation="h",
        meta=drill_meta(points=[
            {**label_drill(label, value), "from": f"{start:%Y-%m-%d}", "to": f"{end:%Y-%m-%d}"}
            for value, start, end in zip(frame[label], starts, pd.to_datetime(frame["end"]),
                                         strict=True)]),
        marker={"color": frame["strength"], "colorscale": STRENGTH_SCALE,
                "line": {"color": "#7f2704", "width": 1},
                "colorbar": {"title": {"text": "Strength"}},
                "pattern": {"shape": np.where(ongoing, "/", "").tolist(), "fgcolor": "#212121",
                            "size": 6}},
        customdata=np.column_stack([
            starts.dt.strftime("%Y-%m-%d"), (ends - pd.Timedelta(days=1)).dt.strftime(
                "%Y-%m-%d"), frame["papers"], frame["period_papers"], frame["share"],
            frame["usual_share"], frame["strength"],
            np.where(ongoing, " (ongoing)", ""), hover_labels(frame[label])]),
        hovertemplate=("<b>%{customdata[8]}</b><br>%{customdata[0]} to %{customdata[1]}"
                       "%{customdata[7]}"
                       "<br>%{customdata[2]:,} of %{customdata[3]:,} papers "
                       "(%{customdata[4]:.1%}; usually %{customdata[5]:.1%})"
                       "<br>strength %{customdata[6]:.1f}<extra></extra>"),
    ))
    figure.update_xaxes(type="date")
    label_axis(figure, "y", order)
    figure.update_yaxes(categoryorder="array", categoryarray=order, autorange="reversed",
                        automargin=True)
    return styled(figure, x_title=dated, y_title=None,
                  height=max(300, 24 * len(order) + 120))


def chart_engagement(frame: pd.DataFrame, label: str = "term", labelled: int = 8
                     ) -> go.Figure:
    """Papers (log scale) against their median upvotes, one point per term or topic: up and
    to the left is a niche that draws attention. Medians are often whole numbers that many
    points share, so only the ``labelled`` most telling points are named (the most upvoted,
    the most widespread, the least upvoted), above and below in turn; the hover names every
    one."""
    frame = frame[frame["with_upvotes"] > 0].reset_index(drop=True)
    named = list(range(len(frame)))
    if len(frame) > labelled:
        by_median = frame.sort_values(["median_upvotes", "papers"], kind="stable").index
        by_papers = frame["papers"].sort_values(kind="stable").index
        top, widespread = labelled // 2, max(1, labelled // 4)
        named = list(dict.fromkeys([*by_median[::-1][:top], *by_papers[::-1][:widespread],
                                    *by_median[:labelled - top - widespread]]))
    text = [""] * len(frame)
    position = ["top center"] * len(frame)
    for turn, k in enumerate(sorted(named, key=lambda k: frame["papers"].iloc[k])):
        text[k] = axis_label(frame[label].iloc[k])
        position[k] = "top center" if turn % 2 == 0 else "bottom center"
    figure = go.Figure(go.Scatter(
        x=frame["papers"], y=frame["median_upvotes"], mode="markers+text", text=text,
        cliponaxis=False, meta=drill_meta(points=labels_drill(frame, label)),
        textposition=position, textfont={"size": 11},
        marker={"size": 9, "color": "#1f77b4", "opacity": 0.7},
        customdata=np.column_stack([hover_labels(frame[label]), frame["with_upvotes"],
                                    frame["mean_upvotes"]]) if len(frame) else None,
        hovertemplate=("<b>%{customdata[0]}</b><br>%{x:,} papers<br>median %{y:,.1f} "
                       "upvotes, mean %{customdata[2]:,.1f} (of %{customdata[1]:,} with a "
                       "known count)<extra></extra>"),
    ))
    figure.update_xaxes(type="log")
    figure.update_yaxes(rangemode="tozero")
    return styled(figure, x_title="Papers (log scale)", y_title="Median upvotes", height=420)
