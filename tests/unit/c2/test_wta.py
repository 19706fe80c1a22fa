"""Weapon-target assignment: the MILP against brute-force enumeration, greedy against both.

Oracles: exhaustive enumeration of every feasible assignment (written here, independent
of the solver), hand-computed small cases, the optimality of maximum marginal return for
identical weapons (den Broeder, Ellison & Emerling, Operations Research 7(3), 1959), and
the one-weapon-per-target optimum from ``scipy.optimize.linear_sum_assignment``.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray
from scipy.optimize import linear_sum_assignment

from tate.c2.wta import (
    ASSIGNERS,
    Assignment,
    ExactAssigner,
    GreedyAssigner,
    WTAProblem,
    _cuts,
    make_assigner,
)

EXACT = ExactAssigner()
GREEDY = GreedyAssigner()


def weapon_options(p: WTAProblem, i: int) -> NDArray[np.int64]:
    """Every feasible shot row of weapon i, straight from the constraint definitions."""
    t = p.pk.shape[1]
    k = int(p.salvo[i])
    rows = []
    for n in itertools.product(range(int(p.rounds[i]) // k + 1), repeat=t):
        x = np.array(n, dtype=np.int64) * k
        if x.sum() > p.rounds[i]:
            continue
        if np.any((x > 0) & ((p.pk[i] == 0) | (p.pk[i] < p.min_pk))):
            continue
        if p.max_shots is not None and np.any(x > p.max_shots[i]):
            continue
        if p.channels is not None and np.count_nonzero(x) > p.channels[i]:
            continue
        rows.append(x)
    return np.array(rows)


def brute_force(p: WTAProblem) -> tuple[float, NDArray[np.int64]]:
    """Optimal objective and shots by enumerating all feasible assignments."""
    opts = [weapon_options(p, i) for i in range(p.pk.shape[0])]
    idx = np.array(list(itertools.product(*[range(len(o)) for o in opts])))
    x = np.stack([opts[i][idx[:, i]] for i in range(len(opts))], axis=1)  # (n, W, T)
    surv = np.prod((1.0 - p.pk) ** x, axis=1) @ p.value
    cost = np.zeros(len(x))
    if p.cost is not None:
        cost = p.cost_weight * (x.sum(axis=2) @ p.cost)
    obj = surv + cost
    best = int(np.argmin(obj))
    return float(obj[best]), x[best]


def objective(p: WTAProblem, x: NDArray[np.int64]) -> float:
    """Objective of shots x, written out from the problem definition."""
    total = 0.0
    for j in range(p.pk.shape[1]):
        total += p.value[j] * np.prod([(1.0 - p.pk[i, j]) ** x[i, j]
                                       for i in range(p.pk.shape[0])])
    if p.cost is not None:
        total += p.cost_weight * float(np.sum(x.sum(axis=1) * p.cost))
    return total


def assert_feasible(p: WTAProblem, a: Assignment) -> None:
    x = a.shots
    assert x.shape == p.pk.shape and x.dtype.kind == "i"
    assert np.all(x >= 0)
    assert np.all(x.sum(axis=1) <= p.rounds), "rounds"
    assert not np.any((x > 0) & ((p.pk == 0) | (p.pk < p.min_pk))), "forbidden pair"
    assert np.all(x % p.salvo[:, None] == 0), "salvo"
    if p.max_shots is not None:
        assert np.all(x <= p.max_shots), "max shots"
    if p.channels is not None:
        assert np.all(np.count_nonzero(x, axis=1) <= p.channels), "channels"
    assert a.objective == pytest.approx(objective(p, x), rel=1e-12, abs=1e-12)


def check_against_brute_force(p: WTAProblem) -> None:
    best, _ = brute_force(p)
    exact, greedy = EXACT.assign(p), GREEDY.assign(p)
    assert_feasible(p, exact)
    assert_feasible(p, greedy)
    assert exact.status == "optimal", exact.message
    assert abs(exact.objective - best) <= 1e-9, (exact.shots, best)
    assert exact.lower_bound <= best + 1e-6
    # documented guarantee: bound within max(1e-9 relative, 1e-6 absolute)
    assert exact.objective - exact.lower_bound <= max(1e-9 * abs(best), 1e-6) + 1e-12
    assert greedy.objective >= exact.objective - 1e-12


def ahuja(rng: np.random.Generator, w: int, t: int, rounds: Any = 1) -> WTAProblem:
    """Ahuja et al. (2007) random instance: V ~ U[25, 100], p ~ U[0.6, 0.9]."""
    return WTAProblem(value=rng.uniform(25, 100, t), pk=rng.uniform(0.6, 0.9, (w, t)),
                      rounds=rounds)


@pytest.mark.parametrize("seed", range(40))
def test_milp_equals_brute_force_on_small_ahuja_instances(seed: int) -> None:
    rng = np.random.default_rng(seed)
    p = ahuja(rng, 3, int(rng.integers(3, 5)), rounds=rng.integers(1, 3, 3))
    check_against_brute_force(p)


@pytest.mark.parametrize("seed", range(25))
def test_milp_equals_brute_force_with_fewer_rounds_than_targets(seed: int) -> None:
    # R < T switches on the exchange reductions; they must not cut off the optimum
    rng = np.random.default_rng(100 + seed)
    w = int(rng.integers(2, 5))
    pk = rng.uniform(0.05, 0.95, (w, 6)) if seed % 2 else rng.uniform(0.6, 0.9, (w, 6))
    check_against_brute_force(WTAProblem(rng.uniform(1, 100, 6), pk, rounds=1))


@pytest.mark.parametrize("seed", range(80))
def test_milp_equals_brute_force_with_skewed_values(seed: int) -> None:
    # a few valuable targets draw several weapons while R < T: exercises the "solo"
    # reduction near its threshold (a mutation that loosens it fails here)
    rng = np.random.default_rng(1000 + seed)
    w = int(rng.integers(2, 5))
    value = rng.uniform(1, 100, 6) ** 2 / 100
    check_against_brute_force(WTAProblem(value, rng.uniform(0.05, 0.95, (w, 6)), rounds=1))


SIDE_CONSTRAINTS: dict[str, dict[str, Any]] = {
    "channels": {"channels": [1, 1, 2]},
    "max_shots": {"max_shots": [[1, 2, 0, 1], [2, 1, 1, 0], [1, 1, 1, 1]]},
    "min_pk": {"min_pk": 0.5},
    "cost": {"cost": [3.0, 10.0, 1.0], "cost_weight": 1.5},
    "salvo": {"salvo": [2, 1, 2]},
    "all": {"channels": 2, "max_shots": 2, "min_pk": 0.3, "cost": [1.0, 2.0, 3.0],
            "cost_weight": 1.0, "salvo": [1, 2, 1]},
}


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("name", sorted(SIDE_CONSTRAINTS))
def test_side_constraints_respected_and_optimal(name: str, seed: int) -> None:
    rng = np.random.default_rng(seed)
    pk = rng.uniform(0.1, 0.9, (3, 4))
    pk[rng.random((3, 4)) < 0.2] = 0.0          # outside the engagement envelope
    p = WTAProblem(rng.uniform(25, 100, 4), pk, rounds=[3, 2, 4], **SIDE_CONSTRAINTS[name])
    check_against_brute_force(p)


@st.composite
def problems(draw: st.DrawFn) -> WTAProblem:
    w = draw(st.integers(1, 3))
    t = draw(st.integers(1, 4))
    probs = st.sampled_from([0.0, 0.1, 0.35, 0.5, 0.6, 0.75, 0.9, 1.0])
    pk = np.array(draw(st.lists(probs, min_size=w * t, max_size=w * t))).reshape(w, t)
    value = np.array(draw(st.lists(st.floats(0.0, 100.0), min_size=t, max_size=t)))
    kw: dict[str, Any] = {"rounds": draw(st.lists(st.integers(0, 3), min_size=w, max_size=w))}
    if draw(st.booleans()):
        kw["channels"] = draw(st.lists(st.integers(0, 2), min_size=w, max_size=w))
    if draw(st.booleans()):
        kw["salvo"] = draw(st.lists(st.integers(1, 2), min_size=w, max_size=w))
    if draw(st.booleans()):
        kw["cost"], kw["cost_weight"] = [5.0] * w, draw(st.floats(0.0, 3.0))
    kw["min_pk"] = draw(st.sampled_from([0.0, 0.4]))
    return WTAProblem(value, pk, **kw)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_property_milp_optimal_and_greedy_never_better(p: WTAProblem) -> None:
    check_against_brute_force(p)


def test_hand_case_where_greedy_goes_wrong() -> None:
    # A (p 0.9 on both) and B (p 0.5 on target 0 only), V = (101, 100).  Greedy puts A
    # on target 0 (90.9 > 90), then B there too: 101·0.1·0.5 + 100 = 105.05.  The optimum
    # splits them: A on 1, B on 0: 101·0.5 + 100·0.1 = 60.5.
    p = WTAProblem([101.0, 100.0], [[0.9, 0.9], [0.5, 0.0]], rounds=1)
    g, e = GREEDY.assign(p), EXACT.assign(p)
    np.testing.assert_array_equal(g.shots, [[1, 0], [1, 0]])
    assert g.objective == pytest.approx(105.05, abs=1e-12)
    np.testing.assert_array_equal(e.shots, [[0, 1], [1, 0]])
    assert e.objective == pytest.approx(60.5, abs=1e-12)
    assert e.status == "optimal" and e.lower_bound == pytest.approx(60.5, abs=1e-6)


def test_hand_case_two_rounds_split() -> None:
    # one launcher, two rounds, V = (100, 50), p = (0.5, 0.9):
    # both at 0: 25 + 50 = 75; split: 50 + 5 = 55; both at 1: 100 + 0.5 = 100.5
    p = WTAProblem([100.0, 50.0], [[0.5, 0.9]], rounds=2)
    for a in (EXACT.assign(p), GREEDY.assign(p)):
        np.testing.assert_array_equal(a.shots, [[1, 1]])
        assert a.objective == pytest.approx(55.0, abs=1e-12)


def test_hand_case_salvo_doctrine() -> None:
    # salvo of 2 at p 0.6: salvo kill 0.84; 3 rounds allow one salvo only
    p = WTAProblem([100.0, 10.0], [[0.6, 0.6]], rounds=3, salvo=2)
    a = EXACT.assign(p)
    np.testing.assert_array_equal(a.shots, [[2, 0]])
    assert a.objective == pytest.approx(100 * 0.16 + 10, abs=1e-12)


@pytest.mark.parametrize("seed", range(10))
def test_greedy_optimal_for_identical_weapons(seed: int) -> None:
    # den Broeder et al. (1959): with p_ij = p_j marginal return is optimal
    rng = np.random.default_rng(seed)
    t = 4
    pk = np.broadcast_to(rng.uniform(0.2, 0.9, t), (3, t))
    p = WTAProblem(rng.uniform(25, 100, t), pk, rounds=rng.integers(1, 3, 3))
    best, _ = brute_force(p)
    assert GREEDY.assign(p).objective == pytest.approx(best, abs=1e-9)


@pytest.mark.parametrize("seed", range(3))
def test_20x50_optimal_and_no_worse_than_one_weapon_per_target(seed: int) -> None:
    p = ahuja(np.random.default_rng(seed), 20, 50)
    e, g = EXACT.assign(p), GREEDY.assign(p)
    assert_feasible(p, e)
    assert e.status == "optimal" and e.gap <= 1e-9
    # best assignment with at most one weapon per target: a linear assignment problem
    rows, cols = linear_sum_assignment(p.value * p.pk, maximize=True)
    one_each = p.value.sum() - float(np.sum(p.value[cols] * p.pk[rows, cols]))
    assert e.objective <= one_each + 1e-9
    assert e.objective <= g.objective + 1e-12
    assert e.lower_bound <= e.objective


def test_square_instance_needs_several_weapons_per_target() -> None:
    # W > T: targets must share weapons, so the cut loop has work to do
    p = ahuja(np.random.default_rng(7), 4, 2, rounds=1)
    check_against_brute_force(p)
    assert np.count_nonzero(EXACT.assign(p).shots, axis=0).max() >= 2


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(0.0, 1.0), min_size=1, max_size=6), st.floats(0.0, 100.0),
       st.data())
def test_cuts_are_valid_lower_bounds_and_tight(kill: list[float], value: float,
                                               data: st.DataObject) -> None:
    p = np.array(kill)
    n = p.size
    chosen = np.array(data.draw(st.lists(st.booleans(), min_size=n, max_size=n)))
    coef, rhs = _cuts(value, p, chosen)
    for bits in itertools.product([0, 1], repeat=n):
        y = np.array(bits, dtype=float)
        f = value * np.prod(np.where(y > 0, 1.0 - p, 1.0))
        bound = rhs - coef @ y                 # cut: η ≥ rhs − coef·y
        assert np.all(bound <= f + 1e-9 * max(value, 1.0))
        if np.array_equal(y > 0, chosen):
            # tight up to the coefficients _cuts drops (each below 1e-9·max(value, 1))
            assert np.all(bound >= f - n * 1e-9 * max(value, 1.0))


def test_nothing_to_fire() -> None:
    p = WTAProblem([10.0, 20.0], [[0.0, 0.0], [0.5, 0.7]], rounds=[3, 0])
    for a in (EXACT.assign(p), GREEDY.assign(p)):
        assert not a.shots.any()
        assert a.objective == pytest.approx(30.0)


def test_time_limit_returns_feasible_incumbent() -> None:
    p = ahuja(np.random.default_rng(1), 5, 5)
    a = ExactAssigner(time_limit=1e-12).assign(p)
    assert a.status == "time_limit"
    assert_feasible(p, a)
    assert a.objective <= GREEDY.assign(p).objective


def test_registry() -> None:
    assert set(ASSIGNERS) == {"milp", "greedy"}
    assert isinstance(make_assigner("milp", time_limit=5.0), ExactAssigner)
    assert isinstance(make_assigner("greedy"), GreedyAssigner)
    with pytest.raises(ValueError, match="greedy, milp"):
        make_assigner("hungarian")


@pytest.mark.parametrize("bad, match", [
    ({"pk": [[1.2, 0.5]]}, "pk must be in"),
    ({"pk": [0.5, 0.5]}, "shape"),
    ({"value": [1.0, 2.0, 3.0]}, "value must broadcast"),
    ({"rounds": [-1]}, "rounds must be >= 0"),
    ({"salvo": 0}, "salvo must be >= 1"),
    ({"min_pk": 2.0}, "min_pk"),
])
def test_problem_validation(bad: dict[str, Any], match: str) -> None:
    args: dict[str, Any] = {"value": [1.0, 2.0], "pk": [[0.5, 0.5]], "rounds": 1} | bad
    with pytest.raises(ValueError, match=match):
        WTAProblem(**args)


def test_problem_arrays_are_frozen() -> None:
    p = WTAProblem([1.0, 2.0], [[0.5, 0.5]], rounds=1)
    with pytest.raises(ValueError):
        p.pk[0, 0] = 0.9
