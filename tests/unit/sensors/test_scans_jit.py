"""A window's scans made directly (:meth:`tate.sensors.windows.WindowedSensing.advance_scans`,
:func:`tate.sensors._scans_jit.scan_columns`) against the table route they replace
(:meth:`~tate.sensors.windows.WindowedSensing.advance`'s detection table, then
:meth:`tate.engine.engagement.Engagement._radar_scans`).

Oracle: the table route, bit for bit: every window of whole default engagements, and
hand-made rows with the edge cases (angles to wrap, a non-finite range dropped, ties in
time across sensors, false alarms after hits, no rows at all).
"""

from __future__ import annotations

import copy
from types import SimpleNamespace

import numpy as np
import pytest

from tate import jit
from tate.engine.engagement import Engagement, _Scans
from tate.scenario import default_scenario_path, load_scenario
from tate.sensors import windows
from tate.sensors.tables import _detections, _Out

_FIELDS = ("time", "sensor", "z", "R", "truth", "starts")


def _same(got: _Scans, want: _Scans) -> None:
    for key in _FIELDS:
        a, b = getattr(got, key), getattr(want, key)
        assert a.dtype == b.dtype, key
        assert a.shape == b.shape, key
        np.testing.assert_array_equal(a, b, err_msg=key)


def _direct(lookup: np.ndarray, got: tuple) -> _Scans:
    t, sensor, z, R, body, starts = got
    return _Scans(t, sensor, z, R, lookup[body], starts)


@pytest.mark.parametrize("seed", [3])
def test_every_window_of_a_run_as_the_table_route(seed: int) -> None:
    e = Engagement(load_scenario(default_scenario_path()), seed)
    ref_ws, ws = e.sensing, copy.deepcopy(e.sensing)
    rows = 0
    while not ref_ws.finished:
        want = e._radar_scans(*ref_ws.advance())
        got = _direct(e._body_truth, ws.advance_scans())
        _same(got, want)
        rows += got.time.size
    assert ws.finished and rows > 10_000
    assert e._direct_scans == jit.enabled()  # (the direct route: when compiled)


def _part(sid: str, blocks: list[tuple[np.ndarray, np.ndarray, np.ndarray]]) -> _Out:
    out = _Out(sid)
    for t, rows, body in blocks:
        ids = np.array([f"T{b}" if b >= 0 else "" for b in body.tolist()], dtype=object)
        out.add_block(t, rows, ids, body)
    return out


def test_edge_cases_as_the_table_route() -> None:
    from tate.sensors._scans_jit import scan_columns

    gen = np.random.default_rng(5)

    def rows(m: int) -> np.ndarray:
        r = np.column_stack([gen.uniform(1e3, 2e5, m), gen.uniform(-7.0, 13.0, m),
                             gen.uniform(-0.1, 1.5, m), gen.uniform(1.0, 50.0, m),
                             gen.uniform(1e-4, 1e-2, m), gen.uniform(1e-4, 1e-2, m),
                             gen.uniform(0.0, 30.0, m)])
        r[:3, 1] = (0.0, -0.0, 2 * np.pi)  # azimuths on the wrap's edges
        return r

    bad = rows(6)
    bad[2, 0] = np.inf  # dropped, as the table route drops it
    bad[4, 0] = np.nan
    parts = [
        _part("b-radar", [(np.array([0.5, 0.5, 1.0, 1.0, 1.5, 2.0]), bad,
                           np.array([0, 1, 0, 2, 1, 0])),
                          (np.array([0.5, 1.0, 2.0]), rows(3), np.array([-1, -1, -1]))]),
        _part("a-radar", [(np.array([0.5, 1.5, 1.5, 2.0]), rows(4), np.array([2, 0, 1, 2]))]),
        _part("c-ir", []),
    ]
    fake = SimpleNamespace(_body_truth=np.array([1, -1, 0, -1], dtype=np.intp))
    want = Engagement._radar_scans(fake, *_detections(parts))  # type: ignore[arg-type]
    got = _direct(fake._body_truth, windows._scans(parts, scan_columns))
    _same(got, want)
    assert got.time.size == 11 and got.starts.size == 7  # (1.5 s of b: its NaN row only)
    empty = windows._scans([_part("a", [])], scan_columns)
    assert empty[0].size == 0 and empty[-1].tolist() == [0, 0]
