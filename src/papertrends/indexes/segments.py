"""A segment: the indexes of the papers one update wrote, in one file that never changes.

An update of k papers writes one segment of k rows: their raw term counts per field, the
same counts summed per plural group (what the pages read), and the search words of their
titles and abstracts. A paper written again later is found in the newer segment; the older
one still holds its old row, which readers skip (``Segment.alive``). Segments are merged from
time to time (``merge``) so a collection that lived for years has a few of them, not
thousands.

Rows are the papers' positions in the collection (the store's ``seq``); columns are the
vocabulary's term and group numbers (``term_stats.Vocabulary``), which never change.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from papertrends.indexes import files
from papertrends.indexes.search_index import SearchIndex
from papertrends.indexes.term_stats import Vocabulary, widened
from papertrends.indexes.terms import RawCounts, TermIndex

FIELDS = ("title", "abstract")
NO_MEMBER, SEVERAL_MEMBERS = -1, -2
# The arrays of a saved segment that are mapped rather than read, by the part that uses them.
_MAPPED = {"raw": tuple(f"raw_{field}_{part}" for field in FIELDS for part in ("data", "indices")),
           "search": ("search_rows",)}


class Segment:
    """The indexes of some rows. ``raw`` and ``grouped`` are per field, rows in ``rows``
    order; ``sole[g]`` is the one term of group g other than its key that these rows use
    (``NO_MEMBER``, or ``SEVERAL_MEMBERS``, whose terms' counts are in ``split``).

    A loaded segment's largest arrays (the raw counts, the search rows) are mapped from its
    file and checked against the file's checksums when first used (``verify``): a dashboard
    never reads the raw counts (only updates do), and the search rows only once it searches.
    """

    def __init__(self, rows: np.ndarray, raw: dict[str, sp.csr_matrix],
                 grouped: dict[str, sp.csr_matrix], split: dict[str, sp.csr_matrix],
                 sole: np.ndarray, search: SearchIndex, *,
                 check: Callable[[tuple[str, ...]], None] | None = None) -> None:
        self.rows = rows
        self._raw = raw
        self.grouped = grouped
        self.split = split
        self.sole = sole
        self._search = search
        self._check = check
        self._unchecked = dict(_MAPPED) if check is not None else {}
        self._sums: dict[tuple[str, tuple[str, ...]], object] = {}

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def raw(self) -> dict[str, sp.csr_matrix]:
        self.verify("raw")
        return self._raw

    @property
    def search(self) -> SearchIndex:
        self.verify("search")
        return self._search

    def verify(self, *parts: str) -> None:
        """Check the mapped arrays of these parts ("raw", "search") against the file's
        checksums, once; raises ``files.DamagedArchive`` when they do not match."""
        for part in parts:
            members = self._unchecked.get(part)
            if members and self._check is not None:
                self._check(members)
            self._unchecked.pop(part, None)

    def grouped_index(self, fields: tuple[str, ...]) -> TermIndex:
        """The rows' counts per group over these fields (titles and abstracts added), as an
        index whose unfiltered totals are kept: a segment outlives many versions of the
        collection in a dashboard, so this is done once per segment, not per version."""
        key = ("grouped", fields)
        if key not in self._sums:
            self._sums[key] = TermIndex(_summed(self.grouped, fields), np.array([]))
        return self._sums[key]

    def split_counts(self, fields: tuple[str, ...]) -> sp.csr_matrix:
        key = ("split", fields)
        if key not in self._sums:
            self._sums[key] = _summed(self.split, fields)
        return self._sums[key]


def build(rows: np.ndarray, raw: dict[str, RawCounts], search: SearchIndex,
          vocabulary: Vocabulary) -> Segment:
    """The segment of ``rows`` from their freshly counted terms (per field, any vocabulary)
    and their search index (``build_search_index``, made first: its texts and the counts
    are then never held at once); new terms join ``vocabulary``."""
    counts = {field: _global_columns(raw[field], vocabulary) for field in FIELDS}
    return _derived(rows, counts, search, vocabulary)


def merge(segments: Sequence[Segment], alive: Sequence[np.ndarray],
          vocabulary: Vocabulary) -> Segment:
    """One segment of the live rows of several, in row order: no text is read again."""
    parts = [(segment, np.flatnonzero(live)) for segment, live in zip(segments, alive,
                                                                        strict=True)]
    rows = np.concatenate([segment.rows[local] for segment, local in parts])
    order = np.argsort(rows, kind="stable")
    width = len(vocabulary.terms)
    counts = {field: sp.vstack([widened(segment.raw[field][local], width)
                                for segment, local in parts], format="csr")[order]
              for field in FIELDS}
    search = merge_search([(segment.search, segment.rows, local) for segment, local in parts],
                          rows[order])
    return _derived(rows[order], counts, search, vocabulary)


def _derived(rows: np.ndarray, counts: dict[str, sp.csr_matrix], search: SearchIndex,
             vocabulary: Vocabulary) -> Segment:
    width = len(vocabulary.terms)
    counts = {field: widened(matrix, width) for field, matrix in counts.items()}
    groups = vocabulary.group_matrix()
    grouped = {field: _clean(matrix @ groups) for field, matrix in counts.items()}
    used = np.flatnonzero(sum(np.bincount(counts[field].indices, minlength=width)
                              for field in FIELDS))  # a sort of every entry costs seconds
    used = used[(vocabulary.group_of[used] >= 0)
                & (vocabulary.key_term[vocabulary.group_of[used]] != used)]  # not the key
    sole = np.full(len(vocabulary.groups), NO_MEMBER, dtype=np.int64)
    members = np.bincount(vocabulary.group_of[used], minlength=len(vocabulary.groups))
    sole[vocabulary.group_of[used]] = used
    sole[members > 1] = SEVERAL_MEMBERS
    several = used[members[vocabulary.group_of[used]] > 1]
    keep = np.zeros(width, dtype=bool)
    keep[several] = True
    split = {field: _only_columns(matrix, keep) for field, matrix in counts.items()}
    return Segment(np.asarray(rows, dtype=np.int64), counts, grouped, split, sole, search)


def merge_search(parts: Sequence[tuple[SearchIndex, np.ndarray, np.ndarray]],
                 rows: np.ndarray) -> SearchIndex:
    """The search index of ``rows`` from (index, its rows, the local rows to keep) parts."""
    words = np.unique(np.concatenate([index.words for index, _, _ in parts])) if parts else (
        np.array([], dtype=object))
    codes, members = [], []
    for index, segment_rows, local in parts:
        keep = np.zeros(len(segment_rows), dtype=bool)
        keep[local] = True
        rank = np.searchsorted(words, index.words)
        per_word = np.diff(index.starts)
        word_codes = np.repeat(rank, per_word)
        live = keep[index.rows]
        codes.append(word_codes[live])
        members.append(np.searchsorted(rows, segment_rows[index.rows[live]]))
    code = np.concatenate(codes) if codes else np.zeros(0, dtype=np.int64)
    member = np.concatenate(members) if members else np.zeros(0, dtype=np.int64)
    order = np.lexsort((member, code))
    starts = np.zeros(len(words) + 1, dtype=np.int64)
    np.cumsum(np.bincount(code, minlength=len(words)), out=starts[1:])
    return SearchIndex(words.astype(object), starts, member[order].astype(np.int32), len(rows))


def save(segment: Segment, path: Path) -> None:
    arrays = {"rows": segment.rows, "sole": segment.sole,
              "search_words": files.joined(segment.search.words),
              "search_starts": segment.search.starts, "search_rows": segment.search.rows}
    for field in FIELDS:
        arrays |= files.matrix(f"raw_{field}", segment.raw[field])
        arrays |= files.matrix(f"grouped_{field}", segment.grouped[field])
        arrays |= files.matrix(f"split_{field}", segment.split[field])
    files.write(path, arrays)


def load(path: Path) -> Segment:
    """A saved segment; its large arrays are memory-mapped, so a reader touches the pages it
    needs (a search reads a few of the search rows), and checked when first used."""
    mapped = tuple(name for members in _MAPPED.values() for name in members)
    arrays = files.read(path, mapped=mapped, check_mapped=False)
    search = SearchIndex(files.lines(arrays["search_words"]), arrays["search_starts"],
                         arrays["search_rows"], len(arrays["rows"]))
    return Segment(arrays["rows"],
                   {field: files.unmatrix(f"raw_{field}", arrays) for field in FIELDS},
                   {field: files.unmatrix(f"grouped_{field}", arrays) for field in FIELDS},
                   {field: files.unmatrix(f"split_{field}", arrays) for field in FIELDS},
                   arrays["sole"], search, check=partial(files.verify, path))


def _global_columns(raw: RawCounts, vocabulary: Vocabulary) -> sp.csr_matrix:
    """The counts with the vocabulary's term numbers as columns."""
    columns = vocabulary.ids(raw.vocabulary)
    matrix = sp.csr_matrix((raw.counts.data.astype(np.int32), columns[raw.counts.indices]
                            if raw.counts.nnz else raw.counts.indices, raw.counts.indptr),
                           shape=(raw.counts.shape[0], len(vocabulary.terms)))
    matrix.sort_indices()
    return matrix


def _summed(matrices: dict[str, sp.csr_matrix], fields: tuple[str, ...]) -> sp.csr_matrix:
    if len(fields) == 1:
        return matrices[fields[0]]
    first, second = (matrices[field] for field in fields)
    width = max(first.shape[1], second.shape[1])
    total = (widened(first, width) + widened(second, width)).tocsr()
    total.sort_indices()
    return total


def _only_columns(matrix: sp.csr_matrix, keep: np.ndarray) -> sp.csr_matrix:
    """The matrix with only the ``keep`` columns' entries (same shape), without the sparse
    product a column selection costs: usually nothing is kept."""
    kept = keep[matrix.indices]
    row_of_entry = np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr))
    indptr = np.zeros(matrix.shape[0] + 1, dtype=np.int64)
    np.cumsum(np.bincount(row_of_entry[kept], minlength=matrix.shape[0]), out=indptr[1:])
    return sp.csr_matrix((np.asarray(matrix.data)[kept], np.asarray(matrix.indices)[kept],
                          indptr), shape=matrix.shape)


def _clean(matrix: sp.csr_matrix) -> sp.csr_matrix:
    matrix = matrix.tocsr().astype(np.int32)
    matrix.sum_duplicates()
    matrix.eliminate_zeros()
    return matrix
