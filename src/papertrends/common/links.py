"""Links found in abstracts: GitHub repositories and other http(s) pages.

Abstracts are written for PDFs, so links arrive wrapped in LaTeX braces, followed by sentence
punctuation, or pointing at a README fragment; the link fields of an API response carry a
trailing ``/``, ``.git``, a ``/tree/main/...`` path, a leading space or a line wrap inside the
URL. Everything is normalised here so that the GitHub statistics count repositories, not
spellings of them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlsplit

_URL = re.compile(r"""(?:https?://|(?<![\w./@-])(?:www\.)?github\.com/)[^\s{}<>"'\\\[\]|^`]+""",
                  re.IGNORECASE)
_GITHUB = re.compile(r"^(?:https?://)?(?:www\.)?github\.com/(?P<path>[^?#]*)", re.IGNORECASE)
_OWNER = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$")
_REPO = re.compile(r"^[A-Za-z0-9._-]{1,100}$")
_TRAILING = ".,;:!?)]}'\""
# github.com/<first segment>/... paths that are GitHub's own pages, not a user or organisation.
_NOT_OWNERS = frozenset({
    "about", "apps", "collections", "contact", "customer-stories", "enterprise", "explore",
    "features", "join", "login", "marketplace", "new", "notifications", "orgs", "pricing",
    "pulls", "issues", "readme", "search", "security", "settings", "site", "sponsors", "team",
    "topics", "trending", "users", "codespaces", "events", "solutions", "resources",
})


def find_urls(text: str) -> list[str]:
    """Every link in the text, with sentence punctuation and unbalanced brackets trimmed."""
    if not text or ("://" not in text and "github.com/" not in text.lower()):
        return []  # most abstracts have no link: skip the pattern, the costly part
    urls = []
    for match in _URL.finditer(text):
        url = match.group(0)
        while url and url[-1] in _TRAILING:
            if url[-1] == ")" and url.count("(") >= url.count(")"):
                break
            url = url[:-1]
        if len(url) > len("https://"):
            urls.append(url)
    return urls


def github_repo(url: str) -> str | None:
    """'owner/repo' when the URL points into a GitHub repository, else None."""
    match = _GITHUB.match(url.strip())
    if not match:
        return None
    parts = [p for p in match.group("path").split("/") if p]
    if len(parts) < 2:
        return None
    owner, repo = parts[0], parts[1]
    if repo.lower().endswith(".git"):
        repo = repo[:-4]
    repo = repo.rstrip(".")
    if owner.lower() in _NOT_OWNERS or not _OWNER.match(owner) or not _REPO.match(repo):
        return None
    return f"{owner}/{repo}"


def is_http_url(value: object) -> bool:
    """True for absolute http(s) URLs with a host: the only links the dashboard will show."""
    if not isinstance(value, str):
        return False
    try:
        parts = urlsplit(value.strip())
    except ValueError:
        return False
    return parts.scheme.lower() in {"http", "https"} and bool(parts.netloc)


def unwrap_link(value: str) -> str:
    """A link field's value without any whitespace.

    A URL cannot contain whitespace, so whatever is inside one was put there by a line wrap
    (``https://github.com/owner/\\nrepo`` in a Daily Papers ``githubRepo``) or is padding
    (a ``projectPage`` starting with a space): removing it recovers the link the author meant.
    """
    return "".join(value.split())


def split_links(texts: Iterable[str | None], extra_repos: Iterable[str] = (),
                extra_urls: Iterable[str] = ()) -> tuple[list[str], list[str]]:
    """(github_repos, project_urls) for one paper, deduplicated in order of appearance.

    ``extra_repos`` and ``extra_urls`` are links a source gave outright (an API's githubRepo
    field, a CSV's columns); they are unwrapped (``unwrap_link``) and then normalised the same
    way as links found in the text.
    """
    repos: dict[str, str] = {}
    urls: dict[str, str] = {}
    candidates = [u for text in texts if text for u in find_urls(text)]
    # Only a repository field may say just 'owner/repo'; in a link field that is a relative link.
    values = [*((unwrap_link(v), True) for v in extra_repos), *((v, False) for v in candidates),
              *((unwrap_link(v), False) for v in extra_urls)]
    for value, is_repo_field in values:
        repo = github_repo(value) or (
            github_repo(f"github.com/{value}")
            if is_repo_field and value.count("/") == 1 and "://" not in value else None)
        if repo:
            repos.setdefault(repo.lower(), repo)
        elif _GITHUB.match(value):
            continue  # a GitHub page that is not a repository: neither code nor a project page
        elif is_http_url(value):
            urls.setdefault(value.rstrip("/").lower(), value)
    return list(repos.values()), list(urls.values())
