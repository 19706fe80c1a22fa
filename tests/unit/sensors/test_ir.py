"""Infrared kernels: inverse square, Gaussian detection by simulation, Planck band
fractions by quadrature, the skin-temperature balance by an independent root find on the
exact US76 model, and Earth blockage against a brute-force walk along the line of sight."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.integrate import quad
from scipy.optimize import brentq

from tate.earth.atmosphere import us76
from tate.earth.wgs84 import geodetic_altitude, geodetic_to_ecef
from tate.sensors.ir import (
    SIGNATURES,
    STEFAN_BOLTZMANN,
    IRSpec,
    band_fraction,
    earth_limb_visible,
    ir_pd,
    ir_snr,
    irradiance_w_m2,
    radiant_intensity_w_sr,
    skin_temperature_k,
)
from tate.sensors.presets import ir_preset
from tate.sensors.rcs import THREAT_KINDS

H, C, K_B = 6.62607015e-34, 299792458.0, 1.380649e-23  # SI 2019 exact constants
SPEC = IRSpec("test", 1e6, nei_w_m2=1e-10, angle_std_rad=1e-4, frame_s=1.0, pfa=1e-3)


def planck_exitance(lam: float, t: float) -> float:
    """Spectral exitance π·B_λ [W/m²/m]."""
    with np.errstate(over="ignore"):
        return float(2 * np.pi * H * C**2 / lam**5 / np.expm1(H * C / (lam * K_B * t)))


def test_inverse_square() -> None:
    assert float(irradiance_w_m2(1e4, 1e6)) == pytest.approx(1e-8, rel=1e-15)
    r = np.array([1e3, 2e3, 4e3])
    e = irradiance_w_m2(100.0, r, 0.5)
    np.testing.assert_allclose(e[:-1] / e[1:], 4.0, rtol=1e-15)
    assert float(e[0]) == pytest.approx(0.5 * 100 / 1e6)
    with pytest.raises(ValueError):
        irradiance_w_m2(1.0, 0.0)


def test_snr_is_irradiance_over_nei_with_a_floor() -> None:
    assert float(ir_snr(SPEC, 1e4, 1e6)) == pytest.approx(100.0)
    floored = IRSpec("f", 0.0, 1e-10, 1e-4, 1.0, min_radiant_intensity_w_sr=500.0)
    np.testing.assert_allclose(ir_snr(floored, [100.0, 1e3], 1e6), [0.0, 10.0])


@pytest.mark.parametrize("snr", [0.0, 2.0, 3.5, 5.0])
def test_detection_probability_matches_simulation(snr: float) -> None:
    # steady source plus unit Gaussian noise; threshold set for P_fa from the noise alone
    rng = np.random.default_rng(int(10 * snr))
    n = 200_000
    noise_only = rng.normal(size=n)
    threshold = np.quantile(noise_only, 1 - SPEC.pfa)
    simulated = np.mean(snr + rng.normal(size=n) > threshold)
    expected = float(ir_pd(SPEC, snr))
    # binomial error plus the threshold's own sampling error (density × quantile std)
    tol = 4 * np.sqrt(expected * (1 - expected) / n) + 5e-3 * np.exp(-0.5 * (3.09 - snr) ** 2)
    assert simulated == pytest.approx(expected, abs=tol + 1e-4)
    assert float(ir_pd(SPEC, 0.0)) == pytest.approx(SPEC.pfa, rel=1e-9)


@pytest.mark.parametrize("t", [300.0, 900.0, 2000.0, 5800.0])
def test_band_fraction_against_planck_quadrature(t: float) -> None:
    total = quad(planck_exitance, 1e-8, 1e-2, args=(t,), limit=400, points=[2.9e-3 / t])[0]
    assert total == pytest.approx(STEFAN_BOLTZMANN * t**4, rel=1e-5)  # σ from h, c, k
    for lo, hi in ((3e-6, 5e-6), (8e-6, 12e-6), (0.5e-6, 1e-6)):
        band = quad(planck_exitance, lo, hi, args=(t,))[0]
        assert float(band_fraction(t, lo, hi)) == pytest.approx(band / total, rel=1e-5,
                                                               abs=1e-15)
    assert float(band_fraction(t, 0.0, 1.0)) == pytest.approx(1.0, abs=1e-7)
    assert float(band_fraction(0.0, 3e-6, 5e-6)) == 0.0


def independent_skin_temperature(v: float, h: float, rn: float, eps: float, frac: float,
                                 sink: float) -> float:
    """Same balance, solved with brentq on the exact US76 model (not the fast table)."""
    state = us76(h)
    t_air = float(state.sound_speed) ** 2 / (1.4 * 287.053)
    t_rec = t_air * (1 + 0.89 * 0.2 * (v / float(state.sound_speed)) ** 2)
    rho = float(state.density)
    flux = min(1.7415e-4 * np.sqrt(rho / rn) * v**3, 0.5 * rho * v**3)  # free-molecular cap
    coeff = frac * flux / (v**2 / 2) * 1004.6855

    def f(t: float) -> float:
        return eps * STEFAN_BOLTZMANN * (t**4 - sink**4) - coeff * (t_rec - t)
    return float(brentq(f, min(t_rec, sink), max(t_rec, sink), xtol=1e-9))


@pytest.mark.parametrize(("v", "h", "frac"), [(2400.0, 40e3, 1.0), (2400.0, 40e3, 0.05),
                                              (1500.0, 25e3, 1.0), (7000.0, 60e3, 0.05),
                                              (270.0, 50.0, 1.0), (5000.0, 300e3, 1.0)])
def test_skin_temperature_solves_the_heat_balance(v: float, h: float, frac: float) -> None:
    got = float(skin_temperature_k(v, h, 0.034, 0.85, frac, 280.0))
    assert got == pytest.approx(independent_skin_temperature(v, h, 0.034, 0.85, frac, 280.0),
                                rel=2e-4)


def test_skin_temperature_limits() -> None:
    # slow in dense air: the adiabatic wall, at the recovery temperature (sea level 288.15 K)
    m = 0.3
    t_rec = 288.15 * (1 + 0.89 * 0.2 * m**2)
    assert float(skin_temperature_k(m * 340.294, 0.0, 0.1, 0.9)) == pytest.approx(t_rec,
                                                                                abs=1.0)
    # out of the atmosphere: the radiative sink
    assert float(skin_temperature_k(7000.0, 900e3, 0.05, 0.8, 1.0, 250.0)) == pytest.approx(
        250.0, abs=1.0)


def test_signatures_have_the_briefs_orders_of_magnitude() -> None:
    # Requirement check of the generic model (docs/sensors.md), not a physics oracle.
    boost = float(radiant_intensity_w_sr("booster", "boost", 2000.0, 40e3))
    assert 1e5 <= boost <= 1e6
    glide = radiant_intensity_w_sr("glider", "glide", np.array([1700.0, 2400.0, 3000.0]),
                                   np.array([30e3, 40e3, 50e3]))
    assert np.all((glide > 1e3) & (glide < 1e5))
    assert boost / glide[1] > 10  # much dimmer than a booster
    cold = [float(radiant_intensity_w_sr(k, p, v, h)) for k, p, v, h in (
        ("ballistic-rv", "midcourse", 5000.0, 400e3), ("cruise", "cruise", 270.0, 30.0),
        ("drone", "cruise", 40.0, 1000.0))]
    assert max(cold) < 100.0


def test_glider_signature_rises_with_speed_and_density() -> None:
    v = np.linspace(1500.0, 3500.0, 9)
    at40 = radiant_intensity_w_sr("glider", "glide", v, 40e3)
    assert np.all(np.diff(at40) > 0)
    lower = radiant_intensity_w_sr("glider", "glide", 2500.0, np.array([60e3, 45e3, 30e3]))
    assert np.all(np.diff(lower) > 0)
    plume = radiant_intensity_w_sr("glider", "boost", v, 40e3) - at40
    np.testing.assert_allclose(plume, SIGNATURES["glider"].plume_w_sr)


def test_signature_input_errors() -> None:
    assert set(SIGNATURES) == set(THREAT_KINDS)
    with pytest.raises(ValueError, match="valid kinds"):
        radiant_intensity_w_sr("ufo", "glide", 1.0, 1.0)
    with pytest.raises(ValueError, match="valid phases"):
        radiant_intensity_w_sr("glider", "coast", 1.0, 1.0)
    with pytest.raises(ValueError):
        IRSpec("bad", 0.0, 0.0, 1e-4, 1.0)


def brute_force_min_altitude(s: np.ndarray, t: np.ndarray, n: int = 4001) -> np.ndarray:
    u = np.linspace(0.0, 1.0, n)[:, None, None]
    return geodetic_altitude(s[None] + u * (t - s)[None]).min(axis=0)


@pytest.mark.parametrize("grazing", [0.0, 20e3])
def test_earth_limb_against_brute_force(grazing: float) -> None:
    rng = np.random.default_rng(11 + int(grazing))
    n = 400
    lat, lon = rng.uniform(-1.5, 1.5, n), rng.uniform(-np.pi, np.pi, n)
    sensor = geodetic_to_ecef(lat, lon, rng.uniform(400e3, 2000e3, n))
    # targets above the grazing height, so "blocked" means the walk dips below it; spread
    # up to ~1 rad of arc from the sub-sensor point, across the horizon
    target = geodetic_to_ecef(np.clip(lat + rng.uniform(-1.0, 1.0, n), -1.57, 1.57),
                              lon + rng.uniform(-1.0, 1.0, n),
                              rng.uniform(grazing + 1e3, grazing + 100e3, n))
    got = earth_limb_visible(sensor, target, grazing)
    low = brute_force_min_altitude(sensor, target)
    clear = np.abs(low - grazing) > 300.0  # the raised ellipsoid is within 70 m of height h
    assert clear.sum() > 0.9 * n
    assert 0.1 * n < (~got).sum() < 0.9 * n  # both outcomes well represented
    np.testing.assert_array_equal(got[clear], (low >= grazing)[clear])


def test_earth_limb_simple_cases() -> None:
    a = geodetic_to_ecef(0.0, 0.0, 800e3)
    b = geodetic_to_ecef(0.0, np.pi, 800e3)  # antipodal: through the Earth
    c = geodetic_to_ecef(0.1, 0.1, 30e3)
    sea = geodetic_to_ecef(0.0, 0.05, 0.0)  # on the surface, 320 km away, above the horizon
    np.testing.assert_array_equal(earth_limb_visible(a, np.stack([b, c, sea])),
                                  [False, True, True])
    # a surface point seen from beyond its horizon is blocked
    far = geodetic_to_ecef(0.0, 0.6, 0.0)
    assert not earth_limb_visible(a, far)
    assert earth_limb_visible(a, a)  # zero-length line of sight


def test_space_ir_preset_sees_boosters_and_gliders_not_cold_bodies() -> None:
    # Design statement of the preset (docs/sensors.md), not a physics oracle.
    spec = ir_preset("space-ir-like")
    booster = float(radiant_intensity_w_sr("booster", "boost", 2000.0, 40e3))
    glider = float(radiant_intensity_w_sr("glider", "glide", 2400.0, 40e3))
    cruise = float(radiant_intensity_w_sr("cruise", "cruise", 270.0, 30.0))
    assert float(ir_pd(spec, ir_snr(spec, booster, 5000e3))) > 0.99
    assert float(ir_pd(spec, ir_snr(spec, glider, 3000e3))) > 0.9
    assert float(ir_pd(spec, ir_snr(spec, cruise, 1500e3))) < 1e-3
