"""The per-tick fast forms of the plant, the railgun chargers and the pool against their
numpy references: bit for bit (values and signs of zeros) on random inputs with shedding,
storage at its limits, ties and zeros.

Oracles: :func:`tate.weapons.power.plant_tick` (the plant's numpy tick),
:func:`tate.weapons.railgun.charge_tick` (the chargers' numpy tick); a whole run of a
plant and a gun stepped through the methods against the references stepped by hand;
:meth:`tate.engine.pool.InterceptorPool._step_want_numpy` at every tick of a pool
flying rounds through boost, midcourse and endgame; the closest approach inside a step
as computed before the overhead cuts (a verbatim copy).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import tate.engine.pool as pool_mod
from tate.engine.pool import InterceptorPool
from tate.weapons import intercept
from tate.weapons.power import (
    LOADS,
    PowerPlant,
    plant_tick,
    plant_tick_scalar,
)
from tate.weapons.presets import interceptor_preset
from tate.weapons.railgun import RailgunState, charge_tick, charge_tick_scalar
from tate.weapons.ship_presets import plant_preset, railgun_preset
from tests.unit.engine.pool_scene import SHOTS, fly_scene, line_scene

K = len(LOADS)


def _same(a: object, b: object) -> bool:
    """Equal values (NaN equal to NaN), shapes and signs of zeros."""
    x, y = np.asarray(a, float), np.asarray(b, float)
    return (x.shape == y.shape and np.array_equal(x, y, equal_nan=True)
            and np.array_equal(np.signbit(x), np.signbit(y)))


def _pick(rng: np.random.Generator, shape: tuple[int, ...], scale: float) -> np.ndarray:
    """Random values with many exact zeros, negative zeros, negatives and repeats."""
    x = rng.random(shape) * scale * 10.0 ** rng.integers(-2, 3, shape)
    kind = rng.integers(0, 8, shape)
    x = np.where(kind == 0, 0.0, x)
    x = np.where(kind == 1, -0.0, x)
    x = np.where(kind == 2, -x, x)
    x = np.where(kind == 3, np.round(x / scale) * scale, x)  # ties between columns
    return x


def _plant_case(rng: np.random.Generator) -> tuple:
    n = int(rng.integers(1, 6))
    demand = _pick(rng, (n, K), 3e6)
    online = np.abs(_pick(rng, (n,), 1e7))
    online[rng.random(n) < 0.1] = -1e6
    smax = np.abs(_pick(rng, (n,), 5e7))
    storage = smax * rng.choice([0.0, 1.0, 0.5, 1e-9, 1.0 - 1e-12], n)
    storage[rng.random(n) < 0.1] *= 2.0  # over capacity: clipped
    cmax = np.abs(_pick(rng, (n,), 5e6))
    dmax = np.abs(_pick(rng, (n,), 5e6))
    eta = np.sqrt(rng.choice([1.0, 0.9, 0.81, 0.5], n))
    prio = rng.integers(0, 4, K)
    dt = float(rng.choice([0.5, 0.25, 0.1, 2.0, 1e-3]))
    return dt, demand, online, storage, smax, cmax, dmax, eta, prio


def test_plant_tick_scalar_is_numpy_bit_for_bit() -> None:
    rng = np.random.default_rng(7)
    shed = limited = 0
    for _ in range(3000):
        dt, demand, online, storage, smax, cmax, dmax, eta, prio = _plant_case(rng)
        ref = plant_tick(dt, demand, online, storage, smax, cmax, dmax, eta, prio)
        got = plant_tick_scalar(dt, demand.tolist(), online.tolist(), storage.tolist(),
                                smax.tolist(), cmax.tolist(), dmax.tolist(), eta.tolist(),
                                np.argsort(prio, kind="stable").tolist())
        for r, g in zip(ref, got, strict=True):
            assert _same(r, g), (r, g)
        shed += int((ref[0] - ref[2] > 0).sum())
        limited += int((ref[6] == smax).sum() + (ref[5] == dmax).sum() + (ref[4] == cmax).sum())
    assert shed > 1000 and limited > 1000  # the cases do shed loads and reach the limits


def test_charge_tick_scalar_is_numpy_bit_for_bit() -> None:
    rng = np.random.default_rng(8)
    for _ in range(3000):
        n = int(rng.integers(1, 5))
        cap = np.abs(_pick(rng, (n,), 1e8))
        stored = cap * rng.choice([0.0, 1.0, 0.5, 1.0 - 1e-12], n)
        stored[rng.random(n) < 0.1] *= 2.0
        power, limit = _pick(rng, (n,), 3e7), np.abs(_pick(rng, (n,), 3e7))
        dt = float(rng.choice([0.5, 0.1, 2.0]))
        ref = charge_tick(dt, power, stored, cap, limit)
        got = charge_tick_scalar(dt, power.tolist(), stored.tolist(), cap.tolist(),
                                 limit.tolist())
        assert _same(ref[0], got[0]) and _same(ref[1], got[1])


@pytest.mark.parametrize("storage", [False, True])
def test_stepped_plant_and_gun_against_the_references(storage: bool) -> None:
    """A whole run through :meth:`PowerPlant.step` and :meth:`RailgunState.charge` (the
    scalar forms) against the numpy ticks stepped by hand, and a tick with a NaN demand
    (the numpy fallback)."""
    rng = np.random.default_rng(9)
    specs = [plant_preset("ddg51-flight2a"), plant_preset("ddg51-flight3")]
    plant = PowerPlant(specs)
    if storage:
        plant.storage_max[:] = 3e7
        plant.charge_max[:], plant.discharge_max[:] = 2e6, 4e6
        plant.eta[:] = np.sqrt(0.9)
        plant.storage = np.array([1e7, 0.0])
    guns = RailgunState([railgun_preset("emrg-32mj-like")] * 2, charged=False)
    e = plant.storage.copy()
    stored = guns.stored.copy()
    args = (plant.storage_max, plant.charge_max, plant.discharge_max, plant.eta,
            plant.priority)
    for i in range(400):
        dt = 0.5
        demand = np.abs(rng.normal(3e6, 3e6, (2, K)))
        if i == 399:  # last: the NaN stays in the storage
            demand[1, 0] = np.nan
        plant.online_w[1] = 6e6 if 100 <= i < 300 else specs[1].capacity_w
        step = plant.step(dt, demand)
        ref = plant_tick(dt, demand, plant.online_w, e, *args)
        e = ref[6]
        assert _same(step.served, ref[2]) and _same(step.storage_j, e)
        assert _same(step.generation, ref[3]) and _same(step.shed, ref[0] - ref[2])
        assert _same(step.charge_w, ref[4]) and _same(step.discharge_w, ref[5])
        offer = step.served[:, -1]
        drawn = guns.charge(dt, offer)
        d_ref, stored = charge_tick(dt, offer, stored, guns.capacity, guns.charge_limit)
        assert _same(drawn, d_ref) and _same(guns.stored, stored)
        if i % 50 == 49:
            guns.fire()
            stored = guns.stored.copy()
    tl = plant.timeline()
    assert tl.served.shape == (400, 2, K) and tl.capacity.shape == (400, 2)
    assert np.isnan(tl.served[399, 1]).all() and not np.isnan(tl.served[:399]).any()


# --- the interceptor pool's step length ------------------------------------------------------

def _steps(want: float, tick: float) -> int:
    """Steps of a tick as :meth:`InterceptorPool._step_length` counts them."""
    want = min(max(want, pool_mod.MIN_STEP_S), tick)
    return max(1, math.ceil(tick / want - 1e-9))


def _fly_pool(step_want: bool) -> tuple[list[tuple], list[float], list[bool]]:
    """Rounds fired at crossing, head-on, low and short-lived targets and a false track,
    with seeker noise; with ``step_want`` every tick's wanted step is checked against
    :meth:`InterceptorPool._step_want_numpy`.  Returns the reports, the wanted steps and
    whether each equalled the numpy form's bit for bit."""
    truth, deck = line_scene()
    pool = InterceptorPool([interceptor_preset("sm6-like"), interceptor_preset("essm-like")],
                           [4, 3], np.array([deck, deck]), 0.0, np.random.default_rng(3))
    seen: list[float] = []
    same: list[bool] = []

    def both(t0: float, t1: float, tr: object) -> float:
        want = InterceptorPool._step_want(pool, t0, t1, tr)
        ref = pool._step_want_numpy(t0, t1, tr)
        # einsum sums one body's three products in its own (platform's) order
        assert want == pytest.approx(ref, rel=1e-12, abs=0.0)
        tick = t1 - t0
        assert _steps(want, tick) == _steps(ref, tick)
        seen.append(want)
        same.append(want == ref)
        return want

    if step_want:
        pool._step_want = both  # type: ignore[method-assign]
    reports: list[tuple] = []
    fly_scene(pool, truth, SHOTS[:6], lambda *r: reports.append(r))
    return reports, seen, same


def test_pool_step_want_scalar_is_numpy_every_tick() -> None:
    """Every tick's wanted step from :meth:`InterceptorPool._step_want` equals
    :meth:`InterceptorPool._step_want_numpy`'s, through boost, midcourse and endgame."""
    reports, seen, same = _fly_pool(True)
    assert len(reports) == 6
    assert {0.1, 0.25} <= set(seen) and len(set(seen)) > 20  # rise, burn, time to go
    assert np.mean(same) > 0.5


def test_pool_end_of_step_as_the_old_masks(monkeypatch: pytest.MonkeyPatch) -> None:
    """The rounds closed at the end of a step (:meth:`InterceptorPool._end_step`, a loop
    over the rounds in the air) as by the masks over all bodies it replaced."""

    def old_end_step(self: InterceptorPool, t_next: float, report: object) -> None:
        prop = self.prop
        late = self.active & (t_next > self.t_pip + pool_mod.MAX_OVERTIME_S)
        dead = self.active & ~prop.alive
        for b in (late | dead).nonzero()[0].tolist():
            self.close(b)
            report(b, t_next, np.nan, "missed")
        no_tgt = self.active & (self.threat < 0) & (t_next > self.t_pip)
        for b in no_tgt.nonzero()[0].tolist():
            self.close(b)
            report(b, t_next, np.nan, "no target (false track)")

    new, _, _ = _fly_pool(False)
    monkeypatch.setattr(InterceptorPool, "_end_step", old_end_step)
    old, _, _ = _fly_pool(False)
    assert [repr(r) for r in new] == [repr(r) for r in old]  # NaN misses too
    outcomes = {r[3] for r in new}
    assert {"no target (false track)", "target gone", "assess"} <= outcomes, outcomes


# --- closest approach inside a step -----------------------------------------------------------

def _old_min_over_step(c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`tate.weapons.intercept._min_over_step` as it was before the overhead cuts
    (verbatim, with its helpers): the oracle, bit for bit."""
    d = c.shape[0] - 1
    q = np.zeros((2 * d + 1, c.shape[2]))
    for i in range(d + 1):
        for j in range(d + 1):
            q[i + j] += np.einsum("xk,xk->k", c[i], c[j])

    def polyval(p: np.ndarray, s: np.ndarray) -> np.ndarray:
        out = np.zeros(s.shape)
        for coef in p[::-1]:
            out = out * s + coef
        return out

    def roots(p: np.ndarray) -> np.ndarray:
        m, k = p.shape[0] - 1, p.shape[1]
        out = np.full((m, k), np.nan)
        scale = np.abs(p).max(axis=0)
        scale = np.where(scale > 0, scale, 1.0)
        deg = np.zeros(k, dtype=int)
        for j in range(1, m + 1):
            deg = np.where(np.abs(p[j]) > intercept.DEGREE_TOL * scale, j, deg)
        for j in range(1, m + 1):
            sel = np.flatnonzero(deg == j)
            if sel.size == 0:
                continue
            lead = p[j, sel]
            comp = np.zeros((sel.size, j, j))
            comp[:, 0, :] = -(p[j - 1::-1, sel] / lead).T
            if j > 1:
                idx = np.arange(j - 1)
                comp[:, idx + 1, idx] = 1.0
            out[:j, sel] = np.linalg.eigvals(comp).real.T
        return out

    dq = q[1:] * np.arange(1, q.shape[0])[:, None]
    d2q = dq[1:] * np.arange(1, dq.shape[0])[:, None]
    s = roots(dq)
    for _ in range(2):
        f, fp = polyval(dq, s), polyval(d2q, s)
        ok = np.isfinite(s) & (np.abs(fp) > 0)
        s = np.where(ok, s - f / np.where(ok, fp, 1.0), s)
    s = np.clip(np.nan_to_num(s, nan=0.0), 0.0, 1.0)
    k = c.shape[2]
    cand = np.vstack([np.zeros((1, k)), np.ones((1, k)), s])
    dist2 = polyval(q, cand)
    best = np.argmin(dist2, axis=0)
    cols = np.arange(k)
    return cand[best, cols], np.sqrt(np.maximum(dist2[best, cols], 0.0))


@pytest.mark.parametrize("order", [2, 3])
def test_min_over_step_is_the_old_numpy_form_bit_for_bit(order: int) -> None:
    """Random separations (Hermite cubics and constant-acceleration quadratics) with one to
    eight pairs, including dropped degrees (parallel motion, a step with no relative
    motion): the float form (up to four pairs), the numpy form (more) and the old code
    agree bit for bit."""
    rng = np.random.default_rng(10 + order)
    for trial in range(1500):
        k = int(rng.integers(1, 9))
        c = rng.normal(size=(order + 1, 3, k)) * 10.0 ** rng.integers(-1, 5, (order + 1, 1, k))
        if trial % 5 == 1:
            c[order:] = 0.0  # a degree dropped
        if trial % 7 == 2:
            c[1:] = 0.0  # no relative motion: every s is a minimum
        if trial % 11 == 3:
            c[:, :, 0] = c[:, :, -1]
        ref = _old_min_over_step(c)
        for got in (intercept._min_over_step(c), intercept._min_over_step_numpy(c)):
            assert _same(got[0], ref[0]) and _same(got[1], ref[1]), (trial, got, ref)


def test_steady_tick_answer_is_not_kept_for_rows_changed_after_the_call() -> None:
    """The last tick's answer is taken only for inputs equal to its own: rows the caller
    changes after a tick (in place) are served anew, as a fresh plant serves them."""
    spec = plant_preset("ddg1000-like")
    rows = [[1e6, 2e6, 0.0, 1e6, 3e7]]
    plant, fresh = PowerPlant([spec]), PowerPlant([spec])
    first = [r[:] for r in plant.step_served(0.5, rows)]
    assert plant.step_served(0.5, rows) == first  # steady: the same answer
    rows[0][4] = 0.0  # changed in place after the calls
    fresh.step_served(0.5, [[1e6, 2e6, 0.0, 1e6, 3e7]])
    fresh.step_served(0.5, [[1e6, 2e6, 0.0, 1e6, 3e7]])
    assert plant.step_served(0.5, rows) == fresh.step_served(0.5, rows)
    assert plant.step_served(0.5, rows)[0][4] == 0.0
    assert _same(plant.storage, fresh.storage)
