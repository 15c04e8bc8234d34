"""Reading a Daily Papers API response: the mapping, missing fields, clear errors."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from hf_samples import MISSING, body, entry

from papertrends.collection.enrich import enrich
from papertrends.common.errors import InputError
from papertrends.sources import detect_format, read_bytes
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
])
def test_bad_responses_name_the_file_and_field(data, expected) -> None:
    with pytest.raises(InputError) as caught:
        parse_hf_api(data, path="day.json")
    assert str(caught.value).startswith(expected)


def test_saved_responses_are_detected_and_read(tmp_path: Path) -> None:
    data = body(entry())
    assert detect_format(Path("day.json"), data) == "hf-api-json"
    assert detect_format(Path("saved.txt"), b"\n  " + data) == "hf-api-json"
    fmt, table = read_bytes(data, tmp_path / "2025-10-09.json")
    assert fmt == "hf-api-json" and table["source"].to_pylist() == ["hf-api-json:2025-10-09.json"]
