"""Every analysis gives the same answer whatever Arrow chunks its columns arrive in.

A store grown by updates hands its columns to Arrow in several chunks (DuckDB returns the
updated rows as a chunk of their own), and pandas passes them on: a page that filters out
nothing gets the columns as loaded. The ``compute_*`` functions are found by introspection, so
a new one is covered as soon as it exists; one that needs more than the papers gets its
arguments in ``CALLS``.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from functools import cached_property

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from chunking import chunked, n_chunks, recombined
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

import papertrends.analytics
from papertrends.analytics.github import compute_repository_facts
from papertrends.analytics.table import SORT_KEYS
from papertrends.collection import schema
from papertrends.indexes.terms import TermIndex, build_term_index


@dataclass(frozen=True)
class Inputs:
    """What the pages hand the analytics: the papers and the store's side tables."""

    papers: pd.DataFrame
    snapshots: pd.DataFrame
    repositories: pd.DataFrame
    log: pd.DataFrame

    def map(self, change: Callable[[pd.DataFrame], pd.DataFrame]) -> Inputs:
        return Inputs(*(change(getattr(self, field.name)) for field in fields(self)))

    @cached_property
    def term_index(self) -> TermIndex:
        """Built from these papers, as a collection without a term cache builds it; over the
        titles, which are quick to count."""
        return build_term_index(self.papers, "titles")

    @property
    def every_paper(self) -> np.ndarray:
        return np.ones(len(self.papers), dtype=bool)


Call = Callable[[Inputs], tuple[tuple, dict]]


def papers(*args: object, **kwargs: object) -> Call:
    """A call with the papers, then these arguments."""
    return lambda inputs: ((inputs.papers, *args), kwargs)


PER_PERIOD = [papers("week"), papers("year")]
# How the pages call what needs more than the papers (pages/*.py), and limits small enough
# that the shipped page reaches the code behind them (samples, top-n cuts, ties at the cut).
CALLS: dict[str, list[Call]] = {
    "compute_papers_per_period": PER_PERIOD,
    "compute_topic_counts_per_period": PER_PERIOD,
    "compute_upvotes_per_period": PER_PERIOD,
    "compute_team_size_per_period": PER_PERIOD,
    "compute_code_per_period": PER_PERIOD,
    "compute_author_histogram": [papers(False), papers(True)],
    "compute_authors_vs_upvotes": [papers(), papers(max_points=10)],
    "compute_top_authors": [papers(3)],
    "compute_top_owners": [papers(15), papers(2)],
    "compute_upvotes_by_code": [papers(), papers(max_points=6)],
    "compute_code_papers": [papers(), papers(limit=4)],
    "compute_project_pages": [papers(), papers(limit=3)],
    "compute_project_hosts": [papers(2)],
    "compute_top_papers": [papers(10), papers(3)],
    "compute_paper_table": [papers(sort, limit=5) for sort in SORT_KEYS] + [papers(), (
        # as Explore calls it: the frame without abstracts, which are read for the rows shown
        lambda i: ((i.papers.drop(columns="abstract"), "Newest"),
                   {"abstracts": lambda rows: i.papers.loc[rows, "abstract"]}))],
    "compute_repository_facts": [lambda i: ((i.papers, i.repositories), {})],
    "compute_languages": [lambda i: ((compute_repository_facts(i.papers, i.repositories),), {})],
    "compute_source_summary": [lambda i: ((i.papers, i.log), {})],
    "compute_rising_papers": [lambda i: ((i.snapshots, i.papers), {"min_span": pd.Timedelta(0)})],
    "compute_paper_rates": [lambda i: ((i.snapshots,), {"min_span": pd.Timedelta(0)})],
    "compute_rising_terms": [
        lambda i, days=days: ((i.term_index, i.every_paper, i.papers["published"], days), {})
        for days in (30, 365)],
    "compute_term_frequencies": [lambda i: ((i.term_index, i.every_paper), {"top": 20})],
}


def compute_functions() -> dict[str, Callable[..., object]]:
    """Every public ``compute_*`` of every ``papertrends.analytics`` module."""
    found = {}
    for module in pkgutil.iter_modules(papertrends.analytics.__path__):
        loaded = importlib.import_module(f"papertrends.analytics.{module.name}")
        for name, function in inspect.getmembers(loaded, inspect.isfunction):
            if name.startswith("compute_") and function.__module__ == loaded.__name__:
                found[name] = function
    return found


COMPUTE = compute_functions()


def answers(name: str, inputs: Inputs) -> list[object]:
    """What ``name`` returns for each of its calls in ``CALLS`` (else for the papers alone)."""
    return [COMPUTE[name](*args, **kwargs)
            for args, kwargs in (call(inputs) for call in CALLS.get(name, [papers()]))]


def assert_same(actual: object, expected: object, where: str) -> None:
    """Equal to the last bit: frames by value and dtype, dicts key by key, scalars by type
    and repr (so NaN equals NaN and 1 is not 1.0)."""
    if isinstance(expected, pd.DataFrame):
        pd.testing.assert_frame_equal(actual, expected, check_exact=True, obj=where)
    elif isinstance(expected, dict):
        assert list(actual) == list(expected), where
        for key, value in expected.items():
            assert_same(actual[key], value, f"{where}[{key!r}]")
    else:
        assert (type(actual), repr(actual)) == (type(expected), repr(expected)), where


def assert_same_answers(name: str, inputs: Inputs, expected: list[object]) -> None:
    for number, (result, wanted) in enumerate(zip(answers(name, inputs), expected,
                                                  strict=True)):
        assert_same(result, wanted, f"{name}, call {number}")


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


@pytest.fixture(scope="module")
def grown_inputs(grown_store) -> Inputs:
    """The shape that broke the Trends page, from a real store: ``Store.load`` after an
    update that changed some papers' upvotes."""
    grown = Inputs(grown_store.load(), grown_store.snapshots(), grown_store.repositories(),
                   grown_store.ingest_log())
    assert all(n_chunks(grown.papers[name]) > 1 for name in grown.papers), \
        "the store no longer hands over chunks: build one that does"
    assert grown.papers["published"].notna().all()  # nothing a page drops recombines them
    return grown


@pytest.fixture(scope="module")
def grown_in_one_chunk(grown_inputs: Inputs) -> Inputs:
    return grown_inputs.map(recombined)


@pytest.mark.parametrize("name", COMPUTE)
def test_a_grown_store_gives_the_answers_of_one_chunk(name, grown_inputs, grown_in_one_chunk):
    assert_same_answers(name, grown_inputs, answers(name, grown_in_one_chunk))
