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
* :func:`hermite_poly` and :func:`best_on_step` — the closest approach of
  :meth:`~tate.engine.pool.InterceptorPool._close_hits`
  (:func:`tate.weapons.intercept.closest_approach_hermite`) before and after its
  roots, which stay numpy's ``eigvals`` of the same companion matrices (numba's
  ``eigvals`` of a real matrix refuses complex roots, and LAPACK's complex solver
  would round differently); :func:`eigvals_real` calls numpy's ``eigvals`` without its
  Python wrapper.

Units: s, m, m/s; frame ECEF.  Importing this module imports numba (the pool imports
it lazily).
"""

from __future__ import annotations

import math

import numpy as np

from tate.jit import njit

__all__ = ["best_on_step", "eigvals_real", "hermite_poly", "seeker_error", "step_want"]


def eigvals_real(a: np.ndarray) -> np.ndarray:
    """``np.linalg.eigvals(a).real`` of a stack of real matrices ``(k, m, m)`` (float64):
    the same LAPACK gufunc (``_geev``, real input, complex output) without the wrapper's
    checks and error state, which cost several times the solve of a 5 × 5; non-finite
    input or a result that is not finite (no convergence) goes through
    ``np.linalg.eigvals`` for its ``LinAlgError``."""
    from numpy.linalg import _umath_linalg

    if not np.isfinite(a).all():
        return np.linalg.eigvals(a).real
    w = _umath_linalg.eigvals(a, signature="d->D").real
    if not np.isfinite(w).all():
        w = np.linalg.eigvals(a).real
    out: np.ndarray = w
    return out


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


@njit
def hermite_poly(cand: np.ndarray, act: np.ndarray, p0: np.ndarray, v0: np.ndarray,
                 pos: np.ndarray, vel: np.ndarray, qa: np.ndarray, wa: np.ndarray,
                 qb: np.ndarray, wb: np.ndarray, h: float, q: np.ndarray, dq: np.ndarray,
                 d2q: np.ndarray, deg: np.ndarray, comp: np.ndarray,
                 opening: np.ndarray) -> None:
    """|d(s)|² of the cubic Hermite separation of pairs ``act[cand]`` over a step of
    ``h`` [s] and its two derivatives, ascending ``q (7, k)``, ``dq (6, k)``, ``d2q (5,
    k)``; the effective degree of ``dq`` ``deg (k,)`` and its companion matrix in the
    top-left ``deg × deg`` of ``comp (k, 5, 5)``; ``opening (k,)`` whether the range
    opens at the step's end (relative position · relative velocity > 0, summed as the
    products ``c_i·c_j``).

    :func:`tate.weapons.intercept.closest_approach_hermite` up to its roots, with the
    same operations: ``c₂ = (3(d₁ − d₀) − 2e₀) − e₁``, ``c₃ = (2(d₀ − d₁) + e₀) + e₁``;
    the products ``c_i·c_j`` once per unordered pair, added into ``q[i + j]`` in the
    order of the double loop; ``einsum("xk,xk->k")`` over the pool's operands (``(3,
    k)`` with the axis contiguous: differences of transposed rows) sums the three in
    numpy's 2-lane SIMD order, ``(x₀y₀ + x₂y₂) + x₁y₁``; degrees and companions as
    ``_roots``.
    """
    k = cand.shape[0]
    c = np.empty((4, 3))
    dots = np.empty((4, 4))
    for n in range(k):
        i = cand[n]
        b = act[i]
        for x in range(3):
            d0 = qa[i, x] - p0[x, i]
            d1 = qb[i, x] - pos[x, b]
            e0 = (wa[i, x] - v0[x, i]) * h
            e1 = (wb[i, x] - vel[x, b]) * h
            c[0, x] = d0
            c[1, x] = e0
            c[2, x] = 3.0 * (d1 - d0) - 2.0 * e0 - e1
            c[3, x] = 2.0 * (d0 - d1) + e0 + e1
        r0, r1, r2 = qb[i, 0] - pos[0, b], qb[i, 1] - pos[1, b], qb[i, 2] - pos[2, b]
        u0, u1, u2 = wb[i, 0] - vel[0, b], wb[i, 1] - vel[1, b], wb[i, 2] - vel[2, b]
        opening[n] = (r0 * u0 + r2 * u2) + r1 * u1 > 0
        for a in range(4):
            for m in range(a, 4):
                e = (c[a, 0] * c[m, 0] + c[a, 2] * c[m, 2]) + c[a, 1] * c[m, 1]
                dots[a, m] = e
                dots[m, a] = e
        for m in range(7):
            q[m, n] = 0.0
        for a in range(4):
            for m in range(4):
                q[a + m, n] += dots[a, m]
        for m in range(6):
            dq[m, n] = q[m + 1, n] * (m + 1.0)
        for m in range(5):
            d2q[m, n] = dq[m + 1, n] * (m + 1.0)
        scale = 0.0
        for m in range(6):
            v = abs(dq[m, n])
            if v > scale or m == 0:
                scale = v
        scale = scale if scale > 0 else 1.0
        j = 0
        for m in range(5, 0, -1):
            if abs(dq[m, n]) > 1e-10 * scale:
                j = m
                break
        deg[n] = j
        for r in range(5):
            for s in range(5):
                comp[n, r, s] = 0.0
        if j > 0:
            lead = dq[j, n]
            for s in range(j):
                comp[n, 0, s] = -(dq[j - 1 - s, n] / lead)
            for s in range(j - 1):
                comp[n, s + 1, s] = 1.0


@njit
def _horner(p: np.ndarray, n: int, s: float) -> float:
    """Polynomial ``p[:, n]`` (ascending) at ``s`` (Horner, from 0)."""
    out = 0.0
    for m in range(p.shape[0] - 1, -1, -1):
        out = out * s + p[m, n]
    return out


@njit
def best_on_step(q: np.ndarray, dq: np.ndarray, d2q: np.ndarray, roots: np.ndarray,
                 s_out: np.ndarray, miss: np.ndarray) -> None:
    """:func:`tate.weapons.intercept._best_on_floats`: two Newton steps on each root of
    ``roots (5, k)`` (NaN-padded), NaN to 0, clipped to [0, 1]; among ``[0, 1, roots]``
    the first smallest |d|² (a NaN first); ``s_out`` the step fraction, ``miss`` [m]."""
    big = np.finfo(np.float64).max
    cands = np.empty(2 + roots.shape[0])
    for n in range(q.shape[1]):
        cands[0] = 0.0
        cands[1] = 1.0
        for m in range(roots.shape[0]):
            r = roots[m, n]
            for _ in range(2):
                fp = _horner(d2q, n, r)
                if math.isfinite(r) and abs(fp) > 0:
                    r = r - _horner(dq, n, r) / fp
            r = 0.0 if r != r else (big if r > big else (-big if r < -big else r))
            r = 0.0 if r < 0.0 else r
            cands[2 + m] = 1.0 if r > 1.0 else r
        best = 0
        best_d = _horner(q, n, 0.0)
        if best_d == best_d:
            for i in range(1, cands.shape[0]):
                d = _horner(q, n, cands[i])
                if d != d:
                    best, best_d = i, d
                    break
                if d < best_d:
                    best, best_d = i, d
        s_out[n] = cands[best]
        miss[n] = math.sqrt(best_d if best_d > 0.0 or best_d != best_d else 0.0)
