"""Term counts kept beside the store, so no run analyses a paper's text twice.

Analysing text is the one slow step of the pages (about a millisecond per abstract, a quarter
of an hour for a million on one core). So the raw counts of every paper's title and abstract
are kept in ``<store>.terms/``, keyed by ``(paper_id, last_updated)``: after an ingest only the
new or changed papers are analysed, and the finished index each page reads is saved too, keyed
by a digest of the collection, so a fresh dashboard process just loads it. The search box's
word index (``search_index``) is kept the same way.

The files are a cache: deleting the folder only costs the time to rebuild it. They are written
atomically (a reader never sees half a file) and ignored when they do not match the store.
"""

from __future__ import annotations

import hashlib
import os
import struct
import zipfile
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import overload

import numpy as np
import pandas as pd
import pyarrow as pa
import scipy.sparse as sp

from papertrends.indexes import terms
from papertrends.indexes.search_index import SearchIndex, build_search_index
from papertrends.indexes.terms import RawCounts, TermIndex

# (column, row positions) -> those rows' texts, '' when unknown.
TextValues = Callable[[str, np.ndarray], list[str]]
# (row positions) -> those rows' 'title \n abstract'.
SearchTexts = Callable[[np.ndarray], pa.Array | pa.ChunkedArray]
FORMAT_VERSION = "1"  # bump when analyse() or the files change: old caches are then rebuilt
_FIELDS = ("title", "abstract")
_TEXT_BLOCK_ROWS = 200_000  # texts read from the store at once: a few hundred MB


class TermCache:
    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)

    @classmethod
    def beside(cls, store_path: str | Path) -> TermCache:
        path = Path(store_path)
        return cls(path.with_name(path.name + ".terms"))

    # -- the finished index a page reads --------------------------------------------------

    def index(self, papers: pd.DataFrame, source: str = "both",
              text_values: TextValues | None = None, *, key: str | None = None) -> TermIndex:
        """The term index of ``papers`` (rows in their order), from disk when it matches.

        ``text_values(column, rows)`` gives the texts of rows not yet counted, when ``papers``
        leaves them out (``Collection.text_values``); by default they are read from ``papers``.
        ``key`` is ``collection_digest(papers)`` when the caller has it already (it reads every
        id: most of a second at a million papers).
        """
        if source not in terms.SOURCES:
            raise ValueError(f"term source must be one of {terms.SOURCES}, not {source!r}")
        if source == "keywords":  # given per paper, nothing to analyse: counted on the spot
            return terms.build_keyword_index(papers)
        key = key or collection_digest(papers)
        saved = self._load_index(source, key)
        if saved is not None:
            return saved
        raw = self.raw(papers, text_values)
        if source == "both":
            counts = raw["title"] + raw["abstract"]
        else:
            counts = raw["title" if source == "titles" else "abstract"]
        del raw  # a gigabyte at a million papers: not kept beside the copies finishing makes
        index = terms.finish_term_index(counts)
        self._save_index(source, key, index)
        return index

    def prepare(self, papers: pd.DataFrame, text_values: TextValues, search_texts: SearchTexts,
                sources: tuple[str, ...] = ("both", "titles", "abstracts"), *,
                key: str | None = None) -> None:
        """Bring the cache up to date after an ingest, so the dashboard starts on it."""
        key = key or collection_digest(papers)
        for source in sources:
            self.index(papers, source, text_values, key=key)
        self.search_index(papers, search_texts, key=key)

    # -- the search box's word index -------------------------------------------------------

    def search_index(self, papers: pd.DataFrame, search_texts: SearchTexts, *,
                     key: str | None = None) -> SearchIndex:
        """The word index of ``papers`` (rows in their order), from disk when it matches.

        ``search_texts(rows)`` gives those rows' 'title \\n abstract' (``Collection.search_texts``,
        which reads the abstracts from the store); they are read a block of rows at a time.
        Built whole, not paper by paper like the term counts: it is Arrow and numpy work.
        ``key`` as for ``index``.
        """
        key = key or collection_digest(papers)
        arrays = self._read("search", key, mapped=("rows",))
        if arrays is not None:
            return SearchIndex(_lines(arrays["words"]), arrays["starts"], arrays["rows"],
                               len(papers))
        index = build_search_index(
            search_texts(np.arange(start, min(start + _TEXT_BLOCK_ROWS, len(papers))))
            for start in range(0, len(papers), _TEXT_BLOCK_ROWS))
        self._write("search", {"version": _bytes(FORMAT_VERSION), "key": _bytes(key),
                               "words": _bytes("\n".join(index.words.tolist())),
                               "starts": index.starts, "rows": index.rows})
        return index

    # -- raw counts, extended paper by paper ----------------------------------------------

    def raw(self, papers: pd.DataFrame,
            text_values: TextValues | None = None) -> dict[str, RawCounts]:
        """Raw counts per field, rows in ``papers`` order; only unseen texts are analysed."""
        text_values = text_values or partial(frame_text_values, papers)
        ids = papers["paper_id"].astype(str).to_numpy(dtype=object)
        updated = _updated(papers)
        saved = self._load_raw()
        if saved is not None:
            saved_ids, saved_updated, saved_counts = saved
            position = pd.Index(saved_ids).get_indexer(ids)
            found = position >= 0
            found[found] = saved_updated[position[found]] == updated[found]
        else:
            found = np.zeros(len(ids), dtype=bool)
            position = np.full(len(ids), -1)
        kept, missing = np.flatnonzero(found), np.flatnonzero(~found)
        # Saved rows first, then the new ones; put back in the papers' order below.
        order = np.concatenate([kept, missing])
        in_order = bool((order == np.arange(len(order))).all())
        result = {}
        unchanged = (saved is not None and kept.size == len(ids) == len(saved[0])
                     and bool((position == np.arange(len(ids))).all()))
        for field in _FIELDS:
            if unchanged:  # the saved rows as they are, not a copy of them in the same order
                result[field] = saved_counts[field]
                continue
            parts = [saved_counts[field].rows(position[kept])] if kept.size else []
            if missing.size or not parts:
                parts.append(terms.count_raw(_LazyTexts(text_values, field, missing)))
            stacked = RawCounts.stack(parts)
            result[field] = stacked if in_order else stacked.rows(np.argsort(order))
        if missing.size or saved is None or len(saved[0]) != len(ids):
            self._save_raw(ids, updated, result)
        return result

    # -- files ------------------------------------------------------------------------------

    def _path(self, name: str) -> Path:
        return self.folder / f"{name}.npz"

    def _write(self, name: str, arrays: dict[str, np.ndarray]) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        target = self._path(name)
        temporary = target.with_name(f".{target.name}.partial")
        try:
            with open(temporary, "wb") as file:
                np.savez(file, **arrays)
            os.replace(temporary, target)
        finally:
            temporary.unlink(missing_ok=True)

    def _read(self, name: str, key: str | None = None, mapped: tuple[str, ...] = ()
              ) -> dict[str, np.ndarray] | None:
        """The arrays of one file; None when it is missing, unreadable, of another format
        version or (given ``key``) made for another collection. The version and key are
        checked before the large arrays are read. The ``mapped`` arrays are memory-mapped,
        not read: a search touches a few pages of the search index's hundreds of megabytes."""
        path = self._path(name)
        try:
            with np.load(path, allow_pickle=False) as data:
                if _text(data["version"]) != FORMAT_VERSION or (
                        key is not None and _text(data["key"]) != key):
                    return None
                arrays = {array: data[array] for array in data.files if array not in mapped}
            return arrays | {array: _map_member(path, array) for array in mapped}
        except (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile):
            return None  # rebuilt by the caller

    def _save_raw(self, ids: np.ndarray, updated: np.ndarray,
                  counts: dict[str, RawCounts]) -> None:
        arrays = {"version": _bytes(FORMAT_VERSION), "ids": _bytes("\n".join(ids.tolist())),
                  "updated": updated}
        for field, raw in counts.items():
            arrays.update(_matrix(field, raw.counts))
            arrays[f"{field}_vocabulary"] = _bytes("\n".join(raw.vocabulary.tolist()))
        self._write("raw", arrays)

    def _load_raw(self) -> tuple[np.ndarray, np.ndarray, dict[str, RawCounts]] | None:
        arrays = self._read("raw")
        if arrays is None:
            return None
        ids = _lines(arrays["ids"])
        counts = {field: RawCounts(_unmatrix(field, arrays),
                                   _lines(arrays[f"{field}_vocabulary"])) for field in _FIELDS}
        return ids, arrays["updated"], counts

    def _save_index(self, source: str, key: str, index: TermIndex) -> None:
        stems = sorted(index.stems.items())
        self._write(f"index-{source}", {
            "version": _bytes(FORMAT_VERSION), "key": _bytes(key),
            **_matrix("counts", index.counts),
            "terms": _bytes("\n".join(index.terms.tolist())),
            "labels": _bytes("\n".join(index.labels.tolist())),
            "stem_terms": _bytes("\n".join(term for term, _ in stems)),
            "stems": _bytes("\n".join(stem for _, stem in stems)),
        })

    def _load_index(self, source: str, key: str) -> TermIndex | None:
        arrays = self._read(f"index-{source}", key)
        if arrays is None:
            return None
        stems = dict(zip(_lines(arrays["stem_terms"]).tolist(),
                         _lines(arrays["stems"]).tolist(), strict=True))
        return TermIndex(_unmatrix("counts", arrays), _lines(arrays["terms"]), stems,
                         _lines(arrays["labels"]))


def collection_digest(papers: pd.DataFrame) -> str:
    """Which papers, in which order, at which version: what a finished index depends on.

    Only the ids' characters and lengths are read, never Arrow's buffers as they lie: however
    DuckDB chunked or sliced the column, the same papers give the same digest.
    """
    lengths = hashlib.blake2b(FORMAT_VERSION.encode(), digest_size=16)
    characters = hashlib.blake2b(digest_size=16)
    ids = pa.array(papers["paper_id"]).cast(pa.large_string())
    for chunk in ids.chunks if isinstance(ids, pa.ChunkedArray) else [ids]:
        if not len(chunk):
            continue
        offsets = np.frombuffer(chunk.buffers()[1], dtype=np.int64)[
            chunk.offset:chunk.offset + len(chunk) + 1]
        lengths.update(np.diff(offsets).tobytes())
        if chunk.buffers()[2] is not None:
            characters.update(chunk.buffers()[2][offsets[0]:offsets[-1]])
    lengths.update(characters.digest())
    lengths.update(_updated(papers).tobytes())
    return lengths.hexdigest()


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


def _map_member(path: Path, name: str) -> np.ndarray:
    """One array of a ``np.savez`` file, memory-mapped. savez stores its members as they are
    (no compression), so the array's bytes lie in the file after two headers."""
    with zipfile.ZipFile(path) as archive:
        member = archive.getinfo(f"{name}.npy")
    if member.compress_type != zipfile.ZIP_STORED:
        raise ValueError(f"{path}: {name} is compressed")
    with open(path, "rb") as file:
        file.seek(member.header_offset)
        local_header = file.read(30)  # the zip entry's own header: name and extra field follow
        name_length, extra_length = struct.unpack("<HH", local_header[26:30])
        file.seek(member.header_offset + 30 + name_length + extra_length)
        version = np.lib.format.read_magic(file)
        read_header = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                       else np.lib.format.read_array_header_2_0)
        shape, fortran_order, dtype = read_header(file)
        offset = file.tell()
    if not shape or not shape[0]:
        return np.zeros(shape, dtype=dtype)  # nothing to map
    return np.memmap(path, dtype=dtype, mode="r", offset=offset, shape=shape,
                     order="F" if fortran_order else "C")


def _updated(papers: pd.DataFrame) -> np.ndarray:
    """last_updated as int64 microseconds (-1 when unknown): changes when a paper's text can."""
    values = pa.array(papers["last_updated"]).cast(pa.int64())
    return np.asarray(values.fill_null(-1), dtype=np.int64)


def _matrix(name: str, matrix: sp.csr_matrix) -> dict[str, np.ndarray]:
    return {f"{name}_data": matrix.data, f"{name}_indices": matrix.indices,
            f"{name}_indptr": matrix.indptr, f"{name}_shape": np.array(matrix.shape)}


def _unmatrix(name: str, arrays: dict[str, np.ndarray]) -> sp.csr_matrix:
    return sp.csr_matrix((arrays[f"{name}_data"], arrays[f"{name}_indices"],
                          arrays[f"{name}_indptr"]), shape=tuple(arrays[f"{name}_shape"]))


def _bytes(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-8"), dtype=np.uint8)


def _text(array: np.ndarray) -> str:
    return array.tobytes().decode("utf-8")


def _lines(array: np.ndarray) -> np.ndarray:
    text = _text(array)
    return np.array(text.split("\n") if text else [], dtype=object)
