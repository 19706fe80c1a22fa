"""The compiled interceptor kernels (:mod:`tate.weapons._interceptor_jit`) against the
numpy reference they replace.

Oracle: the numpy implementation itself (``tate.jit.ENABLED`` False at construction).
Per call, on the states the default engagement's interceptor pool really passes through
(recorded from a numpy run of seed 1): :meth:`InterceptorModel.update` and
:meth:`InterceptorModel.specific_force` on copies of the recorded model, the truth
interpolation of :class:`TruthStore` at the recorded queries, and
:meth:`InterceptorPool._assess` on copies of the recorded pool — to rounding (rtol 1e-12)
with identical discrete results (phases, events, reports).  Every terminal law on a
made-up geometry.  Whole runs: a kill vehicle's flight that spends its divert, and the
default engagement for seeds 1 and 2 with either path: the same shots, kills and
summary, miss distances within 1e-6 m.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest
from numpy.typing import NDArray

from tate import jit
from tate.earth import wgs84
from tate.engine.engagement import Engagement
from tate.engine.pool import InterceptorPool
from tate.engine.result import RunResult
from tate.engine.truth import TruthStore
from tate.flight.eom import Environment, FrameOptions, frame_accel, local_frame
from tate.flight.integrator import Propagator
from tate.scenario import default_scenario_path, load_scenario
from tate.weapons.interceptor import TERMINAL, InterceptorModel
from tate.weapons.presets import interceptor_preset

F64 = NDArray[np.float64]
VACUUM = FrameOptions(rotating=False, j2=False, atmosphere=False)
#: summary entries that are wall-clock measurements, not outcomes
WALL_KEYS = {"engine_wall_s", "faster_than_real_time"}
#: the model's state an update writes: (attribute, absolute tolerance in its unit)
STATE = (("phase", 0), ("burnt_out", 0), ("exhausted", 0), ("_dropped", 0),
         ("_tgt_pending", 0), ("tgt_time", 1e-12), ("divert_used", 1e-9),
         ("a_cmd", 1e-9), ("a_max", 1e-9), ("thrust", 1e-6), ("mflow", 1e-9),
         ("area", 1e-15))


@dataclass
class Recording:
    """States of the default engagement's pool, recorded during a numpy run."""

    updates: list[tuple[Any, ...]] = field(default_factory=list)
    truth_queries: list[tuple[float, NDArray[np.intp]]] = field(default_factory=list)
    assessments: list[tuple[Any, ...]] = field(default_factory=list)
    truth: TruthStore | None = None


def _engagement(seed: int, compiled: bool, rec: Recording | None = None) -> RunResult:
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(jit, "ENABLED", compiled)
        if rec is not None:
            _record(mp, rec)
        eng = Engagement(load_scenario(default_scenario_path()), seed)
        if rec is not None:
            rec.truth = eng.truth
        return eng.run()


def _record(mp: pytest.MonkeyPatch, rec: Recording) -> None:
    """Wrap the pool's model, truth and assessment to keep copies of their inputs."""
    update, at, assess = InterceptorModel.update, TruthStore.at, InterceptorPool._assess

    def rec_update(self: InterceptorModel, t: float, pos: F64, vel: F64, mass: F64,
                   env: Environment) -> None:
        if (self.phase > 0).any():  # not the idle sky
            rec.updates.append((copy.deepcopy(self), t, pos.copy(), vel.copy(), mass.copy(),
                                copy.deepcopy(env)))
        update(self, t, pos, vel, mass, env)

    def rec_at(self: TruthStore, t: float, bodies: NDArray[np.intp]) -> tuple[F64, F64]:
        rec.truth_queries.append((t, np.array(bodies, np.intp)))
        return at(self, t, bodies)

    def rec_assess(self: InterceptorPool, act: NDArray[np.intp], *args: Any) -> None:
        rec.assessments.append((copy.deepcopy(self), act.copy(), copy.deepcopy(args[:-2])))
        assess(self, act, *args)

    mp.setattr(InterceptorModel, "update", rec_update)
    mp.setattr(TruthStore, "at", rec_at)
    mp.setattr(InterceptorPool, "_assess", rec_assess)


@pytest.fixture(scope="module")
def recorded() -> Iterator[tuple[Recording, RunResult]]:
    rec = Recording()
    yield rec, _engagement(1, False, rec)


def _twins(model: InterceptorModel) -> tuple[InterceptorModel, InterceptorModel]:
    """Copies of ``model`` on the numpy and on the compiled path."""
    ref, fast = copy.deepcopy(model), copy.deepcopy(model)
    ref._jit = False
    fast._jit = True
    fast._compiled()
    return ref, fast


def _close(a: Any, b: Any, atol: float, what: str) -> float:
    """Assert ``a`` ≈ ``b`` (exactly where atol is 0); return the largest deviation."""
    a, b = np.asarray(a), np.asarray(b)
    if atol == 0 or a.dtype.kind in "biu":
        np.testing.assert_array_equal(a, b, err_msg=what)
        return 0.0
    np.testing.assert_allclose(a, b, rtol=1e-12, atol=atol, err_msg=what)
    both = np.isfinite(a) & np.isfinite(b)
    return float(np.max(np.abs(a - b)[both], initial=0.0))


def test_update_and_forces_match_numpy_on_the_default_engagement(recorded) -> None:  # type: ignore[no-untyped-def]
    rec, _ = recorded
    assert len(rec.updates) > 500
    worst: dict[str, float] = {}
    seen_phase, events = set(), set()
    for model, t, pos, vel, mass, env in rec.updates:
        ref, fast = _twins(model)
        m_ref, m_fast = mass.copy(), mass.copy()
        ref.update(t, pos, vel, m_ref, env)
        fast.update(t, pos, vel, m_fast, env)
        for name, atol in STATE:
            d = _close(getattr(fast, name), getattr(ref, name), atol, f"{name} at t={t}")
            worst[name] = max(worst.get(name, 0.0), d)
        worst["mass"] = max(worst.get("mass", 0.0), _close(m_fast, m_ref, 1e-9, "mass"))
        assert fast.log.rows == ref.log.rows
        events |= {name for _, _, name in ref.log.rows[len(model.log.rows):]}
        seen_phase |= set(ref.phase[~ref.retired].tolist())
        acc = [np.empty_like(pos), np.empty_like(pos)]
        mdot = [np.empty(mass.shape), np.empty(mass.shape)]
        for m, a, md, ms in ((ref, acc[0], mdot[0], m_ref), (fast, acc[1], mdot[1], m_fast)):
            m.specific_force(t, pos, vel, ms, env, a, md)
        worst["acc"] = max(worst.get("acc", 0.0), _close(acc[1], acc[0], 1e-9, "acc"))
        worst["mdot"] = max(worst.get("mdot", 0.0), _close(mdot[1], mdot[0], 1e-12, "mdot"))
    # the recording covers every phase and the phase changes of a run
    assert seen_phase == {0, 1, 2, 3}
    assert {"boost", "burnout", "midcourse", "terminal"} <= events
    print("update/specific_force max deviation:", worst)


def test_truth_interpolation_matches_numpy(recorded) -> None:  # type: ignore[no-untyped-def]
    rec, _ = recorded
    truth = rec.truth
    assert truth is not None and len(rec.truth_queries) > 1000
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(jit, "ENABLED", False)
        ref = dataclasses.replace(truth)
        mp.setattr(jit, "ENABLED", True)
        fast = dataclasses.replace(truth)
    assert fast._jit and not ref._jit
    queries = list(rec.truth_queries)
    # and at the ends of the flights, on the samples, before and after
    every = np.arange(truth.n, dtype=np.intp)
    for t in (*truth.t_first[:3], *truth.t_last[:3], truth.time[7], -1e9, 1e9):
        queries.append((float(t), every))
    worst_p = worst_v = 0.0
    for t, bodies in queries:
        (p0, v0), (p1, v1) = ref.at(t, bodies), fast.at(t, bodies)
        worst_p = max(worst_p, _close(p1, p0, 1e-8, f"position at t={t}"))
        worst_v = max(worst_v, _close(v1, v0, 1e-10, f"velocity at t={t}"))
    times = np.linspace(truth.time.min() - 5.0, truth.time.max() + 5.0, 997)
    bodies = np.arange(times.size, dtype=np.intp) % truth.n
    for a, b, unit in zip(ref.sample(bodies, times), fast.sample(bodies, times), "pv",
                          strict=True):
        _close(b, a, 1e-8, unit)
    print(f"truth max deviation: position {worst_p:.3g} m, velocity {worst_v:.3g} m/s")


def test_kill_assessment_matches_numpy(recorded) -> None:  # type: ignore[no-untyped-def]
    from tate.weapons.intercept import closest_approach_hermite

    rec, _ = recorded
    assert len(rec.assessments) > 500
    outcomes = set()
    for pool, act, args in rec.assessments:
        got = []
        for compiled in (False, True):
            p = copy.deepcopy(pool)
            p._jit = compiled
            reports: list[tuple[int, float, float, str]] = []
            p._assess(act, *args, lambda *r: reports.append(r),  # noqa: B023
                      closest_approach_hermite)
            got.append((reports, p.active.copy()))
        (r_ref, a_ref), (r_fast, a_fast) = got
        np.testing.assert_array_equal(a_fast, a_ref)
        assert [(b, o) for b, _, _, o in r_fast] == [(b, o) for b, _, _, o in r_ref]
        for (_, t1, m1, _), (_, t0, m0, _) in zip(r_fast, r_ref, strict=True):
            assert t1 == pytest.approx(t0, rel=0, abs=1e-9)
            assert m1 == pytest.approx(m0, rel=1e-12, abs=1e-9, nan_ok=True)
        outcomes |= {o for *_, o in r_ref}
    assert "assess" in outcomes


def _terminal_scene(law: str) -> tuple[InterceptorModel, F64, F64, F64, Environment]:
    """Six burnt-out endo interceptors flying the terminal law ``law`` against targets at
    various ranges, aspects and accelerations (closing and opening)."""
    p = dataclasses.replace(interceptor_preset("sm6-like"), guidance=law)
    n = 6
    model = InterceptorModel([p] * n, dt=0.1, t_launch=np.full(n, -100.0))
    rng = np.random.default_rng(7)
    base = wgs84.geodetic_to_ecef(0.0, 0.0, 15e3).reshape(3, 1)
    pos = base + rng.normal(0.0, 1e3, (3, n))
    vel = rng.normal(0.0, 800.0, (3, n))
    tp = pos + rng.normal(0.0, 8e3, (3, n))
    tv = rng.normal(0.0, 600.0, (3, n))
    ta = rng.normal(0.0, 30.0, (3, n))
    model.update(-1.0, pos, vel, np.full(n, p.liftoff_mass_kg), _env(pos, vel))
    model.phase[:] = TERMINAL
    model.set_target(np.arange(n), tp, tv, ta, t=-0.3)
    return model, pos, vel, np.full(n, p.payload_kg), _env(pos, vel)


def _env(pos: F64, vel: F64, opts: FrameOptions | None = None) -> Environment:
    env = Environment.empty(pos.shape[1])
    env.compute(pos, vel, opts or FrameOptions())
    env.frame = None
    return env


@pytest.mark.parametrize("law", ["pn", "tpn", "apn", "zem", "pip"])
def test_every_terminal_law_matches_numpy(law: str) -> None:
    model, pos, vel, mass, env = _terminal_scene(law)
    ref, fast = _twins(model)
    ref.update(0.0, pos, vel, mass.copy(), env)
    fast.update(0.0, pos, vel, mass.copy(), env)
    assert (np.linalg.norm(ref.a_cmd, axis=0) > 0).any() or law == "pip"
    for name, atol in STATE:
        _close(getattr(fast, name), getattr(ref, name), atol, name)


def _kv_flight(compiled: bool) -> tuple[F64, InterceptorModel]:
    """A kill vehicle against a crossing target it cannot catch (its divert runs out),
    given the target's true state every step, in vacuum: the trajectory ``(steps, 3)``."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(jit, "ENABLED", compiled)
        p = interceptor_preset("sm3-iia-like")
        t_b = sum(s.burn_s for s in p.stages)
        kv = InterceptorModel([p], dt=0.05, t_launch=[-(t_b + 5.0)], opts=VACUUM)
    P = wgs84.geodetic_to_ecef(0.0, 0.0, 200e3)
    e, n, _ = (x[:, 0] for x in local_frame(P.reshape(3, 1)))
    pos = np.stack([P, P + 150e3 * e], axis=1)
    vel = np.stack([4000.0 * e, -3000.0 * e + 1500.0 * n], axis=1)
    from tate.flight.models.point_mass import PointMass

    prop = Propagator([kv, PointMass(np.zeros(1), np.zeros(1))], pos, vel,
                      np.array([1.0, 500.0]), 0.05, opts=VACUUM)
    path = []
    for _ in range(400):
        acc = np.empty((3, 1))
        frame_accel(prop.pos[:, 1:2], prop.vel[:, 1:2], VACUUM, acc)
        kv.set_target([0], prop.pos[:, 1:2].copy(), prop.vel[:, 1:2].copy(), acc)
        prop.step()
        path.append(prop.pos[:, 0].copy())
    return np.array(path), kv


def test_kill_vehicle_flight_matches_numpy() -> None:
    (p_ref, ref), (p_fast, fast) = _kv_flight(False), _kv_flight(True)
    assert fast._jit and not ref._jit
    assert "divert-exhausted" in [name for _, _, name in ref.log.rows]
    assert fast.log.rows == ref.log.rows
    np.testing.assert_allclose(p_fast, p_ref, rtol=0, atol=1e-6)
    assert fast.divert_used[0] == pytest.approx(ref.divert_used[0], rel=1e-12)


def _shots_agree(fast: RunResult, ref: RunResult) -> float:
    a, b = fast.shots, ref.shots
    for key in ("weapon", "ship", "layer", "track_id", "threat_id", "kill", "outcome"):
        np.testing.assert_array_equal(a[key], b[key], err_msg=key)
    for key, atol in (("time_s", 1e-9), ("resolved_s", 1e-9), ("miss_m", 1e-6)):
        np.testing.assert_allclose(a[key], b[key], rtol=0, atol=atol, err_msg=key)
    both = np.isfinite(a["miss_m"]) & np.isfinite(b["miss_m"])
    return float(np.max(np.abs(a["miss_m"] - b["miss_m"])[both], initial=0.0))


@pytest.mark.parametrize("seed", [1, pytest.param(2, marks=pytest.mark.slow)])
def test_default_engagement_is_the_same_with_either_path(seed: int, recorded) -> None:  # type: ignore[no-untyped-def]
    """Every kernel of the run on (flight, environment, tracker, pool) against none: the
    same outcome; counts and labels equal, measured figures to rounding (the tracker's
    kernels round differently from LAPACK, see tate.tracking._scan_jit)."""
    ref = recorded[1] if seed == 1 else _engagement(seed, False)
    fast = _engagement(seed, True)
    assert fast.status == ref.status and fast.message == ref.message
    want = {k: v for k, v in ref.summary.items() if k not in WALL_KEYS}
    got = {k: v for k, v in fast.summary.items() if k not in WALL_KEYS}
    assert got.keys() == want.keys()
    for key, value in want.items():
        if isinstance(value, float) and not float(value).is_integer():
            assert got[key] == pytest.approx(value, rel=1e-9, nan_ok=True), key
        else:
            assert got[key] == value, key
    worst = _shots_agree(fast, ref)
    assert fast.shots["kill"].any()
    print(f"seed {seed}: {len(fast.shots['kill'])} shots, miss max deviation {worst:.3g} m")


def test_events_are_logged_event_by_event_with_the_bodies_in_order() -> None:
    """:meth:`InterceptorModel.log_events` from the update's event flags: every event in
    the logging order (boost, burnout, midcourse, terminal, divert exhausted), its
    bodies ascending — as the per-event ``flatnonzero`` of the reference — the burnout
    at its own time."""
    from tate.weapons import _interceptor_jit as k

    p = interceptor_preset("sm6-like")
    model = InterceptorModel([p] * 5, dt=0.1, t_launch=[1.0, 2.0, 3.0, 4.0, 5.0])
    model._events[:] = [k.EV_TERMINAL | k.EV_BOOST, 0, k.EV_BURNOUT | k.EV_MIDCOURSE,
                        k.EV_BOOST, k.EV_EXHAUSTED | k.EV_TERMINAL]
    model.log_events(7.5)
    burnout = float(model.t_launch[2] + model.t_burnout[2])
    assert model.log.rows == [(7.5, 0, "boost"), (7.5, 3, "boost"), (burnout, 2, "burnout"),
                              (7.5, 2, "midcourse"), (7.5, 0, "terminal"),
                              (7.5, 4, "terminal"), (7.5, 4, "divert-exhausted")]
    assert all(type(i) is int for _, i, _ in model.log.rows)
    model._events[:] = 0
    model.log_events(8.0)
    assert len(model.log.rows) == 7
