"""Key figures of a set of papers: what the Overview page and ``papertrends stats`` report."""

from __future__ import annotations

import pandas as pd
import pyarrow.compute as pc

from papertrends.common import arrow


def compute_key_figures(papers: pd.DataFrame) -> dict[str, object]:
    """Counts, date span, team size, code share and upvotes; None where nothing is known."""
    n = len(papers)
    published = papers["published"].dropna()
    authors = papers["n_authors"].dropna()
    upvotes = papers["upvotes"].dropna()
    with_code = int((arrow.list_lengths(papers["github_repos"]) > 0).sum()) if n else 0
    return {
        "papers": n,
        "first_published": published.min() if len(published) else None,
        "last_published": published.max() if len(published) else None,
        "unknown_date": n - len(published),
        "median_authors": float(authors.median()) if len(authors) else None,
        "unknown_authors": n - len(authors),
        "with_code": with_code,
        "share_with_code": with_code / n if n else None,
        "total_upvotes": int(upvotes.sum()) if len(upvotes) else 0,
        "unknown_upvotes": n - len(upvotes),
    }


def compute_topic_counts(papers: pd.DataFrame) -> pd.DataFrame:
    """topic, papers, share (of all given papers; a paper may count under several topics)."""
    if not len(papers):
        return pd.DataFrame({"topic": pd.Series(dtype=str), "papers": pd.Series(dtype=int),
                             "share": pd.Series(dtype=float)})
    flat = pc.list_flatten(arrow.contiguous(papers["topics"])).to_pandas()
    counts = flat.value_counts().rename_axis("topic").reset_index(name="papers")
    counts = counts.sort_values(["papers", "topic"], ascending=[False, True], ignore_index=True)
    counts["share"] = counts["papers"] / len(papers)
    return counts


def compute_top_papers(papers: pd.DataFrame, n: int = 10) -> pd.DataFrame:
    """The most upvoted papers with their links (Hugging Face, arXiv, first GitHub repo)."""
    from papertrends.analytics.table import top_candidates
    from papertrends.common import urls

    ranked = top_candidates(papers, "upvotes", False, n)
    ranked = ranked[ranked["upvotes"].notna()].sort_values(
        ["upvotes", "published"], ascending=[False, False], na_position="last").head(n)
    return pd.DataFrame({
        "title": ranked["title"].to_numpy(),
        "upvotes": ranked["upvotes"].astype("int64").to_numpy(),
        "published": ranked["published"].to_numpy(),
        "n_authors": ranked["n_authors"].to_numpy(),
        "hugging_face": urls.hf_paper_urls(ranked["paper_id"].tolist(), ranked["title"].tolist()),
        "arxiv": [urls.arxiv_url(i) for i in ranked["paper_id"]],
        "github": [urls.github_url(r[0]) if len(r) else None for r in ranked["github_repos"]],
    })
