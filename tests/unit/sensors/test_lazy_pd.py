"""P_d made only where the time line looks (:func:`tate.sensors._chunk_jit.geometry`,
:func:`~tate.sensors._chunk_jit.fill` and ``looks(..., lazy)`` of
:mod:`tate.sensors._radar_jit`) against the whole scene (:func:`~tate.sensors._chunk_jit.scene`).

Oracle: the full compiled scene (itself checked bit for bit against numpy in
``test_chunk_jit``): the geometry of every pair and the cosine, SNR and P_d of every pair
filled are its bits; a chunk's looks with the lazy P_d give the same outcomes, draws and
scheduler state as with the whole P_d array, on the synthetic raid of ``test_chunk_jit``.
"""

from __future__ import annotations

import numpy as np
import pytest

from tate.sensors import platforms as plat
from tate.sensors import presets, radar
from tate.sensors.radar_scene import compiled_scene
from tate.sensors.schedule import RadarScheduler

from .test_bodies_jit import _compiled
from .test_chunk_jit import _raid
from .test_simulate import SCN


def _inputs(name: str) -> tuple:
    truth = _raid()
    t = np.arange(0.0, 200.0, 0.5)
    safe, vel0, alt, codes, alive = _compiled(truth, t)
    st = plat.platform_state(plat.sensor_sites(SCN)[0], t)
    spec = presets.RADARS[name]
    bound = compiled_scene(spec, truth.code_before, truth.code_after)
    assert bound is not None
    return spec, t, alive, st, bound, (safe, vel0, alt, codes, alive, st.pos, st.lat,
                                       st.lon, st.heading, st.alt)


@pytest.mark.parametrize("name", ["spy1d-like", "xband-horizon-like"])
def test_fill_gives_the_scene_bits(name: str) -> None:
    from tate.sensors._chunk_jit import fill

    _, _, alive, _, bound, args = _inputs(name)
    full = bound(*args)
    out, lazy = bound(*args, lazy=True)
    for q in (1, 6):
        assert np.array_equal(out[q], full[q], equal_nan=True)
    assert np.array_equal(out[0][~alive], full[0][~alive])
    assert np.isnan(out[0:6][:, alive][[0, 2, 3, 4, 5]]).all()  # nothing filled yet
    assert np.isnan(out[2][~alive]).all()
    pick = alive & (np.arange(alive.shape[1])[None, :] % 2 == 0)  # every other body
    for i in range(alive.shape[0]):
        idx = np.flatnonzero(pick[i])
        fill(i, idx, idx.size, lazy)
    for q in (0, 2, 3, 4, 5):
        assert np.array_equal(out[q][pick], full[q][pick], equal_nan=True)
        assert np.isnan(out[q][alive & ~pick]).all()
    assert (full[5][pick] > 0).sum() > 100


@pytest.mark.parametrize("name", ["spy1d-like", "xband-horizon-like"])
def test_lazy_looks_equal_the_whole_scene(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from tate import jit
    from tate.sensors._radar_jit import looks

    monkeypatch.setattr(jit, "ENABLED", True)
    spec, t, alive, st, bound, args = _inputs(name)
    fa = (radar.false_alarms_per_frame(spec),
          np.array([spec.max_range_m, spec.min_el_rad, spec.max_el_rad, spec.faces,
                    spec.max_scan_rad], float))
    results = []
    for lazy_on in (False, True):
        sched = RadarScheduler(alive.shape[1], spec.dwell_s, spec.search_frame_s,
                               spec.track_revisit_s, spec.budget)
        gen = np.random.default_rng(11)
        if lazy_on:
            out, lazy = bound(*args, lazy=True)
            rng_, pd, u = out[0], out[5], out[6]
        else:
            (rng_, _, _, _, _, pd, u), lazy = bound(*args), None
        got = looks(t, 0.5, alive, u, rng_, pd, st.heading, sched.history, sched.held,
                    sched.next_due, sched.last_track_look, sched.credit, sched.phase,
                    sched.par, *fa, gen, lazy)
        results.append((got, sched.history.copy(), sched.held.copy(), sched.next_due.copy(),
                        gen.random(4)))
    (a, *sa), (b, *sb) = results
    assert a[4].size > 50  # detections
    for x, y in zip((*a, *sa), (*b, *sb), strict=True):
        assert np.array_equal(np.asarray(x), np.asarray(y), equal_nan=True)
