"""Labels drawn from papers' text: short on the axis, whole in the hover, never markup.

A 10,000-character "word" or a 3,000-character author name once took the whole width of the
Keywords and Authors bar charts, leaving the bars a sliver; Plotly draws labels as a small
HTML subset, so a name holding ``<a href=...>`` became a link on the chart.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from papertrends.analytics.authors import compute_top_authors
from papertrends.analytics.github import compute_code_by_topic, compute_top_owners
from papertrends.analytics.keywords import compute_term_frequencies
from papertrends.charts import LABEL_CHARS, axis_label, hover_label
from papertrends.charts.authors import chart_authors_vs_upvotes, chart_top_authors
from papertrends.charts.compare import chart_bursts, chart_distinctive
from papertrends.charts.github import chart_code_by_topic, chart_top_owners
from papertrends.charts.keywords import chart_term_frequencies
from papertrends.collection import schema
from papertrends.indexes.terms import build_term_index

LONG_WORD = "supercalifragilistic" * 500  # 10,000 characters, no space to wrap at
LONG_NAME = "Maria " + "de la " * 499 + "Cruz"  # 3,000-character author name
LINK_NAME = '<a href="https://evil.example/">Ann</a> <b>Lee</b> &amp;'


def _shown(label: str) -> str:
    """The text Plotly shows for a label: line breaks joined, entities read back."""
    return (label.replace("<br>", " ").replace("&lt;", "<").replace("&gt;", ">")
            .replace("&amp;", "&"))


def _tick_labels(figure: go.Figure, axis: str = "y") -> dict[str, str]:
    layout = getattr(figure.layout, f"{axis}axis")
    return dict(zip(layout.tickvals, layout.ticktext, strict=True))


def test_a_ten_thousand_character_word_is_a_short_tick_label_and_whole_on_hover():
    frame = pd.DataFrame({"title": [""] * 4, "abstract": [
        f"A {LONG_WORD} model.", f"The {LONG_WORD} works.", "Agents plan.", "Agents act."]})
    index = build_term_index(frame, "abstracts")
    frequencies = compute_term_frequencies(index, np.ones(4, dtype=bool))
    assert LONG_WORD in frequencies["term"].tolist()
    figure = chart_term_frequencies(frequencies)
    bars = figure.data[0]
    labels = _tick_labels(figure)
    assert labels[LONG_WORD] == LONG_WORD[:LABEL_CHARS - 1] + "\N{HORIZONTAL ELLIPSIS}"
    assert all(len(label) <= LABEL_CHARS for label in labels.values())
    assert labels["agents"] == "agents"
    row = list(bars.y).index(LONG_WORD)
    hover = bars.customdata[row][2]
    assert "%{customdata[2]}" in bars.hovertemplate
    assert hover.replace("<br>", "") == LONG_WORD and max(map(len, hover.split("<br>"))) <= 80


def _papers(*authors: list[str]) -> pd.DataFrame:
    return schema.to_frame(schema.to_table([
        {"paper_id": f"p{n}", "title": f"Paper {n}", "authors": names, "upvotes": n,
         "published": dt.date(2025, 1, 1 + n), "n_authors": len(names),
         "github_repos": [f"{names[0][:50]}/repo{n}"], "topics": ["Agents"]}
        for n, names in enumerate(authors)]))


def test_a_three_thousand_character_name_does_not_squeeze_the_authors_chart():
    twin = LONG_NAME[:100] + "Ortiz"  # alike for 100 characters: still its own bar
    papers = _papers([LONG_NAME, "Bo Chen"], [LONG_NAME, twin], [LINK_NAME])
    figure = chart_top_authors(compute_top_authors(papers))
    bars = figure.data[0]
    labels = _tick_labels(figure)
    assert set(bars.y) == {LONG_NAME, twin, "Bo Chen", LINK_NAME}, "one bar per name"
    assert all(len(_shown(label)) <= LABEL_CHARS for label in labels.values())
    assert labels[LONG_NAME] == labels[twin] == LONG_NAME[:39] + "\N{HORIZONTAL ELLIPSIS}"
    hovers = {name: bars.customdata[i][1] for i, name in enumerate(bars.y)}
    assert _shown(hovers[LONG_NAME]) == " ".join(LONG_NAME.split())
    assert "%{customdata[1]}" in bars.hovertemplate and "%{y}" not in bars.hovertemplate


def test_markup_in_a_name_or_title_is_drawn_as_written():
    papers = _papers([LINK_NAME])
    figure = chart_top_authors(compute_top_authors(papers))
    [label] = _tick_labels(figure).values()
    # Plotly reads the entities back: the axis shows '<a href="https://evil.example/">Ann…'
    assert label.startswith('&lt;a href="https://evil.example/"&gt;Ann')
    assert "<" not in label and "<" not in figure.data[0].customdata[0][1]
    assert _shown(figure.data[0].customdata[0][1]) == LINK_NAME
    scatter = chart_authors_vs_upvotes(papers.assign(title=LINK_NAME))
    assert "<" not in scatter.data[0].customdata[0][0]


def test_every_bar_chart_of_text_labels_shortens_them():
    papers = _papers([LONG_NAME])
    owners = chart_top_owners(compute_top_owners(papers))
    assert all(len(_shown(t)) <= LABEL_CHARS for t in owners.layout.yaxis.ticktext)
    topics = compute_code_by_topic(papers).assign(topic=LONG_WORD)
    by_topic = chart_code_by_topic(topics, {})
    assert list(by_topic.layout.yaxis.ticktext) == [axis_label(LONG_WORD)]
    rising = pd.DataFrame({"term": [LONG_WORD], "papers_a": [3], "papers_b": [1],
                           "share_a": [0.3], "share_b": [0.1], "z": [2.2]})
    chart = chart_distinctive(rising)
    assert list(chart.layout.yaxis.ticktext) == [axis_label(LONG_WORD)]
    assert chart.data[0].customdata[0][4] == hover_label(LONG_WORD)
    burst = pd.DataFrame({"term": [LONG_WORD], "start": [pd.Timestamp("2025-01-06")],
                          "end": [pd.Timestamp("2025-02-02")], "strength": [4.0],
                          "papers": [9], "period_papers": [40], "share": [0.22],
                          "usual_share": [0.05], "ongoing": [False]})
    timeline = chart_bursts(burst)
    assert list(timeline.layout.yaxis.ticktext) == [axis_label(LONG_WORD)]
    assert timeline.data[0].customdata[0][8] == hover_label(LONG_WORD)
