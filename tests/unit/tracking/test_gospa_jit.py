"""The compiled GOSPA of the engine's track-quality record (:mod:`tate.tracking._gospa_jit`)
against its references, bit for bit: the LSAP port against SciPy's
``linear_sum_assignment`` (random, integer and constant matrices: ties broken as SciPy
breaks them), the pairwise sum against ``ndarray.sum``, and the stacked GOSPA against
:func:`tate.tracking.metrics.gospa` per set (empty sets, unequal sizes, points exactly at
the cut-off)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import linear_sum_assignment

from tate.tracking.metrics import gospa, gospa_stacked


def _matrices(rng: np.random.Generator, count: int) -> list[np.ndarray]:
    out = []
    for k in range(count):
        nr, nc = (int(v) for v in rng.integers(1, 10, 2))
        kind = k % 4
        if kind == 0:
            out.append(rng.uniform(0, 10, (nr, nc)))
        elif kind == 1:  # many ties
            out.append(rng.integers(0, 3, (nr, nc)).astype(float))
        elif kind == 2:  # a cut-off: ties at the cap
            out.append(np.minimum(rng.uniform(0, 2, (nr, nc)), 1.0))
        else:
            out.append(np.full((nr, nc), 5.0))
    return out


def test_lsap_is_scipys_assignment() -> None:
    from tate.tracking._gospa_jit import lsap

    for cost in _matrices(np.random.default_rng(3), 6000):
        rows, cols = linear_sum_assignment(cost)
        got = lsap(cost)
        assert np.array_equal(got[0], rows) and np.array_equal(got[1], cols), cost


def test_pairwise_sum_is_numpys_sum() -> None:
    from tate.tracking._gospa_jit import MAX_SUM, pairwise_sum

    rng = np.random.default_rng(4)
    for n in list(range(MAX_SUM + 1)) * 20:
        a = rng.uniform(0, 1, n) * 10.0 ** rng.uniform(-3, 6, n)
        assert pairwise_sum(a) == a.sum() and np.signbit(pairwise_sum(a)) == np.signbit(a.sum())
    assert np.isnan(pairwise_sum(np.ones(MAX_SUM + 1)))


def _stack(sets: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, ...]:
    t_off = np.concatenate([[0], np.cumsum([t.shape[0] for t, _ in sets])]).astype(np.intp)
    e_off = np.concatenate([[0], np.cumsum([e.shape[0] for _, e in sets])]).astype(np.intp)
    return (np.concatenate([t for t, _ in sets]), t_off, np.concatenate([e for _, e in sets]),
            e_off)


def _random_sets(rng: np.random.Generator, count: int, c: float
                 ) -> list[tuple[np.ndarray, np.ndarray]]:
    out = []
    for k in range(count):
        m, n = int(rng.integers(0, 12)), int(rng.integers(0, 12))
        truth = rng.uniform(-2e5, 2e5, (m, 3))
        near = truth[rng.integers(0, m, n)] if m else np.zeros((n, 3))
        est = np.where(rng.random((n, 1)) < 0.7, near + rng.normal(0, 3000, (n, 3)),
                       rng.uniform(-2e5, 2e5, (n, 3)))
        if k % 4 == 0 and m and n:  # estimates exactly at the cut-off of a truth
            est[: n // 2 + 1] = truth[0] + np.array([c, 0.0, 0.0])
        out.append((truth, est))
    return out


@pytest.mark.parametrize("c", [5000.0, 1234.5])
def test_stacked_compiled_gospa_is_gospa(c: float) -> None:
    sets = _random_sets(np.random.default_rng(5), 4000, c)
    got = gospa_stacked(*_stack(sets), c, compiled=True)
    ref = gospa_stacked(*_stack(sets), c, compiled=False)
    for a, b in zip(got, ref, strict=True):
        assert np.array_equal(a, b)
    for k, (t, e) in enumerate(sets[:500]):
        g = gospa(t, e, c)
        assert (g.distance, g.localisation, g.missed, g.false) == (
            got[0][k], got[1][k], got[2][k], got[3][k])
    held = int(np.count_nonzero(got[4] >= 0))
    assert 0 < held < got[4].size


def test_large_sets_are_left_to_gospa() -> None:
    """More than MAX_SUM pairs: the kernel leaves the set, the wrapper computes it."""
    from tate.tracking._gospa_jit import MAX_SUM

    rng = np.random.default_rng(6)
    truth = rng.uniform(-1e4, 1e4, (MAX_SUM + 5, 3))
    sets = [(truth, truth + 10.0), (truth[:3], truth[:2])]
    got = gospa_stacked(*_stack(sets), 5000.0, compiled=True)
    ref = gospa_stacked(*_stack(sets), 5000.0, compiled=False)
    for a, b in zip(got, ref, strict=True):
        assert np.array_equal(a, b)
