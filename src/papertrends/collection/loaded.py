"""A loaded collection and the structures derived from it once, not on every filter change.

The dashboard keeps one ``Collection`` per store version. Filtering a million papers is then a
few vectorised comparisons against structures prepared here (a word index for search, a topic
membership matrix, the term index) instead of string work per row on each rerun.
"""

from __future__ import annotations

import datetime as dt
from functools import cached_property

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from papertrends.collection import schema
from papertrends.collection.store import Store
from papertrends.common import arrow
from papertrends.indexes.search_index import ALTERNATIVE, WordLookup, build_search_index
from papertrends.indexes.segmented import SegmentedTermIndex
from papertrends.indexes.term_cache import TermCache, frame_text_values
from papertrends.indexes.terms import TermIndex, build_term_index

_REMEMBERED_SEARCHES = 32
SEARCHED = ("title", "abstract")  # what the search box and the term indexes read
_KEPT_READ_ROWS = 20_000  # texts read from the store and kept for the next read of them
# The two dates a Daily Papers paper has: its own (arXiv's) and the day Hugging Face featured it
# (``submitted_at``'s day in UTC, derived on load). Time charts and the date filter use one.
PUBLISHED, FEATURED = "published", "featured"
DATE_COLUMNS = (PUBLISHED, FEATURED)


class Collection:
    """The papers of one store version, and what is derived from them once.

    ``papers`` may leave out the long texts (``schema.LONG_TEXT_COLUMNS``, see ``from_store``):
    they are then read from ``store`` for the rows that need them (``texts``, ``with_text``).
    ``term_cache``, when given, keeps term counts on disk between runs (the store's).
    """

    def __init__(self, papers: pd.DataFrame, topic_order: list[str] | None = None,
                 term_cache: TermCache | None = None, store: Store | None = None,
                 revision: str = "") -> None:
        self.papers = _with_featured_day(papers.reset_index(drop=True))
        self._topic_order = topic_order
        self._term_cache = term_cache
        self._store = store
        self._term_indexes: dict[str, TermIndex | SegmentedTermIndex] = {}
        self._unknown: dict[str, int] = {}
        self._date_ranges: dict[str, tuple[dt.date, dt.date] | None] = {}
        self._matches: dict[tuple[str, ...], np.ndarray] = {}
        self._revision = revision  # the store's the papers are of ('' when not known)
        missing = [c for c in schema.LONG_TEXT_COLUMNS if c not in self.papers]
        if missing and store is None:
            raise ValueError(f"papers without {', '.join(missing)} need the store to read "
                             "them from")

    @classmethod
    def from_store(cls, store: Store, topic_order: list[str] | None = None) -> Collection:
        """Every column but the long texts, which stay in the store until a row needs them:
        the dashboard starts without reading a million abstracts."""
        return cls(store.load(with_text=False), topic_order, TermCache.beside(store.path),
                   store)

    @classmethod
    def versions_of(cls, store: Store) -> Collection:
        """Only which papers the store holds and their versions (``Store.versions``), texts
        read from the store for the rows that need them: what bringing the indexes up to
        date after an update reads, instead of the whole collection."""
        versions, revision = store.versions()
        return cls(versions.to_pandas(types_mapper=pd.ArrowDtype),
                   term_cache=TermCache.beside(store.path), store=store, revision=revision)

    def __len__(self) -> int:
        return len(self.papers)

    @classmethod
    def empty(cls) -> Collection:
        return cls(schema.empty_frame())

    # -- the long texts -------------------------------------------------------------------

    def texts(self, rows: np.ndarray | pd.Index,
              columns: tuple[str, ...] = schema.LONG_TEXT_COLUMNS) -> pd.DataFrame:
        """Long text columns of these rows (positions, which are also the labels)."""
        rows = np.asarray(rows, dtype=np.int64)
        if all(c in self.papers for c in columns):
            return self.papers.iloc[rows][list(columns)]
        frame = self._stored(rows, columns).to_pandas(types_mapper=pd.ArrowDtype)
        return frame.set_axis(pd.Index(rows))

    def _stored(self, rows: np.ndarray, columns: tuple[str, ...]) -> pa.Table:
        """These columns of these rows as the store holds them, read by position
        (``StoredTexts``); by ``paper_id`` instead should the positions not hold the papers
        this frame has there (a store file replaced by another under a running dashboard)."""
        ids = self._ids.take(pa.array(rows))
        table = self._stored_texts.read(rows, columns)
        if not table["paper_id"].equals(pa.chunked_array([ids], ids.type)):
            table = self._store.texts(ids, columns)
        return table.select(list(columns))

    @cached_property
    def _stored_texts(self) -> StoredTexts:
        return StoredTexts(self._store)

    @cached_property
    def _ids(self) -> pa.Array:
        return arrow.contiguous(self.papers["paper_id"])

    def with_text(self, mask: np.ndarray) -> pd.DataFrame:
        """The rows under ``mask`` with every schema column: what an export holds."""
        selected = self.papers.loc[mask]
        missing = tuple(c for c in schema.LONG_TEXT_COLUMNS if c not in selected)
        if missing:
            selected = selected.join(self.texts(selected.index, missing))
        return selected[list(schema.COLUMN_NAMES)]

    @cached_property
    def without_text(self) -> pd.DataFrame:
        """Every column but the long texts: what most pages select rows from, so a filter
        change does not copy every abstract."""
        return self.papers.drop(columns=[c for c in schema.LONG_TEXT_COLUMNS
                                         if c in self.papers])

    def _arrow(self, name: str) -> pa.ChunkedArray:
        # contiguous: a chunked column inside chunked_array([...]) is converted value by value
        return pa.chunked_array([arrow.contiguous(self.papers[name])]) if len(self.papers) else (
            pa.chunked_array([], schema.BY_NAME[name].arrow_type))

    def search_texts(self, rows: np.ndarray | None = None) -> pa.ChunkedArray:
        """'title \\n abstract' of these rows (every row when None), as typed: what the search
        box looks in. The abstracts come from the store when the frame leaves them out."""
        if all(c in self.papers for c in ("title", "abstract")):
            def picked(values: pa.ChunkedArray) -> pa.ChunkedArray:
                return values if rows is None else values.take(pa.array(rows))

            title, abstract = picked(self._arrow("title")), picked(self._arrow("abstract"))
        else:
            every = np.arange(len(self.papers)) if rows is None else np.asarray(rows, np.int64)
            texts = self._stored(every, SEARCHED)
            title, abstract = texts["title"], texts["abstract"]
        return _search_text(title, abstract)

    @cached_property
    def search_index(self) -> WordLookup:
        """The word index behind the search box, from the term cache (every ingest brings it
        up to date), else built here from every title and abstract."""
        if self._term_cache is not None:
            return self._term_cache.search_index(self.papers, self.search_texts,
                                                 self.text_values)
        return build_search_index(self.search_texts())

    def matching(self, term: str) -> np.ndarray:
        """Rows where the search ``term`` (lower-cased) starts a word."""
        return self.matching_all((term,))

    def matching_all(self, terms: tuple[str, ...]) -> np.ndarray:
        """Rows where every search term (lower-cased) starts a word, the text read at most
        once (``WordLookup.matching_all``); the last few searches are kept, so moving another
        filter does not look the same terms up again."""
        if terms not in self._matches:
            if len(self._matches) >= _REMEMBERED_SEARCHES:
                self._matches.pop(next(iter(self._matches)))
            self._matches[terms] = self._matching(terms)
        return self._matches[terms]

    def _matching(self, terms: tuple[str, ...]) -> np.ndarray:
        """``matching_all`` afresh; a term 'a|b' (``ALTERNATIVE``) is either term."""
        index, texts = self.search_index, self.search_texts
        single = tuple(term for term in terms if ALTERNATIVE not in term)
        found = index.matching_all(single, texts) if single else np.ones(len(self), dtype=bool)
        for term in terms:
            if ALTERNATIVE in term:
                either = np.zeros(len(self), dtype=bool)
                for alternative in term.split(ALTERNATIVE):
                    either |= index.matching_all((alternative,), texts)
                found &= either
        return found

    @cached_property
    def topic_matrix(self) -> pd.DataFrame:
        """papers x topics booleans; columns in taxonomy order, then any unknown topics."""
        rows, flat = arrow.flatten(self._arrow("topics"))
        codes, distinct = arrow.encode(pc.drop_null(flat) if flat.null_count else flat)
        if flat.null_count:
            rows = rows[np.asarray(pc.is_valid(flat))]
        present = distinct.to_pylist()  # a few dozen names: the rest stays numbers
        order = [t for t in (self._topic_order or []) if t in present]
        names = order + sorted(t for t in present if t not in order)
        column = np.array([names.index(t) for t in present], dtype=np.int64)
        matrix = np.zeros((len(self.papers), len(names)), dtype=bool)
        matrix[rows, column[codes]] = True
        return pd.DataFrame(matrix, columns=names)

    def date_range(self, column: str) -> tuple[dt.date, dt.date] | None:
        """The first and last known dates of ``column`` (one of ``DATE_COLUMNS``); None when
        no paper has one."""
        if column not in self._date_ranges:
            known = self.papers[column].dropna() if column in self.papers else []
            self._date_ranges[column] = (known.min(), known.max()) if len(known) else None
        return self._date_ranges[column]

    @cached_property
    def date_columns(self) -> tuple[str, ...]:
        """The dates a user can choose between: the featured day only when some papers have
        it and some have a publication date (a saved Papers page has no featured day)."""
        if self.date_range(FEATURED) is not None and self.date_range(PUBLISHED) is not None:
            return DATE_COLUMNS
        return (PUBLISHED,)

    @cached_property
    def most_authors(self) -> int | None:
        """The largest known author count; None when no count is known."""
        known = self.papers["n_authors"].dropna()
        return int(known.max()) if len(known) else None

    def count_unknown(self, column: str) -> int:
        """Papers whose value in ``column`` is unknown (what filters keep until narrowed)."""
        if column not in self._unknown:
            self._unknown[column] = int(self.papers[column].isna().sum())
        return self._unknown[column]

    @property
    def topics(self) -> list[str]:
        return list(self.topic_matrix.columns)

    @cached_property
    def has_code(self) -> np.ndarray:
        return (pc.fill_null(pc.list_value_length(self._arrow("github_repos")), 0)
                .to_numpy() > 0)

    def with_owners(self, owners: tuple[str, ...]) -> np.ndarray:
        """Papers linking a repository of any of these GitHub owners (any case): the part of
        'owner/repo' before the slash, as the GitHub page counts owners."""
        repos = self._arrow("github_repos")
        keep = np.zeros(len(self.papers), dtype=bool)
        if not len(self.papers) or not owners:
            return keep
        flat = pc.list_flatten(repos)
        owner = pc.utf8_lower(pc.replace_substring_regex(flat, "/.*$", ""))
        hits = pc.is_in(owner, value_set=pa.array([o.lower() for o in owners], pa.string()))
        rows = pc.list_parent_indices(repos).to_numpy()
        keep[rows[pc.fill_null(hits, False).to_numpy(zero_copy_only=False)]] = True
        return keep

    @cached_property
    def has_ai_keywords(self) -> bool:
        """Whether any paper has Hugging Face keywords (papers fetched from the API)."""
        lengths = pc.list_value_length(self._arrow("ai_keywords"))
        return bool(pc.max(lengths).as_py() or 0) if len(self.papers) else False

    def term_index(self, source: str = "both") -> TermIndex | SegmentedTermIndex:
        """Document-term counts for titles, abstracts or both, read once per source."""
        if source not in self._term_indexes:
            if self._term_cache is not None:
                index = self._term_cache.index(self.papers, source, self.text_values,
                                               self.search_texts)
            else:
                index = build_term_index(self.papers, source)
            self._term_indexes[source] = index
        return self._term_indexes[source]

    def prepare_indexes(self) -> None:
        """Bring the store's term cache up to date (term counts, finished term indexes, the
        search word index) after an ingest, so the dashboard starts on it."""
        if self._term_cache is None:
            raise ValueError("a collection without a term cache has nothing to prepare")
        # Arrow keeps memory it has freed (the ingested tables: gigabytes at a million papers)
        # for its own reuse, while the counting ahead allocates through numpy and scipy.
        pa.default_memory_pool().release_unused()
        self._term_cache.update(self.papers, self.text_values, self.search_texts,
                                revision=self._revision)

    def text_values(self, column: str, rows: np.ndarray) -> list[str]:
        """One column's text at these row positions, '' when unknown: what term counting
        reads for the papers it has not seen."""
        if column in self.papers:
            return frame_text_values(self.papers, column, rows)
        return self._stored(np.asarray(rows, dtype=np.int64), (column,))[column].fill_null(
            "").to_pylist()


def _with_featured_day(papers: pd.DataFrame) -> pd.DataFrame:
    """The papers with ``FEATURED``: the UTC day of ``submitted_at`` (unknown without one)."""
    if "submitted_at" not in papers or FEATURED in papers:
        return papers
    moments = arrow.contiguous(papers["submitted_at"])
    days = pc.cast(moments, pa.date32()) if len(moments) else pa.array([], pa.date32())
    papers[FEATURED] = pd.Series(pd.arrays.ArrowExtensionArray(days), index=papers.index)
    return papers


def _search_text(title: pa.ChunkedArray, abstract: pa.ChunkedArray) -> pa.ChunkedArray:
    """'title \\n abstract': what the search box and the search index look in."""
    return pc.binary_join_element_wise(pc.fill_null(title, ""), pc.fill_null(abstract, ""),
                                       "\n")


class StoredTexts:
    """Titles and abstracts read from the store by position (``Store.texts_at``), with
    ``paper_id``. A small read is kept and serves any of its rows again: an update asks for
    the titles and abstracts of a few rows, then the titles, then the abstracts of some."""

    def __init__(self, store: Store | None) -> None:
        self._store = store
        self._last: tuple[pd.Index, pa.Table] | None = None

    def read(self, rows: np.ndarray, columns: tuple[str, ...]) -> pa.Table:
        if self._store is None:
            raise ValueError("no store to read the texts from")
        if self._last is not None and set(columns) <= set(self._last[1].column_names):
            at = self._last[0].get_indexer(rows)
            if (at >= 0).all():
                return self._last[1].take(pa.array(at)).select(["paper_id", *columns])
        small = len(rows) <= _KEPT_READ_ROWS
        if small and set(columns) <= set(SEARCHED):
            columns = SEARCHED  # both at once: the other is asked for next
        table = self._store.texts_at(rows, columns)
        # A big read (a first build's block of abstracts) is not kept: hundreds of megabytes.
        self._last = (pd.Index(rows), table) if small else None
        return table

    def text_values(self, column: str, rows: np.ndarray) -> list[str]:
        """One column's texts at these positions, '' when unknown (``TermCache``'s
        ``TextValues``)."""
        return self.read(np.asarray(rows, dtype=np.int64), (column,))[column].fill_null(
            "").to_pylist()

    def search_texts(self, rows: np.ndarray) -> pa.ChunkedArray:
        texts = self.read(np.asarray(rows, dtype=np.int64), SEARCHED)
        return _search_text(texts["title"], texts["abstract"])
