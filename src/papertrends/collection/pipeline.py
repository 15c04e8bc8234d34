"""The one way anything is written to the collection.

Every writer (``papertrends ingest``, ``fetch``, ``enrich-github``, the Data page's upload and
fetch, the dashboard's first-run build) goes through ``Update``: it enriches what a source
read (links, topic tags), stores it in one transaction with its upvote snapshots, and, when
the last write of the operation is done, brings every index kept beside the store up to date
(raw term counts, the finished term indexes, the search word index). A writer cannot forget a
step, and the dashboard finds its indexes finished instead of building them inside a user's
request.

No click, tqdm or Streamlit here: callers pass their own progress display.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Protocol

import pyarrow as pa

from papertrends.collection.enrich import enrich, strip_invisible_text
from papertrends.collection.loaded import Collection, StoredTexts
from papertrends.collection.store import IngestReport, Store
from papertrends.collection.topics import Taxonomy, load_taxonomy
from papertrends.indexes.term_cache import TermCache
from papertrends.sources import read_path

log = logging.getLogger(__name__)


class Bar(Protocol):
    def update(self, n: int = 1) -> object: ...


# (what is being done, how many papers) -> a context whose value counts them off.
Progress = Callable[[str, int], AbstractContextManager[Bar]]


class _NoBar:
    def update(self, n: int = 1) -> None:
        return None


def _no_progress(label: str, total: int) -> AbstractContextManager[Bar]:
    return nullcontext(_NoBar())


class Update:
    """One operation on a store: any number of writes, then the indexes brought up to date
    once. Use it as a context manager (``with updating(store, taxonomy) as update``); the
    indexes are refreshed on a clean exit when anything was written, and also when the
    operation failed after some writes had committed (a fetch whose later days failed)."""

    def __init__(self, store: Store, taxonomy: Taxonomy | None = None,
                 progress: Progress | None = None) -> None:
        self.store = store
        self._taxonomy = taxonomy
        self.progress = progress or _no_progress
        self.changed = False

    @property
    def taxonomy(self) -> Taxonomy:
        """The taxonomy papers are tagged with; the default file's when none was given (read
        only when papers are written: GitHub facts need none)."""
        if self._taxonomy is None:
            self._taxonomy = load_taxonomy()
        return self._taxonomy

    def ingest(self, batches: Sequence[tuple[str, pa.Table]], *,
               now: dt.datetime | None = None, fetched_day: dt.date | None = None,
               dry_run: bool = False) -> list[IngestReport]:
        """Enrich ``(label, table)`` batches as a source read them and merge them into the
        store in one transaction (see ``Store.ingest``). ``dry_run`` reports what would
        change and changes nothing."""
        enriched = []
        for label, table in batches:
            label = strip_invisible_text(label)  # a file name, shown on the Data page
            with self.progress(f"tagging {label}", table.num_rows) as bar:
                enriched.append((label, enrich(table, self.taxonomy, bar.update)))
        del batches  # the caller's tables may be gigabytes: keep only the enriched ones
        total = sum(table.num_rows for _, table in enriched)
        with self.progress("storing", total) as bar:
            reports = self.store.ingest(enriched, self.taxonomy, progress=bar.update, now=now,
                                        fetched_day=fetched_day, dry_run=dry_run)
        if not dry_run:
            for (label, _), report in zip(enriched, reports, strict=True):
                log.info("%s: %s", label, report)
            # A fetched day is recorded even when nothing in it was new.
            self.changed |= fetched_day is not None or any(r.new or r.updated for r in reports)
        return reports

    def preview(self, label: str, table: pa.Table) -> tuple[IngestReport, pa.Table]:
        """What ingesting ``table`` would change, and the papers as they would be stored
        (enriched): for a look before adding. Nothing is written."""
        enriched = enrich(table, self.taxonomy)
        [report] = self.store.ingest([(strip_invisible_text(label), enriched)], self.taxonomy,
                                     dry_run=True)
        return report, enriched

    def ingest_files(self, paths: Sequence[Path], *, fmt: str = "auto",
                     year: int | None = None) -> list[IngestReport]:
        """Read every file first (a bad one raises before anything is stored), then ingest
        them all in one transaction, each file a batch labelled ``format:name``."""
        batches = []
        for path in paths:
            used, table = read_path(path, fmt=fmt, year=year)
            batches.append((f"{used}:{path.name}", table))
        return self.ingest(batches)

    def save_repositories(self, rows: pa.Table) -> None:
        """GitHub facts per repository (``schema.REPOSITORY_COLUMNS``). No index is derived
        from them: the pages read them with the store's fingerprint as the key."""
        self.store.save_repositories(rows)

    def sync_topics(self) -> bool:
        """Re-tag the stored papers when the taxonomy changed (True when it did). Topics
        are read from the store, and positions do not move: no index is touched."""
        return self.store.sync_topics(self.taxonomy)

    def refresh_indexes(self) -> None:
        """Bring every index beside the store up to date with what is stored now: from the
        rows the store wrote since the indexes' revision when it remembers them (the cost of
        what changed), else from every paper's version."""
        started = time.perf_counter()
        texts = StoredTexts(self.store)
        if not TermCache.beside(self.store.path).catch_up(
                self.store.changes_since, texts.text_values, texts.search_texts):
            Collection.versions_of(self.store).prepare_indexes()
        log.info("indexes up to date (%.1f s)", time.perf_counter() - started)
        self.changed = False


@contextmanager
def updating(store: Store, taxonomy: Taxonomy | None = None,
             progress: Progress | None = None) -> Iterator[Update]:
    """An ``Update`` whose indexes are refreshed once its writes are done. Refused before
    anything is written when the indexes could not be (a file where their folder goes)."""
    TermCache.beside(store.path).check()
    update = Update(store, taxonomy, progress)
    try:
        yield update
    finally:
        if update.changed:
            update.refresh_indexes()


def ingest(store: Store, batches: Sequence[tuple[str, pa.Table]],
           taxonomy: Taxonomy | None = None, *,
           progress: Progress | None = None, **options) -> list[IngestReport]:
    """One ingest as its own operation: enrich, store, bring the indexes up to date."""
    with updating(store, taxonomy, progress) as update:
        return update.ingest(batches, **options)
