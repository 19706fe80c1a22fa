"""Gating against a dense all-pairs computation, and GNN against brute-force enumeration
of every assignment on small problems."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tate.tracking.association import gate, gate_threshold, gnn_assign


def _problem(seed: int, n: int, p: int, spread: float) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    z_pred = rng.uniform(0, spread, size=(n, 2))
    A = rng.normal(size=(n, 2, 2))
    S = A @ np.swapaxes(A, 1, 2) + 0.5 * np.eye(2)
    z = rng.uniform(0, spread, size=(p, 2))
    return z_pred, S, z


def test_gate_equals_dense_mahalanobis() -> None:
    z_pred, S, z = _problem(3, 40, 60, 30.0)
    gamma = gate_threshold(2, 0.99)
    g = gate(z_pred, S, z, gamma)
    nu = z[None, :, :] - z_pred[:, None, :]
    d2 = np.einsum("npi,nij,npj->np", nu, np.linalg.inv(S), nu)
    ti, mj = np.nonzero(d2 <= gamma)
    assert set(zip(g.track.tolist(), g.meas.tolist(), strict=True)) == set(
        zip(ti.tolist(), mj.tolist(), strict=True))
    np.testing.assert_allclose(np.sort(g.d2), np.sort(d2[ti, mj]), rtol=1e-10)
    assert gamma == pytest.approx(9.2103, abs=1e-4)  # chi²(2) 99 % point


def _brute_force(n: int, p: int, pairs: dict[tuple[int, int], float], miss: float) -> float:
    best = np.inf
    for choice in itertools.product(*[[None, *range(p)] for _ in range(n)]):
        used = [c for c in choice if c is not None]
        if len(used) != len(set(used)):
            continue
        if any(c is not None and (i, c) not in pairs for i, c in enumerate(choice)):
            continue
        cost = sum(miss if c is None else pairs[(i, c)] for i, c in enumerate(choice))
        best = min(best, cost)
    return best


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 4), st.integers(0, 4), st.floats(2.0, 12.0))
def test_gnn_is_optimal_on_small_problems(seed: int, n: int, p: int, spread: float) -> None:
    z_pred, S, z = _problem(seed, n, p, spread)
    gamma = gate_threshold(2, 0.99)
    g = gate(z_pred, S, z, gamma)
    tr, me = gnn_assign(g, n, p, miss_cost=gamma)
    assert len(set(tr.tolist())) == tr.size and len(set(me.tolist())) == me.size
    pairs = {(int(i), int(j)): float(d) for i, j, d in zip(g.track, g.meas, g.d2, strict=True)}
    cost = sum(pairs[(int(i), int(j))] for i, j in zip(tr, me, strict=True))
    cost += gamma * (n - tr.size)
    assert cost == pytest.approx(_brute_force(n, p, pairs, gamma), rel=1e-12, abs=1e-12)


def test_clusters_are_solved_independently_and_completely() -> None:
    # two far-apart groups of three tracks and three measurements each, one-to-one
    z_pred = np.array([[0.0, 0], [5, 0], [10, 0], [1000, 0], [1005, 0], [1010, 0]])
    z = z_pred[::-1] + 0.1
    S = np.broadcast_to(np.eye(2), (6, 2, 2)).copy()
    g = gate(z_pred, S, z, gate_threshold(2, 0.999))
    tr, me = gnn_assign(g, 6, 6, miss_cost=gate_threshold(2, 0.999))
    assert dict(zip(tr.tolist(), me.tolist(), strict=True)) == {i: 5 - i for i in range(6)}


def test_empty_inputs() -> None:
    g = gate(np.empty((0, 2)), np.empty((0, 2, 2)), np.ones((3, 2)), 9.0)
    assert g.track.size == 0
    tr, me = gnn_assign(g, 0, 3, 9.0)
    assert tr.size == me.size == 0
