"""The engine's per-tick shortcuts against the plain computations they replace: the
radar scans built without re-sorting sorted detections, the live threats and the end of
the run kept between ticks, each flight's end seen once, and the truth store's cached
launch and end times."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pytest

from tate.engine.engagement import Engagement, _in_scan_order
from tate.scenario.loader import loads_scenario
from tate.sensors import windows
from tate.sensors.simulate import simulate_detections

from .test_engagement import DEFENDED, SCENARIO


@pytest.fixture(scope="module")
def engagement() -> Engagement:
    return Engagement(loads_scenario(DEFENDED, "engine-test.toml"), 5)


def test_scan_order_check() -> None:
    t = np.array([0.0, 0.0, 0.5, 0.5, 0.5])
    ok = np.array(["a", "b", "a", "a", "c"], dtype=object)
    assert _in_scan_order(t, ok, ok[1:] != ok[:-1])
    bad = np.array(["b", "a", "a", "a", "c"], dtype=object)
    assert not _in_scan_order(t, bad, bad[1:] != bad[:-1])
    late = np.array([0.5, 0.0, 0.5, 0.5, 0.5])
    assert not _in_scan_order(late, ok, ok[1:] != ok[:-1])
    assert not _in_scan_order(np.array([0.0, np.nan]), ok[:2], ok[1:2] != ok[:1])


def test_shuffled_detections_give_the_same_scans(engagement: Engagement) -> None:
    """The lexsort fallback: detections out of order are sorted as before."""
    e = engagement
    whole = simulate_detections(e.scenario, e.flight, e.seed, dt_s=e.config.dt)
    det = whole.detections
    assert whole.body is not None
    ref = e._radar_scans(det, whole.body[1])
    perm = np.random.default_rng(0).permutation(det["time_s"].size)
    got = e._radar_scans({k: np.asarray(v)[perm] for k, v in det.items()}, None)
    np.testing.assert_array_equal(got.time, ref.time)
    np.testing.assert_array_equal(got.sensor, ref.sensor)
    np.testing.assert_array_equal(got.starts, ref.starts)
    # within a scan the rows may come in another order: compare each scan as a set
    for a, b in zip(ref.starts[:-1].tolist(), ref.starts[1:].tolist(), strict=True):
        key_r = np.lexsort(ref.z[a:b].T)
        key_g = np.lexsort(got.z[a:b].T)
        np.testing.assert_array_equal(got.z[a:b][key_g], ref.z[a:b][key_r])
        np.testing.assert_array_equal(got.R[a:b][key_g], ref.R[a:b][key_r])
        np.testing.assert_array_equal(got.truth[a:b][key_g], ref.truth[a:b][key_r])
    idx = np.arange(3)
    assert np.all(ref.R[:, idx, idx] > 0)
    assert np.count_nonzero(ref.R) == 3 * ref.time.size


@pytest.mark.parametrize("text", [SCENARIO, DEFENDED], ids=["undefended", "defended"])
def test_kept_answers_match_the_plain_ones_every_tick(text: str) -> None:
    eng = Engagement(loads_scenario(text, "engine-test.toml"), 5)
    ended_ref = np.zeros(eng.truth.n, dtype=bool)
    tf, tl = eng.truth.t_first, eng.truth.t_last
    kills = 0
    while True:
        over = eng.killed | (tl <= eng.t + 1e-9)
        ref_done = eng.t >= eng.t_end - 1e-9 or (
            bool(over.all()) and not eng.defence.pool.any_active()
            and not eng.defence.pending)
        assert eng.done == ref_done
        if ref_done:
            break
        t1 = min(eng.t + eng.config.dt, eng.t_end)
        eng.track(eng.t, t1)
        eng.defence.tick(eng.t, t1)
        live = eng._live(t1)
        np.testing.assert_array_equal(live, np.flatnonzero((tf <= t1) & (t1 <= tl)
                                                           & ~eng.killed))
        eng._record_quality(t1)
        ending = np.flatnonzero(~ended_ref & ~eng.killed & (tl <= t1 + 1e-9))
        ended_ref[ending] = True
        eng._end_flights(eng.t, t1)
        np.testing.assert_array_equal(eng._ended, ended_ref)
        eng.t = t1
        kills = int(eng.killed.sum())
    assert kills > 0 or ended_ref.any()


def test_truth_times_are_cached_and_read_only(engagement: Engagement) -> None:
    tr = engagement.truth
    assert tr.t_first is tr.t_first and tr.t_last is tr.t_last
    np.testing.assert_array_equal(tr.t_first, tr.time[tr.start[:-1]])
    np.testing.assert_array_equal(tr.t_last, tr.time[tr.start[1:] - 1])
    with pytest.raises(ValueError):
        tr.t_first[0] = 0.0


def test_a_killed_threat_never_ends_its_flight(engagement: Engagement) -> None:
    eng = copy.deepcopy(engagement)
    eng.killed[0] = True
    tl = eng.truth.t_last
    eng._end_flights(0.0, float(tl.min()) - 1.0)
    assert not eng._ended.any()
    eng._end_flights(0.0, float(tl.max()))
    eng._end_flights(0.0, float(tl.max()) + 10.0)
    np.testing.assert_array_equal(eng._ended, np.arange(eng.truth.n) > 0)
    ends = [e for e in eng.events if e[1] in ("impact", "flying-at-limit")]
    assert [e[2] for e in ends] == [str(x) for x in eng.truth.ids[1:]]


def test_windowed_sensing_as_the_whole_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Sensing in windows of one look time, or all at once (one window: the whole run's
    detections): the same detections left out each tick (kills come between windows) and
    the same tables; the scans of a run up to the end of the windows simulated are those
    of the whole run's detections."""
    runs, asked = [], []
    for size in (1, 1 << 30):
        monkeypatch.setattr(windows, "WINDOW", size)
        eng = Engagement(loads_scenario(DEFENDED, "engine-test.toml"), 5)
        seen: list[tuple[int, int, list[bool] | None]] = []

        def alive_rows(a: int, b: int, eng: Engagement = eng,
                       seen: list[tuple[int, int, list[bool] | None]] = seen) -> Any:
            rows = Engagement._alive_rows(eng, a, b)
            seen.append((a, b, None if rows is None else rows.tolist()))
            return rows

        monkeypatch.setattr(eng, "_alive_rows", alive_rows)
        runs.append((eng, eng.run()))
        asked.append(seen)
    assert asked[0] == asked[1]
    assert any(rows is not None and not all(rows) for _, _, rows in asked[0])
    (e, got), (_, ref) = runs
    assert e.sensing.window == 1 and e.sensing.t_done < e.t_end + 5.0
    for name in got.TABLES:
        a, b = getattr(got, name), getattr(ref, name)
        if isinstance(a, dict):
            assert a.keys() == b.keys(), name
            for k in a:
                np.testing.assert_array_equal(a[k], b[k], err_msg=f"{name}.{k}")
        else:
            assert a == b, name
    whole = simulate_detections(e.scenario, e.flight, e.seed, dt_s=e.config.dt)
    assert whole.body is not None
    want = e._radar_scans(whole.detections, whole.body[1])
    n = e.scans.time.size
    assert 0 < n < want.time.size and want.time[n] > e.sensing.t_done >= want.time[n - 1]
    for key in ("time", "sensor", "z", "R", "truth"):
        np.testing.assert_array_equal(getattr(e.scans, key), getattr(want, key)[:n])
    np.testing.assert_array_equal(e.scans.starts, want.starts[:e.scans.starts.size])


def test_rows_of_a_later_window_leave_out_the_threats_killed_before(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A window simulated after a kill, the kill count unchanged: its rows of the killed
    threat are left out (the per-row rule), the others not."""
    monkeypatch.setattr(windows, "WINDOW", 40)
    e = Engagement(loads_scenario(SCENARIO, "engine-test.toml"), 5)
    while not (e.scans.truth >= 0).any():
        e._sense()
    j = int(np.bincount(e.scans.truth[e.scans.truth >= 0]).argmax())
    e.killed[j], e.kill_time[j] = True, 0.0
    a = e.scans.time.size
    assert e._alive_rows(0, a) is not None
    while e.scans.time.size == a:
        e._sense()
    b = e.scans.time.size
    alive = e._alive_rows(a, b)
    assert alive is not None
    want = e.scans.truth[a:b] != j
    assert not want.all() and want.any()
    np.testing.assert_array_equal(alive, want)


def test_done_watches_a_threat_neither_killed_nor_ended(engagement: Engagement) -> None:
    """:attr:`Engagement.done`'s witness: while it flies the run goes on; killed or ended,
    the plain answer again."""
    eng = copy.deepcopy(engagement)
    assert not eng.done and eng._over_witness is not None
    j, t_end_j = eng._over_witness
    assert t_end_j == eng.truth.t_last.max()
    eng.killed[:] = True
    eng.killed[j] = False
    assert not eng.done
    eng.killed[j] = True
    assert eng.done  # (no round in the air, none pending)
    eng.killed[:] = False
    assert not eng.done
    eng.killed[np.arange(eng.truth.n) != j] = True
    eng.t = float(np.nextafter(t_end_j - 1e-9, -np.inf))
    eng.t_end = t_end_j + 100.0
    assert not eng.done
    eng.t = t_end_j - 1e-9  # its end reached (t_last ≤ t + 1e-9)
    assert eng.done


def test_step_is_its_stages(engagement: Engagement) -> None:
    """:meth:`Engagement.step` (its quality record and flight ends inline) as the stages
    called one by one."""
    a, b = copy.deepcopy(engagement), copy.deepcopy(engagement)
    while not a.done:
        a.step()
        t1 = min(b.t + b.config.dt, b.t_end)
        b.track(b.t, t1)
        b.defence.tick(b.t, t1)
        b._record_quality(t1)
        b._end_flights(b.t, t1)
        b.t = t1
        assert a.t == b.t and a.events == b.events
        np.testing.assert_array_equal(a._ended, b._ended)
        (ta, la, ea), (tb, lb, eb) = a._quality_due[-1], b._quality_due[-1]
        assert ta == tb
        np.testing.assert_array_equal(la, lb)
        np.testing.assert_array_equal(ea, eb)
    assert b.done and a.quality == b.quality
