"""A polite HTTP client: one session, timeouts, a User-Agent, retries that back off.

Both the Hugging Face fetch and the GitHub lookups go through ``get``. Connection errors,
timeouts, 429 and 5xx are retried with exponential backoff; a ``Retry-After`` header is obeyed
instead when the server sends one. A response saying the request quota is used up
(``X-RateLimit-Remaining: 0``) without a ``Retry-After`` is handed back at once: waiting out a
quota that resets in an hour is the caller's decision, not a retry. The loop is written out
rather than delegated to urllib3's ``Retry`` so the waits can be injected and read in tests.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import requests

from papertrends import __version__

log = logging.getLogger(__name__)

USER_AGENT = f"papertrends/{__version__} (+https://github.com/papertrends)"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


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
    sleep: Callable[[float], None] = time.sleep

    def delay(self, retry: int) -> float:
        """The wait before retry number ``retry`` (1 for the first retry)."""
        return min(self.backoff * 2 ** (retry - 1), self.max_delay)


DEFAULT_POLICY = RetryPolicy()


def new_session(headers: Mapping[str, str] | None = None) -> requests.Session:
    """A session (one connection pool) that names the tool in every request."""
    session = requests.Session()
    session.headers.update({"User-Agent": USER_AGENT, "Accept": "application/json"})
    session.headers.update(headers or {})
    return session


def get(session: requests.Session, url: str, *, params: Mapping[str, str] | None = None,
        policy: RetryPolicy | None = None) -> requests.Response:
    """GET ``url``; retry what may succeed later, return the final response.

    Returns any response that is not retried (2xx, most 4xx, a used-up quota) for the caller
    to judge. Raises FetchError, with a one-line reason, when the retries are used up or the
    server asks for a wait longer than ``policy.max_retry_after``.
    """
    policy = policy or DEFAULT_POLICY
    attempts = max(policy.attempts, 1)
    for attempt in range(1, attempts + 1):
        try:
            response = session.get(url, params=params, timeout=policy.timeout)
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
