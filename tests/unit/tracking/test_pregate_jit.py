"""The pre-gate with eigenvalues computed only where needed (:mod:`tate.tracking._pregate_jit`)
against the full computation (:func:`._scan_jit.radar_pairs`, every λ by Jacobi): the
bound is above the exact value on the tracker's covariances and on degenerate, indefinite,
tiny, huge and non-finite matrices; the same pairs and numbers bit for bit, λ_p of every
track with a pair and the maximum λ_r of any set of detections as the full computation
takes it (first of equals, NaN propagated), on the default engagement's recorded scans and
on random scans built to sit on the gate (ties, zero and NaN covariances, NaN positions)."""

from __future__ import annotations

import math
import struct
from typing import Any

import numpy as np

from tate.tracking.tracker import Tracker, rae_to_position
from tests.unit.tracking.replay import Scan
from tests.unit.tracking.test_eig3_jit import _matrices
from tests.unit.tracking.test_scan_jit import _predicted

_ARGS = ("track", "meas", "d2", "logdet", "dist2")


def _bits(v: float) -> bytes:
    return struct.pack("<d", v)


def _ref_max(lam_r: np.ndarray, cols: np.ndarray) -> float:
    """group_keep's maximum (the first of equal values, NaN propagated)."""
    m = -math.inf
    for j in range(lam_r.size):
        if cols[j] and not lam_r[j] <= m:
            m = lam_r[j] if not math.isnan(m) else m
    return m


def _odd_matrices(rng: np.random.Generator) -> list[np.ndarray]:
    out = []
    for scale in (1e-310, 1e-200, 1e-20, 1.0, 1e20, 1e150, 1e299):
        for _ in range(40):
            A = rng.normal(size=(3, 3)) * scale
            with np.errstate(over="ignore"):
                out += [A, A + A.T, -(A @ A.T), A @ A.T]
    out += [np.zeros((3, 3)), -np.zeros((3, 3)), np.full((3, 3), -2.0),
            np.diag([-1e6, -1e6, -1e6]), np.diag([1e301, 1.0, 1.0]),
            np.diag([np.nan, 1.0, 1.0]), np.full((3, 3), np.inf)]
    return out


def test_bound_is_above_the_exact_value() -> None:
    from tate.tracking._eig3_jit import max_eig3
    from tate.tracking._pregate_jit import eig3_bound

    rng = np.random.default_rng(7)
    n_bounded = 0
    for A in _matrices() + _odd_matrices(rng):
        ub, lam = eig3_bound(A), max_eig3(A)
        if math.isnan(ub):
            assert not (np.isfinite(A).all() and np.abs(A).sum() < 1e299), A
            continue
        n_bounded += 1
        assert math.isfinite(lam) and lam <= ub, (A, lam, ub)
    assert n_bounded > 3500
    A = np.diag([3.0, 1.0, 2.0])  # tight where the matrix is diagonal
    assert 3.0 <= eig3_bound(A) <= 3.0 * (1 + 1e-8)


def _compare(x: Any, P: Any, z: Any, pos: Any, pos_cov: Any, sensor: Any, rot: Any,
             has_rot: bool, R: Any, gamma: float, factor: float,
             rng: np.random.Generator) -> tuple[int, int]:
    """Both kernels on one scan; (pairs, eigenvalues computed) of the lazy one."""
    from tate.tracking._pregate_jit import lam_r_max, radar_pairs_lazy
    from tate.tracking._scan_jit import radar_pairs

    args = (x, P, z, pos, pos_cov, sensor, rot, has_rot, R, gamma, 1.5, factor)
    ref = radar_pairs(*args)
    got = radar_pairs_lazy(*args)
    assert got[0] == ref[0]
    for q, name in enumerate(_ARGS):  # track, meas, d2, logdet, dist2
        assert np.array_equal(got[1 + q], ref[1 + q], equal_nan=True), name
    assert np.array_equal(got[11], ref[8])  # index
    for a, b in zip(got[12:], ref[9:], strict=True):  # nu, J, C, JC
        assert np.array_equal(a, b, equal_nan=True)
    lam_p, lam_r, known, ub, lazy = got[6], got[7].copy(), got[8].copy(), got[9], got[10]
    tracks = np.unique(ref[1])
    assert [_bits(v) for v in lam_p[tracks]] == [_bits(v) for v in ref[6][tracks]]
    p = z.shape[0]
    sets = [np.ones(p, dtype=bool), np.zeros(p, dtype=bool)]
    sets += [rng.random(p) < 0.5 for _ in range(4)]
    for cols in sets:
        want = _ref_max(ref[7], cols)
        assert _bits(lam_r_max(lam_r, known, ub, pos_cov, cols, lazy)) == _bits(want)
    assert [_bits(v) for v in lam_r[known]] == [_bits(v) for v in ref[7][known]]
    return ref[1].size, int(tracks.size + known.sum())


def test_same_pairs_and_values_on_recorded_scans(
        snapshots: list[tuple[Tracker, Scan]]) -> None:
    from tate.tracking.pairs import _LOOSE, _NO_ROT, _per_row

    rng = np.random.default_rng(3)
    n_pairs = n_eig = n_all = 0
    for tr0, scan in snapshots:
        tr = _predicted(tr0, scan)
        _, z, meas = scan
        pos, pos_cov = rae_to_position(meas, z)
        has_rot = meas.rotation is not None
        rot = _per_row(meas.rotation, 2) if has_rot else _NO_ROT
        a, b = _compare(tr.state.x, tr.state.P, z, pos, pos_cov, _per_row(meas.sensor_pos, 1),
                        rot, has_rot, _per_row(meas.R, 2), tr._gamma(3), _LOOSE, rng)
        n_pairs, n_eig, n_all = n_pairs + a, n_eig + b, n_all + tr.state.x.shape[0] + z.shape[0]
    assert n_pairs > 200
    assert n_eig < 0.9 * n_all  # (it saves something: the point of the kernel)


def test_same_pairs_and_values_on_random_scans() -> None:
    rng = np.random.default_rng(11)
    for trial in range(300):
        n, p = int(rng.integers(0, 6)), int(rng.integers(0, 7))
        x = np.zeros((n, 6))
        x[:, :3] = rng.normal(size=(n, 3)) * 300.0 + [2e4, 3e4, 5e3]
        x[:, 3:] = rng.normal(size=(n, 3)) * 100.0
        P = np.zeros((n, 6, 6))
        for i in range(n):
            q, _ = np.linalg.qr(rng.normal(size=(3, 3)))
            P[i, :3, :3] = (q * 10.0 ** rng.uniform(2.0, 4.0, 3)) @ q.T
            P[i, 3:, 3:] = np.eye(3) * 100.0
            P[i] = 0.5 * (P[i] + P[i].T)
        pos = np.array([2e4, 3e4, 5e3]) + rng.normal(size=(p, 3)) * 300.0
        pos_cov = np.array([np.diag(10.0 ** rng.uniform(2.0, 4.0, 3)) for _ in range(p)])
        pos_cov = pos_cov.reshape(p, 3, 3)
        if p and rng.random() < 0.3:  # equal largest eigenvalues (ties, signed zeros)
            pos_cov[:] = pos_cov[0]
            if rng.random() < 0.5:
                pos_cov[:] = 0.0
                pos_cov[rng.integers(0, p)] = -0.0
        if n and p and rng.random() < 0.5:  # pairs on the loose gate
            i, j = rng.integers(0, n), rng.integers(0, p)
            ref_scale = rng.uniform(0.5, 2.0)
            lam = np.linalg.eigvalsh(P[i, :3, :3])[-1] + np.linalg.eigvalsh(pos_cov).max()
            d = rng.normal(size=3)
            pos[j] = x[i, :3] + d / np.linalg.norm(d) * math.sqrt(lam * 1.5**2 * 11.0 * 4.0
                                                                   * ref_scale)
        if rng.random() < 0.1 and n:
            P[rng.integers(0, n), 0, 1] = np.nan
        if rng.random() < 0.1 and p:
            pos_cov[rng.integers(0, p), 2, 2] = np.inf
        if rng.random() < 0.05 and p:
            pos[rng.integers(0, p), 0] = np.nan
        factor = [4.0, 4.0, 4.0, 0.0, -1.0, np.nan][trial % 6]
        z = np.tile([3e4, 0.5, 0.1], (p, 1)) + rng.normal(size=(p, 3)) * [100.0, 0.01, 0.01]
        R = np.diag([100.0, 1e-6, 1e-6])[None]
        _compare(x, P, z, pos, pos_cov, np.zeros((1, 3)), np.eye(3)[None], False, R, 11.0,
                 factor, rng)
