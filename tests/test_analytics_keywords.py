"""Keyword frequencies of the selected papers, and the word cloud drawn from them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from papertrends.analytics.keywords import (
    COLUMNS,
    compute_term_frequencies,
    covered_papers,
    parse_exclusions,
)
from papertrends.charts.keywords import chart_term_frequencies, word_cloud_image
from papertrends.indexes.terms import build_term_index

ABSTRACTS = [
    "Reinforcement learning agents plan with reward models.",       # 0
    "LLM agents use tools; agents call the tools again.",           # 1
    "Diffusion models for video generation.",                       # 2
    "Reinforcement learning for LLM agents with tools.",            # 3
    "",                                                             # 4: no text at all
]


@pytest.fixture(scope="module")
def index():
    frame = pd.DataFrame({"title": [""] * len(ABSTRACTS), "abstract": ABSTRACTS})
    return build_term_index(frame, "abstracts")


def table(frame: pd.DataFrame) -> dict[str, tuple[int, int]]:
    return {row.term: (row.papers, row.occurrences) for row in frame.itertuples()}


def test_whole_collection(index):
    frame = compute_term_frequencies(index, np.ones(5, dtype=bool), top=100)
    assert tuple(frame.columns) == COLUMNS
    counts = table(frame)
    assert counts["agents"] == (3, 4)
    assert counts["reinforcement learning"] == (2, 2)
    assert counts["LLM agents"] == (2, 2)
    assert counts["tools"] == (2, 3)
    assert counts["diffusion"] == (1, 1)
    assert frame["share"].iloc[0] == pytest.approx(3 / 5)  # of all selected, even textless
    # papers, then occurrences, decide the order
    assert frame["term"].iloc[0] == "agents"
    keys = list(zip(-frame["papers"], -frame["occurrences"], strict=True))
    assert keys == sorted(keys)


def test_mask_selects_rows(index):
    frame = compute_term_frequencies(index, np.array([False, True, True, False, False]),
                                     top=100)
    counts = table(frame)
    assert counts["agents"] == (1, 2)
    assert counts["tools"] == (1, 2)
    assert counts["diffusion"] == (1, 1)
    assert "reinforcement learning" not in counts  # only in rows 0 and 3
    assert frame["share"].max() == pytest.approx(1 / 2)


def test_top_limits_and_keeps_the_best(index):
    everything = compute_term_frequencies(index, np.ones(5, dtype=bool), top=100)
    top = compute_term_frequencies(index, np.ones(5, dtype=bool), top=3)
    assert len(top) == 3
    assert top["term"].tolist() == everything["term"].head(3).tolist()


def test_exclude_removes_words_plural_forms_and_phrases_containing_them(index):
    mask = np.ones(5, dtype=bool)
    frame = compute_term_frequencies(index, mask, top=100, exclude=["Agent"])
    terms = frame["term"].tolist()
    assert "agents" not in terms and "LLM agents" not in terms
    assert "reinforcement learning" in terms
    frame = compute_term_frequencies(index, mask, top=100, exclude=["reinforcement learning"])
    assert "reinforcement learning" not in frame["term"].tolist()
    assert "agents" in frame["term"].tolist()


def test_exclusions_do_not_shorten_the_top(index):
    frame = compute_term_frequencies(index, np.ones(5, dtype=bool), top=4,
                                     exclude=["agents", "tools"])
    assert len(frame) == 4
    assert not {"agents", "tools", "LLM agents"} & set(frame["term"])


def test_parse_exclusions():
    assert parse_exclusions(" agents, ,Language   Models ,agents") == (
        "agents", "Language Models")
    assert parse_exclusions("") == ()


@pytest.mark.parametrize("mask", [np.zeros(5, dtype=bool), np.array([0, 0, 0, 0, 1], bool)])
def test_empty_selection_or_no_text_gives_an_empty_frame(index, mask):
    frame = compute_term_frequencies(index, mask)
    assert frame.empty
    assert tuple(frame.columns) == COLUMNS
    assert word_cloud_image(frame) is None
    chart_term_frequencies(frame)  # draws empty axes, does not raise


def test_empty_index():
    index = build_term_index(pd.DataFrame({"title": ["", ""], "abstract": ["", "the"]}))
    frame = compute_term_frequencies(index, np.ones(2, dtype=bool))
    assert frame.empty and tuple(frame.columns) == COLUMNS
    assert covered_papers(index, np.ones(2, dtype=bool)) == 0


def test_covered_papers(index):
    assert covered_papers(index, np.ones(5, dtype=bool)) == 4
    assert covered_papers(index, np.array([0, 0, 0, 0, 1], bool)) == 0


def test_word_cloud_has_the_requested_size_and_is_deterministic(index):
    frame = compute_term_frequencies(index, np.ones(5, dtype=bool), top=20)
    image = word_cloud_image(frame, width=301, height=151)
    assert image.size == (301, 151)
    again = word_cloud_image(frame, width=301, height=151)
    assert np.array_equal(np.asarray(image), np.asarray(again))
    assert np.asarray(image).min() < 128  # something was drawn on the white background


def test_bar_chart_lists_the_top_terms_in_order(index):
    frame = compute_term_frequencies(index, np.ones(5, dtype=bool), top=20)
    figure = chart_term_frequencies(frame, limit=5)
    bars = figure.data[0]
    assert list(bars.y) == frame["term"].head(5).tolist()[::-1]  # largest at the top
    assert list(bars.x) == frame["papers"].head(5).tolist()[::-1]
