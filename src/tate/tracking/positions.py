"""Radar detections as positions in the tracker frame.

:func:`rae_to_position` turns range [m], azimuth and elevation [rad] measured from a
sensor (at a position in the tracker's ENU frame, its own axes rotated from the
tracker's) into tracker-frame positions [m] and their first-order covariances J⁻¹ R J⁻ᵀ
[m²]; :func:`_rae_to_position_jit` is the same by the compiled kernel
(:func:`._scan_jit.rae_positions`); :func:`_rows` restricts a measurement model to some
detections.  Used by :class:`~tate.tracking.tracker.Tracker`.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from numpy.typing import NDArray

from tate.tracking.measurement import Meas, RAEMeas
from tate.tracking.pairs import _NO_ROT, _per_row
from tate.tracking.radar import rae_jacobian

__all__ = ["rae_to_position"]

F64 = NDArray[np.float64]
I64 = NDArray[np.intp]


def rae_to_position(meas: RAEMeas, z: F64) -> tuple[F64, F64]:
    """Positions ``(p, 3)`` and their covariances ``(p, 3, 3)`` (first-order: J⁻¹ R J⁻ᵀ)
    of radar measurements ``z (p, 3)`` (range [m], az [rad], el [rad])."""
    r, az, el = z[:, 0], z[:, 1], z[:, 2]
    ce = np.cos(el)
    p = z.shape[0]
    rel = np.empty((p, 3))
    rce = r * ce
    rel[:, 0] = rce * np.sin(az)
    rel[:, 1] = rce * np.cos(az)
    rel[:, 2] = r * np.sin(el)
    Jinv = np.linalg.inv(rae_jacobian(rel))
    if meas.rotation is not None:  # sensor axes → tracker axes: Mᵀ
        Mt = np.swapaxes(np.asarray(meas.rotation, dtype=float), -1, -2)
        rel = np.einsum("...ij,...j->...i", Mt, rel)
        Jinv = Mt @ Jinv
    pos = np.asarray(meas.sensor_pos, dtype=float) + rel
    R = np.asarray(meas.R, dtype=float)
    if R.shape != (p, 3, 3):
        R = np.broadcast_to(R, (p, 3, 3))
    cov = Jinv @ R @ np.swapaxes(Jinv, -1, -2)
    return pos, 0.5 * (cov + np.swapaxes(cov, -1, -2))


def _rae_to_position_jit(meas: RAEMeas, z: F64) -> tuple[F64, F64]:
    """:func:`rae_to_position` by the compiled kernel (:func:`._scan_jit.rae_positions`)."""
    from tate.tracking._scan_jit import rae_positions

    has_rot = meas.rotation is not None
    rot = _per_row(meas.rotation, 2) if has_rot else _NO_ROT
    return rae_positions(z, _per_row(meas.sensor_pos, 1), rot, has_rot, _per_row(meas.R, 2))


def _rows(meas: Meas, idx: I64) -> Meas:
    """The measurement model restricted to detections ``idx`` (per-row R, sensor)."""
    R = np.asarray(meas.R, dtype=float)
    if R.ndim == 3:
        meas = replace(meas, R=R[idx])
    if isinstance(meas, RAEMeas):
        s = np.asarray(meas.sensor_pos, dtype=float)
        meas = replace(meas, sensor_pos=s[idx] if s.ndim == 2 else s)
        if meas.rotation is not None and np.ndim(meas.rotation) == 3:
            meas = replace(meas, rotation=np.asarray(meas.rotation)[idx])
    return meas
