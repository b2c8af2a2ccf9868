"""Named timing points that a benchmark can listen to. Nothing listens on a live site, where
`timed` costs one empty-list check."""
from __future__ import annotations

import time
from contextlib import contextmanager
from typing import Callable, Iterator

# (name, wall seconds, CPU seconds) for each timed block while a listener is attached.
Listener = Callable[[str, float, float], None]
_listeners: list[Listener] = []


@contextmanager
def timed(name: str) -> Iterator[None]:
    if not _listeners:
        yield
        return
    start, cpu_start = time.perf_counter(), time.process_time()
    try:
        yield
    finally:
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu_start
        for listener in list(_listeners):
            listener(name, wall, cpu)


@contextmanager
def listening(listener: Listener) -> Iterator[Listener]:
    """Attach `listener` to every timed block for the duration of the `with`."""
    _listeners.append(listener)
    try:
        yield listener
    finally:
        _listeners.remove(listener)
