"""A bounded, thread-safe in-process memo: :class:`Memo`.

Used for pure computations that repeat between the runs of a study in one worker (the
ballistic shooting passes of :mod:`tate.flight.targeting`, the subsonic flyers' flight of
:mod:`tate.flight.fly`): the caller builds the key from the exact inputs, so a hit is the
value computing again would give.  Least recently used entries go first; a lock guards the
table because Dask workers may run tasks in threads.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Generic, TypeVar

__all__ = ["Memo"]

V = TypeVar("V")


class Memo(Generic[V]):
    """At most ``size`` values by key, least recently used evicted first."""

    def __init__(self, size: int) -> None:
        if size < 1:
            raise ValueError(f"size must be >= 1, got {size}")
        self.size = size
        self._table: OrderedDict[bytes, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: bytes) -> V | None:
        """The value stored under ``key`` (now the most recently used), else None."""
        with self._lock:
            value = self._table.get(key)
            if value is not None:
                self._table.move_to_end(key)
            return value

    def put(self, key: bytes, value: V) -> None:
        """Store ``value`` under ``key``, evicting the least recently used beyond ``size``."""
        with self._lock:
            self._table[key] = value
            while len(self._table) > self.size:
                self._table.popitem(last=False)

    def clear(self) -> None:
        """Forget every value."""
        with self._lock:
            self._table.clear()

    def __len__(self) -> int:
        return len(self._table)
