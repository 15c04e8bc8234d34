"""fetch_days against a real local HTTP server: days, retries, failures and reruns."""

from __future__ import annotations

import datetime as dt
import json
import socket
import time

import pytest
from hf_samples import body, entry
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from papertrends.collection.fetching import ENDPOINT_ENV, fetch_days, is_complete
from papertrends.collection.store import Store
from papertrends.sources.http_client import USER_AGENT, RetryPolicy, retry_after

D1, D2, D3 = dt.date(2025, 10, 1), dt.date(2025, 10, 2), dt.date(2025, 10, 3)
PATH = "/api/daily_papers"


class Clock:
    """A clock that moves an hour on every reading, starting the day after D3."""

    def __init__(self, start: dt.datetime = dt.datetime(2025, 10, 4, 9, tzinfo=dt.UTC)) -> None:
        self.now = start - dt.timedelta(hours=1)

    def __call__(self) -> dt.datetime:
        self.now += dt.timedelta(hours=1)
        return self.now


@pytest.fixture
def waits() -> list[float]:
    return []


@pytest.fixture
def policy(waits: list[float]) -> RetryPolicy:
    """Three tries, waits recorded instead of slept. The read timeout is generous: a loaded
    test machine must not turn a slow answer into a failed day (the timeout test sets its own)."""
    return RetryPolicy(attempts=3, backoff=0.5, max_delay=4.0, max_retry_after=60.0,
                       timeout=(5.0, 10.0), sleep=waits.append)


@pytest.fixture
def fetch(fresh_store: Store, httpserver: HTTPServer, policy: RetryPolicy, taxonomy):
    def run(since: dt.date = D1, until: dt.date = D3, **options):
        options = {"endpoint": httpserver.url_for("/"), "taxonomy": taxonomy, "policy": policy,
                   "pause": 0, "clock": Clock(), **options}
        return fetch_days(fresh_store, since, until, **options)
    return run


def serve(server: HTTPServer, day: dt.date, data: bytes | str = b"[]", status: int = 200,
          headers: dict[str, str] | None = None, once: bool = False) -> None:
    expect = server.expect_oneshot_request if once else server.expect_request
    expect(PATH, query_string=f"date={day.isoformat()}").respond_with_data(
        data, status=status, headers=headers, content_type="application/json")


def requests_for(server: HTTPServer, day: dt.date) -> int:
    return sum(request.args.get("date") == day.isoformat() for request, _ in server.log)


A = entry("2510.00001", "Agents that plan", upvotes=3)
B1 = entry("2510.00002", "Benchmarks for agents", upvotes=5, github_repo=None)
B2 = entry("2510.00002", "Benchmarks for agents", upvotes=9, github_repo=None)
C = entry("2510.00003", "Compact vision models", upvotes=1, authors=("Ann", "Hidden", "Bo"),
          hidden=("Hidden",))


def test_a_normal_day_an_empty_day_and_a_paper_on_two_days(fetch, httpserver, fresh_store
                                                          ) -> None:
    serve(httpserver, D1, body(A, B1))
    serve(httpserver, D2, b"[]")
    serve(httpserver, D3, body(B2, C))
    seen = []
    report = fetch(progress=seen.append)
    assert [(d.day, d.status, d.papers, d.new, d.updated) for d in report.days] == [
        (D1, "fetched", 2, 2, 0), (D2, "fetched", 0, 0, 0), (D3, "fetched", 2, 1, 1)]
    assert seen == report.days and report.ok
    assert str(report) == ("3 days fetched, 0 skipped (already complete), 0 failed; "
                           "4 papers listed, 3 new, 1 updated")

    papers = fresh_store.load().set_index("paper_id")
    assert sorted(papers.index) == ["2510.00001", "2510.00002", "2510.00003"]
    assert papers.loc["2510.00002", "upvotes"] == 9  # the later sighting
    assert papers.loc["2510.00002", "source"] == "hf-api:2025-10-01"  # the first one
    assert papers.loc["2510.00003", "n_authors"] == 3  # the hidden author counts
    assert list(papers.loc["2510.00001", "github_repos"]) == ["acme/vplan",
                                                              "other-lab/planner-tools"]
    assert list(papers.loc["2510.00002", "github_repos"]) == ["other-lab/planner-tools"]

    snapshots = fresh_store.snapshots()
    assert list(zip(snapshots["paper_id"], snapshots["upvotes"], strict=True)) == [
        ("2510.00001", 3), ("2510.00002", 5), ("2510.00002", 9), ("2510.00003", 1)]
    days = fresh_store.fetched_days()
    assert list(days["day"]) == [D1, D2, D3] and list(days["n_papers"]) == [2, 0, 2]
    assert list(fresh_store.ingest_log()["source"]) == [f"hf-api:{d}" for d in (D1, D2, D3)]

    request, _ = httpserver.log[0]
    assert request.headers["User-Agent"] == USER_AGENT and USER_AGENT.startswith("papertrends/")


def test_complete_days_are_skipped_unless_refreshed(fetch, httpserver, fresh_store) -> None:
    for day in (D1, D2, D3):
        serve(httpserver, day, body(A))
    # The first run happens on D3 itself: D1 and D2 are over, D3's list may still grow.
    first = fetch(clock=Clock(dt.datetime(2025, 10, 3, 12, tzinfo=dt.UTC)))
    assert [d.status for d in first.days] == ["fetched"] * 3
    second = fetch()
    assert [(d.status, d.papers) for d in second.days] == [
        ("skipped", 1), ("skipped", 1), ("fetched", 1)]
    assert str(second).startswith("1 days fetched, 2 skipped (already complete)")
    assert [requests_for(httpserver, d) for d in (D1, D2, D3)] == [1, 1, 2]
    third = fetch(refresh=True)
    assert [d.status for d in third.days] == ["fetched"] * 3
    assert len(fresh_store.load()) == 1 and len(fresh_store.fetched_days()) == 3


def test_is_complete() -> None:
    assert not is_complete(D1, dt.datetime(2025, 10, 1, 23, 59, tzinfo=dt.UTC))
    assert is_complete(D1, dt.datetime(2025, 10, 2, 0, 0, tzinfo=dt.UTC))


def test_429_waits_as_long_as_retry_after(fetch, httpserver, waits, fresh_store) -> None:
    serve(httpserver, D1, "slow down", status=429, headers={"Retry-After": "7"}, once=True)
    serve(httpserver, D1, body(A))
    report = fetch(until=D1)
    assert report.ok and waits == [7.0]
    assert len(fresh_store.load()) == 1


def test_retry_after_as_an_http_date() -> None:
    response = Response(headers={"Retry-After": "Wed, 01 Oct 2025 12:00:30 GMT"})
    now = dt.datetime(2025, 10, 1, 12, 0, 0, tzinfo=dt.UTC)
    assert retry_after(response, now) == 30.0
    assert retry_after(Response(headers={"Retry-After": "soon"}), now) is None


def test_a_500_then_success_backs_off(fetch, httpserver, waits, fresh_store) -> None:
    serve(httpserver, D1, "oops", status=500, once=True)
    serve(httpserver, D1, "oops", status=503, once=True)
    serve(httpserver, D1, body(A))
    report = fetch(until=D1)
    assert report.ok and waits == [0.5, 1.0]  # exponential: backoff, then twice that
    assert len(fresh_store.load()) == 1


@pytest.fixture
def threaded_server():
    """A server that answers while an earlier handler still sleeps: with the default
    one-thread server the retry would queue behind the stalled answer and time out too."""
    server = HTTPServer(threaded=True)
    server.start()
    yield server
    server.clear()
    server.stop()


def test_a_timeout_is_retried(fetch, threaded_server, waits, fresh_store) -> None:
    calls = []

    def answer(request: Request) -> Response:
        calls.append(time.monotonic())
        if len(calls) == 1:
            time.sleep(8.0)  # far longer than the 3 s read timeout below
        return Response(body(A), content_type="application/json")

    threaded_server.expect_request(PATH).respond_with_handler(answer)
    impatient = RetryPolicy(attempts=3, backoff=0.5, max_delay=4.0, max_retry_after=60.0,
                            timeout=(5.0, 3.0), sleep=waits.append)
    report = fetch(until=D1, policy=impatient, endpoint=threaded_server.url_for("/"))
    assert report.ok and len(calls) == 2 and waits == [0.5]
    assert len(fresh_store.load()) == 1


def test_malformed_json_fails_that_day_only(fetch, httpserver, fresh_store) -> None:
    serve(httpserver, D1, body(A))
    serve(httpserver, D2, b'[{"paper": {"id": "2510.0')
    serve(httpserver, D3, body(C))
    report = fetch()
    assert [d.status for d in report.days] == ["fetched", "failed", "fetched"]
    [failed] = report.failed
    assert "date=2025-10-02" in failed.error and "not well-formed JSON" in failed.error
    assert report.failures().startswith("2025-10-02 (") and not report.ok
    assert list(fresh_store.fetched_days()["day"]) == [D1, D3]
    assert requests_for(httpserver, D2) == 1  # a bad answer is not retried


def test_used_up_retries_fail_the_day(fetch, httpserver, waits) -> None:
    serve(httpserver, D1, "down", status=502)
    serve(httpserver, D2, body(A))
    report = fetch(until=D2)
    assert [d.status for d in report.days] == ["failed", "fetched"]
    assert report.failed[0].error == "HTTP 502 BAD GATEWAY (tried 3 times)"
    assert waits == [0.5, 1.0] and requests_for(httpserver, D1) == 3


def test_a_retry_after_too_long_fails_without_waiting(fetch, httpserver, waits) -> None:
    serve(httpserver, D1, "", status=429, headers={"Retry-After": "3600"})
    report = fetch(until=D1)
    assert "asks to wait 3600 s" in report.failed[0].error and waits == []


def test_an_unexpected_status_fails_the_day(fetch, httpserver) -> None:
    serve(httpserver, D1, json.dumps({"error": "Invalid date"}), status=400)
    report = fetch(until=D1)
    assert report.failed[0].error == "HTTP 400 BAD REQUEST"


def test_a_server_that_is_down_stops_after_three_days(fetch, waits, fresh_store) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    report = fetch(since=D1, until=dt.date(2025, 10, 5), endpoint=f"http://127.0.0.1:{port}")
    assert [d.status for d in report.days] == ["failed"] * 5
    assert all("connection failed" in d.error for d in report.failed[:3])
    assert all(d.error.startswith("not tried") for d in report.failed[3:])
    assert waits == [0.5, 1.0] * 3
    assert fresh_store.fetched_days().empty


def test_requests_are_spaced_and_the_endpoint_comes_from_the_environment(
        monkeypatch, fresh_store, httpserver, policy, waits, taxonomy) -> None:
    serve(httpserver, D1)
    serve(httpserver, D2)
    monkeypatch.setenv(ENDPOINT_ENV, httpserver.url_for("/"))
    report = fetch_days(fresh_store, D1, D2, taxonomy=taxonomy, policy=policy, pause=0.25)
    assert report.ok and waits == [0.25]  # between the two requests, not before the first


def test_since_after_until_is_refused(fetch) -> None:
    with pytest.raises(ValueError, match="after"):
        fetch(since=D2, until=D1)
