"""CSV export and import: exact round trips, the injection guard, clear errors."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from papertrends.collection import export, schema
from papertrends.collection.enrich import enrich
from papertrends.collection.export import export_filename
from papertrends.collection.filters import Filters
from papertrends.collection.store import Store
from papertrends.common.csv_safety import neutralise, restore
from papertrends.common.errors import InputError
from papertrends.sources import read_path
from papertrends.sources.csv import parse_csv

T1 = dt.datetime(2025, 1, 1, 12, 0, 0, 123456, tzinfo=dt.UTC)
TEXT_COLUMNS = [c.name for c in schema.COLUMNS if c.is_text]


def _rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))


def _frame(records: list[dict]) -> pd.DataFrame:
    return schema.to_frame(schema.to_table(records))


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values("paper_id", ignore_index=True)


@pytest.fixture(scope="module")
def seed_papers(seed_store: Store) -> pd.DataFrame:
    return _sorted(seed_store.load())


# -- round trips -----------------------------------------------------------------------------

def test_exported_seed_ingests_back_to_the_same_collection(tmp_path, seed_papers,
                                                           taxonomy) -> None:
    path = tmp_path / "papers.csv"
    export.write_csv(seed_papers, path)
    fmt, table = read_path(path)
    assert fmt == "csv" and table.num_rows == 98
    store = Store(tmp_path / "again.duckdb")
    [report] = store.ingest([(f"csv:{path.name}", enrich(table, taxonomy))], taxonomy)
    assert report.new == 98
    again = _sorted(store.load())
    pd.testing.assert_frame_equal(again, seed_papers)  # every column, every missing value
    assert again["n_authors"].isna().sum() == 8 and again["published"].isna().sum() == 7
    assert again["first_seen"].dt.microsecond.ne(0).any()  # sub-second times survive


def test_export_format_is_for_people(seed_papers) -> None:
    rows = _rows(export.to_csv_bytes(seed_papers))
    assert list(rows[0]) == list(schema.COLUMN_NAMES)
    flows = next(r for r in rows if r["title"].startswith("Flows: Building Blocks"))
    assert flows["github_repos"] == "epfl-dlab/aiflows; epfl-dlab/cc_flows"
    waltz = next(r for r in rows if r["title"].startswith("The Alignment Waltz"))
    assert (waltz["n_authors"], waltz["published"], waltz["upvotes"]) == ("", "2025-10-09", "2")
    assert all(r["first_seen"].endswith("Z") and "T" in r["first_seen"] for r in rows)


def test_written_file_is_replaced_atomically(tmp_path, seed_papers) -> None:
    path = tmp_path / "out.csv"
    path.write_text("old")
    export.write_csv(seed_papers.head(3), path)
    assert len(_rows(path.read_bytes())) == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]  # no partial file left


def test_line_breaks_in_cells_of_a_large_file_round_trip() -> None:
    """Over 1 MB the reader works in blocks; a quoted line break must not end a record."""
    abstract = 'first line\nsecond, "quoted"\r\nthird ' * 200
    records = [{"paper_id": f"p{i}", "title": f"T{i}", "abstract": abstract} for i in range(300)]
    data = export.to_csv_bytes(_frame(records))
    assert len(data) > 2_000_000
    table = parse_csv(data)
    assert table["paper_id"].to_pylist() == [r["paper_id"] for r in records]
    assert set(table["abstract"].to_pylist()) == {abstract}


def test_empty_export_round_trips() -> None:
    data = export.to_csv_bytes(schema.empty_frame())
    assert parse_csv(data).num_rows == 0


# -- the CSV injection guard -----------------------------------------------------------------

@pytest.mark.parametrize(("column", "value"), [
    ("title", '=HYPERLINK("http://evil.example","click")'),
    ("title", "=1+1"),
    ("abstract", "+44 results"),
    ("abstract", "-1 is a number"),
    ("abstract", "@SUM(A1)"),
    ("abstract", "\tleading tab"),
    ("abstract", "\rleading carriage return"),
    ("organization", "=cmd|' /C calc'!A0"),
    ("abstract", "'=already quoted"),
    ("abstract", "''+twice quoted"),
    ("authors", ["=evil", "Ann"]),
    ("topics", ["-minus"]),
])
def test_formula_cells_are_prefixed_and_read_back_exactly(column, value) -> None:
    record = {"paper_id": "2401.00001", "title": "Safe title", column: value}
    data = export.to_csv_bytes(_frame([record]))
    [row] = _rows(data)
    first = value[0] if isinstance(value, list) else value
    assert row[column].startswith("'") and row[column][1:].startswith(first)
    assert row[column][0] not in "=+-@\t\r"
    [back] = schema.to_frame(parse_csv(data)).to_dict("records")
    assert (list(back[column]) if isinstance(value, list) else back[column]) == value


@pytest.mark.parametrize("value", ["plain", "'quoted", "a=b", "x-y", "", "'", "'a'"])
def test_harmless_cells_are_not_touched(value) -> None:
    values = pa.array([value])
    assert neutralise(values).to_pylist() == [value]
    assert restore(neutralise(values)).to_pylist() == [value]


DANGEROUS_START = st.sampled_from(["", "=", "+", "-", "@", "\t", "\r", "'", "''=", "\"", "'\r"])
CELL = st.builds(lambda start, rest: start + rest, DANGEROUS_START, st.text(max_size=30)).filter(
    bool)  # an empty cell means "unknown" in the CSV, so it reads back as missing


@settings(max_examples=50, deadline=None)
@given(st.lists(st.fixed_dictionaries({name: st.none() | CELL for name in TEXT_COLUMNS}),
                min_size=1, max_size=4))
def test_text_cells_round_trip_exactly(records: list[dict]) -> None:
    records = [{**r, "paper_id": r["paper_id"] or f"id{i}", "title": r["title"] or "t"}
               for i, r in enumerate(records)]  # the two cells a record cannot lack
    frame = _frame(records)
    back = schema.to_frame(parse_csv(export.to_csv_bytes(frame)))
    pd.testing.assert_frame_equal(back[TEXT_COLUMNS], frame[TEXT_COLUMNS])


def test_the_api_columns_round_trip() -> None:
    record = {"paper_id": "2510.07312", "title": "T", "submitted_at": T1, "github_stars": 0,
              "ai_keywords": ["LLM agents", "=formula-like"], "ai_summary": "-a summary",
              "n_comments": 12, "submitted_by": "akhaliq"}
    data = export.to_csv_bytes(_frame([record, {"paper_id": "b", "title": "U"}]))
    [row, empty] = _rows(data)
    assert row["submitted_at"] == "2025-01-01T12:00:00.123456Z"
    assert row["ai_keywords"] == "LLM agents; =formula-like" and row["ai_summary"][0] == "'"
    assert all(empty[name] == "" for name in record if name not in ("paper_id", "title"))
    back = schema.to_frame(parse_csv(data)).to_dict("records")
    assert back[0]["submitted_at"] == T1
    assert list(back[0]["ai_keywords"]) == record["ai_keywords"]
    for name in ("github_stars", "ai_summary", "n_comments", "submitted_by"):
        assert back[0][name] == record[name]
        assert pd.isna(back[1][name])  # unknown stays unknown
    assert list(back[1]["ai_keywords"]) == []


def test_ids_that_look_like_numbers_round_trip_as_written(tmp_path, taxonomy) -> None:
    """An arXiv id ending in 0 or starting with 0 is text: read as a number it would name
    another paper (2405.1743) or none (704.0001)."""
    ids = ["2405.17430", "0704.0001", "2410.10000"]
    data = export.to_csv_bytes(_frame([{"paper_id": i, "title": f"Paper {i}"} for i in ids]))
    assert [row["paper_id"] for row in _rows(data)] == ids
    path = tmp_path / "papers.csv"
    path.write_bytes(data)
    store = Store(tmp_path / "again.duckdb")
    store.ingest([("csv:papers.csv", enrich(read_path(path)[1], taxonomy))], taxonomy)
    assert sorted(store.load()["paper_id"]) == sorted(ids)


# -- reading CSV that was not written by this version ----------------------------------------

def test_a_csv_missing_optional_columns_still_ingests(tmp_path, fresh_store, taxonomy) -> None:
    path = tmp_path / "few.csv"
    path.write_text("title,paper_id,upvotes,extra column\n"
                    "An agent paper,2401.00001v2,5,ignored\n"
                    "Another paper,title-abc,,ignored\n", encoding="utf-8")
    _, table = read_path(path)
    [report] = fresh_store.ingest([("few", enrich(table, taxonomy))], taxonomy)
    assert report.new == 2
    papers = _sorted(fresh_store.load())
    assert list(papers["paper_id"]) == ["2401.00001", "title-abc"]  # arXiv version dropped
    assert list(papers["upvotes"].fillna(-1)) == [5, -1]
    assert papers["published"].isna().all() and papers["n_authors"].isna().all()
    assert [list(t) for t in papers["topics"]] == [["Agents"], ["Other"]]
    assert [list(a) for a in papers["authors"]] == [[], []]
    assert set(papers["source"]) == {"csv:few.csv"}  # a file without a source column


def test_an_empty_source_cell_names_this_file(tmp_path) -> None:
    path = tmp_path / "mixed.csv"
    path.write_text("paper_id,title,source\n2401.00001,A,\n2401.00002,B,hf-page:day.txt\n",
                    encoding="utf-8")
    _, table = read_path(path)
    assert table["source"].to_pylist() == ["csv:mixed.csv", "hf-page:day.txt"]


@pytest.mark.parametrize("data", [
    b"\xef\xbb\xbfpaper_id,title\r\n2401.00001,T\r\n",  # a spreadsheet's BOM and CRLF
    b"paper_id,title\n2401.00001,T",  # no final newline
    b'"paper_id","title"\n"2401.00001","T"\n',
])
def test_spreadsheet_variants_are_read(data) -> None:
    table = parse_csv(data)
    assert table.select(["paper_id", "title"]).to_pylist() == [
        {"paper_id": "2401.00001", "title": "T"}]


def test_timestamps_without_an_offset_are_utc() -> None:
    table = parse_csv(b"paper_id,title,first_seen,last_updated\n"
                      b"a,T,2025-01-01 12:00:00,2025-01-01T13:00:00+01:00\n")
    [row] = table.to_pylist()
    assert row["first_seen"] == row["last_updated"] == dt.datetime(2025, 1, 1, 12, tzinfo=dt.UTC)


HEADER = "paper_id,title,published,upvotes,n_authors,first_seen\n"
GOOD = "2401.00001,Good,2024-01-02,3,4,2025-01-01T00:00:00Z\n"


@pytest.mark.parametrize(("bad_row", "line", "field"), [
    ("2401.00002,Bad,2024-01-02,abc,4,\n", 4, "upvotes"),
    ("2401.00002,Bad,2024-01-02,-3,4,\n", 4, "upvotes"),
    ("2401.00002,Bad,2024-01-02,1.5,4,\n", 4, "upvotes"),
    ("2401.00002,Bad,2024-01-02,99999999999999999999,4,\n", 4, "upvotes"),
    ("2401.00002,Bad,2024-01-02,3,many,\n", 4, "n_authors"),
    ("2401.00002,Bad,02/01/2024,3,4,\n", 4, "published"),
    ("2401.00002,Bad,2024-02-30,3,4,\n", 4, "published"),
    ("2401.00002,Bad,2024-13-01,3,4,\n", 4, "published"),
    ("2401.00002,Bad,2024-01-02,3,4,yesterday\n", 4, "first_seen"),
    ("2401.00002,Bad,2024-01-02,3,4,2025-02-30T00:00:00Z\n", 4, "first_seen"),
    ('2401.00002,"Bad\ntitle\non lines",2024-01-02,x,4,\n', 4, "upvotes"),
    (',No id,2024-01-02,3,4,\n', 4, "paper_id"),
    ('2401.00002,,2024-01-02,3,4,\n', 4, "title"),
])
def test_a_bad_cell_names_its_line_and_field(tmp_path, bad_row, line, field) -> None:
    # The good row spans two lines, so the line is the file's, not the record's number.
    data = (HEADER + '2401.00003,"Two\nlines",,,,\n' + bad_row + GOOD).encode()
    with pytest.raises(InputError) as caught:
        parse_csv(data, path="in.csv")
    assert (caught.value.path, caught.value.line, caught.value.field) == ("in.csv", line, field)
    assert str(caught.value).startswith(f"in.csv, line {line}, field {field}: ")


def test_a_bad_cell_stores_nothing(tmp_path, seed_store) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + GOOD + "2401.00002,Bad,2024-01-02,abc,4,\n", encoding="utf-8")
    before = seed_store.fingerprint()
    with pytest.raises(InputError, match=r"bad\.csv, line 3, field upvotes: .*'abc'"):
        read_path(path)  # the CLI reads every file before it opens the store
    assert seed_store.fingerprint() == before


@pytest.mark.parametrize(("data", "message"), [
    (b"name,value\nx,1\n",
     r"not a Papertrends CSV: .*no 'paper_id', 'title' column \(found name, value\)"),
    (b"paper_id,value\nx,1\n", r"no 'title' column"),
    (b"", r"not a Papertrends CSV"),
    (b"\xff\xfe,paper_id\n", r"not UTF-8"),
    (b'paper_id,title\n"unterminated,x\n', r"not well-formed CSV"),
])
def test_a_file_that_is_not_our_csv(tmp_path, data, message) -> None:
    path = tmp_path / "other.csv"
    path.write_bytes(data)
    with pytest.raises(InputError, match=message) as caught:
        read_path(path)
    assert str(caught.value).startswith(str(path))


def test_format_is_detected_from_the_content(tmp_path) -> None:
    path = tmp_path / "export.txt"
    path.write_bytes(export.to_csv_bytes(_frame([{"paper_id": "a", "title": "T"}])))
    assert read_path(path)[0] == "csv"
    unknown = tmp_path / "notes.json"
    unknown.write_text('{"a": 1}')
    with pytest.raises(InputError, match="cannot tell the format"):
        read_path(unknown)


def test_a_downloaded_file_is_named_after_every_active_filter() -> None:
    papers = pd.DataFrame({"published": [dt.date(2024, 1, 2), dt.date(2025, 3, 4)]})
    assert export_filename(papers) == "papers_2024-01-02_to_2025-03-04.csv"
    narrowed = Filters(date_from=dt.date(2024, 6, 1), topics=("Safety & alignment",),
                       search='"reward model" ../../etc/passwd', min_upvotes=5,
                       authors_min=3, has_code="no")
    assert export_filename(papers, narrowed) == (
        "papers_2024-06-01_to_2025-03-04_topic-safety-alignment_q-reward-model-etc-passwd"
        "_upvotes-5plus_authors-3-any_without-code.csv")
    many = export_filename(papers, Filters(topics=tuple(f"topic {n}" for n in range(50))))
    assert len(many) <= 170 and many.endswith(".csv") and "/" not in many
    assert many != export_filename(papers, Filters(topics=tuple(f"topic {n}"
                                                                 for n in range(49))))
