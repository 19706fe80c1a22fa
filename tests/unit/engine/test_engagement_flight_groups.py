"""The engagement flies alone only the rocket and glider entries that hold a distribution
(``fly(..., alone=)``), so the runs of a study re-fly only those: in the default scenario
HGV-1, whose lift-to-drag ratio is drawn per run."""

from __future__ import annotations

import pytest

from tate.engine.engagement import Engagement
from tate.flight import fly as fly_mod
from tate.scenario import default_scenario_path, load_scenario
from tests.unit.flight.conftest import count_builds


def test_runs_re_fly_only_the_entries_drawn_per_run(monkeypatch: pytest.MonkeyPatch) -> None:
    scn = load_scenario(default_scenario_path())
    built = count_builds(monkeypatch)
    fly_mod._FLOWN.clear()
    Engagement(scn, seed=1)
    groups = sorted(built)
    assert ["HGV-1"] in groups and ["HGV-2", "HGV-3", "HGV-4"] in groups
    assert ["MRBM-1", "MRBM-2", "MRBM-3", "MRBM-4"] in groups
    built.clear()
    Engagement(scn, seed=2)
    assert built == [["HGV-1"]]
