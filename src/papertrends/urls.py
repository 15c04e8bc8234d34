"""Every outbound link the dashboard shows is built here, and only ever as http(s)."""

from __future__ import annotations

from urllib.parse import quote, quote_plus

from papertrends.ids import is_arxiv_id
from papertrends.links import is_http_url


def hf_paper_url(paper_id: str, title: str | None = None) -> str | None:
    """The paper's Hugging Face page, or a Papers search for its title when no arXiv id."""
    if is_arxiv_id(paper_id):
        return f"https://huggingface.co/papers/{quote(paper_id)}"
    if title:
        return f"https://huggingface.co/papers?q={quote_plus(title)}"
    return None


def arxiv_url(paper_id: str) -> str | None:
    return f"https://arxiv.org/abs/{quote(paper_id)}" if is_arxiv_id(paper_id) else None


def github_url(repo: str) -> str:
    owner, _, name = repo.partition("/")
    return f"https://github.com/{quote(owner)}/{quote(name)}"


def safe_url(url: object) -> str | None:
    """``url`` when it is an absolute http(s) link, else None (never javascript:, data:...)."""
    return url if is_http_url(url) else None
