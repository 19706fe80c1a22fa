"""``paths_table``'s interceptor rows built at once against their per-tick form of old
(a verbatim copy): the same columns, bit for bit."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np

from tate.engine.replay import Recorder, _geodetic, paths_table


def _old_rows(rec: list[Any], weapons: Any) -> dict[str, Any]:
    """The interceptor rows of ``paths_table`` as of 9f93382 (no threat rows)."""
    t_parts, id_parts, pos_parts, spd_parts = [], [], [], []
    shot_parts = [np.full(0, -1, np.intp)]
    for t, shot, pos, speed in rec:
        t_parts.append(np.full(shot.size, t))
        id_parts.append(np.array([f"shot-{s}" for s in shot.tolist()], dtype=object))
        shot_parts.append(shot)
        pos_parts.append(pos)
        spd_parts.append(speed)
    ids = np.concatenate(id_parts)
    kind = np.where(np.arange(ids.size) < 0, "threat", "interceptor").astype(object)
    shot_no = np.concatenate(shot_parts).astype(np.intp)
    weapon = np.where(shot_no >= 0, weapons[np.maximum(shot_no, 0)], "").astype(object)
    lat, lon, alt = _geodetic(np.concatenate(pos_parts))
    t_all = np.concatenate(t_parts)
    order = np.lexsort((t_all, ids.astype(str)))
    return {"time_s": t_all[order], "id": ids[order], "kind": kind[order],
            "weapon": weapon[order], "lat_deg": lat[order], "lon_deg": lon[order],
            "alt_m": alt[order], "speed_mps": np.concatenate(spd_parts)[order]}


def test_interceptor_rows_as_the_per_tick_form() -> None:
    rng = np.random.default_rng(3)
    rec = Recorder()
    for k in range(40):
        shot = np.sort(rng.choice(12, size=int(rng.integers(1, 5)), replace=False))
        pos = 6.378e6 * np.array([0.6, 0.5, 0.62]) + rng.normal(0, 3e4, (shot.size, 3))
        vel = rng.normal(0, 1.2e3, (3, shot.size))
        rec.interceptors(0.5 * k + 0.25, shot.astype(np.intp), pos.T, vel)
    shots = [(0.0, "sm-2" if i % 3 else "railgun") for i in range(12)]
    eng = SimpleNamespace(truth=SimpleNamespace(n=0), t=30.0, defence=SimpleNamespace(
        shots=shots, recorder=rec))
    got = paths_table(eng)
    ref = _old_rows(rec.shots, np.array([w for _, w in shots], dtype=object))
    assert got.keys() == ref.keys()
    for name in ref:
        assert got[name].dtype == ref[name].dtype, name
        np.testing.assert_array_equal(got[name], ref[name], err_msg=name)
