"""Every outbound link the dashboard shows is built here, and only ever as http(s)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from urllib.parse import quote, quote_plus

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from papertrends.common.ids import ARXIV_ID_RE2, is_arxiv_id
from papertrends.common.links import is_http_url


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
    fetched from the API) needs no quoting, and a title of printable ASCII (most papers of a
    saved page) is quoted by Arrow; only the others are done one by one."""
    ids = pa.array(paper_ids, pa.string())
    names = pa.array(titles, pa.string())
    arxiv = _matches(ids, ARXIV_ID_RE2)
    links = pc.if_else(
        arxiv, pc.binary_join_element_wise("https://huggingface.co/papers/", ids, ""),
        pc.binary_join_element_wise("https://huggingface.co/papers?q=",
                                    _quote_plus_ascii(names), ""))
    return _in_bulk(links, pc.or_(arxiv, _matches(names, r"^[\x20-\x7e]+$")),
                    lambda position: hf_paper_url(ids[position].as_py(),
                                                  names[position].as_py()))


# What quote_plus() escapes among printable ASCII characters, '%' first: the escapes add more.
_ESCAPED = {character: f"%{ord(character):02X}"
            for character in "%!\"#$&'()*+,/:;<=>?@[\\]^`{|}"}


def _quote_plus_ascii(values: pa.Array) -> pa.Array:
    """``quote_plus`` of each value, right for printable ASCII only."""
    for character, escaped in _ESCAPED.items():
        values = pc.replace_substring(values, character, escaped)
    return pc.replace_substring(values, " ", "+")


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
    return _in_bulk(pc.binary_join_element_wise("https://github.com/", names, ""),
                    _matches(names, _PLAIN_REPO),
                    lambda position: github_url(names[position].as_py()))


def _matches(values: pa.Array, pattern: str) -> pa.Array:
    return pc.fill_null(pc.match_substring_regex(values, pattern), False)


def _in_bulk(links: pa.Array, built: pa.Array, one_by_one: Callable[[int], str | None]
             ) -> np.ndarray:
    """``links`` where ``built`` is true (Arrow made them), ``one_by_one(position)`` for the
    rest."""
    result = links.to_numpy(zero_copy_only=False).astype(object)
    for position in np.flatnonzero(~built.to_numpy(zero_copy_only=False)):
        result[position] = one_by_one(int(position))
    return result


def safe_url(url: object) -> str | None:
    """``url`` when it is an absolute http(s) link, else None (never javascript:, data:...)."""
    return url if is_http_url(url) else None
