"""The interceptor pool's compiled step control and seeker geometry
(:mod:`tate.engine._pool_jit`) against their numpy references, bit for bit.

Oracles: :meth:`tate.engine.pool.InterceptorPool._step_want` on Python floats (the step
the rounds allow; to rounding its array form ``_step_want_numpy``) and the numpy branch of
:meth:`~tate.engine.pool.InterceptorPool._seeker_error` (the same draws from a copy of
the stream), at every step of a pool flying rounds through boost, midcourse and endgame
against crossing, head-on, low and short-lived targets and a false track with noisy
seekers; the closest approach as
:func:`tate.weapons.intercept.closest_approach_hermite` (and the opening range as the
einsum of old) for every candidate; and a whole flight of that pool with the compiled
path on and off.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pytest

from tate import jit
from tate.engine.pool import InterceptorPool
from tate.weapons.intercept import closest_approach_hermite
from tate.weapons.presets import interceptor_preset
from tests.unit.engine.pool_scene import SHOTS, fly_scene, line_scene


def _same(a: object, b: object) -> bool:
    """Equal values (NaN equal to NaN), shapes and signs of zeros."""
    x, y = np.asarray(a, float), np.asarray(b, float)
    return (x.shape == y.shape and np.array_equal(x, y, equal_nan=True)
            and np.array_equal(np.signbit(x), np.signbit(y)))


def _fly(compiled: bool, check: bool) -> tuple[list[tuple[Any, ...]], dict[str, int]]:
    """Fly the scene; with ``check`` every step's wanted step and seeker error are
    compared with the numpy forms.  Returns the reports and how many calls were checked
    (and of those with a terminal round, for the seeker)."""
    truth, deck = line_scene()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(jit, "ENABLED", compiled)
        pool = InterceptorPool([interceptor_preset("sm6-like"),
                                interceptor_preset("essm-like")],
                               [4, 3], np.array([deck, deck]), 0.0, np.random.default_rng(3))
    assert pool._jit is compiled
    counts = {"want": 0, "seeker": 0, "terminal": 0, "closest": 0}
    if check:  # the per-step path (the fused step: tests/unit/engine/test_pool_step_jit.py)
        pool._fused = False
        want_c, seek_c = pool._step_want, pool._seeker_error

        def want(t0: float, t1: float, tr: Any) -> float:
            got = want_c(t0, t1, tr)
            ref_pool = copy.copy(pool)
            ref_pool._jit = False
            assert _same(got, InterceptorPool._step_want(ref_pool, t0, t1, tr)), (t0, t1)
            # the array form's einsum sums a body's three products in its own order
            assert got == pytest.approx(pool._step_want_numpy(t0, t1, tr), rel=1e-12)
            counts["want"] += 1
            return got

        def seeker(act: np.ndarray, q: np.ndarray) -> np.ndarray:
            ref_pool = copy.copy(pool)
            ref_pool._jit = False
            ref_pool.rng = copy.deepcopy(pool.rng)
            ref = InterceptorPool._seeker_error(ref_pool, act, q)
            got = seek_c(act, q)
            assert _same(got, ref), act
            assert ref_pool.rng.bit_generator.state == pool.rng.bit_generator.state
            counts["seeker"] += 1
            counts["terminal"] += int((got != 0.0).any())
            return got

        closest_c = pool._closest_compiled

        def closest(act: np.ndarray, cand: np.ndarray, p0: np.ndarray, v0: np.ndarray,
                    qa: np.ndarray, wa: np.ndarray, qb: np.ndarray, wb: np.ndarray,
                    h: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
            got = closest_c(act, cand, p0, v0, qa, wa, qb, wb, h)
            p1, v1 = pool.prop.pos[:, act], pool.prop.vel[:, act]  # type: ignore[union-attr]
            s, miss = closest_approach_hermite(p0[:, cand], v0[:, cand], p1[:, cand],
                                               v1[:, cand], qa[cand].T, wa[cand].T,
                                               qb[cand].T, wb[cand].T, h)
            rel1, vrel1 = qb[cand].T - p1[:, cand], wb[cand].T - v1[:, cand]
            opening = np.einsum("ij,ij->j", rel1, vrel1) > 0
            assert _same(got[0], s) and _same(got[1], miss), (got, s, miss)
            np.testing.assert_array_equal(got[2], opening)
            counts["closest"] += cand.size
            return got

        pool._closest_compiled = closest  # type: ignore[method-assign]
        pool._step_want = want  # type: ignore[method-assign]
        pool._seeker_error = seeker  # type: ignore[method-assign]
    reports: list[tuple[Any, ...]] = []
    fly_scene(pool, truth, SHOTS, lambda *r: reports.append(r))
    return reports, counts


def test_step_want_seeker_error_and_closest_approach_are_numpy_bit_for_bit() -> None:
    """Every step's compiled answers equal the numpy forms' (and the stream advances
    alike), through rise, burn, midcourse and endgame with several rounds in terminal;
    every closest approach assessed as :func:`closest_approach_hermite`'s."""
    reports, counts = _fly(True, True)
    assert len(reports) == 7
    assert counts["want"] > 50 and counts["terminal"] > 50, counts
    assert counts["closest"] >= 5, counts


def test_a_whole_flight_is_the_same_with_either_path() -> None:
    """The pool flown with the kernels and without: the same reports, bit for bit."""
    fast, _ = _fly(True, False)
    ref, _ = _fly(False, False)
    assert [repr(r) for r in fast] == [repr(r) for r in ref]
    assert {"assess", "target gone", "no target (false track)"} <= {r[3] for r in ref}


def test_eigvals_real_is_numpys_eigvals_bit_for_bit() -> None:
    """:func:`~tate.engine._pool_jit.eigvals_real` of companion matrices (real and complex
    roots, stacks and the strided top-left blocks the pool passes) is
    ``np.linalg.eigvals(a).real`` bit for bit; non-finite input raises as numpy's."""
    from tate.engine._pool_jit import eigvals_real

    rng = np.random.default_rng(5)
    comp = np.zeros((40, 5, 5))
    comp[:, 0, :] = rng.normal(size=(40, 5)) * 10.0 ** rng.uniform(-6, 6, size=(40, 1))
    comp[:, 1:, :4] += np.eye(4)
    n_complex = 0
    for j in range(1, 6):
        for a in (comp[:, :j, :j], comp[:1, :j, :j], comp[[3, 7], :j, :j]):
            ref = np.linalg.eigvals(a)
            n_complex += int(np.iscomplexobj(ref))
            assert _same(eigvals_real(a), ref.real), j
    assert n_complex > 0
    bad = comp[:2, :3, :3].copy()
    bad[1, 0, 0] = np.nan
    with pytest.raises(np.linalg.LinAlgError):
        eigvals_real(bad)
