"""The collection as the dashboard sees it: loaded once per store version, kept in
``st.cache_resource``, built from the shipped page on a fresh machine.

The store file's fingerprint and the taxonomy digest are the cache key, so an ingest or a
taxonomy edit made by another process shows up on the next rerun.
"""

from __future__ import annotations

import threading
from typing import NoReturn

import pandas as pd
import streamlit as st

from papertrends.analytics.momentum import compute_paper_rates
from papertrends.app.widgets import literal
from papertrends.collection import pipeline
from papertrends.collection.loaded import Collection
from papertrends.collection.pipeline import Update
from papertrends.collection.store import Store
from papertrends.collection.topics import Taxonomy, default_topics_path, load_taxonomy
from papertrends.common.errors import DamagedFileError, StoreBusyError
from papertrends.indexes.term_cache import TermCache
from papertrends.sources import SHIPPED_PAGE, read_path


def store() -> Store:
    """The collection at the default location (``Store``'s, the CLI's): PAPERTRENDS_DB, which
    ``papertrends serve`` sets from --db, else the user's data folder."""
    return Store()


@st.cache_resource(show_spinner=False)
def _last_loaded() -> dict[str, object]:
    return {}


_load_lock = threading.Lock()


@st.cache_resource(show_spinner=False, max_entries=2)
def _collection(fingerprint: tuple, taxonomy_digest: str, _taxonomy: Taxonomy) -> Collection:
    return Collection.from_store(store(), _taxonomy.names)


# Resources, not data: st.cache_data would copy a million snapshot rows on every rerun. Pages
# only read these frames.
@st.cache_resource(max_entries=6, show_spinner=False)
def _side_table(fingerprint: tuple, name: str) -> pd.DataFrame:
    return getattr(store(), name)()


@st.cache_resource(max_entries=2, show_spinner=False)
def _paper_rates(fingerprint: tuple) -> pd.DataFrame:
    return compute_paper_rates(_side_table(fingerprint, "snapshots"))


def paper_rates() -> pd.DataFrame:
    """Upvotes per day of every paper seen twice (analytics.momentum), once per version."""
    return _paper_rates(store().fingerprint())


def repositories() -> pd.DataFrame:
    """GitHub facts per repository from ``papertrends enrich-github``, once per version."""
    return _side_table(store().fingerprint(), "repositories")


@st.cache_resource(max_entries=4, show_spinner=False)
def _taxonomy(path: str, stamp: tuple[int, int]) -> Taxonomy:
    return load_taxonomy(path)


def current_taxonomy() -> Taxonomy:
    """The topic taxonomy, parsed again only when its file changes."""
    path = default_topics_path()
    try:
        stat = path.stat()
    except OSError:
        return load_taxonomy(path)  # raises the error that names the file
    return _taxonomy(str(path), (stat.st_mtime_ns, stat.st_size))


def load_collection() -> Collection:
    """The stored collection, building it from the shipped page on a fresh machine.

    While another process holds the store for writing, the previous version stays on screen.
    A damaged store, or a file where its index folder goes, stops the page with a message
    saying which file and what to do (``show_damaged``).
    """
    taxonomy = current_taxonomy()
    paper_store = store()
    last = _last_loaded()
    key = (paper_store.fingerprint(), taxonomy.digest)
    try:
        TermCache.beside(paper_store.path).check()
    except DamagedFileError as exc:
        show_damaged(exc)
    if last.get("key") == key:  # nothing changed on disk: no need to open the store
        return last["collection"]
    try:
        with _load_lock:
            if not paper_store.exists():
                with st.spinner("Building the collection from the shipped Papers page..."):
                    _, table = read_path(SHIPPED_PAGE)
                    pipeline.ingest(paper_store, [(f"hf-page:{SHIPPED_PAGE.name}", table)],
                                    taxonomy)
            if Update(paper_store, taxonomy).sync_topics():
                st.toast("The topic taxonomy changed: papers were re-tagged.")
        key = (paper_store.fingerprint(), taxonomy.digest)
        collection = _collection(*key, taxonomy)
    except DamagedFileError as exc:
        show_damaged(exc)
    except StoreBusyError:
        if "collection" not in last:
            raise
        st.info("The collection is being updated by another process; showing the version "
                "loaded before. Reload the page in a moment to see the new data.")
        return last["collection"]
    last.update(key=key, collection=collection)
    return collection


def show_damaged(error: DamagedFileError) -> NoReturn:
    """Stop the page with what is damaged and what to do, instead of DuckDB's exception
    box. The frame calls this too, for a damage found later in a page (Explore reading
    abstracts from a damaged block)."""
    st.error(f"**The collection cannot be read.**\n\n{literal(str(error))}",
             icon=":material/broken_image:")
    st.stop()
