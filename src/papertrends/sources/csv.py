"""Read a CSV exported by Papertrends back into records.

The exporter's conventions are undone here: list cells joined with ``'; '`` are split, the CSV
injection prefix is removed, empty cells mean unknown. Columns this version does not know are
ignored and columns it knows but the file lacks stay missing, so files exported by older or
newer versions still ingest.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from papertrends.collection import schema
from papertrends.common.csv_safety import restore
from papertrends.common.errors import InputError

FORMAT = "csv"
LIST_SEPARATOR = "; "
REQUIRED = ("paper_id", "title")


def looks_like_csv(text: str) -> bool:
    first_line = text.lstrip("\ufeff").split("\n", 1)[0]
    return "paper_id" in first_line and "," in first_line


def parse_csv(data: bytes, *, path: str | Path | None = None, source: str | None = None
              ) -> pa.Table:
    """CSV bytes -> a schema table. Raises InputError naming the line and field on bad cells.

    The header and the rows must agree: a column named twice, or a row with more or fewer
    fields than the header has columns (a separator missing or added shifts every later
    field into the wrong column: abstracts stored as titles), is refused with its line.
    """
    where = path if path is not None else "CSV"
    raw_names = _header(data, where)
    header = [name.strip() for name in raw_names]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise InputError(
            f"not a Papertrends CSV: the header has no {', '.join(map(repr, missing))} column "
            f"(found {', '.join(header[:6]) or 'nothing'})", path=where, line=1)
    for number, name in enumerate(header, 1):
        if name in schema.BY_NAME and header.index(name) + 1 != number:
            raise InputError(f"the header names the column {name!r} twice (columns "
                             f"{header.index(name) + 1} and {number}): which one holds it?",
                             path=where, line=1, field=name)
    # pyarrow names the columns as the file spells them; the schema's names are stripped.
    known = {raw: name for raw, name in zip(raw_names, header, strict=True)
             if name in schema.BY_NAME}
    try:
        raw = pa_csv.read_csv(
            io.BytesIO(data),
            # Text cells may hold line breaks: without this, a quoted break that falls on a
            # block boundary of a large file (over 1 MB) splits the record.
            parse_options=pa_csv.ParseOptions(newlines_in_values=True),
            convert_options=pa_csv.ConvertOptions(
                column_types={name: pa.string() for name in raw_names},
                include_columns=list(known), strings_can_be_null=False),
        )
    except (pa.ArrowInvalid, pa.ArrowKeyError) as exc:
        _fail_on_field_counts(data, where, len(header))
        raise InputError(f"not well-formed CSV: {exc}", path=where) from None
    columns = {name: _convert(raw[spelled], name, data, where)
               for spelled, name in known.items()}
    if source is not None:  # where the file does not say, a paper was first read from it
        columns["source"] = pc.fill_null(
            columns.get("source", pa.nulls(raw.num_rows, pa.string())), source)
    table = schema.conform(pa.table(columns) if columns else pa.table({}))
    _require(table, "paper_id", data, where)
    _require(table, "title", data, where)
    return table


def _header(data: bytes, where: str | Path) -> list[str]:
    """The column names as the file spells them, read as CSV (a quoted name may hold a
    comma or a line break); only the first record is decoded."""
    text = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline="")
    try:
        return next(csv.reader(text), [])
    except UnicodeDecodeError:
        raise InputError("not UTF-8 text", path=where, line=1) from None
    except csv.Error as exc:
        raise InputError(f"not well-formed CSV: {exc}", path=where, line=1) from None


class _BadRecord(Exception):
    def __init__(self, line: int, reason: str) -> None:
        super().__init__(reason)
        self.line = line


def _records(data: bytes, *, strict: bool = False) -> Iterator[tuple[int, list[str]]]:
    """(the line each record starts on, its fields) after the header, blank lines skipped as
    pyarrow skips them; for error paths. ``strict`` raises _BadRecord for malformed quoting
    (a quote never closed) instead of reading on."""
    reader = csv.reader(io.StringIO(data.decode("utf-8-sig", errors="replace"), newline=""),
                        strict=strict)
    next(reader, None)
    start = reader.line_num + 1
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise _BadRecord(start, str(exc)) from None
        if record:
            yield start, record
        start = reader.line_num + 1


def _fail_on_field_counts(data: bytes, where: str | Path, columns: int) -> None:
    """Raise for the first record whose number of fields is not the header's (the error
    path of a file pyarrow refused, so the message can name the line)."""
    try:
        for line, record in _records(data, strict=True):
            if len(record) != columns:
                raise InputError(
                    f"this row has {len(record)} fields but the header has {columns} columns: "
                    "a separator missing or added shifts every later field into the wrong "
                    "column", path=where, line=line)
    except _BadRecord as bad:
        raise InputError(f"not well-formed CSV: {bad} (a quote not closed?)", path=where,
                         line=bad.line) from None


def _convert(values: pa.ChunkedArray, name: str, data: bytes, where: str | Path) -> pa.Array:
    column = schema.BY_NAME[name]
    empty = pc.equal(values, "")
    if column.is_list:
        text = restore(values)
        return pc.if_else(empty, pa.scalar([], column.arrow_type),
                          pc.split_pattern(text, LIST_SEPARATOR)).cast(column.arrow_type)
    if column.is_text:
        return pc.if_else(empty, pa.scalar(None, pa.string()), restore(values))
    nullable = pc.if_else(empty, pa.scalar(None, pa.string()), values)
    if pa.types.is_integer(column.arrow_type):
        valid = pc.or_kleene(pc.is_null(nullable), pc.match_substring_regex(nullable, r"^\d+$"))
        _fail_on_first_invalid(valid, data, where, name, "a whole number of 0 or more")
        return _cast(nullable, column.arrow_type, data, where, name, "a whole number of 0 or more")
    pattern = (r"^\d{4}-\d{2}-\d{2}$" if pa.types.is_date(column.arrow_type)
               else r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$")
    valid = pc.or_kleene(pc.is_null(nullable), pc.match_substring_regex(nullable, pattern))
    expected = "a date as YYYY-MM-DD" if pa.types.is_date(column.arrow_type) else (
        "a timestamp as YYYY-MM-DDTHH:MM:SSZ")
    _fail_on_first_invalid(valid, data, where, name, expected)
    if pa.types.is_timestamp(column.arrow_type):
        # A timestamp without an offset is taken as UTC, the offset the exporter writes.
        has_offset = pc.match_substring_regex(nullable, r"(Z|[+-]\d{2}:?\d{2})$")
        nullable = pc.if_else(has_offset, nullable, pc.binary_join_element_wise(nullable, "Z", ""))
    return _cast(nullable, column.arrow_type, data, where, name, expected)


def _cast(values: pa.ChunkedArray, arrow_type: pa.DataType, data: bytes, where: str | Path,
          name: str, expected: str) -> pa.ChunkedArray:
    """Cast checked text; a cell that has the right shape but no value ('2024-02-30', a number
    beyond 64 bits) is reported with its line like any other bad cell."""
    try:
        return values.cast(arrow_type)
    except pa.ArrowInvalid:
        pass
    for row, value in enumerate(values.to_pylist()):  # the error path only: find the cell
        try:
            pa.scalar(value, pa.string()).cast(arrow_type)
        except pa.ArrowInvalid:
            line, cell = _locate(data, row, name)
            raise InputError(f"expected {expected}, found {cell!r}", path=where, line=line,
                             field=name) from None
    raise InputError(f"expected {expected}", path=where, field=name)


def _fail_on_first_invalid(valid: pa.ChunkedArray, data: bytes, where: str | Path, name: str,
                           expected: str) -> None:
    if pc.all(valid, min_count=0).as_py():  # min_count=0: a header-only file is all valid
        return
    row = pc.index(valid, False).as_py()
    line, value = _locate(data, row, name)
    raise InputError(f"expected {expected}, found {value!r}", path=where, line=line, field=name)


def _require(table: pa.Table, name: str, data: bytes, where: str | Path) -> None:
    missing = pc.is_null(table[name])
    if pc.any(missing).as_py():
        line, _ = _locate(data, pc.index(missing, True).as_py(), name)
        raise InputError("this field must not be empty", path=where, line=line, field=name)


def _locate(data: bytes, row: int, name: str) -> tuple[int, str]:
    """The file line on which data row ``row`` starts (cells may hold newlines) and its cell."""
    names = [n.strip() for n in _header(data, "CSV")]
    column = names.index(name) if name in names else None
    for index, (line, record) in enumerate(_records(data)):
        if index == row:
            return line, record[column] if column is not None and column < len(record) else ""
    return row + 2, ""
