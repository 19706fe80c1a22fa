"""Sampling an uncertain scenario: determinism, order of draws, bounds, concrete input."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from tate.errors import ScenarioError
from tate.scenario import (
    BoostGlideThreat,
    DroneThreat,
    Normal,
    Scenario,
    default_scenario_path,
    load_scenario,
    sample_scenario,
    uncertain_fields,
)
from tate.scenario.sampler import MAX_TRIES

Load = Callable[[str], Scenario]
Threat = Callable[..., str]

UNCERTAIN = """\
speed_mps = { normal = { mean = 50, std = 5 } }
mass_kg = { uniform = { low = 150, high = 250 } }
waypoints = [{ lat_deg = { uniform = { low = 19, high = 21 } }, lon_deg = 159 }]
"""


def drone(scn: Scenario, i: int) -> DroneThreat:
    """Threat ``i`` of ``scn``, which must be a drone."""
    threat = scn.threats[i]
    assert isinstance(threat, DroneThreat)
    return threat


@pytest.fixture
def uncertain(load: Load, head: str, make_threat: Threat) -> Scenario:
    """A scenario with distributions in a ship, two threats and a waypoint."""
    text = head.replace(
        "speed_kn = 12", "speed_kn = { triangular = { low = 10, mode = 12, high = 16 } }"
    )
    text += make_threat("A", extra=UNCERTAIN)
    text += make_threat("B", extra="count = 3\nspeed_mps = { normal = { mean = 60, std = 5 } }\n")
    return load(text)


def test_uncertain_fields_in_documented_order(uncertain: Scenario) -> None:
    assert [field.path for field in uncertain_fields(uncertain)] == [
        "ships[0].speed_kn",
        "threats[0].speed_mps",
        "threats[0].mass_kg",
        "threats[0].waypoints[0].lat_deg",
        "threats[1].speed_mps",
    ]


def test_draws_follow_the_documented_order(uncertain: Scenario) -> None:
    concrete = sample_scenario(uncertain, np.random.default_rng(11))
    rng = np.random.default_rng(11)
    expected = [field.distribution.sample(rng) for field in uncertain_fields(uncertain)]
    # None of these draws falls outside its bounds, so each takes exactly one draw.
    first, second = drone(concrete, 0), drone(concrete, 1)
    got = [
        concrete.ships[0].speed_kn,
        first.speed_mps,
        first.mass_kg,
        first.waypoints[0].lat_deg,
        second.speed_mps,
    ]
    assert got == expected


def test_same_seed_same_scenario(uncertain: Scenario) -> None:
    one = sample_scenario(uncertain, np.random.default_rng(42))
    two = sample_scenario(uncertain, np.random.default_rng(42))
    assert one == two
    assert one.is_concrete
    assert not uncertain.is_concrete


def test_different_seeds_differ(uncertain: Scenario) -> None:
    one = sample_scenario(uncertain, np.random.default_rng(1))
    two = sample_scenario(uncertain, np.random.default_rng(2))
    assert one != two


def test_sampling_leaves_the_rest_alone(uncertain: Scenario) -> None:
    concrete = sample_scenario(uncertain, np.random.default_rng(3))
    assert concrete.assets is uncertain.assets
    assert concrete.threats[0].launch is uncertain.threats[0].launch
    assert concrete.threats[1].count == 3
    assert isinstance(drone(concrete, 0).waypoints[0].lon_deg, float)


def test_concrete_scenario_is_returned_unchanged_without_draws() -> None:
    uncertain = load_scenario(default_scenario_path(), check_reach=False)
    concrete = sample_scenario(uncertain, np.random.default_rng(0))
    rng = np.random.default_rng(5)
    state = rng.bit_generator.state
    again = sample_scenario(concrete, rng)
    assert again == concrete
    assert again is concrete
    assert rng.bit_generator.state == state


def test_default_scenario_samples_its_one_distribution() -> None:
    scn = load_scenario(default_scenario_path(), check_reach=False)
    assert [f.path for f in uncertain_fields(scn)] == ["threats[0].glide.lift_to_drag"]
    concrete = sample_scenario(scn, np.random.default_rng(0))
    expected = Normal(2.6, 0.05).sample(np.random.default_rng(0))
    glider = concrete.threats[0]
    assert isinstance(glider, BoostGlideThreat)
    assert glider.glide.lift_to_drag == expected


def test_normal_draws_outside_bounds_are_redrawn(
    load: Load, head: str, make_threat: Threat
) -> None:
    # Mean 1, std 100 on a field that must be > 0: about half the raw draws are <= 0.
    scn = load(head + make_threat(extra="mass_kg = { normal = { mean = 1, std = 100 } }\n"))
    draws = [
        drone(sample_scenario(scn, np.random.default_rng(seed)), 0).mass_kg for seed in range(200)
    ]
    assert all(isinstance(x, float) and x > 0 for x in draws)


def test_no_draw_within_bounds_is_an_error(load: Load, head: str, make_threat: Threat) -> None:
    text = head + make_threat()
    text = text.replace(
        "lat_deg = 20.0, lon", "lat_deg = { normal = { mean = 0, std = 1e9 } }, lon"
    )
    scn = load(text)
    with pytest.raises(ScenarioError) as info:
        sample_scenario(scn, np.random.default_rng(0))
    assert info.value.path == "threats[0].launch.lat_deg"
    assert info.value.message == (f"no draw within bounds (>= -90 and <= 90) in {MAX_TRIES} tries")
