"""Scenario text shared by the prediction tests: one ship at 20N 150E and a DF-17-class
glider (the default scenario's booster, constant L/D 2.6 and β 13,000 kg/m²)."""

from __future__ import annotations


def scene(name: str, time_limit_s: float, magazine: str = "") -> str:
    """The scenario header and the ship ``S`` (optionally with a ``magazine = {...}`` line)."""
    return f"""
name = "{name}"
epoch_utc = "2030-01-01T00:00:00Z"
time_limit_s = {time_limit_s:g}

[[ships]]
id = "S"
class = "ddg51-flight3"
lat_deg = 20.0
lon_deg = 150.0
heading_deg = 0
speed_kn = 0
{magazine}
"""


def glider(lon_deg: float = 136.0) -> str:
    """The keys of a glider launched from 20N ``lon_deg`` at the ship (no ``id``)."""
    return f"""
model = "boost-glide"
launch = {{ lat_deg = 20.0, lon_deg = {lon_deg:g} }}
aim = {{ ship = "S" }}
stages = [
  {{ propellant_kg = 9000, dry_kg = 1000, isp_s = 265, burn_time_s = 60 }},
  {{ propellant_kg = 3000, dry_kg = 400, isp_s = 280, burn_time_s = 45 }},
]
payload_kg = 1800
diameter_m = 1.4
glide = {{ aero = "constant", lift_to_drag = 2.6, ballistic_coeff_kg_m2 = 13000 }}
"""
