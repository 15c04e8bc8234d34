"""Read a Parquet file written by ``papertrends export --format parquet`` (or ``synth``).

Parquet keeps types, so nothing is parsed from text: each known column is cast to the schema's
type, and a column that cannot be is named in the error. Unknown columns are ignored and
missing ones stay missing, as with CSV. There are no lines in Parquet; a bad row is named by
its number (1 = the first row).
"""

from __future__ import annotations

import io
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from papertrends.collection import schema
from papertrends.common.errors import InputError

FORMAT = "parquet"
MAGIC = b"PAR1"
REQUIRED = ("paper_id", "title")


def looks_like_parquet(data: bytes) -> bool:
    return data[:4] == MAGIC and data[-4:] == MAGIC


def parse_parquet(data: bytes, *, path: str | Path | None = None, source: str | None = None
                  ) -> pa.Table:
    """Parquet bytes -> a schema table. Raises InputError naming the column (and row)."""
    where = path if path is not None else "Parquet"
    try:
        raw = pq.read_table(io.BytesIO(data))
    except (pa.ArrowInvalid, OSError) as exc:
        raise InputError(f"not a readable Parquet file: {exc}", path=where) from None
    missing = [name for name in REQUIRED if name not in raw.column_names]
    if missing:
        raise InputError(f"not a Papertrends Parquet file: no {', '.join(map(repr, missing))} "
                         f"column (found {', '.join(raw.column_names[:6]) or 'nothing'})",
                         path=where)
    columns = {}
    for name in raw.column_names:
        if name not in schema.BY_NAME:
            continue
        wanted = schema.BY_NAME[name].arrow_type
        try:
            columns[name] = raw[name].cast(wanted)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            raise InputError(f"has type {raw[name].type}, expected {wanted}", path=where,
                             field=name) from None
    if source is not None:  # where the file does not say, a paper was first read from it
        columns["source"] = pc.fill_null(
            columns.get("source", pa.nulls(raw.num_rows, pa.string())), source)
    table = schema.conform(pa.table(columns))
    for column in schema.COLUMNS:  # counts: a whole number of 0 or more, as in CSV
        if pa.types.is_integer(column.arrow_type) and column.name in columns:
            negative = pc.fill_null(pc.less(table[column.name], 0), False)
            if pc.any(negative).as_py():
                row = pc.index(negative, True).as_py() + 1
                value = table[column.name][row - 1].as_py()
                raise InputError(f"row {row:,}: expected a whole number of 0 or more, found "
                                 f"{value}", path=where, field=column.name)
    for name in REQUIRED:
        empty = pc.or_kleene(pc.is_null(table[name]),
                             pc.equal(pc.utf8_trim_whitespace(table[name]), ""))
        if pc.any(empty).as_py():
            row = pc.index(empty, True).as_py() + 1
            raise InputError(f"row {row:,}: this field must not be empty", path=where, field=name)
    return table
