"""The problem's derived arrays (:class:`tate.c2.problem.WTAProblem`'s ``max_salvos``,
``salvo_kill``, ``round_cost``) are computed once per problem: the same values as
computed afresh by their formulas, read-only, and not shared between problems."""

from __future__ import annotations

import numpy as np
import pytest

from tate.c2.problem import WTAProblem


def _fresh(p: WTAProblem) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    cap = p.rounds[:, None]
    if p.max_shots is not None:
        cap = np.minimum(cap, p.max_shots)
    sal = np.where(p.allowed(), cap // p.salvo[:, None], 0).astype(np.int64)
    kill = 1.0 - (1.0 - p.pk) ** p.salvo[:, None]
    cost = (np.zeros(p.shape[0]) if p.cost is None or p.cost_weight == 0.0
            else p.cost_weight * p.cost)
    return sal, kill, cost


def test_derived_arrays_are_the_formulas_once_and_read_only() -> None:
    rng = np.random.default_rng(2)
    for _ in range(30):
        w, t = int(rng.integers(1, 5)), int(rng.integers(1, 6))
        kw = {"cost": rng.uniform(0, 2, w), "cost_weight": float(rng.choice([0.0, 0.5]))}
        p = WTAProblem(value=rng.uniform(0, 100, t), pk=rng.uniform(0, 1, (w, t)),
                       rounds=rng.integers(0, 4, w), max_shots=rng.integers(0, 3, (w, t))
                       if rng.random() < 0.5 else None, min_pk=0.2,
                       salvo=rng.integers(1, 3, w), **kw if rng.random() < 0.7 else {})
        want = _fresh(p)
        for _ in range(2):
            got = (p.max_salvos(), p.salvo_kill(), p.round_cost())
            for g, r in zip(got, want, strict=True):
                assert g.dtype == r.dtype
                np.testing.assert_array_equal(g, r)
                with pytest.raises(ValueError):
                    g[...] = 0
        assert p.max_salvos() is p.max_salvos()
        q = WTAProblem(value=p.value, pk=p.pk * 0.5, rounds=p.rounds, salvo=p.salvo)
        np.testing.assert_array_equal(q.salvo_kill(), _fresh(q)[1])
