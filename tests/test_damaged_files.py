"""A damaged store, or a file where the index folder goes: one message saying which file and
what to do, in the CLI and on every page, never DuckDB's exception or a traceback."""

from __future__ import annotations

import shutil
import traceback
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner
from conftest import REPO_ROOT
from streamlit.testing.v1 import AppTest

from papertrends.app.frame import PAGES
from papertrends.cli import main
from papertrends.collection.store import Store

BLOCK = 4096


def run(*args: str | Path) -> tuple[int, str, str]:
    """`papertrends ARGS` in-process: exit status, stdout, stderr (with a crash's traceback)."""
    result = CliRunner().invoke(main, [str(a) for a in args])
    stderr = result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        stderr += "".join(traceback.format_exception(result.exception))
    return result.exit_code, result.stdout, stderr


def _reads(path: Path) -> bool:
    try:
        with duckdb.connect(str(path), read_only=True) as connection:
            connection.sql("SELECT * FROM papers").fetchall()
    except duckdb.Error:
        return False
    return True


def _overwrite_a_block(original: Path, path: Path) -> None:
    """Overwrite one block of a copy, the last one whose loss DuckDB notices on reading the
    papers (blocks past the data are free space)."""
    size = original.stat().st_size
    for offset in range(size - BLOCK, 3 * BLOCK - 1, -BLOCK):
        shutil.copy(original, path)
        with path.open("r+b") as file:
            file.seek(offset)
            file.write(b"\xff" * BLOCK)
        if not _reads(path):
            return
    raise AssertionError("no block of the store is read")


def damage(kind: str, original: Path, path: Path) -> None:
    if kind == "truncated":
        shutil.copy(original, path)
        with path.open("r+b") as file:
            file.truncate(original.stat().st_size // 2)
    elif kind == "block overwritten":
        _overwrite_a_block(original, path)
    else:
        path.write_text("paper_id,title\n2401.00001,Not a DuckDB file\n")


KINDS = ["truncated", "block overwritten", "not a DuckDB file"]


@pytest.fixture(params=KINDS)
def damaged(request, seed_store: Store, tmp_path: Path) -> Path:
    path = tmp_path / "papers.duckdb"
    damage(request.param, seed_store.path, path)
    return path


def says_what_to_do(message: str, path: Path) -> None:
    assert str(path) in message and "damaged" in message
    assert "Restore it" in message and "papertrends ingest" in message
    assert "papertrends export" in message


@pytest.mark.parametrize("command", [["stats"], ["export", "--out", "{tmp}/out.csv"],
                                     ["ingest", "data/hf_papers_seed.txt"]])
def test_the_cli_names_the_damaged_store_and_what_to_do(damaged, command, tmp_path,
                                                        monkeypatch) -> None:
    monkeypatch.chdir(REPO_ROOT)
    before = damaged.read_bytes()
    args = [part.format(tmp=tmp_path) for part in command]
    status, stdout, stderr = run(*args, "--db", damaged)
    assert status == 1 and stdout == ""
    assert "Traceback" not in stderr
    line = stderr.splitlines()[-1]  # after what ingest says about the file it read
    assert line.startswith(f"Error: {damaged}: the collection file is damaged (")
    says_what_to_do(line, damaged)
    assert damaged.read_bytes() == before
    assert not (tmp_path / "out.csv").exists()


def open_page(script: str, db: Path, monkeypatch) -> AppTest:
    monkeypatch.setenv("PAPERTRENDS_DB", str(db))
    monkeypatch.chdir(REPO_ROOT)
    at = AppTest.from_file(str(REPO_ROOT / "pages" / script), default_timeout=120)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("script", [script for script, _, _ in PAGES])
def test_every_page_names_the_damaged_store_and_what_to_do(damaged, script,
                                                           monkeypatch) -> None:
    at = open_page(script, damaged, monkeypatch)
    [error] = [e.value.replace("\\", "") for e in at.error]
    says_what_to_do(error, damaged)


@pytest.fixture
def file_for_folder(seed_store: Store, tmp_path: Path) -> Path:
    """A copy of the seed store with a plain file where its index folder goes."""
    path = tmp_path / "papers.duckdb"
    shutil.copy(seed_store.path, path)
    path.with_name(path.name + ".terms").write_text("not a folder\n")
    return path


def test_ingest_refuses_a_file_where_the_index_folder_goes(file_for_folder, monkeypatch
                                                           ) -> None:
    monkeypatch.chdir(REPO_ROOT)
    before = Store(file_for_folder).load()
    status, _, stderr = run("ingest", "data/hf_papers_seed.txt", "--db",
                            file_for_folder)
    assert status == 1
    [line] = stderr.splitlines()
    assert f"{file_for_folder}.terms" in line and "it is a file" in line
    assert "delete it" in line
    assert Store(file_for_folder).load().equals(before)


@pytest.mark.parametrize("script", [script for script, _, _ in PAGES])
def test_every_page_says_a_file_is_where_the_index_folder_goes(file_for_folder, script,
                                                               monkeypatch) -> None:
    at = open_page(script, file_for_folder, monkeypatch)
    [error] = [e.value.replace("\\", "") for e in at.error]
    assert f"{file_for_folder}.terms" in error and "it is a file" in error
