"""The one definition of a paper record.

Parsers, the store, the CSV exporter and the tests all read the column list from here, so a
column is added (or its type changed) in exactly one place. Types are Arrow types because the
collection is meant to reach a million rows: Arrow strings and lists move between DuckDB and
pandas without a Python object per cell.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
import pyarrow as pa


@dataclass(frozen=True)
class Column:
    """One column of the paper record."""

    name: str
    arrow_type: pa.DataType
    sql_type: str
    meaning: str

    @property
    def is_list(self) -> bool:
        return pa.types.is_list(self.arrow_type)

    @property
    def is_text(self) -> bool:
        return pa.types.is_string(self.arrow_type) or pa.types.is_large_string(self.arrow_type)


_TEXT_LIST = pa.list_(pa.string())
_TIMESTAMP = pa.timestamp("us", tz="UTC")

COLUMNS: tuple[Column, ...] = (
    Column("paper_id", pa.string(), "VARCHAR",
           "arXiv id when known, else 'title-' and a hash of the normalised title"),
    Column("title", pa.string(), "VARCHAR", "paper title"),
    Column("abstract", pa.string(), "VARCHAR", "abstract as published"),
    Column("published", pa.date32(), "DATE", "publication date; missing when unknown"),
    Column("upvotes", pa.int64(), "BIGINT",
           "Hugging Face upvotes at the last sighting; missing when unknown"),
    Column("n_authors", pa.int64(), "BIGINT", "number of authors; missing when unknown, never 0"),
    Column("authors", _TEXT_LIST, "VARCHAR[]", "author names; empty when unknown"),
    Column("organization", pa.string(), "VARCHAR", "submitting organisation, when shown"),
    Column("github_repos", _TEXT_LIST, "VARCHAR[]", "linked GitHub repositories as owner/repo"),
    Column("project_urls", _TEXT_LIST, "VARCHAR[]", "other http(s) links: project pages, demos"),
    Column("submitted_at", _TIMESTAMP, "TIMESTAMPTZ",
           "when the paper was put on Hugging Face Daily Papers; missing when unknown"),
    Column("github_stars", pa.int64(), "BIGINT",
           "stars of the linked repository as Hugging Face last reported; missing when unknown"),
    Column("ai_keywords", _TEXT_LIST, "VARCHAR[]",
           "keywords Hugging Face generated for the paper; empty when unknown"),
    Column("ai_summary", pa.string(), "VARCHAR", "one-line summary Hugging Face generated"),
    Column("n_comments", pa.int64(), "BIGINT",
           "comments on the Hugging Face paper page at the last sighting; missing when unknown"),
    Column("submitted_by", pa.string(), "VARCHAR",
           "Hugging Face user who put the paper on Daily Papers"),
    Column("topics", _TEXT_LIST, "VARCHAR[]", "topics from the taxonomy; ['Other'] when none"),
    Column("source", pa.string(), "VARCHAR", "where the paper was first read from"),
    Column("first_seen", _TIMESTAMP, "TIMESTAMPTZ", "when the collection first stored the paper"),
    Column("last_updated", _TIMESTAMP, "TIMESTAMPTZ", "when a stored field last changed"),
)

def arrow_schema(columns: Iterable[Column]) -> pa.Schema:
    return pa.schema([pa.field(c.name, c.arrow_type) for c in columns])


COLUMN_NAMES: tuple[str, ...] = tuple(column.name for column in COLUMNS)
BY_NAME: dict[str, Column] = {column.name: column for column in COLUMNS}
LIST_COLUMNS: tuple[str, ...] = tuple(c.name for c in COLUMNS if c.is_list)
# Kilobytes per paper: left out of the rows pages select (see Collection.without_text).
LONG_TEXT_COLUMNS: tuple[str, ...] = ("abstract", "ai_summary")
ARROW_SCHEMA = arrow_schema(COLUMNS)
OTHER_TOPIC = "Other"


# Tables beside the papers. They are keyed by paper_id, a day or a repository, and only ever
# gain rows (a snapshot) or replace their own row (a day fetched again, a repository looked up
# again), so they are defined here with the paper record but stored apart from it.

SNAPSHOT_COLUMNS: tuple[Column, ...] = (
    Column("paper_id", pa.string(), "VARCHAR", "the paper seen"),
    Column("seen_at", _TIMESTAMP, "TIMESTAMPTZ", "when it was seen (the ingest's time)"),
    Column("upvotes", pa.int64(), "BIGINT", "its upvotes then; papers without a count get none"),
)
FETCHED_DAY_COLUMNS: tuple[Column, ...] = (
    Column("day", pa.date32(), "DATE", "a Daily Papers date fetched from the API"),
    Column("fetched_at", _TIMESTAMP, "TIMESTAMPTZ", "when it was last fetched"),
    Column("n_papers", pa.int64(), "BIGINT", "papers the API listed for that day"),
)
REPOSITORY_COLUMNS: tuple[Column, ...] = (
    Column("repo", pa.string(), "VARCHAR",
           "owner/repo lower-cased: the key papers' github_repos match case-insensitively"),
    Column("full_name", pa.string(), "VARCHAR", "owner/repo as GitHub spells it now"),
    Column("status", pa.string(), "VARCHAR", "'ok', or 'not_found' when GitHub answered 404"),
    Column("stars", pa.int64(), "BIGINT", "stargazers"),
    Column("forks", pa.int64(), "BIGINT", "forks"),
    Column("language", pa.string(), "VARCHAR", "primary language; missing when GitHub has none"),
    Column("pushed_at", _TIMESTAMP, "TIMESTAMPTZ", "last push"),
    Column("archived", pa.bool_(), "BOOLEAN", "archived (read-only) on GitHub"),
    Column("fetched_at", _TIMESTAMP, "TIMESTAMPTZ", "when GitHub was asked: the cache's age"),
)


def side_frame(table: pa.Table, columns: tuple[Column, ...]) -> pd.DataFrame:
    """A side table (snapshots, fetched days, repositories) as an Arrow-backed frame."""
    return table.select([c.name for c in columns]).cast(arrow_schema(columns)).to_pandas(
        types_mapper=pd.ArrowDtype)


def to_table(records: Iterable[Mapping[str, Any]]) -> pa.Table:
    """Build an Arrow table in schema order; absent keys become nulls (lists become empty)."""
    rows = [dict(record) for record in records]
    for row in rows:
        for name in LIST_COLUMNS:
            if row.get(name) is None:
                row[name] = []
    return pa.Table.from_pylist(rows, schema=ARROW_SCHEMA)


def to_frame(table: pa.Table) -> pd.DataFrame:
    """Arrow table -> pandas frame with Arrow-backed columns (no Python object per cell)."""
    return conform(table).to_pandas(types_mapper=pd.ArrowDtype)


def conform(table: pa.Table) -> pa.Table:
    """Cast a table to the schema: columns in order, missing ones added as nulls."""
    arrays = []
    for column in COLUMNS:
        if column.name in table.column_names:
            arrays.append(table.column(column.name).cast(column.arrow_type))
        elif column.is_list:
            arrays.append(pa.array([[]] * table.num_rows, column.arrow_type))
        else:
            arrays.append(pa.nulls(table.num_rows, column.arrow_type))
    return pa.Table.from_arrays(arrays, schema=ARROW_SCHEMA)


def empty_frame() -> pd.DataFrame:
    return to_frame(ARROW_SCHEMA.empty_table())
