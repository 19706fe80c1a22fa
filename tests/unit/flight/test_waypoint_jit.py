"""The compiled path of the waypoint flyers (:mod:`tate.flight.models._waypoint_jit`)
against the numpy reference in :mod:`tate.flight.models.waypoint`.

Per call: the states every :meth:`Waypoint.update` and :meth:`Waypoint.specific_force`
saw in real flights (the default scenario's cruise missiles and drone, and the test
raid of ``conftest.slow_flight`` with its waypoint, weave and fuel-out) are replayed
through a numpy-path and a compiled-path model holding the same state; commands,
forces, flags and phase logs must agree to rounding.  Whole flights: :func:`fly` of
both raids with either path gives the same impacts and phase events, times within
1e-9 s and positions within 1e-6 m.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest

from tate import jit
from tate.flight import fly as fly_mod
from tate.flight.build import build_raid
from tate.flight.eom import Environment, ellipsoid_up
from tate.flight.fly import fly
from tate.flight.models import waypoint as wp
from tate.flight.models.waypoint import TERMINAL_KINDS, Waypoint
from tate.scenario import default_scenario_path, load_scenario, loads_scenario

from .conftest import HEAD, assert_same_flight

SLOW_RAID = """
[[threats]]
id = "skim"
model = "cruise"
launch = { lat_deg = 20.0, lon_deg = 149.5 }
aim = { ship = "S" }
waypoints = [ { lat_deg = 20.2, lon_deg = 149.7 } ]
[[threats]]
id = "pop"
model = "cruise"
launch = { lat_deg = 20.0, lon_deg = 149.5 }
aim = { ship = "S" }
terminal = { kind = "pop-up", start_range_km = 15, pop_alt_m = 1500 }
[[threats]]
id = "weave"
model = "cruise"
launch = { lat_deg = 20.0, lon_deg = 149.5 }
aim = { ship = "S" }
terminal = { kind = "weave", start_range_km = 20, weave_g = 2, weave_period_s = 6 }
[[threats]]
id = "owa"
model = "drone"
count = 3
interval_s = 20
spread_m = 500
launch = { lat_deg = 19.9, lon_deg = 149.8 }
aim = { ship = "S" }
[[threats]]
id = "short"
model = "drone"
range_km = 10
launch = { lat_deg = 19.9, lon_deg = 149.8 }
aim = { lat_deg = 20.0, lon_deg = 150.0 }
"""

#: the model's state that update() changes (copied between the two paths' models)
STATE = ("leg", "flown", "fuel", "homing", "cmd", "_last_t", "_smooth")
ACC_ATOL = 1e-12  #: [m/s^2]
FLOWN_ATOL = 1e-9  #: [m]
FORCE_EVERY = 7  #: specific_force calls recorded (each model's k-th, 2k-th, ...)


def _default_slow() -> Any:
    scn = load_scenario(default_scenario_path())
    return scn.model_copy(
        update={"threats": [t for t in scn.threats if t.model in fly_mod.SLOW_MODELS]})


def _raids() -> dict[str, Any]:
    return {"default": _default_slow(), "test-raid": loads_scenario(HEAD + SLOW_RAID)}


def _env_copy(env: Environment) -> Environment:
    c = np.array
    return Environment(c(env.alt), c(env.rho), c(env.sound), c(env.speed), c(env.qbar),
                       c(env.mach), None if env.grav is None else c(env.grav),
                       None if env.up is None else c(env.up), env.frame)


@dataclass
class Call:
    """One call a numpy-path model received in a flight: the model (its parameters), a
    copy of its state and phase log before the call, and copies of the arguments."""

    model: Waypoint
    state: dict[str, Any]
    log: list[tuple[float, int, str]]
    args: tuple[Any, ...]


@dataclass
class Calls:
    """The calls of a flight, per model (its name) and verb."""

    update: dict[str, list[Call]] = field(default_factory=dict)
    force: dict[str, list[Call]] = field(default_factory=dict)
    result: Any = None  #: the flight's FlightResult (the numpy path's)


def _call(model: Waypoint, t: float, pos: Any, vel: Any, mass: Any,
          env: Environment) -> Call:
    state = {name: copy.copy(getattr(model, name)) for name in STATE}
    return Call(model, state, list(model.log.rows),
                (t, pos.copy(), vel.copy(), mass.copy(), _env_copy(env)))


def _record(scn: Any, monkeypatch: pytest.MonkeyPatch) -> Calls:
    """Fly ``scn`` on the numpy path, recording every update call and every
    ``FORCE_EVERY``-th specific_force call (and each after a fuel-out)."""
    calls = Calls()
    update, force = Waypoint.update, Waypoint.specific_force

    def rec_update(self: Waypoint, t: float, pos: Any, vel: Any, mass: Any,
                   env: Environment) -> None:
        calls.update.setdefault(self.name, []).append(_call(self, t, pos, vel, mass, env))
        update(self, t, pos, vel, mass, env)

    seen: dict[str, list[Any]] = {}  #: per model: force calls so far, fuel at the last kept

    def rec_force(self: Waypoint, t: float, pos: Any, vel: Any, mass: Any,
                  env: Environment, acc: Any, mdot: Any) -> None:
        count = seen.setdefault(self.name, [0, None])
        if count[0] % FORCE_EVERY == 0 or not np.array_equal(count[1], self.fuel):
            calls.force.setdefault(self.name, []).append(_call(self, t, pos, vel, mass, env))
            count[1] = self.fuel.copy()
        count[0] += 1
        force(self, t, pos, vel, mass, env, acc, mdot)

    with monkeypatch.context() as m:
        m.setattr(jit, "ENABLED", False)
        m.setattr(Waypoint, "update", rec_update)
        m.setattr(Waypoint, "specific_force", rec_force)
        fly_mod._FLOWN.clear()
        calls.result = fly(scn, dt=0.2)
    fly_mod._FLOWN.clear()
    return calls


@pytest.fixture(scope="module")
def recorded() -> dict[str, Calls]:
    with pytest.MonkeyPatch.context() as mp:
        return {name: _record(scn, mp) for name, scn in _raids().items()}


def _twin(call: Call, compiled: bool, monkeypatch: pytest.MonkeyPatch) -> Waypoint:
    """A model built on the given path with the parameters of the call's model and its
    state before the call."""
    monkeypatch.setattr(jit, "ENABLED", compiled)
    p = call.model
    m = Waypoint(p.route, p.speed, p.alt, p.max_accel, p.fuel_range, p.terminal,
                 p.terminal_range, p.pop_alt, p.weave_accel, p.weave_period,
                 p.final_range, p.name)
    for name, value in call.state.items():
        setattr(m, name, copy.copy(value))
    m.log.rows = list(call.log)
    assert m._jit is compiled
    return m


def _check_update(call: Call, monkeypatch: pytest.MonkeyPatch) -> dict[str, float]:
    ref, fast = _twin(call, False, monkeypatch), _twin(call, True, monkeypatch)
    for m in (ref, fast):
        m.update(*copy.deepcopy(call.args))
    np.testing.assert_allclose(fast.cmd, ref.cmd, rtol=1e-12, atol=ACC_ATOL)
    np.testing.assert_allclose(fast.flown, ref.flown, rtol=1e-12, atol=FLOWN_ATOL)
    for name in ("leg", "fuel", "homing", "_smooth"):
        np.testing.assert_array_equal(getattr(fast, name), getattr(ref, name), err_msg=name)
    assert fast._last_t == ref._last_t
    assert fast.log.rows == ref.log.rows
    return {"cmd": float(np.max(np.abs(fast.cmd - ref.cmd), initial=0.0)),
            "flown": float(np.max(np.abs(fast.flown - ref.flown), initial=0.0))}


def _check_force(call: Call, monkeypatch: pytest.MonkeyPatch) -> float:
    ref, fast = _twin(call, False, monkeypatch), _twin(call, True, monkeypatch)
    out = []
    for m in (ref, fast):
        acc, mdot = np.full((3, m.n), np.nan), np.full(m.n, np.nan)
        m.specific_force(*copy.deepcopy(call.args), acc, mdot)
        assert np.all(mdot == 0.0)
        out.append(acc)
    np.testing.assert_allclose(out[1], out[0], rtol=1e-12, atol=ACC_ATOL)
    return float(np.max(np.abs(out[1] - out[0]), initial=0.0))


def _interesting(calls: dict[str, list[Call]], every: int) -> list[Call]:
    """Of each model's calls, every ``every``-th and the calls just before and after a
    phase, leg or fuel change."""
    out = []
    for seq in calls.values():
        keep = set(range(0, len(seq), every))
        for k in range(1, len(seq)):
            a, b = seq[k - 1], seq[k]
            if a.log != b.log or any(not np.array_equal(a.state[n], b.state[n])
                                     for n in ("leg", "homing", "fuel")):
                keep.update(j for j in (k - 2, k - 1, k) if j >= 0)
        out.extend(seq[k] for k in sorted(keep))
    return out


@pytest.mark.parametrize("raid", ["default", "test-raid"])
def test_update_matches_numpy_per_call(recorded: dict[str, Calls], raid: str,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    worst = {"cmd": 0.0, "flown": 0.0}
    for call in _interesting(recorded[raid].update, 5):
        dev = _check_update(call, monkeypatch)
        worst = {key: max(worst[key], dev[key]) for key in worst}
    print(f"{raid}: max |Δcmd| {worst['cmd']:.3g} m/s^2, |Δflown| {worst['flown']:.3g} m")


@pytest.mark.parametrize("raid", ["default", "test-raid"])
def test_specific_force_matches_numpy_per_call(recorded: dict[str, Calls], raid: str,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    worst = max(_check_force(call, monkeypatch)
                for call in _interesting(recorded[raid].force, 3))
    print(f"{raid}: max |Δacc| {worst:.3g} m/s^2")


def test_recorded_calls_cover_every_branch(recorded: dict[str, Calls]) -> None:
    """The replayed states include waypoint passes, fuel-out (falling bodies), pop-up,
    weave and homing, so the per-call tests exercise every branch of the kernels."""
    seen: dict[str, set[str]] = {}
    for raid, calls in recorded.items():
        seen[raid] = set()
        for seq in calls.update.values():
            last = seq[-1]
            seen[raid] |= {name for _, _, name in last.log}
            seen[raid] |= {"leg"} if np.any(last.state["leg"] > 0) else set()
            seen[raid] |= {TERMINAL_KINDS[k] for k in last.model.terminal}
    assert {"fuel-out", "terminal-homing", "leg", "pop-up", "weave", "none"} <= seen["test-raid"]
    assert {"terminal-homing", "pop-up", "weave", "none"} <= seen["default"]


def test_specific_force_without_fuel_and_up(monkeypatch: pytest.MonkeyPatch) -> None:
    """An environment without ``up`` or ``grav`` (the model computes them), a body out of
    fuel, one standing still and one flying vertically (the lift frame's fallback)."""
    scn = loads_scenario(HEAD + SLOW_RAID)
    monkeypatch.setattr(jit, "ENABLED", False)
    raid = build_raid(scn, 0.2)
    model = raid.models[0]
    sl = slice(0, model.n)
    pos, vel = raid.pos[:, sl].copy(), raid.vel[:, sl].copy()
    vel[:, 1] = 0.0
    vel[:, 2] = 120.0 * ellipsoid_up(pos[:, 2:3])[:, 0]
    model.fuel[0] = False
    model.cmd[:] = [[1.0], [-2.0], [3.0]]
    env = Environment.empty(model.n, up=True)
    env.compute(pos, vel, wp._FRAME)
    bare = Environment(env.alt, env.rho, env.sound, env.speed, env.qbar, env.mach)
    for e in (env, bare):
        call = _call(model, 0.0, pos, vel, np.ones(model.n), e)
        _check_force(call, monkeypatch)


def test_kernel_constants_are_the_models() -> None:
    from tate.flight.models import _waypoint_jit as k

    for name in ("K_SPEED", "KP_ALT", "KD_ALT", "K_HEADING", "NAV_GAIN", "WAYPOINT_RADIUS",
                 "FUEL_OUT_BETA", "CRUISE_MARGIN_S", "CRUISE_ALT_TOL_M", "G"):
        assert getattr(k, name) == getattr(wp, name), name


def _flight(scn: Any, compiled: bool, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setattr(jit, "ENABLED", compiled)
    fly_mod._FLOWN.clear()
    try:
        return fly(scn, dt=0.2)
    finally:
        fly_mod._FLOWN.clear()


@pytest.mark.parametrize("raid", ["default", "test-raid"])
def test_whole_flight_matches_numpy(recorded: dict[str, Calls], raid: str,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """The recorded flight (numpy path; the recording does not change it) against a
    flight on the compiled path."""
    ref, fast = recorded[raid].result, _flight(_raids()[raid], True, monkeypatch)
    assert fast.status == ref.status
    dev = assert_same_flight(ref, fast)
    assert "impact" in ref.events["event"].tolist()
    print(f"{raid}: max |Δpos| {dev['pos_m']:.3g} m, |Δevent t| {dev['time_s']:.3g} s")
