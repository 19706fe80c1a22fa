"""Radar time line: occupancy arithmetic, saturation, search raster and rationing.

Oracles: hand computation of the time-budget formulas, brute-force enumeration of the
2-of-3 rule and of "serve the k nearest", and counting looks over a simulated time line
against the frame and revisit arithmetic.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tate.sensors.schedule import (
    MIN_SEARCH_SHARE,
    RadarScheduler,
    held_in_track,
    ration,
    search_crossed,
    search_frame_effective,
    served_track_load,
    track_occupancy,
    track_revisit_effective,
)

DWELL, FRAME, REVISIT, BUDGET = 0.005, 6.0, 1.0, 0.8


def test_occupancy_and_frame_by_hand() -> None:
    # 30 tracks x 5 ms every 1 s = 0.15 of the time; search keeps 0.8 - 0.15 = 0.65
    assert track_occupancy(30, DWELL, REVISIT) == pytest.approx(0.15)
    assert search_frame_effective(FRAME, BUDGET, 0.15) == pytest.approx(6.0 * 0.8 / 0.65)
    assert track_revisit_effective(30, DWELL, REVISIT, BUDGET) == pytest.approx(1.0)
    # 2 s revisit at 20 ms dwells: 50 tracks take half the time
    assert track_occupancy(50, 0.02, 2.0) == pytest.approx(0.5)


def test_zero_targets_give_the_nominal_frame_and_revisit() -> None:
    assert search_frame_effective(FRAME, BUDGET, track_occupancy(0, DWELL, REVISIT)) == FRAME
    assert track_revisit_effective(0, DWELL, REVISIT, BUDGET) == REVISIT


def test_saturation_by_hand() -> None:
    # 400 tracks x 5 ms / 1 s = 2.0 of the time: far beyond the 0.8 budget.
    occ = float(track_occupancy(400, DWELL, REVISIT))
    assert occ == pytest.approx(2.0)
    served = (1.0 - MIN_SEARCH_SHARE) * BUDGET  # 0.76
    assert served_track_load(occ, BUDGET) == pytest.approx(served)
    assert search_frame_effective(FRAME, BUDGET, occ) == pytest.approx(FRAME / MIN_SEARCH_SHARE)
    assert track_revisit_effective(400, DWELL, REVISIT, BUDGET) == pytest.approx(
        400 * DWELL / served)


@settings(max_examples=200, deadline=None)
@given(st.floats(0.0, 5.0), st.floats(0.0, 5.0), st.floats(0.05, 1.0))
def test_frame_grows_with_load_and_stays_bounded(occ_a: float, occ_b: float,
                                                 budget: float) -> None:
    lo, hi = sorted((occ_a, occ_b))
    f_lo = float(search_frame_effective(FRAME, budget, lo))
    f_hi = float(search_frame_effective(FRAME, budget, hi))
    assert FRAME <= f_lo <= f_hi <= FRAME / MIN_SEARCH_SHARE * (1 + 1e-12)
    # search time and served track time add up to the budget
    served = float(served_track_load(hi, budget))
    assert served + FRAME * budget / f_hi == pytest.approx(budget)


def test_two_of_three_rule_by_enumeration() -> None:
    for bits in itertools.product([0, 1], repeat=3):
        history = bits[0] | bits[1] << 1 | bits[2] << 2 | 8  # bit 3: an older look, ignored
        assert held_in_track(np.array([history]))[0] == (sum(bits) >= 2), bits


def test_scheduler_uses_the_same_arithmetic_as_the_functions() -> None:
    sched = RadarScheduler(300, DWELL, FRAME, REVISIT, BUDGET)
    alive = np.ones(300, bool)
    u = np.linspace(0.0, 1.0, 300, endpoint=False)
    for n in (0, 50, 152, 300):
        sched.held[:] = np.arange(300) < n
        sched.last_track_look[:] = 0.0
        _, _, load = sched.plan(0.1, 0.1, alive, u, np.zeros(300))
        occ = track_occupancy(n, DWELL, REVISIT)
        assert load.track_occupancy == pytest.approx(occ)
        assert load.search_frame_s_effective == pytest.approx(
            search_frame_effective(FRAME, BUDGET, occ))
        assert load.track_revisit_s_effective == pytest.approx(
            track_revisit_effective(n, DWELL, REVISIT, BUDGET))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.integers(0, 5)), min_size=1, max_size=12),
       st.integers(0, 15))
def test_ration_serves_the_nearest_due(rows: list[tuple[bool, int]], capacity: int) -> None:
    due = np.array([r[0] for r in rows])
    prio = np.array([float(r[1]) for r in rows])
    served = ration(due, prio, capacity)
    assert not (served & ~due).any()
    assert served.sum() == min(capacity, due.sum())
    # brute force: no unserved due target is strictly nearer than a served one
    if served.any() and (due & ~served).any():
        assert prio[due & ~served].min() >= prio[served].max()


def test_search_raster_covers_each_position_once_per_frame() -> None:
    rng = np.random.default_rng(1)
    u = rng.random(500)
    counts = np.zeros(u.size, int)
    phase, advance = 0.0, 0.037
    steps = round(10 / advance)  # ten frames, nearly
    for _ in range(steps):
        counts += search_crossed(phase, advance, u)
        phase = float(np.mod(phase + advance, 1.0))
    # phase has swept steps * advance = 9.99.. frames
    swept = steps * advance
    assert np.all((counts == np.floor(swept)) | (counts == np.ceil(swept)))


def _run(n: int, priority: np.ndarray, t_end: float, dt: float = 0.1,
         pd: float = 1.0, seed: int = 0) -> tuple[RadarScheduler, list, np.ndarray]:
    """Drive a scheduler over ``n`` always-alive targets; return looks per target."""
    sched = RadarScheduler(n, DWELL, FRAME, REVISIT, BUDGET)
    rng = np.random.default_rng(seed)
    u = rng.random(n)
    loads = []
    track_looks = np.zeros(n, int)
    alive = np.ones(n, bool)
    for t in np.arange(dt, t_end + 1e-9, dt):
        track, search, load = sched.plan(float(t), dt, alive, u, priority)
        looked = track | search
        detected = looked & (rng.random(n) < pd)
        sched.record(float(t), looked, detected)
        loads.append(load)
        track_looks += track
    return sched, loads, track_looks


def test_light_load_keeps_the_nominal_revisit() -> None:
    n = 20  # 20 x 5 ms / 1 s = 0.1 of the time
    sched, loads, looks = _run(n, np.arange(n, dtype=float), t_end=200.0)
    assert sched.held.all()
    last = loads[-1]
    assert last.n_in_track == n
    assert last.search_frame_s_effective == pytest.approx(FRAME * 0.8 / 0.7)
    # once in track (after two search looks, at most 2 frames of 6.9 s), one dwell per second
    assert np.all(looks >= 200 - 2 * 7 - 2) and np.all(looks <= 201)


def test_saturation_stretches_frame_and_revisit_and_serves_the_nearest_first() -> None:
    n = 400  # all of them held would demand 2.0 of the radar's time
    prio = np.arange(n, dtype=float)
    _, loads, looks = _run(n, prio, t_end=300.0)
    held = np.array([ld.n_in_track for ld in loads])
    saturated = loads[int(np.argmax(held))]
    assert saturated.track_occupancy > (1.0 - MIN_SEARCH_SHARE) * BUDGET
    # search keeps 5 % of the budget: the 6 s frame becomes 120 s
    assert saturated.search_frame_s_effective == pytest.approx(FRAME / MIN_SEARCH_SHARE)
    # mean revisit: the held tracks share 0.76 of the time
    expect = saturated.n_in_track * DWELL / ((1.0 - MIN_SEARCH_SHARE) * BUDGET)
    assert saturated.track_revisit_s_effective == pytest.approx(expect)
    assert saturated.track_revisit_s_effective > REVISIT
    # the dwells actually spent never exceed the served share (0.76 of 300 s at 5 ms)
    assert looks.sum() * DWELL <= 0.76 * 300.0 + DWELL
    assert looks.sum() * DWELL > 0.9 * 0.76 * 250.0  # and the radar is kept busy
    # rationing: once held, the nearest 100 get a dwell nearly every second (entering track
    # waits for the stretched search), the farthest 100 rarely
    assert looks[:100].mean() > 200
    assert looks[:100].mean() > 5 * looks[-100:].mean()
