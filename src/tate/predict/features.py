"""Kinematic features of a track window, and the local frame the learned predictor uses.

What it computes
----------------
From a window of ``m`` filtered track states (ECEF position and Earth-relative velocity
at evenly spaced times), for ``k`` tracks at once:

* altitude (geodetic, WGS-84), speed, climb rate and flight-path angle: last value, mean,
  range over the window;
* the specific aerodynamic force: the window's acceleration (derivative of a quadratic
  least-squares fit to the velocities, :func:`tate.predict.glide.window_accel`) less
  gravity (J2) and the Coriolis and centrifugal terms, resolved along the flight path
  (drag), in the vertical plane (lift) and sideways (side force), in g; mean, spread and
  extremes over the window, and the side force at every sample (its sign pattern is the
  phase of an S-turn or weave);
* dynamic pressure q̄ = ½ρV² (US76), the implied ballistic coefficient q̄/D and
  lift-to-drag ratio (log-compressed, clipped), Mach number;
* the track's position standard deviation (log), which separates tracks on clutter.

These are the quantities the kinematic rules of :mod:`tate.c2.threat` threshold (speed,
altitude, flight-path angle, lift), given to a learned model as numbers instead.

:func:`local_frame` is the flight-path frame at the last sample (along the velocity,
sideways to the right, and up in the vertical plane; :func:`tate.flight.eom.lift_frame`)
in which the learned predictor's targets are expressed, so that a model learns one
manoeuvre whatever the heading.

Units: SI inside; accelerations in g (9.80665 m/s²) and logs of SI values in the
features so that they are of order one.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from tate.earth import wgs84
from tate.earth.atmosphere import density_and_sound_speed
from tate.flight.eom import FrameOptions, ellipsoid_up, frame_accel, lift_frame, norm3
from tate.predict.glide import window_accel

__all__ = ["FEATURE_NAMES", "features", "from_local", "local_frame", "to_local"]

F64 = NDArray[np.float64]
G0 = 9.80665


def _names(m: int) -> tuple[str, ...]:
    base = [
        "alt_km", "alt_mean_km", "alt_range_km", "speed_kms", "speed_mean_kms",
        "speed_change_kms", "climb_kms", "climb_mean_kms", "gamma_deg", "gamma_mean_deg",
        "gamma_range_deg", "drag_g", "drag_mean_g", "drag_std_g", "lift_g", "lift_mean_g",
        "lift_std_g", "side_g", "side_mean_g", "side_std_g", "side_abs_max_g",
        "side_sign_changes", "log_qbar", "log_beta", "lift_to_drag", "mach", "log_sigma",
    ]
    base += [f"side_{i}_g" for i in range(m)]
    base += [f"lift_{i}_g" for i in range(m)]
    return tuple(base)


#: Feature names for the default window of 11 samples.
FEATURE_NAMES = _names(11)


def features(times: F64, pos: F64, vel: F64, sigma: F64) -> F64:
    """Features ``(k, f)`` of ``k`` windows.

    Parameters
    ----------
    times
        Window sample times ``(m,)`` [s], evenly spaced.
    pos, vel
        ECEF positions [m] and Earth-relative velocities [m/s], ``(k, m, 3)``.
    sigma
        Largest position standard deviation of each track at the last sample ``(k,)`` [m].

    Returns
    -------
    ndarray
        ``(k, f)`` in the order of ``_names(m)`` (:data:`FEATURE_NAMES` for m = 11).
    """
    k, m, _ = pos.shape
    if k == 0:
        return np.empty((0, len(_names(m))))
    p = pos.reshape(k * m, 3).T
    v = vel.reshape(k * m, 3).T
    speed = norm3(v)
    alt = np.asarray(wgs84.geodetic_altitude(p.T))
    up = ellipsoid_up(p)
    climb = (up * v).sum(axis=0)
    gamma = np.degrees(np.arcsin(np.clip(climb / np.maximum(speed, 1e-9), -1.0, 1.0)))
    acc = window_accel(times, vel).reshape(k * m, 3).T
    aero = acc - frame_accel(p, v, FrameOptions(), np.empty_like(p))
    e_v, e_l, e_s = lift_frame(p, v, speed)
    drag = -(aero * e_v).sum(axis=0) / G0
    lift = (aero * e_l).sum(axis=0) / G0
    side = (aero * e_s).sum(axis=0) / G0
    rho, sound = density_and_sound_speed(np.clip(alt, -500.0, 1.0e6))
    qbar = 0.5 * rho * speed * speed
    shape = (k, m)
    alt, speed, climb, gamma = (x.reshape(shape) for x in (alt, speed, climb, gamma))
    drag, lift, side = (x.reshape(shape) for x in (drag, lift, side))
    q_last = qbar.reshape(shape)[:, -1]
    mach = (speed[:, -1] / sound.reshape(shape)[:, -1])
    d_last = np.maximum(drag[:, -1] * G0, 1e-3)
    log_beta = np.clip(np.log10(np.maximum(q_last, 1e-6) / d_last), -3.0, 7.0)
    ld = np.clip(np.hypot(lift[:, -1], side[:, -1]) / np.maximum(drag[:, -1], 1e-3), 0.0, 20.0)
    changes = (np.diff(np.sign(side), axis=1) != 0).sum(axis=1).astype(float)
    cols = [
        alt[:, -1] / 1e3, alt.mean(axis=1) / 1e3, np.ptp(alt, axis=1) / 1e3,
        speed[:, -1] / 1e3, speed.mean(axis=1) / 1e3, (speed[:, -1] - speed[:, 0]) / 1e3,
        climb[:, -1] / 1e3, climb.mean(axis=1) / 1e3, gamma[:, -1], gamma.mean(axis=1),
        np.ptp(gamma, axis=1), drag[:, -1], drag.mean(axis=1), drag.std(axis=1),
        lift[:, -1], lift.mean(axis=1), lift.std(axis=1), side[:, -1], side.mean(axis=1),
        side.std(axis=1), np.abs(side).max(axis=1), changes,
        np.log10(np.maximum(q_last, 1e-6)), log_beta, ld, np.minimum(mach, 40.0),
        np.log10(np.maximum(np.asarray(sigma, float), 1.0)),
    ]
    out = np.column_stack([*cols, side, lift])
    return np.nan_to_num(out, nan=0.0, posinf=0.0, neginf=0.0)


def local_frame(pos: F64, vel: F64) -> F64:
    """Rows of the flight-path frame at ``pos, vel (k, 3)``: ``(k, 3, 3)`` whose rows are
    the unit vectors along the velocity, to the right, and up in the vertical plane."""
    p, v = pos.T, vel.T
    e_v, e_l, e_s = lift_frame(p, v, norm3(v))
    return np.stack([e_v.T, e_s.T, e_l.T], axis=1)


def to_local(frame: F64, vec: F64) -> F64:
    """Vectors ``(k, ..., 3)`` (ECEF axes) into each row's frame ``(k, 3, 3)``."""
    return np.einsum("kij,k...j->k...i", frame, vec)


def from_local(frame: F64, vec: F64) -> F64:
    """Inverse of :func:`to_local`."""
    return np.einsum("kji,k...j->k...i", frame, vec)
