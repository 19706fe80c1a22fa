"""Point mass with a Mach-tabulated drag coefficient against the closed-form drag
deceleration at the launch state."""

from __future__ import annotations

import numpy as np

from tate.earth import wgs84
from tate.earth.atmosphere import us76
from tate.flight.eom import Environment, FrameOptions
from tate.flight.models.point_mass import PointMass


def test_mach_table_drag_matches_the_closed_form() -> None:
    # A body at 10 km flying east at Mach 2: a_D = ½ρV² S C_D(M) / m, opposite to v.
    table = (np.array([0.5, 1.0, 2.0, 3.0]), np.array([0.2, 0.5, 0.3, 0.25]))
    h = 10_000.0
    atm = us76(np.array([h]))
    speed = 2.0 * float(atm.sound_speed[0])
    pos = wgs84.geodetic_to_ecef(0.0, 0.0, h).reshape(3, 1)
    vel = np.array([[0.0], [speed], [0.0]])
    env = Environment.empty(1)
    env.compute(pos, vel, FrameOptions())
    acc, mdot = np.empty((3, 1)), np.empty(1)
    area, mass = 0.1, 50.0
    PointMass(np.array([area]), np.array([9.9]), table).specific_force(
        0.0, pos, vel, np.array([mass]), env, acc, mdot)
    expected = 0.5 * float(atm.density[0]) * speed**2 * area * 0.3 / mass
    np.testing.assert_allclose(acc[:, 0], [0.0, -expected, 0.0], rtol=1e-4, atol=1e-12)
    assert mdot[0] == 0.0


def test_mach_table_is_interpolated_between_rows() -> None:
    table = (np.array([1.0, 3.0]), np.array([0.4, 0.2]))
    h = 0.0
    atm = us76(np.array([h]))
    pos = wgs84.geodetic_to_ecef(0.0, 0.0, h).reshape(3, 1)
    speed = 2.0 * float(atm.sound_speed[0])
    vel = np.array([[0.0], [0.0], [speed]])
    env = Environment.empty(1)
    env.compute(pos, vel, FrameOptions())
    acc, mdot = np.empty((3, 1)), np.empty(1)
    PointMass(np.ones(1), np.zeros(1), table).specific_force(
        0.0, pos, vel, np.ones(1), env, acc, mdot)
    expected = 0.5 * float(atm.density[0]) * speed**2 * 0.3  # C_D(M=2) = 0.3
    assert abs(-acc[2, 0] / expected - 1.0) < 1e-4
