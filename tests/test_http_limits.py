"""A server cannot make `fetch` or `enrich-github` do unbounded work: an answer trickled a
byte a second ends at the request's deadline, a body over the size cap is not read on, a
redirect to another host is not followed. Each is one failed day (or repository) with its
reason, and the run goes on. Local servers in threads; nothing touches the network."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator
from contextlib import suppress
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from threading import Thread
from urllib.parse import parse_qs, urlsplit

import pytest
from click.testing import CliRunner
from hf_samples import body, entry

from papertrends.cli import main
from papertrends.collection import github
from papertrends.collection.fetching import fetch_days
from papertrends.collection.store import Store
from papertrends.sources import http_client
from papertrends.sources.http_client import RetryPolicy

D1, D2 = dt.date(2025, 10, 1), dt.date(2025, 10, 2)
GOOD_DAY = body(entry("2510.00002", "Agents that answer in time", upvotes=3))
# A short deadline, so a trickle fails in seconds; waits are recorded, not slept.
POLICY = RetryPolicy(attempts=3, backoff=0.5, timeout=(5.0, 30.0), deadline=2.0,
                     max_bytes=20_000, sleep=lambda seconds: None)

Behaviour = Callable[[BaseHTTPRequestHandler], None]


def answer(data: bytes, status: int = 200, headers: dict[str, str] | None = None
           ) -> Behaviour:
    def respond(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(status)
        for name, value in {"Content-Type": "application/json",
                            "Content-Length": str(len(data)), **(headers or {})}.items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(data)
    return respond


def trickle(data: bytes, *, headers_too: bool = False) -> Behaviour:
    """The answer a byte a second (the headers too, or at once): each byte comes well
    within the read timeout, so only a deadline over the whole request ends it."""
    head = (f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(data)}\r\n\r\n").encode()

    def respond(handler: BaseHTTPRequestHandler) -> None:
        slow = head + data if headers_too else data
        if not headers_too:
            handler.wfile.write(head)
        for index in range(min(len(slow), 60)):  # a minute at most, whatever happens
            handler.wfile.write(slow[index:index + 1])
            handler.wfile.flush()
            time.sleep(1.0)
    return respond


def endless(handler: BaseHTTPRequestHandler) -> None:
    """A body with no declared length that never ends (until the client stops reading)."""
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.end_headers()
    block = b"[" + b" " * 8191
    for _ in range(10_000):  # 80 MB at most
        handler.wfile.write(block)


class Server:
    """A threaded local HTTP server whose answers are chosen per request."""

    def __init__(self) -> None:
        self.routes: dict[str, Behaviour] = {}
        self.asked: list[str] = []
        routes, asked = self.routes, self.asked

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                key = parse_qs(parts.query).get("date", [parts.path])[0]
                asked.append(key)
                with suppress(BrokenPipeError, ConnectionResetError):  # the client gave up
                    routes.get(key, answer(b"not here", 404))(self)

            def log_message(self, *args) -> None:
                pass

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.http.daemon_threads = True
        self.thread = Thread(target=self.http.serve_forever, daemon=True)

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.http.server_port}{path}"


def _running() -> Iterator[Server]:
    started = Server()
    started.thread.start()
    yield started
    started.http.shutdown()
    started.http.server_close()


@pytest.fixture
def server() -> Iterator[Server]:
    yield from _running()


@pytest.fixture
def other_host() -> Iterator[Server]:
    """A second server: another host, for redirects off the first."""
    yield from _running()


def fetch(store: Store, server: Server, taxonomy) -> list[tuple[str, str | None]]:
    report = fetch_days(store, D1, D2, endpoint=server.url(), taxonomy=taxonomy,
                        policy=POLICY, pause=0,
                        clock=lambda: dt.datetime(2025, 10, 3, tzinfo=dt.UTC))
    return [(d.status, d.error) for d in report.days]


@pytest.mark.parametrize("headers_too", [False, True], ids=["body", "headers and body"])
def test_an_answer_trickled_a_byte_a_second_fails_that_day_at_the_deadline(
        fresh_store, server, taxonomy, headers_too) -> None:
    server.routes[str(D1)] = trickle(GOOD_DAY, headers_too=headers_too)
    server.routes[str(D2)] = answer(GOOD_DAY)
    [(first, why), second] = fetch(fresh_store, server, taxonomy)
    assert first == "failed" and "2 s deadline" in why, why
    assert second == ("fetched", None)
    assert server.asked.count(str(D1)) == 1  # not asked again: it would cost as much again
    assert fresh_store.fetched_days()["day"].tolist() == [D2]


@pytest.mark.parametrize("behaviour", [answer(b"[" + b" " * 30_000 + b"]"), endless],
                         ids=["declared", "no length"])
def test_a_body_over_the_cap_is_not_read_on(fresh_store, server, taxonomy, behaviour) -> None:
    server.routes[str(D1)] = behaviour
    server.routes[str(D2)] = answer(GOOD_DAY)
    [(first, why), second] = fetch(fresh_store, server, taxonomy)
    assert first == "failed" and "larger than 20,000 bytes: not read further" in why, why
    assert second == ("fetched", None)


def test_a_redirect_to_another_host_is_not_followed(fresh_store, server, other_host,
                                                    taxonomy) -> None:
    elsewhere = other_host.url(f"/api/daily_papers?date={D1}")
    server.routes[str(D1)] = answer(b"", 302, {"Location": elsewhere})
    other_host.routes[str(D1)] = answer(GOOD_DAY)
    server.routes[str(D2)] = answer(b"", 301, {"Location": "/moved"})
    server.routes["/moved"] = answer(GOOD_DAY)  # the same host: followed
    [(first, why), second] = fetch(fresh_store, server, taxonomy)
    assert first == "failed"
    assert f"redirected to {other_host.url('')}, another host" in why and "not followed" in why
    assert other_host.asked == []
    assert second == ("fetched", None)


def test_the_cli_reports_a_trickled_day_and_the_summary(tmp_path, server, monkeypatch
                                                        ) -> None:
    monkeypatch.setattr(http_client, "DEFAULT_POLICY", replace(POLICY))
    server.routes[str(D1)] = trickle(GOOD_DAY)
    server.routes[str(D2)] = answer(GOOD_DAY)
    db = tmp_path / "papers.duckdb"
    result = CliRunner().invoke(main, ["fetch", "--since", str(D1), "--until", str(D2),
                                       "--db", str(db), "--endpoint", server.url()])
    assert result.exit_code == 1 and not isinstance(result.exception, Exception)
    assert result.stdout.startswith(f"{db}: 1 days fetched, 0 skipped (already complete), "
                                    "1 failed")
    assert result.stderr.splitlines()[-1].startswith(
        f"Error: 1 of 2 days failed: {D1} (no complete answer within the 2 s deadline")


@pytest.mark.parametrize(("behaviour", "says"), [
    (trickle(b'{"full_name": "acme/slow", "stargazers_count": 5}'), "2 s deadline"),
    (endless, "larger than"),
    (None, "another host"),
])
def test_enrich_github_reports_the_repository_as_failed(seed_store, tmp_path, server,
                                                        other_host, behaviour, says) -> None:
    store = Store(tmp_path / "papers.duckdb")
    store.path.write_bytes(seed_store.path.read_bytes())
    [repo, *_] = github.stale_repos(store.load(with_text=False), store.repositories(),
                                    now=dt.datetime.now(dt.UTC))[0]
    path = f"/repos/{repo}"
    server.routes[path] = behaviour or answer(b"", 302, {"Location": other_host.url(path)})
    report = github.enrich_github(store, api_url=server.url(), token="", limit=1,
                                  policy=POLICY)
    [(failed, why)] = report.failed
    assert failed == repo and says in why, why
    assert store.repositories().empty
