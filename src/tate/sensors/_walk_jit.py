"""One compiled call per chunk of a radar's walk: the scene, the time line and the hits.

:meth:`tate.sensors.radar_walk.RadarWalk.step` on the compiled path made three compiled
calls per chunk: the lazy scene (:func:`tate.sensors._chunk_jit.geometry`, through
:func:`tate.sensors.radar_scene.compiled_scene`), the time line
(:func:`tate.sensors._radar_jit.looks`, handed the scene's ``lazy`` tuple back from
Python, which numba had to type on every call: ~0.2 ms) and the hits' rows
(:func:`tate.sensors._chunk_jit.hits`).  :func:`walk` makes the same three calls, in the
same order with the same arguments, inside one compiled call: the same bits, the same
draws from the sensor's ``numpy.random.Generator`` (advanced in place), the scheduler's
state arrays updated in place as before.  The three-call sequence stays the reference
(``tests/unit/sensors/test_walk_jit.py`` compares them).  Frames and units: as
:func:`tate.sensors._chunk_jit.scene` (ECEF [m, m/s] in; the radar's range [m],
azimuth/elevation [rad], SNR [dB] out) and :func:`tate.sensors._radar_jit.looks` [s].
Not imported by ``tate`` itself.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from tate.jit import njit
from tate.sensors._chunk_jit import geometry, hits
from tate.sensors._radar_jit import looks

__all__ = ["walk"]

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]


@njit
def walk(safe: F64, vel: F64, alt: F64, codes: I64, alive: NDArray[np.bool_], spos: F64,
         lat: F64, lon: F64, heading: F64, salt: F64, faces: int, par: F64, swerling: int,
         nodes: F64, tables_db: F64, ts: F64, dt: float, history: I64,
         held: NDArray[np.bool_], next_due: F64, last_track_look: F64, credit: float,
         phase: float, spar: F64, fa_per_frame: float, fa_par: F64, rng: Any
         ) -> tuple[float, float, I64, F64, I64, I64, F64, I64, F64, F64]:
    """A radar's chunk of ``k`` look times: :func:`~tate.sensors._chunk_jit.geometry`
    (its arguments first, ``par`` the scene's), then
    :func:`~tate.sensors._radar_jit.looks` with the lazy P_d (``ts`` the look times,
    ``spar`` the scheduler's parameters, the scheduler's state, false-alarm parameters
    and ``rng`` as there), then :func:`~tate.sensors._chunk_jit.hits`.

    Returns ``looks``' results (credit, phase, counts, load, hit_i, hit_d, noise, fa_i,
    fa_rae) and the hits' rows ``(m, 7)``."""
    out, lazy = geometry(safe, vel, alt, codes, alive, spos, lat, lon, heading, salt, faces,
                         par, swerling, nodes, tables_db)
    credit, phase, counts, load, hit_i, hit_d, noise, fa_i, fa_rae = looks(
        ts, dt, alive, out[6], out[0], out[5], heading, history, held, next_due,
        last_track_look, credit, phase, spar, fa_per_frame, fa_par, rng, lazy)
    det = hits(out[0], out[1], out[2], out[3], out[4], par, hit_i, hit_d, noise)
    return credit, phase, counts, load, hit_i, hit_d, noise, fa_i, fa_rae, det
