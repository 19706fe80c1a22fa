"""Static weapon-target assignment (WTA): an exact MILP on HiGHS and greedy maximum marginal return.

One decision cycle.  Weapon (or weapon type) i holds m_i rounds that can fire now; target
j has value V_j; one round of i kills j with probability p_ij (0 where i cannot engage j).
Rounds go in salvos of k_i (doctrine "salvo", default 1), so shots x_ij are multiples of
k_i.  The assignment solves

    min  Σ_j V_j Π_i q_ij^x_ij + w_c Σ_ij c_i x_ij,            q_ij = 1 − p_ij
    s.t. Σ_j x_ij ≤ m_i;  #{j : x_ij > 0} ≤ C_i (fire channels, optional);
         x_ij ≤ u_ij (max shots, optional);  x_ij = 0 where p_ij = 0 or p_ij < p_min;
         x_ij ∈ k_i·Z≥0,

the static WTA of Ahuja, Kumar, Jha & Orlin ("Exact and heuristic algorithms for the
weapon-target assignment problem", Operations Research 55(6), 2007) with channel, salvo,
minimum-Pk and cost side constraints.

``ExactAssigner`` ("milp") is exact: an outer approximation (Kelley's cutting planes,
as in Duran & Grossmann, Math. Programming 36, 1986) whose master MILPs HiGHS solves
through ``scipy.optimize.milp``.  Master variables: n_ij ∈ [0, cap_ij] salvos of each
live pair (binary where cap_ij = 1) and η_j ≥ 0, the modelled surviving value of target
j; the master minimises Σ_j η_j + cost under linear cuts that under-estimate
F_j = V_j Π_i (1 − p̃_ij)^n_ij (p̃: salvo kill probability) and are tight where taken:

* union bound, η_j ≥ V_j (1 − Σ_i p̃_ij n_ij), exact while j takes at most one salvo;
* tangents of V_j e^(−z) at z₀, with z = Σ_i a_ij n_ij, a = −ln(1 − p̃) (F_j is convex
  in n): η_j ≥ V_j e^(−z₀)(1 + z₀ − z);
* for targets whose pairs are all binary, the two Nemhauser–Wolsey inequalities of the
  supermodular set function F_j(S) at the fired set S (docs/c2.md §1.2).

Each master's bound is a lower bound of the optimum; its solution is evaluated exactly,
becomes the incumbent if better, and the cuts at it are added where η_j undershoots F_j;
the loop stops when incumbent and bound meet (relative ``rel_gap`` or 1e-6 absolute,
HiGHS's own absolute MIP gap).  Two exchange arguments (``_reductions``) first remove
pairs no optimal assignment uses and mark "solo" pairs that never share a target, which
turns random instances with fewer salvos than targets into a matching-like master with
an integral LP optimum.  Formulation, proofs and sizes: docs/c2.md §1.

``GreedyAssigner`` ("greedy") is maximum marginal return (den Broeder, Ellison &
Emerling, "On optimum target assignments", Operations Research 7(3), 1959): fire the
salvo that lowers the objective most, V_j'(1 − q_ij^k_i) − w_c c_i k_i with V_j' the
current expected surviving value of j, one salvo at a time, while some salvo lowers it.
"""

from __future__ import annotations

from typing import Any

from tate.c2.milp import ExactAssigner, _cuts
from tate.c2.problem import (
    Assigner,
    Assignment,
    GreedyAssigner,
    WTAProblem,
    evaluate,
    surviving_value,
)

__all__ = [
    "ASSIGNERS",
    "Assigner",
    "Assignment",
    "ExactAssigner",
    "GreedyAssigner",
    "WTAProblem",
    "_cuts",
    "evaluate",
    "make_assigner",
    "surviving_value",
]


ASSIGNERS: dict[str, type[Assigner]] = {
    ExactAssigner.name: ExactAssigner,
    GreedyAssigner.name: GreedyAssigner,
}


def make_assigner(name: str, **params: Any) -> Assigner:
    """The assigner registered under ``name``, built with ``params``.

    Raises
    ------
    ValueError
        For an unknown name; the message lists the valid names.
    """
    try:
        cls = ASSIGNERS[name]
    except KeyError:
        valid = ", ".join(sorted(ASSIGNERS))
        raise ValueError(f"unknown assigner {name!r}; valid names: {valid}") from None
    return cls(**params)
