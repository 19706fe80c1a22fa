"""The first-detection shortcut of ``Engagement.track`` (rows before the first row of
every threat not yet detected are not looked at) against the plain look at every tick's
rows: the same first-detection times and events, tick by tick."""

from __future__ import annotations

import numpy as np
import pytest

from tate.engine.engagement import _NO_ROW, Engagement
from tate.scenario.loader import loads_scenario

from .test_engagement import DEFENDED, SCENARIO


@pytest.mark.parametrize("text", [SCENARIO, DEFENDED], ids=["undefended", "defended"])
def test_first_detections_as_the_plain_look(text: str) -> None:
    fast, plain = (Engagement(loads_scenario(text, "engine-test.toml"), 5) for _ in range(2))
    skipped = windows = 0
    while not plain.done:
        t1 = min(plain.t + plain.config.dt, plain.t_end)
        plain._fresh_from = 0  # every tick's rows looked at
        b = fast._scan_starts[min(fast._next_scan + 1, len(fast._scan_starts) - 1)]
        skipped += fast._undetected and b <= fast._fresh_from
        for eng in (fast, plain):
            eng.track(eng.t, t1)
            eng.defence.tick(eng.t, t1)
            eng.t = t1
        np.testing.assert_array_equal(fast.first_detected, plain.first_detected)
        assert fast.events == plain.events
        if fast.scans.time.size != windows:  # a window came: each threat's first row so far
            windows = fast.scans.time.size
            tr = fast.scans.truth
            for j in range(fast.truth.n):
                rows = np.flatnonzero(tr == j)
                assert fast._first_row[j] == (rows[0] if rows.size else _NO_ROW)
    assert skipped > 0 and np.isfinite(fast.first_detected).any()
