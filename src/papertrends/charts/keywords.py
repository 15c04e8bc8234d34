"""Charts for the Keywords page: a word cloud image and a bar chart of term frequencies.

Both draw the frame ``analytics.keywords.compute_term_frequencies`` returns. The cloud is
built with ``WordCloud.generate_from_frequencies`` from those counts (never from raw text, so
phrases stay phrases and nothing is re-tokenised), with a fixed random state so the same
frequencies always give the same picture.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import matplotlib
import pandas as pd
import plotly.graph_objects as go
from PIL import Image
from wordcloud import WordCloud

from papertrends.charts import (
    drill_meta,
    hover_columns,
    hover_label,
    hover_labels,
    label_axis,
    labels_drill,
    styled,
)

CLOUD_WIDTH = 1400
CLOUD_HEIGHT = 600
# "tab10" without its light olive, grey and pink: distinct colours that stay readable on white.
CLOUD_COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#17becf")
BAR_LIMIT = 30
_SCALE = 2


def _font_path() -> str | None:
    """DejaVu Sans Bold as shipped with matplotlib (a wordcloud dependency): the same glyphs
    on every machine. None falls back to wordcloud's own font."""
    path = os.path.join(matplotlib.get_data_path(), "fonts", "ttf", "DejaVuSans-Bold.ttf")
    return path if os.path.exists(path) else None


def word_cloud_image(frequencies: pd.DataFrame, *, width: int = CLOUD_WIDTH,
                     height: int = CLOUD_HEIGHT, colors: Sequence[str] = CLOUD_COLORS,
                     weight: str = "papers", random_state: int = 7) -> Image.Image | None:
    """A ``width`` x ``height`` word cloud, word size by ``weight``; None when no term.

    Each word gets one of ``colors``, drawn from the cloud's seeded random state (a colour
    function of our own also spares importing matplotlib's pyplot, which a colormap needs).

    The layout is searched on a half-size canvas and drawn at twice the scale: the same
    picture for a quarter of the placement work (which grows with the canvas area), and a
    bounded largest font so the first word does not try every size from the canvas height.
    """
    weights = {str(term): float(value) for term, value
               in zip(frequencies["term"], frequencies[weight], strict=True) if value > 0}
    if not weights:
        return None
    canvas_width, canvas_height = max(1, -(-width // _SCALE)), max(1, -(-height // _SCALE))
    cloud = WordCloud(width=canvas_width, height=canvas_height, scale=_SCALE,
                      background_color="white", color_func=_palette(colors),
                      font_path=_font_path(),
                      random_state=random_state, max_words=len(weights),
                      max_font_size=max(8, int(canvas_height * 0.37)), min_font_size=5,
                      prefer_horizontal=0.95, relative_scaling=0.5, margin=3,
                      collocations=False, normalize_plurals=False)
    image = cloud.generate_from_frequencies(weights).to_image()
    return image if image.size == (width, height) else image.resize((width, height))


def _palette(colors: Sequence[str]):
    def color(word, font_size, position, orientation, random_state=None, **kwargs) -> str:
        return colors[random_state.randint(0, len(colors) - 1)]
    return color


def chart_term_frequencies(frequencies: pd.DataFrame, limit: int = BAR_LIMIT) -> go.Figure:
    """Horizontal bars: papers containing each of the ``limit`` most widespread terms."""
    frame = frequencies.head(limit).iloc[::-1]
    figure = go.Figure()
    figure.add_bar(
        y=frame["term"], x=frame["papers"], orientation="h", marker_color="#1f77b4",
        meta=drill_meta(points=labels_drill(frame, "term")),
        text=[f"{share:.0%}" for share in frame["share"]], textposition="outside",
        customdata=hover_columns(frame["share"], frame["occurrences"],
                                 hover_labels(frame["term"]),
                                 [f"<br>also written {hover_label(aliases)}" if aliases else ""
                                  for aliases in frame.get("aliases", [""] * len(frame))])
        if len(frame) else None,
        hovertemplate="<b>%{customdata[2]}</b><br>%{x} papers (%{customdata[0]:.0%} of the "
                      "selected)<br>%{customdata[1]} occurrences%{customdata[3]}<extra></extra>",
        cliponaxis=False,
    )
    label_axis(figure, "y", frame["term"])
    figure.update_yaxes(automargin=True)
    figure.update_xaxes(rangemode="tozero")
    return styled(figure, x_title="Selected papers mentioning the term", y_title=None,
                  height=max(320, 22 * len(frame) + 100))
