"""Aiming ballistic missiles at a ground point by shooting.

The boost program of :mod:`.models.booster` has three free parameters per
missile: launch azimuth ψ, final thrust elevation θ_f and thrust cut-off time
t_c.  Range as a function of θ_f at full burn rises to a maximum and falls
again: shots above the maximising angle are *lofted*, below it *depressed*.
A *minimum-energy* shot flies at the vacuum-optimal burnout angle for the
target's range angle Φ, γ* = 45° − Φ/4 (Zarchan ch. 13; Regan, *Re-Entry
Vehicle Dynamics*, 1984, ch. 2), and cuts thrust when the energy suffices.

Passes, each flying every missile and its candidates together in one
vectorised propagation (the whole trajectory, drag and rotation included):

1. a grid over θ_f (full burn) and over t_c (at γ*): maximum range, the
   bracket around the target range on the wanted branch, linear interpolation;
2. Newton steps on (parameter, azimuth) from finite differences flown in the
   same batch, on the down-range and cross-range miss at the aim point.

A batch's impact points are a pure function of its inputs, so
:func:`fly_ballistic_batch` keeps the last ``BATCH_CACHE_SIZE`` answers in the process,
keyed by the exact bytes of every input: the reach check of a scenario load and the
aiming of each run share the grid pass, and the runs of a Monte Carlo study (whose
ballistic missiles seldom vary) aim once per worker; a study's parent hands the workers
the passes it flew when it loaded the scenario (:func:`tate.memo.snapshot`).  A hit
returns a copy of the stored array, bit-identical to flying the batch again.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from tate.earth import wgs84
from tate.flight.eom import dot3, local_frame
from tate.flight.guidance import bearing_and_range
from tate.flight.integrator import Propagator
from tate.flight.models.ballistic import EXO_STEP_S, Ballistic
from tate.flight.models.booster import Booster, StageTable
from tate.memo import Memo

__all__ = ["BallisticAim", "BallisticDesign", "aim_ballistic", "fly_ballistic_batch"]

F64 = NDArray[np.float64]
MODES = ("minimum-energy", "lofted", "depressed")
N_GRID = 28
BATCH_CACHE_SIZE = 64  #: impact-point batches remembered per process
T_VERT = 6.0  #: vertical rise before pitch-over [s]


@dataclass(frozen=True)
class BallisticDesign:
    """Airframe of ``m`` missiles: stages ``(s, m)`` and per-missile arrays ``(m,)``."""

    stages: StageTable
    payload: F64
    area: F64
    cd: F64
    rv_beta: F64

    def take(self, idx: NDArray[np.intp]) -> BallisticDesign:
        """The designs of missiles ``idx`` (repetition allowed)."""
        s = self.stages
        return BallisticDesign(
            StageTable(s.propellant[:, idx], s.dry[:, idx], s.isp[:, idx], s.burn[:, idx]),
            self.payload[idx], self.area[idx], self.cd[idx], self.rv_beta[idx])


@dataclass(frozen=True)
class BallisticAim:
    """Aiming solution per missile ``(m,)``; NaN where the aim point is out of reach."""

    azimuth: F64  #: launch azimuth [rad]
    theta_f: F64  #: final thrust elevation [rad]
    cut_time: F64  #: thrust cut-off after launch [s] (inf: full burn)
    max_range: F64  #: full-burn maximum ground range found [m]
    miss: F64  #: ground distance from the aim point of the solution's impact [m]


def make_booster(d: BallisticDesign, azimuth: F64, theta_f: F64, cut_time: F64) -> Booster:
    """A booster for designs ``d`` flying the given program."""
    n = d.payload.shape[0]
    return Booster(d.stages, d.payload, d.area, d.cd, azimuth, theta_f,
                   np.full(n, T_VERT), cut_time, np.full(n, np.inf))


_BATCHES: Memo[F64] = Memo(BATCH_CACHE_SIZE, share=f"{__name__}:_BATCHES")


def _batch_key(d: BallisticDesign, arrays: tuple[F64, ...], dt: float, t_max: float
               ) -> bytes:
    h = hashlib.sha256(repr((float(dt), float(t_max))).encode())
    s = d.stages
    for a in (s.propellant, s.dry, s.isp, s.burn, d.payload, d.area, d.cd, d.rv_beta,
              *arrays):
        a = np.ascontiguousarray(a, dtype=np.float64)
        h.update(repr(a.shape).encode())
        h.update(a.tobytes())
    return h.digest()


def fly_ballistic_batch(d: BallisticDesign, launch: F64, azimuth: F64, theta_f: F64,
                        cut_time: F64, dt: float, t_max: float = 4000.0) -> F64:
    """Impact points ECEF ``(3, n)`` of a batch of shots (NaN where none by ``t_max``);
    remembered per process by the exact inputs (see the module docstring)."""
    key = _batch_key(d, (launch, azimuth, theta_f, cut_time), dt, t_max)
    hit = _BATCHES.get(key)
    if hit is not None:
        return hit.copy()
    out = _fly_batch(d, launch, azimuth, theta_f, cut_time, dt, t_max)
    _BATCHES.put(key, out.copy())
    return out


def _fly_batch(d: BallisticDesign, launch: F64, azimuth: F64, theta_f: F64,
               cut_time: F64, dt: float, t_max: float) -> F64:
    model = Ballistic(make_booster(d, azimuth, theta_f, cut_time), d.rv_beta, dt)
    mass = d.stages.liftoff_mass(d.payload)
    prop = Propagator([model], launch, np.zeros_like(launch), mass, dt)
    prop.run(t_max, max_step=EXO_STEP_S)  # the exo coast in long steps, as fly() does
    out = np.full_like(launch, np.nan)
    for imp in prop.impacts:
        out[:, imp.body] = imp.pos
    return out


def _miss_components(impact: F64, aim: F64, bearing_at_aim: F64) -> tuple[F64, F64]:
    """Down-range and cross-range miss [m] of impacts relative to aim points."""
    east, north, _ = local_frame(aim)
    d = impact - aim
    de, dn = dot3(d, east), dot3(d, north)
    s, c = np.sin(bearing_at_aim), np.cos(bearing_at_aim)
    return de * s + dn * c, de * c - dn * s


def aim_ballistic(d: BallisticDesign, launch: F64, aim: F64, modes: list[str],
                  dt: float, newton_steps: int = 2) -> BallisticAim:
    """Solve the boost program that puts each missile's RV on its aim point.

    Parameters
    ----------
    d
        Designs of the ``m`` missiles.
    launch, aim
        ECEF launch and aim points ``(3, m)`` [m].
    modes
        Per missile, one of ``minimum-energy``, ``lofted``, ``depressed``.
    dt
        Integration step of the shooting [s] (use the step of the final flight).
    newton_steps
        Refinement passes after the grid.
    """
    m = launch.shape[1]
    for mode in modes:
        if mode not in MODES:
            raise ValueError(f"trajectory must be one of {', '.join(MODES)}, got {mode!r}")
    az0, target = bearing_and_range(launch, aim)
    t_burn = d.stages.end[-1]
    gamma_me = np.radians(45.0) - (target / wgs84.R_MEAN) / 4.0
    theta_grid = np.radians(np.linspace(3.0, 87.0, N_GRID))
    frac_grid = np.linspace(0.15, 1.0, N_GRID)
    # pass 1: theta grid at full burn, cut-time grid at gamma*
    rep = np.repeat(np.arange(m), 2 * N_GRID)
    th = np.concatenate([np.tile(theta_grid, (m, 1)),
                         np.repeat(gamma_me[:, None], N_GRID, axis=1)], axis=1).ravel()
    cut = np.concatenate([np.full((m, N_GRID), np.inf),
                          t_burn[:, None] * frac_grid[None, :]], axis=1).ravel()
    imp = fly_ballistic_batch(d.take(rep), launch[:, rep], az0[rep], th, cut, dt)
    _, rng = bearing_and_range(launch[:, rep], np.nan_to_num(imp))
    rng = np.where(np.isnan(imp[0]), 0.0, rng).reshape(m, 2 * N_GRID)
    r_theta, r_cut = rng[:, :N_GRID], rng[:, N_GRID:]
    max_range = r_theta.max(axis=1)
    theta = np.full(m, np.nan)
    cut_t = np.full(m, np.inf)
    for i, mode in enumerate(modes):
        if mode == "minimum-energy":
            v = _cross(frac_grid, r_cut[i], target[i], rising=True)
            theta[i] = gamma_me[i]
            cut_t[i] = v * t_burn[i] if np.isfinite(v) else np.nan
            if not np.isfinite(v) and r_cut[i, -1] >= target[i]:
                cut_t[i] = np.inf
        else:
            k = int(np.argmax(r_theta[i]))
            if mode == "lofted":
                theta[i] = _cross(theta_grid[k:], r_theta[i, k:], target[i], rising=False)
            else:
                theta[i] = _cross(theta_grid[: k + 1], r_theta[i, : k + 1], target[i],
                                  rising=True)
    az = az0.copy()
    ok = np.isfinite(theta) & ~np.isnan(cut_t)
    miss = np.full(m, np.nan)
    for _ in range(newton_steps):
        if not ok.any():
            break
        theta, cut_t, az, miss = _newton(d, launch, aim, modes, theta, cut_t, az, ok, dt)
    return BallisticAim(np.where(ok, az, np.nan), np.where(ok, theta, np.nan),
                        np.where(ok, cut_t, np.nan), max_range, np.where(ok, miss, np.nan))


def _cross(x: F64, y: F64, level: float, rising: bool) -> float:
    """First ``x`` where piecewise-linear ``y(x)`` crosses ``level`` (NaN if none)."""
    for j in range(len(x) - 1):
        y0, y1 = y[j], y[j + 1]
        if (rising and y0 <= level <= y1) or (not rising and y0 >= level >= y1):
            if y1 == y0:
                return float(x[j])
            return float(x[j] + (level - y0) / (y1 - y0) * (x[j + 1] - x[j]))
    return float("nan")


def _newton(d: BallisticDesign, launch: F64, aim: F64, modes: list[str], theta: F64,
            cut_t: F64, az: F64, ok: NDArray[np.bool_], dt: float
            ) -> tuple[F64, F64, F64, F64]:
    """One Newton step on (shaping parameter, azimuth) for the missiles in ``ok``."""
    idx = np.flatnonzero(ok)
    k = idx.size
    use_cut = np.array([modes[i] == "minimum-energy" and np.isfinite(cut_t[i]) for i in idx])
    d_par = np.where(use_cut, 0.5, np.radians(0.05))
    d_az = np.radians(0.01)
    rep = np.tile(idx, 3)
    th = np.tile(theta[idx], 3)
    ct = np.tile(cut_t[idx], 3)
    a = np.tile(az[idx], 3)
    th[k:2 * k] += np.where(use_cut, 0.0, d_par)
    ct[k:2 * k] += np.where(use_cut, d_par, 0.0)
    a[2 * k:] += d_az
    imp = fly_ballistic_batch(d.take(rep), launch[:, rep], a, th, ct, dt)
    back, _ = bearing_and_range(aim[:, idx], launch[:, idx])
    bearing = np.tile(back + np.pi, 3)
    dr, cr = _miss_components(np.nan_to_num(imp), aim[:, rep], bearing)
    dr, cr = dr.reshape(3, k), cr.reshape(3, k)
    j11 = (dr[1] - dr[0]) / d_par
    j21 = (cr[1] - cr[0]) / d_par
    j12 = (dr[2] - dr[0]) / d_az
    j22 = (cr[2] - cr[0]) / d_az
    det = j11 * j22 - j12 * j21
    det = np.where(np.abs(det) > 0, det, 1.0)
    step_p = (j22 * dr[0] - j12 * cr[0]) / det
    step_a = (-j21 * dr[0] + j11 * cr[0]) / det
    theta, cut_t, az = theta.copy(), cut_t.copy(), az.copy()
    theta[idx] -= np.where(use_cut, 0.0, step_p)
    cut_t[idx] -= np.where(use_cut, step_p, 0.0)
    az[idx] -= step_a
    miss = np.full(theta.shape, np.nan)
    miss[idx] = np.hypot(dr[0], cr[0])
    return theta, cut_t, az, miss
