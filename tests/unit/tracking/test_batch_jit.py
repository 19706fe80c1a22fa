"""A run of radar scans in one compiled call (:mod:`tate.tracking._batch_jit`,
``Tracker.ingest_scans``) against one ``Tracker.ingest`` per scan on the compiled path
(bit for bit: the same kernel per scan, the same book, clock, ids and NIS sums) and on
the numpy path (the same tracks, numbers to rounding), over the default engagement's
scans fed tick by tick, with detections left out (a killed threat's), and where a scan
must leave the call (the step path's 2-D assignment; a scan out of time order)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from tate.tracking.measurement import RAEMeas
from tate.tracking.tracker import Tracker, TrackerConfig
from tests.unit.tracking.replay import Scan, tracker_on

Tick = tuple[np.ndarray, ...]



def _ticks(scans: list[Scan], dt: float = 0.5) -> list[Tick]:
    """The scans grouped by engine tick: times, bounds, z, R, site, site table."""
    sites: dict[bytes, int] = {}
    pos: list[np.ndarray] = []
    rot: list[np.ndarray] = []
    groups: dict[int, list[Scan]] = {}
    for scan in scans:
        groups.setdefault(int(np.ceil(scan[0] / dt - 1e-9)), []).append(scan)
    out = []
    for group in groups.values():
        site = []
        for _, _, m in group:
            key = np.asarray(m.sensor_pos).tobytes()
            if key not in sites:
                sites[key] = len(pos)
                pos.append(np.asarray(m.sensor_pos, float))
                rot.append(np.asarray(m.rotation, float))
            site.append(sites[key])
        bounds = np.concatenate([[0], np.cumsum([z.shape[0] for _, z, _ in group])])
        out.append((np.array([t for t, _, _ in group]), bounds.astype(np.intp),
                    np.concatenate([z for _, z, _ in group]),
                    np.concatenate([np.asarray(m.R) for _, _, m in group]),
                    np.array(site, dtype=np.intp), np.array(pos), np.array(rot)))
    return out


def _state(tr: Tracker) -> tuple[Any, ...]:
    b = tr.book
    x = tr.state.x.copy() if tr.state is not None else None
    P = tr.state.P.copy() if tr.state is not None else None
    return (*(getattr(b, f).copy() for f in b.FIELDS), x, P, tr.next_id, tuple(tr._nis),
            tr.t)


def _per_scan(tr: Tracker, tick: Tick, alive: np.ndarray | None) -> None:
    """The engine's tick before the one-call path: one ingest per scan."""
    times, bounds, z, R, site, pos, rot = tick
    for i, t in enumerate(times.tolist()):
        a, b = bounds[i], bounds[i + 1]
        rows = np.arange(a, b) if alive is None else np.arange(a, b)[alive[a:b]]
        if rows.size:
            tr.ingest(t, z[rows], RAEMeas(pos[site[i]], R[rows], rotation=rot[site[i]]))


def _replay(cfg: TrackerConfig, ticks: list[Tick], how: str,
            alive: list[np.ndarray | None]) -> list[tuple[Any, ...]]:
    tr = tracker_on(cfg, how != "numpy")
    out = []
    for tick, keep in zip(ticks, alive, strict=True):
        if how == "per-scan":
            _per_scan(tr, tick, keep)
        else:
            tr.ingest_scans(*tick, alive=keep)
        out.append(_state(tr))
    return out


def _alive(ticks: list[Tick], seed: int | None) -> list[np.ndarray | None]:
    """No row left out (None), or about a fifth of them and some whole scans."""
    if seed is None:
        return [None] * len(ticks)
    rng = np.random.default_rng(seed)
    out: list[np.ndarray | None] = []
    for tick in ticks:
        keep = rng.random(tick[2].shape[0]) > 0.2
        if rng.random() < 0.1:
            keep[tick[1][0]:tick[1][1]] = False
        out.append(keep)
    return out


@pytest.mark.parametrize("seed", [None, 7])
def test_one_call_ticks_are_one_ingest_per_scan(
        engine_scans: tuple[TrackerConfig, list[Scan]], seed: int | None) -> None:
    cfg, scans = engine_scans
    ticks = _ticks(scans)
    alive = _alive(ticks, seed)
    got = _replay(cfg, ticks, "batch", alive)
    want = _replay(cfg, ticks, "per-scan", alive)
    ref = _replay(cfg, ticks, "numpy", alive) if seed is None else want
    worst = 0.0
    for g, w, r in zip(got, want, ref, strict=True):
        for a, b in zip(g[:9], w[:9], strict=True):  # book: bit for bit
            assert np.array_equal(a, b)
        assert np.array_equal(g[9], w[9]) and np.array_equal(g[10], w[10])  # x, P
        assert g[11:] == w[11:]  # next id, NIS sums, clock
        for i in (0, 1, 2, 3, 4, 6, 7, 8):  # numpy path: the same tracks
            assert np.array_equal(g[i], r[i])
        assert g[11] == r[11] and g[13] == r[13] and g[12][1:] == r[12][1:]
        if r[9] is not None and r[9].size:
            worst = max(worst, float(np.abs(g[9][:, :3] - r[9][:, :3]).max()))
    assert worst < 1e-6  # m
    assert len(ticks) > 300 and max(t[0].size for t in ticks) > 3
    assert got[-1][11] > 100


def test_a_scan_the_call_cannot_finish_goes_the_step_path(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Two confirmed tracks and two detections all gated together (a 2-D assignment):
    the call stops at that scan with the predicted state and the detections' positions,
    the step path finishes it (not ``Tracker.ingest``, whose one-call kernel
    ``radar_scan_step`` a fresh process would have to load), the call resumes; the same
    tracks as one ingest per scan.  A scan out of time order raises, as ingest does."""
    cfg = TrackerConfig(dim=3, q=1.0, meas_std=50.0, init_speed=10.0, confirm_m=1,
                        confirm_n=1)
    R = np.diag([50.0**2, 1e-3**2, 1e-3**2])
    z = np.column_stack([np.full(2, 50_000.0), [0.3000, 0.3008], np.full(2, 0.05)])
    z2 = z + np.array([0.0, 0.0004, 0.0])
    zs = np.concatenate([z, z2, z2 + 0.0001])
    tick = (np.array([0.0, 1.0, 2.0]), np.array([0, 2, 4, 6]), zs, np.array([R] * 6),
            np.zeros(3, dtype=np.intp), np.zeros((1, 3)), np.eye(3)[None])
    got, want = tracker_on(cfg, True), tracker_on(cfg, True)
    with monkeypatch.context() as mp:
        mp.setattr(got, "ingest", lambda *a, **k: pytest.fail("ingest called"))
        got.ingest_scans(*tick)
    _per_scan(want, tick, None)
    for a, b in zip(_state(got), _state(want), strict=True):
        assert np.array_equal(a, b) if isinstance(a, np.ndarray) else a == b
    assert np.array_equal(got.book.n_hits, [3, 3])
    late = (np.array([1.5]), np.array([0, 2]), z, np.array([R] * 2),
            np.zeros(1, dtype=np.intp), np.zeros((1, 3)), np.eye(3)[None])
    with pytest.raises(ValueError, match="time order"):
        got.ingest_scans(*late)
