"""Measurement models for the track filters: Cartesian position and radar (range, az, el).

Two models, both functions of the track's position only (the first ``dim`` state
components, see :mod:`.motion` for the layout):

* :class:`PositionMeas` -- linear, z = H x with H = [I_d 0]; noise ``R`` shared
  ``(m, m)`` or one per row ``(r, m, m)``.
* :class:`RAEMeas` -- a radar at ``sensor_pos`` (tracker ENU frame, one row per track
  being updated) measures range r = |p|, azimuth az = atan2(e, n) (clockwise from
  north) and elevation el = asin(u / r) of the relative position p = M (pos − sensor_pos),
  where the optional rotation M takes tracker-frame axes to the sensor's own ENU axes
  (identity when omitted)
  (Bar-Shalom, Li & Kirubarajan, *Estimation with Applications to Tracking and
  Navigation*, 2001, §10.3); ``angle_only=True`` keeps (az, el), e.g. for a passive
  sensor or a jammed radar.  The radar is assumed to measure in the tracker's ENU axes
  (a sensor whose local vertical differs, far from the origin, must be rotated by the
  caller).  Kernels come from :mod:`.radar`.

Innovations wrap the azimuth difference to (−π, π]; elevation is in [−π/2, π/2] and
never wraps.  Units: m, rad.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from tate.tracking.radar import rae, rae_jacobian

__all__ = [
    "Meas",
    "PositionMeas",
    "RAEMeas",
    "angle_column",
    "innovation",
    "meas_dim",
    "measurement_jacobian",
    "noise",
    "predict_measurement",
    "wrap_angle",
]

F64 = NDArray[np.float64]


@dataclass(frozen=True)
class PositionMeas:
    """Cartesian position measurement z = (x, y[, z]) with noise covariance ``R``.

    Attributes
    ----------
    dim : int
        Measured axes (2 or 3), the first ``dim`` state components.
    R : ndarray
        Noise covariance ``(dim, dim)`` shared by all rows, or ``(r, dim, dim)`` one per
        row being updated. [m²]
    """

    dim: int
    R: F64


@dataclass(frozen=True)
class RAEMeas:
    """Radar measurement (range, azimuth, elevation) of ``pos − sensor_pos``.

    Attributes
    ----------
    sensor_pos : ndarray
        Sensor positions ``(r, 3)`` (or ``(3,)`` for all rows) in the tracker ENU frame. [m]
    R : ndarray
        Noise covariance ``(r, 3, 3)`` or ``(3, 3)`` of (range [m], az [rad], el [rad]);
        ``(r, 2, 2)`` or ``(2, 2)`` of (az, el) when ``angle_only``.
    angle_only : bool
        Measure (az, el) only.
    """

    sensor_pos: F64
    R: F64
    angle_only: bool = False
    #: rotation ``(3, 3)`` or ``(r, 3, 3)`` from tracker-frame axes to the sensor's ENU
    #: axes (a sensor far from the tracker origin has a tilted vertical); None = identity
    rotation: F64 | None = None


Meas = PositionMeas | RAEMeas


def meas_dim(meas: Meas) -> int:
    """Size m of one measurement vector."""
    if isinstance(meas, PositionMeas):
        return meas.dim
    return 2 if meas.angle_only else 3


def angle_column(meas: Meas) -> int | None:
    """Column of the measurement vector that holds the azimuth (wraps), or ``None``."""
    if isinstance(meas, PositionMeas):
        return None
    return 0 if meas.angle_only else 1


def noise(meas: Meas) -> F64:
    """Noise covariance as given: ``(m, m)`` or ``(r, m, m)``."""
    return np.asarray(meas.R, dtype=np.float64)


def wrap_angle(a: F64) -> F64:
    """Angles wrapped to (−π, π]; values already inside are returned unchanged (bit for bit)."""
    a = np.asarray(a, dtype=np.float64)
    inside = (a > -np.pi) & (a <= np.pi)
    if inside.all():
        return a
    return np.where(inside, a, np.pi - np.mod(np.pi - a, 2.0 * np.pi))


def _relative(meas: RAEMeas, x_pos: F64) -> F64:
    if x_pos.shape[-1] != 3:
        raise ValueError(f"RAEMeas needs 3-D positions, got shape {x_pos.shape}")
    rel = x_pos - np.asarray(meas.sensor_pos, dtype=np.float64)
    if meas.rotation is None:
        return rel
    return np.einsum("...ij,...j->...i", np.asarray(meas.rotation, dtype=np.float64), rel)


def predict_measurement(meas: Meas, x_pos: F64) -> F64:
    """Noise-free measurement of positions ``x_pos (r, d)`` → ``z (r, m)``.

    Parameters
    ----------
    meas
        Measurement model.
    x_pos
        Positions [m], the first ``d`` state components of each row.

    Returns
    -------
    ndarray
        ``(r, m)``: positions [m], or (range [m], az [rad], el [rad]), or (az, el).
    """
    if isinstance(meas, PositionMeas):
        return x_pos[:, : meas.dim]
    z = rae(_relative(meas, x_pos))
    return z[:, 1:] if meas.angle_only else z


def measurement_jacobian(meas: Meas, x_pos: F64) -> F64:
    """∂z/∂pos at positions ``x_pos (r, d)`` → ``(r, m, d)``."""
    r = x_pos.shape[0]
    if isinstance(meas, PositionMeas):
        J = np.zeros((r, meas.dim, x_pos.shape[1]))
        J[:, :, : meas.dim] = np.eye(meas.dim)
        return J
    J = rae_jacobian(_relative(meas, x_pos))
    if meas.rotation is not None:
        J = J @ np.asarray(meas.rotation, dtype=np.float64)
    return J[:, 1:, :] if meas.angle_only else J


def innovation(meas: Meas, z: F64, z_pred: F64) -> F64:
    """Innovation ν = z − ẑ (broadcasting, e.g. ``(r, c, m)`` against ``(r, 1, m)``), with
    the azimuth difference wrapped to (−π, π]."""
    nu = np.asarray(z, dtype=np.float64) - z_pred
    col = angle_column(meas)
    if col is not None:
        nu[..., col] = wrap_angle(nu[..., col])
    return nu
