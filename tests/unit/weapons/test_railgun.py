"""Railgun kernels against hand arithmetic, REFERENCES.md §4/§6, Monte Carlo and an
independent ODE solution.

Oracles: the two muzzle energies of REFERENCES.md §6 ("exactly"); charge-time, rate and
average-power arithmetic done by hand; a time-stepped gun against the closed-form
sustained rate; the Rayleigh hit probability against sampled circular Gaussian impacts
(tolerance from the binomial standard error); the projectile flown by the RK4 propagator
against scipy's DOP853 on the same ECEF equations of motion and C_D table.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import solve_ivp

from tate.earth import wgs84
from tate.flight.eom import Environment, FrameOptions, frame_accel
from tate.flight.integrator import Propagator
from tate.weapons.projectile import ProjectileModel, launch_state, pn_to_point
from tate.weapons.railgun import (
    CYCLING,
    FIRE_REASONS,
    FIRED,
    NOT_CHARGED,
    WORN_OUT,
    RailgunState,
    average_power_w,
    bank_energy_j,
    charge_time_s,
    hit_probability,
    muzzle_energy_j,
    railgun_energy_case,
    rate_limit,
    single_shot_pk,
    sustainable_rate_per_min,
)
from tate.weapons.ship_presets import RAILGUNS, railgun_preset

EMRG = railgun_preset("emrg-32mj-like")
ATLA = railgun_preset("atla-40mm-like")


# --- energy bookkeeping (REFERENCES.md §4 and §6) ----------------------------------------------

def test_muzzle_energies_exactly() -> None:
    # ½·10.43·2520² = 33,117,336 J, quoted as 33.1 MJ; ½·0.32·2230² = 795,664 J exactly.
    assert float(muzzle_energy_j(10.43, 2520.0)) == pytest.approx(33_117_336.0, rel=1e-15)
    assert round(EMRG.muzzle_energy_j / 1e6, 1) == 33.1
    assert float(muzzle_energy_j(0.32, 2230.0)) == pytest.approx(795_664.0, rel=1e-15)
    assert ATLA.muzzle_energy_j == pytest.approx(795_664.0, rel=1e-15)


def test_bank_energy_is_muzzle_over_efficiency_or_given() -> None:
    assert bank_energy_j(ATLA) == pytest.approx(795_664.0 / 0.3, rel=1e-14)
    assert bank_energy_j(replace(ATLA, bank_energy_per_shot_j=4e6)) == 4e6


def test_charge_time_by_hand() -> None:
    e_b = 795_664.0 / 0.3  # 2,652,213.3 J
    assert float(charge_time_s(ATLA, 1e6)) == pytest.approx(e_b / 1e6, rel=1e-12)  # 2.652 s
    # 5 MW offered but the charger takes 1.5 MW
    assert float(charge_time_s(ATLA, 5e6)) == pytest.approx(e_b / 1.5e6, rel=1e-12)
    assert float(charge_time_s(ATLA, 0.0)) == math.inf


def test_average_power_reference_17_8_mw() -> None:
    # REFERENCES.md §4: 10 rounds/min x 32 MJ / 0.3 = 17.78 MW
    goal = replace(EMRG, muzzle_speed_mps=math.sqrt(2 * 32e6 / EMRG.projectile_mass_kg))
    assert goal.muzzle_energy_j == pytest.approx(32e6, rel=1e-12)
    assert float(average_power_w(goal, 10.0)) == pytest.approx(10 / 60 * 32e6 / 0.3, rel=1e-12)
    assert float(average_power_w(goal, 10.0)) / 1e6 == pytest.approx(17.78, abs=5e-3)


def test_sustainable_rate_and_limit_by_hand() -> None:
    e_b = 795_664.0 / 0.3
    # 0.2 MW: 60 x 0.2e6 / 2.652e6 = 4.52 rounds/min, set by the ship's power
    assert float(sustainable_rate_per_min(ATLA, 0.2e6)) == pytest.approx(60 * 0.2e6 / e_b)
    assert rate_limit(ATLA, 0.2e6) == "ship power"
    # 1 MW would allow 22.6 rounds/min; the mechanism allows 12
    assert float(sustainable_rate_per_min(ATLA, 1e6)) == 12.0
    assert rate_limit(ATLA, 1e6) == "mechanism"
    # EMRG with a 15 MW charger on a 40 MW bus: 60 x 15 / 110.39 = 8.15 rounds/min
    slow = replace(EMRG, charge_power_w=15e6)
    assert float(sustainable_rate_per_min(slow, 40e6)) == pytest.approx(
        60 * 15e6 / (33_117_336.0 / 0.3), rel=1e-12)
    assert rate_limit(slow, 40e6) == "gun charger"
    assert float(sustainable_rate_per_min(ATLA, -1.0)) == 0.0
    assert rate_limit(ATLA, 0.0) == "no power"


def test_verify_case_rows_pass() -> None:
    rows = railgun_energy_case()
    assert len(rows) == 3
    assert all(r.passed for r in rows)


def test_bad_spec_raises() -> None:
    with pytest.raises(ValueError, match="efficiency"):
        replace(ATLA, efficiency=1.5)
    with pytest.raises(ValueError, match="cd_mach"):
        replace(ATLA, cd_mach=((2.0, 1.0), (0.2, 0.3)))
    with pytest.raises(ValueError, match="valid names"):
        railgun_preset("nope")


# --- gun state ---------------------------------------------------------------------------------

def test_charging_from_empty_fires_when_the_bank_is_full() -> None:
    gun = RailgunState([ATLA], charged=False)
    e_b = 795_664.0 / 0.3
    n_ticks = math.ceil(e_b / 0.5e6 / 0.1)  # 5.304 s at 0.5 MW in 0.1 s ticks: 54 ticks
    for _ in range(n_ticks - 1):
        gun.charge(0.1, 0.5e6)
    fired, why = gun.fire()
    assert not fired[0] and why[0] == NOT_CHARGED
    assert FIRE_REASONS[NOT_CHARGED] == "bank not charged"
    drawn = gun.charge(0.1, 0.5e6)
    assert drawn[0] == pytest.approx((e_b - 0.5e6 * 0.1 * (n_ticks - 1)) / 0.1, rel=1e-9)
    fired, why = gun.fire()
    assert fired[0] and why[0] == FIRED and gun.rounds[0] == 1


def test_mechanism_cycle_blocks_a_second_shot() -> None:
    gun = RailgunState([replace(ATLA, bank_shots=3.0)])  # a full bank holds 3 shots
    assert gun.fire()[0][0]
    for k in range(49):  # 12 rounds/min: 5 s cycle, 0.1 s ticks
        gun.charge(0.1, 0.0)
        fired, why = gun.fire()
        assert not fired[0] and why[0] == CYCLING, k
    gun.charge(0.1, 0.0)
    assert gun.fire()[0][0]


def test_barrel_wear_stops_firing_at_life() -> None:
    spec = replace(ATLA, barrel_life=7)
    gun = RailgunState([spec, ATLA], charged=False)
    for _ in range(2000):
        gun.charge(0.5, 1.5e6)
        gun.fire()
    assert gun.rounds[0] == 7 and gun.wear[0] == 1.0
    assert gun.rounds[1] > 7
    gun.charge(10.0, 1.5e6)
    fired, why = gun.fire(np.array([True, False]))
    assert not fired[0] and why[0] == WORN_OUT and FIRE_REASONS[why[1]] == "not requested"


def test_stepped_gun_matches_sustained_rate_and_conserves_energy() -> None:
    # Second method: fire whenever ready on 0.3 MW for 10 min; the count matches
    # 10 x 60 x 0.3e6 / E_b within a round plus the tick rounding of each interval.
    gun = RailgunState([ATLA, EMRG], charged=False)
    dt, t_end = 0.05, 600.0
    power = np.array([0.3e6, 30e6])
    energy_in = np.zeros(2)
    for _ in range(round(t_end / dt)):
        energy_in += gun.charge(dt, power) * dt
        gun.fire()
        assert np.all(gun.stored <= gun.capacity * (1 + 1e-12))
    expect = np.array([float(sustainable_rate_per_min(ATLA, 0.3e6)),
                       float(sustainable_rate_per_min(EMRG, 30e6))]) * t_end / 60
    assert np.all(np.abs(gun.rounds - expect) <= 1 + expect * dt / (gun.shot_energy / power))
    assert gun.rounds[1] == 100  # the mechanism's 10 rounds/min
    np.testing.assert_allclose(energy_in, gun.rounds * gun.shot_energy + gun.stored, rtol=1e-12)


# --- Pk from dispersion ------------------------------------------------------------------------

@pytest.mark.parametrize(("sigma", "radius"), [(1.0, 0.5), (3.0, 1.0), (2.0, 4.0)])
def test_rayleigh_hit_probability_against_monte_carlo(sigma: float, radius: float) -> None:
    rng = np.random.default_rng(7)
    n = 200_000
    xy = rng.normal(0.0, sigma, (n, 2))
    frac = float(np.mean(np.hypot(xy[:, 0], xy[:, 1]) <= radius))
    p = float(hit_probability(sigma, radius))
    assert abs(frac - p) <= 4.5 * math.sqrt(p * (1 - p) / n)


def test_single_shot_pk_against_monte_carlo() -> None:
    # Unguided: sigma = range x dispersion = 10 km x 0.3 mrad = 3 m; kill draw on a hit.
    rng = np.random.default_rng(11)
    n = 200_000
    xy = rng.normal(0.0, 10e3 * ATLA.dispersion_rad, (n, 2))
    hit = np.hypot(xy[:, 0], xy[:, 1]) <= ATLA.lethal_radius_m
    kill = hit & (rng.random(n) < ATLA.pk_hit)
    p = float(single_shot_pk(ATLA, 10e3))
    assert abs(float(kill.mean()) - p) <= 4.5 * math.sqrt(p * (1 - p) / n)
    # guided: the residual, independent of range
    assert float(single_shot_pk(EMRG, 50e3)) == pytest.approx(
        EMRG.pk_hit * (1 - math.exp(-(3.0**2) / (2 * 2.0**2))))
    assert float(hit_probability(0.0, 1.0)) == 1.0


# --- projectile flight -------------------------------------------------------------------------

def _oracle_rhs(area: float, cd_mach: tuple[tuple[float, ...], tuple[float, ...]],
                mass: float) -> Callable[[float, np.ndarray], np.ndarray]:
    """Right-hand side of the ECEF point-mass EOM with drag, for solve_ivp."""
    env, opts = Environment.empty(1), FrameOptions()
    out = np.empty((3, 1))

    def rhs(t: float, y: np.ndarray) -> np.ndarray:
        pos, vel = y[:3].reshape(3, 1), y[3:].reshape(3, 1)
        env.compute(pos, vel, opts)
        frame_accel(pos, vel, opts, out)
        cd = np.interp(env.mach, *cd_mach)
        drag = -env.qbar * area * cd / (mass * env.speed) * vel
        return np.concatenate([y[3:], (out + drag)[:, 0]])

    return rhs


@pytest.mark.parametrize("name", sorted(RAILGUNS))
def test_projectile_matches_solve_ivp(name: str) -> None:
    spec = replace(RAILGUNS[name], guided=False)
    pos, vel, mass = launch_state(spec, 0.3, 2.3, 10.0, 0.7, 0.5)
    prop = Propagator([ProjectileModel.from_spec(spec, 1)], pos, vel, mass, dt=0.01)
    prop.run(20.0)
    rhs = _oracle_rhs(spec.reference_area_m2, spec.cd_mach, spec.projectile_mass_kg)
    sol = solve_ivp(rhs, (0.0, 20.0), np.concatenate([pos[:, 0], vel[:, 0]]),
                    method="DOP853", rtol=1e-11, atol=1e-6)
    assert sol.success
    assert np.linalg.norm(sol.y[3:, -1]) < 0.8 * spec.muzzle_speed_mps  # drag did matter
    np.testing.assert_allclose(prop.pos[:, 0], sol.y[:3, -1], rtol=0, atol=0.05)
    np.testing.assert_allclose(prop.vel[:, 0], sol.y[3:, -1], rtol=0, atol=5e-3)


def test_drag_at_the_muzzle_by_hand() -> None:
    # Sea level, US76: rho 1.2250 kg/m^3, a 340.294 m/s; Mach 7.405 -> C_D 0.18 - 0.01 x 0.7026
    pos, vel, mass = launch_state(EMRG, 0.0, 0.0, 0.0, 0.0, 0.0)
    model = ProjectileModel.from_spec(EMRG, 1)
    env = Environment.empty(1)
    env.compute(pos, vel, FrameOptions())
    acc, mdot = np.empty((3, 1)), np.empty(1)
    model.specific_force(0.0, pos, vel, mass, env, acc, mdot)
    cd = 0.18 - 0.01 * (2520.0 / 340.294 - 6.0) / 2.0
    expect = 0.5 * 1.2250 * 2520.0**2 * (math.pi * 0.05**2) * cd / 10.43
    assert float(np.linalg.norm(acc)) == pytest.approx(expect, rel=1e-3)
    assert float(acc[:, 0] @ vel[:, 0]) < 0 and mdot[0] == 0.0


def test_pn_command_by_hand() -> None:
    # V = 1000 m/s along x, target 1000 m ahead and 1000 m to the side: theta 45 deg,
    # R = 1414.2 m, a = 3 x 1000^2 x sin 45 / 1414.2 = 1500 m/s^2 along +y.
    pos, vel = np.zeros((3, 1)), np.array([[1000.0], [0.0], [0.0]])
    target = np.array([[1000.0], [1000.0], [0.0]])
    cmd = pn_to_point(pos, vel, target, 3.0, np.array([1e4]))
    np.testing.assert_allclose(cmd[:, 0], [0.0, 1500.0, 0.0], atol=1e-9)
    capped = pn_to_point(pos, vel, target, 3.0, np.array([100.0]))
    np.testing.assert_allclose(capped[:, 0], [0.0, 100.0, 0.0], atol=1e-9)
    assert np.all(pn_to_point(pos, vel, np.full((3, 1), np.nan), 3.0, np.array([1.0])) == 0)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-1e4, 1e4), min_size=9, max_size=9), st.floats(1.0, 500.0))
def test_pn_command_is_lateral_and_capped(xs: list[float], cap: float) -> None:
    pos, vel, target = (np.array(xs[i:i + 3]).reshape(3, 1) for i in (0, 3, 6))
    cmd = pn_to_point(pos, vel, target, 4.0, np.array([cap]))
    assert float(np.linalg.norm(cmd)) <= cap * (1 + 1e-12)
    speed = float(np.linalg.norm(vel))
    if speed > 1e-3:
        assert abs(float(cmd[:, 0] @ vel[:, 0])) <= 1e-9 * cap * speed


def test_guided_round_hits_an_offset_point_the_unguided_round_misses() -> None:
    pos, vel, mass = launch_state(EMRG, 0.0, 0.0, 10.0, math.pi / 2, 0.3)
    dumb = Propagator([ProjectileModel.from_spec(replace(EMRG, guided=False), 1)],
                      pos, vel, mass, dt=0.01)
    dumb.run(6.0)
    north = wgs84.ned_vec_to_ecef(np.array([1.0, 0.0, 0.0]), 0.0, 0.0).reshape(3, 1)
    aim = dumb.pos + 150.0 * north  # 150 m off the ballistic path, 6 s down range
    runs = {}
    for guided in (True, False):
        model = ProjectileModel.from_spec(replace(EMRG, guided=guided), 1)
        model.target = aim.copy()
        prop = Propagator([model], pos, vel, mass, dt=0.01, aim=aim, hit_radius=3.0)
        prop.run(8.0)
        runs[guided] = prop
    hit = runs[True].impacts
    assert len(hit) == 1 and float(np.linalg.norm(hit[0].pos - aim)) <= 3.0
    assert 5.0 < float(hit[0].time[0]) < 7.0
    assert runs[False].impacts == [] and runs[False].alive[0]


def test_ready_is_the_reasons_fired_on_edges_and_random_states() -> None:
    """``ready`` (scalar comparisons) equals ``_reasons() == FIRED`` (numpy's) on banks
    and clocks at, just under and just over their thresholds, NaN and infinity, worn
    barrels, and random states."""
    from tate.weapons.railgun import FIRED, RailgunState
    from tate.weapons.ship_presets import railgun_preset

    g = RailgunState([railgun_preset("emrg-32mj-like"), railgun_preset("atla-40mm-like")] * 2)
    rng = np.random.default_rng(3)
    f = 1.0 - 1e-9
    edges = [np.nan, np.inf, -np.inf, 0.0]
    for _ in range(400):
        e_thr, c_thr = g.shot_energy * f, g.cycle * f
        pick = rng.integers(0, 4, size=(2, g.n))
        g.stored = np.choose(pick[0], [e_thr, np.nextafter(e_thr, 0), g.capacity,
                                       np.array(edges)[rng.integers(0, 4, g.n)]])
        g.since_shot = np.choose(pick[1], [c_thr, np.nextafter(c_thr, 0), c_thr * 2,
                                           np.array(edges)[rng.integers(0, 4, g.n)]])
        g.rounds = np.where(rng.random(g.n) < 0.2, g.life - rng.integers(-1, 2, g.n), 0)
        assert np.array_equal(g.ready, g._reasons() == FIRED)
        assert g.ready.dtype == bool and g.ready.shape == (g.n,)
