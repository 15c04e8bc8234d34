"""Worker processes for the pure-Python steps (tagging, term counting), safe under Streamlit.

They are started with "spawn": forking a process that runs a web server's threads is not safe.
A spawned worker first re-runs the parent's ``__main__`` script, and under Streamlit that is the
page being shown (Streamlit installs each script it runs as ``__main__``): a worker would draw a
page instead of counting words, and the pool would break. So workers are started while
``__main__`` is a bare module, and each imports only what its function needs.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from typing import TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


def map_in_workers(function: Callable[[Item], Result], items: Iterable[Item],
                   workers: int) -> Iterator[Result]:
    """``function`` over ``items`` in ``workers`` processes; results in the items' order."""
    with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
        main = sys.modules["__main__"]
        sys.modules["__main__"] = types.ModuleType("__main__")
        try:
            # map submits every item at once, so every worker process is started here.
            results = pool.map(function, items)
        finally:
            sys.modules["__main__"] = main
        yield from results
