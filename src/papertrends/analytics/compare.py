"""Which terms or topics set one selection of papers apart from another.

The statistic is the z-score of the weighted log-odds ratio with an informative Dirichlet
prior (Monroe, Colaresi & Quinn 2008, "Fightin' Words", eq. 16-22), on papers: for a term w,
y_a of the n_a papers of selection A contain it and y_b of the n_b papers of B, and

    delta_w = log((y_a + a_w) / (n_a + a_0 - y_a - a_w))
              - log((y_b + a_w) / (n_b + a_0 - y_b - a_w))                    (eq. 16)
    var_w  ~= 1 / (y_a + a_w) + 1 / (n_a + a_0 - y_a - a_w)
              + 1 / (y_b + a_w) + 1 / (n_b + a_0 - y_b - a_w)                 (eq. 18-20)
    z_w     = delta_w / sqrt(var_w)                                           (eq. 22)

The prior is the collection's own make-up: a_0 is ``prior_size`` and a_w = a_0 * share_w,
share_w the share of the whole collection's papers containing w. So the prior counts as
``prior_size`` papers of the collection's average make-up added to each side: it pulls a
term seen in three papers of A and none of B towards "no difference", and hardly moves a
term seen in thousands. Where the change in share ranks first the frequent terms that moved
a little ("language models" 40% -> 44%), z ranks above them a rare term that grew fivefold
(0.5% -> 2.5%), and a term whose share did not move scores about 0.

Each term is the two-outcome case of the paper's model: a paper contains the term or not,
with a Beta (two-category Dirichlet) prior, so delta has the sign of the change in the share
of papers the pages show, and one abstract repeating a word ten times is one paper's
evidence. Monroe et al. count words among millions of words, where y is tiny beside n and
eq. 20 keeps only 1 / (y + a_w); a term can be in 40% of papers, so the complement's part of
the variance, 1 / (n + a_0 - y - a_w), is kept. Positive z means more typical of A, negative
of B; |z| above 1.96 is a difference that two selections drawn alike would show less than
one time in twenty (for one term: among thousands, some reach it by chance).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from papertrends.indexes.terms import TermIndex

# The prior counts as this many papers of the collection's make-up added to each side: small
# beside a window of a few hundred papers, large beside a term seen in two or three.
DEFAULT_PRIOR_SIZE = 100.0
DEFAULT_MIN_PAPERS = 3
DEFAULT_TOP = 20
Z_NOTABLE = 1.96  # two-sided 5%: the pages draw weaker differences lighter

COLUMNS = ("papers_a", "papers_b", "share_a", "share_b", "delta", "z")


def log_odds_z(papers_a: np.ndarray, papers_b: np.ndarray, n_a: int, n_b: int,
               shares: np.ndarray, prior_size: float) -> tuple[np.ndarray, np.ndarray]:
    """(delta, z) per term: eq. 16-22 as in the module, a_w = prior_size * shares."""
    if prior_size <= 0:
        raise ValueError(f"prior_size must be positive, not {prior_size}")
    shares = np.asarray(shares, dtype=np.float64)
    if ((shares <= 0) | (shares >= 1)).any():
        raise ValueError("every prior share must be between 0 and 1")
    prior = prior_size * shares
    with_a = np.asarray(papers_a, dtype=np.float64) + prior
    with_b = np.asarray(papers_b, dtype=np.float64) + prior
    without_a = n_a + prior_size - with_a
    without_b = n_b + prior_size - with_b
    delta = np.log(with_a) - np.log(without_a) - np.log(with_b) + np.log(without_b)
    z = delta / np.sqrt(1 / with_a + 1 / without_a + 1 / with_b + 1 / without_b)
    return delta, z


def compute_distinctive_terms(index: TermIndex, mask_a: np.ndarray, mask_b: np.ndarray, *,
                              prior_size: float = DEFAULT_PRIOR_SIZE,
                              min_papers: int = DEFAULT_MIN_PAPERS,
                              top: int | None = DEFAULT_TOP) -> pd.DataFrame:
    """Terms most typical of the papers under ``mask_a`` against those under ``mask_b``
    (any two selections of the index's rows, overlapping or not).

    Columns: term (as usually written), papers_a, papers_b (papers of each selection with the
    term), share_a, share_b (of each selection's papers), delta (the log-odds ratio) and z
    (see the module). Terms in fewer than ``min_papers`` papers of A and of B alike are left
    out. ``top`` terms with the highest z (more typical of A) and ``top`` with the lowest
    (more typical of B), or every kept term when None; sorted by z, highest first. Empty
    when either selection has no paper: there is nothing to compare.
    """
    mask_a, mask_b = np.asarray(mask_a, dtype=bool), np.asarray(mask_b, dtype=bool)
    n_papers_a, n_papers_b = int(mask_a.sum()), int(mask_b.sum())
    if not n_papers_a or not n_papers_b or index.n_terms == 0:
        return _empty("term")
    if (mask_a & mask_b).any():
        papers_a, papers_b = index.totals(mask_a)[0], index.totals(mask_b)[0]
    else:  # two windows, say: one pass over their rows' counts, not two over every row
        papers_a, papers_b = index.papers_by_group(
            np.where(mask_a, 0, np.where(mask_b, 1, -1)), 2)
    everywhere, _ = index.totals()
    frame = _compared(papers_a, papers_b, everywhere / index.n_papers, n_papers_a,
                      n_papers_b, prior_size, min_papers, top)
    frame.insert(0, "term", pd.Series(index.labels[frame.pop("column").to_numpy()],
                                      dtype=str))
    return frame


def compute_distinctive_topics(topic_matrix: pd.DataFrame, mask_a: np.ndarray,
                               mask_b: np.ndarray, *, prior_size: float = DEFAULT_PRIOR_SIZE,
                               min_papers: int = DEFAULT_MIN_PAPERS) -> pd.DataFrame:
    """The same statistic for topics: ``topic_matrix`` is papers x topics booleans over the
    whole collection (``Collection.topic_matrix``), the masks select rows of it. Columns as
    ``compute_distinctive_terms`` with topic for term; every topic kept, by z."""
    mask_a, mask_b = np.asarray(mask_a, dtype=bool), np.asarray(mask_b, dtype=bool)
    n_papers_a, n_papers_b = int(mask_a.sum()), int(mask_b.sum())
    if not n_papers_a or not n_papers_b or topic_matrix.shape[1] == 0:
        return _empty("topic")
    matrix = topic_matrix.to_numpy(dtype=bool)
    papers_a = matrix[mask_a].sum(axis=0)
    papers_b = matrix[mask_b].sum(axis=0)
    frame = _compared(papers_a, papers_b, matrix.mean(axis=0), n_papers_a, n_papers_b,
                      prior_size, min_papers, None)
    frame.insert(0, "topic", pd.Series(np.asarray(topic_matrix.columns, dtype=object)[
        frame.pop("column").to_numpy()], dtype=str))
    return frame


def _compared(papers_a: np.ndarray, papers_b: np.ndarray, shares: np.ndarray,
              n_papers_a: int, n_papers_b: int, prior_size: float, min_papers: int,
              top: int | None) -> pd.DataFrame:
    """The kept columns' rows, with the statistic, sorted by z (then papers, then column)."""
    # A column in no paper of the collection (a vocabulary entry only a replaced text had)
    # is in neither selection; one in every paper cannot be more or less typical of either.
    shares = np.asarray(shares, dtype=np.float64)
    live = np.flatnonzero((shares > 0) & (shares < 1))
    papers_a, papers_b = np.asarray(papers_a)[live], np.asarray(papers_b)[live]
    delta, z = log_odds_z(papers_a, papers_b, n_papers_a, n_papers_b, shares[live],
                          prior_size)
    total = papers_a + papers_b
    kept = np.flatnonzero(np.maximum(papers_a, papers_b) >= max(1, min_papers))
    if top is not None:
        rising, falling = kept[z[kept] > 0], kept[z[kept] < 0]
        kept = np.concatenate([_ranked(rising, -z[rising], total[rising], top),
                               _ranked(falling, z[falling], total[falling], top)])
    kept = _ranked(kept, -z[kept], total[kept], None)
    return pd.DataFrame({
        "column": live[kept],
        "papers_a": papers_a[kept].astype("int64"),
        "papers_b": papers_b[kept].astype("int64"),
        "share_a": papers_a[kept] / n_papers_a,
        "share_b": papers_b[kept] / n_papers_b,
        "delta": delta[kept],
        "z": z[kept],
    })


def _ranked(columns: np.ndarray, keys: np.ndarray, total: np.ndarray, top: int | None
            ) -> np.ndarray:
    """``columns`` by key, then most papers, then column; the first ``top`` (all: None).
    A partition first: only the candidates for the cut are sorted."""
    if top is not None and len(columns) > top:
        if top <= 0:
            return columns[:0]
        near = keys <= np.partition(keys, top - 1)[top - 1]  # ties at the cut stay
        columns, keys, total = columns[near], keys[near], total[near]
    order = np.lexsort((columns, -total, keys))
    return columns[order][:top]


def _empty(label: str) -> pd.DataFrame:
    return pd.DataFrame({label: pd.Series(dtype=str),
                         **{name: pd.Series(dtype="int64" if name.startswith("papers")
                                            else "float64") for name in COLUMNS}})
