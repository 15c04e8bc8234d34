"""One term per concept: acronyms the papers define fold into their expansion."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from papertrends.analytics.keywords import compute_term_frequencies
from papertrends.collection.filters import Filters
from papertrends.collection.loaded import Collection
from papertrends.indexes.acronyms import definitions
from papertrends.indexes.terms import build_term_index


@pytest.mark.parametrize(("text", "found"), [
    ("Large language models (LLMs) excel.", [("LLMs", "Large language models")]),
    ("We use Retrieval-Augmented Generation (RAG).",
     [("RAG", "Retrieval-Augmented Generation")]),
    ("Chain-of-Thought (CoT) prompting", [("CoT", "Chain-of-Thought")]),
    ("a Mixture-of-Experts (MoE) layer", [("MoE", "Mixture-of-Experts")]),
    # Initials first: Schwartz & Hearst alone would stop at "Policy Optimization".
    ("with Proximal Policy Optimization (PPO).", [("PPO", "Proximal Policy Optimization")]),
    # Not initials: the letters inside the words still spell it.
    ("vision transformers (ViTs) see", [("ViTs", "vision transformers")]),
    # A wrapped title, as arXiv's line breaks leave them.
    ("Sparse Adapters for Large Multimodal\n  Models (LMMs)",
     [("LMMs", "Large Multimodal Models")]),
    # No definitions: a reference, an example, one capital, letters the words lack.
    ("as shown (Table 2) and (e.g. ours)", []),
    ("a model (Qwen) of", []),
    ("deep networks (XYZ) are", []),
])
def test_definitions_in_a_text(text, found) -> None:
    assert [(short, " ".join(long.split())) for short, long in definitions(text)] == found


def _papers(*abstracts: str) -> pd.DataFrame:
    return pd.DataFrame({"title": [f"Paper {i}" for i in range(len(abstracts))],
                         "abstract": list(abstracts)})


def test_an_acronym_defined_in_two_papers_is_one_term_with_its_expansion() -> None:
    papers = _papers(
        "Large language models (LLMs) can plan.",
        "We probe large language models (LLMs) on maths.",
        "LLMs fail at long tasks.",
        "Large language models forget.",
        "Sparse retrieval for LLMs.",
        "A paper with no such term.")
    index = build_term_index(papers, "abstracts")
    frequencies = compute_term_frequencies(index, np.ones(len(papers), dtype=bool), top=50)
    row = frequencies.set_index("term").loc["LLMs"]
    # Written "LLMs" in four papers, spelled out in three: shown as LLMs, and the papers
    # with either form counted once each (five, not 4 + 3).
    assert row.papers == 5 and row.occurrences == 7
    assert row.aliases == "large language models"
    assert "large language models" not in set(frequencies["term"])
    assert index.search_query("LLMs") == '"llms"|"large language models"'


def test_an_acronym_defined_only_once_or_two_ways_stays_apart() -> None:
    once = build_term_index(_papers("Reinforcement learning (RL) for robots.",
                                    "RL again.", "reinforcement learning again."), "abstracts")
    assert once.aliases == {}
    two_ways = build_term_index(_papers(
        "Reinforcement learning (RL) here.", "Reinforcement learning (RL) there.",
        "Representation learning (RL) here.", "Representation learning (RL) there.",
        "Representation learning (RL) again."), "abstracts")
    assert two_ways.aliases == {}  # three of five definitions agree: not enough
    mostly = build_term_index(_papers(
        *(f"Reinforcement learning (RL) for task {i}." for i in range(6)),
        "Representation learning (RL) once.", "RL without a definition."), "abstracts")
    # Six of seven agree: RL (in eight papers) is shown, and counts the papers of both.
    assert mostly.aliases == {"rl": ("reinforcement learning",)}
    papers_with = dict(zip(mostly.terms.tolist(), mostly.totals()[0].tolist(), strict=True))
    assert papers_with["rl"] == 8


def test_the_shipped_page_has_llms_and_large_language_models_as_one_term(seed_papers) -> None:
    collection = Collection(seed_papers)
    index = collection.term_index("both")
    assert index.aliases["llms"] == ("large language models",)
    frequencies = compute_term_frequencies(index, np.ones(len(collection), dtype=bool), top=30)
    shown = frequencies.set_index("term")
    assert "large language models" not in shown.index
    # Its papers are exactly those the search for either form finds.
    either = Filters(search=index.search_query("LLMs")).mask(collection)
    assert shown.loc["LLMs", "papers"] == either.sum() > Filters(
        search='"llm"').mask(collection).sum()
