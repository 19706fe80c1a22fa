"""The early closing of a launcher in the compiled search (:mod:`tate.c2._engage_jit`,
its bounds in :mod:`tate.c2._engage_bounds`):
a launcher whose envelope the exact kinematic path leaves for good, or whose rounds
cannot reach it (:func:`speed_bounds`), or whose flown table's rounds can meet it in no
range band (:func:`_earliest`: too late, too early for the stretch, or where the table
has no time), is closed before the end of the track's grid; one whose rounds can meet
it in no band before a time is skipped until then.

Oracle: the numpy search of :func:`tate.c2.engage.opportunities` (the full walk of the
whole grid).  The speed bound holds at every point of every bundled fly-out table; a
closed pair has no opportunity in the full walk, a skipped one none before its time;
the search with closing gives the same opportunities, to the bit, on random tracks of
every kind around the default scenario's launchers (flown tables, kinematic missiles,
railguns).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from tate import jit
from tate.c2 import engage
from tate.c2.engage import Launchers, intercept_grid, opportunities
from tate.c2.threat import G0
from tate.engine.engagement import Engagement
from tate.scenario import default_scenario_path, load_scenario
from tate.weapons.flyout import GRID, flyout_table


@pytest.fixture(scope="module")
def launchers() -> tuple[Launchers, Launchers]:
    L = Engagement(load_scenario(default_scenario_path()), 1).defence.launchers
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(jit, "ENABLED", False)
        ref = dataclasses.replace(L)
        mp.setattr(jit, "ENABLED", True)
        fast = dataclasses.replace(L)
    return ref, fast


@pytest.mark.parametrize("name", sorted(GRID))
def test_speed_bound_holds_on_the_bundled_tables(name: str) -> None:
    from tate.c2 import _engage_jit as k

    tab = flyout_table(name)
    assert tab is not None
    r, a, t = tab.ranges_m, tab.alts_m, np.ascontiguousarray(tab.time_s).ravel()
    rng = np.random.default_rng(3)
    for v in (300.0, 1200.0, 4000.0):
        params = np.zeros((1, 8))
        params[0, 1] = v
        index = np.array([[1, 0, r.size, 0, a.size, 0, 0]], np.intp)
        V, G = k.speed_bounds(params, index, r, a, t)[0]
        g = np.concatenate([rng.uniform(0.0, 1.0, 20000) * r[-1], r])
        h = np.concatenate([rng.uniform(-0.1, 1.0, 20000) * a[-1], np.full(r.size, a[0])])
        T = k.table_times(r, a, tab.time_s, g, h)
        ok = np.isfinite(T)
        assert ok.sum() > 1000 and V == v
        assert np.all(T[ok] * V + G >= g[ok])


@pytest.mark.parametrize("name", sorted(GRID))
def test_band_bounds_hold_on_the_bundled_tables(name: str) -> None:
    from tate.c2 import _engage_jit as k

    tab = flyout_table(name)
    assert tab is not None
    r, a, t = tab.ranges_m, tab.alts_m, np.ascontiguousarray(tab.time_s).ravel()
    index = np.array([[1, 0, r.size, 0, a.size, 0, 0]], np.intp)
    bands = k.band_times(index, a, t, r.size)
    rng = np.random.default_rng(4)
    g = np.concatenate([rng.uniform(0.0, 1.0, 20000) * r[-1], r])
    h = np.concatenate([rng.uniform(-0.1, 1.0, 20000) * a[-1], np.full(r.size, a[0])])
    T = k.table_times(r, a, tab.time_s, g, h)
    ok = np.isfinite(T)
    assert ok.sum() > 1000
    row = np.clip(np.searchsorted(r, g, side="right") - 1, 0, r.size - 2)
    lo, hi, h_lo, h_hi = bands[row].T
    assert np.all(T[ok] >= lo[ok]) and np.all(T[ok] <= hi[ok])
    assert np.all(h[ok] >= h_lo[ok]) and np.all(h[ok] <= h_hi[ok])
    assert np.isfinite(bands[:-1, 0]).sum() > 3 and bands[-1, 0] == np.inf


def _tracks(seed: int, n: int) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    pos = np.column_stack([rng.uniform(-4e5, 4e5, (n, 2)), rng.uniform(-50.0, 2e5, n)])
    speed = rng.choice([250.0, 700.0, 2000.0, 5000.0], n)
    d = rng.normal(size=(n, 3))
    d[:, 2] *= rng.choice([0.0, 0.1, 1.0], n)
    vel = speed[:, None] * d / np.linalg.norm(d, axis=1)[:, None]
    ballistic = rng.random(n) < 0.3
    ttg = np.where(rng.random(n) < 0.5, np.inf, rng.uniform(5.0, 500.0, n))
    return pos, vel, ttg, ballistic


@pytest.mark.parametrize("seed", range(3))
def test_a_closed_pair_has_no_opportunity_in_the_full_walk(launchers, seed: int) -> None:  # type: ignore[no-untyped-def]
    from tate.c2 import _engage_bounds as k

    ref, fast = launchers
    pos, vel, ttg, ballistic = _tracks(seed, 300)
    full = opportunities(ref, pos, vel, ttg, ballistic)
    tau = intercept_grid()
    lpos, site, params = fast.packed[:3]
    reach = fast.speed_bounds
    bands = fast.band_times
    index, ranges = fast.packed[3], fast.packed[4]
    kin = np.column_stack([pos, vel, ballistic.astype(float)])
    closed = {"envelope": 0, "reach": 0, "late": 0, "later": 0, "reach later": 0}
    for j in range(pos.shape[0]):
        end = int(np.sum(tau < ttg[j]))
        if end == 0:
            continue
        for k0 in (0, end // 2):
            for w in range(fast.n):
                lim = np.ascontiguousarray(params[w, 2:6])
                out = k._outside(kin, j, lpos, site[w], G0, tau[k0], tau[end - 1], lim)
                slow = k._too_slow(kin, j, lpos, site[w], tau[k0], tau[end - 1], reach[w], 2.0)
                first = k._earliest(
                    kin, j, lpos, site[w], G0, tau[k0], tau[end - 1], ranges, index[w, 1],
                    index[w, 2], bands, 2.0, 2.0) if index[w, 0] == 1 else -np.inf
                t = full.t_intercept[w, j]
                if first > tau[k0]:  # none in [tau[k0], first)
                    closed["later"] += 1
                    assert not (tau[k0] <= t < first), (seed, j, w, k0, first, t)
                late = first == np.inf
                if index[w, 0] != 1:  # kinematic stand-ins: skipped out of reach
                    first = k._reach_start(kin, j, lpos, site[w], tau, k0, end, reach[w], 2.0)
                    if first > tau[k0]:
                        closed["later"] += 1
                        closed["reach later"] += 1
                        assert not (tau[k0] <= t < first), (seed, j, w, k0, first, t)
                if late:
                    closed["late"] += 1
                if out or slow or late:
                    closed["envelope" if out else "reach"] += 1
                    # no opportunity at or after tau[k0]
                    assert not (t >= tau[k0]), (seed, j, w, k0, out, slow)
    assert (closed["envelope"] > 500 and closed["reach"] > 100 and closed["late"] > 100
            and closed["later"] > 100 and closed["reach later"] > 100), closed


@pytest.mark.parametrize("seed", range(3))
def test_search_with_closing_is_the_full_walk_on_random_tracks(launchers, seed: int) -> None:  # type: ignore[no-untyped-def]
    ref, fast = launchers
    pos, vel, ttg, ballistic = _tracks(10 + seed, 400)
    need = np.random.default_rng(seed).random(pos.shape[0]) < 0.8
    got = engage.opportunities_of(fast, need, pos, vel, ttg, ballistic, 2.0)
    assert got is not None
    want = opportunities(ref, pos[need], vel[need], ttg[need], ballistic[need])
    for f in ("t_intercept", "pip", "pk", "flyout"):
        np.testing.assert_array_equal(getattr(got, f)[:, need], getattr(want, f), err_msg=f)
    assert np.isfinite(want.t_intercept).sum() > 100


def test_a_non_finite_time_to_go_is_searched_as_inf(launchers) -> None:  # type: ignore[no-untyped-def]
    ref, fast = launchers
    pos, vel, ttg, ballistic = _tracks(20, 300)
    rng = np.random.default_rng(20)
    ttg = np.where(rng.random(ttg.size) < 0.3, rng.choice([np.nan, -np.inf], ttg.size), ttg)
    need = rng.random(pos.shape[0]) < 0.8
    got = engage.opportunities_of(fast, need, pos, vel, ttg, ballistic, 2.0)
    assert got is not None
    inf = np.where(np.isfinite(ttg), ttg, np.inf)
    want = opportunities(ref, pos[need], vel[need], inf[need], ballistic[need])
    for f in ("t_intercept", "pip", "pk", "flyout"):
        np.testing.assert_array_equal(getattr(got, f)[:, need], getattr(want, f), err_msg=f)
    assert np.isfinite(want.t_intercept[:, ~np.isfinite(ttg[need])]).sum() > 20
