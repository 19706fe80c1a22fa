"""``c2.predictor`` end to end: a boost-glide raid on one ship, run with each predictor.

Oracles: the engine's own code path from before the predictors existed (engageability
predicting inside :func:`tate.c2.engage.opportunities`, midcourse re-aiming by
:func:`tate.c2.engage.predict_path`), selected by making ``Defence._predict`` return
None: the default ``kinematic`` predictor must give every table bit for bit the same;
the scenario rule that ``learned`` without its module is a :class:`ScenarioError` naming
``c2.predictor``; and a stand-in learned model that must be loaded once, at first use.
"""

from __future__ import annotations

import sys
import types
from typing import Any

import numpy as np
import pytest

from tate.engine.defence import Defence
from tate.engine.engagement import Engagement
from tate.errors import ScenarioError
from tate.predict import paths
from tate.predict.glide import predict_constant_velocity
from tate.scenario.loader import loads_scenario
from tests.unit.engine.test_engagement import DEFENDED
from tests.unit.predict.scenes import glider, scene

SEED = 3
#: a glider launched 630 km out: boost to 105 s, pull-up to about 39 km, dive at the ship
#: from about 190 s; tracked from about 60 s, classified a glider from about 100 s to 205 s
RAID = (scene("predictor", 1200, "magazine = { gpi-like = 4, sm6-like = 4 }")
        + '\n[[threats]]\nid = "G"\n' + glider(144.0))


def _engagement(predictor: str | None, text: str = RAID) -> Engagement:
    c2 = f'\n[c2]\npredictor = "{predictor}"\n' if predictor else ""
    return Engagement(loads_scenario(text + c2, "predictor.toml"), SEED)


def _same_tables(a: Any, b: Any) -> None:
    for name in a.TABLES:
        ta, tb = getattr(a, name), getattr(b, name)
        assert list(ta) == list(tb), name
        for key in ta:
            np.testing.assert_array_equal(ta[key], tb[key], err_msg=f"{name}.{key}")


def test_kinematic_is_the_old_code_path(monkeypatch: pytest.MonkeyPatch) -> None:
    eng = _engagement(None)
    assert eng.defence.predictor == "kinematic"
    new = eng.run()
    assert new.shots["time_s"].size >= 1  # the raid is engaged: the paths matter
    with monkeypatch.context() as m:
        m.setattr(Defence, "_predict", lambda self, *args: None)
        old = _engagement("kinematic").run()
    _same_tables(new, old)
    assert eng.defence.model_predictions == 0


def test_glide_physics_predicts_the_glider() -> None:
    eng = _engagement("glide-physics")
    eng.run()
    # the glider is classified as one for ~50 decisions; the first 10 lack a full window
    assert eng.defence.model_predictions >= 20
    assert eng.defence.history.ids.size >= 1


def test_learned_without_its_module_is_a_scenario_error(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "tate.predict.learned", None)  # import fails
    with pytest.raises(ScenarioError) as err:
        _engagement("learned", DEFENDED)
    assert err.value.path == "c2.predictor"
    assert "c2.predictor" in str(err.value) and "learned" in str(err.value)


class _StraightLine:
    """Stand-in learned model: every window a glider, predicted at constant velocity."""

    def classify(self, pos: Any, vel: Any, sigma: Any) -> Any:
        import numpy as np

        return np.full(pos.shape[0], "glider", dtype=object), np.ones((pos.shape[0], 1))

    def predict(self, times: Any, pos: Any, vel: Any, horizons: Any) -> Any:
        return predict_constant_velocity(times, pos, vel, horizons)


def test_learned_model_loads_once_at_first_use(monkeypatch: pytest.MonkeyPatch) -> None:
    loads: list[int] = []
    aims: list[float] = []
    interpolate = paths.interpolate_path

    def spy(tau: Any, path: Any, start: Any, h: float) -> Any:
        aims.append(h)
        return interpolate(tau, path, start, h)

    monkeypatch.setattr(paths, "interpolate_path", spy)

    def load_default() -> _StraightLine:
        loads.append(1)
        return _StraightLine()

    module = types.ModuleType("tate.predict.learned")
    module.load_default = load_default  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "tate.predict.learned", module)
    eng = _engagement("learned")
    assert loads == []  # not at construction
    eng.run()
    assert loads == [1]
    assert eng.defence.classified >= eng.defence.model_predictions
    assert eng.defence.model_predictions >= 20
    assert aims  # the GPI-like round of ~100 s is re-aimed on the model's path


def test_an_unknown_predictor_is_a_scenario_error() -> None:
    with pytest.raises(ScenarioError) as err:
        loads_scenario(DEFENDED + '\n[c2]\npredictor = "kalman"\n', "predictor.toml")
    assert "c2.predictor" in str(err.value) and "kalman" in str(err.value)


def test_imm_tracks_with_the_imm_and_predicts_the_glider_with_it() -> None:
    eng = _engagement("imm")
    assert eng.tracker.config.motion == "imm"
    assert _engagement(None).tracker.config.motion == "cv"
    res = eng.run()
    assert eng.defence.model_predictions >= 20
    assert res.shots["time_s"].size >= 1


def test_a_track_is_not_fired_at_again_before_its_round_is_assessed() -> None:
    """A track on no threat (false, or lagging a manoeuvring glider) is held by its own id:
    before the fix the learned predictor's engageable lagging tracks drew a round every
    decision (5 rounds at one track within 4 s of the previous on this raid)."""
    from pathlib import Path

    from tate.scenario import load_scenario

    scn = load_scenario(Path(__file__).parents[3] / "examples" / "glide_raid.toml")
    scn = scn.model_copy(update={"c2": scn.c2.model_copy(update={"predictor": "learned"})})
    res = Engagement(scn, 1).run()
    t = np.asarray(res.shots["time_s"])
    track = np.asarray(res.shots["track_id"])
    assert t.size >= 3
    gap = float(scn.c2.kill_assessment_s)
    for k in np.unique(track):
        times = np.sort(t[track == k])
        assert (np.diff(times) > gap).all(), (k, times)
