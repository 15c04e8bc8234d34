"""Worker processes for the pure-Python steps (tagging, term counting), safe under Streamlit.

They are started with "spawn": forking a process that runs a web server's threads is not safe.
A spawned worker first re-runs the parent's ``__main__`` script, and under Streamlit that is the
page being shown (Streamlit installs each script it runs as ``__main__``): a worker would draw a
page instead of counting words, and the pool would break. So workers are started while
``__main__`` is a bare module, and each imports only what its function needs.

Workers die with their parent. A parent killed with ``kill -9`` never shuts its pool down, and
a worker waiting for its next item would wait forever (each worker holds the queue's other
end, so it never sees the end of it), keeping hundreds of MB and, through its handle on it,
multiprocessing's resource tracker alive. So each worker watches its parent process
(``_die_with_parent``) and exits when it is gone; the tracker then exits on its own.
"""

from __future__ import annotations

import os
import sys
import threading
import time
import types
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import islice
from multiprocessing import get_context
from typing import TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")
_IN_FLIGHT_PER_WORKER = 2
_PARENT_CHECK_SECONDS = 0.5


def map_in_workers(function: Callable[[Item], Result], items: Iterable[Item],
                   workers: int) -> Iterator[Result]:
    """``function`` over ``items`` in ``workers`` processes; results in the items' order.

    Items are taken from ``items`` as results are taken (two per worker in flight), so a
    generator of large items is never all in memory, here or in the pool's queue.
    """
    pending: deque[Future[Result]] = deque()
    items = iter(items)
    with ProcessPoolExecutor(workers, mp_context=get_context("spawn"),
                             initializer=_die_with_parent, initargs=(os.getpid(),)) as pool:
        main = sys.modules["__main__"]
        sys.modules["__main__"] = types.ModuleType("__main__")
        try:
            # Every worker process is started by these first submissions.
            pending.extend(pool.submit(function, item)
                           for item in islice(items, workers * _IN_FLIGHT_PER_WORKER))
        finally:
            sys.modules["__main__"] = main
        while pending:
            result = pending.popleft().result()
            pending.extend(pool.submit(function, item) for item in islice(items, 1))
            yield result


def _die_with_parent(parent: int) -> None:
    """In a worker: exit as soon as ``parent`` is no longer its parent process (it died, and
    the worker was handed to init). Polled from a daemon thread, which runs whatever the
    worker is busy with, and works wherever ``os.getppid`` does."""
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(_PARENT_CHECK_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="die-with-parent", daemon=True).start()
