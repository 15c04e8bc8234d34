"""OWASP CSV injection guard, in both directions.

A spreadsheet runs a cell that starts with ``= + - @``, a tab or a carriage return as a formula.
Export prefixes such cells with ``'``; import removes exactly one such prefix again, so a round
trip is exact. Cells that already start with quotes before a dangerous character get one more
quote, which keeps the two directions inverse to each other.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

_DANGEROUS = r"'*[=+\-@\t\r]"


def neutralise(values: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    return pc.replace_substring_regex(values, pattern=f"^({_DANGEROUS})", replacement="'\\1")


def restore(values: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    return pc.replace_substring_regex(values, pattern=f"^'({_DANGEROUS})", replacement="\\1")
