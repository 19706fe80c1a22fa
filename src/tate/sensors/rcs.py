"""Radar cross section of generic threat types against aspect angle.

What it models
--------------
A mean RCS [m²] per threat kind as a function of the aspect angle, the angle between the
target's velocity (its nose, for a body flying forward) and the line of sight from the
target to the radar: 0 is nose-on, π/2 broadside, π tail-on.  Each kind has a table of
dBsm values at 0°, 30°, ..., 180°, interpolated linearly in dB; the RCS is symmetric
about the body axis (aspect is folded into [0, π]).  Swerling fluctuation about this
mean is the detection model's business (:mod:`tate.sensors.detection`).

The tables are generic, open-literature orders of magnitude for S/X band, tagged [M] in
docs/sensors.md (never a test oracle): cone-shaped re-entry vehicles a few hundredths of
a square metre or less nose-on (the sharp cone tip scatters weakly; the base and the
cone side flash near broadside and tail-on), rocket bodies several square metres, a
slender glider −15 dBsm nose-on, a cruise missile about 0.1 m² nose-on and 1 m²
broadside, small drones −20…−10 dBsm, a fighter-sized aircraft a few square metres
nose-on (Skolnik, *Introduction to Radar Systems*, 3rd ed., 2001, Table 2.2, lists
0.5 m² for a conventional unmanned winged missile and 2–6 m² for fighters, without
aspect).  The frequency is
accepted and checked but not used: the tables are optical-region values.

Frame and units: vectors in any common Cartesian frame (ECEF in the engine); angles in
radians; RCS in m².
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["ASPECT_NODES_RAD", "RCS_TABLES_DBSM", "THREAT_KINDS", "aspect_angle", "kind_codes",
           "rcs_m2", "rcs_m2_coded"]

F64 = NDArray[np.float64]
THREAT_KINDS = ("ballistic-rv", "booster", "glider", "cruise", "drone", "aircraft", "debris")

ASPECT_NODES_RAD: F64 = np.deg2rad(np.arange(0.0, 181.0, 30.0))
"""Aspect angles of the table columns: 0°, 30°, ..., 180° [rad]."""

#: Mean RCS [dBsm] at ASPECT_NODES_RAD (nose-on ... broadside ... tail-on); see docs/sensors.md.
RCS_TABLES_DBSM: Mapping[str, tuple[float, ...]] = MappingProxyType({
    #                  0°     30°    60°    90°    120°   150°   180°
    "ballistic-rv": (-25.0, -20.0, -12.0, -3.0, -10.0, -12.0, -8.0),
    "booster": (0.0, 3.0, 7.0, 10.0, 7.0, 5.0, 5.0),
    "glider": (-15.0, -12.0, -8.0, -3.0, -8.0, -10.0, -10.0),
    "cruise": (-10.0, -8.0, -4.0, 0.0, -4.0, -6.0, -8.0),
    "drone": (-20.0, -17.0, -13.0, -10.0, -13.0, -16.0, -18.0),
    "aircraft": (5.0, 8.0, 13.0, 20.0, 13.0, 9.0, 10.0),
    "debris": (-15.0, -15.0, -15.0, -15.0, -15.0, -15.0, -15.0),
})


def _fold_aspect(aspect: F64) -> F64:
    """Fold any angle into [0, π] (the RCS is symmetric about the body axis)."""
    return np.abs(np.mod(aspect + np.pi, 2.0 * np.pi) - np.pi)


def _unknown(kinds: object) -> ValueError:
    return ValueError(f"unknown threat kind {kinds!r}; valid kinds: {', '.join(THREAT_KINDS)}")


def rcs_m2(kind: str | ArrayLike, aspect_rad: ArrayLike, freq_hz: float = 3.0e9) -> F64:
    """Mean RCS [m²] of threats of ``kind`` seen at ``aspect_rad``.

    Parameters
    ----------
    kind
        One of :data:`THREAT_KINDS`, or an array of them broadcast with ``aspect_rad``.
    aspect_rad
        Aspect angle [rad]: 0 nose-on, π tail-on; any value is folded into [0, π].
    freq_hz
        Radar frequency [Hz], > 0 (not used by the optical-region tables).

    Returns
    -------
    NDArray[np.float64]
        RCS [m²], the broadcast shape of ``kind`` and ``aspect_rad``.

    Raises
    ------
    ValueError
        For an unknown kind (the message lists the valid ones) or ``freq_hz <= 0``.
    """
    if not freq_hz > 0:
        raise ValueError(f"freq_hz must be > 0, got {freq_hz}")
    a = _fold_aspect(np.asarray(aspect_rad, dtype=float))
    if isinstance(kind, str):
        if kind not in RCS_TABLES_DBSM:
            raise _unknown(kind)
        return np.asarray(10.0 ** (np.interp(a, ASPECT_NODES_RAD, RCS_TABLES_DBSM[kind]) / 10.0))
    kinds = np.asarray(kind)
    present = set(kinds.ravel().tolist())  # a set, not np.unique: no sort of the objects
    unknown = present - set(THREAT_KINDS)
    if unknown:
        raise _unknown(sorted(unknown))
    return _rcs_of_codes(kind_codes(kinds), a)


def kind_codes(kinds: ArrayLike) -> NDArray[np.int64]:
    """Index of each kind in :data:`THREAT_KINDS` (−1 for an unknown one), same shape."""
    k = np.asarray(kinds, dtype=object)
    out = np.full(k.shape, -1, dtype=np.int64)
    for code, name in enumerate(THREAT_KINDS):
        out[k == name] = code
    return out


def rcs_m2_coded(code: ArrayLike, aspect_rad: ArrayLike) -> F64:
    """:func:`rcs_m2` of kinds given as their index in :data:`THREAT_KINDS` (the same
    values, bit for bit, without comparing kind names).

    ``code`` (integers) broadcasts with ``aspect_rad`` [rad]; raises ``ValueError`` for
    a code out of range.
    """
    c = np.asarray(code)
    if c.size and (int(c.min()) < 0 or int(c.max()) >= len(THREAT_KINDS)):
        raise ValueError(f"kind codes must be in [0, {len(THREAT_KINDS)}), got "
                         f"{sorted(set(c.ravel().tolist()))}")
    return _rcs_of_codes(c, _fold_aspect(np.asarray(aspect_rad, dtype=float)))


def _rcs_of_codes(code: NDArray[np.int64], a: F64) -> F64:
    """RCS [m²] of valid kind codes at folded aspect angles ``a`` (broadcast)."""
    code, a = np.broadcast_arrays(code, a)
    out = np.empty(a.shape)
    for c in np.flatnonzero(np.bincount(code.ravel(), minlength=len(THREAT_KINDS))):
        sel = code == c
        out[sel] = np.interp(a[sel], ASPECT_NODES_RAD, RCS_TABLES_DBSM[THREAT_KINDS[c]])
    return np.asarray(10.0 ** (out / 10.0))


def aspect_angle(target_vel: ArrayLike, los_target_to_sensor: ArrayLike) -> F64:
    """Aspect angle [rad] in [0, π] between velocity and line of sight to the sensor.

    Parameters
    ----------
    target_vel
        Target velocity, shape (n, 3) or (3,) [m/s]; its direction is taken as the nose.
    los_target_to_sensor
        Vector from the target to the sensor, shape (n, 3) or (3,), same frame [m].

    Returns
    -------
    NDArray[np.float64], shape (n,)
        atan2(|v × l|, v · l): 0 when flying straight at the sensor; 0 for a zero vector.
    """
    v = np.asarray(target_vel, dtype=float)
    los = np.asarray(los_target_to_sensor, dtype=float)
    if v.shape[-1] != 3 or los.shape[-1] != 3:
        raise ValueError(f"vectors must have shape (..., 3), got {v.shape} and {los.shape}")
    v, los = np.broadcast_arrays(v, los)
    (v0, v1, v2), (l0, l1, l2) = (v[..., i] for i in range(3)), (los[..., i] for i in range(3))
    # the operations, in the order, of np.cross, np.linalg.norm and np.sum over the last
    # axis (tests/unit/sensors/test_scene_speed.py checks the bits)
    c0, c1, c2 = v1 * l2 - v2 * l1, v2 * l0 - v0 * l2, v0 * l1 - v1 * l0
    cross = np.sqrt((c0 * c0 + c1 * c1) + c2 * c2)
    return np.asarray(np.arctan2(cross, (v0 * l0 + v1 * l1) + v2 * l2), dtype=float)
