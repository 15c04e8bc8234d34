"""Worker processes started from inside a Streamlit page."""

from __future__ import annotations

import sys
import types

from papertrends.common.workers import map_in_workers


def test_workers_do_not_run_the_page_that_started_them(tmp_path, monkeypatch) -> None:
    """Streamlit runs each page as ``__main__``; a spawned worker re-runs ``__main__`` unless
    told otherwise, and a large upload on the Data page then broke its worker pool."""
    page = tmp_path / "page.py"
    page.write_text("raise SystemExit('a worker process ran the page script')\n")
    script = types.ModuleType("__main__")
    script.__file__ = str(page)
    monkeypatch.setitem(sys.modules, "__main__", script)
    assert list(map_in_workers(len, ["ab", "abc", ""], workers=2)) == [2, 3, 0]
    assert sys.modules["__main__"] is script


def test_a_large_input_is_handed_to_the_workers_a_few_items_at_a_time() -> None:
    """A million papers are gigabytes of text: the workers get a few chunks ahead of the
    results taken, never a copy of everything at once."""
    taken: list[int] = []

    def items():
        for size in range(20):
            taken.append(size)
            yield "x" * size

    results = map_in_workers(len, items(), workers=2)
    assert next(results) == 0
    assert len(taken) <= 5
    assert list(results) == list(range(1, 20))
