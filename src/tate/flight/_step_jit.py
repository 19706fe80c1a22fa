"""Compiled kernels of a whole propagator step of the rocket models (numba).

The second implementation of :meth:`tate.flight.integrator.Propagator._step_compiled`
(after the models' ``update``) for propagators whose active models are all rockets
(:class:`~tate.flight.models.ballistic.Ballistic`,
:class:`~tate.flight.models.boost_glide.BoostGlide`): the four specific-force
evaluations of the RK4 step, the stages and the end-of-step screens in ONE call, instead
of four stage calls plus one Python call of every model's ``specific_force`` per stage.
It calls the same compiled kernels in the same order (:func:`tate.flight._eom_jit.
rk4_stage`, :func:`~tate.flight._eom_jit.rk4_last`, :func:`tate.flight.models.
_rocket_jit.ballistic_force`, :func:`~tate.flight.models._rocket_jit.glide_force`), so
its results are bit-identical to the four-call path; that path and the numpy reference
stay (``tests/unit/flight/test_step_jit.py`` compares them).

A model's forces come in a *force pack* (:meth:`Ballistic.force_pack`,
:meth:`BoostGlide.force_pack`), one tuple type for both kinds so that the packs of a
propagator form a homogeneous tuple the kernel loops over:
``(kind, start, stop, any_cut_speed, cavh, separated, rv_beta, inv_beta, ld, area, u_l,
u_s, thrust, mflow, plane, normal, steer)``; ``start:stop`` are the model's columns of the
state, arrays a kind does not use are empty.  Units and layouts as in
:mod:`tate.flight._eom_jit` (ECEF, SI, ``(3, n)`` vectors, ``(7, n)`` stacked state).

Also here: the adaptive run's step limit (:meth:`Propagator.steps_allowed` with the
rockets' :meth:`Ballistic.max_step` and :meth:`BoostGlide.max_step`, the same comparisons
in the same order, on *step packs* ``(kind, start, stop, separated, smooth, phase)``),
and the location of the apogee crossings inside a step
(:meth:`Propagator._locate_events` for the apogee event), the reference's 40 bisections
on the step's cubic Hermite with its arithmetic.

Importing this module imports numba; the integrator imports it only when the compiled
path is on (:mod:`tate.jit`).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import NDArray

from tate.flight._eom_jit import _UP_XY, _UP_Z, rk4_last, rk4_stage
from tate.flight.models._rocket_jit import ballistic_force, glide_force
from tate.flight.models.ballistic import EXO_ALT_M, EXO_STEP_S
from tate.flight.models.base import FORCE_BALLISTIC
from tate.flight.models.boost_glide import GLIDE_STEP_S
from tate.jit import njit

__all__ = ["apogee_crossings", "rocket_step", "steps_allowed"]

F64 = NDArray[np.float64]


@njit
def _pack_forces(t: float, s: F64, packs: tuple[Any, ...], up: F64, has_up: bool, speed: F64,
                 qbar: F64, mach: F64, acc: F64, mdot: F64) -> None:
    """Every pack's specific force and mass flow at the state ``s (7, n)`` into ``acc``,
    ``mdot`` (``Propagator._forces`` with the models' ``specific_force``)."""
    for p in packs:
        a, b = p[1], p[2]
        if a == b:  # a padding pack (tate.flight.recording.pad)
            continue
        pos, vel, mass = s[0:3, a:b], s[3:6, a:b], s[6, a:b]
        if has_up:
            u = up[:, a:b]
        else:
            u = pos
        if p[0] == FORCE_BALLISTIC:
            ballistic_force(t, pos, vel, mass, u, has_up, speed[a:b], qbar[a:b], p[6], p[5],
                            p[14], p[15], p[12], p[13], p[16], p[3], acc[:, a:b], mdot[a:b])
        else:
            glide_force(t, pos, vel, mass, u, has_up, speed[a:b], qbar[a:b], mach[a:b],
                        p[5], p[4], p[7], p[8], p[9], p[10], p[11], p[14], p[15], p[12],
                        p[13], p[16], p[3], acc[:, a:b], mdot[a:b])


@njit
def rocket_step(packs: tuple[Any, ...], t: float, h: float, reach: float, has_up: bool,
                y: F64, y0: F64, tmp: F64, k1: F64, k2: F64, k3: F64, k4: F64, acc: F64,
                mdot: F64, alive: NDArray[np.bool_], alt: F64, rho: F64, sound: F64,
                speed: F64, qbar: F64, mach: F64, grav: F64, up: F64, flags: int, cells: F64,
                h_rho: float, ground: bool, ground_alt: F64, armed: NDArray[np.bool_],
                aim: F64, apogee_sign: float) -> tuple[int, int, int, float]:
    """One RK4 step of ``Propagator._step_compiled`` with the packs' forces inline
    (``has_up``: ``up`` holds the ellipsoid normals; ``reach``: the aim screen's squared
    distance [m^2]; the other arguments as :func:`~tate.flight._eom_jit.rk4_last`'s).

    Returns what :func:`tate.flight._eom_jit.rk4_last` returns (ground, aim and event
    counts, the new state's largest speed)."""
    half = 0.5 * h
    _pack_forces(t, y, packs, up, has_up, speed, qbar, mach, acc, mdot)
    rk4_stage(y, y, k1, half, tmp, acc, mdot, alive, alt, rho, sound, speed, qbar, mach,
              grav, up, flags, cells, h_rho)
    _pack_forces(t + half, tmp, packs, up, has_up, speed, qbar, mach, acc, mdot)
    rk4_stage(tmp, y, k2, half, tmp, acc, mdot, alive, alt, rho, sound, speed, qbar, mach,
              grav, up, flags, cells, h_rho)
    _pack_forces(t + half, tmp, packs, up, has_up, speed, qbar, mach, acc, mdot)
    rk4_stage(tmp, y, k3, h, tmp, acc, mdot, alive, alt, rho, sound, speed, qbar, mach,
              grav, up, flags, cells, h_rho)
    _pack_forces(t + h, tmp, packs, up, has_up, speed, qbar, mach, acc, mdot)
    out: tuple[int, int, int, float] = rk4_last(
        tmp, y, y0, k1, k2, k3, k4, h, acc, mdot, alive, alt, rho, sound, speed, qbar, mach,
        grav, up, flags, cells, h_rho, ground, ground_alt, armed, aim, reach, apogee_sign)
    return out


@njit
def _vertical_speed(px: float, py: float, pz: float, vx: float, vy: float,
                    vz: float) -> float:
    """``integrator._vertical_speed`` of one state (``dot3(vel, ellipsoid_up(pos))``)."""
    ux, uy, uz = px * _UP_XY, py * _UP_XY, pz * _UP_Z
    inv = 1.0 / math.sqrt(ux * ux + uy * uy + uz * uz)
    return vx * (ux * inv) + vy * (uy * inv) + vz * (uz * inv)


@njit
def _hermite_1(p0: float, v0: float, p1: float, v1: float, h: float,
               s: float) -> tuple[float, float]:
    """``integrator.hermite`` of one component at the fraction ``s``: position,
    velocity (the same arithmetic)."""
    s2, s3 = s * s, s * s * s
    h00 = 2 * s3 - 3 * s2 + 1
    h10 = s3 - 2 * s2 + s
    h01 = -2 * s3 + 3 * s2
    h11 = s3 - s2
    pos = h00 * p0 + h * h10 * v0 + h01 * p1 + h * h11 * v1
    d00 = (6 * s2 - 6 * s) / h
    d10 = 3 * s2 - 4 * s + 1
    d01 = (-6 * s2 + 6 * s) / h
    d11 = 3 * s2 - 2 * s
    return pos, d00 * p0 + d10 * v0 + d01 * p1 + d11 * v1


@njit
def _hermite_at(y0: F64, y: F64, j: int, h: float, s: float) -> tuple[float, float, float,
                                                                         float, float, float]:
    """:func:`_hermite_1` of body ``j`` (columns of ``y0``, ``y`` ``(7, n)``)."""
    px, vx = _hermite_1(y0[0, j], y0[3, j], y[0, j], y[3, j], h, s)
    py, vy = _hermite_1(y0[1, j], y0[4, j], y[1, j], y[4, j], h, s)
    pz, vz = _hermite_1(y0[2, j], y0[5, j], y[2, j], y[5, j], h, s)
    return px, py, pz, vx, vy, vz


@njit
def apogee_crossings(y0: F64, y: F64, alive: NDArray[np.bool_], h: float, sign: float,
                     body: NDArray[np.intp], frac: F64, pos: F64) -> int:
    """``Propagator._locate_events`` for the apogee event: the live bodies whose signed
    vertical speed goes from > 0 at ``y0`` to <= 0 at ``y`` ``(7, n)`` (``sign``: the
    sign it has before the crossing), each located by 40 bisections of the fraction of
    the step ``h`` [s] on the step's cubic Hermite.  Writes the bodies, fractions and
    positions into ``body``, ``frac`` ``(n,)`` and ``pos`` ``(3, n)``; returns their
    count."""
    m = 0
    for j in range(y.shape[1]):
        if not alive[j]:
            continue
        g0 = _vertical_speed(y0[0, j], y0[1, j], y0[2, j], y0[3, j], y0[4, j], y0[5, j])
        g1 = _vertical_speed(y[0, j], y[1, j], y[2, j], y[3, j], y[4, j], y[5, j])
        if not (g0 * sign > 0.0 and g1 * sign <= 0.0):
            continue
        lo, hi = 0.0, 1.0
        for _ in range(40):
            mid = 0.5 * (lo + hi)
            px, py, pz, vx, vy, vz = _hermite_at(y0, y, j, h, mid)
            if _vertical_speed(px, py, pz, vx, vy, vz) * sign > 0.0:
                lo = mid
            else:
                hi = mid
        px, py, pz, _, _, _ = _hermite_at(y0, y, j, h, hi)
        body[m] = j
        frac[m] = hi
        pos[0, m] = px
        pos[1, m] = py
        pos[2, m] = pz
        m += 1
    return m


@njit
def _ballistic_max_step(a: int, b: int, alive: NDArray[np.bool_],
                        separated: NDArray[np.bool_], alt: F64, speed: F64) -> float:
    """``Ballistic.max_step`` of the live bodies among columns ``a:b`` (``separated``:
    the model's own flags, ``alt``, ``speed``: the whole environment's)."""
    for j in range(a, b):
        if alive[j] and not separated[j - a]:
            return 0.0
    room = math.inf
    for j in range(a, b):
        if not alive[j]:
            continue
        spd = speed[j]
        r = (alt[j] - EXO_ALT_M) / (spd if (spd >= 1.0 or spd != spd) else 1.0)
        if r != r:
            return math.nan
        if r < room:  # min(room, r)
            room = r
    room = room if room > 0.0 else 0.0  # max(0.0, room)
    return room if room < EXO_STEP_S else EXO_STEP_S  # min(EXO_STEP_S, room)


@njit
def steps_allowed(packs: tuple[Any, ...], alive: NDArray[np.bool_], alt: F64, speed: F64,
                  max_step: float, base: float, t_end: float, t: float) -> int:
    """``Propagator.steps_allowed`` of rocket models: the number of base steps ``base``
    [s] the next adaptive step from ``t`` [s] may take (the step packs' models with a live
    body in ``alive (n,)``; ``alt``, ``speed (n,)``: their present environment)."""
    hint = max_step
    everyone = True
    for j in range(alive.shape[0]):
        if not alive[j]:
            everyone = False
            break
    for p in packs:
        a, b = p[1], p[2]
        if a == b:  # a padding pack: no model (else its step limit would cap the step)
            continue
        if not everyone:
            live = False
            for j in range(a, b):
                if alive[j]:
                    live = True
                    break
            if not live:
                continue
        if p[0] == FORCE_BALLISTIC:
            m = _ballistic_max_step(a, b, alive, p[3], alt, speed)
        else:
            m = GLIDE_STEP_S
            smooth, phase = p[4], p[5]
            for j in range(a, b):
                if alive[j] and not (smooth[j - a] and phase[j - a] == 1):
                    m = 0.0
                    break
        if m < hint:  # min(hint, m): a NaN leaves the hint
            hint = m
        if hint / base + 1e-9 < 2.0:
            break
    k = math.floor(hint / base + 1e-9)
    left = math.ceil((t_end - t) / base - 1e-9)
    k = left if left < k else k
    return k if k > 1 else 1
