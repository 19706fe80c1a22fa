"""The compiled engageability search and threat evaluation (:mod:`tate.c2._engage_jit`,
:mod:`tate.c2._threat_jit`)
against the numpy reference of :func:`tate.c2.engage.opportunities`,
:meth:`tate.weapons.flyout.FlyoutTable.time` and :func:`tate.c2.threat.assess_threats`.

Oracle: the numpy implementation itself (``tate.jit.ENABLED`` False when the
:class:`Launchers` are built).  Per call: on the decision cycles of the default
engagement (arguments recorded from a run of seed 1), on the geometries of
``test_engage.py`` and ``test_flyout.py``, on random launchers and tracks (railguns,
kinematic missiles, flown tables, short times to go, other grids), and on points that
tie every comparison of the search: the same feasible pairs, intercept times, PIPs, Pk
and fly-out times, equal to the bit (the kernel does the same IEEE operations in the
same order, so a looser tolerance would hide a changed order).  The table lookup on
random grids, inside and outside them, to the bit.  The threat evaluation (``assets``
built with ``tate.jit.ENABLED`` False / True) on the default engagement's decisions, on
the synthetic tracks of ``test_threat.py`` and on random tracks of every kind, to the
bit.  Whole run: the default engagement with the numpy search and threat evaluation
gives the same result tables as with the kernels.
"""

from __future__ import annotations

import copy
import dataclasses
import pickle
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from numpy.typing import NDArray

from tate import jit
from tate.c2 import engage, threat
from tate.c2.engage import Launchers, Opportunities, intercept_grid, opportunities
from tate.c2.threat import DefendedAssets, ThreatAssessment, assess_threats
from tate.engine.defence import Defence
from tate.engine.engagement import Engagement
from tate.engine.result import RunResult
from tate.scenario import default_scenario_path, load_scenario
from tate.weapons.flyout import GRID, FlyoutTable, flyout_table
from tests.unit.c2.test_engage import _launchers
from tests.unit.c2.test_threat import KIND_CASES
from tests.unit.same_result import assert_same_result

F64 = NDArray[np.float64]
FIELDS = ("t_intercept", "pip", "pk", "flyout")


def _twins(obj: Any) -> tuple[Any, Any]:
    """Copies of the dataclass ``obj`` (launchers, assets) built on the numpy and on the
    compiled path."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(jit, "ENABLED", False)
        ref = dataclasses.replace(obj)
        mp.setattr(jit, "ENABLED", True)
        fast = dataclasses.replace(obj)
    assert not ref._jit and fast._jit
    return ref, fast


def _same(a: Opportunities, b: Opportunities, what: str = "") -> float:
    """Assert the two searches agree to the bit; return the largest relative deviation
    (0)."""
    worst = 0.0
    for f in FIELDS:
        x, y = getattr(a, f), getattr(b, f)
        assert x.shape == y.shape, (what, f)
        np.testing.assert_array_equal(np.isnan(x), np.isnan(y), err_msg=f"{what} {f}")
        np.testing.assert_array_equal(x, y, err_msg=f"{what} {f}")
        ok = np.isfinite(x) & (x != 0)
        worst = max(worst, float(np.max(np.abs(x - y)[ok] / np.abs(x[ok]), initial=0.0)))
    return worst


def _both(L: Launchers, *args: Any, **kw: Any) -> tuple[Opportunities, Opportunities]:
    ref, fast = _twins(L)
    return opportunities(ref, *args, **kw), opportunities(fast, *args, **kw)


# --- the table lookup -------------------------------------------------------------------
def _numpy_and_kernel(tab: FlyoutTable, g: F64, h: F64) -> tuple[F64, F64]:
    from tate.c2 import _engage_jit as k

    return tab.time(g, h), k.table_times(tab.ranges_m, tab.alts_m, tab.time_s, g, h)


@pytest.mark.parametrize("seed", range(6))
def test_table_lookup_matches_numpy_on_random_grids(seed: int) -> None:
    rng = np.random.default_rng(seed)
    nr, nh = rng.integers(2, 30, size=2)
    even = seed % 2 == 0
    r = (np.linspace(0.0, 1e5, nr) if even
         else np.sort(rng.choice(np.arange(0.0, 1e5, 250.0), nr, replace=False)))
    a = np.linspace(1e3, 3e4, nh) if even else np.sort(rng.uniform(1e3, 3e4, nh))
    t = rng.uniform(1.0, 300.0, (nr, nh))
    t[rng.random((nr, nh)) < 0.1] = np.nan  # unreachable cells
    tab = FlyoutTable("x", r, a, t, np.ones_like(t))
    n = 4000
    g = rng.uniform(-1e4, 1.1e5, n)  # some before the first and beyond the last range
    h = rng.uniform(-1e3, 3.3e4, n)  # some below the lowest and above the top altitude
    g[:nr], h[:nh] = r, a  # on the grid lines exactly
    g[-3:], h[-3:] = r[-1], a[-1]
    want, got = _numpy_and_kernel(tab, g, h)
    np.testing.assert_array_equal(got, want)
    assert np.isfinite(want).sum() > n // 4 and np.isnan(want).sum() > n // 10


@pytest.mark.parametrize("name", sorted(GRID))
def test_table_lookup_matches_numpy_on_the_bundled_tables(name: str) -> None:
    tab = flyout_table(name)
    assert tab is not None
    rng = np.random.default_rng(7)
    g = rng.uniform(-0.05, 1.05, 3000) * tab.ranges_m[-1]
    h = rng.uniform(-0.2, 1.1, 3000) * tab.alts_m[-1]
    want, got = _numpy_and_kernel(tab, g, h)
    np.testing.assert_array_equal(got, want)


# --- the search on given geometries ------------------------------------------------------
def test_search_matches_numpy_on_the_engage_test_geometries() -> None:
    L = _launchers(3, max_alt=np.array([30e3, 1e3, 30e3]),
                   max_target_speed=np.array([3000.0, 3000.0, 100.0]))
    pos = np.array([[30e3, 0.0, 5e3], [30e3, 0.0, 5e3], [60e3, 0.0, 8e3]])
    vel = np.array([[0.0, 0.0, 0.0], [-200.0, 0.0, 0.0], [500.0, 0.0, 0.0]])
    a, b = _both(L, pos, vel, np.array([np.inf, 5.0, np.inf]), np.zeros(3, bool))
    _same(a, b)
    assert a.feasible[0, 0] and not a.feasible[:, 1].any()
    table = flyout_table("essm-like")
    L2 = _launchers(2, tables=(table, None))
    for p in ([40e3, 0.0, 2e3], [12e3, 0.0, 2e3]):
        a, b = _both(L2, np.array([p]), np.zeros((1, 3)), np.array([np.inf]),
                     np.array([False]))
        _same(a, b)
    # no launch that would arrive early; nothing to search
    a, b = _both(_launchers(1), np.array([[3e3, 0.0, 1e3]]), np.zeros((1, 3)),
                 np.array([np.inf]), np.array([False]), window_s=0.5)
    _same(a, b)
    a, b = _both(_launchers(2), np.zeros((0, 3)), np.zeros((0, 3)), np.zeros(0),
                 np.zeros(0, bool))
    _same(a, b)


def test_search_matches_numpy_where_the_comparisons_tie() -> None:
    """Points on every bound: a railgun's fly-out (7 km at 700 m/s: 10 s) equal to the
    wait before 12 s, a missile's longest wait (stretch × fly-out + step) met exactly,
    ground range and altitude on the envelope's edges, the time to go on a grid time."""
    L = _launchers(3, speed=np.array([1000.0, 1000.0, 1000.0]),
                   burn_s=np.array([0.0, 10.0, 10.0]), gun=np.array([True, False, False]),
                   railgun_sigma_rad=np.array([1e-4, 0.0, 0.0]),
                   railgun_resid_m=np.array([1.0, 0.0, 0.0]),
                   railgun_lethal_m=np.array([3.0, 0.0, 0.0]),
                   max_range=np.array([100e3, 100e3, 7e3]))
    assert 0.7 * 1000.0 == 700.0
    pos = np.array([[7e3, 0.0, 0.0], [7e3, 0.0, 0.0], [0.0, 7e3, 0.0]])
    a, b = _both(L, pos, np.zeros((3, 3)), np.array([np.inf, 12.0, 12.0 + 1e-12]),
                 np.zeros(3, bool))
    _same(a, b)
    assert a.t_intercept[0, 0] == 12.0 and a.flyout[0, 0] == 10.0  # fly == wait
    assert np.isnan(a.t_intercept[0, 1]) and a.t_intercept[0, 2] == 12.0  # ttg on tau
    # a missile's longest wait: a point at the launcher (fly-out 0) and the first grid
    # time (wait 1 s) is just allowed with a window under the 1 s step (0 × 1.5 + 1)
    a, b = _both(L, np.zeros((1, 3)), np.zeros((1, 3)), np.array([np.inf]),
                 np.array([False]), window_s=0.5)
    _same(a, b)
    assert a.t_intercept[1, 0] == 3.0 and a.flyout[1, 0] == 0.0
    # altitude and ground range on the envelope's edges
    h = 5e3 - 7e3**2 / (2.0 * 6_371_000.0)
    L2 = _launchers(1, max_alt=np.array([7e3**2 / (2.0 * 6_371_000.0) + h]),
                    max_range=np.array([7e3]), min_range=np.array([7e3]))
    a, b = _both(L2, np.array([[7e3, 0.0, h]]), np.zeros((1, 3)), np.array([np.inf]),
                 np.array([False]))
    _same(a, b)
    assert a.feasible[0, 0]


def _random_launchers(rng: np.random.Generator, W: int) -> Launchers:
    names = sorted(GRID)
    tables = tuple(flyout_table(names[rng.integers(len(names))]) if rng.random() < 0.5
                   else None for _ in range(W - 1))  # the last one: no entry at all
    gun = rng.random(W) < 0.3
    ships = rng.uniform(-20e3, 20e3, (2, 3)) * [1, 1, 0.001]
    return _launchers(
        W, pos=ships[rng.integers(2, size=W)], burn_s=np.where(gun, 0.0, rng.uniform(3, 20, W)),
        speed=rng.uniform(800, 4000, W), min_alt=rng.uniform(0, 2e3, W),
        max_alt=rng.uniform(20e3, 900e3, W), min_range=rng.uniform(0, 3e3, W),
        max_range=rng.uniform(50e3, 1500e3, W), max_target_speed=rng.uniform(500, 8000, W),
        pk=rng.uniform(0.5, 0.95, W), railgun_sigma_rad=np.where(gun, 1e-4, 0.0),
        railgun_resid_m=np.where(gun, rng.uniform(0, 5, W), 0.0),
        railgun_lethal_m=np.where(gun, 3.0, 0.0), gun=gun, tables=tables)


@pytest.mark.parametrize("seed", range(12))
def test_search_matches_numpy_on_random_launchers_and_tracks(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    L = _random_launchers(rng, int(rng.integers(1, 9)))
    T = int(rng.integers(1, 15))
    pos = rng.uniform(-300e3, 300e3, (T, 3)) * [1, 1, 0.5] + [0, 0, 150e3]
    vel = rng.normal(0, 1500, (T, 3))
    ttg = np.where(rng.random(T) < 0.2, np.inf, rng.uniform(0, 500, T))
    ballistic = rng.random(T) < 0.5
    kw: dict[str, Any] = dict(horizon_s=float(rng.choice([100.0, 400.0])),
                              step_s=float(rng.choice([0.5, 1.0, 3.0])),
                              launch_delay_s=float(rng.choice([0.0, 2.0])),
                              window_s=float(rng.choice([1.0, 2.0, 10.0])))
    a, b = _both(L, pos, vel, ttg, ballistic, **kw)
    _same(a, b, f"seed {seed}")
    tau = intercept_grid(kw["horizon_s"], kw["step_s"], kw["launch_delay_s"])
    path = engage.predict_path(pos, vel, ballistic, tau) + rng.normal(0, 50, (T, tau.size, 3))
    a, b = _both(L, pos, vel, ttg, ballistic, path=path, **kw)
    _same(a, b, f"seed {seed} path")


def test_search_finds_railgun_table_and_kinematic_opportunities() -> None:
    """The random cases above reach every kind of launcher (so they can fail)."""
    kinds = set()
    for seed in range(12):
        rng = np.random.default_rng(100 + seed)
        L = _random_launchers(rng, int(rng.integers(1, 9)))
        T = int(rng.integers(1, 15))
        pos = rng.uniform(-300e3, 300e3, (T, 3)) * [1, 1, 0.5] + [0, 0, 150e3]
        vel = rng.normal(0, 1500, (T, 3))
        ttg = np.where(rng.random(T) < 0.2, np.inf, rng.uniform(0, 500, T))
        opp = opportunities(_twins(L)[1], pos, vel, ttg, rng.random(T) < 0.5)
        table = np.array([w < len(L.tables) and L.tables[w] is not None for w in range(L.n)])
        for w in np.flatnonzero(opp.feasible.any(axis=1)):
            kinds.add("gun" if L.gun[w] else ("table" if table[w] else "kinematic"))
    assert kinds == {"gun", "table", "kinematic"}


def test_compiled_launchers_copy_and_pickle() -> None:
    _, fast = _twins(_launchers(2, tables=(flyout_table("sm6-like"), None)))
    pos, vel = np.array([[20e3, 0.0, 5e3]]), np.zeros((1, 3))
    want = opportunities(fast, pos, vel, np.array([np.inf]), np.array([False]))
    for other in (copy.deepcopy(fast), pickle.loads(pickle.dumps(fast))):
        assert other._jit
        _same(want, opportunities(other, pos, vel, np.array([np.inf]), np.array([False])))


# --- threat evaluation -------------------------------------------------------------------
def _same_threats(pos: F64, vel: F64, A: DefendedAssets) -> ThreatAssessment:
    """Assert both paths assess ``pos, vel`` alike, to the bit, and so does
    :func:`tate.c2.threat.assess_rows` on each; return the numpy one."""
    ref, fast = _twins(A)
    a, b = assess_threats(pos, vel, ref), assess_threats(pos, vel, fast)
    p, v = np.ascontiguousarray(pos, np.float64), np.ascontiguousarray(vel, np.float64)
    for other in (b, threat.assess_rows(p, v, ref), threat.assess_rows(p, v, fast)):
        for f in ("kind", "impact", "time_to_go", "asset", "miss", "priority"):
            x, y = getattr(a, f), getattr(other, f)
            assert x.dtype == y.dtype and x.shape == y.shape, f
            np.testing.assert_array_equal(x, y, err_msg=f)
        assert other.impact_cov is None
    return a


def test_threats_match_numpy_on_the_synthetic_tracks() -> None:
    pos = np.array([c[1][0] for c in KIND_CASES], float) + np.array([0.0, -50e3, 0.0])
    vel = np.array([c[1][1] for c in KIND_CASES], float)
    A = DefendedAssets(np.array([[0.0, 0.0], [30e3, 0.0], [0.0, 20e3]]),
                       np.array([1.0, 2.0, 3.0]), np.array([500.0, 2e3, 1e5]))
    a = _same_threats(pos, vel, A)
    np.testing.assert_array_equal(a.kind, [c[2] for c in KIND_CASES])
    _same_threats(pos, vel, DefendedAssets(np.zeros((0, 2)), np.zeros(0), np.zeros(0)))
    _same_threats(np.zeros((0, 3)), np.zeros((0, 3)), A)


def test_threats_match_numpy_on_random_tracks() -> None:
    kinds, threatening = set(), 0
    for seed in range(12):
        rng = np.random.default_rng(300 + seed)
        n = int(rng.integers(1, 40))
        pos = rng.uniform(-200e3, 200e3, (n, 3)) * [1, 1, 0.5] + [0, 0, 50e3]
        speed = rng.choice([50.0, 150.0, 300.0, 1200.0, 2500.0, 4000.0], n)
        dirs = rng.normal(size=(n, 3))
        vel = dirs / np.linalg.norm(dirs, axis=1, keepdims=True) * speed[:, None]
        vel[rng.random(n) < 0.1, :2] = 0.0  # straight down or up: no horizontal motion
        pos[rng.random(n) < 0.1, 2] = -5.0  # under the surface
        # some tracks aimed at an asset, so some are threatening
        A = DefendedAssets(rng.uniform(-50e3, 50e3, (3, 2)), rng.uniform(0, 3, 3),
                           rng.uniform(500, 20e3, 3))
        aim = rng.random(n) < 0.5
        to = A.pos[rng.integers(3, size=n)] - pos[:, :2]
        vel[aim, :2] = (to[aim] / np.linalg.norm(to[aim], axis=1, keepdims=True)
                        * speed[aim, None])
        a = _same_threats(pos, vel, A)
        kinds |= set(a.kind.tolist())
        threatening += int((a.asset >= 0).sum())
    assert kinds == set(range(5)) and threatening > 20


# --- the default engagement --------------------------------------------------------------
def _engagement(seed: int, compiled: bool, calls: dict[str, list[Any]] | None = None
                ) -> RunResult:
    """The default engagement with every kernel on; the search and threat evaluation
    compiled or not (the launchers, and the assets of every decision, built with
    ``tate.jit.ENABLED`` False)."""
    eng = Engagement(load_scenario(default_scenario_path()), seed)
    d = eng.defence
    with pytest.MonkeyPatch.context() as mp:
        if not compiled:
            mp.setattr(jit, "ENABLED", False)
            d.launchers = dataclasses.replace(d.launchers)
            mp.setattr(jit, "ENABLED", True)
            make = Defence._assets

            def numpy_assets(self: Defence) -> Any:
                A = make(self)
                object.__setattr__(A, "_jit", False)
                return A

            mp.setattr(Defence, "_assets", numpy_assets)
        if calls is not None:
            search, assess = engage.opportunities, threat.assess_threats

            def rec(L: Launchers, *args: Any, **kw: Any) -> Opportunities:
                calls["opportunities"].append(copy.deepcopy((args, kw)))
                return search(L, *args, **kw)

            def rec_threats(pos: F64, vel: F64, A: DefendedAssets, **kw: Any
                            ) -> ThreatAssessment:
                calls["threats"].append(copy.deepcopy((pos, vel, A, kw)))
                return assess(pos, vel, A, **kw)

            rows_of = threat.assess_rows

            def rec_rows(pos: F64, vel: F64, A: DefendedAssets) -> ThreatAssessment:
                calls["threats"].append(copy.deepcopy((pos, vel, A, {})))
                return rows_of(pos, vel, A)

            search_of = engage.opportunities_of

            def rec_of(L: Launchers, need: NDArray[np.bool_], pos: F64, vel: F64,
                       ttg: F64, ballistic: NDArray[np.bool_], window_s: float
                       ) -> Opportunities | None:
                args = (need, pos, vel, ttg, ballistic, window_s)
                calls["search_need"].append(copy.deepcopy(args))
                calls["opportunities"].append(copy.deepcopy((
                    (pos[need], vel[need], ttg[need], ballistic[need]),
                    {"window_s": window_s})))
                return search_of(L, *args)

            mp.setattr(engage, "opportunities", rec)
            mp.setattr(engage, "opportunities_of", rec_of)
            mp.setattr(threat, "assess_threats", rec_threats)
            mp.setattr(threat, "assess_rows", rec_rows)
        return eng.run()


@pytest.fixture(scope="module")
def recorded() -> Iterator[tuple[dict[str, list[Any]], RunResult, Launchers]]:
    calls: dict[str, list[Any]] = {"opportunities": [], "threats": [], "search_need": []}
    result = _engagement(1, True, calls)
    eng = Engagement(load_scenario(default_scenario_path()), 1)
    yield calls, result, eng.defence.launchers


def test_threats_match_numpy_on_the_default_engagement(recorded) -> None:  # type: ignore[no-untyped-def]
    calls = recorded[0]["threats"]
    assert len(calls) > 300
    kinds, threatening = set(), 0
    for pos, vel, A, kw in calls:
        assert not kw
        a = _same_threats(pos, vel, A)
        kinds |= set(a.kind.tolist())
        threatening += int((a.asset >= 0).sum())
    assert kinds >= {threat.BALLISTIC, threat.GLIDER, threat.CRUISE} and threatening > 100


def test_search_matches_numpy_on_the_default_engagement(recorded) -> None:  # type: ignore[no-untyped-def]
    calls, _, L = recorded[0]["opportunities"], None, recorded[2]
    assert len(calls) > 300
    ref, fast = _twins(L)
    worst, feasible, rail = 0.0, 0, 0
    for args, kw in calls:
        a, b = opportunities(ref, *args, **kw), opportunities(fast, *args, **kw)
        worst = max(worst, _same(a, b))
        feasible += int(a.feasible.sum())
        rail += int(a.feasible[L.gun].sum())
    # (the decisions search only the tracks they use: ~900 opportunities in seed 1)
    assert feasible > 700 and rail > 50
    print(f"{len(calls)} calls, {feasible} opportunities, max relative deviation {worst:.3g}")


def test_search_of_the_needed_tracks_matches_numpy_on_the_default_engagement(recorded) -> None:  # type: ignore[no-untyped-def]
    """:func:`tate.c2.engage.opportunities_of` (one compiled call: the needed columns,
    the railguns' Pk) against the numpy search of the needed tracks written into full
    columns, as :func:`tate.engine.decision.search_tracks` does without it."""
    calls, L = recorded[0]["search_need"], recorded[2]
    assert len(calls) > 300
    ref, fast = _twins(L)
    partial, rail = 0, 0
    for need, pos, vel, ttg, ballistic, window_s in calls:
        assert engage.opportunities_of(ref, need, pos, vel, ttg, ballistic, window_s) is None
        b = engage.opportunities_of(fast, need, pos, vel, ttg, ballistic, window_s)
        sub = opportunities(ref, pos[need], vel[need], ttg[need], ballistic[need],
                            window_s=window_s)
        W, n = L.n, need.size
        a = Opportunities(np.full((W, n), np.nan), np.full((W, n, 3), np.nan),
                          np.zeros((W, n)), np.full((W, n), np.nan))
        for f in FIELDS:
            getattr(a, f)[:, need] = getattr(sub, f)
        assert b is not None
        _same(a, b)
        partial += int(not need.all())
        rail += int((b.pk[L.gun] > 0).sum())
    assert partial > 100 and rail > 50


def test_default_engagement_is_the_same_with_either_search(recorded) -> None:  # type: ignore[no-untyped-def]
    _, fast, _ = recorded
    ref = _engagement(1, False)
    assert_same_result(fast, ref)
    assert fast.summary.keys() == ref.summary.keys()
    wall = {"engine_wall_s", "faster_than_real_time"}
    for key, value in ref.summary.items():
        if key not in wall:
            assert fast.summary[key] == value or (value != value and fast.summary[key]
                                                  != fast.summary[key]), key
    assert fast.shots["kill"].any()
