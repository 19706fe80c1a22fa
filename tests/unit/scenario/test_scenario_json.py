"""JSON round trip and the scenario hash."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tate.errors import ScenarioError
from tate.scenario import (
    Scenario,
    default_scenario_path,
    from_json,
    load_scenario,
    scenario_hash,
    to_json,
    validate_scenario,
)

SRC = Path(__file__).resolve().parents[3] / "src"

positive = st.floats(min_value=1e-9, max_value=1e9, allow_nan=False, allow_infinity=False)
latitude = st.floats(min_value=-90, max_value=90, allow_nan=False)
longitude = st.floats(min_value=-180, max_value=180, allow_nan=False)


def drone_data(speed: object, lat: float, lon: float, mass: object) -> dict[str, object]:
    """A minimal scenario as parsed data, with a few numeric fields given."""
    return {
        "name": "json",
        "epoch_utc": "2030-06-01T00:00:00Z",
        "threats": [
            {
                "id": "D",
                "model": "drone",
                "speed_mps": speed,
                "mass_kg": mass,
                "launch": {"lat_deg": lat, "lon_deg": lon},
                "aim": {"lat_deg": -lat, "lon_deg": -lon},
            }
        ],
    }


@pytest.fixture(scope="module")
def default() -> Scenario:
    """The bundled default scenario."""
    return load_scenario(default_scenario_path(), check_reach=False)


def test_round_trip_default(default: Scenario) -> None:
    text = to_json(default)
    assert from_json(text) == default
    assert to_json(from_json(text)) == text


def test_json_is_canonical(default: Scenario) -> None:
    text = to_json(default)
    data = json.loads(text)
    assert json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False) == text
    assert data["ships"][0]["class"] == "ddg51-flight3"
    assert data["epoch_utc"] == "2030-06-01T00:00:00Z"
    entry = data["threats"][0]["glide"]["lift_to_drag"]
    assert entry == {"normal": {"mean": 2.6, "std": 0.05}}


def test_indented_json_reads_back(default: Scenario) -> None:
    assert from_json(to_json(default, indent=2)) == default


@settings(max_examples=60, deadline=None)
@given(speed=positive, lat=latitude, lon=longitude, mass=positive, std=positive)
def test_round_trip_numbers_and_distributions(
    speed: float, lat: float, lon: float, mass: float, std: float
) -> None:
    plain = validate_scenario(drone_data(speed, lat, lon, mass))
    assert from_json(to_json(plain)) == plain
    uncertain = validate_scenario(
        drone_data(
            {"uniform": {"low": speed, "high": speed * 2}},
            lat,
            lon,
            {"normal": {"mean": mass, "std": std}},
        )
    )
    assert from_json(to_json(uncertain)) == uncertain
    assert scenario_hash(from_json(to_json(uncertain))) == scenario_hash(uncertain)


def test_hash_is_stable_across_processes(default: Scenario) -> None:
    code = (
        "from tate.scenario import load_scenario, default_scenario_path, scenario_hash;"
        "print(scenario_hash(load_scenario(default_scenario_path(), check_reach=False)))"
    )
    env = {**os.environ, "PYTHONPATH": str(SRC), "PYTHONHASHSEED": "12345"}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == scenario_hash(default)
    assert len(scenario_hash(default)) == 64


def test_hash_ignores_how_defaults_are_written() -> None:
    implicit = drone_data(50, 1.0, 2.0, 200)
    explicit = json.loads(json.dumps(implicit))
    explicit["threats"][0].update(count=1, interval_s=0, max_g=1.0, waypoints=[])
    assert scenario_hash(validate_scenario(implicit)) == scenario_hash(validate_scenario(explicit))


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("threats", 0, "speed_mps"), 50.000000001),
        (("threats", 0, "launch", "time_s"), 1.0),
        (("threats", 0, "id"), "E"),
        (("threats", 0, "mass_kg"), {"normal": {"mean": 200, "std": 1}}),
        (("seed",), 1),
        (("epoch_utc",), "2030-06-01T00:00:01Z"),
    ],
)
def test_hash_changes_with_any_value(path: tuple[str | int, ...], value: object) -> None:
    data = drone_data(50.0, 1.0, 2.0, 200)
    changed = json.loads(json.dumps(data))
    target = changed
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    assert scenario_hash(validate_scenario(data)) != scenario_hash(validate_scenario(changed))


def test_bad_json() -> None:
    with pytest.raises(ScenarioError) as info:
        from_json("{nope")
    assert str(info.value).startswith("<json>: JSON syntax error: ")
    with pytest.raises(ScenarioError, match="<json>: expected a JSON object, got 'list'"):
        from_json("[]")
    data = drone_data(-1.0, 1.0, 2.0, 200)
    with pytest.raises(ScenarioError, match=r"<json>: threats\[0\].speed_mps: must be > 0"):
        from_json(json.dumps(data))
