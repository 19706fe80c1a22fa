"""The one-call GNN association of a radar scan (:mod:`tate.tracking._book_jit`) and the
one-call scan (prediction, positions, association, management, initiation) against
the step-by-step compiled path (bit for bit: the same kernels, the same order) and the
numpy reference path (to rounding), per scan on trackers taken along a replay of the
default engagement's scans, and over a whole replay; and its fall-back to the step path
where that path leaves the kernels (a GNN cluster that needs a 2-D assignment)."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pytest

from tate import jit
from tate.tracking.measurement import RAEMeas
from tate.tracking.tracker import Tracker, TrackerConfig
from tests.unit.tracking.replay import Scan, tracker_on
from tests.unit.tracking.test_scan_jit import _predicted


def _as(tr: Tracker, compiled: bool, fused: bool) -> Tracker:
    """A copy of ``tr`` on the given path (its filter's prediction path unchanged)."""
    out = copy.deepcopy(tr)
    out._jit, out._fused = compiled, fused
    return out


def _associate(tr: Tracker, scan: Scan) -> tuple[Any, ...]:
    _, z, meas = scan
    pos, pos_cov = tr._positions(z, meas)
    hit, used = tr._associate_and_update(z, meas, pos, pos_cov)
    return hit, used, tr.state.x, tr.state.P, tr.book.score, tuple(tr._nis)


def test_fused_scan_matches_step_path_and_numpy(
        snapshots: list[tuple[Tracker, Scan]]) -> None:
    fused_calls = 0
    for tr0, scan in snapshots:
        tr = _predicted(tr0, scan)
        _, z, meas = scan
        pos, pos_cov = _as(tr, True, True)._positions(z, meas)
        probe = _as(tr, True, True)
        if probe._associate_fused(z, meas, pos, pos_cov, probe._gamma(3)) is not None:
            fused_calls += 1
        got = _associate(_as(tr, True, True), scan)
        step = _associate(_as(tr, True, False), scan)
        ref = _associate(_as(tr, False, False), scan)
        for a, b in zip(got[:2], ref[:2], strict=True):  # the same associations
            assert np.array_equal(a, b)
        for a, b in zip(got[:5], step[:5], strict=True):  # the same numbers, bit for bit
            assert np.array_equal(a, b)
        assert got[5] == step[5]
        np.testing.assert_allclose(got[2], ref[2], rtol=1e-12, atol=1e-8)  # m, m/s
        np.testing.assert_allclose(got[3], ref[3], rtol=1e-9,
                                   atol=1e-13 * float(np.abs(ref[3]).max()))
        np.testing.assert_allclose(got[4], ref[4], rtol=1e-9, atol=1e-9)  # score
        np.testing.assert_allclose(got[5][0], ref[5][0], rtol=1e-9)  # NIS sum
        assert got[5][1:] == ref[5][1:]
    assert fused_calls > 80


def test_fused_scan_leaves_the_state_when_it_gives_up() -> None:
    """Two confirmed tracks and two detections all gated with each other (a cluster that
    needs the 2-D assignment): the one-call kernel gives up with the state untouched and
    the tracker's step path assigns them."""
    from tate.tracking._book_jit import radar_gnn_scan  # noqa: F401  (compiled here)

    cfg = TrackerConfig(dim=3, q=1.0, meas_std=50.0, init_speed=10.0, confirm_m=1,
                        confirm_n=1)
    R = np.diag([50.0**2, 1e-3**2, 1e-3**2])
    meas = RAEMeas(np.zeros(3), R)
    r, az = 50_000.0, np.array([0.3000, 0.3008])
    z = np.column_stack([np.full(2, r), az, np.full(2, 0.05)])
    trackers = []
    for compiled in (True, False):
        tr = tracker_on(cfg, compiled)
        tr.step(0.0, z, meas)
        assert tr.book.confirmed.all() and tr.book.ids.size == 2
        trackers.append(tr)
    z2 = z + np.array([0.0, 0.0004, 0.0])
    tr = copy.deepcopy(trackers[0])
    tr.state = tr.filter.predict(tr.state, 1.0)
    pos, pos_cov = tr._positions(z2, meas)
    x0 = tr.state.x.copy()
    assert tr._associate_fused(z2, meas, pos, pos_cov, tr._gamma(3)) is None
    assert np.array_equal(tr.state.x, x0)
    rows = [t.step(1.0, z2, meas) for t in trackers]
    assert np.array_equal(rows[0].ids, rows[1].ids) and rows[0].ids.size == 2
    assert np.array_equal(trackers[0].book.n_hits, [2, 2])
    np.testing.assert_allclose(rows[0].x, rows[1].x, rtol=1e-12, atol=1e-8)



def _replay(cfg: TrackerConfig, scans: list[Scan], compiled: bool, fused: bool,
            one_call: bool = False) -> list[tuple[Any, ...]]:
    tr = tracker_on(cfg, compiled)
    tr._fused = tr._fused and fused
    assert tr._one_call == compiled
    tr._one_call = tr._one_call and one_call
    out = []
    for scan in scans:
        rows = tr.step(*scan)
        b = tr.book
        out.append((rows.ids, b.ids.copy(), b.confirmed.copy(), b.n_hits.copy(),
                    b.misses.copy(), b.t_hit.copy(), tr.state.x.copy(), tr.state.P.copy(),
                    b.score.copy()))
    return out


def test_whole_replay_fused_gives_the_step_and_numpy_tracks(
        engine_scans: tuple[TrackerConfig, list[Scan]]) -> None:
    cfg, scans = engine_scans
    one = _replay(cfg, scans, True, True, one_call=True)
    got = _replay(cfg, scans, True, True)
    step = _replay(cfg, scans, True, False)
    ref = _replay(cfg, scans, False, False)
    worst = 0.0
    for o, g, s, r in zip(one, got, step, ref, strict=True):
        for a, b, c in zip(o, g, s, strict=True):  # one call, fused, step: bit for bit
            assert np.array_equal(a, b)
            assert np.array_equal(a, c)
        for a, b in zip(g[:6], r[:6], strict=True):  # ids, confirmations, associations
            assert np.array_equal(a, b)
        if r[6].size:
            worst = max(worst, float(np.abs(g[6][:, :3] - r[6][:, :3]).max()))
    assert worst < 1e-6  # m
    assert sum(len(r[0]) for r in ref) > 10_000


def _path(tr: Tracker, compiled: bool, one_call: bool) -> Tracker:
    """A copy of ``tr`` on the given path, its filter's prediction and initiation too."""
    out = copy.deepcopy(tr)
    out._jit = out._fused = out.filter._jit = compiled  # type: ignore[attr-defined]
    out._one_call = one_call
    return out


def _ingest(tr: Tracker, scan: Scan) -> tuple[Any, ...]:
    tr.ingest(*scan)
    b = tr.book
    return (*(getattr(b, f) for f in b.FIELDS), tr.state.x, tr.state.P, tr.next_id,
            tuple(tr._nis), tr.t)


def test_one_call_scan_matches_step_path_and_numpy(
        snapshots: list[tuple[Tracker, Scan]]) -> None:
    """Per scan: the whole ingest in one call gives the round-1 compiled path's book and
    state bit for bit, and the numpy path's tracks (ids, confirmations, hits) and numbers
    to rounding."""
    from tate.tracking._book_jit import radar_scan_step  # noqa: F401  (compiled here)

    born = dropped = 0
    for tr0, scan in snapshots:
        got = _ingest(_path(tr0, True, True), scan)
        step = _ingest(_path(tr0, True, False), scan)
        ref = _ingest(_path(tr0, False, False), scan)
        for a, b in zip(got, step, strict=True):
            assert np.array_equal(a, b)
        for i in (0, 1, 2, 3, 4, 6, 7, 8, 11, 13):  # ids, counts, flags, times, next id, t
            assert np.array_equal(got[i], ref[i])
        np.testing.assert_allclose(got[5], ref[5], rtol=1e-9, atol=1e-9)  # score
        np.testing.assert_allclose(got[9], ref[9], rtol=1e-12, atol=1e-8)  # m, m/s
        np.testing.assert_allclose(got[10], ref[10], rtol=1e-9,
                                   atol=1e-13 * float(np.abs(ref[10]).max()))
        np.testing.assert_allclose(got[12][0], ref[12][0], rtol=1e-9)  # NIS sum
        assert got[12][1:] == ref[12][1:]
        born += got[11] > tr0.next_id
        dropped += bool(np.setdiff1d(tr0.book.ids, got[0]).size)
    assert born > 20 and dropped > 5


def test_one_call_scan_from_an_emptytracker_on(monkeypatch: pytest.MonkeyPatch) -> None:
    """The first scans (no state yet, then tracks but no detections) as the step path."""
    cfg = TrackerConfig(dim=3, q=10.0, meas_std=50.0, init_speed=300.0, confirm_m=2,
                        confirm_n=3, max_pos_std=1e4)
    R = np.diag([50.0**2, 1e-3**2, 1e-3**2])
    meas = RAEMeas(np.array([10.0, -5.0, 2.0]), R, rotation=np.eye(3))
    z = np.array([[40_000.0, 0.2, 0.05], [60_000.0, -0.4, 0.1]])
    scans = [(0.0, np.empty((0, 3)), meas), (1.0, z, meas), (2.0, np.empty((0, 3)), meas),
             (3.0, z + 1e-4, meas), (3.0, z[:1] + 2e-4, meas)]
    monkeypatch.setattr(jit, "ENABLED", True)
    trackers = [Tracker(cfg) for _ in range(2)]
    trackers[1]._one_call = False
    assert trackers[0]._one_call
    for scan in scans:
        for tr in trackers:
            tr.ingest(*scan)
        if scan[0] == 0.0:  # no detection yet: no state
            assert trackers[0].state is None and trackers[1].state is None
            continue
        got, want = (_ingest(tr, (scan[0], np.empty((0, 3)), meas)) for tr in trackers)
        for a, b in zip(got, want, strict=True):
            assert np.array_equal(a, b)
    assert trackers[0].next_id >= 2 and trackers[0].next_id == trackers[1].next_id


@pytest.mark.parametrize("value", [0.9, 0.5, 1e-3, 2.7e-12, 7.3e5])
def test_math_log_is_numpy_log(value: float) -> None:
    """The kernel's ``math.log`` of the clutter density gives numpy's ``np.log``."""
    from tate.tracking._book_jit import _log

    rng = np.random.default_rng(0)
    v = value * rng.uniform(0.5, 2.0, 2000)
    assert np.array_equal(np.array([_log(float(a)) for a in v]), np.log(v))


def _gospa_before(truth: np.ndarray, est: np.ndarray, c: float, p: float, alpha: float
                  ) -> tuple[float, float, float, float, np.ndarray]:
    """:func:`tate.tracking.metrics.gospa` as it was before its check-free path (the
    reference for the engine's record: the same numbers, bit for bit)."""
    from scipy.optimize import linear_sum_assignment

    diff = truth[:, None, :] - est[None, :, :]
    dist = np.sqrt(np.einsum("ijk,ijk->ij", diff, diff))
    m, n = dist.shape
    if dist.size == 0:
        rows = cols = np.zeros(0, dtype=np.intp)
        matched = 0.0
    else:
        cost = np.minimum(dist, c) ** p
        rows, cols = linear_sum_assignment(cost)
        matched = float(cost[rows, cols].sum())
    total = matched + c**p / alpha * abs(n - m)
    assignment = np.full(m, -1, dtype=np.intp)
    if alpha != 2:
        assignment[rows] = cols
        return total ** (1.0 / p), np.nan, np.nan, np.nan, assignment
    close = dist[rows, cols] < c
    assignment[rows[close]] = cols[close]
    n_pairs = int(close.sum())
    loc = float((dist[rows[close], cols[close]] ** p).sum())
    half = c**p / 2.0
    return total ** (1.0 / p), loc, half * (m - n_pairs), half * (n - n_pairs), assignment


def _random_sets(rng: np.random.Generator, count: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Truth and estimate sets as the engine's record sees them: empty sets, unequal
    sizes, estimates near a truth (duplicates too), far ones (ties at the cut-off)."""
    out = []
    for _ in range(count):
        m, n = int(rng.integers(0, 12)), int(rng.integers(0, 12))
        truth = rng.uniform(-2e5, 2e5, (m, 3))
        near = truth[rng.integers(0, m, n)] if m else np.zeros((n, 3))
        est = np.where(rng.random((n, 1)) < 0.7, near + rng.normal(0, 3000, (n, 3)),
                       rng.uniform(-2e5, 2e5, (n, 3)))
        out.append((truth, est))
    return out


@pytest.mark.parametrize(("p", "alpha"), [(1.0, 2.0), (2.0, 2.0), (1.0, 1.0)])
def test_gospa_paths_give_the_former_numbers(p: float, alpha: float) -> None:
    from tate.tracking.metrics import gospa, gospa_many

    sets = _random_sets(np.random.default_rng(11), 600)
    sizes = {(a.shape[0] > b.shape[0]) - (a.shape[0] < b.shape[0]) for a, b in sets}
    assert sizes == {-1, 0, 1} and any(a.size == 0 for a, _ in sets)
    many = gospa_many(sets, c=5000.0, p=p, alpha=alpha)
    for (truth, est), g_many in zip(sets, many, strict=True):
        want = _gospa_before(truth, est, 5000.0, p, alpha)
        for got in (gospa(truth, est, c=5000.0, p=p, alpha=alpha), g_many,
                    gospa(truth, est, c=5000.0, p=p, alpha=alpha, check=False)):
            vals = (got.distance, got.localisation, got.missed, got.false)
            np.testing.assert_array_equal(vals, want[:4])  # bit for bit (NaN equal)
            assert np.array_equal(got.assignment, want[4])


def test_gospa_many_checks_its_inputs() -> None:
    from tate.tracking.metrics import gospa_many

    good = (np.zeros((1, 3)), np.ones((2, 3)))
    assert gospa_many([], c=1.0) == []
    with pytest.raises(ValueError, match="finite"):
        gospa_many([good, (np.zeros((1, 3)), np.array([[np.nan, 0.0, 0.0]]))], c=10.0)
    with pytest.raises(ValueError, match="same dimension"):
        gospa_many([good, (np.zeros((1, 3)), np.zeros((1, 2)))], c=10.0)
    with pytest.raises(ValueError, match="c must be"):
        gospa_many([good], c=0.0)
