"""One tick of the ships' electrical buses with the railguns charging (the engine's power
step: :class:`tate.weapons.power.PowerPlant` and :class:`tate.weapons.railgun.RailgunState`).

What it models
--------------
Each tick the loads of each ship are served by priority (:mod:`tate.weapons.power`) with
the railgun column set to what the ship's guns want: the room left in each bank over
the tick, capped by its charger.  Each gun then charges from what its ship's railgun
column was served (:meth:`~tate.weapons.railgun.RailgunState.charge`).  Units SI (W, J,
s).

How it is computed
------------------
The numpy steps of old on Python lists, the same IEEE operations in the same order.  A
tick is a function of its inputs (the demand, the guns' ships, ``dt``, the banks, the
plant's storage and the fixed arrays), so a tick whose inputs equal an earlier tick's
takes that tick's answer (a steady bus; a bank recharging after each shot repeats the
same ticks).  When the state is the last tick's answer and the other inputs are that
tick's, the tick that came after it before is taken without reading the inputs as lists
(the fixed arrays are those it read while nobody outside has held them:
:class:`tate.weapons.railgun.Guarded`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    from tate.weapons.railgun import RailgunState

__all__ = ["serve_and_charge"]

F64 = NDArray[np.float64]

_SERVES = 512  # most ticks :func:`serve_and_charge` keeps, by the banks' energy
_F8 = np.dtype(np.float64)


def serve_and_charge(plant: Any, guns: RailgunState | None, gun_ship: NDArray[np.intp],
                     demand: F64, rail: int, dt: float) -> float:
    """One tick of the ships' buses with the railguns charging: serve ``demand`` ``(n, k)``
    [W] but its railgun column ``rail``, which is each ship's guns' wanted charging power
    (room left in the bank over ``dt``, capped by the charger), then charge each gun
    (row ``gun_ship``) from what its ship's railgun column was served.  Returns the energy
    drawn by the guns [J].

    The numpy steps of old on Python lists (the demand summed per ship in gun order, as
    ``np.add.at``; ``np.maximum``/``np.minimum`` as the scalar comparisons when all is
    finite; the energy summed as ``ndarray.sum`` does); numpy's own handling for NaN or
    infinity.
    """
    if guns is None:
        raw = demand.tolist()
        for r in raw:
            r[rail] = 0.0
        plant.step_served(dt, raw)
        return 0.0
    # the last tick's memo (its inputs, answer, and ``[demand bytes, demand shape, the
    # memo of the tick after it]``) if the state is its answer and this tick's inputs
    # but the state are its inputs (the demand: the same float64 bytes and shape, so the
    # same lists), and the fixed arrays are those it read (nobody outside has held them)
    memo, prev = plant._serve, None
    if (memo is not None and (fx := memo[2]) is not None and guns._stored_a is None
            and plant._storage_a is None and not (plant._open or guns._open)
            and guns._stored_l is memo[1][1] and plant._storage_l is memo[1][0][6]):
        key = memo[0]
        if (key[0] == dt and key[1] == rail and demand.dtype is _F8 and demand.shape == fx[1]
                and demand.tobytes() == fx[0] and key[3] == gun_ship.tolist()):
            prev, after = memo, fx[2]
            if after is not None:  # this tick is the one that came after it before
                tick, stored_l, total = after[1]
                plant.t += dt  # (PowerPlant._record, RailgunState._advance)
                plant._rows.append((plant.t, tick[1], tick[3], tick[0], tick[2], tick[6]))
                plant._storage_l, guns._stored_l, plant._serve = tick[6], stored_l, after
                guns._clock(dt)
                return total
    raw = demand.tolist()
    _, capacity, _, limit, _ = guns._const()
    state = (guns._stored_list(), capacity, limit)
    stored = state[0]
    ship = gun_ship.tolist()
    read = plant._state()  # (the plant's arrays as lists, read once per tick)
    # every input as read (the demand with its railgun column: a stricter key); the
    # lists are fresh or never changed in place, so the key holds them as they are
    key = (dt, rail, raw, ship, stored, capacity, limit, read)
    memo = plant._serve
    if memo is None or memo[0] != key:  # not the last tick's inputs: an earlier tick's?
        memo = plant._serves.get(tuple(stored))  # (e.g. a bank recharging after a shot)
        if memo is not None and memo[0] != key:
            memo = None
        plant._serve = memo
    if memo is not None:  # a tick of equal inputs before: its answer (and ours)
        if prev is not None:
            prev[2][2] = memo
        tick, stored_l, total = memo[1]
        plant._record(dt, tick[1], tick[3], tick[0], tick[2], tick[6])
        guns._advance(dt, stored, stored_l)
        return total
    rows = [r[:] for r in raw]
    for r in rows:
        r[rail] = 0.0
    room = [(c - e) / dt for c, e in zip(capacity, stored, strict=True)]  # as numpy's
    check = sum(room) + sum(limit)
    finite = check - check == 0.0
    if not finite:  # NaN or infinity: numpy's own handling
        want = np.zeros(plant.n)
        np.add.at(want, gun_ship, np.minimum(np.maximum(np.array(room), 0.0),
                                             guns._charge_limit))
        for r, x in zip(rows, want.tolist(), strict=True):
            r[rail] = x
    else:
        for s, x, lim in zip(ship, room, limit, strict=True):
            x = x if x > 0.0 else 0.0
            rows[s][rail] += x if x < lim else lim
    tick = plant._tick_lists(dt, rows, read) if finite and dt > 0 else None
    served = tick[2] if tick is not None else plant.step_served(dt, rows)
    power = [served[s][rail] for s in ship]
    charged = guns._charge_scalar(dt, power, state) if tick is not None and dt > 0 else None
    drawn = guns.charge_lists(dt, power, state) if charged is None else charged[0]
    if len(drawn) >= 8:  # numpy's pairwise sum
        total = float(np.array(drawn).sum() * dt)
    else:
        total = 0.0  # numpy's sum of a few: left to right
        for x in drawn:
            total += x
        total *= dt
    if tick is not None and charged is not None:
        plant._serve = (key, (tick, charged[1], total),
                        [demand.tobytes(), demand.shape, None] if demand.dtype is _F8
                        else None)
        if prev is not None:
            prev[2][2] = plant._serve
        memos = plant._serves
        if len(memos) >= _SERVES:  # (bounded: a run of changing inputs)
            memos.clear()
        memos[tuple(stored)] = plant._serve
    return total
