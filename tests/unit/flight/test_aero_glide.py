"""CAV-H aerodynamics and equilibrium glide against published reference values
(REFERENCES.md §6) and a brute-force search."""

from __future__ import annotations

import numpy as np
import pytest

from tate.flight.aero import cavh_alpha_for_cl, cavh_cd, cavh_cl, cavh_max_lift_to_drag
from tate.flight.glide import (
    equilibrium_glide_altitude,
    glide_deceleration,
    glide_range,
)


@pytest.mark.parametrize(("mach", "ld_ref", "tol"), [(10.0, 3.44, 0.01), (5.0, 2.69, 0.01)])
def test_cavh_max_lift_to_drag_matches_phillips(mach: float, ld_ref: float, tol: float) -> None:
    # Phillips (2003) CAV-H: (L/D)max = 3.44 at Mach 10 (alpha ~ 10.3 deg), 2.69 at Mach 5.
    ld, alpha = cavh_max_lift_to_drag(mach)
    assert abs(float(ld) - ld_ref) <= tol
    if mach == 10.0:
        assert abs(float(alpha) - 10.3) < 0.1


@pytest.mark.parametrize("mach", [3.0, 5.0, 8.0, 12.0, 20.0])
def test_cavh_closed_form_max_matches_brute_force(mach: float) -> None:
    alpha = np.linspace(0.0, 30.0, 300_001)
    ratio = cavh_cl(alpha, mach) / cavh_cd(alpha, mach)
    ld, a_opt = cavh_max_lift_to_drag(mach)
    assert float(ld) == pytest.approx(ratio.max(), rel=1e-9)
    assert float(a_opt) == pytest.approx(alpha[np.argmax(ratio)], abs=1e-3)


def test_cavh_alpha_inverse() -> None:
    alpha = np.array([0.0, 5.0, 12.5, 20.0])
    mach = np.array([4.0, 6.0, 10.0, 15.0])
    np.testing.assert_allclose(cavh_alpha_for_cl(cavh_cl(alpha, mach), mach), alpha, atol=1e-12)


@pytest.mark.parametrize(("speed", "alt_km"), [(7000, 57.7), (5000, 43.8), (3000, 34.4),
                                               (2000, 28.6)])
def test_equilibrium_glide_altitude_reference(speed: float, alt_km: float) -> None:
    # REFERENCES.md §6: beta 13,000 kg/m^2, L/D 2.6, US76, R 6371 km, mu 3.986e14.
    h = equilibrium_glide_altitude(speed, 13_000.0, 2.6)
    assert abs(float(h[0]) / 1e3 - alt_km) <= 0.3


def test_glide_deceleration_reference() -> None:
    # REFERENCES.md §6: 2.23 m/s^2 at 5 km/s (L/D 2.6, at the 43.8 km glide altitude).
    r = 6_371_000.0 + 43_800.0
    assert float(glide_deceleration(5000.0, r, 2.6)) == pytest.approx(-2.23, abs=0.01)


def test_glide_range_is_integral_of_speed_over_deceleration() -> None:
    # Independent check: range = ∫ V dt = ∫ V / |dV/dt| dV at constant r (trapezoid).
    r = 6_371_000.0 + 40_000.0
    v = np.linspace(6000.0, 1000.0, 200_001)
    integrand = v / -glide_deceleration(v, 6_371_000.0, 2.6)
    numeric = float(np.sum(0.5 * (integrand[1:] + integrand[:-1]) * -np.diff(v)))
    del r
    assert float(glide_range(6000.0, 1000.0, 2.6)) == pytest.approx(numeric, rel=1e-6)


def test_altitude_for_density_inverts_us76() -> None:
    from tate.earth.atmosphere import us76
    from tate.flight.glide import altitude_for_density

    h = np.random.default_rng(0).uniform(-4_000.0, 299_000.0, 50_000)
    assert np.abs(altitude_for_density(us76(h).density) - h).max() < 0.5
    ends = altitude_for_density(np.array([np.inf, 0.0]))
    np.testing.assert_allclose(ends, [-5_000.0, 300_000.0], atol=1e-3)
