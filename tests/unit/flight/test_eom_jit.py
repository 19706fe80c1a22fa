"""The compiled environment and RK4 step (tate.flight._eom_jit) against the numpy reference.

Oracle: the numpy implementation of :meth:`Environment.compute` and of
:meth:`Propagator.step` (``tate.jit.ENABLED`` off when the objects are built).  The
kernels repeat the reference's operations in the same order, so the tolerances below
(relative 1e-12 per call; 1e-6 m, 1e-9 s over whole flights) are generous: on this
machine the two paths agree bit for bit.  Discrete outcomes (which bodies impact, which
events are located) must be identical.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from tate import jit
from tate.earth import wgs84
from tate.flight.eom import Environment, FrameOptions
from tate.flight.integrator import Event, Propagator, Snapshots, apogee_event
from tate.flight.models.point_mass import PointMass
from tate.memo import Memo

F64 = np.ndarray

#: absolute tolerances per environment array, in its unit (the relative one is 1e-12)
ENV_ATOL = {"alt": 1e-9, "rho": 1e-30, "sound": 1e-12, "speed": 1e-12, "qbar": 1e-18,
            "mach": 1e-15, "grav": 1e-15, "up": 1e-15}
ALL_OPTS = [FrameOptions(*flags) for flags in itertools.product((True, False), repeat=3)]


@pytest.fixture
def path(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """``path(compiled)`` sets the switch that the objects built next read."""
    def set_path(compiled: bool) -> None:
        monkeypatch.setattr(jit, "ENABLED", compiled)
    yield set_path


def _states(n: int, rng: np.random.Generator) -> tuple[F64, F64]:
    """ECEF states from -1 km to 1,050 km altitude (table nodes, 86 km, the 1000 km end and
    above it included) and speeds 0 to 8 km/s (0 included)."""
    lat = np.radians(rng.uniform(-90, 90, n))
    lon = np.radians(rng.uniform(-180, 180, n))
    alt = rng.uniform(-1_000.0, 1_050_000.0, n)
    alt[:6] = [-1_000.0, 0.0, 86_000.0, 85_995.0, 1_000_000.0, 1_040_000.0]
    alt[6:40] = rng.uniform(-1_000.0, 100_000.0, 34)
    pos = wgs84.geodetic_to_ecef(lat, lon, alt).T.copy()
    direction = rng.normal(size=(3, n))
    direction /= np.linalg.norm(direction, axis=0)
    vel = direction * rng.uniform(0.0, 8_000.0, n)
    vel[:, 0] = 0.0
    return pos, vel


def _env(n: int, grav: bool, up: bool) -> Environment:
    e = np.empty
    return Environment(e(n), e(n), e(n), e(n), e(n), e(n), grav=e((3, n)) if grav else None,
                       up=e((3, n)) if up else None)


def _assert_same_env(ref: Environment, got: Environment) -> float:
    """Per-array check; returns the largest relative deviation seen."""
    worst = 0.0
    for name, atol in ENV_ATOL.items():
        a, b = getattr(ref, name), getattr(got, name)
        if a is None:
            assert b is None
            continue
        np.testing.assert_allclose(b, a, rtol=1e-12, atol=atol, err_msg=name)
        worst = max(worst, float(np.max(np.abs(b - a) / np.maximum(np.abs(a), atol))))
    return worst


@pytest.mark.parametrize("opts", ALL_OPTS, ids=repr)
@pytest.mark.parametrize(("grav", "up"), [(True, True), (True, False), (False, True),
                                          (False, False)])
def test_environment_matches_numpy_on_random_states(path: Any, opts: FrameOptions,
                                                    grav: bool, up: bool) -> None:
    pos, vel = _states(300, np.random.default_rng(7))
    path(False)
    ref = _env(300, grav, up)
    path(True)
    got = _env(300, grav, up)
    ref.compute(pos, vel, opts)
    got.compute(pos, vel, opts)
    _assert_same_env(ref, got)
    assert (got.frame is opts) == grav


def test_environment_matches_numpy_on_flown_states(path: Any, ballistic_flight: Any,
                                                   glide_flight: Any) -> None:
    from tate.flight.fly import trajectory_ecef

    for flight in (ballistic_flight, glide_flight):
        ids = list(dict.fromkeys(np.asarray(flight.trajectory["id"]).tolist()))
        _, _, pos, vel = trajectory_ecef(flight.trajectory, ids)
        pos, vel = pos.T.copy(), vel.T.copy()
        path(False)
        ref = Environment.empty(pos.shape[1], up=True)
        path(True)
        got = Environment.empty(pos.shape[1], up=True)
        for opts in (FrameOptions(), FrameOptions(rotating=False)):
            ref.compute(pos, vel, opts)
            got.compute(pos, vel, opts)
            _assert_same_env(ref, got)


def test_environment_views_keep_the_path(path: Any) -> None:
    path(True)
    env = Environment.empty(60, up=True)
    path(False)
    pos, vel = _states(60, np.random.default_rng(3))
    ref = Environment.empty(60, up=True)
    ref.compute(pos, vel, FrameOptions())
    view = env.view(slice(10, 30))
    assert view._kernels is env._kernels is not None
    view.compute(pos[:, 10:30], vel[:, 10:30], FrameOptions())  # strided grav and up
    _assert_same_env(ref.view(slice(10, 30)), view)


# ---- the RK4 step ---------------------------------------------------------------------------

class _Lifted(PointMass):
    """A point mass with a small push along the ellipsoid normal: a model that reads
    ``env.up``, so the propagator allocates and fills it."""

    uses_up = True

    def specific_force(self, t: float, pos: F64, vel: F64, mass: F64, env: Environment,
                       acc: F64, mdot: F64) -> None:
        super().specific_force(t, pos, vel, mass, env, acc, mdot)
        assert env.up is not None
        acc += 0.5 * env.up
        mdot.fill(0.01)  # a mass flow, so the mass row of the derivative is exercised


def _scene(seed: int, n: int = 24) -> dict[str, Any]:
    """Point masses that, within a few 1 s steps, reach their apogee, fall through their
    ground altitude or pass within the hit radius of their aim point."""
    rng = np.random.default_rng(seed)
    lat = np.radians(rng.uniform(-60, 60, n))
    lon = np.radians(rng.uniform(-180, 180, n))
    ground_alt = rng.uniform(0.0, 100.0, n)
    alt = ground_alt + rng.uniform(50.0, 3_000.0, n)
    east, north = rng.uniform(-800, 800, n), rng.uniform(-800, 800, n)
    upv = rng.uniform(-900.0, -100.0, n)  # falling ...
    upv[: n // 3] = rng.uniform(0.5, 60.0, n // 3)  # ... or passing apogee in 0-6 s
    pos = wgs84.geodetic_to_ecef(lat, lon, alt).T.copy()
    vel = wgs84.enu_vec_to_ecef(np.stack([east, north, upv], axis=1), lat, lon).T.copy()
    scene = {"pos": pos, "vel": vel, "mass": rng.uniform(50.0, 500.0, n),
             "area": rng.uniform(0.01, 0.2, n), "cd": rng.uniform(0.1, 0.5, n),
             "ground_alt": ground_alt, "aim": None}
    # aim points 1-6 m from where the bodies n/3..n/2 are after 1-4 steps (a step's chord
    # is within g dt^2 / 8 = 1.2 m of the path): each passes within the hit radius
    aim = np.full((3, n), np.nan)
    jit.ENABLED, compiled = False, jit.ENABLED
    fly = Propagator([PointMass(scene["area"], scene["cd"])], pos, vel, scene["mass"], 1.0,
                     ground=False)
    jit.ENABLED = compiled
    when = rng.integers(1, 5, n)
    for k in range(1, 5):
        fly.step()
        sel = (when == k) & (np.arange(n) >= n // 3) & (np.arange(n) < n // 2)
        aim[:, sel] = fly.pos[:, sel]
    aim += rng.normal(size=(3, n)) * rng.uniform(1.0, 6.0, n) / np.sqrt(3)
    return {**scene, "aim": aim}


def _propagator(scene: dict[str, Any], dt: float = 1.0, lifted: bool = True,
                opts: FrameOptions | None = None, events: Any = None) -> Propagator:
    n = scene["mass"].size
    half = n // 2
    models: list[PointMass] = [PointMass(scene["area"][:half], scene["cd"][:half])]
    cls = _Lifted if lifted else PointMass
    models.append(cls(scene["area"][half:], scene["cd"][half:]))
    return Propagator(models, scene["pos"], scene["vel"], scene["mass"], dt, opts=opts,
                      ground_alt=scene["ground_alt"], aim=scene["aim"], hit_radius=10.0,
                      events=[apogee_event()] if events is None else events)


def _assert_same_outcome(ref: Propagator, got: Propagator) -> dict[str, float]:
    """Same impacts and crossings (bodies, times within 1e-9 s, positions within 1e-6 m),
    same state; returns the largest deviations."""
    assert got.t == ref.t
    np.testing.assert_array_equal(got.alive, ref.alive)
    np.testing.assert_array_equal(got._armed, ref._armed)
    np.testing.assert_allclose(got.y[0:3], ref.y[0:3], rtol=1e-12, atol=1e-6)
    np.testing.assert_allclose(got.y[3:7], ref.y[3:7], rtol=1e-12, atol=1e-9)
    _assert_same_env(ref._env, got._env)
    dev = {"pos_m": float(np.abs(got.y[0:3] - ref.y[0:3]).max(initial=0.0)),
           "time_s": 0.0}
    assert len(got.impacts) == len(ref.impacts)
    for a, b in zip(ref.impacts, got.impacts, strict=True):
        np.testing.assert_array_equal(b.body, a.body)
        np.testing.assert_allclose(b.time, a.time, rtol=0, atol=1e-9)
        np.testing.assert_allclose(b.pos, a.pos, rtol=0, atol=1e-6)
        np.testing.assert_allclose(b.vel, a.vel, rtol=0, atol=1e-9)
        dev["time_s"] = max(dev["time_s"], float(np.abs(b.time - a.time).max(initial=0.0)))
    assert len(got.crossings) == len(ref.crossings)
    for c, d in zip(ref.crossings, got.crossings, strict=True):
        assert d.name == c.name
        np.testing.assert_array_equal(d.body, c.body)
        np.testing.assert_allclose(d.time, c.time, rtol=0, atol=1e-9)
        np.testing.assert_allclose(d.pos, c.pos, rtol=0, atol=1e-6)
    return dev


@pytest.mark.parametrize("seed", range(6))
def test_each_step_matches_numpy(path: Any, seed: int) -> None:
    scene = _scene(seed)
    path(False)
    ref = _propagator(scene)
    path(True)
    got = _propagator(scene)
    assert got._kernels is not None and ref._kernels is None
    ref.alive[3] = got.alive[3] = False  # a dead body keeps its state
    for k in range(8):
        h = 0.5 if k == 5 else None  # a change of step length
        ref.step(h)
        got.step(h)
        _assert_same_outcome(ref, got)
        if k == 2:  # a body moved from outside, as the interceptor pool does
            for p in (ref, got):
                p.y[0:3, 5] += 100.0
                p.invalidate()
    # the scene exercised the location code, in steps with a single crossing too
    assert len(ref.crossings) > 2 and len(ref.impacts) > 2


def _below_1500_m(pos: F64, vel: F64) -> F64:
    return np.asarray(wgs84.geodetic_altitude(pos.T) - 1_500.0)


def test_other_events_are_located_every_step(path: Any) -> None:
    """An event the compiled screen does not know is located by the reference code."""
    scene = _scene(2)
    events = [apogee_event(), Event("below-1500m", _below_1500_m, -1)]
    path(False)
    ref = _propagator(scene, events=events)
    path(True)
    got = _propagator(scene, events=events)
    for _ in range(6):
        ref.step()
        got.step()
        _assert_same_outcome(ref, got)
    assert {c.name for c in ref.crossings} == {"apogee", "below-1500m"}


@pytest.mark.parametrize("opts", [FrameOptions(), FrameOptions(False, False, False),
                                  FrameOptions(True, False, True)], ids=repr)
def test_whole_run_matches_numpy(path: Any, opts: FrameOptions) -> None:
    rng = np.random.default_rng(11)
    n = 12
    lat = np.radians(rng.uniform(-60, 60, n))
    lon = np.radians(rng.uniform(-180, 180, n))
    pos = wgs84.geodetic_to_ecef(lat, lon, rng.uniform(0.0, 20_000.0, n)).T.copy()
    enu = np.stack([rng.uniform(-1500, 1500, n), rng.uniform(-1500, 1500, n),
                    rng.uniform(300, 1200, n)], axis=1)
    vel = wgs84.enu_vec_to_ecef(enu, lat, lon).T.copy()
    scene = {"pos": pos, "vel": vel, "mass": rng.uniform(50, 500, n),
             "area": np.full(n, 0.05), "cd": np.full(n, 0.3),
             "ground_alt": np.zeros(n), "aim": None}
    runs = []
    for compiled in (False, True):
        path(compiled)
        prop = _propagator(scene, dt=0.2, opts=opts)
        snaps = prop.run(1_000.0, record_every=10)
        runs.append((prop, snaps))
    (ref, s_ref), (got, s_got) = runs
    dev = _assert_same_outcome(ref, got)
    assert not ref.alive.any() and ref.crossings
    _assert_same_snapshots(s_ref, s_got)
    assert dev["pos_m"] <= 1e-6 and dev["time_s"] <= 1e-9


def _assert_same_snapshots(a: Snapshots, b: Snapshots) -> None:
    np.testing.assert_allclose(b.time, a.time, rtol=0, atol=1e-9)
    for name, atol in (("pos", 1e-6), ("vel", 1e-9), ("mass", 1e-9)):
        np.testing.assert_allclose(np.array(getattr(b, name)), np.array(getattr(a, name)),
                                   rtol=1e-12, atol=atol, err_msg=name)
    np.testing.assert_array_equal(np.array(b.alive), np.array(a.alive))


def test_adaptive_run_matches_numpy(path: Any) -> None:
    """Long steps with snapshots inside them (``_record_inside``) and impacts inside a
    long step; the mass changes (interpolated in the snapshots)."""
    class Coasting(_Lifted):
        def max_step(self, live: Any, env: Environment) -> float:
            return 3.0

    scene = _scene(5, n=10)
    runs = []
    for compiled in (False, True):
        path(compiled)
        model = Coasting(scene["area"], scene["cd"])
        prop = Propagator([model], scene["pos"], scene["vel"], scene["mass"], 0.1,
                          ground_alt=scene["ground_alt"], aim=scene["aim"],
                          events=[apogee_event()])
        runs.append((prop, prop.run(60.0, record_every=4, max_step=3.0)))
    (ref, s_ref), (got, s_got) = runs
    _assert_same_outcome(ref, got)
    assert ref.impacts and len(s_ref.time) > 20
    _assert_same_snapshots(s_ref, s_got)


# ---- whole raids through fly() --------------------------------------------------------------

def _fly_both(path: Any, monkeypatch: pytest.MonkeyPatch, ids: tuple[str, ...]
              ) -> tuple[Any, Any]:
    import tate.flight.fly as fly_mod
    import tate.flight.targeting as targeting
    from tate.flight.run import sample_for_run
    from tate.scenario import default_scenario_path, load_scenario

    scn = load_scenario(default_scenario_path())
    scn = scn.model_copy(update={"threats": [t for t in scn.threats if t.id in ids]})
    scn, seed = sample_for_run(scn, 1)
    out = []
    for compiled in (False, True):  # fresh memos: each path flies everything itself
        monkeypatch.setattr(fly_mod, "_FLOWN", Memo(fly_mod.FLOWN_CACHE_SIZE))
        monkeypatch.setattr(targeting, "_BATCHES", Memo(targeting.BATCH_CACHE_SIZE))
        path(compiled)
        out.append(fly_mod.fly(scn, dt=0.2, record_s=1.0, seed=seed))
    return out[0], out[1]


def test_fly_matches_numpy(path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """A glider, a ballistic missile (aimed by the ballistic shooting batches), a cruise
    missile and a drone of the default scenario, flown by both paths."""
    from tate.flight.fly import trajectory_ecef

    ref, got = _fly_both(path, monkeypatch, ("HGV-4", "MRBM-1", "CM-1", "OWA-1"))
    for table in ("summary", "events"):
        a, b = getattr(ref, table), getattr(got, table)
        assert a.keys() == b.keys()
        for col, va in a.items():
            if va.dtype.kind == "f":
                np.testing.assert_allclose(b[col], va, rtol=1e-12, atol=1e-9, err_msg=col)
            else:
                np.testing.assert_array_equal(b[col], va, err_msg=col)
    ids = list(dict.fromkeys(np.asarray(ref.trajectory["id"]).tolist()))
    assert len(ids) >= 4
    body_a, t_a, pos_a, vel_a = trajectory_ecef(ref.trajectory, ids)
    body_b, t_b, pos_b, vel_b = trajectory_ecef(got.trajectory, ids)
    np.testing.assert_array_equal(body_b, body_a)
    np.testing.assert_allclose(t_b, t_a, rtol=0, atol=1e-9)
    np.testing.assert_allclose(pos_b, pos_a, rtol=0, atol=1e-6)
    np.testing.assert_allclose(vel_b, vel_a, rtol=0, atol=1e-9)
