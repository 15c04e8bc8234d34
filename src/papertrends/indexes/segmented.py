"""The pages' term index and search index, read across segments.

Each segment counts its rows per plural group; the finished columns (``FinishedColumns``)
say which group, or which single term, each column of the finished index is. A filter's
totals are then each segment's sparse totals over its live rows, put in their columns: the
same numbers a finished index built from scratch gives, without building one.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property

import numpy as np
import scipy.sparse as sp

from papertrends.indexes.search_index import WordLookup
from papertrends.indexes.segments import SEVERAL_MEMBERS, Segment
from papertrends.indexes.term_stats import FinishedColumns, Vocabulary, column_of_group
from papertrends.indexes.terms import TermIndex, checked_groups, group_presence

_SOURCE_FIELDS = {"titles": ("title",), "abstracts": ("abstract",),
                  "both": ("title", "abstract")}


class SegmentedTermIndex:
    """A finished term index (``terms.TermIndex``'s reading side) over segments."""

    def __init__(self, segments: Sequence[Segment], alive: Sequence[np.ndarray],
                 finished: FinishedColumns, vocabulary: Vocabulary, source: str,
                 n_rows: int) -> None:
        self._segments = list(segments)
        self._alive = list(alive)
        self._finished = finished
        self._vocabulary = vocabulary
        self._fields = _SOURCE_FIELDS[source]
        self._n_rows = n_rows
        self.terms = finished.terms
        self.labels = finished.display
        self.stems = finished.stems
        # Finished column of each group: one group per column, so a segment's group totals
        # land in their columns by plain indexing. Groups shown as several terms are apart.
        # Acronyms folded into another column count there too, and that column's papers
        # are those with any of its groups, not the sum (``_unions``).
        self._column_of_group = column_of_group(finished, vocabulary)
        columns = np.arange(len(finished.terms))
        single = finished.group < 0
        split = np.isin(vocabulary.group_of[np.maximum(finished.term, 0)],
                        finished.split_groups) & single
        self._column_of_term = {int(t): int(c) for t, c in zip(
            finished.term[split], columns[split], strict=True)}
        self.aliases = finished.aliases
        self._folded_groups = finished.folded_groups
        self._union_columns = np.unique(finished.folded_into)
        in_union = np.isin(self._column_of_group, self._union_columns)
        self._union_groups = np.flatnonzero(in_union)
        self._union_of_group = np.searchsorted(self._union_columns,
                                               self._column_of_group[self._union_groups])

    @property
    def n_papers(self) -> int:
        return self._n_rows

    @property
    def n_terms(self) -> int:
        return len(self.terms)

    def search_query(self, term: str) -> str:
        return TermIndex.search_query(self, term)  # type: ignore[arg-type]

    @cached_property
    def _grouped(self) -> list[TermIndex]:
        """Per segment, its rows' counts per group for this source."""
        return [segment.grouped_index(self._fields) for segment in self._segments]

    @cached_property
    def _split(self) -> list[sp.csr_matrix]:
        return [segment.split_counts(self._fields) for segment in self._segments]

    def totals(self, mask: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(papers containing each term, occurrences of each term) over the masked rows;
        the unfiltered totals are worked out once (read-only arrays, shared between calls)."""
        if mask is None:
            return self._all_totals
        mask = np.asarray(mask, dtype=bool).ravel()
        if len(mask) != self._n_rows:
            raise ValueError(f"mask has {len(mask)} rows, the index {self._n_rows}")
        if mask.all():
            return self._all_totals
        return self._totals(mask)

    @cached_property
    def _all_totals(self) -> tuple[np.ndarray, np.ndarray]:
        totals = self._totals(np.ones(self._n_rows, dtype=bool))
        for values in totals:
            values.flags.writeable = False
        return totals

    def _totals(self, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        papers = np.zeros(self.n_terms, dtype=np.int64)
        occurrences = np.zeros(self.n_terms, dtype=np.int64)
        union_papers = np.zeros(len(self._union_columns), dtype=np.int64)
        for number, segment in enumerate(self._segments):
            live = self._alive[number]
            selected = mask[segment.rows] & live
            if not selected.any():
                continue
            everything = bool(selected.all())
            group_papers, group_occurrences = self._grouped[number].totals(
                None if everything else selected)
            width = len(group_papers)
            columns = self._column_of_group[:width]
            found = columns >= 0
            folded = self._folded_groups[self._folded_groups < width]
            found[folded] = False  # they share a column: added apart, papers as a union
            papers[columns[found]] += group_papers[found]
            occurrences[columns[found]] += group_occurrences[found]
            np.add.at(occurrences, columns[folded], group_occurrences[folded])
            self._add_split(number, segment, selected, papers, occurrences)
            if len(self._union_columns):
                union_papers += self._unions[number].totals(
                    None if everything else selected)[0]
        papers[self._union_columns] = union_papers
        return papers, occurrences

    @cached_property
    def _unions(self) -> list[TermIndex]:
        """Per segment, which rows have any group of each column folded from several (an
        acronym and its expansion): rows x those columns, 1 where present."""
        unions = []
        for grouped in self._grouped:
            counts = grouped.counts
            inside = self._union_groups < counts.shape[1]
            groups = self._union_groups[inside]
            assign = sp.csr_matrix((np.ones(len(groups), dtype=counts.dtype),
                                    (np.arange(len(groups)), self._union_of_group[inside])),
                                   shape=(len(groups), len(self._union_columns)))
            present = (counts[:, groups] @ assign).tocsr()
            present.data = np.ones_like(present.data)
            unions.append(TermIndex(present, np.array([])))
        return unions

    def _add_split(self, number: int, segment: Segment, selected: np.ndarray,
                   papers: np.ndarray, occurrences: np.ndarray) -> None:
        """Groups whose key never occurs but whose terms are columns of their own: a
        segment that uses one of their terms counts it in the group's column, one that uses
        several has those terms' counts apart."""
        for group in self._finished.split_groups.tolist():
            if group >= len(segment.sole):
                continue
            sole = int(segment.sole[group])
            if sole == SEVERAL_MEMBERS:
                counts = self._split[number][selected]
                members = np.flatnonzero(self._vocabulary.group_of == group)
                for term in members.tolist():
                    column = self._column_of_term.get(term)
                    if column is None or term >= counts.shape[1]:
                        continue
                    values = counts[:, term].toarray().ravel()
                    papers[column] += int((values > 0).sum())
                    occurrences[column] += int(values.sum())
            elif sole >= 0 and sole in self._column_of_term:
                counts = self._grouped[number].counts[selected]
                if group < counts.shape[1]:
                    values = counts[:, group].toarray().ravel()
                    papers[self._column_of_term[sole]] += int((values > 0).sum())
                    occurrences[self._column_of_term[sole]] += int(values.sum())

    def papers_by_group(self, groups: np.ndarray, n_groups: int,
                        columns: np.ndarray | None = None) -> np.ndarray:
        """papers[g, k]: rows of group g containing term ``columns[k]``, as
        ``TermIndex.papers_by_group``: each segment's group counts put in their columns, the
        split groups' terms as ``totals`` puts them."""
        groups = checked_groups(groups, self._n_rows)
        columns = np.arange(self.n_terms) if columns is None else np.asarray(columns, np.int64)
        result = np.zeros((max(n_groups, 0), len(columns)), dtype=np.int64)
        wanted = np.full(self.n_terms, -1, dtype=np.int64)
        wanted[columns] = np.arange(len(columns))
        for number, segment in enumerate(self._segments):
            local = np.where(self._alive[number], groups[segment.rows], -1)
            if not (local >= 0).any():
                continue
            grouped = self._grouped[number]
            width = grouped.n_terms
            mapped = self._column_of_group[:width]
            target = np.where(mapped >= 0, wanted[mapped], -1)
            several = []
            for group in self._finished.split_groups.tolist():
                if group >= len(segment.sole):
                    continue
                sole = int(segment.sole[group])
                if sole == SEVERAL_MEMBERS:
                    several.append(group)
                elif sole >= 0 and sole in self._column_of_term and group < width:
                    target[group] = wanted[self._column_of_term[sole]]
            picked = np.flatnonzero(target >= 0)
            if len(picked):
                # A column folded from several groups gets its papers by ``_union_by_group``.
                result[:, target[picked]] += group_presence(grouped.present, local, n_groups,
                                                            picked)
            if several:
                split = self._split[number]
                members = np.flatnonzero(np.isin(self._vocabulary.group_of, several))
                members = members[members < split.shape[1]]
                into = np.array([wanted[self._column_of_term[t]] if t in self._column_of_term
                                 else -1 for t in members.tolist()], dtype=np.int64)
                members, into = members[into >= 0], into[into >= 0]
                if len(members):
                    present = TermIndex(split, np.array([])).present
                    result[:, into] += group_presence(present, local, n_groups, members)
        return self._union_by_group(result, groups, n_groups, wanted)

    def _union_by_group(self, result: np.ndarray, groups: np.ndarray, n_groups: int,
                        wanted: np.ndarray) -> np.ndarray:
        """``papers_by_group``'s columns folded from several: papers with any of them."""
        asked = wanted[self._union_columns]
        if not (asked >= 0).any():
            return result
        unions = np.zeros((max(n_groups, 0), len(self._union_columns)), dtype=np.int64)
        for number, segment in enumerate(self._segments):
            local = np.where(self._alive[number], groups[segment.rows], -1)
            if (local >= 0).any():
                unions += group_presence(self._unions[number].present, local, n_groups,
                                         np.arange(len(self._union_columns)))
        result[:, asked[asked >= 0]] = unions[:, asked >= 0]
        return result

    @cached_property
    def has_terms(self) -> np.ndarray:
        """Per row, whether the paper has any term of the index."""
        has = np.zeros(self._n_rows, dtype=bool)
        kept_groups = (self._column_of_group >= 0).astype(np.int32)
        kept_groups[self._finished.split_groups] = 1  # their terms are columns
        for number, segment in enumerate(self._segments):
            grouped = self._grouped[number].counts
            width = grouped.shape[1]
            any_kept = np.asarray(grouped @ kept_groups[:width]).ravel() > 0
            live = self._alive[number]
            has[segment.rows[live]] = any_kept[live]
        return has

    @cached_property
    def counts(self) -> sp.csr_matrix:
        """The finished counts as one matrix (rows in collection order): what a finished
        index built from scratch holds. For checks and exports; the pages use ``totals``."""
        blocks, rows = [], []
        for number, segment in enumerate(self._segments):
            live = np.flatnonzero(self._alive[number])
            grouped = self._grouped[number].counts[live].tocoo()
            columns = self._column_of_group[:self._grouped[number].counts.shape[1]][
                grouped.col]
            keep = columns >= 0
            entries = [(grouped.row[keep], columns[keep], grouped.data[keep])]
            for group in self._finished.split_groups.tolist():
                if group >= len(segment.sole):
                    continue
                sole = int(segment.sole[group])
                if sole >= 0 and sole in self._column_of_term:
                    at = grouped.col == group
                    entries.append((grouped.row[at], np.full(at.sum(), self._column_of_term[
                        sole]), grouped.data[at]))
                elif sole == SEVERAL_MEMBERS:
                    split = self._split[number][live].tocoo()
                    columns_of = np.array([self._column_of_term.get(int(t), -1)
                                           for t in split.col.tolist()], dtype=np.int64)
                    in_group = (self._vocabulary.group_of[split.col] == group) & (
                        columns_of >= 0)
                    entries.append((split.row[in_group], columns_of[in_group],
                                    split.data[in_group]))
            row = np.concatenate([e[0] for e in entries])
            blocks.append(sp.csr_matrix((np.concatenate([e[2] for e in entries]), (
                row, np.concatenate([e[1] for e in entries]))),
                shape=(len(live), self.n_terms), dtype=np.int32))
            rows.append(segment.rows[live])
        if not blocks:
            return sp.csr_matrix((self._n_rows, self.n_terms), dtype=np.int32)
        stacked = sp.vstack(blocks, format="csr")
        order = np.argsort(np.concatenate(rows), kind="stable")
        result = stacked[order]
        result.sort_indices()
        return result


class SegmentedSearchIndex(WordLookup):
    """The search box's word index across segments: a row is found in the segment that
    holds it now, never in one an update has since replaced."""

    def __init__(self, segments: Sequence[Segment], alive: Sequence[np.ndarray],
                 n_rows: int) -> None:
        self.segments = list(segments)
        self._alive = list(alive)
        self.n_rows = n_rows

    def _found(self, local: Sequence[np.ndarray]) -> np.ndarray:
        mask = np.zeros(self.n_rows, dtype=bool)
        for segment, live, rows in zip(self.segments, self._alive, local, strict=True):
            rows = np.asarray(rows)
            mask[segment.rows[rows[live[rows]]]] = True
        return mask

    def prefix_mask(self, prefix: str) -> np.ndarray:
        return self._found([segment.search.with_prefix(prefix) for segment in self.segments])

    def word_mask(self, word: str) -> np.ndarray:
        return self._found([segment.search.with_word(word) for segment in self.segments])
