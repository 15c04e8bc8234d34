"""A loaded collection and the structures derived from it once, not on every filter change.

The dashboard keeps one ``Collection`` per store version. Filtering a million papers is then a
few vectorised comparisons against columns prepared here (lower-cased search text, a topic
membership matrix, the term index) instead of string work per row on each rerun.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from papertrends import schema

if TYPE_CHECKING:  # terms needs scikit-learn, seconds to import: only the dashboard loads it
    from papertrends.term_cache import TermCache
    from papertrends.terms import TermIndex


class Collection:
    """``term_cache``, when given, keeps term counts on disk between runs (the store's)."""

    def __init__(self, papers: pd.DataFrame, topic_order: list[str] | None = None,
                 term_cache: TermCache | None = None) -> None:
        self.papers = papers.reset_index(drop=True)
        self._topic_order = topic_order
        self._term_cache = term_cache
        self._term_indexes: dict[str, TermIndex] = {}

    def __len__(self) -> int:
        return len(self.papers)

    @classmethod
    def empty(cls) -> Collection:
        return cls(schema.empty_frame())

    def _arrow(self, name: str) -> pa.ChunkedArray:
        return pa.chunked_array([pa.array(self.papers[name])]) if len(self.papers) else (
            pa.chunked_array([], schema.BY_NAME[name].arrow_type))

    @cached_property
    def search_text(self) -> pa.ChunkedArray:
        """Lower-cased 'title \\n abstract' per paper, what text search looks in."""
        title = pc.fill_null(self._arrow("title"), "")
        abstract = pc.fill_null(self._arrow("abstract"), "")
        return pc.utf8_lower(pc.binary_join_element_wise(title, abstract, "\n"))

    @cached_property
    def topic_matrix(self) -> pd.DataFrame:
        """papers x topics booleans; columns in taxonomy order, then any unknown topics."""
        topics = self._arrow("topics")
        flat = pc.list_flatten(topics).to_numpy(zero_copy_only=False)
        rows = pc.list_parent_indices(topics).to_numpy()
        present = list(dict.fromkeys(flat.tolist()))
        order = [t for t in (self._topic_order or []) if t in present]
        names = order + sorted(t for t in present if t not in order)
        codes = pd.Categorical(flat, categories=names).codes
        matrix = np.zeros((len(self.papers), len(names)), dtype=bool)
        matrix[rows, codes] = True
        return pd.DataFrame(matrix, columns=names)

    @cached_property
    def without_text(self) -> pd.DataFrame:
        """Every column but the long texts (``schema.LONG_TEXT_COLUMNS``): what most pages
        select rows from, so a filter change does not copy every abstract."""
        return self.papers.drop(columns=list(schema.LONG_TEXT_COLUMNS))

    @property
    def topics(self) -> list[str]:
        return list(self.topic_matrix.columns)

    @cached_property
    def has_code(self) -> np.ndarray:
        return (pc.fill_null(pc.list_value_length(self._arrow("github_repos")), 0)
                .to_numpy() > 0)

    @cached_property
    def has_ai_keywords(self) -> bool:
        """Whether any paper has Hugging Face keywords (papers fetched from the API)."""
        lengths = pc.list_value_length(self._arrow("ai_keywords"))
        return bool(pc.max(lengths).as_py() or 0) if len(self.papers) else False

    def term_index(self, source: str = "both") -> TermIndex:
        """Document-term counts for titles, abstracts or both, built once per source."""
        if source not in self._term_indexes:
            if self._term_cache is not None:
                index = self._term_cache.index(self.papers, source)
            else:
                from papertrends.terms import build_term_index
                index = build_term_index(self.papers, source)
            self._term_indexes[source] = index
        return self._term_indexes[source]
