"""The compiled step loop of the subsonic waypoint flyers (:mod:`tate.flight._slow_jit`)
against the Python loop of :func:`tate.flight.recording.run_adaptive`: the cruise
missiles and drones of the default scenario flown with the loop on and off give
bit-identical tables (trajectory, summary, events: launch, fuel-out, terminal homing,
impacts; records at the steps' ends and inside long steps), and the loop really flew
the whole flight (no Python step after the launch)."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from tate import jit
from tate.flight import fly as fly_mod
from tate.flight import recording
from tate.flight.fly import FlightResult, fly
from tate.flight.integrator import Propagator
from tate.flight.run import sample_for_run
from tate.memo import Memo
from tate.scenario import default_scenario_path, load_scenario

from .tables import assert_same_table as _same


@pytest.mark.parametrize("record_s", [0.2, 1.0])
def test_compiled_slow_loop_is_bit_identical(monkeypatch: pytest.MonkeyPatch,
                                             record_s: float) -> None:
    if not jit.enabled():
        pytest.skip("compiled path off")
    scn = load_scenario(default_scenario_path())
    scn, _ = sample_for_run(scn, 2)
    scn = scn.model_copy(update={"threats": [t for t in scn.threats
                                             if t.model in ("cruise", "drone")]})
    calls: list[int] = []
    steps: list[float] = []
    real = recording._fly_slow
    real_step = Propagator.step

    def counted(*args: Any) -> Any:
        calls.append(1)
        return real(*args)

    def step(self: Propagator, h: float | None = None) -> None:
        steps.append(self.t)
        real_step(self, h)

    monkeypatch.setattr(recording, "_fly_slow", counted)
    monkeypatch.setattr(Propagator, "step", step)
    monkeypatch.setattr(fly_mod, "_FLOWN", Memo(fly_mod.FLOWN_CACHE_SIZE))
    on: FlightResult = fly(scn, dt=0.5, record_s=record_s)
    assert calls and not steps  # every step made inside the loop

    def off(kern: Any, prop: Any, snaps: Any, max_step: float, base: float, t_end: float,
            rec: float, next_rec: int, *_: Any) -> tuple[None, int]:
        return None, next_rec  # the Python loop

    monkeypatch.setattr(recording, "_fly_slow", off)
    monkeypatch.setattr(fly_mod, "_FLOWN", Memo(fly_mod.FLOWN_CACHE_SIZE))
    ref: FlightResult = fly(scn, dt=0.5, record_s=record_s)
    assert len(steps) > 1000
    assert any(b - a > 0.5 + 1e-9 for a, b in itertools.pairwise(steps))  # long
    assert {"launch", "terminal-homing", "impact"} <= set(on.events["event"].tolist())
    _same(on.trajectory, ref.trajectory)
    _same(on.summary, ref.summary)
    _same(on.events, ref.events)
