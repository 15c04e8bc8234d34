"""The Explore page's table: the selected papers, sorted, with links and short abstracts."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from papertrends.common import arrow, urls

SORT_KEYS = {
    "Upvotes": ("upvotes", False),
    "Newest": ("published", False),
    "Oldest": ("published", True),
    "Most authors": ("n_authors", False),
    "Title": ("title", True),
}
ABSTRACT_CHARS = 220


def compute_paper_table(papers: pd.DataFrame, sort: str = "Upvotes", limit: int = 5_000, *,
                        offset: int = 0,
                        abstracts: Callable[[pd.Index], pd.Series] | None = None,
                        date_column: str = "published") -> pd.DataFrame:
    """Up to ``limit`` rows in the chosen order from the ``offset``-th on (one page of a
    table), shaped for reading rather than for export: a page of 50 rows costs the same
    whatever the selection holds, where thousands of rows sent to the browser did not.

    The result keeps the rows' labels as its index. ``abstracts``, when ``papers`` has none,
    gives them for a set of labels (``Collection.texts``): only the rows shown are read.
    Ties are broken by title. "Newest" and "Oldest" go by ``date_column``; the day Daily
    Papers featured a paper is a column (``featured``) when the papers have it.
    """
    column, ascending = SORT_KEYS[sort]
    if column == "published":
        column = date_column
    ranked = _top(papers, column, ascending, offset + limit).iloc[offset:]
    texts = ranked["abstract"] if "abstract" in ranked else abstracts(ranked.index)
    abstracts_shown = pc.fill_null(arrow.contiguous(texts).cast(pa.string()), "")
    short = pc.if_else(pc.greater(pc.utf8_length(abstracts_shown), ABSTRACT_CHARS),
                       pc.binary_join_element_wise(
                           pc.utf8_slice_codeunits(abstracts_shown, 0, ABSTRACT_CHARS), "…",
                           ""),
                       abstracts_shown)
    repos = ranked["github_repos"].tolist()
    return pd.DataFrame({
        "paper_id": ranked["paper_id"].to_numpy(),
        "title": ranked["title"].to_numpy(),
        "published": ranked["published"].to_numpy(),
        **({"featured": ranked["featured"].to_numpy()} if "featured" in ranked else {}),
        "upvotes": ranked["upvotes"].to_numpy(),
        "n_authors": ranked["n_authors"].to_numpy(),
        "topics": [", ".join(t) for t in ranked["topics"].tolist()],
        "github": [urls.github_url(r[0]) if len(r) else None for r in repos],
        "project_page": [next((u for u in p if urls.safe_url(u)), None)
                         for p in ranked["project_urls"].tolist()],
        "hugging_face": urls.hf_paper_urls(ranked["paper_id"].tolist(), ranked["title"].tolist()),
        "arxiv": [urls.arxiv_url(i) for i in ranked["paper_id"].tolist()],
        "abstract": short.to_pylist(),
    }, index=ranked.index)


def _top(papers: pd.DataFrame, column: str, ascending: bool, limit: int) -> pd.DataFrame:
    """The first ``limit`` rows by ``column`` then title, missing values last."""
    return top_candidates(papers, column, ascending, limit).sort_values(
        [column, "title"], ascending=[ascending, True], na_position="last").head(limit)


def top_candidates(papers: pd.DataFrame, column: str, ascending: bool, limit: int
                   ) -> pd.DataFrame:
    """The rows that can be among the first ``limit`` by ``column`` (all ties at the cut).

    Sorting a million rows to show a few is most of the work; for a number or a date the
    rows that can make the cut are found first, so that only those are sorted.
    """
    if column == "title" or len(papers) <= 2 * limit:
        return papers
    values = arrow.contiguous(papers[column])
    if pa.types.is_date(values.type):
        values = values.cast(pa.int32())
    numbers = values.cast(pa.float64()).to_numpy(zero_copy_only=False)  # missing: NaN
    known = numbers[~np.isnan(numbers)]
    if len(known) <= limit:
        return papers
    if ascending:
        return papers.loc[numbers <= np.partition(known, limit - 1)[limit - 1]]
    return papers.loc[numbers >= -np.partition(-known, limit - 1)[limit - 1]]
