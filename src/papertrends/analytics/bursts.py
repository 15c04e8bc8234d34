"""Bursts: the periods in which a term or a topic was unusually common, by Kleinberg's burst
detection (J. Kleinberg, "Bursty and Hierarchical Structure in Streams", KDD 2002), in its
batched two-state form ("enumerating bursts", section 4 of the paper).

The papers arrive in batches, one per period: d_t papers in period t, r_t of them with the
term. The term is in one of two states. In state 0 a paper has it with the term's overall
rate, p0 = R / D (R and D the sums of r_t and d_t); in state 1, a burst, with p1 = s * p0
(kept below 1). Being in state i in period t costs

    sigma(i, t) = -ln( C(d_t, r_t) * p_i^r_t * (1 - p_i)^(d_t - r_t) ),

how unlikely the period's count is in that state; moving up from state 0 to state 1 costs
gamma * ln(n), n the number of periods, and moving down costs nothing. The states are the
cheapest sequence (Viterbi's algorithm, every term at once); a burst is a run of periods in
state 1, and its strength (Kleinberg's weight) is what state 1 saves over state 0 across the
run: sum of sigma(0, t) - sigma(1, t). A strong burst is long, far above the usual rate, or
both. The binomial coefficient is the same in both states, so it never changes the states
or a strength, and is left out.

The parameters, and why these defaults:

- ``s`` (default 2): how much commoner a term must be to be bursting. 2, the paper's value,
  asks for a doubled rate: a term at 1% of papers bursts when it nears 2%, not when one
  week's 1.3% is noise.
- ``gamma`` (default 1): how costly entering a burst is, in units of ln(n). 1, the paper's
  value, asks a one-period blip to be very unlikely at the usual rate before it counts;
  higher gammas keep fewer, longer, stronger bursts, lower ones more and shorter.

Only periods that are over are counted (``through``): a period that has only begun has few
papers, and its count says little.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from papertrends.analytics.periods import PERIODS, as_days, period_start
from papertrends.indexes.terms import TermIndex

DEFAULT_S = 2.0
DEFAULT_GAMMA = 1.0
DEFAULT_MIN_PAPERS = 5  # a term in fewer dated papers has no rate to burst from
DEFAULT_TOP = 30
MAX_TERMS = 5_000  # the most widespread terms are searched for bursts
_BLOCK = 2_048  # terms per Viterbi pass: bounded memory whatever the number of periods
_P1_CAP = 1 - 1e-9

COLUMNS = {"start": "datetime64[s]", "end": "datetime64[s]", "periods": "int64",
           "strength": "float64", "papers": "int64", "period_papers": "int64",
           "share": "float64", "usual_share": "float64", "ongoing": "bool"}


# -- the algorithm --------------------------------------------------------------------------

def state_costs(r: np.ndarray, d: np.ndarray, p: np.ndarray) -> np.ndarray:
    """sigma without the binomial coefficient: -(r ln p + (d - r) ln(1 - p)), per period and
    term; ``r`` is periods x terms, ``d`` per period, ``p`` per term."""
    r = np.asarray(r, dtype=np.float64)
    d = np.asarray(d, dtype=np.float64)[:, None]
    return -(r * np.log(p) + (d - r) * np.log1p(-p))


def burst_rates(r: np.ndarray, d: np.ndarray, s: float) -> tuple[np.ndarray, np.ndarray]:
    """(p0, p1) per term: the overall rate R / D and s times it, kept below 1."""
    p0 = np.asarray(r, dtype=np.float64).sum(axis=0) / float(np.sum(d))
    return p0, np.minimum(s * p0, _P1_CAP)


def burst_states(r: np.ndarray, d: np.ndarray, *, s: float = DEFAULT_S,
                 gamma: float = DEFAULT_GAMMA) -> np.ndarray:
    """The cheapest state sequence (True: in a burst), periods x terms, starting in state 0.

    ``r`` is periods x terms (papers with the term), ``d`` the papers per period; every term
    needs a rate between 0 and 1 (0 < R < D... R may equal D, p1 is then capped). On a tie
    the lower state wins, so a burst never starts or ends in a period without papers.
    """
    r = np.asarray(r, dtype=np.float64)
    d = np.asarray(d, dtype=np.float64)
    if s <= 1:
        raise ValueError(f"s must be above 1, not {s}")
    if gamma < 0:
        raise ValueError(f"gamma must not be negative, not {gamma}")
    n_periods = r.shape[0]
    p0, p1 = burst_rates(r, d, s)
    cost0, cost1 = state_costs(r, d, p0), state_costs(r, d, p1)
    up = gamma * np.log(n_periods) if n_periods > 1 else 0.0
    from_burst0 = np.zeros(r.shape, dtype=bool)  # state 0 at t was reached from state 1
    from_burst1 = np.zeros(r.shape, dtype=bool)  # state 1 at t was reached from state 1
    total0 = np.zeros(r.shape[1])
    total1 = np.full(r.shape[1], np.inf)
    for t in range(n_periods):
        from_burst0[t] = total1 < total0
        from_burst1[t] = total1 < total0 + up
        total0, total1 = (cost0[t] + np.minimum(total0, total1),
                          cost1[t] + np.minimum(total0 + up, total1))
    states = np.zeros(r.shape, dtype=bool)
    state = total1 < total0
    for t in range(n_periods - 1, -1, -1):
        states[t] = state
        state = np.where(state, from_burst1[t], from_burst0[t])
    return states


def enumerate_bursts(r: np.ndarray, d: np.ndarray, *, s: float = DEFAULT_S,
                     gamma: float = DEFAULT_GAMMA) -> pd.DataFrame:
    """Every burst of every column of ``r``: column, first and last period (positions),
    strength (state 1's saving over the run), papers (r over the run), period_papers (d)."""
    r = np.asarray(r, dtype=np.float64)
    d = np.asarray(d, dtype=np.float64)
    parts = []
    for first in range(0, r.shape[1], _BLOCK):
        block = r[:, first:first + _BLOCK]
        states = burst_states(block, d, s=s, gamma=gamma)
        p0, p1 = burst_rates(block, d, s)
        saving = state_costs(block, d, p0) - state_costs(block, d, p1)
        parts.append(_runs(states, saving, block, d, first))
    if not parts:
        return pd.DataFrame({"column": pd.Series(dtype="int64"), "first": pd.Series(dtype="int64"),
                             "last": pd.Series(dtype="int64"),
                             "strength": pd.Series(dtype="float64"),
                             "papers": pd.Series(dtype="int64"),
                             "period_papers": pd.Series(dtype="int64")})
    return pd.concat(parts, ignore_index=True)


def _runs(states: np.ndarray, saving: np.ndarray, r: np.ndarray, d: np.ndarray,
          first_column: int) -> pd.DataFrame:
    """The runs of True down each column, with sums over them from cumulative sums."""
    padded = np.zeros((states.shape[0] + 2, states.shape[1]), dtype=np.int8)
    padded[1:-1] = states
    steps = np.diff(padded, axis=0)
    start_column, start = np.nonzero(steps.T == 1)  # term-major: runs of a term in order
    _, stop = np.nonzero(steps.T == -1)  # one past the run's last period

    def over_run(values: np.ndarray) -> np.ndarray:
        cumulative = np.vstack([np.zeros((1, values.shape[1])), np.cumsum(values, axis=0)])
        return cumulative[stop, start_column] - cumulative[start, start_column]

    return pd.DataFrame({
        "column": start_column + first_column,
        "first": start, "last": stop - 1,
        "strength": over_run(saving),
        "papers": np.rint(over_run(r)).astype(np.int64),
        "period_papers": np.rint(over_run(np.broadcast_to(
            np.asarray(d, np.float64)[:, None], r.shape))).astype(np.int64),
    })


# -- per period counts ------------------------------------------------------------------------

def _period_codes(published: pd.Series, mask: np.ndarray, period: str,
                  through: dt.date | None) -> tuple[np.ndarray, pd.DatetimeIndex]:
    """Each row's period number (-1: unselected, undated or after ``through``) and the
    periods' starts, every period from the first selected to the last counted one."""
    starts = period_start(published, period).to_numpy()
    codes = np.full(len(starts), -1, dtype=np.int64)
    keep = np.asarray(mask, dtype=bool) & ~np.isnat(starts)
    if through is not None:
        keep &= as_days(published) <= np.datetime64(through)
    if not keep.any():
        return codes, pd.DatetimeIndex([])
    span = pd.period_range(starts[keep].min(), starts[keep].max(), freq=PERIODS[period])
    bounds = span.start_time.to_numpy().astype("datetime64[s]")
    codes[keep] = np.searchsorted(bounds, starts[keep].astype("datetime64[s]"))
    return codes, pd.DatetimeIndex(bounds)


def _period_ends(bounds: pd.DatetimeIndex, period: str) -> np.ndarray:
    """The last day of each period."""
    return (bounds.to_period(PERIODS[period]).end_time.normalize()
            .to_numpy().astype("datetime64[s]"))


def _bursts_frame(found: pd.DataFrame, labels: np.ndarray, label: str, bounds: pd.DatetimeIndex,
                  period: str, usual: np.ndarray, top: int | None) -> pd.DataFrame:
    if found.empty:
        return pd.DataFrame({label: pd.Series(dtype=str),
                             **{k: pd.Series(dtype=v) for k, v in COLUMNS.items()}})
    found = found.sort_values(["strength", "papers", "column", "first"],
                              ascending=[False, False, True, True], ignore_index=True)
    if top is not None:
        found = found.head(top)
    starts = bounds.to_numpy().astype("datetime64[s]")
    ends = _period_ends(bounds, period)
    return pd.DataFrame({
        label: pd.Series(labels[found["column"].to_numpy()], dtype=str),
        "start": starts[found["first"].to_numpy()],
        "end": ends[found["last"].to_numpy()],
        "periods": (found["last"] - found["first"] + 1).astype("int64"),
        "strength": found["strength"].astype("float64"),
        "papers": found["papers"].astype("int64"),
        "period_papers": found["period_papers"].astype("int64"),
        "share": found["papers"] / found["period_papers"].where(found["period_papers"] > 0),
        "usual_share": usual[found["column"].to_numpy()],
        "ongoing": (found["last"] == len(bounds) - 1).to_numpy(),
    })


def compute_term_bursts(index: TermIndex, mask: np.ndarray, published: pd.Series, period: str,
                        *, s: float = DEFAULT_S, gamma: float = DEFAULT_GAMMA,
                        min_papers: int = DEFAULT_MIN_PAPERS, top: int | None = DEFAULT_TOP,
                        through: dt.date | None = None,
                        max_terms: int = MAX_TERMS) -> pd.DataFrame:
    """The strongest bursts of terms among the masked papers, per ``period`` (week, month...).

    ``published`` is the whole collection's date column, aligned with the index rows; each
    period's selected papers are its d_t, its selected papers with the term its r_t.
    Papers dated after ``through`` (the last day of the last period that is over) are left
    out. The ``max_terms`` terms in most dated papers, each in at least ``min_papers``, are
    searched. Columns: term, start (first day of the burst), end (last day), periods,
    strength, papers (with the term in the burst), period_papers (all papers of those
    periods), share (papers / period_papers), usual_share (p0), ongoing (the burst reaches
    the last period counted); the ``top`` strongest first.
    """
    codes, bounds = _period_codes(published, mask, period, through)
    kept = codes >= 0
    if not len(bounds) or index.n_terms == 0:
        return _bursts_frame(pd.DataFrame(), np.array([]), "term", bounds, period,
                             np.array([]), top)
    papers, _ = index.totals(kept)
    candidates = np.flatnonzero(papers >= max(1, min_papers))
    if len(candidates) > max_terms:
        order = np.lexsort((candidates, -papers[candidates]))
        candidates = np.sort(candidates[order[:max_terms]])
    d = np.bincount(codes[kept], minlength=len(bounds))
    r = index.papers_by_group(codes, len(bounds), candidates)
    found = enumerate_bursts(r, d, s=s, gamma=gamma)
    found["column"] = candidates[found["column"].to_numpy()]
    usual = np.zeros(index.n_terms)
    usual[candidates] = papers[candidates] / d.sum()
    return _bursts_frame(found, np.asarray(index.labels), "term", bounds, period, usual, top)


def compute_topic_bursts(topic_matrix: pd.DataFrame, mask: np.ndarray, published: pd.Series,
                         period: str, *, s: float = DEFAULT_S, gamma: float = DEFAULT_GAMMA,
                         min_papers: int = DEFAULT_MIN_PAPERS, top: int | None = None,
                         through: dt.date | None = None) -> pd.DataFrame:
    """``compute_term_bursts`` for topics: ``topic_matrix`` is papers x topics booleans over
    the whole collection (``Collection.topic_matrix``); columns as there, topic for term."""
    codes, bounds = _period_codes(published, mask, period, through)
    kept = codes >= 0
    names = np.asarray(topic_matrix.columns, dtype=object)
    if not len(bounds) or not len(names):
        return _bursts_frame(pd.DataFrame(), names, "topic", bounds, period, np.array([]),
                             top)
    matrix = topic_matrix.to_numpy(dtype=bool)[kept]
    r = np.stack([np.bincount(codes[kept], weights=matrix[:, k], minlength=len(bounds))
                  for k in range(len(names))], axis=1)
    d = np.bincount(codes[kept], minlength=len(bounds))
    candidates = np.flatnonzero(r.sum(axis=0) >= max(1, min_papers))
    found = enumerate_bursts(r[:, candidates], d, s=s, gamma=gamma)
    found["column"] = candidates[found["column"].to_numpy()]
    return _bursts_frame(found, names, "topic", bounds, period, r.sum(axis=0) / d.sum(), top)
