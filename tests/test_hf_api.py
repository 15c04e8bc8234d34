"""Reading a Daily Papers API response: the mapping, missing fields, clear errors."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from hf_samples import MISSING, body, entry

from papertrends.cli import main
from papertrends.collection.enrich import enrich
from papertrends.collection.store import Store
from papertrends.common.errors import InputError
from papertrends.sources import detect_format, read_bytes, read_path
from papertrends.sources.hf_api import parse_hf_api


def _rows(data: bytes) -> list[dict]:
    return parse_hf_api(data, path="day.json").to_pylist()


def test_a_realistic_entry_maps_every_field() -> None:
    [row] = _rows(body(entry()))
    assert row == {
        "paper_id": "2510.07312",
        "title": "Verifiable Planning for LLM Agents",
        "abstract": entry()["paper"]["summary"],
        "published": dt.date(2025, 10, 8),
        "upvotes": 12,
        "n_authors": 3,
        "authors": ["Ann Lee", "Bo Chen", "Cai Wu"],
        "organization": "Acme AI",
        "github_repos": ["acme/vplan"],
        "project_urls": ["https://acme.ai/vplan"],
        "submitted_at": dt.datetime(2025, 10, 9, 1, 23, 45, 678000, tzinfo=dt.UTC),
        "github_stars": 41,
        "ai_keywords": ["LLM agents", "long-horizon planning", "verifiable steps"],
        "ai_summary": "A planner that splits agent tasks into verifiable steps.",
        "n_comments": 2,
        "submitted_by": "akhaliq",
        "topics": [],
        "source": "hf-api-json:day.json",
        "first_seen": None,
        "last_updated": None,
    }


@pytest.mark.parametrize(("keywords", "kept"), [
    (["", "diffusion models", " ", "Diffusion Models", "LLMs", "diffusion models"],
     ["diffusion models", "LLMs"]),  # blanks, case-only and exact repeats: the first spelling
    (["Large Language Models", "LLMs", "large  language models"],
     ["Large Language Models", "LLMs"]),  # an acronym is another keyword; spacing is not
    (["$k$-NN", "$K$-NN", "<EOS> token"], ["$k$-NN", "<EOS> token"]),  # TeX and tags as given
    ([], []),
])
def test_generated_keywords_are_distinct(keywords, kept) -> None:
    [row] = _rows(body(entry(ai_keywords=keywords)))
    assert row["ai_keywords"] == kept


def test_ids_that_look_like_numbers_stay_text() -> None:
    rows = _rows(body(entry("2405.17430"), entry("0704.0001")))
    assert [row["paper_id"] for row in rows] == ["2405.17430", "0704.0001"]
    with pytest.raises(InputError, match=r"field \[0\]\.paper\.id: expected text, found number"):
        _rows(b'[{"paper": {"id": 2405.1743, "title": "A number"}}]')


def test_an_organization_inside_and_beside_the_paper_is_one_name() -> None:
    item = entry(organization="Acme AI")
    assert item["organization"] == item["paper"]["organization"]  # as real responses send it
    [row] = _rows(json.dumps([item]).encode())
    assert row["organization"] == "Acme AI"  # the display name, not the slug "acme-ai"


def test_a_wrapped_repository_link_is_kept(taxonomy) -> None:
    [row] = enrich(parse_hf_api(body(entry(
        github_repo="https://github.com/acme/\nvplan-tools", projectPage=" https://acme.ai/p",
        abstract="No links here."))), taxonomy).to_pylist()
    assert row["github_repos"] == ["acme/vplan-tools"]
    assert row["project_urls"] == ["https://acme.ai/p"]


def test_hidden_authors_still_count() -> None:
    [row] = _rows(body(entry(authors=("Ann Lee", "Anonymous", "Cai Wu"), hidden=("Anonymous",))))
    assert row["n_authors"] == 3 and row["authors"] == ["Ann Lee", "Anonymous", "Cai Wu"]


@pytest.mark.parametrize("github_repo", [None, MISSING, ""])
def test_no_github_repo_leaves_only_the_abstract_links(github_repo, taxonomy) -> None:
    table = parse_hf_api(body(entry(github_repo=github_repo)))
    assert table["github_repos"].to_pylist() == [[]]
    [row] = enrich(table, taxonomy).to_pylist()
    assert row["github_repos"] == ["other-lab/planner-tools"]  # found in the abstract


def test_the_api_repo_merges_with_abstract_links(taxonomy) -> None:
    abstract = "See https://github.com/ACME/vplan. and github.com/other-lab/planner-tools)."
    [row] = enrich(parse_hf_api(body(entry(abstract=abstract))), taxonomy).to_pylist()
    assert row["github_repos"] == ["acme/vplan", "other-lab/planner-tools"]  # one per repo


def test_absent_fields_stay_missing() -> None:
    bare = {"paper": {"id": "2510.00001", "title": "Bare"}}
    [row] = _rows(json.dumps([bare]).encode())
    assert row["paper_id"] == "2510.00001" and row["title"] == "Bare"
    for name in ("abstract", "published", "upvotes", "n_authors", "organization",
                 "submitted_at", "github_stars", "ai_summary", "n_comments", "submitted_by"):
        assert row[name] is None, name  # unknown, never 0 or ""
    for name in ("authors", "github_repos", "project_urls", "ai_keywords"):
        assert row[name] == [], name


def test_nulls_are_missing_and_zero_is_kept() -> None:
    [row] = _rows(body(entry(upvotes=0, comments=None, organization=None, githubStars=None,
                             authors=(), ai_keywords=None, projectPage=None)))
    assert row["upvotes"] == 0 and row["n_comments"] is None and row["github_stars"] is None
    assert row["n_authors"] is None and row["authors"] == []  # an empty list: unknown
    assert row["organization"] is None and row["ai_keywords"] == []
    assert row["project_urls"] == []


def test_fallbacks_beside_the_paper_object() -> None:
    item = entry(title=MISSING, summary=MISSING, organization=None)
    item["title"], item["summary"] = "Listing title", "Listing summary"
    item["paper"]["organization"] = {"name": "lab", "fullname": "The Lab"}
    item["submittedBy"] = {"fullname": "Bo Chen", "user": "bochen"}  # newer responses
    [row] = _rows(json.dumps([item]).encode())
    assert (row["title"], row["abstract"]) == ("Listing title", "Listing summary")
    assert row["organization"] == "The Lab" and row["submitted_by"] == "bochen"


def test_unknown_fields_are_ignored() -> None:
    item = entry(newField={"nested": [1, 2]}, upvotesHistory=[1, 2, 3])
    item["somethingNew"] = None
    item["paper"]["authors"][0]["affiliation"] = {"name": "Acme"}
    [row] = _rows(json.dumps([item]).encode())
    assert row["upvotes"] == 12 and row["n_authors"] == 3


def test_an_empty_day() -> None:
    assert parse_hf_api(b"[]").num_rows == 0


@pytest.mark.parametrize(("data", "expected"), [
    (b'[{"paper": {"id": "2510.00001"', "day.json, line 1: not well-formed JSON"),
    (b"<html>Bad gateway</html>", "day.json, line 1: not well-formed JSON"),
    (b'{"error": "Invalid date"}', "day.json: expected a JSON list of papers, found a JSON "
                                   "object"),
    (b"[1]", "day.json, field [0]: expected a paper entry (a JSON object), found a number"),
    (body(entry(), entry(upvotes="12")),
     'day.json, field [1].paper.upvotes: expected a whole number of 0 or more, found "12"'),
    (body(entry(upvotes=True)), "day.json, field [0].paper.upvotes: expected a whole number"),
    (body(entry(publishedAt="yesterday")),
     "day.json, field [0].paper.publishedAt: expected an ISO 8601"),
    (json.dumps([{"paper": {"upvotes": 3, "title": None}, "title": ""}]).encode(),
     "day.json, field [0]: a paper entry with neither paper.id nor a title"),
    (b"\xff[]", "day.json: not UTF-8 text"),
    # saved "responses" found in the wild
    (json.dumps([repr(entry())]).encode(),
     "day.json, field [0]: expected a paper entry (a JSON object), found a string holding a "
     "Python dict (saved with str() instead of as JSON): \"{'paper': {'id': '2510.07312'"),
    (json.dumps({"status": "success", "date": "2025-10-09", "count": 1,
                 "data": [entry()]}).encode(),
     'day.json: expected a JSON list of papers, found a JSON object with keys "status", '
     '"date", "count", "data"'),
    (b"1", "day.json: expected a JSON list of papers, found a JSON number 1"),
])
def test_bad_responses_name_the_file_and_field(data, expected) -> None:
    with pytest.raises(InputError) as caught:
        parse_hf_api(data, path="day.json")
    assert str(caught.value).startswith(expected)


@pytest.mark.parametrize(("data", "says"), [
    (b"1", "the file holds a JSON number 1, not a JSON list of papers"),
    (json.dumps({"status": "no_data", "date": "2025-10-11",
                 "message": "No papers found for this date"}).encode(),
     'the file holds a JSON object with keys "status", "date", "message", not a JSON list'),
])
def test_a_saved_json_that_is_no_response_says_what_it_holds(tmp_path: Path, data, says) -> None:
    path = tmp_path / "2025-10-11.json"
    path.write_bytes(data)
    with pytest.raises(InputError) as caught:
        read_path(path)
    assert str(caught.value).startswith(f"{path}: cannot tell the format: {says}")


@pytest.mark.parametrize("data", [
    b"1", json.dumps({"status": "no_data"}).encode(), json.dumps([repr(entry())]).encode(),
    json.dumps({"status": "success", "count": 1, "data": [entry()]}).encode(),
])
def test_ingesting_a_broken_saved_response_stores_nothing(tmp_path: Path, seed_store,
                                                          data) -> None:
    """One line naming the file and what is wrong, exit status 1, the collection as it was."""
    db = tmp_path / "papers.duckdb"
    shutil.copy(seed_store.path, db)
    before = (Store(db).load(), Store(db).ingest_log(), Store(db).snapshots())
    saved = tmp_path / "2025-01-10.json"
    saved.write_bytes(data)
    result = CliRunner().invoke(main, ["ingest", str(saved), "--db", str(db)])
    assert result.exit_code == 1 and result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith(f"Error: {saved}") and ("expected" in line or "holds" in line)
    after = (Store(db).load(), Store(db).ingest_log(), Store(db).snapshots())
    for old, new in zip(before, after, strict=True):
        pd.testing.assert_frame_equal(old, new)


def test_saved_responses_are_detected_and_read(tmp_path: Path) -> None:
    data = body(entry())
    assert detect_format(Path("day.json"), data) == "hf-api-json"
    assert detect_format(Path("saved.txt"), b"\n  " + data) == "hf-api-json"
    fmt, table = read_bytes(data, tmp_path / "2025-10-09.json")
    assert fmt == "hf-api-json" and table["source"].to_pylist() == ["hf-api-json:2025-10-09.json"]
