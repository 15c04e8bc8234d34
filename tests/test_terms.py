"""The term index: what counts as a term, and the sparse counts built from a few papers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from papertrends.indexes.terms import TermIndex, analyse, build_term_index, singular, text_for


def papers(*rows: tuple[str, str]) -> pd.DataFrame:
    return pd.DataFrame({"title": [title for title, _ in rows],
                         "abstract": [abstract for _, abstract in rows]})


def counts_of(index: TermIndex) -> dict[str, tuple[int, int]]:
    """term -> (papers containing it, occurrences) over the whole index."""
    present, occurrences = index.totals()
    return {term: (int(p), int(o))
            for term, p, o in zip(index.terms.tolist(), present, occurrences, strict=True)}


# -- analyse: one text -------------------------------------------------------------------------

def test_phrases_are_two_and_three_words_of_one_run():
    assert analyse("Large language models") == [
        "large language", "language models", "large language models"]


def test_phrases_never_cross_stop_words():
    terms = analyse("reward of the agent")
    assert "reward" in terms and "agent" in terms
    assert not [t for t in terms if " " in t]


@pytest.mark.parametrize("separator", [". ", ", ", "; ", ": ", " (", ") ", " - ", " / ", '" ',
                                       "\u2014", "? "])
def test_phrases_never_cross_punctuation(separator):
    terms = analyse(f"diffusion{separator}policy")
    assert "diffusion policy" not in terms
    assert {"diffusion", "policy"} <= set(terms)


def test_phrases_never_cross_numbers_but_3d_is_a_word():
    assert "llama agents" not in analyse("Llama 3 agents")
    assert analyse("3D scene") == ["3d", "3d scene"]


def test_roman_numerals_are_numbers_not_terms():
    # Real Daily Papers titles: "Part II", "Stage III"; "mix" and "civil" stay words.
    assert analyse("Qwen Technical Report II and Stage III training mix") == [
        "qwen", "technical", "qwen technical", "mix", "training mix"]


def test_filler_words_are_dropped_and_end_phrases():
    terms = analyse("We propose a novel approach; results show significant improvements "
                    "over existing methods for reinforcement learning.")
    assert terms == ["reinforcement", "reinforcement learning"]


def test_generic_words_only_inside_phrases():
    assert analyse("model learning training") == [
        "model learning", "learning training", "model learning training"]
    assert analyse("the model is trained") == []
    assert analyse("tool use") == ["tool", "tool use"]
    assert analyse("we use retrieval") == ["retrieval"]  # "use" never starts a phrase


def test_urls_latex_and_citations_are_not_terms():
    terms = analyse(r"Code at https://github.com/foo/Bar-Agent. \textsc{Nova} beats "
                    r"Smith et al. on planning (see www.example.org/page).")
    assert "github" not in terms and "bar-agent" not in terms and "textsc" not in terms
    assert "al" not in terms and "et" not in terms and "example" not in terms
    assert {"nova", "planning"} <= set(terms)


def test_possessive_keeps_the_word_and_ends_the_phrase():
    terms = analyse("GPT-4's spatial reasoning")
    assert "gpt-4" in terms and "spatial reasoning" in terms
    assert not any(t.startswith("gpt-4 ") for t in terms)


def test_hyphenated_words_and_accents_stay_whole():
    assert analyse("multi-turn dialogue") == ["multi-turn", "dialogue", "multi-turn dialogue"]
    assert "naïve" in analyse("naïve planner")


def test_singular():
    assert [singular(w) for w in ["models", "policies", "approaches", "boxes", "loss",
                                  "corpus", "analysis", "llms"]] == [
        "model", "policy", "approach", "box", "loss", "corpus", "analysis", "llm"]


def test_title_and_abstract_do_not_run_together():
    frame = papers(("Diffusion Transformers", "Planning tokens help."))
    text = text_for(frame, "both")[0]
    assert "transformers planning" not in analyse(text)
    with pytest.raises(ValueError, match="term source"):
        text_for(frame, "body")


# -- build_term_index: the sparse matrix ------------------------------------------------------

def test_build_counts_papers_and_occurrences():
    index = build_term_index(papers(
        ("Agents for games", "Agents play games with agents."),
        ("An agent", "The agent plans."),
        ("Diffusion", "Diffusion policies beat the policy of agents."),
    ), "both")
    counts = counts_of(index)
    # "agent" and "agents" are one term, named by the commoner spelling
    assert counts["agents"] == (3, 6)
    assert "agent" not in counts
    assert counts["games"] == (1, 2)
    assert counts["diffusion"] == (1, 2)
    assert counts["policies"] == (1, 2)  # "policies" and "policy", tie -> alphabetical first
    assert index.counts.shape == (3, len(index.terms))
    assert index.search_query("agents") == '"agent"'
    assert index.search_query("Policies") == '"polic"'  # finds "policy" and "policies"


def test_plural_and_singular_merge_under_the_commoner_form():
    index = build_term_index(papers(
        ("", "language models"), ("", "language models"), ("", "a language model"),
        ("", "robots"), ("", "robot"), ("", "robot"),
    ), "abstracts")
    counts = counts_of(index)
    assert counts["language models"] == (3, 3)
    assert "language model" not in counts
    assert counts["robot"] == (3, 3)
    assert "robots" not in counts


def test_rare_phrases_are_dropped_but_rare_words_kept():
    index = build_term_index(papers(("", "sparse attention"), ("", "sparse attention"),
                                    ("", "dense retrieval")), "abstracts")
    counts = counts_of(index)
    assert counts["sparse attention"] == (2, 2)
    assert "dense retrieval" not in counts  # one paper: not a common phrase
    assert counts["dense"] == (1, 1) and counts["retrieval"] == (1, 1)


def test_a_term_always_inside_a_longer_one_gives_way_to_it():
    index = build_term_index(papers(*[("", "large language models")] * 3,
                                    *[("", "small language models")] * 2), "abstracts")
    counts = counts_of(index)
    assert counts["large language models"] == (3, 3)
    assert "large language" not in counts  # never seen outside "large language models"
    assert counts["language models"] == (5, 5)  # also in "small language models": stays


def test_a_term_seen_once_outside_its_phrase_gives_way_too():
    index = build_term_index(papers(*[("", "reinforcement learning")] * 4,
                                    ("", "reinforcement signals")), "abstracts")
    counts = counts_of(index)
    assert counts["reinforcement learning"] == (4, 4)
    assert "reinforcement" not in counts


def test_labels_keep_the_usual_capitals():
    index = build_term_index(papers(("LLMs and ChatGPT", "LLMs help. LLM agents act."),
                                    ("LLM agents", "ChatGPT and llm agents."),
                                    ("REASONING", "reasoning and reasoning"),
                                    ("Multi-Turn 3D", "Multi-Turn")), "both")
    labels = dict(zip(index.terms.tolist(), index.labels.tolist(), strict=True))
    assert labels["llm"] == "LLM"  # "LLM" (3) and "LLMs" (2): one term, the commoner form
    assert labels["llm agents"] == "LLM agents"
    assert labels["chatgpt"] == "ChatGPT"
    assert labels["reasoning"] == "reasoning"  # one all-caps title is not the usual spelling
    assert labels["multi-turn"] == "multi-turn"  # Title Case is not a name
    assert labels["3d"] == "3D"


def test_rows_follow_the_papers_and_sources_differ():
    frame = papers(("Graph transformers", "We study molecules."),
                   ("Molecules", "Graph transformers for molecules."))
    titles = build_term_index(frame, "titles")
    abstracts = build_term_index(frame, "abstracts")
    column = titles.terms.tolist().index("molecules")
    assert titles.counts[:, column].toarray().ravel().tolist() == [0, 1]
    column = abstracts.terms.tolist().index("molecules")
    assert abstracts.counts[:, column].toarray().ravel().tolist() == [1, 1]
    assert "graph transformers" not in titles.terms.tolist()  # one title: not common


def test_totals_follow_the_mask():
    index = build_term_index(papers(("", "robots"), ("", "robots robots"), ("", "drones")),
                             "abstracts")
    present, occurrences = index.totals(np.array([False, True, True]))
    column = index.terms.tolist().index("robots")
    assert (present[column], occurrences[column]) == (1, 2)
    with pytest.raises(ValueError, match="mask"):
        index.totals(np.array([True]))


@pytest.mark.parametrize("rows", [[], [("", "")], [("the", "of and we propose results")]])
def test_no_text_gives_an_empty_index(rows):
    frame = papers(*rows) if rows else pd.DataFrame({"title": [], "abstract": []})
    index = build_term_index(frame, "both")
    assert len(index.terms) == 0
    assert index.counts.shape == (len(rows), 0)


def test_hugging_face_keywords_count_as_given_in_their_usual_spelling():
    import pyarrow as pa

    lists = pd.Series([["LLM agents", "RLHF"], ["llm agents", "LLM agents"], [], None],
                      dtype=pd.ArrowDtype(pa.list_(pa.string())))
    index = build_term_index(pd.DataFrame({"ai_keywords": lists}), "keywords")
    papers, occurrences = index.totals()
    found = dict(zip(index.labels, papers.tolist(), strict=True))
    assert found == {"LLM agents": 2, "RLHF": 1}
    assert dict(zip(index.labels, occurrences.tolist(), strict=True))["LLM agents"] == 3
