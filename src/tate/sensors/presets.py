"""Generic radar and infrared sensor presets built from open, order-of-magnitude numbers.

None of these is a real system's data; each is "-like": a plausible class of sensor
whose headline number is anchored to a public statement and whose other numbers are
rounded engineering assumptions (docs/sensors.md lists them all with their sources).

Radars (:data:`RADARS`)
-----------------------
``spy1d-like``
    S-band, four fixed faces.  ``snr_ref_db = 41.6`` dB (1 m² at 100 km) puts a 1 m²
    Swerling 1 target at P_d 0.9, P_fa 1e-6 (21.14 dB needed in one dwell) at 325 km,
    the few-hundred-km class of open descriptions of the SPY-1 family.
``spy6-like``
    The same plus 10·log10(30) = 14.77 dB: the open claim of "about 30 times the
    sensitivity of SPY-1D" for AN/SPY-6(V)1 (REFERENCES.md §2), i.e. 30^(1/4) = 2.34
    times the detection range on one RCS (760 km for the 1 m² case above).
``xband-horizon-like``
    A rotating X-band horizon-search radar high on the mast: 1 s revisit, 60 km
    instrumented range, a −10 dBsm sea-skimmer at P_d 0.9 (Swerling 1) at ~35 km.
``airborne-aesa-like``
    A small single-face X-band AESA for a drone or aircraft: 0.1 m² (cruise missile)
    at P_d 0.9 (Swerling 1) at ~40 km, looking down from the platform's altitude.

Infrared sensors (:data:`IR_SENSORS`)
-------------------------------------
``space-ir-like``
    A low-Earth-orbit (1,000 km) wide-field mid-wave warning sensor: 0.5 mrad angle
    standard deviation (about half a ~1 mrad pixel of a staring focal plane that covers
    a wide field; 1 km across at 2,000 km), 1 s frames, NEI 1e-10 W/m² so that a boosting
    rocket (3e5 W/sr) is seen to the limb, a Mach-8 glider (1e4 W/sr) out to ~3,500 km
    at SNR 8, and cold bodies not at all.
``drone-irst-like``
    An infrared search-and-track turret on a drone (altitude from the platform):
    0.1 mrad, 0.5 s frames, NEI 2e-9 W/m² (a 50 W/sr cruise missile at SNR ~6 at 65 km
    before atmospheric loss).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import numpy as np

from tate.registry import lookup
from tate.sensors.ir import IRSpec
from tate.sensors.radar import RadarSpec

__all__ = ["IR_SENSORS", "RADARS", "SPY6_GAIN_DB", "ir_preset", "radar_preset"]

SPY6_GAIN_DB = float(10.0 * np.log10(30.0))  #: "~30x the sensitivity of SPY-1D" [dB]
_SPY1D_SNR_REF_DB = 41.6
_SHIP_MIN_EL = -0.05  # rad: below the horizontal plane, to the sea-surface horizon and beyond

_SPY1D = RadarSpec(
    name="spy1d-like", band="S", freq_hz=3.3e9, snr_ref_db=_SPY1D_SNR_REF_DB,
    faces=4, face_tilt_rad=0.35, scan_loss_exp=1.5, max_scan_rad=1.05,
    min_el_rad=_SHIP_MIN_EL, max_el_rad=1.5, max_range_m=1.0e6, pfa=1e-6, swerling=1,
    range_res_m=15.0, beamwidth_rad=0.03, dwell_s=0.005, search_frame_s=6.0,
    track_revisit_s=1.0, budget=0.8, n_cells=1e6, mast_height_m=20.0, power_kw=1500.0)

RADARS: Mapping[str, RadarSpec] = MappingProxyType({
    "spy1d-like": _SPY1D,
    "spy6-like": RadarSpec(
        name="spy6-like", band="S", freq_hz=3.3e9,
        snr_ref_db=_SPY1D_SNR_REF_DB + SPY6_GAIN_DB,
        faces=4, face_tilt_rad=0.35, scan_loss_exp=1.5, max_scan_rad=1.05,
        min_el_rad=_SHIP_MIN_EL, max_el_rad=1.5, max_range_m=1.5e6, pfa=1e-6, swerling=1,
        range_res_m=7.5, beamwidth_rad=0.025, dwell_s=0.004, search_frame_s=4.0,
        track_revisit_s=0.5, budget=0.8, n_cells=2e6, mast_height_m=20.0, power_kw=3000.0),
    "xband-horizon-like": RadarSpec(
        name="xband-horizon-like", band="X", freq_hz=9.5e9, snr_ref_db=13.0,
        faces=0, face_tilt_rad=0.0, scan_loss_exp=0.0, max_scan_rad=np.pi,
        min_el_rad=_SHIP_MIN_EL, max_el_rad=0.35, max_range_m=60e3, pfa=1e-6, swerling=1,
        range_res_m=5.0, beamwidth_rad=0.02, dwell_s=0.002, search_frame_s=1.0,
        track_revisit_s=1.0, budget=1.0, n_cells=1e5, mast_height_m=30.0, power_kw=30.0),
    "airborne-aesa-like": RadarSpec(
        name="airborne-aesa-like", band="X", freq_hz=10.0e9, snr_ref_db=15.2,
        faces=1, face_tilt_rad=-0.1, scan_loss_exp=1.5, max_scan_rad=1.05,
        min_el_rad=-1.2, max_el_rad=0.6, max_range_m=200e3, pfa=1e-6, swerling=1,
        range_res_m=10.0, beamwidth_rad=0.05, dwell_s=0.005, search_frame_s=4.0,
        track_revisit_s=1.0, budget=0.8, n_cells=2e5, mast_height_m=0.0, power_kw=5.0),
})

IR_SENSORS: Mapping[str, IRSpec] = MappingProxyType({
    "space-ir-like": IRSpec(name="space-ir-like", alt_m=1.0e6, nei_w_m2=1e-10,
                            angle_std_rad=5e-4, frame_s=1.0, pfa=1e-6),
    "drone-irst-like": IRSpec(name="drone-irst-like", alt_m=0.0, nei_w_m2=2e-9,
                              angle_std_rad=1e-4, frame_s=0.5, pfa=1e-6),
})


def radar_preset(name: str) -> RadarSpec:
    """The radar preset called ``name``; ValueError listing the valid names otherwise."""
    return lookup(RADARS, "radar", name)


def ir_preset(name: str) -> IRSpec:
    """The infrared sensor preset called ``name``; ValueError listing the valid names."""
    return lookup(IR_SENSORS, "IR sensor", name)
