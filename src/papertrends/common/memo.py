"""Memos: per-token work in the text passes (topic tagging, term analysis), and per-frame
work that several analyses of one page share."""

from __future__ import annotations

import functools
import weakref
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

Key = TypeVar("Key", bound=Hashable)
Value = TypeVar("Value")


class BoundedMemo(dict[Key, Value]):
    """``memo[token]`` is ``function(token)``, worked out once per distinct token.

    A few thousand words make up most abstracts, so a text pass becomes mostly dictionary
    lookups. Rare tokens (names, numbers) would pile up over a million papers, so the memo
    forgets everything once it holds ``limit`` entries; the common words come straight back.
    """

    def __init__(self, function: Callable[[Key], Value], limit: int = 500_000) -> None:
        super().__init__()
        self.function = function
        self.limit = limit

    def __missing__(self, key: Key) -> Value:
        if len(self) >= self.limit:
            self.clear()
        value = self[key] = self.function(key)
        return value


def once_per_frame(function: Callable[[Any], Value]) -> Callable[[Any], Value]:
    """``function(frame)`` worked out once for the last frame it was given.

    A page hands the same selected papers to several analyses, each of which starts from the
    same derived structure (the GitHub page flattens the linked repositories four times): the
    last frame's answer is kept, keyed by the frame itself and held weakly, so a new
    selection (a new frame) computes afresh and nothing outlives its frame. Frames are never
    changed in place by the pages.
    """
    last: list[tuple[weakref.ref, Value]] = []

    @functools.wraps(function)
    def memoised(frame: Any) -> Value:
        if last and last[0][0]() is frame:
            return last[0][1]
        value = function(frame)
        last[:] = [(weakref.ref(frame), value)]
        return value

    return memoised
