"""The compiled step limit of the adaptive run (tate.flight._step_jit.steps_allowed)
against the models' ``max_step`` in Python (tate.flight.recording.steps_allowed's
reference path).

Oracle: the same propagator's limit with its step packs removed (then every live model's
``max_step`` is asked in Python), at every adaptive step of the default scenario's rockets
and gliders (boost, coast above 80 km, glide, dive, impacts), and at a few horizons that
cut the step short.  The counts must be equal; the padding packs over no columns (one
tuple length, one overload) must not cap the step.
"""

from __future__ import annotations

import pytest

from tate import jit
from tate.flight.fly import MAX_STEP_S
from tate.flight.integrator import Propagator
from tate.flight.recording import PACKS

from .conftest import rockets_propagator


def _python_limit(prop: Propagator, max_step: float, t_end: float) -> int:
    packs, prop._step_packs = prop._step_packs, None
    try:
        return prop.steps_allowed(max_step, 0.2, t_end)
    finally:
        prop._step_packs = packs


def test_compiled_step_limit_matches_the_models(monkeypatch: pytest.MonkeyPatch) -> None:
    from tate.flight.run import sample_for_run
    from tate.scenario import default_scenario_path, load_scenario

    monkeypatch.setattr(jit, "ENABLED", True)
    scn = sample_for_run(load_scenario(default_scenario_path()), 1)[0]
    prop = rockets_propagator(scn)
    assert prop._step_packs is not None and len(prop._step_packs) == PACKS  # padded
    assert sum(p[1] < p[2] for p in prop._step_packs) == len(prop.models)
    seen: set[int] = set()
    n_packs: set[int] = set()
    while prop.alive.any() and prop.t < 3_000.0:
        mult = prop.steps_allowed(MAX_STEP_S, 0.2, 3_000.0)
        assert mult == _python_limit(prop, MAX_STEP_S, 3_000.0)
        for t_end, cap in ((prop.t + 0.5, MAX_STEP_S), (prop.t + 1.01, 0.7),
                           (3_000.0, 0.39)):
            assert prop.steps_allowed(cap, 0.2, t_end) == _python_limit(prop, cap, t_end)
        seen.add(mult)
        packs = prop._step_packs or ()
        n_packs.add(sum(p[1] < p[2] for p in packs))
        assert len(packs) in (0, PACKS)  # one tuple type: one overload
        assert len(prop._force_packs() or (0,) * PACKS) == PACKS
        prop.step(0.2 * mult)
    assert not prop.alive.any()
    assert {1, 5, 50} <= seen  # base steps, glides, coasts above 80 km
    assert len(n_packs) > 1  # models retired on the way


def test_glide_guidance_arguments_follow_a_new_aim(monkeypatch: pytest.MonkeyPatch) -> None:
    """The glide guidance's arguments are kept between calls (``BoostGlide._guide_args``)
    but made again when the aim points (or the state arrays) are replaced."""
    from tate.flight.models.boost_glide import BoostGlide
    from tate.flight.run import sample_for_run
    from tate.scenario import default_scenario_path, load_scenario

    monkeypatch.setattr(jit, "ENABLED", True)
    scn = sample_for_run(load_scenario(default_scenario_path()), 1)[0]
    prop = rockets_propagator(scn)
    glider = next(m for m in prop.models if isinstance(m, BoostGlide))
    while not glider._guide_args:
        prop.step()
    first = glider._guide_args
    prop.step()
    assert glider._guide_args is first  # kept
    glider.aim = glider.aim + 1.0
    prop.step()
    assert glider._guide_args is not first and glider._guide_args[8] is glider.aim


def test_padding_packs_do_not_cap_the_step(monkeypatch: pytest.MonkeyPatch) -> None:
    """A pack over no columns (``tate.flight.recording.pad``) is skipped by the compiled
    limit even when every body is alive: an empty glide pack would cap a coast above
    80 km (10 s) to the glide step (1 s)."""
    import numpy as np

    from tate.flight._step_jit import steps_allowed
    from tate.flight.models.base import FORCE_BALLISTIC, FORCE_GLIDE

    monkeypatch.setattr(jit, "ENABLED", True)
    sep, no_phase = np.ones(2, bool), np.zeros(2, np.int8)
    coast = (FORCE_BALLISTIC, 0, 2, sep, sep, no_phase)
    empty = (FORCE_GLIDE, 0, 0, np.zeros(0, bool), np.zeros(0, bool), np.zeros(0, np.int8))
    alive, alt, speed = np.ones(2, bool), np.full(2, 200e3), np.full(2, 3_000.0)
    args = (alive, alt, speed, MAX_STEP_S, 0.2, 3_000.0, 0.0)
    assert steps_allowed((coast, empty, empty), *args) == steps_allowed(
        (coast, coast, coast), *args) == round(min(MAX_STEP_S, 10.0) / 0.2)
