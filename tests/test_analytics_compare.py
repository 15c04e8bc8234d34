"""The weighted log-odds ratio with an informative Dirichlet prior (analytics.compare): the
formula itself, its symmetries, and planted truth the change in share gets wrong."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from papertrends.analytics.compare import (
    compute_distinctive_terms,
    compute_distinctive_topics,
    log_odds_z,
)
from papertrends.indexes.terms import TermIndex


def index_of(rows: list[dict[str, int]]) -> TermIndex:
    """A term index from {term: occurrences} per paper, terms in sorted order."""
    terms = sorted({term for row in rows for term in row})
    column = {term: k for k, term in enumerate(terms)}
    entries = [(i, column[t], n) for i, row in enumerate(rows) for t, n in row.items()]
    matrix = sp.csr_matrix(([n for *_, n in entries], ([i for i, *_ in entries],
                                                      [k for _, k, _ in entries])),
                           shape=(len(rows), len(terms)), dtype=np.int32)
    return TermIndex(matrix, np.array(terms, dtype=object))


def by_term(frame: pd.DataFrame) -> dict[str, pd.Series]:
    return {row.term: row for row in frame.itertuples(index=False)}


def direct(y_a: float, y_b: float, n_a: float, n_b: float, alpha: float, alpha0: float
           ) -> tuple[float, float]:
    """Eq. 16-22 written out for one term: y of n papers, pseudo-counts alpha of alpha0."""
    delta = (math.log((y_a + alpha) / (n_a + alpha0 - y_a - alpha))
             - math.log((y_b + alpha) / (n_b + alpha0 - y_b - alpha)))
    variance = (1 / (y_a + alpha) + 1 / (n_a + alpha0 - y_a - alpha)
                + 1 / (y_b + alpha) + 1 / (n_b + alpha0 - y_b - alpha))
    return delta, delta / math.sqrt(variance)


# Six papers: A is the first three, B the last three.
SMALL = [{"agents": 2, "tools": 1}, {"agents": 1, "vision": 1}, {"agents": 1, "tools": 3},
         {"vision": 1, "tools": 1}, {"vision": 2}, {"agents": 1, "vision": 1, "speech": 1}]
A = np.array([True, True, True, False, False, False])
B = ~A


def test_the_statistic_is_the_formula_on_papers_with_the_collection_as_prior():
    index = index_of(SMALL)
    prior_size = 4.0
    result = by_term(compute_distinctive_terms(index, A, B, prior_size=prior_size,
                                               min_papers=1, top=None))
    present = (index.counts.toarray() > 0).astype(int)
    y_a, y_b = present[A].sum(axis=0), present[B].sum(axis=0)  # papers, not occurrences
    alphas = prior_size * present.sum(axis=0) / len(SMALL)
    assert list(index.terms) == ["agents", "speech", "tools", "vision"]
    for k, term in enumerate(index.terms):
        delta, z = direct(y_a[k], y_b[k], 3, 3, alphas[k], prior_size)
        row = result[term]
        assert (row.papers_a, row.papers_b) == (y_a[k], y_b[k])
        assert (row.share_a, row.share_b) == (y_a[k] / 3, y_b[k] / 3)
        assert row.delta == pytest.approx(delta, rel=1e-12)
        assert row.z == pytest.approx(z, rel=1e-12)
    # agents: 3 of A, 1 of B; vision 1 of A, 3 of B; each other's mirror image.
    assert result["agents"].z > 0 > result["vision"].z
    assert result["agents"].z == pytest.approx(-result["vision"].z)


def test_log_odds_z_by_hand():
    # a_w = 4 * 0.5 = 2: log(5 / (6 + 4 - 5)) - log(3 / (6 + 4 - 3)) = log(1) - log(3/7)
    delta, z = log_odds_z(np.array([3, 1]), np.array([1, 3]), 6, 6, np.array([0.5, 0.5]), 4)
    assert delta[0] == pytest.approx(math.log(7 / 3))
    assert z[0] == pytest.approx(math.log(7 / 3) / math.sqrt(1 / 5 + 1 / 5 + 1 / 3 + 1 / 7))
    assert delta[1] == pytest.approx(-delta[0]) and z[1] == pytest.approx(-z[0])
    for shares, size in (([0.0], 4), ([1.0], 4), ([0.5], 0)):
        with pytest.raises(ValueError):
            log_odds_z(np.array([1]), np.array([1]), 2, 2, np.array(shares), size)


def test_a_term_equal_in_both_scores_zero_and_one_only_in_a_scores_high():
    rows = ([{"steady": 1, "new": 1}] * 40 + [{"steady": 1}] * 10 + [{"filler": 1}] * 50
            + [{"steady": 1, "old": 1}] * 40 + [{"steady": 1}] * 10 + [{"filler": 1}] * 50)
    first = np.arange(200) < 100
    result = by_term(compute_distinctive_terms(index_of(rows), first, ~first, top=None))
    assert result["steady"].z == pytest.approx(0.0, abs=1e-9)
    assert result["filler"].z == pytest.approx(0.0, abs=1e-9)
    assert (result["new"].papers_a, result["new"].papers_b) == (40, 0)
    # By hand: a_new = 100 * 40/200 = 20, a_0 = 100, n = 100 papers each:
    # delta = log(60 / (100 + 100 - 60)) - log(20 / (100 + 100 - 20)).
    assert result["new"].delta == pytest.approx(math.log(60 * 180 / (140 * 20)))
    assert result["new"].z == pytest.approx(result["new"].delta / math.sqrt(
        1 / 60 + 1 / 140 + 1 / 20 + 1 / 180))
    assert result["new"].z > 4
    assert result["old"].z == pytest.approx(-result["new"].z)


def test_swapping_the_selections_flips_every_sign():
    rng = np.random.default_rng(3)
    rows = [{f"t{k}": 1 for k in np.flatnonzero(rng.random(30) < 0.2 + 0.02 * (i % 7))}
            for i in range(300)]
    index = index_of(rows)
    first = rng.random(300) < 0.4
    second = ~first & (rng.random(300) < 0.8)
    forward = compute_distinctive_terms(index, first, second, min_papers=1, top=None)
    backward = compute_distinctive_terms(index, second, first, min_papers=1, top=None)
    forward, backward = forward.set_index("term"), backward.set_index("term").loc[
        forward["term"]]
    assert np.allclose(forward["z"], -backward["z"], rtol=0, atol=1e-12)
    assert np.allclose(forward["delta"], -backward["delta"], rtol=0, atol=1e-12)
    assert (forward["papers_a"] == backward["papers_b"]).all()
    assert backward["z"].iloc[::-1].is_monotonic_decreasing


def test_min_papers_and_top_pick_rising_and_falling_terms():
    rows = ([{"big": 1, "rare": 1}] * 2 + [{"big": 1}] * 48
            + [{"small": 1}] * 10 + [{"filler": 1}] * 40)
    first = np.arange(100) < 50
    index = index_of(rows)
    everything = compute_distinctive_terms(index, first, ~first, min_papers=1, top=None)
    assert set(everything["term"]) == {"big", "rare", "small", "filler"}
    assert everything["z"].is_monotonic_decreasing
    # min_papers counts the papers of the selection where the term is commoner
    kept = compute_distinctive_terms(index, first, ~first, min_papers=3, top=None)
    assert set(kept["term"]) == {"big", "small", "filler"}
    assert compute_distinctive_terms(index, first, ~first, min_papers=11, top=None)[
        "term"].tolist() == ["big", "filler"]
    # top: the best of each side
    ends = compute_distinctive_terms(index, first, ~first, min_papers=1, top=1)
    assert ends["term"].tolist() == ["big", "filler"]
    assert ends["z"].iloc[0] > 0 > ends["z"].iloc[1]


def test_a_rare_term_growing_fivefold_beats_a_frequent_one_growing_a_little():
    """Planted truth (issue 16): 0.5% -> 2.5% beats 40% -> 44%, which the change in share
    ranks first; a term constant at 40% is neither rising nor falling."""
    rng = np.random.default_rng(16)
    per_window = 2000
    rows = []
    for rare, frequent in [(10, 800), (50, 880)]:  # previous window, recent window
        for i in range(per_window):
            row = {f"filler {k}": 1 for k in rng.choice(200, 10, replace=False)}
            row.update({"rare": 1} if i < rare else {})
            row.update({"frequent": 1} if per_window - i <= frequent else {})
            row.update({"constant": 1} if i % 5 < 2 else {})
            rows.append(row)
    recent = np.arange(2 * per_window) >= per_window
    index = index_of(rows)
    result = compute_distinctive_terms(index, recent, ~recent, top=None)
    terms = by_term(result)
    assert (terms["rare"].share_b, terms["rare"].share_a) == (0.005, 0.025)
    assert (terms["frequent"].share_b, terms["frequent"].share_a) == (0.40, 0.44)
    assert terms["constant"].share_a == terms["constant"].share_b == 0.40
    change = {t: r.share_a - r.share_b for t, r in terms.items()}
    assert change["frequent"] > change["rare"], "the share difference ranks them the other way"
    assert result["term"].iloc[0] == "rare"
    assert terms["rare"].z > terms["frequent"].z + 1 > 1
    assert abs(terms["constant"].z) < 1
    rising = compute_distinctive_terms(index, recent, ~recent, top=5)
    assert "constant" not in rising["term"].head(3).tolist()


def test_nothing_to_compare_is_an_empty_frame():
    index = index_of(SMALL)
    none = np.zeros(6, dtype=bool)
    for frame in (compute_distinctive_terms(index, none, B),
                  compute_distinctive_terms(index, A, none)):
        assert frame.empty
        assert list(frame.columns) == ["term", "papers_a", "papers_b", "share_a", "share_b",
                                       "delta", "z"]
    with pytest.raises(ValueError):
        compute_distinctive_terms(index, A, B, prior_size=0)


def test_topics_use_the_same_statistic():
    matrix = pd.DataFrame({"Agents": [1, 1, 1, 0, 0, 1], "Vision": [0, 1, 0, 1, 1, 1],
                           "Speech": [0, 0, 0, 0, 0, 0]}, dtype=bool)
    prior_size = 4.0
    result = compute_distinctive_topics(matrix, A, B, prior_size=prior_size, min_papers=1)
    assert result["topic"].tolist() == ["Agents", "Vision"]  # Speech: in no paper
    y_a, y_b = np.array([3, 1]), np.array([1, 3])
    alphas = prior_size * np.array([4, 4]) / 6
    for k, row in enumerate(result.itertuples(index=False)):
        delta, z = direct(y_a[k], y_b[k], 3, 3, alphas[k], prior_size)
        assert (row.papers_a, row.papers_b) == (y_a[k], y_b[k])
        assert row.delta == pytest.approx(delta) and row.z == pytest.approx(z)
    swapped = compute_distinctive_topics(matrix, B, A, prior_size=prior_size, min_papers=1)
    assert swapped["topic"].tolist() == ["Vision", "Agents"]
    assert np.allclose(swapped["z"], result["z"])  # mirror images: the same z, names swapped
    assert compute_distinctive_topics(matrix, A, np.zeros(6, bool)).empty
