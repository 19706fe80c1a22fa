"""Great circles on the mean sphere and geodesics on the WGS-84 ellipsoid.

Units: radians and metres; all functions broadcast.

Sources:

* Haversine great-circle distance and initial course, and the destination point on a
  sphere of radius :data:`tate.earth.wgs84.R_MEAN`.
* T. Vincenty, Survey Review 23 (1975) 88-93, inverse geodesic: :func:`vincenty_inverse`.
* Geoscience Australia, *GDA Technical Manual*, Vincenty worked example Flinders Peak -
  Buninyong (tests).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from tate.earth.wgs84 import EP2, R_MEAN, B, F, FloatArray, _f64, _wrap_2pi

__all__ = ["destination", "great_circle", "vincenty_inverse"]


# --- Great circle on the mean sphere --------------------------------------------------------------
def great_circle(
    lat1: ArrayLike, lon1: ArrayLike, lat2: ArrayLike, lon2: ArrayLike
) -> tuple[FloatArray, FloatArray]:
    """Haversine distance and initial azimuth on the sphere of radius :data:`R_MEAN`.

    Geodetic latitudes are used as spherical ones (spherical-Earth approximation: distance
    errors up to ~0.5 % against the ellipsoidal geodesic, see :func:`vincenty_inverse`).

    Parameters
    ----------
    lat1, lon1, lat2, lon2 : array_like
        Start and end points, rad.

    Returns
    -------
    distance : NDArray[np.float64], shape (...)
        Arc length, m.
    azimuth : NDArray[np.float64], shape (...)
        Initial azimuth at the start, clockwise from north in [0, 2 pi), rad (0 if coincident).
    """
    lat1, lon1, lat2, lon2 = _f64(lat1), _f64(lon1), _f64(lat2), _f64(lon2)
    dlon = lon2 - lon1
    c1, c2 = np.cos(lat1), np.cos(lat2)
    s_dlat = np.sin(0.5 * (lat2 - lat1))
    s_dlon = np.sin(0.5 * dlon)
    hav = np.clip(s_dlat * s_dlat + c1 * c2 * s_dlon * s_dlon, 0.0, 1.0)
    dist = 2.0 * R_MEAN * np.arcsin(np.sqrt(hav))
    az = np.arctan2(np.sin(dlon) * c2, c1 * np.sin(lat2) - np.sin(lat1) * c2 * np.cos(dlon))
    return dist, _wrap_2pi(az)


def destination(
    lat: ArrayLike, lon: ArrayLike, azimuth: ArrayLike, distance_m: ArrayLike
) -> tuple[FloatArray, FloatArray]:
    """End point of a great-circle arc on the sphere of radius :data:`R_MEAN`.

    Parameters
    ----------
    lat, lon : array_like
        Start point, rad.
    azimuth : array_like
        Initial azimuth clockwise from north, rad.
    distance_m : array_like
        Arc length, m.

    Returns
    -------
    lat2 : NDArray[np.float64], shape (...)
        Latitude of the end point, rad.
    lon2 : NDArray[np.float64], shape (...)
        Longitude of the end point, wrapped to [-pi, pi), rad.
    """
    lat, lon, azimuth = _f64(lat), _f64(lon), _f64(azimuth)
    delta = _f64(distance_m) / R_MEAN
    sl, cl, sd, cd = np.sin(lat), np.cos(lat), np.sin(delta), np.cos(delta)
    slat2 = np.clip(sl * cd + cl * sd * np.cos(azimuth), -1.0, 1.0)
    lon2 = lon + np.arctan2(np.sin(azimuth) * sd * cl, cd - sl * slat2)
    return np.arcsin(slat2), _wrap_2pi(lon2 + np.pi) - np.pi


# --- Geodesic on the ellipsoid (Vincenty 1975) ----------------------------------------------------
def _vincenty_terms(
    lam: FloatArray, su1: FloatArray, cu1: FloatArray, su2: FloatArray, cu2: FloatArray
) -> tuple[FloatArray, ...]:
    """Auxiliary-sphere quantities of Vincenty (1975) eqs. (14)-(17) for a trial lambda."""
    # |lambda| = pi exactly means a meridional geodesic over a pole: use the exact sin = 0
    # (np.sin(pi) = 1.2e-16 would make sin(alpha) = 0/0 and invent an equatorial solution).
    at_pi = np.abs(lam) >= np.pi
    sin_lam = np.where(at_pi, 0.0, np.sin(lam))
    cos_lam = np.where(at_pi, -1.0, np.cos(lam))
    sin_sigma = np.hypot(cu2 * sin_lam, cu1 * su2 - su1 * cu2 * cos_lam)
    cos_sigma = su1 * su2 + cu1 * cu2 * cos_lam
    sigma = np.arctan2(sin_sigma, cos_sigma)
    nonzero = sin_sigma > 0.0
    sin_alpha = np.where(nonzero, cu1 * cu2 * sin_lam / np.where(nonzero, sin_sigma, 1.0), 0.0)
    cos2_alpha = 1.0 - sin_alpha * sin_alpha
    eq = cos2_alpha > 0.0  # cos^2(alpha) == 0 only on the equator, where cos(2 sigma_m) := 0
    cos_2sm = np.where(eq, cos_sigma - 2.0 * su1 * su2 / np.where(eq, cos2_alpha, 1.0), 0.0)
    c = F / 16.0 * cos2_alpha * (4.0 + F * (4.0 - 3.0 * cos2_alpha))
    lam_new = (
        (1.0 - c)
        * F
        * sin_alpha
        * (sigma + c * sin_sigma * (cos_2sm + c * cos_sigma * (-1.0 + 2.0 * cos_2sm * cos_2sm)))
    )  # lambda - L, eq. (11)
    return lam_new, sin_sigma, cos_sigma, sigma, cos2_alpha, cos_2sm


def vincenty_inverse(
    lat1: ArrayLike,
    lon1: ArrayLike,
    lat2: ArrayLike,
    lon2: ArrayLike,
    *,
    max_iter: int = 100,
    tol: float = 1e-12,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Geodesic distance and azimuths on the WGS-84 ellipsoid (Vincenty 1975 inverse method).

    All pairs iterate together on the auxiliary-sphere longitude difference lambda
    (``lambda <- L + d(lambda)``) for at most `max_iter` iterations, stopping when every
    pair has converged to `tol` rad (1e-12 rad ~ 0.006 mm); accuracy then is ~0.1 mm.
    Coincident points give distance 0 and azimuths 0.

    Nearly antipodal points are Vincenty's known weakness: the fixed-point iteration converges
    slowly or not at all.  Pairs still unconverged after `max_iter` never raise: their lambda
    is found by 64 bisections of ``L + d(lambda) - lambda`` on ``[L, sign(L) pi]`` (the
    residual has the sign of L at L and equals L - sign(L) pi at the other end).  This
    reproduces Karney's reference distances 19,936,288.579 m for (0, 0)-(0.5 deg, 179.5 deg)
    and 19,944,127.421 m for (0, 0)-(0.5 deg, 179.7 deg) to < 1 mm (tests).  L = +-pi
    exactly gives the meridional geodesic over the nearer pole (exact antipodes: the half
    meridian, 20,003,931.459 m).  Not guaranteed: where several geodesics exist the root
    found might not be the shortest one, and azimuths of nearly antipodal pairs are
    ill-conditioned.  Use a Newton-based solver (Karney 2013) if that geometry matters.

    Parameters
    ----------
    lat1, lon1, lat2, lon2 : array_like
        Geodetic latitude and longitude of the first and second point, rad.
    max_iter : int, optional
        Maximum number of fixed-point iterations before the bisection fallback.
    tol : float, optional
        Convergence tolerance on lambda, rad.

    Returns
    -------
    distance : NDArray[np.float64], shape (...)
        Length of the geodesic, m.
    az1 : NDArray[np.float64], shape (...)
        Forward azimuth at the first point towards the second, in [0, 2*pi), rad.
    az2 : NDArray[np.float64], shape (...)
        Reverse azimuth: azimuth at the second point towards the first, in [0, 2*pi), rad
        (Geoscience Australia's convention; the geodesic's own heading there is az2 - pi).
    """
    bcast = np.broadcast_arrays(_f64(lat1), _f64(lon1), _f64(lat2), _f64(lon2))
    shape = bcast[0].shape
    lat1, lon1, lat2, lon2 = (np.ravel(x) for x in bcast)  # 1-d work arrays, reshaped at the end
    u1 = np.arctan2((1.0 - F) * np.sin(lat1), np.cos(lat1))  # reduced latitudes
    u2 = np.arctan2((1.0 - F) * np.sin(lat2), np.cos(lat2))
    su1, cu1, su2, cu2 = np.sin(u1), np.cos(u1), np.sin(u2), np.cos(u2)
    big_l = np.mod(lon2 - lon1 + np.pi, 2.0 * np.pi) - np.pi
    lam = big_l.copy()
    step = np.full(big_l.shape, np.inf)
    for _ in range(max_iter):
        lam_new = np.clip(big_l + _vincenty_terms(lam, su1, cu1, su2, cu2)[0], -np.pi, np.pi)
        step = np.abs(lam_new - lam)
        lam = lam_new
        if np.all(step <= tol):
            break
    bad = step > tol
    if np.any(bad):  # bisection fallback for nearly antipodal pairs
        l_bad = big_l[bad]
        lo, hi = l_bad, np.copysign(np.pi, l_bad)
        args = (su1[bad], cu1[bad], su2[bad], cu2[bad])
        for _ in range(64):
            mid = 0.5 * (lo + hi)
            resid = l_bad + _vincenty_terms(mid, *args)[0] - mid
            toward_hi = (resid > 0.0) == (hi > 0.0)  # residual keeps the sign of L below the root
            lo = np.where(toward_hi, mid, lo)
            hi = np.where(toward_hi, hi, mid)
        lam[bad] = 0.5 * (lo + hi)

    _, sin_sigma, cos_sigma, sigma, cos2_alpha, cos_2sm = _vincenty_terms(lam, su1, cu1, su2, cu2)
    usq = cos2_alpha * EP2
    big_a = 1.0 + usq / 16384.0 * (4096.0 + usq * (-768.0 + usq * (320.0 - 175.0 * usq)))
    big_b = usq / 1024.0 * (256.0 + usq * (-128.0 + usq * (74.0 - 47.0 * usq)))
    c2sm2 = cos_2sm * cos_2sm
    inner = cos_sigma * (-1.0 + 2.0 * c2sm2) - big_b / 6.0 * cos_2sm * (
        -3.0 + 4.0 * sin_sigma * sin_sigma
    ) * (-3.0 + 4.0 * c2sm2)
    d_sigma = big_b * sin_sigma * (cos_2sm + big_b / 4.0 * inner)
    dist = B * big_a * (sigma - d_sigma)
    sin_lam, cos_lam = np.sin(lam), np.cos(lam)
    az1 = np.arctan2(cu2 * sin_lam, cu1 * su2 - su1 * cu2 * cos_lam)
    az2 = np.arctan2(cu1 * sin_lam, cu1 * su2 * cos_lam - su1 * cu2) + np.pi
    az2 = np.where(sin_sigma == 0.0, 0.0, az2)
    return dist.reshape(shape), _wrap_2pi(az1).reshape(shape), _wrap_2pi(az2).reshape(shape)


