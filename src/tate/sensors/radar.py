"""Radar sensor kernels: radar equation, array-face geometry, visibility and accuracy.

What it models
--------------
A surveillance or fire-control radar reduced to the numbers that decide detection and
measurement quality.  :class:`RadarSpec` holds them; the functions compute on arrays.

* **Radar equation** in loop-gain form: the single-dwell SNR of a target of RCS σ at
  range R is SNR = SNR_ref · (σ / 1 m²) · (R_ref / R)⁴ · cos(θ)^(2p), with SNR_ref the SNR
  of 1 m² at R_ref on boresight, θ the angle off the face's boresight and p the one-way
  scan-loss exponent (gain ~ cos(θ)^p one way, squared for transmit and receive).  The
  loop gain SNR·R⁴/σ is the "sensitivity" of open charts (REFERENCES.md §2).
* **Search radar equation** (Skolnik, *Introduction to Radar Systems*, 3rd ed., 2001,
  ch. 2, the radar equation for volume search; Barton, *Radar System Analysis and
  Modeling*, 2005, ch. 1):
  SNR = P_av·A_e·t_s·σ / (4π·Ω·k·T_s·L·R⁴), with t_s the time to search the solid angle Ω
  once, builds a spec from power-aperture (:func:`from_power_aperture`).
* **Faces**: ``faces`` fixed planar arrays spread evenly in azimuth from the ship's heading,
  each tilted up by ``face_tilt_rad``; a direction is served by the face whose boresight is
  nearest, up to ``max_scan_rad`` off boresight.  ``faces = 0`` is a rotating or
  omnidirectional antenna with no scan loss.
* **Visibility**: instrumented range, elevation limits, face coverage and the 4/3-Earth
  radar horizon (:func:`tate.sensors.detection.radar_horizon`).
* **Accuracy**: thermal-noise-limited standard deviations σ_R = ΔR / √(2·SNR) (Skolnik
  2001, ch. 6, theoretical accuracy: δR ≈ c / (2B√(2E/N₀))) and σ_θ = θ_3 / (k_m·√(2·SNR))
  with monopulse slope k_m = 1.6 (Barton & Leonov, *Radar Technology Encyclopedia*, 1997,
  "accuracy of monopulse"), the beam broadened by 1/cos θ off boresight; each combined in
  quadrature with a bias floor.
* **False alarms**: ``n_cells · pfa`` per search frame, placed uniformly over the
  resolution cells (:func:`false_alarm_cells`).
* **Detection probability** of one dwell from :mod:`tate.sensors.detection` (Swerling 2
  and 4 equal 1 and 3 for one dwell; Richards 2014 §6.3).

Frame and units: azimuth clockwise from north and elevation above the local horizontal of
the sensor's ENU frame, radians; ranges and heights in metres; SNR in dB where the name
says so.  All functions broadcast their array arguments.  Preset specs are in
:mod:`tate.sensors.presets`; the numbers are generic, not those of any real radar.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import brentq

from tate.sensors.detection import false_alarm_count, pd_swerling, radar_horizon

__all__ = [
    "ANGLE_BIAS_RAD",
    "BOLTZMANN",
    "MONOPULSE_SLOPE",
    "RANGE_BIAS_M",
    "RadarSpec",
    "detection_range_m",
    "face_geometry",
    "false_alarm_cells",
    "false_alarms_per_frame",
    "from_loop_gain",
    "from_power_aperture",
    "measurement_std",
    "off_boresight",
    "pd",
    "required_snr_db",
    "snr_db",
    "visible",
]

F64 = NDArray[np.float64]
BOLTZMANN = 1.380649e-23  #: Boltzmann constant [J/K] (SI 2019, exact)
MONOPULSE_SLOPE = 1.6  #: monopulse slope constant k_m [-] (Barton & Leonov 1997)
RANGE_BIAS_M = 1.0  #: range bias floor [m], combined in quadrature with the noise term
ANGLE_BIAS_RAD = 2.0e-4  #: angle bias floor [rad] (0.2 mrad), combined in quadrature
_MIN_COS = 1e-6  # cos(θ) floor: keeps the scan loss finite at and beyond 90° off boresight


@dataclass(frozen=True)
class RadarSpec:
    """Parameters of one radar (all SI, angles in radians).

    Attributes
    ----------
    name, band
        Label and band letter ("S", "X", ...).
    freq_hz
        Carrier frequency [Hz].
    snr_ref_db
        Single-dwell SNR [dB] of a 1 m² target at ``ref_range_m`` on boresight.
    ref_range_m
        Reference range of ``snr_ref_db`` [m].
    faces
        Number of fixed array faces spread evenly in azimuth from the heading (1 = one
        face looking along the heading; 0 = rotating/omnidirectional, no scan loss).
    face_tilt_rad
        Boresight elevation of each face [rad].
    scan_loss_exp
        One-way gain exponent p: gain ∝ cos(θ)^p off boresight; SNR loses cos(θ)^(2p).
    max_scan_rad
        Largest off-boresight angle a face can serve [rad].
    min_el_rad, max_el_rad
        Elevation limits [rad].  The default minimum 0 hides targets below the antenna's
        horizontal plane; a ship's radar sees sea-skimmers at small negative elevations
        (about −√(2h/kR) − h/R at the horizon), so the ship presets use −0.05 rad.
    max_range_m
        Instrumented range [m].
    pfa
        False-alarm probability per resolution cell.
    swerling
        Default target fluctuation model (0–4) for :func:`pd`.
    range_res_m, beamwidth_rad
        Range resolution [m] and 3 dB beamwidth on boresight [rad].
    dwell_s, search_frame_s, track_revisit_s, budget
        Dwell time [s], time to search the volume once [s], revisit interval of a
        confirmed track [s], fraction of the radar's time available for dwells [-].
    n_cells
        Resolution cells tested per search frame [-].
    mast_height_m
        Antenna height above the waterline [m].
    power_kw
        Prime power drawn when radiating [kW].
    """

    name: str
    band: str
    freq_hz: float
    snr_ref_db: float
    ref_range_m: float = 100e3
    faces: int = 4
    face_tilt_rad: float = 0.35
    scan_loss_exp: float = 1.5
    max_scan_rad: float = 1.05
    min_el_rad: float = 0.0
    max_el_rad: float = 1.5
    max_range_m: float = 1.0e6
    pfa: float = 1e-6
    swerling: int = 1
    range_res_m: float = 15.0
    beamwidth_rad: float = 0.03
    dwell_s: float = 0.005
    search_frame_s: float = 6.0
    track_revisit_s: float = 1.0
    budget: float = 0.8
    n_cells: float = 1e6
    mast_height_m: float = 20.0
    power_kw: float = 0.0

    def __post_init__(self) -> None:
        positive = ("freq_hz", "ref_range_m", "max_range_m", "range_res_m", "beamwidth_rad",
                    "dwell_s", "search_frame_s", "track_revisit_s")
        for key in positive:
            if not getattr(self, key) > 0:
                raise ValueError(f"{self.name}: {key} must be > 0, got {getattr(self, key)}")
        if self.faces < 0 or int(self.faces) != self.faces:
            raise ValueError(f"{self.name}: faces must be an integer >= 0, got {self.faces}")
        if not 0.0 < self.pfa < 1.0:
            raise ValueError(f"{self.name}: pfa must be in (0, 1), got {self.pfa}")
        if self.swerling not in (0, 1, 2, 3, 4):
            raise ValueError(f"{self.name}: swerling must be 0-4, got {self.swerling}")
        if not 0.0 < self.budget <= 1.0:
            raise ValueError(f"{self.name}: budget must be in (0, 1], got {self.budget}")
        if not self.min_el_rad < self.max_el_rad:
            raise ValueError(f"{self.name}: min_el_rad must be < max_el_rad")
        for key in ("scan_loss_exp", "max_scan_rad", "n_cells", "mast_height_m", "power_kw"):
            if getattr(self, key) < 0:
                raise ValueError(f"{self.name}: {key} must be >= 0, got {getattr(self, key)}")


def from_loop_gain(name: str, band: str, freq_hz: float, loop_gain_db: float,
                   **kw: Any) -> RadarSpec:
    """A spec from its loop gain, SNR·R⁴/σ in dB over 1 m⁴·m⁻² (R in m, σ in m²).

    ``snr_ref_db = loop_gain_db − 40·log10(ref_range_m)``; ``kw`` are further
    :class:`RadarSpec` fields (``ref_range_m`` among them).
    """
    ref = float(kw.get("ref_range_m", RadarSpec.ref_range_m))
    return RadarSpec(name, band, freq_hz, loop_gain_db - 40.0 * np.log10(ref), **kw)


def from_power_aperture(name: str, band: str, freq_hz: float, power_aperture_w_m2: float,
                        search_frame_s: float, search_solid_angle_sr: float,
                        noise_temp_k: float, losses_db: float, **kw: Any) -> RadarSpec:
    """A spec from the search radar equation.

    Parameters
    ----------
    name, band, freq_hz
        As in :class:`RadarSpec`.
    power_aperture_w_m2
        Average transmitted power times effective receive aperture, P_av·A_e [W·m²].
    search_frame_s
        Radar time spent searching the solid angle once, t_s [s].
    search_solid_angle_sr
        Search solid angle Ω [sr].
    noise_temp_k
        System noise temperature T_s = T₀·F [K].
    losses_db
        Total system losses L [dB].
    **kw
        Further :class:`RadarSpec` fields.  Unless given, ``dwell_s`` is the frame time
        shared among Ω / θ_3² beam positions: ``t_s·θ_3²/Ω``.

    Notes
    -----
    SNR(R, σ) = P_av·A_e·t_s·σ / (4π·Ω·k·T_s·L·R⁴) (Skolnik 2001, ch. 2): the SNR of one
    dwell when the beam steps through Ω in t_s.  The wavelength cancels.
    """
    for key, val in (("power_aperture_w_m2", power_aperture_w_m2),
                     ("search_frame_s", search_frame_s),
                     ("search_solid_angle_sr", search_solid_angle_sr),
                     ("noise_temp_k", noise_temp_k)):
        if not val > 0:
            raise ValueError(f"{name}: {key} must be > 0, got {val}")
    ref = float(kw.get("ref_range_m", RadarSpec.ref_range_m))
    snr = power_aperture_w_m2 * search_frame_s / (
        4.0 * np.pi * search_solid_angle_sr * BOLTZMANN * noise_temp_k
        * 10.0 ** (losses_db / 10.0) * ref**4)
    bw = float(kw.get("beamwidth_rad", RadarSpec.beamwidth_rad))
    kw.setdefault("dwell_s", search_frame_s * bw * bw / search_solid_angle_sr)
    return RadarSpec(name, band, freq_hz, float(10.0 * np.log10(snr)),
                     search_frame_s=search_frame_s, **kw)


def snr_db(spec: RadarSpec, range_m: ArrayLike, rcs_m2: ArrayLike,
           off_boresight_rad: ArrayLike = 0.0) -> F64:
    """Single-dwell SNR [dB] of targets of RCS ``rcs_m2`` [m²] at ``range_m`` [m].

    ``off_boresight_rad`` is the angle from the serving face's boresight (ignored when
    ``spec.faces == 0``).  SNR = SNR_ref + 10 log σ − 40 log(R/R_ref) + 20 p log cos θ;
    cos θ is floored at 1e-6.  σ = 0 gives −inf dB, R = 0 gives +inf.
    """
    r = np.asarray(range_m, dtype=float)
    s = np.asarray(rcs_m2, dtype=float)
    if np.any(r < 0) or np.any(s < 0):
        raise ValueError("range_m and rcs_m2 must be >= 0")
    with np.errstate(divide="ignore"):
        out = spec.snr_ref_db + 10.0 * np.log10(s) - 40.0 * np.log10(r / spec.ref_range_m)
    if spec.faces > 0:
        cos = np.maximum(np.cos(np.asarray(off_boresight_rad, dtype=float)), _MIN_COS)
        out = out + 20.0 * spec.scan_loss_exp * np.log10(cos)
    return np.asarray(out, dtype=float)


def detection_range_m(spec: RadarSpec, rcs_m2: ArrayLike, snr_required_db: ArrayLike) -> F64:
    """Range [m] at which a target of RCS ``rcs_m2`` [m²] on boresight has SNR
    ``snr_required_db`` (the inverse of :func:`snr_db`; not capped at ``max_range_m``)."""
    s = np.asarray(rcs_m2, dtype=float)
    if np.any(s < 0):
        raise ValueError("rcs_m2 must be >= 0")
    with np.errstate(divide="ignore"):
        margin = spec.snr_ref_db + 10.0 * np.log10(s) - np.asarray(snr_required_db, float)
    return np.asarray(spec.ref_range_m * 10.0 ** (margin / 40.0), dtype=float)


def face_geometry(spec: RadarSpec, heading_rad: ArrayLike, az_rad: ArrayLike,
                  el_rad: ArrayLike) -> tuple[NDArray[np.int64], F64]:
    """The face that sees each direction best, and the angle off its boresight.

    Face i looks at azimuth ``heading + 2πi/faces`` and elevation ``face_tilt_rad``.

    Parameters
    ----------
    spec
        The radar.
    heading_rad
        Platform heading, clockwise from north [rad].
    az_rad, el_rad
        Direction to the target in the sensor's ENU frame [rad].

    Returns
    -------
    face : NDArray[np.int64]
        Index of the face with the smallest off-boresight angle (0 if ``faces == 0``).
    angle : NDArray[np.float64]
        Angle between the direction and that face's boresight [rad] (0 if ``faces == 0``).
    """
    heading = np.asarray(heading_rad, dtype=float)
    hd, az, el = np.broadcast_arrays(heading, *(np.asarray(x, dtype=float)
                                                for x in (az_rad, el_rad)))
    if spec.faces == 0:
        return np.zeros(hd.shape, dtype=np.int64), np.zeros(hd.shape)
    chord = _face_chords(spec, heading, az, el)
    best = np.argmin(chord, axis=-1)
    c = np.take_along_axis(chord, best[..., None], axis=-1)[..., 0]
    return best.astype(np.int64), 2.0 * np.arcsin(np.minimum(c / 2.0, 1.0))


def off_boresight(spec: RadarSpec, heading_rad: F64, az_rad: F64, el_rad: F64) -> F64:
    """The angle of :func:`face_geometry` alone (the same bits), for float arrays [rad].

    Face by face, the chords of :func:`_face_chords` with their running minimum (the
    minimum of ``.min(axis=-1)``: exact, NaN propagating), without the stacked array.
    """
    if spec.faces == 0:
        return np.zeros(np.broadcast_shapes(heading_rad.shape, az_rad.shape, el_rad.shape))
    face_az = heading_rad[..., None] + 2.0 * np.pi * np.arange(spec.faces) / spec.faces
    tilt = np.full(1, spec.face_tilt_rad)  # the ufuncs of the stacked form, on one value
    cb, sb = float(np.cos(tilt)[0]), float(np.sin(tilt)[0])
    ce, sa, ca, se = np.cos(el_rad), np.sin(az_rad), np.cos(az_rad), np.sin(el_rad)
    sf, cf = cb * np.sin(face_az), cb * np.cos(face_az)
    dz = se - sb
    dz2 = dz * dz

    def chord(f: int) -> F64:
        dx = ce * sa - sf[..., f]
        dy = ce * ca - cf[..., f]
        dx *= dx
        dy *= dy
        dx += dy
        dx += dz2
        return np.sqrt(dx, out=dx)

    c = chord(0)
    for f in range(1, spec.faces):
        np.minimum(c, chord(f), out=c)
    return np.asarray(2.0 * np.arcsin(np.minimum(c / 2.0, 1.0)), dtype=float)


def _face_chords(spec: RadarSpec, heading: F64, az: F64, el: F64) -> F64:
    """|u − b| of the directions ``u`` to each face's boresight ``b``: ``(..., faces)``.

    2·asin(|u − b|/2) is the angle between the unit vectors, accurate near 0.  The
    boresights are those of the headings as given (broadcast against the directions).
    Component by component, in the order of ``np.linalg.norm(u - b, axis=-1)``.
    """
    face_az = heading[..., None] + 2.0 * np.pi * np.arange(spec.faces) / spec.faces
    ce, cb = np.cos(el)[..., None], np.cos(np.full(face_az.shape, spec.face_tilt_rad))
    dx = ce * np.sin(az)[..., None] - cb * np.sin(face_az)
    dy = ce * np.cos(az)[..., None] - cb * np.cos(face_az)
    dz = np.sin(el)[..., None] - np.sin(np.full(face_az.shape, spec.face_tilt_rad))
    return np.asarray(np.sqrt((dx * dx + dy * dy) + dz * dz), dtype=float)


def visible(spec: RadarSpec, heading_rad: ArrayLike, range_m: ArrayLike, az_rad: ArrayLike,
            el_rad: ArrayLike, target_alt_m: ArrayLike, sensor_alt_m: ArrayLike,
            off_boresight_rad: ArrayLike | None = None) -> NDArray[np.bool_]:
    """Whether the radar can see each target (geometry only, not detection).

    True when the slant range ``range_m`` [m] is within ``max_range_m``, the elevation
    ``el_rad`` within [min_el_rad, max_el_rad], some face within ``max_scan_rad`` of the
    direction (any direction if ``faces == 0``), and the range inside the 4/3-Earth radar
    horizon between the antenna height ``sensor_alt_m`` and ``target_alt_m`` [m] (negative
    heights count as 0).  For a ship, ``sensor_alt_m`` is ``spec.mast_height_m``.
    ``off_boresight_rad``, if given, is the angle of :func:`face_geometry` for these
    directions (saves computing it again).
    """
    r = np.asarray(range_m, dtype=float)
    el = np.asarray(el_rad, dtype=float)
    horizon = radar_horizon(np.maximum(np.asarray(sensor_alt_m, dtype=float), 0.0),
                            np.maximum(np.asarray(target_alt_m, dtype=float), 0.0))
    ok = (r <= spec.max_range_m) & (r <= horizon)
    ok = ok & (el >= spec.min_el_rad) & (el <= spec.max_el_rad)
    if spec.faces > 0:
        off = (face_geometry(spec, heading_rad, az_rad, el)[1] if off_boresight_rad is None
               else np.asarray(off_boresight_rad, dtype=float))
        ok = ok & (off <= spec.max_scan_rad)
    return np.asarray(ok, dtype=bool)


def measurement_std(spec: RadarSpec, snr_db: ArrayLike, off_boresight_rad: ArrayLike = 0.0,
                    range_bias_m: float = RANGE_BIAS_M, angle_bias_rad: float = ANGLE_BIAS_RAD,
                    ) -> tuple[F64, F64, F64]:
    """Standard deviations of range, azimuth and elevation measurements.

    Parameters
    ----------
    spec
        The radar.
    snr_db
        Single-dwell SNR [dB].
    off_boresight_rad
        Angle off the serving face's boresight [rad] (ignored if ``faces == 0``).
    range_bias_m, angle_bias_rad
        Bias floors [m], [rad], added in quadrature.

    Returns
    -------
    sigma_range_m, sigma_az_rad, sigma_el_rad : NDArray[np.float64]
        σ_R = √((ΔR/√(2χ))² + b_R²), σ_az = σ_el = √((θ_3/(cos θ · k_m √(2χ)))² + b_θ²), with
        χ the linear SNR and k_m = :data:`MONOPULSE_SLOPE`.  χ = 0 gives inf.

    Notes
    -----
    The 1/cos θ broadening applies the broadside beamwidth to both angles; a planar
    array broadens only in the plane of scan, so this is pessimistic for the other one.
    """
    chi = 10.0 ** (np.asarray(snr_db, dtype=float) / 10.0)
    with np.errstate(divide="ignore"):
        root = 1.0 / np.sqrt(2.0 * chi)
    cos = 1.0
    if spec.faces > 0:
        cos = np.maximum(np.cos(np.asarray(off_boresight_rad, dtype=float)), _MIN_COS)
    s_r = np.hypot(spec.range_res_m * root, range_bias_m)
    s_a = np.hypot(spec.beamwidth_rad / (cos * MONOPULSE_SLOPE) * root, angle_bias_rad)
    s_a = np.asarray(s_a, dtype=float)
    return np.asarray(s_r, dtype=float), s_a, s_a.copy()


def pd(spec: RadarSpec, snr_db: ArrayLike, swerling: int | None = None) -> F64:
    """Single-dwell detection probability at SNR ``snr_db`` [dB] and ``spec.pfa``.

    ``swerling`` (default ``spec.swerling``) 2 and 4 are evaluated as 1 and 3: for one
    dwell the pulse-to-pulse and scan-to-scan models coincide (Richards 2014, §6.3).
    """
    case = spec.swerling if swerling is None else swerling
    if case not in (0, 1, 2, 3, 4):
        raise ValueError(f"Swerling case must be one of 0, 1, 2, 3, 4, got {case}")
    snr = 10.0 ** (np.asarray(snr_db, dtype=float) / 10.0)
    return pd_swerling(snr, spec.pfa, {0: 0, 1: 1, 2: 1, 3: 3, 4: 3}[case])


def required_snr_db(spec: RadarSpec, pd_required: float, swerling: int | None = None) -> float:
    """Exact single-dwell SNR [dB] giving detection probability ``pd_required`` at
    ``spec.pfa`` (closed form for Swerling 1/2, root of :func:`pd` otherwise)."""
    case = spec.swerling if swerling is None else swerling
    if not spec.pfa < pd_required < 1.0:
        raise ValueError(f"pd_required must be in (pfa, 1), got {pd_required}")
    if case in (1, 2):
        return float(10.0 * np.log10(np.log(spec.pfa) / np.log(pd_required) - 1.0))
    return float(brentq(lambda x: float(pd(spec, x, case)) - pd_required, -30.0, 80.0,
                        xtol=1e-10))


def false_alarms_per_frame(spec: RadarSpec) -> float:
    """Expected false alarms in one search frame, ``n_cells · pfa`` [-]."""
    return float(false_alarm_count(spec.n_cells, spec.pfa))


def false_alarm_cells(spec: RadarSpec, heading_rad: float, n: int, rng: np.random.Generator
                      ) -> tuple[F64, F64, F64]:
    """Range [m], azimuth and elevation [rad] of ``n`` > 0 false alarms, uniform over the
    resolution cells.

    Uniform in range over (0, max_range_m], in elevation between the limits, and in
    azimuth over the faces' coverage: the full circle (in [0, 2π)) when the faces cover it
    (or for a rotating antenna), else a face drawn at random and a uniform angle within
    ``max_scan_rad`` of its boresight azimuth.  Draws ``rng.random((n, 3))``, then the
    faces.
    """
    cells = rng.random((n, 3))
    r = spec.max_range_m * (1.0 - cells[:, 0])
    el = spec.min_el_rad + (spec.max_el_rad - spec.min_el_rad) * cells[:, 2]
    if spec.faces == 0 or spec.faces * 2.0 * spec.max_scan_rad >= 2.0 * np.pi:
        az = 2.0 * np.pi * cells[:, 1]
    else:
        face = rng.integers(0, spec.faces, size=n)
        az = (heading_rad + 2.0 * np.pi * face / spec.faces
              + spec.max_scan_rad * (2.0 * cells[:, 1] - 1.0))
    return r, np.mod(az, 2.0 * np.pi), el

