"""The engine's compiled sense-track glue against its reference on one default run: the
track-quality record by the stacked compiled GOSPA (:meth:`Engagement._flush_quality`)
against one :func:`~tate.tracking.metrics.gospa` per tick
(:func:`tate.engine.quality.quality_sets`, the reference; every recorded tick, bit for
bit: the table, first-held times and events), and the detections left out after kills
against the per-scan rule they replace."""

from __future__ import annotations

import numpy as np
import pytest

from tate import jit
from tate.engine.engagement import Engagement
from tate.scenario import default_scenario_path, load_scenario


@pytest.fixture(scope="module")
def ran() -> Engagement:
    """The default engagement (compiled path) stepped to its end, its quality record not
    yet computed."""
    old = jit.ENABLED
    jit.ENABLED = True
    try:
        e = Engagement(load_scenario(default_scenario_path()), seed=1)
    finally:
        jit.ENABLED = old
    while not e.done:
        e.step()
    assert e._jit and len(e._quality_due) > 2000
    return e


def _flush(e: Engagement, compiled: bool) -> tuple[list, np.ndarray, list]:
    due, held, n_events = list(e._quality_due), e._first_held.copy(), len(e.events)
    e._jit = compiled
    try:
        e._flush_quality()
        return e.quality, e._first_held.copy(), e.events[n_events:]
    finally:
        e._jit = True
        e._quality_due, e._quality, e._first_held = due, [], held
        del e.events[n_events:]


def test_compiled_quality_record_is_the_per_tick_record(ran: Engagement) -> None:
    got = _flush(ran, True)
    ref = _flush(ran, False)
    assert got[0] == ref[0]  # every row, bit for bit (floats compared exactly)
    assert np.array_equal(got[1], ref[1], equal_nan=True)
    assert got[2] == ref[2]
    assert len(got[2]) > 10 and any(row[2] > row[1] for row in got[0])  # false tracks too


def test_left_out_detections_are_those_of_the_per_scan_rule(ran: Engagement) -> None:
    """Rows of a threat killed at or before the scan's time, as the old loop decided
    scan by scan; the flags are recomputed when the kills change, from the first row
    asked on (rows before it are not asked again), here from a middle scan, then all."""
    sc = ran.scans
    assert ran.killed.any()
    n_killed, saved = ran._n_killed, ran._alive.copy()
    mid = int(sc.starts[sc.starts.size // 2])
    try:
        ran._n_killed, ran._alive[:] = 0, True
        tail = ran._alive_rows(mid, sc.time.size)
        assert tail is not None and ran._alive[:mid].all()  # (rows before: not asked)
        tail = tail.copy()
        ran._n_killed = 0
        alive = ran._alive_rows(0, sc.time.size)
        assert alive is not None and np.array_equal(alive[mid:], tail)
    finally:
        ran._n_killed, ran._alive = n_killed, saved
    for a, b in zip(sc.starts[:-1].tolist(), sc.starts[1:].tolist(), strict=True):
        real = sc.truth[a:b]
        ts = sc.time[a]
        dead = (real >= 0) & ran.killed[np.maximum(real, 0)] & \
            (ran.kill_time[np.maximum(real, 0)] <= ts)
        assert np.array_equal(alive[a:b], ~dead)
    assert not alive.all()
