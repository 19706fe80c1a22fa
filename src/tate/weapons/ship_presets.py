"""Generic ship electrical plants and railgun presets, and the railgun energy table.

None of these is a real system's data; each is "-like": headline numbers anchored to
public statements (REFERENCES.md §4, tags [V] read in a public source, [C] computed)
and the rest rounded engineering assumptions [A] (docs/railgun_power.md lists them).

Ship plants (:data:`PLANTS`)
----------------------------
``ddg51-flight2a``
    3 × 3 MW ship-service generators [V]; mechanical drive (4 × LM2500 on the shafts,
    no electric propulsion load) [V]; SPY-1D-like radar (1.5 MW from its preset);
    hotel 2.0 MW and other 0.5 MW [A].
``ddg51-flight3``
    3 × 4 MW generators (4,160 V grid for SPY-6) [V]; SPY-6-like radar (3.0 MW);
    hotel 2.0 MW, other 0.5 MW [A].
``ddg1000-like``
    Integrated power system 2 × 36 MW (MT30) + 2 × 3.8 MW [V] (79.6 MW; "~78 MW" in the
    open literature), electric drive: propulsion 69 MW at 30 kn [A], P ∝ v³ [A]; a
    3 MW multifunction radar (the SPY-6-like preset as a stand-in) [A]; hotel 3.0 MW,
    other 1.0 MW [A].
``maya-like``
    A generic hybrid-drive (gas-turbine-electric at cruise, gas turbines above) Aegis
    destroyer [A]: 2 × 4 MW generators, 2.5 MW of propulsion motors up to 15 kn,
    SPY-1D-like radar, hotel 2.0 MW, other 0.5 MW.

Railguns (:data:`RAILGUNS`)
---------------------------
``emrg-32mj-like``
    US Navy EMRG class: the December 2010 record shot, 10.43 kg at 2,520 m/s = 33.1 MJ
    muzzle [V]/[C]; 10 rounds/min goal [V]; efficiency 0.3 [C] (REFERENCES.md §4),
    so 110 MJ drawn per shot and 18.4 MW at 10 rounds/min.  Guided round (hyper-velocity
    projectile class), 2 m residual, 100 m/s² cap, 3 m lethal radius, one-shot bank,
    20 MW charger, 400-round barrel, 50,000 USD a round [A].
``atla-40mm-like``
    Japan ATLA 40 mm class: 320 g at 2,230 m/s at sea = 0.795664 MJ [V]/[C]; rail life
    ~120 rounds, ~8 t, 6 m barrel [V].  Unguided, 0.3 mrad dispersion, 1 m lethal
    radius, 12 rounds/min, 1.5 MW charger, 5,000 USD a round, η 0.3 [A].

Both share a generic slender hypervelocity-projectile C_D(Mach) table [A]: ~0.3 in the
transonic peak falling to ~0.16 at Mach 10.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from tate.registry import lookup
from tate.weapons.power import (
    PlantSpec,
    railgun_power_available_w,
    sustainable_railgun_rate,
)
from tate.weapons.railgun import RailgunSpec, average_power_w, bank_energy_j

__all__ = [
    "PLANTS",
    "RAILGUNS",
    "EnergyRow",
    "format_energy_table",
    "plant_preset",
    "railgun_energy_table",
    "railgun_preset",
]

_HVP_CD = ((0.0, 0.8, 1.0, 1.2, 1.5, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0),
           (0.12, 0.14, 0.30, 0.34, 0.32, 0.28, 0.24, 0.21, 0.19, 0.18, 0.17, 0.16))

PLANTS: Mapping[str, PlantSpec] = MappingProxyType({
    "ddg51-flight2a": PlantSpec(
        name="ddg51-flight2a", generators_w=(3e6, 3e6, 3e6), hotel_w=2.0e6,
        radars=("spy1d-like",), other_w=0.5e6, drive="mechanical"),
    "ddg51-flight3": PlantSpec(
        name="ddg51-flight3", generators_w=(4e6, 4e6, 4e6), hotel_w=2.0e6,
        radars=("spy6-like",), other_w=0.5e6, drive="mechanical"),
    "ddg1000-like": PlantSpec(
        name="ddg1000-like", generators_w=(36e6, 36e6, 3.8e6, 3.8e6), hotel_w=3.0e6,
        radars=("spy6-like",), other_w=1.0e6, drive="electric", propulsion_max_w=69e6,
        propulsion_max_kn=30.0),
    "maya-like": PlantSpec(
        name="maya-like", generators_w=(4e6, 4e6), hotel_w=2.0e6, radars=("spy1d-like",),
        other_w=0.5e6, drive="hybrid", propulsion_max_w=2.5e6, propulsion_max_kn=15.0),
})

RAILGUNS: Mapping[str, RailgunSpec] = MappingProxyType({
    "emrg-32mj-like": RailgunSpec(
        name="emrg-32mj-like", projectile_mass_kg=10.43, muzzle_speed_mps=2520.0,
        max_rate_per_min=10.0, charge_power_w=20e6, barrel_life=400, guided=True,
        diameter_m=0.10, cd_mach=_HVP_CD, dispersion_rad=1e-3, guided_residual_m=2.0,
        lethal_radius_m=3.0, pk_hit=0.8, cost_per_round_usd=50_000.0, max_accel=100.0,
        efficiency=0.3, bank_shots=1.0, barrel_length_m=10.0),
    "atla-40mm-like": RailgunSpec(
        name="atla-40mm-like", projectile_mass_kg=0.32, muzzle_speed_mps=2230.0,
        max_rate_per_min=12.0, charge_power_w=1.5e6, barrel_life=120, guided=False,
        diameter_m=0.040, cd_mach=_HVP_CD, dispersion_rad=3e-4, guided_residual_m=0.0,
        lethal_radius_m=1.0, pk_hit=0.5, cost_per_round_usd=5_000.0, efficiency=0.3,
        bank_shots=1.0, mount_mass_kg=8000.0, barrel_length_m=6.0),
})


def plant_preset(name: str) -> PlantSpec:
    """The ship plant called ``name``; ValueError listing the valid names otherwise."""
    return lookup(PLANTS, "ship plant", name)


def railgun_preset(name: str) -> RailgunSpec:
    """The railgun called ``name``; ValueError listing the valid names otherwise."""
    return lookup(RAILGUNS, "railgun", name)


@dataclass(frozen=True)
class EnergyRow:
    """One (ship class, railgun) pair of :func:`railgun_energy_table`; SI units."""

    ship: str
    railgun: str
    speed_kn: float
    capacity_w: float  #: all generators [W]
    available_w: float  #: left for the railgun [W]
    muzzle_energy_j: float
    bank_energy_j: float  #: drawn from the ship per shot [J]
    rate_per_min: float  #: sustained rate [rounds/min]
    limit: str  #: what sets the rate
    average_power_w: float  #: bus power at that rate [W]


def railgun_energy_table(speed_kn: float = 15.0, radars_on: bool = True,
                         echo: bool = False) -> list[EnergyRow]:
    """Every ship plant against every railgun preset at ``speed_kn`` [kn].

    Returns the rows; with ``echo`` also prints :func:`format_energy_table` of them.
    """
    rows = []
    for plant in PLANTS.values():
        avail = railgun_power_available_w(plant, speed_kn, radars_on)
        for gun in RAILGUNS.values():
            rate, limit = sustainable_railgun_rate(plant, gun, speed_kn, radars_on)
            rows.append(EnergyRow(plant.name, gun.name, speed_kn, plant.capacity_w, avail,
                                  gun.muzzle_energy_j, bank_energy_j(gun), rate, limit,
                                  float(average_power_w(gun, rate))))
    if echo:
        print(format_energy_table(rows))
    return rows


def format_energy_table(rows: list[EnergyRow]) -> str:
    """Fixed-width text of :func:`railgun_energy_table` rows (MW, MJ, rounds/min)."""
    head = (f"{'ship':<16}{'railgun':<16}{'kn':>5}{'plant MW':>10}{'spare MW':>10}"
            f"{'muzzle MJ':>11}{'bank MJ':>9}{'rds/min':>9}{'avg MW':>8}  limit")
    lines = [head]
    for r in rows:
        lines.append(f"{r.ship:<16}{r.railgun:<16}{r.speed_kn:>5.0f}{r.capacity_w / 1e6:>10.1f}"
                     f"{r.available_w / 1e6:>10.2f}{r.muzzle_energy_j / 1e6:>11.3f}"
                     f"{r.bank_energy_j / 1e6:>9.2f}{r.rate_per_min:>9.2f}"
                     f"{r.average_power_w / 1e6:>8.2f}  {r.limit}")
    return "\n".join(lines)
