"""``Tracker.ingest_scans`` on rows of a whole scan table (the engine's tick since round
13: ``bounds`` index the table of every scan so far, ``alive`` flags all its rows and is
read only at the tick's rows) gives the tracks of the tick's own rows (bounds from 0), bit
for bit, on the compiled and on the numpy path."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from tate.tracking.tracker import Tracker, TrackerConfig
from tests.unit.tracking.replay import Scan, tracker_on
from tests.unit.tracking.test_batch_jit import _alive, _state, _ticks


def _same(a: tuple[Any, ...], b: tuple[Any, ...]) -> None:
    for u, v in zip(a, b, strict=True):
        if isinstance(u, np.ndarray):
            assert np.array_equal(u.view(np.uint8), v.view(np.uint8))
        else:
            assert u == v or (u != u and v != v)


@pytest.mark.parametrize("jit", [True, False])
def test_table_rows_are_the_tick_rows(engine_scans: tuple[TrackerConfig, list[Scan]],
                                      jit: bool) -> None:
    cfg, scans = engine_scans
    ticks = _ticks(scans)[:120]
    alive = _alive(ticks, 11)
    table: Tracker = tracker_on(cfg, jit)
    tick_rows: Tracker = tracker_on(cfg, jit)
    z_all = np.full((0, 3), np.nan)
    R_all = np.full((0, 3, 3), np.nan)
    a_all = np.zeros(0, dtype=bool)
    for (times, bounds, z, R, site, pos, rot), keep in zip(ticks, alive, strict=True):
        off = z_all.shape[0]
        junk = 3  # rows after the tick's (scans to come): never read
        z_all = np.concatenate([z_all[:off], z, np.full((junk, 3), np.nan)])
        R_all = np.concatenate([R_all[:off], R, np.full((junk, 3, 3), np.nan)])
        a_all = np.concatenate([~a_all[:off], keep, np.zeros(junk, bool)])  # (stale flags)
        table.ingest_scans(times, bounds + off, z_all, R_all, site, pos, rot, a_all)
        tick_rows.ingest_scans(times, bounds, z, R, site, pos, rot, keep)
        _same(_state(table), _state(tick_rows))
        z_all, R_all, a_all = z_all[:off + z.shape[0]], R_all[:off + z.shape[0]], \
            a_all[:off + z.shape[0]]
    assert table.next_id > 20
