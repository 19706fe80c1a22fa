"""The detection table's one-pass assembly (:func:`tate.sensors.tables._detections`)
against the two-pass composition it replaces (each sensor's rows sorted by time and
converted, then all rows sorted by time and sensor id), written out here, bit for bit:
blocks out of time order, equal times within and across sensors, false alarms (empty
truth ids), a sensor without rows, azimuths outside [0, 2π) and at its edges."""

from __future__ import annotations

from typing import Any

import numpy as np

from tate.sensors.tables import DETECTION_COLUMNS, _degrees_360, _detections, _Out


def _two_pass(outs: list[_Out]) -> dict[str, np.ndarray]:
    parts: list[tuple[str, dict[str, Any]]] = []
    for o in outs:
        if not o.blocks:
            continue
        t = np.concatenate(o.times)
        order = np.argsort(t, kind="stable")
        rows = np.concatenate(o.blocks)[order]
        r, az, el, s_r, s_az, s_el, snr = (np.ascontiguousarray(rows[:, j]) for j in range(7))
        parts.append((o.sensor_id, {
            "time_s": t[order], "range_m": r, "az_deg": np.mod(np.degrees(az), 360.0),
            "el_deg": np.degrees(el), "range_std_m": s_r, "az_std_deg": np.degrees(s_az),
            "el_std_deg": np.degrees(s_el), "snr_db": snr,
            "truth_id": np.concatenate(o.ids)[order].astype(object)}))
    names = sorted({o.sensor_id for o in outs})
    cols = {c: np.concatenate([p[c] for _, p in parts]) for c in parts[0][1]}
    rank = np.concatenate([np.full(p["time_s"].size, names.index(s)) for s, p in parts])
    order = np.lexsort((rank, cols["time_s"]))
    cols = {k: v[order] for k, v in cols.items()}
    cols["sensor_id"] = np.array(names, dtype=object)[rank[order]]
    return {k: cols[k] for k in DETECTION_COLUMNS}


def _out(sensor_id: str, rng: np.random.Generator, n_blocks: int) -> _Out:
    out = _Out(sensor_id)
    for b in range(n_blocks):
        m = int(rng.integers(1, 40))
        times = np.sort(rng.choice(np.arange(0.0, 30.0, 0.5), m))  # repeated times
        rows = rng.normal(0.0, 1.0, (m, 7))
        rows[:, 1] = rng.choice([0.0, -0.0, 2.0 * np.pi, -1e-17, 1.0, 7.0, np.nextafter(
            2.0 * np.pi, 0.0)], m) if b % 2 else rng.uniform(-1.0, 7.5, m)
        body = np.full(m, -1, np.intp) if b % 3 == 2 else rng.integers(0, 9, m)
        ids = np.array([f"T{j}" if j >= 0 else "" for j in body], object)
        out.add_block(times, rows, ids, body)
    return out


def test_one_pass_equals_two_passes() -> None:
    rng = np.random.default_rng(11)
    outs = [_out("s-b", rng, 5), _Out("s-empty"), _out("s-a", rng, 7), _out("s-c", rng, 1)]
    (got, body), want = _detections(outs), _two_pass(outs)
    assert list(got) == list(want) == list(DETECTION_COLUMNS)
    # each row's body index goes with its truth id through the sort
    assert body.dtype == np.intp and (body >= 0).any() and (body < 0).any()
    assert [f"T{j}" if j >= 0 else "" for j in body] == got["truth_id"].tolist()
    for key in want:
        a, b = got[key], want[key]
        assert a.dtype == b.dtype and a.shape == b.shape, key
        if a.dtype.kind == "f":
            assert np.array_equal(a.view(np.int64), b.view(np.int64)), key  # (-0.0, NaN)
        else:
            assert np.array_equal(a, b), key
    assert (got["az_deg"] == 0.0).any() and (np.diff(got["time_s"]) == 0).any()


def test_no_rows() -> None:
    got, body = _detections([_Out("s-a"), _Out("s-b")])
    assert list(got) == list(DETECTION_COLUMNS) and body.shape == (0,)
    for key, col in got.items():
        assert col.shape == (0,) and col.dtype == (object if key in ("sensor_id", "truth_id")
                                                   else float), key


def test_degrees_360_is_the_floor_modulo() -> None:
    edge = np.array([0.0, -0.0, 1e-300, -1e-300, 2.0 * np.pi, np.nextafter(2.0 * np.pi, 0.0),
                     np.pi, -np.pi, 13.0, -13.0, np.nan, np.inf, -np.inf])
    x = np.concatenate([edge, np.random.default_rng(2).uniform(-20.0, 20.0, 1000)])
    with np.errstate(invalid="ignore"):
        want = np.mod(np.degrees(x), 360.0)
        got = _degrees_360(x)
    assert np.array_equal(got.view(np.int64), want.view(np.int64))
