"""Engageability: when and where each weapon can meet each threat, and its kill chance.

For every weapon w (a launcher: an interceptor preset on a ship, or a railgun) and
every tracked threat j, the threat's path is predicted from its track over a grid of
intercept times τ = now + k·``step_s`` (constant velocity in the tracker's local ENU
frame, plus gravity for ballistic tracks above the atmosphere; or a path given by the
caller, e.g. from the predictor of ``c2.predictor``, :mod:`tate.predict.paths`), and a
launch now can meet it at τ if

* the weapon's fly-out time to the predicted point, T_w(d) for slant range d, is at
  most τ − now − ``launch_delay_s``, and not so short that the round would arrive
  early: a missile can stretch its fly-out (a lofted or slower path) by at most
  ``MAX_FLYOUT_STRETCH``, a gun or railgun round not at all, so τ − now −
  ``launch_delay_s`` must be at most that stretch of T_w(d) plus ``window_s`` (the time
  to the next decision); a pair whose earliest meeting is later than that is engaged
  at a later decision, when its launch is due;
* the point is inside the weapon's envelope: altitude within [min, max], ground range
  from the ship within [min, max], threat speed at most the weapon's maximum;
* τ is before the threat's predicted time to go.

The earliest such τ is the predicted intercept point (PIP) of the pair.  Fly-out times
come from the preset's flown table where one exists (:mod:`tate.weapons.flyout`: the
interceptor flown to a grid of points; unreachable points are never opportunities),
else from a kinematic stand-in (documented in docs/c2.md): the
stages burn for t_b seconds accelerating uniformly to the burnout speed v_b, then the
round coasts at ``COAST_FACTOR``·v_b:
T(d) = √(2 d t_b / v_b) for d ≤ v_b t_b / 2, else t_b + (d − v_b t_b / 2)/(0.85 v_b).
A railgun round flies at its muzzle speed slowed by ``RAILGUN_SPEED_FACTOR``.

The single-shot kill probability used for the assignment is the weapon's nominal value
(its preset's ``pk_max`` times ``PK_RELIABILITY``, or the railgun's dispersion-based Pk at
the PIP's range), zero where no PIP exists.  Units: s, m, m/s.

The search runs as one compiled call (:mod:`tate.c2._engage_jit`, the same arithmetic
and comparisons, tested against this module's numpy code) when :func:`tate.jit.enabled`
was on when the :class:`Launchers` were built; else as the numpy code here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
from numpy.typing import NDArray

from tate import jit
from tate.c2.threat import G0

__all__ = ["COAST_FACTOR", "MAX_FLYOUT_STRETCH", "Launchers", "Opportunities", "flyout_time",
           "intercept_grid", "opportunities", "opportunities_of", "predict_path"]

F64 = NDArray[np.float64]
COAST_FACTOR = 0.85  #: average coast speed over burnout speed [-] [A]
PK_RELIABILITY = 0.9  #: nominal single-shot Pk = pk_max × this (guidance, fuzing) [A]
RAILGUN_SPEED_FACTOR = 0.7  #: average over muzzle speed of a railgun round [-] [A]
EARTH_RADIUS_M = 6_371_000.0  #: mean radius, for the surface's drop over ground range [m]
MAX_FLYOUT_STRETCH = 1.5  #: longest over shortest fly-out time of a missile [-] [A]


@dataclass(frozen=True)
class Launchers:
    """Weapons as rows: position (ENU of the tracker frame), fly-out and envelope."""

    pos: F64  #: (W, 3) [m]
    burn_s: F64  #: (W,) total burn time (0 for a gun) [s]
    speed: F64  #: (W,) burnout or muzzle speed [m/s]
    min_alt: F64  #: (W,) [m]
    max_alt: F64
    min_range: F64  #: ground range [m]
    max_range: F64
    max_target_speed: F64  #: [m/s]
    pk: F64  #: (W,) nominal single-shot Pk (railgun: Pk given a hit; the hit chance comes
    #: from the dispersion at the PIP's range)
    railgun_sigma_rad: F64  #: (W,) railgun angular dispersion (0 for missiles)
    railgun_resid_m: F64  #: (W,) guided railgun residual miss σ [m]
    railgun_lethal_m: F64  #: (W,) railgun lethal radius [m]
    gun: NDArray[np.bool_]  #: (W,) a railgun (fly-out at constant speed)
    #: per launcher, a :class:`tate.weapons.flyout.FlyoutTable` (flown fly-out times;
    #: NaN cells unreachable) or None for the kinematic stand-in
    tables: tuple[Any, ...] = ()
    #: :func:`opportunities` searches with the compiled kernel
    #: (:mod:`tate.c2._engage_jit`; :func:`tate.jit.enabled` at construction)
    _jit: bool = field(init=False, repr=False, compare=False, default=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_jit", jit.enabled())

    @property
    def n(self) -> int:
        """Number of launchers."""
        return int(self.pos.shape[0])

    @cached_property
    def packed(self) -> tuple[Any, ...]:
        """The launchers as the compiled search's constant inputs
        (:func:`tate.c2._engage_jit.pack`), built on first use."""
        return _KERNELS.pack(self)

    @cached_property
    def rail_packed(self) -> F64:
        """``(W, 3)`` railgun angular dispersion [rad], residual miss σ [m] and lethal
        radius [m], for :func:`tate.c2._engage_jit.search_need`; built on first use."""
        return np.ascontiguousarray(np.stack(
            [self.railgun_sigma_rad, self.railgun_resid_m, self.railgun_lethal_m],
            axis=1), np.float64).reshape(self.n, 3)

    @cached_property
    def speed_bounds(self) -> F64:
        """``(W, 2)`` per launcher a speed V [m/s] and head start G [m] with its fly-out
        time at least (ground range − G) / V (:func:`tate.c2._engage_jit.speed_bounds`),
        for :func:`tate.c2._engage_jit.search_need`; built on first use."""
        packed = self.packed
        return np.asarray(_KERNELS.speed_bounds(*packed[2:]))

    @cached_property
    def search_args(self) -> tuple[Any, ...]:
        """:attr:`packed`, :attr:`rail_packed`, :attr:`speed_bounds` and
        :attr:`band_times` as one tuple, the launcher half of
        :func:`tate.c2._engage_jit.search_need`'s arguments; built on first use."""
        return (*self.packed, self.rail_packed, self.speed_bounds, self.band_times)

    @cached_property
    def band_times(self) -> F64:
        """``(R, 4)`` per range band of each flown table its least and largest fly-out
        time [s] and the altitudes [m] of its finite cells
        (:func:`tate.c2._engage_jit.band_times`, aligned with the packed ranges), for
        :func:`tate.c2._engage_jit.search_need`; built on first use."""
        packed = self.packed
        return np.asarray(_KERNELS.band_times(packed[3], packed[5], packed[6],
                                               packed[4].size))


@dataclass(frozen=True)
class Opportunities:
    """Earliest intercept of each (weapon, track) pair; NaN / 0 where none."""

    t_intercept: F64  #: (W, T) time from now [s]
    pip: F64  #: (W, T, 3) predicted intercept point, tracker ENU [m]
    pk: F64  #: (W, T) single-shot kill probability
    flyout: F64  #: (W, T) fly-out time [s]

    @property
    def feasible(self) -> NDArray[np.bool_]:
        """Pairs with an intercept opportunity."""
        return np.isfinite(self.t_intercept)


def flyout_time(d: F64, burn_s: F64, speed: F64, gun: NDArray[np.bool_]) -> F64:
    """Fly-out time [s] to slant range ``d`` (broadcast over weapons and points)."""
    v = np.maximum(speed, 1.0)
    tb = np.maximum(burn_s, 1e-9)
    d_b = 0.5 * v * tb
    boost = np.sqrt(2.0 * d * tb / v)
    coast = tb + (d - d_b) / (COAST_FACTOR * v)
    missile = np.where(d <= d_b, boost, coast)
    return np.where(gun, d / (RAILGUN_SPEED_FACTOR * v), missile)


def predict_path(pos: F64, vel: F64, ballistic: NDArray[np.bool_], tau: F64) -> F64:
    """Predicted ENU positions ``(T, K, 3)`` of tracks at times ``tau (K,)`` ahead."""
    p = pos[:, None, :] + vel[:, None, :] * tau[None, :, None]
    drop = 0.5 * G0 * tau**2
    p[..., 2] -= np.where(ballistic[:, None], drop[None, :], 0.0)
    return p


def coast_point(p: F64, v: F64, ballistic: bool, tau: float) -> F64:
    """:func:`predict_path` of one track at one time ``tau`` [s] ahead, ``(3,)`` ENU [m],
    with the same arithmetic (p + v τ, less ½ g₀ τ² in Up if ballistic) on scalars."""
    aim = p + v * tau
    if ballistic:
        aim[2] -= 0.5 * G0 * (tau * tau)
    return aim


def norm3(d: F64) -> float:
    """|d| of a 3-vector as ``np.linalg.norm`` computes it (the root of the dot product)."""
    return math.sqrt(float(d.dot(d)))


def intercept_grid(horizon_s: float = 400.0, step_s: float = 1.0,
                   launch_delay_s: float = 2.0) -> F64:
    """The intercept times τ − now ``(K,)`` [s] that :func:`opportunities` searches, with
    the same keywords: ``launch_delay_s + step_s`` to ``horizon_s`` by ``step_s``."""
    return np.arange(launch_delay_s + step_s, horizon_s + step_s, step_s)


_DEFAULT_GRID = intercept_grid()
_DEFAULT_GRID.flags.writeable = False


def opportunities_of(launchers: Launchers, need: NDArray[np.bool_], pos: F64, vel: F64,
                     time_to_go: F64, ballistic: NDArray[np.bool_],
                     window_s: float) -> Opportunities | None:
    """:func:`opportunities` (default grid, kinematic path) of the tracks ``need (n,)``
    only (a non-finite ``time_to_go`` searched as inf), as ``(W, n)`` arrays whose other
    columns hold no opportunity (NaN times and points, Pk 0), in one compiled call
    (:func:`tate.c2._engage_jit.search_need`); None if the ``launchers`` were built with
    the compiled path off (the caller then searches with :func:`opportunities`)."""
    if not launchers._jit or launchers.n == 0:
        return None
    return Opportunities(*_KERNELS.search_need(
        *launchers.search_args, np.asarray(need, np.bool_),
        np.ascontiguousarray(pos, np.float64), np.ascontiguousarray(vel, np.float64),
        np.asarray(ballistic, np.bool_), G0, np.asarray(time_to_go, np.float64),
        _DEFAULT_GRID, 2.0, max(float(window_s), 1.0)))


def opportunities(launchers: Launchers, pos: F64, vel: F64, time_to_go: F64,
                  ballistic: NDArray[np.bool_], *, horizon_s: float = 400.0,
                  step_s: float = 1.0, launch_delay_s: float = 2.0,
                  window_s: float = 2.0, path: F64 | None = None) -> Opportunities:
    """Earliest feasible intercept of every (launcher, track) pair.

    Parameters
    ----------
    launchers
        The weapons.
    pos, vel
        Track positions and velocities ``(T, 3)`` in the tracker's ENU frame [m, m/s].
    time_to_go
        Predicted time to impact of each track ``(T,)`` [s] (inf if unknown).
    ballistic
        Tracks predicted with gravity (``(T,)``).
    window_s
        Time to the next decision [s]: a launch that could wait longer than this (the
        round would arrive early even on its slowest path) is not an opportunity now.
    path
        Predicted ENU positions ``(T, K, 3)`` [m] of the tracks at the times
        :func:`intercept_grid` gives for the same keywords (e.g. from
        :func:`tate.predict.paths.predict_tracks`); None (the default) predicts them here
        with :func:`predict_path`.  ``vel`` still gives each track's speed for the
        weapons' target-speed limit.

    Raises
    ------
    ValueError
        If ``path`` does not have the shape ``(T, K, 3)``.
    """
    W, T = launchers.n, pos.shape[0]
    tau = intercept_grid(horizon_s, step_s, launch_delay_s)
    if path is not None and np.shape(path) != (T, tau.size, 3):
        raise ValueError(f"path must have shape {(T, tau.size, 3)}, got {np.shape(path)}")
    if W == 0 or T == 0:
        return Opportunities(np.full((W, T), np.nan), np.full((W, T, 3), np.nan),
                             np.zeros((W, T)), np.full((W, T), np.nan))
    if launchers._jit:
        return _opportunities_compiled(launchers, path, pos, vel, ballistic, time_to_go, tau,
                                       launch_delay_s, max(window_s, step_s))
    if path is None:
        path = predict_path(pos, vel, ballistic, tau)  # (T, K, 3)
    rel = path[None, :, :, :] - launchers.pos[:, None, None, :]  # (W, T, K, 3)
    ground = np.hypot(rel[..., 0], rel[..., 1])
    # altitude above the launcher's sea level: the local up coordinate plus the drop of
    # the Earth's surface over the ground range (ground² / 2R)
    alt = path[None, :, :, 2] + ground * ground / (2.0 * EARTH_RADIUS_M)  # (W, T, K)
    speed = np.linalg.norm(vel, axis=1)
    L = launchers
    # the envelope first: fly-out times are needed only inside it
    ok = (alt >= L.min_alt[:, None, None]) & (alt <= L.max_alt[:, None, None])
    ok &= (ground >= L.min_range[:, None, None]) & (ground <= L.max_range[:, None, None])
    ok &= (speed[None, :, None] <= L.max_target_speed[:, None, None])
    ok &= tau[None, None, :] < time_to_go[None, :, None]
    fly = np.full(ground.shape, np.inf)
    d = np.full(ground.shape, np.nan)  # slant range, for the weapons without a table
    plain = np.ones(W, dtype=bool)  # launchers without a fly-out table (all if none given)
    plain[:len(L.tables)] = [table is None for table in L.tables]
    if plain.any():
        d[plain] = np.linalg.norm(rel[plain], axis=-1)
        fly[plain] = flyout_time(d[plain], L.burn_s[plain, None, None],
                                 L.speed[plain, None, None], L.gun[plain, None, None])
    for w, table in enumerate(L.tables):
        if table is not None:  # flown fly-out times; unreachable points are NaN
            inside = ok[w]
            fly[w][inside] = table.time(ground[w][inside], alt[w][inside])
    fly = np.where(np.isfinite(fly), fly, np.inf)
    wait = tau[None, None, :] - launch_delay_s
    stretch = np.where(L.gun, 1.0, MAX_FLYOUT_STRETCH)[:, None, None]
    ok &= (fly <= wait) & (wait <= stretch * fly + max(window_s, step_s))
    any_ok = ok.any(axis=2)
    k = np.argmax(ok, axis=2)
    w_idx, t_idx = np.nonzero(any_ok)
    out_t = np.full((W, T), np.nan)
    out_p = np.full((W, T, 3), np.nan)
    out_f = np.full((W, T), np.nan)
    kk = k[w_idx, t_idx]
    out_t[w_idx, t_idx] = tau[kk]
    out_p[w_idx, t_idx] = path[t_idx, kk]
    out_f[w_idx, t_idx] = fly[w_idx, t_idx, kk]
    pk = np.where(any_ok, L.pk[:, None], 0.0)
    rail = L.gun[w_idx]
    if rail.any():
        wi, ti = w_idx[rail], t_idx[rail]
        _railgun_pk(L, pk, wi, ti, d[wi, ti, kk[rail]])
    return Opportunities(out_t, out_p, np.nan_to_num(pk), out_f)


def _railgun_pk(L: Launchers, pk: F64, wi: NDArray[np.intp], ti: NDArray[np.intp],
                rng_m: F64) -> None:
    """Write the railguns' Pk at their PIPs (slant range ``rng_m``) into ``pk``."""
    from tate.weapons.railgun import hit_probability

    sigma = np.hypot(L.railgun_sigma_rad[wi] * rng_m, L.railgun_resid_m[wi])
    pk[wi, ti] = L.pk[wi] * hit_probability(sigma, L.railgun_lethal_m[wi])


_KERNELS = jit.Kernels("tate.c2._engage_jit")


def _opportunities_compiled(L: Launchers, path: F64 | None, pos: F64, vel: F64,
                            ballistic: NDArray[np.bool_], time_to_go: F64, tau: F64,
                            launch_delay_s: float, slack: float) -> Opportunities:
    """:func:`opportunities` by one compiled search (:func:`tate.c2._engage_jit.search`,
    or :func:`~tate.c2._engage_jit.search_kinematic` when no ``path`` is given); the
    railguns' Pk as in the numpy code."""
    if path is None:
        out_t, out_p, out_f, pk, out_d = _KERNELS.search_kinematic(
            *L.packed, np.ascontiguousarray(pos, np.float64),
            np.ascontiguousarray(vel, np.float64), np.asarray(ballistic, np.bool_), G0,
            np.asarray(time_to_go, np.float64), tau, float(launch_delay_s), float(slack))
    else:
        out_t, out_p, out_f, pk, out_d = _KERNELS.search(
            *L.packed, np.ascontiguousarray(path, np.float64), np.linalg.norm(vel, axis=1),
            np.asarray(time_to_go, np.float64), tau, float(launch_delay_s), float(slack))
    if L.gun.any():
        wi, ti = np.nonzero(np.isfinite(out_t) & L.gun[:, None])
        if wi.size:
            _railgun_pk(L, pk, wi, ti, out_d[wi, ti])
    return Opportunities(out_t, out_p, np.nan_to_num(pk), out_f)
