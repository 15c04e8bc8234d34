"""Fetch Hugging Face Daily Papers day by day into the store.

Each day is one request and one store transaction that also marks the day as fetched, so a
run that dies keeps every finished day and the next run picks up where it stopped. A day
counts as complete once it was fetched after it ended (UTC): today's list still grows, so it
is fetched again on every run. No click or tqdm here: the command line and the dashboard both
call ``fetch_days`` with their own progress callback.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from contextlib import closing, nullcontext
from dataclasses import dataclass, field
from typing import Literal

import requests

from papertrends.collection.pipeline import Update, updating
from papertrends.collection.store import Store
from papertrends.collection.topics import Taxonomy, load_taxonomy
from papertrends.common.errors import InputError
from papertrends.sources import hf_api, http_client
from papertrends.sources.http_client import FetchError, RetryPolicy

ENDPOINT_ENV = "HF_ENDPOINT"
DEFAULT_ENDPOINT = "https://huggingface.co"
SOURCE_PREFIX = "hf-api"


@dataclass(frozen=True)
class DayResult:
    """What happened to one day. ``papers`` is how many the API listed (or listed earlier,
    for a skipped day); ``new`` and ``updated`` count the store's changes."""

    day: dt.date
    status: Literal["fetched", "skipped", "failed"]
    papers: int = 0
    new: int = 0
    updated: int = 0
    error: str | None = None


@dataclass
class FetchReport:
    days: list[DayResult] = field(default_factory=list)

    def _with(self, status: str) -> list[DayResult]:
        return [d for d in self.days if d.status == status]

    @property
    def fetched(self) -> list[DayResult]:
        return self._with("fetched")

    @property
    def skipped(self) -> list[DayResult]:
        return self._with("skipped")

    @property
    def failed(self) -> list[DayResult]:
        return self._with("failed")

    @property
    def ok(self) -> bool:
        return not self.failed

    @property
    def papers(self) -> int:
        return sum(d.papers for d in self.fetched)

    @property
    def new(self) -> int:
        return sum(d.new for d in self.fetched)

    @property
    def updated(self) -> int:
        return sum(d.updated for d in self.fetched)

    def __str__(self) -> str:
        return (f"{len(self.fetched)} days fetched, {len(self.skipped)} skipped (already "
                f"complete), {len(self.failed)} failed; {self.papers} papers listed, "
                f"{self.new} new, {self.updated} updated")

    def failures(self) -> str:
        """'2025-10-02 (HTTP 500 ...); 2025-10-03 (...)': the failed days and why."""
        return "; ".join(f"{d.day} ({d.error})" for d in self.failed)


def default_endpoint() -> str:
    return os.environ.get(ENDPOINT_ENV) or DEFAULT_ENDPOINT


def is_complete(day: dt.date, fetched_at: dt.datetime) -> bool:
    """True when the day had ended (UTC) before it was fetched: its list can no longer grow."""
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), dt.UTC)
    return fetched_at >= end


def complete_days(store: Store) -> dict[dt.date, int]:
    """The days a run can skip (fetched after they ended) and how many papers each listed."""
    days = store.fetched_days()
    return {day: int(n) for day, fetched_at, n in zip(
                days["day"], days["fetched_at"], days["n_papers"], strict=True)
            if is_complete(day, fetched_at.to_pydatetime())}


def fetch_days(store: Store, since: dt.date, until: dt.date | None = None, *,
               endpoint: str | None = None, refresh: bool = False,
               taxonomy: Taxonomy | None = None,
               progress: Callable[[DayResult], None] | None = None,
               session: requests.Session | None = None, policy: RetryPolicy | None = None,
               pause: float = 0.25, stop_after_failures: int = 3,
               clock: Callable[[], dt.datetime] | None = None) -> FetchReport:
    """Fetch the Daily Papers of each day from ``since`` to ``until`` (default today) in order.

    Days already complete are skipped unless ``refresh``. Each fetched day goes through the
    ingest pipeline in its own transaction (enriched, stored, its papers' upvotes
    snapshotted, the day marked as fetched); the indexes beside the store are brought up to
    date once, when the run ends. A day that fails (network errors after retries, a malformed
    response) is reported and the run goes on; after ``stop_after_failures`` failed days in a
    row the rest are reported as not tried, since the server is likely down. ``progress`` is
    called with each day's result; ``pause`` is the polite gap in seconds between two
    requests. Store errors (a store locked for too long) are not a day's failure: they
    propagate.
    """
    until = until or dt.date.today()
    if since > until:
        raise ValueError(f"since ({since}) is after until ({until})")
    endpoint = (endpoint or default_endpoint()).rstrip("/")
    taxonomy = taxonomy or load_taxonomy()
    policy = policy or http_client.DEFAULT_POLICY
    clock = clock or (lambda: dt.datetime.now(dt.UTC))
    done = {} if refresh else complete_days(store)
    own_session = session is None
    session = session or http_client.new_session()
    report = FetchReport()
    failures_in_a_row = 0
    requested = False
    with (updating(store, taxonomy) as update,
          closing(session) if own_session else nullcontext()):
        for offset in range((until - since).days + 1):
            day = since + dt.timedelta(days=offset)
            if day in done:
                result = DayResult(day, "skipped", papers=done[day])
            elif failures_in_a_row >= stop_after_failures:
                result = DayResult(day, "failed", error=f"not tried: {stop_after_failures} "
                                   "days in a row failed before it")
            else:
                if requested and pause > 0:
                    policy.sleep(pause)
                requested = True
                result = _fetch_day(update, day, endpoint, session, policy, clock)
                failures_in_a_row = failures_in_a_row + 1 if result.status == "failed" else 0
            report.days.append(result)
            if progress:
                progress(result)
    return report


def _fetch_day(update: Update, day: dt.date, endpoint: str, session: requests.Session,
               policy: RetryPolicy, clock: Callable[[], dt.datetime]) -> DayResult:
    url = f"{endpoint}/api/daily_papers"
    where = f"{url}?date={day.isoformat()}"
    try:
        response = http_client.get(session, url, params={"date": day.isoformat()},
                                   policy=policy)
        if response.status_code != 200:
            raise FetchError(f"HTTP {response.status_code} {response.reason}".strip())
        table = hf_api.parse_hf_api(response.content, path=where,
                                    source=f"{SOURCE_PREFIX}:{day.isoformat()}", day=day)
    except (FetchError, InputError) as exc:
        return DayResult(day, "failed", error=str(exc))
    label = f"{SOURCE_PREFIX}:{day.isoformat()}"
    [stored] = update.ingest([(label, table)], now=clock(), fetched_day=day)
    return DayResult(day, "fetched", papers=table.num_rows, new=stored.new,
                     updated=stored.updated)

