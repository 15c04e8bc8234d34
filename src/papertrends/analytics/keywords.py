"""Which terms dominate a set of papers: words and common phrases, counted from the term index.

The term index (``papertrends.indexes.terms``) is built once per collection; here the selected
papers are a boolean row mask and their term counts are sparse vector-matrix products, so a filter
change costs the same whether the text is read again or not: it never is.

Excluding a term: each entry of ``exclude`` is one word or a phrase, compared case-insensitively
and with plural and singular folded together. A term is removed when the excluded words occur
in it as whole words, in order: excluding "agent" removes "agents", "LLM agents" and "AI
agents" (a phrase about agents is still about agents) but not "agentic" or "multi-agent",
which are other words; excluding "language models" removes "large language models" but not
"language".
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from papertrends.indexes.terms import TermIndex, singular

COLUMNS = ("term", "papers", "occurrences", "share", "aliases")
DEFAULT_TOP = 60


def empty_frequencies() -> pd.DataFrame:
    return pd.DataFrame({"term": pd.Series(dtype=str), "papers": pd.Series(dtype="int64"),
                         "occurrences": pd.Series(dtype="int64"),
                         "share": pd.Series(dtype="float64"),
                         "aliases": pd.Series(dtype=str)})


def parse_exclusions(text: str) -> tuple[str, ...]:
    """The comma-separated entries of an 'exclude' text box, trimmed, empty ones dropped."""
    return tuple(dict.fromkeys(" ".join(part.split()) for part in text.split(",")
                               if part.strip()))


def compute_term_frequencies(index: TermIndex, mask: np.ndarray, *, top: int = DEFAULT_TOP,
                             exclude: Iterable[str] = ()) -> pd.DataFrame:
    """The ``top`` terms of the masked papers, most widespread first.

    Columns: term (as usually written, e.g. "LLM agents"), papers (selected papers containing
    it), occurrences (times it occurs in them), share (papers / selected papers), aliases (the
    forms folded into it, "large language models" under "LLMs", comma-separated). Sorted by
    papers, then occurrences, then the term's place in the index (alphabetical), so equal
    counts always come out in the same order.
    """
    mask = np.asarray(mask, dtype=bool)
    selected = int(mask.sum())
    if selected == 0 or top <= 0 or index.n_terms == 0:
        return empty_frequencies()
    papers, occurrences = index.totals(mask)
    candidates = np.flatnonzero(papers)
    excluded = _excluded_sequences(exclude)
    wanted = top
    while True:
        chosen, complete = _top_columns(papers, occurrences, candidates, wanted)
        if excluded:
            chosen = [c for c in chosen
                      if not _contains_any(index.terms[c], excluded)]
        if len(chosen) >= top or complete:
            break
        wanted *= 4  # exclusions ate into the top: look further down
    chosen = np.asarray(chosen[:top], dtype=np.int64)
    frame = pd.DataFrame({
        "term": pd.Series(index.labels[chosen], dtype=str),
        "papers": papers[chosen].astype("int64"),
        "occurrences": occurrences[chosen].astype("int64"),
    })
    frame["share"] = frame["papers"] / selected
    frame["aliases"] = [", ".join(index.aliases.get(term, ()))
                        for term in index.terms[chosen].tolist()]
    return frame


def _top_columns(papers: np.ndarray, occurrences: np.ndarray, candidates: np.ndarray,
                 wanted: int) -> tuple[list[int], bool]:
    """The ``wanted`` best candidate columns in order (or a few more when tied), and whether
    they are all the candidates there are."""
    complete = True
    if len(candidates) > wanted:
        # Keep every candidate that ties with the wanted-th best paper count, so that the
        # order among equal paper counts is decided by occurrences, not by the partition.
        threshold = np.partition(papers[candidates], len(candidates) - wanted)[-wanted]
        best = candidates[papers[candidates] >= threshold]
        complete = len(best) == len(candidates)
        candidates = best
    order = np.lexsort((candidates, -occurrences[candidates], -papers[candidates]))
    return candidates[order].tolist(), complete


def _excluded_sequences(exclude: Iterable[str]) -> list[tuple[str, ...]]:
    sequences = []
    for entry in exclude:
        words = tuple(singular(word) for word in entry.lower().split())
        if words:
            sequences.append(words)
    return sequences


def _contains_any(term: str, excluded: list[tuple[str, ...]]) -> bool:
    words = tuple(singular(word) for word in term.lower().split(" "))
    for sequence in excluded:
        size = len(sequence)
        if any(words[i:i + size] == sequence for i in range(len(words) - size + 1)):
            return True
    return False


def covered_papers(index: TermIndex, mask: np.ndarray) -> int:
    """How many masked papers have at least one term (the rest have no usable text)."""
    mask = np.asarray(mask, dtype=bool)
    if index.n_terms == 0 or not mask.any():
        return 0
    return int(index.has_terms[mask].sum())
