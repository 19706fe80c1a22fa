"""The weapon-target assignment problem, its result, the assigner interface and the
greedy maximum-marginal-return assigner (the formulation: :mod:`tate.c2.wta`)."""

from __future__ import annotations

import math
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["Assigner", "Assignment", "GreedyAssigner", "WTAProblem", "evaluate",
           "evaluate_parts", "surviving_value"]

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]

_UNLIMITED = np.iinfo(np.int64).max // 4


def _array(x: ArrayLike, dtype: type, shape: tuple[int, ...], name: str) -> NDArray[Any]:
    """``x`` broadcast to ``shape`` as a read-only array, or a ValueError naming it."""
    if isinstance(x, np.ndarray) and x.dtype == dtype and x.shape == shape:
        arr0 = x.copy()             # the common case (engine-built problems): one copy
        arr0.setflags(write=False)
        return arr0
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

    def _valid(self) -> bool:
        """Cheap test that every rule of :meth:`_check` holds (False: let it find out)."""
        # the int arrays' least values on Python ints (exact; a few entries), the floats'
        # by numpy (a NaN fails the test)
        lows = [(self.rounds, 0), (self.salvo, 1)]
        lows += [(v, 0) for v in (self.channels, self.max_shots) if v is not None]
        if not all(a.size == 0 or min(a.ravel().tolist()) >= lo for a, lo in lows):
            return False
        if self.value.size and not self.value.min() >= 0:
            return False
        pk, cost, w_c = self.pk, self.cost, self.cost_weight
        return ((pk.size == 0 or (pk.min() >= 0 and pk.max() <= 1))
                and (cost is None or bool(np.isfinite(cost).all()))
                and 0 <= self.min_pk <= 1 and math.isfinite(w_c) and w_c >= 0)

    def _check(self) -> None:
        if self._valid():
            return
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

    def _memo(self, name: str, make: Any) -> Any:
        """``make()`` computed once per problem (its fields are frozen) and kept
        read-only."""
        got = self.__dict__.get(name)
        if got is None:
            got = make()
            got.setflags(write=False)
            self.__dict__[name] = got  # not a field: equality and repr ignore it
        return got

    def max_salvos(self) -> I64:
        """Most salvos of weapon i at target j, ``(W, T)`` (0 where forbidden;
        read-only)."""
        def make() -> I64:
            cap = self.rounds[:, None]           # broadcast by np.minimum / np.where
            if self.max_shots is not None:
                cap = np.minimum(cap, self.max_shots)
            return np.where(self.allowed(), cap // self.salvo[:, None], 0).astype(np.int64)

        return self._memo("_max_salvos", make)

    def salvo_kill(self) -> F64:
        """Kill probability of one salvo of k_i rounds, 1 − (1 − p_ij)^k_i, ``(W, T)``
        (read-only)."""
        return self._memo(
            "_salvo_kill", lambda: 1.0 - (1.0 - self.pk) ** self.salvo[:, None])

    def round_cost(self) -> F64:
        """Weighted cost w_c·c_i of one round of weapon i, ``(W,)`` (read-only)."""
        def make() -> F64:
            if self.cost is None or self.cost_weight == 0.0:
                return np.zeros(self.shape[0])
            return self.cost_weight * self.cost

        return self._memo("_round_cost", make)


def surviving_value(problem: WTAProblem, shots: ArrayLike) -> float:
    """Expected surviving value Σ_j V_j Π_i (1 − p_ij)^x_ij of the shots ``(W, T)``."""
    x = np.asarray(shots)
    return float(problem.value @ np.prod((1.0 - problem.pk) ** x, axis=0))


def evaluate(problem: WTAProblem, shots: ArrayLike) -> float:
    """Objective: surviving value + w_c Σ_ij c_i x_ij."""
    return evaluate_parts(problem, shots)[1]


def evaluate_parts(problem: WTAProblem, shots: ArrayLike) -> tuple[float, float]:
    """(surviving value, objective) of ``shots``: :func:`evaluate` with its first term."""
    x = np.asarray(shots)
    surv = surviving_value(problem, x)
    return surv, surv + float(problem.round_cost() @ x.sum(axis=1))


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
    """Maximum-marginal-return shots ``(W, T)`` (see the module docstring).

    One salvo at a time: the allowed pair of largest gain (the first in row-major order
    on a tie, as ``np.argmax``), while that gain is positive.  The loop runs on Python
    scalars (a few weapons and targets): the same IEEE products and differences as the
    array form ``surv_j · kill_ij − cost_i`` per pair."""
    w, t = problem.shape
    k = problem.salvo.tolist()
    kill = problem.salvo_kill().tolist()
    salvo_cost = (problem.round_cost() * problem.salvo).tolist()  # (W,)
    max_sal = problem.max_salvos().tolist()
    chan = (problem.channels.tolist() if problem.channels is not None
            else [_UNLIMITED] * w)
    left = problem.rounds.tolist()
    salvos = [[0] * t for _ in range(w)]
    engaged = [0] * w  #: targets each weapon has a salvo at
    surv = problem.value.astype(np.float64).tolist()
    ninf = -math.inf
    gain = [[surv[j] * kr[j] - c if mr[j] > 0 else ninf for j in range(t)]
            for kr, mr, c in zip(kill, max_sal, salvo_cost, strict=True)]
    # the live pairs (max_sal > 0) in row-major order: every other pair is −inf in the
    # argmax, so it wins only where all are −inf, and then no salvo is fired either way
    live = [(i, cols) for i, cols in enumerate([j for j, m in enumerate(mr) if m > 0]
                                               for mr in max_sal) if cols]
    while live:
        bi = bj = -1
        best = math.nan  # np.argmax of where(ok, gain, −inf): first max, first NaN
        for i, cols in live:
            room = left[i] >= k[i]
            free = engaged[i] < chan[i]
            si, gi, mi = salvos[i], gain[i], max_sal[i]
            for j in cols:
                v = (gi[j] if room and si[j] < mi[j] and (si[j] > 0 or free)
                     else ninf)
                if bi < 0 or v > best:
                    best, bi, bj = v, i, j
                if v != v:
                    best, bi, bj = v, i, j
                    break
            if best != best:
                break
        sij = salvos[bi][bj]
        ok = left[bi] >= k[bi] and sij < max_sal[bi][bj] and (
            sij > 0 or engaged[bi] < chan[bi])
        if not ok or gain[bi][bj] <= 0.0:
            break
        if sij == 0:
            engaged[bi] += 1
        salvos[bi][bj] = sij + 1
        left[bi] -= k[bi]
        surv[bj] *= 1.0 - kill[bi][bj]
        for i, _ in live:  # (the other rows' gains stay −inf)
            gain[i][bj] = (surv[bj] * kill[i][bj] - salvo_cost[i] if max_sal[i][bj] > 0
                           else ninf)
    return np.array(salvos, np.int64).reshape(w, t) * problem.salvo[:, None]


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
