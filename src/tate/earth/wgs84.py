"""WGS-84 ellipsoid: constants, geodetic/ECEF/ENU/AER conversions, inertial velocity.

Modelled: the WGS-84 ellipsoid and its Earth-centred Earth-fixed (ECEF) frame (x through
lat 0 / lon 0, z through the north pole); local East-North-Up (ENU) and North-East-Down (NED)
frames and the azimuth-elevation-range (AER) form of ENU; Earth-relative vs inertial velocity.
Great circles and geodesics are in :mod:`tate.earth.geodesic`.
Units: SI and radians (lat, lon, az, el in rad; m; m/s).  Positions and vectors have shape
``(..., 3)`` (last axis x, y, z or e, n, u or n, e, d); all functions broadcast.

Sources:

* NIMA TR8350.2, *Department of Defense World Geodetic System 1984*, 3rd ed. (2000),
  Table 3.1 (defining a, 1/f, GM, omega, C20-bar), Tables 3.3-3.4 (derived constants).
* H. Vermeille, J. Geodesy 76 (2002) 451-454, closed-form geocentric-to-geodetic
  transformation, with the cancellation-free rearrangement of C. F. F. Karney, GeographicLib
  ``Geocentric`` (2011): :func:`ecef_to_geodetic`.
* B. R. Bowring, Survey Review 23 (1976) 323-327 and 28 (1985) 202-206: :func:`geodetic_altitude`.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "E2",
    "EP2",
    "GM",
    "J2",
    "OMEGA",
    "R_MEAN",
    "A",
    "B",
    "F",
    "aer_to_ecef",
    "aer_to_enu",
    "earth_relative_to_inertial_velocity",
    "ecef_to_aer",
    "ecef_to_enu",
    "ecef_to_geodetic",
    "ecef_vec_to_enu",
    "ecef_vec_to_ned",
    "enu_frame",
    "enu_matrix",
    "enu_to_aer",
    "enu_to_ecef",
    "enu_vec_to_ecef",
    "geodetic_altitude",
    "geodetic_altitude_rows",
    "geodetic_to_ecef",
    "inertial_to_earth_relative_velocity",
    "ned_vec_to_ecef",
]

FloatArray = NDArray[np.float64]

A: float = 6378137.0
"""Semi-major (equatorial) axis, m (TR8350.2 Table 3.1)."""
F: float = 1.0 / 298.257223563
"""Flattening (TR8350.2 Table 3.1)."""
B: float = A * (1.0 - F)
"""Semi-minor (polar) axis, m (6356752.3142...)."""
E2: float = F * (2.0 - F)
"""First eccentricity squared (0.00669437999014...)."""
EP2: float = E2 / (1.0 - E2)
"""Second eccentricity squared (0.00673949674228...)."""
OMEGA: float = 7.292115e-5
"""Nominal mean angular velocity of the Earth, rad/s (TR8350.2 Table 3.1)."""
GM: float = 3.986004418e14
"""Earth's gravitational constant, atmosphere included, m^3/s^2 (TR8350.2 Table 3.1)."""
J2: float = 1.08262982131e-3
"""Second-degree zonal coefficient, ``J2 = -sqrt(5) * C20bar``, dimensionless.

``C20bar = -0.484166774985e-3`` is the WGS-84 *defining* parameter (TR8350.2 Table 3.1), i.e.
the J2 of the ellipsoid's normal gravity field (equal to GRS 80's J2 = 1.08263e-3).  The
EGM2008 geopotential has ``C20bar = -0.484165143790815e-3``, 3.4 ppm smaller in magnitude.
"""
R_MEAN: float = 6371008.8
"""Mean radius (2a + b) / 3 of the ellipsoid, m; the sphere used by :func:`great_circle`."""

_E2M = 1.0 - E2  # (b / a)^2
_E4 = E2 * E2
_TWO_PI = 2.0 * np.pi
# geodetic_altitude constants (see there)
_ALT_R2 = _E2M  # (b / a)^2
_ALT_K1 = EP2 * B  # e'^2 b, m
_ALT_K2 = E2 * B**3 / A**2  # e^2 b^3 / a^2, m


def _f64(x: ArrayLike) -> FloatArray:
    return np.asarray(x, dtype=np.float64)


def _vec3(x: ArrayLike, name: str = "pos") -> FloatArray:
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim == 0 or arr.shape[-1] != 3:
        raise ValueError(f"{name} must have shape (..., 3), got {arr.shape}")
    return arr


def _stack3(x: FloatArray, y: FloatArray, z: FloatArray) -> FloatArray:
    out = np.empty((*np.broadcast_shapes(x.shape, y.shape, z.shape), 3), dtype=np.float64)
    out[..., 0] = x
    out[..., 1] = y
    out[..., 2] = z
    return out


def _wrap_2pi(angle: FloatArray) -> FloatArray:
    """Wrap to [0, 2 pi); ``mod`` maps -tiny to exactly 2 pi, which is folded to 0."""
    wrapped = np.mod(angle, _TWO_PI)
    return np.where(wrapped >= _TWO_PI, 0.0, wrapped)


# --- Geodetic <-> ECEF ----------------------------------------------------------------------------
def geodetic_to_ecef(lat: ArrayLike, lon: ArrayLike, alt: ArrayLike) -> FloatArray:
    """Geodetic coordinates to ECEF position.

    Parameters
    ----------
    lat, lon : array_like
        Geodetic latitude and longitude, rad.
    alt : array_like
        Height above the ellipsoid along its normal, m.  Broadcast with `lat`, `lon`.

    Returns
    -------
    NDArray[np.float64], shape (..., 3)
        ECEF position, m.
    """
    lat, lon, alt = _f64(lat), _f64(lon), _f64(alt)
    slat, clat = np.sin(lat), np.cos(lat)
    n = A / np.sqrt(1.0 - E2 * slat * slat)  # prime-vertical radius of curvature
    rxy = (n + alt) * clat
    return _stack3(rxy * np.cos(lon), rxy * np.sin(lon), (n * _E2M + alt) * slat)


def ecef_to_geodetic(pos: ArrayLike) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Exact ECEF position to geodetic coordinates (closed form, no iteration).

    Vermeille's (2002) closed-form root of the quartic for the foot of the normal, written as
    in Karney's GeographicLib (2011) to avoid cancellation near the poles, the equator and
    inside the evolute of the meridian ellipse (|rho|, |z| < ~43 km from the centre).  Exact
    to rounding everywhere, the centre included (lat = pi/2, alt = -B there).  Measured
    round-trip errors through :func:`geodetic_to_ecef` (poles, equator, 300,000 random
    points): height < 3e-8 m and latitude < 3e-15 rad for altitudes -6000 km..40,000 km.
    Cost 1.3-2.9 ms for 10,000 points (two ``arctan2`` and a ``cbrt`` dominate); use
    :func:`geodetic_altitude` (~0.12 ms) when only the height is needed.

    Parameters
    ----------
    pos : array_like, shape (..., 3)
        ECEF position, m.

    Returns
    -------
    lat : NDArray[np.float64], shape (...)
        Geodetic latitude in [-pi/2, pi/2], rad.
    lon : NDArray[np.float64], shape (...)
        Longitude in [-pi, pi], rad (0 on the polar axis).
    alt : NDArray[np.float64], shape (...)
        Height above the ellipsoid, m.
    """
    pos = _vec3(pos)
    x, y, z = pos[..., 0], pos[..., 1], pos[..., 2]
    rho = np.sqrt(x * x + y * y)
    lon = np.arctan2(y, x)
    p = (rho / A) ** 2
    q = _E2M * (z / A) ** 2
    r = (p + q - _E4) / 6.0
    s = _E4 * p * q / 4.0  # r^3 times Vermeille's s
    r2 = r * r
    r3 = r * r2
    disc = s * (2.0 * r3 + s)
    with np.errstate(divide="ignore", invalid="ignore"):
        # Outside the evolute (disc >= 0): real cube root, sign chosen to maximise |t3|.
        t3 = s + r3
        t3 = t3 + np.copysign(np.sqrt(np.maximum(disc, 0.0)), t3)
        t = np.cbrt(t3)
        u = r + t + np.where(t != 0.0, r2 / t, 0.0)
        inside = disc < 0.0
        if np.any(inside):  # inside the evolute (so r < 0): trigonometric root of the cubic
            ang = np.arctan2(np.sqrt(np.maximum(-disc, 0.0)), -(s + r3))
            u = np.where(inside, r + 2.0 * r * np.cos(ang / 3.0), u)
        v = np.sqrt(u * u + _E4 * q)
        uv = np.where(u < 0.0, _E4 * q / (v - u), u + v)  # u + v without cancellation
        w = np.maximum(0.0, E2 * (uv - q) / (2.0 * v))
        k = uv / (np.sqrt(uv + w * w) + w)
        k2 = k + E2
        lat = np.arctan2(z / k, rho / k2)
        d = k * rho / k2
        alt = (1.0 - _E2M / k) * np.sqrt(d * d + z * z)
        # Equatorial plane inside the evolute (z == 0, r <= 0): the limit k -> 0.
        special = (q == 0.0) & (r <= 0.0)
        if np.any(special):
            zz = np.sqrt(np.maximum(_E4 - p, 0.0) / _E2M)
            xx = np.sqrt(p)
            lat = np.where(special, np.copysign(np.arctan2(zz, xx), z), lat)
            alt = np.where(special, -A * _E2M * np.hypot(zz, xx) / E2, alt)
    return lat, lon, alt


# timeit, 10,000 points, preallocated out: 115-130 us per call (see docstring).
def geodetic_altitude(pos: ArrayLike, out: FloatArray | None = None) -> FloatArray:
    """Fast height above the ellipsoid: one Bowring step, 3 square roots, no trigonometry.

    The parametric latitude is guessed from ``tan(beta) = a z / (b p)`` (exact on the
    surface), improved by one step of Bowring (1976),
    ``tan(phi) = (z + e'^2 b sin^3 beta) / (p - e^2 a cos^3 beta)``, and the height taken from
    Bowring (1985), ``h = p cos(phi) + z sin(phi) - a sqrt(1 - e^2 sin^2 phi)``, which is
    stationary in the latitude error (that error enters only to second order).  Because the
    height is homogeneous of degree 0 in the (sin, cos) pair, the unnormalised pair
    ``(z S, p C)`` is used: ``S = m^3 + e'^2 b z^2``, ``C = m^3 - e^2 b^3 p^2 / a^2``,
    ``m^2 = z^2 + (b/a)^2 p^2`` (no division until the last step).

    Accuracy against :func:`ecef_to_geodetic` (200,000 random points incl. poles and
    equator): max error 4e-9 m for heights -10 km..2000 km (requirement < 1 mm), 3e-8 m up
    to 40,000 km.  Undefined at the Earth's centre.

    Timing (``timeit``, min of repeats, 10,000 points, `pos` (10000, 3) C-contiguous,
    preallocated `out`, numpy 2.4, shared 2-core development VM): 115-130 us per call,
    depending on machine load (a version with a reciprocal: 135-165 us; one ``np.sqrt`` of
    10,000 values: 15-20 us; :func:`ecef_to_geodetic`: 1.3-2.9 ms).  Four (n,) work arrays
    are allocated, nothing else.

    Parameters
    ----------
    pos : array_like, shape (..., 3)
        ECEF position, m.
    out : NDArray[np.float64], shape (...), optional
        Array to write the result into.

    Returns
    -------
    NDArray[np.float64], shape (...)
        Height above the ellipsoid, m (`out` if given).
    """
    pos = _vec3(pos)
    shape = pos.shape[:-1]
    if out is None:
        out = np.empty(shape, dtype=np.float64)
    elif out.shape != shape:
        raise ValueError(f"out must have shape {shape}, got {out.shape}")
    x, y, z = pos[..., 0], pos[..., 1], pos[..., 2]
    p2 = np.empty(shape)
    z2 = np.empty(shape)
    t = np.empty(shape)
    c = np.empty(shape)
    np.multiply(x, x, out=p2)
    np.multiply(y, y, out=t)
    p2 += t  # p^2
    np.multiply(z, z, out=z2)  # z^2
    return _altitude_from_squares(p2, z2, t, c, out)


def _altitude_from_squares(p2: FloatArray, z2: FloatArray, t: FloatArray, c: FloatArray,
                           out: FloatArray) -> FloatArray:
    """The height above the ellipsoid from p² = x² + y² and z² (both overwritten), with
    ``t`` and ``c`` as scratch, into ``out`` (the closed form of :func:`geodetic_altitude`)."""
    np.multiply(p2, _ALT_R2, out=t)
    t += z2  # m^2
    np.sqrt(t, out=out)  # out is scratch until the end
    t *= out  # m^3
    np.multiply(p2, -_ALT_K2, out=c)
    c += t  # C
    np.multiply(z2, _ALT_K1, out=out)
    t += out  # S
    p2 *= c  # p cos(phi) (unnormalised)
    z2 *= t  # z sin(phi)
    c *= p2  # cos^2
    t *= z2  # sin^2
    np.add(p2, z2, out=out)  # p cos + z sin
    np.multiply(t, _E2M, out=p2)
    p2 += c
    np.sqrt(p2, out=p2)
    p2 *= A  # a sqrt(cos^2 + (1 - e^2) sin^2)
    out -= p2
    t += c
    np.sqrt(t, out=t)  # |(sin, cos)|
    out /= t
    return out


def geodetic_altitude_rows(pos: FloatArray, out: FloatArray) -> FloatArray:
    """:func:`geodetic_altitude` for a components-first ``(3, n)`` array, without the checks.

    The same element operations in the same order (bit-identical results) on contiguous
    rows: the integrator's kernel, where the call overhead of the general function
    outweighs the arithmetic for the tens of bodies of a scenario.

    Parameters
    ----------
    pos : NDArray[np.float64], shape (3, n)
        ECEF position, m, one column per body.
    out : NDArray[np.float64], shape (n,)
        Array that receives the height above the ellipsoid, m.

    Returns
    -------
    NDArray[np.float64], shape (n,)
        `out`.
    """
    sq = np.multiply(pos, pos)
    p2, t, z2 = sq[0], sq[1], sq[2]
    p2 += t  # p^2
    return _altitude_from_squares(p2, z2, t, np.empty_like(p2), out)


# --- Local frames: ENU, NED, AER ------------------------------------------------------------------
def enu_matrix(lat: ArrayLike, lon: ArrayLike) -> FloatArray:
    """Rotation matrix from ECEF axes to the local East-North-Up axes at (lat, lon).

    Parameters
    ----------
    lat, lon : array_like
        Geodetic latitude and longitude, rad.

    Returns
    -------
    NDArray[np.float64], shape (..., 3, 3)
        Rows: east, north, up unit vectors in ECEF; ``enu = M @ v_ecef``, ``v_ecef = M.T @ enu``.
    """
    lat, lon = _f64(lat), _f64(lon)
    sl, cl, so, co = np.sin(lat), np.cos(lat), np.sin(lon), np.cos(lon)
    m = np.zeros((*np.broadcast_shapes(lat.shape, lon.shape), 3, 3), dtype=np.float64)
    m[..., 0, 0] = -so
    m[..., 0, 1] = co
    m[..., 1, 0] = -sl * co
    m[..., 1, 1] = -sl * so
    m[..., 1, 2] = cl
    m[..., 2, 0] = cl * co
    m[..., 2, 1] = cl * so
    m[..., 2, 2] = sl
    return m


def ecef_vec_to_enu(vec: ArrayLike, lat: ArrayLike, lon: ArrayLike) -> FloatArray:
    """Rotate (no translation) an ECEF vector into the ENU axes at (lat, lon).

    Parameters
    ----------
    vec : array_like, shape (..., 3)
        Vector in ECEF axes, any unit.
    lat, lon : array_like
        Geodetic latitude and longitude of the local frame, rad.

    Returns
    -------
    NDArray[np.float64], shape (..., 3)
        (east, north, up) components, unit of `vec`.
    """
    vec = _vec3(vec, "vec")
    lat, lon = _f64(lat), _f64(lon)
    sl, cl, so, co = np.sin(lat), np.cos(lat), np.sin(lon), np.cos(lon)
    x, y, z = vec[..., 0], vec[..., 1], vec[..., 2]
    t = co * x + so * y
    return _stack3(co * y - so * x, cl * z - sl * t, cl * t + sl * z)


def enu_vec_to_ecef(enu: ArrayLike, lat: ArrayLike, lon: ArrayLike) -> FloatArray:
    """Rotate an ENU vector at (lat, lon) into ECEF axes (inverse of :func:`ecef_vec_to_enu`).

    Parameters
    ----------
    enu : array_like, shape (..., 3)
        (east, north, up) components, any unit.
    lat, lon : array_like
        Geodetic latitude and longitude of the local frame, rad.

    Returns
    -------
    NDArray[np.float64], shape (..., 3)
        Vector in ECEF axes, unit of `enu`.
    """
    enu = _vec3(enu, "enu")
    lat, lon = _f64(lat), _f64(lon)
    sl, cl, so, co = np.sin(lat), np.cos(lat), np.sin(lon), np.cos(lon)
    e, n, u = enu[..., 0], enu[..., 1], enu[..., 2]
    t = cl * u - sl * n
    return _stack3(co * t - so * e, so * t + co * e, cl * n + sl * u)


def ecef_vec_to_ned(vec: ArrayLike, lat: ArrayLike, lon: ArrayLike) -> FloatArray:
    """Rotate an ECEF vector into the North-East-Down axes at (lat, lon).

    Parameters
    ----------
    vec : array_like, shape (..., 3)
        Vector in ECEF axes, any unit.
    lat, lon : array_like
        Geodetic latitude and longitude of the local frame, rad.

    Returns
    -------
    NDArray[np.float64], shape (..., 3)
        (north, east, down) components, unit of `vec`.
    """
    enu = ecef_vec_to_enu(vec, lat, lon)
    return _stack3(enu[..., 1], enu[..., 0], -enu[..., 2])


def ned_vec_to_ecef(ned: ArrayLike, lat: ArrayLike, lon: ArrayLike) -> FloatArray:
    """Rotate a (north, east, down) vector, shape (..., 3), at (lat, lon) [rad] into ECEF axes.

    Returns
    -------
    NDArray[np.float64], shape (..., 3)
        Vector in ECEF axes, unit of `ned`.
    """
    ned = _vec3(ned, "ned")
    return enu_vec_to_ecef(_stack3(ned[..., 1], ned[..., 0], -ned[..., 2]), lat, lon)


def ecef_to_enu(pos: ArrayLike, lat0: ArrayLike, lon0: ArrayLike, alt0: ArrayLike) -> FloatArray:
    """ECEF position to ENU coordinates about the geodetic origin (lat0, lon0, alt0).

    Parameters
    ----------
    pos : array_like, shape (..., 3)
        ECEF position, m.
    lat0, lon0, alt0 : array_like
        Origin: geodetic latitude and longitude (rad) and height (m).

    Returns
    -------
    NDArray[np.float64], shape (..., 3)
        (east, north, up) of `pos` relative to the origin, m.
    """
    pos = _vec3(pos)
    return ecef_vec_to_enu(pos - geodetic_to_ecef(lat0, lon0, alt0), lat0, lon0)


def enu_to_ecef(enu: ArrayLike, lat0: ArrayLike, lon0: ArrayLike, alt0: ArrayLike) -> FloatArray:
    """ENU coordinates about the geodetic origin (lat0, lon0, alt0) to ECEF position.

    Parameters
    ----------
    enu : array_like, shape (..., 3)
        (east, north, up) relative to the origin, m.
    lat0, lon0, alt0 : array_like
        Origin: geodetic latitude and longitude (rad) and height (m).

    Returns
    -------
    NDArray[np.float64], shape (..., 3)
        ECEF position, m.
    """
    return enu_vec_to_ecef(enu, lat0, lon0) + geodetic_to_ecef(lat0, lon0, alt0)


def enu_frame(lat0: ArrayLike, lon0: ArrayLike, alt0: ArrayLike) -> FloatArray:
    """The constants of :func:`ecef_to_enu` and :func:`enu_to_ecef` about one origin.

    For scalar or compiled conversions that repeat those functions' arithmetic: the
    values are computed with the same numpy calls, so the products and sums built from
    them are the same.

    Returns
    -------
    NDArray[np.float64], shape (7,)
        The origin's ECEF position (m, 3 values), then sin and cos of ``lat0``, sin and
        cos of ``lon0``.
    """
    lat, lon = _f64(lat0), _f64(lon0)
    o = geodetic_to_ecef(lat0, lon0, alt0)
    return np.array([o[0], o[1], o[2], np.sin(lat), np.cos(lat), np.sin(lon), np.cos(lon)],
                    dtype=np.float64)


def enu_to_aer(enu: ArrayLike) -> tuple[FloatArray, FloatArray, FloatArray]:
    """ENU coordinates to azimuth, elevation and slant range.

    Parameters
    ----------
    enu : array_like, shape (..., 3)
        (east, north, up), m.

    Returns
    -------
    az : NDArray[np.float64], shape (...)
        Azimuth clockwise from north in [0, 2 pi), rad (0 straight up/down).
    el : NDArray[np.float64], shape (...)
        Elevation above the local horizontal in [-pi/2, pi/2], rad.
    rng : NDArray[np.float64], shape (...)
        Slant range, m.
    """
    enu = _vec3(enu, "enu")
    e, n, u = enu[..., 0], enu[..., 1], enu[..., 2]
    horiz = np.hypot(e, n)
    return _wrap_2pi(np.arctan2(e, n)), np.arctan2(u, horiz), np.hypot(horiz, u)


def aer_to_enu(az: ArrayLike, el: ArrayLike, rng: ArrayLike) -> FloatArray:
    """Azimuth, elevation and slant range to ENU coordinates.

    Parameters
    ----------
    az, el : array_like
        Azimuth clockwise from north and elevation, rad.
    rng : array_like
        Slant range, m.

    Returns
    -------
    NDArray[np.float64], shape (..., 3)
        (east, north, up), m.
    """
    az, el, rng = _f64(az), _f64(el), _f64(rng)
    horiz = rng * np.cos(el)
    return _stack3(horiz * np.sin(az), horiz * np.cos(az), rng * np.sin(el))


def ecef_to_aer(
    pos: ArrayLike, lat0: ArrayLike, lon0: ArrayLike, alt0: ArrayLike
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """ECEF position (..., 3) [m] to (az, el, rng) from the observer (lat0, lon0, alt0).

    Composition of :func:`ecef_to_enu` (lat0, lon0 in rad, alt0 in m) and :func:`enu_to_aer`
    (az clockwise from north in [0, 2 pi) and el in rad, rng in m; shapes (...)).
    """
    return enu_to_aer(ecef_to_enu(pos, lat0, lon0, alt0))


def aer_to_ecef(
    az: ArrayLike, el: ArrayLike, rng: ArrayLike, lat0: ArrayLike, lon0: ArrayLike, alt0: ArrayLike
) -> FloatArray:
    """(az, el [rad], rng [m]) from the observer (lat0, lon0 [rad], alt0 [m]) to ECEF.

    Composition of :func:`aer_to_enu` and :func:`enu_to_ecef`; returns the ECEF position,
    shape (..., 3), m.
    """
    return enu_to_ecef(aer_to_enu(az, el, rng), lat0, lon0, alt0)


# --- Earth-relative <-> inertial velocity ---------------------------------------------------------
def earth_relative_to_inertial_velocity(pos: ArrayLike, vel_rel: ArrayLike) -> FloatArray:
    """Earth-relative to inertial velocity, both in ECEF axes: ``v_rel + OMEGA x r``.

    Parameters
    ----------
    pos : array_like, shape (..., 3)
        ECEF position, m.
    vel_rel : array_like, shape (..., 3)
        Velocity relative to the rotating Earth, ECEF axes, m/s.

    Returns
    -------
    NDArray[np.float64], shape (..., 3)
        Inertial velocity expressed in the instantaneous ECEF axes, m/s.
    """
    return _add_omega_cross_r(pos, vel_rel, OMEGA)


def inertial_to_earth_relative_velocity(pos: ArrayLike, vel_inertial: ArrayLike) -> FloatArray:
    """Inertial to Earth-relative velocity, both in ECEF axes: ``v_inertial - OMEGA x r``.

    Parameters
    ----------
    pos : array_like, shape (..., 3)
        ECEF position, m.
    vel_inertial : array_like, shape (..., 3)
        Inertial velocity expressed in the instantaneous ECEF axes, m/s.

    Returns
    -------
    NDArray[np.float64], shape (..., 3)
        Velocity relative to the rotating Earth, ECEF axes, m/s.
    """
    return _add_omega_cross_r(pos, vel_inertial, -OMEGA)


def _add_omega_cross_r(pos: ArrayLike, vel: ArrayLike, omega: float) -> FloatArray:
    """``vel + (0, 0, omega) x pos`` (broadcast; a new array)."""
    pos = _vec3(pos)
    vel = _vec3(vel, "vel")
    v = np.array(np.broadcast_to(vel, np.broadcast_shapes(pos.shape, vel.shape)))
    v[..., 0] -= omega * pos[..., 1]
    v[..., 1] += omega * pos[..., 0]
    return v
