"""The topic taxonomy: loading the TOML file, tagging papers, re-tagging a store."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from papertrends.collection import schema
from papertrends.collection.enrich import enrich
from papertrends.collection.store import Store
from papertrends.collection.topics import Taxonomy, TopicTagger, load_taxonomy
from papertrends.common.errors import InputError


@pytest.fixture(scope="module")
def seed_topics(seed_store: Store) -> pd.Series:
    papers = seed_store.load()
    return pd.Series([list(t) for t in papers["topics"]], index=papers["title"])


def _taxonomy(topics: dict[str, list[str]]) -> TopicTagger:
    return Taxonomy({name: tuple(phrases) for name, phrases in topics.items()}, "test").tagger()


def test_most_seed_papers_get_a_real_topic(seed_topics: pd.Series) -> None:
    tagged = seed_topics.map(lambda topics: topics != [schema.OTHER_TOPIC])
    assert len(seed_topics) == 98
    assert tagged.mean() >= 0.85
    assert all(topics for topics in seed_topics)


@pytest.mark.parametrize(("title_start", "topic"), [
    ("Step-Audio:", "Speech & audio"),
    ("Learning H-Infinity Locomotion Control", "Robotics & embodied AI"),
    ("Real-World Image Variation by Aligning Diffusion Inversion Chain",
     "Image & video generation"),
    ("OS-Genesis:", "Agents"),
    ("Protein Multimer Structure Prediction", "Science & biology"),
    ("Sotopia-RL:", "Reinforcement learning"),
    ("BIRD-INTERACT:", "Code & software"),
    ("The Alignment Waltz:", "Safety & alignment"),
])
def test_seed_spot_checks(seed_topics: pd.Series, title_start: str, topic: str) -> None:
    [topics] = [t for title, t in seed_topics.items() if title.startswith(title_start)]
    assert topic in topics


def test_topics_are_listed_in_taxonomy_order(seed_topics: pd.Series, taxonomy) -> None:
    order = taxonomy.names
    for topics in seed_topics:
        assert topics == sorted(topics, key=order.index)


@pytest.mark.parametrize(("phrases", "text", "tagged"), [
    (["agent"], "LLM agents for the web", True),  # plural folded
    (["agents"], "an agent", True),  # ... on both sides
    (["strategy"], "search strategies", True),  # -ies plural
    (["class"], "a classification class", True),
    (["glass"], "glas", False),  # "ss" is not a plural ending
    (["rl"], "a world model", False),  # whole words only
    (["rl"], "RL fine-tuning", True),
    (["rl"], "RLHF pipelines", False),
    (["vision-language"], "vision language models", True),  # hyphens are spaces
    (["vision language"], "Vision-Language Models", True),
    (["tool use"], "tool usage", False),  # a phrase is not a prefix match
    (["tool use"], "the tool, use it", True),  # punctuation is not a word
    (["chain of thought"], "Chain-of-Thought prompting", True),
    (["speech"], "SPEECH!", True),  # case-insensitive
    (["diffusion model"], "diffusion\n models", True),
    (["diffusion model"], "diffusion. Model", True),
    (["diffusion model"], "", False),
])
def test_tagger_matching(phrases, text, tagged) -> None:
    tagger = _taxonomy({"T": phrases})
    assert tagger.tag(text) == (["T"] if tagged else [schema.OTHER_TOPIC])


def test_title_and_abstract_do_not_join_into_a_phrase() -> None:
    tagger = _taxonomy({"T": ["language model"]})
    assert tagger.tag("About language", "Model of things") == [schema.OTHER_TOPIC]
    assert tagger.tag(None, "a language model") == ["T"]
    assert tagger.tag(None, None) == [schema.OTHER_TOPIC]


def test_tags_follow_file_order_not_match_order() -> None:
    tagger = _taxonomy({"B": ["beta"], "A": ["alpha"], "C": ["gamma", "alpha"]})
    assert tagger.tag("alpha then beta") == ["B", "A", "C"]


TOML = """\
[topics]
"Cooking" = ["recipe", "kitchen robot"]
"Agents" = ["agent"]
"""


def test_an_edited_taxonomy_changes_the_tags(tmp_path: Path, seed_path: Path) -> None:
    (tmp_path / "topics.toml").write_text(TOML, encoding="utf-8")
    edited = load_taxonomy(tmp_path / "topics.toml")
    assert edited.names == ["Cooking", "Agents", schema.OTHER_TOPIC]
    table = schema.to_table([
        {"title": "A kitchen robot", "abstract": "Recipes for agents."},
        {"title": "Protein folding", "abstract": "Biology."},
    ])
    assert enrich(table, edited)["topics"].to_pylist() == [["Cooking", "Agents"], ["Other"]]


def test_digest_follows_the_file_content(tmp_path: Path, topics_path: Path) -> None:
    copy = tmp_path / "copy.toml"
    shutil.copy(topics_path, copy)
    assert load_taxonomy(copy).digest == load_taxonomy(topics_path).digest
    copy.write_text(copy.read_text() + "\n# a comment\n")
    assert load_taxonomy(copy).digest != load_taxonomy(topics_path).digest


def test_sync_topics_retags_the_store_when_the_taxonomy_changes(
        tmp_path: Path, seed_store: Store, taxonomy) -> None:
    store = Store(tmp_path / "copy.duckdb")
    shutil.copy(seed_store.path, store.path)
    before = store.load().set_index("paper_id")
    assert not store.sync_topics(taxonomy)  # same file: nothing to do
    (tmp_path / "topics.toml").write_text(TOML, encoding="utf-8")
    edited = load_taxonomy(tmp_path / "topics.toml")

    assert store.sync_topics(edited)
    assert store.taxonomy_digest() == edited.digest
    after = store.load().set_index("paper_id").loc[before.index]
    expected = edited.tagger().tag_all(list(before["title"]), list(before["abstract"]))
    assert [list(t) for t in after["topics"]] == expected
    assert {t for topics in after["topics"] for t in topics} == {"Agents", "Other"}
    # Re-tagging is not a content change: every other column is untouched.
    pd.testing.assert_frame_equal(after.drop(columns="topics"), before.drop(columns="topics"))
    assert not store.sync_topics(edited)

    assert store.sync_topics(taxonomy)  # and back
    restored = store.load().set_index("paper_id").loc[before.index]
    pd.testing.assert_frame_equal(restored, before)


def test_sync_topics_on_a_missing_store_does_nothing(fresh_store: Store, taxonomy) -> None:
    assert not fresh_store.sync_topics(taxonomy)
    assert not fresh_store.exists()


@pytest.mark.parametrize(("content", "field", "message"), [
    ("[topics\nx = 1", None, "not valid TOML"),
    ('title = "no table"', "topics", r"expected a \[topics\] table"),
    ("[topics]\n", "topics", r"expected a \[topics\] table"),
    ('topics = "flat"', "topics", r"expected a \[topics\] table"),
    ('[topics]\n"Agents" = "agent"', "Agents", "expected a list of keyword phrases"),
    ('[topics]\n"Agents" = ["agent", 3]', "Agents", "expected a list of keyword phrases"),
    ('[topics]\n"Other" = ["misc"]', "Other", "reserved"),
])
def test_bad_taxonomy_raises_input_error_naming_the_file(tmp_path, content, field,
                                                          message) -> None:
    path = tmp_path / "my-topics.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=message) as caught:
        load_taxonomy(path)
    assert caught.value.path == str(path) and caught.value.field == field
    assert str(caught.value).startswith(str(path))


def test_unreadable_taxonomy_raises_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read the topic taxonomy") as caught:
        load_taxonomy(tmp_path / "missing.toml")
    assert "missing.toml" in str(caught.value)
    (tmp_path / "latin1.toml").write_bytes('[topics]\n"Caf\xe9" = ["x"]\n'.encode("latin-1"))
    with pytest.raises(InputError, match="not valid TOML"):
        load_taxonomy(tmp_path / "latin1.toml")


def test_default_taxonomy_path_honours_the_environment(monkeypatch, tmp_path: Path) -> None:
    path = tmp_path / "env.toml"
    path.write_text(TOML, encoding="utf-8")
    monkeypatch.setenv("PAPERTRENDS_TOPICS", str(path))
    assert load_taxonomy().names == ["Cooking", "Agents", schema.OTHER_TOPIC]
