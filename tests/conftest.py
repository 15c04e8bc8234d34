"""Shared fixtures: the shipped seed page, the shipped taxonomy and stores built from them."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from papertrends.collection import pipeline, schema
from papertrends.collection.enrich import enrich
from papertrends.collection.store import Store
from papertrends.collection.topics import Taxonomy, load_taxonomy
from papertrends.indexes import terms
from papertrends.sources import read_path

REPO_ROOT = Path(__file__).resolve().parents[1]
SEED_PATH = REPO_ROOT / "data" / "hf_papers_seed.txt"
TOPICS_PATH = REPO_ROOT / "data" / "topics.toml"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The real-browser tests first: with test files spread over workers (pytest-xdist
    --dist loadfile), their file, the longest, then runs beside the others, not after them."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is None)


@pytest.fixture(autouse=True)
def _no_real_user_data(monkeypatch: pytest.MonkeyPatch,
                       tmp_path_factory: pytest.TempPathFactory) -> None:
    """The default store lives in the user's data folder: a test that forgets --db or
    PAPERTRENDS_DB writes into a temporary one, never into the collection of whoever runs the
    tests (platformdirs reads XDG_DATA_HOME on Linux; subprocesses inherit it)."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path_factory.getbasetemp() / "user-data"))


@pytest.fixture(scope="session")
def seed_path() -> Path:
    """The saved Hugging Face Daily Papers page shipped in data/ (98 papers)."""
    return SEED_PATH


@pytest.fixture(scope="session")
def topics_path() -> Path:
    return TOPICS_PATH


@pytest.fixture(scope="session")
def taxonomy(topics_path: Path) -> Taxonomy:
    return load_taxonomy(topics_path)


@pytest.fixture
def analysed(monkeypatch) -> list[int]:
    """How many texts each count_raw call analysed."""
    calls: list[int] = []
    real = terms.count_raw

    def counting(texts, workers=None):
        calls.append(len(texts))
        return real(texts, workers)

    monkeypatch.setattr(terms, "count_raw", counting)
    return calls


@pytest.fixture
def fresh_store(tmp_path: Path) -> Store:
    """A store whose file does not exist yet."""
    return Store(tmp_path / "store.duckdb")


@pytest.fixture(scope="session")
def seed_store(tmp_path_factory: pytest.TempPathFactory, seed_path: Path,
               taxonomy: Taxonomy) -> Store:
    """The seed ingested once for the whole session, with its indexes, as `papertrends
    ingest` leaves it. Read it, never write to it."""
    store = Store(tmp_path_factory.mktemp("seed") / "seed.duckdb")
    fmt, table = read_path(seed_path)
    pipeline.ingest(store, [(f"{fmt}:{seed_path.name}", table)], taxonomy)
    return store


@pytest.fixture(scope="session")
def seed_papers(seed_path: Path, taxonomy: Taxonomy) -> pd.DataFrame:
    """The seed as the collection frame an ingest makes of it (links and topics found)."""
    _, table = read_path(seed_path)
    return schema.to_frame(enrich(table, taxonomy))


def open_data_page(store: Store, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    """The Data page over ``store``, run once, with no exception: where uploads and fetches
    are tried as a user would."""
    monkeypatch.setenv("PAPERTRENDS_DB", str(store.path))
    monkeypatch.chdir(REPO_ROOT)
    at = AppTest.from_file(str(REPO_ROOT / "pages" / "data.py"), default_timeout=120)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at
