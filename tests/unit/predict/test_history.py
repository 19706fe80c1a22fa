"""Tests of :class:`tate.predict.history.TrackHistory` against a brute-force reference.

Oracle: a plain dict of per-id lists of (time, position, velocity) that keeps every
sample and applies the window rule by scanning them all; any sequence of records (ids
appearing, dying, returning) must give the same windows.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tate.predict.history import TIME_TOL_S, TrackHistory


class Reference:
    """Every sample ever recorded; the window rule applied by a scan."""

    def __init__(self, window_s: float) -> None:
        self.window_s = window_s
        self.samples: dict[int, list[tuple[float, np.ndarray, np.ndarray]]] = {}
        self.now = -np.inf

    def record(self, t: float, ids: list[int], pos: np.ndarray, vel: np.ndarray) -> None:
        self.now = t
        for i, tid in enumerate(ids):
            self.samples.setdefault(tid, []).append((t, pos[i].copy(), vel[i].copy()))

    def window(self, ids: list[int], times: list[float]) -> tuple[Any, Any, Any]:
        k, m = len(ids), len(times)
        pos, vel = np.full((k, m, 3), np.nan), np.full((k, m, 3), np.nan)
        ok = np.ones(k, dtype=bool)
        for a, tid in enumerate(ids):
            for b, tq in enumerate(times):
                hit = [(p, v) for (ts, p, v) in self.samples.get(tid, [])
                       if abs(ts - tq) <= TIME_TOL_S
                       and ts >= self.now - self.window_s - TIME_TOL_S]
                if hit:
                    pos[a, b], vel[a, b] = hit[0]
                else:
                    ok[a] = False
        return pos, vel, ok


@st.composite
def histories(draw: Any) -> tuple[float, list[tuple[float, list[int], Any, Any]]]:
    """A window and a sequence of records: increasing times, random id sets."""
    window = draw(st.sampled_from([0.0, 1.0, 3.0, 7.5, 20.0]))
    n = draw(st.integers(1, 25))
    steps = draw(st.lists(st.sampled_from([0.5, 1.0, 2.0, 2.5, 4.0]), min_size=n,
                          max_size=n))
    times = np.cumsum(steps) + draw(st.floats(-100.0, 100.0))
    seed = draw(st.integers(0, 2**31))
    rng = np.random.default_rng(seed)
    pool = draw(st.integers(1, 40))
    recs = []
    for t in times.tolist():
        ids = sorted(draw(st.sets(st.integers(0, pool), max_size=pool)))
        rng.shuffle(ids)
        recs.append((t, list(ids), rng.normal(size=(len(ids), 3)) * 1e4,
                     rng.normal(size=(len(ids), 3)) * 1e3))
    return window, recs


@settings(max_examples=60, deadline=None)
@given(case=histories(), data=st.data())
def test_windows_match_the_brute_force_reference(case: Any, data: Any) -> None:
    window, recs = case
    h = TrackHistory(window, n_slots=1, n_rows=1)  # start tiny: growth and compaction run
    ref = Reference(window)
    seen_t: list[float] = []
    for t, ids, pos, vel in recs:
        h.record(t, ids, pos, vel)
        ref.record(t, ids, pos, vel)
        seen_t.append(t)
        # query recorded times (expired or not), times never recorded, and ids both known
        # and unknown
        q_t = data.draw(st.lists(st.sampled_from([*seen_t, t + 0.25, t - 1e3]),
                                 max_size=6))
        q_t = [x + data.draw(st.sampled_from([0.0, 0.5e-6, -0.5e-6, 3e-6])) for x in q_t]
        q_ids = data.draw(st.lists(st.integers(0, 45), max_size=8, unique=True))
        got = h.window(q_ids, q_t)
        want = ref.window(q_ids, q_t)
        for g, w, name in zip(got, want, ("pos", "vel", "ok"), strict=True):
            np.testing.assert_array_equal(g, w, err_msg=name)
    live_times = [t for t, *_ in recs if t >= recs[-1][0] - window - TIME_TOL_S]
    np.testing.assert_array_equal(h.times, np.sort(live_times))
    live_ids = {tid for t, ids, *_ in recs for tid in ids
                if t >= recs[-1][0] - window - TIME_TOL_S}
    np.testing.assert_array_equal(h.ids, np.sort(list(live_ids)))


def test_rows_are_compacted_when_tracks_die() -> None:
    h = TrackHistory(4.0, n_slots=2, n_rows=2)
    rng = np.random.default_rng(1)
    h.record(0.0, list(range(100)), rng.normal(size=(100, 3)), rng.normal(size=(100, 3)))
    grown = h._ids.size
    assert grown >= 100
    for k in range(1, 8):  # only tracks 0 and 1 go on; the others' samples expire at 5 s
        h.record(float(k), [0, 1], rng.normal(size=(2, 3)), rng.normal(size=(2, 3)))
    assert h._ids.size < grown / 4
    assert h._t.size <= 8  # slots: at most the 5 decision times of a 4 s window, doubled
    np.testing.assert_array_equal(h.ids, [0, 1])
    _, _, ok = h.window([0, 1, 2], [5.0, 6.0, 7.0])
    np.testing.assert_array_equal(ok, [True, True, False])


def test_time_matching_tolerance_and_missing_samples() -> None:
    h = TrackHistory(10.0)
    h.record(1.0, [7], [[1.0, 2.0, 3.0]], [[4.0, 5.0, 6.0]])
    h.record(2.0, [8], [[0.0, 0.0, 0.0]], [[0.0, 0.0, 0.0]])
    pos, vel, ok = h.window([7, 8], [1.0 + 0.9e-6, 2.0])
    np.testing.assert_array_equal(pos[0, 0], [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(vel[0, 0], [4.0, 5.0, 6.0])
    assert np.isnan(pos[0, 1]).all() and np.isnan(pos[1, 0]).all()  # not recorded then
    np.testing.assert_array_equal(ok, [False, False])
    _, _, ok = h.window([7], [1.0 + 2e-6])
    assert not ok[0]
    pos, vel, ok = h.window([], [1.0])
    assert pos.shape == (0, 1, 3) and ok.shape == (0,)


@pytest.mark.parametrize("call", [
    lambda h: h.record(5.0, [1], np.zeros((1, 3)), np.zeros((1, 3))),  # time repeats
    lambda h: h.record(4.0, [1], np.zeros((1, 3)), np.zeros((1, 3))),  # goes back
    lambda h: h.record(6.0, [1, 1], np.zeros((2, 3)), np.zeros((2, 3))),  # id twice
    lambda h: h.record(6.0, [2, 1, 2], np.zeros((3, 3)), np.zeros((3, 3))),  # unsorted
    lambda h: h.record(6.0, [1, 2], np.zeros((1, 3)), np.zeros((2, 3))),  # shapes
    lambda h: h.record(6.0, [-1], np.zeros((1, 3)), np.zeros((1, 3))),  # negative id
])
def test_bad_records_raise(call: Any) -> None:
    h = TrackHistory(10.0)
    h.record(5.0, [1], np.zeros((1, 3)), np.zeros((1, 3)))
    with pytest.raises(ValueError):
        call(h)
