"""Tests of tate.earth.wgs84.

Oracles: pymap3d 3.2 (independent implementation, test-only; radians via ``deg=False``),
published constants and worked examples (TR8350.2, Vincenty/Geoscience Australia, Karney),
and round trips (hypothesis) through the exact forward transforms.

pymap3d's own ``ecef2geodetic`` (You 2000) is an approximation: its latitude error is
1e-10 rad at 500 km altitude and 1.2e-8 rad at 2000 km.  It is therefore used as an oracle
of :func:`ecef_to_geodetic` only up to 300 km; above, the oracle is the generating geodetic
point pushed through pymap3d's exact ``geodetic2ecef``.
"""

from __future__ import annotations

import numpy as np
import pymap3d as pm
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.typing import ArrayLike, NDArray
from pymap3d import vincenty

from tate.earth import geodesic as geo
from tate.earth import wgs84 as w

HALF_PI = np.pi / 2
TOL_M = 1e-6  # position tolerance against pymap3d, m
TOL_RAD = 1e-10  # angle tolerance against pymap3d, rad
ARCSEC = np.pi / (180 * 3600)

lat_st = st.floats(-HALF_PI, HALF_PI)  # includes both poles exactly
lon_st = st.floats(-np.pi, np.pi)  # includes the dateline from both sides
alt_st = st.floats(-1.0e6, 4.0e7)
near_pole_st = st.floats(HALF_PI - 1e-6, HALF_PI).flatmap(lambda x: st.sampled_from([x, -x]))
HYP = settings(max_examples=300, deadline=None)


def _ang_diff(a: ArrayLike, b: ArrayLike) -> NDArray[np.float64]:
    """|a - b| wrapped into [0, pi]."""
    return np.abs(np.angle(np.exp(1j * (np.asarray(a) - np.asarray(b)))))


def _random_geodetic(
    rng: np.random.Generator, n: int, alt_lo: float, alt_hi: float
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    lat = np.arcsin(rng.uniform(-1.0, 1.0, n))
    lon = rng.uniform(-np.pi, np.pi, n)
    alt = rng.uniform(alt_lo, alt_hi, n)
    # Edge cases: poles, equator, dateline, prime meridian.
    lat[:8] = [HALF_PI, -HALF_PI, 0.0, 0.0, HALF_PI - 1e-12, -HALF_PI + 1e-9, 1e-300, -0.0]
    lon[:8] = [0.0, np.pi, np.pi, -np.pi, 1.0, -2.0, 0.0, np.pi - 1e-15]
    return lat, lon, alt


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20240601)


# --------------------------------------------------------------------------- constants
def test_constants() -> None:
    assert w.B == pytest.approx(6356752.314245, abs=1e-6)  # TR8350.2 Table 3.3
    assert w.E2 == pytest.approx(6.69437999014e-3, rel=1e-11)
    assert w.EP2 == pytest.approx(6.73949674228e-3, rel=1e-11)
    assert w.J2 == pytest.approx(-np.sqrt(5.0) * -0.484166774985e-3, rel=1e-11)
    assert w.R_MEAN == pytest.approx((2 * w.A + w.B) / 3, abs=0.1)


def test_known_points() -> None:
    np.testing.assert_array_equal(w.geodetic_to_ecef(0.0, 0.0, 0.0), [w.A, 0.0, 0.0])
    np.testing.assert_allclose(w.geodetic_to_ecef(HALF_PI, 0.0, 0.0), [0, 0, w.B], atol=1e-9)
    np.testing.assert_allclose(
        w.geodetic_to_ecef(0.0, HALF_PI, 100.0), [0, w.A + 100, 0], atol=1e-9
    )
    lat, lon, alt = w.ecef_to_geodetic([w.A, 0.0, 0.0])
    assert (lat, lon, alt) == (0.0, 0.0, 0.0)
    lat, _, alt = w.ecef_to_geodetic([0.0, 0.0, -w.B - 5.0])
    assert lat == -HALF_PI
    assert alt == pytest.approx(5.0, abs=1e-9)
    lat, _, alt = w.ecef_to_geodetic([0.0, 0.0, 0.0])  # centre: nearest surface point is a pole
    assert abs(lat) == HALF_PI
    assert alt == pytest.approx(-w.B, abs=1e-6)


def test_shapes_and_broadcasting() -> None:
    pos = w.geodetic_to_ecef(np.zeros((2, 3)), np.zeros(3), 0.0)
    assert pos.shape == (2, 3, 3)
    lat, lon, alt = w.ecef_to_geodetic(pos)
    assert lat.shape == lon.shape == alt.shape == (2, 3)
    assert w.geodetic_altitude(pos).shape == (2, 3)
    assert w.enu_matrix(np.zeros(4), 0.0).shape == (4, 3, 3)
    assert w.ecef_to_enu(pos, 0.1, 0.2, np.zeros((2, 1))).shape == (2, 3, 3)
    assert np.ndim(w.geodetic_altitude([w.A, 0.0, 0.0])) == 0
    with pytest.raises(ValueError, match=r"\(\.\.\., 3\)"):
        w.ecef_to_geodetic(np.zeros((4, 2)))
    with pytest.raises(ValueError, match="out must have shape"):
        w.geodetic_altitude(pos, out=np.empty(6))


# --------------------------------------------------------------------------- geodetic <-> ECEF
def test_geodetic_to_ecef_vs_pymap3d(rng: np.random.Generator) -> None:
    lat, lon, alt = _random_geodetic(rng, 20_000, -1.0e6, 4.0e7)
    ours = w.geodetic_to_ecef(lat, lon, alt)
    ref = np.stack(pm.geodetic2ecef(lat, lon, alt, deg=False), axis=-1)
    np.testing.assert_allclose(ours, ref, rtol=0, atol=TOL_M)


def test_ecef_to_geodetic_vs_pymap3d_inverse(rng: np.random.Generator) -> None:
    # pymap3d's inverse is itself accurate to 1e-10 rad only below ~500 km (module docstring).
    lat, lon, alt = _random_geodetic(rng, 20_000, -1.0e4, 3.0e5)
    pos = np.stack(pm.geodetic2ecef(lat, lon, alt, deg=False), axis=-1)
    ours = w.ecef_to_geodetic(pos)
    ref = pm.ecef2geodetic(pos[:, 0], pos[:, 1], pos[:, 2], deg=False)
    assert np.max(np.abs(ours[0] - ref[0])) < TOL_RAD
    assert np.max(_ang_diff(ours[1], ref[1])) < TOL_RAD
    assert np.max(np.abs(ours[2] - ref[2])) < TOL_M


@pytest.mark.parametrize(("alt_lo", "alt_hi"), [(-1.0e4, 2.0e6), (-1.0e6, 4.0e7), (-6.0e6, -1.0e6)])
def test_ecef_to_geodetic_exact_through_pymap3d_forward(
    rng: np.random.Generator, alt_lo: float, alt_hi: float
) -> None:
    lat, lon, alt = _random_geodetic(rng, 50_000, alt_lo, alt_hi)
    pos = np.stack(pm.geodetic2ecef(lat, lon, alt, deg=False), axis=-1)
    lat2, lon2, alt2 = w.ecef_to_geodetic(pos)
    assert np.max(np.abs(alt2 - alt)) < 1e-7  # docstring claim: < 3e-8 m
    assert np.max(np.abs(lat2 - lat)) < 1e-14
    off_axis = np.cos(lat) > 1e-9
    assert np.max(_ang_diff(lon2, lon)[off_axis]) < 1e-14


def test_ecef_to_geodetic_consistent_everywhere_inside(rng: np.random.Generator) -> None:
    """Deep inside (incl. the evolute near the centre) the answer must map back to pos."""
    pos = rng.uniform(-1, 1, (20_000, 3)) * np.array([6e4, 6e4, 6e4])
    pos[:3] = [[3e4, 0.0, 0.0], [0.0, 0.0, 1e3], [1.0, 2.0, 0.0]]  # equatorial plane in evolute
    back = w.geodetic_to_ecef(*w.ecef_to_geodetic(pos))
    np.testing.assert_allclose(back, pos, rtol=0, atol=1e-6)


@HYP
@given(lat_st, lon_st, alt_st)
def test_geodetic_round_trip(lat: float, lon: float, alt: float) -> None:
    lat2, lon2, alt2 = w.ecef_to_geodetic(w.geodetic_to_ecef(lat, lon, alt))
    assert abs(lat2 - lat) < TOL_RAD
    assert abs(alt2 - alt) < TOL_M
    if np.cos(lat) > 1e-9:
        assert _ang_diff(lon2, lon) < TOL_RAD


@HYP
@given(near_pole_st, lon_st, st.floats(-1.0e4, 2.0e6))
def test_geodetic_round_trip_near_poles(lat: float, lon: float, alt: float) -> None:
    pos = w.geodetic_to_ecef(lat, lon, alt)
    lat2, _, alt2 = w.ecef_to_geodetic(pos)
    assert abs(lat2 - lat) < TOL_RAD
    assert abs(alt2 - alt) < TOL_M
    assert abs(w.geodetic_altitude(pos) - alt) < TOL_M


# --------------------------------------------------------------------------- fast altitude
def test_geodetic_altitude_matches_exact(rng: np.random.Generator) -> None:
    lat, lon, alt = _random_geodetic(rng, 200_000, -1.0e4, 2.0e6)
    pos = w.geodetic_to_ecef(lat, lon, alt)
    exact = w.ecef_to_geodetic(pos)[2]
    fast = w.geodetic_altitude(pos)
    # Requirement: < 1 mm.  Measured ~5e-9 m; 1e-6 m guards against regressions.
    assert np.max(np.abs(fast - exact)) < 1e-6
    out = np.empty(len(pos))
    assert w.geodetic_altitude(pos, out=out) is out
    np.testing.assert_array_equal(out, fast)


def test_geodetic_altitude_high_orbit(rng: np.random.Generator) -> None:
    lat, lon, alt = _random_geodetic(rng, 20_000, 2.0e6, 4.0e7)
    pos = w.geodetic_to_ecef(lat, lon, alt)
    assert np.max(np.abs(w.geodetic_altitude(pos) - alt)) < 1e-6


def test_geodetic_altitude_non_contiguous_input(rng: np.random.Generator) -> None:
    lat, lon, alt = _random_geodetic(rng, 100, 0.0, 1.0e5)
    pos = np.asfortranarray(w.geodetic_to_ecef(lat, lon, alt))[::2]
    np.testing.assert_allclose(w.geodetic_altitude(pos), alt[::2], atol=1e-6)


# --------------------------------------------------------------------------- local frames
def test_enu_matrix_orthonormal_and_up_is_ellipsoid_normal(rng: np.random.Generator) -> None:
    lat, lon, _ = _random_geodetic(rng, 1000, 0.0, 0.0)
    m = w.enu_matrix(lat, lon)
    np.testing.assert_allclose(
        m @ np.swapaxes(m, -1, -2), np.broadcast_to(np.eye(3), m.shape), atol=1e-15
    )
    np.testing.assert_allclose(np.linalg.det(m), 1.0, atol=1e-14)  # right-handed
    pos = w.geodetic_to_ecef(lat, lon, 0.0)
    normal = pos / np.array([w.A**2, w.A**2, w.B**2])  # gradient of x^2/a^2 + y^2/a^2 + z^2/b^2
    normal /= np.linalg.norm(normal, axis=-1, keepdims=True)
    np.testing.assert_allclose(m[:, 2, :], normal, atol=1e-15)


def test_ecef_enu_vs_pymap3d(rng: np.random.Generator) -> None:
    n = 5000
    lat0, lon0, alt0 = _random_geodetic(rng, n, -1.0e3, 1.0e4)
    pos = rng.normal(size=(n, 3)) * 3.0e6 + w.geodetic_to_ecef(lat0, lon0, alt0)
    enu = w.ecef_to_enu(pos, lat0, lon0, alt0)
    ref = np.stack(pm.ecef2enu(*pos.T, lat0, lon0, alt0, deg=False), axis=-1)
    np.testing.assert_allclose(enu, ref, rtol=0, atol=TOL_M)
    back = w.enu_to_ecef(enu, lat0, lon0, alt0)
    ref_back = np.stack(pm.enu2ecef(*enu.T, lat0, lon0, alt0, deg=False), axis=-1)
    np.testing.assert_allclose(back, ref_back, rtol=0, atol=TOL_M)
    np.testing.assert_allclose(back, pos, rtol=0, atol=TOL_M)
    np.testing.assert_allclose(
        enu,
        np.einsum(
            "nij,nj->ni", w.enu_matrix(lat0, lon0), pos - w.geodetic_to_ecef(lat0, lon0, alt0)
        ),
        atol=TOL_M,
    )


def test_vector_rotations_vs_pymap3d(rng: np.random.Generator) -> None:
    n = 2000
    lat, lon, _ = _random_geodetic(rng, n, 0.0, 0.0)
    vec = rng.normal(size=(n, 3)) * 300.0
    enu = w.ecef_vec_to_enu(vec, lat, lon)
    np.testing.assert_allclose(
        enu, np.stack(pm.ecef2enuv(*vec.T, lat, lon, deg=False), -1), atol=1e-12
    )
    np.testing.assert_allclose(
        w.enu_vec_to_ecef(enu, lat, lon),
        np.stack(pm.enu2ecefv(*enu.T, lat, lon, deg=False), -1),
        atol=1e-12,
    )
    ned = w.ecef_vec_to_ned(vec, lat, lon)
    np.testing.assert_allclose(
        ned, np.stack(pm.ecef2nedv(*vec.T, lat, lon, deg=False), -1), atol=1e-12
    )
    np.testing.assert_allclose(w.ned_vec_to_ecef(ned, lat, lon), vec, atol=1e-12)


def test_aer_vs_pymap3d(rng: np.random.Generator) -> None:
    n = 5000
    lat0, lon0, alt0 = _random_geodetic(rng, n, -1.0e3, 1.0e4)
    pos = rng.normal(size=(n, 3)) * 1.0e6 + w.geodetic_to_ecef(lat0, lon0, alt0)
    az, el, rng_m = w.ecef_to_aer(pos, lat0, lon0, alt0)
    raz, rel, rrng = pm.ecef2aer(*pos.T, lat0, lon0, alt0, deg=False)
    assert np.max(_ang_diff(az, raz)) < TOL_RAD
    assert np.max(np.abs(el - rel)) < TOL_RAD
    assert np.max(np.abs(rng_m - rrng)) < TOL_M
    assert np.all((az >= 0.0) & (az < 2 * np.pi))
    back = w.aer_to_ecef(az, el, rng_m, lat0, lon0, alt0)
    ref = np.stack(pm.aer2ecef(az, el, rng_m, lat0, lon0, alt0, deg=False), axis=-1)
    np.testing.assert_allclose(back, ref, rtol=0, atol=TOL_M)
    enu = rng.normal(size=(n, 3)) * 1.0e5  # |components| > 1 mm: pymap3d rounds below that
    az, el, rng_m = w.enu_to_aer(enu)
    raz, rel, rrng = pm.enu2aer(*enu.T, deg=False)
    assert np.max(_ang_diff(az, raz)) < TOL_RAD
    assert np.max(np.abs(el - rel)) < TOL_RAD
    assert np.max(np.abs(rng_m - rrng)) < TOL_M


def test_aer_conventions() -> None:
    az, el, r = w.enu_to_aer(np.array([[0, 1, 0], [1, 0, 0], [0, -1, 0], [-1, 0, 0], [0, 0, 2]]))
    np.testing.assert_allclose(az, [0, np.pi / 2, np.pi, 3 * np.pi / 2, 0])
    np.testing.assert_allclose(el, [0, 0, 0, 0, np.pi / 2])
    np.testing.assert_allclose(r, [1, 1, 1, 1, 2])
    az, _, _ = w.enu_to_aer([-1e-300, 1.0, 0.0])  # -tiny mod 2 pi must not give 2 pi
    assert 0.0 <= az < 2 * np.pi


@HYP
@given(lat_st, lon_st, st.floats(-1.0e4, 1.0e6), st.tuples(*[st.floats(-1.0e7, 1.0e7)] * 3))
def test_enu_ecef_round_trip(
    lat0: float, lon0: float, alt0: float, enu: tuple[float, float, float]
) -> None:
    pos = w.enu_to_ecef(np.array(enu), lat0, lon0, alt0)
    np.testing.assert_allclose(w.ecef_to_enu(pos, lat0, lon0, alt0), enu, rtol=0, atol=TOL_M)


@HYP
@given(
    st.floats(0.0, 2 * np.pi, exclude_max=True),
    st.floats(-HALF_PI + 1e-6, HALF_PI - 1e-6),
    st.floats(1.0, 1.0e8),
)
def test_aer_enu_round_trip(az: float, el: float, rng_m: float) -> None:
    az2, el2, rng2 = w.enu_to_aer(w.aer_to_enu(az, el, rng_m))
    assert _ang_diff(az2, az) < TOL_RAD
    assert abs(el2 - el) < TOL_RAD
    assert abs(rng2 - rng_m) < 1e-15 * rng_m + 1e-9


@HYP
@given(st.tuples(*[st.floats(-1.0e7, 1.0e7)] * 3))
def test_enu_aer_round_trip(enu: tuple[float, float, float]) -> None:
    np.testing.assert_allclose(w.aer_to_enu(*w.enu_to_aer(np.array(enu))), enu, rtol=0, atol=TOL_M)


# --------------------------------------------------------------------------- great circle
def test_great_circle_known_values() -> None:
    d, az = geo.great_circle(0.0, 0.0, HALF_PI, 1.234)  # equator to pole
    assert d == pytest.approx(np.pi / 2 * w.R_MEAN, rel=1e-15)
    assert az == pytest.approx(0.0, abs=1e-15)
    d, az = geo.great_circle(0.0, 0.0, 0.0, -HALF_PI)  # due west along the equator
    assert d == pytest.approx(np.pi / 2 * w.R_MEAN, rel=1e-15)
    assert az == pytest.approx(1.5 * np.pi, abs=1e-15)
    d, az = geo.great_circle(0.3, -2.0, 0.3, -2.0)
    assert (d, az) == (0.0, 0.0)


@HYP
@given(
    st.floats(-1.5, 1.5), lon_st, st.floats(0.0, 2 * np.pi, exclude_max=True), st.floats(1.0, 1.9e7)
)
def test_great_circle_destination_round_trip(
    lat: float, lon: float, az: float, dist: float
) -> None:
    lat2, lon2 = geo.destination(lat, lon, az, dist)
    assert -np.pi <= lon2 < np.pi
    d, az1 = geo.great_circle(lat, lon, lat2, lon2)
    assert d == pytest.approx(dist, abs=1e-6)
    assert _ang_diff(az1, az) < 1e-6  # azimuth ill-conditioned only as dist -> 0 or pi R


# --------------------------------------------------------------------------- Vincenty
def _dms(d: int, m: int, s: float) -> float:
    return float(np.radians(d + m / 60 + s / 3600))


def test_vincenty_flinders_peak_buninyong() -> None:
    """Vincenty (1975) / Geoscience Australia example.  GA uses GRS 80; the flattening
    differs from WGS-84 by 1.6e-11 relative, far below 1 mm on 55 km."""
    lat1, lon1 = -_dms(37, 57, 3.72030), _dms(144, 25, 29.52440)  # Flinders Peak
    lat2, lon2 = -_dms(37, 39, 10.15610), _dms(143, 55, 35.38390)  # Buninyong
    d, az1, az2 = geo.vincenty_inverse(lat1, lon1, lat2, lon2)
    assert d == pytest.approx(54_972.271, abs=1e-3)
    assert abs(az1 - _dms(306, 52, 5.37)) < 0.01 * ARCSEC
    assert abs(az2 - _dms(127, 10, 25.07)) < 0.01 * ARCSEC  # reverse azimuth


def test_vincenty_vs_pymap3d(rng: np.random.Generator) -> None:
    n = 5000
    lat1, lon1, _ = _random_geodetic(rng, n, 0.0, 0.0)
    lat1 = np.clip(lat1, -HALF_PI + 1e-6, HALF_PI - 1e-6)  # pymap3d nudges exact poles
    lat2 = np.arcsin(rng.uniform(-0.999, 0.999, n))
    lon2 = lon1 + rng.uniform(-3.0, 3.0, n)  # avoid the nearly antipodal band
    d, az1, _ = geo.vincenty_inverse(lat1, lon1, lat2, lon2)
    rd, raz = vincenty.vdist(lat1, lon1, lat2, lon2, deg=False)
    np.testing.assert_allclose(d, rd, rtol=0, atol=1e-6)
    assert np.max(_ang_diff(az1, raz)) < 1e-9


def test_vincenty_special_cases() -> None:
    d, az1, az2 = geo.vincenty_inverse(0.4, 1.0, 0.4, 1.0)
    assert (float(d), float(az1), float(az2)) == (0.0, 0.0, 0.0)
    d, az1, _ = geo.vincenty_inverse(0.0, 0.0, 0.0, 1.0)  # along the equator
    assert d == pytest.approx(w.A * 1.0, abs=1e-7)
    assert az1 == pytest.approx(HALF_PI)
    d, _, _ = geo.vincenty_inverse(np.zeros((2, 3)), 0.0, 0.1, np.zeros(3))
    assert d.shape == (2, 3)


def _meridian_arc(lat: float) -> float:
    """Meridian arc from the equator to `lat`: 64-point Gauss-Legendre quadrature of the
    meridional radius of curvature (an oracle independent of Vincenty's series)."""
    x, wts = np.polynomial.legendre.leggauss(64)
    phi = 0.5 * lat * (x + 1.0)
    radius = w.A * (1 - w.E2) / (1 - w.E2 * np.sin(phi) ** 2) ** 1.5
    return float(0.5 * lat * np.sum(wts * radius))


def test_vincenty_meridian_and_quarter_meridian() -> None:
    # Quarter meridian of WGS-84: 10,001,965.729 m (Karney 2011, GeographicLib).
    assert _meridian_arc(HALF_PI) == pytest.approx(10_001_965.729, abs=1e-3)
    d, az1, az2 = geo.vincenty_inverse(HALF_PI, 0.0, -HALF_PI, 0.0)
    assert d == pytest.approx(2 * _meridian_arc(HALF_PI), abs=1e-4)
    d, az1, az2 = geo.vincenty_inverse(0.1, 2.0, 1.2, 2.0)
    assert d == pytest.approx(_meridian_arc(1.2) - _meridian_arc(0.1), abs=1e-4)
    assert (az1, az2) == (0.0, pytest.approx(np.pi))


@pytest.mark.parametrize(
    ("lon2_deg", "expected_m"),
    [(179.5, 19_936_288.579), (179.7, 19_944_127.421)],  # Karney (2011) reference values
)
def test_vincenty_nearly_antipodal(lon2_deg: float, expected_m: float) -> None:
    """(0, 0)-(0.5 deg, 179.5 deg) needs ~130 fixed-point iterations, (0.5, 179.7) never
    converges: both go to the bisection fallback and must be right, without raising or
    warning (RuntimeWarnings from tate are errors in this suite)."""
    d, az1, az2 = geo.vincenty_inverse(0.0, 0.0, np.radians(0.5), np.radians(lon2_deg))
    assert d == pytest.approx(expected_m, abs=1e-3)
    assert np.isfinite(az1) and np.isfinite(az2)


def test_vincenty_exactly_antipodal_is_meridional() -> None:
    """For L = 180 deg the shortest geodesic runs along the meridian over a pole."""
    lat2 = np.radians([0.0, 0.5, -0.5, 30.0])
    d, _, _ = geo.vincenty_inverse(0.0, 0.0, lat2, np.pi)
    half = 2 * _meridian_arc(HALF_PI)
    expected = [
        half,
        half - _meridian_arc(np.radians(0.5)),
        half - _meridian_arc(np.radians(0.5)),
        half - _meridian_arc(np.radians(30.0)),
    ]
    np.testing.assert_allclose(d, expected, rtol=0, atol=1e-4)


# --------------------------------------------------------------------------- velocities
def test_earth_relative_inertial_velocity(rng: np.random.Generator) -> None:
    v = w.earth_relative_to_inertial_velocity([w.A, 0.0, 0.0], [0.0, 0.0, 0.0])
    np.testing.assert_allclose(v, [0.0, w.OMEGA * w.A, 0.0])  # 465.1 m/s eastward
    pos = rng.normal(size=(100, 3)) * 7e6
    vel = rng.normal(size=(100, 3)) * 1e3
    vi = w.earth_relative_to_inertial_velocity(pos, vel)
    np.testing.assert_allclose(vi, vel + np.cross([0.0, 0.0, w.OMEGA], pos), rtol=1e-15, atol=1e-9)
    np.testing.assert_allclose(w.inertial_to_earth_relative_velocity(pos, vi), vel, atol=1e-9)
    assert w.earth_relative_to_inertial_velocity(pos, [0.0, 0.0, 0.0]).shape == (100, 3)
