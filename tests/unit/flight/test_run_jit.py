"""The compiled step loop (:mod:`tate.flight._run_jit`) against the Python loop of
:func:`tate.flight.recording.run_adaptive`: the same raid flown with the loop on and off
gives bit-identical tables (trajectory, summary, events: boost, separation, glide, dive,
apogee and impact rows), and the loop really made most of the steps."""

from __future__ import annotations

import sys
from typing import Any

import numpy as np
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
def test_compiled_loop_is_bit_identical(monkeypatch: pytest.MonkeyPatch,
                                        record_s: float) -> None:
    if not jit.enabled():
        pytest.skip("compiled path off")
    scn = load_scenario(default_scenario_path())
    scn = scn.model_copy(update={"threats": [t for t in scn.threats
                                             if t.id in ("HGV-4", "HGV-1", "MRBM-1")]})
    scn, _ = sample_for_run(scn, 3)
    calls: list[int] = []
    real = recording._fly_steps

    def counted(*args: Any) -> Any:
        out = real(*args)
        calls.append(1)
        return out

    steps: list[float] = []
    real_step = Propagator.step

    def counted_step(self: Propagator, h: float | None = None) -> None:
        caller = sys._getframe(1)  # the raid's run (not the locators' or the aiming's)
        if caller.f_code.co_name == "run_adaptive" and caller.f_locals["record_every"]:
            steps.append(self.dt if h is None else h)
        real_step(self, h)

    monkeypatch.setattr(recording, "_fly_steps", counted)
    monkeypatch.setattr(Propagator, "step", counted_step)
    monkeypatch.setattr(fly_mod, "_FLOWN", Memo(fly_mod.FLOWN_CACHE_SIZE))  # flown, each
    on: FlightResult = fly(scn, dt=0.2, record_s=record_s)
    on_steps, steps[:] = list(steps), []
    monkeypatch.setattr(recording, "_RUN_KERNELS", None)
    monkeypatch.setattr(fly_mod, "_FLOWN", Memo(fly_mod.FLOWN_CACHE_SIZE))
    off: FlightResult = fly(scn, dt=0.2, record_s=record_s)
    n_rows = len(on.trajectory["time_s"])
    assert calls and len(calls) < n_rows / 2  # most steps made inside the loop
    # the long steps too (Python's: the launch, staging, a few after a hand-back)
    assert sum(h > 0.2 + 1e-9 for h in steps) > 100
    assert len(on_steps) < 30  # Python steps of the three propagations (one per entry)
    assert {"dive", "glide", "rv-separation", "apogee", "impact"} <= set(
        on.events["event"].tolist())
    _same(on.trajectory, off.trajectory)
    _same(on.summary, off.summary)
    _same(on.events, off.events)


def test_body_major_check_matches_lexsort() -> None:
    from tate.flight.fly import _body_major

    rng = np.random.default_rng(5)
    for _ in range(200):
        body = rng.integers(0, 3, 8)
        t = rng.integers(0, 4, 8).astype(float)
        order = np.lexsort((t, body))
        assert _body_major(body, t) == bool((body[order] == body).all()
                                            and (t[order] == t).all())
    assert _body_major(np.array([0, 0, 1]), np.array([1.0, 1.0, 0.0]))
    assert not _body_major(np.array([1, 0]), np.array([0.0, 1.0]))
    assert not _body_major(np.array([0, 0]), np.array([1.0, 0.0]))
