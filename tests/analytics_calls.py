"""Every public ``compute_*`` of ``papertrends.analytics``, and how to call each, for tests
that compare their answers on the same papers in different shapes.

The functions are found by introspection, so a new one is covered as soon as it exists; one
that needs more than the papers gets its arguments in ``CALLS`` (how the pages call it).
"""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, fields
from functools import cached_property

import numpy as np
import pandas as pd

import papertrends.analytics
from papertrends.analytics.github import compute_repository_facts
from papertrends.analytics.keywords import compute_term_frequencies
from papertrends.analytics.periods import as_days
from papertrends.analytics.table import SORT_KEYS
from papertrends.collection.loaded import Collection
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

    @cached_property
    def topic_matrix(self) -> pd.DataFrame:
        """Papers x topics booleans, as the collection of these papers has them."""
        return Collection(self.papers).topic_matrix

    @cached_property
    def top_terms(self) -> list[str]:
        """The 12 most widespread terms, as the Keywords page lists them."""
        return compute_term_frequencies(self.term_index, self.every_paper, top=12)[
            "term"].tolist()

    @property
    def halves(self) -> tuple[np.ndarray, np.ndarray]:
        """Papers published from 2025-06 on, and those published before: two selections."""
        days = as_days(self.papers["published"])
        return days >= np.datetime64("2025-06-01"), days < np.datetime64("2025-06-01")


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
    "compute_term_frequencies": [lambda i: ((i.term_index, i.every_paper), {"top": 20})],
    "compute_distinctive_terms": [lambda i: ((i.term_index, *i.halves), {}),
                                  lambda i: ((i.term_index, *i.halves),
                                             {"min_papers": 1, "top": 3})],
    "compute_distinctive_topics": [lambda i: ((i.topic_matrix, *i.halves), {"min_papers": 1})],
    "compute_term_engagement": [
        lambda i: ((i.term_index, i.every_paper, i.papers["upvotes"], i.top_terms), {}),
        lambda i: ((i.term_index, i.halves[0], i.papers["upvotes"], i.top_terms[::-1]), {})],
    "compute_term_papers": [
        lambda i: ((i.term_index, i.every_paper, i.papers, (i.top_terms or ["none"])[0]), {}),
        lambda i: ((i.term_index, i.halves[1], i.papers, (i.top_terms or ["none"])[-1]),
                   {"n": 3})],
    "compute_term_bursts": [
        lambda i: ((i.term_index, i.every_paper, i.papers["published"], "month"),
                   {"min_papers": 2, "gamma": 0.5}),
        lambda i: ((i.term_index, i.halves[1], i.papers["published"], "quarter"),
                   {"through": dt.date(2025, 3, 31), "gamma": 0.1, "top": 5})],
    "compute_topic_bursts": [
        lambda i: ((i.topic_matrix, i.every_paper, i.papers["published"], "month"),
                   {"gamma": 0.5}),
        lambda i: ((i.topic_matrix, i.halves[0], i.papers["published"], "week"),
                   {"through": dt.date(2025, 10, 5), "gamma": 0.1, "s": 1.5})],
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
