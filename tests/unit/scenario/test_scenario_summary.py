"""Scenario summaries: the great-circle helper, the rich table and the counts."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest
from rich.console import Console

from tate.scenario import (
    Scenario,
    default_scenario_path,
    describe,
    great_circle_km,
    load_scenario,
    summary_table,
)

R_KM = 6371.0088


def test_great_circle_closed_forms() -> None:
    # Independent oracles: arcs of a great circle on a sphere of radius R.
    assert great_circle_km(0, 0, 0, 1) == pytest.approx(2 * math.pi * R_KM / 360, rel=1e-12)
    assert great_circle_km(0, 10, 90, 0) == pytest.approx(math.pi * R_KM / 2, rel=1e-12)
    assert great_circle_km(10, 20, -10, -160) == pytest.approx(math.pi * R_KM, rel=1e-9)
    assert great_circle_km(12.5, 33.0, 12.5, 33.0) == 0.0
    assert great_circle_km(1, 2, 3, 4) == great_circle_km(3, 4, 1, 2)


def test_great_circle_spherical_law_of_cosines() -> None:
    # A second formula for the same distance.
    lat1, lon1, lat2, lon2 = map(math.radians, (20.5, 143.7, 20.0, 160.0))
    cos_c = math.sin(lat1) * math.sin(lat2) + math.cos(lat1) * math.cos(lat2) * math.cos(
        lon2 - lon1
    )
    expected = R_KM * math.acos(cos_c)
    assert great_circle_km(20.5, 143.7, 20.0, 160.0) == pytest.approx(expected, rel=1e-9)


def render(table: object) -> str:
    console = Console(record=True, width=200)
    console.print(table)
    return console.export_text()


def test_summary_table_of_default() -> None:
    scn = load_scenario(default_scenario_path(), check_reach=False)
    table = summary_table(scn, title="default.toml")
    assert table.row_count == len(scn.ships) + len(scn.assets) + len(scn.threats)
    text = render(table)
    assert "default.toml" in text
    assert "launch t [s]" in text
    assert "range [km]" in text
    hgv1 = next(line for line in text.splitlines() if "HGV-1" in line)
    assert "boost-glide" in hgv1
    assert "1,701" in hgv1
    assert "distribution: glide.lift_to_drag" in hgv1
    drones = next(line for line in text.splitlines() if "OWA-1" in line)
    assert " 12 " in drones
    assert "distribution" not in drones


def test_summary_marks_uncertain_launch_time(
    load: Callable[[str], Scenario], head: str, make_threat: Callable[..., str]
) -> None:
    text = head + make_threat().replace(
        "lon_deg = 158.0 }", "lon_deg = 158.0, time_s = { uniform = { low = 0, high = 20 } } }"
    )
    line = next(
        line for line in render(summary_table(load(text), "t")).splitlines() if "D0" in line
    )
    assert "~10" in line
    assert "distribution: launch.time_s" in line


def test_describe() -> None:
    scn = load_scenario(default_scenario_path(), check_reach=False)
    assert describe(scn) == {
        "ships": 2,
        "assets": 1,
        "threat_groups": 11,
        "threats": 22,
        "by_model": {"boost-glide": 4, "ballistic": 4, "cruise": 2, "drone": 12},
        "groups_by_model": {"boost-glide": 4, "ballistic": 4, "cruise": 2, "drone": 1},
        "uncertain": 1,
    }
