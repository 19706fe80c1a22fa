"""The ``learned`` verify case passes with the bundled model and fails with a broken one
(a case that cannot fail verifies nothing)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import tate.predict.data
from tate.predict import checks
from tate.predict.impact import ground
from tate.predict.learned import LearnedModel, load_default


def test_learned_case_passes_and_fails_when_the_model_is_broken(
        monkeypatch: pytest.MonkeyPatch) -> None:
    real = tate.predict.data.generate_run
    memo: dict[tuple[str, int, int], Any] = {}

    def cached(scenario: Any, seed: int, run: int = 0) -> Any:
        from tate.scenario import scenario_hash

        key = (scenario_hash(scenario), seed, run)
        if key not in memo:
            memo[key] = real(scenario, seed, run)
        return memo[key]

    monkeypatch.setattr(tate.predict.data, "generate_run", cached)
    rows = checks.learned_case()
    assert len(rows) == 8
    assert all(r.passed for r in rows), [r for r in rows if not r.passed]
    model = load_default()
    # a predictor that adds 5 km sideways at every horizon is worse than a straight line
    broken_offsets = lambda self, pos, vel, sigma, X=None: np.broadcast_to(  # noqa: E731
        np.array([0.0, 5e3, 0.0]), (pos.shape[0], self.horizons.size, 3))
    monkeypatch.setattr(LearnedModel, "offsets", broken_offsets)
    # an impact point 400 s of flight behind the track is worse than a ballistic fall
    broken_impact = lambda self, pos, vel, sigma, X=None: (  # noqa: E731
        ground(pos[:, -1] - 400.0 * vel[:, -1]), np.full(pos.shape[0], 100.0))
    monkeypatch.setattr(LearnedModel, "impact", broken_impact)
    # a classifier that calls everything a drone
    monkeypatch.setattr(type(model.classifier), "predict_proba",
                        lambda self, X: np.eye(len(model.classes))[
                            np.full(X.shape[0], model.classes.index("drone"))])
    rows = checks.learned_case()
    assert not any(r.passed for r in rows), rows
