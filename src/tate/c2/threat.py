"""Threat evaluation on rows of tracks: kind, predicted impact point, threatened asset,
time to go and priority.

Frame and units: a local ENU frame (east, north, up) of the fusion centre over a flat
Earth, so the up coordinate is the altitude; SI units (m, s, m/s, m/s²).  Tracks are rows:
positions ``pos (n, 3)``, velocities ``vel (n, 3)``, optionally their joint covariances
``cov (n, 6, 6)`` over (pos, vel) and accelerations ``acc (n, 3)``.  Defended assets
(ships, bases) are points on the surface with a value and a radius.

Kind, from kinematics only (thresholds in :class:`KindThresholds`, after open-literature
flight regimes: ballistic re-entry is steep and unlifted, a boost-glide vehicle flies
near-level at Mach 5+ between ~20 and ~70 km (docs/references.md §1), cruise missiles fly low
at high subsonic to supersonic speed, one-way attack drones are slow), tested in order:

* ballistic: speed ≥ 1 km/s and either above 80 km (no aerodynamic lift there), or
  descending steeper than −20°, or (with ``acc``) an estimated lift under 0.3 g above
  20 km; never when ``acc`` shows a lift above 0.3 g;
* glider: speed ≥ 1.5 km/s (≈ Mach 5), altitude 20–70 km, |flight-path angle| ≤ 10°;
* cruise: altitude ≤ 15 km, 200 m/s ≤ speed < 1.5 km/s;
* drone: speed < 100 m/s and altitude ≤ 10 km;
* unknown otherwise.

Specific lift: the part of the specific aerodynamic force f = a − g (g = (0, 0, −g₀))
normal to the velocity, |f − (f·v̂)v̂|; drag lies along v̂ and does not count.

Impact prediction: a ballistic track follows the drag-free flat-Earth parabola
z(t) = h + v_z t − g₀t²/2, so it lands after t = (v_z + √(v_z² + 2g₀h))/g₀ at
p_h + v_h t (horizontal components).  Over long ranges this ignores the Earth's
curvature and the fall of gravity with height, and it ignores drag (the real impact
falls short); it is meant for the terminal phase near the defended area.  Every other
track flies on straight along its horizontal velocity: its closest approach to asset a
comes after τ_a = (a − p_h)·v_h/|v_h|², at miss distance |p_h + v_h τ_a − a|, and its
predicted impact point is that closest-approach point for the asset ahead (τ_a > 0) it
passes closest to.

Threatened asset: for a ballistic track the asset nearest to the impact point, if within
the asset's radius; for the others, of the assets ahead whose closest approach lies
within their radius, the one reached first.  Time to go: the time to impact (ballistic)
or τ of that asset.  Priority = V_asset / max(time to go, 1 s) [value/s]: what is at
stake per second left to act (a value-weighted form of the time-to-go ranking common in
threat evaluation, e.g. Roux & van Vuuren, "Threat evaluation and weapon assignment
decision support: a review of the state of the art", ORiON 23(2), 2007); 0 for tracks
that threaten no asset.

With ``cov``, the impact point's 2×2 covariance is J P Jᵀ, J the 2×6 Jacobian of the
impact point with respect to (pos, vel) by central differences (kind and chosen asset
held fixed).

Without ``cov`` and ``acc``, :func:`assess_threats` runs as one compiled call
(:func:`tate.c2._threat_jit.assess`, the same arithmetic and comparisons, tested against
the numpy code here) when :func:`tate.jit.enabled` was on when the
:class:`DefendedAssets` were built.
"""

from __future__ import annotations

from dataclasses import astuple, dataclass, field
from functools import cache

import numpy as np
from numpy.typing import ArrayLike, NDArray

from tate import jit

__all__ = [
    "BALLISTIC",
    "CRUISE",
    "DRONE",
    "GLIDER",
    "KIND_NAMES",
    "UNKNOWN",
    "DefendedAssets",
    "KindThresholds",
    "ThreatAssessment",
    "assess_rows",
    "assess_threats",
    "ballistic_impact",
    "classify_kinds",
    "closest_approach",
    "flight_path_angle",
    "priority_score",
    "specific_lift",
]

F64 = NDArray[np.float64]
IP = NDArray[np.intp]

G0 = 9.80665  # standard gravity [m/s²]
KIND_NAMES = ("unknown", "ballistic", "glider", "cruise", "drone")
UNKNOWN, BALLISTIC, GLIDER, CRUISE, DRONE = range(5)
MIN_TIME_TO_GO = 1.0  # floor of the priority's denominator [s]


@dataclass(frozen=True)
class KindThresholds:
    """Thresholds of :func:`classify_kinds` (SI; angles in degrees)."""

    ballistic_speed: float = 1000.0       # [m/s]
    exo_altitude: float = 80e3            # above this no aerodynamic lift [m]
    steep_descent_deg: float = -20.0      # flight-path angle at or below this
    max_ballistic_lift: float = 0.3 * G0  # specific lift [m/s²]
    glide_speed: float = 1500.0           # ≈ Mach 5 at 20-70 km [m/s]
    glide_altitude: tuple[float, float] = (20e3, 70e3)  # [m]
    glide_angle_deg: float = 10.0         # |flight-path angle| at most
    cruise_altitude: float = 15e3         # at most [m]
    cruise_speed: tuple[float, float] = (200.0, 1500.0)  # [low, high) [m/s]
    drone_speed: float = 100.0            # below [m/s]
    drone_altitude: float = 10e3          # at most [m]


@dataclass(frozen=True)
class DefendedAssets:
    """Defended assets as rows: positions ``(a, 2)`` or ``(a, 3)`` (E, N[, U]) [m],
    values ``(a,)`` and radii ``(a,)`` [m] inside which an impact or pass hits them."""

    pos: F64
    value: F64
    radius: F64
    #: :func:`assess_threats` (without ``cov`` and ``acc``) by the compiled kernel
    #: (:func:`tate.c2._threat_jit.assess`; :func:`tate.jit.enabled` at construction)
    _jit: bool = field(init=False, repr=False, compare=False, default=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_jit", jit.enabled())
        pos = np.asarray(self.pos, dtype=np.float64).reshape(-1, np.shape(self.pos)[-1])
        if pos.shape[1] not in (2, 3):
            raise ValueError(f"asset pos must have shape (a, 2) or (a, 3), got {pos.shape}")
        a = pos.shape[0]
        value = np.broadcast_to(np.asarray(self.value, dtype=np.float64), (a,)).copy()
        radius = np.broadcast_to(np.asarray(self.radius, dtype=np.float64), (a,)).copy()
        if np.any(value < 0) or np.any(radius < 0):
            raise ValueError("asset values and radii must be >= 0")
        object.__setattr__(self, "pos", pos[:, :2].copy())
        object.__setattr__(self, "value", value)
        object.__setattr__(self, "radius", radius)


@dataclass(frozen=True)
class ThreatAssessment:
    """Per-track threat evaluation (rows match the input tracks).

    Attributes
    ----------
    kind
        Kind code ``(n,)`` (index into :data:`KIND_NAMES`).
    impact
        Predicted impact / closest-approach point ``(n, 2)`` (E, N) [m]; nan when a
        non-ballistic track has no asset ahead.
    time_to_go
        Time to impact or to closest approach of the assessed asset ``(n,)`` [s]; inf when
        there is none.
    asset
        Index of the threatened asset ``(n,)``; −1 for none.
    miss
        Distance [m] from the impact / closest-approach point to the asset assessed: the
        threatened one, else the nearest to the impact point (ballistic) or the one
        passed closest ahead (others); inf when there is none, ``(n,)``.
    priority
        V_asset / max(time_to_go, 1 s) ``(n,)`` [value/s]; 0 when no asset is threatened.
    impact_cov
        Covariance of ``impact`` ``(n, 2, 2)`` [m²] when track covariances were given.
    """

    kind: NDArray[np.int8]
    impact: F64
    time_to_go: F64
    asset: IP
    miss: F64
    priority: F64
    impact_cov: F64 | None = None

    @property
    def order(self) -> IP:
        """Track indices by decreasing priority (ties keep input order)."""
        return np.argsort(-self.priority, kind="stable")

    @property
    def kind_names(self) -> list[str]:
        """Kind of each track as a name."""
        return [KIND_NAMES[k] for k in self.kind]


def _rows(x: ArrayLike, width: int, name: str) -> F64:
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim != 2 or arr.shape[1] != width:
        raise ValueError(f"{name} must have shape (n, {width}), got {arr.shape}")
    return arr


def flight_path_angle(vel: F64) -> F64:
    """Flight-path angle atan2(v_up, |v_horizontal|) ``(n,)`` [rad]."""
    return np.arctan2(vel[:, 2], np.hypot(vel[:, 0], vel[:, 1]))


def specific_lift(vel: ArrayLike, acc: ArrayLike, g: float = G0) -> F64:
    """Magnitude of the specific aerodynamic force normal to the velocity ``(n,)`` [m/s²].

    f = a − (0, 0, −g); lift = |f − (f·v̂)v̂| (drag, along v̂, is removed)."""
    v, a = _rows(vel, 3, "vel"), _rows(acc, 3, "acc")
    f = a + np.array([0.0, 0.0, g])
    speed = np.linalg.norm(v, axis=1, keepdims=True)
    vhat = np.divide(v, speed, out=np.zeros_like(v), where=speed > 0)
    return np.asarray(np.linalg.norm(f - np.sum(f * vhat, axis=1, keepdims=True) * vhat,
                                     axis=1))


def classify_kinds(pos: ArrayLike, vel: ArrayLike, acc: ArrayLike | None = None,
                   thresholds: KindThresholds = KindThresholds(), g: float = G0
                   ) -> NDArray[np.int8]:
    """Kind code of every track ``(n,)`` from altitude, speed, flight-path angle and,
    if ``acc`` is given, the specific lift (rules in the module docstring)."""
    p, v = _rows(pos, 3, "pos"), _rows(vel, 3, "vel")
    th = thresholds
    h = p[:, 2]
    speed = np.linalg.norm(v, axis=1)
    gamma = np.degrees(flight_path_angle(v))
    if acc is None:
        lift_small = lift_large = np.zeros(len(p), dtype=bool)
    else:
        lift = specific_lift(v, acc, g)
        lift_small, lift_large = lift <= th.max_ballistic_lift, lift > th.max_ballistic_lift
    ballistic = (speed >= th.ballistic_speed) & ~lift_large & (
        (h >= th.exo_altitude) | (gamma <= th.steep_descent_deg)
        | (lift_small & (h >= th.glide_altitude[0])))
    glider = ((speed >= th.glide_speed) & (h >= th.glide_altitude[0])
              & (h <= th.glide_altitude[1]) & (np.abs(gamma) <= th.glide_angle_deg))
    cruise = ((h <= th.cruise_altitude) & (speed >= th.cruise_speed[0])
              & (speed < th.cruise_speed[1]))
    drone = (speed < th.drone_speed) & (h <= th.drone_altitude)
    kind = np.select([ballistic, glider, cruise, drone], [BALLISTIC, GLIDER, CRUISE, DRONE],
                     UNKNOWN)
    return kind.astype(np.int8)


def ballistic_impact(pos: ArrayLike, vel: ArrayLike, g: float = G0) -> tuple[F64, F64]:
    """Drag-free flat-Earth impact point ``(n, 2)`` [m] and time to impact ``(n,)`` [s].

    t = (v_z + √(v_z² + 2 g h))/g with h = max(altitude, 0); impact = p_h + v_h t."""
    p, v = _rows(pos, 3, "pos"), _rows(vel, 3, "vel")
    h = np.maximum(p[:, 2], 0.0)
    t = (v[:, 2] + np.sqrt(v[:, 2] ** 2 + 2.0 * g * h)) / g
    return p[:, :2] + v[:, :2] * t[:, None], t


def closest_approach(pos: ArrayLike, vel: ArrayLike, points: ArrayLike) -> tuple[F64, F64]:
    """Horizontal straight-line closest approach of every track to every point.

    Returns
    -------
    tau
        Time of closest approach ``(n, a)`` [s]; −inf where the track does not move
        horizontally.
    miss
        Horizontal miss distance ``(n, a)`` [m].
    """
    p, v = _rows(pos, 3, "pos")[:, :2], _rows(vel, 3, "vel")[:, :2]
    pts = np.asarray(points, dtype=np.float64)[:, :2]
    rel = pts[None, :, :] - p[:, None, :]                        # (n, a, 2)
    v2 = np.sum(v * v, axis=1)[:, None]
    along = np.einsum("nak,nk->na", rel, v)
    moving = v2 > 0
    tau = np.divide(along, v2, out=np.full(along.shape, -np.inf), where=moving)
    t_cpa = np.where(moving, tau, 0.0)
    miss = np.linalg.norm(rel - t_cpa[..., None] * v[:, None, :], axis=2)
    return tau, miss


def priority_score(asset_value: ArrayLike, time_to_go: ArrayLike) -> F64:
    """V / max(time to go, 1 s) [value/s] (0 where the value is 0)."""
    return np.asarray(asset_value, dtype=np.float64) / np.maximum(
        np.asarray(time_to_go, dtype=np.float64), MIN_TIME_TO_GO)


def _predict(p: F64, v: F64, ballistic: NDArray[np.bool_], assets: DefendedAssets,
             g: float) -> tuple[F64, F64, IP, F64]:
    """Impact point, time to go, assessed asset (−1: none ahead) and miss of every track;
    the asset assessed is the threatened one if any, else the closest-passing one ahead."""
    n, a = len(p), len(assets.value)
    impact, t_go = ballistic_impact(p, v, g)
    impact[~ballistic] = np.nan
    t_go[~ballistic] = np.inf
    asset = np.full(n, -1, dtype=np.intp)
    miss = np.full(n, np.inf)
    if a == 0:
        return impact, t_go, asset, miss
    d = np.linalg.norm(impact[:, None, :] - assets.pos[None], axis=2)
    nearest = np.argmin(np.where(ballistic[:, None], d, np.inf), axis=1)
    rows = np.arange(n)
    asset[ballistic] = nearest[ballistic]
    miss[ballistic] = d[rows, nearest][ballistic]
    tau, cpa_miss = closest_approach(p, v, assets.pos)
    ahead = tau > 0
    inside = ahead & (cpa_miss <= assets.radius)
    first = np.argmin(np.where(inside, tau, np.inf), axis=1)
    closest = np.argmin(np.where(ahead, cpa_miss, np.inf), axis=1)
    pick = np.where(inside.any(axis=1), first, closest)
    straight = ~ballistic & ahead.any(axis=1)
    asset[straight] = pick[straight]
    t_go[straight] = tau[rows, pick][straight]
    miss[straight] = cpa_miss[rows, pick][straight]
    s = np.flatnonzero(straight)
    impact[s] = p[s, :2] + v[s, :2] * tau[s, pick[s]][:, None]
    return impact, t_go, asset, miss


def _impact_given(p: F64, v: F64, ballistic: NDArray[np.bool_], asset_xy: F64,
                  g: float) -> F64:
    """Impact point of every track with its kind and assessed asset held fixed."""
    ball, _ = ballistic_impact(p, v, g)
    vh = v[:, :2]
    v2 = np.sum(vh * vh, axis=1)
    tau = np.sum((asset_xy - p[:, :2]) * vh, axis=1) / np.where(v2 > 0, v2, 1.0)
    return np.where(ballistic[:, None], ball, p[:, :2] + vh * tau[:, None])


def _impact_covariance(p: F64, v: F64, cov: F64, ballistic: NDArray[np.bool_],
                       asset_xy: F64, g: float) -> F64:
    """J P Jᵀ with J = ∂ impact / ∂ (pos, vel) by central differences, ``(n, 2, 2)``."""
    x = np.hstack((p, v))
    step = 1e-6 * np.maximum(np.abs(x), 1.0)
    jac = np.empty((len(x), 2, 6))
    for k in range(6):
        dx = np.zeros_like(x)
        dx[:, k] = step[:, k]
        hi = _impact_given((x + dx)[:, :3], (x + dx)[:, 3:], ballistic, asset_xy, g)
        lo = _impact_given((x - dx)[:, :3], (x - dx)[:, 3:], ballistic, asset_xy, g)
        jac[:, :, k] = (hi - lo) / (2.0 * step[:, k:k + 1])
    return np.einsum("nik,nkl,njl->nij", jac, cov, jac)


def assess_threats(pos: ArrayLike, vel: ArrayLike, assets: DefendedAssets, *,
                   cov: ArrayLike | None = None, acc: ArrayLike | None = None,
                   thresholds: KindThresholds | None = None, g: float = G0
                   ) -> ThreatAssessment:
    """Evaluate every track against the defended assets (see the module docstring).

    Parameters
    ----------
    pos, vel
        Track positions and velocities in the local ENU frame ``(n, 3)`` [m], [m/s].
    assets
        Defended assets in the same frame.
    cov
        Joint covariance of (pos, vel) ``(n, 6, 6)``; gives ``impact_cov``.
    acc
        Track accelerations ``(n, 3)`` [m/s²]; lets the classifier use the lift.
    thresholds
        Kind thresholds (None: the defaults, :class:`KindThresholds`).
    g
        Gravity of the flat-Earth ballistic prediction [m/s²].
    """
    if thresholds is None:
        thresholds = _DEFAULT_KINDS
    p, v = _rows(pos, 3, "pos"), _rows(vel, 3, "vel")
    if len(p) != len(v):
        raise ValueError(f"pos and vel need the same rows, got {len(p)} and {len(v)}")
    if assets._jit and cov is None and acc is None:
        return ThreatAssessment(*_KERNELS.assess(
            np.ascontiguousarray(p), np.ascontiguousarray(v), assets.pos, assets.value,
            assets.radius, _DEFAULT_ROW if thresholds is _DEFAULT_KINDS
            else _threshold_row(thresholds), float(g)))
    kind = classify_kinds(p, v, acc, thresholds, g)
    ballistic = kind == BALLISTIC
    impact, t_go, asset, miss = _predict(p, v, ballistic, assets, g)
    safe = np.maximum(asset, 0)
    if len(assets.value):
        hit = (asset >= 0) & (miss <= assets.radius[safe])
        value = np.where(hit, assets.value[safe], 0.0)
        asset_xy = assets.pos[safe]
    else:
        hit, value, asset_xy = np.zeros(len(p), dtype=bool), np.zeros(len(p)), np.zeros((len(p), 2))
    priority = np.where(hit, priority_score(value, t_go), 0.0)
    impact_cov = None
    if cov is not None:
        c = np.asarray(cov, dtype=np.float64)
        if c.shape != (len(p), 6, 6):
            raise ValueError(f"cov must have shape ({len(p)}, 6, 6), got {c.shape}")
        impact_cov = _impact_covariance(p, v, c, ballistic, asset_xy, g)
        impact_cov[~ballistic & (asset < 0)] = np.nan
    return ThreatAssessment(kind, impact, t_go, np.where(hit, asset, -1), miss, priority,
                            impact_cov)


_KERNELS = jit.Kernels("tate.c2._threat_jit")


@cache
def _threshold_row(th: KindThresholds) -> F64:
    """The thresholds in field order, ranges flattened ``(13,)`` (the kernel's ``th``)."""
    flat: list[float] = []
    for x in astuple(th):
        flat.extend(x if isinstance(x, tuple) else (x,))
    return np.array(flat, np.float64)


_DEFAULT_KINDS = KindThresholds()  #: :func:`assess_threats`'s default thresholds
_DEFAULT_ROW = _threshold_row(_DEFAULT_KINDS)  #: their kernel row (the cached one)


def assess_rows(pos: F64, vel: F64, assets: DefendedAssets) -> ThreatAssessment:
    """:func:`assess_threats` with the default thresholds and gravity, no covariance and
    no acceleration, of C-contiguous float64 ``pos, vel (n, 3)`` [m, m/s] (as the
    defence's decision holds them): one compiled call without the argument checks where
    ``assets`` has the compiled path, else :func:`assess_threats` itself."""
    if assets._jit:
        return ThreatAssessment(*_KERNELS.assess(pos, vel, assets.pos, assets.value,
                                                 assets.radius, _DEFAULT_ROW, G0))
    return assess_threats(pos, vel, assets)
