"""Tests of tate.earth.gravity against independent oracles.

Sign convention under test: ``potential_j2`` is the potential energy per unit mass V
(negative, J/kg) and the acceleration is ``a = -grad V``.

Oracles:
1. minus the central-difference gradient of ``potential_j2`` (a separate, scalar formula);
2. the WGS-84 normal gravity (TR8350.2 Table 3.4 and Somigliana's formula) after adding the
   centrifugal acceleration; J2-only truncation neglects J4 (= -2.37e-6) and higher, whose
   radial effect at the pole is ~5 |J4| = 1.2e-5 relative, hence the brief's 2e-5 tolerance;
3. Newton's GM / r^2 with J2 switched off;
4. the direction of effective gravity on the ellipsoid versus the ellipsoid normal.
"""

from __future__ import annotations

import numpy as np
import pytest
from numpy.typing import NDArray

from tate.earth import gravity as g
from tate.earth import wgs84 as w

GAMMA_EQUATOR = 9.7803253359  # m/s^2, WGS-84 normal gravity at the equator (TR8350.2)
GAMMA_POLE = 9.8321849378  # m/s^2, WGS-84 normal gravity at the poles (TR8350.2)
SOMIGLIANA_K = 0.00193185265241  # (b gamma_p - a gamma_e) / (a gamma_e), TR8350.2 Table 3.4


def _effective(pos: NDArray[np.float64]) -> NDArray[np.float64]:
    """Gravitation + centrifugal acceleration OMEGA^2 (x, y, 0) in the rotating frame."""
    acc = g.gravity_j2(pos)
    acc[..., :2] += w.OMEGA**2 * pos[..., :2]
    return acc


def _random_positions(
    rng: np.random.Generator, n: int, alt_lo: float, alt_hi: float
) -> NDArray[np.float64]:
    lat = np.arcsin(rng.uniform(-1.0, 1.0, n))
    lat[:2] = [np.pi / 2, -np.pi / 2]
    return w.geodetic_to_ecef(lat, rng.uniform(-np.pi, np.pi, n), rng.uniform(alt_lo, alt_hi, n))


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(7)


def test_acceleration_is_minus_gradient_of_potential(rng: np.random.Generator) -> None:
    pos = _random_positions(rng, 2000, -1.0e4, 4.0e7)
    h = 10.0  # m; truncation ~ g h^2 / r^2 < 1e-11, rounding ~ 1e-16 |V| / h < 1e-8 m/s^2
    grad = np.empty_like(pos)
    for i in range(3):
        step = np.zeros(3)
        step[i] = h
        grad[:, i] = (g.potential_j2(pos + step) - g.potential_j2(pos - step)) / (2 * h)
    acc = g.gravity_j2(pos)
    np.testing.assert_allclose(acc, -grad, rtol=0, atol=2e-8)
    # The J2 part alone (~1e-3 of the total) must also match: a sign error there would fail.
    j2_acc = acc - g.gravity_central(pos)
    j2_grad = -grad - g.gravity_central(pos)
    scale = np.max(np.abs(j2_acc))
    assert np.max(np.abs(j2_acc - j2_grad)) < 1e-5 * scale
    np.testing.assert_allclose(g.potential(pos, j2=True), g.potential_j2(pos))


def test_potential_values() -> None:
    # Equator: V = -(GM/a)(1 + J2/2); pole (r = b, z = r): V = -(GM/b)(1 - J2 (a/b)^2).
    assert g.potential_j2([w.A, 0.0, 0.0]) == pytest.approx(-w.GM / w.A * (1 + w.J2 / 2), 1e-15)
    assert g.potential_j2([0.0, 0.0, w.B]) == pytest.approx(
        -w.GM / w.B * (1 - w.J2 * (w.A / w.B) ** 2), rel=1e-15
    )
    pos = np.array([[7e6, 1e6, -2e6]])
    assert g.potential(pos, j2=False) == pytest.approx(-w.GM / np.linalg.norm(pos))


def test_effective_gravity_at_equator_and_pole() -> None:
    eq = np.linalg.norm(_effective(np.array([w.A, 0.0, 0.0])))
    pole = np.linalg.norm(_effective(np.array([0.0, 0.0, w.B])))
    south = np.linalg.norm(_effective(np.array([0.0, 0.0, -w.B])))
    # Measured: -4.5e-6 at the equator, -1.2e-5 at the poles (the neglected J4 term).
    assert eq == pytest.approx(GAMMA_EQUATOR, rel=2e-5)
    assert pole == pytest.approx(GAMMA_POLE, rel=2e-5)
    assert south == pytest.approx(pole, rel=1e-15)


def test_effective_gravity_follows_somigliana() -> None:
    lat = np.linspace(-np.pi / 2, np.pi / 2, 721)
    pos = w.geodetic_to_ecef(lat, 0.3, 0.0)
    s2 = np.sin(lat) ** 2
    gamma = GAMMA_EQUATOR * (1 + SOMIGLIANA_K * s2) / np.sqrt(1 - w.E2 * s2)
    np.testing.assert_allclose(np.linalg.norm(_effective(pos), axis=-1), gamma, rtol=2e-5)


def test_effective_gravity_is_normal_to_ellipsoid() -> None:
    """Angle between effective gravity and the inward ellipsoid normal on the surface.

    The WGS-84 ellipsoid is an equipotential of the *full* normal field; with J2 only, the
    missing J4 term tilts gravity by at most |J4| max|dP4(sin phi)/dphi| (a/b)^4
    = 2.37e-6 * 2.64 * 1.03 = 6.4e-6 rad (measured max 6.3e-6 rad near 66 deg), and J6 or
    J2^2 terms are ~100x smaller; the tolerance 1e-5 rad covers that with margin, whereas
    the geodetic-geocentric latitude difference (up to 3.4e-3 rad) would fail it.
    """
    lat = np.linspace(-np.pi / 2, np.pi / 2, 2001)
    lon = np.linspace(-np.pi, np.pi, 2001)
    pos = w.geodetic_to_ecef(lat, lon, 0.0)
    down = -w.enu_matrix(lat, lon)[:, 2, :]
    acc = _effective(pos)
    acc /= np.linalg.norm(acc, axis=-1, keepdims=True)
    angle = np.arctan2(np.linalg.norm(np.cross(acc, down), axis=-1), np.sum(acc * down, -1))
    assert np.max(angle) < 1e-5
    radial = -pos / np.linalg.norm(pos, axis=-1, keepdims=True)
    assert np.max(np.arccos(np.clip(np.sum(acc * radial, -1), -1, 1))) > 3e-3  # sanity


def test_central_limit_without_j2(rng: np.random.Generator) -> None:
    pos = _random_positions(rng, 1000, -1.0e4, 4.0e7)
    r = np.linalg.norm(pos, axis=-1)
    for acc in (g.gravity_central(pos), g.gravity(pos, j2=False)):
        np.testing.assert_allclose(np.linalg.norm(acc, axis=-1), w.GM / r**2, rtol=1e-14)
        np.testing.assert_allclose(
            acc / np.linalg.norm(acc, axis=-1, keepdims=True), -pos / r[:, None], atol=1e-15
        )
    np.testing.assert_array_equal(g.gravity(pos), g.gravity_j2(pos))
    # The J2 perturbation is of relative size 1.5 J2 (a/r)^2 at most 3 J2 (a/r)^2.
    rel = np.linalg.norm(g.gravity_j2(pos) - g.gravity_central(pos), axis=-1) * r**2 / w.GM
    assert np.all(rel <= 3.0 * w.J2 * (w.A / r) ** 2 * (1 + 1e-12))
    assert np.all(rel >= 1.0 * w.J2 * (w.A / r) ** 2 * (1 - 1e-12))


def test_symmetries_and_shapes(rng: np.random.Generator) -> None:
    pos = _random_positions(rng, 100, 0.0, 1.0e6)
    mirrored = pos * [1.0, 1.0, -1.0]
    np.testing.assert_allclose(
        g.gravity_j2(mirrored), g.gravity_j2(pos) * [1.0, 1.0, -1.0], rtol=1e-15, atol=1e-15
    )
    c, s = np.cos(0.7), np.sin(0.7)
    rot = np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])  # axial symmetry
    np.testing.assert_allclose(
        g.gravity_j2(pos @ rot.T), g.gravity_j2(pos) @ rot.T, rtol=1e-13, atol=1e-14
    )
    out = np.empty_like(pos)
    assert g.gravity_j2(pos, out=out) is out
    assert g.gravity_central(pos, out=out) is out
    assert g.gravity_j2(pos[0]).shape == (3,)
    assert g.gravity_j2(pos[:4].reshape(2, 2, 3)).shape == (2, 2, 3)
    assert g.potential_j2(pos[:4].reshape(2, 2, 3)).shape == (2, 2)
    strided = np.asfortranarray(pos)[::3]
    np.testing.assert_allclose(g.gravity_j2(strided), g.gravity_j2(pos[::3].copy()), rtol=1e-15)
    with pytest.raises(ValueError, match=r"\(\.\.\., 3\)"):
        g.gravity_j2(np.zeros((5, 2)))
    with pytest.raises(ValueError, match="out must have shape"):
        g.gravity_j2(pos, out=np.empty((3, 3)))
    with pytest.raises(ValueError, match="share memory"):
        g.gravity_j2(pos, out=pos)
