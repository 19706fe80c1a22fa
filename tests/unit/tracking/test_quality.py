"""NEES against the chi-square law; continuity counts on hand-made sequences."""

from __future__ import annotations

import numpy as np
import pytest

from tate.tracking.quality import continuity, nees


def test_nees_of_consistent_errors_is_chi_square() -> None:
    rng = np.random.default_rng(2)
    n, k = 50_000, 4
    A = rng.normal(size=(k, k))
    P = A @ A.T + np.eye(k)
    err = rng.normal(size=(n, k)) @ np.linalg.cholesky(P).T
    values = nees(err, np.zeros((n, k)), np.broadcast_to(P, (n, k, k)))
    assert values.mean() == pytest.approx(k, rel=0.02)
    assert values.var() == pytest.approx(2 * k, rel=0.05)


def test_nees_known_value() -> None:
    P = np.diag([4.0, 9.0])[None]
    assert float(nees(np.array([[2.0, 3.0]]), np.zeros((1, 2)), P)[0]) == pytest.approx(2.0)


def test_switches_breaks_and_time_to_confirm() -> None:
    # truth 7: untracked, track 1, 1, lost, 1 again (a break), then track 2 (a switch)
    # truth 8: never tracked; truth 9: tracked from its first scan by track 3
    t = np.arange(6.0)
    rows_t = np.concatenate([t, t[:3], t[2:]])
    truth = np.array([7] * 6 + [8] * 3 + [9] * 4)
    track = np.array([-1, 1, 1, -1, 1, 2] + [-1] * 3 + [3, 3, 3, 3])
    order = np.random.default_rng(0).permutation(truth.size)  # any row order
    c = continuity(rows_t[order], truth[order], track[order])
    assert c.truth_ids.tolist() == [7, 8, 9]
    assert c.id_switches.tolist() == [1, 0, 0]
    assert c.breaks.tolist() == [1, 0, 0]
    assert c.time_to_confirm[0] == 1.0 and np.isnan(c.time_to_confirm[1])
    assert c.time_to_confirm[2] == 0.0
