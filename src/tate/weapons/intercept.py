"""Intercept assessment: closest approach inside a step, Pk against miss, kill draws.

**Closest approach.**  Over one integration step [0, h] the separation of an
interceptor and its target is a polynomial in the step fraction s = t/h:
constant-acceleration motion of both (:func:`closest_approach`) gives a
quadratic, cubic Hermite interpolation of both from the states at the two ends
of the step (:func:`closest_approach_hermite`, the interpolant the propagator
locates its events on) a cubic.  |d(s)|² is then a polynomial of degree 4 or 6
whose minimum over [0, 1] is at an end or at a real root of its derivative; the
roots of all pairs are found at once as eigenvalues of companion matrices
(pairs grouped by the derivative's effective degree), polished by two Newton
steps, and the smallest |d| among the ends and the roots is taken.  The miss is
therefore never quantised by the step (Hairer, Nørsett & Wanner, *Solving ODEs
I*, §II.6 for the Hermite dense output).

**Pk against miss** (smooth, monotone non-increasing, Pk(0) = pk_max):

* hit-to-kill, a cookie cutter with a soft edge:
  Pk = pk_max · Φ((R − m)/(εR)) / Φ(1/ε), R the effective hit radius (kill
  vehicle plus the target's lethal area), ε = ``edge`` the relative width of the
  edge (default 0.1); Pk(R) ≈ pk_max/2.
* blast-fragmentation, a Gaussian fall-off (a Carleton damage function):
  Pk = pk_max · 2^(−(m/R_L)²), so R_L is the miss at which Pk halves.
* gun, per round: a circular normal dispersion of σ = σ_θ·range per axis centred
  on the target hits a disc of radius a with probability 1 − exp(−a²/2σ²)
  (Rayleigh distribution of the radial error); n independent rounds kill with
  1 − (1 − p_k|hit · p_hit)^n (no bias common to the burst).

**Kill draw.**  Bernoulli(Pk) from a passed :class:`numpy.random.Generator`.

References: Ball, *The Fundamentals of Aircraft Combat Survivability Analysis
and Design*, 2nd ed., 2003, ch. 5 (Carleton and cookie-cutter damage functions,
circular normal miss distributions); Driels, *Weaponeering*, 2nd ed., 2013, ch. 6.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import ndtr

__all__ = [
    "closest_approach",
    "closest_approach_hermite",
    "draw_kill",
    "pk_blast_frag",
    "pk_gun_burst",
    "pk_gun_round",
    "pk_hit_to_kill",
]

F64 = NDArray[np.float64]
DEGREE_TOL = 1e-10  #: a leading coefficient below this fraction of the largest is dropped


def _poly_dist2(c: F64) -> F64:
    """Coefficients of |d(s)|², ``(2d+1, k)``, from those of d(s), ``(d+1, 3, k)``."""
    d = c.shape[0] - 1
    q = np.zeros((2 * d + 1, c.shape[2]))
    dots: dict[tuple[int, int], F64] = {}  # c_i·c_j = c_j·c_i bit for bit: each once
    for i in range(d + 1):
        for j in range(d + 1):
            key = (i, j) if i <= j else (j, i)
            e = dots.get(key)
            if e is None:
                e = dots[key] = np.einsum("xk,xk->k", c[i], c[j])
            q[i + j] += e
    return q


def _polyval(p: F64, s: F64) -> F64:
    """Evaluate polynomials ``p (m+1, k)`` (ascending) at ``s (..., k)`` (Horner)."""
    out = np.zeros(s.shape)
    for coef in p[::-1]:
        out = out * s + coef
    return out


def _roots(p: F64) -> F64:
    """Real parts of all roots of ``p (m+1, k)`` (ascending), ``(m, k)``, NaN-padded."""
    m, k = p.shape[0] - 1, p.shape[1]
    out = np.full((m, k), np.nan)
    scale = np.abs(p).max(axis=0)
    scale = np.where(scale > 0, scale, 1.0)
    big = np.abs(p[1:]) > DEGREE_TOL * scale  # (m, k): coefficient j + 1 counts
    deg = np.where(big.any(axis=0), m - np.argmax(big[::-1], axis=0), 0)  # the last one
    for j in np.unique(deg).tolist():
        if j == 0:
            continue
        sel = np.flatnonzero(deg == j)
        lead = p[j, sel]
        comp = np.zeros((sel.size, j, j))
        comp[:, 0, :] = -(p[j - 1::-1, sel] / lead).T  # monic, descending coefficients
        if j > 1:
            idx = np.arange(j - 1)
            comp[:, idx + 1, idx] = 1.0
        out[:j, sel] = np.linalg.eigvals(comp).real.T
    return out


SCALAR_MAX_PAIRS = 4  #: pairs up to which :func:`_min_over_step` polishes on floats


def _horner(p: list[float], s: float) -> float:
    """:func:`_polyval` of one polynomial ``p`` (ascending) at one point, same operations."""
    out = 0.0
    for coef in reversed(p):
        out = out * s + coef
    return out


def _best_on_floats(q: F64, dq: F64, d2q: F64, s: F64) -> tuple[F64, F64]:
    """:func:`_min_over_step_numpy` after the roots, on Python floats, same results.

    The same Newton polish, ``nan_to_num``, ``clip`` (``x`` kept on a tie), candidates
    ``[0, 1, roots]`` and ``argmin`` (first smallest, a NaN first) per pair.
    """
    big = float(np.finfo(float).max)
    s_out, miss = [], []
    for qc, dqc, d2c, roots in zip(q.T.tolist(), dq.T.tolist(), d2q.T.tolist(),
                                   s.T.tolist(), strict=True):
        cands = [0.0, 1.0]
        for r in roots:
            for _ in range(2):
                fp = _horner(d2c, r)
                if math.isfinite(r) and abs(fp) > 0:
                    r = r - _horner(dqc, r) / fp
            r = 0.0 if r != r else (big if r > big else (-big if r < -big else r))
            r = 0.0 if r < 0.0 else r
            cands.append(1.0 if r > 1.0 else r)
        best, best_d = 0, _horner(qc, 0.0)
        if best_d == best_d:
            for i in range(1, len(cands)):
                d = _horner(qc, cands[i])
                if d != d:
                    best, best_d = i, d
                    break
                if d < best_d:
                    best, best_d = i, d
        s_out.append(cands[best])
        miss.append(math.sqrt(best_d if best_d > 0.0 or best_d != best_d else 0.0))
    return np.array(s_out), np.array(miss)


def _min_over_step(c: F64) -> tuple[F64, F64]:
    """Fraction of the step in [0, 1] and distance of the minimum of |d(s)| ``(k,)``.

    :func:`_min_over_step_numpy` with the Newton polish and the choice among the
    candidates on Python floats for a few pairs (the usual case: one or two rounds
    closing in a step), where numpy's per-call overhead dominates.
    """
    if c.shape[2] > SCALAR_MAX_PAIRS:
        return _min_over_step_numpy(c)
    q = _poly_dist2(c)
    dq = q[1:] * np.arange(1, q.shape[0])[:, None]
    d2q = dq[1:] * np.arange(1, dq.shape[0])[:, None]
    return _best_on_floats(q, dq, d2q, _roots(dq))


def _min_over_step_numpy(c: F64) -> tuple[F64, F64]:
    """:func:`_min_over_step` on arrays (the reference of the float form)."""
    q = _poly_dist2(c)
    dq = q[1:] * np.arange(1, q.shape[0])[:, None]
    d2q = dq[1:] * np.arange(1, dq.shape[0])[:, None]
    s = _roots(dq)
    for _ in range(2):  # Newton polish on the derivative
        f, fp = _polyval(dq, s), _polyval(d2q, s)
        ok = np.isfinite(s) & (np.abs(fp) > 0)
        s = np.where(ok, s - f / np.where(ok, fp, 1.0), s)
    s = np.clip(np.nan_to_num(s, nan=0.0), 0.0, 1.0)
    k = c.shape[2]
    cand = np.vstack([np.zeros((1, k)), np.ones((1, k)), s])
    dist2 = _polyval(q, cand)
    best = np.argmin(dist2, axis=0)
    cols = np.arange(k)
    return cand[best, cols], np.sqrt(np.maximum(dist2[best, cols], 0.0))


def closest_approach(p0: F64, v0: F64, a0: F64, q0: F64, w0: F64, b0: F64,
                     dt: float) -> tuple[F64, F64]:
    """Closest approach of pairs moving with constant accelerations over one step.

    Parameters
    ----------
    p0, v0, a0
        Interceptor position [m], velocity [m/s] and acceleration [m/s^2] at the
        start of the step, ``(3, k)``.
    q0, w0, b0
        The same for the targets, ``(3, k)``.
    dt
        Step [s].

    Returns
    -------
    t_ca
        Time of closest approach after the start of the step, in [0, dt] ``(k,)`` [s].
    miss
        Distance at that time ``(k,)`` [m].
    """
    c = np.stack([q0 - p0, (w0 - v0) * dt, 0.5 * (b0 - a0) * dt * dt])
    s, miss = _min_over_step(c)
    return s * dt, miss


def closest_approach_hermite(p0: F64, v0: F64, p1: F64, v1: F64, q0: F64, w0: F64,
                             q1: F64, w1: F64, dt: float) -> tuple[F64, F64]:
    """Closest approach on the cubic Hermite interpolants of both bodies over one step.

    ``p0, v0, p1, v1``: interceptor position [m] and velocity [m/s] at the start and
    end of the step; ``q0, w0, q1, w1``: the targets'; all ``(3, k)``.  Returns as
    :func:`closest_approach`.
    """
    d0, d1 = q0 - p0, q1 - p1
    e0, e1 = (w0 - v0) * dt, (w1 - v1) * dt
    c = np.stack([d0, e0, 3.0 * (d1 - d0) - 2.0 * e0 - e1, 2.0 * (d0 - d1) + e0 + e1])
    s, miss = _min_over_step(c)
    return s * dt, miss


def pk_hit_to_kill(miss: ArrayLike, body_radius_m: ArrayLike, pk_max: ArrayLike,
                   edge: float = 0.1) -> F64:
    """Kill probability of a hit-to-kill vehicle against miss distance.

    Parameters
    ----------
    miss
        Miss distance [m].
    body_radius_m
        Effective hit radius R [m] (kill vehicle plus the target's lethal area).
    pk_max
        Kill probability of a centred hit [-].
    edge
        Width of the soft edge as a fraction of R [-].

    Returns
    -------
    Pk = pk_max Φ((R − miss)/(edge R)) / Φ(1/edge) [-].
    """
    r = np.asarray(body_radius_m, float)
    w = edge * r
    return np.asarray(np.asarray(pk_max, float) * ndtr((r - np.asarray(miss, float)) / w)
                      / ndtr(1.0 / edge))


def pk_blast_frag(miss: ArrayLike, lethal_radius_m: ArrayLike, pk_max: ArrayLike) -> F64:
    """Kill probability of a blast-fragmentation warhead, pk_max · 2^(−(miss/R_L)²) [-].

    ``lethal_radius_m`` R_L [m] is the miss at which Pk falls to half of ``pk_max``.
    """
    x = np.asarray(miss, float) / np.asarray(lethal_radius_m, float)
    return np.asarray(np.asarray(pk_max, float) * np.exp2(-x * x))


def pk_gun_round(range_m: ArrayLike, dispersion_rad: ArrayLike, target_radius_m: ArrayLike,
                 pk_hit: ArrayLike = 1.0) -> F64:
    """Kill probability of one round of a gun aimed at the target's centre [-].

    Parameters
    ----------
    range_m
        Range to the target [m].
    dispersion_rad
        Angular dispersion per axis (one standard deviation) [rad].
    target_radius_m
        Radius of the target's presented disc [m].
    pk_hit
        Kill probability given a hit [-].
    """
    sigma = np.asarray(dispersion_rad, float) * np.asarray(range_m, float)
    a = np.asarray(target_radius_m, float)
    p_hit = -np.expm1(-(a * a) / (2.0 * sigma * sigma))
    return np.asarray(np.asarray(pk_hit, float) * p_hit)


def pk_gun_burst(range_m: ArrayLike, rounds: ArrayLike, dispersion_rad: ArrayLike,
                 target_radius_m: ArrayLike, pk_hit: ArrayLike = 1.0) -> F64:
    """Kill probability of ``rounds`` independent rounds, 1 − (1 − p)^n [-]
    (p from :func:`pk_gun_round`)."""
    p = pk_gun_round(range_m, dispersion_rad, target_radius_m, pk_hit)
    return np.asarray(-np.expm1(np.asarray(rounds, float) * np.log1p(-p)))


def draw_kill(pk: ArrayLike, rng: np.random.Generator) -> NDArray[np.bool_]:
    """Bernoulli kill draws: True with probability ``pk`` (one uniform per element)."""
    p = np.asarray(pk, float)
    return np.asarray(rng.random(p.shape) < p)
