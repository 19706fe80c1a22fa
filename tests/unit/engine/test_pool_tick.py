"""The interceptor pool's per-tick bookkeeping: the count of rounds in the air behind
``any_active`` and the per-run caches of the fused step (a truth that is not a
TruthStore is read afresh at every tick)."""

from __future__ import annotations

import numpy as np

from tests.unit.engine.test_pool import _scene


def test_any_active_follows_launches_and_closes_even_a_double_close() -> None:
    pool, truth, _ = _scene()
    assert not pool.any_active()
    pip, _ = truth.at(30.0, np.array([0]))
    b0 = pool.launch(0.0, 0, pip[0], 30.0, shot=0, threat=0)
    b1 = pool.launch(0.0, 0, pip[0], 30.0, shot=1, threat=0)
    assert pool.any_active() and pool._n_air == 2
    pool.close(b0)
    pool.close(b0)  # closing an ended round again changes nothing
    assert pool.any_active() and pool._n_air == 1
    pool.close(b1)
    assert not pool.any_active() and pool._n_air == 0 == int(pool.active.sum())


def test_a_replaced_t_last_of_a_plain_truth_is_read_at_the_next_tick() -> None:
    pool, truth, _ = _scene()
    pip, _ = truth.at(30.0, np.array([0]))
    pool.launch(0.0, 0, pip[0], 30.0, shot=0, threat=0)
    reports: list[tuple[int, float, float, str]] = []
    killed = np.zeros(1, dtype=bool)
    pool.fly(0.0, 0.5, truth, killed, lambda *r: reports.append(r))
    assert not reports
    truth.t_last = np.array([0.2])  # a new array: the target's track ended
    pool.fly(0.5, 1.0, truth, killed, lambda *r: reports.append(r))
    assert [(r[0], r[1], r[3]) for r in reports] == [(0, 0.5, "target gone")]
    assert not pool.any_active()
