"""The exact weapon-target assignment: outer approximation with master MILPs on HiGHS
(the formulation and the method: :mod:`tate.c2.wta` and docs/c2.md §1.2)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import scipy.optimize._highspy._core as _hcore
from numpy.typing import NDArray
from scipy.optimize import LinearConstraint, OptimizeResult
from scipy.optimize._linprog_highs import _highs_to_scipy_status_message
from scipy.sparse import csr_matrix

from tate.c2.enum_proof import enumeration_proof
from tate.c2.problem import (
    Assigner,
    Assignment,
    WTAProblem,
    _greedy_shots,
    evaluate,
    evaluate_parts,
    surviving_value,
)

__all__ = ["ExactAssigner"]

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]

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


def _greedy_proof(problem: WTAProblem, shots: I64, max_sal: I64) -> str:
    """Why the greedy ``shots`` are optimal, or "" where this is not shown.

    The exact loop starts from the greedy incumbent and replaces it only by a master
    solution whose evaluated objective is strictly lower, so where greedy is optimal the
    loop returns greedy's shots.  Two cases with binary pairs (at most one salvo each) are
    proven here:

    * every live pair fired and no round cost: any feasible assignment fires a subset of
      these salvos, and the objective (products and sums of factors in [0, 1] with
      non-negative weights, rounded monotonically) cannot be lower in floating point;
    * no channel limits and at most one live pair per target: the problem separates by
      weapon into picking its best ``rounds // salvo`` salvos by the exact saving
      V_j p̃_ij − w_c c_i k_i, which greedy does in order; proven when every saving and
      the gap between the last salvo taken and the first left out exceed a margin
      (1e-9 of the objective's scale, far above its rounding), so that any other
      assignment is worse by more than rounding.
    """
    if max_sal.max() > 1:
        return ""
    k = problem.salvo
    fired = max_sal * k[:, None]
    cost = problem.round_cost()
    if not cost.any() and np.array_equal(shots, fired):
        return "greedy fires every live salvo at no cost: optimal"
    live = max_sal > 0
    if problem.channels is not None or live.sum(axis=0).max() > 1:
        return ""
    gain = problem.value * problem.salvo_kill() - (cost * k)[:, None]
    margin = 1e-9 * (1.0 + float(problem.value.sum()) + float(cost @ problem.rounds))
    take = np.zeros_like(live)
    for i in np.flatnonzero(live.any(axis=1)).tolist():
        cols = np.flatnonzero(live[i])
        g = gain[i, cols]
        if np.abs(g).min() <= margin:
            return ""
        order = np.argsort(-g, kind="stable")
        n = min(int(problem.rounds[i] // k[i]), int(np.count_nonzero(g > 0)))
        if n < cols.size and n > 0 and g[order[n - 1]] - g[order[n]] <= margin:
            return ""
        take[i, cols[order[:n]]] = True
    if not np.array_equal(shots, np.where(take, fired, 0)):
        return ""
    return "one live pair per target, greedy takes each weapon's best salvos: optimal"


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


class _Rows(NamedTuple):
    """Constraint rows lb ≤ A x ≤ ub, A in CSR."""

    indptr: NDArray[np.int32]
    indices: NDArray[np.int32]
    data: F64
    lb: F64
    ub: F64


class _Bounds(NamedTuple):
    """The variables' bounds lb ≤ x ≤ ub."""

    lb: F64
    ub: F64


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
        rows, off = [], 0  # one matrix of the blocks stacked (each has unique entries)
        for r, _, _, lb, _ in blocks:
            rows.append(np.asarray(r) + off)
            off += lb.size
        # in CSR, rows in order and each row's columns increasing (what csr_matrix makes
        # of these COO triplets: tested), as arrays (no sparse object per master)
        self.coo = (np.concatenate([b[2] for b in blocks]).astype(np.float64),
                    np.concatenate(rows), np.concatenate([b[1] for b in blocks]))
        order = np.lexsort((self.coo[2], self.coo[1]))
        ptr = np.zeros(off + 1, np.int32)
        np.cumsum(np.bincount(self.coo[1], minlength=off), out=ptr[1:])
        self.static = _Rows(ptr, self.coo[2][order].astype(np.int32), self.coo[0][order],
                            np.concatenate([b[3] for b in blocks]).astype(np.float64),
                            np.concatenate([b[4] for b in blocks]).astype(np.float64))
        self.integrality = np.ones(self.n_var)
        self.integrality[n:n + t] = 0
        self._continuous = np.zeros(self.n_var, np.uint8)  #: the LP relaxation's
        idle = np.where(np.diff(pairs.start) == 0, problem.value, 0.0)  # no pair: η_j = V_j
        self.bounds = _Bounds(  # the variables' (lb, ub)
            np.concatenate((np.zeros(n), idle, np.zeros(self.n_var - n - t))),
            np.concatenate((pairs.cap, problem.value, np.ones(self.n_var - n - t)),
                           dtype=np.float64))
        # per target: all its pairs binary (none has cap ≠ 1), all solo
        multi_at = np.concatenate(([0], np.cumsum(pairs.cap != 1)))[pairs.start]
        self.binary_target = np.diff(multi_at) == 0
        # at most one salvo can hit these targets: the union bound is exact there
        not_solo_at = np.concatenate(([0], np.cumsum(~pairs.solo)))[pairs.start]
        self.single = np.diff(not_solo_at) == 0
        self.n_rows = 0
        # the cut rows, in blocks appended: columns (k,) and coefficients (r, k) per block
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
        self.n_rows += n_rows
        cols = np.arange(a, b + 1)  # increasing: the pairs of j, then η_j (after all pairs)
        cols[-1] = self.pairs.n + j
        v = np.empty((n_rows, b - a + 1))
        v[:, :-1] = coef
        v[:, -1] = 1.0
        self.cut_c.append(cols)
        self.cut_v.append(v)
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

    def _constraints(self, scaled: bool) -> tuple[Any, Any, F64, F64, F64]:
        """The static rows and the cuts (:meth:`_cut_matrix`) as one matrix in CSC
        ``(indptr, indices, data)`` and its row bounds ``(lb, ub)``: the arrays
        ``scipy.optimize.milp`` would hand HiGHS from the two constraints (its CSC
        ``vstack``: each column's rows in order, explicit zeros kept), built here in numpy
        (a stable sort of the stacked CSR entries by column, as scipy's CSR → CSC)."""
        a = self.static
        if scaled:
            cuts = self._cut_matrix(True)
            b_ptr, b_idx, b_val, rhs = cuts.A.indptr, cuts.A.indices, cuts.A.data, cuts.lb
        else:
            b_ptr, b_idx, b_val, rhs = self._cut_arrays()
        idx = np.concatenate((a.indices, b_idx))
        size = np.diff(np.concatenate((a.indptr, b_ptr[1:] + a.indptr[-1])))
        order = np.argsort(idx, kind="stable")
        row = np.repeat(np.arange(size.size, dtype=np.int32), size)
        ptr = np.zeros(self.n_var + 1, np.int32)
        np.cumsum(np.bincount(idx, minlength=self.n_var), out=ptr[1:])
        return (ptr, row[order], np.concatenate((a.data, b_val))[order],
                np.concatenate((self.static.lb, rhs)),
                np.concatenate((self.static.ub, np.full(rhs.size, np.inf))))

    def _cut_arrays(self) -> tuple[Any, Any, F64, F64]:
        """The cuts in CSR ``(indptr, indices, data)`` (each row's columns distinct and
        increasing: the matrix the COO triplets give, explicit zeros kept) and their
        right-hand sides."""
        size = np.concatenate([np.full(v.shape[0], v.shape[1]) for v in self.cut_v])
        indptr = np.concatenate(([0], np.cumsum(size))).astype(np.int32)
        indices = np.concatenate([np.tile(c, v.shape[0]) for c, v in
                                  zip(self.cut_c, self.cut_v, strict=True)]).astype(np.int32)
        return (indptr, indices, np.concatenate([v.ravel() for v in self.cut_v]),
                np.concatenate(self.cut_b))

    def _cut_matrix(self, scaled: bool) -> LinearConstraint:
        """The cuts as one constraint; ``scaled``: each row divided by its largest |coef|."""
        indptr, indices, data, rhs = self._cut_arrays()
        a = csr_matrix((data, indices, indptr), shape=(rhs.size, self.n_var))
        if scaled:
            scale = 1.0 / abs(a).max(axis=1).toarray().ravel()
            a, rhs = csr_matrix(a.multiply(scale[:, None])), rhs * scale
        return LinearConstraint(a, rhs, np.inf)

    def solve(self, time_limit: float, rel_gap: float) -> tuple[Any, float]:
        """Solve the master with HiGHS (:func:`_highs`); return the result and a
        lower bound of the master.  The LP relaxation is solved first: if its optimum is
        integral it solves the master, and the branch and bound is skipped.  HiGHS 1.12
        sometimes ends a MIP with "solve error" (its final check finds a row violated by
        exactly its 1e-6 tolerance); the MIP is then retried without presolve, then with
        the cut rows scaled."""
        ptr, idx, val, lhs, rhs = self._constraints(scaled=False)
        lb, ub = self.bounds.lb, self.bounds.ub
        opts: dict[str, Any] = {"time_limit": time_limit, "mip_rel_gap": rel_gap}
        res = _highs(self.c, ptr, idx, val, lhs, rhs, lb, ub, self._continuous, opts)
        ints = self.integrality > 0
        if res.status == 0 and np.all(np.abs(res.x[ints] - np.round(res.x[ints])) < 1e-9):
            return res, float(res.fun)
        integ = self.integrality.astype(np.uint8)
        for presolve, scaled in ((True, False), (False, False), (True, True)):
            model = self._constraints(True) if scaled else (ptr, idx, val, lhs, rhs)
            res = _highs(self.c, *model, lb, ub, integ,
                         opts if presolve else opts | {"presolve": False})
            if res.status != 4:
                break
        bound = res.mip_dual_bound if res.mip_dual_bound is not None else -np.inf
        return res, float(bound)


_VAR_TYPES = (_hcore.HighsVarType(0), _hcore.HighsVarType(1))  #: continuous, integer
_OPTIONS: list[Any] = []  #: HiGHS's default options but log_to_console, built once


def _options() -> Any:
    """HiGHS's default options with ``log_to_console`` off (milp's disp=False), one object
    built once: :func:`_highs` sets its other options at every call (``passOptions``
    copies them into the solver)."""
    if not _OPTIONS:
        opt = _hcore.HighsOptions()
        opt.log_to_console = False
        _OPTIONS.append(opt)
    return _OPTIONS[0]


def _highs(c: F64, indptr: Any, indices: Any, data: F64, lhs: F64, rhs: F64, lb: F64,
           ub: F64, integrality: NDArray[np.uint8], options: dict[str, Any]) -> Any:
    """HiGHS on min c·x, lhs ≤ A x ≤ rhs, lb ≤ x ≤ ub (A in CSC): what
    ``scipy.optimize.milp`` returns (``status``, ``message``, ``x``, ``fun``,
    ``mip_dual_bound``) for the same arrays and ``options`` (``time_limit``,
    ``mip_rel_gap``, ``presolve``), the same model and options handed to the same HiGHS
    (scipy's pinned ``_highspy._highs_wrapper``: the steps of its ``_highs_wrapper``
    without the option checks, valid here by construction, and the duals, unused)."""
    hs = _hcore
    lp = hs.HighsLp()
    lp.num_col_ = lp.a_matrix_.num_col_ = c.size
    lp.num_row_ = lp.a_matrix_.num_row_ = rhs.size
    lp.a_matrix_.format_ = hs.MatrixFormat.kColwise
    lp.col_cost_, lp.col_lower_, lp.col_upper_ = c, lb, ub
    lp.row_lower_, lp.row_upper_ = lhs, rhs
    lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = indptr, indices, data
    kinds = _VAR_TYPES
    lp.integrality_ = [kinds[i] for i in integrality.tolist()]
    highs, opt = hs._Highs(), _options()
    # every option set here is set at each call (the defaults' object is reused)
    opt.time_limit, opt.mip_rel_gap = float(options["time_limit"]), options["mip_rel_gap"]
    opt.presolve = "choose" if options.get("presolve", True) else "off"
    out: dict[str, Any] = {"x": None, "fun": None, "mip_dual_bound": None}
    model_status = None
    if highs.passOptions(opt) == hs.HighsStatus.kError:
        model_status = highs.getModelStatus()
    elif highs.passModel(lp) == hs.HighsStatus.kError:
        model_status = hs.HighsModelStatus.kModelError
    elif highs.run() == hs.HighsStatus.kError:
        model_status = highs.getModelStatus()
    if model_status is not None:
        message = highs.modelStatusToString(model_status)
    else:
        model_status, info, st = highs.getModelStatus(), highs.getInfo(), hs.HighsModelStatus
        limit = model_status in (st.kTimeLimit, st.kIterationLimit, st.kSolutionLimit)
        is_mip = bool(integrality.any())  # (np.sum(integrality) > 0)
        if (model_status != st.kOptimal and not (is_mip and limit)) or (
                is_mip and limit and info.objective_function_value == hs.kHighsInf):
            message = (f"model_status is {highs.modelStatusToString(model_status)}; "
                       "primal_status is "
                       f"{highs.solutionStatusToString(info.primal_solution_status)}")
        else:
            message = highs.modelStatusToString(model_status)
            out["x"] = np.array(highs.getSolution().col_value)
            out["fun"] = info.objective_function_value
            if is_mip:
                out["mip_dual_bound"] = info.mip_dual_bound
    out["status"], out["message"] = _highs_to_scipy_status_message(model_status, message)
    return OptimizeResult(out)


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
        """Proven-optimal assignment (or the best found and its gap at a limit).

        Two cases end before any master MILP, with the assignment the loop would return
        (:func:`_greedy_proof`, :func:`tate.c2.enum_proof.enumeration_proof`): nothing
        can be fired, or the greedy incumbent is proven optimal (no master solution could
        then replace it)."""
        t0 = time.perf_counter()
        max_sal = problem.max_salvos()
        if not max_sal.any():
            none = np.zeros(problem.shape, dtype=np.int64)   # what greedy returns here
            obj = evaluate(problem, none)
            return self._result(problem, none, obj, obj, "optimal", t0, 0,
                                "no salvo can be fired")
        best = _greedy_shots(problem)
        surv, best_obj = evaluate_parts(problem, best)
        why = (_greedy_proof(problem, best, max_sal)
               or enumeration_proof(problem, best, best_obj, max_sal))
        if why:
            return self._result(problem, best, best_obj, best_obj, "optimal", t0, 0, why,
                                surv)
        return self._loop(problem, best, best_obj, t0)

    def _loop(self, problem: WTAProblem, best: I64, best_obj: float,
              t0: float) -> Assignment:
        """The outer-approximation loop from the incumbent ``best`` (the full method)."""
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
                t0: float, iterations: int, message: str,
                surv: float | None = None) -> Assignment:
        """The assignment record (``surv``: ``surviving_value`` of ``shots`` if known)."""
        lower = min(lower, obj)         # a bound above the incumbent is round-off
        gap = (obj - lower) / max(abs(obj), 1e-12) if np.isfinite(lower) else np.inf
        if surv is None:
            surv = surviving_value(problem, shots)
        return Assignment(shots, surv, obj, status, lower, gap,
                          time.perf_counter() - t0, iterations, message)
