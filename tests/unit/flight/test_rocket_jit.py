"""The compiled path of the rocket models (:mod:`tate.flight.models._rocket_jit`) against
the numpy reference: per call on states of real flights, and whole flights of every
glide manoeuvre family, of the three ballistic trajectories and of the default raid's
rockets and gliders.

Per call: while the numpy models fly, every few calls a copy of the model switched to
the compiled path gets the same state and its forces, lift commands, phases, phase log
and staging are compared.  Whole flights: both paths fly the same scenario (the
ballistic aim comes from the shooting memo, so both fly the same aim; the aim itself is
compared separately with the memo cleared).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest

import tate.jit
from tate.flight import build, targeting
from tate.flight.fly import FlightResult, fly
from tate.flight.models.ballistic import Ballistic
from tate.flight.models.boost_glide import BoostGlide
from tate.flight.run import sample_for_run
from tate.memo import Memo
from tate.scenario import default_scenario_path, load_scenario

from .conftest import BOOSTER, MRBM, assert_same_flight, scenario

ROCKETS = ("ballistic", "boost-glide")
ACC_ATOL = 1e-12  #: [m/s^2]

FAMILIES = f"""
[[threats]]
id = "eq"
model = "boost-glide"
launch = {{ lat_deg = 20.0, lon_deg = 136.0 }}
aim = {{ ship = "S" }}
glide = {{ lift_to_drag = 2.6, ballistic_coeff_kg_m2 = 13000 }}
{BOOSTER}
[[threats]]
id = "alt40-sturn"
model = "boost-glide"
launch = {{ lat_deg = 20.0, lon_deg = 136.0 }}
aim = {{ ship = "S" }}
glide = {{ lift_to_drag = 2.6, alt_m = 40000 }}
manoeuvre = {{ kind = "s-turn", bank_deg = 30, period_s = 60 }}
{BOOSTER}
[[threats]]
id = "weave"
model = "boost-glide"
launch = {{ lat_deg = 20.5, lon_deg = 136.0 }}
aim = {{ ship = "S" }}
glide = {{ lift_to_drag = 2.6, ballistic_coeff_kg_m2 = 13000 }}
manoeuvre = {{ kind = "weave", bank_deg = 35, period_s = 40 }}
{BOOSTER}
[[threats]]
id = "cut"
model = "boost-glide"
launch = {{ lat_deg = 20.0, lon_deg = 137.0 }}
aim = {{ ship = "S" }}
glide = {{ lift_to_drag = 2.6, ballistic_coeff_kg_m2 = 13000, entry_speed_mps = 2200 }}
{BOOSTER}
[[threats]]
id = "cavh"
model = "boost-glide"
launch = {{ lat_deg = 20.0, lon_deg = 136.0 }}
aim = {{ ship = "S" }}
glide = {{ aero = "cav-h", area_m2 = 0.96 }}
{BOOSTER}
[[threats]]
id = "cavh-weave"
model = "boost-glide"
launch = {{ lat_deg = 19.5, lon_deg = 136.0 }}
aim = {{ ship = "S" }}
glide = {{ aero = "cav-h", area_m2 = 0.96 }}
manoeuvre = {{ kind = "weave", bank_deg = 25, period_s = 30 }}
{BOOSTER}
[[threats]]
id = "cavh-sturn"
model = "boost-glide"
launch = {{ lat_deg = 20.0, lon_deg = 136.5 }}
aim = {{ ship = "S" }}
glide = {{ aero = "cav-h", area_m2 = 0.96 }}
manoeuvre = {{ kind = "s-turn", bank_deg = 30, period_s = 45 }}
{BOOSTER}
"""
BALLISTIC = "".join(f"""
[[threats]]
id = "{mode}"
model = "ballistic"
launch = {{ lat_deg = 20.0, lon_deg = 140.5 }}
aim = {{ ship = "S" }}
trajectory = "{mode}"
{MRBM}
""" for mode in ("minimum-energy", "lofted", "depressed"))


def default_rockets() -> Any:
    """The default scenario (sampled as a run samples it) with only its rockets and
    gliders."""
    scn, _ = sample_for_run(load_scenario(default_scenario_path()), None)
    return scn.model_copy(update={"threats": [t for t in scn.threats if t.model in ROCKETS]})


@pytest.fixture
def jit_switch(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[bool], None]]:
    """Set :data:`tate.jit.ENABLED` for the objects built next (restored afterwards)."""
    monkeypatch.setattr(tate.jit, "ENABLED", tate.jit.ENABLED)

    def switch(on: bool) -> None:
        monkeypatch.setattr(tate.jit, "ENABLED", on)

    yield switch


# --- per call -----------------------------------------------------------------------------

def only_compiled(ref: Any, compiled: Any) -> dict[str, Any]:
    """The attributes of ``compiled`` that the numpy object ``ref`` has not (kernels,
    scratch arrays), and the switch."""
    return {k: v for k, v in vars(compiled).items() if k not in vars(ref) or k == "_jit"}


class Checker:
    """Wraps a numpy model's two verbs: every ``every``-th call, a copy of the model on
    the compiled path is called with the same arguments first and the outcomes compared.
    ``dev`` collects the largest deviations seen."""

    def __init__(self, ref: Any, compiled: Any, every: int, dev: dict[str, float]) -> None:
        self.ref = ref
        #: what the compiled model has and the numpy one has not (the kernels, switch)
        self.extra = only_compiled(ref, compiled)
        self.extra_booster = only_compiled(ref.booster, compiled.booster)
        self.every = every
        self.dev = dev
        self.calls = {"update": 0, "force": 0}
        self.done = {"update": 0, "force": 0}
        self._update, self._force = ref.update, ref.specific_force
        ref.update = self.update
        ref.specific_force = self.specific_force

    def twin(self) -> Any:
        """The numpy model as it is now, switched to the compiled path."""
        twin = copy.deepcopy(self.ref, {id(self): self})  # not this checker
        for verb in ("update", "specific_force"):
            del vars(twin)[verb]
        vars(twin).update(self.extra)
        vars(twin.booster).update(self.extra_booster)
        return twin

    def note(self, key: str, a: Any, b: Any) -> None:
        a, b = np.asarray(a, float), np.asarray(b, float)
        both = np.isfinite(a) & np.isfinite(b)  # (a cut-off time may be inf in both)
        d = float(np.max(np.abs(a[both] - b[both]), initial=0.0))
        self.dev[key] = max(self.dev.get(key, 0.0), d)

    def update(self, t: float, pos: Any, vel: Any, mass: Any, env: Any) -> None:
        self.calls["update"] += 1
        if self.calls["update"] % self.every:
            self._update(t, pos, vel, mass, env)
            return
        twin, m2 = self.twin(), mass.copy()
        twin.update(t, pos, vel, m2, env)
        self._update(t, pos, vel, mass, env)
        ref = self.ref
        np.testing.assert_array_equal(m2, mass)
        assert twin.log.rows == ref.log.rows
        for name in ("separated", "dropped", "cut_time", "t_burnout", "thrust", "mflow"):
            a, b = getattr(twin.booster, name), getattr(ref.booster, name)
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=0, err_msg=name)
            self.note(name, a, b)
        if isinstance(ref, BoostGlide):
            np.testing.assert_array_equal(twin.phase, ref.phase)
            np.testing.assert_array_equal(twin._smooth, ref._smooth)
            assert twin._next_guidance == ref._next_guidance
            for name in ("u_l", "u_s"):
                a, b = getattr(twin, name), getattr(ref, name)
                np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12, err_msg=name)
                self.note(name, a, b)
        self.done["update"] += 1

    def specific_force(self, t: float, pos: Any, vel: Any, mass: Any, env: Any, acc: Any,
                       mdot: Any) -> None:
        self.calls["force"] += 1
        if self.calls["force"] % self.every:
            self._force(t, pos, vel, mass, env, acc, mdot)
            return
        acc2, mdot2 = np.full_like(acc, np.nan), np.full_like(mdot, np.nan)
        self.twin().specific_force(t, pos, vel, mass, env, acc2, mdot2)
        self._force(t, pos, vel, mass, env, acc, mdot)
        np.testing.assert_allclose(acc2, acc, rtol=1e-12, atol=ACC_ATOL)
        np.testing.assert_allclose(mdot2, mdot, rtol=1e-12, atol=1e-12)
        self.note(f"acc {self.ref.name}", acc2, acc)
        self.note(f"mdot {self.ref.name}", mdot2, mdot)
        self.done["force"] += 1


def fly_checked(scn: Any, jit_switch: Callable[[bool], None], monkeypatch: pytest.MonkeyPatch,
                every: int) -> tuple[list[Checker], dict[str, float]]:
    """Fly ``scn`` on the numpy path, checking the compiled path every ``every`` calls."""
    real = build.build_raid
    checkers: list[Checker] = []
    dev: dict[str, float] = {}

    def build_pair(scn: Any, dt: float) -> Any:
        jit_switch(True)
        compiled = real(scn, dt)
        jit_switch(False)
        raid = real(scn, dt)
        for m, c in zip(raid.models, compiled.models, strict=True):
            if isinstance(m, (Ballistic, BoostGlide)):
                assert c._jit and not m._jit
                checkers.append(Checker(m, c, every, dev))
        return raid

    monkeypatch.setattr("tate.flight.fly.build_raid", build_pair)
    monkeypatch.setattr("tate.flight.fly._FLOWN", Memo(1))  # flown, not remembered
    fly(scn, dt=0.2, record_s=0.2)
    return checkers, dev


def test_compiled_calls_match_numpy_on_the_default_raid(
        jit_switch: Callable[[bool], None], monkeypatch: pytest.MonkeyPatch) -> None:
    checkers, dev = fly_checked(default_rockets(), jit_switch, monkeypatch, every=23)
    assert {type(c.ref) for c in checkers} == {Ballistic, BoostGlide}
    for kind in (Ballistic, BoostGlide):  # hundreds of calls compared over the whole flight
        done = [c.done for c in checkers if type(c.ref) is kind]
        assert sum(d["update"] for d in done) > 50 and sum(d["force"] for d in done) > 200
    assert all(c.done["update"] > 10 for c in checkers)  # each entry's model (its own)
    print("max deviations", dev, [c.done for c in checkers])


def test_compiled_calls_match_numpy_for_every_family(
        jit_switch: Callable[[bool], None], monkeypatch: pytest.MonkeyPatch) -> None:
    checkers, dev = fly_checked(scenario(FAMILIES + BALLISTIC), jit_switch, monkeypatch,
                                every=17)
    kinds = {(type(c.ref), getattr(c.ref, "aero", None)) for c in checkers}
    assert kinds == {(Ballistic, None), (BoostGlide, "constant"), (BoostGlide, "cav-h")}
    print("max deviations", dev, [c.done for c in checkers])


# --- whole flights -------------------------------------------------------------------------

def fly_both(scn: Any, jit_switch: Callable[[bool], None]) -> tuple[FlightResult, FlightResult]:
    """``scn`` flown on the numpy path, then on the compiled path."""
    jit_switch(False)
    ref = fly(scn, dt=0.2, record_s=0.2)
    jit_switch(True)
    return ref, fly(scn, dt=0.2, record_s=0.2)


def test_every_glide_family_and_ballistic_trajectory_flies_the_same(
        jit_switch: Callable[[bool], None]) -> None:
    ref, got = fly_both(scenario(FAMILIES + BALLISTIC), jit_switch)
    events = set(ref.events["event"])
    assert {"boost", "glide", "dive", "rv-separation", "impact"} <= events
    assert ref.status == "terminated"
    print("max deviations", assert_same_flight(ref, got))


def test_default_raid_rockets_fly_the_same(jit_switch: Callable[[bool], None]) -> None:
    ref, got = fly_both(default_rockets(), jit_switch)
    assert ref.status == "terminated"
    print("max deviations", assert_same_flight(ref, got))


def test_ballistic_aim_is_the_same(jit_switch: Callable[[bool], None],
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The shooting in :mod:`tate.flight.targeting` flies :class:`Ballistic` batches: the
    aim found on the compiled path is the numpy path's (memo cleared for each)."""
    scn = scenario(BALLISTIC)
    aims = []
    for on in (False, True):
        jit_switch(on)
        monkeypatch.setattr(targeting, "_BATCHES", targeting.Memo(targeting.BATCH_CACHE_SIZE))
        raid = build.build_raid(scn, 0.2)
        aims.append(next(m.booster for m in raid.models if isinstance(m, Ballistic)))
    b0, b1 = aims
    np.testing.assert_allclose(b1.azimuth, b0.azimuth, rtol=0, atol=1e-12)
    np.testing.assert_allclose(b1.theta_f, b0.theta_f, rtol=0, atol=1e-12)
    np.testing.assert_allclose(b1.cut_time, b0.cut_time, rtol=0, atol=1e-9)
