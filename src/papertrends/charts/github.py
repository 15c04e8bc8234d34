"""Charts for the GitHub page, drawn from ``analytics.github`` frames."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from papertrends.analytics.github import WITH_CODE, WITHOUT_CODE
from papertrends.charts import (
    OTHER_COLOR,
    drill_meta,
    hover_columns,
    hover_labels,
    label_axis,
    period_axis_title,
    period_drill,
    styled,
)

CODE_COLORS = {WITH_CODE: "#2ca02c", WITHOUT_CODE: "#b0bec5"}


def chart_code_per_period(counts: pd.DataFrame, period: str, *,
                          dated: str = "Published") -> go.Figure:
    """Papers per period split by code (stacked bars) and the share with code (line, right)."""
    figure = go.Figure()
    spans = period_drill(counts["period"], period)
    for label, column, code in ((WITH_CODE, "with_code", "yes"),
                                (WITHOUT_CODE, "without_code", "no")):
        figure.add_bar(x=counts["period"], y=counts[column], name=label,
                       marker_color=CODE_COLORS[label],
                       meta=drill_meta({"code": code}, spans),
                       customdata=counts[["papers"]].to_numpy() if len(counts) else None,
                       hovertemplate=f"%{{x|%Y-%m-%d}}: %{{y:,}} of %{{customdata[0]:,}} papers "
                                     f"{label.lower()}<extra></extra>")
    figure.add_scatter(x=counts["period"], y=counts["share"], name="Share with code",
                       yaxis="y2", mode="lines+markers", connectgaps=False,
                       line={"color": "#1b5e20"}, meta=drill_meta(points=spans),
                       hovertemplate="%{x|%Y-%m-%d}: %{y:.0%} of papers with code"
                                     "<extra></extra>")
    styled(figure, x_title=period_axis_title(period, dated), y_title="Papers", height=380)
    top_papers = int(counts["papers"].max()) if len(counts) else 0
    figure.update_yaxes(dtick=1 if top_papers <= 8 else None, tickformat=",d")
    top = float(counts["share"].max()) if counts["share"].notna().any() else 1.0
    figure.update_layout(barmode="stack", yaxis2={
        "overlaying": "y", "side": "right", "range": [0, max(top, 0.05) * 1.08],
        "tickformat": ".0%", "tickmode": "auto", "showgrid": False,
        "title": {"text": "Share of the period's papers with code"}})
    return figure


def chart_code_by_topic(shares: pd.DataFrame, colors: dict[str, str]) -> go.Figure:
    """Share of each topic's papers linking a repository (a paper counts in each topic)."""
    frame = shares.iloc[::-1]
    figure = go.Figure(go.Bar(
        y=frame["topic"], x=frame["share"], orientation="h",
        marker_color=[colors.get(t, OTHER_COLOR) for t in frame["topic"]],
        meta=drill_meta(points=[{"topic": [t], "code": "yes"} for t in frame["topic"]]),
        text=[f"{c:,} of {n:,}" for c, n in zip(frame["with_code"], frame["papers"], strict=True)],
        textposition="outside", cliponaxis=False,
        customdata=hover_columns(frame["with_code"], frame["papers"],
                                 hover_labels(frame["topic"])) if len(frame) else None,
        hovertemplate="%{customdata[2]}: %{x:.0%} with code (%{customdata[0]:,} of "
                      "%{customdata[1]:,} papers)<extra></extra>"))
    label_axis(figure, "y", frame["topic"])
    # Room right of the longest bar for its "12,345 of 67,890" label; no ticks past 100%.
    upper = max(float(frame["share"].max()) if len(frame) else 0.0, 0.01) * 1.35
    step = next(s for s in (0.01, 0.02, 0.05, 0.1, 0.2, 0.25) if upper / s <= 7)
    figure.update_xaxes(tickformat=".0%", range=[0, upper],
                        tickvals=np.arange(0, min(upper, 1.0) + step / 2, step))
    return styled(figure, x_title="Share of the topic's papers linking a GitHub repository",
                  y_title=None, height=max(320, 26 * len(frame) + 100))


def chart_top_owners(owners: pd.DataFrame) -> go.Figure:
    """Distinct repositories per owner (user or organisation), most first."""
    frame = owners.iloc[::-1]
    figure = go.Figure(go.Bar(
        y=frame["owner"], x=frame["repos"], orientation="h", marker_color="#2ca02c",
        meta=drill_meta(points=[{"owner": [o]} for o in frame["owner"]]),
        customdata=hover_columns(frame["papers"], hover_labels(frame["repositories"]),
                                 hover_labels(frame["owner"])) if len(frame) else None,
        hovertemplate="%{customdata[2]}: %{x:,} repositories linked by %{customdata[0]:,} "
                      "papers<br>%{customdata[1]}<extra></extra>"))
    label_axis(figure, "y", frame["owner"])
    figure.update_xaxes(dtick=1 if len(frame) and frame["repos"].max() <= 10 else None)
    return styled(figure, x_title="Distinct repositories linked", y_title=None,
                  height=max(300, 24 * len(frame) + 100))


def chart_upvotes_by_code(points: pd.DataFrame) -> go.Figure:
    """Upvotes of papers with and without code: a box per group with every paper as a point
    (hover names the paper) and the mean as a dashed line."""
    figure = go.Figure()
    for label in (WITH_CODE, WITHOUT_CODE):
        group = points[points["code"] == label]
        figure.add_box(
            x=np.full(len(group), label), y=group["upvotes"], name=label,
            marker_color=CODE_COLORS[label] if label == WITH_CODE else "#78909c",
            boxpoints="all", jitter=0.5, pointpos=0, boxmean=True,
            marker={"opacity": 0.6, "size": 7},
            text=hover_labels(group["title"]), hoveron="points",
            hovertemplate="%{text}<br>%{y:,} upvotes<extra></extra>")
    figure.update_layout(showlegend=False)
    figure.update_yaxes(rangemode="tozero")
    return styled(figure, x_title="GitHub repository linked", y_title="Upvotes", height=400)
