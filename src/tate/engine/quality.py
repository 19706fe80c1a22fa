"""The track-quality record of an engagement's ticks, one GOSPA set per tick (reference).

Per tick: the live threats' truth (ENU [m]) against the confirmed tracks' positions, GOSPA
with cut-off ``c`` [m], ``p`` = 1, ``alpha`` = 2 (:func:`~tate.tracking.metrics.gospa_many`),
and the threats first held by a track (assigned to one).  The engine's own route stacks all
the ticks in one compiled call (:meth:`~tate.engine.engagement.Engagement._flush_quality`);
this is the route it must equal bit for bit.

References
----------
Rahmathullah, García-Fernández, Svensson, "Generalized optimal sub-pattern assignment
metric", FUSION 2017.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["QUALITY_KINDS", "quality_sets"]

F64 = NDArray[np.float64]
#: the record's columns' types: t, threats, tracks, GOSPA, localisation, missed, false
QUALITY_KINDS = (float, np.int64, np.int64, float, float, float, float)


def quality_sets(due: list[tuple[float, NDArray[np.intp], F64]], truth_enu: F64, c: float,
                 first_held: F64, ids: NDArray[Any]
                 ) -> tuple[tuple[NDArray[Any], ...], list[tuple[float, str, str, str]]]:
    """The record of the ticks ``due`` (t, live threat rows, track positions ``(m, 3)``),
    their live threats' truth ``truth_enu`` stacked in tick order: its columns
    (:data:`QUALITY_KINDS`) and the ``track-held`` events; the first-held times [s] of
    the threats first held set in ``first_held``."""
    from tate.tracking.metrics import gospa_many

    cut = np.cumsum([live.size for _, live, _ in due])[:-1].tolist()
    sets = list(zip(np.split(truth_enu, cut), [est for _, _, est in due], strict=True))
    scores = gospa_many(sets, c=c, p=1.0, alpha=2.0)
    rows, events = [], []
    for (t, live, est), g in zip(due, scores, strict=True):
        held = live[g.assignment >= 0] if live.size else live
        fresh = held[np.isnan(first_held[held])]
        first_held[fresh] = t
        events += [(t, "track-held", str(ids[j]), "") for j in fresh.tolist()]
        rows.append((t, int(live.size), int(est.shape[0]), g.distance, g.localisation,
                     g.missed, g.false))
    cols = tuple(np.array(col, k) for col, k in zip(zip(*rows, strict=True), QUALITY_KINDS,
                                                    strict=True))
    return cols, events
