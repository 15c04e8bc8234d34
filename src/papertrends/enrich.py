"""Derived fields every record gets before it is stored: id, links and topics.

Sources hand over what they read; enrichment is the one place that derives ``paper_id``,
``github_repos``, ``project_urls`` and ``topics`` from it, so a paper gets the same derived
values whichever source it came from.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import partial

import pyarrow as pa

from papertrends import ids, links, schema
from papertrends.topics import Taxonomy, TopicTagger
from papertrends.workers import map_in_workers

_CHUNK_ROWS = 10_000
_PARALLEL_MIN_ROWS = 40_000  # below this, starting worker processes costs more than it saves


def enrich(table: pa.Table, taxonomy: Taxonomy,
           progress: Callable[[int], None] | None = None, workers: int | None = None
           ) -> pa.Table:
    """A schema table from any source -> the same rows with derived fields filled in.

    Links and topics are found by Python code per paper, so a large input is split over
    worker processes (every core by default). ``progress`` is called with the number of rows
    done after each chunk.
    """
    table = schema.conform(table)
    slices = [table.slice(start, _CHUNK_ROWS) for start in range(0, table.num_rows, _CHUNK_ROWS)]
    workers = workers or os.cpu_count() or 1
    chunks = []
    if table.num_rows < _PARALLEL_MIN_ROWS or workers < 2:
        tagger = taxonomy.tagger()
        for part in slices:
            chunks.append(_enrich_chunk(part, tagger))
            if progress:
                progress(part.num_rows)
    else:
        for done in map_in_workers(partial(_enrich_part, taxonomy=taxonomy), slices, workers):
            chunks.append(done)
            if progress:
                progress(done.num_rows)
    return pa.concat_tables(chunks) if chunks else table


def _enrich_part(table: pa.Table, taxonomy: Taxonomy) -> pa.Table:
    return _enrich_chunk(table, taxonomy.tagger())


def _enrich_chunk(table: pa.Table, tagger: TopicTagger) -> pa.Table:
    titles = table["title"].to_pylist()
    abstracts = table["abstract"].to_pylist()
    paper_ids = [ids.arxiv_id(pid) or pid or ids.title_id(title)
                 for pid, title in zip(table["paper_id"].to_pylist(), titles, strict=True)]
    repos, urls = [], []
    for abstract, given_repos, given_urls in zip(
            abstracts, table["github_repos"].to_pylist(), table["project_urls"].to_pylist(),
            strict=True):
        found_repos, found_urls = links.split_links(
            [abstract], extra_repos=given_repos or (), extra_urls=given_urls or ())
        repos.append(found_repos)
        urls.append(found_urls)
    text_list = pa.list_(pa.string())
    replacements = {
        "paper_id": pa.array(paper_ids, pa.string()),
        "github_repos": pa.array(repos, text_list),
        "project_urls": pa.array(urls, text_list),
        "topics": pa.array(tagger.tag_all(titles, abstracts), text_list),
    }
    for name, values in replacements.items():
        table = table.set_column(table.schema.get_field_index(name), name, values)
    return table
