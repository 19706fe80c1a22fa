"""Proof by enumeration that the exact assigner's loop would return the greedy shots.

:class:`tate.c2.milp.ExactAssigner` starts its outer-approximation loop from the greedy
incumbent and replaces the incumbent only by a master solution whose evaluated objective
(:func:`tate.c2.problem.evaluate`) is strictly lower.  Every master solution is an
assignment of whole salvos to live pairs, at most ``max_salvos`` per pair, within each
weapon's rounds (the master's static rows; channel limits and the reductions only remove
assignments).  So where no such assignment evaluates strictly below the greedy objective,
the loop returns the greedy shots, whatever HiGHS does; :func:`enumeration_proof` checks
that on small problems by listing them all (the engine's shoot-look-shoot problems have a
few binary live pairs: 4-64 assignments).

The candidates are scored in one batch (sums in another order than ``evaluate``: they
differ from it by rounding only); those within a margin (1e-9 of the objective's scale,
far above that rounding) of the greedy objective, other than greedy itself, are scored
again with ``evaluate`` itself, so the strict comparison is the loop's, bit for bit.
Units: the problem's value units; no frame.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from tate.c2.problem import WTAProblem, evaluate

__all__ = ["enumeration_proof"]

_MAX_CANDIDATES = 256  #: larger problems are left to the loop


def enumeration_proof(problem: WTAProblem, shots: NDArray[np.int64], obj: float,
                      max_sal: NDArray[np.int64]) -> str:
    """Why the loop would return the greedy ``shots`` (objective ``obj``), or "".

    ``max_sal``: :meth:`WTAProblem.max_salvos`.  Shown when no assignment of at most
    ``max_sal`` salvos per pair within the rounds evaluates strictly below ``obj``, for
    at most ``_MAX_CANDIDATES`` assignments."""
    w_idx, j_idx = np.nonzero(max_sal)
    caps = max_sal[w_idx, j_idx]
    if math.prod((caps + 1).tolist()) > _MAX_CANDIDATES:
        return ""
    n_pairs = caps.size
    x = np.indices((caps + 1).tolist()).reshape(n_pairs, -1).T * problem.salvo[w_idx]
    rounds = problem.rounds.tolist()
    ok = np.ones(x.shape[0], dtype=bool)
    for i in np.unique(w_idx).tolist():
        ok &= x[:, w_idx == i].sum(axis=1) <= rounds[i]
    x = x[ok]
    value = problem.value
    surv = np.tile(value, (x.shape[0], 1))
    q = (1.0 - problem.pk[w_idx, j_idx]) ** x
    for p, j in enumerate(j_idx.tolist()):
        surv[:, j] *= q[:, p]
    cost = problem.round_cost()
    total = surv.sum(axis=1) + x @ cost[w_idx]
    margin = 1e-9 * (1.0 + float(value.sum()) + float(cost @ problem.rounds))
    greedy = shots[w_idx, j_idx]
    for b in np.flatnonzero(total < obj + margin).tolist():
        if np.array_equal(x[b], greedy):
            continue
        s = np.zeros(problem.shape, dtype=np.int64)
        s[w_idx, j_idx] = x[b]
        if evaluate(problem, s) < obj:
            return ""
    return (f"enumerated {x.shape[0]} assignments within the rounds: none beats greedy, "
            "optimal")
