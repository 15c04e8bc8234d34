"""Every analysis gives the same answer whatever Arrow chunks its columns arrive in.

``Store.load`` hands a column to Arrow in chunks (one per DuckDB row group of 122,880 rows;
before the store read papers in order, also one for the rows an update had moved), and
pandas passes them on: a page that filters out nothing gets the columns as loaded. Each
``compute_*`` (see ``analytics_calls``) is compared on the shipped page cut into random chunks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from analytics_calls import CALLS, COMPUTE, Inputs, answers, assert_same_answers
from chunking import chunked
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from papertrends.collection import schema

# The first is the one Hypothesis tries most: when every paper is dated, nothing an analysis
# drops recombines the chunks, the Trends page's crash.
SELECTIONS: dict[str, Callable[[pd.DataFrame], np.ndarray | None]] = {
    "dated papers": lambda papers: papers["published"].notna().to_numpy(bool),
    "every paper": lambda papers: None,
    "papers with code": lambda papers: (papers["github_repos"].list.len() > 0).to_numpy(bool),
    "no paper": lambda papers: np.zeros(len(papers), dtype=bool),
}


def select(inputs: Inputs, keep: np.ndarray | None) -> Inputs:
    """The papers a filter keeps, as ``View.selected`` takes them: all of them as they are
    (``keep`` None), else the rows of the mask, with their labels."""
    return inputs if keep is None else replace(inputs, papers=inputs.papers.loc[keep])


@pytest.fixture(scope="module")
def seed_inputs(seed_papers: pd.DataFrame) -> Inputs:
    """The shipped page, each paper seen twice a day apart, a few repositories looked up."""
    ids = seed_papers["paper_id"].astype("string")
    upvotes = seed_papers["upvotes"].fillna(0).astype("int64").to_numpy()
    first = pd.Timestamp("2025-10-01", tz="UTC")
    snapshots = pa.table({
        "paper_id": pa.array(np.concatenate([ids, ids]), pa.string()),
        "seen_at": pa.array([first] * len(ids) + [first + pd.Timedelta(days=1)] * len(ids),
                            pa.timestamp("us", tz="UTC")),
        "upvotes": pa.array(np.concatenate([upvotes, upvotes + np.arange(len(ids)) % 4])),
    })
    linked = sorted({repo.lower() for repos in seed_papers["github_repos"] for repo in repos})
    assert len(linked) >= 6, "the seed links repositories"
    repositories = pa.table({
        "repo": linked[:6], "full_name": linked[:6], "status": ["ok"] * 5 + ["not_found"],
        "stars": [10, 3, None, 10, 7, None], "forks": [1, 0, None, 2, 1, None],
        "language": ["Python", "Python", None, "C++", "Python", None],
        "pushed_at": pa.array([first] * 6, pa.timestamp("us", tz="UTC")),
        "archived": [False, True, None, False, False, None],
        "fetched_at": pa.array([first] * 6, pa.timestamp("us", tz="UTC")),
    })
    log = pd.DataFrame({"ingested_at": [first], "source": ["hf-page:hf_papers_seed.txt"],
                        "new": [len(ids)], "updated": [0], "unchanged": [0]})
    return Inputs(seed_papers,
                  schema.side_frame(snapshots, schema.SNAPSHOT_COLUMNS),
                  schema.side_frame(repositories, schema.REPOSITORY_COLUMNS), log)


@pytest.fixture(scope="module")
def one_chunk_answers(seed_inputs: Inputs) -> Callable[[str, str], list[object]]:
    """(function, named selection) -> its answers on the seed in one chunk, worked out once."""
    known: dict[tuple[str, str], list[object]] = {}

    def answers_for(name: str, selection: str) -> list[object]:
        if (name, selection) not in known:
            keep = SELECTIONS[selection](seed_inputs.papers)
            known[name, selection] = answers(name, select(seed_inputs, keep))
        return known[name, selection]
    return answers_for


def test_every_call_names_a_compute_function():
    assert len(COMPUTE) > 20
    assert not set(CALLS) - set(COMPUTE), "a function in CALLS was renamed or removed"


@pytest.mark.parametrize("name", COMPUTE)
@settings(max_examples=20, deadline=None, phases=[p for p in Phase if p is not Phase.explain])
@given(data=st.data())
def test_chunks_never_change_an_answer(name: str, seed_inputs: Inputs, one_chunk_answers,
                                       data: st.DataObject):
    """A filter's selection of the seed, then random chunks in every column of every input."""
    selection = data.draw(st.sampled_from([*SELECTIONS, "some papers"]))
    if selection == "some papers":
        keep = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1))).random(
            len(seed_inputs.papers)) < 0.5
        expected = answers(name, select(seed_inputs, keep))
    else:
        keep = SELECTIONS[selection](seed_inputs.papers)
        expected = one_chunk_answers(name, selection)
    chunks = select(seed_inputs, keep).map(lambda frame: data.draw(chunked(frame)))
    assert_same_answers(name, chunks, expected)
