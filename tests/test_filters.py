"""The shared filters: what each one keeps, their URL form and their description."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from papertrends.collection import schema
from papertrends.collection.filters import (
    MAX_COUNT,
    MAX_SEARCH_TERMS,
    MAX_TERM_CHARS,
    MAX_TERM_WORDS,
    Filters,
    parse_search,
    search_terms,
)
from papertrends.collection.loaded import Collection

D = dt.date
PAPERS = [
    {"paper_id": "p1", "title": "LLM Agents for the Web",
     "abstract": "We train agents with reinforcement learning (RL).",
     "published": D(2024, 1, 10), "upvotes": 5, "n_authors": 3, "github_repos": ["a/b"],
     "topics": ["Agents", "Reinforcement learning"]},
    {"paper_id": "p2", "title": "A World Model for Robots",
     "abstract": "Robotic manipulation in the real world.",
     "published": D(2024, 6, 1), "upvotes": 0, "n_authors": 12,
     "topics": ["Robotics & embodied AI"]},
    {"paper_id": "p3", "title": "Speech Synthesis at Scale",
     "abstract": "A large language model for speech, in an agentic pipeline.",
     "published": None, "upvotes": None, "n_authors": None, "github_repos": ["c/d"],
     "topics": ["Speech & audio", "Agents"]},
    {"paper_id": "p4", "title": "RLHF Without Tears",
     "abstract": "Reward models and preference data. Über-efficient.",
     "published": D(2025, 3, 3), "upvotes": 20, "n_authors": 1,
     "topics": ["Reinforcement learning"]},
    {"paper_id": "p5", "title": "Other Stuff", "abstract": None,
     "published": D(2023, 12, 31), "upvotes": 2, "n_authors": None, "topics": ["Other"]},
    {"paper_id": "p6", "title": "Notes", "abstract": "On language, and a model of it.",
     "published": D(2024, 6, 2), "upvotes": 1, "n_authors": 2, "topics": ["Other"]},
]
ALL = {p["paper_id"] for p in PAPERS}


@pytest.fixture(scope="module")
def collection() -> Collection:
    return Collection(schema.to_frame(schema.to_table(PAPERS)),
                      ["Agents", "Reinforcement learning", "Robotics & embodied AI",
                       "Speech & audio"])


def _kept(filters: Filters, collection: Collection) -> set[str]:
    mask = filters.mask(collection)
    assert mask.dtype == bool and mask.shape == (len(collection),)
    return set(collection.papers["paper_id"][mask])


@pytest.mark.parametrize(("filters", "kept"), [
    (Filters(), ALL),
    # dates: unknown dates stay until the range is narrowed; both ends inclusive
    (Filters(date_from=D(2024, 1, 1)), {"p1", "p2", "p4", "p6"}),
    (Filters(date_to=D(2024, 6, 1)), {"p1", "p2", "p5"}),
    (Filters(date_from=D(2024, 1, 10), date_to=D(2024, 6, 1)), {"p1", "p2"}),
    (Filters(date_from=D(2030, 1, 1)), set()),
    # topics: any of
    (Filters(topics=("Agents",)), {"p1", "p3"}),
    (Filters(topics=("Speech & audio", "Robotics & embodied AI")), {"p2", "p3"}),
    (Filters(topics=("Other",)), {"p5", "p6"}),
    (Filters(topics=("No such topic",)), set()),
    # search: case-insensitive, at the start of a word, every term must match
    (Filters(search="agent"), {"p1", "p3"}),  # agents, agentic
    (Filters(search="AGENTS"), {"p1"}),
    (Filters(search="rl"), {"p1", "p4"}),  # "(RL)", "RLHF" but not "world"
    (Filters(search="world"), {"p2"}),
    (Filters(search="orld"), set()),
    # alternatives: either term; still every term of the search
    (Filters(search="world|speech"), {"p2", "p3"}),
    (Filters(search='"language model"|rlhf'), {"p3", "p4"}),
    (Filters(search="world|speech agent"), {"p3"}),
    (Filters(search="agent rl"), {"p1"}),
    (Filters(search="  agent   rl  "), {"p1"}),
    (Filters(search="language model"), {"p3", "p6"}),
    (Filters(search='"language model"'), {"p3"}),  # a quoted phrase
    (Filters(search='"LANGUAGE   model" speech'), {"p3"}),
    (Filters(search='"language'), {"p3", "p6"}),  # an unbalanced quote is literal
    (Filters(search="über"), {"p4"}),
    (Filters(search="efficient"), {"p4"}),  # after a hyphen
    (Filters(search="(rl)"), {"p1"}),
    (Filters(search="c++ [x] .* \\"), set()),  # regex characters are text
    (Filters(search="stuff"), {"p5"}),  # a missing abstract is no problem
    (Filters(search=""), ALL),
    # upvotes: unknown upvotes are excluded by any minimum
    (Filters(min_upvotes=1), {"p1", "p4", "p5", "p6"}),
    (Filters(min_upvotes=5), {"p1", "p4"}),
    (Filters(min_upvotes=21), set()),
    # authors: unknown counts stay until the range is narrowed
    (Filters(authors_min=3), {"p1", "p2"}),
    (Filters(authors_max=2), {"p4", "p6"}),
    (Filters(authors_min=2, authors_max=12), {"p1", "p2", "p6"}),
    (Filters(authors_min=1, authors_max=1), {"p4"}),
    # code
    (Filters(has_code="yes"), {"p1", "p3"}),
    (Filters(has_code="no"), {"p2", "p4", "p5", "p6"}),
    (Filters(has_code="any"), ALL),
    # together: every filter must pass
    (Filters(topics=("Agents",), has_code="yes", date_from=D(2024, 1, 1)), {"p1"}),
    (Filters(search="model", min_upvotes=1, authors_max=5), {"p4", "p6"}),
])
def test_mask(collection: Collection, filters: Filters, kept: set[str]) -> None:
    assert _kept(filters, collection) == kept


def test_mask_of_an_empty_collection() -> None:
    assert Filters(search="x", topics=("A",), min_upvotes=3).mask(Collection.empty()).shape == (0,)


@pytest.mark.parametrize(("query", "terms"), [
    ("", []),
    ("Agent", ["agent"]),
    ("agent  RL", ["agent", "rl"]),
    ('"Language  Model" agent', ["language model", "agent"]),
    ('"unbalanced', ["unbalanced"]),
    ('""', []),
    ('a"b', ["a b"]),
    # Alternatives: any of them matches; a lone | is no word.
    ('"Large Language Model"|LLM reward', ["large language model|llm", "reward"]),
    ("a|b|a", ["a|b"]),
    ("x | y", ["x", "y"]),
    ('a|b"c', ["a b c"]),
])
def test_search_terms(query: str, terms: list[str]) -> None:
    assert search_terms(query) == terms


FUZZED = Collection(schema.to_frame(schema.to_table(PAPERS)))


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=40))
def test_any_search_text_gives_a_mask(query: str) -> None:
    kept = _kept(Filters(search=query), FUZZED)
    terms = search_terms(query)
    if len(terms) > 1:  # more terms never keep more papers
        assert kept <= _kept(Filters(search=terms[0]), FUZZED)


# -- URL form --------------------------------------------------------------------------------

FULL = Filters(date_from=D(2024, 1, 1), date_to=D(2024, 6, 30), topics=("Agents", "Speech & audio"),
               search='agent "language model"', min_upvotes=3, authors_min=2, authors_max=9,
               has_code="no")


@pytest.mark.parametrize("filters", [
    Filters(), FULL, Filters(date_to=D(2025, 1, 1)), Filters(topics=("Only",)),
    Filters(authors_max=1), Filters(has_code="yes"),
])
def test_params_round_trip(filters: Filters) -> None:
    params = filters.to_params()
    again = Filters.from_params(params)
    assert again == filters and again.problems == ()
    assert filters.is_narrowed == bool(params)


def test_params_are_url_friendly() -> None:
    assert Filters().to_params() == {}
    assert FULL.to_params() == {
        "from": "2024-01-01", "to": "2024-06-30", "topic": ["Agents", "Speech & audio"],
        "q": 'agent "language model"', "min_upvotes": "3", "authors_min": "2",
        "authors_max": "9", "code": "no"}


@pytest.mark.parametrize(("params", "expected", "problems"), [
    ({}, Filters(), []),
    ({"from": "2024-13-01"}, Filters(), ["from='2024-13-01'"]),
    ({"to": "yesterday"}, Filters(), ["to='yesterday'"]),
    ({"from": "", "to": "  "}, Filters(), []),
    ({"min_upvotes": "-1"}, Filters(), ["min_upvotes='-1'"]),
    ({"min_upvotes": "many"}, Filters(), ["min_upvotes='many'"]),
    ({"min_upvotes": " 7 "}, Filters(min_upvotes=7), []),
    ({"authors_min": "0"}, Filters(), ["authors_min='0'"]),
    ({"authors_max": "3.5"}, Filters(), ["authors_max='3.5'"]),
    ({"code": "maybe"}, Filters(), ["code='maybe'"]),
    ({"topic": ["A", "A", " ", "B"]}, Filters(topics=("A", "B")), []),
    ({"topic": "A"}, Filters(topics=("A",)), []),
    ({"q": ["old", "new"]}, Filters(search="new"), []),  # the last value wins
    ({"from": "2024-01-01", "code": "maybe", "authors_min": "x", "unknown": "1"},
     Filters(date_from=D(2024, 1, 1)), ["authors_min='x'", "code='maybe'"]),
])
def test_from_params_collects_problems(params, expected, problems) -> None:
    filters = Filters.from_params(params)
    assert filters == expected
    assert sorted(filters.problems) == sorted(problems)


# -- words -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("filters", "text"), [
    (Filters(), "all papers"),
    (Filters(date_from=D(2024, 1, 1), date_to=D(2024, 6, 30)),
     "published 2024-01-01 to 2024-06-30"),
    (Filters(date_from=D(2024, 1, 1)), "published on or after 2024-01-01"),
    (Filters(date_to=D(2024, 6, 30)), "published on or before 2024-06-30"),
    (Filters(topics=("Agents", "Robotics")), "topic Agents or Robotics"),
    (Filters(search='Agent "language  model"'), "matching 'agent' and 'language model'"),
    (Filters(search="   "), "all papers"),
    (Filters(min_upvotes=5), "at least 5 upvotes"),
    (Filters(authors_min=2, authors_max=5), "2 to 5 authors"),
    (Filters(authors_min=2), "at least 2 authors"),
    (Filters(authors_max=5), "at most 5 authors"),
    (Filters(has_code="yes"), "with GitHub code"),
    (Filters(has_code="no"), "without GitHub code"),
    (FULL, "published 2024-01-01 to 2024-06-30, topic Agents or Speech & audio, matching "
           "'agent' and 'language model', at least 3 upvotes, 2 to 9 authors, "
           "without GitHub code"),
])
def test_describe(filters: Filters, text: str) -> None:
    assert filters.describe() == text


def test_collection_helpers(collection: Collection) -> None:
    assert collection.topics == ["Agents", "Reinforcement learning", "Robotics & embodied AI",
                                 "Speech & audio", "Other"]
    assert list(collection.has_code) == [True, False, True, False, False, False]
    assert np.array_equal(collection.topic_matrix["Agents"].to_numpy(),
                          [True, False, True, False, False, False])


def test_the_sidebar_bounds_come_from_known_values_only(collection):
    """The date slider spans the known dates; unknown dates and author counts are counted,
    never read as 0 or as a date."""
    assert collection.date_range("published") == (D(2023, 12, 31), D(2025, 3, 3))
    assert collection.most_authors == 12
    assert collection.count_unknown("published") == 1
    assert collection.count_unknown("n_authors") == 2
    nothing_known = Collection(schema.to_frame(schema.to_table(
        [{"paper_id": "x", "title": "Undated", "abstract": ""}])))
    assert nothing_known.date_range("published") is None and nothing_known.most_authors is None


@pytest.mark.parametrize("raw", ["99999999999999999999999", "9223372036854775808",
                                 "1000000001", "-1", "nan", "inf", "-inf", "1e400", "9" * 5000])
def test_counts_no_filter_can_take_are_problems_not_overflows(raw: str) -> None:
    """A link's count beyond MAX_COUNT (or not a whole number at all) is ignored and named;
    the mask of what is left never overflows."""
    filters = Filters.from_params({"min_upvotes": raw, "authors_min": raw, "authors_max": raw})
    assert filters == Filters()
    assert [p.partition("=")[0] for p in filters.problems] == [
        "min_upvotes", "authors_min", "authors_max"]
    assert all(len(p) < 80 for p in filters.problems), "a long value is cut short"
    assert Filters.from_params({"min_upvotes": str(MAX_COUNT)}).min_upvotes == MAX_COUNT


def test_a_search_keeps_eight_terms_and_says_which_it_left_out() -> None:
    """Twenty terms with punctuation in a 157-character link: the first eight are searched,
    the note names the other twelve; a repeated term is not counted twice."""
    terms = [f"{a}-{b}" for a, b in zip("abcdefghijklmnopqrst", "tsrqponmlkjihgfedcba",
                                        strict=True)]
    query = " ".join(["a-t", *terms])
    search = parse_search(query)
    assert search.terms == tuple(terms[:MAX_SEARCH_TERMS]) and MAX_SEARCH_TERMS == 8
    assert search_terms(query) == terms[:8]
    [note] = search.ignored
    assert note.startswith("12 more terms left out (at most 8): 'i-l', 'j-k', ")
    assert Filters(search=query).describe() == "matching " + " and ".join(
        f"'{t}'" for t in terms[:8])


def test_a_long_term_is_cut_to_six_words_and_sixty_characters() -> None:
    long_word = "x" * 10_000
    search = parse_search(f'"one two three four five six seven eight" {long_word} agent')
    assert search.terms == ("one two three four five six", "x" * MAX_TERM_CHARS, "agent")
    assert (MAX_TERM_WORDS, MAX_TERM_CHARS) == (6, 60)
    assert search.ignored[0] == ("'one two three four five six seven eight' was cut to "
                                 "'one two three four five six' (at most 6 words and 60 "
                                 "characters a term)")
    assert search.ignored[1].startswith("'xxx") and len(search.ignored[1]) < 200
    assert parse_search("gpt-4 agent").ignored == ()
