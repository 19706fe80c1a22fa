"""The scalar greedy loop (:func:`tate.c2.problem._greedy_shots`) against the array form
it replaced (kept here as the reference): the same shots on random problems, with ties,
channels, salvos, shot caps, costs and infeasible pairs."""

from __future__ import annotations

import numpy as np
import pytest

from tate.c2.problem import _UNLIMITED, WTAProblem, _greedy_shots


def _greedy_numpy(problem: WTAProblem) -> np.ndarray:
    w, t = problem.shape
    k = problem.salvo
    kill = problem.salvo_kill()
    salvo_cost = problem.round_cost() * k
    max_sal = problem.max_salvos()
    chan = problem.channels if problem.channels is not None else np.full(w, _UNLIMITED)
    left = problem.rounds.copy()
    salvos = np.zeros((w, t), dtype=np.int64)
    surv = problem.value.astype(np.float64).copy()
    gain = np.where(max_sal > 0, surv * kill - salvo_cost[:, None], -np.inf)
    while True:
        engaged = salvos > 0
        ok = (salvos < max_sal) & (left >= k)[:, None]
        ok &= engaged | (engaged.sum(axis=1) < chan)[:, None]
        flat = int(np.argmax(np.where(ok, gain, -np.inf)))
        i, j = divmod(flat, t)
        if not ok[i, j] or gain[i, j] <= 0.0:
            break
        salvos[i, j] += 1
        left[i] -= k[i]
        surv[j] *= 1.0 - kill[i, j]
        gain[:, j] = np.where(max_sal[:, j] > 0, surv[j] * kill[:, j] - salvo_cost, -np.inf)
    return salvos * k[:, None]


def _problem(rng: np.random.Generator) -> WTAProblem:
    w, t = int(rng.integers(1, 9)), int(rng.integers(1, 9))
    pk = rng.choice([0.0, 0.3, 0.5, 0.72, 0.9], size=(w, t))  # ties on purpose
    pk = np.where(rng.random((w, t)) < 0.3, rng.random((w, t)), pk)
    value = rng.choice([10.0, 50.0, 100.0], size=t) * rng.choice([1.0, 1.0, 0.37], size=t)
    kw: dict = {}
    if rng.random() < 0.5:
        kw["channels"] = rng.integers(0, 4, size=w)
    if rng.random() < 0.5:
        kw["max_shots"] = rng.integers(0, 4, size=(w, t))
    if rng.random() < 0.5:
        kw["cost"], kw["cost_weight"] = rng.random(w) * 3.0, float(rng.choice([0.0, 5.0]))
    if rng.random() < 0.5:
        kw["salvo"] = rng.integers(1, 3, size=w)
    return WTAProblem(value=value, pk=pk, rounds=rng.integers(0, 5, size=w),
                      min_pk=float(rng.choice([0.0, 0.4])), **kw)


@pytest.mark.parametrize("seed", range(4))
def test_scalar_greedy_equals_array_form(seed: int) -> None:
    rng = np.random.default_rng(seed)
    for _ in range(300):
        p = _problem(rng)
        got = _greedy_shots(p)
        assert got.dtype == np.int64 and got.shape == p.shape
        np.testing.assert_array_equal(got, _greedy_numpy(p))
