"""Parquet export and ingest: types kept, exact round trips, clear errors, nothing half-stored."""

from __future__ import annotations

import datetime as dt
import io
import shutil
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from papertrends.cli import main
from papertrends.collection import export, schema
from papertrends.collection.enrich import enrich
from papertrends.collection.store import Store
from papertrends.common.errors import InputError
from papertrends.sources import detect_format, read_path
from papertrends.sources.parquet import parse_parquet


def invoke(*args: str | Path) -> object:
    return CliRunner().invoke(main, [str(a) for a in args])


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values("paper_id", ignore_index=True)


def write(path: Path, columns: dict) -> Path:
    pq.write_table(pa.table(columns), path)
    return path


def error_of(path: Path) -> InputError:
    with pytest.raises(InputError) as caught:
        read_path(path)
    return caught.value


@pytest.fixture(scope="module")
def seed_papers(seed_store: Store) -> pd.DataFrame:
    return _sorted(seed_store.load())


@pytest.fixture
def seeded_copy(seed_store: Store, tmp_path: Path) -> Path:
    copy = tmp_path / "copy.duckdb"
    shutil.copy(seed_store.path, copy)
    return copy


# -- round trips -----------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "options"), [
    ("papers.parquet", []),  # the name says Parquet
    ("papers.out", ["--format", "parquet"]),  # the option says it, whatever the name
])
def test_parquet_export_reads_back_as_the_stored_rows(tmp_path, seed_store, seed_papers,
                                                     topics_path, name, options) -> None:
    out = tmp_path / name
    result = invoke("export", "--out", out, *options, "--db", seed_store.path,
                    "--topics", topics_path)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().startswith(f"{out}: 98 of 98 papers")
    assert out.read_bytes()[:4] == b"PAR1"
    fmt, table = read_path(out)
    assert fmt == "parquet"
    pd.testing.assert_frame_equal(_sorted(schema.to_frame(table)), seed_papers)
    # Types are kept in the file itself, for DuckDB, Polars or Spark.
    types = pq.read_schema(out)
    assert types.field("published").type == pa.date32()
    assert types.field("authors").type == pa.list_(pa.string())
    assert types.field("github_repos").type == pa.list_(pa.string())
    assert types.field("first_seen").type == pa.timestamp("us", tz="UTC")
    assert types.field("upvotes").type == pa.int64()
    raw = pq.read_table(out).to_pylist()
    flows = next(r for r in raw if r["title"].startswith("Flows: Building Blocks"))
    assert flows["github_repos"] == ["epfl-dlab/aiflows", "epfl-dlab/cc_flows"]
    waltz = next(r for r in raw if r["title"].startswith("The Alignment Waltz"))
    assert (waltz["n_authors"], waltz["published"], waltz["upvotes"]) == (
        None, dt.date(2025, 10, 9), 2)


def test_parquet_export_ingests_back_to_the_same_collection(tmp_path, seed_papers,
                                                            taxonomy) -> None:
    path = tmp_path / "papers.parquet"
    assert export.write_parquet([export.papers_table(seed_papers)], path) == 98
    fmt, table = read_path(path)
    store = Store(tmp_path / "again.duckdb")
    [report] = store.ingest([(f"{fmt}:{path.name}", enrich(table, taxonomy))], taxonomy)
    assert report.new == 98
    again = _sorted(store.load())
    pd.testing.assert_frame_equal(again, seed_papers)  # every column, every missing value
    assert again["n_authors"].isna().sum() == 8 and again["published"].isna().sum() == 7
    assert again["first_seen"].dt.microsecond.ne(0).any()  # sub-second times survive


def test_filters_apply_to_a_parquet_export(tmp_path, seed_store, topics_path) -> None:
    out = tmp_path / "agents.parquet"
    result = invoke("export", "--out", out, "--topic", "Agents", "--has-code", "yes",
                    "--db", seed_store.path, "--topics", topics_path)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"{out}: 10 of 98 papers (topic Agents, with GitHub code)"
    rows = pq.read_table(out).to_pylist()
    assert len(rows) == 10
    assert all("Agents" in r["topics"] and r["github_repos"] for r in rows)


def test_written_file_is_replaced_atomically(tmp_path, seed_papers) -> None:
    path = tmp_path / "out.parquet"
    export.write_parquet([export.papers_table(seed_papers.head(3))], path)

    def failing():
        yield export.papers_table(seed_papers)
        raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError):
        export.write_parquet(failing(), path)
    assert pq.read_table(path).num_rows == 3  # the old file, whole
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.parquet"]  # no partial file


def test_format_follows_the_option_then_the_name() -> None:
    assert export.format_for("a.parquet") == "parquet"
    assert export.format_for("A.PQ") == "parquet"
    assert export.format_for("a.csv") == "csv"
    assert export.format_for("a") == "csv"
    assert export.format_for("a.csv", "parquet") == "parquet"
    assert export.format_for("a.parquet", "csv") == "csv"


# -- detection -----------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["papers.bin", "papers.txt", "papers"])
def test_parquet_is_recognised_by_its_content(tmp_path, seed_papers, name) -> None:
    path = tmp_path / name
    export.write_parquet([export.papers_table(seed_papers)], path)
    assert detect_format(path, path.read_bytes()) == "parquet"
    fmt, table = read_path(path)
    assert (fmt, table.num_rows) == ("parquet", 98)
    assert set(table["source"].to_pylist()) == set(seed_papers["source"])  # kept, not relabelled


def test_source_names_the_file_when_the_parquet_has_none(tmp_path) -> None:
    path = write(tmp_path / "mine.parquet", {"paper_id": ["2401.00001"], "title": ["A paper"]})
    _, table = read_path(path)
    assert table["source"].to_pylist() == ["parquet:mine.parquet"]


def test_papers_whose_source_is_unknown_were_first_read_from_this_file(tmp_path) -> None:
    """`papertrends synth` writes a source column of nulls: the Data page must still say the
    papers came from this file, not list it with none."""
    path = write(tmp_path / "synth.parquet", {"paper_id": ["2401.00001", "2401.00002"],
                                               "title": ["A", "B"],
                                               "source": pa.array([None, "csv:old.csv"],
                                                                  pa.string())})
    _, table = read_path(path)
    assert table["source"].to_pylist() == ["parquet:synth.parquet", "csv:old.csv"]


# -- errors name the file, the field and the row ---------------------------------------------

def test_a_parquet_without_paper_id_is_refused(tmp_path) -> None:
    path = write(tmp_path / "titles.parquet", {"title": ["A paper"], "upvotes": [3]})
    error = error_of(path)
    assert error.path == str(path)
    assert "'paper_id'" in error.message and "title" in error.message  # says what it found


def test_a_column_of_the_wrong_type_is_named(tmp_path) -> None:
    path = write(tmp_path / "dates.parquet", {"paper_id": ["2401.00001", "2401.00002"],
                                              "title": ["One", "Two"],
                                              "published": ["2024-01-02", "yesterday"]})
    error = error_of(path)
    assert (error.path, error.field) == (str(path), "published")
    assert "date" in error.message


@pytest.mark.parametrize(("field", "cells", "row"), [
    ("title", ["A paper", "  ", "Another"], 2),
    ("title", ["A paper", "Another", None], 3),
    ("paper_id", [None, "2401.00002", "2401.00003"], 1),
])
def test_an_empty_required_field_is_named_with_its_row(tmp_path, field, cells, row) -> None:
    columns = {"paper_id": ["2401.00001", "2401.00002", "2401.00003"],
               "title": ["A paper", "Another", "A third"]}
    columns[field] = pa.array(cells, pa.string())
    path = write(tmp_path / "empty.parquet", columns)
    error = error_of(path)
    assert (error.path, error.field) == (str(path), field)
    assert f"row {row}:" in error.message and "must not be empty" in error.message


def test_a_damaged_file_is_refused(tmp_path, seed_papers) -> None:
    good = tmp_path / "good.parquet"
    export.write_parquet([export.papers_table(seed_papers)], good)
    data = good.read_bytes()
    damaged = tmp_path / "damaged.parquet"
    damaged.write_bytes(data[:4] + data[len(data) // 2:])  # still starts and ends with PAR1
    error = error_of(damaged)
    assert error.path == str(damaged) and "not a readable Parquet file" in error.message


def test_a_bad_file_stores_nothing(seeded_copy, tmp_path) -> None:
    good = write(tmp_path / "good.parquet", {"paper_id": ["2401.99999"], "title": ["New"]})
    bad = write(tmp_path / "bad.parquet", {"paper_id": ["2401.99998"], "title": ["Bad"],
                                           "published": ["yesterday"]})
    before = Store(seeded_copy).load()
    log_before = Store(seeded_copy).ingest_log()
    result = invoke("ingest", good, bad, "--db", seeded_copy)
    assert result.exit_code == 1
    [line] = result.stderr.splitlines()[-1:]
    assert line.startswith(f"Error: {bad}, field published: ")
    assert result.stdout == ""
    after = Store(seeded_copy).load()
    assert len(after) == 98 and "2401.99999" not in set(after["paper_id"])
    pd.testing.assert_frame_equal(_sorted(after), _sorted(before))
    pd.testing.assert_frame_equal(Store(seeded_copy).ingest_log(), log_before)


# -- columns other tools add or leave out ------------------------------------------------------

def test_unknown_columns_are_ignored_and_missing_ones_stay_unknown(tmp_path, taxonomy) -> None:
    path = write(tmp_path / "minimal.parquet", {
        "paper_id": ["2401.00001", "2401.00002"],
        "venue": ["NeurIPS", "ICML"],  # not a Papertrends column
        "title": ["Sparse attention for agents", "A benchmark"],
        "abstract": ["We study agents.", None]})
    _, table = read_path(path)
    assert table.column_names == list(schema.COLUMN_NAMES)
    store = Store(tmp_path / "papers.duckdb")
    store.ingest([("parquet:minimal.parquet", enrich(table, taxonomy))], taxonomy)
    papers = _sorted(store.load())
    assert papers["title"].tolist() == ["Sparse attention for agents", "A benchmark"]
    for column in ("upvotes", "n_authors", "published", "github_stars", "n_comments"):
        assert papers[column].isna().all(), column  # unknown, never 0
    assert papers["authors"].map(len).tolist() == [0, 0]


def test_a_parquet_written_by_pandas_ingests(tmp_path) -> None:
    """Another tool's file: timestamps for dates, large strings, floats that are whole."""
    frame = pd.DataFrame({
        "paper_id": pd.Series(["2401.00001", "2401.00002"], dtype="large_string[pyarrow]"),
        "title": ["First", "Second"],
        "published": pd.to_datetime(["2024-01-02", None]),
        "upvotes": [3.0, None],
        "authors": [["Ada Lovelace", "Alan Turing"], []],
    })
    path = tmp_path / "pandas.parquet"
    frame.to_parquet(path)
    _, table = read_path(path)
    rows = table.to_pylist()
    assert [r["published"] for r in rows] == [dt.date(2024, 1, 2), None]
    assert [r["upvotes"] for r in rows] == [3, None]
    assert rows[0]["authors"] == ["Ada Lovelace", "Alan Turing"]


def test_negative_counts_are_refused_like_in_csv() -> None:
    buffer = io.BytesIO()
    pq.write_table(pa.table({"paper_id": ["2401.00001"], "title": ["A"], "upvotes": [-5]}),
                   buffer)
    try:
        parse_parquet(buffer.getvalue(), path="neg.parquet")
    except InputError as error:
        assert error.field == "upvotes"
    else:
        raise AssertionError("negative upvotes were accepted")
