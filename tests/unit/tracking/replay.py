"""The default engagement's radar scans as the engine feeds its tracker, and numpy-path
tracker snapshots along a replay of them: the inputs of the compiled-path tests
(test_scan_jit.py, test_book_jit.py; fixtures in conftest.py)."""

from __future__ import annotations

import copy

import numpy as np

from tate import jit
from tate.tracking.measurement import RAEMeas
from tate.tracking.tracker import Tracker, TrackerConfig

N_SCANS = 2500  #: scans of the replay (the default run feeds its tracker about 2,800)
EVERY = 20  #: a tracker snapshot every this many scans for the kernel-by-kernel checks

Scan = tuple[float, np.ndarray, RAEMeas]


def engine_scans() -> tuple[TrackerConfig, list[Scan]]:
    """The tracker settings and the first :data:`N_SCANS` radar scans of the default
    engagement, as :meth:`tate.engine.engagement.Engagement.track` feeds them (no kill
    removes any)."""
    from tate.engine.engagement import Engagement
    from tate.scenario import default_scenario_path, load_scenario

    e = Engagement(load_scenario(default_scenario_path()))
    while e.scans.starts.size <= N_SCANS and not e.sensing.finished:  # sensing's windows
        e._sense()
    sc = e.scans
    out: list[Scan] = []
    for a, b in zip(sc.starts[:-1], sc.starts[1:], strict=True):
        ts, sid = float(sc.time[a]), str(sc.sensor[a])
        pos, rot = e._site(sid, ts)
        out.append((ts, sc.z[a:b], RAEMeas(pos, sc.R[a:b], rotation=rot)))
        if len(out) == N_SCANS:
            break
    return e.tracker.config, out


def snapshots(cfg: TrackerConfig, scans: list[Scan]) -> list[tuple[Tracker, Scan]]:
    """Numpy-path trackers just before a scan with tracks and detections (one every
    :data:`EVERY` scans or more), and the scan."""
    old = jit.ENABLED
    jit.ENABLED = False
    try:
        tr = Tracker(cfg)
        out = []
        due = 0
        for i, scan in enumerate(scans):
            if i >= due and tr.book.ids.size and tr.t is not None and scan[0] > tr.t:
                out.append((copy.deepcopy(tr), scan))
                due = i + EVERY
            tr.ingest(*scan)
    finally:
        jit.ENABLED = old
    assert len(out) > 80
    return out


def tracker_on(cfg: TrackerConfig, compiled: bool) -> Tracker:
    """A tracker built on the compiled path or on the numpy path."""
    old = jit.ENABLED
    jit.ENABLED = compiled
    try:
        return Tracker(cfg)
    finally:
        jit.ENABLED = old
