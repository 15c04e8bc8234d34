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

from papertrends.collection import schema
from papertrends.collection.topics import Taxonomy, TopicTagger
from papertrends.common import ids, links
from papertrends.common.workers import map_in_workers

_CHUNK_ROWS = 10_000
_PARALLEL_MIN_ROWS = 40_000  # below this, starting worker processes costs more than it saves
_READ = ("paper_id", "title", "abstract", "github_repos", "project_urls")  # what derives them
_DERIVED = ("paper_id", "github_repos", "project_urls", "topics")


def enrich(table: pa.Table, taxonomy: Taxonomy,
           progress: Callable[[int], None] | None = None, workers: int | None = None
           ) -> pa.Table:
    """A schema table from any source -> the same rows with derived fields filled in.

    Links and topics are found by Python code per paper, so a large input is split over
    worker processes (every core by default). Workers get only the columns they read and send
    back only the derived ones, a few chunks at a time: at a million papers the input is
    gigabytes, and a copy of it per process would not fit. ``progress`` is called with the
    number of rows done after each chunk.
    """
    table = schema.conform(table)
    starts = range(0, table.num_rows, _CHUNK_ROWS)
    workers = workers or os.cpu_count() or 1
    if table.num_rows < _PARALLEL_MIN_ROWS or workers < 2:
        tagger = taxonomy.tagger()
        parts = (_derive(table.slice(start, _CHUNK_ROWS), tagger) for start in starts)
    else:
        packed = (_pack(table.slice(start, _CHUNK_ROWS).select(_READ)) for start in starts)
        parts = map(_unpack, map_in_workers(partial(_derive_packed, taxonomy=taxonomy), packed,
                                            workers))
    derived = []
    for part in parts:
        derived.append(part)
        if progress:
            progress(part.num_rows)
    if not derived:
        return table
    columns = pa.concat_tables(derived)
    for name in _DERIVED:
        table = table.set_column(table.schema.get_field_index(name), name, columns[name])
    return table


def _pack(table: pa.Table) -> pa.Buffer:
    """A table as Arrow IPC bytes. Pickling a slice would send its whole parent's buffers."""
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue()


def _unpack(data: pa.Buffer) -> pa.Table:
    return pa.ipc.open_stream(data).read_all()


def _derive_packed(data: pa.Buffer, taxonomy: Taxonomy) -> pa.Buffer:
    return _pack(_derive(_unpack(data), taxonomy.tagger()))


def _derive(table: pa.Table, tagger: TopicTagger) -> pa.Table:
    """The derived columns (``_DERIVED``) of these rows."""
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
    return pa.table({
        "paper_id": pa.array(paper_ids, pa.string()),
        "github_repos": pa.array(repos, text_list),
        "project_urls": pa.array(urls, text_list),
        "topics": pa.array(tagger.tag_all(titles, abstracts), text_list),
    })
