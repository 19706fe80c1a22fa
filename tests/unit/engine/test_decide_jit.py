"""The compiled decision steps (:mod:`tate.engine._decide_jit`) against their numpy
reference (:mod:`tate.engine.decision`), and the decision's shortcuts.

Oracle: the numpy implementation itself.  Per call: at every decision of the default
engagement (seed 1), the tracks' position σ, the threat each track cues and the
midcourse re-aim of every round (PIP and time of the PIP, on deep copies of the pool)
by both paths, equal to the bit
(the kernels do the same IEEE operations in the same order, so a looser tolerance would
hide a changed order); the decision's search of only the tracks it uses against the
search of all; the ENU frame constants against :mod:`tate.earth.wgs84`'s
conversions on random points.  Whole run: the default engagement with the numpy steps
(the defence's ``_jit`` off) gives the same result tables as with the kernels.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from tate.earth import wgs84
from tate.engine import decision
from tate.engine.defence import Defence
from tate.engine.engagement import Engagement
from tate.engine.result import RunResult
from tate.scenario import default_scenario_path, load_scenario
from tests.unit.same_result import assert_same_result


def _run(compiled: bool, checks: dict[str, list[Any]] | None = None) -> RunResult:
    """The default engagement (seed 1) with the decision steps compiled or not; with
    ``checks``, every call is also made the other way and both answers are kept."""
    eng = Engagement(load_scenario(default_scenario_path()), 1)
    eng.defence._jit = compiled
    if checks is None:
        return eng.run()
    sigma_threats, update_pips = decision.sigma_and_threats, Defence._update_pips

    def both_sigma_threats(e: Any, t: float, wait: float, P: Any, pos: Any, frame: Any,
                           jit: bool) -> Any:
        sigma, threat = sigma_threats(e, t, wait, P, pos, frame, jit)
        ref = decision.sigma_of_numpy(P)
        checks["sigma"].append((sigma, ref))
        checks["threats"].append((threat, decision.threats_of_numpy(e, t, wait, pos, ref)))
        return sigma, threat

    def both_pips(self: Defence, t: float, threat: Any, pos: Any, vel: Any, ballistic: Any,
                  pred: Any = None, bodies: Any = None) -> None:
        if self.pool.midcourse().size:
            if bodies is not None:
                np.testing.assert_array_equal(bodies, self.pool.midcourse())
            ref = copy.deepcopy(self.pool)
            decision.update_pips(ref, self.eng.origin, self._frame(), threat, pos, vel,
                                 ballistic, pred, False)
            update_pips(self, t, threat, pos, vel, ballistic, pred, bodies)
            checks["pips"].append(((self.pool.model.pip_pos.copy(),
                                    self.pool.model.t_pip.copy()),
                                   (ref.model.pip_pos, ref.model.t_pip)))

    real_pips = decision._KERNELS.update_pips

    def layouts(*args: Any) -> Any:  # the kernel gets one array layout (one overload)
        checks["layouts"].append(tuple((a.ndim, a.flags.c_contiguous) for a in args
                                       if isinstance(a, np.ndarray)))
        return real_pips(*args)

    search, midcourse = decision.search_tracks, Defence._midcourse

    def both_midcourse(self: Defence) -> Any:
        got = midcourse(self)
        checks["midcourse"].append((got.copy(), self.pool.midcourse(),
                                    self.pool.any_active()))
        return got

    def both_searches(L: Any, window_s: float, need: Any, pos: Any, vel: Any, ttg: Any,
                      ballistic: Any, pred: Any) -> Any:
        got = search(L, window_s, need, pos, vel, ttg, ballistic, pred)
        every = search(L, window_s, np.ones_like(need), pos, vel, ttg, ballistic, pred)
        checks["search"].append((need.copy(), got, every))
        return got

    fire = decision.fire_pairs

    def both_fire(opk: Any, free: Any, avail: Any, min_pk: float, jit: bool) -> Any:
        got = fire(opk, free, avail, min_pk, jit)  # (the caller changes its pk later)
        checks["fire"].append(((got[0].copy(), got[1].copy(), got[2]),
                               decision.fire_pairs_numpy(opk, free, avail, min_pk)))
        return got

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(decision, "fire_pairs", both_fire)
        mp.setattr(decision, "search_tracks", both_searches)
        mp.setattr(decision, "sigma_and_threats", both_sigma_threats)
        mp.setattr(Defence, "_update_pips", both_pips)
        mp.setattr(Defence, "_midcourse", both_midcourse)
        mp.setitem(decision._KERNELS.__dict__, "update_pips", layouts)
        return eng.run()


@pytest.fixture(scope="module")
def checked() -> Iterator[tuple[dict[str, list[Any]], RunResult]]:
    checks: dict[str, list[Any]] = {"threats": [], "pips": [], "search": [], "sigma": [],
                                    "layouts": [], "midcourse": [], "fire": []}
    result = _run(True, checks)
    yield checks, result


def test_threats_of_matches_numpy_at_every_decision(checked) -> None:  # type: ignore[no-untyped-def]
    calls = checked[0]["threats"]
    assert len(calls) > 300
    cued = false = 0
    for got, ref in calls:
        assert got.dtype == ref.dtype
        np.testing.assert_array_equal(got, ref)
        cued += int((ref >= 0).sum())
        false += int((ref < 0).sum())
    assert cued > 1000 and false > 0  # tracks on threats, and tracks on none


def test_fire_pairs_match_numpy_at_every_decision(checked) -> None:  # type: ignore[no-untyped-def]
    """The Pk the assigner sees and the pairs it may use, compiled and in numpy: equal
    (dtype, shape, every value) at every decision that may fire, some with pairs."""
    calls = checked[0]["fire"]
    assert len(calls) > 100
    found = 0
    for (pk, base, any_), (pk_ref, base_ref, any_ref) in calls:
        for a, b in ((pk, pk_ref), (base, base_ref)):
            assert a.dtype == b.dtype and a.shape == b.shape
            np.testing.assert_array_equal(a, b)
        assert any_ is any_ref
        found += any_
    assert 10 < found < len(calls)  # decisions with pairs, and without


def test_fire_pairs_on_edge_values() -> None:
    """Pk 0, below and at ``min_pk``, NaN, a held track, a launcher without rounds."""
    opk = np.array([[0.0, 0.3, 0.29, np.nan, 0.9], [0.5, 0.5, 0.5, 0.5, 0.5]])
    free = np.array([True, True, True, True, False])
    for avail in (np.array([1, 0], np.int64), np.array([0, 0], np.int64)):
        got = decision.fire_pairs(opk, free, avail, 0.3, True)
        ref = decision.fire_pairs_numpy(opk, free, avail, 0.3)
        np.testing.assert_array_equal(got[0], ref[0])
        np.testing.assert_array_equal(got[1], ref[1])
        assert got[2] is ref[2] is bool(avail[0] > 0)


def test_sigma_matches_numpy_at_every_decision(checked) -> None:  # type: ignore[no-untyped-def]
    """The compiled σ (numba's LAPACK eigvalsh per track) equals numpy's to the bit."""
    calls = checked[0]["sigma"]
    assert len(calls) > 300
    for got, ref in calls:
        np.testing.assert_array_equal(got, ref)
    assert sum(got.size for got, _ in calls) > 1000


def test_sigma_of_non_finite_or_negative_covariance_falls_back_to_numpy() -> None:
    rng = np.random.default_rng(4)
    a = rng.normal(size=(6, 9, 9))
    P = a @ a.transpose(0, 2, 1)
    P[1, :3, :3] = -np.eye(3)  # negative definite: σ 0, as np.maximum(λ, 0)
    np.testing.assert_array_equal(decision.sigma_of(P, True), decision.sigma_of_numpy(P))
    P[2, 1, 1] = np.nan  # numpy's own answer (here: its error), not the kernel's
    with pytest.raises(np.linalg.LinAlgError):
        decision.sigma_of_numpy(P)
    with pytest.raises(np.linalg.LinAlgError):
        decision.sigma_of(P, True)


def test_sigma_and_threats_fall_back_as_the_two_calls(monkeypatch: pytest.MonkeyPatch
                                                     ) -> None:
    """A covariance block the σ kernel refuses (not finite) takes the two separate calls,
    whose answers (here numpy's error) are kept; with the kernels off, the numpy steps."""
    eng = Engagement(load_scenario(default_scenario_path()), 1)
    eng.run()
    t = eng.t
    rng = np.random.default_rng(5)
    live = np.flatnonzero(eng.truth.flying(t - 100.0))
    pos = eng._enu(eng.truth.at(t - 100.0, live)[0]) + rng.normal(0, 50.0, (live.size, 3))
    a = rng.normal(size=(live.size, 9, 9))
    P = 1e3 * (a @ a.transpose(0, 2, 1))
    P[0, :3, :3] = -np.eye(3)
    fr = eng.defence._frame()
    got = decision.sigma_and_threats(eng, t - 100.0, 2.0, P, pos, fr, True)
    ref_s = decision.sigma_of_numpy(P)
    ref_t = decision.threats_of_numpy(eng, t - 100.0, 2.0, pos, ref_s)
    assert (ref_t >= 0).sum() > 0 and ref_s[0] == 0.0
    for jit in (True, False):
        got = decision.sigma_and_threats(eng, t - 100.0, 2.0, P, pos, fr, jit)
        np.testing.assert_array_equal(got[0], ref_s)
        np.testing.assert_array_equal(got[1], ref_t)
    P[1, 1, 1] = np.nan
    calls: list[bool] = []
    real = decision.sigma_of
    monkeypatch.setattr(decision, "sigma_of", lambda P, jit: calls.append(jit) or real(P, jit))
    with pytest.raises(np.linalg.LinAlgError):
        decision.sigma_and_threats(eng, t - 100.0, 2.0, P, pos, fr, True)
    assert calls == [True]


def test_midcourse_reaim_matches_numpy_at_every_decision(checked) -> None:  # type: ignore[no-untyped-def]
    calls = checked[0]["pips"]
    assert len(calls) > 50
    for (pip, t_pip), (pip_ref, t_ref) in calls:
        np.testing.assert_array_equal(pip, pip_ref)
        np.testing.assert_array_equal(t_pip, t_ref)
    assert np.isfinite(calls[-1][1][1]).sum() > 5  # rounds were re-aimed


def test_midcourse_without_a_round_in_the_air_is_none(checked) -> None:  # type: ignore[no-untyped-def]
    """The decision's rounds in midcourse are the pool's, not looked up while no round
    flies."""
    calls = checked[0]["midcourse"]
    assert len(calls) > 200
    for got, ref, _ in calls:
        assert got.dtype == ref.dtype
        np.testing.assert_array_equal(got, ref)
    assert sum(not air for *_, air in calls) > 20 and sum(g.size > 0 for g, *_ in calls) > 20


def test_midcourse_reaim_kernel_gets_one_layout(checked) -> None:  # type: ignore[no-untyped-def]
    """Every 2-D input of the re-aim kernel is C-ordered: one compiled overload."""
    calls = checked[0]["layouts"]
    assert len(calls) > 100 and len(set(calls)) == 1
    assert all(c for _, c in calls[0])


def test_searching_the_tracks_used_is_searching_all(checked) -> None:  # type: ignore[no-untyped-def]
    """The decision searches only the tracks it may fire at or has not yet seen
    reachable: their columns are those of the search of every track, the others hold no
    opportunity."""
    calls = checked[0]["search"]
    assert len(calls) > 200
    partial = 0
    for need, got, every in calls:
        partial += int(not need.all())
        for f in ("t_intercept", "pip", "pk", "flyout"):
            a, b = getattr(got, f), getattr(every, f)
            np.testing.assert_array_equal(a[:, need], b[:, need], err_msg=f)
            assert (np.isnan(a[:, ~need]) if f != "pk" else a[:, ~need] == 0).all(), f
    assert partial > 50  # the shortcut is taken


def test_default_engagement_is_the_same_with_the_numpy_steps(checked) -> None:  # type: ignore[no-untyped-def]
    fast, ref = checked[1], _run(False)
    assert_same_result(fast, ref)
    assert fast.shots["kill"].any()


def test_enu_frame_reproduces_the_conversions() -> None:
    """The constants give the conversions' arithmetic (as the kernels use them)."""
    from tate.engine import _decide_jit as k

    rng = np.random.default_rng(3)
    for _ in range(20):
        lat, lon = np.radians(rng.uniform(-89, 89)), np.radians(rng.uniform(-180, 180))
        alt = rng.uniform(-100, 5e3)
        fr = wgs84.enu_frame(lat, lon, alt)
        p = wgs84.geodetic_to_ecef(lat, lon, alt) + rng.normal(0, 3e5, (50, 3))
        enu = wgs84.ecef_to_enu(p, lat, lon, alt)
        back = wgs84.enu_to_ecef(enu, lat, lon, alt)
        for i in range(p.shape[0]):
            assert k._to_enu(fr, *p[i]) == tuple(enu[i])
            assert k._to_ecef(fr, *enu[i]) == tuple(back[i])


def test_defence_with_kernels_copies_and_pickles(monkeypatch: pytest.MonkeyPatch) -> None:
    import pickle

    from tate import jit

    monkeypatch.setattr(jit, "ENABLED", True)
    eng = Engagement(load_scenario(default_scenario_path()), 1)
    d = eng.defence
    assert d._jit
    d._frame()
    assert copy.deepcopy(d)._jit and pickle.loads(pickle.dumps(d._frame_cache)).shape == (7,)
