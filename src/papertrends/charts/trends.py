"""Charts for the Overview and Trends pages.

Built from graph_objects traces rather than plotly.express: express spends most of a rerun
(close to a second for one 17-topic line chart) preparing data the analytics already shaped.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from papertrends.charts import (
    OTHER_COLOR,
    axis_label,
    drill_meta,
    hover_columns,
    hover_label,
    hover_labels,
    label_axis,
    period_axis_title,
    period_drill,
    styled,
)


def chart_papers_per_period(counts: pd.DataFrame, period: str, height: int = 320, *,
                            dated: str = "Published") -> go.Figure:
    figure = go.Figure(go.Bar(x=counts["period"], y=counts["papers"], name="Papers",
                              meta=drill_meta(points=period_drill(counts["period"], period)),
                              hovertemplate="%{x|%Y-%m-%d}: %{y:,} papers<extra></extra>"))
    return styled(figure, x_title=period_axis_title(period, dated), y_title="Papers", height=height)


def _per_topic(counts: pd.DataFrame, colors: dict[str, str]):
    """(topic, colour, rows) in the taxonomy's order, so every page stacks and colours alike."""
    groups = dict(tuple(counts.groupby("topic", sort=False, observed=True)))
    order = [t for t in colors if t in groups] + sorted(t for t in groups if t not in colors)
    for topic in order:
        yield topic, colors.get(topic, OTHER_COLOR), groups[topic]


def chart_topics_per_period(counts: pd.DataFrame, totals: pd.DataFrame, period: str,
                            colors: dict[str, str], *, dated: str = "Published"
                            ) -> go.Figure:
    """Stacked topic counts, with the distinct papers per period as a line over them; a
    segment stands for its topic's papers of that period, a point of the line for all the
    period's papers."""
    figure = go.Figure()
    starts = pd.concat([totals["period"], counts["period"]]).drop_duplicates()
    spans = dict(zip(starts, period_drill(starts, period), strict=True))
    for topic, color, rows in _per_topic(counts, colors):
        # The topic goes in as data, never into the template, where "%{...}" is code.
        figure.add_bar(x=rows["period"], y=rows["papers"], name=axis_label(topic),
                       meta=drill_meta({"topic": [topic]}, [spans[p] for p in rows["period"]]),
                       marker_color=color, customdata=hover_columns(
                           rows["share"], [hover_label(topic)] * len(rows)),
                       hovertemplate="%{customdata[1]}<br>%{x|%Y-%m-%d}: %{y:,} papers "
                                     "(%{customdata[0]:.0%} of the period)<extra></extra>")
    figure.add_scatter(x=totals["period"], y=totals["papers"], name="Papers (each once)",
                       mode="lines+markers", line={"color": "#212121", "dash": "dot"},
                       meta=drill_meta(points=[spans[p] for p in totals["period"]]),
                       hovertemplate="%{x|%Y-%m-%d}: %{y:,} papers<extra></extra>")
    figure.update_layout(barmode="stack")
    return styled(figure, x_title=period_axis_title(period, dated),
                  y_title="Papers per topic (a paper counts under each of its topics)",
                  height=460)


_PERIOD_FORMAT = {"week": "%Y-%m-%d", "month": "%Y-%m", "quarter": "%Y-Q", "year": "%Y"}


def period_labels(starts: pd.Series, period: str) -> pd.Series:
    """Short labels for period starts: 2024-03-04 (week), 2024-03, 2024-Q1, 2024."""
    starts = pd.to_datetime(starts)
    labels = starts.dt.strftime(_PERIOD_FORMAT[period])
    if period == "quarter":
        labels = labels + starts.dt.quarter.astype(str)
    return labels


def chart_topic_share(counts: pd.DataFrame, period: str, colors: dict[str, str], *,
                      dated: str = "Published") -> go.Figure:
    """Topic x period heat map of the share of each period's papers.

    A heat map rather than one line per topic: with a dozen topics, lines cross into a tangle
    in which no trend can be followed, while a row per topic reads at a glance.
    """
    topics = [t for t in colors if t in set(counts["topic"])]
    periods = sorted(counts["period"].unique())
    labels = period_labels(pd.Series(periods), period).tolist()
    grid = counts.pivot_table(index="topic", columns="period", values="share", aggfunc="sum",
                              observed=True).reindex(index=topics, columns=periods)
    papers = counts.pivot_table(index="topic", columns="period", values="papers",
                                aggfunc="sum", observed=True
                                ).reindex(index=topics, columns=periods).fillna(0)
    totals = counts.groupby("period")["period_papers"].first().reindex(periods)
    figure = go.Figure(go.Heatmap(
        z=grid.fillna(0).to_numpy(), x=labels, y=topics, colorscale="Blues", zmin=0,
        customdata=np.dstack([papers.to_numpy(),
                              np.broadcast_to(totals.to_numpy(), papers.shape)]),
        colorbar={"title": {"text": "Share"}, "tickformat": ".0%"}, xgap=1, ygap=1,
        meta=drill_meta(rows=[{"topic": [t]} for t in topics],
                        columns=period_drill(periods, period)),
        text=np.repeat(np.array(hover_labels(topics), dtype=object)[:, None], len(labels), 1),
        hovertemplate="%{text}<br>%{x}: %{z:.0%} of the period's papers "
                      "(%{customdata[0]} of %{customdata[1]})<extra></extra>"))
    label_axis(figure, "y", topics)
    figure.update_yaxes(autorange="reversed")
    figure.update_xaxes(type="category")
    return styled(figure, x_title=period_axis_title(period, dated), y_title=None,
                  height=max(320, 24 * len(topics) + 140))


def chart_upvotes_per_period(upvotes: pd.DataFrame, period: str, *,
                             dated: str = "Published") -> go.Figure:
    figure = go.Figure()
    spans = drill_meta(points=period_drill(upvotes["period"], period))
    figure.add_bar(x=upvotes["period"], y=upvotes["total_upvotes"], name="Total upvotes",
                   customdata=upvotes[["papers"]].to_numpy(), meta=spans,
                   hovertemplate="%{x|%Y-%m-%d}: %{y:,} upvotes over %{customdata[0]:,} papers"
                                 "<extra></extra>")
    figure.add_scatter(x=upvotes["period"], y=upvotes["mean_upvotes"], name="Mean per paper",
                       yaxis="y2", mode="lines+markers", meta=spans,
                       hovertemplate="%{x|%Y-%m-%d}: %{y:.1f} upvotes per paper<extra></extra>")
    figure.update_layout(yaxis2={"overlaying": "y", "side": "right", "rangemode": "tozero",
                                 "tickmode": "auto", "title": {"text": "Mean upvotes per paper"},
                                 "showgrid": False})
    return styled(figure, x_title=period_axis_title(period, dated), y_title="Total upvotes",
                  height=380)
