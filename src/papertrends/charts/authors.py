"""Charts for the Authors page: team sizes, drawn from ``analytics.authors`` frames."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from papertrends.charts import (
    OTHER_COLOR,
    axis_label,
    drill_meta,
    hover_columns,
    hover_labels,
    label_axis,
    period_axis_title,
    period_drill,
    styled,
)

_MAIN = "#1f77b4"
_LOG_TICKS = [1, 2, 3, 5, 10, 20, 30, 50, 100, 200, 500, 1000, 2000, 5000]
_DENSE_TICKS = [1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 25, 30, 40, 50, 60, 80, 100, 150, 200,
                300, 400, 500, 1000]


def _log_ticks(values: pd.Series | np.ndarray) -> list[int]:
    """Readable tick values (1, 2, 3, 5, 10, ...) spanning ``values`` on a log axis; denser
    when the values span less than a factor of 10."""
    values = np.asarray(values, dtype="float64")
    values = values[np.isfinite(values) & (values > 0)]
    if not len(values):
        return _LOG_TICKS[:4]
    low, high = values.min(), values.max()
    candidates = _LOG_TICKS if high / low > 10 else _DENSE_TICKS
    ticks = [t for t in candidates if low / 1.2 <= t <= high * 1.2]
    return ticks or [round(low)]


def _whole_numbers(values: pd.Series) -> dict[str, object]:
    """Axis settings so that a small count axis is not labelled 0.2, 0.4, ... papers."""
    top = float(values.max()) if len(values) and values.notna().any() else 0.0
    return {"dtick": 1} if top <= 8 else {"tickformat": ",d"}


def chart_author_histogram(histogram: pd.DataFrame, log_buckets: bool = False) -> go.Figure:
    """Papers per author count (or per power-of-two bucket of counts)."""
    ranges = [f"{lo} author{'s' if hi > 1 else ''}" if lo == hi else f"{lo} to {hi} authors"
              for lo, hi in zip(histogram["low"], histogram["high"], strict=True)]
    figure = go.Figure(go.Bar(
        x=histogram["bucket"], y=histogram["papers"], marker_color=_MAIN,
        meta=drill_meta(points=[{"authors_min": str(lo), "authors_max": str(hi)} for lo, hi in
                                zip(histogram["low"], histogram["high"], strict=True)]),
        customdata=np.column_stack([ranges, histogram["share"]]) if len(histogram) else None,
        hovertemplate="%{customdata[0]}: %{y} papers (%{customdata[1]:.1%})<extra></extra>"))
    figure.update_xaxes(type="category")
    figure.update_yaxes(**_whole_numbers(histogram["papers"]))
    x_title = ("Authors per paper (power-of-two buckets)" if log_buckets
               else "Authors per paper")
    return styled(figure, x_title=x_title, y_title="Papers", height=360)


def chart_team_size_over_time(spread: pd.DataFrame, period: str, *,
                              dated: str = "Published") -> go.Figure:
    """Median authors per period with the interquartile band; log y, marker area ~ papers."""
    figure = go.Figure()
    hover = ("%{x|%Y-%m-%d}: median %{y:g} authors, middle half %{customdata[1]:g} to "
             "%{customdata[2]:g} (%{customdata[0]} papers)<extra></extra>")
    custom = spread[["papers", "q1", "q3"]].to_numpy() if len(spread) else None
    figure.add_scatter(x=spread["period"], y=spread["q3"], mode="lines", line={"width": 0},
                       hoverinfo="skip", showlegend=False)
    figure.add_scatter(x=spread["period"], y=spread["q1"], mode="lines", line={"width": 0},
                       fill="tonexty", fillcolor="rgba(31, 119, 180, 0.18)",
                       name="Middle half of papers (25th to 75th percentile)",
                       hoverinfo="skip")
    sizes = 6 + 14 * np.sqrt(spread["papers"] / spread["papers"].max()) if len(spread) else 6
    # A point stands for its period's papers with a known author count.
    spans = [{**span, "authors_min": "1"} for span in period_drill(spread["period"], period)]
    figure.add_scatter(x=spread["period"], y=spread["median"], mode="lines+markers",
                       name="Median (marker size: papers)", line={"color": _MAIN},
                       meta=drill_meta(points=spans),
                       marker={"size": sizes, "color": _MAIN}, customdata=custom,
                       hovertemplate=hover)
    ticks = _log_ticks(pd.concat([spread["q1"], spread["q3"]]))
    figure.update_yaxes(type="log", tickvals=ticks, ticktext=[str(t) for t in ticks])
    return styled(figure, x_title=period_axis_title(period, dated),
                  y_title="Authors per paper (log scale)", height=380)


def chart_team_size_by_topic(spread: pd.DataFrame, colors: dict[str, str]) -> go.Figure:
    """Median authors per topic with the interquartile range as error bars."""
    frame = spread.iloc[::-1]  # largest median at the top
    figure = go.Figure(go.Bar(
        y=frame["topic"], x=frame["median"], orientation="h",
        marker_color=[colors.get(t, OTHER_COLOR) for t in frame["topic"]],
        meta=drill_meta(points=[{"topic": [t], "authors_min": "1"} for t in frame["topic"]]),
        error_x={"type": "data", "symmetric": False, "array": frame["q3"] - frame["median"],
                 "arrayminus": frame["median"] - frame["q1"], "color": "#555", "thickness": 1},
        customdata=hover_columns(frame["papers"], frame["q1"], frame["q3"], frame["mean"],
                                 hover_labels(frame["topic"])) if len(frame) else None,
        hovertemplate="%{customdata[4]}: median %{x:g} authors, middle half "
                      "%{customdata[1]:g} to %{customdata[2]:g}, mean %{customdata[3]:.1f} "
                      "(%{customdata[0]} papers)<extra></extra>"))
    label_axis(figure, "y", frame["topic"])
    figure.update_yaxes(ticktext=[f"{axis_label(t)} ({n})"
                                  for t, n in zip(frame["topic"], frame["papers"], strict=True)])
    return styled(figure, x_title="Median authors per paper (whiskers: 25th to 75th percentile)",
                  y_title="Topic (papers)", height=max(320, 26 * len(frame) + 100))


def chart_authors_vs_upvotes(points: pd.DataFrame, buckets: pd.DataFrame | None = None
                             ) -> go.Figure:
    """One point per paper (log x). Points are spread a little (up to ±6% in authors, ±0.2
    upvotes) so that papers with equal values stay visible; hover shows the true values.
    ``buckets`` (from ``compute_upvotes_by_team_size``) adds mean upvotes per team size."""
    rng = np.random.default_rng(0)
    n = len(points)
    x = points["n_authors"].to_numpy("float64") * np.exp(rng.uniform(-0.06, 0.06, n))
    y = points["upvotes"].to_numpy("float64") + rng.uniform(-0.2, 0.2, n)
    figure = go.Figure()
    figure.add_scatter(
        x=x, y=y, mode="markers", name="Paper",
        marker={"size": 8, "color": _MAIN, "opacity": 0.55, "line": {"width": 0}},
        customdata=hover_columns(hover_labels(points["title"]), points["n_authors"],
                                 points["upvotes"]) if n else None,
        hovertemplate="%{customdata[0]}<br>%{customdata[1]} authors, "
                      "%{customdata[2]:,} upvotes<extra></extra>")
    if buckets is not None and len(buckets):
        figure.add_scatter(
            x=buckets["middle"], y=buckets["mean_upvotes"], mode="lines+markers",
            name="Mean upvotes per team-size bucket", line={"color": "#d62728"},
            marker={"symbol": "diamond", "size": 9},
            customdata=buckets[["bucket", "papers", "median_upvotes"]].to_numpy(),
            hovertemplate="%{customdata[0]} authors: mean %{y:.2f} upvotes, median "
                          "%{customdata[2]:g} (%{customdata[1]:,} papers)<extra></extra>")
    ticks = _log_ticks(points["n_authors"]) if n else _LOG_TICKS[:4]
    figure.update_xaxes(type="log", tickvals=ticks, ticktext=[str(t) for t in ticks])
    if n:  # the true range, padded: jitter must not make equal upvotes look different
        low, high = float(points["upvotes"].min()), float(points["upvotes"].max())
        pad = max(0.6, 0.06 * (high - low))
        figure.update_yaxes(range=[low - pad, high + pad])
    figure.update_yaxes(**_whole_numbers(points["upvotes"]))
    return styled(figure, x_title="Authors per paper (log scale)", y_title="Upvotes",
                  height=420)


def chart_top_authors(top: pd.DataFrame) -> go.Figure:
    frame = top.iloc[::-1]
    figure = go.Figure(go.Bar(
        y=frame["author"], x=frame["papers"], orientation="h", marker_color=_MAIN,
        customdata=hover_columns(frame["total_upvotes"], hover_labels(frame["author"]))
        if len(frame) else None,
        hovertemplate="%{customdata[1]}: %{x:,} papers, %{customdata[0]:,} upvotes in total"
                      "<extra></extra>"))
    label_axis(figure, "y", frame["author"])
    figure.update_xaxes(**_whole_numbers(frame["papers"]))
    return styled(figure, x_title="Papers (in the selection)", y_title=None,
                  height=max(300, 24 * len(frame) + 100))
