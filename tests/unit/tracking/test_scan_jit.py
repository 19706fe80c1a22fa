"""The compiled scan update (:mod:`tate.tracking._scan_jit`) against the numpy reference
path, on the default engagement's radar scans: kernel by kernel on tracker states taken
along a replay, and a whole replay of the tracker with each path (the same track ids,
confirmations and associations; states within 1e-6 m)."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pytest

from tate import jit
from tate.tracking import pairs
from tate.tracking.association import Gated, gnn_assign
from tate.tracking.measurement import RAEMeas
from tate.tracking.tracker import Tracker, TrackerConfig, rae_to_position
from tests.unit.tracking.replay import Scan


def _close(got: Any, want: Any, rtol: float = 1e-12, scale: float = 1e-13) -> None:
    """Equal to rounding: ``rtol`` relative, and an absolute floor of ``scale`` times the
    array's largest magnitude (entries that cancel to about zero)."""
    want = np.asarray(want)
    atol = scale * float(np.abs(want).max()) if want.size else 0.0
    np.testing.assert_allclose(got, want, rtol=rtol, atol=atol)


def _predicted(tr: Tracker, scan: Scan) -> Tracker:
    """The tracker with its tracks predicted to the scan (as Tracker.step does)."""
    tr = copy.deepcopy(tr)
    assert tr.t is not None
    tr.state = tr.filter.predict(tr.state, scan[0] - tr.t)
    tr.t = scan[0]
    return tr


def test_kf_predict_matches_numpy(snapshots: list[tuple[Tracker, Scan]]) -> None:
    from tate.tracking._scan_jit import kf_predict

    for tr, (t, _, _) in snapshots:
        assert tr.t is not None
        s = tr.state
        x, P = _numpy_filter(tr).predict_xp(s.x, s.P, t - tr.t)
        F, _, Q = tr.filter.dyn.matrices(t - tr.t)  # type: ignore[attr-defined]
        xj, Pj = kf_predict(s.x, s.P, F, Q)
        np.testing.assert_allclose(xj, x, rtol=1e-12, atol=1e-9)  # m, m/s
        _close(Pj, P)
        assert np.array_equal(Pj, Pj.swapaxes(1, 2))


def _numpy_filter(tr: Tracker) -> Any:
    f = copy.copy(tr.filter)
    f._jit = False  # type: ignore[attr-defined]
    return f


def test_rae_positions_match_numpy(snapshots: list[tuple[Tracker, Scan]]) -> None:
    from tate.tracking.tracker import _rae_to_position_jit

    for _, (_, z, meas) in snapshots:
        pos, cov = rae_to_position(meas, z)
        pj, cj = _rae_to_position_jit(meas, z)
        np.testing.assert_allclose(pj, pos, rtol=1e-12, atol=1e-6)  # m (positions ~1e5 m)
        _close(cj, cov, rtol=1e-9)  # LAPACK's inverse of the Jacobian against a closed form
        assert np.array_equal(cj, cj.swapaxes(1, 2))
    # also without a rotation and with per-row sensors
    _, (_, z, meas) = snapshots[len(snapshots) // 2]
    for m in (RAEMeas(meas.sensor_pos, meas.R),
              RAEMeas(np.repeat(np.asarray(meas.sensor_pos)[None], len(z), axis=0), meas.R[0],
                      rotation=np.repeat(np.asarray(meas.rotation)[None], len(z), axis=0))):
        pos, cov = rae_to_position(m, z)
        pj, cj = _rae_to_position_jit(m, z)
        np.testing.assert_allclose(pj, pos, rtol=1e-12, atol=1e-6)
        _close(cj, cov, rtol=1e-9)


def test_init_state_matches_numpy(snapshots: list[tuple[Tracker, Scan]]) -> None:
    from tate.tracking.filters import make_filter

    for tr, (_, z, meas) in snapshots[:20]:
        pos, cov = rae_to_position(meas, z)
        vs = np.linspace(100.0, 300.0, len(z))
        for motion in ("cv", "ca"):
            f = make_filter(motion, 3, 1.0)
            ref = make_filter(motion, 3, 1.0)
            f._jit, ref._jit = True, False  # type: ignore[attr-defined]
            for v in (tr.config.init_speed, vs):
                a, b = f.init(pos, cov, v), ref.init(pos, cov, v)
                assert np.array_equal(a.x, b.x) and np.array_equal(a.P, b.P)


def _pair_sets(tr: Tracker, scan: Scan) -> tuple[pairs.PairSet, pairs.PairSet, Any]:
    _, z, meas = scan
    pos, pos_cov = rae_to_position(meas, z)
    gf = pairs.fast_filter(tr.filter, meas)
    assert gf is not None
    args = (gf, tr.state, z, meas, pos, pos_cov, tr._gamma(3), 1.5)
    return pairs.pair_set(*args), pairs.pair_set(*args, compiled=True), (pos, gf)


def test_pair_set_matches_numpy(snapshots: list[tuple[Tracker, Scan]]) -> None:
    n_pairs = 0
    for tr0, scan in snapshots:
        tr = _predicted(tr0, scan)
        ref, got, _ = _pair_sets(tr, scan)
        for name in ("track", "meas", "index"):
            assert np.array_equal(getattr(got, name), getattr(ref, name)), name
        for name in ("d2", "logdet", "dist2", "lam_p", "lam_r", "J", "C", "JC"):
            _close(getattr(got, name), getattr(ref, name), rtol=1e-11)
        np.testing.assert_allclose(got.nu[:, 0], ref.nu[:, 0], rtol=1e-12, atol=1e-7)  # m
        np.testing.assert_allclose(got.nu[:, 1:], ref.nu[:, 1:], rtol=1e-12, atol=1e-13)
        n_pairs += ref.track.size
    assert n_pairs > 200


def test_group_pairs_assignment_and_update_match_numpy(
        snapshots: list[tuple[Tracker, Scan]]) -> None:
    n_updates = 0
    for tr0, scan in snapshots:
        tr = _predicted(tr0, scan)
        ps, psj, (pos, gf) = _pair_sets(tr, scan)
        z, meas = scan[1], scan[2]
        xpos = tr.state.x[:, :3]
        gamma = tr._gamma(3)
        used = np.zeros(z.shape[0], dtype=bool)
        for group in (tr.book.confirmed, ~tr.book.confirmed):
            ref = pairs.group_pairs(ps, group, ~used, xpos, pos, gamma, 1.5)
            got = pairs.group_pairs(ps, group, ~used, xpos, pos, gamma, 1.5, compiled=True)
            assert ref is not None and got is not None
            for a, b in zip(_flat(ref), _flat(got), strict=True):
                assert np.array_equal(a, b)
            g = ref[0]
            n, p = tr.book.ids.size, z.shape[0]
            tr_ref, me_ref = gnn_assign(g, n, p, miss_cost=gamma)
            b_jit = copy.copy(tr)
            b_jit._jit = True
            tr_j, me_j = b_jit._gnn_assign(g, n, p, gamma)
            assert np.array_equal(tr_j, tr_ref) and np.array_equal(me_j, me_ref)
            if tr_ref.size == 0:
                continue
            sup = ps.index[tr_ref, me_ref]
            s_ref, nis = pairs.gnn_update(gf, tr.state, ps, sup, meas)
            s_got, nis_j = pairs.gnn_update(gf, tr.state, psj, psj.index[tr_ref, me_ref], meas,
                                            compiled=True)
            np.testing.assert_allclose(s_got.x, s_ref.x, rtol=1e-12, atol=1e-8)  # m, m/s
            _close(s_got.P, s_ref.P, rtol=1e-9)
            _close(nis_j, nis, rtol=1e-9)
            n_updates += tr_ref.size
            used[me_ref] = True
    assert n_updates > 100


def _flat(picked: tuple[Gated, Any, Any]) -> tuple[Any, ...]:
    g, logdet, ids = picked
    return g.track, g.meas, g.d2, logdet, ids


def test_gnn_clusters_give_gnn_assign() -> None:
    """Random gated sets, many with clusters needing the 2-D assignment (ties included):
    the compiled clustering gives gnn_assign's pairs in its order."""
    rng = np.random.default_rng(3)
    tr = Tracker(TrackerConfig(dim=3))
    tr._jit = True
    shared = 0
    for _ in range(400):
        n, p = int(rng.integers(1, 9)), int(rng.integers(1, 9))
        mask = rng.random((n, p)) < rng.uniform(0.05, 0.5)
        ti, mj = np.nonzero(mask)
        d2 = np.round(rng.uniform(0.0, 15.0, ti.size), 1)
        g = Gated(ti.astype(np.intp), mj.astype(np.intp), d2)
        t_r, m_r = gnn_assign(g, n, p, miss_cost=11.3)
        t_j, m_j = tr._gnn_assign(g, n, p, 11.3)
        assert np.array_equal(t_j, t_r) and np.array_equal(m_j, m_r)
        shared += int(len(set(t_r.tolist())) < ti.size and len(set(m_r.tolist())) < mj.size)
    assert shared > 100


def test_clutter_and_track_management_match_numpy(
        snapshots: list[tuple[Tracker, Scan]]) -> None:
    rng = np.random.default_rng(0)
    for tr, (t, z, meas) in snapshots:
        a, b = copy.deepcopy(tr), copy.deepcopy(tr)
        b._jit = True
        assert b._clutter_estimate(z, meas) == pytest.approx(a._clutter_estimate(z, meas),
                                                             rel=1e-14)
        hit = rng.random(tr.book.ids.size) < 0.5
        a._manage(hit.copy(), t)
        b._manage(hit.copy(), t)
        for f in a.book.FIELDS:
            assert np.array_equal(getattr(a.book, f), getattr(b.book, f)), f
        assert np.array_equal(a.state.x, b.state.x)
    # the scan-count rules (M of N, consecutive misses) on a copy with them
    tr, (t, _, _) = snapshots[-1]
    for window in (None, 20.0):
        cfg = TrackerConfig(dim=3, confirm_m=2, confirm_n=3, delete_after=2, max_pos_std=1e3,
                            confirm_window_s=window)
        a, b = copy.deepcopy(tr), copy.deepcopy(tr)
        a.config = b.config = cfg
        b._jit = True
        for k in range(4):
            hit = rng.random(a.book.ids.size) < 0.5
            a._manage(hit.copy(), t + k)
            b._manage(hit.copy(), t + k)
            for f in a.book.FIELDS:
                assert np.array_equal(getattr(a.book, f), getattr(b.book, f)), f


def _replay(cfg: TrackerConfig, scans: list[Scan], compiled: bool,
            monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, ...]]:
    monkeypatch.setattr(jit, "ENABLED", compiled)
    tr = Tracker(cfg)
    assert tr._jit is compiled
    out = []
    for scan in scans:
        rows = tr.step(*scan)
        b = tr.book
        out.append((rows.ids, rows.x, b.ids.copy(), b.confirmed.copy(), b.n_hits.copy(),
                    b.misses.copy(), b.t_hit.copy(), tr.state.x.copy(), b.score.copy()))
    return out


def test_whole_replay_gives_the_numpy_tracks(
        engine_scans: tuple[TrackerConfig, list[Scan]],
        monkeypatch: pytest.MonkeyPatch) -> None:
    cfg, scans = engine_scans
    ref = _replay(cfg, scans, False, monkeypatch)
    got = _replay(cfg, scans, True, monkeypatch)
    worst = 0.0
    for r, g in zip(ref, got, strict=True):
        # identical track ids, confirmations and associations (hits, misses, hit times)
        for a, b in zip(r[:1] + r[2:7], g[:1] + g[2:7], strict=True):
            assert np.array_equal(a, b)
        if r[7].size:
            worst = max(worst, float(np.abs(g[7][:, :3] - r[7][:, :3]).max()))
            np.testing.assert_allclose(g[7][:, 3:], r[7][:, 3:], rtol=0, atol=1e-6)  # m/s
            np.testing.assert_allclose(g[8], r[8], rtol=1e-9, atol=1e-9)
    assert worst < 1e-6  # m
    assert sum(len(r[0]) for r in ref) > 10_000  # confirmed track-scans
