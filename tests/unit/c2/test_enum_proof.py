"""The enumeration proof (:mod:`tate.c2.enum_proof`) against the exact assigner's loop.

Where the proof holds, the full outer-approximation loop from the greedy incumbent must
return the greedy shots; where greedy is beaten the proof must not hold; ties (another
assignment evaluating exactly to greedy's objective) are proven, as the loop keeps greedy.
"""

from __future__ import annotations

import numpy as np
import pytest

from tate.c2.enum_proof import enumeration_proof
from tate.c2.milp import ExactAssigner, _greedy_shots
from tate.c2.problem import WTAProblem, evaluate
from tests.unit.c2.test_wta_speed import engine_like, full_loop


def proof(p: WTAProblem) -> str:
    g = _greedy_shots(p)
    return enumeration_proof(p, g, evaluate(p, g), p.max_salvos())


@pytest.mark.parametrize("seed", range(40))
def test_proven_greedy_is_what_the_loop_returns(seed: int) -> None:
    rng = np.random.default_rng(9000 + seed)
    hits = 0
    for _ in range(5):
        p = engine_like(rng, int(rng.integers(1, 5)), int(rng.integers(1, 7)),
                        share=bool(rng.random() < 0.7), cost=bool(rng.random() < 0.5))
        if not p.max_salvos().any():
            continue
        why, full = proof(p), full_loop(p)
        if why:
            hits += 1
            np.testing.assert_array_equal(full.shots, _greedy_shots(p))
        np.testing.assert_array_equal(ExactAssigner().assign(p).shots, full.shots)
    assert seed or hits  # (the proof is hit)


def test_engine_case_one_round_several_targets_is_proven() -> None:
    # the engine's common case: one weapon with one round, targets of equal value and Pk
    p = WTAProblem(np.full(4, 100.0), [[0.7, 0.7, 0.7, 0.6]], rounds=1, max_shots=1)
    assert proof(p).startswith("enumerated 5 assignments")
    np.testing.assert_array_equal(full_loop(p).shots, _greedy_shots(p))
    a = ExactAssigner().assign(p)
    assert a.status == "optimal" and a.iterations == 0
    np.testing.assert_array_equal(a.shots, [[1, 0, 0, 0]])


def test_tie_is_proven_and_matches_loop() -> None:
    tie = WTAProblem([10.0, 10.0], [[0.5, 0.5]], rounds=1, max_shots=1)
    assert proof(tie)
    np.testing.assert_array_equal(ExactAssigner().assign(tie).shots, full_loop(tie).shots)


def test_greedy_beaten_is_not_proven() -> None:
    # test_wta.py's hand case: greedy 105.05, optimum 60.5
    p = WTAProblem([101.0, 100.0], [[0.9, 0.9], [0.5, 0.0]], rounds=1)
    assert proof(p) == ""
    np.testing.assert_array_equal(ExactAssigner().assign(p).shots, [[0, 1], [1, 0]])


def test_rounds_limit_the_candidates() -> None:
    # two rounds, three targets: firing all three would beat greedy but is infeasible
    p = WTAProblem([100.0, 90.0, 80.0], [[0.9, 0.9, 0.9]], rounds=2, max_shots=1)
    assert proof(p).startswith("enumerated 7 assignments")
    np.testing.assert_array_equal(ExactAssigner().assign(p).shots, full_loop(p).shots)


def test_large_problems_are_left_to_the_loop() -> None:
    p = WTAProblem(np.full(9, 50.0), np.full((1, 9), 0.5), rounds=9, max_shots=1)
    assert proof(p) == ""  # 512 candidates
