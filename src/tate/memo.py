"""A bounded, thread-safe in-process memo: :class:`Memo`.

Used for pure computations that repeat between the runs of a study in one worker (the
ballistic shooting passes of :mod:`tate.flight.targeting`, the subsonic flyers' flight of
:mod:`tate.flight.fly`): the caller builds the key from the exact inputs, so a hit is the
value computing again would give.  Least recently used entries go first; a lock guards the
table because Dask workers may run tasks in threads.

A memo created with ``share=NAME`` can be handed to other processes: :func:`snapshot` packs
the entries of every such memo into bytes and :func:`restore` puts them into the memos of
the same names in another process (a study's parent does this for its workers, so a worker
does not redo the shooting passes the parent did when it loaded the scenario).  ``NAME`` is
``"module:attribute"`` of the memo, so :func:`restore` can import the module that defines
it.  An entry is the value of a pure function of its key, so a restored entry is what the
worker would have computed (bit for bit on the same platform).
"""

from __future__ import annotations

import importlib
import pickle
import threading
from collections import OrderedDict
from typing import Any, Generic, TypeVar

__all__ = ["Memo", "restore", "snapshot"]

V = TypeVar("V")


class Memo(Generic[V]):
    """At most ``size`` values by key, least recently used evicted first."""

    def __init__(self, size: int, share: str | None = None) -> None:
        if size < 1:
            raise ValueError(f"size must be >= 1, got {size}")
        self.size = size
        self._table: OrderedDict[bytes, V] = OrderedDict()
        self._lock = threading.Lock()
        if share is not None:
            if share.count(":") != 1:
                raise ValueError(f"share must be 'module:attribute', got {share!r}")
            _SHARED[share] = self

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


#: the memos created with ``share=`` by name
_SHARED: dict[str, Memo[Any]] = {}


def snapshot() -> bytes:
    """The entries of every shared memo of this process, pickled (least recent first)."""
    out = {}
    for name, memo in _SHARED.items():
        with memo._lock:
            if memo._table:
                out[name] = list(memo._table.items())
    return pickle.dumps(out, protocol=pickle.HIGHEST_PROTOCOL)


def restore(blob: bytes) -> int:
    """Put the entries of a :func:`snapshot` into this process's memos of the same names
    (importing their modules); returns the number of entries restored."""
    n = 0
    for name, items in pickle.loads(blob).items():
        if name not in _SHARED:
            importlib.import_module(name.split(":")[0])
        memo = _SHARED.get(name)
        if memo is None:
            raise ValueError(f"no shared memo named {name!r} in this process")
        for key, value in items:
            memo.put(key, value)
            n += 1
    return n
