"""Every outbound link the dashboard shows is built here, and only ever as http(s)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from urllib.parse import quote, quote_plus

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from papertrends.ids import ARXIV_ID_RE2, is_arxiv_id
from papertrends.links import is_http_url


def hf_paper_url(paper_id: str, title: str | None = None) -> str | None:
    """The paper's Hugging Face page, or a Papers search for its title when no arXiv id."""
    if is_arxiv_id(paper_id):
        return f"https://huggingface.co/papers/{quote(paper_id)}"
    if title:
        return f"https://huggingface.co/papers?q={quote_plus(title)}"
    return None


def hf_paper_urls(paper_ids: Sequence[str] | pa.Array, titles: Sequence[str | None]
                  ) -> np.ndarray:
    """``hf_paper_url`` of each paper, as one array: a bare arXiv id (nearly every paper
    fetched from the API) needs no quoting, so only the others are done one by one."""
    ids = pa.array(paper_ids, pa.string())
    titles = list(titles)
    return _in_bulk(ids, ARXIV_ID_RE2, "https://huggingface.co/papers/",
                    lambda position: hf_paper_url(ids[position].as_py(), titles[position]))


def arxiv_url(paper_id: str) -> str | None:
    return f"https://arxiv.org/abs/{quote(paper_id)}" if is_arxiv_id(paper_id) else None


def github_url(repo: str) -> str:
    owner, _, name = repo.partition("/")
    return f"https://github.com/{quote(owner)}/{quote(name)}"


# Only unreserved characters: quote() would leave such a name as it is.
_PLAIN_REPO = r"^[A-Za-z0-9_.~-]+/[A-Za-z0-9_.~-]+$"


def github_urls(repos: Sequence[str] | pa.Array) -> np.ndarray:
    """``github_url`` of each repository, as one array: a page can list a hundred thousand
    repositories, and the names that need quoting (almost none) are the only ones done one by
    one."""
    names = pa.array(repos, pa.string())
    return _in_bulk(names, _PLAIN_REPO, "https://github.com/",
                    lambda position: github_url(names[position].as_py()))


def _in_bulk(values: pa.Array, plain: str, prefix: str,
             one_by_one: Callable[[int], str | None]) -> np.ndarray:
    """``prefix + value`` for the values matching ``plain`` (nothing in them to quote), and
    ``one_by_one(position)`` for the others."""
    matches = pc.fill_null(pc.match_substring_regex(values, plain), False)
    links = pc.binary_join_element_wise(prefix, values, "").to_numpy(zero_copy_only=False)
    links = links.astype(object)
    for position in np.flatnonzero(~matches.to_numpy(zero_copy_only=False)):
        links[position] = one_by_one(int(position))
    return links


def safe_url(url: object) -> str | None:
    """``url`` when it is an absolute http(s) link, else None (never javascript:, data:...)."""
    return url if is_http_url(url) else None
