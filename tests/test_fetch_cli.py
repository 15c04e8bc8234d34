"""`papertrends fetch`: exit status and messages, and a run killed halfway then resumed."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from hf_samples import body, entry
from werkzeug import Request, Response

from papertrends.cli import main
from papertrends.collection.store import Store

REPO_ROOT = Path(__file__).resolve().parents[1]
ENTRY_POINT = Path(sys.executable).with_name("papertrends")
COMMAND = [str(ENTRY_POINT)] if ENTRY_POINT.exists() else [sys.executable, "-m", "papertrends.cli"]
PATH = "/api/daily_papers"
DAYS = ["2025-10-01", "2025-10-02", "2025-10-03", "2025-10-04"]
PAPERS = {day: [entry(f"2510.0000{i}", f"Paper {i}", upvotes=i),
                entry("2510.00009", "Listed every day", upvotes=10 * i)]
          for i, day in enumerate(DAYS, 1)}


def serve(server, day: str, data: bytes) -> None:
    server.expect_request(PATH, query_string=f"date={day}").respond_with_data(
        data, content_type="application/json")


def invoke(*args: str | Path) -> object:
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.mark.parametrize(("command", "mentions"), [
    ("fetch", ["--since", "--until", "--endpoint", "HF_ENDPOINT", "huggingface.co", "--refresh",
               "--db", "Retry-After", "same command"]),
    ("enrich-github", ["GITHUB_TOKEN", "GITHUB_API_URL", "--max-age", "--limit", "--db",
                       "X-RateLimit-Reset"]),
    ("ingest", ["hf-api-json"]),
])
def test_help(command: str, mentions: list[str]) -> None:
    result = CliRunner().invoke(main, [command, "--help"], terminal_width=100)
    assert result.exit_code == 0
    assert not [word for word in mentions if word not in result.stdout]


def test_failed_days_are_named_and_exit_1(tmp_path: Path, httpserver) -> None:
    serve(httpserver, DAYS[0], body(*PAPERS[DAYS[0]]))
    serve(httpserver, DAYS[1], b"<html>Bad gateway</html>")
    db = tmp_path / "papers.duckdb"
    result = invoke("fetch", "--since", DAYS[0], "--until", DAYS[1], "--db", db,
                    "--endpoint", httpserver.url_for("/"))
    assert result.exit_code == 1
    assert result.stdout == (f"{db}: 1 days fetched, 0 skipped (already complete), 1 failed; "
                             "2 papers listed, 2 new, 0 updated\n")
    last = result.stderr.splitlines()[-1]
    assert last.startswith("Error: 1 of 2 days failed: 2025-10-02 (http://")
    assert "not well-formed JSON" in last and "run the same command again" in last
    assert list(Store(db).fetched_days()["day"].astype(str)) == [DAYS[0]]


def test_since_after_until_is_a_usage_error(tmp_path: Path) -> None:
    result = invoke("fetch", "--since", "2025-10-02", "--until", "2025-10-01",
                    "--db", tmp_path / "x.duckdb")
    assert result.exit_code == 2 and "is after --until" in result.stderr
    assert not (tmp_path / "x.duckdb").exists()


def test_ingest_a_saved_response(tmp_path: Path) -> None:
    saved = tmp_path / "2025-10-01.json"
    saved.write_bytes(body(*PAPERS[DAYS[0]]))
    db = tmp_path / "papers.duckdb"
    result = invoke("ingest", saved, "--db", db)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"{db}: 2 papers read, 2 new, 0 updated\n"
    assert set(Store(db).load()["source"]) == {"hf-api-json:2025-10-01.json"}
    assert len(Store(db).snapshots()) == 2


def test_a_killed_fetch_keeps_its_days_and_the_next_run_finishes(tmp_path: Path,
                                                                 httpserver) -> None:
    entered, release = threading.Event(), threading.Event()

    def third_day(request: Request) -> Response:
        if not release.is_set():  # the first run hangs here until it is killed
            entered.set()
            release.wait(30)
        return Response(body(*PAPERS[DAYS[2]]), content_type="application/json")

    for day in (DAYS[0], DAYS[1], DAYS[3]):
        serve(httpserver, day, body(*PAPERS[day]))
    httpserver.expect_request(PATH, query_string=f"date={DAYS[2]}").respond_with_handler(
        third_day)
    db = tmp_path / "papers.duckdb"
    args = ["fetch", "--since", DAYS[0], "--until", DAYS[3], "--db", str(db),
            "--endpoint", httpserver.url_for("/")]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PAPERTRENDS_", "HF_"))}
    process = subprocess.Popen([*COMMAND, *args], cwd=REPO_ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        assert entered.wait(120), process.stderr.read().decode() if process.poll() else ""
        process.kill()
        assert process.wait(timeout=30) != 0
    finally:
        release.set()
        if process.poll() is None:
            process.kill()
        process.stderr.close()
    store = Store(db)
    assert list(store.fetched_days()["day"].astype(str)) == DAYS[:2]  # finished days kept
    assert len(store.load()) == 3

    result = invoke(*args)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(f"{db}: 2 days fetched, 2 skipped (already complete), "
                                    "0 failed; 4 papers listed, 2 new, 2 updated")
    assert list(store.fetched_days()["day"].astype(str)) == DAYS
    papers = store.load()
    assert len(papers) == 5 and papers["paper_id"].is_unique
    snapshots = store.snapshots()
    every_day = snapshots[snapshots["paper_id"] == "2510.00009"]
    assert list(every_day["upvotes"]) == [10, 20, 30, 40]  # one snapshot per day it was listed
    assert [sum(r.args.get("date") == day for r, _ in httpserver.log) for day in DAYS] == [
        1, 1, 2, 1]
