"""Small scenarios flown once per test session (flights take seconds each)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from tate.flight.fly import FlightResult, fly, trajectory_ecef
from tate.scenario import loads_scenario

HEAD = """
name = "test"
epoch_utc = "2030-01-01T00:00:00Z"
time_limit_s = 2400

[[ships]]
id = "S"
class = "ddg51-flight3"
lat_deg = 20.0
lon_deg = 150.0
heading_deg = 0
speed_kn = 0
"""

BOOSTER = """
stages = [
  { propellant_kg = 9000, dry_kg = 1000, isp_s = 265, burn_time_s = 60 },
  { propellant_kg = 3000, dry_kg = 400, isp_s = 280, burn_time_s = 45 },
]
payload_kg = 1800
diameter_m = 1.4
"""

MRBM = """
stages = [
  { propellant_kg = 6000, dry_kg = 800, isp_s = 255, burn_time_s = 60 },
  { propellant_kg = 1800, dry_kg = 300, isp_s = 270, burn_time_s = 50 },
]
payload_kg = 700
diameter_m = 1.2
"""


#: two drones on the ship ``S``
DRONES = """
[[threats]]
id = "owa"
model = "drone"
count = 2
interval_s = 10
spread_m = 500
launch = { lat_deg = 19.95, lon_deg = 149.9 }
aim = { ship = "S" }
"""


def scenario(body: str) -> Any:
    """A scenario from the common head plus ``body`` (threat tables)."""
    return loads_scenario(HEAD + body)


@pytest.fixture(scope="session")
def ballistic_flight() -> FlightResult:
    body = ""
    for mode in ("minimum-energy", "lofted", "depressed"):
        body += f"""
[[threats]]
id = "{mode}"
model = "ballistic"
launch = {{ lat_deg = 20.0, lon_deg = 140.5 }}
aim = {{ ship = "S" }}
trajectory = "{mode}"
{MRBM}
"""
    return fly(scenario(body), dt=0.1)


@pytest.fixture(scope="session")
def glide_flight() -> FlightResult:
    body = f"""
[[threats]]
id = "eq"
model = "boost-glide"
launch = {{ lat_deg = 20.0, lon_deg = 136.0 }}
aim = {{ ship = "S" }}
glide = {{ lift_to_drag = 2.6, ballistic_coeff_kg_m2 = 13000 }}
{BOOSTER}
[[threats]]
id = "alt40"
model = "boost-glide"
launch = {{ lat_deg = 20.0, lon_deg = 136.0 }}
aim = {{ ship = "S" }}
glide = {{ lift_to_drag = 2.6, alt_m = 40000 }}
{BOOSTER}
[[threats]]
id = "sturn"
model = "boost-glide"
launch = {{ lat_deg = 20.0, lon_deg = 136.0 }}
aim = {{ ship = "S" }}
glide = {{ lift_to_drag = 2.6, ballistic_coeff_kg_m2 = 13000 }}
manoeuvre = {{ kind = "s-turn", bank_deg = 40, period_s = 60 }}
{BOOSTER}
[[threats]]
id = "cavh"
model = "boost-glide"
launch = {{ lat_deg = 20.0, lon_deg = 136.0 }}
aim = {{ ship = "S" }}
glide = {{ aero = "cav-h", area_m2 = 0.96 }}
{BOOSTER}
"""
    return fly(scenario(body), dt=0.1)


@pytest.fixture(scope="session")
def slow_flight() -> FlightResult:
    body = """
[[threats]]
id = "skim"
model = "cruise"
launch = { lat_deg = 20.0, lon_deg = 149.5 }
aim = { ship = "S" }
waypoints = [ { lat_deg = 20.2, lon_deg = 149.7 } ]
[[threats]]
id = "pop"
model = "cruise"
launch = { lat_deg = 20.0, lon_deg = 149.5 }
aim = { ship = "S" }
terminal = { kind = "pop-up", start_range_km = 15, pop_alt_m = 1500 }
[[threats]]
id = "weave"
model = "cruise"
launch = { lat_deg = 20.0, lon_deg = 149.5 }
aim = { ship = "S" }
terminal = { kind = "weave", start_range_km = 20, weave_g = 2, weave_period_s = 6 }
[[threats]]
id = "owa"
model = "drone"
count = 3
interval_s = 20
spread_m = 1000
launch = { lat_deg = 19.9, lon_deg = 149.8 }
aim = { ship = "S" }
[[threats]]
id = "short"
model = "drone"
range_km = 10
launch = { lat_deg = 19.9, lon_deg = 149.8 }
aim = { lat_deg = 20.0, lon_deg = 150.0 }
"""
    return fly(loads_scenario(HEAD + body), dt=0.1)


def rows(table: dict[str, Any], body: str) -> dict[str, Any]:
    """The rows of ``table`` whose ``id`` is ``body``."""
    sel = table["id"] == body
    return {k: v[sel] for k, v in table.items()}


#: whole flights on the numpy and the compiled path agree to these [m], [s]
POS_ATOL = 1e-6
TIME_ATOL = 1e-9


def assert_same_flight(ref: FlightResult, got: FlightResult) -> dict[str, float]:
    """Positions within ``POS_ATOL``, times within ``TIME_ATOL``, identical events and
    outcomes; returns the largest deviations."""
    ids = list(ref.summary["id"])
    body_r, t_r, p_r, v_r = trajectory_ecef(ref.trajectory, ids)
    body_g, t_g, p_g, v_g = trajectory_ecef(got.trajectory, ids)
    np.testing.assert_array_equal(body_g, body_r)
    np.testing.assert_allclose(t_g, t_r, rtol=0, atol=TIME_ATOL)
    np.testing.assert_allclose(p_g, p_r, rtol=0, atol=POS_ATOL)
    np.testing.assert_allclose(v_g, v_r, rtol=0, atol=1e-6)
    assert list(got.events["id"]) == list(ref.events["id"])
    assert list(got.events["event"]) == list(ref.events["event"])
    np.testing.assert_allclose(got.events["time_s"], ref.events["time_s"], rtol=0,
                               atol=TIME_ATOL)
    assert list(got.summary["outcome"]) == list(ref.summary["outcome"])
    np.testing.assert_allclose(got.summary["flight_time_s"], ref.summary["flight_time_s"],
                               rtol=0, atol=TIME_ATOL)
    assert got.status == ref.status
    return {"pos_m": float(np.abs(p_g - p_r).max()), "vel_mps": float(np.abs(v_g - v_r).max()),
            "time_s": float(np.abs(got.events["time_s"] - ref.events["time_s"]).max())}


def rockets_propagator(scn: Any) -> Any:
    """The propagator :func:`fly` builds for a scenario's rockets and gliders."""
    from tate.flight.build import build_raid
    from tate.flight.fly import HIT_RADIUS, SLOW_MODELS, _aim_alt
    from tate.flight.integrator import Propagator, apogee_event

    raid = build_raid(scn, 0.2)
    models, idx, start = [], [], 0
    for model in raid.models:
        if model.name not in SLOW_MODELS:
            models.append(model)
            idx.extend(range(start, start + model.n))
        start += model.n
    sel = np.array(idx)
    aims = np.stack([raid.members[j].aim for j in sel], axis=1)
    ground = np.array([_aim_alt(raid.members[j]) for j in sel])
    return Propagator(models, raid.pos[:, sel], raid.vel[:, sel], raid.mass[sel], 0.2,
                      ground_alt=ground, aim=aims, hit_radius=HIT_RADIUS,
                      events=[apogee_event()])


def count_builds(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """Record the threat ids of every raid :func:`fly` builds (one list per group flown),
    from now on in this test, into the list returned."""
    from tate.flight import fly as fly_mod
    from tate.flight.build import build_raid

    built: list[list[str]] = []

    def counted(scn: Any, dt: float) -> Any:
        built.append([t.id for t in scn.threats])
        return build_raid(scn, dt)

    monkeypatch.setattr(fly_mod, "build_raid", counted)
    return built
