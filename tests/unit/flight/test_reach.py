"""The reach check of `tate validate` for the flown models (the drone case is in the
scenario error tests)."""

from __future__ import annotations

import pytest

from tate.errors import ScenarioError
from tate.flight.reach import check_reach, max_ranges

from .conftest import BOOSTER, MRBM, scenario


def _threat(model: str, lon: float, body: str) -> str:
    return f"""
[[threats]]
id = "T"
model = "{model}"
launch = {{ lat_deg = 20.0, lon_deg = {lon} }}
aim = {{ ship = "S" }}
{body}
"""


def test_mrbm_beyond_its_range_is_refused_with_the_key_path() -> None:
    scn = scenario(_threat("ballistic", 110.0, MRBM))  # about 3,100 km
    with pytest.raises(ScenarioError) as info:
        check_reach(scn)
    assert info.value.path == "threats[0].aim"
    assert "out of reach" in info.value.message


def test_glider_range_brackets_the_closed_form() -> None:
    # 1,463 km is flown in the glide tests; 3,000 km is far beyond an L/D 2.6 glider
    # entering at ~3.5 km/s (closed-form glide range ≈ 1,550 km plus the boost).
    glider = BOOSTER + "glide = { lift_to_drag = 2.6, ballistic_coeff_kg_m2 = 13000 }\n"
    near = max_ranges(scenario(_threat("boost-glide", 136.0, glider)))
    need, best = near[0]
    assert need < best < 2_600e3
    far = scenario(_threat("boost-glide", 121.0, glider))
    with pytest.raises(ScenarioError, match="out of reach"):
        check_reach(far)


def test_depressed_shot_at_a_close_target_is_refused() -> None:
    # 110 km is far inside the full-burn range, but no depressed (below the max-range
    # angle) full-burn program lands that short; a lofted one does.
    depressed = scenario(_threat("ballistic", 148.95, MRBM + 'trajectory = "depressed"\n'))
    with pytest.raises(ScenarioError, match="no depressed trajectory") as info:
        check_reach(depressed)
    assert info.value.path == "threats[0].aim"
    check_reach(scenario(_threat("ballistic", 148.95, MRBM + 'trajectory = "minimum-energy"\n')))


def test_out_of_reach_names_the_right_threat_when_gliders_are_not_first() -> None:
    glider = BOOSTER + "glide = { lift_to_drag = 2.6, ballistic_coeff_kg_m2 = 13000 }\n"
    drone = """
[[threats]]
id = "D"
model = "drone"
launch = { lat_deg = 20.0, lon_deg = 149.8 }
aim = { ship = "S" }
"""
    far = scenario(drone + _threat("boost-glide", 121.0, glider))
    with pytest.raises(ScenarioError) as info:
        check_reach(far)
    assert info.value.path == "threats[1].aim"
    assert "boost-glide" in info.value.message
