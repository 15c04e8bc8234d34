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
- ``gamma`` (default 2): how costly entering a burst is, in units of ln(n). The paper's 1
  was for one stream; a collection has thousands of terms, and on 52 weekly counts of 2,000
  terms whose rate never changes (1% or 5% of ~200 papers a week, binomial noise only)
  gamma 1 finds a burst in 11-13% of them, gamma 1.5 in 1-2%, gamma 2 in 0.05-0.15%. At 2
  a listed burst is very unlikely to be chance; lower it to see shorter, weaker bursts.

Only periods that are over are counted (``through``): a period that has only begun has few
papers, and its count says little.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from papertrends.analytics.periods import PERIODS, as_days, period_start
from papertrends.indexes.terms import TermIndex

DEFAULT_S = 2.0
DEFAULT_GAMMA = 2.0
DEFAULT_MIN_PAPERS = 5  # a term in fewer dated papers has no rate to burst from
DEFAULT_TOP = 30
MAX_TERMS = 5_000  # the most widespread terms are searched for bursts
_BLOCK = 2_048  # terms per Viterbi pass: bounded memory whatever the number of periods
_P1_CAP = 1 - 1e-9

COLUMNS = {"start": "datetime64[s]", "end": "datetime64[s]", "periods": "int64",
           "strength": "float64", "papers": "int64", "period_papers": "int64",
           "share": "float64", "usual_share": "float64", "ongoing": "bool"}


# -- the algorithm --------------------------------------------------------------------------

def burst_rates(r: np.ndarray, d: np.ndarray, s: float) -> tuple[np.ndarray, np.ndarray]:
    """(p0, p1) per term: the overall rate R / D and s times it, kept below 1."""
    p0 = np.asarray(r, dtype=np.float64).sum(axis=0) / float(np.sum(d))
    return p0, np.minimum(s * p0, _P1_CAP)


def savings(r: np.ndarray, d: np.ndarray, s: float) -> np.ndarray:
    """sigma(0, t) - sigma(1, t) per period and term: what being in a burst saves.

    r ln(p1 / p0) + (d - r) ln((1 - p1) / (1 - p0)), two per-term constants times the
    counts; the binomial coefficients cancel. Every term needs 0 < p0 < 1.
    """
    r = np.asarray(r, dtype=np.float64)
    d = np.asarray(d, dtype=np.float64)[:, None]
    p0, p1 = burst_rates(r, d.ravel(), s)
    if ((p0 <= 0) | (p0 >= 1)).any():
        raise ValueError("every term needs a rate between 0 and 1 (in some papers, not all)")
    hit, miss = np.log(p1 / p0), np.log1p(-p1) - np.log1p(-p0)
    return r * (hit - miss) + d * miss


def _viterbi(saving: np.ndarray, up: float) -> np.ndarray:
    """The cheapest states for costs measured from state 0's (state 0 costs 0 in every
    period, state 1 costs -saving): subtracting the same amount from both states of a
    period changes no sequence's rank, so the states are those of sigma itself."""
    from_burst0 = np.zeros(saving.shape, dtype=bool)  # state 0 at t reached from state 1
    from_burst1 = np.zeros(saving.shape, dtype=bool)  # state 1 at t reached from state 1
    total0 = np.zeros(saving.shape[1])
    total1 = np.full(saving.shape[1], np.inf)
    for t in range(saving.shape[0]):
        np.less(total1, total0, out=from_burst0[t])
        np.less(total1, total0 + up, out=from_burst1[t])
        total0, total1 = np.minimum(total0, total1), np.minimum(total0 + up, total1) - saving[t]
    states = np.zeros(saving.shape, dtype=bool)
    state = total1 < total0
    for t in range(saving.shape[0] - 1, -1, -1):
        states[t] = state
        state = np.where(state, from_burst1[t], from_burst0[t])
    return states


def _entry_cost(n_periods: int, gamma: float, s: float) -> float:
    if s <= 1:
        raise ValueError(f"s must be above 1, not {s}")
    if gamma < 0:
        raise ValueError(f"gamma must not be negative, not {gamma}")
    return gamma * np.log(n_periods) if n_periods > 1 else 0.0


def burst_states(r: np.ndarray, d: np.ndarray, *, s: float = DEFAULT_S,
                 gamma: float = DEFAULT_GAMMA) -> np.ndarray:
    """The cheapest state sequence (True: in a burst), periods x terms, starting in state 0.

    ``r`` is periods x terms (papers with the term), ``d`` the papers per period. On a tie
    the lower state wins, so a burst never starts or ends in a period without papers.
    """
    r = np.asarray(r, dtype=np.float64)
    up = _entry_cost(r.shape[0], gamma, s)
    return _viterbi(savings(r, d, s), up)


def enumerate_bursts(r: np.ndarray, d: np.ndarray, *, s: float = DEFAULT_S,
                     gamma: float = DEFAULT_GAMMA) -> pd.DataFrame:
    """Every burst of every column of ``r``: column, first and last period (positions),
    strength (state 1's saving over the run), papers (r over the run), period_papers (d)."""
    r = np.asarray(r, dtype=np.float64)
    d = np.asarray(d, dtype=np.float64)
    up = _entry_cost(r.shape[0], gamma, s)
    parts = [pd.DataFrame({"column": pd.Series(dtype="int64"),
                           "first": pd.Series(dtype="int64"), "last": pd.Series(dtype="int64"),
                           "strength": pd.Series(dtype="float64"),
                           "papers": pd.Series(dtype="int64"),
                           "period_papers": pd.Series(dtype="int64")})]
    for first in range(0, r.shape[1], _BLOCK):
        block = r[:, first:first + _BLOCK]
        saving = savings(block, d, s)
        parts.append(_runs(_viterbi(saving, up), saving, block, d, first))
    return pd.concat(parts, ignore_index=True)


def _runs(states: np.ndarray, saving: np.ndarray, r: np.ndarray, d: np.ndarray,
          first_column: int) -> pd.DataFrame:
    """The runs of True down each column, with sums over them: cumulative sums of only the
    columns that have a run (most terms never burst)."""
    bursting = np.flatnonzero(states.any(axis=0))
    states, saving, r = states[:, bursting], saving[:, bursting], r[:, bursting]
    padded = np.zeros((states.shape[0] + 2, states.shape[1]), dtype=np.int8)
    padded[1:-1] = states
    steps = np.diff(padded, axis=0).T  # term-major: the runs of a term in order
    run_column, start = np.nonzero(steps == 1)
    _, stop = np.nonzero(steps == -1)  # one past the run's last period

    def over_run(values: np.ndarray) -> np.ndarray:
        cumulative = np.vstack([np.zeros((1, values.shape[1])), np.cumsum(values, axis=0)])
        return cumulative[stop, run_column] - cumulative[start, run_column]

    cumulative_d = np.concatenate([[0.0], np.cumsum(d)])
    return pd.DataFrame({
        "column": (bursting[run_column] + first_column).astype("int64"),
        "first": start.astype("int64"), "last": (stop - 1).astype("int64"),
        "strength": over_run(saving),
        "papers": np.rint(over_run(r)).astype(np.int64),
        "period_papers": np.rint(cumulative_d[stop] - cumulative_d[start]).astype(np.int64),
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


@dataclass(frozen=True)
class PeriodCounts:
    """What burst detection reads: per period its first and last day and its papers (d_t),
    and per kept term or topic (``labels``) its papers in each period (r_t, periods x
    labels). Worked out once per filter and period: s and gamma only rerun the detection."""

    starts: np.ndarray  # datetime64[s]
    ends: np.ndarray  # datetime64[s], the last day of each period
    papers: np.ndarray
    counts: np.ndarray
    labels: np.ndarray

    @property
    def usual(self) -> np.ndarray:
        """p0 of each label: its share of all the counted papers."""
        total = self.papers.sum()
        return self.counts.sum(axis=0) / total if total else np.zeros(len(self.labels))


def _period_counts(codes: np.ndarray, bounds: pd.DatetimeIndex, period: str,
                   counts: np.ndarray, labels: np.ndarray, min_papers: int) -> PeriodCounts:
    """The counts of labels with a rate to burst from: in ``min_papers`` papers or more, and
    not in every one of them."""
    papers = np.bincount(codes[codes >= 0], minlength=len(bounds))
    totals = counts.sum(axis=0)
    kept = (totals >= max(1, min_papers)) & (totals < papers.sum())
    ends = (bounds.to_period(PERIODS[period]).end_time.normalize().to_numpy()
            .astype("datetime64[s]")) if len(bounds) else np.array([], "datetime64[s]")
    return PeriodCounts(bounds.to_numpy().astype("datetime64[s]"), ends, papers,
                        counts[:, kept], np.asarray(labels, dtype=object)[kept])


def term_counts_per_period(index: TermIndex, mask: np.ndarray, published: pd.Series,
                           period: str, *, through: dt.date | None = None,
                           min_papers: int = DEFAULT_MIN_PAPERS,
                           max_terms: int = MAX_TERMS) -> PeriodCounts:
    """Per ``period`` (week, month...), the masked papers and the ``max_terms`` terms in most
    of them (each in at least ``min_papers``): papers with each term per period, one sparse
    product over the index (``papers_by_group``). ``published`` is the whole collection's
    dates, aligned with the index rows; papers dated after ``through`` are left out."""
    codes, bounds = _period_codes(published, mask, period, through)
    if not len(bounds) or index.n_terms == 0:
        return _period_counts(codes, bounds, period, np.zeros((len(bounds), 0)), np.array([]),
                              min_papers)
    kept = codes >= 0
    papers, _ = index.totals(kept)
    candidates = np.flatnonzero((papers >= max(1, min_papers)) & (papers < kept.sum()))
    if len(candidates) > max_terms:
        order = np.lexsort((candidates, -papers[candidates]))
        candidates = np.sort(candidates[order[:max_terms]])
    counts = index.papers_by_group(codes, len(bounds), candidates)
    return _period_counts(codes, bounds, period, counts, np.asarray(index.labels)[candidates],
                          min_papers)


def topic_counts_per_period(topic_matrix: pd.DataFrame, mask: np.ndarray, published: pd.Series,
                            period: str, *, through: dt.date | None = None,
                            min_papers: int = DEFAULT_MIN_PAPERS) -> PeriodCounts:
    """``term_counts_per_period`` for topics: ``topic_matrix`` is papers x topics booleans
    over the whole collection (``Collection.topic_matrix``)."""
    codes, bounds = _period_codes(published, mask, period, through)
    kept = codes >= 0
    matrix = topic_matrix.to_numpy(dtype=bool)[kept]
    counts = np.stack([np.bincount(codes[kept], weights=matrix[:, k], minlength=len(bounds))
                       for k in range(matrix.shape[1])], axis=1).astype(np.int64) if (
        matrix.shape[1]) else np.zeros((len(bounds), 0), dtype=np.int64)
    return _period_counts(codes, bounds, period, counts, np.asarray(topic_matrix.columns),
                          min_papers)


def detect_bursts(counts: PeriodCounts, label: str = "term", *, s: float = DEFAULT_S,
                  gamma: float = DEFAULT_GAMMA, top: int | None = DEFAULT_TOP) -> pd.DataFrame:
    """The bursts of ``counts``, strongest first (the ``top`` of them; all when None).

    Columns: ``label`` (term or topic), start (first day of the burst), end (last day),
    periods, strength, papers (with it in the burst), period_papers (all papers of those
    periods), share (papers / period_papers), usual_share (p0), ongoing (the burst reaches
    the last period counted).
    """
    found = enumerate_bursts(counts.counts, counts.papers, s=s, gamma=gamma)
    if found.empty:
        return pd.DataFrame({label: pd.Series(dtype=str),
                             **{k: pd.Series(dtype=v) for k, v in COLUMNS.items()}})
    found = found.sort_values(["strength", "papers", "column", "first"],
                              ascending=[False, False, True, True], ignore_index=True)
    if top is not None:
        found = found.head(top)
    column = found["column"].to_numpy()
    return pd.DataFrame({
        label: pd.Series(counts.labels[column], dtype=str),
        "start": counts.starts[found["first"].to_numpy()],
        "end": counts.ends[found["last"].to_numpy()],
        "periods": (found["last"] - found["first"] + 1).astype("int64"),
        "strength": found["strength"].astype("float64"),
        "papers": found["papers"].astype("int64"),
        "period_papers": found["period_papers"].astype("int64"),
        "share": found["papers"] / found["period_papers"].where(found["period_papers"] > 0),
        "usual_share": counts.usual[column],
        "ongoing": (found["last"] == len(counts.starts) - 1).to_numpy(),
    })


def compute_term_bursts(index: TermIndex, mask: np.ndarray, published: pd.Series, period: str,
                        *, s: float = DEFAULT_S, gamma: float = DEFAULT_GAMMA,
                        min_papers: int = DEFAULT_MIN_PAPERS, top: int | None = DEFAULT_TOP,
                        through: dt.date | None = None,
                        max_terms: int = MAX_TERMS) -> pd.DataFrame:
    """The strongest bursts of terms among the masked papers, per ``period``: each period's
    masked papers are its d_t, those with the term its r_t (``term_counts_per_period``,
    then ``detect_bursts``, whose columns these are with term first)."""
    counts = term_counts_per_period(index, mask, published, period, through=through,
                                    min_papers=min_papers, max_terms=max_terms)
    return detect_bursts(counts, "term", s=s, gamma=gamma, top=top)


def compute_topic_bursts(topic_matrix: pd.DataFrame, mask: np.ndarray, published: pd.Series,
                         period: str, *, s: float = DEFAULT_S, gamma: float = DEFAULT_GAMMA,
                         min_papers: int = DEFAULT_MIN_PAPERS, top: int | None = None,
                         through: dt.date | None = None) -> pd.DataFrame:
    """``compute_term_bursts`` for topics, from the collection's papers x topics booleans."""
    counts = topic_counts_per_period(topic_matrix, mask, published, period, through=through,
                                     min_papers=min_papers)
    return detect_bursts(counts, "topic", s=s, gamma=gamma, top=top)
