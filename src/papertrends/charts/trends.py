"""Charts for the Overview and Trends pages."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from papertrends.charts import styled

_PERIOD_LABEL = {"week": "week starting", "month": "month", "quarter": "quarter starting",
                 "year": "year"}


def chart_papers_per_period(counts: pd.DataFrame, period: str, height: int = 320) -> go.Figure:
    figure = px.bar(counts, x="period", y="papers",
                    hover_data={"period": "|%Y-%m-%d", "papers": True})
    return styled(figure, x_title=f"Published ({_PERIOD_LABEL[period]})",
                  y_title="Papers", height=height)


def chart_topics_per_period(counts: pd.DataFrame, totals: pd.DataFrame, period: str,
                            colors: dict[str, str]) -> go.Figure:
    """Stacked topic counts, with the distinct papers per period as a line over them."""
    figure = px.bar(counts, x="period", y="papers", color="topic", color_discrete_map=colors,
                    category_orders={"topic": list(colors)},
                    hover_data={"period": "|%Y-%m-%d", "share": ":.0%"})
    figure.add_scatter(x=totals["period"], y=totals["papers"], name="Papers (each once)",
                       mode="lines+markers", line={"color": "#212121", "dash": "dot"},
                       hovertemplate="%{x|%Y-%m-%d}: %{y} papers<extra></extra>")
    return styled(figure, x_title=f"Published ({_PERIOD_LABEL[period]})",
                  y_title="Papers per topic (a paper counts under each of its topics)",
                  height=460)


def chart_topic_share(counts: pd.DataFrame, period: str, colors: dict[str, str]) -> go.Figure:
    figure = px.line(counts, x="period", y="share", color="topic", markers=True,
                     color_discrete_map=colors, category_orders={"topic": list(colors)},
                     hover_data={"period": "|%Y-%m-%d", "papers": True, "period_papers": True})
    figure.update_yaxes(tickformat=".0%", rangemode="tozero")
    return styled(figure, x_title=f"Published ({_PERIOD_LABEL[period]})",
                  y_title="Share of the period's papers", height=460)


def chart_upvotes_per_period(upvotes: pd.DataFrame, period: str) -> go.Figure:
    figure = go.Figure()
    figure.add_bar(x=upvotes["period"], y=upvotes["total_upvotes"], name="Total upvotes",
                   customdata=upvotes[["papers"]],
                   hovertemplate="%{x|%Y-%m-%d}: %{y} upvotes over %{customdata[0]} papers"
                                 "<extra></extra>")
    figure.add_scatter(x=upvotes["period"], y=upvotes["mean_upvotes"], name="Mean per paper",
                       yaxis="y2", mode="lines+markers",
                       hovertemplate="%{x|%Y-%m-%d}: %{y:.1f} upvotes per paper<extra></extra>")
    figure.update_layout(yaxis2={"overlaying": "y", "side": "right", "rangemode": "tozero",
                                 "title": {"text": "Mean upvotes per paper"}, "showgrid": False})
    return styled(figure, x_title=f"Published ({_PERIOD_LABEL[period]})",
                  y_title="Total upvotes", height=380)


def chart_rising_terms(rising: pd.DataFrame) -> go.Figure:
    frame = rising.iloc[::-1]
    figure = go.Figure()
    figure.add_bar(y=frame["term"], x=frame["previous_share"], orientation="h",
                   name="Previous window", marker_color="#b0bec5",
                   customdata=frame[["previous_papers"]],
                   hovertemplate="%{y}: %{x:.0%} of papers (%{customdata[0]})<extra></extra>")
    figure.add_bar(y=frame["term"], x=frame["recent_share"], orientation="h",
                   name="Recent window", marker_color="#1f77b4",
                   customdata=frame[["recent_papers"]],
                   hovertemplate="%{y}: %{x:.0%} of papers (%{customdata[0]})<extra></extra>")
    figure.update_layout(barmode="group")
    figure.update_xaxes(tickformat=".0%")
    return styled(figure, x_title="Share of the window's papers mentioning the term",
                  y_title=None, height=max(320, 28 * len(frame) + 120))
