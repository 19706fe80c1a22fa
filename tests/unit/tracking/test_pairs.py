"""The one-pass gating of :mod:`tate.tracking.pairs` against the tracker's two-pass path
(kd-tree pre-gate per group, moments per group): the same tracks, bit for bit."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from tate import jit
from tate.tracking import tracker as tracker_mod
from tate.tracking.measurement import PositionMeas, RAEMeas
from tate.tracking.tracker import Tracker, TrackerConfig


def _scans(kind: str, dim: int, seed: int) -> list[tuple[float, np.ndarray, Any]]:
    """Twelve crossing targets seen 60 times with misses and clutter."""
    rng = np.random.default_rng(seed)
    p0 = rng.uniform(-20e3, 20e3, (12, dim))
    v = rng.normal(0.0, 200.0, (12, dim))
    sensor = np.array([1000.0, -3000.0, 20.0])
    out = []
    for t in np.arange(0.0, 60.0, 1.0):
        x = (p0 + v * t)[rng.random(12) < 0.9]
        if kind == "pos":
            z = np.concatenate([x + rng.normal(0.0, 50.0, x.shape),
                                rng.uniform(-25e3, 25e3, (rng.poisson(3), dim))])
            out.append((t, z[rng.permutation(len(z))], PositionMeas(dim, 2500.0 * np.eye(dim))))
        else:
            rel = x - sensor
            r = np.linalg.norm(rel, axis=1)
            z = np.column_stack([r + rng.normal(0.0, 30.0, r.size),
                                 np.arctan2(rel[:, 0], rel[:, 1]) + rng.normal(0, 2e-3, r.size),
                                 np.arcsin(rel[:, 2] / r) + rng.normal(0, 2e-3, r.size)])
            out.append((t, z, RAEMeas(sensor, np.diag([900.0, 4e-6, 4e-6]))))
    return out


def _states(cfg: TrackerConfig, scans: list[tuple[float, np.ndarray, Any]]
            ) -> list[tuple[np.ndarray, ...]]:
    tr = Tracker(cfg)
    seen = []
    for t, z, meas in scans:
        out = tr.step(t, z, meas)
        rows = tr.confirmed()
        seen.append((out.ids, rows.ids, rows.x, rows.P))
    return seen


CASES = [("pos", 2, "cv", "gnn"), ("pos", 3, "ca", "gnn"), ("pos", 2, "cv", "jpda"),
         ("rae", 3, "cv", "gnn"), ("rae", 3, "cv", "jpda"), ("rae", 3, "ca", "gnn")]


@pytest.mark.parametrize(("kind", "dim", "motion", "assoc"), CASES)
def test_one_pass_gating_gives_the_two_pass_tracks(monkeypatch: pytest.MonkeyPatch, kind: str,
                                                   dim: int, motion: str, assoc: str) -> None:
    """The numpy path: bit for bit."""
    monkeypatch.setattr(jit, "ENABLED", False)
    cfg = TrackerConfig(dim=dim, motion=motion, q=5.0, meas_std=50.0, init_speed=300.0,
                        associator=assoc)
    for seed in range(3):
        scans = _scans(kind, dim, seed)
        fast = _states(cfg, scans)
        with monkeypatch.context() as m:
            m.setattr(tracker_mod, "fast_filter", lambda f, meas: None)  # the two-pass path
            slow = _states(cfg, scans)
        assert any(len(s[2].tobytes()) > 40 for s in fast)  # tracks were confirmed
        for a, b in zip(fast, slow, strict=True):
            assert all(np.array_equal(u, v) for u, v in zip(a, b, strict=True))


@pytest.mark.parametrize(("kind", "dim", "motion", "assoc"), CASES)
def test_compiled_path_gives_the_two_pass_tracks(monkeypatch: pytest.MonkeyPatch, kind: str,
                                                 dim: int, motion: str, assoc: str) -> None:
    """The compiled path (tate.tracking._scan_jit): the same tracks, states to rounding."""
    cfg = TrackerConfig(dim=dim, motion=motion, q=5.0, meas_std=50.0, init_speed=300.0,
                        associator=assoc)
    for seed in range(3):
        scans = _scans(kind, dim, seed)
        monkeypatch.setattr(jit, "ENABLED", True)
        fast = _states(cfg, scans)
        monkeypatch.setattr(jit, "ENABLED", False)
        with monkeypatch.context() as m:
            m.setattr(tracker_mod, "fast_filter", lambda f, meas: None)  # the two-pass path
            slow = _states(cfg, scans)
        assert any(len(s[1]) > 5 for s in fast)  # tracks were confirmed
        for a, b in zip(fast, slow, strict=True):
            assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
            np.testing.assert_allclose(a[2], b[2], rtol=1e-10, atol=1e-8)  # m, m/s, m/s²
            np.testing.assert_allclose(a[3], b[3], rtol=1e-10, atol=1e-8)
