"""Scenario keys of the defence: magazines, railguns, ship values and [c2]."""

from __future__ import annotations

from pathlib import Path

import pytest

from tate.errors import ScenarioError
from tate.scenario.loader import loads_scenario
from tate.scenario.presets import SHIP_CLASSES

BASE = (Path(__file__).resolve().parents[3] / "examples" / "sensors.toml").read_text()


def _load(ship_extra: str = "", tail: str = "") -> object:
    text = BASE.replace("speed_kn = 15", "speed_kn = 15\n" + ship_extra, 1) + tail
    return loads_scenario(text, "s.toml")


def test_defaults_come_from_the_class() -> None:
    scn = _load()
    ship = scn.ships[0]  # type: ignore[attr-defined]
    assert ship.rounds == dict(SHIP_CLASSES["ddg51-flight2a"].magazine)
    assert ship.railgun is None and ship.value == 1.0
    assert scn.c2.assigner == "milp" and scn.c2.layers[0] == "exo"  # type: ignore[attr-defined]


def test_explicit_magazine_railgun_and_c2() -> None:
    scn = _load('magazine = { sm6-like = 10 }\nrailgun = "atla-40mm-like"\nvalue = 3',
                '\n[c2]\nassigner = "greedy"\ndoctrine = "salvo"\nsalvo = 3\n'
                'layers = ["terminal", "point"]\nmin_pk = 0.5\n')
    ship = scn.ships[0]  # type: ignore[attr-defined]
    assert ship.rounds == {"sm6-like": 10} and ship.railgun == "atla-40mm-like"
    assert ship.value == 3
    c2 = scn.c2  # type: ignore[attr-defined]
    assert (c2.assigner, c2.doctrine, c2.salvo, c2.layers, c2.min_pk) == (
        "greedy", "salvo", 3, ["terminal", "point"], 0.5)


@pytest.mark.parametrize(("extra", "tail", "path", "text"), [
    ("magazine = { sm7-like = 3 }", "", "ships[0].magazine.sm7-like", "unknown weapon preset"),
    ("magazine = { sm6-like = -3 }", "", "ships[0].magazine.sm6-like", "must be >= 0"),
    ("magazine = { sm6-like = 2.5 }", "", "ships[0].magazine.sm6-like", ""),
    ('railgun = "coilgun"', "", "ships[0].railgun", "unknown railgun preset"),
    ("", '\n[c2]\nassigner = "oracle"\n', "c2.assigner", ""),
    ("", '\n[c2]\nlayers = ["exo", "exo"]\n', "c2.layers[1]", "layer listed twice"),
    ("", "\n[c2]\nsalvo = 9\n", "c2.salvo", ""),
    ("", "\n[c2]\nlaser = true\n", "c2.laser", "unknown key"),
])
def test_bad_defence_keys_name_the_path(extra: str, tail: str, path: str, text: str) -> None:
    with pytest.raises(ScenarioError) as err:
        _load(extra, tail)
    assert f"s.toml: {path}:" in str(err.value) and text in str(err.value)
