"""Homing and midcourse guidance laws of interceptors, vectorised over pursuers.

Every kernel works on ``(3, n)`` arrays of ``n`` pursuer–target pairs in one
Cartesian frame (ECEF in the flight models, a flat-Earth frame in the tests) and
returns a commanded acceleration ``(3, n)`` [m/s^2].  Notation: ``r = r_T − r_M``
(line of sight, LOS), ``v = v_T − v_M``, LOS rate ω = (r × v)/|r|², closing speed
V_c = −r·v/|r|, time to go t_go = −r·v/|v|².

=========  ==================================================  ====================
name       law                                                 command lies
=========  ==================================================  ====================
``pn``     pure PN:  a = N' ω × v_M                            ⊥ pursuer velocity
``tpn``    true PN:  a = N' V_c ω × r̂                          ⊥ LOS
``apn``    augmented PN:  a = tpn + ½ N' a_T⊥                  ⊥ LOS
``zem``    zero-effort miss:  a = N' ZEM⊥ / t_go²              ⊥ LOS
``pip``    midcourse to a predicted intercept point (PIP)      ⊥ pursuer velocity
=========  ==================================================  ====================

ω × r̂ = v⊥/|r| (v⊥ the part of ``v`` normal to the LOS), so ``tpn`` is
N' V_c v⊥/|r| and has magnitude N' V_c λ̇.  ``a_T⊥`` is the part of the target's
acceleration *relative to the pursuer's free fall* normal to the LOS (a flight
model passes the target's acceleration minus the pursuer's gravitational and
frame acceleration, so gravity cancels).  ZEM = r + v t_go + ½ a_T t_go² is the
miss if neither side manoeuvres from now on; with a_T = 0 and t_go = |r|/V_c,
ZEM⊥/t_go² = V_c v⊥/|r|, so ``zem`` equals ``tpn`` to first order in the
lateral velocity, and with a_T it equals ``apn`` to that order.

``pip`` flies toward a fixed point reached at a given time: the same
zero-effort-miss law with r = PIP − r_M, v = −v_M, the time to go set by the
engine (t_PIP − t), a_T = −(pursuer's gravity), and the miss taken normal to
the pursuer's velocity (its speed along the path is the booster's business).
With N' = 3 it is the minimum-∫a² law of a fixed final time (Bryson & Ho,
*Applied Optimal Control*, 1975, §5.3).

Where t_go ≤ 0 (opening geometry) or |r| = 0 the command is zero.

References: Zarchan, *Tactical and Strategic Missile Guidance*, 6th ed., 2012,
ch. 2 (PN), ch. 8 (APN and ZEM, eqs. 8.1–8.5); Shneydor, *Missile Guidance and
Pursuit*, 1998, ch. 5 (pure and true PN).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Protocol

import numpy as np
from numpy.typing import ArrayLike, NDArray

from tate.flight.eom import cross3, dot3

__all__ = [
    "GUIDANCE",
    "AugmentedPN",
    "GuidanceLaw",
    "PIPGuidance",
    "PurePN",
    "TruePN",
    "ZEMGuidance",
    "apn",
    "closing_speed",
    "guidance_law",
    "limit_accel",
    "los_rate",
    "normal_part",
    "pip",
    "pn",
    "time_to_go",
    "tpn",
    "zem",
]

F64 = NDArray[np.float64]


def _safe(x: F64) -> F64:
    return np.where(x > 0.0, x, 1.0)


def normal_part(a: F64, u: F64) -> F64:
    """The part of ``a (3, n)`` normal to the directions ``u (3, n)`` (any length; a zero
    ``u`` leaves ``a`` unchanged)."""
    uu = dot3(u, u)
    return a - (dot3(a, u) / _safe(uu)) * u


def los_rate(r_rel: F64, v_rel: F64) -> F64:
    """LOS angular velocity ω = (r × v)/|r|² ``(3, n)`` [rad/s]."""
    return cross3(r_rel, v_rel) / _safe(dot3(r_rel, r_rel))


def closing_speed(r_rel: F64, v_rel: F64) -> F64:
    """V_c = −r·v/|r| ``(n,)`` [m/s]; positive while closing."""
    return -dot3(r_rel, v_rel) / _safe(np.sqrt(dot3(r_rel, r_rel)))


def time_to_go(r_rel: F64, v_rel: F64) -> F64:
    """Time to closest approach at constant velocities, −r·v/|v|² ``(n,)`` [s]; negative
    once opening."""
    return -dot3(r_rel, v_rel) / _safe(dot3(v_rel, v_rel))


def pn(r_rel: F64, v_rel: F64, vel: F64, nprime: ArrayLike) -> F64:
    """Pure proportional navigation, a = N' ω × v_M.

    Parameters
    ----------
    r_rel, v_rel
        Target minus pursuer position [m] and velocity [m/s], ``(3, n)``.
    vel
        Pursuer velocity ``(3, n)`` [m/s].
    nprime
        Navigation ratio N' [-], scalar or ``(n,)``.

    Returns
    -------
    Command ``(3, n)`` [m/s^2], normal to ``vel``; |a| = N' V_M λ̇ when ``vel`` ⊥ ω.
    """
    return np.asarray(nprime, float) * cross3(los_rate(r_rel, v_rel), vel)


def tpn(r_rel: F64, v_rel: F64, nprime: ArrayLike) -> F64:
    """True proportional navigation, a = N' V_c ω × r̂ = N' V_c v⊥/|r| (normal to the LOS).

    Zero while opening (V_c ≤ 0).  Units as :func:`pn`.
    """
    r2 = dot3(r_rel, r_rel)
    vc = np.maximum(closing_speed(r_rel, v_rel), 0.0)
    v_perp = v_rel - (dot3(v_rel, r_rel) / _safe(r2)) * r_rel
    return (np.asarray(nprime, float) * vc / _safe(np.sqrt(r2))) * v_perp


def apn(r_rel: F64, v_rel: F64, a_target: F64, nprime: ArrayLike) -> F64:
    """Augmented PN: :func:`tpn` plus ½ N' times the target acceleration normal to the LOS.

    ``a_target`` ``(3, n)`` [m/s^2] is the target's acceleration relative to the
    pursuer's free fall (zero for two bodies falling in the same field).  Zero while
    opening.
    """
    n = np.asarray(nprime, float)
    closing = closing_speed(r_rel, v_rel) > 0.0
    return tpn(r_rel, v_rel, n) + np.where(closing, 0.5 * n, 0.0) * normal_part(a_target, r_rel)


def zem(r_rel: F64, v_rel: F64, nprime: ArrayLike, a_target: F64 | None = None,
        t_go: F64 | None = None) -> F64:
    """Zero-effort-miss guidance, a = N' ZEM⊥ / t_go², ZEM = r + v t_go + ½ a_T t_go².

    Parameters
    ----------
    r_rel, v_rel, nprime
        As :func:`pn`.
    a_target
        Target acceleration relative to the pursuer's free fall ``(3, n)`` [m/s^2];
        None: zero.
    t_go
        Time to go ``(n,)`` [s]; None: :func:`time_to_go`.

    Returns
    -------
    Command ``(3, n)`` [m/s^2] normal to the LOS; zero where t_go ≤ 0.
    """
    tg = time_to_go(r_rel, v_rel) if t_go is None else np.asarray(t_go, float)
    z = r_rel + v_rel * tg
    if a_target is not None:
        z += (0.5 * tg * tg) * a_target
    k = np.where(tg > 0.0, np.asarray(nprime, float) / _safe(tg * tg), 0.0)
    return k * normal_part(z, r_rel)


def pip(r_pip: F64, vel: F64, t_go: F64, nprime: ArrayLike, a_rel: F64 | None = None) -> F64:
    """Midcourse steering to a predicted intercept point reached after ``t_go``.

    a = N' ZEM⊥/t_go², ZEM = r_PIP − v_M t_go + ½ a_rel t_go², normal to ``vel``.

    Parameters
    ----------
    r_pip
        PIP minus pursuer position ``(3, n)`` [m].
    vel
        Pursuer velocity ``(3, n)`` [m/s].
    t_go
        Time left to the PIP ``(n,)`` [s]; zero command where ≤ 0.
    nprime
        Gain [-] (3: minimum control effort for a fixed final time).
    a_rel
        Acceleration of the PIP relative to the pursuer's free fall ``(3, n)``
        [m/s^2], i.e. minus the pursuer's gravitational acceleration; None: zero.
    """
    tg = np.asarray(t_go, float)
    z = r_pip - vel * tg
    if a_rel is not None:
        z += (0.5 * tg * tg) * a_rel
    k = np.where(tg > 0.0, np.asarray(nprime, float) / _safe(tg * tg), 0.0)
    return k * normal_part(z, vel)


def limit_accel(a: F64, a_max: ArrayLike) -> F64:
    """Scale each column of ``a (3, n)`` down to magnitude ``a_max`` [m/s^2] (scalar or
    ``(n,)``; the direction is kept)."""
    mag = np.sqrt(dot3(a, a))
    scale = np.minimum(1.0, np.asarray(a_max, float) / _safe(mag))
    return a * np.where(mag > 0.0, scale, 1.0)


class GuidanceLaw(Protocol):
    """A guidance law: one verb, vectorised over pursuers."""

    @property
    def name(self) -> str:
        """The registry name."""
        ...

    def command(self, r_rel: F64, v_rel: F64, vel: F64, a_target: F64, t_go: F64,
                nprime: ArrayLike) -> F64:
        """Commanded acceleration ``(3, n)`` [m/s^2].

        ``r_rel``, ``v_rel``: target (or PIP) minus pursuer; ``vel``: pursuer
        velocity; ``a_target``: target acceleration relative to the pursuer's free
        fall; ``t_go`` ``(n,)`` [s]: the engine's time to go (used by ``pip`` only);
        ``nprime``: navigation ratio, scalar or ``(n,)`` (bodies of several presets
        fly one model, so the gain is an argument rather than a field).
        """
        ...


@dataclass(frozen=True)
class PurePN:
    """:func:`pn`."""

    name: str = "pn"

    def command(self, r_rel: F64, v_rel: F64, vel: F64, a_target: F64, t_go: F64,
                nprime: ArrayLike) -> F64:
        """See :class:`GuidanceLaw`."""
        return pn(r_rel, v_rel, vel, nprime)


@dataclass(frozen=True)
class TruePN:
    """:func:`tpn`."""

    name: str = "tpn"

    def command(self, r_rel: F64, v_rel: F64, vel: F64, a_target: F64, t_go: F64,
                nprime: ArrayLike) -> F64:
        """See :class:`GuidanceLaw`."""
        return tpn(r_rel, v_rel, nprime)


@dataclass(frozen=True)
class AugmentedPN:
    """:func:`apn`."""

    name: str = "apn"

    def command(self, r_rel: F64, v_rel: F64, vel: F64, a_target: F64, t_go: F64,
                nprime: ArrayLike) -> F64:
        """See :class:`GuidanceLaw`."""
        return apn(r_rel, v_rel, a_target, nprime)


@dataclass(frozen=True)
class ZEMGuidance:
    """:func:`zem` with its own time-to-go estimate and the target acceleration."""

    name: str = "zem"

    def command(self, r_rel: F64, v_rel: F64, vel: F64, a_target: F64, t_go: F64,
                nprime: ArrayLike) -> F64:
        """See :class:`GuidanceLaw`."""
        return zem(r_rel, v_rel, nprime, a_target)


@dataclass(frozen=True)
class PIPGuidance:
    """:func:`pip`: ``r_rel`` is PIP minus pursuer, ``a_target`` the PIP's acceleration
    relative to the pursuer's free fall, ``t_go`` the time left to the PIP."""

    name: str = "pip"

    def command(self, r_rel: F64, v_rel: F64, vel: F64, a_target: F64, t_go: F64,
                nprime: ArrayLike) -> F64:
        """See :class:`GuidanceLaw`."""
        return pip(r_rel, vel, t_go, nprime, a_target)


#: Guidance laws by name, in the order error messages list them.
GUIDANCE: Mapping[str, GuidanceLaw] = MappingProxyType({
    "pn": PurePN(), "tpn": TruePN(), "apn": AugmentedPN(), "zem": ZEMGuidance(),
    "pip": PIPGuidance(),
})


def guidance_law(name: str) -> GuidanceLaw:
    """The guidance law called ``name``; ValueError listing the valid names otherwise."""
    try:
        return GUIDANCE[name]
    except KeyError:
        raise ValueError(f"unknown guidance law {name!r}; valid names: "
                         f"{', '.join(GUIDANCE)}") from None
