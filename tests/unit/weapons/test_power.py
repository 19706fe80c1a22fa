"""Ship electrical plant against hand arithmetic, a brute-force serving loop and energy
bookkeeping.

Oracles: a plain Python loop that serves loads one at a time in priority order
(hypothesis draws the cases); the storage balance E' = E + η_c·P_ch·dt − P_dis·dt/η_d
and the bus balance written out by hand; the propeller law and the sustained railgun
rates on DDG-51 Flight IIA (power-limited) and DDG-1000 (mechanism-limited at low
speed) computed by hand from REFERENCES.md §4; a gun charged tick by tick from the
plant against the closed-form sustained rate.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tate.weapons.power import (
    LOADS,
    PlantSpec,
    PowerPlant,
    demand_matrix,
    load_demands,
    propulsion_power_w,
    radar_power_w,
    railgun_power_available_w,
    serve_by_priority,
    sustainable_railgun_rate,
)
from tate.weapons.railgun import RailgunState, sustainable_rate_per_min
from tate.weapons.ship_presets import (
    PLANTS,
    format_energy_table,
    plant_preset,
    railgun_energy_table,
    railgun_preset,
)

E_BANK_EMRG = 0.5 * 10.43 * 2520.0**2 / 0.3  # 110,391,120 J drawn per shot
RG = LOADS.index("railgun")


# --- serving by priority -----------------------------------------------------------------------

def _serve_loop(avail: float, demand: list[float], priority: list[int]) -> list[float]:
    """Brute force: visit loads by (priority, column), give each what is left."""
    served = [0.0] * len(demand)
    left = avail
    for j in sorted(range(len(demand)), key=lambda j: (priority[j], j)):
        served[j] = max(0.0, min(demand[j], left))
        left -= served[j]
    return served


def test_shedding_by_hand() -> None:
    # 10 MW for hotel 3, radar 4, propulsion 5, other 2, railgun 6: propulsion gets the
    # last 3 MW, other and railgun are shed.
    served = serve_by_priority([10e6], [[3e6, 4e6, 5e6, 2e6, 6e6]], [0, 1, 2, 3, 4])
    np.testing.assert_allclose(served[0], [3e6, 4e6, 3e6, 0.0, 0.0])
    # railgun before propulsion
    served = serve_by_priority([10e6], [[3e6, 4e6, 5e6, 2e6, 6e6]], [0, 1, 3, 4, 2])
    np.testing.assert_allclose(served[0], [3e6, 4e6, 0.0, 0.0, 3e6])


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 4).flatmap(lambda n: st.tuples(
    st.lists(st.floats(0, 50e6), min_size=n, max_size=n),
    st.lists(st.lists(st.floats(0, 20e6), min_size=5, max_size=5), min_size=n, max_size=n),
    st.lists(st.integers(0, 3), min_size=5, max_size=5))))
def test_serving_properties_and_brute_force(
        case: tuple[list[float], list[list[float]], list[int]]) -> None:
    avail, demand, prio = case
    served = serve_by_priority(avail, demand, prio)
    d = np.array(demand)
    tol = 1e-6
    for i, a in enumerate(avail):
        np.testing.assert_allclose(served[i], _serve_loop(a, demand[i], prio), atol=tol)
        assert np.all(served[i] >= 0) and np.all(served[i] <= d[i] + tol)
        assert served[i].sum() <= a + tol
        assert served[i].sum() == pytest.approx(min(a, d[i].sum()), abs=tol)
        shed = d[i] - served[i] > tol
        for j in np.flatnonzero(shed):  # no load behind a shed one is served
            later = [m for m in range(5) if (prio[m], m) > (prio[j], j)]
            assert np.all(served[i][later] <= tol)


# --- storage and the bus -----------------------------------------------------------------------

def _plant(storage_j: float, eff: float = 0.81) -> PlantSpec:
    return PlantSpec(name="test", generators_w=(4e6, 5e6), hotel_w=0.0,
                     storage_j=storage_j, storage_charge_w=2e6, storage_discharge_w=2e6,
                     storage_efficiency=eff)


def test_storage_by_hand() -> None:
    # round trip 0.81: 0.9 each way.  10 MW demanded of 9 MW: storage gives 1 MW for 1 s,
    # losing 1 MJ / 0.9; then 1 MW of surplus for 1 s puts 0.9 MJ back.
    plant = PowerPlant([_plant(10e6)])
    step = plant.step(1.0, [[5e6, 0, 0, 0, 5e6]])
    assert step.discharge_w[0] == pytest.approx(1e6) and np.all(step.shed == 0)
    assert step.storage_j[0] == pytest.approx(10e6 - 1e6 / 0.9)
    step = plant.step(1.0, [[8e6, 0, 0, 0, 0]])
    assert step.charge_w[0] == pytest.approx(1e6) and step.generation[0] == pytest.approx(9e6)
    assert step.storage_j[0] == pytest.approx(10e6 - 1e6 / 0.9 + 0.9e6)
    # without storage the railgun is shed by 1 MW
    bare = PowerPlant([_plant(0.0)]).step(1.0, [[5e6, 0, 0, 0, 5e6]])
    np.testing.assert_allclose(bare.shed[0], [0, 0, 0, 0, 1e6])


def test_nearly_empty_storage_gives_what_it_holds() -> None:
    plant = PowerPlant([_plant(10e6, eff=1.0)], storage_j=[0.5e6])
    step = plant.step(1.0, [[9e6, 0, 0, 0, 3e6]])  # 2 MW limit, but only 0.5 MJ stored
    assert step.discharge_w[0] == pytest.approx(0.5e6)
    assert step.served[0, RG] == pytest.approx(0.5e6) and step.storage_j[0] == pytest.approx(0)


def test_storage_energy_and_bus_balance_over_random_demands() -> None:
    rng = np.random.default_rng(3)
    plant = PowerPlant([_plant(20e6), _plant(5e6, eff=0.64)], storage_j=[10e6, 0.0])
    eta = np.sqrt([0.81, 0.64])
    e = plant.storage.copy()
    dt = 0.5
    for _ in range(400):
        demand = rng.uniform(0, 4e6, (2, 5))
        step = plant.step(dt, demand)
        # bus: generators plus storage supply exactly the served loads plus charging
        np.testing.assert_allclose(step.generation + step.discharge_w,
                                   step.served.sum(axis=1) + step.charge_w, atol=1e-3)
        assert np.all(step.generation <= 9e6 + 1e-3)
        assert np.all(step.charge_w * step.discharge_w == 0)
        e = e + (eta * step.charge_w - step.discharge_w / eta) * dt
        np.testing.assert_allclose(step.storage_j, e, atol=1e-3)
        assert np.all((step.storage_j >= 0) & (step.storage_j <= [20e6, 5e6]))
    line = plant.timeline()
    assert line.served.shape == (400, 2, 5) and line.time[-1] == pytest.approx(200.0)
    np.testing.assert_allclose(line.storage_j[-1], e, atol=1e-3)


def test_timeline_records_demand_served_and_generation() -> None:
    plant = PowerPlant([plant_preset("ddg51-flight2a")], priorities={"railgun": -1})
    plant.online_w[0] = 6e6  # one generator tripped
    plant.step(1.0, [[2e6, 1.5e6, 0, 0.5e6, 5e6]])
    line = plant.timeline()
    # railgun first: 5 MW, then hotel gets the last 1 MW; radar and other shed
    np.testing.assert_allclose(line.served[0, 0], [1e6, 0, 0, 0, 5e6])
    assert line.capacity[0, 0] == 6e6 and line.generation[0, 0] == 6e6
    np.testing.assert_allclose(line.demand[0, 0], [2e6, 1.5e6, 0, 0.5e6, 5e6])


# --- loads and presets -------------------------------------------------------------------------

def test_propulsion_cube_law() -> None:
    assert float(propulsion_power_w("electric", 69e6, 30.0, 15.0)) == pytest.approx(69e6 / 8)
    assert float(propulsion_power_w("hybrid", 2.5e6, 15.0, 7.5)) == pytest.approx(2.5e6 / 8)
    assert float(propulsion_power_w("hybrid", 2.5e6, 15.0, 20.0)) == 0.0
    assert float(propulsion_power_w("mechanical", 1e6, 30.0, 20.0)) == 0.0


def test_preset_plants_follow_references() -> None:
    # REFERENCES.md §4: 3 x 3 MW, 3 x 4 MW, 2 x 36 + 2 x 3.8 MW
    assert PLANTS["ddg51-flight2a"].generators_w == (3e6,) * 3
    assert PLANTS["ddg51-flight3"].generators_w == (4e6,) * 3
    assert sorted(PLANTS["ddg1000-like"].generators_w) == [3.8e6, 3.8e6, 36e6, 36e6]
    assert PLANTS["ddg1000-like"].drive == "electric"
    assert PLANTS["ddg51-flight2a"].drive == "mechanical"


def test_demand_vector_and_matrix() -> None:
    spec = plant_preset("ddg1000-like")
    d = load_demands(spec, 15.0, radars_on=True, railgun_w=1e6)
    np.testing.assert_allclose(d, [spec.hotel_w, 3e6, 69e6 / 8, spec.other_w, 1e6])
    m = demand_matrix([spec, plant_preset("ddg51-flight2a")], [15.0, 20.0], [False, True],
                      [0.0, 2e6])
    np.testing.assert_allclose(m[1], [2e6, 1.5e6, 0.0, 0.5e6, 2e6])
    assert m[0, 1] == 0.0 and radar_power_w(["spy1d-like", "spy6-like"]) == 4.5e6


def test_ddg51_flight2a_emrg_rate_is_power_limited() -> None:
    spec = plant_preset("ddg51-flight2a")
    # 9 MW minus hotel, the SPY-1D-like radar (1.5 MW) and other loads
    spare = 9e6 - spec.hotel_w - 1.5e6 - spec.other_w
    assert railgun_power_available_w(spec, 20.0) == pytest.approx(spare)
    rate, limit = sustainable_railgun_rate("ddg51-flight2a", "emrg-32mj-like", 20.0)
    assert rate == pytest.approx(60.0 * spare / E_BANK_EMRG, rel=1e-12)  # 2.72 rounds/min
    assert limit == "ship power" and rate < 10.0
    rate_off, _ = sustainable_railgun_rate("ddg51-flight2a", "emrg-32mj-like", 20.0, False)
    assert rate_off == pytest.approx(60.0 * (spare + 1.5e6) / E_BANK_EMRG, rel=1e-12)


def test_ddg1000_emrg_rate_is_mechanism_limited_at_low_speed() -> None:
    spec = plant_preset("ddg1000-like")
    # 10 kn: propulsion 69 MW / 27 = 2.56 MW; 79.6 MW less hotel, radar (3 MW), other and
    # propulsion leaves ~70 MW; the 20 MW charger would allow 10.9 rounds/min > 10
    spare = 79.6e6 - spec.hotel_w - 3e6 - spec.other_w - 69e6 / 27
    assert railgun_power_available_w(spec, 10.0) == pytest.approx(spare)
    assert 60 * 20e6 / E_BANK_EMRG > 10.0
    assert sustainable_railgun_rate(spec, "emrg-32mj-like", 10.0) == (10.0, "mechanism")
    # 30 kn: propulsion takes 69 MW and the rest limits the rate
    spare30 = 79.6e6 - spec.hotel_w - 3e6 - spec.other_w - 69e6
    rate, limit = sustainable_railgun_rate(spec, "emrg-32mj-like", 30.0)
    assert limit == "ship power" and rate == pytest.approx(60 * spare30 / E_BANK_EMRG)
    # railgun put before propulsion: the ship slows, the gun keeps its rate
    assert sustainable_railgun_rate(spec, "emrg-32mj-like", 30.0,
                                    priorities={"railgun": 2, "propulsion": 4})[1] == "mechanism"


def test_stepped_plant_and_gun_match_the_sustained_rate() -> None:
    # Second method: 10 minutes of 0.1 s ticks, the gun asking for its charger limit and
    # firing whenever ready, the plant serving the railgun last.
    spec, gun_spec = plant_preset("ddg51-flight2a"), railgun_preset("emrg-32mj-like")
    plant, gun = PowerPlant([spec]), RailgunState([gun_spec], charged=False)
    dt = 0.1
    for _ in range(6000):
        room = (gun.capacity - gun.stored) / dt
        want = np.minimum(gun.charge_limit, room)
        served = plant.step(dt, load_demands(spec, 20.0, railgun_w=float(want[0]))[None])
        gun.charge(dt, served.served[:, RG])
        gun.fire()
    rate, _ = sustainable_railgun_rate(spec, gun_spec, 20.0)
    assert abs(int(gun.rounds[0]) - 10 * rate) <= 1.0
    line = plant.timeline()  # nothing served before the gun was shed
    np.testing.assert_array_equal(line.served[:, 0, :RG], line.demand[:, 0, :RG])


def test_energy_table_rows() -> None:
    rows = railgun_energy_table(speed_kn=20.0)
    assert len(rows) == len(PLANTS) * 2
    row = next(r for r in rows if (r.ship, r.railgun) == ("ddg51-flight2a", "emrg-32mj-like"))
    assert row.rate_per_min == pytest.approx(60 * 5.0e6 / E_BANK_EMRG)
    assert row.average_power_w == pytest.approx(5.0e6)  # all the spare power
    assert row.muzzle_energy_j == pytest.approx(33_117_336.0)
    atla = next(r for r in rows if (r.ship, r.railgun) == ("ddg51-flight2a", "atla-40mm-like"))
    assert atla.limit == "mechanism" and atla.rate_per_min == 12.0
    text = format_energy_table(rows)
    assert text.count("\n") == len(rows) and "ship power" in text


def test_bad_inputs_raise() -> None:
    with pytest.raises(ValueError, match="drive"):
        replace(plant_preset("maya-like"), drive="steam")
    with pytest.raises(ValueError, match="unknown loads"):
        PowerPlant([plant_preset("maya-like")], priorities={"lasers": 0})
    with pytest.raises(ValueError, match="valid names"):
        plant_preset("ddg-x")
    assert math.isclose(float(sustainable_rate_per_min(railgun_preset("atla-40mm-like"), 0)), 0)
