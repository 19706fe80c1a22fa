"""Generic interceptor and gun presets from open, order-of-magnitude numbers.

None of these is a real weapon's data; each is "-like": a plausible class of
weapon whose headline figures follow public statements (docs/references.md §3)
and whose other numbers are rounded engineering assumptions.  Tags: [V] read in
a named public source, [M] widely repeated, [A] our assumption, [C] computed.
The stage tables are [A], sized so that a fly-out through the atmosphere to a
typical intercept point burns out near the headline speed (the ideal
rocket-equation Δv, ``ideal_delta_v``, exceeds it by the 0.7–2 km/s of gravity and
drag losses; docs/weapons.md lists both, the flown speeds are [C] from our runs).

``sm3-iia-like``
    Exo-atmospheric hit-to-kill, three stages and a kill vehicle (KV) with divert
    thrusters; burnout ~4.5 km/s [M]; intercept altitude 100–1,000 km, range
    2,500 km [V] press; KV divert Δv 0.6 km/s [A]; seeker 300 km [A].
``sm3-ib-like``
    The same family, smaller upper stages: burnout ~3 km/s [M]; range 900 km, altitude
    up to 500 km [A]; divert 0.5 km/s [A].
``sm6-like``
    Endo-atmospheric, aerodynamically steered after burnout, active seeker, ~Mach 3.5
    [V]/[M], range ~370 km [V]/[M], altitude ≤ 33 km [A]; blast-fragmentation with
    an 8 m lethal radius [A].
``gpi-like``
    A glide-phase interceptor for the upper atmosphere (40–70 km) [A]: two stages
    and a hit-to-kill vehicle with divert thrusters (no aerodynamic steering at those
    altitudes), burnout ~3.5 km/s [A].
``essm-like``
    Short-range point/area defence: one stage, ~Mach 4 [M], range 50 km [M], 50 g
    [M]; blast-fragmentation, 5 m lethal radius [A].
``ciws-like``
    A 20 mm six-barrel gun: 1,100 m/s muzzle speed [M], 75 rounds/s [M] (4,500 per
    minute), effective range ~2 km [M], 1.5 mrad dispersion [A].  Kinematic only:
    per-round Pk from the dispersion (:func:`tate.weapons.intercept.pk_gun_round`).

Costs per round [A], rounded from public orders of magnitude: SM-3 IIA ~$28 M
(a 2018 foreign-sale notice: four SM-3 IIA with support for $133.3 M, i.e. at most
~$33 M each [V] press), SM-3 IB ~$12 M, SM-6 ~$4.3 M (a 2022 foreign-sale notice:
32 SM-6 with support for $450 M, at most ~$14 M each [V] press), ESSM ~$1.8 M,
GPI ~$30 M, a 20 mm round ~$30.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
from numpy.typing import ArrayLike, NDArray

from tate.flight.models.booster import G0
from tate.registry import lookup
from tate.weapons.intercept import pk_blast_frag, pk_gun_burst, pk_hit_to_kill

__all__ = [
    "CD_MACH",
    "PRESETS",
    "Envelope",
    "GunPreset",
    "InterceptorPreset",
    "Stage",
    "interceptor_preset",
    "preset",
]

F64 = NDArray[np.float64]
REGIMES = ("kv", "endo")  #: divert-thruster kill vehicle, or aerodynamic steering
KILLS = ("hit-to-kill", "blast-frag")

#: Zero-lift drag coefficient against Mach number, shared by every missile [A]: the
#: usual subsonic plateau, transonic rise and supersonic fall of a slender body.
CD_MACH: tuple[F64, F64] = (
    np.array([0.0, 0.6, 0.9, 1.1, 1.5, 2.0, 3.0, 4.0, 6.0, 10.0]),
    np.array([0.30, 0.30, 0.40, 0.60, 0.55, 0.48, 0.40, 0.35, 0.30, 0.27]),
)


@dataclass(frozen=True)
class Stage:
    """A solid rocket stage burning at constant thrust."""

    propellant_kg: float
    dry_kg: float
    isp_s: float
    burn_s: float
    diameter_m: float  #: drag reference while this stage is the lowest one left [m]


@dataclass(frozen=True)
class Envelope:
    """Where a weapon can intercept (for engageability; the flight model does not
    enforce it)."""

    min_alt_m: float
    max_alt_m: float
    max_range_m: float
    max_target_speed_mps: float
    min_range_m: float = 0.0


@dataclass(frozen=True)
class InterceptorPreset:
    """A guided interceptor.

    ``regime`` ``"kv"``: after the last stage a kill vehicle of ``payload_kg`` steers
    with divert thrusters (acceleration ``divert_accel_mps2``, budget
    ``divert_dv_mps``, specific impulse ``divert_isp_s``) and has no aerodynamic
    steering; ``"endo"``: the missile body of ``payload_kg`` steers aerodynamically,
    lateral acceleration ≤ min(``a_struct_mps2``, q̄ S C_L,max / m), S = π d²/4 of
    ``final_diameter_m`` (of the lowest stage left during the boost).  During the
    boost both add thrust-vector steering, (T/m)·sin(``tvc_deg``).
    """

    name: str
    description: str
    regime: str
    stages: tuple[Stage, ...]
    payload_kg: float
    final_diameter_m: float  #: drag and lift reference after the last stage [m]
    t_vert_s: float  #: vertical rise after launch [s]
    tvc_deg: float  #: thrust-vector deflection limit [deg]
    cl_max: float  #: maximum normal-force coefficient on the body cross-section [-]
    a_struct_mps2: float  #: structural lateral acceleration limit [m/s^2]
    guidance: str  #: terminal law, a name of tate.weapons.guidance.GUIDANCE
    nprime: float  #: navigation ratio [-]
    seeker_range_m: float  #: seeker acquisition range [m]
    divert_dv_mps: float  #: KV divert budget [m/s] (0 for endo)
    divert_accel_mps2: float  #: KV divert acceleration [m/s^2]
    divert_isp_s: float  #: KV divert thrusters' specific impulse [s]
    envelope: Envelope
    kill: str  #: "hit-to-kill" or "blast-frag"
    kill_radius_m: float  #: hit radius, or the 50 % lethal radius [m]
    pk_max: float  #: kill probability at zero miss [-]
    cost_usd: float  #: per round [A]
    burnout_speed_mps: float  #: headline figure [M]/[A], documentation only [m/s]
    seeker_noise_rad: float = 0.0  #: seeker angle noise, 1σ across the line of sight [rad]
    glint_m: float = 0.0  #: seeker aim-point noise independent of range, 1σ [m]

    def __post_init__(self) -> None:
        if self.regime not in REGIMES:
            raise ValueError(f"{self.name}: regime must be one of {REGIMES}, got {self.regime!r}")
        if self.kill not in KILLS:
            raise ValueError(f"{self.name}: kill must be one of {KILLS}, got {self.kill!r}")
        if not self.stages:
            raise ValueError(f"{self.name}: needs at least one stage")

    @property
    def liftoff_mass_kg(self) -> float:
        """Mass at launch [kg]."""
        return self.payload_kg + sum(s.propellant_kg + s.dry_kg for s in self.stages)

    @property
    def ideal_delta_v(self) -> float:
        """Σ g0 Isp ln(m_0/m_1) over the stages, spent dry mass dropped [m/s]."""
        m, dv = self.liftoff_mass_kg, 0.0
        for s in self.stages:
            dv += s.isp_s * G0 * float(np.log(m / (m - s.propellant_kg)))
            m -= s.propellant_kg + s.dry_kg
        return dv

    def pk(self, miss: ArrayLike) -> F64:
        """Kill probability against miss distance [m] with this preset's warhead."""
        if self.kill == "hit-to-kill":
            return pk_hit_to_kill(miss, self.kill_radius_m, self.pk_max)
        return pk_blast_frag(miss, self.kill_radius_m, self.pk_max)


@dataclass(frozen=True)
class GunPreset:
    """A gun firing bursts of unguided rounds (kinematic: straight flight at the muzzle
    speed, no drag)."""

    name: str
    description: str
    muzzle_speed_mps: float
    rate_rps: float  #: rounds per second
    dispersion_rad: float  #: per axis, one standard deviation
    burst_rounds: int
    magazine_rounds: int
    round_mass_kg: float
    pk_hit: float  #: kill probability given a hit [-]
    envelope: Envelope
    cost_usd: float  #: per round [A]

    def pk(self, range_m: ArrayLike, target_radius_m: ArrayLike,
           rounds: ArrayLike | None = None) -> F64:
        """Kill probability of a burst (default ``burst_rounds``) at ``range_m`` [m]."""
        n = self.burst_rounds if rounds is None else rounds
        return pk_gun_burst(range_m, n, self.dispersion_rad, target_radius_m, self.pk_hit)

    def time_of_flight(self, range_m: ArrayLike) -> F64:
        """Round flight time to ``range_m`` [s] at the muzzle speed."""
        return np.asarray(np.asarray(range_m, float) / self.muzzle_speed_mps)


_MK72_LIKE = Stage(propellant_kg=620.0, dry_kg=140.0, isp_s=250.0, burn_s=6.0, diameter_m=0.53)

_SM3_IIA = InterceptorPreset(
    name="sm3-iia-like",
    description="exo-atmospheric hit-to-kill, three stages and a divert kill vehicle",
    regime="kv",
    stages=(_MK72_LIKE, Stage(720.0, 160.0, 270.0, 24.0, 0.53),
            Stage(130.0, 45.0, 290.0, 14.0, 0.53)),
    payload_kg=45.0, final_diameter_m=0.35, t_vert_s=2.0, tvc_deg=8.0,
    cl_max=8.0, a_struct_mps2=250.0, guidance="zem", nprime=4.0, seeker_range_m=300e3,
    divert_dv_mps=600.0, divert_accel_mps2=50.0, divert_isp_s=230.0,
    envelope=Envelope(min_alt_m=100e3, max_alt_m=1000e3, max_range_m=2500e3,
                      max_target_speed_mps=7500.0),
    kill="hit-to-kill", kill_radius_m=0.5, pk_max=0.9, cost_usd=28e6,
    burnout_speed_mps=4500.0,
    seeker_noise_rad=20e-6, glint_m=0.1)

_SM3_IB = InterceptorPreset(
    name="sm3-ib-like",
    description="exo-atmospheric hit-to-kill, smaller upper stages than the IIA",
    regime="kv",
    stages=(_MK72_LIKE, Stage(200.0, 100.0, 260.0, 12.0, 0.34),
            Stage(12.0, 30.0, 280.0, 8.0, 0.34)),
    payload_kg=25.0, final_diameter_m=0.34, t_vert_s=4.0, tvc_deg=8.0,
    cl_max=8.0, a_struct_mps2=250.0, guidance="zem", nprime=4.0, seeker_range_m=250e3,
    divert_dv_mps=500.0, divert_accel_mps2=50.0, divert_isp_s=230.0,
    envelope=Envelope(min_alt_m=100e3, max_alt_m=500e3, max_range_m=900e3,
                      max_target_speed_mps=5000.0),
    kill="hit-to-kill", kill_radius_m=0.4, pk_max=0.85, cost_usd=12e6,
    burnout_speed_mps=3000.0,
    seeker_noise_rad=20e-6, glint_m=0.1)

_SM6 = InterceptorPreset(
    name="sm6-like",
    description="endo-atmospheric, booster and dual-thrust motor, active seeker, blast-frag",
    regime="endo",
    stages=(_MK72_LIKE, Stage(120.0, 110.0, 250.0, 25.0, 0.34)),
    payload_kg=380.0, final_diameter_m=0.34, t_vert_s=1.0, tvc_deg=10.0,
    cl_max=15.0, a_struct_mps2=300.0, guidance="apn", nprime=4.0, seeker_range_m=30e3,
    divert_dv_mps=0.0, divert_accel_mps2=0.0, divert_isp_s=1.0,
    envelope=Envelope(min_alt_m=0.0, max_alt_m=33e3, max_range_m=370e3,
                      max_target_speed_mps=3500.0),
    kill="blast-frag", kill_radius_m=8.0, pk_max=0.8, cost_usd=4.3e6,
    burnout_speed_mps=1200.0,
    seeker_noise_rad=0.5e-3, glint_m=1.0)

_GPI = InterceptorPreset(
    name="gpi-like",
    description="glide-phase interceptor for 40-70 km: two stages and a divert kill vehicle",
    regime="kv",
    stages=(Stage(750.0, 160.0, 265.0, 10.0, 0.53),
            Stage(170.0, 55.0, 290.0, 20.0, 0.45)),
    payload_kg=60.0, final_diameter_m=0.35, t_vert_s=10.0, tvc_deg=8.0,
    cl_max=8.0, a_struct_mps2=250.0, guidance="apn", nprime=4.0, seeker_range_m=100e3,
    divert_dv_mps=800.0, divert_accel_mps2=100.0, divert_isp_s=230.0,
    envelope=Envelope(min_alt_m=40e3, max_alt_m=70e3, max_range_m=600e3,
                      max_target_speed_mps=3500.0),
    kill="hit-to-kill", kill_radius_m=0.5, pk_max=0.85, cost_usd=30e6,
    burnout_speed_mps=3500.0,
    seeker_noise_rad=20e-6, glint_m=0.1)

_ESSM = InterceptorPreset(
    name="essm-like",
    description="short-range point defence, one stage, tail control, blast-frag",
    regime="endo",
    stages=(Stage(160.0, 0.0, 250.0, 10.0, 0.254),),
    payload_kg=140.0, final_diameter_m=0.254, t_vert_s=0.5, tvc_deg=12.0,
    cl_max=20.0, a_struct_mps2=490.0, guidance="pn", nprime=4.0, seeker_range_m=15e3,
    divert_dv_mps=0.0, divert_accel_mps2=0.0, divert_isp_s=1.0,
    envelope=Envelope(min_alt_m=0.0, max_alt_m=15e3, max_range_m=50e3,
                      max_target_speed_mps=1500.0),
    kill="blast-frag", kill_radius_m=5.0, pk_max=0.75, cost_usd=1.8e6,
    burnout_speed_mps=1360.0,
    seeker_noise_rad=0.5e-3, glint_m=1.0)

_CIWS = GunPreset(
    name="ciws-like",
    description="20 mm six-barrel close-in weapon, kinematic model",
    muzzle_speed_mps=1100.0, rate_rps=75.0, dispersion_rad=1.5e-3, burst_rounds=75,
    magazine_rounds=1550, round_mass_kg=0.1, pk_hit=0.3,
    envelope=Envelope(min_alt_m=0.0, max_alt_m=1500.0, max_range_m=2000.0,
                      max_target_speed_mps=1200.0, min_range_m=100.0),
    cost_usd=30.0)

#: Presets by name, in the order error messages list them.
PRESETS: Mapping[str, InterceptorPreset | GunPreset] = MappingProxyType({
    p.name: p for p in (_SM3_IIA, _SM3_IB, _SM6, _GPI, _ESSM, _CIWS)})


def preset(name: str) -> InterceptorPreset | GunPreset:
    """The preset called ``name``; ValueError listing the valid names otherwise."""
    return lookup(PRESETS, "interceptor", name, sort=False)


def interceptor_preset(name: str) -> InterceptorPreset:
    """The guided-interceptor preset called ``name`` (ValueError for unknown names and
    for guns, which have no flight model)."""
    p = preset(name)
    if not isinstance(p, InterceptorPreset):
        guided = [k for k, v in PRESETS.items() if isinstance(v, InterceptorPreset)]
        raise ValueError(f"{name!r} is a gun preset; guided interceptors: {', '.join(guided)}")
    return p
