"""Look up the papers' GitHub repositories with the GitHub REST API, and cache the answers.

Unauthenticated clients get 60 requests an hour, so the lookups are cached in the store's
``repositories`` table with the time they were made and only stale or new repositories are
asked for. The rate limit headers are read after every response; when the quota is used up
the run stops at once with the time it resets, keeping every answer it got, instead of
sleeping for up to an hour. A repository GitHub does not know (404) is cached as
``not_found`` so it is not asked for on every run.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import pandas as pd
import pyarrow as pa
import requests

from papertrends.collection import schema
from papertrends.collection.pipeline import Update
from papertrends.collection.store import Store
from papertrends.common.errors import InputError
from papertrends.sources import http_client
from papertrends.sources.http_client import FetchError, RetryPolicy
from papertrends.sources.json_input import load_json

API_ENV = "GITHUB_API_URL"
TOKEN_ENV = "GITHUB_TOKEN"
DEFAULT_API = "https://api.github.com"
DEFAULT_MAX_AGE = dt.timedelta(days=7)
_GONE = {404, 410, 451}  # not found, deleted, blocked: cached as not_found


class RateLimited(Exception):
    """GitHub's request quota is used up (or it refused the credentials)."""


@dataclass
class GitHubReport:
    looked_up: int = 0  # answers saved, found or not
    not_found: int = 0
    cached: int = 0  # fresh in the cache, not asked for
    failed: list[tuple[str, str]] = field(default_factory=list)  # (repo, why)
    left: int = 0  # not asked for because the run stopped
    stopped: str | None = None  # why the run stopped early

    @property
    def ok(self) -> bool:
        return not self.failed and self.stopped is None

    def __str__(self) -> str:
        return (f"{self.looked_up} repositories looked up ({self.not_found} not found), "
                f"{self.cached} fresh in the cache, {len(self.failed)} failed, "
                f"{self.left} left")


def stale_repos(papers: pd.DataFrame, cache: pd.DataFrame, *, now: dt.datetime,
                max_age: dt.timedelta = DEFAULT_MAX_AGE) -> tuple[list[str], int]:
    """(repositories to ask for, how many are fresh in the cache), most linked first.

    Repositories are matched case-insensitively, as GitHub does.
    """
    counts: dict[str, int] = {}
    for repos in papers["github_repos"]:
        for repo in repos if repos is not None else ():
            counts[repo.lower()] = counts.get(repo.lower(), 0) + 1
    fresh = {repo for repo, fetched_at in zip(cache["repo"], cache["fetched_at"], strict=True)
             if not pd.isna(fetched_at) and now - fetched_at.to_pydatetime() < max_age}
    todo = sorted((r for r in counts if r not in fresh), key=lambda r: (-counts[r], r))
    return todo, len(counts) - len(todo)


def enrich_github(store: Store, *, api_url: str | None = None, token: str | None = None,
                  max_age: dt.timedelta = DEFAULT_MAX_AGE, limit: int | None = None,
                  progress: Callable[[str], None] | None = None,
                  session: requests.Session | None = None, policy: RetryPolicy | None = None,
                  stop_after_failures: int = 3,
                  clock: Callable[[], dt.datetime] | None = None) -> GitHubReport:
    """Ask GitHub about every linked repository not looked up within ``max_age``.

    ``api_url`` and ``token`` default to GITHUB_API_URL and GITHUB_TOKEN. Each answer is
    saved as it arrives. ``progress`` is called with each repository asked for. The run stops
    early when the quota is used up (before spending a request that would be refused), when
    GitHub refuses the token, or after ``stop_after_failures`` failed lookups in a row; the
    report then says why, when to try again and how many repositories were left.
    """
    api_url = (api_url or os.environ.get(API_ENV) or DEFAULT_API).rstrip("/")
    token = token if token is not None else os.environ.get(TOKEN_ENV)
    clock = clock or (lambda: dt.datetime.now(dt.UTC))
    todo, cached = stale_repos(store.load(with_text=False), store.repositories(), now=clock(),
                               max_age=max_age)
    if limit is not None:
        todo = todo[:limit]
    report = GitHubReport(cached=cached)
    own_session = session is None
    headers = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    session = session or http_client.new_session()
    session.headers.update(headers)
    failures_in_a_row = 0
    update = Update(store)
    try:
        for done, repo in enumerate(todo):
            try:
                row, response = _look_up(session, api_url, repo, policy, clock, bool(token))
            except RateLimited as stop:
                report.stopped, report.left = str(stop), len(todo) - done
                break
            except FetchError as exc:
                report.failed.append((repo, str(exc)))
                failures_in_a_row += 1
                response = None
            else:
                update.save_repositories(_table([row]))
                report.looked_up += 1
                report.not_found += row["status"] == "not_found"
                failures_in_a_row = 0
            if progress:
                progress(repo)
            left = len(todo) - done - 1
            if left and failures_in_a_row >= stop_after_failures:
                report.stopped = f"{failures_in_a_row} lookups in a row failed; try again later"
            elif left and response is not None and _quota_used_up(response):
                report.stopped = _limit_message(response, bool(token))
            if report.stopped:
                report.left = left
                break
    finally:
        if own_session:
            session.close()
    return report


def _look_up(session: requests.Session, api_url: str, repo: str, policy: RetryPolicy | None,
             clock: Callable[[], dt.datetime], has_token: bool
             ) -> tuple[dict[str, Any], requests.Response]:
    """(the row to cache, the response, for its rate limit headers)."""
    owner, name = repo.split("/", 1)
    response = http_client.get(session, f"{api_url}/repos/{quote(owner)}/{quote(name)}",
                               policy=policy)
    if response.status_code == 401:
        raise RateLimited(f"GitHub refused the token (HTTP 401): check {TOKEN_ENV}")
    if response.status_code in (403, 429) and (
            _quota_used_up(response) or "rate limit" in response.text.lower()):
        raise RateLimited(_limit_message(response, has_token))
    now = clock()
    if response.status_code in _GONE:
        return {"repo": repo, "status": "not_found", "fetched_at": now}, response
    if response.status_code != 200:
        raise FetchError(f"HTTP {response.status_code} {response.reason}".strip())
    try:
        facts = load_json(response.content, "the answer")
    except InputError as exc:
        raise FetchError(str(exc)) from None
    if not isinstance(facts, dict):
        raise FetchError("the answer is not a JSON object")
    return {
        "repo": repo,
        "full_name": _typed(facts.get("full_name"), str),
        "status": "ok",
        "stars": _typed(facts.get("stargazers_count"), int),
        "forks": _typed(facts.get("forks_count"), int),
        "language": _typed(facts.get("language"), str),
        "pushed_at": _time(facts.get("pushed_at")),
        "archived": _typed(facts.get("archived"), bool),
        "fetched_at": now,
    }, response


def _quota_used_up(response: requests.Response) -> bool:
    return response.headers.get("X-RateLimit-Remaining") == "0"


def _limit_message(response: requests.Response, has_token: bool) -> str:
    reset = response.headers.get("X-RateLimit-Reset", "")
    when = ""
    if reset.isdigit():
        moment = dt.datetime.fromtimestamp(int(reset), dt.UTC)
        when = f"; it resets at {moment:%Y-%m-%d %H:%M} UTC"
    hint = "" if has_token else f" (set {TOKEN_ENV} for 5,000 requests an hour instead of 60)"
    return f"GitHub's rate limit is reached{when}: run again then{hint}"


def _typed(value: Any, kind: type) -> Any:
    """The value when it has the expected type, else missing (bool is not a count)."""
    if kind is int and isinstance(value, bool):
        return None
    return value if isinstance(value, kind) else None


def _time(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def _table(rows: Iterable[dict[str, Any]]) -> pa.Table:
    return pa.Table.from_pylist(list(rows), schema=schema.arrow_schema(schema.REPOSITORY_COLUMNS))
