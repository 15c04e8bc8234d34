"""GitHub enrichment against a real local HTTP server: facts, cache, rate limit, failures."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pyarrow as pa
import pytest
from click.testing import CliRunner

from papertrends.cli import main
from papertrends.collection import schema
from papertrends.collection.github import enrich_github, stale_repos
from papertrends.collection.store import Store
from papertrends.sources.http_client import USER_AGENT, RetryPolicy

NOW = dt.datetime(2025, 10, 9, 10, 0, tzinfo=dt.UTC)
RESET = int(dt.datetime(2025, 10, 9, 11, 0, tzinfo=dt.UTC).timestamp())
PAPERS = [
    {"paper_id": "2510.00001", "title": "One", "github_repos": ["acme/vplan", "Other-Lab/tools"]},
    {"paper_id": "2510.00002", "title": "Two", "github_repos": ["Acme/VPlan"]},
    {"paper_id": "2510.00003", "title": "Three", "github_repos": ["gone/repo"]},
    {"paper_id": "2510.00004", "title": "Four"},
]
ORDER = ["acme/vplan", "gone/repo", "other-lab/tools"]  # most linked first, then by name


def repo_json(full_name: str, stars: int, **fields) -> dict:
    owner, name = full_name.split("/")
    return {
        "id": 812345678, "node_id": "R_kgDOMHt1Tg", "name": name, "full_name": full_name,
        "private": False, "owner": {"login": owner, "id": 1234, "type": "Organization"},
        "html_url": f"https://github.com/{full_name}", "description": "Code for the paper",
        "fork": False, "created_at": "2025-06-01T08:00:00Z", "updated_at": "2025-10-08T12:00:00Z",
        "pushed_at": "2025-10-08T11:22:33Z", "homepage": "", "size": 2048,
        "stargazers_count": stars, "watchers_count": stars, "language": "Python",
        "forks_count": 37, "archived": False, "disabled": False, "open_issues_count": 5,
        "license": {"key": "mit", "name": "MIT License"}, "topics": ["llm", "agents"],
        "default_branch": "main", "subscribers_count": 9, **fields,
    }


def limits(remaining: int) -> dict[str, str]:
    return {"X-RateLimit-Limit": "60", "X-RateLimit-Remaining": str(remaining),
            "X-RateLimit-Reset": str(RESET), "X-RateLimit-Resource": "core"}


@pytest.fixture
def store(fresh_store: Store, taxonomy) -> Store:
    fresh_store.ingest([("papers", schema.to_table(PAPERS))], taxonomy)
    return fresh_store


@pytest.fixture
def waits() -> list[float]:
    return []


@pytest.fixture
def look_up(store: Store, httpserver, waits):
    def run(**options):
        options = {"api_url": httpserver.url_for("/"), "token": "", "clock": lambda: NOW,
                   "policy": RetryPolicy(attempts=2, backoff=0.5, timeout=(5.0, 10.0),
                                         sleep=waits.append), **options}
        return enrich_github(store, **options)
    return run


def serve_all(server, remaining: int = 50) -> None:
    server.expect_request("/repos/acme/vplan").respond_with_json(
        repo_json("Acme/vplan", 412), headers=limits(remaining))
    server.expect_request("/repos/gone/repo").respond_with_json(
        {"message": "Not Found", "documentation_url": "https://docs.github.com/rest",
         "status": "404"}, status=404, headers=limits(remaining - 1))
    server.expect_request("/repos/other-lab/tools").respond_with_json(
        repo_json("Other-Lab/tools", 3, language=None, archived=True),
        headers=limits(remaining - 2))


def asked(server) -> list[str]:
    return [request.path for request, _ in server.log]


def test_facts_are_stored_and_cached(look_up, httpserver, store) -> None:
    serve_all(httpserver)
    report = look_up(token="secret-token")
    assert (report.looked_up, report.not_found, report.cached, report.failed, report.left) == (
        3, 1, 0, [], 0)
    assert report.ok and report.stopped is None
    assert asked(httpserver) == [f"/repos/{repo}" for repo in ORDER]
    request, _ = httpserver.log[0]
    assert request.headers["Authorization"] == "Bearer secret-token"
    assert request.headers["User-Agent"] == USER_AGENT
    assert request.headers["Accept"] == "application/vnd.github+json"

    repos = store.repositories().set_index("repo")
    assert list(repos.index) == sorted(ORDER)
    vplan = repos.loc["acme/vplan"]
    assert (vplan["full_name"], vplan["status"], vplan["stars"], vplan["forks"],
            vplan["language"], vplan["archived"]) == ("Acme/vplan", "ok", 412, 37, "Python", False)
    assert vplan["pushed_at"] == dt.datetime(2025, 10, 8, 11, 22, 33, tzinfo=dt.UTC)
    assert (repos["fetched_at"] == NOW).all()
    gone = repos.loc["gone/repo"]
    assert gone["status"] == "not_found" and pd.isna(gone["stars"])  # unknown, not 0
    tools = repos.loc["other-lab/tools"]
    assert pd.isna(tools["language"]) and tools["archived"]

    again = look_up(clock=lambda: NOW + dt.timedelta(days=6))
    assert (again.looked_up, again.cached) == (0, 3) and len(httpserver.log) == 3
    stale = look_up(clock=lambda: NOW + dt.timedelta(days=8), limit=1)
    assert (stale.looked_up, stale.cached) == (1, 0) and len(httpserver.log) == 4
    assert len(store.repositories()) == 3  # replaced, not duplicated


def test_the_run_stops_when_the_quota_is_used_up(look_up, httpserver, store) -> None:
    serve_all(httpserver, remaining=0)
    report = look_up()
    assert asked(httpserver) == ["/repos/acme/vplan"]  # no request GitHub would refuse
    assert (report.looked_up, report.left) == (1, 2) and not report.ok
    assert report.stopped == ("GitHub's rate limit is reached; it resets at 2025-10-09 11:00 UTC:"
                              " run again then (set GITHUB_TOKEN for 5,000 requests an hour "
                              "instead of 60)")
    assert list(store.repositories()["repo"]) == ["acme/vplan"]  # what it got is kept


def test_a_refused_request_stops_the_run(look_up, httpserver, store, waits) -> None:
    httpserver.expect_request("/repos/acme/vplan").respond_with_json(
        {"message": "API rate limit exceeded for 127.0.0.1."}, status=403, headers=limits(0))
    report = look_up()
    assert (report.looked_up, report.left) == (0, 3) and "resets at" in report.stopped
    assert waits == [] and store.repositories().empty


def test_a_secondary_limit_is_waited_out(look_up, httpserver, waits) -> None:
    serve_all(httpserver)
    httpserver.expect_oneshot_request("/repos/acme/vplan").respond_with_json(
        {"message": "You have exceeded a secondary rate limit."}, status=429,
        headers={"Retry-After": "2"})
    report = look_up()
    assert report.ok and report.looked_up == 3 and waits == [2.0]


def test_failures_are_reported_and_three_in_a_row_stop(look_up, httpserver, store) -> None:
    httpserver.expect_request("/repos/acme/vplan").respond_with_data("", status=500)
    httpserver.expect_request("/repos/gone/repo").respond_with_data("", status=500)
    httpserver.expect_request("/repos/other-lab/tools").respond_with_data("", status=502)
    report = look_up(stop_after_failures=2)
    assert [repo for repo, _ in report.failed] == ["acme/vplan", "gone/repo"]
    assert report.failed[0][1] == "HTTP 500 INTERNAL SERVER ERROR (tried 2 times)"
    assert report.left == 1 and "2 lookups in a row failed" in report.stopped


def test_a_refused_token_stops_the_run(look_up, httpserver) -> None:
    httpserver.expect_request("/repos/acme/vplan").respond_with_json(
        {"message": "Bad credentials"}, status=401)
    report = look_up(token="expired")
    assert report.stopped == "GitHub refused the token (HTTP 401): check GITHUB_TOKEN"


def test_stale_repos_match_case_insensitively() -> None:
    papers = schema.to_frame(schema.to_table(PAPERS))
    rows = [{"repo": "acme/vplan", "status": "ok", "fetched_at": NOW}]
    table = pa.Table.from_pylist(rows, schema=schema.arrow_schema(schema.REPOSITORY_COLUMNS))
    cache = schema.side_frame(table, schema.REPOSITORY_COLUMNS)
    assert stale_repos(papers, cache, now=NOW) == (["gone/repo", "other-lab/tools"], 1)


def test_the_command(store, httpserver) -> None:
    serve_all(httpserver, remaining=1)
    env = {"GITHUB_API_URL": httpserver.url_for("/"), "GITHUB_TOKEN": None}
    result = CliRunner().invoke(main, ["enrich-github", "--db", str(store.path)], env=env)
    assert result.exit_code == 1
    assert result.stdout == (f"{store.path}: 2 repositories looked up (1 not found), 0 fresh "
                             "in the cache, 0 failed, 1 left\n")
    assert result.stderr.splitlines()[-1].startswith(
        "Error: stopped with 1 repositories left: GitHub's rate limit is reached; it resets at")

    httpserver.clear()
    serve_all(httpserver)
    result = CliRunner().invoke(main, ["enrich-github", "--db", str(store.path)], env=env)
    assert result.exit_code == 0, result.stderr
    assert "1 repositories looked up (0 not found), 2 fresh in the cache" in result.stdout
