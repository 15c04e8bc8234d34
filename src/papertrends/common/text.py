"""Text helpers every layer shares."""

from __future__ import annotations

ELLIPSIS = "\N{HORIZONTAL ELLIPSIS}"


def shorten(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, an ellipsis marking the cut: a value a
    note repeats or a chart label shows may run to kilobytes (a 10,000-character "word")."""
    return text if len(text) <= limit else text[:max(0, limit - 1)] + ELLIPSIS
