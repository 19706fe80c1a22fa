"""Errors keep their key path and value through pickling (process pools send them)."""

from __future__ import annotations

import pickle

from tate.errors import ScenarioError


def test_scenario_error_round_trips_through_pickle() -> None:
    for err in (ScenarioError("must be > 0", "threats[0].mass_kg", -5.0, "s.toml"),
                ScenarioError("file not found", file="x.toml")):
        back = pickle.loads(pickle.dumps(err))
        assert (back.message, back.path, back.file) == (err.message, err.path, err.file)
        assert str(back) == str(err)
    assert str(ScenarioError("file not found", file="x.toml")) == "x.toml: file not found"
