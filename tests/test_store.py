"""The DuckDB store: idempotent merges, all-or-nothing ingests, crashes and a busy file."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pytest

from papertrends.collection import export, schema
from papertrends.collection import store as store_module
from papertrends.collection.enrich import enrich
from papertrends.collection.store import IngestReport, Store
from papertrends.collection.topics import Taxonomy
from papertrends.common.errors import InputError, StoreBusyError
from papertrends.sources import read_bytes

REPO_ROOT = Path(__file__).resolve().parents[1]
PAPERTRENDS = Path(sys.executable).with_name("papertrends")
T1 = dt.datetime(2025, 1, 1, 12, 0, 0, 123456, tzinfo=dt.UTC)
T2 = dt.datetime(2025, 2, 1, 8, 30, 0, tzinfo=dt.UTC)
OS_GENESIS = "OS-Genesis: Automating GUI Agent Trajectory Construction via Reverse Task Synthesis"


def _page_batch(text: str, taxonomy: Taxonomy, name: str = "seed.txt") -> tuple[str, pa.Table]:
    fmt, table = read_bytes(text.encode(), name)
    return f"{fmt}:{name}", enrich(table, taxonomy)


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values("paper_id", ignore_index=True)


def _copy(store: Store, tmp_path: Path) -> Store:
    copy = Store(tmp_path / "copy.duckdb")
    shutil.copy(store.path, copy.path)
    return copy


def _snapshot(store: Store) -> tuple[pd.DataFrame, pd.DataFrame, str | None, pd.DataFrame,
                                      pd.DataFrame]:
    return (_sorted(store.load()), store.ingest_log(), store.taxonomy_digest(),
            store.snapshots(), store.fetched_days())


def _assert_unchanged(store: Store, before) -> None:
    papers, log, digest, snapshots, days = _snapshot(store)
    pd.testing.assert_frame_equal(papers, before[0])
    pd.testing.assert_frame_equal(log, before[1])
    assert digest == before[2]
    pd.testing.assert_frame_equal(snapshots, before[3])
    pd.testing.assert_frame_equal(days, before[4])


@pytest.fixture(scope="module")
def seed_text(seed_path: Path) -> str:
    return seed_path.read_text(encoding="utf-8")


# -- ingesting and re-ingesting --------------------------------------------------------------

def test_ingesting_the_seed_twice_changes_nothing(fresh_store, seed_text, taxonomy) -> None:
    assert fresh_store.ingest([_page_batch(seed_text, taxonomy)], taxonomy, now=T1) == [
        IngestReport(new=98, updated=0, unchanged=0)]
    first = _sorted(fresh_store.load())
    assert len(first) == 98 and first["paper_id"].is_unique
    assert (first["first_seen"] == T1).all() and (first["last_updated"] == T1).all()
    assert set(first["source"]) == {"hf-page:seed.txt"}

    [again] = fresh_store.ingest([_page_batch(seed_text, taxonomy, "copy.txt")], taxonomy, now=T2)
    assert (again.new, again.updated, again.unchanged) == (0, 0, 98)
    pd.testing.assert_frame_equal(_sorted(fresh_store.load()), first)
    log = fresh_store.ingest_log()
    assert list(log["source"]) == ["hf-page:seed.txt", "hf-page:copy.txt"]
    assert list(log["new"]) == [98, 0] and list(log["unchanged"]) == [0, 98]


def test_a_changed_upvote_count_updates_only_that_paper(tmp_path, seed_store, seed_text,
                                                        taxonomy) -> None:
    store = _copy(seed_store, tmp_path)
    before = _sorted(store.load()).set_index("paper_id")
    assert "Dec 27, 2024 3\n" in seed_text
    changed = seed_text.replace("Dec 27, 2024 3\n", "Dec 27, 2024 41\n", 1)

    [report] = store.ingest([_page_batch(changed, taxonomy, "later.txt")], taxonomy, now=T2)
    assert (report.new, report.updated, report.unchanged) == (0, 1, 97)
    assert str(report) == "0 new, 1 updated, 97 unchanged"
    after = _sorted(store.load()).set_index("paper_id")
    [paper_id] = after.index[after["title"] == OS_GENESIS]
    assert after.loc[paper_id, "upvotes"] == 41
    assert after.loc[paper_id, "last_updated"] == T2
    assert after.loc[paper_id, "first_seen"] == before.loc[paper_id, "first_seen"] != T2
    assert after.loc[paper_id, "source"] == before.loc[paper_id, "source"]  # first sighting
    others = before.index != paper_id
    pd.testing.assert_frame_equal(after[others], before[others])



def test_versions_keep_the_order_papers_arrived_in_after_updates(tmp_path, seed_store,
                                                                 seed_text, taxonomy) -> None:
    """An update rewrites a paper's row at the end of the table; its position stays, and the
    indexes match rows by position."""
    store = _copy(seed_store, tmp_path)
    before = store.versions()[0]["paper_id"].to_pylist()
    changed = seed_text.replace("Dec 27, 2024 3\n", "Dec 27, 2024 41\n", 1)
    store.ingest([_page_batch(changed, taxonomy, "later.txt")], taxonomy, now=T2)
    with duckdb.connect(str(store.path), read_only=True) as connection:
        [(physically_last,)] = connection.execute(
            "SELECT paper_id FROM papers ORDER BY rowid DESC LIMIT 1").fetchall()
    versions, _ = store.versions()
    assert versions["paper_id"].to_pylist() == before
    assert before[-1] != physically_last  # the rewritten row really moved
    updated = versions["last_updated"].to_pylist()
    assert updated[before.index(physically_last)] == T2

P = {"paper_id": "2401.00001", "title": "A paper", "topics": ["Other"], "source": "first"}


@pytest.mark.parametrize(("stored", "incoming", "merged", "updated"), [
    ({"upvotes": 3}, {"upvotes": 5}, {"upvotes": 5}, True),
    ({"upvotes": 3}, {"upvotes": None}, {"upvotes": 3}, False),  # unknown never overwrites
    ({"upvotes": 3}, {"upvotes": 0}, {"upvotes": 0}, True),
    ({"n_authors": None}, {"n_authors": 4}, {"n_authors": 4}, True),
    ({"published": dt.date(2024, 1, 2)}, {"published": None},
     {"published": dt.date(2024, 1, 2)}, False),
    ({"organization": "Org"}, {"organization": None}, {"organization": "Org"}, False),
    ({"abstract": "old"}, {"abstract": "new"}, {"abstract": "new"}, True),
    ({"authors": ["A"]}, {"authors": []}, {"authors": ["A"]}, False),
    ({"authors": ["A"]}, {"authors": ["A", "B"]}, {"authors": ["A", "B"]}, True),
    ({"github_repos": ["a/b"]}, {"github_repos": ["c/d", "a/b"]},
     {"github_repos": ["a/b", "c/d"]}, True),  # links accumulate, stored ones first
    ({"github_repos": ["a/b"]}, {"github_repos": []}, {"github_repos": ["a/b"]}, False),
    ({"project_urls": ["https://a.org"]}, {"project_urls": ["https://b.org"]},
     {"project_urls": ["https://a.org", "https://b.org"]}, True),
    ({"topics": ["Old"]}, {"topics": ["New"]}, {"topics": ["New"]}, False),  # derived
    ({"source": "first"}, {"source": "second"}, {"source": "first"}, False),
    ({"first_seen": T1}, {"first_seen": T2}, {"first_seen": T1}, False),
    ({"ai_keywords": ["a"]}, {"ai_keywords": ["b", "c"]}, {"ai_keywords": ["b", "c"]}, True),
    ({"ai_keywords": ["a"]}, {"ai_keywords": []}, {"ai_keywords": ["a"]}, False),
    ({"github_stars": 7}, {"github_stars": None}, {"github_stars": 7}, False),
    ({"github_stars": 7}, {"github_stars": 9}, {"github_stars": 9}, True),
    ({"n_comments": None}, {"n_comments": 0}, {"n_comments": 0}, True),
    ({"submitted_at": T1}, {"submitted_at": None}, {"submitted_at": T1}, False),
    ({"ai_summary": "old"}, {"ai_summary": None}, {"ai_summary": "old"}, False),
    ({"submitted_by": None}, {"submitted_by": "akhaliq"}, {"submitted_by": "akhaliq"}, True),
])
def test_merge_rules(fresh_store, taxonomy, stored, incoming, merged, updated) -> None:
    fresh_store.ingest([("one", schema.to_table([{**P, **stored}]))], taxonomy, now=T1)
    [report] = fresh_store.ingest([("two", schema.to_table([{**P, **incoming}]))], taxonomy,
                                  now=T2)
    assert (report.updated, report.unchanged) == (int(updated), int(not updated))
    [row] = fresh_store.load().to_dict("records")
    for name, value in merged.items():
        assert (list(row[name]) if schema.BY_NAME[name].is_list else row[name]) == value
    assert row["first_seen"] == T1
    assert row["last_updated"] == (T2 if updated else T1)


@pytest.mark.parametrize("order", [
    ["a1", "b1", "a2"], ["a1", "a2", "a3", "b1"], ["b1", "a1", "c1", "a2", "c2", "b2"],
    ["a1", "a2"],
])
def test_duplicate_ids_in_one_input_keep_the_last_sighting(fresh_store, taxonomy, order) -> None:
    records = [{"paper_id": key[0], "title": key[0].upper(), "upvotes": int(key[1])}
               for key in order]
    [report] = fresh_store.ingest([("dups", schema.to_table(records))], taxonomy, now=T1)
    last = {r["paper_id"]: r["upvotes"] for r in records}
    assert (report.new, report.updated, report.unchanged) == (len(last), 0, 0)
    papers = fresh_store.load()
    assert dict(zip(papers["paper_id"], papers["upvotes"], strict=True)) == last
    assert papers["paper_id"].is_unique


def test_a_paper_in_two_batches_of_one_ingest(fresh_store, taxonomy) -> None:
    reports = fresh_store.ingest([
        ("one", schema.to_table([{**P, "upvotes": 1}])),
        ("two", schema.to_table([{**P, "upvotes": 2}, {**P, "paper_id": "2401.00002"}])),
    ], taxonomy, now=T1)
    assert [(r.new, r.updated, r.unchanged) for r in reports] == [(1, 0, 0), (1, 1, 0)]
    papers = _sorted(fresh_store.load())
    assert list(papers["upvotes"].fillna(-1)) == [2, -1]


def test_a_new_paper_is_stored_alike_alone_or_beside_a_known_one(tmp_path, taxonomy) -> None:
    """A chunk of only new papers is appended without the merge; both ways must agree."""
    new = {**P, "paper_id": "2401.00002", "upvotes": 7, "n_authors": 3,
           "published": dt.date(2024, 1, 2), "github_urls": ["https://github.com/a/b"]}
    alone, beside = Store(tmp_path / "alone.duckdb"), Store(tmp_path / "beside.duckdb")
    beside.ingest([("known", schema.to_table([P]))], taxonomy, now=T1)
    [appended] = alone.ingest([("new", schema.to_table([new]))], taxonomy, now=T2)
    [merged] = beside.ingest([("mixed", schema.to_table([P, new]))], taxonomy, now=T2)
    assert (appended.new, merged.new, merged.unchanged) == (1, 1, 1)
    rows = [store.load().set_index("paper_id").loc[[new["paper_id"]]] for store in (alone, beside)]
    pd.testing.assert_frame_equal(rows[0], rows[1])
    assert rows[0].iloc[0]["first_seen"] == T2 and rows[0].iloc[0]["last_updated"] == T2
    for store in (alone, beside):
        snapshots = store.snapshots()
        assert snapshots[snapshots["paper_id"] == new["paper_id"]]["upvotes"].tolist() == [7]


def test_chunked_merge_gives_the_same_collection(monkeypatch, tmp_path, seed_store, seed_text,
                                                 taxonomy) -> None:
    monkeypatch.setattr(store_module, "CHUNK_ROWS", 7)
    chunked = Store(tmp_path / "chunked.duckdb")
    calls = []
    [report] = chunked.ingest([_page_batch(seed_text, taxonomy, "hf_papers_seed.txt")],
                              taxonomy, progress=calls.append)
    assert report.new == 98 and calls == [7] * 14
    expected = _sorted(seed_store.load()).drop(columns=["first_seen", "last_updated"])
    actual = _sorted(chunked.load()).drop(columns=["first_seen", "last_updated"])
    pd.testing.assert_frame_equal(actual, expected)


def test_a_record_without_paper_id_stores_nothing(tmp_path, seed_store, taxonomy) -> None:
    store = _copy(seed_store, tmp_path)
    before = _snapshot(store)
    table = schema.conform(pa.table({"title": ["no id"]}))
    with pytest.raises(InputError, match="no paper_id"):
        store.ingest([("bad", table)], taxonomy)
    _assert_unchanged(store, before)


# -- failures leave the store as it was ---------------------------------------------------

def test_a_failing_merge_leaves_the_store_exactly_as_before(monkeypatch, tmp_path, seed_store,
                                                            seed_text) -> None:
    store = _copy(seed_store, tmp_path)
    before = _snapshot(store)
    real_merge = store_module._merge_chunk
    calls = []

    def merge_then_fail(connection, chunk, now):
        calls.append(chunk.num_rows)
        if len(calls) == 2:
            raise RuntimeError("disk on fire")
        return real_merge(connection, chunk, now)

    monkeypatch.setattr(store_module, "_merge_chunk", merge_then_fail)
    # A different taxonomy too: the re-tagging is part of the transaction that fails.
    edited = Taxonomy({"Cooking": ("recipe",)}, "edited")
    changed = seed_text.replace("Dec 27, 2024 3\n", "Dec 27, 2024 41\n", 1)
    new_paper = schema.to_table([{**P, "upvotes": 1}])
    with pytest.raises(RuntimeError, match="disk on fire"):
        store.ingest([_page_batch(changed, edited), ("new", new_paper)], edited)
    assert calls == [98, 1]
    _assert_unchanged(store, before)


def test_an_interrupt_between_chunks_leaves_the_store_as_before(tmp_path, seed_store,
                                                                 seed_text, taxonomy) -> None:
    store = _copy(seed_store, tmp_path)
    before = _snapshot(store)

    def interrupt(rows: int) -> None:
        raise KeyboardInterrupt

    changed = seed_text.replace("Dec 27, 2024 3\n", "Dec 27, 2024 41\n", 1)
    with pytest.raises(KeyboardInterrupt):
        store.ingest([_page_batch(changed, taxonomy)], taxonomy, progress=interrupt)
    _assert_unchanged(store, before)


def test_a_failed_first_ingest_leaves_an_empty_collection(monkeypatch, fresh_store,
                                                          seed_text, taxonomy) -> None:
    def fail(*args):
        raise RuntimeError("boom")

    monkeypatch.setattr(store_module, "_merge_chunk", fail)
    with pytest.raises(RuntimeError):
        fresh_store.ingest([_page_batch(seed_text, taxonomy)], taxonomy)
    pd.testing.assert_frame_equal(fresh_store.load(), schema.empty_frame())
    assert fresh_store.ingest_log().empty
    assert fresh_store.taxonomy_digest() is None
    monkeypatch.undo()
    [report] = fresh_store.ingest([_page_batch(seed_text, taxonomy)], taxonomy)
    assert report.new == 98 and len(fresh_store.load()) == 98


def test_a_missing_store_reads_as_empty(fresh_store) -> None:
    papers = fresh_store.load()
    assert list(papers.columns) == list(schema.COLUMN_NAMES) and papers.empty
    assert fresh_store.ingest_log().empty and fresh_store.taxonomy_digest() is None
    for frame, columns in ((fresh_store.snapshots(), schema.SNAPSHOT_COLUMNS),
                           (fresh_store.fetched_days(), schema.FETCHED_DAY_COLUMNS),
                           (fresh_store.repositories(), schema.REPOSITORY_COLUMNS)):
        assert frame.empty and list(frame.columns) == [c.name for c in columns]
    assert not fresh_store.exists()


# -- upvote snapshots, fetched days, a store from an older version ----------------------------

def test_every_sighting_with_upvotes_adds_a_snapshot(fresh_store, taxonomy) -> None:
    other = {**P, "paper_id": "2401.00002"}
    fresh_store.ingest([("one", schema.to_table([{**P, "upvotes": 1}, other]))], taxonomy,
                       now=T1)
    fresh_store.ingest([("two", schema.to_table([{**P, "upvotes": 1}])),
                        ("three", schema.to_table([{**P, "upvotes": 4}]))], taxonomy, now=T2)
    snapshots = fresh_store.snapshots()
    # The unknown count of 2401.00002 is no snapshot; within one ingest the last batch wins.
    assert snapshots.to_dict("records") == [
        {"paper_id": "2401.00001", "seen_at": T1, "upvotes": 1},
        {"paper_id": "2401.00001", "seen_at": T2, "upvotes": 4}]


def test_a_fetched_day_is_marked_with_its_papers(fresh_store, taxonomy, monkeypatch) -> None:
    day = dt.date(2025, 10, 9)
    fresh_store.ingest([("day", schema.to_table([P]))], taxonomy, now=T1, fetched_day=day)
    fresh_store.ingest([("day", schema.to_table([]))], taxonomy, now=T2, fetched_day=day)
    assert fresh_store.fetched_days().to_dict("records") == [
        {"day": day, "fetched_at": T2, "n_papers": 0}]  # the latest fetch replaces the mark
    before = _snapshot(fresh_store)

    def fail(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(store_module, "_record_snapshots", fail)
    with pytest.raises(RuntimeError):
        fresh_store.ingest([("day", schema.to_table([P]))], taxonomy, fetched_day=day)
    _assert_unchanged(fresh_store, before)


OLD_COLUMNS = ["paper_id", "title", "abstract", "published", "upvotes", "n_authors", "authors",
               "organization", "github_repos", "project_urls", "topics", "source", "first_seen",
               "last_updated"]


def test_a_store_from_before_the_api_columns_still_works(tmp_path, taxonomy) -> None:
    path = tmp_path / "old.duckdb"
    with duckdb.connect(str(path)) as connection:  # what version 0.1.0 wrote
        columns = ", ".join(f"{n} {schema.BY_NAME[n].sql_type}" for n in OLD_COLUMNS)
        connection.execute(f"CREATE TABLE papers ({columns})")
        connection.execute("CREATE TABLE meta (key VARCHAR, value VARCHAR)")
        connection.execute("CREATE TABLE ingests (ingested_at TIMESTAMPTZ, source VARCHAR, "
                           "new BIGINT, updated BIGINT, unchanged BIGINT)")
        connection.execute("INSERT INTO papers (paper_id, title, upvotes, authors, github_repos,"
                           " project_urls, topics, first_seen, last_updated) VALUES "
                           "('2401.00001', 'Old', 3, [], [], [], ['Other'], ?, ?)", [T1, T1])
    store = Store(path)
    [old] = store.load().to_dict("records")  # read without writing
    assert list(old["ai_keywords"]) == [] and pd.isna(old["github_stars"])
    assert store.snapshots().empty and store.repositories().empty

    new = {"paper_id": "2401.00002", "title": "New", "ai_keywords": ["k"], "n_comments": 2}
    [report] = store.ingest([("new", schema.to_table([new]))], taxonomy, now=T2)
    assert report.new == 1
    papers = _sorted(store.load())
    assert list(papers["title"]) == ["Old", "New"]
    assert [list(k) for k in papers["ai_keywords"]] == [[], ["k"]]  # old rows: empty, not null
    assert list(papers["n_comments"].fillna(-1)) == [-1, 2]
    [again] = store.ingest([("again", schema.to_table([{**P, "title": "Old", "upvotes": 3}]))],
                           taxonomy, now=T2)
    assert (again.updated, again.unchanged) == (0, 1)  # the added columns are no change


def test_fingerprint_changes_when_the_store_changes(fresh_store, taxonomy) -> None:
    empty = fresh_store.fingerprint()
    fresh_store.ingest([("one", schema.to_table([P]))], taxonomy)
    one = fresh_store.fingerprint()
    assert one != empty and fresh_store.fingerprint() == one
    fresh_store.ingest([("two", schema.to_table([{**P, "upvotes": 9}]))], taxonomy)
    assert fresh_store.fingerprint() != one


def test_store_path_from_the_environment(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("PAPERTRENDS_DB", str(tmp_path / "env.duckdb"))
    assert Store().path == tmp_path / "env.duckdb"


# -- a real process killed inside the write transaction --------------------------------------

BIG_ROWS = 110_000  # three chunks of store.CHUNK_ROWS: the kill lands after the first one


def _big_csv(path: Path, seed: pd.DataFrame) -> None:
    """Seed rows repeated with distinct ids; no abstracts, so reading and tagging stay quick."""
    pick = [i % len(seed) for i in range(BIG_ROWS)]
    titles = [" ".join(t.split()[:3]) for t in seed["title"]]
    frame = schema.to_frame(schema.conform(pa.table({
        "paper_id": [f"synthetic-{i:07d}" for i in range(BIG_ROWS)],
        "title": [f"{titles[p]} (copy {i})" for i, p in enumerate(pick)],
        "published": pa.array(seed["published"]).take(pick),
        "upvotes": pa.array(seed["upvotes"]).take(pick),
        "n_authors": pa.array(seed["n_authors"]).take(pick),
    })))
    export.write_csv(frame, path)


@pytest.mark.timeout(900)
def test_killed_ingest_leaves_the_store_as_before(tmp_path, seed_store, taxonomy) -> None:
    assert store_module.CHUNK_ROWS * 2 < BIG_ROWS
    store = _copy(seed_store, tmp_path)
    before = _snapshot(store)
    big = tmp_path / "big.csv"
    _big_csv(big, before[0])
    # A one-phrase taxonomy keeps tagging 110k titles quick. It also differs from the stored
    # one, so the stored papers are re-tagged inside the same transaction that gets killed.
    topics = tmp_path / "topics.toml"
    topics.write_text('[topics]\n"Agents" = ["agent"]\n', encoding="utf-8")
    err = tmp_path / "stderr.txt"
    with err.open("wb") as stderr:
        process = subprocess.Popen(
            [str(PAPERTRENDS), "ingest", str(big), "--db", str(store.path),
             "--topics", str(topics)],
            cwd=REPO_ROOT, stdout=subprocess.DEVNULL, stderr=stderr)
    try:
        # Starting and tagging take minutes on a small machine running other tests too.
        deadline = time.monotonic() + 600
        progress = None
        while progress is None and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
            # tqdm redraws "storing:  33%|...| 50000/150000" with carriage returns
            found = re.findall(r"storing:[^\r\n]*?\| *(\d+)/(\d+)", err.read_text("utf-8"))
            progress = next((done for done, total in found
                             if 0 < int(done) < int(total)), None)
        if progress is not None:
            process.send_signal(signal.SIGKILL)
    finally:
        if process.poll() is None and progress is None:
            process.kill()
        returncode = process.wait(timeout=30)
    assert returncode != 0, (
        f"the ingest finished before it could be killed; make BIG_ROWS larger\n"
        f"{err.read_text('utf-8')[-2000:]}")
    assert progress is not None, f"never saw it storing:\n{err.read_text('utf-8')[-2000:]}"
    assert returncode == -signal.SIGKILL
    _assert_unchanged(store, before)
    # ... and the store still takes writes.
    [report] = store.ingest([("one", schema.to_table([P]))], taxonomy)
    assert report.new == 1 and len(store.load()) == 99


# -- another process holding the file --------------------------------------------------------

def test_readers_wait_for_a_writer_and_give_up_clearly(tmp_path, seed_store) -> None:
    store = _copy(seed_store, tmp_path)
    expected = _sorted(store.load())
    holder = subprocess.Popen(  # holds the file until told to let go, however slow the machine
        [sys.executable, "-c",
         "import sys, duckdb\n"
         "connection = duckdb.connect(sys.argv[1])\n"
         "print('locked', flush=True)\n"
         "sys.stdin.readline()\n"
         "connection.close()\n",
         str(store.path)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    release = threading.Timer(1.0, holder.communicate, kwargs={"input": "go\n"})
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(StoreBusyError) as caught:
            Store(store.path, lock_timeout=0.2).load()
        message = str(caught.value)
        assert str(store.path) in message and "locked by another process" in message
        assert "0.2 s" in message and "try again" in message

        started = time.monotonic()
        release.start()
        papers = Store(store.path, lock_timeout=60).load()  # waits with backoff, then reads
        waited = time.monotonic() - started
    finally:
        release.cancel()
        holder.wait(timeout=60)
    assert waited >= 1.0
    pd.testing.assert_frame_equal(_sorted(papers), expected)


def test_a_writer_also_waits(tmp_path, seed_store, taxonomy) -> None:
    store = _copy(seed_store, tmp_path)
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time, duckdb\n"
         "connection = duckdb.connect(sys.argv[1], read_only=True)\n"
         "print('locked', flush=True)\n"
         "time.sleep(1)\n",
         str(store.path)],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(StoreBusyError):
            Store(store.path, lock_timeout=0).ingest([("one", schema.to_table([P]))], taxonomy)
        [report] = Store(store.path).ingest([("one", schema.to_table([P]))], taxonomy)
    finally:
        holder.wait(timeout=30)
    assert report.new == 1
    assert os.path.exists(store.path)


def test_the_store_says_which_rows_it_wrote_since_a_revision(fresh_store, taxonomy) -> None:
    """What the indexes catch up on: each row written since, once, as it is now; nothing
    for another store's revision or one it has not reached."""
    other = {**P, "paper_id": "2501.99999", "title": "Another"}
    fresh_store.ingest([("one", schema.to_table([P]))], taxonomy, now=T1)
    _, first = fresh_store.versions()
    fresh_store.ingest([("two", schema.to_table([{**P, "title": "Changed"}, other]))],
                       taxonomy, now=T2)
    fresh_store.ingest([("three", schema.to_table([{**P, "title": "Again"}]))], taxonomy,
                       now=T2 + dt.timedelta(hours=1))
    _, now = fresh_store.versions()
    changes = fresh_store.changes_since(first)
    assert changes.revision == now and changes.n_rows == 2
    assert changes.positions.tolist() == [0, 1]
    assert changes.paper_ids.to_pylist() == [P["paper_id"], "2501.99999"]
    assert changes.updated[0] == int((T2 + dt.timedelta(hours=1)).timestamp() * 1e6)
    assert len(fresh_store.changes_since(now).positions) == 0
    store_id, _, number = now.rpartition(":")
    assert fresh_store.changes_since(f"{store_id}:{int(number) + 1}") is None
    assert fresh_store.changes_since(f"elsewhere:{number}") is None
    assert fresh_store.changes_since("") is None
