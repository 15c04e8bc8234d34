"""Where a collection came from: what the Data page reports about its sources."""

from __future__ import annotations

import pandas as pd

_KINDS = {"hf-page": "Saved Papers page", "hf-api-json": "Saved API response",
          "csv": "CSV", "hf-api": "Hugging Face API"}


def source_group(label: str) -> str:
    """'Saved Papers page: x.txt' for a file; every fetched API day is one 'Hugging Face API'."""
    kind, _, name = str(label).partition(":")
    if kind == "hf-api":
        return _KINDS[kind]
    return f"{_KINDS.get(kind, kind)}: {name}" if name else _KINDS.get(kind, kind)


def compute_source_summary(papers: pd.DataFrame, log: pd.DataFrame) -> dict[str, object]:
    """Size, date span, last update, and per source: papers first read from it and ingests.

    ``papers`` is the collection (its ``source`` is where each paper was first read);
    ``log`` is the store's ingest log (ingested_at, source, new, updated, unchanged).
    """
    published = papers["published"].dropna()
    labels = papers["source"].value_counts()  # a few distinct labels, however many papers
    first_read = labels.groupby(labels.index.map(source_group)).sum()
    if len(log):
        groups = log.assign(group=log["source"].map(source_group)).groupby("group")
        ingests = groups.size()
        last = groups["ingested_at"].max()
    else:
        ingests = last = pd.Series(dtype=object)
    names = sorted(set(first_read.index) | set(ingests.index))
    sources = pd.DataFrame({
        "kind": names,
        "papers": [int(first_read.get(n, 0)) for n in names],
        "ingests": [int(ingests.get(n, 0)) for n in names],
        "last_ingest": [last.get(n) for n in names],
    }).sort_values(["papers", "kind"], ascending=[False, True], ignore_index=True)
    return {
        "papers": len(papers),
        "first_published": published.min() if len(published) else None,
        "last_published": published.max() if len(published) else None,
        "last_update": log["ingested_at"].max() if len(log) else None,
        "sources": sources,
    }
