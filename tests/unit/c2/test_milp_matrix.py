"""The exact assigner's master matrices (:class:`tate.c2.milp._Master`), built directly
in CSR / CSC, against scipy's own construction from the same entries.

Oracles: the COO triplets (row, column, coefficient) of every cut block give, through
``csr_matrix``, the cut matrix :meth:`_Master._cut_matrix` builds in CSR (the same
``data``, ``indices``, ``indptr``, explicit zeros included), and those of the static rows
(``_Master.coo``) the static CSR arrays ``_Master.static``; ``scipy.sparse.vstack`` of
the static rows and the cuts in CSC (what ``scipy.optimize.milp`` stacks from two
constraints) gives the one CSC matrix :meth:`_Master._constraints` hands to HiGHS,
scaled or not; the per-target flags equal ``np.all`` over each target's pairs.  On
random problems with binary and multi-salvo pairs, with and without channel limits and
solo pairs, after the first cuts and a second round of cuts.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from scipy.sparse import csc_array, csr_matrix, vstack

from tate.c2.milp import _greedy_shots, _Master, _Pairs
from tate.c2.problem import WTAProblem


def _problem(seed: int) -> WTAProblem:
    rng = np.random.default_rng(seed)
    w, t = int(rng.integers(1, 5)), int(rng.integers(1, 7))
    pk = np.where(rng.random((w, t)) < 0.6, rng.uniform(0.2, 1.0, (w, t)), 0.0)
    kw: dict[str, Any] = {}
    if seed % 3 == 0:
        kw["channels"] = rng.integers(1, 3, w)
    if seed % 2 == 0:
        kw["max_shots"] = np.ones((w, t), np.int64)
    return WTAProblem(rng.uniform(1.0, 100.0, t), pk, rounds=rng.integers(0, 5, w), **kw)


def _same_sparse(a: Any, b: Any) -> None:
    assert a.shape == b.shape
    for f in ("data", "indices", "indptr"):
        np.testing.assert_array_equal(getattr(a, f), getattr(b, f), err_msg=f)


#: the first 40 seeds whose problem has a pair to fire at all
SEEDS = [s for s in range(80) if _Pairs.build(_problem(s)).n > 0][:40]


@pytest.mark.parametrize("seed", SEEDS)
def test_master_matrices_equal_scipys_construction(seed: int) -> None:
    p = _problem(seed)
    pairs = _Pairs.build(p)
    m = _Master(p, pairs)
    spans = [slice(pairs.start[j], pairs.start[j + 1]) for j in range(p.shape[1])]
    np.testing.assert_array_equal(m.binary_target, [np.all(pairs.cap[s] == 1) for s in spans])
    np.testing.assert_array_equal(m.single, [np.all(pairs.solo[s]) for s in spans])
    m.add_first_cuts(m.salvos(_greedy_shots(p)))
    m.add_cuts_at(np.minimum(pairs.cap, 1 + seed % 2))
    rows, cols, vals, row = [], [], [], 0
    for c, v in zip(m.cut_c, m.cut_v, strict=True):
        for line in v:
            rows.append(np.full(c.size, row))
            cols.append(c)
            vals.append(line)
            row += 1
    assert row == m.n_rows
    coo = csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                     shape=(row, m.n_var))
    _same_sparse(m._cut_matrix(False).A, coo)
    for scaled in (False, True):
        cuts = m._cut_matrix(scaled)
        ptr, idx, val, lb, ub = m._constraints(scaled)
        static = csr_matrix((m.coo[0], (m.coo[1], m.coo[2])), shape=(m.static.lb.size,
                                                                       m.n_var))
        _same_sparse(csr_matrix((m.static.data, m.static.indices, m.static.indptr),
                                shape=static.shape), static)
        assert m.static.indices.dtype == static.indices.dtype
        ref = vstack([csc_array(static), csc_array(cuts.A)], format="csc")
        _same_sparse(csc_array((val, idx, ptr), shape=ref.shape), ref)
        assert ptr.dtype == idx.dtype == ref.indices.dtype and val.dtype == np.float64
        np.testing.assert_array_equal(lb, np.concatenate((m.static.lb, cuts.lb)))
        np.testing.assert_array_equal(ub, np.concatenate((m.static.ub, cuts.ub)))
