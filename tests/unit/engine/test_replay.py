"""The replay tables of a run (paths, track_states) against the run's own truth: where a
threat's path ends, where a killing interceptor was when its threat died, and the rule
by which a track names its threat (3 km or 4 σ)."""

from __future__ import annotations

import numpy as np
import pytest

from tate.earth import wgs84
from tate.engine.engagement import Engagement
from tate.scenario.loader import loads_scenario
from tests.unit.engine.test_engagement import DEFENDED


@pytest.fixture(scope="module")
def run():  # type: ignore[no-untyped-def]
    eng = Engagement(loads_scenario(DEFENDED, "defended.toml"), 5)
    return eng, eng.run()


def _ecef(tab, sel):  # type: ignore[no-untyped-def]
    return wgs84.geodetic_to_ecef(np.radians(tab["lat_deg"][sel]),
                                  np.radians(tab["lon_deg"][sel]), tab["alt_m"][sel])


def test_threat_paths_start_at_launch_and_end_at_the_kill(run) -> None:  # type: ignore[no-untyped-def]
    eng, res = run
    paths, th = res.paths, res.threats
    for k, tid in enumerate(th["threat_id"].tolist()):
        sel = (paths["id"] == tid) & (paths["kind"] == "threat")
        t = paths["time_s"][sel]
        assert t[0] == pytest.approx(th["launch_time_s"][k])
        assert t[-1] == pytest.approx(th["end_time_s"][k])
        assert np.all(np.diff(t) > 0) and np.all(np.diff(t)[:-1] == pytest.approx(1.0))
        # the samples are the truth store's positions
        p, _ = eng.truth.path(k, t)
        np.testing.assert_allclose(_ecef(paths, sel), p, atol=1e-3)


def test_a_killing_interceptor_was_at_its_threat_when_it_died(run) -> None:  # type: ignore[no-untyped-def]
    eng, res = run
    paths, shots = res.paths, res.shots
    kills = np.flatnonzero(shots["kill"])
    assert kills.size >= 1
    for s in kills.tolist():
        sel = paths["id"] == f"shot-{s}"
        t_end = paths["time_s"][sel][-1]
        t_kill = shots["resolved_s"][s]
        assert t_kill <= t_end <= t_kill + eng.config.dt + 1e-9
        j = int(np.flatnonzero(eng.truth.ids == shots["threat_id"][s])[0])
        q, _ = eng.truth.path(j, np.array([t_kill]))
        p_int = _ecef(paths, sel)[-1]
        v_int = paths["speed_mps"][sel][-1]
        # from the kill to the sample at the tick's end the round flew at most (t_end −
        # t_kill)·v; the threat was at q at the kill; the miss is metres
        reach = (t_end - t_kill) * v_int + shots["miss_m"][s] + 1.0
        assert np.linalg.norm(p_int - q[0]) <= reach


def test_tracks_name_the_threat_within_3_km_or_4_sigma(run) -> None:  # type: ignore[no-untyped-def]
    eng, res = run
    ts = res.track_states
    assert ts["time_s"].size > 0
    named = np.flatnonzero(ts["threat_id"] != "")
    assert named.size > 0
    for k in named[::7].tolist():
        j = int(np.flatnonzero(eng.truth.ids == ts["threat_id"][k])[0])
        q, _ = eng.truth.path(j, np.array([ts["time_s"][k]]))
        d = np.linalg.norm(_ecef(ts, np.array([k]))[0] - q[0])
        assert d < max(3000.0, 4.0 * ts["pos_sigma_m"][k]) + 1e-6


def test_state_blocks_give_the_per_tick_samples_of_positions_and_speeds(run) -> None:  # type: ignore[no-untyped-def]
    """The recorder's blocks (state rows per tick, handed over by the defence) read as
    the per-tick samples, and the paths table from them is the one from those samples
    (the positions transposed, the speeds ``np.linalg.norm`` bit for bit)."""
    from types import SimpleNamespace

    from tate.engine.replay import Recorder, paths_table

    eng, res = run
    rec = eng.defence.recorder
    assert len(rec.states) > 0
    again = Recorder()
    for t, shot, y in rec.states:
        again.interceptors(t, shot, y[0:3], y[3:6])
        assert y.dtype == np.float64 and y.shape[0] >= 6 and y.shape[1] == shot.size
    for (t, shot, pos, speed), (t2, shot2, pos2, speed2), (_, _, y) in zip(
            rec.shots, again.shots, rec.states, strict=True):
        assert t == t2 and shot.tolist() == shot2.tolist()
        assert np.array_equal(pos, y[0:3].T) and np.array_equal(pos2, pos)
        assert np.array_equal(speed, np.linalg.norm(y[3:6], axis=0))
        assert np.array_equal(speed2, speed)
    # the table from the copied samples (`interceptors`) is the run's (`state_block`);
    # its assembly is checked against the old per-tick form in test_result_tables.py
    fake = SimpleNamespace(**{**vars(eng), "defence": SimpleNamespace(
        shots=eng.defence.shots, recorder=again)})
    ref, fast = paths_table(fake), res.paths
    assert ref.keys() == fast.keys()
    for key in ref:
        assert np.array_equal(ref[key], fast[key]), key
