"""Ship electrical plant: generators, energy storage and loads served by priority.

What it models
--------------
Each ship's electrical bus over a tick of length dt, as rows of arrays over ships
(one row per ship, one column per load; no object per ship):

* **Generation**: the ratings of the generators online, summed [W]
  (``PowerPlant.online_w``, which the engine may lower when a generator trips).
* **Storage** (optional; batteries or flywheels): capacity E_max [J], charge and
  discharge power limits [W] and round-trip efficiency η, split evenly as
  η_c = η_d = √η.  Over a tick  E ← E + η_c·P_ch·dt − P_dis·dt/η_d.
* **Loads** (:data:`LOADS`, in this column order): ``hotel`` (constant), ``radar``
  (the sum of the radar presets' ``power_kw`` while radiating), ``propulsion``
  (electric or hybrid drive only: P = P_max·(v/v_max)³, the propeller law [A]; a
  mechanical drive puts no propulsion load on the bus), ``other`` (combat systems,
  cooling) and ``railgun`` (charging; the lowest priority by default).
* **Serving**: loads are served in priority order (smaller number first; equal
  priorities in :data:`LOADS` order) from generation plus what storage can give; when
  supply falls short the lowest-priority load is shed first, and only the marginal
  load is served in part.  Generators then charge storage from any surplus.  So a
  higher-priority load is never shed while a lower-priority one is served.

Units SI (W, J, s); ship speed in knots where a name says ``kn``.  The answer to
"can this plant feed this railgun, and at what rate" is
:func:`sustainable_railgun_rate`: the power left after the loads served before the
railgun, turned into a rate by :func:`tate.weapons.railgun.sustainable_rate_per_min`.
Storage does not change a sustained rate (it only buffers bursts), so that function
ignores it.  Plant figures: REFERENCES.md §4; presets in
:mod:`tate.weapons.ship_presets`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import chain
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from tate.sensors.presets import radar_preset
from tate.weapons.railgun import Guarded, RailgunSpec, rate_limit, sustainable_rate_per_min

__all__ = [
    "DEFAULT_PRIORITIES",
    "DRIVES",
    "KNOT",
    "LOADS",
    "PlantSpec",
    "PowerPlant",
    "PowerStep",
    "PowerTimeline",
    "demand_matrix",
    "load_demands",
    "plant_tick",
    "plant_tick_scalar",
    "propulsion_power_w",
    "radar_power_w",
    "railgun_power_available_w",
    "serve_by_priority",
    "sustainable_railgun_rate",
]

F64 = NDArray[np.float64]

KNOT = 1852.0 / 3600.0  #: [m/s]
LOADS: tuple[str, ...] = ("hotel", "radar", "propulsion", "other", "railgun")
DEFAULT_PRIORITIES: Mapping[str, int] = {"hotel": 0, "radar": 1, "propulsion": 2,
                                         "other": 3, "railgun": 4}
DRIVES = ("mechanical", "electric", "hybrid")


@dataclass(frozen=True)
class PlantSpec:
    """One ship class's electrical plant and fixed loads.

    Attributes
    ----------
    name
        Preset name.
    generators_w
        Rating of each generator [W].
    hotel_w, other_w
        Constant hotel and other (combat system, cooling) loads [W].
    radars
        Radar preset names (:mod:`tate.sensors.presets`) whose ``power_kw`` loads the bus.
    drive
        ``"mechanical"`` (no electric propulsion load), ``"electric"`` (all propulsion
        from the bus) or ``"hybrid"`` (electric motors up to ``propulsion_max_kn``,
        mechanical above).
    propulsion_max_w, propulsion_max_kn
        Electric propulsion power [W] at speed [kn] (for ``"electric"`` the top speed,
        for ``"hybrid"`` the fastest speed on the motors).
    storage_j, storage_charge_w, storage_discharge_w, storage_efficiency
        Energy storage capacity [J], power limits [W] and round-trip efficiency [-].
    """

    name: str
    generators_w: tuple[float, ...]
    hotel_w: float
    radars: tuple[str, ...] = ()
    other_w: float = 0.0
    drive: str = "mechanical"
    propulsion_max_w: float = 0.0
    propulsion_max_kn: float = 30.0
    storage_j: float = 0.0
    storage_charge_w: float = 0.0
    storage_discharge_w: float = 0.0
    storage_efficiency: float = 1.0

    def __post_init__(self) -> None:
        if self.drive not in DRIVES:
            raise ValueError(f"plant {self.name!r}: drive must be one of {DRIVES}, "
                             f"got {self.drive!r}")
        if any(not g >= 0 for g in self.generators_w):
            raise ValueError(f"plant {self.name!r}: generator ratings must be >= 0, "
                             f"got {self.generators_w!r}")
        if not 0.0 < self.storage_efficiency <= 1.0:
            raise ValueError(f"plant {self.name!r}: storage_efficiency must be in (0, 1], "
                             f"got {self.storage_efficiency!r}")
        if not self.propulsion_max_kn > 0:
            raise ValueError(f"plant {self.name!r}: propulsion_max_kn must be > 0, "
                             f"got {self.propulsion_max_kn!r}")

    @property
    def capacity_w(self) -> float:
        """All generators' ratings summed [W]."""
        return float(sum(self.generators_w))


def propulsion_power_w(drive: str, p_max_w: float, v_max_kn: float,
                       speed_kn: ArrayLike) -> F64:
    """Electric propulsion load at ``speed_kn`` [W].

    ``electric``: P_max·(v/v_max)³ (not clipped above v_max); ``hybrid``: the same up
    to v_max and 0 above (the mechanical drive takes over); ``mechanical``: 0.
    """
    v = np.abs(np.asarray(speed_kn, float))
    cube = p_max_w * (v / v_max_kn) ** 3
    if drive == "electric":
        return cube
    if drive == "hybrid":
        return np.where(v <= v_max_kn, cube, 0.0)
    return np.zeros_like(v)


def radar_power_w(names: Sequence[str]) -> float:
    """Bus power of the named radar presets while radiating (their ``power_kw``) [W]."""
    return float(sum(radar_preset(n).power_kw for n in names)) * 1e3


def load_demands(spec: PlantSpec, speed_kn: float, radars_on: bool = True,
                 railgun_w: float = 0.0) -> F64:
    """Demand of each load of :data:`LOADS` on one ship ``(k,)`` [W]."""
    prop = float(propulsion_power_w(spec.drive, spec.propulsion_max_w,
                                    spec.propulsion_max_kn, speed_kn))
    radar = radar_power_w(spec.radars) if radars_on else 0.0
    return np.array([spec.hotel_w, radar, prop, spec.other_w, railgun_w], float)


def demand_matrix(specs: Sequence[PlantSpec], speed_kn: ArrayLike, radars_on: ArrayLike,
                  railgun_w: ArrayLike) -> F64:
    """:func:`load_demands` for ``n`` ships at once ``(n, k)`` [W] (arguments ``(n,)``)."""
    n = len(specs)
    v, on, rg = (np.broadcast_to(np.asarray(x), (n,)) for x in (speed_kn, radars_on, railgun_w))
    return np.array([load_demands(s, float(v[i]), bool(on[i]), float(rg[i]))
                     for i, s in enumerate(specs)]).reshape(n, len(LOADS))


def _priority_array(priorities: Mapping[str, int] | None) -> NDArray[np.int64]:
    merged = dict(DEFAULT_PRIORITIES)
    if priorities:
        unknown = set(priorities) - set(LOADS)
        if unknown:
            raise ValueError(f"unknown loads {sorted(unknown)}; valid names: {', '.join(LOADS)}")
        merged.update(priorities)
    return np.array([merged[name] for name in LOADS], np.int64)


def serve_by_priority(available_w: ArrayLike, demand_w: ArrayLike,
                      priority: ArrayLike) -> F64:
    """Share supply among loads, highest priority (smallest number) first.

    Parameters
    ----------
    available_w
        Supply per ship ``(n,)`` [W].
    demand_w
        Demand per ship and load ``(n, k)`` [W], ≥ 0.
    priority
        Priority per load ``(k,)``; ties served in column order.

    Returns
    -------
    served
        ``(n, k)`` [W]: in priority order each load gets min(demand, what is left).
    """
    d = np.atleast_2d(np.asarray(demand_w, float))
    avail = np.asarray(available_w, float).reshape(-1, 1)
    order = np.argsort(np.asarray(priority), kind="stable")
    ds = d[:, order]
    before = np.cumsum(ds, axis=1) - ds  # demand of the loads served earlier
    served_sorted = np.clip(avail - before, 0.0, ds)
    served = np.empty_like(d)
    served[:, order] = served_sorted
    return served


@dataclass(frozen=True)
class PowerStep:
    """What one tick did, per ship: arrays ``(n, k)`` or ``(n,)``, [W] and [J]."""

    served: F64  #: power served per load (n, k) [W]
    shed: F64  #: demand not served per load (n, k) [W]
    generation: F64  #: generator output (n,) [W]
    charge_w: F64  #: power into storage (n,) [W]
    discharge_w: F64  #: power out of storage (n,) [W]
    storage_j: F64  #: stored energy after the tick (n,) [J]


@dataclass(frozen=True)
class PowerTimeline:
    """Stacked record of every tick: ``m`` ticks, ``n`` ships, ``k`` loads.

    ``time`` is the end of each tick [s]; powers [W]; ``storage_j`` after the tick [J].
    """

    loads: tuple[str, ...]
    time: F64  #: (m,)
    capacity: F64  #: online generator capacity (m, n)
    generation: F64  #: (m, n)
    demand: F64  #: (m, n, k)
    served: F64  #: (m, n, k)
    storage_j: F64  #: (m, n)


def plant_tick(dt: float, demand_w: F64, online_w: F64, storage_j: F64, storage_max: F64,
               charge_max: F64, discharge_max: F64, eta: F64,
               priority: NDArray[np.int64]) -> tuple[F64, F64, F64, F64, F64, F64, F64]:
    """One tick of ``n`` buses (numpy; the reference of :func:`plant_tick_scalar`).

    Parameters
    ----------
    dt
        Tick [s], > 0.
    demand_w
        Demand per ship and load ``(n, k)`` [W] (negative read as 0).
    online_w, storage_j, storage_max, charge_max, discharge_max, eta
        Per ship ``(n,)``: generator capacity online [W], stored energy [J], storage
        capacity [J], charge and discharge limits [W], one-way efficiency [-].
    priority
        Priority per load ``(k,)``.

    Returns
    -------
    demand, capacity, served, generation, charge, discharge, storage
        ``(n, k)`` demand and served [W]; ``(n,)`` capacity, generation, charge and
        discharge power [W]; stored energy after the tick [J].
    """
    d = np.maximum(demand_w, 0.0)
    cap = np.maximum(online_w, 0.0)
    dis_max = np.minimum(discharge_max, storage_j * eta / dt)
    served = serve_by_priority(cap + dis_max, d, priority)
    total = served.sum(axis=1)
    from_gen = np.minimum(total, cap)
    discharge = np.clip(total - from_gen, 0.0, dis_max)
    room = np.maximum(storage_max - storage_j, 0.0) / (eta * dt)
    charge = np.minimum(np.minimum(cap - from_gen, charge_max), room)
    stored = storage_j + (eta * charge - discharge / eta) * dt
    return d, cap, served, from_gen + charge, charge, discharge, np.clip(stored, 0.0,
                                                                          storage_max)


def plant_tick_scalar(dt: float, demand_w: list[list[float]], online_w: list[float],
                      storage_j: list[float], storage_max: list[float],
                      charge_max: list[float], discharge_max: list[float], eta: list[float],
                      order: list[int]) -> tuple[list[list[float]], list[float],
                                                 list[list[float]], list[float], list[float],
                                                 list[float], list[float]]:
    """:func:`plant_tick` on Python floats (no numpy calls on tiny arrays), same results.

    The arguments are :func:`plant_tick`'s as lists, all finite, with ``order`` the load
    columns by priority (a stable argsort).  Each numpy step is reproduced with its own
    operation order and tie rule: ``np.maximum(a, b)`` is ``a if a > b else b``,
    ``np.minimum(a, b)`` ``a if a < b else b``, ``np.clip(x, lo, hi)`` keeps ``x`` on a
    tie; the prefix sums are ``cumsum − demand`` and the row sum runs left to right.
    """
    out_d, out_cap, out_served, out_gen, out_ch, out_dis, out_e = [], [], [], [], [], [], []
    k = len(order)
    for i, row in enumerate(demand_w):
        d = [x if x > 0.0 else 0.0 for x in row]
        cap = online_w[i] if online_w[i] > 0.0 else 0.0
        e, et = storage_j[i], eta[i]
        q = e * et / dt
        dis_max = discharge_max[i] if discharge_max[i] < q else q
        avail = cap + dis_max
        served = [0.0] * k
        cum = 0.0
        for n_before, j in enumerate(order):
            x = d[j]
            cum = cum + x if n_before else x
            v = avail - (cum - x)
            v = 0.0 if v < 0.0 else v
            served[j] = x if v > x else v
        total = served[0]
        for j in range(1, k):
            total += served[j]
        from_gen = total if total < cap else cap
        x = total - from_gen
        x = 0.0 if x < 0.0 else x
        discharge = dis_max if x > dis_max else x
        r = storage_max[i] - e
        room = (r if r > 0.0 else 0.0) / (et * dt)
        a = cap - from_gen
        a = a if a < charge_max[i] else charge_max[i]
        charge = a if a < room else room
        stored = e + (et * charge - discharge / et) * dt
        stored = 0.0 if stored < 0.0 else stored
        stored = storage_max[i] if stored > storage_max[i] else stored
        out_d.append(d)
        out_cap.append(cap)
        out_served.append(served)
        out_gen.append(from_gen + charge)
        out_ch.append(charge)
        out_dis.append(discharge)
        out_e.append(stored)
    return out_d, out_cap, out_served, out_gen, out_ch, out_dis, out_e


_TickLists = tuple[list[list[float]], list[float], list[list[float]], list[float],
                   list[float], list[float], list[float]]  #: plant_tick_scalar's answer
#: :meth:`PowerPlant._state`'s answer: plant_tick_scalar's state lists, the priorities
_Read = tuple[tuple[list[float], list[float], list[float], list[float], list[float],
                    list[float]], list[int]]


class PowerPlant:
    """Electrical buses of ``n`` ships, stepped together.

    Parameters
    ----------
    specs
        One plant per ship.
    priorities
        Priority per load name (smaller first), merged over :data:`DEFAULT_PRIORITIES`.
    storage_j
        Initial stored energy ``(n,)`` [J]; default full.
    """

    online_w = Guarded[F64]()  #: generator capacity online per ship ``(n,)`` [W]
    storage_max = Guarded[F64]()  #: storage capacity ``(n,)`` [J]
    charge_max = Guarded[F64]()  #: storage charge limit ``(n,)`` [W]
    discharge_max = Guarded[F64]()  #: storage discharge limit ``(n,)`` [W]
    eta = Guarded[F64]()  #: storage efficiency each way ``(n,)`` [-]
    priority = Guarded[NDArray[np.int64]]()  #: priority per load ``(k,)``

    def __init__(self, specs: Sequence[PlantSpec], priorities: Mapping[str, int] | None = None,
                 storage_j: ArrayLike | None = None) -> None:
        self.specs = tuple(specs)
        self.n = len(self.specs)
        self.loads = LOADS
        #: whether an array of a :class:`~tate.weapons.railgun.Guarded` attribute was read
        #: or set from outside (then :attr:`_lists` is not used)
        self._open = False
        self._priority = _priority_array(priorities)

        def col(key: str) -> F64:
            return np.array([getattr(s, key) for s in self.specs], float)

        self._online_w = np.array([s.capacity_w for s in self.specs], float)
        self._storage_max = col("storage_j")
        self._charge_max = col("storage_charge_w")
        self._discharge_max = col("storage_discharge_w")
        self._eta = np.sqrt(col("storage_efficiency"))  # each way
        #: the fixed arrays as lists (:meth:`_state`'s order, the priorities last)
        self._lists = (self._online_w.tolist(), self._storage_max.tolist(),
                       self._charge_max.tolist(), self._discharge_max.tolist(),
                       self._eta.tolist(), self._priority.tolist())
        #: stored energy [J] (:attr:`storage`): an array, or None with the numbers in
        #: :attr:`_storage_l` (a tick's answer, made an array only when read)
        self._storage_a: F64 | None = None
        self._storage_l: list[float] = []
        self.storage = (self._storage_max.copy() if storage_j is None
                        else np.broadcast_to(np.asarray(storage_j, float), (self.n,)).copy())
        self.t = 0.0
        #: every tick as Python lists: (t, capacity, generation, demand, served, storage)
        self._rows: list[tuple[float, list[float], list[float], list[list[float]],
                               list[list[float]], list[float]]] = []
        self._prio: list[int] = []  #: the priorities :attr:`_order` was sorted from
        self._order: list[int] = []  #: load columns in serving order
        #: the last scalar tick: its inputs (dt, demand, state, priorities) and answer
        self._last: tuple[tuple[Any, ...], _TickLists] | None = None
        #: the last railgun tick (:func:`tate.weapons.charging.serve_and_charge`): its
        #: inputs, answer, and ``[demand bytes, demand shape, the next tick's memo]``
        self._serve: tuple[tuple[Any, ...], tuple[Any, ...], Any] | None = None
        #: earlier railgun ticks by the banks' energy before them (a bank recharging
        #: after each shot repeats the same ticks): each with its inputs and answer
        self._serves: dict[tuple[float, ...],
                           tuple[tuple[Any, ...], tuple[Any, ...], Any]] = {}

    @property
    def storage(self) -> F64:
        """Stored energy per ship ``(n,)`` [J]."""
        if self._storage_a is None:
            self._storage_a = np.array(self._storage_l)
        return self._storage_a

    @storage.setter
    def storage(self, value: F64) -> None:
        self._storage_a = value

    def step(self, dt: float, demand_w: ArrayLike) -> PowerStep:
        """Serve ``demand_w (n, k)`` [W] for ``dt`` [s]; update storage; record the tick."""
        if not dt > 0:
            raise ValueError(f"dt must be > 0, got {dt}")
        n, k = self.n, len(LOADS)
        demand = np.asarray(demand_w, float).reshape(n, k)
        out = self._tick_lists(dt, demand.tolist())
        if out is not None:
            d_l, _, served_l, gen_l, charge_l, dis_l, store_l = out
            d, served = np.array(d_l).reshape(n, k), np.array(served_l).reshape(n, k)
            generation, storage = np.array(gen_l), np.array(store_l)
            charge, discharge = np.array(charge_l), np.array(dis_l)
        else:  # NaN or infinity somewhere: numpy's own handling
            d, cap, served, generation, charge, discharge, storage = plant_tick(
                dt, demand, self._online_w, self.storage, self._storage_max,
                self._charge_max, self._discharge_max, self._eta, self._priority)
            self._record(dt, cap.tolist(), generation.tolist(), d.tolist(), served.tolist(),
                         storage)
        return PowerStep(served, d - served, generation, charge, discharge, storage.copy())

    def step_served(self, dt: float, rows: list[list[float]]) -> list[list[float]]:
        """:meth:`step` for demand rows given as lists ``n × k`` [W], returning only the
        power served ``n × k`` [W] (lists, not to be changed: a steady bus's ticks share
        them; the same tick, state and record as :meth:`step`)."""
        if not dt > 0:
            raise ValueError(f"dt must be > 0, got {dt}")
        out = self._tick_lists(dt, rows)
        if out is not None:
            return out[2]
        step = self.step(dt, np.array(rows, float).reshape(self.n, len(LOADS)))
        served: list[list[float]] = step.served.tolist()
        return served

    def _tick_lists(self, dt: float, rows: list[list[float]],
                    read: _Read | None = None) -> _TickLists | None:
        """The tick by :func:`plant_tick_scalar`, recorded, or None (nothing done) when
        an input is not finite.  A tick whose inputs equal the last one's (a steady bus)
        takes that tick's answer: the function of equal inputs is equal.  ``read`` is
        :meth:`_state`'s answer if the caller has just read it."""
        state, prio = self._state() if read is None else read
        key = (dt, rows, state, prio)
        last = self._last
        if last is not None and last[0] == key:
            out = last[1]
        else:  # the key keeps its own copy of the rows (the caller's may change)
            key = (dt, [r[:] for r in rows], state, prio)
            check = sum(map(sum, rows)) + sum(map(sum, state))
            if not check - check == 0.0:
                return None
            if prio != self._prio:
                self._prio = prio
                self._order = np.argsort(self._priority, kind="stable").tolist()
            out = plant_tick_scalar(dt, rows, *state, self._order)
            self._last = (key, out)
        self._record(dt, out[1], out[3], out[0], out[2], out[6])
        return out

    def _state(self) -> _Read:
        """The plant's arrays that a tick reads, as lists (:func:`plant_tick_scalar`'s
        order), and the priorities."""
        a = self._storage_a
        storage = self._storage_l if a is None else a.tolist()
        if not self._open:  # (nobody outside holds the fixed arrays: their lists hold)
            on, smax, cmax, dmax, eta, prio = self._lists
            return (on, storage, smax, cmax, dmax, eta), prio
        return ((self._online_w.tolist(), storage, self._storage_max.tolist(),
                 self._charge_max.tolist(), self._discharge_max.tolist(),
                 self._eta.tolist()), self._priority.tolist())

    def _record(self, dt: float, cap: list[float], gen: list[float], d: list[list[float]],
                served: list[list[float]], storage: F64 | list[float]) -> None:
        """Advance the clock and the stored energy, and keep the tick's row."""
        if isinstance(storage, list):  # (not to be changed: kept in the record too)
            self._storage_a, self._storage_l = None, storage
            store_l = storage
        else:
            self.storage = storage
            store_l = storage.tolist()
        self.t += dt
        self._rows.append((self.t, cap, gen, d, served, store_l))

    def timeline(self) -> PowerTimeline:
        """Every tick so far, stacked."""
        if not self._rows:
            k = len(LOADS)
            return PowerTimeline(LOADS, np.empty(0), np.empty((0, self.n)),
                                 np.empty((0, self.n)), np.empty((0, self.n, k)),
                                 np.empty((0, self.n, k)), np.empty((0, self.n)))
        # steady ticks share their lists (:meth:`_tick_lists`): stack each distinct tick
        # once and index it (the same numbers, in order)
        seen: dict[tuple[int, ...], int] = {}
        uniq: list[Any] = []
        idx: list[int] = []
        for row in self._rows:
            key = (id(row[1]), id(row[2]), id(row[3]), id(row[4]), id(row[5]))
            i = seen.get(key)
            if i is None:
                i = seen[key] = len(uniq)
                uniq.append(row)
            idx.append(i)
        _, cap, gen, d, s, e = zip(*uniq, strict=True)
        u, n, k = len(uniq), self.n, len(LOADS)
        at = np.array(idx, np.intp)

        def flat(rows: Any, depth: int, shape: tuple[int, ...]) -> Any:
            for _ in range(depth):  # the nested lists' numbers, in order
                rows = chain.from_iterable(rows)
            # (the nested lists' dtype: that of their numbers)
            return np.array(list(rows)).reshape(shape)[at]

        return PowerTimeline(LOADS, np.array([row[0] for row in self._rows]),
                             flat(cap, 1, (u, n)), flat(gen, 1, (u, n)),
                             flat(d, 2, (u, n, k)), flat(s, 2, (u, n, k)),
                             flat(e, 1, (u, n)))


def railgun_power_available_w(spec: PlantSpec, speed_kn: float, radars_on: bool = True,
                              priorities: Mapping[str, int] | None = None) -> float:
    """Generator power left for the railgun after the loads served before it [W] (≥ 0)."""
    prio = _priority_array(priorities)
    d = load_demands(spec, speed_kn, radars_on, railgun_w=0.0)
    order = list(np.argsort(prio, kind="stable"))
    first = order[: order.index(LOADS.index("railgun"))]
    return max(spec.capacity_w - float(d[first].sum()), 0.0)


def sustainable_railgun_rate(ship: PlantSpec | str, railgun: RailgunSpec | str,
                             speed_kn: float, radars_on: bool = True,
                             priorities: Mapping[str, int] | None = None) -> tuple[float, str]:
    """Can this plant feed this railgun, and at what sustained rate?

    Parameters
    ----------
    ship, railgun
        Specs or preset names (:mod:`tate.weapons.ship_presets`).
    speed_kn
        Ship speed [kn] (propulsion load of electric and hybrid drives).
    radars_on
        Whether the ship's radars radiate.
    priorities
        Load priorities; loads served after the railgun do not reduce its power.

    Returns
    -------
    rate, limit
        Sustained rate [rounds/min] and what sets it: ``"mechanism"``,
        ``"gun charger"``, ``"ship power"`` or ``"no power"``.
    """
    from tate.weapons.ship_presets import plant_preset, railgun_preset

    plant = plant_preset(ship) if isinstance(ship, str) else ship
    gun = railgun_preset(railgun) if isinstance(railgun, str) else railgun
    p = railgun_power_available_w(plant, speed_kn, radars_on, priorities)
    return float(sustainable_rate_per_min(gun, p)), rate_limit(gun, p)
