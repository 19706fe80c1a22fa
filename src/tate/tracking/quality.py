"""Track-quality measures: NEES, identity switches, track breaks, time to confirm.

* NEES ε = (x − x̂)ᵀ P⁻¹ (x − x̂) of each estimate; for a consistent filter it
  is chi-square with k degrees of freedom (Bar-Shalom et al. 2001, §5.4.2).
* Continuity, from the per-scan assignment of truths to track ids (e.g. the
  GOSPA assignment of :func:`tate.tracking.metrics.gospa`, −1 for none): an
  identity switch is a truth assigned to a different track id than the last
  track it had; a break is a truth that had a track, lost it for at least one
  scan and got one back; time to confirm is the first scan time a truth has a
  track, less the first time it is present.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = ["Continuity", "continuity", "nees"]

F64 = NDArray[np.float64]
I64 = NDArray[np.intp]


def nees(x_true: F64, x_est: F64, P: F64) -> F64:
    """Normalised estimation error squared of each row ``(n, k)`` with ``P (n, k, k)``."""
    e = np.asarray(x_true, float) - np.asarray(x_est, float)
    L = np.linalg.cholesky(P)
    w = np.linalg.solve(L, e[..., None])[..., 0]
    return np.einsum("ni,ni->n", w, w)


@dataclass(frozen=True)
class Continuity:
    """Continuity counts over a run, one entry per truth id (sorted)."""

    truth_ids: I64
    id_switches: I64
    breaks: I64
    time_to_confirm: F64  #: [s]; NaN for a truth never tracked


def continuity(time: F64, truth_id: I64, track_id: I64) -> Continuity:
    """Count identity switches and breaks from rows (scan time, truth id, assigned track id).

    Rows may come in any order; ``track_id`` is −1 where the truth had no track.
    """
    time = np.asarray(time, float)
    truth_id = np.asarray(truth_id, np.intp)
    track_id = np.asarray(track_id, np.intp)
    ids = np.unique(truth_id)
    switches = np.zeros(ids.size, np.intp)
    breaks = np.zeros(ids.size, np.intp)
    ttc = np.full(ids.size, np.nan)
    for i, tid in enumerate(ids):
        sel = np.flatnonzero(truth_id == tid)
        sel = sel[np.argsort(time[sel], kind="stable")]
        seq = track_id[sel]
        held = seq >= 0
        if held.any():
            ttc[i] = time[sel][np.argmax(held)] - time[sel][0]
        assigned = seq[held]
        switches[i] = int(np.count_nonzero(assigned[1:] != assigned[:-1]))
        first = int(np.argmax(held)) if held.any() else seq.size
        gaps = np.flatnonzero(np.diff(held[first:].astype(np.int8)) == 1)
        breaks[i] = gaps.size
    return Continuity(ids, switches, breaks, ttc)
