"""Compiled kernels of :class:`tate.engine.pool.InterceptorPool` (private; :mod:`tate.jit`).

Twins of the pool's numpy steps, each one call per pool step, with scalar arithmetic in
the order of the numpy reference (no ``fastmath``), so the two agree bit for bit:

* :func:`step_want` — :meth:`~tate.engine.pool.InterceptorPool._step_want_numpy` after
  the truth query: the longest step the rounds in flight allow [s].  Norms
  ``(x² + y²) + z²`` (``np.add.reduce`` over three), dot products summed from zero
  over the axes in order (``einsum``), ``np.maximum(a, b)`` as ``a`` if larger or NaN.
* :func:`seeker_error` — :meth:`~tate.engine.pool.InterceptorPool._seeker_error` after
  the normal draws, which stay numpy's (the caller draws them in the same order): the
  error across the line of sight, σ = hypot(σ_θ r, σ_g) per axis.  The reference's
  ``einsum("ij,ij->i")`` over rows of three sums in 2-lane SIMD order,
  ``(n₀u₀ + n₂u₂) + n₁u₁`` (numpy's baseline 128-bit vectors on x86-64 and arm64); the
  kernel does the same.

Units: s, m, m/s; frame ECEF.  Importing this module imports numba (the pool imports
it lazily).
"""

from __future__ import annotations

import math

import numpy as np

from tate.jit import njit

__all__ = ["seeker_error", "step_want"]


@njit
def _fmax(a: float, b: float) -> float:
    """``np.maximum(a, b)``: ``a`` if it is larger or NaN, else ``b``."""
    return a if a > b or a != a else b


@njit
def step_want(fly: np.ndarray, t_rel: float, tick: float, min_step: float,
              burn_step: float, steps_per_tgo: float, t_launch: np.ndarray,
              burnt_out: np.ndarray, t_vert: np.ndarray, pos: np.ndarray, vel: np.ndarray,
              pip: np.ndarray, threat: np.ndarray, q: np.ndarray, w: np.ndarray) -> float:
    """The longest step [s] for bodies ``fly`` over a tick of ``tick`` [s] at pool time
    ``t_rel`` [s]; ``q, w (h, 3)`` the true position and velocity of the targets of the
    bodies of ``fly`` with ``threat >= 0``, in that order."""
    want = tick
    n = fly.shape[0]
    if n == 0:
        return want
    vert = False
    burning = False
    for i in range(n):
        b = fly[i]
        if not burnt_out[b]:
            burning = True
            if t_rel - t_launch[b] < t_vert[b] + tick:
                vert = True
    if vert:
        want = min_step
    elif burning:
        want = burn_step
    best = np.inf
    found = False
    k = 0
    for i in range(n):
        b = fly[i]
        p0, p1, p2 = pos[0, b], pos[1, b], pos[2, b]
        v0, v1, v2 = vel[0, b], vel[1, b], vel[2, b]
        if threat[b] >= 0:
            r0, r1, r2 = q[k, 0] - p0, q[k, 1] - p1, q[k, 2] - p2
            d0, d1, d2 = w[k, 0] - v0, w[k, 1] - v1, w[k, 2] - v2
            k += 1
            rng = math.sqrt((r0 * r0 + r1 * r1) + r2 * r2)
            closing = -(((0.0 + r0 * d0) + r1 * d1) + r2 * d2) / _fmax(rng, 1e-9)
            floor = math.sqrt((d0 * d0 + d1 * d1) + d2 * d2) * 0.05 + 1.0
            t_go = rng / _fmax(closing, floor)
        else:
            sp = _fmax(math.sqrt((v0 * v0 + v1 * v1) + v2 * v2), 1.0)
            r0, r1, r2 = pip[0, b] - p0, pip[1, b] - p1, pip[2, b] - p2
            t_go = math.sqrt((r0 * r0 + r1 * r1) + r2 * r2) / sp
        if math.isfinite(t_go):
            if not found or t_go < best:
                best = t_go
            found = True
    if found:
        x = best / steps_per_tgo
        want = want if want < x else x
    return want


@njit
def seeker_error(act: np.ndarray, term: np.ndarray, q: np.ndarray, pos: np.ndarray,
                 noise_rad: np.ndarray, glint_m: np.ndarray, draws: np.ndarray,
                 err: np.ndarray) -> None:
    """Fill ``err (k, 3)`` [m] (zeros outside ``term``) for bodies ``act[term]`` looking
    at ``q (k, 3)`` [m] with standard normal ``draws (term.size, 3)``."""
    for j in range(term.shape[0]):
        i = term[j]
        b = act[i]
        l0, l1, l2 = q[i, 0] - pos[0, b], q[i, 1] - pos[1, b], q[i, 2] - pos[2, b]
        r = _fmax(math.sqrt((l0 * l0 + l1 * l1) + l2 * l2), 1e-9)
        u0, u1, u2 = l0 / r, l1 / r, l2 / r
        sigma = np.hypot(noise_rad[b] * r, glint_m[b])
        n0, n1, n2 = draws[j, 0], draws[j, 1], draws[j, 2]
        dot = (n0 * u0 + n2 * u2) + n1 * u1  # einsum's order over a row of three
        err[i, 0] = sigma * (n0 - dot * u0)
        err[i, 1] = sigma * (n1 - dot * u1)
        err[i, 2] = sigma * (n2 - dot * u2)
