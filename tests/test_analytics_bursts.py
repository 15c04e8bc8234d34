"""Kleinberg's burst detection (analytics.bursts): the Viterbi states against every state
sequence of tiny inputs, planted bursts found where they were planted, none in a flat series."""

from __future__ import annotations

import datetime as dt
import itertools
import math

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from papertrends.analytics.bursts import (
    burst_states,
    compute_term_bursts,
    compute_topic_bursts,
    enumerate_bursts,
)
from papertrends.indexes.terms import TermIndex


def full_cost(i: int, r: int, d: int, p: float) -> float:
    """sigma(i, r, d) of the paper, the binomial coefficient included."""
    log_binomial = math.lgamma(d + 1) - math.lgamma(r + 1) - math.lgamma(d - r + 1)
    return -(log_binomial + r * math.log(p) + (d - r) * math.log1p(-p))


def brute_force(r: list[int], d: list[int], s: float, gamma: float
                ) -> tuple[float, list[tuple[int, ...]]]:
    """The least cost over every state sequence, and the sequences that reach it."""
    p0 = sum(r) / sum(d)
    rates = (p0, min(s * p0, 1 - 1e-9))
    up = gamma * math.log(len(r))
    costs = {}
    for states in itertools.product((0, 1), repeat=len(r)):
        previous, total = 0, 0.0
        for state, r_t, d_t in zip(states, r, d, strict=True):
            total += full_cost(state, r_t, d_t, rates[state]) + (up if state > previous else 0)
            previous = state
        costs[states] = total
    best = min(costs.values())
    return best, [states for states, cost in costs.items() if cost - best < 1e-9]


def sequence_cost(states: tuple[int, ...], r, d, s, gamma) -> float:
    p0 = sum(r) / sum(d)
    rates = (p0, min(s * p0, 1 - 1e-9))
    previous, total = 0, 0.0
    for state, r_t, d_t in zip(states, r, d, strict=True):
        total += full_cost(state, r_t, d_t, rates[state])
        total += gamma * math.log(len(r)) if state > previous else 0
        previous = state
    return total


@pytest.mark.parametrize("seed", range(12))
def test_the_states_are_the_cheapest_sequence_of_all(seed):
    rng = np.random.default_rng(seed)
    n_periods = int(rng.integers(2, 8))
    d = rng.integers(1, 30, size=n_periods)
    r = np.stack([rng.binomial(d, rng.uniform(0.05, 0.6, size=n_periods))
                  for _ in range(6)], axis=1)
    r[:, 0] = np.minimum(d, np.r_[np.zeros(n_periods // 2, int), d[n_periods // 2:]])  # a jump
    r = r[:, r.sum(axis=0) > 0]
    s, gamma = float(rng.choice([1.5, 2.0, 3.0])), float(rng.choice([0.5, 1.0, 2.0]))
    states = burst_states(r, d, s=s, gamma=gamma)
    for k in range(r.shape[1]):
        column = [int(v) for v in r[:, k]]
        best, optimal = brute_force(column, d.tolist(), s, gamma)
        found = tuple(int(v) for v in states[:, k])
        assert sequence_cost(found, column, d.tolist(), s, gamma) == pytest.approx(best)
        assert found in optimal


def test_strength_is_the_saving_of_the_burst_state_over_its_run():
    d = np.array([50] * 12)
    r = np.array([[1], [1], [1], [1], [9], [10], [8], [1], [1], [1], [1], [1]])
    [burst] = enumerate_bursts(r, d).to_dict("records")
    assert (burst["first"], burst["last"]) == (4, 6)
    assert (burst["papers"], burst["period_papers"]) == (27, 150)
    p0 = r.sum() / d.sum()
    saving = sum(full_cost(0, int(r[t, 0]), 50, p0) - full_cost(1, int(r[t, 0]), 50, 2 * p0)
                 for t in (4, 5, 6))
    assert burst["strength"] == pytest.approx(saving)


def planted(weeks: int = 52, burst: tuple[int, int] = (20, 30), seed: int = 0):
    """Weekly counts: 200 papers a week, a term in 1% of them, 4% in the burst weeks."""
    rng = np.random.default_rng(seed)
    d = np.full(weeks, 200)
    rate = np.full(weeks, 0.01)
    rate[burst[0]:burst[1] + 1] = 0.04
    return rng.binomial(d, rate)[:, None], d


def test_a_planted_burst_is_found_from_its_start_to_its_end():
    r, d = planted()
    found = enumerate_bursts(r, d)
    assert len(found) == 1
    assert abs(found["first"].iloc[0] - 20) <= 1 and abs(found["last"].iloc[0] - 30) <= 1


def test_a_flat_series_has_no_burst():
    d = np.full(52, 200)
    assert enumerate_bursts(np.full((52, 1), 4), d).empty
    noisy = np.random.default_rng(5).binomial(d, 0.02)[:, None]  # chance ups and downs only
    assert enumerate_bursts(noisy, d).empty


def test_a_higher_gamma_keeps_fewer_bursts():
    rng = np.random.default_rng(2)
    d = np.full(80, 100)
    rate = np.full(80, 0.02)
    for start in (5, 20, 33, 50, 70):  # bumps of several lengths and heights
        rate[start:start + 1 + start % 4] = 0.02 * (2 + start % 3)
    r = rng.binomial(d[:, None], np.stack([rate, rate[::-1], np.roll(rate, 7)], axis=1))
    counts = [len(enumerate_bursts(r, d, gamma=gamma)) for gamma in (0.0, 0.5, 1, 2, 4, 8)]
    assert counts == sorted(counts, reverse=True)
    assert counts[0] > counts[-1]


def test_a_period_without_papers_neither_starts_nor_ends_a_burst():
    d = np.array([0, 0, 40, 40, 40, 0, 40, 40, 0, 0])
    r = np.array([0, 0, 1, 1, 12, 0, 12, 1, 0, 0])[:, None]
    [burst] = enumerate_bursts(r, d).to_dict("records")
    assert (burst["first"], burst["last"]) == (4, 6)  # through the empty week, not beyond


def test_the_parameters_are_checked():
    with pytest.raises(ValueError):
        burst_states(np.ones((3, 1)), np.full(3, 4), s=1.0)
    with pytest.raises(ValueError):
        burst_states(np.ones((3, 1)), np.full(3, 4), gamma=-1)


# -- terms and topics of papers ------------------------------------------------------------

MONDAY = dt.date(2025, 1, 6)


def planted_papers(seed: int = 0):
    """52 weeks of 100 papers; "burst" in 1% of them, 5% in weeks 20-30 (at random);
    "steady" in exactly 30% every week, each filler in 10%; the week after the last is only
    begun (ten papers, all with "burst")."""
    rng = np.random.default_rng(seed)
    dates, rows = [], []
    for week in range(52):
        for paper in range(100):
            dates.append(MONDAY + dt.timedelta(days=7 * week + paper % 7))
            terms = {2 + (paper + week) % 10}  # one filler each, every filler 10% a week
            if rng.random() < (0.05 if 20 <= week <= 30 else 0.01):
                terms.add(0)
            if (paper + week) % 10 < 3:
                terms.add(1)
            rows.append(sorted(terms))
    for paper in range(10):
        dates.append(MONDAY + dt.timedelta(days=7 * 52 + paper % 2))
        rows.append([0])
    entries = [(i, k) for i, terms in enumerate(rows) for k in terms]
    matrix = sp.csr_matrix((np.ones(len(entries), np.int32),
                            ([i for i, _ in entries], [k for _, k in entries])),
                           shape=(len(rows), 12))
    names = np.array(["burst", "steady", *(f"filler {k}" for k in range(10))], dtype=object)
    published = pd.Series(pd.array(dates, dtype="date32[pyarrow]"))
    return TermIndex(matrix, names), published


def test_term_bursts_are_found_in_the_weeks_they_were_planted():
    index, published = planted_papers()
    mask = np.ones(index.n_papers, dtype=bool)
    through = MONDAY + dt.timedelta(days=7 * 52 - 1)  # the last Sunday: the last week over
    bursts = compute_term_bursts(index, mask, published, "week", through=through)
    assert bursts["term"].tolist() == ["burst"], "steady and the fillers never burst"
    row = bursts.iloc[0]
    assert abs((row.start.date() - (MONDAY + dt.timedelta(weeks=20))).days) <= 7
    assert abs((row.end.date() - (MONDAY + dt.timedelta(weeks=30, days=6))).days) <= 7
    assert row.start.weekday() == 0 and row.end.weekday() == 6  # whole weeks
    assert not row.ongoing
    assert row.share == pytest.approx(row.papers / row.period_papers)
    assert 0.005 < row.usual_share < 0.03
    # The begun week is left out with ``through``; counted, its ten of ten are a burst (one
    # week alone: at Kleinberg's gamma of 1, cheaper to enter than the default's).
    counted = compute_term_bursts(index, mask, published, "week", gamma=1.0)
    assert counted["ongoing"].any()
    assert bursts["period_papers"].sum() <= 52 * 100


def test_term_bursts_follow_the_mask_and_the_parameters():
    index, published = planted_papers(seed=1)
    weeks = (pd.to_datetime(published) - pd.Timestamp(MONDAY)).dt.days.to_numpy() // 7
    early = weeks < 15  # before the burst: nothing to find
    assert compute_term_bursts(index, early, published, "week").empty
    everything = np.ones(index.n_papers, dtype=bool)
    months = compute_term_bursts(index, everything, published, "month",
                                 through=dt.date(2025, 12, 31))
    assert months["term"].tolist() == ["burst"]
    assert months["start"].iloc[0].day == 1
    assert compute_term_bursts(index, everything, published, "week", min_papers=10_000).empty
    strict = compute_term_bursts(index, everything, published, "week", gamma=50)
    assert len(strict) <= 1
    assert compute_term_bursts(index, np.zeros(index.n_papers, bool), published, "week").empty


def test_topic_bursts_use_the_topic_matrix():
    index, published = planted_papers(seed=2)
    topics = pd.DataFrame({"Bursting": index.counts[:, 0].toarray().ravel() > 0,
                           "Steady": index.counts[:, 1].toarray().ravel() > 0,
                           "Never": np.zeros(index.n_papers, bool)})
    bursts = compute_topic_bursts(topics, np.ones(index.n_papers, bool), published, "week",
                                  through=MONDAY + dt.timedelta(days=7 * 52 - 1))
    assert bursts["topic"].tolist() == ["Bursting"]
    terms = compute_term_bursts(index, np.ones(index.n_papers, bool), published, "week",
                                through=MONDAY + dt.timedelta(days=7 * 52 - 1))
    assert bursts.drop(columns="topic").equals(terms.drop(columns="term"))
