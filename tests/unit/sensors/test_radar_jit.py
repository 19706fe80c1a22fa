"""Compiled radar time line (:mod:`tate.sensors._radar_jit`) against the numpy reference.

Oracles: the numpy :class:`~tate.sensors.schedule.RadarScheduler` step by step (same
bool outputs, same load row, same state arrays after every step) on random inputs built
to ration under overload with ties, and on the inputs recorded from the default
scenario; numpy's own Generator for numba's draws; and the whole
:func:`~tate.sensors.simulate.simulate_detections` of the numpy path, table by table,
bit for bit.
"""

from __future__ import annotations

import copy
import dataclasses
import pickle
from typing import Any

import numpy as np
import pytest

from tate import jit
from tate.sensors import _radar_jit, presets
from tate.sensors.radar import face_geometry, false_alarm_cells
from tate.sensors.schedule import COAST_REVISITS, RadarScheduler
from tate.sensors.simulate import SensorRun, simulate_detections

from .test_simulate import SCN, hover_flight


def _pair(monkeypatch: pytest.MonkeyPatch, *args: Any) -> tuple[RadarScheduler, RadarScheduler]:
    """A numpy and a compiled scheduler built with the same arguments."""
    monkeypatch.setattr(jit, "ENABLED", False)
    ref = RadarScheduler(*args)
    monkeypatch.setattr(jit, "ENABLED", True)
    fast = RadarScheduler(*args)
    assert ref.kernels is None and fast.kernels is not None
    return ref, fast


def _assert_same_state(ref: RadarScheduler, fast: RadarScheduler) -> None:
    for name in ("history", "held", "next_due", "last_track_look"):
        a, b = getattr(ref, name), getattr(fast, name)
        assert a.dtype == b.dtype and np.array_equal(a, b), name
    assert (ref.credit, ref.phase) == (fast.credit, fast.phase)


def _step(ref: RadarScheduler, fast: RadarScheduler, t: float, dt: float, alive: np.ndarray,
          u: np.ndarray, prio: np.ndarray, hit: np.ndarray) -> tuple[Any, np.ndarray]:
    """One plan and record on both; the outputs and states must be identical."""
    a, b = ref.plan(t, dt, alive, u, prio), fast.plan(t, dt, alive, u, prio)
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1]), t
    assert a[0].dtype == b[0].dtype == a[1].dtype == b[1].dtype == np.bool_
    assert a[2] == b[2] and [type(x) for x in a[2]] == [type(x) for x in b[2]], (a[2], b[2])
    looked = a[0] | a[1]
    ref.record(t, looked, looked & hit)
    fast.record(t, looked, looked & hit)
    _assert_same_state(ref, fast)
    return a[2], a[0]


def test_coast_constant_is_the_schedulers() -> None:
    assert _radar_jit._COAST_REVISITS == COAST_REVISITS


@pytest.mark.parametrize(("seed", "frame_s"), [(1, 6.0), (2, 2.0), (3, 0.3)])
def test_scheduler_step_by_step_random_overload_and_ties(monkeypatch: pytest.MonkeyPatch,
                                                         seed: int, frame_s: float) -> None:
    # 40 targets at 50 ms dwells every 1 s demand 2.0 of the time: rationed; priorities
    # with ties (few distinct values) and inf (as the range of a body out of flight)
    n, dt = 40, 0.5
    ref, fast = _pair(monkeypatch, n, 0.05, frame_s, 1.0, 0.8)
    rng = np.random.default_rng(seed)
    u = rng.random(n)
    saturated = rationed = dropped = 0
    for i in range(600):
        t = (i + 1) * dt
        alive = rng.random(n) < (0.5 if i % 100 == 99 else 0.999)
        prio = rng.integers(0, 4, n).astype(float)
        prio[rng.random(n) < 0.1] = np.inf
        u = np.mod(u + 0.01 * rng.standard_normal(n), 1.0)
        held_before, due = ref.held.copy(), ref.held & (ref.next_due <= t + 1e-9)
        load, track = _step(ref, fast, t, dt, alive, u, prio, rng.random(n) < 0.9)
        saturated += load.track_occupancy > 0.76
        rationed += int(0 < track.sum() < due.sum())
        dropped += int(np.any(held_before & alive & ~ref.held))
    assert saturated > 100 and rationed > 100 and dropped > 40  # the test saw these cases


def test_ration_ties_go_by_index_and_nan_last(monkeypatch: pytest.MonkeyPatch) -> None:
    ref, fast = _pair(monkeypatch, 8, 0.005, 6.0, 1.0, 0.8)
    for s in (ref, fast):
        s.held[:] = True
        s.credit = -1.0  # plus this tick's share (4 dwells): 3 dwells
    prio = np.array([np.nan, 5.0, 1.0, 5.0, 5.0, np.nan, 1.0, 7.0])
    alive = np.ones(8, bool)
    _, track = _step(ref, fast, 0.5, 0.5, alive, np.zeros(8), prio, np.ones(8, bool))
    assert track.nonzero()[0].tolist() == [1, 2, 6]


def test_scheduler_copies_and_pickles_and_goes_on(monkeypatch: pytest.MonkeyPatch) -> None:
    ref, fast = _pair(monkeypatch, 10, 0.05, 6.0, 1.0, 0.8)
    rng = np.random.default_rng(4)
    u, prio, alive = rng.random(10), rng.random(10), np.ones(10, bool)
    for i in range(20):
        _step(ref, fast, 0.5 * (i + 1), 0.5, alive, u, prio, np.ones(10, bool))
    for other in (copy.deepcopy(fast), pickle.loads(pickle.dumps(fast))):
        twin = copy.deepcopy(ref)
        assert other.kernels is not None
        for i in range(20, 40):
            _step(twin, other, 0.5 * (i + 1), 0.5, alive, u, prio, rng.random(10) < 0.5)


def test_numba_generator_draws_are_numpys() -> None:
    fa_par = np.array([2e5, -1.2, 0.6, 1.0, 1.05])  # one face: the face draw too
    fa = np.empty((40, 3))
    draw = jit.njit(_draws)
    for lam in (0.0, 0.3, 4.0, 25.0):  # (numpy's Poisson changes method at 10)
        a = np.random.Generator(np.random.PCG64(9))
        b = np.random.Generator(np.random.PCG64(9))
        got = draw(a, lam, fa_par, fa)
        want = (b.random(7), b.standard_normal(12), b.poisson(lam))
        assert all(np.array_equal(x, y) for x, y in zip(got, want, strict=True))
        r, az, el = false_alarm_cells(presets.RADARS["airborne-aesa-like"], 0.7, 40, b)
        assert np.array_equal(fa, np.stack((r, az, el), axis=1))
        assert a.random() == b.random()  # numba advanced the caller's generator


def _draws(rng: Any, lam: float, fa_par: np.ndarray, fa: np.ndarray
           ) -> tuple[np.ndarray, np.ndarray, int]:
    out = rng.random(7), rng.standard_normal(12), rng.poisson(lam)
    _radar_jit._false_alarms(fa_par, 0.7, fa.shape[0], rng, fa)
    return out


def _assert_same_run(a: SensorRun, b: SensorRun) -> None:
    for name in ("detections", "sensors", "truth", "load", "targets", "sites"):
        ta, tb = getattr(a, name), getattr(b, name)
        assert ta.keys() == tb.keys(), name
        for key in ta:
            x, y = ta[key], tb[key]
            assert x.dtype == y.dtype and x.shape == y.shape, (name, key)
            same = (np.array_equal(x, y, equal_nan=True) if x.dtype.kind == "f"
                    else np.array_equal(x, y))
            assert same, (name, key)


def _both(monkeypatch: pytest.MonkeyPatch, scn: Any, flight: Any, seed: int
          ) -> tuple[SensorRun, SensorRun]:
    runs = []
    for on in (False, True):
        monkeypatch.setattr(jit, "ENABLED", on)
        runs.append(simulate_detections(scn, flight, seed))
    return runs[0], runs[1]


def test_overloaded_one_face_radar_with_many_false_alarms(monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    # one face (a face draw per false alarm), over 10 alarms a tick (Poisson's other method),
    # 50 ms dwells for 40 bodies in the face's sector: rationing, coasting drops, ties of
    # range (bodies at equal distances)
    spec = dataclasses.replace(presets.RADARS["spy1d-like"], faces=1, dwell_s=0.05,
                               search_frame_s=1.0, n_cells=5e8)
    monkeypatch.setattr(presets, "RADARS", {**presets.RADARS, "spy1d-like": spec})
    bodies = [(f"D{i}", -55.0 + 2.75 * i, 8e3 + 1e3 * (i % 7), 200.0 + 50.0 * (i % 3))
              for i in range(40)]
    ref, fast = _both(monkeypatch, SCN, hover_flight(bodies, 120.0), 3)
    _assert_same_run(ref, fast)
    load = ref.load
    alarms = int(np.sum(ref.detections["truth_id"] == ""))
    assert load["track_occupancy"].max() > 1.5 and alarms > 10 * load["time_s"].size
    assert ref.detections["time_s"].size - alarms > 1000


@pytest.fixture(scope="module")
def default_flight() -> tuple[Any, Any, int]:
    from tate.engine.engagement import EngineConfig
    from tate.flight.fly import fly
    from tate.flight.run import sample_for_run
    from tate.scenario import default_scenario_path, load_scenario

    c = EngineConfig()
    scn, seed = sample_for_run(load_scenario(default_scenario_path()), 1)
    return scn, fly(scn, dt=c.flight_dt, record_s=c.record_s, seed=seed), seed


def test_default_scenario_identical_on_both_paths(monkeypatch: pytest.MonkeyPatch,
                                                  default_flight: tuple[Any, Any, int]) -> None:
    scn, flight, seed = default_flight
    ref, fast = _both(monkeypatch, scn, flight, seed)
    _assert_same_run(ref, fast)
    assert ref.detections["time_s"].size > 50_000 and (ref.detections["truth_id"] == "").any()


def test_recorded_default_scenario_steps(monkeypatch: pytest.MonkeyPatch,
                                         default_flight: tuple[Any, Any, int]) -> None:
    # the numpy path's scheduler calls, recorded, replayed on both schedulers
    calls: dict[int, list[tuple[str, tuple[Any, ...]]]] = {}
    plan, record = RadarScheduler.plan, RadarScheduler.record

    def spy_plan(self: RadarScheduler, *args: Any) -> Any:
        par = (self.history.size, self.dwell_s, self.search_frame_s, self.track_revisit_s,
               self.budget)
        calls.setdefault(id(self), [("new", par)]).append(("plan", copy.deepcopy(args)))
        return plan(self, *args)

    def spy_record(self: RadarScheduler, *args: Any) -> None:
        calls[id(self)].append(("record", copy.deepcopy(args)))
        record(self, *args)

    monkeypatch.setattr(RadarScheduler, "plan", spy_plan)
    monkeypatch.setattr(RadarScheduler, "record", spy_record)
    monkeypatch.setattr(jit, "ENABLED", False)
    scn, flight, seed = default_flight
    simulate_detections(scn, flight, seed)
    monkeypatch.setattr(RadarScheduler, "plan", plan)
    monkeypatch.setattr(RadarScheduler, "record", record)
    assert len(calls) >= 3  # (the radars of the default scenario)
    for seq in calls.values():
        ref, fast = _pair(monkeypatch, *seq[0][1])
        most = 0
        for verb, args in seq[1:]:
            if verb == "plan":
                a, b = ref.plan(*args), fast.plan(*args)
                assert all(np.array_equal(x, y) for x, y in zip(a[:2], b[:2], strict=True))
                assert a[2] == b[2]
                most = max(most, a[2].n_in_track)
            else:
                ref.record(*args)
                fast.record(*args)
                _assert_same_state(ref, fast)
        assert most > 0


@pytest.mark.parametrize("name", ["spy1d-like", "airborne-aesa-like", "xband-horizon-like"])
def test_face_geometry_same_with_headings_broadcast_or_not(name: str) -> None:
    # face_geometry builds the boresights from the headings as given ((k, 1) in the
    # simulation), not broadcast to every direction: the same numbers as broadcasting first
    spec = presets.RADARS[name]
    rng = np.random.default_rng(5)
    heading, az, el = rng.random((30, 1)) * 7 - 1, rng.random((30, 9)) * 7, rng.random((30, 9))
    got = face_geometry(spec, heading, az, el)
    full = face_geometry(spec, np.broadcast_to(heading, az.shape).copy(), az, el)
    one = [face_geometry(spec, float(heading[i, 0]), float(az[i, j]), float(el[i, j]))
           for i in range(30) for j in range(9)]
    for k in range(2):
        assert np.array_equal(got[k], full[k]) and got[k].shape == (30, 9)
        assert np.array_equal(got[k].ravel(), [x[k] for x in one])
