"""Sensing in windows (:class:`tate.sensors.windows.WindowedSensing`) against the whole
run (:func:`tate.sensors.simulate.simulate_detections`).

Oracle: the whole run's tables, bit for bit: the windows' detections, concatenated, are
the whole run's rows up to the last window's end (in the same order, with the same body
rows); the load table up to a time and a moving sensor's rows are those of the whole
run.  Staggered hovering bodies (``test_bodies_jit``) seen by a ship radar, a moving
drone radar and a staring IR sensor (not windowed), windows of any size, both paths;
copies and pickles of a sensing part-way go on as the original.
"""

from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest

from tate import jit
from tate.scenario import loads_scenario
from tate.sensors.simulate import simulate_detections
from tate.sensors.windows import WindowedSensing

from .test_bodies_jit import _staggered_flight
from .test_simulate import SHIP, UAV

SCN = loads_scenario(SHIP + UAV + """
[[sensors]]
id = "EYE"
type = "ir"
preset = "drone-irst-like"
platform = "drone"
lat_deg = 20.1
lon_deg = 150.1
alt_m = 3000
waypoints = [{ lat_deg = 20.1, lon_deg = 149.5 }]
speed_mps = 40
""")


def _equal(a: np.ndarray, b: np.ndarray) -> bool:
    a, b = np.asarray(a), np.asarray(b)
    if a.dtype != b.dtype or a.shape != b.shape:
        return False
    return bool(np.array_equal(a, b, equal_nan=a.dtype.kind == "f"))


def _rows(table: dict[str, np.ndarray], keep: np.ndarray) -> dict[str, np.ndarray]:
    return {k: np.asarray(v)[keep] for k, v in table.items()}


@pytest.mark.parametrize("on", [False, True], ids=["numpy", "compiled"])
@pytest.mark.parametrize("window", [37, 10_000])
def test_windows_give_the_whole_runs_rows(monkeypatch: pytest.MonkeyPatch, on: bool,
                                          window: int) -> None:
    monkeypatch.setattr(jit, "ENABLED", on)
    flight = _staggered_flight(12)
    whole = simulate_detections(SCN, flight, 4)
    ws = WindowedSensing(SCN, flight, 4, window=window)
    assert ws.origin == whole.origin and ws.targets.keys() == whole.targets.keys()
    assert all(_equal(ws.sites[k], whole.sites[k]) for k in whole.sites)
    dets, bodies, ends = [], [], []
    while not ws.finished:
        det, body = ws.advance()
        dets.append(det)
        bodies.append(body)
        ends.append(ws.t_done)
        t = np.asarray(whole.detections["time_s"])
        sofar = {k: np.concatenate([d[k] for d in dets]) for k in det}
        keep = t <= ws.t_done
        want = _rows(whole.detections, keep)
        assert all(_equal(sofar[k], want[k]) for k in want), (len(dets), ws.t_done)
        assert _equal(np.concatenate(bodies), whole.body[1][keep] if whole.body else None)
        t_load = np.asarray(whole.load["time_s"])
        if np.isfinite(ws.t_done):
            cut = ws.t_done - 3.0
            load = ws.load_until(cut)
            want = _rows(whole.load, t_load <= cut + 1e-9)
            assert all(_equal(load[k], want[k]) for k in want)
            sens = ws.sensors  # the moving drone's rows so far: the whole run's first
            ts = np.asarray(whole.sensors["time_s"])
            moving = np.asarray(whole.sensors["sensor_id"]) == "UAV"
            want = _rows(whole.sensors, ~moving | (ts <= ws.t_done))
            assert all(_equal(sens[k], want[k]) for k in want)
    assert all(_equal(ws.load_until(np.inf)[k], whole.load[k]) for k in whole.load)
    with pytest.raises(RuntimeError):
        ws.advance()
    ids = np.concatenate([d["sensor_id"] for d in dets])
    assert {"EYE", "UAV", "S/spy1d-like"} <= set(ids.tolist())  # every kind seen
    assert len(ends) == -(-(np.asarray(whole.load["time_s"]).size // 2) // window)
    assert np.all(np.diff(ends) > 0)


@pytest.mark.parametrize("on", [False, True], ids=["numpy", "compiled"])
def test_copied_and_pickled_sensing_goes_on_as_the_original(monkeypatch: pytest.MonkeyPatch,
                                                            on: bool) -> None:
    monkeypatch.setattr(jit, "ENABLED", on)
    ws = WindowedSensing(SCN, _staggered_flight(12), 4, window=50)
    ws.advance()
    twins = [ws, copy.deepcopy(ws), pickle.loads(pickle.dumps(ws))]
    for _ in range(3):
        got = [w.advance() for w in twins]
        for det, body in got[1:]:
            assert all(_equal(det[k], got[0][0][k]) for k in det)
            assert _equal(body, got[0][1])
    assert all(_equal(w.load_until(np.inf)["n_looks"], ws.load_until(np.inf)["n_looks"])
               for w in twins)
