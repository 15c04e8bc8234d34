"""What finishing a term index needs to know about the whole collection, kept as sums.

A finished index (``terms.finish_term_index``) merges plurals, drops rare phrases and phrases
inside longer ones, and labels each term: decisions about the whole collection. They depend on
three sums only: each raw term's occurrences and papers, and the papers of each *plural group*
(the terms sharing ``terms.plural_key``: "agent", "agents"). Sums change by exactly what an
update adds and removes, so an update of k papers adjusts them in k rows' work, and the
decisions are taken again from them without reading a single stored count.

The vocabulary gives every raw term ever seen a fixed number (new terms are appended), so the
count matrices of earlier segments keep meaning the same columns.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp

from papertrends.indexes import acronyms
from papertrends.indexes.terms import (
    CASED,
    fold_places,
    folded_aliases,
    grouped_columns,
    not_subsumed,
    plural_key,
    usual_spelling,
)

SOURCES = ("titles", "abstracts", "both")
MIN_PHRASE_PAPERS = 2


@dataclass
class Vocabulary:
    """Every raw term seen (``terms``), its plural group (``group_of``, -1 for the
    inner-capital spellings marked ``CASED``), each group's key and the term that spells the
    key (``key_term``, -1 while no text has it)."""

    terms: np.ndarray = field(default_factory=lambda: np.array([], dtype=object))
    group_of: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    groups: np.ndarray = field(default_factory=lambda: np.array([], dtype=object))
    key_term: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    def ids(self, strings: np.ndarray) -> np.ndarray:
        """The numbers of these terms, adding the ones never seen."""
        known = pd.Index(self.terms).get_indexer(strings) if len(self.terms) else (
            np.full(len(strings), -1))
        new = np.flatnonzero(known < 0)
        if new.size:
            added = np.asarray(strings, dtype=object)[new]
            first = len(self.terms)
            known[new] = np.arange(first, first + len(added))
            self.terms = np.concatenate([self.terms, added])
            self._group_new(added, first)
        return known.astype(np.int64)

    def _group_new(self, added: np.ndarray, first: int) -> None:
        cased = np.array([term.startswith(CASED) for term in added.tolist()], dtype=bool)
        keys = np.array([plural_key(term) for term in added[~cased].tolist()], dtype=object)
        group_index = pd.Index(self.groups)
        found = group_index.get_indexer(keys) if len(self.groups) else np.full(len(keys), -1)
        fresh = pd.unique(keys[found < 0])
        if len(fresh):
            self.groups = np.concatenate([self.groups, fresh])
            self.key_term = np.concatenate([self.key_term, np.full(len(fresh), -1)])
            found = pd.Index(self.groups).get_indexer(keys)
        groups = np.full(len(added), -1, dtype=np.int64)
        groups[~cased] = found
        self.group_of = np.concatenate([self.group_of, groups])
        # A new term that spells its own group's key is that group's key term.
        ids = np.arange(first, first + len(added))[~cased]
        spells_key = keys == self.groups[found] if len(found) else np.zeros(0, dtype=bool)
        spells_key &= np.array([term == key for term, key in zip(
            added[~cased].tolist(), keys.tolist(), strict=True)], dtype=bool)
        self.key_term[found[spells_key]] = ids[spells_key]

    def group_matrix(self) -> sp.csr_matrix:
        """terms x groups: 1 where a term belongs to a group (``CASED`` rows empty)."""
        rows = np.flatnonzero(self.group_of >= 0)
        return sp.csr_matrix((np.ones(len(rows), dtype=np.int32), (rows, self.group_of[rows])),
                             shape=(len(self.terms), len(self.groups)))


@dataclass
class SourceStats:
    """Sums over the collection's papers for one source (titles, abstracts or both)."""

    occurrences: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    papers: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    group_papers: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    def add(self, counts: sp.csr_matrix, groups: sp.csr_matrix, sign: int = 1) -> None:
        """Add (or with ``sign`` -1 take away) papers' rows of raw counts over the whole
        vocabulary; ``groups`` is ``Vocabulary.group_matrix``."""
        width, n_groups = groups.shape
        self.occurrences = _grown(self.occurrences, width)
        self.papers = _grown(self.papers, width)
        self.group_papers = _grown(self.group_papers, n_groups)
        if counts.shape[0] == 0:
            return
        counts = widened(counts, width)
        self.occurrences += sign * np.asarray(counts.sum(axis=0, dtype=np.int64)).ravel()
        self.papers += sign * np.bincount(counts.indices, minlength=width)
        present = counts.copy()
        present.data = np.ones_like(present.data)
        in_group = (present @ groups).tocsr()
        self.group_papers += sign * np.bincount(in_group.indices, minlength=n_groups)


@dataclass(frozen=True)
class FinishedColumns:
    """The columns of a finished index, decided from the sums: each is a plural group whose
    key occurs (``group`` >= 0) or a single term (``term`` >= 0); in the order, labels and
    stems a finished index built from the counts has."""

    group: np.ndarray  # int64: the plural group, or -1
    term: np.ndarray  # int64: the single term, or -1
    terms: np.ndarray  # the labels, lower-case (TermIndex.terms)
    display: np.ndarray  # as usually written (TermIndex.labels)
    stems: dict[str, str]
    split_groups: np.ndarray  # groups shown as several terms: their key never occurs
    # Acronyms folded into their expansion (or the other way): these groups' counts go into
    # these columns as well (terms.fold_columns), with their labels as the columns' aliases.
    folded_groups: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    folded_into: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)


def finish_columns(vocabulary: Vocabulary, stats: SourceStats,
                   min_phrase_papers: int = MIN_PHRASE_PAPERS) -> FinishedColumns:
    """``terms.finish_term_index``'s decisions, from sums instead of counts."""
    totals = stats.occurrences
    cased = vocabulary.group_of < 0
    words = np.flatnonzero(~cased & (totals > 0))
    empty = np.zeros(0, dtype=np.int64)
    if not words.size:
        return FinishedColumns(empty, empty, np.array([], dtype=object),
                               np.array([], dtype=object), {}, empty)
    order = np.argsort(vocabulary.terms[words].astype(str), kind="stable")
    words = words[order]  # alphabetical, as a vocabulary counted afresh is
    terms = vocabulary.terms[words]
    marked = np.flatnonzero(cased & (totals > 0))
    is_definition = np.array([term.startswith(acronyms.DEFINES) for term in
                              vocabulary.terms[marked].tolist()], dtype=bool)
    spellings, definitions = marked[~is_definition], marked[is_definition]
    seen = Counter({form[len(CASED):]: int(total) for form, total in zip(
        vocabulary.terms[spellings].tolist(), totals[spellings].tolist(), strict=True)})
    spelling = usual_spelling(seen, totals[words], terms)
    group_of_word = vocabulary.group_of[words]
    key_term = vocabulary.key_term[group_of_word]
    key_occurs = (key_term >= 0) & (totals[np.maximum(key_term, 0)] > 0)
    # The term spelling each word's key, as a place in ``words``: the key when it occurs.
    place = np.zeros(len(vocabulary.terms), dtype=np.int64)
    place[words] = np.arange(len(words))
    canonical = np.where(key_occurs, place[np.maximum(key_term, 0)], np.arange(len(words)))
    groups = grouped_columns(terms, totals[words], canonical)
    n_columns = len(groups.labels)
    # A merged column is its group's when the key occurs, else its one term's.
    group = np.full(n_columns, -1, dtype=np.int64)
    term = np.full(n_columns, -1, dtype=np.int64)
    group[groups.column_of[key_occurs]] = group_of_word[key_occurs]
    term[groups.column_of[~key_occurs]] = words[~key_occurs]
    occurrences = np.bincount(groups.column_of, weights=totals[words],
                              minlength=n_columns).astype(np.int64)
    papers = np.where(group >= 0, stats.group_papers[np.maximum(group, 0)],
                      stats.papers[np.maximum(term, 0)])
    is_phrase = np.array([" " in label for label in groups.labels.tolist()], dtype=bool)
    keep = ~is_phrase | (papers >= min_phrase_papers)
    kept = np.flatnonzero(keep)
    kept = kept[not_subsumed(groups.labels[kept], occurrences[kept])]
    labels = groups.labels[kept]
    dropped = set(groups.labels.tolist()) - set(labels.tolist())
    display = np.array([" ".join(spelling.get(word, word) for word in label.split(" "))
                        for label in labels.tolist()], dtype=object)
    # Groups whose key never occurs but that have several terms: each term its own column.
    members = np.bincount(group_of_word, minlength=len(vocabulary.groups))
    split = np.unique(group_of_word[~key_occurs & (members[group_of_word] > 1)])
    columns = FinishedColumns(group[kept], term[kept], labels, display,
                              {t: s for t, s in groups.stems.items() if t not in dropped}, split)
    return _fold_acronyms(columns, vocabulary, stats, definitions, papers[kept])


def column_of_group(columns: FinishedColumns, vocabulary: Vocabulary) -> np.ndarray:
    """Each plural group's finished column (-1: none): a group column's, a single term's
    (unless its group is split, each term a column of its own), and a folded acronym's
    shown column. How ``SegmentedTermIndex`` puts a segment's group counts in columns."""
    mapped = np.full(len(vocabulary.groups), -1, dtype=np.int64)
    mapped[_own_groups(columns, vocabulary)] = np.arange(len(columns.terms))
    mapped[columns.split_groups] = -1
    mapped[columns.folded_groups] = columns.folded_into
    return mapped


def _fold_acronyms(columns: FinishedColumns, vocabulary: Vocabulary, stats: SourceStats,
                   definitions: np.ndarray, papers: np.ndarray) -> FinishedColumns:
    """``terms.fold_columns``'s decisions (``acronyms.merges``) on finished columns, from
    the papers defining each acronym: the folded columns leave, their groups' counts go to
    the column shown."""
    if not len(definitions) or not len(columns.terms):
        return columns
    of_group = column_of_group(columns, vocabulary)
    pairs = [acronyms.decode(term) for term in vocabulary.terms[definitions].tolist()]
    forms = [form for pair in pairs for form in pair]
    ids = pd.Index(vocabulary.terms).get_indexer(forms)
    occurs = (ids >= 0) & (stats.occurrences[np.maximum(ids, 0)] > 0)  # in this source
    column = dict(zip(forms, np.where(
        occurs, of_group[vocabulary.group_of[np.maximum(ids, 0)]], -1).tolist(), strict=True))
    defining = dict(zip(pairs, stats.papers[definitions].tolist(), strict=True))
    folded = acronyms.merges(defining, lambda form: column.get(form, -1), papers)
    if not folded:
        return columns
    keep, place = fold_places(folded, len(columns.terms))
    sources = np.array(sorted(folded), dtype=np.int64)
    # The folded terms keep their stems: the search for a term looks for its aliases too.
    return FinishedColumns(columns.group[keep], columns.term[keep], columns.terms[keep],
                           columns.display[keep], columns.stems, columns.split_groups,
                           _own_groups(columns, vocabulary)[sources], place[sources],
                           folded_aliases(folded, columns.terms, columns.display))


def _own_groups(columns: FinishedColumns, vocabulary: Vocabulary) -> np.ndarray:
    """Each column's plural group: its own, or its single term's."""
    return np.where(columns.group >= 0, columns.group,
                    vocabulary.group_of[np.maximum(columns.term, 0)])


def _grown(values: np.ndarray, size: int) -> np.ndarray:
    if len(values) >= size:
        return values
    return np.concatenate([values, np.zeros(size - len(values), dtype=np.int64)])


def widened(matrix: sp.csr_matrix, width: int) -> sp.csr_matrix:
    """The same rows over a wider vocabulary (terms added since have no counts in them)."""
    if matrix.shape[1] == width:
        return matrix
    return sp.csr_matrix((matrix.data, matrix.indices, matrix.indptr),
                         shape=(matrix.shape[0], width))
