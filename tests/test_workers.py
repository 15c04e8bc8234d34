"""Worker processes started from inside a Streamlit page."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import types
from pathlib import Path

import pytest
from click.testing import CliRunner

from papertrends.cli import main
from papertrends.common.workers import map_in_workers

ENTRY_POINT = Path(sys.executable).with_name("papertrends")
COMMAND = [str(ENTRY_POINT)] if ENTRY_POINT.exists() else [sys.executable, "-m", "papertrends.cli"]


def test_workers_do_not_run_the_page_that_started_them(tmp_path, monkeypatch) -> None:
    """Streamlit runs each page as ``__main__``; a spawned worker re-runs ``__main__`` unless
    told otherwise, and a large upload on the Data page then broke its worker pool."""
    page = tmp_path / "page.py"
    page.write_text("raise SystemExit('a worker process ran the page script')\n")
    script = types.ModuleType("__main__")
    script.__file__ = str(page)
    monkeypatch.setitem(sys.modules, "__main__", script)
    assert list(map_in_workers(len, ["ab", "abc", ""], workers=2)) == [2, 3, 0]
    assert sys.modules["__main__"] is script


def test_a_large_input_is_handed_to_the_workers_a_few_items_at_a_time() -> None:
    """A million papers are gigabytes of text: the workers get a few chunks ahead of the
    results taken, never a copy of everything at once."""
    taken: list[int] = []

    def items():
        for size in range(20):
            taken.append(size)
            yield "x" * size

    results = map_in_workers(len, items(), workers=2)
    assert next(results) == 0
    assert len(taken) <= 5
    assert list(results) == list(range(1, 20))


def _children(pid: int) -> dict[int, str]:
    """The processes whose parent is ``pid`` and their command lines, from /proc."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            if parent == pid:
                found[int(entry.name)] = (entry / "cmdline").read_bytes().replace(
                    b"\0", b" ").decode(errors="replace")
        except (OSError, IndexError, ValueError):
            continue  # gone meanwhile
    return found


def _running(pid: int) -> bool:
    """Alive and not a zombie (an orphan waiting for init to reap it has exited)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def _wait_for(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


@pytest.mark.skipif(not Path("/proc/self/stat").exists() or (os.cpu_count() or 1) < 2,
                    reason="reads processes from Linux's /proc; workers need two cores")
def test_after_kill_9_of_an_ingest_its_workers_and_the_resource_tracker_exit(tmp_path) -> None:
    papers = tmp_path / "papers.parquet"
    made = CliRunner().invoke(main, ["synth", "--papers", "45000", "--seed", "1",
                                     "--out", str(papers)])
    assert made.exit_code == 0, made.output
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAPERTRENDS_")}
    ingest = subprocess.Popen([*COMMAND, "ingest", str(papers), "--db",
                               str(tmp_path / "papers.duckdb")],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    children: dict[int, str] = {}
    try:
        def in_worker_phase() -> bool:
            children.update(_children(ingest.pid))
            workers = [pid for pid, line in children.items() if "spawn_main" in line]
            return len(workers) >= 2 or ingest.poll() is not None
        assert _wait_for(in_worker_phase, 240) and ingest.poll() is None, (
            ingest.stderr.read().decode() if ingest.poll() is not None else "no workers")
        assert any("resource_tracker" in line for line in children.values())
        ingest.kill()  # SIGKILL: no shutdown code runs in the ingest
        ingest.wait(timeout=30)
        assert _wait_for(lambda: not any(map(_running, children)), 60), {
            pid: children[pid][:80] for pid in children if _running(pid)}
    finally:
        if ingest.poll() is None:
            ingest.kill()
        for pid in children:
            if _running(pid):
                os.kill(pid, signal.SIGKILL)
        ingest.stderr.close()
