"""Which papers have a word that starts with ...: the search box without reading every abstract.

A search term matches at the start of a word (``filters.search_terms``), so a one-word term
such as "agent" matches exactly the papers that have a word beginning with "agent". With the
distinct words of every paper's title and abstract sorted, those words are one contiguous range
of the vocabulary, and their papers one contiguous slice of the row lists: a search over a
million papers is two binary searches and one slice, where a scan reads 1.5 GB of text.

A term of several words or with punctuation ("large language", "gpt-4") is looked up word by
word first; only the papers that have every word are then checked against the exact pattern,
so the answer is the same as a scan's.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from bisect import bisect_left
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

# What separates words, in RE2 syntax for Arrow. Python's [\W_] is the same set of characters
# (everything but letters and numbers), used to split a search term the same way.
SEPARATORS = r"[^\pL\pN]+"
_TERM_SEPARATORS = re.compile(r"([\W_]+)")
TERM_WORD = re.compile(r"[^\W_]+")  # the words a term is looked up by, between separators
# Joins search terms any of which may match: '"large language model"|llm' (a Keywords term
# and the acronym folded into it).
ALTERNATIVE = "|"
_LAST_CHARACTER = "\U0010ffff"
CHUNK_ROWS = 10_000

# (row positions) -> those rows' texts as typed, to check candidates against.
RowTexts = Callable[[np.ndarray], pa.Array | pa.ChunkedArray]


def term_pattern(term: str) -> str:
    """The exact rule, in RE2 syntax: ``term`` at the start of a word."""
    return r"(?:^|[^\pL\pN])" + re.escape(term)


class WordLookup(ABC):
    """``matching`` from two lookups a word index answers: the rows with a word that starts
    with a prefix, and the rows with exactly a word (one index, or several segments)."""

    n_rows: int

    @abstractmethod
    def prefix_mask(self, prefix: str) -> np.ndarray:
        """Rows that have a word starting with ``prefix``, as a mask."""

    @abstractmethod
    def word_mask(self, word: str) -> np.ndarray:
        """Rows that have exactly ``word``, as a mask."""

    def matching(self, term: str, row_texts: RowTexts) -> np.ndarray:
        """Boolean mask of the rows where ``term`` (lower-cased) starts a word."""
        return self.matching_all([term], row_texts)

    def candidates(self, term: str) -> tuple[np.ndarray, bool]:
        """(mask, exact): the rows the index finds for ``term``, and whether that is the
        answer. A one-word term is answered exactly; a term of several words or with
        punctuation gets the rows that have every word, to check against their text."""
        parts = _TERM_SEPARATORS.split(term)
        words, separators = parts[::2], parts[1::2]
        if not separators:  # one word: the index has the exact answer
            return self.prefix_mask(term), True
        candidates = np.ones(self.n_rows, dtype=bool)
        for position, word in enumerate(words):
            if not word:  # the term starts or ends with punctuation
                continue
            # A word followed by punctuation in the term ends there in the text too; the last
            # one may go on ("large lang" finds "large language").
            last = position == len(words) - 1
            candidates &= self.prefix_mask(word) if last else self.word_mask(word)
        return candidates, False

    def matching_all(self, terms: Sequence[str], row_texts: RowTexts) -> np.ndarray:
        """Boolean mask of the rows where every one of ``terms`` (lower-cased) starts a word.

        Checking a term against the text is the expensive part (reading the abstracts of its
        candidates from the store, lower-casing them, a regex): "of-the" has nearly every paper
        as a candidate. So the index narrows first with all the terms together, and the rows
        left are read once and checked term by term, each check on the rows the previous ones
        kept: however many terms need their text, it is read at most once per search.
        """
        mask = np.ones(self.n_rows, dtype=bool)
        to_check = []
        for term in terms:
            found, exact = self.candidates(term)
            mask &= found
            if not exact:
                to_check.append(term)
        if not to_check:
            return mask
        rows = np.flatnonzero(mask)
        if rows.size:
            texts = pc.utf8_lower(pc.fill_null(row_texts(rows), ""))
            for term in to_check:
                found = pc.match_substring_regex(texts, term_pattern(term)).to_numpy(
                    zero_copy_only=False)
                rows = rows[found]
                if not rows.size:
                    break
                texts = texts.filter(pa.array(found))
        result = np.zeros(self.n_rows, dtype=bool)
        result[rows] = True
        return result


@dataclass(frozen=True)
class SearchIndex(WordLookup):
    """For each distinct word (sorted), the rows (ascending) of the papers that have it."""

    words: np.ndarray  # object array of str, sorted by code point
    starts: np.ndarray  # int64, len(words) + 1: word i's rows are rows[starts[i]:starts[i+1]]
    rows: np.ndarray  # int32 row positions
    n_rows: int

    def with_prefix(self, prefix: str) -> np.ndarray:
        """Rows that have a word starting with ``prefix`` (unsorted, possibly repeated)."""
        low = bisect_left(self.words, prefix)
        high = bisect_left(self.words, prefix + _LAST_CHARACTER, lo=low)
        return self.rows[self.starts[low]:self.starts[high]]

    def with_word(self, word: str) -> np.ndarray:
        """Rows that have exactly ``word``."""
        position = bisect_left(self.words, word)
        if position == len(self.words) or self.words[position] != word:
            return self.rows[:0]
        return self.rows[self.starts[position]:self.starts[position + 1]]

    def prefix_mask(self, prefix: str) -> np.ndarray:
        return self._mask(self.with_prefix(prefix))

    def word_mask(self, word: str) -> np.ndarray:
        return self._mask(self.with_word(word))

    def _mask(self, rows: np.ndarray) -> np.ndarray:
        mask = np.zeros(self.n_rows, dtype=bool)
        mask[rows] = True
        return mask


def build_search_index(texts: pa.Array | pa.ChunkedArray | Iterable[pa.Array | pa.ChunkedArray]
                       ) -> SearchIndex:
    """The index of one text per row (as typed: lower-cased here, as search terms are).

    ``texts`` is one array or consecutive blocks of rows (read from the store one at a time).
    The words are split out and de-duplicated per paper by Arrow and numpy, a chunk of rows at
    a time; Python only sees each chunk's distinct words. Each chunk keeps only (word, row)
    pairs, sorted into one row list per word at the end, chunk by chunk: at a million papers
    the text is gigabytes and the pairs a hundred million.
    """
    blocks = [texts] if isinstance(texts, pa.Array | pa.ChunkedArray) else texts
    vocabulary: dict[str, int] = {}
    pairs: deque[tuple[np.ndarray, np.ndarray]] = deque()  # per chunk: word codes, rows
    n_rows = 0
    for block in blocks:
        for start in range(0, len(block), CHUNK_ROWS):
            chunk = block.slice(start, CHUNK_ROWS)
            codes, rows = _word_pairs(chunk, vocabulary)
            pairs.append((codes, rows + np.int32(n_rows)))
            n_rows += len(chunk)
    words = np.array(sorted(vocabulary), dtype=object)
    rank = np.empty(len(vocabulary), dtype=np.int32)
    rank[np.array([vocabulary[w] for w in words], dtype=np.int64)] = np.arange(len(words))
    starts = np.zeros(len(words) + 1, dtype=np.int64)
    for codes, _ in pairs:
        starts[1:] += np.bincount(rank[codes], minlength=len(words))
    np.cumsum(starts, out=starts)
    # A counting sort by word, one chunk at a time: chunks come in row order, so each word's
    # rows stay ascending.
    all_rows = np.empty(starts[-1], dtype=np.int32)
    filled = starts[:-1].copy()
    while pairs:
        codes, rows = pairs.popleft()
        ranks = rank[codes]
        order = np.argsort(ranks, kind="stable")
        ranks, rows = ranks[order], rows[order]
        within = np.arange(len(ranks)) - np.searchsorted(ranks, ranks)  # place in its word's run
        all_rows[filled[ranks] + within] = rows
        filled += np.bincount(ranks, minlength=len(words))
    return SearchIndex(words, starts, all_rows, n_rows)


def _word_pairs(chunk: pa.Array | pa.ChunkedArray, vocabulary: dict[str, int]
                ) -> tuple[np.ndarray, np.ndarray]:
    """(word code, row) once per distinct word of each row, by row; codes are ``vocabulary``'s,
    which grows with the chunk's new words."""
    chunk = pc.utf8_lower(pc.fill_null(chunk, ""))
    if isinstance(chunk, pa.ChunkedArray):  # one array: the row numbers below are per array
        chunk = chunk.combine_chunks()
    words = pc.split_pattern_regex(chunk, SEPARATORS)
    flat = pc.list_flatten(words)
    parents = pc.list_parent_indices(words)
    nonempty = pc.not_equal(flat, "")  # a text that starts or ends with a separator
    encoded = pc.dictionary_encode(flat.filter(nonempty))
    local = encoded.dictionary.to_pylist()
    width = max(len(local), 1)
    codes = encoded.indices.to_numpy().astype(np.int64)  # room for rows * width below
    rows = parents.filter(nonempty).to_numpy().astype(np.int64)
    pairs = _distinct(rows * width + codes)  # each word once per row, by row
    to_global = np.array([vocabulary.setdefault(word, len(vocabulary)) for word in local],
                         dtype=np.int32)
    return to_global[pairs % width], (pairs // width).astype(np.int32)


def _distinct(keys: np.ndarray) -> np.ndarray:
    """The distinct values, sorted. ``np.unique`` hashes int64 keys in numpy 2 and took 35x
    longer than this sort on a chunk of 10,000 abstracts."""
    keys = np.sort(keys)
    return keys[np.concatenate(([True], keys[1:] != keys[:-1]))] if len(keys) else keys
