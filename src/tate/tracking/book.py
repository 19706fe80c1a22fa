"""The tracker's bookkeeping of its tracks: one row per track (ids, M-of-N hit window,
scan and miss counts, confirmation, score, initiation and last-detection times [s],
detection count), aligned with the rows of the filter state (:mod:`.tracker`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__: list[str] = []

F64 = NDArray[np.float64]
I64 = NDArray[np.intp]


@dataclass
class _Book:
    """Track bookkeeping, one row per track, aligned with the filter state."""

    ids: I64
    hits_window: I64  #: bit i set: detection i scans ago
    scans: I64  #: scans since initiation
    misses: I64  #: consecutive misses
    confirmed: NDArray[np.bool_]
    score: F64  #: summed log-likelihood ratio (Blackman & Popoli 1999, §6.2)
    t_init: F64  #: initiation time [s]
    t_hit: F64  #: time of the last detection [s]
    n_hits: I64  #: detections since initiation

    FIELDS = ("ids", "hits_window", "scans", "misses", "confirmed", "score", "t_init",
              "t_hit", "n_hits")

    def take(self, keep: Any) -> _Book:
        return _Book(*(getattr(self, f)[keep] for f in self.FIELDS))

    @staticmethod
    def concat(a: _Book, b: _Book) -> _Book:
        return _Book(*(np.concatenate([getattr(a, f), getattr(b, f)]) for f in _Book.FIELDS))


def take_packed(xp: F64, bi: I64, keep: I64, dim: int) -> tuple[tuple[F64, I64], F64]:
    """Rows ``keep`` of the one-call path's packed state ``xp (n, k + 2, k)`` and book ``bi
    (6, n)`` (:func:`._batch_jit.radar_scans`), and the confirmed tracks' positions ``(r,
    dim)`` [m] of those rows (read-only), as that kernel returns them."""
    xp, bi = xp.take(keep, axis=0), bi.take(keep, axis=1)
    cpos = np.ascontiguousarray(xp[bi[5] != 0, 0, :dim])
    cpos.setflags(write=False)
    return (xp, bi), cpos
