"""Sources: turn outside data (saved pages, API responses, exported CSV or Parquet) into
schema tables.

Each format has its own module; this one picks the format of a file and reads it whole, so a
file that fails to parse raises before anything is stored.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa

from papertrends.collection import schema
from papertrends.common.errors import InputError
from papertrends.common.resources import package_path
from papertrends.sources import csv as csv_source
from papertrends.sources import hf_api, hf_page, parquet
from papertrends.sources.json_input import load_json

# The Papers page the package ships (data/ in the repository): the default collection, and
# the synthetic corpus's text.
SHIPPED_PAGE = package_path("shipped", "hf_papers_seed.txt")
FORMATS = ("auto", hf_page.FORMAT, hf_api.FORMAT, csv_source.FORMAT, parquet.FORMAT)


def detect_format(path: Path, data: bytes) -> str:
    if path.suffix.lower() == ".csv":
        return csv_source.FORMAT
    if parquet.looks_like_parquet(data):
        return parquet.FORMAT
    text = data[:20_000].decode("utf-8", errors="replace")
    if hf_api.looks_like_hf_api(text):
        return hf_api.FORMAT
    if csv_source.looks_like_csv(text):
        return csv_source.FORMAT
    if hf_page.looks_like_hf_page(text) or path.suffix.lower() in {".txt", ".md"}:
        return hf_page.FORMAT
    if path.suffix.lower() == ".json":
        held = hf_api.describe_json(load_json(data, path))
        if held:  # JSON, but not the list of papers a Daily Papers response is
            raise InputError(f"cannot tell the format: the file holds {held}, not a JSON list of "
                             f"papers (a Daily Papers API response, {hf_api.FORMAT})", path=path)
    raise InputError("cannot tell the format; pass --format "
                     f"({', '.join(FORMATS[1:])})", path=path)


def read_bytes(data: bytes, path: str | Path, *, fmt: str = "auto", year: int | None = None
               ) -> tuple[str, pa.Table]:
    """(format used, schema table) for one input; raises InputError naming file and line."""
    path = Path(path)
    if fmt == "auto":
        fmt = detect_format(path, data)
    label = f"{fmt}:{path.name}"
    if fmt == csv_source.FORMAT:
        return fmt, csv_source.parse_csv(data, path=path, source=label)
    if fmt == parquet.FORMAT:
        return fmt, parquet.parse_parquet(data, path=path, source=label)
    if fmt == hf_api.FORMAT:
        return fmt, hf_api.parse_hf_api(data, path=path, source=label, day=_day_named(path))
    if fmt == hf_page.FORMAT:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InputError(f"not UTF-8 text (byte {exc.start})", path=path) from None
        return fmt, schema.to_table(hf_page.parse_hf_page(text, year=year, path=path,
                                                          source=label))
    raise InputError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}", path=path)


def _day_named(path: Path) -> dt.date | None:
    """The Daily Papers date a saved response is named after ('2025-03-14.json'), if any:
    how a day is saved from ``/api/daily_papers?date=2025-03-14``."""
    try:
        return dt.date.fromisoformat(path.stem) if len(path.stem) == 10 else None
    except ValueError:
        return None


def read_path(path: str | Path, *, fmt: str = "auto", year: int | None = None
              ) -> tuple[str, pa.Table]:
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the file ({exc.strerror})", path=path) from None
    return read_bytes(data, path, fmt=fmt, year=year)
