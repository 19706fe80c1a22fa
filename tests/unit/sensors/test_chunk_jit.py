"""Compiled radar scene (:mod:`tate.sensors._chunk_jit`) against its numpy reference
(:func:`tate.sensors.radar_scene.radar_scene` with :class:`~tate.sensors.simulate._Scene`).

Oracle: the numpy path, bit for bit, per chunk of look times, on a synthetic raid of
bodies of every kind moving in straight lines around the ship (in and out of flight,
boosting and not, near and beyond the horizon and the faces' coverage), for every radar
preset and one-face, rotating and Swerling 3 variants; and whole runs of
:func:`~tate.sensors.simulate.simulate_detections` with the compiled path on and off.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pytest

from tate.earth import wgs84
from tate.sensors import platforms as plat
from tate.sensors import presets
from tate.sensors._chunk_jit import accuracy
from tate.sensors.radar import RadarSpec
from tate.sensors.radar_scene import compiled_scene, radar_scene, scene_par
from tate.sensors.rcs import THREAT_KINDS
from tate.sensors.simulate import TruthTracks, _bodies, _Scene

from .test_radar_jit import _assert_same_run, _both
from .test_simulate import SCN, SHIP_LAT, SHIP_LON, hover_flight


def _raid(n: int = 40, seed: int = 7) -> TruthTracks:
    """Bodies of every kind flying straight near the ship, sampled every 5 s over 0-200 s,
    some starting late or ending early, some switching kind at 100 s."""
    rng = np.random.default_rng(seed)
    times, pos, vel, start = [], [], [], [0]
    for j in range(n):
        t0, t1 = float(rng.choice([0.0, 20.0, 55.0])), float(rng.choice([200.0, 150.0, 90.0]))
        t = np.arange(t0, t1 + 0.1, 5.0)
        spread = (0.3, 1.5, 4.0)[j % 3]  # [deg]
        lat = SHIP_LAT + rng.uniform(-spread, spread) * np.pi / 180.0
        lon = SHIP_LON + rng.uniform(-spread, spread) * np.pi / 180.0
        p0 = wgs84.geodetic_to_ecef(lat, lon, rng.choice([30.0, 5e3, 80e3, 300e3]))
        v = rng.normal(0.0, 300.0, 3) * (j % 5 != 0)  # every fifth at rest
        times.append(t)
        pos.append(p0 + (t - t0)[:, None] * v)
        vel.append(np.repeat(v[None, :], t.size, axis=0))
        start.append(start[-1] + t.size)
    kinds = np.array([THREAT_KINDS[j % len(THREAT_KINDS)] for j in range(n)], dtype=object)
    after = np.array([THREAT_KINDS[(j + 3) % len(THREAT_KINDS)] for j in range(n)], dtype=object)
    switch = np.where(np.arange(n) % 2 == 0, 100.0, -np.inf)
    return TruthTracks(np.array([f"B{j}" for j in range(n)], dtype=object), kinds.copy(), kinds,
                       after, switch, np.concatenate(times), np.concatenate(pos),
                       np.concatenate(vel), np.array(start, np.intp))


SPECS = {**{name: spec for name, spec in presets.RADARS.items()},
         "one-face": dataclasses.replace(presets.RADARS["spy1d-like"], faces=1, max_scan_rad=0.9),
         "swerling3": dataclasses.replace(presets.RADARS["spy6-like"], swerling=3),
         "rotating-s4": dataclasses.replace(presets.RADARS["xband-horizon-like"], swerling=4,
                                            max_range_m=600e3)}


@pytest.mark.parametrize("name", sorted(SPECS))
def test_scene_bit_for_bit_per_chunk(name: str) -> None:
    spec: RadarSpec = SPECS[name]
    truth = _raid()
    sites = plat.sensor_sites(SCN)
    site = dataclasses.replace(sites[0], preset=name if name in presets.RADARS else
                               sites[0].preset)
    tc = np.arange(0.0, 210.0, 0.5)
    pos, vel, alive = truth.at(tc)
    safe, vel0 = _bodies(pos, vel, alive)
    alt, codes = wgs84.geodetic_altitude(safe), truth.codes(tc)
    sc = _Scene.at(site, truth, tc, (pos, vel, alive), (safe, vel0))
    std, snr, pd, u = radar_scene(spec, sc, alt, codes)
    fast = compiled_scene(spec, truth.code_before, truth.code_after)
    assert fast is not None
    st = sc.state
    rng_, az, el, cos, snr_c, pd_c, u_c = fast(safe, vel0, alt, codes, alive, st.pos, st.lat,
                                                st.lon, st.heading, st.alt)
    got = (rng_, az, el, *accuracy(snr_c, cos, scene_par(spec)), snr_c, pd_c, u_c)
    want = (sc.rng, sc.az, sc.el, std[0], std[1], snr, pd, u)
    # what the time line and the detections read: range and P_d everywhere, angles and
    # search position in flight, accuracy and SNR where visible (P_d > 0)
    seen = pd > 0
    where = (None, alive, alive, seen, seen, seen, None, alive)
    for key, a, b, sel in zip(("rng", "az", "el", "std_r", "std_a", "snr", "pd", "u"), want,
                              got, where, strict=True):
        assert a.shape == b.shape, (name, key)
        a, b = (a, b) if sel is None else (a[sel], b[sel])
        assert np.array_equal(a, b), (name, key)
    assert np.array_equal(std[1], std[2])
    assert seen.any() and (~seen & alive).any() and (~alive).any()  # (the cases are covered)


def test_swerling0_and_bad_codes_stay_numpy() -> None:
    codes = np.arange(len(THREAT_KINDS))
    spec = presets.RADARS["spy1d-like"]
    assert compiled_scene(dataclasses.replace(spec, swerling=0), codes, codes) is None
    assert compiled_scene(spec, codes, np.array([-1])) is None
    assert compiled_scene(spec, codes, codes) is not None


@pytest.mark.parametrize("variant", ["swerling3", "rotating-s4"])
def test_whole_run_identical_on_both_paths(monkeypatch: pytest.MonkeyPatch,
                                           variant: str) -> None:
    monkeypatch.setattr(presets, "RADARS", {**presets.RADARS, "spy1d-like": SPECS[variant]})
    bodies: list[Any] = [(f"D{i}", -170.0 + 9.0 * i, 5e3 + 2.5e3 * i, 50.0 + 300.0 * (i % 4))
                         for i in range(30)]
    ref, fast = _both(monkeypatch, SCN, hover_flight(bodies, 300.0), 5)
    _assert_same_run(ref, fast)
    assert ref.detections["time_s"].size > 1000
