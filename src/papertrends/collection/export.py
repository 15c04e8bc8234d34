"""Write the collection (or a filtered part of it) as CSV or Parquet.

CSV is for people and spreadsheets: lists joined with ``'; '``, dates in ISO 8601, and every
text cell passed through the CSV injection guard. The same conventions are read back by
``sources.csv``, so an export ingests back to the same collection.

Parquet is for tools: the schema's own types (lists stay lists, dates stay dates), compressed,
and read unchanged by DuckDB, Polars, Spark or ``papertrends ingest``.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from papertrends.collection import schema
from papertrends.common.csv_safety import neutralise
from papertrends.sources.csv import LIST_SEPARATOR


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


def write_parquet(tables: Iterable[pa.Table], path: str | Path) -> int:
    """Write schema tables (e.g. chunks as they are made) as one Parquet file, atomically.

    Returns the number of rows written.
    """
    path = Path(path)
    temporary = path.with_name(f".{path.name}.partial")
    rows = 0
    try:
        with pq.ParquetWriter(temporary, schema.ARROW_SCHEMA, compression="zstd") as writer:
            for table in tables:
                writer.write_table(schema.conform(table))
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


def export_filename(papers: pd.DataFrame, date_from=None, date_to=None) -> str:
    """'papers_2024-01-01_to_2025-06-30.csv': the filter's date range, else the rows' span."""
    known = papers["published"].dropna() if len(papers) else papers["published"]
    start = date_from or (known.min() if len(known) else None)
    end = date_to or (known.max() if len(known) else None)
    if start is None or end is None:
        return "papers.csv"
    return f"papers_{start}_to_{end}.csv"
