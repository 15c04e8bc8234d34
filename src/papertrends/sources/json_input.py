"""JSON from outside (a saved file, an upload, an HTTP answer) read into Python values, or one
``InputError`` saying why not.

``json.loads`` raises more than ``JSONDecodeError`` on hostile input: a document nested
thousands of levels deep exhausts the recursion limit (``RecursionError``), and a number of
more than 4,300 digits trips Python's guard on converting long digit strings
(``ValueError``). Every reader of outside JSON goes through ``load_json``, so each of those is
a message naming the file and line, never a traceback or a run aborted halfway.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

from papertrends.common.errors import InputError

# What Python refuses to turn into an int (sys.get_int_max_str_digits, 4,300 by default).
_LONG_NUMBER = re.compile(rb"-?\d{%d,}" % (sys.get_int_max_str_digits() + 1))


def load_json(data: bytes, where: str | Path) -> Any:
    """The JSON value in ``data`` (UTF-8, a byte order mark allowed).

    Raises InputError naming ``where`` (and the line, when it is known) when the bytes are
    not UTF-8, not well-formed JSON, nested too deeply to read, or hold a number too long
    to convert.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (byte {exc.start})", path=where) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"not well-formed JSON: {exc.msg} (column {exc.colno})",
                         path=where, line=exc.lineno) from None
    except RecursionError:
        raise InputError("JSON nested too deeply to read (lists or objects inside each other "
                         "more than about a thousand levels; a list of papers is a few "
                         "levels deep)", path=where) from None
    except ValueError:  # Python's limit on converting long digit strings to int
        found = _LONG_NUMBER.search(data)
        line = data.count(b"\n", 0, found.start()) + 1 if found else None
        raise InputError(f"a JSON number of more than {sys.get_int_max_str_digits():,} digits "
                         f"({len(found.group()) if found else 'many'} digits): no count is "
                         "that large", path=where, line=line) from None
