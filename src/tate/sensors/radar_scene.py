"""The radar scene of a chunk of look times: what a radar would measure of every body.

For ``k`` look times and ``n`` bodies seen from one radar (the geometry of
:class:`tate.sensors.simulate._Scene`: range, azimuth, elevation in the sensor's ENU
frame), :func:`radar_scene` gives the angle off the serving face (through
:func:`tate.sensors.radar.off_boresight`), visibility (:func:`tate.sensors.radar.visible`),
aspect angle and RCS (:mod:`tate.sensors.rcs`), SNR [dB], P_d (0 where not visible),
measurement standard deviations (:func:`tate.sensors.radar.measurement_std`) and the
search-raster position (:func:`tate.sensors.schedule.radar_search_position`), as
``(k, n)`` arrays.  It is the numpy reference of the compiled
:func:`tate.sensors._chunk_jit.scene`, which :func:`compiled_scene` binds to a radar's
parameters (geometry included: one compiled call per chunk; the accuracy only of the
pairs detected, :func:`tate.sensors._chunk_jit.accuracy`).  Units: SI, angles in radians,
SNR in dB.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray

from tate.sensors import radar
from tate.sensors.detection import EARTH_RADIUS
from tate.sensors.radar import RadarSpec
from tate.sensors.rcs import (
    ASPECT_NODES_RAD,
    RCS_TABLES_DBSM,
    THREAT_KINDS,
    aspect_angle,
    rcs_m2_coded,
)
from tate.sensors.schedule import radar_search_position

__all__ = ["compiled_scene", "radar_scene", "scene_args", "scene_par"]

F64 = NDArray[np.float64]


def radar_scene(spec: RadarSpec, sc: Any, alt: F64, codes: NDArray[np.int64]
                ) -> tuple[tuple[F64, F64, F64], F64, F64, F64]:
    """Measurement stds, SNR [dB], P_d (0 where not visible) and search position of a
    radar's scene ``(k, n)`` (the numpy reference of :func:`tate.sensors._chunk_jit.scene`,
    with the geometry of ``sc``; ``alt``, ``codes``: the bodies' heights and kinds)."""
    heading = sc.state.heading[:, None]
    off = radar.off_boresight(spec, heading, sc.az, sc.el)
    vis = sc.alive & radar.visible(spec, heading, sc.rng, sc.az, sc.el, alt,
                                   sc.state.alt[:, None], off_boresight_rad=off)
    sigma = rcs_m2_coded(codes, aspect_angle(sc.vel, sc.state.pos[:, None] - sc.pos))
    snr = radar.snr_db(spec, sc.rng, sigma, off)
    pd = np.where(vis, radar.pd(spec, snr), 0.0)
    return (radar.measurement_std(spec, snr, off), snr, pd,
            radar_search_position(spec.faces, heading, sc.az))


def scene_par(spec: RadarSpec) -> F64:
    """The parameters ``par`` of :func:`tate.sensors._chunk_jit.scene` (and ``hits``,
    ``accuracy``) of a radar."""
    return np.array([spec.face_tilt_rad, spec.scan_loss_exp, spec.max_scan_rad,
                     spec.min_el_rad, spec.max_el_rad, spec.max_range_m, spec.snr_ref_db,
                     spec.ref_range_m, spec.range_res_m, spec.beamwidth_rad, spec.pfa,
                     2.0 * (4.0 / 3.0 * EARTH_RADIUS), radar.MONOPULSE_SLOPE,
                     radar.RANGE_BIAS_M, radar.ANGLE_BIAS_RAD, radar._MIN_COS], float)


def scene_args(spec: RadarSpec, code_before: NDArray[np.int64], code_after: NDArray[np.int64]
               ) -> tuple[int, F64, int, F64, F64] | None:
    """The radar's trailing arguments of :func:`tate.sensors._chunk_jit.scene` (and
    ``geometry``): ``faces, par, swerling case, aspect nodes, RCS tables``; None where the
    numpy path must run (Swerling 0, invalid kind codes: it raises)."""
    codes = np.concatenate([code_before, code_after])
    if spec.swerling == 0 or (codes.size and not 0 <= codes.min() <= codes.max()
                              < len(THREAT_KINDS)):
        return None
    tables = np.array([RCS_TABLES_DBSM[k] for k in THREAT_KINDS], float)
    return (int(spec.faces), scene_par(spec), 3 if spec.swerling in (3, 4) else 1,
            np.asarray(ASPECT_NODES_RAD, float), tables)


def compiled_scene(spec: RadarSpec, code_before: NDArray[np.int64],
                   code_after: NDArray[np.int64]) -> Callable[..., Any] | None:
    """:func:`tate.sensors._chunk_jit.scene` with ``spec``'s parameters bound, or None
    where the numpy path must run (Swerling 0, invalid kind codes: it raises).  With
    ``lazy=True`` the bound call is :func:`tate.sensors._chunk_jit.geometry` instead (the
    scene's ``out (10, k, n)`` and the arguments of :func:`tate.sensors._chunk_jit.fill`,
    which makes the range, cosine, SNR and P_d of the pairs the time line looks at)."""
    args = scene_args(spec, code_before, code_after)
    if args is None:
        return None
    from tate.sensors._chunk_jit import geometry, scene

    faces, par, case, nodes, tables = args

    def bound(safe: F64, vel: F64, alt: F64, codes: NDArray[np.int64],
              alive: NDArray[np.bool_], spos: F64, lat: F64, lon: F64, heading: F64,
              salt: F64, lazy: bool = False) -> Any:
        return (geometry if lazy else scene)(safe, vel, alt, codes, alive, spos, lat, lon,
                                             heading, salt, faces, par, case, nodes, tables)
    return bound
