"""The indexes kept beside the store, brought up to date by what an update changed.

Analysing text is the slow step (about a millisecond of Python per abstract), and a million
papers' search words are a hundred million postings. So ``<store>.terms/`` keeps them in
*segments* (``segments.Segment``), one per update, each holding the rows that update wrote,
plus the collection-wide sums the finished term indexes are decided from
(``term_stats``). An update of k papers analyses those k texts, writes one segment of k rows,
adjusts the sums by what the k rows added and what their older rows held, and writes the
small files that say which segment holds which row: its cost follows what changed, not what
the collection holds. Segments are merged when there are more than ``MAX_DELTAS`` beside the
first (or its replaced rows pile up), without reading any text again.

Rows are the papers' positions in the collection, which never move (the store's ``seq``), so
a saved index stays valid for every row an update did not touch; which rows those are is read
off ``last_updated``. A generation records the store's revision it was made from: a writer
that knows which rows it wrote since (``catch_up``) hands over just those, and neither reads
nor hashes what the collection holds. Which papers the saved rows are is a chain of digests,
one link per block of rows an update added, so that such an update extends it by its own
rows alone and a reader checks the whole chain in one pass over the ids.

The folder is a cache: delete it and the next update rebuilds it; a file that does not match
the collection (another store, a damaged file) is never used.
Writers take a lock on the folder; readers need none (the manifest is replaced atomically
and names every file of its generation).
"""

from __future__ import annotations

import fcntl
import hashlib
import itertools
import json
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, fields
from dataclasses import replace as dataclass_replace
from functools import cached_property, partial
from pathlib import Path
from typing import Protocol, TypeVar, overload

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import scipy.sparse as sp

from papertrends.common.errors import DamagedFileError
from papertrends.indexes import files, segments, terms
from papertrends.indexes.search_index import build_search_index
from papertrends.indexes.segmented import SegmentedSearchIndex, SegmentedTermIndex
from papertrends.indexes.segments import FIELDS, Segment
from papertrends.indexes.term_stats import (
    SOURCES,
    FinishedColumns,
    SourceStats,
    Vocabulary,
    finish_columns,
    widened,
)

# (column, row positions) -> those rows' texts, '' when unknown.
TextValues = Callable[[str, np.ndarray], list[str]]
# (row positions) -> those rows' 'title \n abstract'.
SearchTexts = Callable[[np.ndarray], pa.Array | pa.ChunkedArray]
FORMAT_VERSION = "3"  # bump when analyse() or the files change: old caches are then rebuilt
MAX_DELTAS = 8  # segments beside the first before they are merged into one
_TEXT_BLOCK_ROWS = 200_000  # texts read from the store at once: a few hundred MB
_SUM_BLOCK_ROWS = 100_000  # rows of counts summed at once: their temporaries stay small
_MANIFEST = "manifest.json"
_OLD_FILES = ("raw.npz", "search.npz", "index-both.npz", "index-titles.npz",
              "index-abstracts.npz")
_LOADED_SEGMENTS = 64  # segments kept loaded in a process, across collection versions


@dataclass
class _State:
    """One generation of the folder: which rows it covers and where each one is."""

    generation: int
    serial: int  # the number the next new segment file gets
    n_rows: int
    ids_digest: str  # the last link of the chain of its ids (``ids_chain``)
    updated: np.ndarray  # int64 per row: last_updated when indexed
    text_digest: np.ndarray  # uint64 per row: its title and abstract's (0: not known)
    owner: np.ndarray  # int64 per row: which segment holds it
    local: np.ndarray  # int64 per row: its row in that segment
    segment_names: list[str]
    segment_sizes: np.ndarray | None  # rows per segment, live or not (None: not saved)
    vocabulary: Vocabulary
    stats: dict[str, SourceStats]
    finished: dict[str, FinishedColumns]
    ids_cuts: np.ndarray | None = None  # the row counts the chain's links end at ([n_rows])
    revision: str = ""  # the store's revision indexed ('' when not known)

    @classmethod
    def empty(cls, generation: int, serial: int) -> _State:
        empty = np.zeros(0, dtype=np.int64)
        return cls(generation, serial, 0, "", empty, empty.astype(np.uint64), empty, empty, [],
                   empty, Vocabulary(), {source: SourceStats() for source in SOURCES}, {})

    @property
    def cuts(self) -> np.ndarray:
        """Where the chain's links end (one link for all rows in a folder saved before)."""
        return self.ids_cuts if self.ids_cuts is not None and len(self.ids_cuts) else (
            np.array([self.n_rows], dtype=np.int64))


class TermCache:
    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)

    @classmethod
    def beside(cls, store_path: str | Path) -> TermCache:
        path = Path(store_path)
        return cls(path.with_name(path.name + ".terms"))

    def check(self) -> None:
        """Raise DamagedFileError when something other than a folder is where the indexes
        go: a writer calls this before it stores anything, a reader before it shows a page.
        The file is not ours to delete (it may be someone's), so the user is told."""
        if self.folder.exists() and not self.folder.is_dir():
            raise DamagedFileError(
                self.folder, "this should be the folder of the collection's indexes (a cache "
                "beside the store), but it is a file",
                "Move it away or delete it: the indexes are rebuilt from the collection by "
                "the next `papertrends ingest` or dashboard start")

    # -- reading ---------------------------------------------------------------------------

    def index(self, papers: pd.DataFrame, source: str = "both",
              text_values: TextValues | None = None,
              search_texts: SearchTexts | None = None) -> terms.TermIndex | SegmentedTermIndex:
        """The finished term index of ``papers`` (rows in their order), as saved; brought up
        to date first when the collection changed since (only what changed is analysed).
        ``text_values`` and ``search_texts`` read the texts of rows to analyse
        (``Collection`` reads them from the store); by default they come from ``papers``."""
        if source not in terms.SOURCES:
            raise ValueError(f"term source must be one of {terms.SOURCES}, not {source!r}")
        if source == "keywords":  # given per paper, nothing to analyse: counted on the spot
            return terms.build_keyword_index(papers)
        state, loaded = self._current(papers, text_values, search_texts)
        return SegmentedTermIndex(loaded, self._alive(state, loaded), state.finished[source],
                                  state.vocabulary, source, state.n_rows)

    def search_index(self, papers: pd.DataFrame, search_texts: SearchTexts | None = None,
                     text_values: TextValues | None = None) -> SegmentedSearchIndex:
        """The search box's word index of ``papers``, as saved (brought up to date first)."""
        state, loaded = self._current(papers, text_values, search_texts, uses=("search",))
        return SegmentedSearchIndex(loaded, self._alive(state, loaded), state.n_rows)

    def _current(self, papers: pd.DataFrame, text_values: TextValues | None,
                 search_texts: SearchTexts | None, uses: tuple[str, ...] = ()
                 ) -> tuple[_State, list[Segment]]:
        """The saved generation for ``papers`` and its segments, updated first if need be;
        rebuilt when a file of it cannot be read, or the parts of the segments the caller
        ``uses`` (``Segment.verify``) do not match their checksums."""
        versions = _Versions(papers)
        for attempt in range(2):
            state = self._read_state()
            touched = None if state is None else _touched(state, versions)
            if touched is None or len(touched) or attempt:
                self._update(versions, text_values, search_texts, rebuild=attempt > 0)
                state = self._read_state()
            try:
                if state is None:
                    raise FileNotFoundError(self.folder / _MANIFEST)
                loaded = [self._segment(name) for name in state.segment_names]
                for segment in loaded:
                    segment.verify(*uses)
                return state, loaded
            except files.READ_ERRORS:
                _SEGMENTS.clear()
                _STATES.clear()
        raise OSError(f"{self.folder}: the indexes cannot be written and read back")

    def is_current(self, papers: pd.DataFrame) -> bool:
        """Whether the saved indexes serve ``papers`` as they are, with nothing to analyse."""
        state = self._read_state()
        touched = None if state is None else _touched(state, _Versions(papers))
        return touched is not None and not len(touched)

    # -- updating --------------------------------------------------------------------------

    def update(self, papers: pd.DataFrame, text_values: TextValues | None = None,
               search_texts: SearchTexts | None = None, *, rebuild: bool = False,
               revision: str = "") -> None:
        """Index the rows of ``papers`` that are new or changed since the saved generation
        (every row when it does not match, cannot be read, or ``rebuild``), in one new
        generation; ``revision`` is the store's the papers are of ('' when not known)."""
        self._update(_Versions(papers), text_values, search_texts, rebuild=rebuild,
                     revision=revision)

    def catch_up(self, changes_since: Callable[[str], StoreChanges | None],
                 text_values: TextValues, search_texts: SearchTexts) -> bool:
        """Bring the saved generation up to date with the rows the store wrote since the
        revision it was made from (``changes_since``, which reads only those), without
        reading every paper's version. False when that cannot be done: no generation, one of
        no known revision, or a store that does not remember what it wrote since (then
        ``update`` with every paper's version does it)."""
        with self._locked():
            state = self._read_state()
            if state is None or not state.revision:
                return False
            changes = changes_since(state.revision)
            if changes is None:
                return False
            versions = _Changed(state, changes)
            if not versions.follows():
                return False
            try:
                new_state, new_segments = _updated_state(
                    state, _LazySegments(self, state), versions, versions.candidates(),
                    text_values, search_texts, changes.revision)
            except files.READ_ERRORS:
                _SEGMENTS.clear()
                return False
            if new_state is not state:
                self._write_state(new_state, new_segments)
            return True

    def _update(self, versions: _Versions, text_values: TextValues | None,
                search_texts: SearchTexts | None, *, rebuild: bool, revision: str = "") -> None:
        papers = versions.papers
        text_values = text_values or partial(frame_text_values, papers)
        search_texts = search_texts or partial(frame_search_texts, papers)
        with self._locked():
            state = self._read_state()
            touched = None if state is None or rebuild else _touched(state, versions)
            if touched is not None and not len(touched) and revision in ("", state.revision):
                return
            if touched is not None:
                try:
                    loaded = _LazySegments(self, state)
                    new_state, new_segments = _updated_state(state, loaded, versions, touched,
                                                             text_values, search_texts,
                                                             revision)
                except files.READ_ERRORS:  # a saved segment is damaged (files.DamagedArchive
                    _SEGMENTS.clear()      # when its checksums do not match): start afresh
                    touched = None
            if touched is None:  # nothing usable saved, or saved for other papers
                state = _State.empty(0 if state is None else state.generation,
                                     0 if state is None else state.serial)
                new_state, new_segments = _updated_state(
                    state, _LazySegments(self, state), versions, np.arange(len(papers)),
                    text_values, search_texts, revision)
            if new_state is not state:
                self._write_state(new_state, new_segments)

    # -- files -------------------------------------------------------------------------------

    @contextmanager
    def _locked(self) -> Iterator[None]:
        """One writer at a time (an ingest, and a dashboard catching up on its own)."""
        self.check()
        self.folder.mkdir(parents=True, exist_ok=True)
        with open(self.folder / ".lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _read_state(self) -> _State | None:
        """The saved generation, or None when there is none usable: a manifest that does not
        match its own digest, or names a file whose size is not the one it wrote."""
        try:
            manifest = json.loads((self.folder / _MANIFEST).read_text())
            if manifest.get("version") != FORMAT_VERSION or not _intact(self.folder, manifest):
                return None
            key = (str(self.folder), manifest["generation"])
            if key not in _STATES:
                _STATES.clear()  # one generation per folder is enough
                _STATES[key] = _load_state(self.folder, manifest)
            return _STATES[key]
        except (*files.READ_ERRORS, json.JSONDecodeError, TypeError, AttributeError):
            return None

    def _segment(self, name: str) -> Segment:
        """A segment, loaded (and verified, ``files.read``) once per process; again when its
        file has changed since, as a file overwritten in place would have."""
        path = self.folder / name
        stat = path.stat()
        seen = (stat.st_ino, stat.st_size, stat.st_mtime_ns)
        if path not in _SEGMENTS or _SEGMENTS[path][0] != seen:
            _SEGMENTS.pop(path, None)
            if len(_SEGMENTS) >= _LOADED_SEGMENTS:
                _SEGMENTS.pop(next(iter(_SEGMENTS)))
            _SEGMENTS[path] = (seen, segments.load(path))
        return _SEGMENTS[path][1]

    def _alive(self, state: _State, loaded: list[Segment]) -> list[np.ndarray]:
        return [state.owner[segment.rows] == number for number, segment in enumerate(loaded)]

    def _write_state(self, state: _State, new_segments: dict[str, Segment]) -> None:
        for name, segment in new_segments.items():
            segments.save(segment, self.folder / name)
        state_name = f"state-{state.generation:06d}.npz"
        files.write(self.folder / state_name, _state_arrays(state))
        manifest = {"version": FORMAT_VERSION, "generation": state.generation,
                    "serial": state.serial, "segments": state.segment_names,
                    "state": state_name,
                    "sizes": {name: (self.folder / name).stat().st_size
                              for name in (state_name, *state.segment_names)}}
        manifest["digest"] = _manifest_digest(manifest)
        temporary = self.folder / f".{_MANIFEST}.partial"
        temporary.write_text(json.dumps(manifest))
        os.replace(temporary, self.folder / _MANIFEST)
        for stale in self.folder.iterdir():
            unused = stale.name.startswith(("state-", "segment-")) and stale.name not in (
                state_name, *state.segment_names)
            if unused or stale.name in _OLD_FILES:
                stale.unlink(missing_ok=True)


_STATES: dict[tuple[str, int], _State] = {}
_SEGMENTS: dict[Path, tuple[tuple[int, int, int], Segment]] = {}


def _manifest_digest(manifest: dict) -> str:
    """A digest of everything else the manifest says: bytes overwritten in it are noticed
    even when the JSON still parses (a segment's name, a generation)."""
    content = {key: value for key, value in manifest.items() if key != "digest"}
    return hashlib.blake2b(json.dumps(content, sort_keys=True).encode(),
                           digest_size=16).hexdigest()


def _intact(folder: Path, manifest: dict) -> bool:
    """Whether the manifest matches its digest and every file it names has the size it
    was written with. (A manifest from before digests has neither: its files are still
    verified member by member as they are read.)"""
    if "digest" not in manifest:
        return "sizes" not in manifest
    if manifest["digest"] != _manifest_digest(manifest):
        return False
    return all((folder / name).stat().st_size == size
               for name, size in manifest["sizes"].items())


class _LazySegments(Sequence[Segment]):
    """A generation's segments, each loaded when first asked for: an update that only adds
    rows, or only sees papers again with the same texts, loads none of them (the first one
    holds most of the collection)."""

    def __init__(self, cache: TermCache, state: _State) -> None:
        self._cache, self._names = cache, state.segment_names
        self._sizes = state.segment_sizes

    def __len__(self) -> int:
        return len(self._names)

    @overload
    def __getitem__(self, index: int) -> Segment: ...

    @overload
    def __getitem__(self, index: slice) -> list[Segment]: ...

    def __getitem__(self, index: int | slice) -> Segment | list[Segment]:
        if isinstance(index, slice):
            return [self[number] for number in range(len(self))[index]]
        return self._cache._segment(self._names[index])

    def sizes(self) -> np.ndarray:
        """Rows per segment, live or not; from the saved state when it has them."""
        if self._sizes is not None and len(self._sizes) == len(self):
            return self._sizes
        return np.array([len(segment) for segment in self], dtype=np.int64)


def _touched(state: _State, versions: _Versions) -> np.ndarray | None:
    """The rows of the frame new or changed since ``state`` was saved, or None when the
    saved rows are not its first rows (another collection, another order)."""
    if not versions.extends(state):
        return None
    updated = versions.updated
    changed = np.flatnonzero(updated[:state.n_rows] != state.updated)
    return np.concatenate([changed, np.arange(state.n_rows, len(versions))])


def _updated_state(state: _State, loaded: _LazySegments, versions: _Versions | _Changed,
                   candidates: np.ndarray, text_values: TextValues, search_texts: SearchTexts,
                   revision: str) -> tuple[_State, dict[str, Segment]]:
    """The next generation: the rows among ``candidates`` whose texts are new or changed
    analysed into a new segment, the sums moved by what they add and what their older rows
    held, segments merged when there are many. Candidates whose title and abstract are
    what was indexed (a paper seen again with more upvotes) only have their version noted.
    ``revision``: the store's, which the rows are of. Returns ``state`` itself when nothing
    is to be saved."""
    n_rows = len(versions)
    # Papers seen before: are their texts what was indexed? (New ones are analysed anyway, and
    # their texts are read after counting, as a first build reads a million of them.)
    seen = candidates[candidates < state.n_rows]
    seen_digests = _read_digests(search_texts, seen)
    same = (state.text_digest[seen] == seen_digests) & (seen_digests != 0)
    text_digest = np.concatenate([state.text_digest,
                                  np.zeros(n_rows - state.n_rows, dtype=np.uint64)])
    text_digest[seen] = seen_digests
    updated = versions.updated
    touched = np.concatenate([seen[~same], candidates[candidates >= state.n_rows]])
    if not len(touched):
        if not len(candidates) and revision in ("", state.revision):
            return state, {}
        return dataclass_replace(state, generation=state.generation + 1, updated=updated,
                                 text_digest=text_digest, revision=revision), {}
    # Copies (of the vocabulary's and sums' arrays: megabytes): the saved generation stays
    # as it was for readers in this process, and if this update fails.
    vocabulary = _copied(state.vocabulary)
    stats = {source: _copied(sums) for source, sums in state.stats.items()}
    groups = vocabulary.group_matrix()
    replaced = touched[touched < state.n_rows]
    for number in np.unique(state.owner[replaced]).tolist():
        local = state.local[replaced[state.owner[replaced] == number]]
        _add_rows(stats, loaded[number], local, groups, -1)

    def read_blocks() -> Iterator[pa.Array]:  # noting each block's digests on the way
        for rows, block in _text_blocks(search_texts, touched):
            text_digest[rows] = text_digests(block)
            yield block

    search = build_search_index(read_blocks())  # first: texts and counts never held at once
    raw = {field: terms.count_raw(_LazyTexts(text_values, field, touched)) for field in FIELDS}
    segment = segments.build(touched, raw, search, vocabulary)
    del raw, search
    groups = vocabulary.group_matrix()  # the update's new terms have joined
    _add_rows(stats, segment, np.arange(len(segment)), groups, 1)
    owner = np.concatenate([state.owner, np.full(n_rows - state.n_rows, -1, dtype=np.int64)])
    local = np.concatenate([state.local, np.zeros(n_rows - state.n_rows, dtype=np.int64)])
    names = [*state.segment_names, f"segment-{state.serial:06d}.npz"]
    sizes = np.append(loaded.sizes(), len(segment))
    serial = state.serial + 1
    new_segments = {names[-1]: segment}
    owner[touched] = len(names) - 1
    local[touched] = np.arange(len(touched))
    live = np.bincount(owner[owner >= 0], minlength=len(names))
    merge_from = _merge_from(sizes, live)
    if merge_from is not None:
        merging = [*loaded[merge_from:], segment]
        alive = [owner[s.rows] == number for number, s in enumerate(merging, merge_from)]
        merged = segments.merge(merging, alive, vocabulary)
        name = f"segment-{serial:06d}.npz"
        serial += 1
        names = [*names[:merge_from], name]
        sizes = np.append(sizes[:merge_from], len(merged))
        new_segments = {name: merged}
        owner[merged.rows] = merge_from
        local[merged.rows] = np.arange(len(merged))
    finished = {source: finish_columns(vocabulary, stats[source]) for source in SOURCES}
    ids_digest, cuts = versions.chain(state)
    next_state = _State(state.generation + 1, serial, n_rows, ids_digest, updated,
                        text_digest, owner, local, names, sizes, vocabulary, stats, finished,
                        cuts, revision)
    return next_state, new_segments


def text_digests(texts: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """A 64-bit digest of each text (never 0, which stands for "not known"): whether a
    paper seen again needs its words counted again. Hashed straight from Arrow's bytes:
    a million abstracts made into Python strings first would take a gigabyte."""
    digests = np.zeros(len(texts), dtype=np.uint64)
    at = 0
    for chunk in texts.chunks if isinstance(texts, pa.ChunkedArray) else [texts]:
        chunk = pc.fill_null(chunk, "").cast(pa.large_string())
        offsets = np.frombuffer(chunk.buffers()[1], dtype=np.int64)[
            chunk.offset:chunk.offset + len(chunk) + 1].tolist()
        data = memoryview(chunk.buffers()[2] or b"")
        for row, (start, end) in enumerate(itertools.pairwise(offsets)):
            digest = hashlib.blake2b(data[start:end], digest_size=8).digest()
            digests[at + row] = int.from_bytes(digest, "little") or 1
        at += len(chunk)
    return digests


def _text_blocks(search_texts: SearchTexts, rows: np.ndarray
                 ) -> Iterator[tuple[np.ndarray, pa.Array]]:
    """(rows, their search texts), ``_TEXT_BLOCK_ROWS`` at a time: one block held at once."""
    for start in range(0, len(rows), _TEXT_BLOCK_ROWS):
        block_rows = rows[start:start + _TEXT_BLOCK_ROWS]
        yield block_rows, search_texts(block_rows)


def _read_digests(search_texts: SearchTexts, rows: np.ndarray) -> np.ndarray:
    """``text_digests`` of these rows, a block of texts at a time."""
    digests = [text_digests(block) for _, block in _text_blocks(search_texts, rows)]
    return np.concatenate(digests) if digests else np.zeros(0, dtype=np.uint64)


_Arrays = TypeVar("_Arrays", Vocabulary, SourceStats)


def _copied(arrays: _Arrays) -> _Arrays:
    """A copy of every array (the terms' strings shared: a deep copy visits each one)."""
    return type(arrays)(*(getattr(arrays, f.name).copy() for f in fields(arrays)))


def _merge_from(sizes: np.ndarray, live: np.ndarray) -> int | None:
    """Which segments to merge into one, from this one on (``sizes``: rows per segment,
    ``live``: how many of them are current): all beside the first when there are more than
    ``MAX_DELTAS``; all of them when the first has lost a quarter of its rows or the others
    hold more live rows than it does. None: leave them."""
    if len(sizes) < 2:
        return None
    if live[0] * 4 < sizes[0] * 3 or live[1:].sum() > live[0]:
        return 0
    if len(sizes) - 1 > MAX_DELTAS:
        return 1
    return None


def _add_rows(stats: dict[str, SourceStats], segment: Segment, local: np.ndarray,
              groups: sp.csr_matrix, sign: int) -> None:
    """Add (sign 1) or take away (-1) these rows of a segment from every source's sums."""
    width = groups.shape[0]
    for start in range(0, max(len(local), 1), _SUM_BLOCK_ROWS):  # bounded temporaries
        block = local[start:start + _SUM_BLOCK_ROWS]
        title = widened(sp.csr_matrix(segment.raw["title"][block]), width)
        abstract = widened(sp.csr_matrix(segment.raw["abstract"][block]), width)
        stats["titles"].add(title, groups, sign)
        stats["abstracts"].add(abstract, groups, sign)
        stats["both"].add((title + abstract).tocsr(), groups, sign)


def _state_arrays(state: _State) -> dict[str, np.ndarray]:
    vocabulary = state.vocabulary
    arrays = {"n_rows": np.array([state.n_rows]), "ids_digest": files.text(state.ids_digest),
              "ids_cuts": state.cuts, "revision": files.text(state.revision),
              "updated": state.updated, "text_digest": state.text_digest,
              "owner": state.owner, "local": state.local,
              "segment_sizes": np.asarray(state.segment_sizes if state.segment_sizes
                                          is not None else [], dtype=np.int64),
              "terms": files.joined(vocabulary.terms), "group_of": vocabulary.group_of,
              "groups": files.joined(vocabulary.groups), "key_term": vocabulary.key_term}
    for source in SOURCES:
        sums, columns = state.stats[source], state.finished[source]
        arrays |= {f"{source}_occurrences": sums.occurrences, f"{source}_papers": sums.papers,
                   f"{source}_group_papers": sums.group_papers,
                   f"{source}_group": columns.group, f"{source}_term": columns.term,
                   f"{source}_terms": files.joined(columns.terms),
                   f"{source}_display": files.joined(columns.display),
                   f"{source}_stem_terms": _joined(list(columns.stems)),
                   f"{source}_stems": _joined(list(columns.stems.values())),
                   f"{source}_split": columns.split_groups,
                   f"{source}_folded_groups": columns.folded_groups,
                   f"{source}_folded_into": columns.folded_into,
                   f"{source}_alias_terms": _joined([term for term, forms in
                                                     columns.aliases.items() for _ in forms]),
                   f"{source}_alias_forms": _joined([form for forms in columns.aliases.values()
                                                     for form in forms])}
    return arrays


def _joined(values: list[str]) -> np.ndarray:
    return files.joined(np.array(values, dtype=object))


def _load_state(folder: Path, manifest: dict) -> _State:
    arrays = files.read(folder / manifest["state"])
    vocabulary = Vocabulary(files.lines(arrays["terms"]), arrays["group_of"],
                            files.lines(arrays["groups"]), arrays["key_term"])
    stats, finished = {}, {}
    for source in SOURCES:
        stats[source] = SourceStats(arrays[f"{source}_occurrences"],
                                    arrays[f"{source}_papers"],
                                    arrays[f"{source}_group_papers"])
        finished[source] = FinishedColumns(
            arrays[f"{source}_group"], arrays[f"{source}_term"],
            files.lines(arrays[f"{source}_terms"]), files.lines(arrays[f"{source}_display"]),
            dict(zip(files.lines(arrays[f"{source}_stem_terms"]).tolist(),
                     files.lines(arrays[f"{source}_stems"]).tolist(), strict=True)),
            arrays[f"{source}_split"], arrays[f"{source}_folded_groups"],
            arrays[f"{source}_folded_into"],
            _aliases(files.lines(arrays[f"{source}_alias_terms"]),
                     files.lines(arrays[f"{source}_alias_forms"])))
    for name in manifest["segments"]:
        if not (folder / name).exists():
            raise FileNotFoundError(folder / name)
    n_rows = int(arrays["n_rows"][0])
    # A folder saved before text digests and segment sizes were kept: every digest unknown
    # (those rows are counted again when next seen), sizes read off the segments.
    text_digest = arrays.get("text_digest", np.zeros(n_rows, dtype=np.uint64))
    sizes = arrays.get("segment_sizes")
    return _State(manifest["generation"], manifest["serial"], n_rows,
                  files.untext(arrays["ids_digest"]), arrays["updated"], text_digest,
                  arrays["owner"], arrays["local"], list(manifest["segments"]),
                  sizes if sizes is not None and len(sizes) == len(manifest["segments"])
                  else None, vocabulary, stats, finished, arrays.get("ids_cuts"),
                  files.untext(arrays["revision"]) if "revision" in arrays else "")


def _aliases(terms: np.ndarray, forms: np.ndarray) -> dict[str, tuple[str, ...]]:
    aliases: dict[str, list[str]] = {}
    for term, form in zip(terms.tolist(), forms.tolist(), strict=True):
        aliases.setdefault(term, []).append(form)
    return {term: tuple(found) for term, found in aliases.items()}


def frame_search_texts(papers: pd.DataFrame, rows: np.ndarray) -> pa.Array:
    """'title \\n abstract' of these rows of a frame that has both (what search looks in)."""
    title = pa.array(papers["title"].iloc[rows].fillna("").astype(str).tolist(), pa.string())
    abstract = pa.array(papers["abstract"].iloc[rows].fillna("").astype(str).tolist(),
                        pa.string())
    return pc.binary_join_element_wise(title, abstract, "\n")


def ids_chain(paper_ids: pd.Series | pa.Array | pa.ChunkedArray, cuts: Sequence[int],
              previous: str | None = None) -> list[str]:
    """The chain of digests of which papers the rows are, in which order (not at which
    version): one link for the first ``cuts[0]`` rows, then one for each next block up to the
    next cut, each link digesting the one before, in one pass over the ids. ``previous``: the
    link these rows follow on (``paper_ids`` then holds only the rows after it).

    Only the ids' characters and lengths are read, never Arrow's buffers as they lie: however
    DuckDB chunked or sliced the column, the same papers give the same chain.
    """
    ids = pa.array(paper_ids) if isinstance(paper_ids, pd.Series) else paper_ids
    if not isinstance(ids, pa.ChunkedArray):
        ids = pa.chunked_array([ids], ids.type)
    links: list[str] = [] if previous is None else [previous]
    done = 0
    for cut in cuts:
        lengths = hashlib.blake2b(b"" if links else FORMAT_VERSION.encode(), digest_size=16)
        characters = hashlib.blake2b(digest_size=16)
        _feed_ids(ids.slice(done, cut - done), lengths, characters)
        link = hashlib.blake2b(FORMAT_VERSION.encode(), digest_size=16)
        if links:
            for part in (links[-1].encode(), lengths.digest(), characters.digest()):
                link.update(part)
        else:  # the first link is what a folder saved before chains held for all its rows
            lengths.update(characters.digest())
            lengths.update(np.full(cut, -1, dtype=np.int64).tobytes())
            link.update(lengths.hexdigest().encode())
        links.append(link.hexdigest())
        done = cut
    return links if previous is None else links[1:]


def _feed_ids(ids: pa.ChunkedArray, lengths, characters) -> None:
    """Hash each id's length into ``lengths`` and its characters into ``characters``."""
    for chunk in ids.chunks:
        if not len(chunk):
            continue
        wide = pa.types.is_large_string(chunk.type)
        offsets = np.frombuffer(chunk.buffers()[1], dtype=np.int64 if wide else np.int32)[
            chunk.offset:chunk.offset + len(chunk) + 1]
        lengths.update(np.diff(offsets).astype(np.int64, copy=False).tobytes())
        if chunk.buffers()[2] is not None:
            characters.update(chunk.buffers()[2][int(offsets[0]):int(offsets[-1])])


def frame_text_values(papers: pd.DataFrame, column: str, rows: np.ndarray | slice
                      ) -> list[str]:
    """One column's text at these row positions, '' when unknown: what analysis reads."""
    return papers[column].iloc[rows].fillna("").astype(str).tolist()


class _LazyTexts(Sequence[str]):
    """One column's texts at these rows, read a block at a time as ``count_raw`` slices
    them: a million abstracts held at once as Python strings would take gigabytes."""

    def __init__(self, text_values: TextValues, column: str, rows: np.ndarray) -> None:
        self._text_values, self._column, self._rows = text_values, column, rows
        self._block: tuple[int, list[str]] = (0, [])  # (first position, its texts)

    def __len__(self) -> int:
        return len(self._rows)

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> list[str]: ...

    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, int):
            return self[index:index + 1][0]
        start, stop, step = index.indices(len(self))
        if step != 1:
            raise ValueError("only contiguous slices are read")
        texts: list[str] = []
        while start < stop:
            first = start - start % _TEXT_BLOCK_ROWS
            if self._block[0] != first or not self._block[1]:
                self._block = (first, self._text_values(
                    self._column, self._rows[first:first + _TEXT_BLOCK_ROWS]))
            end = min(stop, first + _TEXT_BLOCK_ROWS)
            texts.extend(self._block[1][start - first:end - first])
            start = end
        return texts


def _updated(papers: pd.DataFrame) -> np.ndarray:
    """last_updated as int64 microseconds (-1 when unknown): changes when a paper's text can."""
    values = pa.array(papers["last_updated"]).cast(pa.int64())
    return np.asarray(values.fill_null(-1), dtype=np.int64)


class _Versions:
    """Which papers a frame holds and at which version, each worked out once: an update
    checks the saved rows against the frame's first rows, then saves the whole frame's."""

    def __init__(self, papers: pd.DataFrame) -> None:
        self.papers = papers
        self._links: dict[tuple[int, ...], list[str]] = {}

    def __len__(self) -> int:
        return len(self.papers)

    @cached_property
    def updated(self) -> np.ndarray:
        return _updated(self.papers)

    def _chain(self, cuts: Sequence[int]) -> list[str]:
        """``ids_chain`` of the frame to these cuts (to them and on to the frame's end in
        the same pass: the update that checks a chain extends it next)."""
        key = tuple(int(cut) for cut in cuts)
        if key not in self._links:
            longer = (*key, len(self)) if len(self) > key[-1] else key
            links = ids_chain(self.papers["paper_id"], longer)
            self._links[longer], self._links[key] = links, links[:len(key)]
        return self._links[key]

    def extends(self, state: _State) -> bool:
        """Whether the saved rows are the frame's first rows."""
        cuts = state.cuts
        return len(self) >= cuts[-1] and self._chain(cuts)[-1] == state.ids_digest

    def chain(self, state: _State) -> tuple[str, np.ndarray]:
        """The chain's last link and cuts for the frame's rows, after ``state``'s."""
        if not state.n_rows:
            return self._chain([len(self)])[-1], np.array([len(self)], dtype=np.int64)
        if len(self) == state.n_rows:
            return state.ids_digest, state.cuts
        cuts = np.append(state.cuts, len(self))
        return self._chain(cuts)[-1], cuts


class StoreChanges(Protocol):
    """What a store wrote since a revision (``collection.store.Changes``)."""

    revision: str
    n_rows: int
    positions: np.ndarray
    paper_ids: pa.Array
    updated: np.ndarray


class _Changed:
    """The versions of a saved generation's rows after the store's ``changes``: what an
    update that knows what it wrote hands over instead of every row's version."""

    def __init__(self, state: _State, changes: StoreChanges) -> None:
        self._state, self.changes = state, changes

    def __len__(self) -> int:
        return self.changes.n_rows

    def follows(self) -> bool:
        """Whether the changes hold every row added since the state (and nothing is gone)."""
        added = self.changes.positions[self.changes.positions >= self._state.n_rows]
        return len(self) >= self._state.n_rows and np.array_equal(
            added, np.arange(self._state.n_rows, len(self)))

    @cached_property
    def updated(self) -> np.ndarray:
        updated = np.concatenate([self._state.updated,
                                  np.full(len(self) - self._state.n_rows, -1, dtype=np.int64)])
        updated[self.changes.positions] = self.changes.updated
        return updated

    def candidates(self) -> np.ndarray:
        """The rows new or changed since the state (``_touched``'s answer, from the changes)."""
        positions = self.changes.positions
        seen = positions[positions < self._state.n_rows]
        changed = seen[self.changes.updated[positions < self._state.n_rows]
                       != self._state.updated[seen]]
        return np.concatenate([changed, np.arange(self._state.n_rows, len(self))])

    def chain(self, state: _State) -> tuple[str, np.ndarray]:
        """The chain's last link and cuts after the rows added: a link of their ids alone."""
        if len(self) == state.n_rows:
            return state.ids_digest, state.cuts
        added = self.changes.paper_ids.filter(pa.array(self.changes.positions >= state.n_rows))
        if not state.n_rows:
            return ids_chain(added, [len(self)])[-1], np.array([len(self)], dtype=np.int64)
        [link] = ids_chain(added, [len(added)], previous=state.ids_digest)
        return link, np.append(state.cuts, len(self))
