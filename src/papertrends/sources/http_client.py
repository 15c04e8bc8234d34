"""A polite HTTP client: one session, timeouts, a User-Agent, retries that back off.

Both the Hugging Face fetch and the GitHub lookups go through ``get``. Connection errors,
timeouts, 429 and 5xx are retried with exponential backoff; a ``Retry-After`` header is obeyed
instead when the server sends one. A response saying the request quota is used up
(``X-RateLimit-Remaining: 0``) without a ``Retry-After`` is handed back at once: waiting out a
quota that resets in an hour is the caller's decision, not a retry. The loop is written out
rather than delegated to urllib3's ``Retry`` so the waits can be injected and read in tests.

A server cannot make a request unbounded work. Each attempt has a total deadline, from
connecting to the last byte (``RetryPolicy.deadline``): a read timeout only counts the time
between two bytes, so an answer sent a byte a second would never time out. At the deadline
the request's socket is shut down, which ends a read blocked on it (``_Deadline``; the
sessions ``new_session`` makes register their sockets). The body is read in blocks and no
further than ``RetryPolicy.max_bytes``. A redirect is followed only to the same scheme, host
and port: the data asked for comes from the server the user configured, or not at all.
Neither a deadline nor a size cap is retried: asking again would cost as much again.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from papertrends import __version__

log = logging.getLogger(__name__)

USER_AGENT = f"papertrends/{__version__} (+https://github.com/papertrends)"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_REDIRECTS = 5
_BLOCK = 64 * 1024  # bytes of a body read at a time


class FetchError(RuntimeError):
    """A request that failed for good: retries used up, or a wait too long to make."""


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try. Tests pass ``sleep`` to record the waits instead of making them."""

    attempts: int = 5  # tries in all, the first included
    backoff: float = 1.0  # the first wait in seconds; each further wait doubles
    max_delay: float = 60.0  # no backoff wait is longer than this
    max_retry_after: float = 300.0  # a server asking for a longer wait fails the request
    timeout: tuple[float, float] = (10.0, 60.0)  # seconds to connect, seconds between bytes
    deadline: float = 120.0  # seconds for one attempt in all, connecting to the last byte
    max_bytes: int = 64 * 2**20  # the largest body read (a Daily Papers day is < 1 MB)
    sleep: Callable[[float], None] = time.sleep

    def delay(self, retry: int) -> float:
        """The wait before retry number ``retry`` (1 for the first retry)."""
        return min(self.backoff * 2 ** (retry - 1), self.max_delay)


DEFAULT_POLICY = RetryPolicy()


def new_session(headers: Mapping[str, str] | None = None) -> requests.Session:
    """A session (one connection pool) that names the tool in every request, and whose
    connections a request's deadline can cut (``_DeadlineAdapter``)."""
    session = requests.Session()
    session.headers.update({"User-Agent": USER_AGENT, "Accept": "application/json"})
    session.headers.update(headers or {})
    adapter = _DeadlineAdapter()
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def get(session: requests.Session, url: str, *, params: Mapping[str, str] | None = None,
        policy: RetryPolicy | None = None) -> requests.Response:
    """GET ``url``; retry what may succeed later, return the final response, body read.

    Returns any response that is not retried (2xx, most 4xx, a used-up quota) for the caller
    to judge. Raises FetchError, with a one-line reason, when the retries are used up, the
    server asks for a wait longer than ``policy.max_retry_after``, an attempt passes
    ``policy.deadline``, the body is larger than ``policy.max_bytes``, or the server
    redirects to another host.
    """
    policy = policy or DEFAULT_POLICY
    attempts = max(policy.attempts, 1)
    for attempt in range(1, attempts + 1):
        try:
            response = _get_once(session, url, params, policy)
        except (requests.ConnectionError, requests.Timeout) as exc:
            reason = ("timed out" if isinstance(exc, requests.Timeout)
                      else f"connection failed ({_first_line(exc)})")
            wait = policy.delay(attempt)
        except requests.RequestException as exc:
            raise FetchError(_first_line(exc)) from None
        else:
            if response.status_code not in RETRY_STATUSES:
                return response
            reason = f"HTTP {response.status_code} {response.reason}".strip()
            asked = retry_after(response)
            if asked is None and response.headers.get("X-RateLimit-Remaining") == "0":
                return response  # the quota is used up: retrying before it resets is pointless
            if asked is not None and asked > policy.max_retry_after:
                raise FetchError(f"{reason}: the server asks to wait {asked:.0f} s "
                                 "(Retry-After); try again later")
            wait = asked if asked is not None else policy.delay(attempt)
        if attempt == attempts:
            break
        log.info("%s: %s; retrying in %.3g s (attempt %d of %d)", url, reason, wait,
                 attempt + 1, attempts)
        policy.sleep(wait)
    raise FetchError(f"{reason} (tried {attempts} times)")


def _get_once(session: requests.Session, url: str, params: Mapping[str, str] | None,
              policy: RetryPolicy) -> requests.Response:
    """One attempt: same-host redirects followed, the body read, all within the deadline."""
    origin = _origin(url)
    with _deadline(policy.deadline) as deadline:
        try:
            for _ in range(MAX_REDIRECTS + 1):
                response = session.get(url, params=params, timeout=policy.timeout, stream=True,
                                       allow_redirects=False)
                if not response.is_redirect:
                    _read_body(response, policy.max_bytes, deadline)
                    return response
                target = urljoin(response.url, response.headers["Location"])
                response.close()
                if _origin(target) != origin:
                    raise FetchError(f"the server redirected to {_shown(target)}, another host "
                                     f"than {_shown(url)}: not followed")
                url, params = target, None
        except requests.RequestException:
            if deadline.passed:
                raise FetchError(f"no complete answer within the {policy.deadline:g} s "
                                 "deadline: the server is too slow") from None
            raise
    raise FetchError(f"more than {MAX_REDIRECTS} redirects")


def _read_body(response: requests.Response, max_bytes: int, deadline: _Deadline) -> None:
    """Read the body in blocks into ``response.content``, never more than ``max_bytes``
    (counted as decoded: a small compressed answer may unpack to gigabytes)."""
    size = 0
    blocks: list[bytes] = []
    limit = f"{max_bytes / 2**20:g} MB" if max_bytes >= 2**20 else f"{max_bytes:,} bytes"
    too_large = FetchError(f"the answer is larger than {limit}: not read further")
    try:
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            raise too_large
        for block in response.iter_content(_BLOCK):
            size += len(block)
            if size > max_bytes:
                raise too_large
            if deadline.passed:  # a session whose sockets are not cut: checked between reads
                raise requests.Timeout("deadline")
            blocks.append(block)
    finally:
        response.close()
    response._content = b"".join(blocks)


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme.lower())
    return parts.scheme.lower(), (parts.hostname or "").lower(), port


def _shown(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class _Deadline:
    """Shuts down the sockets registered with it when ``seconds`` have passed, from a timer
    thread: a read blocked on one of them then ends at once (closing a socket would not
    wake it)."""

    def __init__(self, seconds: float) -> None:
        self.passed = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(max(seconds, 0.0), self._expire)
        self._timer.daemon = True

    def watch(self, sock: socket.socket | None) -> None:
        if sock is None:
            return
        with self._lock:
            self._sockets.append(sock)
            if self.passed:
                _shut(sock)

    def _expire(self) -> None:
        with self._lock:
            self.passed = True
            for sock in self._sockets:
                _shut(sock)


def _shut(sock: socket.socket) -> None:
    # The plain socket's shutdown, under TLS too: the kernel ends the blocked read.
    with suppress(OSError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


_current = threading.local()


@contextmanager
def _deadline(seconds: float) -> Iterator[_Deadline]:
    """The deadline of this thread's request, which its connections register with."""
    deadline = _Deadline(seconds)
    outer = getattr(_current, "deadline", None)
    _current.deadline = deadline
    deadline._timer.start()
    try:
        yield deadline
    finally:
        deadline._timer.cancel()
        _current.deadline = outer


class _WatchedConnection:
    """A connection that puts its socket under the current request's deadline before it
    waits for an answer (a reused connection, too)."""

    sock: socket.socket | None

    def getresponse(self, *args, **kwargs):
        deadline = getattr(_current, "deadline", None)
        if deadline is not None:
            deadline.watch(self.sock)
        return super().getresponse(*args, **kwargs)


class _HTTPConnection(_WatchedConnection, HTTPConnection):
    pass


class _HTTPSConnection(_WatchedConnection, HTTPSConnection):
    pass


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


class _DeadlineAdapter(HTTPAdapter):
    """requests' adapter with connections that register with the request's deadline."""

    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}


def retry_after(response: requests.Response, now: dt.datetime | None = None) -> float | None:
    """Seconds the ``Retry-After`` header asks for (a number or an HTTP date), else None."""
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return max(0.0, (moment - (now or dt.datetime.now(dt.UTC))).total_seconds())


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:200]
