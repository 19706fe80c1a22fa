"""What the radars of a sensing run now share per chunk of look times (the bodies'
safe positions, velocities, heights and kind codes, :func:`_chunk_bodies`) and the
face-by-face :func:`radar.off_boresight` give the bits of the per-radar forms they
replace (a detection is drawn by ``u < P_d``: a last-bit change can flip one)."""

from __future__ import annotations

import numpy as np
import pytest

from tate.earth import wgs84
from tate.sensors import radar
from tate.sensors.presets import RADARS
from tate.sensors.simulate import TruthTracks, _chunk_bodies, _chunks, _Scene
from tests.unit.sensors.test_scene_speed import _face_reference, _same_bits


def _truth() -> TruthTracks:
    """Three bodies on straight ECEF lines, alive over different spans."""
    time = np.concatenate([np.arange(0.0, 40.0, 2.0), np.arange(10.0, 30.0, 1.0),
                           np.arange(5.0, 60.0, 5.0)])
    start = np.array([0, 20, 40, time.size])
    pos = np.empty((time.size, 3))
    vel = np.empty((time.size, 3))
    for j, (p0, v) in enumerate([((wgs84.A + 9e4, 1e5, 2e5), (-300.0, 1500.0, 40.0)),
                                 ((wgs84.A + 3e4, -2e5, 1e5), (-900.0, -20.0, 700.0)),
                                 ((wgs84.A + 2e3, 5e4, 3e4), (10.0, 250.0, -5.0))]):
        t = time[start[j]:start[j + 1]]
        pos[start[j]:start[j + 1]] = np.add(p0, t[:, None] * np.array(v))
        vel[start[j]:start[j + 1]] = v
    ids = np.array(["a", "b", "c"], object)
    return TruthTracks(ids, np.array(["ballistic", "boost-glide", "cruise"], object),
                       np.array(["booster", "booster", "cruise"], object),
                       np.array(["ballistic-rv", "glider", "cruise"], object),
                       np.array([20.0, np.inf, -np.inf]), time, pos, vel, start)


def test_chunk_bodies_are_each_radars_own_derivation() -> None:
    from tate.sensors.platforms import SensorSite

    truth, times = _truth(), np.arange(0.0, 70.0, 0.5)
    truth_at = _chunks(truth, times)
    bodies_at = _chunk_bodies(truth, times, truth_at)
    site = SensorSite("S/spy6-like", "radar", "spy6-like", "ship", 0.01, 0.02, 30.0, 0.4)
    for c0 in range(0, times.size, 256):
        tc = times[c0:c0 + 256]
        safe, vel0, alt, codes = bodies_at(c0)
        alone = _Scene.at(site, truth, tc)  # interpolated and derived for this radar
        shared = _Scene.at(site, truth, tc, truth_at(c0), (safe, vel0))
        for name in ("pos", "vel", "rng", "az", "el"):
            assert _same_bits(getattr(shared, name), getattr(alone, name)), name
        assert np.array_equal(shared.alive, alone.alive) and alone.alive.any()
        assert _same_bits(alt, wgs84.geodetic_altitude(alone.pos))
        assert np.array_equal(codes, truth.codes(tc))
        assert bodies_at(c0) is bodies_at(c0)  # derived once


@pytest.mark.parametrize("preset", sorted(RADARS))
def test_off_boresight_face_by_face_with_nan_and_odd_shapes(preset: str) -> None:
    spec, rng = RADARS[preset], np.random.default_rng(11)
    heading = rng.uniform(0.0, 2.0 * np.pi, (40, 1))
    az, el = rng.uniform(0.0, 2.0 * np.pi, (40, 7)), rng.uniform(-0.2, 1.6, (40, 7))
    az[3, 2], el[5, 1] = np.nan, np.nan
    off = radar.off_boresight(spec, heading, az, el)
    assert _same_bits(radar.face_geometry(spec, heading, az, el)[1], off)
    if spec.faces:
        assert _same_bits(off, _face_reference(spec, heading, az, el))
        assert np.isnan(off[3, 2]) and np.isnan(off[5, 1])
        row = radar.off_boresight(spec, heading[:, 0], az[:, 0], el[:, 0])  # (k,) each
        assert _same_bits(row, off[:, 0])
