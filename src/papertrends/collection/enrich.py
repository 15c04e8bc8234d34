"""What every record gets before it is stored: tidy text, then id, links and topics.

Sources hand over what they read; enrichment is the one place that strips invisible direction
and zero-width controls from its text, collapses its whitespace, and derives ``paper_id``,
``github_repos``, ``project_urls`` and ``topics`` from it, so a paper gets the same text and
derived values whichever source it came from.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import partial

import pyarrow as pa
import pyarrow.compute as pc

from papertrends.collection import schema
from papertrends.collection.topics import Taxonomy, TopicTagger
from papertrends.common import ids, links
from papertrends.common.workers import map_in_workers

_CHUNK_ROWS = 10_000
_PARALLEL_MIN_ROWS = 40_000  # below this, starting worker processes costs more than it saves
_READ = ("paper_id", "title", "abstract", "github_repos", "project_urls")  # what derives them
_DERIVED = ("paper_id", "github_repos", "project_urls", "topics")
# Text a reader sees, searches and exports; lists of such text.
_PROSE = ("title", "abstract", "organization", "ai_summary")
_PROSE_LISTS = ("authors", "ai_keywords")
# The characters Python's str.isspace() accepts (what str.split() splits on) but the space, in
# RE2. A run that needs replacing holds one of them or is two spaces or more: a lone space,
# most of a text, is not matched, which makes the replacement several times faster.
_OTHER_SPACE = (r"\t-\r\x{1C}-\x{1F}\x{85}\x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}"
                r"\x{202F}\x{205F}\x{3000}")
_WHITESPACE_RUN = rf"[ ]*[{_OTHER_SPACE}][ {_OTHER_SPACE}]*|[ ]{{2,}}"
# Characters that draw nothing but change how the text around them reads: bidirectional
# embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069), direction marks (U+200E,
# U+200F, U+061C), zero-width spaces and joiners (U+200B-U+200D), the word joiner (U+2060)
# and the byte order mark (U+FEFF). After a right-to-left override the rest of a title or a
# table cell shows backwards; a zero-width space splits a word for search but not for the eye.
INVISIBLE_CONTROLS = ("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f"
                      "\u061c\u200b\u200c\u200d\u2060\ufeff")
_INVISIBLE = "[" + "".join(f"\\x{{{ord(c):X}}}" for c in INVISIBLE_CONTROLS) + "]"  # RE2
_NO_INVISIBLE = str.maketrans(dict.fromkeys(map(ord, INVISIBLE_CONTROLS)))


def enrich(table: pa.Table, taxonomy: Taxonomy,
           progress: Callable[[int], None] | None = None, workers: int | None = None
           ) -> pa.Table:
    """A schema table from any source -> the same rows, whitespace collapsed
    (``collapse_whitespace``) and derived fields filled in.

    Links and topics are found by Python code per paper, so a large input is split over
    worker processes (every core by default). Workers get only the columns they read and send
    back only the derived ones, a few chunks at a time: at a million papers the input is
    gigabytes, and a copy of it per process would not fit. ``progress`` is called with the
    number of rows done after each chunk.
    """
    table = collapse_whitespace(strip_invisible(schema.conform(table)))
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
        table = _replace(table, name, columns[name])
    return table


def strip_invisible(table: pa.Table) -> pa.Table:
    """The table without ``INVISIBLE_CONTROLS`` in any text or list-of-text column.

    They come in with titles, names and keywords (pasted from PDFs and web pages, or put there
    on purpose) and would stay active wherever the text is shown: a right-to-left override in
    a title turns the rest of a table cell around, a zero-width space hides inside a word a
    search then misses. Every column, not only the prose: an id or a link with one in it is
    not the id or link it looks like.
    """
    for field in table.schema:
        if pa.types.is_string(field.type):
            table = _replace(table, field.name, _strip(table[field.name]))
        elif pa.types.is_list(field.type) and pa.types.is_string(field.type.value_type):
            lists = table[field.name]
            table = _replace(table, field.name, pa.chunked_array(
                [_map_list(chunk, _strip) for chunk in lists.chunks], lists.type))
    return table


def strip_invisible_text(text: str) -> str:
    """One string without ``INVISIBLE_CONTROLS``: for text stored beside the papers (an
    ingest's label, which holds a file name)."""
    return text.translate(_NO_INVISIBLE)


def _strip(text: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    return pc.replace_substring_regex(text, _INVISIBLE, "")


def collapse_whitespace(table: pa.Table) -> pa.Table:
    """The table with every run of whitespace in its prose (``_PROSE``, ``_PROSE_LISTS``)
    made one space, and none at either end.

    Real sources keep the line breaks of where they came from: about half of the Daily Papers
    titles carry arXiv's wraps (``"...Large Multimodal\\n  Models"``) and abstracts are
    hard-wrapped. Left in, a wrap breaks a title over lines in a table or a chart label, keeps
    a phrase search ("multimodal models") from matching across it, and makes a CSV cell of
    several lines. Collapsed here, before anything is derived or stored, every page, search
    index, term count and export reads the same one-line text, whichever source it came from.
    Arrow's vectorised regex does it, so a million abstracts cost no Python per cell.
    """
    for name in _PROSE:
        table = _replace(table, name, _collapse(table[name]))
    for name in _PROSE_LISTS:
        lists = table[name]
        table = _replace(table, name, pa.chunked_array(
            [_map_list(chunk, _collapse) for chunk in lists.chunks], lists.type))
    return table


def _collapse(text: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    return pc.utf8_trim(pc.replace_substring_regex(text, _WHITESPACE_RUN, " "), " ")


def _map_list(lists: pa.ListArray, change: Callable[[pa.Array], pa.Array]) -> pa.ListArray:
    """The same lists with ``change`` applied to their text. The offsets are made afresh from
    the lengths: a sliced array's own offsets do not start at 0, and Arrow cannot rebuild a
    list from those when some lists are null."""
    lengths = pc.fill_null(pc.list_value_length(lists), 0)
    offsets = pa.concat_arrays([pa.array([0], pa.int32()),
                                pc.cumulative_sum(lengths).cast(pa.int32())])
    return pa.ListArray.from_arrays(offsets, change(lists.flatten()),
                                    mask=lists.is_null() if lists.null_count else None)


def _replace(table: pa.Table, name: str, column: pa.Array | pa.ChunkedArray) -> pa.Table:
    return table.set_column(table.schema.get_field_index(name), name, column)


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
