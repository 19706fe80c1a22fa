"""Electromagnetic railgun: energy bookkeeping, firing-rate limits, Pk.

What it models
--------------
A ship-mounted railgun reduced to the numbers that decide how often it can fire,
how far its round flies and how likely a round is to kill:

* **Energy.**  Muzzle (kinetic) energy E_m = ½·m·v².  The pulsed-power bank stores
  E_b = E_m / η per shot, with η the muzzle energy over the energy drawn from the
  ship's bus (charger, capacitor and rail losses all folded into η; ~0.3, REFERENCES.md
  §4 [C]).  Muzzle energy and bank energy are reported separately.
* **Rate.**  The sustained rate is the least of the mechanism's rate, the rate the
  gun's own charger allows and the rate the ship's spare power allows:
  rate = min(r_mech, 60·min(P_avail, P_charger) / E_b)  [rounds/min].
  The average electrical power of a rate r is P = r·E_b / 60; the REFERENCES.md §4
  check value is 10 rounds/min × 32 MJ / 0.3 = 17.8 MW.
* **Gun state** (:class:`RailgunState`): rows of arrays over guns: energy in the bank,
  time since the last shot, rounds fired (barrel wear).  ``charge`` advances the gun's
  clock and draws power; ``fire`` says which guns fired and why the others did not
  (bank not charged, mechanism still cycling, barrel worn out).
* **Projectile flight**: :mod:`tate.weapons.projectile`.
* **Pk.**  Impact points scatter as a circular Gaussian with per-axis standard
  deviation σ = R·δ (unguided; δ the angular dispersion, R the range) or σ = the
  guided residual miss.  The radial miss is then Rayleigh distributed, so the chance
  of an impact within the lethal radius r is 1 − exp(−r²/(2σ²)) in closed form; this
  times the kill probability given a hit is the single-shot Pk.

Frames and units: SI (kg, m/s, J, W, s, m, rad); rates in rounds per minute where a
name says ``per_min``; flight state ECEF (3, n) as in :mod:`tate.flight.eom`.
Presets: :mod:`tate.weapons.ship_presets`.  Background for the energy and rate
figures: McNab, "Launch to space with an electromagnetic railgun", IEEE Trans.
Magnetics 39(1), 2003 (energy chain and efficiency); the programme figures are
press-level [V] numbers collected in REFERENCES.md §4.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import numpy as np
from numpy.typing import ArrayLike, NDArray

if TYPE_CHECKING:  # tate.verify may import this module: import CaseResult when called
    from tate.verify import CaseResult

__all__ = [
    "FIRE_REASONS",
    "RailgunSpec",
    "RailgunState",
    "average_power_w",
    "bank_energy_j",
    "charge_tick",
    "charge_tick_scalar",
    "charge_time_s",
    "hit_probability",
    "impact_sigma_m",
    "muzzle_energy_j",
    "railgun_energy_case",
    "rate_limit",
    "single_shot_pk",
    "sustainable_rate_per_min",
]

F64 = NDArray[np.float64]

#: Codes :meth:`RailgunState.fire` returns, indexed by code.
FIRE_REASONS = ("fired", "bank not charged", "mechanism cycling", "barrel worn out",
                "not requested")
FIRED, NOT_CHARGED, CYCLING, WORN_OUT, NOT_REQUESTED = range(5)

_REL = 1e-9  # relative slack on "bank full" and "cycle over" against rounding

_T = TypeVar("_T")


class Guarded(Generic[_T]):
    """An attribute kept in ``_<name>`` whose reading or setting from outside marks the
    owner ``_open`` for good.

    The owner's methods read ``_<name>`` and may keep lists of it (``_lists``) while it
    is closed: nobody outside has held the array, so nobody can have changed it in
    place.  Once opened, the owner reads the arrays again at every use."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.slot = "_" + name

    def __get__(self, obj: Any, owner: type | None = None) -> _T:
        if obj is None:
            return self  # type: ignore[return-value]
        d = obj.__dict__
        d["_open"] = True
        value: _T = d[self.slot]
        return value

    def __set__(self, obj: Any, value: _T) -> None:
        d = obj.__dict__
        d["_open"] = True
        d[self.slot] = value


@dataclass(frozen=True)
class RailgunSpec:
    """Parameters of one railgun type.

    Attributes
    ----------
    name
        Preset name.
    projectile_mass_kg, muzzle_speed_mps
        Launch package mass [kg] and muzzle speed [m/s].
    efficiency
        Muzzle energy / energy drawn from the ship per shot [-].
    max_rate_per_min
        Mechanism (breech, cooling, loading) limit [rounds/min].
    charge_power_w
        Most power the gun's chargers can draw from the bus [W].
    barrel_life
        Rounds before the rails must be replaced [-].
    guided
        Whether the round steers toward a target point.
    diameter_m, cd_mach
        Reference diameter [m]; drag coefficient table ``(mach, cd)``.
    dispersion_rad
        Per-axis angular standard deviation of impacts of unguided rounds [rad].
    guided_residual_m
        Per-axis standard deviation of the miss of guided rounds [m].
    lethal_radius_m, pk_hit
        Radius within which an impact counts as a hit [m]; kill probability given a hit.
    cost_per_round_usd
        Cost of one round [USD].
    max_accel
        Lateral acceleration cap of a guided round [m/s²].
    bank_energy_per_shot_j
        Stored energy per shot [J]; ``None``: muzzle energy / efficiency.
    bank_shots
        Shots the bank holds when full [-].
    mount_mass_kg, barrel_length_m
        Descriptive (not used in the physics) [kg], [m].
    """

    name: str
    projectile_mass_kg: float
    muzzle_speed_mps: float
    max_rate_per_min: float
    charge_power_w: float
    barrel_life: int
    guided: bool
    diameter_m: float
    cd_mach: tuple[tuple[float, ...], tuple[float, ...]]
    dispersion_rad: float
    guided_residual_m: float
    lethal_radius_m: float
    pk_hit: float
    cost_per_round_usd: float
    max_accel: float = 0.0
    efficiency: float = 0.3
    bank_energy_per_shot_j: float | None = None
    bank_shots: float = 1.0
    mount_mass_kg: float = float("nan")
    barrel_length_m: float = float("nan")

    def __post_init__(self) -> None:
        positive = ("projectile_mass_kg", "muzzle_speed_mps", "max_rate_per_min",
                    "charge_power_w", "barrel_life", "diameter_m", "bank_shots")
        for key in positive:
            if not getattr(self, key) > 0:
                raise ValueError(f"railgun {self.name!r}: {key} must be > 0, "
                                 f"got {getattr(self, key)!r}")
        if not 0.0 < self.efficiency <= 1.0:
            raise ValueError(f"railgun {self.name!r}: efficiency must be in (0, 1], "
                             f"got {self.efficiency!r}")
        if not 0.0 <= self.pk_hit <= 1.0:
            raise ValueError(f"railgun {self.name!r}: pk_hit must be in [0, 1], "
                             f"got {self.pk_hit!r}")
        mach, cd = self.cd_mach
        if len(mach) != len(cd) or len(mach) < 1 or np.any(np.diff(mach) <= 0):
            raise ValueError(f"railgun {self.name!r}: cd_mach needs increasing Mach "
                             f"numbers and one C_D each, got {self.cd_mach!r}")

    @property
    def muzzle_energy_j(self) -> float:
        """½·m·v² [J]."""
        return float(muzzle_energy_j(self.projectile_mass_kg, self.muzzle_speed_mps))

    @property
    def reference_area_m2(self) -> float:
        """π·d²/4 [m²]."""
        return float(np.pi * self.diameter_m**2 / 4.0)

    @property
    def cycle_time_s(self) -> float:
        """Shortest interval between shots the mechanism allows [s]."""
        return 60.0 / self.max_rate_per_min


def muzzle_energy_j(mass_kg: ArrayLike, speed_mps: ArrayLike) -> F64:
    """Kinetic energy ½·m·v² [J] of a projectile of mass [kg] at speed [m/s]."""
    m, v = np.asarray(mass_kg, float), np.asarray(speed_mps, float)
    return 0.5 * m * v * v


def bank_energy_j(spec: RailgunSpec) -> float:
    """Energy drawn from the ship and stored per shot [J]: E_m / η unless given."""
    if spec.bank_energy_per_shot_j is not None:
        return float(spec.bank_energy_per_shot_j)
    return spec.muzzle_energy_j / spec.efficiency


def _safe_div(num: F64 | float, den: F64) -> F64:
    """num / den where den > 0, +inf elsewhere (no warnings)."""
    ok = den > 0.0
    return np.where(ok, np.asarray(num, float) / np.where(ok, den, 1.0), np.inf)


def charge_time_s(spec: RailgunSpec, power_w: ArrayLike) -> F64:
    """Time to put one shot's energy into the bank from ``power_w`` [W] of bus power [s].

    E_b / min(P, P_charger); infinite where no power is offered.
    """
    p = np.minimum(np.asarray(power_w, float), spec.charge_power_w)
    return _safe_div(bank_energy_j(spec), p)


def sustainable_rate_per_min(spec: RailgunSpec, power_available_w: ArrayLike) -> F64:
    """Long-run firing rate [rounds/min] with ``power_available_w`` [W] for charging.

    min(r_mech, 60·min(P, P_charger)/E_b); 0 where P ≤ 0.
    """
    p = np.maximum(np.minimum(np.asarray(power_available_w, float), spec.charge_power_w), 0.0)
    return np.minimum(spec.max_rate_per_min, 60.0 * p / bank_energy_j(spec))


def rate_limit(spec: RailgunSpec, power_available_w: float) -> str:
    """What sets :func:`sustainable_rate_per_min`.

    One of ``"mechanism"``, ``"gun charger"``, ``"ship power"``, ``"no power"``
    (ties go to the earlier name).
    """
    if not power_available_w > 0.0:
        return "no power"
    e_b = bank_energy_j(spec)
    rates = (spec.max_rate_per_min, 60.0 * spec.charge_power_w / e_b,
             60.0 * power_available_w / e_b)
    return ("mechanism", "gun charger", "ship power")[int(np.argmin(rates))]


def average_power_w(spec: RailgunSpec, rate_per_min: ArrayLike) -> F64:
    """Mean bus power [W] that firing at ``rate_per_min`` takes: r·E_b/60."""
    return np.asarray(rate_per_min, float) * bank_energy_j(spec) / 60.0


def hit_probability(sigma_m: ArrayLike, lethal_radius_m: ArrayLike) -> F64:
    """Chance that a circular Gaussian impact (per-axis σ [m]) lands within r [m].

    1 − exp(−r²/(2σ²)), the Rayleigh distribution function of the radial miss
    (Papoulis & Pillai, *Probability, Random Variables and Stochastic Processes*,
    4th ed., 2002, §6-4 example of the Rayleigh density); 1 where σ = 0.
    """
    s = np.asarray(sigma_m, float)
    r = np.asarray(lethal_radius_m, float)
    ratio = _safe_div(r * r, 2.0 * s * s)
    return -np.expm1(-ratio)


def impact_sigma_m(spec: RailgunSpec, range_m: ArrayLike) -> F64:
    """Per-axis impact standard deviation [m]: R·δ unguided, the residual guided."""
    rng = np.asarray(range_m, float)
    if spec.guided:
        return np.full_like(rng, spec.guided_residual_m)
    return rng * spec.dispersion_rad


def single_shot_pk(spec: RailgunSpec, range_m: ArrayLike) -> F64:
    """Kill probability of one round at slant range ``range_m`` [m]: P_hit · Pk|hit."""
    return spec.pk_hit * hit_probability(impact_sigma_m(spec, range_m), spec.lethal_radius_m)


def charge_tick(dt: float, power_w: F64, stored_j: F64, capacity_j: F64,
                charge_limit_w: F64) -> tuple[F64, F64]:
    """One tick of charging ``n`` banks (numpy; the reference of
    :func:`charge_tick_scalar`).

    ``power_w`` offered [W] (negative read as 0), ``stored_j`` and ``capacity_j`` the
    banks' energy and capacity [J], ``charge_limit_w`` the chargers' limits [W], all
    ``(n,)``.  Returns the power drawn [W], at most the power offered, the charger limit
    and what fills the bank within ``dt`` [s], and the energy stored after the tick [J].
    """
    offered = np.maximum(power_w, 0.0)
    room = (capacity_j - stored_j) / dt
    drawn = np.minimum(np.minimum(offered, charge_limit_w), np.maximum(room, 0.0))
    return drawn, np.minimum(stored_j + drawn * dt, capacity_j)


def charge_tick_scalar(dt: float, power_w: list[float], stored_j: list[float],
                       capacity_j: list[float],
                       charge_limit_w: list[float]) -> tuple[list[float], list[float]]:
    """:func:`charge_tick` on Python floats (all finite), same results: ``np.maximum(a,
    b)`` is ``a if a > b else b`` and ``np.minimum(a, b)`` ``a if a < b else b``."""
    drawn, stored = [], []
    for p, e, cap, lim in zip(power_w, stored_j, capacity_j, charge_limit_w, strict=True):
        p = p if p > 0.0 else 0.0
        room = (cap - e) / dt
        p = p if p < lim else lim
        room = room if room > 0.0 else 0.0
        p = p if p < room else room
        e = e + p * dt
        drawn.append(p)
        stored.append(e if e < cap else cap)
    return drawn, stored


class RailgunState:
    """Bank energy, mechanism clock and barrel wear of ``n`` guns (rows of arrays).

    Parameters
    ----------
    specs
        One spec per gun.
    charged
        Whether the banks start full.

    Notes
    -----
    Each tick the engine calls :meth:`charge` (advances every gun's clock by ``dt``
    and draws power into the banks) and then :meth:`fire` for the guns it wants to
    shoot.  A shot takes one shot's bank energy; energy drawn from the bus goes into
    the bank without further loss (the losses are in the spec's efficiency).
    """

    shot_energy = Guarded[F64]()  #: bank energy per shot ``(n,)`` [J]
    capacity = Guarded[F64]()  #: bank capacity ``(n,)`` [J]
    cycle = Guarded[F64]()  #: shortest interval between shots ``(n,)`` [s]
    charge_limit = Guarded[F64]()  #: chargers' power limits ``(n,)`` [W]
    life = Guarded[NDArray[np.int64]]()  #: barrel life ``(n,)`` [rounds]
    rounds = Guarded[NDArray[np.int64]]()  #: rounds fired since the last relining ``(n,)``

    def __init__(self, specs: Sequence[RailgunSpec], charged: bool = True) -> None:
        self.specs = tuple(specs)
        self.n = len(self.specs)
        #: whether an array of a :class:`Guarded` attribute was read or set from outside
        #: (then :attr:`_lists` and :attr:`_rounds_l` are not used)
        self._open = False
        self._shot_energy = np.array([bank_energy_j(s) for s in self.specs], float)
        self._capacity = self._shot_energy * np.array([s.bank_shots for s in self.specs],
                                                      float)
        self._cycle = np.array([s.cycle_time_s for s in self.specs], float)
        self._charge_limit = np.array([s.charge_power_w for s in self.specs], float)
        self._life = np.array([s.barrel_life for s in self.specs], np.int64)
        self._rounds = np.zeros(self.n, np.int64)
        #: the fixed arrays as lists (shot energy, capacity, cycle, charge limit, life)
        self._lists = (self._shot_energy.tolist(), self._capacity.tolist(),
                       self._cycle.tolist(), self._charge_limit.tolist(), self._life.tolist())
        self._rounds_l: list[int] | None = None  #: :attr:`rounds` as a list, if read
        #: energy in the banks [J] (:attr:`stored`): an array, or None with the numbers
        #: in :attr:`_stored_l` (a tick's answer, made an array only when read)
        self._stored_a: F64 | None = None
        self._stored_l: list[float] = []
        self.stored = self._capacity.copy() if charged else np.zeros(self.n)  #: [J]
        #: time since the last shot [s] (:attr:`since_shot`): an array, or None with the
        #: numbers in :attr:`_since_l` plus :attr:`_pend` ticks of :attr:`_pend_dt` not
        #: yet added (each added as the tick of old did, when the clock is read)
        self._since_a: F64 | None = np.full(self.n, np.inf)
        self._since_l: list[float] = []
        self._pend = 0
        self._pend_dt = 0.0

    def _const(self) -> tuple[list[float], list[float], list[float], list[float], list[int]]:
        """Shot energy, capacity, cycle, charge limit and life as lists (not to be
        changed): kept while :attr:`_open` is False, read from the arrays else."""
        if not self._open:
            return self._lists
        return (self._shot_energy.tolist(), self._capacity.tolist(), self._cycle.tolist(),
                self._charge_limit.tolist(), self._life.tolist())

    def _rounds_list(self) -> list[int]:
        """:attr:`rounds` as a list (not to be changed)."""
        if self._open:
            out: list[int] = self._rounds.tolist()
            return out
        if self._rounds_l is None:
            self._rounds_l = self._rounds.tolist()
        return self._rounds_l

    def _since_list(self) -> list[float]:
        """:attr:`since_shot` as a list (not to be changed), without making it an array."""
        a = self._since_a
        if a is not None:
            out: list[float] = a.tolist()
            return out
        if self._pend:
            self._catch_up()
        return self._since_l

    @property
    def stored(self) -> F64:
        """Energy in the banks ``(n,)`` [J]."""
        if self._stored_a is None:
            self._stored_a = np.array(self._stored_l, float)
        return self._stored_a

    @stored.setter
    def stored(self, value: F64) -> None:
        self._stored_a = value

    def _stored_list(self) -> list[float]:
        """:attr:`stored` as a list (not to be changed: it may be the state itself)."""
        a = self._stored_a
        return self._stored_l if a is None else a.tolist()

    @property
    def since_shot(self) -> F64:
        """Time since the last shot ``(n,)`` [s]."""
        if self._since_a is None:
            if self._pend:
                self._catch_up()
            self._since_a = np.array(self._since_l, float)
        return self._since_a

    @since_shot.setter
    def since_shot(self, value: F64) -> None:
        self._since_a, self._pend = value, 0

    def _catch_up(self) -> None:
        """Add the :attr:`_pend` ticks not yet added to the clocks, one by one (the same
        IEEE sums as a tick each: ``x + dt`` per tick, not ``x + k·dt``)."""
        k, dt, out = self._pend, self._pend_dt, []
        for x in self._since_l:
            for _ in range(k):
                x = x + dt
            out.append(x)
        self._since_l, self._pend = out, 0

    def _clock(self, dt: float) -> None:
        """Advance the clocks by ``dt`` [s]: ``since_shot + dt`` on Python floats (the
        same IEEE sums), added only when read (a tick only counts itself; most ticks
        nobody reads the clocks)."""
        a = self._since_a
        if a is not None:  # (read, maybe changed in place, since the last tick)
            self._since_l, self._since_a = a.tolist(), None
        elif self._pend and dt != self._pend_dt:
            self._catch_up()
        self._pend_dt = dt
        self._pend += 1

    @property
    def charge_level(self) -> F64:
        """Stored energy over bank capacity ``(n,)`` [-]."""
        return self.stored / self._capacity

    @property
    def wear(self) -> F64:
        """Rounds fired over barrel life ``(n,)`` [-]."""
        return self._rounds / self._life

    def _reasons(self) -> NDArray[np.int64]:
        reason = np.full(self.n, FIRED, np.int64)
        reason[self.stored < self._shot_energy * (1.0 - _REL)] = NOT_CHARGED
        reason[self.since_shot < self._cycle * (1.0 - _REL)] = CYCLING
        reason[self._rounds >= self._life] = WORN_OUT
        return reason

    @property
    def ready(self) -> NDArray[np.bool_]:
        """Guns that would fire now ``(n,)``: :meth:`_reasons`'s comparisons on Python
        scalars (the same IEEE comparisons; no numpy call per condition)."""
        f = 1.0 - _REL
        shot, _, cycle, _, life = self._const()
        return np.array([not (e < s * f or t < c * f or r >= lf) for e, s, t, c, r, lf
                         in zip(self._stored_list(), shot, self._since_list(), cycle,
                                self._rounds_list(), life, strict=True)], dtype=bool)

    def charge(self, dt: float, power_w: ArrayLike) -> F64:
        """Advance the guns' clocks by ``dt`` [s] and charge from ``power_w`` [W] each.

        Returns the power drawn ``(n,)`` [W]: at most the power offered, the charger
        limit and what fills the bank within ``dt``.
        """
        if not dt > 0:
            raise ValueError(f"dt must be > 0, got {dt}")
        p = power_w if isinstance(power_w, np.ndarray) and power_w.dtype == np.float64 \
            and power_w.shape == (self.n,) else np.broadcast_to(np.asarray(power_w, float),
                                                                 (self.n,))
        offered, stored = p.tolist(), self._stored_list()
        _, capacity, _, limit, _ = self._const()
        check = sum(offered) + sum(stored) + sum(capacity) + sum(limit)
        if check - check == 0.0:  # all finite: scalar arithmetic, the same as numpy's
            drawn_l, stored_l = charge_tick_scalar(dt, offered, stored, capacity, limit)
            drawn, self.stored = np.array(drawn_l), np.array(stored_l)
        else:  # NaN or infinity somewhere: numpy's own handling
            drawn, self.stored = charge_tick(dt, np.asarray(p, float), self.stored,
                                             self._capacity, self._charge_limit)
        self._clock(dt)
        return drawn

    def charge_lists(self, dt: float, power_w: list[float],
                     state: tuple[list[float], list[float], list[float]] | None = None
                     ) -> list[float]:
        """:meth:`charge` with the power offered ``(n,)`` [W] and drawn [W] as lists.

        ``state``, if given, is ``(stored, capacity, charge_limit)`` as lists, read from
        the guns since they last changed (saves reading them again)."""
        if not dt > 0:
            raise ValueError(f"dt must be > 0, got {dt}")
        if state is None:
            _, capacity, _, limit, _ = self._const()
            state = (self._stored_list(), capacity, limit)
        out = self._charge_scalar(dt, power_w, state)
        if out is None:
            drawn_a: list[float] = self.charge(dt, np.array(power_w, float)).tolist()
            return drawn_a
        return out[0]

    def _charge_scalar(self, dt: float, power_w: list[float],
                       state: tuple[list[float], list[float], list[float]]
                       ) -> tuple[list[float], list[float]] | None:
        """:meth:`charge_lists` when every input is finite: the power drawn and the banks
        after the tick, as lists; None (nothing done) else."""
        stored, capacity, limit = state
        check = sum(power_w) + sum(stored) + sum(capacity) + sum(limit)
        if not check - check == 0.0 or len(power_w) != self.n:
            return None
        drawn, stored_l = charge_tick_scalar(dt, power_w, stored, capacity, limit)
        self._advance(dt, stored, stored_l)
        return drawn, stored_l

    def _advance(self, dt: float, stored: list[float], stored_l: list[float]) -> None:
        """The banks ``stored_l`` after a tick from ``stored`` (lists), the clocks on.

        The banks become the list ``stored_l`` (never changed in place) even when equal
        to ``stored``: an array read before the tick is not the banks after it (as when
        each tick made a new array), and a steady tick finds its own answer as the state
        (:func:`serve_and_charge`'s shortcut)."""
        self._stored_a, self._stored_l = None, stored_l
        self._clock(dt)

    def fire(self, request: ArrayLike | None = None) -> tuple[NDArray[np.bool_],
                                                               NDArray[np.int64]]:
        """Fire the requested guns (all by default) that can.

        Returns
        -------
        fired
            ``(n,)`` bool.
        reason
            ``(n,)`` codes into :data:`FIRE_REASONS` (0 for the guns that fired).
        """
        want = (np.ones(self.n, bool) if request is None
                else np.broadcast_to(np.asarray(request, bool), (self.n,)))
        reason = np.where(want, self._reasons(), NOT_REQUESTED)
        fired = reason == FIRED
        self.stored = np.where(fired, np.maximum(self.stored - self._shot_energy, 0.0),
                               self.stored)
        self.since_shot = np.where(fired, 0.0, self.since_shot)
        self._rounds, self._rounds_l = self._rounds + fired, None
        return fired, reason


def railgun_energy_case() -> list[CaseResult]:
    """REFERENCES.md §4/§6 railgun energy bookkeeping, for ``tate verify``.

    The two muzzle energies (EMRG record shot ½·10.43·2520² = 33.1 MJ to the quoted
    rounding; ATLA ½·0.32·2230² = 0.795664 MJ exactly) from the presets, and the
    average bus power of 10 rounds/min of 32 MJ at η = 0.3 (17.8 MW).
    """
    from tate.verify import CaseResult
    from tate.weapons.ship_presets import railgun_preset

    emrg, atla = railgun_preset("emrg-32mj-like"), railgun_preset("atla-40mm-like")
    e1, e2 = emrg.muzzle_energy_j / 1e6, atla.muzzle_energy_j / 1e6
    goal = replace(emrg, muzzle_speed_mps=float(np.sqrt(2 * 32e6 / emrg.projectile_mass_kg)),
                   efficiency=0.3, max_rate_per_min=10.0)
    p = float(average_power_w(goal, goal.max_rate_per_min)) / 1e6
    case = "Railgun energy"
    return [
        CaseResult(case, "EMRG-like muzzle energy, 10.43 kg at 2,520 m/s", "33.1", e1,
                   "±0.05 MJ", abs(e1 - 33.1) <= 0.05, "MJ"),
        CaseResult(case, "ATLA-like muzzle energy, 0.32 kg at 2,230 m/s", "0.795664", e2,
                   "±1e-9 relative", abs(e2 / 0.795664 - 1) <= 1e-9, "MJ"),
        CaseResult(case, "average power, 10 rounds/min x 32 MJ / 0.3", "17.78", p,
                   "±0.01 MW", abs(p - 17.78) <= 0.01, "MW"),
    ]
