"""Fire-control doctrine bookkeeping of one decision cycle to the next.

What it models
--------------
* :class:`Hold`: shoot-look-shoot.  Once rounds are fired at a key — a threat (truth
  row) or a track (track id; a false track, or one lagging a manoeuvring threat, is on no
  threat and is held by its own id) — it is not engaged again while any of them is in the
  air, nor before its kill assessment is due: the launch's predicted intercept time plus
  the assessment delay, or, once a round resolves, the resolution time plus the delay.
* :func:`doctrine_cap`: at most ``salvo`` rounds at a target per decision (one under
  shoot-look-shoot), the weapons with the highest single-shot Pk first.

Times in seconds of engine time; keys are ints.  The doctrine follows the
shoot-look-shoot / salvo distinction of the weapon-target assignment literature (e.g.
Roux & van Vuuren, ORiON 23(2), 2007; docs/c2.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["DecisionConstants", "Hold", "doctrine_cap", "free_tracks", "oldest_per_threat"]


@dataclass
class Hold:
    """Rounds in the air and assessment due times by key; a key is held while either
    holds."""

    until: dict[int, float] = field(default_factory=dict)  #: assessment due [s]
    flying: dict[int, int] = field(default_factory=dict)  #: rounds in the air

    def held(self, keys: NDArray[np.intp], t: float) -> NDArray[np.bool_]:
        """Which of ``keys (n,)`` are held at time ``t``."""
        return np.array(self.held_list(np.asarray(keys).tolist(), t), dtype=bool)

    def held_list(self, keys: list[int], t: float) -> list[bool]:
        """:meth:`held` of Python ints, as a list."""
        flying, until, never = self.flying, self.until, -np.inf
        return [flying.get(k, 0) > 0 or until.get(k, never) > t for k in keys]

    def launch(self, key: int, n: int, due: float) -> None:
        """``n`` rounds fired at ``key``, their assessment due at ``due``."""
        self.flying[key] = self.flying.get(key, 0) + n
        self.until[key] = max(self.until.get(key, -np.inf), due)

    def resolve(self, key: int, free_at: float) -> None:
        """One round at ``key`` resolved; its assessment is due at ``free_at``."""
        self.flying[key] = max(self.flying.get(key, 0) - 1, 0)
        self.until[key] = free_at


def free_tracks(threat_hold: Hold, track_hold: Hold, threats: list[int], ids: list[int],
                t: float) -> list[bool]:
    """Which tracks may be engaged at ``t`` [s]: those on no threat (``threats`` −1) or on
    one ``threat_hold`` does not hold, that ``track_hold`` does not hold by their
    ``ids`` (:meth:`Hold.held_list` of each, in one pass: the same comparisons)."""
    hf, hu, kf, ku, never = (threat_hold.flying, threat_hold.until, track_hold.flying,
                             track_hold.until, -np.inf)
    return [(j < 0 or not (hf.get(j, 0) > 0 or hu.get(j, never) > t))
            and not (kf.get(k, 0) > 0 or ku.get(k, never) > t)
            for j, k in zip(threats, ids, strict=True)]


def oldest_per_threat(free: list[bool], ids: list[int], threats: list[int]) -> None:
    """Engage a threat cued by several tracks (e.g. from two ships' radars) through its
    oldest track only (the least id): every other track on it is set not ``free``, in
    place.  Tracks on no threat (−1) are left as they are."""
    cued = [j for j in threats if j >= 0]
    if len(set(cued)) == len(cued):  # no track is a second one on its threat
        return
    seen: set[int] = set()
    for k in sorted(range(len(ids)), key=ids.__getitem__):  # stable, as argsort's
        j = threats[k]
        if j >= 0:
            if j in seen:
                free[k] = False
            seen.add(j)

def doctrine_cap(shots: NDArray[np.int64], pk: NDArray[np.float64], salvo: int
                 ) -> NDArray[np.int64]:
    """At most ``salvo`` rounds at a target per decision (shoot-look-shoot: one), keeping
    the rounds of the weapons with the highest single-shot Pk: the assigner's per-pair
    limit alone would let several launchers fire one round each at the same target.

    ``shots`` and ``pk`` are ``(weapons, targets)``."""
    out = np.zeros_like(shots)
    for j in np.flatnonzero(shots.sum(axis=0)).tolist():
        left = salvo
        for w in np.argsort(-pk[:, j], kind="stable").tolist():
            if left <= 0:
                break
            take = int(min(shots[w, j], left))
            out[w, j] = take
            left -= take
    return out


@dataclass(frozen=True)
class DecisionConstants:
    """What every decision cycle reads from the scenario's ``c2`` section and the launcher
    rows; fixed for a run (:meth:`of` builds it once)."""

    reserve: NDArray[np.int64]  #: rounds kept back per launcher row
    missile: NDArray[np.bool_]  #: the row is a missile launcher
    cost_m: NDArray[np.float64]  #: cost of a round [M USD]
    rank: NDArray[np.int64]  #: the row's layer index in ``c2.layers`` (0 outermost)
    min_pk: float
    cost_weight: float
    salvo: int  #: rounds per target and decision (1 under shoot-look-shoot)
    assigner: Any  #: the scenario's assigner (:func:`tate.c2.wta.make_assigner`)
    #: per row, a missile launcher's ``reserve`` as a Python int, else None (no reserve)
    reserve_rows: tuple[int | None, ...] = ()
    #: ``(W, 1)`` cost_weight × cost_m, the weighted cost of a round [M USD]
    weighted_cost: NDArray[np.float64] = field(default_factory=lambda: np.zeros((0, 1)))
    rank_rows: tuple[int, ...] = ()  #: ``rank`` as Python ints
    #: ``(W,)`` ones: one round per engagement per row (the problem's default ``salvo``)
    ones: NDArray[np.int64] = field(default_factory=lambda: np.ones(0, np.int64))

    @classmethod
    def of(cls, c2: Any, rows: dict[str, list[Any]], initial_rounds: NDArray[np.int64]
           ) -> DecisionConstants:
        """From the ``c2`` section, the launcher rows (``kind``, ``cost`` [USD], ``layer``)
        and each row's rounds at the start."""
        from tate.c2.wta import make_assigner

        layer_rank = {name: k for k, name in enumerate(c2.layers)}
        reserve = np.floor(initial_rounds * float(c2.reserve_fraction)).astype(int)
        missile = np.array([k == "missile" for k in rows["kind"]])
        cost_m = np.array(rows["cost"]) / 1e6
        rank = np.array([layer_rank[la] for la in rows["layer"]])
        return cls(
            reserve=reserve, missile=missile, cost_m=cost_m, rank=rank,
            min_pk=float(c2.min_pk), cost_weight=float(c2.cost_weight),
            weighted_cost=float(c2.cost_weight) * cost_m[:, None],
            rank_rows=tuple(rank.tolist()), ones=np.ones(len(rows["kind"]), np.int64),
            salvo=1 if c2.doctrine == "shoot-look-shoot" else int(c2.salvo),
            assigner=make_assigner(c2.assigner),
            reserve_rows=tuple(r if m else None for r, m in zip(
                reserve.tolist(), missile.tolist(), strict=True)))
