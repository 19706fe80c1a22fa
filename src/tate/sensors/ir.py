"""Infrared (angle-only) sensors: signal, detection, generic signatures and Earth blockage.

What it models
--------------
* **Signal**: a point source of in-band radiant intensity I [W/sr] at range R gives the
  irradiance E = τ·I / R² at the aperture; the sensor's noise-equivalent irradiance (NEI)
  turns it into SNR = E / NEI (e.g. Holst, *Electro-Optical Imaging System Performance*;
  Hudson, *Infrared System Engineering*, 1969).
* **Detection** of a steady point source in one frame with additive Gaussian noise and a
  fixed threshold: P_fa = Q(t), P_d = Q(t − SNR), Q the standard normal survival function.
* **Generic signatures** (:func:`radiant_intensity_w_sr`), order of magnitude only:
  a rocket plume while boosting (3e5 W/sr in the mid-wave band, the middle of the
  1e5–1e6 W/sr quoted in open discussions of early-warning satellites); small air-breathing
  engines (tens to hundreds of W/sr, round assumptions); and aerodynamic heating of the
  skin, the glider's signature.  The skin model: the cold-wall stagnation-point heat flux
  of Sutton & Graves (NASA TR R-376, 1971), q = k·√(ρ/R_n)·V³, k = 1.7415e-4 (SI), on the
  nose cap, a fixed fraction (5 %) of it on the body (laminar heating falls off behind
  the nose), each wall at radiative equilibrium, εσ(T⁴ − T_bg⁴) = h·(T_r − T), with the
  heat-transfer coefficient h = q/(V²/2)·c_p implied by that cold-wall flux and
  T_r = T_air·(1 + r·(γ−1)/2·M²) the recovery temperature (r = 0.89), US76 air
  (:mod:`tate.earth.atmosphere`).  The in-band exitance above an
  Earth background (280 K) over the projected area, divided by π (Lambertian), is the
  intensity.  So a glider brightens with V³ and √ρ: at Mach 8 and 40 km it is ~1e4 W/sr,
  some 30 times dimmer than a boosting rocket, as open analyses of space-based tracking
  of gliders argue (Tracy & Wright, Science & Global Security 28(3), 2020); a cold
  re-entry vehicle above the atmosphere, a cruise missile or a drone are near zero from
  space.  No classified or measured signature is used.
* **Earth blockage** (:func:`earth_limb_visible`): whether the line of sight clears the
  WGS-84 ellipsoid raised by a grazing altitude.

Units: SI; wavelengths in metres, temperatures in kelvin, positions ECEF [m].
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.stats import norm

from tate.earth.atmosphere import density_and_sound_speed
from tate.earth.wgs84 import A as WGS84_A
from tate.earth.wgs84 import B as WGS84_B
from tate.sensors.rcs import THREAT_KINDS

__all__ = [
    "MWIR_BAND_M",
    "PHASES",
    "STEFAN_BOLTZMANN",
    "IRSpec",
    "band_exitance_w_m2",
    "band_fraction",
    "earth_limb_visible",
    "ir_pd",
    "ir_snr",
    "irradiance_w_m2",
    "radiant_intensity_w_sr",
    "skin_temperature_k",
]

F64 = NDArray[np.float64]
STEFAN_BOLTZMANN = 5.670374419e-8  #: [W/(m² K⁴)] (CODATA 2018, exact from SI 2019)
_C2 = 1.438776877e-2  # second radiation constant hc/k [m K] (CODATA 2018)
MWIR_BAND_M = (3.0e-6, 5.0e-6)  #: default sensor band, mid-wave infrared [m]
PHASES = ("boost", "midcourse", "glide", "terminal", "cruise")
_SUTTON_GRAVES_K = 1.7415e-4  # Earth air, SI: q [W/m²] = k sqrt(rho [kg/m³] / Rn [m]) V³
_BODY_HEATING_FRACTION = 0.05
_RECOVERY_FACTOR = 0.89
_GAMMA = 1.4
_R_AIR = 287.053  # specific gas constant of air, R*/M0 [J/(kg K)] (US76 constants)
_BACKGROUND_K = 280.0


@dataclass(frozen=True)
class IRSpec:
    """An infrared search-and-track or early-warning sensor (angle-only).

    Attributes
    ----------
    name
        Label.
    alt_m
        Orbit or flight altitude [m]; 0 means the altitude of the carrying platform.
    nei_w_m2
        Noise-equivalent irradiance in the sensor band [W/m²] (SNR = 1 in one frame).
    angle_std_rad
        Standard deviation of each line-of-sight angle [rad].
    frame_s
        Frame (revisit) time [s].
    pfa
        False-alarm probability per pixel and frame.
    min_radiant_intensity_w_sr
        Sources dimmer than this are never declared (clutter/processing floor) [W/sr].
    """

    name: str
    alt_m: float
    nei_w_m2: float
    angle_std_rad: float
    frame_s: float
    pfa: float = 1e-6
    min_radiant_intensity_w_sr: float = 0.0

    def __post_init__(self) -> None:
        for key in ("nei_w_m2", "angle_std_rad", "frame_s"):
            if not getattr(self, key) > 0:
                raise ValueError(f"{self.name}: {key} must be > 0, got {getattr(self, key)}")
        if self.alt_m < 0 or self.min_radiant_intensity_w_sr < 0:
            raise ValueError(f"{self.name}: alt_m and min_radiant_intensity_w_sr must be >= 0")
        if not 0.0 < self.pfa < 1.0:
            raise ValueError(f"{self.name}: pfa must be in (0, 1), got {self.pfa}")


@dataclass(frozen=True)
class _Signature:
    nose_radius_m: float
    area_m2: float  # projected (side) area
    emissivity: float
    plume_w_sr: float  # while boosting
    engine_w_sr: float  # air-breathing engine, any phase


#: Generic geometry and source terms per threat kind (assumptions; docs/sensors.md).
SIGNATURES: Mapping[str, _Signature] = MappingProxyType({
    "ballistic-rv": _Signature(0.05, 1.0, 0.8, 3.0e5, 0.0),
    "booster": _Signature(0.5, 15.0, 0.8, 3.0e5, 0.0),
    "glider": _Signature(0.034, 3.0, 0.85, 3.0e5, 0.0),
    "cruise": _Signature(0.1, 2.0, 0.9, 1.0e4, 50.0),
    "drone": _Signature(0.05, 0.3, 0.9, 0.0, 5.0),
    "aircraft": _Signature(0.3, 30.0, 0.9, 0.0, 500.0),
    "debris": _Signature(0.1, 0.5, 0.8, 0.0, 0.0),
})


def irradiance_w_m2(intensity_w_sr: ArrayLike, range_m: ArrayLike,
                    transmittance: ArrayLike = 1.0) -> F64:
    """Irradiance [W/m²] of a point source: τ·I / R² (intensity [W/sr], range [m] > 0)."""
    r = np.asarray(range_m, dtype=float)
    if np.any(r <= 0):
        raise ValueError("range_m must be > 0")
    return np.asarray(np.asarray(transmittance, float) * np.asarray(intensity_w_sr, float)
                      / (r * r), dtype=float)


def ir_snr(spec: IRSpec, intensity_w_sr: ArrayLike, range_m: ArrayLike,
           transmittance: ArrayLike = 1.0) -> F64:
    """Single-frame SNR [-] (linear): irradiance / NEI, and 0 for sources dimmer than
    ``spec.min_radiant_intensity_w_sr``."""
    i = np.asarray(intensity_w_sr, dtype=float)
    snr = irradiance_w_m2(i, range_m, transmittance) / spec.nei_w_m2
    return np.asarray(np.where(i >= spec.min_radiant_intensity_w_sr, snr, 0.0), dtype=float)


def ir_pd(spec: IRSpec, snr: ArrayLike) -> F64:
    """Single-frame detection probability Q(Q⁻¹(P_fa) − SNR) of a steady point source in
    Gaussian noise (SNR linear, in units of the noise standard deviation)."""
    return np.asarray(norm.sf(norm.isf(spec.pfa) - np.asarray(snr, dtype=float)), dtype=float)


def band_fraction(temp_k: ArrayLike, lo_m: float, hi_m: float) -> F64:
    """Fraction [-] of blackbody exitance σT⁴ between wavelengths ``lo_m`` and ``hi_m`` [m].

    Uses the series F(0→λ) = (15/π⁴) Σₙ e^(−nx)/n · (x³ + 3x²/n + 6x/n² + 6/n³), x = c₂/(λT)
    (Widger & Woodall, Bull. Am. Meteorol. Soc. 57(10), 1976), summed until e^(−nx) < 1e-13
    (at most 200 terms: error < 1e-10 for λT < 0.14 m·K).  T = 0 gives 0.
    """
    if not 0.0 <= lo_m < hi_m:
        raise ValueError(f"need 0 <= lo_m < hi_m, got {lo_m}, {hi_m}")
    t = np.asarray(temp_k, dtype=float)
    if np.any(t < 0):
        raise ValueError("temperature must be >= 0 K")
    return np.asarray(_cumulative_fraction(hi_m, t) - _cumulative_fraction(lo_m, t))


def _cumulative_fraction(lam: float, t: F64) -> F64:
    if lam == 0.0:
        return np.zeros(t.shape)
    with np.errstate(divide="ignore"):
        x = np.minimum(_C2 / (lam * t), 700.0)
    # terms until e^(-n x) < 1e-13 at the smallest x (at most 200)
    smallest = float(x.min()) if x.size else 1.0
    n = np.arange(1.0, min(200, max(8, int(np.ceil(30.0 / max(smallest, 0.15))))) + 1.0)
    xn = x[..., None]
    terms = np.exp(-n * xn) / n * (xn**3 + 3.0 * xn**2 / n + 6.0 * xn / n**2 + 6.0 / n**3)
    return np.asarray(15.0 / np.pi**4 * terms.sum(axis=-1))


def band_exitance_w_m2(temp_k: ArrayLike, band_m: tuple[float, float] = MWIR_BAND_M) -> F64:
    """Blackbody radiant exitance [W/m²] within ``band_m`` at temperature ``temp_k`` [K]."""
    t = np.asarray(temp_k, dtype=float)
    return np.asarray(STEFAN_BOLTZMANN * t**4 * band_fraction(t, *band_m))


def skin_temperature_k(speed_mps: ArrayLike, alt_m: ArrayLike, nose_radius_m: float,
                       emissivity: float, heating_fraction: float = 1.0,
                       sink_k: float = _BACKGROUND_K) -> F64:
    """Radiative-equilibrium wall temperature [K] under aerodynamic heating.

    Solves εσ(T⁴ − T_s⁴) = f·h·(T_r − T) for T between T_s and T_r by bisection, with
    h = 2k·√(ρ/R_n)·V·c_p the heat-transfer coefficient implied by the Sutton–Graves
    cold-wall flux k·√(ρ/R_n)·V³ over the enthalpy difference V²/2 (nose radius
    ``nose_radius_m`` [m]), f the ``heating_fraction`` (1 at the stagnation point), T_r the
    recovery temperature and T_s the radiative sink ``sink_k`` [K].  In rarefied air
    (ρ < 4k²/R_n, above ~90 km) the flux is capped at the free-molecular ½ρV³, i.e.
    h ≤ ρ·V·c_p.  Slow in dense air the
    wall sits near T_r; fast and high it radiates most of its heat (T⁴ ∝ √ρ·V³); out of
    the air it sits at T_s.
    """
    v = np.abs(np.asarray(speed_mps, dtype=float))
    rho, a = density_and_sound_speed(np.asarray(alt_m, dtype=float))
    t_air = a * a / (_GAMMA * _R_AIR)
    t_rec = t_air * (1.0 + _RECOVERY_FACTOR * 0.5 * (_GAMMA - 1.0) * (v / a) ** 2)
    cp = _GAMMA * _R_AIR / (_GAMMA - 1.0)
    h_continuum = 2.0 * _SUTTON_GRAVES_K * np.sqrt(rho / nose_radius_m)
    h = heating_fraction * np.minimum(h_continuum, rho) * v * cp  # free-molecular cap ½ρV³
    shape = np.broadcast_shapes(h.shape, t_rec.shape)
    lo = np.broadcast_to(np.minimum(t_rec, sink_k), shape)
    hi = np.broadcast_to(np.maximum(t_rec, sink_k), shape)
    sink4 = sink_k**4
    for _ in range(40):  # f(T) = εσ(T⁴ − T_s⁴) − h(T_r − T) increases with T; 40 halvings
        mid = 0.5 * (lo + hi)
        high = emissivity * STEFAN_BOLTZMANN * (mid**4 - sink4) > h * (t_rec - mid)
        lo, hi = np.where(high, lo, mid), np.where(high, mid, hi)
    return np.asarray(0.5 * (lo + hi))


def radiant_intensity_w_sr(kind: str, phase: str, speed_mps: ArrayLike, alt_m: ArrayLike,
                           band_m: tuple[float, float] = MWIR_BAND_M,
                           background_k: float = _BACKGROUND_K) -> F64:
    """Generic in-band radiant intensity [W/sr] of a threat (order of magnitude).

    Parameters
    ----------
    kind
        One of :data:`tate.sensors.rcs.THREAT_KINDS`.
    phase
        One of :data:`PHASES`; in ``"boost"`` the kind's rocket plume is added
        (booster, re-entry vehicle and glider stacks 3e5 W/sr, a cruise missile's
        booster 1e4 W/sr).
    speed_mps
        Speed relative to the air [m/s].
    alt_m
        Altitude [m] (US76 air).
    band_m
        Sensor band [m], mid-wave infrared by default.
    background_k
        Temperature of the background the skin is seen against [K].

    Returns
    -------
    NDArray[np.float64]
        Plume + engine + skin-heating contrast intensity [W/sr], >= 0.

    Notes
    -----
    Skin: nose cap (projected area πR_n²) at the stagnation temperature and the body
    (projected area A) at the temperature of 5 % of the stagnation flux (see
    :func:`skin_temperature_k`); I = ε·Σ A_i·max(0, M(T_i) − M(T_bg)) / π.
    """
    if kind not in SIGNATURES:
        raise ValueError(f"unknown threat kind {kind!r}; valid kinds: {', '.join(THREAT_KINDS)}")
    if phase not in PHASES:
        raise ValueError(f"unknown phase {phase!r}; valid phases: {', '.join(PHASES)}")
    sig = SIGNATURES[kind]
    m_bg = band_exitance_w_m2(background_k, band_m)
    total = np.zeros(np.broadcast_shapes(np.shape(speed_mps), np.shape(alt_m)))
    for area, frac in ((np.pi * sig.nose_radius_m**2, 1.0),
                       (sig.area_m2, _BODY_HEATING_FRACTION)):
        t = skin_temperature_k(speed_mps, alt_m, sig.nose_radius_m, sig.emissivity, frac,
                               background_k)
        total += area * np.maximum(band_exitance_w_m2(t, band_m) - m_bg, 0.0)
    total *= sig.emissivity / np.pi
    total += sig.engine_w_sr + (sig.plume_w_sr if phase == "boost" else 0.0)
    return np.asarray(total, dtype=float)


def earth_limb_visible(sensor_ecef: ArrayLike, target_ecef: ArrayLike,
                       grazing_alt_m: float = 0.0) -> NDArray[np.bool_]:
    """Whether the line of sight from sensor to target clears the Earth.

    Parameters
    ----------
    sensor_ecef, target_ecef
        ECEF positions, shape (..., 3) [m], broadcast.
    grazing_alt_m
        Height above the WGS-84 ellipsoid below which a grazing ray is blocked [m]
        (cloud and water vapour for an infrared sensor; 0 for the bare Earth).

    Returns
    -------
    NDArray[np.bool_]
        False when the segment's point nearest the Earth lies strictly between the two
        ends and below ``grazing_alt_m``.  An end point may itself be lower (a target
        seen from above its horizon is visible).

    Notes
    -----
    Exact for the ellipsoid (``grazing_alt_m = 0``): scaling z by a/b maps it to a sphere
    of radius a.  With a grazing altitude h the surface used is the ellipsoid with semi-
    axes a + h, b + h, within 0.4 % of h (70 m at 20 km) of the surface of geodetic height h.
    """
    s = np.asarray(sensor_ecef, dtype=float)
    t = np.asarray(target_ecef, dtype=float)
    if s.shape[-1] != 3 or t.shape[-1] != 3:
        raise ValueError(f"positions must have shape (..., 3), got {s.shape} and {t.shape}")
    radius = WGS84_A + grazing_alt_m
    scale = np.array([1.0, 1.0, radius / (WGS84_B + grazing_alt_m)])
    s, t = s * scale, t * scale
    d = t - s
    dd = np.sum(d * d, axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        u = -np.sum(s * d, axis=-1) / dd
    interior = (dd > 0) & (u > 0.0) & (u < 1.0)
    u = np.where(interior, u, 0.0)
    nearest = s + u[..., None] * d
    return np.asarray(~(interior & (np.sum(nearest * nearest, axis=-1) < radius * radius)))
