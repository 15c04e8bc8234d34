"""A bounded memo for per-token work in the text passes (topic tagging, term analysis)."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TypeVar

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
