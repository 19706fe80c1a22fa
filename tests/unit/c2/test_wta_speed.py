"""The exact assigner's early exits against its full loop and brute force.

``ExactAssigner.assign`` ends before any master MILP when nothing can be fired or when
:func:`tate.c2.milp._greedy_proof` proves the greedy incumbent optimal.  Oracles: the
full outer-approximation loop (``ExactAssigner._loop`` from the same incumbent) must
return the same shots, and brute-force enumeration the same objective, on random
instances built to hit each case (binary pairs, as the engine's shoot-look-shoot
problems); instances built to miss them must run the loop.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import pytest

from tate.c2.milp import ExactAssigner, _greedy_proof, _greedy_shots
from tate.c2.problem import WTAProblem, evaluate
from tests.unit.c2.test_wta import brute_force

EXACT = ExactAssigner()


def full_loop(p: WTAProblem) -> Any:
    """The exact assigner's loop without its early exits."""
    g = _greedy_shots(p)
    return EXACT._loop(p, g, evaluate(p, g), time.perf_counter())


def engine_like(rng: np.random.Generator, w: int, t: int, share: bool,
                cost: bool) -> WTAProblem:
    """A shoot-look-shoot problem: one round per pair, sparse Pk; ``share``: targets
    may have several live weapons."""
    pk = rng.uniform(0.3, 0.95, (w, t))
    live = rng.random((w, t)) < 0.5
    if not share:   # at most one live weapon per target
        owner = rng.integers(0, w, t)
        live &= np.arange(w)[:, None] == owner[None, :]
    pk = np.where(live, pk, 0.0)
    kw: dict[str, Any] = {}
    if cost:
        kw = {"cost": rng.uniform(0.0, 30.0, w), "cost_weight": 1.0}
    return WTAProblem(rng.uniform(1.0, 100.0, t), pk, rounds=rng.integers(0, 4, w),
                      max_shots=np.ones((w, t), np.int64), min_pk=0.3, **kw)


def check(p: WTAProblem) -> str:
    a, full = EXACT.assign(p), full_loop(p)
    np.testing.assert_array_equal(a.shots, full.shots)
    assert a.objective == full.objective and a.status == "optimal"
    if p.shape[0] * p.shape[1] <= 12:
        best, _ = brute_force(p)
        assert abs(a.objective - best) <= 1e-9
    return a.message


@pytest.mark.parametrize("seed", range(60))
def test_one_pair_per_target_shortcut_equals_full_loop(seed: int) -> None:
    rng = np.random.default_rng(seed)
    p = engine_like(rng, int(rng.integers(1, 4)), int(rng.integers(1, 5)), share=False,
                    cost=seed % 2 == 1)
    check(p)


@pytest.mark.parametrize("seed", range(60))
def test_shared_targets_equal_full_loop(seed: int) -> None:
    rng = np.random.default_rng(500 + seed)
    check(engine_like(rng, int(rng.integers(1, 4)), int(rng.integers(1, 5)), share=True,
                      cost=seed % 3 == 0))


def test_each_case_is_hit_and_missed() -> None:
    seen: set[str] = set()
    for seed in range(200):
        rng = np.random.default_rng(2000 + seed)
        p = engine_like(rng, int(rng.integers(1, 4)), int(rng.integers(1, 5)),
                        share=seed % 2 == 0, cost=seed % 4 == 1)
        seen.add(check(p).split(" ")[0])
    assert seen == {"no", "greedy", "one", "enumerated", "bounds"}, seen


def test_all_live_fired_at_no_cost_is_proven() -> None:
    # two weapons on one target, rounds to spare: fire both (the monotone case)
    p = WTAProblem([50.0, 10.0], [[0.5, 0.0], [0.7, 0.4]], rounds=[3, 3], max_shots=1)
    a = EXACT.assign(p)
    assert a.message.startswith("greedy fires every live salvo")
    np.testing.assert_array_equal(a.shots, [[1, 0], [1, 1]])
    np.testing.assert_array_equal(a.shots, full_loop(p).shots)


def test_best_salvo_per_weapon_is_proven() -> None:
    # one round, three targets each open to this weapon only: the largest V p
    p = WTAProblem([10.0, 40.0, 30.0], [[0.9, 0.5, 0.8]], rounds=1, max_shots=1)
    a = EXACT.assign(p)
    assert a.message.startswith("one live pair per target")
    np.testing.assert_array_equal(a.shots, [[0, 0, 1]])


def test_ties_and_shared_targets_are_not_shortcut() -> None:
    # equal V p at the boundary: only the loop decides
    tie = WTAProblem([10.0, 10.0], [[0.5, 0.5]], rounds=1, max_shots=1)
    assert _greedy_proof(tie, _greedy_shots(tie), tie.max_salvos()) == ""
    # greedy goes wrong here (test_wta.py): it must not be "proven"
    p = WTAProblem([101.0, 100.0], [[0.9, 0.9], [0.5, 0.0]], rounds=1)
    assert _greedy_proof(p, _greedy_shots(p), p.max_salvos()) == ""
    np.testing.assert_array_equal(EXACT.assign(p).shots, [[0, 1], [1, 0]])
    # several salvos per pair are left to the loop
    m = WTAProblem([100.0], [[0.5]], rounds=3)
    assert _greedy_proof(m, _greedy_shots(m), m.max_salvos()) == ""


def test_nothing_to_fire_exit_matches_loop() -> None:
    p = WTAProblem([10.0, 20.0], [[0.0, 0.2], [0.5, 0.7]], rounds=[3, 0], min_pk=0.3)
    a = EXACT.assign(p)
    assert a.message == "no salvo can be fired" and not a.shots.any()
    assert a.objective == full_loop(p).objective == evaluate(p, np.zeros((2, 2), np.int64))


@pytest.mark.parametrize("bad, match", [
    ({"pk": [[np.nan, 0.5]]}, "pk must be in"),
    ({"value": np.array([1.0, np.nan])}, "value must be >= 0"),
    ({"rounds": np.array([-1])}, "rounds must be >= 0"),
    ({"cost": np.array([np.inf]), "cost_weight": 1.0}, "cost must be finite"),
    ({"cost_weight": np.nan}, "cost_weight"),
    ({"max_shots": np.array([[1, -1]])}, "max_shots must be >= 0"),
    ({"channels": np.array([-2])}, "channels must be >= 0"),
])
def test_fast_validation_still_rejects(bad: dict[str, Any], match: str) -> None:
    # arrays already of the right dtype and shape take the fast path of _array/_valid
    args: dict[str, Any] = {"value": np.array([1.0, 2.0]), "pk": np.array([[0.5, 0.5]]),
                            "rounds": np.array([1])} | bad
    with pytest.raises(ValueError, match=match):
        WTAProblem(**args)


def test_fast_path_copies_and_freezes() -> None:
    pk = np.array([[0.5, 0.25]])
    p = WTAProblem(np.array([1.0, 2.0]), pk, rounds=np.array([1]))
    pk[0, 0] = 0.9
    assert p.pk[0, 0] == 0.5 and not p.pk.flags.writeable


# -- the engine's decision helpers (tate.engine.defence) ------------------------------------
@pytest.mark.parametrize("ballistic", [False, True])
def test_coast_and_norm_equal_predict_path_and_linalg(ballistic: bool) -> None:
    from tate.c2.engage import coast_point as _coast
    from tate.c2.engage import norm3 as _norm
    from tate.c2.engage import predict_path

    rng = np.random.default_rng(3)
    for _ in range(200):
        p, v = rng.normal(0, 1e5, 3), rng.normal(0, 2e3, 3)
        tau = float(rng.uniform(0.0, 400.0))
        ref = predict_path(p[None], v[None], np.array([ballistic]), np.array([tau]))[0, 0]
        got = _coast(p, v, ballistic, tau)
        np.testing.assert_array_equal(got, ref)          # bit for bit
        assert _norm(got - p) == float(np.linalg.norm(ref - p))
