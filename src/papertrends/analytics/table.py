"""The Explore page's table: the selected papers, sorted, with links and short abstracts."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from papertrends import urls

SORT_KEYS = {
    "Upvotes": ("upvotes", False),
    "Newest": ("published", False),
    "Oldest": ("published", True),
    "Most authors": ("n_authors", False),
    "Title": ("title", True),
}
ABSTRACT_CHARS = 220


def compute_paper_table(papers: pd.DataFrame, sort: str = "Upvotes", limit: int = 5_000
                        ) -> pd.DataFrame:
    """Up to ``limit`` rows in the chosen order, shaped for reading rather than for export."""
    column, ascending = SORT_KEYS[sort]
    ranked = papers.sort_values([column, "title"], ascending=[ascending, True],
                                na_position="last").head(limit)
    abstracts = pc.fill_null(pa.array(ranked["abstract"]), "")
    short = pc.if_else(pc.greater(pc.utf8_length(abstracts), ABSTRACT_CHARS),
                       pc.binary_join_element_wise(
                           pc.utf8_slice_codeunits(abstracts, 0, ABSTRACT_CHARS), "…", ""),
                       abstracts)
    repos = ranked["github_repos"].tolist()
    return pd.DataFrame({
        "paper_id": ranked["paper_id"].to_numpy(),
        "title": ranked["title"].to_numpy(),
        "published": ranked["published"].to_numpy(),
        "upvotes": ranked["upvotes"].to_numpy(),
        "n_authors": ranked["n_authors"].to_numpy(),
        "topics": [", ".join(t) for t in ranked["topics"].tolist()],
        "github": [urls.github_url(r[0]) if len(r) else None for r in repos],
        "project_page": [next((u for u in p if urls.safe_url(u)), None)
                         for p in ranked["project_urls"].tolist()],
        "hugging_face": [urls.hf_paper_url(i, t) for i, t in zip(
            ranked["paper_id"], ranked["title"], strict=True)],
        "abstract": short.to_pylist(),
    })
