"""Hostile and careless files: each is refused with one message naming the file (and line,
and field), never a traceback, and changes nothing; inside `fetch` it is one failed day.

Seen the way a user meets them: `papertrends ingest` (exit status and stderr), the Data
page's upload (an error box), `papertrends fetch` against a local server.
"""

from __future__ import annotations

import shutil
import traceback
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import open_data_page
from hf_samples import body, entry
from streamlit.testing.v1 import AppTest

from papertrends.cli import main
from papertrends.collection.store import Store
from papertrends.sources import read_bytes

DEEP_JSON = b"[" * 100_000 + b"]" * 100_000
LONG_NUMBER = b'[{"paper": {"id": "2510.00001", "title": "T", "upvotes": ' + b"9" * 5_000 + b"}}]"
TWICE_NAMED = b"paper_id,title,title\n2401.00001,A title,Another title\n"
# A text-only CSV with a separator too many on its third line: every later field shifts.
SHIFTED = (b"paper_id,title,abstract\n"
           b"2401.00001,Agents that plan,We plan.\n"
           b",2401.00002,Agents that act,We act.\n")

HOSTILE = {
    "deep.json": (DEEP_JSON, "nested too deeply"),
    "long-number.json": (LONG_NUMBER, "line 1: a JSON number of more than 4,300 digits"),
    "twice.csv": (TWICE_NAMED, "line 1, field title: the header names the column 'title' twice"),
    "shifted.csv": (SHIFTED, "line 3: this row has 4 fields but the header has 3 columns"),
}


def run(*args: str | Path) -> tuple[int, str, str]:
    """`papertrends ARGS` in-process: exit status, stdout, stderr (a crash's traceback
    included, as a user would see it)."""
    result = CliRunner().invoke(main, [str(a) for a in args])
    stderr = result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        stderr += "".join(traceback.format_exception(result.exception))
    return result.exit_code, result.stdout, stderr


def contents(store: Store) -> tuple[pd.DataFrame, ...]:
    return store.load(), store.ingest_log(), store.snapshots()


def same_contents(before: tuple[pd.DataFrame, ...], store: Store) -> None:
    for old, new in zip(before, contents(store), strict=True):
        pd.testing.assert_frame_equal(old, new)


@pytest.fixture
def store(seed_store: Store, tmp_path: Path) -> Store:
    """A writable copy of the seed store."""
    path = tmp_path / "papers.duckdb"
    shutil.copy(seed_store.path, path)
    return Store(path)


@pytest.mark.parametrize("name", list(HOSTILE))
def test_ingest_refuses_in_one_line_and_stores_nothing(store, tmp_path, name) -> None:
    data, says = HOSTILE[name]
    path = tmp_path / name
    path.write_bytes(data)
    before = contents(store)
    status, stdout, stderr = run("ingest", path, "--db", store.path)
    assert status == 1 and stdout == ""
    [line] = stderr.splitlines()  # no traceback
    assert line.startswith(f"Error: {path}") and says in line, line
    same_contents(before, store)


@pytest.mark.parametrize("data", [
    b"paper_id, title , abstract\n2401.00001,A title,An abstract\n",  # names spaced out
    b"paper_id,title,abstract\r2401.00001,A title,An abstract\r",  # old Mac line ends
])
def test_a_careless_but_consistent_csv_is_read(data: bytes) -> None:
    _, table = read_bytes(data, "careless.csv")
    assert table.select(["paper_id", "title", "abstract"]).to_pylist() == [
        {"paper_id": "2401.00001", "title": "A title", "abstract": "An abstract"}]


@pytest.fixture
def data_page(store: Store, monkeypatch) -> AppTest:
    return open_data_page(store, monkeypatch)


@pytest.mark.parametrize("name", list(HOSTILE))
def test_the_data_page_refuses_an_upload_with_its_message(data_page, store, name) -> None:
    data, says = HOSTILE[name]
    before = contents(store)
    data_page.file_uploader(key="data_upload").upload(name, data, "text/plain").run()
    assert not data_page.exception, [e.value for e in data_page.exception]
    [error] = [e.value.replace("\\", "") for e in data_page.error]
    assert "nothing was changed" in error and name in error and says in error, error
    assert not any(b.key == "data_add" for b in data_page.button)
    same_contents(before, store)


def test_fetch_reports_hostile_days_as_failed_and_goes_on(store, httpserver) -> None:
    days = {"2025-10-01": DEEP_JSON, "2025-10-02": LONG_NUMBER,
            "2025-10-03": body(entry("2510.00003", "Agents that finish", upvotes=4))}
    for day, data in days.items():
        httpserver.expect_request("/api/daily_papers", query_string=f"date={day}"
                                  ).respond_with_data(data, content_type="application/json")
    status, stdout, stderr = run("fetch", "--since", "2025-10-01", "--until", "2025-10-03",
                                 "--db", store.path, "--endpoint", httpserver.url_for("/"))
    assert status == 1
    assert stdout == (f"{store.path}: 1 days fetched, 0 skipped (already complete), 2 failed; "
                      "1 papers listed, 1 new, 0 updated\n")
    assert "Traceback" not in stderr
    last = stderr.splitlines()[-1]
    assert last.startswith("Error: 2 of 3 days failed: 2025-10-01 (")
    assert "nested too deeply" in last and "4,300 digits" in last
    assert store.fetched_days()["day"].astype(str).tolist() == ["2025-10-03"]
    assert "2510.00003" in set(store.load()["paper_id"])
