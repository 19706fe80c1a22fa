"""The vectorised RK4 propagator against independent methods: scipy's adaptive
DOP853, two-body Kepler arcs in closed form, and a conserved Jacobi integral."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from tate.earth import wgs84
from tate.earth.gravity import potential_j2
from tate.flight.eom import FrameOptions
from tate.flight.integrator import Propagator
from tate.flight.kepler import kepler_propagate
from tate.flight.models.point_mass import PointMass


def _launch(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    lat = np.radians(rng.uniform(-60, 60, n))
    lon = np.radians(rng.uniform(-180, 180, n))
    pos = wgs84.geodetic_to_ecef(lat, lon, rng.uniform(0, 20_000, n)).T
    enu = np.stack([rng.uniform(-1500, 1500, n), rng.uniform(-1500, 1500, n),
                    rng.uniform(300, 1500, n)], axis=1)
    vel = wgs84.enu_vec_to_ecef(enu, lat, lon).T
    mass = rng.uniform(50, 500, n)
    return pos, vel, mass


def test_rk4_matches_solve_ivp_with_drag_on_rotating_oblate_earth() -> None:
    rng = np.random.default_rng(1)
    pos, vel, mass = _launch(4, rng)
    model = PointMass(area=np.full(4, 0.05), cd=np.full(4, 0.3))
    prop = Propagator([model], pos, vel, mass, dt=0.02, ground=False)
    y0 = prop.y.copy()

    def rhs(t: float, y: np.ndarray) -> np.ndarray:
        return prop.derivative(t, y.reshape(7, -1).copy(), np.empty((7, 4))).ravel()

    ref = solve_ivp(rhs, (0.0, 40.0), y0.ravel(), method="DOP853", rtol=1e-12, atol=1e-9)
    prop.run(40.0)
    err = np.abs(prop.y - ref.y[:, -1].reshape(7, -1))
    assert err[0:3].max() < 1e-3  # metres after 40 s
    assert err[3:6].max() < 1e-5  # m/s


def test_rk4_converges_at_fourth_order() -> None:
    # On a smooth right-hand side (rotating Earth with J2; the tabulated atmosphere is only
    # piecewise linear in log-density, which would cap the observed order at 2).
    rng = np.random.default_rng(2)
    pos, vel, mass = _launch(3, rng)
    opts = FrameOptions(rotating=True, j2=True, atmosphere=False)
    finals = []
    for dt in (8.0, 4.0, 2.0):
        prop = Propagator([PointMass(np.full(3, 0.05), np.full(3, 0.3))], pos, vel, mass, dt,
                          opts=opts, ground=False)
        prop.run(800.0)
        finals.append(prop.y[0:3].copy())
    e1 = np.abs(finals[0] - finals[2]).max()
    e2 = np.abs(finals[1] - finals[2]).max()
    # Richardson: (e(0.4) - e(0.1)) / (e(0.2) - e(0.1)) = (2^4 - 1)... ratio ~ 17 for order 4
    assert 12.0 < e1 / e2 < 24.0


def test_drag_free_arc_matches_kepler_closed_form() -> None:
    opts = FrameOptions(rotating=False, j2=False, atmosphere=False)
    r0 = np.array([wgs84.A + 100.0, 0.0, 0.0])
    v0 = np.array([1500.0, 3000.0, 1000.0])
    prop = Propagator([PointMass(np.ones(1), np.zeros(1))], r0[:, None], v0[:, None],
                      np.ones(1), dt=0.1, opts=opts, ground=False)
    prop.run(400.0)
    r_ref, v_ref = kepler_propagate(r0, v0, 400.0, wgs84.GM)
    assert np.abs(prop.pos[:, 0] - r_ref).max() < 1e-3
    assert np.abs(prop.vel[:, 0] - v_ref).max() < 1e-6


def test_ground_impact_located_inside_the_step() -> None:
    opts = FrameOptions(rotating=False, j2=False, atmosphere=False)
    r0 = np.array([wgs84.A + 10.0, 0.0, 0.0])
    v0 = np.array([2000.0, 2500.0, 500.0])
    prop = Propagator([PointMass(np.ones(1), np.zeros(1))], r0[:, None], v0[:, None],
                      np.ones(1), dt=1.0, opts=opts)
    prop.run(2000.0)
    (imp,) = prop.impacts
    t_hit = float(imp.time[0])
    r_ref, _ = kepler_propagate(r0, v0, t_hit, wgs84.GM)
    alt = wgs84.geodetic_altitude(imp.pos.T)
    assert abs(float(alt[0])) < 0.05  # on the ellipsoid, not a step away
    assert np.abs(imp.pos[:, 0] - r_ref).max() < 0.5
    assert not prop.alive[0]


def test_jacobi_integral_conserved_without_drag() -> None:
    # In the rotating frame with a time-invariant potential V (energy per mass),
    # C = v²/2 + V(r) - ω²(x²+y²)/2 is constant: the Jacobi integral.
    rng = np.random.default_rng(3)
    pos, vel, mass = _launch(5, rng)
    opts = FrameOptions(rotating=True, j2=True, atmosphere=False)
    prop = Propagator([PointMass(np.ones(5), np.zeros(5))], pos, vel, mass, dt=0.1, opts=opts,
                      ground=False)

    def jacobi() -> np.ndarray:
        p, v = prop.pos.T, prop.vel.T
        w = wgs84.OMEGA
        return (0.5 * np.sum(v * v, axis=1) + _potential_energy(p)
                - 0.5 * w * w * (p[:, 0] ** 2 + p[:, 1] ** 2))

    c0 = jacobi()
    prop.run(300.0)
    assert np.abs(jacobi() - c0).max() < 1e-6 * np.abs(c0).max()


def _potential_energy(p: np.ndarray) -> np.ndarray:
    """Specific potential energy [J/kg]: potential_j2 is energy per mass, acceleration = -grad."""
    return potential_j2(p)


@pytest.mark.parametrize("n", [1, 7])
def test_same_inputs_give_identical_bits(n: int) -> None:
    rng = np.random.default_rng(4)
    pos, vel, mass = _launch(n, rng)
    outs = []
    for _ in range(2):
        prop = Propagator([PointMass(np.full(n, 0.05), np.full(n, 0.3))], pos, vel, mass, 0.1)
        prop.run(200.0)
        outs.append(prop.y.copy())
    assert np.array_equal(outs[0], outs[1])


def test_apogee_located_inside_the_step_matches_kepler() -> None:
    # Drag-free arc over a spherical non-rotating Earth: the apogee time is where the
    # radial velocity of the closed-form solution vanishes (found here by bisection on
    # the Kepler propagation, an independent method).
    from tate.flight.integrator import apogee_event

    opts = FrameOptions(rotating=False, j2=False, atmosphere=False)
    r0 = np.array([0.0, 0.0, wgs84.B + 10.0])  # north pole: ellipsoid normal = radial
    v0 = np.array([1500.0, 0.0, 2500.0])
    prop = Propagator([PointMass(np.ones(1), np.zeros(1))], r0[:, None], v0[:, None],
                      np.ones(1), dt=1.0, opts=opts, events=[apogee_event()])
    prop.run(2000.0)
    (apo,) = [c for c in prop.crossings if c.name == "apogee"]

    def radial_speed(t: float) -> float:
        r, v = kepler_propagate(r0, v0, t, wgs84.GM)
        return float(np.dot(r, v) / np.linalg.norm(r))

    lo, hi = 1.0, 600.0
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if radial_speed(mid) > 0 else (lo, mid)
    # near the pole the ellipsoid normal and the radius differ by < 1e-3 rad over the arc
    assert float(apo.time[0]) == pytest.approx(lo, abs=0.5)
    r_apo, _ = kepler_propagate(r0, v0, float(apo.time[0]), wgs84.GM)
    assert np.linalg.norm(apo.pos[:, 0] - r_apo) < 1.0
