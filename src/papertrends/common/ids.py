"""Stable paper ids: the arXiv id when a source knows it, else one derived from the title.

A saved Papers page carries no arXiv ids, so the same paper read twice must still get the same
id: the title is normalised (case, punctuation, spacing, Unicode forms) before hashing.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

_ARXIV_NEW = re.compile(r"^\d{4}\.\d{4,5}$")
_ARXIV_OLD = re.compile(r"^[a-z-]+(?:\.[A-Z]{2})?/\d{7}$")
_VERSION = re.compile(r"v\d+$")
# A bare arXiv id (what ``is_arxiv_id`` accepts), in RE2 syntax for Arrow's vectorised matching.
ARXIV_ID_RE2 = rf"^(?:{_ARXIV_NEW.pattern[1:-1]}|{_ARXIV_OLD.pattern[1:-1]})$"
TITLE_ID_PREFIX = "title-"


def normalise_title(title: str) -> str:
    text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def title_id(title: str) -> str:
    digest = hashlib.sha1(normalise_title(title).encode()).hexdigest()
    return f"{TITLE_ID_PREFIX}{digest[:12]}"


def arxiv_id(value: str | None) -> str | None:
    """The bare arXiv id (no version, no URL) or None when ``value`` is not one."""
    if not value:
        return None
    text = value.strip()
    for prefix in ("https://arxiv.org/abs/", "http://arxiv.org/abs/", "arxiv:", "arXiv:"):
        if text.startswith(prefix):
            text = text[len(prefix):]
    text = _VERSION.sub("", text)
    return text if _ARXIV_NEW.match(text) or _ARXIV_OLD.match(text) else None


def is_arxiv_id(paper_id: str) -> bool:
    return arxiv_id(paper_id) == paper_id
