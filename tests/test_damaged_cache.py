"""A damaged index folder gives the answers of a fresh build, never wrong ones: bytes
overwritten in the middle of any saved file (the manifest, a state, a segment: each of their
arrays) are noticed when the file is read, and the indexes are rebuilt."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from papertrends.collection import pipeline, schema
from papertrends.collection.filters import Filters
from papertrends.collection.loaded import Collection
from papertrends.collection.store import Store
from papertrends.indexes import term_cache
from papertrends.indexes.term_cache import TermCache

# "agent" first: the query of the report (1 of 98 papers found instead of 46); words from
# the whole alphabet, since the postings of a word lie where the sorted words put it.
QUERIES = ("agent", "model", "vision", "reasoning", "training", '"language model"', "3d")


def answers_of(collection: Collection) -> tuple[list[int], dict[str, int]]:
    """Papers matching each query, and papers per term of the keyword index."""
    index = collection.term_index()
    return ([int(Filters(search=query).mask(collection).sum()) for query in QUERIES],
            dict(zip(index.terms.tolist(), index.totals()[0].tolist(), strict=True)))


@pytest.fixture(scope="module")
def fresh(seed_store: Store) -> tuple[list[int], dict[str, int]]:
    """What a build from scratch answers."""
    return answers_of(Collection(seed_store.load()))  # no cache: built here


def spots(path: Path) -> list[tuple[int, int, str]]:
    """(offset, length, what is there): the middle half of the file, and of each array it
    holds."""
    size = path.stat().st_size
    found = [(size // 4, max(size // 2, 1), "the middle of the file")]
    if path.suffix == ".npz":
        with zipfile.ZipFile(path) as archive, path.open("rb") as file:
            for member in archive.infolist():
                file.seek(member.header_offset + 26)
                lengths = np.frombuffer(file.read(4), dtype="<u2")
                start = member.header_offset + 30 + int(lengths.sum())
                found.append((start + member.file_size // 4, max(member.file_size // 2, 1),
                              member.filename))
    return found


def overwrite(path: Path, offset: int, length: int) -> None:
    with path.open("r+b") as file:
        file.seek(offset)
        old = file.read(length)
        file.seek(offset)
        file.write(bytes(byte ^ 0x5A for byte in old))


def answers(store: Store) -> tuple[list[int], dict[str, int]]:
    """What a fresh dashboard process answers from the store and its saved indexes."""
    term_cache._SEGMENTS.clear()
    term_cache._STATES.clear()
    return answers_of(Collection.from_store(store))


@pytest.mark.parametrize("pattern", ["manifest.json", "state-*.npz", "segment-*.npz"])
def test_bytes_overwritten_in_a_saved_file_never_give_a_wrong_answer(seed_store, tmp_path,
                                                                      fresh, pattern) -> None:
    folder = TermCache.beside(seed_store.path).folder
    [name] = [path.name for path in folder.glob(pattern)]
    tried = 0
    for offset, length, where in spots(folder / name):
        store = Store(tmp_path / f"copy-{tried}" / "papers.duckdb")
        store.path.parent.mkdir()
        shutil.copy(seed_store.path, store.path)
        copied = shutil.copytree(folder, TermCache.beside(store.path).folder)
        overwrite(copied / name, offset, length)
        searched, terms = answers(store)  # no IndexError, no wrong count
        assert searched == fresh[0], f"{name}, {where}"
        assert terms == fresh[1], f"{name}, {where}"
        assert answers(store) == fresh  # rebuilt: the next process reads good files
        tried += 1
    assert searched[0] == 46 and tried >= 1


@pytest.mark.parametrize("member", ["raw_abstract_data", "raw_abstract_indices",
                                    "raw_title_data", "search_rows"])
def test_an_update_over_a_damaged_segment_indexes_as_a_fresh_build(seed_store, tmp_path,
                                                                   taxonomy, member) -> None:
    """An update reads the saved counts of the rows it replaces (and merges read all): a
    damaged array among them is noticed there, and the indexes are built afresh."""
    store = Store(tmp_path / "papers.duckdb")
    shutil.copy(seed_store.path, store.path)
    folder = shutil.copytree(TermCache.beside(seed_store.path).folder,
                             TermCache.beside(store.path).folder)
    [segment] = folder.glob("segment-*.npz")
    [(offset, length, _)] = [spot for spot in spots(segment) if spot[2] == f"{member}.npy"]
    overwrite(segment, offset, length)
    term_cache._SEGMENTS.clear()
    term_cache._STATES.clear()

    papers = store.load()
    middle = len(papers) // 2  # where the overwritten half of the arrays lies
    changed = papers.iloc[[middle, middle + 1]].assign(abstract="Agents plan with language models.")
    table = schema.conform(pa.Table.from_pandas(changed.drop(columns=["last_updated"]),
                                                preserve_index=False))
    pipeline.ingest(store, [("changed", table)], taxonomy)

    assert answers(store) == answers_of(Collection(store.load()))
