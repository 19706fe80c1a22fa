"""The pre-gate's largest eigenvalue on scalars (:func:`._eig3_jit.max_eig3`) against the
Jacobi iteration on a work array it replaces (kept here as the reference): bit for bit on
covariances of the tracker's range (eigenvalues 1 to 1e8 m², random orientations), on
diagonal, degenerate and non-finite matrices, and as the compiled pre-gate calls it."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tate.jit import njit


@njit
def _max_eig3_arrays(A: np.ndarray) -> float:
    """The former ``_scan_jit._max_eig3`` (3 × 3 work array), the reference."""
    a = np.empty((3, 3))
    for i in range(3):
        for j in range(3):
            a[i, j] = 0.5 * (A[i, j] + A[j, i])
    for _ in range(50):
        off = abs(a[0, 1]) + abs(a[0, 2]) + abs(a[1, 2])
        if off == 0.0:
            break
        for p, q in ((0, 1), (0, 2), (1, 2)):
            apq = a[p, q]
            if apq == 0.0:
                continue
            theta = (a[q, q] - a[p, p]) / (2.0 * apq)
            t = 1.0 / (abs(theta) + math.sqrt(theta * theta + 1.0))
            if theta < 0.0:
                t = -t
            c = 1.0 / math.sqrt(t * t + 1.0)
            s = t * c
            for r in range(3):  # columns p, q
                arp, arq = a[r, p], a[r, q]
                a[r, p] = c * arp - s * arq
                a[r, q] = s * arp + c * arq
            for r in range(3):  # rows p, q
                apr, aqr = a[p, r], a[q, r]
                a[p, r] = c * apr - s * aqr
                a[q, r] = s * apr + c * aqr
            a[p, q] = 0.0
            a[q, p] = 0.0
    return max(a[0, 0], max(a[1, 1], a[2, 2]))


def _matrices() -> list[np.ndarray]:
    rng = np.random.default_rng(5)
    out = []
    for _ in range(3000):
        q, _r = np.linalg.qr(rng.normal(size=(3, 3)))
        lam = 10.0 ** rng.uniform(0.0, 8.0, 3)
        A = (q * lam) @ q.T
        if rng.random() < 0.3:  # not exactly symmetric, as a product's rounding leaves it
            A = A + rng.normal(size=(3, 3)) * 1e-9 * lam.max()
        out.append(A)
    out += [np.diag([3.0, 1.0, 2.0]), np.zeros((3, 3)), np.eye(3), np.full((3, 3), 2.0),
            np.diag([1.0, np.nan, 1.0]), np.diag([np.inf, 1.0, 1.0]),
            np.array([[1.0, 1e-300, 0.0], [1e-300, 1.0, 0.0], [0.0, 0.0, 1.0]])]
    return out


def test_scalar_jacobi_is_the_array_jacobi_bit_for_bit() -> None:
    from tate.tracking._eig3_jit import max_eig3

    for A in _matrices():
        got, ref = max_eig3(A), _max_eig3_arrays(A)
        assert got == ref or (math.isnan(got) and math.isnan(ref)), A
    A = _matrices()[0]
    assert max_eig3(A) == pytest.approx(np.linalg.eigvalsh(A)[-1], rel=1e-12)


def test_pre_gate_uses_it() -> None:
    """The compiled pre-gate's eigenvalues of tracks and detections are these."""
    from tate.tracking._scan_jit import radar_pairs

    rng = np.random.default_rng(2)
    mats = _matrices()
    n, p = 4, 5
    P = np.zeros((n, 6, 6))
    for i in range(n):
        P[i, :3, :3] = mats[i]
        P[i, 3:, 3:] = np.eye(3)
    pos_cov = np.array(mats[n:n + p])
    x = np.zeros((n, 6))
    x[:, :3] = rng.normal(size=(n, 3)) * 1e3 + [2e4, 3e4, 5e3]
    pos = x[:1, :3] + rng.normal(size=(p, 3)) * 1e3
    z = np.tile([3e4, 0.5, 0.1], (p, 1))
    out = radar_pairs(x, P, z, pos, pos_cov, np.zeros((1, 3)), np.eye(3)[None], False,
                      np.diag([100.0, 1e-6, 1e-6])[None], 11.0, 1.5, 4.0)
    assert out[6].tolist() == [_max_eig3_arrays(P[i, :3, :3]) for i in range(n)]
    assert out[7].tolist() == [_max_eig3_arrays(pos_cov[j]) for j in range(p)]
