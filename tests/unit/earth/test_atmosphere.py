"""Tests of the 1976 US Standard Atmosphere against independent oracles.

Oracles
-------
* ``ambiance`` (ICAO 1993 standard atmosphere, identical to US76 below 80 km
  geopotential; valid -5 km to 81.02 km geometric): an independent implementation.
* Values printed in the tables of *U.S. Standard Atmosphere, 1976* (NOAA-S/T 76-1562,
  metric tables at geometric altitude), copied into this file by hand.
* The defining temperature profile of the standard and structural properties
  (continuity at 86 km, monotonic decrease, positivity).
"""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest
from ambiance import Atmosphere
from hypothesis import given, settings
from hypothesis import strategies as st

from tate.earth.atmosphere import (
    ALT_MAX,
    ALT_MIN,
    Us76State,
    density,
    density_and_sound_speed,
    pressure,
    sound_speed,
    temperature,
    us76,
)

R0 = 6_356_766.0  # [m]
# Geometric altitudes of the layer bases 11, 20, 32, 47, 51, 71 km' geopotential [m]:
# the kinks of the lower atmosphere, where table interpolation is least accurate.
KINKS = [R0 * h / (R0 - h) for h in (11e3, 20e3, 32e3, 47e3, 51e3, 71e3)]


def rel(a: np.ndarray, b: np.ndarray | float) -> np.ndarray:
    return np.abs(np.asarray(a) / b - 1.0)


# ---- ambiance, -5 km to 81 km ---------------------------------------------------------------
AMBIANCE_GRID = np.concatenate([np.linspace(ALT_MIN, 81_000.0, 17_201), KINKS])


def test_against_ambiance_pressure_density_sound_speed() -> None:
    ours = us76(AMBIANCE_GRID)
    ref = Atmosphere(AMBIANCE_GRID)
    # ambiance rounds its layer-base pressures to 6 digits (e.g. 3.95639 Pa at 71 km'
    # against 3.956420 Pa computed), which alone is a 7.6e-6 difference.
    assert rel(ours.pressure, ref.pressure).max() < 1e-5
    assert rel(ours.density, ref.density).max() < 1e-5
    assert rel(ours.sound_speed, ref.speed_of_sound).max() < 1e-5


def test_against_ambiance_temperature() -> None:
    ours = us76(AMBIANCE_GRID).temperature
    ref = Atmosphere(AMBIANCE_GRID).temperature
    below_80 = AMBIANCE_GRID < 80_000.0
    assert rel(ours[below_80], ref[below_80]).max() < 1e-5
    # From 80 km US76's kinetic temperature is T_M * M/M0 with M/M0 = 0.999989 at 81 km;
    # ambiance (ICAO) returns T_M, so the two differ by up to 1.2e-5 there.
    assert rel(ours[~below_80], ref[~below_80]).max() < 1.5e-5


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(min_value=ALT_MIN, max_value=81_000.0), min_size=1, max_size=20))
def test_against_ambiance_random(alts: list[float]) -> None:
    z = np.array(alts)
    ours = us76(z)
    ref = Atmosphere(z)
    assert rel(ours.density, ref.density).max() < 1e-5
    assert rel(ours.pressure, ref.pressure).max() < 1e-5
    assert rel(ours.sound_speed, ref.speed_of_sound).max() < 1e-5
    assert rel(ours.temperature, ref.temperature).max() < 1.5e-5


# ---- published tables -------------------------------------------------------------------------
# U.S. Standard Atmosphere, 1976 (NOAA-S/T 76-1562), metric tables, geometric altitude.
LOWER_DENSITY = [  # (Z [m], rho [kg/m^3])
    (0.0, 1.2250),
    (20_000.0, 8.891e-2),
    (40_000.0, 3.996e-3),
    (60_000.0, 3.097e-4),
    (80_000.0, 1.846e-5),
]
UPPER = [  # (Z [m], rho [kg/m^3], T [K])
    (100_000.0, 5.604e-7, 195.08),
    (150_000.0, 2.076e-9, 634.39),
    (200_000.0, 2.541e-10, 854.56),
    (300_000.0, 1.916e-11, 976.01),
    (500_000.0, 5.215e-13, 999.24),
    (1_000_000.0, 3.561e-15, 1000.0),
]


@pytest.mark.parametrize(("z", "rho"), LOWER_DENSITY)
def test_published_lower_density(z: float, rho: float) -> None:
    assert rel(density(z), rho) < 1e-3


@pytest.mark.parametrize(("z", "rho", "temp"), UPPER)
def test_published_upper_atmosphere(z: float, rho: float, temp: float) -> None:
    state = us76(z)
    assert rel(state.density, rho) < 1e-2
    assert rel(state.temperature, temp) < 1e-3


def test_upper_density_reproduces_table_closely() -> None:
    # Stronger than required: the diffusion integration reproduces the printed 4-digit
    # densities to within 3e-4 (measured max 1.9e-4 at 150 km).
    z = np.array([row[0] for row in UPPER])
    printed = np.array([row[1] for row in UPPER])
    assert rel(density(z), printed).max() < 3e-4


def test_published_sea_level_and_86_km() -> None:
    sea = us76(0.0)
    assert sea.temperature == pytest.approx(288.15, rel=1e-12)
    assert sea.pressure == pytest.approx(101_325.0, rel=1e-12)
    assert sea.sound_speed == pytest.approx(340.294, rel=1e-6)
    top = us76(86_000.0 - 1e-6)  # lower part at its upper end
    assert top.pressure == pytest.approx(0.37338, rel=1e-4)
    assert top.density == pytest.approx(6.958e-6, rel=1e-3)


def test_defining_kinetic_temperature_profile() -> None:
    # Isothermal 86-91 km, 240 K at 110 km, 360 K at 120 km, 12 K/km in between.
    t = temperature(np.array([86e3, 88e3, 91e3, 110e3, 115e3, 120e3]))
    np.testing.assert_allclose(t, [186.8673, 186.8673, 186.8673, 240.0, 300.0, 360.0], rtol=1e-5)


# ---- structure --------------------------------------------------------------------------------
def test_continuity_at_86_km() -> None:
    below = us76(86_000.0 - 1e-3)
    above = us76(86_000.0)
    assert rel(above.density, below.density) < 5e-3
    assert rel(above.temperature, below.temperature) < 5e-3
    assert rel(above.pressure, below.pressure) < 5e-3
    assert rel(above.sound_speed, below.sound_speed) < 5e-3


def test_monotonic_and_positive() -> None:
    z = np.concatenate([np.arange(ALT_MIN, ALT_MAX, 50.0), np.linspace(ALT_MAX, 1.5e6, 501)])
    state = us76(z)
    for field in (state.temperature, state.pressure, state.density, state.sound_speed):
        assert np.all(np.isfinite(field))
        assert np.all(field > 0.0)
    assert np.all(np.diff(state.density) < 0.0)
    assert np.all(np.diff(state.pressure) < 0.0)


def test_extrapolation_above_1000_km_uses_last_10_km_scale_height() -> None:
    rho = density(np.array([990e3, 1000e3, 1010e3, 1100e3]))
    scale = 10e3 / np.log(rho[0] / rho[1])
    assert rho[2] == pytest.approx(rho[1] * np.exp(-10e3 / scale), rel=1e-9)
    assert rho[3] == pytest.approx(rho[1] * np.exp(-100e3 / scale), rel=1e-9)
    assert sound_speed(1.2e6) == pytest.approx(sound_speed(1e6), rel=1e-6)
    assert pressure(1.2e6) < pressure(1e6)


def test_shapes_and_types() -> None:
    scalar = us76(1000.0)
    assert isinstance(scalar, Us76State)
    assert scalar.density.shape == ()
    grid = np.linspace(0.0, 2e5, 12).reshape(3, 4)
    state = us76(grid)
    for field in (state.temperature, state.pressure, state.density, state.sound_speed):
        assert field.shape == (3, 4)
        assert field.dtype == np.float64
    np.testing.assert_array_equal(density(grid), state.density)
    np.testing.assert_array_equal(pressure([0.0, 1.0]), us76([0.0, 1.0]).pressure)


@pytest.mark.parametrize(
    ("bad", "text"),
    [(-5000.5, "-5000.5"), (-1e6, "-1000000.0"), (float("nan"), "nan"), (float("inf"), "inf")],
)
def test_bad_input_raises_with_value(bad: float, text: str) -> None:
    with pytest.raises(ValueError, match=text):
        us76(bad)
    with pytest.raises(ValueError, match=text):
        us76(np.array([0.0, 1e4, bad, 2e4]))


def test_lower_limit_is_accepted() -> None:
    assert us76(ALT_MIN).temperature == pytest.approx(288.15 + 6.5e-3 * R0 * 5e3 / (R0 - 5e3))


# ---- fast lookup ------------------------------------------------------------------------------
def test_fast_table_dense_grid() -> None:
    z = np.concatenate([np.arange(0.0, ALT_MAX + 0.5, 1.0), KINKS, [86_000.0 - 1e-3]])
    exact = us76(z)
    rho, a = density_and_sound_speed(z)
    assert rel(rho, exact.density).max() < 1e-4
    assert rel(a, exact.sound_speed).max() < 1e-4


@settings(max_examples=300, deadline=None)
@given(st.lists(st.floats(min_value=ALT_MIN, max_value=ALT_MAX), min_size=1, max_size=50))
def test_fast_table_random(alts: list[float]) -> None:
    z = np.array(alts)
    exact = us76(z)
    rho, a = density_and_sound_speed(z)
    assert rel(rho, exact.density).max() < 1e-4
    assert rel(a, exact.sound_speed).max() < 1e-4


def test_fast_table_out_of_range() -> None:
    z = np.array([-1e7, -6000.0, ALT_MIN, 1.0005e6, 1.2e6, 3e6])
    rho, a = density_and_sound_speed(z)
    edge = us76(np.array([ALT_MIN, ALT_MAX]))
    np.testing.assert_allclose(rho[:3], edge.density[0], rtol=1e-12)  # held below -5 km
    np.testing.assert_allclose(a[:3], edge.sound_speed[0], rtol=1e-12)
    np.testing.assert_allclose(rho[3:], us76(z[3:]).density, rtol=1e-9)  # extrapolated
    np.testing.assert_allclose(a[3:], edge.sound_speed[1], rtol=1e-12)  # held above


def test_fast_table_writes_into_outputs() -> None:
    z = np.linspace(0.0, 3e5, 10_000).reshape(100, 100)
    rho_out = np.empty_like(z)
    a_out = np.empty_like(z)
    rho, a = density_and_sound_speed(z, rho_out=rho_out, a_out=a_out)
    assert rho is rho_out
    assert a is a_out
    exact = us76(z)
    assert rel(rho, exact.density).max() < 1e-4
    rho0, a0 = density_and_sound_speed(0.0)
    assert rho0.shape == ()
    assert float(rho0) == pytest.approx(1.225, rel=1e-6)
    assert float(a0) == pytest.approx(340.294, rel=1e-6)


def test_import_is_lazy() -> None:
    code = (
        "import tate.earth.atmosphere as m\n"
        "assert m._upper_grid.cache_info().currsize == 0\n"
        "assert m._fast_table.cache_info().currsize == 0\n"
    )
    env = dict(os.environ)
    src = os.path.join(os.path.dirname(__file__), "..", "..", "..", "src")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (src, env.get("PYTHONPATH")) if p)
    subprocess.run([sys.executable, "-c", code], check=True, env=env)
