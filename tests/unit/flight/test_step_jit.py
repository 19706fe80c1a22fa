"""The fused rocket step (tate.flight._step_jit) against the four-call compiled step and
the numpy reference, and the snapshot store (tate.flight.recording).

Oracles: the compiled four-call step (``Propagator._step_compiled``: the models'
``specific_force`` called from Python between the stage kernels) and the numpy path
(``tate.jit.ENABLED`` off when the objects are built).  The fused kernel calls the same
compiled force and stage kernels in the same order, so it must agree with the four-call
step bit for bit; with the numpy path it agrees to rounding (relative 1e-12 per step
here; on this machine also bit for bit).  The inputs are the default scenario's rockets
and gliders, stepped as :func:`tate.flight.fly.fly` steps them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from tate import jit
from tate.flight.fly import MAX_STEP_S
from tate.flight.integrator import Propagator
from tate.flight.recording import Snapshots

from .conftest import rockets_propagator


@pytest.fixture
def path(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """``path(compiled)`` sets the switch that the objects built next read."""
    def set_path(compiled: bool) -> None:
        monkeypatch.setattr(jit, "ENABLED", compiled)
    yield set_path


@pytest.fixture(scope="module")
def scenario() -> Any:
    from tate.flight.run import sample_for_run
    from tate.scenario import default_scenario_path, load_scenario

    return sample_for_run(load_scenario(default_scenario_path()), 1)[0]


def _same(ref: Propagator, got: Propagator, rtol: float) -> None:
    np.testing.assert_array_equal(got.alive, ref.alive)
    if rtol == 0.0:
        np.testing.assert_array_equal(got.y, ref.y)
    else:
        np.testing.assert_allclose(got.y, ref.y, rtol=rtol, atol=1e-9)
    assert got.t == ref.t
    assert len(got.crossings) == len(ref.crossings)
    assert len(got.impacts) == len(ref.impacts)
    for a, b in zip(ref.crossings + ref.impacts, got.crossings + got.impacts, strict=True):
        np.testing.assert_array_equal(b.body, a.body)
        np.testing.assert_allclose(b.time, a.time, rtol=0, atol=1e-9 if rtol else 0.0)
        np.testing.assert_allclose(b.pos, a.pos, rtol=rtol, atol=1e-6 if rtol else 0.0)


def test_fused_step_matches_four_calls_and_numpy(path: Any, scenario: Any,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Every adaptive step of the whole flight: boost, staging, separation, glide,
    apogees, dives and impacts."""
    path(False)
    numpy_ref = rockets_propagator(scenario)
    path(True)
    four = rockets_propagator(scenario)
    four._fusable = False  # the four-call compiled step
    fused = rockets_propagator(scenario)
    fused_steps = 0
    original = Propagator._step_fused

    def counted(self: Propagator, *args: Any) -> None:
        nonlocal fused_steps
        fused_steps += self is fused
        original(self, *args)

    monkeypatch.setattr(Propagator, "_step_fused", counted)
    while fused.alive.any() and fused.t < 3_000.0:
        mult = fused.steps_allowed(MAX_STEP_S, 0.2, 3_000.0)
        assert four.steps_allowed(MAX_STEP_S, 0.2, 3_000.0) == mult
        for prop in (numpy_ref, four, fused):
            prop.step(0.2 * mult)
        _same(four, fused, 0.0)
        _same(numpy_ref, fused, 1e-12)
    assert not fused.alive.any() and len(fused.impacts) >= 3
    assert {c.name for c in fused.crossings} == {"apogee"}
    assert fused_steps > 1_000


def test_compiled_apogees_match_the_numpy_bisection(path: Any, scenario: Any) -> None:
    """The apogee kernel against :meth:`Propagator._locate_events`' numpy bisection on the
    same step ends (every step of the flight that has a crossing)."""
    path(True)
    prop = rockets_propagator(scenario)
    checked = 0
    while prop.alive.any() and prop.t < 3_000.0:
        n_before = len(prop.crossings)
        prop.step(0.2 * prop.steps_allowed(MAX_STEP_S, 0.2, 3_000.0))
        if len(prop.crossings) == n_before:
            continue
        got = prop.crossings[n_before:]
        del prop.crossings[n_before:]
        kernels, prop._step_kernels = prop._step_kernels, None
        try:
            prop._locate_events(prop._y0)  # the numpy reference
        finally:
            prop._step_kernels = kernels
        ref = prop.crossings[n_before:]
        assert len(ref) == len(got)
        for a, b in zip(ref, got, strict=True):
            assert a.name == b.name
            np.testing.assert_array_equal(b.body, a.body)
            np.testing.assert_array_equal(b.time, a.time)
            np.testing.assert_array_equal(b.pos, a.pos)
        checked += 1
    assert checked >= 5


def test_fly_same_with_and_without_the_fused_step(monkeypatch: pytest.MonkeyPatch,
                                                  scenario: Any) -> None:
    """The whole default raid through :func:`fly`, every table identical."""
    import tate.flight.fly as fly_mod
    from tate.memo import Memo

    out = []
    for fused in (True, False):
        monkeypatch.setattr(fly_mod, "_FLOWN", Memo(fly_mod.FLOWN_CACHE_SIZE))
        if not fused:
            monkeypatch.setattr(Propagator, "_force_packs", lambda self: None)
        out.append(fly_mod.fly(scenario, dt=0.2, record_s=0.2, seed=1))
    a, b = out
    for table in ("trajectory", "summary", "events"):
        ta, tb = getattr(a, table), getattr(b, table)
        assert ta.keys() == tb.keys()
        for col in ta:
            np.testing.assert_array_equal(tb[col], ta[col], err_msg=f"{table}.{col}")
    assert len(a.trajectory["time_s"]) > 10_000


def test_snapshots_grow_and_list_their_records() -> None:
    rng = np.random.default_rng(3)
    snaps = Snapshots()
    assert snaps.last_time() is None and snaps.time == [] and snaps.arrays()[1].shape[0] == 0
    states = [rng.normal(size=(7, 5)) for _ in range(600)]  # past two growths
    flags = [rng.random(5) > 0.5 for _ in range(600)]
    for i, (y, alive) in enumerate(zip(states, flags, strict=True)):
        snaps.add(0.5 * i, y, alive)
        y[:] = np.nan  # the record is a copy
    assert snaps.size == 600 and snaps.last_time() == 299.5
    time, pos, vel, mass, alive = snaps.arrays()
    np.testing.assert_array_equal(time, 0.5 * np.arange(600))
    assert snaps.time == (0.5 * np.arange(600)).tolist()
    rng = np.random.default_rng(3)
    expect = np.array([rng.normal(size=(7, 5)) for _ in range(600)])
    np.testing.assert_array_equal(pos, expect[:, 0:3])
    np.testing.assert_array_equal(vel, expect[:, 3:6])
    np.testing.assert_array_equal(mass, expect[:, 6])
    np.testing.assert_array_equal(alive, np.array(flags))
    np.testing.assert_array_equal(np.array(snaps.pos), expect[:, 0:3])
    np.testing.assert_array_equal(np.array(snaps.alive), np.array(flags))
    with pytest.raises(ValueError, match="5 bodies"):
        snaps.add(0.0, np.zeros((7, 4)), np.ones(4, bool))
