"""``paths_table`` with threat rows (one truth-store call, rows sorted by id rank)
against its per-threat form of old (a verbatim copy of eb1ad9f's): the same columns, bit
for bit, with ids whose string order is not their row order and a threat named like a
round."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np

from tate.engine.replay import THREAT_SAMPLE_S, Recorder, _geodetic, paths_table


class _Truth:
    """A truth store of straight flights: ``sample`` elementwise, ``(3, k)`` transposed
    like :class:`~tate.engine.truth.TruthStore`'s."""

    def __init__(self, ids: list[str], t_first: list[float], t_last: list[float]) -> None:
        self.ids = np.array(ids, dtype=object)
        self.n = len(ids)
        self.t_first, self.t_last = np.array(t_first), np.array(t_last)
        rng = np.random.default_rng(11)
        self.p0 = 6.378e6 * np.array([0.6, 0.5, 0.62]) + rng.normal(0, 3e4, (self.n, 3))
        self.v = rng.normal(0, 400.0, (self.n, 3))

    def sample(self, bodies: Any, times: Any) -> tuple[Any, Any]:
        tq = np.clip(times, self.t_first[bodies], self.t_last[bodies])
        p = (self.p0[bodies] + self.v[bodies] * (tq - self.t_first[bodies])[:, None]).T.copy()
        return p.T, self.v[bodies].T.copy().T

    def path(self, body: int, times: Any) -> tuple[Any, Any]:
        return self.sample(np.full(np.asarray(times).size, int(body), np.intp), times)


def _old(eng: Any) -> dict[str, Any]:
    """``paths_table`` as of eb1ad9f (verbatim)."""
    tr = eng.truth
    t_parts, id_parts, pos_parts, spd_parts = [], [], [], []
    for j in range(tr.n):
        end = float(eng.kill_time[j]) if eng.killed[j] else min(float(tr.t_last[j]), eng.t)
        t0 = float(tr.t_first[j])
        if end < t0:
            continue
        ts = np.arange(t0, end, THREAT_SAMPLE_S)
        ts = np.append(ts, end) if ts.size == 0 or ts[-1] < end else ts
        p, v = tr.path(j, ts)
        t_parts.append(ts)
        id_parts.append(np.full(ts.size, str(tr.ids[j]), dtype=object))
        pos_parts.append(p)
        spd_parts.append(np.linalg.norm(v, axis=1))
    n_threat = sum(x.size for x in t_parts)
    weapons = np.array([row[1] for row in eng.defence.shots], dtype=object)
    shot_parts = [np.full(n_threat, -1, np.intp)]
    rec = eng.defence.recorder.shots
    if rec:
        shot_all = np.concatenate([shot for _, shot, _, _ in rec])
        t_parts.append(np.repeat(np.array([t for t, _, _, _ in rec]),
                                 [shot.size for _, shot, _, _ in rec]))
        id_parts.append(np.array([f"shot-{s}" for s in shot_all.tolist()], dtype=object))
        shot_parts.append(shot_all)
        pos_parts.append(np.concatenate([pos for _, _, pos, _ in rec]))
        spd_parts.append(np.concatenate([speed for _, _, _, speed in rec]))
    ids = np.concatenate(id_parts)
    kind = np.where(np.arange(ids.size) < n_threat, "threat", "interceptor").astype(object)
    shot_no = np.concatenate(shot_parts).astype(np.intp)
    weapon = np.where(shot_no >= 0, weapons[np.maximum(shot_no, 0)] if weapons.size else "",
                      "").astype(object)
    lat, lon, alt = _geodetic(np.concatenate(pos_parts))
    t_all = np.concatenate(t_parts)
    order = np.lexsort((t_all, ids.astype(str)))
    return {"time_s": t_all[order], "id": ids[order], "kind": kind[order],
            "weapon": weapon[order], "lat_deg": lat[order], "lon_deg": lon[order],
            "alt_m": alt[order], "speed_mps": np.concatenate(spd_parts)[order]}


def _eng(rounds: bool) -> SimpleNamespace:
    ids = ["T10", "T2", "shot-3", "A7", "T1", "T3"]
    truth = _Truth(ids, [0.0, 3.25, 7.0, 1.5, 40.0, 2.0], [30.5, 25.0, 60.0, 19.0, 80.0, 2.0])
    killed = np.array([False, True, False, True, False, False])
    kill_time = np.array([np.nan, 12.75, np.nan, 9.0, np.nan, np.nan])
    rng = np.random.default_rng(3)
    rec = Recorder()
    for k in range(40 if rounds else 0):
        shot = np.sort(rng.choice(12, size=int(rng.integers(1, 5)), replace=False))
        pos = 6.378e6 * np.array([0.6, 0.5, 0.62]) + rng.normal(0, 3e4, (shot.size, 3))
        vel = rng.normal(0, 1.2e3, (3, shot.size))
        rec.interceptors(0.5 * k + 0.25, shot.astype(np.intp), pos.T, vel)
    shots = [(0.0, "sm-2" if i % 3 else "railgun") for i in range(12 if rounds else 0)]
    return SimpleNamespace(truth=truth, t=55.5, killed=killed, kill_time=kill_time,
                           defence=SimpleNamespace(shots=shots, recorder=rec))


def test_threat_and_interceptor_rows_as_the_per_threat_form() -> None:
    for rounds in (True, False):
        eng = _eng(rounds)
        got, ref = paths_table(eng), _old(eng)
        assert got.keys() == ref.keys()
        assert ref["time_s"].size > 100
        for name in ref:
            assert got[name].dtype == ref[name].dtype, name
            np.testing.assert_array_equal(got[name], ref[name], err_msg=name)
