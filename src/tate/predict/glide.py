"""Physics predictor for boost-glide vehicles: fitted lift, drag and bank, then RK4.

What it models
--------------
A glider's aerodynamic acceleration is estimated from a short window of its filtered
track and held constant, in aerodynamic terms, over the prediction horizon:

* the total acceleration is the time derivative of a least-squares polynomial fitted
  to the window's velocities; gravity (J2) and the Coriolis and centrifugal terms of
  :func:`tate.flight.eom.frame_accel` are subtracted, leaving the specific
  aerodynamic force ``a``;
* ``a`` is resolved in the lift frame of :func:`tate.flight.eom.lift_frame`: drag
  ``D = −a·e_v``, vertical-plane lift ``L_v = a·e_l`` and side lift ``L_s = a·e_s``;
* with q̄ = ½ρV² (ρ from the US76 table of :mod:`tate.earth.atmosphere`) the window is
  fitted, by least squares through the origin, to ``D = q̄/β``, ``L_v = c_v q̄`` and
  ``L_s = c_s q̄``, giving the ballistic coefficient β [kg/m^2], the lift-to-drag ratio
  ``L/D = β √(c_v² + c_s²)`` and the bank angle ``σ = atan2(c_s, c_v)`` (positive:
  lift to the right of the flight path).

The prediction integrates the point-mass equations over the rotating, oblate Earth

    dr/dt = v,    dv/dt = g(r) − 2Ω×v − Ω×(Ω×r) + (q̄/β) [ (L/D)(cos σ e_l + sin σ e_s) − e_v ]

with a fixed-step classical Runge–Kutta scheme, all gliders at once, so that drag and
lift follow the dynamic pressure as the glider climbs, sinks and slows (the
equilibrium-glide dynamics of Vinh, Busemann & Culp, *Hypersonic and Planetary Entry
Flight Mechanics*, 1980, ch. 2, eqs. for the 3-DoF point mass in rotating axes).

Assumptions: L/D, β and bank are constant over the horizon; the predictor knows
nothing of the aim point, the guidance law, S-turn timing or the terminal dive.

Frame and units: positions ECEF (WGS-84) [m], velocities relative to the Earth in
ECEF axes [m/s], times [s].  Arrays of ``k`` gliders, ``m`` window samples and ``h``
horizons.  :func:`predict_constant_velocity` is the straight-line baseline with the
same signature as :func:`predict_glide`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from tate.earth import wgs84
from tate.earth.atmosphere import density_and_sound_speed
from tate.flight.eom import FrameOptions, frame_accel, lift_frame, norm3

__all__ = [
    "GlideFit",
    "fit_glide",
    "predict_constant_velocity",
    "predict_glide",
    "propagate_glide",
    "window_accel",
]

F64 = NDArray[np.float64]
DEFAULT_DT = 0.5  #: RK4 step of the prediction [s]


@dataclass(frozen=True)
class GlideFit:
    """Aerodynamic parameters of ``k`` gliders fitted on a track window.

    All arrays ``(k,)``.  ``beta`` is ``inf`` where the window shows no drag.
    """

    beta: F64  #: ballistic coefficient q̄/D [kg/m^2]
    lift_to_drag: F64  #: L/D [-]
    bank: F64  #: bank angle atan2(L_side, L_vert) [rad]
    drag: F64  #: drag deceleration at the last sample [m/s^2]
    lift_vert: F64  #: vertical-plane lift at the last sample [m/s^2]
    lift_side: F64  #: side lift at the last sample [m/s^2]


def _dynamic_pressure(pos: F64, speed: F64, opts: FrameOptions) -> F64:
    """½ρV² [Pa] at ECEF positions ``(3, n)`` with speeds ``(n,)``."""
    if not opts.atmosphere:
        return np.zeros_like(speed)
    rho, _ = density_and_sound_speed(wgs84.geodetic_altitude(pos.T))
    return 0.5 * rho * speed * speed


def window_accel(times: F64, vel: F64, degree: int = 2) -> F64:
    """Acceleration at each window sample from a polynomial fit to the velocities.

    Parameters
    ----------
    times
        Sample times ``(m,)`` [s], ``m > degree``.
    vel
        Velocities ``(k, m, 3)`` [m/s].
    degree
        Degree of the least-squares polynomial in time.

    Returns
    -------
    ndarray
        ``(k, m, 3)`` [m/s^2]: the derivative of the fitted polynomial.
    """
    t = np.asarray(times, float)
    k, m, _ = vel.shape
    if m <= degree:
        raise ValueError(f"need more than {degree} samples, got {m}")
    tau = (t - t.mean()) / max(float(np.ptp(t)), 1e-9)  # centred, scaled: well conditioned
    vander = np.vander(tau, degree + 1, increasing=True)  # (m, d+1)
    cols = np.moveaxis(vel, 1, 0).reshape(m, k * 3)
    coef, *_ = np.linalg.lstsq(vander, cols, rcond=None)  # (d+1, k*3)
    powers = np.arange(1, degree + 1)
    dvander = powers * np.vander(tau, degree, increasing=True)  # d/dτ of τ^p
    acc = dvander @ coef[1:] / max(float(np.ptp(t)), 1e-9)
    return np.moveaxis(acc.reshape(m, k, 3), 1, 0)


def fit_glide(times: F64, pos: F64, vel: F64, opts: FrameOptions | None = None,
              degree: int = 2) -> GlideFit:
    """Fit β, L/D and bank to a window of track states by least squares.

    Parameters
    ----------
    times
        Sample times ``(m,)`` [s].
    pos, vel
        ECEF positions [m] and Earth-relative velocities [m/s], ``(k, m, 3)``.
    opts
        Frame switches used to remove gravity and the frame terms (default all on).
    degree
        Degree of the velocity polynomial (:func:`window_accel`).

    Returns
    -------
    GlideFit

    Notes
    -----
    Least squares through the origin over the window: 1/β = Σ q̄D / Σ q̄²,
    c_v = Σ q̄L_v / Σ q̄², c_s = Σ q̄L_s / Σ q̄².
    """
    opts = opts or FrameOptions()
    k, m, _ = pos.shape
    acc = window_accel(times, vel, degree).reshape(k * m, 3).T
    p = pos.reshape(k * m, 3).T
    v = vel.reshape(k * m, 3).T
    aero = acc - frame_accel(p, v, opts, np.empty_like(p))
    speed = norm3(v)
    e_v, e_l, e_s = lift_frame(p, v, speed)
    drag = -(aero * e_v).sum(axis=0).reshape(k, m)
    l_v = (aero * e_l).sum(axis=0).reshape(k, m)
    l_s = (aero * e_s).sum(axis=0).reshape(k, m)
    q = _dynamic_pressure(p, speed, opts).reshape(k, m)
    qq = np.maximum((q * q).sum(axis=1), 1e-300)
    inv_beta = (q * drag).sum(axis=1) / qq
    c_v = (q * l_v).sum(axis=1) / qq
    c_s = (q * l_s).sum(axis=1) / qq
    with np.errstate(divide="ignore", invalid="ignore"):
        beta = np.where(inv_beta > 0.0, 1.0 / inv_beta, np.inf)
        ld = np.where(inv_beta > 0.0, np.hypot(c_v, c_s) * beta, 0.0)
    return GlideFit(beta, ld, np.arctan2(c_s, c_v), drag[:, -1], l_v[:, -1], l_s[:, -1])


def _glide_deriv(pos: F64, vel: F64, inv_beta: F64, k_l: F64, k_s: F64,
                 opts: FrameOptions) -> F64:
    """dv/dt ``(3, k)`` of the constant-L/D, constant-bank glide."""
    acc = frame_accel(pos, vel, opts, np.empty_like(pos))
    speed = norm3(vel)
    drag = _dynamic_pressure(pos, speed, opts) * inv_beta
    e_v, e_l, e_s = lift_frame(pos, vel, speed)
    acc += drag * (k_l * e_l + k_s * e_s - e_v)
    return acc


def propagate_glide(pos0: F64, vel0: F64, fit: GlideFit, horizons: F64,
                    dt: float = DEFAULT_DT, opts: FrameOptions | None = None) -> F64:
    """Integrate ``k`` gliders with constant β, L/D and bank by fixed-step RK4.

    Parameters
    ----------
    pos0, vel0
        Initial ECEF positions [m] and Earth-relative velocities [m/s], ``(k, 3)``.
    fit
        Aerodynamic parameters ``(k,)`` each (``beta = inf``: no aerodynamic force).
    horizons
        Prediction times after the initial state ``(h,)`` [s], ≥ 0, any order.
    dt
        Largest RK4 step [s]; each interval between sorted horizons is split into
        equal steps no longer than ``dt``.
    opts
        Frame switches (default all on).

    Returns
    -------
    ndarray
        Positions ``(k, h, 3)`` [m].
    """
    opts = opts or FrameOptions()
    hz = np.asarray(horizons, float)
    if hz.size and hz.min() < 0.0:
        raise ValueError("horizons must be non-negative")
    inv_beta = np.where(np.isfinite(fit.beta), 1.0 / fit.beta, 0.0)
    k_l = fit.lift_to_drag * np.cos(fit.bank)
    k_s = fit.lift_to_drag * np.sin(fit.bank)
    r = np.array(pos0, float).T
    v = np.array(vel0, float).T
    out = np.empty((r.shape[1], hz.size, 3))
    t = 0.0
    for j in np.argsort(hz, kind="stable"):
        span = hz[j] - t
        n = int(np.ceil(span / dt - 1e-9)) if span > 0 else 0
        h = span / n if n else 0.0
        for _ in range(n):
            r, v = _rk4_step(r, v, h, inv_beta, k_l, k_s, opts)
        t = hz[j]
        out[:, j, :] = r.T
    return out


def _rk4_step(r: F64, v: F64, h: float, inv_beta: F64, k_l: F64, k_s: F64,
              opts: FrameOptions) -> tuple[F64, F64]:
    """One classical Runge–Kutta step of the glide equations."""
    a1 = _glide_deriv(r, v, inv_beta, k_l, k_s, opts)
    r2, v2 = r + 0.5 * h * v, v + 0.5 * h * a1
    a2 = _glide_deriv(r2, v2, inv_beta, k_l, k_s, opts)
    r3, v3 = r + 0.5 * h * v2, v + 0.5 * h * a2
    a3 = _glide_deriv(r3, v3, inv_beta, k_l, k_s, opts)
    r4, v4 = r + h * v3, v + h * a3
    a4 = _glide_deriv(r4, v4, inv_beta, k_l, k_s, opts)
    r_new = r + h / 6.0 * (v + 2.0 * v2 + 2.0 * v3 + v4)
    v_new = v + h / 6.0 * (a1 + 2.0 * a2 + 2.0 * a3 + a4)
    return r_new, v_new


def predict_glide(times: F64, pos: F64, vel: F64, horizons: F64, dt: float = DEFAULT_DT,
                  opts: FrameOptions | None = None) -> F64:
    """Physics prediction: fit the window (:func:`fit_glide`), then propagate from the
    last sample (:func:`propagate_glide`).

    Parameters
    ----------
    times
        Window sample times ``(m,)`` [s]; the last is the prediction origin.
    pos, vel
        ECEF positions [m] and Earth-relative velocities [m/s], ``(k, m, 3)``.
    horizons
        Times after the last sample ``(h,)`` [s].
    dt
        Largest RK4 step [s].
    opts
        Frame switches, for the fit and the propagation (default all on).

    Returns
    -------
    ndarray
        Predicted ECEF positions ``(k, h, 3)`` [m].
    """
    fit = fit_glide(times, pos, vel, opts)
    return propagate_glide(pos[:, -1], vel[:, -1], fit, horizons, dt, opts)


def predict_constant_velocity(times: F64, pos: F64, vel: F64, horizons: F64) -> F64:
    """Straight-line baseline: ``r(t_m) + v(t_m) h`` in ECEF.

    Parameters are those of :func:`predict_glide` (``times`` is unused).  Returns
    positions ``(k, h, 3)`` [m].
    """
    hz = np.asarray(horizons, float)
    return pos[:, -1, None, :] + vel[:, -1, None, :] * hz[None, :, None]
