"""A small per-process cache whose entries expire after a few seconds: for reads that many
requests repeat (the newest activities of a category, the most popular ones) and that may lag a
few seconds in other processes. What is cached is ids, never cards: every page still loads its
cards (and the member's like state) from the database, filtered as open and enabled."""
from __future__ import annotations

import threading
import time
from typing import Callable, Generic, Hashable, TypeVar

from django.db.models.signals import post_delete, post_save

Value = TypeVar("Value")


class ExpiringCache(Generic[Value]):
    """Entries live `seconds()` seconds; saving or deleting a row of any of `cleared_by` empties
    the cache at once in the process that saved it (other processes catch up when entries expire)."""

    def __init__(self, name: str, seconds: Callable[[], float], cleared_by: tuple = (), size: int = 256):
        self._seconds = seconds  # read on every store: settings overridden in tests take effect
        self._size = size
        self._entries: dict[Hashable, tuple[float, Value]] = {}
        self._lock = threading.Lock()
        for model in cleared_by:
            for signal in (post_save, post_delete):
                signal.connect(self._on_change, sender=model, weak=False, dispatch_uid=f"{name}:{signal}:{model}")

    def _on_change(self, **_kwargs) -> None:
        self.clear()

    def get_many(self, keys: list[Hashable], compute: Callable[[list[Hashable]], dict[Hashable, Value]]) -> dict:
        """The cached value of each key; the missing or expired ones computed together in one call."""
        now = time.monotonic()
        with self._lock:
            found = {key: entry[1] for key in keys if (entry := self._entries.get(key)) and entry[0] > now}
        missing = [key for key in keys if key not in found]
        if missing:
            computed = compute(missing)
            seconds = self._seconds()
            if seconds > 0:
                with self._lock:
                    if len(self._entries) + len(computed) > self._size:
                        self._entries.clear()
                    expires = time.monotonic() + seconds
                    self._entries.update((key, (expires, value)) for key, value in computed.items())
            found.update(computed)
        return found

    def get(self, key: Hashable, compute: Callable[[], Value]) -> Value:
        return self.get_many([key], lambda _keys: {key: compute()})[key]

    def discard(self, keys: list[Hashable]) -> None:
        with self._lock:
            for key in keys:
                self._entries.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
