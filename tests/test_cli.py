"""The `papertrends` command end to end: arguments, environment, exit status and output.

Commands run in-process through click's runner (each subprocess would spend most of its time
importing pandas); one test runs the installed entry point itself.
"""

from __future__ import annotations

import csv
import hashlib
import shutil
import subprocess
import sys
import traceback
from pathlib import Path

import pytest
from click.testing import CliRunner

from papertrends.cli import main
from papertrends.collection.store import Store

REPO_ROOT = Path(__file__).resolve().parents[1]
ENTRY_POINT = Path(sys.executable).with_name("papertrends")


@pytest.fixture(autouse=True)
def _from_the_repository_root(monkeypatch: pytest.MonkeyPatch) -> None:
    """Relative paths resolve as for a user in the checkout; no PAPERTRENDS_* leaks in."""
    monkeypatch.chdir(REPO_ROOT)
    for name in ("PAPERTRENDS_DB", "PAPERTRENDS_TOPICS"):
        monkeypatch.delenv(name, raising=False)


def run(*args: str | Path, db: Path | None = None) -> subprocess.CompletedProcess[str]:
    """`papertrends ARGS` with ``db`` in PAPERTRENDS_DB: exit status, stdout, stderr."""
    env = {"PAPERTRENDS_DB": str(db)} if db is not None else {}
    result = CliRunner().invoke(main, [str(a) for a in args], env=env)
    stderr = result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        stderr += "".join(traceback.format_exception(result.exception))  # a crash, shown
    return subprocess.CompletedProcess(args, result.exit_code, result.stdout, stderr)


def _digest(path: Path) -> tuple[str, bool]:
    wal = path.with_name(path.name + ".wal")
    return hashlib.sha256(path.read_bytes()).hexdigest(), wal.exists()


def _csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as file:
        return list(csv.DictReader(file))


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory,
           seed_path: Path) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """A store made by `papertrends ingest data/hf_papers_seed.txt --db ...`."""
    db = tmp_path_factory.mktemp("cli") / "tmp.duckdb"
    return db, run("ingest", seed_path.relative_to(REPO_ROOT), "--db", db)


@pytest.fixture(scope="module")
def seeded_stats(seeded) -> subprocess.CompletedProcess[str]:
    """`papertrends stats` of that store, named by PAPERTRENDS_DB."""
    return run("stats", db=seeded[0])


@pytest.fixture
def seeded_copy(seeded, tmp_path: Path) -> Path:
    copy = tmp_path / "copy.duckdb"
    shutil.copy(seeded[0], copy)
    return copy


def test_ingest_the_seed(seeded) -> None:
    db, result = seeded
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"{db}: 98 papers read, 98 new, 0 updated"
    assert "dates without a year taken as 2025" in result.stderr
    assert "98 new, 0 updated, 0 unchanged" in result.stderr
    assert len(Store(db).load()) == 98


def test_ingest_again_changes_nothing(seeded_copy: Path, seed_path: Path) -> None:
    before = Store(seeded_copy).load()
    result = run("-q", "ingest", seed_path, "--db", seeded_copy)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"{seeded_copy}: 98 papers read, 0 new, 0 updated"
    assert result.stderr == ""  # --quiet
    assert Store(seeded_copy).load().sort_values("paper_id", ignore_index=True).equals(
        before.sort_values("paper_id", ignore_index=True))


def test_stats(seeded_stats) -> None:
    result = seeded_stats
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "papers: 98"
    assert lines[1] == "published: 2013-05-29 to 2025-10-09 (7 with unknown date)"
    assert "median authors per paper: 5 (8 with unknown author count)" in lines
    assert "with GitHub code: 16 (16%)" in lines
    assert "top topics:" in lines
    assert lines[lines.index("top topics:") + 1].split()[0] == "Agents"


def test_export_filtered(seeded, tmp_path: Path) -> None:
    db, _ = seeded
    out = tmp_path / "x.csv"
    result = run("export", "--out", out, "--topic", "Agents", "--has-code", "yes", "--db", db)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"{out}: 10 of 98 papers (topic Agents, with GitHub code)"
    rows = _csv_rows(out)
    assert len(rows) == 10
    for row in rows:
        assert "Agents" in row["topics"].split("; ")
        assert row["github_repos"] and "/" in row["github_repos"]


def test_a_parquet_export_says_which_filters_made_it(seeded, tmp_path: Path) -> None:
    import json

    import pyarrow.parquet as pq

    db, _ = seeded
    out = tmp_path / "agents.parquet"
    result = run("export", "--out", out, "--topic", "Agents", "--has-code", "yes", "--db", db)
    assert result.returncode == 0, result.stderr
    metadata = pq.read_schema(out).metadata
    assert json.loads(metadata[b"papertrends.filters"]) == {"topic": ["Agents"], "code": "yes"}
    assert metadata[b"papertrends.view"].decode() == "topic Agents, with GitHub code"
    assert pq.read_table(out).num_rows == 10
    again = run("ingest", out, "--db", tmp_path / "again.duckdb")
    assert again.returncode == 0, again.stderr


def test_export_refuses_a_count_no_paper_can_have(seeded, tmp_path: Path) -> None:
    """A huge --min-upvotes is a usage error naming the range, not an OverflowError."""
    db, _ = seeded
    out = tmp_path / "x.csv"
    result = run("export", "--out", out, "--min-upvotes", "99999999999999999999999", "--db", db)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "'--min-upvotes': 99999999999999999999999 is not in the range" in result.stderr
    assert not out.exists()


def test_export_says_which_search_terms_it_left_out(seeded, tmp_path: Path) -> None:
    db, _ = seeded
    out = tmp_path / "x.csv"
    terms = [f"agent{n}" for n in range(10)]
    result = run("export", "--out", out, "--search", " ".join(terms), "--db", db)
    assert result.returncode == 0, result.stderr
    assert "--search: 2 more terms left out (at most 8): 'agent8', 'agent9'" in result.stderr
    assert "matching 'agent0'" in result.stdout and "agent8" not in result.stdout


def test_export_then_ingest_gives_the_same_collection(seeded, seeded_stats,
                                                      tmp_path: Path) -> None:
    db, _ = seeded
    out = tmp_path / "all.csv"
    assert run("export", "--out", out, "--db", db).returncode == 0
    assert len(_csv_rows(out)) == 98
    new_db = tmp_path / "new.duckdb"
    result = run("ingest", out, "--db", new_db)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"{new_db}: 98 papers read, 98 new, 0 updated"
    again = run("stats", "--db", new_db)
    assert again.returncode == 0, again.stderr
    assert again.stdout == seeded_stats.stdout


def test_bad_text_stores_nothing(seeded_copy: Path, tmp_path: Path) -> None:
    good = tmp_path / "good.csv"
    good.write_text("paper_id,title\n2401.00001,A new paper\n", encoding="utf-8")
    garbage = tmp_path / "garbage.txt"
    garbage.write_text("this is not\na saved page\n\nat all\n", encoding="utf-8")
    before = _digest(seeded_copy)
    result = run("ingest", good, garbage, "--db", seeded_copy)  # the good file is not stored
    assert result.returncode != 0
    [line] = result.stderr.splitlines()
    assert line.startswith("Error: ") and str(garbage) in line
    assert "line 1" in line and "field title" in line
    assert result.stdout == ""
    assert _digest(seeded_copy) == before


def test_bad_csv_cell_stores_nothing(seeded_copy: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("paper_id,title,upvotes\n2401.00001,Fine,1\n2401.00002,Broken,abc\n",
                   encoding="utf-8")
    before = _digest(seeded_copy)
    result = run("ingest", bad, "--db", seeded_copy)
    assert result.returncode != 0
    assert result.stderr.splitlines() == [
        f"Error: {bad}, line 3, field upvotes: expected a whole number of 0 or more, "
        "found 'abc'"]
    assert _digest(seeded_copy) == before


def test_bad_requests_fail_in_one_line(seeded, tmp_path: Path) -> None:
    db, _ = seeded
    unknown_topic = run("export", "--out", tmp_path / "x.csv", "--topic", "Cooking", "--db", db)
    missing = run("stats", "--db", tmp_path / "none.duckdb")
    assert unknown_topic.returncode != 0
    [line] = unknown_topic.stderr.splitlines()
    assert "unknown topic 'Cooking'" in line and "Agents" in line
    assert not (tmp_path / "x.csv").exists()
    assert missing.returncode != 0
    [line] = missing.stderr.splitlines()
    assert "no collection here yet" in line and "none.duckdb" in line
    assert not (tmp_path / "none.duckdb").exists()


HELP = {
    (): ["ingest", "fetch", "enrich-github", "stats", "export", "serve", "--quiet", "--version"],
    ("ingest",): ["PATHS", "--format", "hf-page", "hf-api-json", "--year", "--db",
                  "PAPERTRENDS_DB", "--topics", "one transaction"],
    ("stats",): ["--db", "--topics"],
    ("export",): ["--out", "--from", "--to", "--topic", "--search", "--min-upvotes",
                  "--has-code", "--db"],
}


def test_help() -> None:
    for command, mentions in HELP.items():
        result = run(*command, "--help")
        assert result.returncode == 0, (command, result.stderr)
        missing = [word for word in mentions if word not in result.stdout]
        assert not missing, f"`papertrends {' '.join(command)} --help` lacks {missing}"


def test_the_installed_command_runs() -> None:
    """The `papertrends` script pip installs, in its own process, as a user types it."""
    done = subprocess.run([str(ENTRY_POINT), "--version"], capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("papertrends, version ")
