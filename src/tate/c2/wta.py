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

import time
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csr_matrix, vstack

__all__ = [
    "ASSIGNERS",
    "Assigner",
    "Assignment",
    "ExactAssigner",
    "GreedyAssigner",
    "WTAProblem",
    "evaluate",
    "make_assigner",
    "surviving_value",
]

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]

_UNLIMITED = np.iinfo(np.int64).max // 4


def _array(x: ArrayLike, dtype: type, shape: tuple[int, ...], name: str) -> NDArray[Any]:
    """``x`` broadcast to ``shape`` as a read-only array, or a ValueError naming it."""
    try:
        arr: NDArray[Any] = np.array(np.broadcast_to(np.asarray(x, dtype=dtype), shape))
    except ValueError:
        raise ValueError(f"{name} must broadcast to shape {shape}, got "
                         f"{np.shape(x)}") from None
    arr.setflags(write=False)
    return arr


@dataclass(frozen=True)
class WTAProblem:
    """One static weapon-target assignment problem (arrays are copied and frozen).

    Parameters
    ----------
    value
        Target values V_j, shape ``(T,)``, ≥ 0.
    pk
        Single-round kill probability p_ij, shape ``(W, T)``, in [0, 1]; 0 where weapon i
        cannot engage target j.
    rounds
        Rounds m_i that weapon i can fire in this cycle, shape ``(W,)`` (or a scalar), ≥ 0.
    channels
        Most targets weapon i may engage at once, ``(W,)`` or scalar; None = no limit.
    max_shots
        Most rounds of weapon i at target j, ``(W, T)`` or broadcastable; None = no limit.
    min_pk
        Pairs whose single-round p_ij is below this are forbidden.
    cost
        Cost of one round of weapon i, ``(W,)`` or scalar; None = 0.
    cost_weight
        Weight w_c of the round cost against surviving value (value units per cost unit).
    salvo
        Rounds per engagement k_i ≥ 1 (doctrine: fire k now), ``(W,)`` or scalar.
    """

    value: F64
    pk: F64
    rounds: I64
    channels: I64 | None = None
    max_shots: I64 | None = None
    min_pk: float = 0.0
    cost: F64 | None = None
    cost_weight: float = 0.0
    salvo: I64 = field(default_factory=lambda: np.ones(1, dtype=np.int64))

    def __post_init__(self) -> None:
        pk = np.asarray(self.pk, dtype=np.float64)
        if pk.ndim != 2:
            raise ValueError(f"pk must have shape (W, T), got {pk.shape}")
        w, t = pk.shape
        put = object.__setattr__
        put(self, "pk", _array(pk, np.float64, (w, t), "pk"))
        put(self, "value", _array(self.value, np.float64, (t,), "value"))
        put(self, "rounds", _array(self.rounds, np.int64, (w,), "rounds"))
        put(self, "salvo", _array(self.salvo, np.int64, (w,), "salvo"))
        if self.channels is not None:
            put(self, "channels", _array(self.channels, np.int64, (w,), "channels"))
        if self.max_shots is not None:
            put(self, "max_shots", _array(self.max_shots, np.int64, (w, t), "max_shots"))
        if self.cost is not None:
            put(self, "cost", _array(self.cost, np.float64, (w,), "cost"))
        self._check()

    def _check(self) -> None:
        opt = {"channels": self.channels, "max_shots": self.max_shots}
        checks = [("pk", self.pk, (self.pk >= 0) & (self.pk <= 1), "in [0, 1]"),
                  ("value", self.value, self.value >= 0, ">= 0"),
                  ("rounds", self.rounds, self.rounds >= 0, ">= 0"),
                  ("salvo", self.salvo, self.salvo >= 1, ">= 1")]
        checks += [(k, v, v >= 0, ">= 0") for k, v in opt.items() if v is not None]
        if self.cost is not None:
            checks.append(("cost", self.cost, np.isfinite(self.cost), "finite"))
        checks.append(("min_pk", np.array(self.min_pk), np.array(0 <= self.min_pk <= 1),
                       "in [0, 1]"))
        w_c = np.array(self.cost_weight)
        checks.append(("cost_weight", w_c, np.isfinite(w_c) & (w_c >= 0), "finite, >= 0"))
        for name, arr, ok, rule in checks:
            if not np.all(ok):
                raise ValueError(f"{name} must be {rule}, got {arr[~ok].ravel()[0]!r}")

    @property
    def shape(self) -> tuple[int, int]:
        """(W, T)."""
        w, t = self.pk.shape
        return int(w), int(t)

    def allowed(self) -> NDArray[np.bool_]:
        """Pairs (i, j) that may be engaged: p_ij > 0 and p_ij ≥ min_pk, ``(W, T)``."""
        return (self.pk > 0) & (self.pk >= self.min_pk)

    def max_salvos(self) -> I64:
        """Most salvos of weapon i at target j, ``(W, T)`` (0 where forbidden)."""
        cap = np.broadcast_to(self.rounds[:, None], self.pk.shape)
        if self.max_shots is not None:
            cap = np.minimum(cap, self.max_shots)
        return np.where(self.allowed(), cap // self.salvo[:, None], 0).astype(np.int64)

    def salvo_kill(self) -> F64:
        """Kill probability of one salvo of k_i rounds, 1 − (1 − p_ij)^k_i, ``(W, T)``."""
        return 1.0 - (1.0 - self.pk) ** self.salvo[:, None]

    def round_cost(self) -> F64:
        """Weighted cost w_c·c_i of one round of weapon i, ``(W,)``."""
        if self.cost is None or self.cost_weight == 0.0:
            return np.zeros(self.shape[0])
        return self.cost_weight * self.cost


def surviving_value(problem: WTAProblem, shots: ArrayLike) -> float:
    """Expected surviving value Σ_j V_j Π_i (1 − p_ij)^x_ij of the shots ``(W, T)``."""
    x = np.asarray(shots)
    return float(problem.value @ np.prod((1.0 - problem.pk) ** x, axis=0))


def evaluate(problem: WTAProblem, shots: ArrayLike) -> float:
    """Objective: surviving value + w_c Σ_ij c_i x_ij."""
    x = np.asarray(shots)
    return surviving_value(problem, x) + float(problem.round_cost() @ x.sum(axis=1))


@dataclass(frozen=True)
class Assignment:
    """Result of one assignment.

    Attributes
    ----------
    shots
        Rounds of weapon i fired at target j, ``(W, T)`` int.
    surviving_value
        Expected surviving value Σ_j V_j Π_i q_ij^x_ij.
    objective
        Surviving value + weighted round cost (what the assigner minimises).
    status
        ``"optimal"`` (proven), ``"time_limit"``, ``"iteration_limit"``,
        ``"solver_error"`` or ``"heuristic"``.
    lower_bound
        Proven lower bound of the optimal objective (−inf if none).
    gap
        Relative gap (objective − lower_bound)/max(|objective|, 1e-12); 0 when proven
        to the tolerance; nan for a heuristic.
    solve_time
        Wall time of ``assign``. [s]
    iterations
        Master MILPs solved (0 for greedy).
    message
        Human-readable account of how the result ended.
    """

    shots: I64
    surviving_value: float
    objective: float
    status: str
    lower_bound: float
    gap: float
    solve_time: float
    iterations: int = 0
    message: str = ""


class Assigner(ABC):
    """Strategy that assigns weapons to targets for one decision cycle."""

    name: ClassVar[str]

    @abstractmethod
    def assign(self, problem: WTAProblem) -> Assignment:
        """Return the assignment for ``problem``."""


def _greedy_shots(problem: WTAProblem) -> I64:
    """Maximum-marginal-return shots ``(W, T)`` (see the module docstring)."""
    w, t = problem.shape
    k = problem.salvo
    kill = problem.salvo_kill()
    salvo_cost = problem.round_cost() * k                  # (W,)
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


class GreedyAssigner(Assigner):
    """Maximum marginal return, one salvo at a time (heuristic)."""

    name = "greedy"

    def assign(self, problem: WTAProblem) -> Assignment:
        """Greedy assignment; status ``"heuristic"``, no bound."""
        t0 = time.perf_counter()
        shots = _greedy_shots(problem)
        obj = evaluate(problem, shots)
        return Assignment(shots, surviving_value(problem, shots), obj, "heuristic",
                          -np.inf, float("nan"), time.perf_counter() - t0, 0,
                          "maximum marginal return")


def _reductions(problem: WTAProblem) -> tuple[I64, NDArray[np.bool_]]:
    """Salvo caps ``(W, T)`` after removing pairs no optimal assignment uses, and the
    pairs ``(W, T)`` that an optimal assignment only ever uses as the sole salvo at j.

    Exchange argument: with R salvos in all, an assignment that fires salvo s of weapon i
    at j engages at most R − |S_j| other targets.  If more targets k ≠ j have
    V_k p̃_ik > (saving of s at j) (p̃: salvo kill probability, k open to i), one of them
    is unengaged, and moving s there lowers the objective at the same cost, so no optimal
    assignment fires s at j.  The saving of s is at most p̃_ij V_j alone (so the pair is
    dead when R such k exist) and at most p̃_ij V_j q̃* beside another salvo (q̃*: the
    largest survival of another live salvo at j; the pair is "solo" when R − 1 such k
    exist).  Not applied with channel limits, which such a move could break.
    """
    cap = problem.max_salvos()
    w, t = problem.shape
    solo = np.zeros((w, t), dtype=bool)
    n_salvos = int(np.sum(problem.rounds // problem.salvo))
    if problem.channels is not None or n_salvos >= t:
        return cap, solo
    kill = problem.salvo_kill()
    gain = np.where(cap > 0, problem.value * kill, -np.inf)
    ascending = np.sort(gain, axis=1)

    def n_better(thr: F64) -> I64:
        """Targets k with gain_ik > thr_ij, for every (i, j)."""
        return t - np.stack([np.searchsorted(ascending[i], thr[i], side="right")
                             for i in range(w)])

    cap = np.where(n_better(gain) >= n_salvos, 0, cap)
    q = np.where(cap > 0, 1.0 - kill, -np.inf)
    top2 = -np.sort(-q, axis=0)[:2] if w > 1 else np.vstack((q, np.full(t, -np.inf)))
    q_other = np.where(q >= top2[0], top2[1], top2[0])       # best other pair at j
    q_other = np.where(cap > 1, np.maximum(q_other, q), q_other)  # or a 2nd salvo of i
    thr = np.where(q_other > -np.inf, kill * problem.value * np.maximum(q_other, 0.0), np.inf)
    solo = (cap > 0) & (n_better(thr) - (gain > thr) >= n_salvos - 1)
    return np.where(solo, 1, cap), solo


_A_MAX = 40.0     # cap of a = −ln q (q = 0): a fired capped pair makes z ≥ 40
_Z_MAX = 30.0     # largest tangent point: tangents at z₀ ≤ 30 stay valid under the cap
_Z_GRID = np.arange(0.5, 8.01, 0.5)   # first tangents of targets that may take 2+ salvos


@dataclass(frozen=True)
class _Pairs:
    """Master variables: one per live (weapon, target) pair, n_p ∈ [0, cap_p] salvos,
    binary where cap_p = 1; target-major order."""

    weapon: I64          # (n,)
    target: I64          # (n,)
    kill: F64            # (n,) salvo kill probability p
    cap: I64             # (n,) most salvos
    solo: NDArray[np.bool_]  # (n,) pair that only fires alone at its target
    start: I64           # (T+1,) pairs of target j are start[j]:start[j+1]

    @classmethod
    def build(cls, problem: WTAProblem) -> _Pairs:
        cap, solo = _reductions(problem)
        jj, ii = np.nonzero(cap.T > 0)
        start = np.searchsorted(jj, np.arange(problem.shape[1] + 1)).astype(np.int64)
        return cls(ii.astype(np.int64), jj.astype(np.int64), problem.salvo_kill()[ii, jj],
                   cap[ii, jj], solo[ii, jj], start)

    @property
    def n(self) -> int:
        return int(self.weapon.size)

    @property
    def log_kill(self) -> F64:
        """a = −ln(1 − p) per salvo, capped at ``_A_MAX``, ``(n,)``."""
        return np.minimum(-np.log(np.maximum(1.0 - self.kill, 1e-300)), _A_MAX)


def _prod_except(q: F64) -> F64:
    """Π_{r≠s} q_r for every s (exact with zeros), via prefix and suffix products."""
    pre = np.concatenate(([1.0], np.cumprod(q)[:-1]))
    suf = np.concatenate((np.cumprod(q[::-1])[::-1][1:], [1.0]))
    return pre * suf


def _cuts(value: float, kill: F64, chosen: NDArray[np.bool_]) -> tuple[F64, F64]:
    """Coefficients ``(2, n_j)`` and right-hand sides ``(2,)`` of the two Nemhauser–Wolsey
    cuts η + a·y ≥ b of one target with binary pairs, at the fired set ``chosen``.

    Coefficients below 1e-9 of the value are dropped with y ≤ 1 (their a·y ≥ 0 moves to
    the right-hand side), so the cut stays valid and HiGHS gets no tiny entries."""
    q = 1.0 - kill
    f_s = value * float(np.prod(q[chosen]))
    rho1 = kill * value * _prod_except(np.where(chosen, q, 1.0))  # p_s F(S∖s)
    rho2 = kill * value * _prod_except(q)                          # p_s F(N∖s)
    a = np.vstack((np.where(chosen, rho1, kill * value), np.where(chosen, rho2, kill * f_s)))
    b = f_s + np.array([rho1[chosen].sum(), rho2[chosen].sum()])
    tiny = a < 1e-9 * max(value, 1.0)
    b -= np.where(tiny, a, 0.0).sum(axis=1)
    return np.where(tiny, 0.0, a), b


class _Master:
    """Master MILP over x = (n pairs, η targets[, e engagement indicators]); cuts
    accumulate between solves."""

    def __init__(self, problem: WTAProblem, pairs: _Pairs) -> None:
        self.problem, self.pairs = problem, pairs
        w, t = problem.shape
        n = pairs.n
        multi = np.flatnonzero(pairs.cap > 1)
        channels = problem.channels
        chan = channels is not None
        self.n_var = n + t + (multi.size if chan else 0)
        k = problem.salvo[pairs.weapon]
        self.c = np.zeros(self.n_var)
        self.c[:n] = problem.round_cost()[pairs.weapon] * k
        self.c[n:n + t] = 1.0
        idx = np.arange(n)
        inf = np.inf
        blocks = [(pairs.weapon, idx, k.astype(float), np.full(w, -inf),
                   problem.rounds.astype(float))]                       # rounds
        if channels is not None:   # e_p ≥ n_p / cap_p (multi-salvo pairs); Σ_j engaged_ij ≤ C_i
            e = n + t + np.arange(multi.size)
            r = np.arange(multi.size)
            blocks.append((np.r_[r, r], np.r_[e, multi],
                           np.r_[pairs.cap[multi].astype(float), -np.ones(multi.size)],
                           np.zeros(multi.size), np.full(multi.size, inf)))
            engaged = np.arange(n)
            engaged[multi] = e
            blocks.append((pairs.weapon, engaged, np.ones(n), np.full(w, -inf),
                           channels.astype(float)))
        blocks.append(self._solo_rows())
        mats, lo, hi = [], [], []
        for r, cidx, v, lb, ub in blocks:
            mats.append(csr_matrix((v, (r, cidx)), shape=(lb.size, self.n_var)))
            lo.append(lb)
            hi.append(ub)
        self.static = LinearConstraint(vstack(mats, format="csr"), np.concatenate(lo),
                                       np.concatenate(hi))
        self.integrality = np.ones(self.n_var)
        self.integrality[n:n + t] = 0
        idle = np.where(np.diff(pairs.start) == 0, problem.value, 0.0)  # no pair: η_j = V_j
        self.bounds = Bounds(np.r_[np.zeros(n), idle, np.zeros(self.n_var - n - t)],
                             np.r_[pairs.cap, problem.value, np.ones(self.n_var - n - t)])
        spans = [slice(pairs.start[j], pairs.start[j + 1]) for j in range(t)]
        self.binary_target = np.array([np.all(pairs.cap[s] == 1) for s in spans], dtype=bool)
        # at most one salvo can hit these targets: the union bound is exact there
        self.single = np.array([np.all(pairs.solo[s]) for s in spans], dtype=bool)
        self.n_rows = 0
        self.cut_r: list[I64] = []
        self.cut_c: list[I64] = []
        self.cut_v: list[F64] = []
        self.cut_b: list[F64] = []
        self.seen: set[tuple[int, bytes]] = set()
        self.seen_tangent: set[tuple[int, float]] = set()

    def _solo_rows(self) -> tuple[I64, I64, F64, F64, F64]:
        """Rows cap_m Σ_{solo pairs at j} n + n_m ≤ cap_m for each other pair m at j, and
        Σ_solo n ≤ 1: a solo pair never shares its target (``_reductions``)."""
        s = self.pairs
        rr: list[I64] = []
        cc: list[I64] = []
        vv: list[F64] = []
        hi: list[float] = []
        for j in np.unique(s.target[s.solo]):
            at_j = np.arange(s.start[j], s.start[j + 1])
            solo, other = at_j[s.solo[at_j]], at_j[~s.solo[at_j]]
            for m in [None, *other]:
                cap = 1.0 if m is None else float(s.cap[m])
                cols = solo if m is None else np.append(solo, m)
                rr.append(np.full(cols.size, len(hi)))
                cc.append(cols)
                vv.append(np.r_[np.full(solo.size, cap), np.ones(cols.size - solo.size)])
                hi.append(cap)
        if not hi:
            e = np.empty(0, dtype=np.int64)
            return e, e, np.empty(0), np.empty(0), np.empty(0)
        return (np.concatenate(rr), np.concatenate(cc), np.concatenate(vv),
                np.full(len(hi), -np.inf), np.array(hi))

    def salvos(self, shots: I64) -> I64:
        """Salvos per pair ``(n,)`` of ``shots``."""
        s = self.pairs
        return shots[s.weapon, s.target] // self.problem.salvo[s.weapon]

    def shots(self, n: I64) -> I64:
        """Shots ``(W, T)`` of salvos per pair."""
        s = self.pairs
        out = np.zeros(self.problem.shape, dtype=np.int64)
        out[s.weapon, s.target] = n * self.problem.salvo[s.weapon]
        return out

    def surviving(self, n: I64) -> F64:
        """Surviving value F_j of every target under salvos ``n``, ``(T,)``."""
        s = self.pairs
        q = np.append((1.0 - s.kill) ** n, 1.0)
        busy = np.diff(s.start) > 0
        out = self.problem.value.copy()
        out[busy] *= np.multiply.reduceat(q, s.start[:-1][busy])
        return out

    def _append(self, j: int, coef: F64, rhs: F64) -> None:
        """Append rows η_j + coef·n_(pairs of j) ≥ rhs, ``coef (r, n_j)``, ``rhs (r,)``."""
        a, b = int(self.pairs.start[j]), int(self.pairs.start[j + 1])
        n_rows = rhs.size
        self.cut_r.append(np.repeat(self.n_rows + np.arange(n_rows), b - a + 1))
        self.n_rows += n_rows
        self.cut_c.append(np.tile(np.append(np.arange(a, b), self.pairs.n + j), n_rows))
        self.cut_v.append(np.hstack((coef, np.ones((n_rows, 1)))).ravel())
        self.cut_b.append(rhs)

    def add_tangents(self, j: int, z0: F64) -> int:
        """Tangents of V_j e^(−z) at the points ``z0`` (capped at ``_Z_MAX``), with
        z = Σ a_p n_p: η_j + V_j e^(−z₀) Σ a_p n_p ≥ V_j e^(−z₀)(1 + z₀); count added."""
        s = self.pairs
        a, b = int(s.start[j]), int(s.start[j + 1])
        z0 = np.unique(np.minimum(z0, _Z_MAX))
        z0 = np.array([z for z in z0 if (j, float(z)) not in self.seen_tangent])
        if a == b or z0.size == 0:
            return 0
        self.seen_tangent.update((j, float(z)) for z in z0)
        e = self.problem.value[j] * np.exp(-z0)
        self._append(j, e[:, None] * s.log_kill[a:b][None, :], e * (1.0 + z0))
        return int(z0.size)

    def add_first_cuts(self, incumbent: I64) -> None:
        """Union bounds η_j ≥ V_j(1 − Σ p n) of all targets, the cuts at the incumbent
        salvos, and the ``_Z_GRID`` tangents of targets that may take 2+ salvos."""
        s, value = self.pairs, self.problem.value
        for j in np.flatnonzero(np.diff(s.start) > 0):
            a, b = int(s.start[j]), int(s.start[j + 1])
            self._append(int(j), value[j] * s.kill[a:b][None, :], np.array([value[j]]))
            self.seen.add((int(j), np.packbits(np.zeros(b - a, dtype=bool)).tobytes()))
            if not s.solo[a:b].all() and (b - a > 1 or s.cap[a] > 1):
                self.add_tangents(int(j), _Z_GRID)
        self.add_cuts_at(incumbent)

    def add_cuts_at(self, n: I64, eta: F64 | None = None) -> int:
        """Add, for every target where new and (if ``eta`` is given) violated, the tangent
        at its z and, for targets with binary pairs only, the two NW cuts at its fired
        set; count the targets cut."""
        s, value = self.pairs, self.problem.value
        todo = (np.diff(s.start) > 0) & ~self.single
        if eta is not None:
            todo &= eta < self.surviving(n) - 1e-9 * np.maximum(value, 1.0)
        n_added = 0
        log_kill = s.log_kill
        for j in np.flatnonzero(todo):
            a, b = int(s.start[j]), int(s.start[j + 1])
            added = self.add_tangents(int(j), np.array([log_kill[a:b] @ n[a:b]])) > 0
            chosen = n[a:b] > 0
            key = (int(j), np.packbits(chosen).tobytes())
            if self.binary_target[j] and key not in self.seen:
                self.seen.add(key)
                self._append(int(j), *_cuts(float(value[j]), s.kill[a:b], chosen))
                added = True
            n_added += added
        return n_added

    def _cut_matrix(self, scaled: bool) -> LinearConstraint:
        """The cuts as one constraint; ``scaled``: each row divided by its largest |coef|."""
        rhs = np.concatenate(self.cut_b)
        a = csr_matrix((np.concatenate(self.cut_v),
                        (np.concatenate(self.cut_r), np.concatenate(self.cut_c))),
                       shape=(rhs.size, self.n_var))
        if scaled:
            scale = 1.0 / abs(a).max(axis=1).toarray().ravel()
            a, rhs = csr_matrix(a.multiply(scale[:, None])), rhs * scale
        return LinearConstraint(a, rhs, np.inf)

    def solve(self, time_limit: float, rel_gap: float) -> tuple[Any, float]:
        """Solve the master with HiGHS (``scipy.optimize.milp``); return the result and a
        lower bound of the master.  The LP relaxation is solved first: if its optimum is
        integral it solves the master, and the branch and bound is skipped.  HiGHS 1.12
        sometimes ends a MIP with "solve error" (its final check finds a row violated by
        exactly its 1e-6 tolerance); the MIP is then retried without presolve, then with
        the cut rows scaled."""
        cuts = self._cut_matrix(scaled=False)
        opts: dict[str, Any] = {"time_limit": time_limit, "mip_rel_gap": rel_gap}
        res = milp(self.c, bounds=self.bounds, constraints=[self.static, cuts], options=opts)
        ints = self.integrality > 0
        if res.status == 0 and np.all(np.abs(res.x[ints] - np.round(res.x[ints])) < 1e-9):
            return res, float(res.fun)
        for extra, scaled in (({}, False), ({"presolve": False}, False), ({}, True)):
            cons = [self.static, self._cut_matrix(scaled) if scaled else cuts]
            res = milp(self.c, integrality=self.integrality, bounds=self.bounds,
                       constraints=cons, options=opts | extra)
            if res.status != 4:
                break
        bound = res.mip_dual_bound if res.mip_dual_bound is not None else -np.inf
        return res, float(bound)


class ExactAssigner(Assigner):
    """Exact WTA: outer approximation (union-bound, tangent and Nemhauser–Wolsey cuts)
    whose master MILPs HiGHS solves; see the module docstring and docs/c2.md §1.2.

    Parameters
    ----------
    rel_gap
        Relative optimality tolerance of the loop and of each HiGHS master.
    time_limit
        Wall-time limit of one ``assign``. [s]
    max_iterations
        Most master MILPs.
    """

    name = "milp"

    def __init__(self, rel_gap: float = 1e-9, time_limit: float = 60.0,
                 max_iterations: int = 200) -> None:
        if not rel_gap >= 0:
            raise ValueError(f"rel_gap must be >= 0, got {rel_gap!r}")
        if not time_limit > 0:
            raise ValueError(f"time_limit must be > 0, got {time_limit!r}")
        if max_iterations < 1:
            raise ValueError(f"max_iterations must be >= 1, got {max_iterations!r}")
        self.rel_gap = rel_gap
        self.time_limit = time_limit
        self.max_iterations = max_iterations

    def assign(self, problem: WTAProblem) -> Assignment:
        """Proven-optimal assignment (or the best found and its gap at a limit)."""
        t0 = time.perf_counter()
        best = _greedy_shots(problem)
        best_obj = evaluate(problem, best)
        pairs = _Pairs.build(problem)
        if pairs.n == 0:
            return self._result(problem, best, best_obj, best_obj, "optimal", t0, 0,
                                "no salvo can be fired")
        master = _Master(problem, pairs)
        master.add_first_cuts(master.salvos(best))
        lower, it = -np.inf, 0
        status, msg = "iteration_limit", f"{self.max_iterations} master MILPs without closing"
        while it < self.max_iterations:
            remaining = self.time_limit - (time.perf_counter() - t0)
            if remaining <= 0:
                status, msg = "time_limit", "time limit reached between master MILPs"
                break
            it += 1
            res, bound = master.solve(remaining, self.rel_gap)
            if res.x is None:
                status = "time_limit" if res.status == 1 else "solver_error"
                msg = f"HiGHS stopped without a solution: {res.message}"
                break
            lower = max(lower, bound)
            n = np.round(res.x[: pairs.n]).astype(np.int64)
            shots = master.shots(n)
            obj = evaluate(problem, shots)
            if obj < best_obj:
                best, best_obj = shots, obj
            if res.status != 0:
                status, msg = "time_limit", f"HiGHS: {res.message}"
                break
            added = master.add_cuts_at(n, res.x[pairs.n:pairs.n + problem.shape[1]])
            if added == 0 or best_obj - lower <= max(self.rel_gap * abs(best_obj), 1e-6):
                status, msg = "optimal", f"bounds met after {it} master MILP(s)"
                break
        return self._result(problem, best, best_obj, lower, status, t0, it, msg)

    @staticmethod
    def _result(problem: WTAProblem, shots: I64, obj: float, lower: float, status: str,
                t0: float, iterations: int, message: str) -> Assignment:
        lower = min(lower, obj)         # a bound above the incumbent is round-off
        gap = (obj - lower) / max(abs(obj), 1e-12) if np.isfinite(lower) else np.inf
        return Assignment(shots, surviving_value(problem, shots), obj, status, lower, gap,
                          time.perf_counter() - t0, iterations, message)


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
