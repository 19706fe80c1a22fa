"""Compiled truth of a chunk of look times (:func:`tate.sensors._chunk_jit.bodies`) against
its numpy reference (``TruthTracks.at``, ``_bodies``, ``wgs84.geodetic_altitude``,
``TruthTracks.codes``), the compiled rows of the hits (:func:`~tate.sensors._chunk_jit.hits`)
against ``simulate._add_looks``, and whole sensing runs in compiled chunks of any size.

Oracle: the numpy path, bit for bit: per chunk on the synthetic raid of
``test_chunk_jit`` (bodies starting late and ending early, some at rest, kinds switching)
with look times in order, out of order, repeated and outside every body's flight; and
whole runs of :func:`~tate.sensors.simulate.simulate_detections` with the compiled path
on (small chunks, boundaries anywhere) and off.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from tate.earth import wgs84
from tate.sensors import platforms as plat
from tate.sensors import presets, simulate
from tate.sensors._chunk_jit import accuracy, bodies, hits
from tate.sensors.radar_scene import compiled_scene, scene_par
from tate.sensors.simulate import TruthTracks, _bodies, truth_from_flight
from tate.sensors.tables import _add_looks, _Out, _truth_rows

from .test_chunk_jit import _raid
from .test_radar_jit import _assert_same_run, _both
from .test_simulate import SCN, hover_flight


def _reference(truth: TruthTracks, t: np.ndarray) -> tuple[np.ndarray, ...]:
    with np.errstate(invalid="ignore"):  # (inf x 0 of an infinite velocity sample)
        pos, vel, alive = truth.at(t)
    safe, vel0 = _bodies(pos, vel, alive)
    return safe, vel0, wgs84.geodetic_altitude(safe), truth.codes(t), alive, pos


def _compiled(truth: TruthTracks, t: np.ndarray) -> tuple[np.ndarray, ...]:
    keys, t_min, span = truth._keys
    return bodies(t, keys, t_min, span, truth.time, truth.pos, truth.vel, truth.start,
                  truth.t_first, truth.t_last, truth.t_switch, truth.code_before,
                  truth.code_after)


def _assert_same(truth: TruthTracks, t: np.ndarray) -> None:
    *want, pos = _reference(truth, t)
    got = _compiled(truth, t)
    for key, a, b in zip(("safe", "vel0", "alt", "codes", "alive"), want, got, strict=True):
        assert a.dtype == b.dtype and a.shape == b.shape, key
        assert np.array_equal(a, b), key
    alive = want[4]
    assert np.array_equal(got[0][alive], pos[alive])  # the truth table's positions


def test_bodies_bit_for_bit() -> None:
    truth = _raid()
    t = np.arange(-10.0, 215.0, 0.5)  # before, during and after every body's flight
    _assert_same(truth, t)
    rng = np.random.default_rng(5)
    _assert_same(truth, t[::-1].copy())  # backwards: the search restarts
    _assert_same(truth, rng.permutation(np.concatenate([t, t[:40]])))  # shuffled, repeats
    _assert_same(truth, rng.uniform(0.0, 200.0, 300))  # between the samples
    _, _, alive = truth.at(t)
    assert alive.any() and (~alive).any()


def test_bodies_edge_samples() -> None:
    # one body of a single sample, one with a repeated sample time (zero gap) and a NaN
    # and an infinite velocity (np.nan_to_num's values)
    truth = _raid(n=6)
    time, vel = truth.time.copy(), truth.vel.copy()
    s = truth.start
    time[s[1] + 1] = time[s[1]]
    vel[s[2] + 1, 0], vel[s[2] + 2, 1], vel[s[2] + 3, 2] = np.nan, np.inf, -np.inf
    one = TruthTracks(truth.ids[:1], truth.model[:1], truth.kind_before[:1],
                      truth.kind_after[:1], truth.t_switch[:1], truth.time[:1],
                      truth.pos[:1], truth.vel[:1], np.array([0, 1], np.intp))
    edited = dataclasses.replace(truth, time=time, vel=vel)
    t = np.arange(-5.0, 205.0, 0.25)
    for tr in (edited, one):
        _assert_same(tr, np.sort(np.concatenate([t, tr.time])))


def test_hits_rows_bit_for_bit() -> None:
    truth = _raid()
    t = np.arange(0.0, 200.0, 0.5)
    safe, vel0, alt, codes, alive = _compiled(truth, t)
    st = plat.platform_state(plat.sensor_sites(SCN)[0], t)
    spec = presets.RADARS["spy1d-like"]
    scene = compiled_scene(spec, truth.code_before, truth.code_after)
    assert scene is not None
    rng_, az, el, cos, snr, pd, _ = scene(safe, vel0, alt, codes, alive, st.pos, st.lat,
                                          st.lon, st.heading, st.alt)
    std_r, std_a = accuracy(snr, cos, scene_par(spec))
    gen = np.random.default_rng(3)
    hit_i, hit_d = np.nonzero(pd > gen.random(pd.shape))
    noise = gen.standard_normal((hit_i.size, 3))
    rows = (rng_, az, el, std_r, std_a, std_a, snr)
    found = [hit_i, hit_d, noise, np.empty(0, np.int64), np.empty((0, 3))]
    ref, fast = _Out("r"), _Out("f")
    _add_looks(ref, rows, t, truth.ids, found, np.zeros(4))
    _add_looks(fast, rows, t, truth.ids, found, np.zeros(4),
               hits(rng_, az, el, cos, snr, scene_par(spec), hit_i, hit_d, noise))
    assert hit_i.size > 1000
    for a, b in zip(ref.blocks + ref.times + ref.ids, fast.blocks + fast.times + fast.ids,
                    strict=True):
        assert a.shape == b.shape and np.array_equal(a, b)


@pytest.mark.parametrize("origin", [(20.0, 150.0, 0.0), (-33.5, -70.25, 1234.5)])
def test_truth_rows_bit_for_bit(origin: tuple[float, float, float]) -> None:
    truth = _raid()
    t = np.arange(-10.0, 215.0, 0.5)

    def truth_at(c0: int) -> tuple[np.ndarray, ...]:
        return truth.at(t[c0:c0 + 100])

    ref = _truth_rows(truth.ids, t, origin, truth_at, 100)
    fast = _truth_rows(truth.ids, t, origin, truth_at, 100, compiled=True)
    assert ref["time_s"].size > 1000
    for key in ref:
        a, b = ref[key], fast[key]
        assert a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b), key


def _staggered_flight(n: int) -> object:
    """Hovering bodies (``test_simulate.hover_flight``), each recorded over its own span."""
    flight = hover_flight([(f"D{i}", -170.0 + 11.0 * i, 6e3 + 3e3 * i, 100.0 + 400.0 * (i % 3))
                           for i in range(n)], 240.0)
    traj = flight.trajectory
    keep = np.ones(traj["id"].size, bool)
    for i in range(n):
        t0, t1 = 7.0 * i, 240.0 - 13.0 * (i % 4)
        mine = traj["id"] == f"D{i}"
        keep &= ~mine | ((traj["time_s"] >= t0) & (traj["time_s"] <= t1))
    traj = {k: v[keep] for k, v in traj.items()}
    return dataclasses.replace(flight, trajectory=traj)


@pytest.mark.parametrize("pairs", [1 << 17, 1200])
def test_whole_run_in_compiled_chunks_of_any_size(monkeypatch: pytest.MonkeyPatch,
                                                  pairs: int) -> None:
    flight = _staggered_flight(12)
    # compiled chunks of all looks at once, or of 100 looks against numpy chunks of 37
    monkeypatch.setattr(simulate, "_CHUNK_PAIRS", pairs)
    monkeypatch.setattr(simulate, "_CHUNK", 37 if pairs < 1000 else simulate._CHUNK)
    ref, fast = _both(monkeypatch, SCN, flight, 4)
    _assert_same_run(ref, fast)
    assert ref.detections["time_s"].size > 500
    assert ref.truth["time_s"].size < 12 * ref.load["time_s"].size  # staggered spans


def test_truth_ids_and_models_from_runs_of_rows() -> None:
    # rows of a body in several runs (interleaved), a body missing from the summary, a
    # model that changes on a body's later rows: the ids in order of the summary then of
    # first appearance, each with the model of its last row (as a dict over all rows)
    flight = _staggered_flight(4)
    traj = flight.trajectory
    order = np.argsort(traj["time_s"] % 60.0, kind="stable")  # runs of rows, interleaved
    traj = {k: v[order] for k, v in traj.items()}
    traj["model"][np.flatnonzero(traj["id"] == "D2")[-1]] = "cruise"
    flight = dataclasses.replace(flight, trajectory=traj,
                                 summary={"id": np.array(["D3", "D1"], object)})
    truth = truth_from_flight(flight)
    ids = list(dict.fromkeys(["D3", "D1", *traj["id"].tolist()]))
    model = dict(zip(traj["id"].tolist(), traj["model"].tolist(), strict=True))
    assert truth.ids.tolist() == ids and truth.model.tolist() == [model[i] for i in ids]
    assert model["D2"] == "cruise" and (traj["id"][1:] != traj["id"][:-1]).sum() > 8
    empty = dataclasses.replace(flight, trajectory={k: v[:0] for k, v in traj.items()},
                                summary={"id": np.empty(0, object)})
    assert truth_from_flight(empty).n == 0
