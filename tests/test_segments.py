"""Indexes kept by segments: a collection grown update by update (new papers, changed texts,
merged segments) gets exactly the term and search indexes a build from scratch gives, and an
update analyses only what changed."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from papertrends.indexes import term_cache, terms
from papertrends.indexes.search_index import build_search_index
from papertrends.indexes.term_cache import TermCache, frame_search_texts

SOURCES = ("titles", "abstracts", "both")
QUERIES = ("agent", "language model", "gpt-4", "box", "policy", "zz")


@pytest.fixture
def papers(seed_store) -> pd.DataFrame:
    frame = seed_store.load()
    return frame.assign(last_updated=pd.Timestamp("2025-01-01", tz="UTC"))


def assert_as_built_afresh(cache: TermCache, frame: pd.DataFrame, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    masks = [None, *(rng.random(len(frame)) < share for share in (0.03, 0.5, 0.9))]
    for source in SOURCES:
        saved, fresh = cache.index(frame, source), terms.build_term_index(frame, source)
        assert saved.terms.tolist() == fresh.terms.tolist(), source
        assert saved.labels.tolist() == fresh.labels.tolist(), source
        assert saved.stems == fresh.stems, source
        assert saved.aliases == fresh.aliases, source
        for mask in masks:
            for mine, theirs in zip(saved.totals(mask), fresh.totals(mask), strict=True):
                assert np.array_equal(mine, theirs), source
        assert np.array_equal(saved.has_terms, fresh.has_terms)
        assert_papers_by_group(saved, fresh, rng)
        assert (saved.counts != fresh.counts).nnz == 0, source
    search = cache.search_index(frame)
    fresh_search = build_search_index(frame_search_texts(frame, np.arange(len(frame))))

    def texts(rows):
        return frame_search_texts(frame, rows)

    for query in QUERIES:
        assert np.array_equal(search.matching(query, texts), fresh_search.matching(query, texts))


def assert_papers_by_group(saved, fresh, rng: np.random.Generator) -> None:
    """Papers per group (a period, say) equal ``totals`` of each group, on the segments as on
    an index built afresh; some rows in no group, all columns or a few."""
    most = rng.integers(-1, 4, size=fresh.n_papers)
    some = np.where(rng.random(fresh.n_papers) < 0.15, most, -1)  # their rows taken first
    used = np.flatnonzero(fresh.totals()[0])
    for groups in (most, some):
        for columns in (None, used[::7], used[:2]):
            expected = np.array([fresh.totals(groups == g)[0] for g in range(4)])
            if columns is not None:
                expected = expected[:, columns]
            assert np.array_equal(fresh.papers_by_group(groups, 4, columns), expected)
            assert np.array_equal(saved.papers_by_group(groups, 4, columns), expected)


def _edited(frame: pd.DataFrame, row: int, abstract: str, step: int) -> pd.DataFrame:
    frame = frame.copy()
    frame.loc[row, "abstract"] = abstract
    frame.loc[row, "last_updated"] = pd.Timestamp("2025-02-01", tz="UTC") + pd.Timedelta(
        seconds=step)
    return frame


def test_a_collection_grown_update_by_update_is_indexed_as_if_built_afresh(
        papers, tmp_path, analysed):
    cache = TermCache(tmp_path / "store.duckdb.terms")
    frame = papers.iloc[:30].reset_index(drop=True)
    assert_as_built_afresh(cache, frame)
    for step in range(12):  # more updates than MAX_DELTAS: deltas get merged on the way
        start = len(frame)
        frame = pd.concat([frame, papers.iloc[start:start + 5]], ignore_index=True)
        row = (7 * step) % start
        # A paper's text changes: a phrase seen once before now in two papers, a plural
        # whose singular never occurs written two ways, words it no longer has.
        frame = _edited(frame, row, f"Boxes and boxs of agent policies, step {step}. "
                                    "Sparse reward shaping for web agents.", step)
        analysed.clear()
        assert_as_built_afresh(cache, frame, seed=step)
        assert analysed[:2] == [len(frame) - start + 1] * 2, "only the new and the changed"
    names = [p.name for p in cache.folder.iterdir() if p.name.startswith("segment-")]
    assert len(names) <= term_cache.MAX_DELTAS + 1


ACRONYM_TEXTS = (
    "We study Proximal Policy Optimization (PPO) for math reasoning.",
    "A variant of Proximal Policy Optimization (PPO) with shorter rollouts.",
    "PPO is costly; we compare PPO with bandits on code tasks.",
    "Sparse Mixture-of-Experts (MoE) layers route tokens to experts.",
)


def test_acronyms_merge_and_part_as_their_definitions_come_and_go(papers, tmp_path):
    """A definition seen in a second paper folds the acronym into its expansion (in the
    term shown most); a text edited so that one definition is left parts them again, and
    every step's indexes are those a build from scratch gives."""
    cache = TermCache(tmp_path / "store.duckdb.terms")
    frame = papers.iloc[:40].reset_index(drop=True)
    frame = _edited(frame, 3, ACRONYM_TEXTS[0], 0)
    assert_as_built_afresh(cache, frame)
    assert "ppo" not in cache.index(frame, "abstracts").aliases  # one paper defines it
    frame = _edited(frame, 11, ACRONYM_TEXTS[1], 1)
    frame = _edited(frame, 12, ACRONYM_TEXTS[2], 2)
    assert_as_built_afresh(cache, frame, seed=1)
    index = cache.index(frame, "abstracts")
    # Three papers write "PPO", two the expansion: the acronym is shown, the expansion named.
    assert index.aliases["ppo"] == ("proximal policy optimization",)
    papers_with = dict(zip(index.terms.tolist(), index.totals()[0].tolist(), strict=True))
    assert papers_with["ppo"] == 3
    assert "proximal policy optimization" not in papers_with
    assert index.search_query("PPO") == '"ppo"|"proximal policy optimization"'
    frame = _edited(frame, 11, "A variant with shorter rollouts.", 3)
    assert_as_built_afresh(cache, frame, seed=2)
    assert "ppo" not in cache.index(frame, "abstracts").aliases


def test_nothing_changed_nothing_is_written(papers, tmp_path):
    cache = TermCache(tmp_path / "store.duckdb.terms")
    cache.index(papers)
    before = {p.name: p.stat().st_mtime_ns for p in cache.folder.iterdir()}
    cache.update(papers)
    assert {p.name: p.stat().st_mtime_ns for p in cache.folder.iterdir()} == before
    assert cache.is_current(papers)


def test_a_paper_seen_again_with_the_same_text_is_not_analysed_again(
        papers, tmp_path, analysed):
    cache = TermCache(tmp_path / "store.duckdb.terms")
    cache.index(papers)
    again = papers.copy()
    again.loc[3, "last_updated"] = pd.Timestamp("2025-03-01", tz="UTC")  # more upvotes
    analysed.clear()
    cache.update(again)
    assert analysed == [], "its words were counted already"
    assert cache.is_current(again)
    segments_before = sorted(p.name for p in cache.folder.glob("segment-*"))
    assert_as_built_afresh(cache, again)
    # Its title changes next time: now it is counted again, alone.
    edited = again.copy()
    edited.loc[3, "title"] = "Sparse reward shaping for web agents"
    edited.loc[3, "last_updated"] = pd.Timestamp("2025-04-01", tz="UTC")
    analysed.clear()
    cache.update(edited)
    assert analysed[:2] == [1, 1]
    assert sorted(p.name for p in cache.folder.glob("segment-*")) != segments_before
    assert_as_built_afresh(cache, edited)


def test_a_plural_group_written_one_way_in_each_segment_is_counted_by_group(papers, tmp_path):
    """"boxs" in one update's papers, "boxes" in the next's, "box" never: each segment uses
    one term of the group, and its papers per group land in that term's column."""
    cache = TermCache(tmp_path / "store.duckdb.terms")
    frame = _edited(papers.iloc[:20].reset_index(drop=True), 2, "Sparse boxs of agents.", 0)
    assert_as_built_afresh(cache, frame)
    frame = pd.concat([frame, papers.iloc[20:26]], ignore_index=True)
    frame = _edited(frame, 22, "Dense boxes of agents.", 1)
    frame = _edited(frame, 24, "Dense boxes of policies.", 2)
    assert_as_built_afresh(cache, frame, seed=1)
