"""The interceptor pool's fused compiled step (:mod:`tate.engine._pool_step_jit`) against
the per-step paths it replaces.

Oracles: the pool flown step by step with the round-2 compiled path (the propagator's
compiled step, the model's compiled update and forces, the pool's compiled seeker and
screens: ``_fused`` off), bit for bit — after every tick the state of every body, the
model's guidance state, the seekers' stream and the reports are the same — and the numpy
path (``tate.jit.ENABLED`` False), the same reports to rounding.  Two truths: the test
scene's straight lines answered by the caller, and the same lines recorded in a
:class:`~tate.engine.truth.TruthStore` that the kernel samples itself.  The scene flies
rounds through boost, midcourse and the endgame with noisy seekers, a target that ends,
a false track and an early intercept (tests/unit/engine/pool_scene.py).
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest

from tate import jit
from tate.engine.pool import InterceptorPool
from tate.engine.truth import TruthStore
from tate.weapons.presets import interceptor_preset
from tests.unit.engine.pool_scene import SHOTS, LineTruth, line_scene

#: the model's state the step writes
MODEL_STATE = ("phase", "burnt_out", "exhausted", "retired", "divert_used", "a_cmd", "a_max",
               "thrust", "mflow", "area", "tgt_pos", "tgt_vel", "tgt_acc", "tgt_time")


def _same(a: object, b: object) -> bool:
    """Equal values (NaN equal to NaN), shapes and signs of zeros."""
    x, y = np.asarray(a), np.asarray(b)
    if x.dtype.kind != "f":
        return x.shape == y.shape and np.array_equal(x, y)
    return (x.shape == y.shape and np.array_equal(x, y, equal_nan=True)
            and np.array_equal(np.signbit(x), np.signbit(y)))


def _store(line: LineTruth) -> TruthStore:
    """The scene's lines recorded every 0.2 s until their last time (at most 130 s)."""
    rows = []
    for j in range(line.p0.shape[0]):
        t = np.arange(0.0, min(float(line.t_last[j]), 130.0) + 1e-9, 0.2)
        p = line.p0[j] + line.v[j] * t[:, None]
        rows.append((np.full(t.size, j), t, p, np.repeat(line.v[j][None], t.size, 0)))
    body, t, pos, vel = (np.concatenate(x) for x in zip(*rows, strict=True))
    n = line.p0.shape[0]
    span = float(t.max() - t.min() + 1.0)
    return TruthStore(np.arange(n).astype(object), np.full(n, "line", object), t, pos, vel,
                      np.searchsorted(body, np.arange(n + 1)).astype(np.intp),
                      np.zeros(n, bool), body * span + (t - t.min()), span, float(t.min()))


def _pool(compiled: bool) -> InterceptorPool:
    _, deck = line_scene()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(jit, "ENABLED", compiled)
        return InterceptorPool([interceptor_preset("sm6-like"),
                                interceptor_preset("essm-like")],
                               [4, 3], np.array([deck, deck]), 0.0, np.random.default_rng(3))


def _lockstep(pools: list[InterceptorPool], truth: Any,
              check: bool) -> list[list[tuple[Any, ...]]]:
    """Launch the scene's shots from every pool and fly them tick by tick; with
    ``check`` the pools' states are compared bit for bit after every tick."""
    killed = [np.zeros(truth.t_last.shape[0], dtype=bool) for _ in pools]
    reports: list[list[tuple[Any, ...]]] = [[] for _ in pools]
    ticks = 0
    t = 0.0
    while t < 120.0:
        for k, (tl, launcher, threat, t_pip) in enumerate(SHOTS):
            if tl == t:
                pip, _ = truth.at(t + t_pip, np.array([max(threat, 0)]))
                for p in pools:
                    p.launch(t, launcher, pip[0] + 100.0, t_pip, shot=k, threat=threat)
        for p, kd, rep in zip(pools, killed, reports, strict=True):
            p.fly(t, t + 0.5, truth, kd, lambda *r, rep=rep: rep.append(r))
        if check and pools[0].any_active():
            ref, got = pools[1], pools[0]
            assert ref.prop is not None and got.prop is not None
            assert _same(got.prop.y, ref.prop.y), t
            assert _same(got.prop.alive, ref.prop.alive), t
            for name in MODEL_STATE:
                assert _same(getattr(got.model, name), getattr(ref.model, name)), (name, t)
            assert got.model.log.rows == ref.model.log.rows, t  # type: ignore[union-attr]
            assert got.rng.bit_generator.state == ref.rng.bit_generator.state  # type: ignore[union-attr]
            assert got.t == ref.t and got.steps == ref.steps
            assert [repr(r) for r in reports[0]] == [repr(r) for r in reports[1]], t
            ticks += 1
        t += 0.5
    if check:
        assert ticks > 50
    return reports


@pytest.mark.parametrize("store", [False, True], ids=["caller-truth", "truth-store"])
def test_the_fused_step_is_the_per_step_path_bit_for_bit(store: bool) -> None:
    """After every tick: the same states, guidance, phase log, stream and reports as the
    round-2 compiled path, step by step."""
    line, _ = line_scene()
    truth = _store(line) if store else line
    fused, per_step = _pool(True), _pool(True)
    per_step._fused = False
    assert fused._fused
    reports = _lockstep([fused, per_step], truth, check=True)
    assert {"assess", "target gone", "no target (false track)"} <= {r[3] for r in reports[0]}
    assert sum(r[3] == "assess" for r in reports[0]) >= 3


@pytest.mark.parametrize("store", [False, True], ids=["caller-truth", "truth-store"])
def test_the_fused_step_reports_as_the_numpy_path(store: bool) -> None:
    """The same reports as the numpy reference: outcomes, bodies, times to 1e-9 s and
    misses to 1e-6 m."""
    line, _ = line_scene()
    truth = _store(line) if store else line
    fused, ref = _pool(True), _pool(False)
    assert fused._fused and not ref._jit
    got, want = _lockstep([fused, ref], truth, check=False)
    assert [(r[0], r[3]) for r in got] == [(r[0], r[3]) for r in want]
    np.testing.assert_allclose([r[1] for r in got], [r[1] for r in want], rtol=0, atol=1e-9)
    np.testing.assert_allclose([r[2] for r in got], [r[2] for r in want], rtol=0, atol=1e-6)


def test_the_sampled_step_want_is_the_numpy_one_at_every_tick() -> None:
    """The fused path's step length (truth sampled in the kernel,
    :func:`~tate.engine._pool_step_jit.step_want_sampled` as ``fly_tick`` calls it) is the per-step
    compiled path's (the truth sampled by the store) bit for bit at every tick of the
    scene, rounds in the air or not, and the numpy reference's to rounding (its
    ``einsum`` may round the closing speed's dot product differently)."""
    from tate.engine._pool_step_jit import step_want_sampled
    from tate.engine.pool import BURN_STEP_S, MIN_STEP_S, STEPS_PER_TIME_TO_GO

    line, _ = line_scene()
    store = _store(line)
    tr = (store.time, store.pos, store.vel, store.start, store.keys, float(store.span),
          float(store.t0))
    pool = _pool(True)
    killed = np.zeros(line.t_last.shape[0], dtype=bool)
    seen = set()
    t = 0.0
    while t < 120.0:
        for k, (tl, launcher, threat, t_pip) in enumerate(SHOTS):
            if tl == t:
                pip, _ = store.at(t + t_pip, np.array([max(threat, 0)]))
                pool.launch(t, launcher, pip[0] + 100.0, t_pip, shot=k, threat=threat)
        want = pool._step_want(t, t + 0.5, store)  # the truth sampled by the store
        prop, m = pool.prop, pool.model
        assert prop is not None and m is not None
        got = step_want_sampled(pool.active, pool.threat, t - pool.t_start, t, 0.5,
                                MIN_STEP_S, BURN_STEP_S, STEPS_PER_TIME_TO_GO, m.t_launch,
                                m.burnt_out, m.t_vert, prop.pos, prop.vel, m.pip_pos, tr)
        assert _same(got, want), t
        assert got == pytest.approx(pool._step_want_numpy(t, t + 0.5, store), rel=1e-14)
        seen.add(want)
        pool.fly(t, t + 0.5, store, killed, lambda *r: None)
        t += 0.5
    assert len(seen) > 10 and {0.1, 0.25, 0.5} <= seen


def test_a_pool_copied_mid_flight_flies_on_the_same() -> None:
    """A pool pickled and deep-copied with rounds in the air flies on as the original."""
    import copy
    import pickle

    line, _ = line_scene()
    pool = _pool(True)
    killed = np.zeros(line.t_last.shape[0], dtype=bool)
    t = 0.0
    for k, (tl, launcher, threat, t_pip) in enumerate(SHOTS[:3]):
        pip, _ = line.at(tl + t_pip, np.array([threat]))
        while t < tl:
            pool.fly(t, t + 0.5, line, killed, lambda *r: None)
            t += 0.5
        pool.launch(tl, launcher, pip[0] + 100.0, t_pip, shot=k, threat=threat)
    twins = [pool, copy.deepcopy(pool), pickle.loads(pickle.dumps(pool))]
    reports: list[list[tuple[Any, ...]]] = [[], [], []]
    while t < 60.0:
        for p, rep in zip(twins, reports, strict=True):
            p.fly(t, t + 0.5, line, killed.copy(), lambda *r, rep=rep: rep.append(r))
        t += 0.5
    assert reports[0] and all(repr(r) == repr(reports[0]) for r in reports[1:])
    assert all(_same(p.prop.y, pool.prop.y) for p in twins[1:])  # type: ignore[union-attr]


def test_draws_fetched_ahead_and_undone_leave_the_stream_as_drawn_step_by_step() -> None:
    """``_fly_fused`` draws a tick's seeker rows ahead, then restores the state and draws
    the rows used: the rows and the stream's state are those of per-step draws."""
    steps = [2, 3, 0, 1, 2]
    one, ahead = np.random.default_rng(5), np.random.default_rng(5)
    rows = [one.standard_normal((k, 3)) for k in steps]
    saved = ahead.bit_generator.state
    buf = ahead.standard_normal((40, 3))
    ahead.bit_generator.state = saved
    ahead.standard_normal((sum(steps), 3))
    assert _same(np.concatenate(rows), buf[:sum(steps)])
    assert ahead.bit_generator.state == one.bit_generator.state
    assert _same(one.standard_normal(4), ahead.standard_normal(4))


def test_copies_keep_the_attributes_rows_of_their_blocks() -> None:
    """The model's and the propagator's per-body arrays are rows of their blocks (the
    fused kernel gets the blocks), in the pool and in its deep copies and pickles."""
    import copy
    import pickle

    pool = _pool(True)
    line, _ = line_scene()
    pool.launch(0.0, 0, line.at(40.0, np.array([0]))[0][0], 40.0, shot=0, threat=0)
    pool.fly(0.0, 0.5, line, np.zeros(line.t_last.shape[0], dtype=bool), lambda *r: None)
    assert pool._step_args is not None
    for p in (pool, copy.deepcopy(pool), pickle.loads(pickle.dumps(pool))):
        m, prop = p.model, p.prop
        assert m is not None and prop is not None
        f, st, b, i, phase = m._blocks
        for a, blk in (("t_launch", f), ("tgt_time", f), ("_par", f), ("a_cmd", f),
                       ("tgt_acc", f), ("_stg", st), ("area_stage", st), ("burnt_out", b),
                       ("kv", b), ("_dropped", b), ("_has_burn", b), ("_law_code", i),
                       ("_events", i), ("phase", phase)):
            assert np.shares_memory(getattr(m, a), blk), a
        ys, vec, sc, fl = prop._blocks
        env = prop._env
        for arr, blk in ((prop.y, ys), (prop._y0, ys), (prop._k[3], ys), (prop._tmp, ys),
                         (prop._acc, vec), (prop._grav, vec), (env.grav, vec),
                         (prop._mdot, sc), (prop.ground_alt, sc), (env.alt, sc),
                         (env.mach, sc), (prop._genv[0].qbar, sc), (prop.alive, fl),
                         (prop._armed, fl)):
            assert np.shares_memory(arr, blk)
        assert _same(m.t_launch, pool.model.t_launch)  # type: ignore[union-attr]
        assert _same(prop.y, pool.prop.y)  # type: ignore[union-attr]
        args = p._step_args
        assert args is not None and args[0] is m._blocks
        assert all(x is y for x, y in zip(args[2][:4], prop._blocks, strict=True))


def test_the_live_list_holds_the_rounds_flown_and_drops_the_settled() -> None:
    """The fused step loops over the pool's live list (``_ints[11:]``): after every tick
    it is ascending, holds every round in the air, and ended rounds leave it once the
    update can no longer change them — rounds launched out of body order (launcher 1's
    first before launcher 0's second) included.  The bit-for-bit comparison with the
    per-step path (which updates every body) is
    :func:`test_the_fused_step_is_the_per_step_path_bit_for_bit`."""
    line, _ = line_scene()
    pool, killed = _pool(True), np.zeros(line.t_last.shape[0], dtype=bool)
    sizes, t = [], 0.0
    while t < 120.0:
        for k, (tl, launcher, threat, t_pip) in enumerate(SHOTS):
            if tl == t:
                pip, _ = line.at(t + t_pip, np.array([max(threat, 0)]))
                pool.launch(t, launcher, pip[0] + 100.0, t_pip, shot=k, threat=threat)
        pool.fly(t, t + 0.5, line, killed, lambda *r: None)
        nl = int(pool._ints[9])
        live = pool._ints[11:11 + nl].tolist()
        assert live == sorted(set(live)), t
        assert set(np.flatnonzero(pool.active).tolist()) <= set(live), t
        sizes.append(nl)
        t += 0.5
    assert max(sizes) == len(SHOTS) and sizes[-1] == 0
    assert any(b < a for a, b in itertools.pairwise(sizes))  # settled ones left
