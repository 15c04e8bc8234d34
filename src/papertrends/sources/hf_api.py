"""Read a Hugging Face Daily Papers API response (``GET /api/daily_papers?date=...``).

The response is a JSON list; each element holds a ``paper`` object and a few fields beside it
(``numComments``, ``submittedBy``, ``organization``, a listing ``title``). The API grows new
fields often and omits the ones it has no value for, so unknown fields are ignored and absent
or null ones stay missing. A known field holding the wrong kind of value is an error naming the
element and field: it means the API changed and the mapping here needs a look.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pyarrow as pa

from papertrends.collection import schema
from papertrends.common import links
from papertrends.common.errors import InputError
from papertrends.sources.json_input import load_json

FORMAT = "hf-api-json"
_MAX_COUNT = 2**63 - 1  # counts are stored as 64-bit integers


def looks_like_hf_api(text: str) -> bool:
    """Cheap sniff used by format auto-detection: a JSON list (of paper objects)."""
    return text.lstrip("\ufeff \t\r\n").startswith("[")


def parse_hf_api(data: bytes, *, path: str | Path | None = None, source: str | None = None,
                 day: dt.date | None = None) -> pa.Table:
    """Response bytes -> a schema table, one row per listed paper, in response order.

    ``day`` is the Daily Papers date the response lists (the request's ``date=``): entries
    that do not say when they were featured (``submittedOnDailyAt`` only exists since
    2025-03) get midnight UTC of that day, so that every fetched paper has a featured day.

    Raises InputError naming ``path`` when the bytes are not JSON (``json_input``: hostile
    nesting and numbers included), the top level is not a list, or a known field has the
    wrong type (the field is named like ``[3].paper.upvotes``).
    """
    where = path if path is not None else "response"
    items = load_json(data, where)
    if not isinstance(items, list):
        raise InputError(f"expected a JSON list of papers, found {describe_json(items)}",
                         path=where)
    label = source or f"{FORMAT}:{Path(path).name if path is not None else 'response'}"
    listed = dt.datetime.combine(day, dt.time(), dt.UTC) if day is not None else None
    records = []
    for index, item in enumerate(items):
        try:
            record = _record(item, f"[{index}]")
        except InputError as error:
            raise error.at(where) from None
        if record["submitted_at"] is None:
            record["submitted_at"] = listed
        records.append({**record, "source": label})
    return schema.to_table(records)


def describe_json(value: Any) -> str:
    """What a JSON document holds instead of a list of papers, in a few words.

    Saved "responses" in the wild are wrappers (``{"status": ..., "data": [...]}``), error
    answers (``{"status": "no_data", ...}``) or a bare number: naming the keys or the value
    says which, without printing a whole file.
    """
    if isinstance(value, Mapping):
        keys = ", ".join(json.dumps(key, ensure_ascii=False) for key in list(value)[:8])
        more = ", ..." if len(value) > 8 else ""
        return f"a JSON object with keys {keys}{more}" if value else "an empty JSON object"
    return f"a JSON {_kind(value)} {_short(value)}"


def _record(item: Any, at: str) -> dict[str, Any]:
    if isinstance(item, str) and item.lstrip().startswith("{'"):
        raise InputError("expected a paper entry (a JSON object), found a string holding a "
                         "Python dict (saved with str() instead of as JSON): "
                         f"{_short(item)}", field=at)
    if not isinstance(item, Mapping):
        raise InputError(f"expected a paper entry (a JSON object), found a {_kind(item)}",
                         field=at)
    paper = _get(item, "paper", Mapping, at) or {}
    inner = f"{at}.paper"
    paper_id = _get(paper, "id", str, inner)
    title = _get(paper, "title", str, inner) or _get(item, "title", str, at)
    if not (paper_id or title):
        raise InputError("a paper entry with neither paper.id nor a title", field=at)
    authors = _get(paper, "authors", list, inner)
    names = []
    for number, author in enumerate(authors or []):
        if not isinstance(author, Mapping):
            raise InputError(f"expected an author object, found a {_kind(author)}",
                             field=f"{inner}.authors[{number}]")
        name = _get(author, "name", str, f"{inner}.authors[{number}]")
        if name and name.strip():
            names.append(name.strip())  # hidden authors are listed and counted like the rest
    abstract = _get(paper, "summary", str, inner) or _get(item, "summary", str, at)
    repo = _get(paper, "githubRepo", str, inner)
    page = _get(paper, "projectPage", str, inner)
    repos, urls = links.split_links([], extra_repos=[repo] if repo else [],
                                    extra_urls=[page] if page else [])
    keywords = _get(paper, "ai_keywords", list, inner) or []
    if not all(isinstance(k, str) for k in keywords):
        raise InputError("expected a list of keyword strings", field=f"{inner}.ai_keywords")
    published = _timestamp(paper, "publishedAt", inner)
    return {
        "paper_id": paper_id,
        "title": title,
        "abstract": abstract,
        "published": published.date() if published else None,
        "upvotes": _count(paper, "upvotes", inner),
        "n_authors": len(authors) if authors else None,  # unknown, never 0
        "authors": names,
        "organization": _organization(item, at) or _organization(paper, inner),
        "github_repos": repos,
        "project_urls": urls,
        "submitted_at": _timestamp(paper, "submittedOnDailyAt", inner),
        "github_stars": _count(paper, "githubStars", inner),
        "ai_keywords": _distinct_keywords(keywords),
        "ai_summary": _get(paper, "ai_summary", str, inner),
        "n_comments": _count(item, "numComments", at),
        "submitted_by": _user(item, at),
    }


def _distinct_keywords(keywords: list[str]) -> list[str]:
    """The keywords without blanks and repeats, in their order.

    Hugging Face's generated keywords hold empty strings, exact repeats and repeats that
    differ only in case or spacing (``"Diffusion Models"``, ``"diffusion models"``); each
    would be a term of its own in the keyword cloud. The first spelling is kept.
    """
    distinct: dict[str, str] = {}
    for keyword in keywords:
        key = " ".join(keyword.split()).casefold()
        if key:
            distinct.setdefault(key, keyword.strip())
    return list(distinct.values())


def _get(obj: Mapping[str, Any], key: str, kind: type, at: str) -> Any:
    """obj[key] when present and not null; InputError when it is not of ``kind``."""
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, kind):
        expected = {str: "text", list: "a list", Mapping: "an object"}[kind]
        raise InputError(f"expected {expected}, found {_kind(value)} {_short(value)}",
                         field=f"{at}.{key}")
    return value


def _count(obj: Mapping[str, Any], key: str, at: str) -> int | None:
    value = obj.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= _MAX_COUNT:
        raise InputError(f"expected a whole number of 0 or more, found {_short(value)}",
                         field=f"{at}.{key}")
    return value


def _timestamp(obj: Mapping[str, Any], key: str, at: str) -> dt.datetime | None:
    value = _get(obj, key, str, at)
    if value is None:
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise InputError(f"expected an ISO 8601 time such as 2025-10-09T13:51:46.000Z, "
                         f"found {_short(value)}", field=f"{at}.{key}") from None
    # A time without an offset is taken as UTC, the API's own zone.
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def _organization(obj: Mapping[str, Any], at: str) -> str | None:
    organization = _get(obj, "organization", Mapping, at)
    if not organization:
        return None
    return (_get(organization, "fullname", str, f"{at}.organization")
            or _get(organization, "name", str, f"{at}.organization"))


def _user(item: Mapping[str, Any], at: str) -> str | None:
    """The submitter's Hugging Face user name (older responses call it ``name``, newer
    ``user``), else the display name; a bare string is taken as the name."""
    value = item.get("submittedBy")
    if value is None or isinstance(value, str):
        return value or None
    submitter = _get(item, "submittedBy", Mapping, at)
    where = f"{at}.submittedBy"
    return (_get(submitter, "name", str, where) or _get(submitter, "user", str, where)
            or _get(submitter, "fullname", str, where))


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    return {dict: "object", list: "list", str: "string", int: "number", float: "number"}.get(
        type(value), type(value).__name__)


def _short(value: Any) -> str:
    try:
        text = json.dumps(value, ensure_ascii=False)
    except RecursionError:  # read at the edge of the recursion limit: not shown whole
        return f"a {_kind(value)} nested too deeply to show"
    return text if len(text) <= 60 else f"{text[:57]}..."
