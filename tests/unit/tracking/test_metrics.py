"""Tests of tate.tracking.metrics against independent oracles.

Oracles
-------
* Brute force: GOSPA (alpha = 2) as the minimum over every injective *partial* assignment
  of the raw distance ``d**p`` plus ``c**p / 2`` per unassigned point (Proposition 1 of
  Rahmathullah et al. 2017; no cut-off, no linear_sum_assignment); GOSPA for any alpha and
  OSPA as the minimum over every injection of the smaller set into the larger (eq. 1 of
  Rahmathullah et al.; Schuhmacher et al. 2008), each enumerated with itertools.
* Closed forms: identical sets, one empty set, a single pair closer / farther than c.
* Metric axioms with hypothesis: symmetry, non-negativity, identity, triangle inequality.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tate.tracking.metrics import GospaResult, gospa, ospa, pairwise_distance

CS = (0.5, 1.0, 3.0, 50.0)
PS = (1.0, 2.0, 3.5)


def _d(x: np.ndarray, y: np.ndarray) -> float:
    return math.sqrt(sum((float(a) - float(b)) ** 2 for a, b in zip(x, y, strict=True)))


def brute_gospa_alpha2(x: np.ndarray, y: np.ndarray, c: float, p: float) -> float:
    """Proposition 1: min over partial assignments gamma of sum d**p + c**p/2 * unassigned."""
    m, n = len(x), len(y)
    best = math.inf
    for k in range(min(m, n) + 1):
        for rows in itertools.combinations(range(m), k):
            for cols in itertools.permutations(range(n), k):
                loc = sum(_d(x[i], y[j]) ** p for i, j in zip(rows, cols, strict=True))
                best = min(best, loc + c**p / 2 * (m + n - 2 * k))
    return best ** (1 / p)


def _brute_injection(x: np.ndarray, y: np.ndarray, c: float, p: float) -> float:
    """min over injections of the smaller set into the larger of sum min(d, c)**p."""
    small, large = (x, y) if len(x) <= len(y) else (y, x)
    best = math.inf
    for perm in itertools.permutations(range(len(large)), len(small)):
        cost = sum(min(_d(small[i], large[j]), c) ** p for i, j in enumerate(perm))
        best = min(best, cost)
    return best


def brute_gospa_general(x: np.ndarray, y: np.ndarray, c: float, p: float, alpha: float) -> float:
    """Eq. (1) of Rahmathullah et al. by enumeration of injections."""
    cost = _brute_injection(x, y, c, p) + c**p / alpha * abs(len(x) - len(y))
    return cost ** (1 / p)


def brute_ospa(x: np.ndarray, y: np.ndarray, c: float, p: float) -> float:
    """Schuhmacher et al. 2008 by enumeration of injections."""
    big = max(len(x), len(y))
    if big == 0:
        return 0.0
    cost = _brute_injection(x, y, c, p) + c**p * abs(len(x) - len(y))
    return (cost / big) ** (1 / p)


coord = st.floats(-10.0, 10.0, allow_nan=False, allow_infinity=False)


@st.composite
def point_sets(draw: st.DrawFn, k: int = 2, max_size: int = 4) -> list[np.ndarray]:
    """``k`` point sets of one dimension (2 or 3), each with 0 to ``max_size`` points."""
    dim = draw(st.sampled_from([2, 3]))
    out = []
    for _ in range(k):
        size = draw(st.integers(0, max_size))
        pts = draw(
            st.lists(st.lists(coord, min_size=dim, max_size=dim), min_size=size, max_size=size)
        )
        out.append(np.array(pts, dtype=np.float64).reshape(size, dim))
    return out


params = st.tuples(st.sampled_from(CS), st.sampled_from(PS))


# ---------------------------------------------------------------- brute force


@settings(max_examples=150, deadline=None)
@given(sets=point_sets(), cp=params)
def test_gospa_alpha2_matches_partial_assignment_brute_force(
    sets: list[np.ndarray], cp: tuple[float, float]
) -> None:
    x, y = sets
    c, p = cp
    res = gospa(x, y, c, p)
    assert res.distance == pytest.approx(brute_gospa_alpha2(x, y, c, p), rel=1e-9, abs=1e-9)


@settings(max_examples=150, deadline=None)
@given(sets=point_sets(), cp=params, alpha=st.sampled_from([1.0, 2.0, 0.5]))
def test_gospa_matches_eq1_brute_force(
    sets: list[np.ndarray], cp: tuple[float, float], alpha: float
) -> None:
    x, y = sets
    c, p = cp
    expected = brute_gospa_general(x, y, c, p, alpha)
    assert gospa(x, y, c, p, alpha).distance == pytest.approx(expected, rel=1e-9, abs=1e-9)


@settings(max_examples=150, deadline=None)
@given(sets=point_sets(), cp=params)
def test_ospa_matches_brute_force(sets: list[np.ndarray], cp: tuple[float, float]) -> None:
    x, y = sets
    c, p = cp
    assert ospa(x, y, c, p) == pytest.approx(brute_ospa(x, y, c, p), rel=1e-9, abs=1e-9)


@settings(max_examples=150, deadline=None)
@given(sets=point_sets(), cp=params)
def test_gospa_decomposition_is_consistent_with_assignment(
    sets: list[np.ndarray], cp: tuple[float, float]
) -> None:
    """The three alpha=2 terms add up to d**p and are recomputed from the assignment."""
    x, y = sets
    c, p = cp
    res = gospa(x, y, c, p)
    a = res.assignment
    assert a.shape == (len(x),)
    matched = a[a >= 0]
    assert len(set(matched.tolist())) == len(matched)  # injective
    loc = sum(_d(x[i], y[j]) ** p for i, j in enumerate(a) if j >= 0)
    assert all(_d(x[i], y[j]) < c for i, j in enumerate(a) if j >= 0)
    assert res.localisation == pytest.approx(loc, rel=1e-9, abs=1e-12)
    assert res.missed == pytest.approx(c**p / 2 * (len(x) - len(matched)))
    assert res.false == pytest.approx(c**p / 2 * (len(y) - len(matched)))
    total = res.localisation + res.missed + res.false
    assert total ** (1 / p) == pytest.approx(res.distance, rel=1e-9, abs=1e-12)


# ---------------------------------------------------------------- closed forms


@pytest.mark.parametrize("c", CS)
@pytest.mark.parametrize("p", PS)
def test_identical_sets_are_at_zero(c: float, p: float) -> None:
    x = np.array([[0.0, 1.0], [5.0, -2.0], [3.0, 3.0]])
    res = gospa(x, x.copy(), c, p)
    assert res.distance == 0.0
    assert res.localisation == res.missed == res.false == 0.0
    np.testing.assert_array_equal(res.assignment, [0, 1, 2])
    assert ospa(x, x[::-1], c, p) == 0.0


@pytest.mark.parametrize("k", [1, 2, 4])
@pytest.mark.parametrize("p", PS)
def test_one_empty_set(k: int, p: float) -> None:
    c = 3.0
    x = np.arange(3.0 * k).reshape(k, 3)
    empty = np.empty((0, 3))
    expected = (c**p / 2 * k) ** (1 / p)
    fwd, back = gospa(x, empty, c, p), gospa(empty, x, c, p)
    assert fwd.distance == pytest.approx(expected, rel=1e-12)
    assert back.distance == pytest.approx(expected, rel=1e-12)
    assert fwd.missed == pytest.approx(c**p / 2 * k) and fwd.false == 0.0
    assert back.false == pytest.approx(c**p / 2 * k) and back.missed == 0.0
    np.testing.assert_array_equal(fwd.assignment, np.full(k, -1))
    assert back.assignment.shape == (0,)
    assert ospa(x, empty, c, p) == c
    assert ospa(empty, x, c, p) == c


def test_two_empty_sets() -> None:
    empty = np.empty((0, 2))
    res = gospa(empty, empty, 1.0)
    assert res.distance == 0.0 and res.assignment.shape == (0,)
    assert ospa(empty, empty, 1.0) == 0.0


@pytest.mark.parametrize("p", PS)
def test_single_pair_closer_than_cutoff(p: float) -> None:
    x, y = np.array([[1.0, 2.0]]), np.array([[4.0, 6.0]])  # d = 5
    res = gospa(x, y, c=7.0, p=p)
    assert res.distance == pytest.approx(5.0, rel=1e-12)
    assert res.localisation == pytest.approx(5.0**p, rel=1e-12)
    np.testing.assert_array_equal(res.assignment, [0])
    assert ospa(x, y, c=7.0, p=p) == pytest.approx(5.0, rel=1e-12)


@pytest.mark.parametrize("p", PS)
@pytest.mark.parametrize("c", [2.0, 5.0])  # d = 5 >= c
def test_single_pair_at_or_beyond_cutoff(p: float, c: float) -> None:
    x, y = np.array([[1.0, 2.0]]), np.array([[4.0, 6.0]])
    res = gospa(x, y, c=c, p=p)
    # one missed + one false: (c**p / 2 * 2)**(1/p) = c
    assert res.distance == pytest.approx(c, rel=1e-12)
    assert res.localisation == 0.0
    assert res.missed == pytest.approx(c**p / 2) and res.false == pytest.approx(c**p / 2)
    np.testing.assert_array_equal(res.assignment, [-1])
    assert ospa(x, y, c=c, p=p) == pytest.approx(c, rel=1e-12)


def test_alpha_not_two_has_nan_decomposition_and_full_assignment() -> None:
    x, y = np.array([[0.0, 0.0], [10.0, 0.0]]), np.array([[0.0, 100.0]])
    res = gospa(x, y, c=1.0, p=1.0, alpha=1.0)
    assert isinstance(res, GospaResult)
    assert math.isnan(res.localisation) and math.isnan(res.missed) and math.isnan(res.false)
    assert res.distance == pytest.approx(1.0 + 1.0)  # cut-off pair c + c/alpha * 1
    assert (res.assignment >= 0).sum() == 1


def test_pairwise_distance_matches_loops() -> None:
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=(5, 3)), rng.normal(size=(4, 3))
    expected = np.array([[_d(u, v) for v in b] for u in a])
    np.testing.assert_allclose(pairwise_distance(a, b), expected, rtol=1e-13)
    assert pairwise_distance(a[:0], b).shape == (0, 4)


# ---------------------------------------------------------------- metric axioms


@settings(max_examples=200, deadline=None)
@given(sets=point_sets(k=3), cp=params, alpha=st.sampled_from([1.0, 2.0]))
def test_gospa_is_a_metric(sets: list[np.ndarray], cp: tuple[float, float], alpha: float) -> None:
    x, y, z = sets
    c, p = cp
    dxy = gospa(x, y, c, p, alpha).distance
    assert dxy >= 0.0
    assert dxy == pytest.approx(gospa(y, x, c, p, alpha).distance, rel=1e-12, abs=1e-12)
    assert gospa(x, x, c, p, alpha).distance == 0.0
    via_z = gospa(x, z, c, p, alpha).distance + gospa(z, y, c, p, alpha).distance
    assert dxy <= via_z * (1 + 1e-9) + 1e-12


@settings(max_examples=200, deadline=None)
@given(sets=point_sets(k=3), cp=params)
def test_ospa_is_a_metric(sets: list[np.ndarray], cp: tuple[float, float]) -> None:
    x, y, z = sets
    c, p = cp
    dxy = ospa(x, y, c, p)
    assert 0.0 <= dxy <= c * (1 + 1e-12)
    assert dxy == pytest.approx(ospa(y, x, c, p), rel=1e-12, abs=1e-12)
    assert ospa(x, x, c, p) == 0.0
    assert dxy <= (ospa(x, z, c, p) + ospa(z, y, c, p)) * (1 + 1e-9) + 1e-12


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize("func", [gospa, ospa])
def test_dimension_mismatch_names_shapes(func: object) -> None:
    with pytest.raises(ValueError, match=r"\(2, 2\) and \(1, 3\)"):
        func(np.zeros((2, 2)), np.zeros((1, 3)), 1.0)  # type: ignore[operator]


@pytest.mark.parametrize("func", [gospa, ospa])
def test_nan_names_rows(func: object) -> None:
    est = np.array([[0.0, 0.0], [1.0, np.nan]])
    with pytest.raises(ValueError, match=r"est must be finite.*rows \[1\]"):
        func(np.zeros((1, 2)), est, 1.0)  # type: ignore[operator]


def test_not_two_dimensional_names_shape() -> None:
    with pytest.raises(ValueError, match=r"truth must have shape \(k, d\), got shape \(3,\)"):
        gospa(np.zeros(3), np.zeros((1, 3)), 1.0)


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        ({"c": 0.0}, "c must be finite and > 0, got 0.0"),
        ({"c": math.inf}, "c must be finite and > 0, got inf"),
        ({"c": 1.0, "p": 0.5}, "p must be finite and >= 1, got 0.5"),
        ({"c": 1.0, "alpha": 3.0}, r"alpha must be in \(0, 2\], got 3.0"),
    ],
)
def test_bad_parameters_name_value(kwargs: dict[str, float], pattern: str) -> None:
    with pytest.raises(ValueError, match=pattern):
        gospa(np.zeros((1, 2)), np.zeros((1, 2)), **kwargs)
