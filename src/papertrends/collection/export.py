"""Write the collection (or a filtered part of it) as CSV or Parquet.

CSV is for people and spreadsheets: lists joined with ``'; '``, dates in ISO 8601, and every
text cell passed through the CSV injection guard. The same conventions are read back by
``sources.csv``, so an export ingests back to the same collection.

Parquet is for tools: the schema's own types (lists stay lists, dates stay dates), compressed,
and read unchanged by DuckDB, Polars, Spark or ``papertrends ingest``.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from collections.abc import Iterable
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from papertrends.collection import schema
from papertrends.collection.filters import RELATIVE_RANGES, Filters
from papertrends.common.csv_safety import neutralise
from papertrends.sources.csv import LIST_SEPARATOR

FILTERS_KEY, VIEW_KEY = "papertrends.filters", "papertrends.view"  # Parquet metadata keys


def csv_table(papers: pd.DataFrame) -> pa.Table:
    """The frame as an all-text table in schema order, ready to be written as CSV."""
    table = papers_table(papers)
    columns = []
    for column in schema.COLUMNS:
        values = table[column.name]
        if column.is_list:
            values = neutralise(pc.binary_join(values, LIST_SEPARATOR))
        elif column.is_text:
            values = neutralise(values)
        elif pa.types.is_timestamp(column.arrow_type):
            values = pc.strftime(values, "%Y-%m-%dT%H:%M:%SZ")
        else:
            values = values.cast(pa.string())
        columns.append(values)
    return pa.table(columns, names=list(schema.COLUMN_NAMES))


FORMATS = ("csv", "parquet")


def format_for(path: str | Path, fmt: str | None = None) -> str:
    """The format asked for, else the one the file name says (``.parquet``), else CSV."""
    if fmt:
        return fmt
    return "parquet" if Path(path).suffix.lower() in {".parquet", ".pq"} else "csv"


def to_csv_bytes(papers: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    pa_csv.write_csv(csv_table(papers), buffer,
                     write_options=pa_csv.WriteOptions(quoting_style="needed"))
    return buffer.getvalue()


def write_csv(papers: pd.DataFrame, path: str | Path) -> None:
    """Write atomically: a reader never sees half a file, a failure leaves no file behind."""
    _write_atomically(Path(path), to_csv_bytes(papers))


def write_parquet(tables: Iterable[pa.Table], path: str | Path,
                  filters: Filters | None = None) -> int:
    """Write schema tables (e.g. chunks as they are made) as one Parquet file, atomically.
    ``filters`` (what selected the rows) go into the file's metadata, as URL parameters
    (``papertrends.filters``, JSON) and in words (``papertrends.view``), so the file says
    which papers it holds.

    Returns the number of rows written.
    """
    path = Path(path)
    temporary = path.with_name(f".{path.name}.partial")
    rows = 0
    file_schema = schema.ARROW_SCHEMA
    if filters is not None:
        file_schema = file_schema.with_metadata({
            FILTERS_KEY: json.dumps(filters.to_params(), sort_keys=True),
            VIEW_KEY: filters.describe()})
    try:
        with pq.ParquetWriter(temporary, file_schema, compression="zstd") as writer:
            for table in tables:
                writer.write_table(schema.conform(table).replace_schema_metadata(
                    file_schema.metadata))
                rows += table.num_rows
        temporary.replace(path)
    finally:
        temporary.unlink(missing_ok=True)
    return rows


def papers_table(papers: pd.DataFrame) -> pa.Table:
    return schema.conform(pa.Table.from_pandas(papers, preserve_index=False))


def _write_atomically(path: Path, data: bytes) -> None:
    temporary = path.with_name(f".{path.name}.partial")
    try:
        temporary.write_bytes(data)
        temporary.replace(path)
    finally:
        temporary.unlink(missing_ok=True)


def export_filename(papers: pd.DataFrame, filters: Filters | None = None,
                    extension: str = "csv") -> str:
    """A file name that says which papers the file holds, every active filter in it:
    'papers_2024-01-01_to_2025-06-30_topic-agents_q-reward-model_with-code.csv'. The dates
    are the filter's range, else the rows' span; words are reduced to letters, digits and
    hyphens (a name is no place for a path), and the name stays under 160 characters."""
    filters = filters or Filters()
    column = filters.date_column if filters.date_column in papers else "published"
    known = papers[column].dropna() if len(papers) else papers[column]
    start = filters.date_from or (known.min() if len(known) else None)
    end = filters.date_to or (known.max() if len(known) else None)
    parts = ["papers"]
    if column != "published":
        parts.append(column)
    if filters.relative:
        parts.append(_slug(RELATIVE_RANGES[filters.relative]))
    if start is not None and end is not None:
        parts.append(f"{start}_to_{end}")
    parts += [f"topic-{_slug(topic)}" for topic in filters.topics]
    if filters.search.strip():
        parts.append(f"q-{_slug(filters.search)}")
    if filters.min_upvotes:
        parts.append(f"upvotes-{filters.min_upvotes}plus")
    if filters.authors_min is not None or filters.authors_max is not None:
        parts.append(f"authors-{filters.authors_min or 1}-{filters.authors_max or 'any'}")
    if filters.has_code != "any":
        parts.append("with-code" if filters.has_code == "yes" else "without-code")
    name = "_".join(part for part in parts if part)
    if len(name) > _LONGEST_NAME:
        digest = hashlib.blake2b(name.encode(), digest_size=4).hexdigest()
        name = f"{name[:_LONGEST_NAME - 9].rstrip('_-')}-{digest}"
    return f"{name}.{extension}"


_LONGEST_NAME = 160


def _slug(text: str) -> str:
    """Letters and digits of any script, runs of anything else one hyphen."""
    return re.sub(r"[\W_]+", "-", text.lower()).strip("-")[:40].strip("-")
