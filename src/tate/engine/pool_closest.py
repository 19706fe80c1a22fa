"""Closest approach of interceptor rounds to their targets inside one pool step, on the
compiled path (:meth:`tate.engine.pool.InterceptorPool._close_hits`).

Each round and its target are cubic Hermite curves over the step from their positions
and velocities at both ends; the squared range is a polynomial of degree 6 in the step
fraction, whose derivative's real roots in [0, 1] (and the ends) give the closest
approach (:func:`tate.weapons.intercept.closest_approach_hermite`, the numpy
reference).  The polynomials come from one compiled call
(:func:`tate.engine._pool_jit.hermite_poly`), the roots from numpy's ``eigvals`` of the
companion matrices grouped by degree (as the reference's ``_roots``), the best time and
miss from :func:`tate.engine._pool_jit.best_on_step`: bit for bit the reference.

Units: s, m, m/s; frame ECEF.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from tate import jit

__all__ = ["closest_on_step"]

F64 = NDArray[np.float64]
#: the compiled kernels, imported at first use (so that importing this module loads no numba)
_PJ = jit.Kernels("tate.engine._pool_jit")


def closest_on_step(act: NDArray[np.intp], cand: NDArray[np.intp], p0: F64, v0: F64,
                    pos: F64, vel: F64, qa: F64, wa: F64, qb: F64, wb: F64,
                    h: float) -> tuple[F64, F64, NDArray[np.bool_]]:
    """Time of closest approach after the step's start [s], miss [m] and whether the
    range opens at the step's end ``(k,)`` of the pairs ``act[cand]``.

    Parameters
    ----------
    act, cand
        The step's rounds and the candidates among them (indices into ``act``).
    p0, v0
        Positions [m] and velocities [m/s] ``(3, len(act))`` of ``act`` at the start.
    pos, vel
        Every round's position [m] and velocity [m/s] ``(3, n)`` at the step's end.
    qa, wa, qb, wb
        Target positions [m] and velocities [m/s] ``(len(act), 3)`` at both ends.
    h
        Step length [s].
    """
    k = cand.size
    q, dq, d2q = np.empty((7, k)), np.empty((6, k)), np.empty((5, k))
    deg, comp = np.empty(k, np.intp), np.empty((k, 5, 5))
    opening = np.empty(k, bool)
    _PJ.hermite_poly(cand, act, p0, v0, pos, vel, qa, wa, qb, wb, h, q, dq, d2q, deg, comp,
                     opening)
    roots = np.full((5, k), np.nan)
    degs = deg.tolist()
    for j in sorted(set(degs)):
        if j == 0:
            continue
        sel = [i for i, x in enumerate(degs) if x == j] if k > 1 else slice(None)
        roots[:j, sel] = _PJ.eigvals_real(comp[sel, :j, :j]).T
    s, miss = np.empty(k), np.empty(k)
    _PJ.best_on_step(q, dq, d2q, roots, s, miss)
    return s * h, miss, opening
