"""`tate sense` through the real command line.

Oracles: radar sensitivity ordering (SPY-6-like is ~15 dB more sensitive than
SPY-1D-like, so on the same gliders from nearly the same place it must detect first
and farther out), the 4/3-Earth horizon (a drone at 6 km sees a sea-skimmer hundreds
of km beyond a ship's 29 km horizon) and a boosting rocket's plume seen from space.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from tests.integration.cli import ROOT, run_tate

FILES = ("detections", "sensors", "truth", "sensor_load")


def _read(out: Path, name: str) -> dict[str, np.ndarray]:
    table = pq.read_table(out / f"{name}.parquet")
    return {k: np.asarray(v) for k, v in table.to_pydict().items()}


def _first(det: dict[str, np.ndarray], sensor: str, target: str) -> tuple[float, float]:
    sel = np.flatnonzero((det["sensor_id"] == sensor) & (det["truth_id"] == target))
    assert sel.size, (sensor, target)
    return float(det["time_s"][sel[0]]), float(det["range_m"][sel[0]])


@pytest.fixture(scope="module")
def default_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("sense") / "out"
    res = run_tate("sense", "--out", str(out), "--dt", "1.0")
    assert res.returncode == 0, res.stderr
    return out, res.stdout


def test_default_scenario_writes_the_four_tables(default_run: tuple[Path, str]) -> None:
    out, stdout = default_run
    for name in FILES:
        meta = pq.read_table(out / f"{name}.parquet").schema.metadata
        assert meta[b"origin_lat_deg"] == b"20.0" and meta[b"origin_lon_deg"] == b"160.0"
        assert {b"origin_alt_m", b"seed", b"scenario_hash", b"tate_version"} <= set(meta)
    assert not list(out.glob(".*.part"))
    det = _read(out, "detections")
    assert list(det) == ["time_s", "sensor_id", "range_m", "az_deg", "el_deg", "range_std_m",
                         "az_std_deg", "el_std_deg", "snr_db", "truth_id"]
    assert set(det["sensor_id"]) == {"DDG-A/spy6-like", "DDG-A/xband-horizon-like",
                                     "DDG-B/spy1d-like", "DDG-B/xband-horizon-like"}
    assert np.all(np.diff(det["time_s"]) >= 0)
    assert (det["truth_id"] == "").any()  # false alarms
    load = _read(out, "sensor_load")
    assert {"n_in_track", "track_occupancy", "search_frame_s_effective",
            "track_revisit_s_effective"} <= set(load)
    assert list(_read(out, "truth")) == ["time_s", "target_id", "x_m", "y_m", "z_m"]
    assert "DDG-A/spy6-like" in stdout and "peak track" in stdout


def test_spy6_sees_the_gliders_before_spy1d(default_run: tuple[Path, str]) -> None:
    # DDG-B (SPY-1D-like) is 10 km east of DDG-A (SPY-6-like); the gliders come from
    # the west at 2-3 km/s, so the geometry differs by about 4 s of flight, while the
    # 14.8 dB of sensitivity should be worth 30^(1/4) = 2.3 times the range.
    det = _read(default_run[0], "detections")
    for hgv in ("HGV-1", "HGV-2", "HGV-3", "HGV-4"):
        t6, r6 = _first(det, "DDG-A/spy6-like", hgv)
        t1, r1 = _first(det, "DDG-B/spy1d-like", hgv)
        assert t6 + 10.0 < t1, (hgv, t6, t1)
        assert r6 > 1.5 * (r1 + 10e3), (hgv, r6, r1)


def test_example_drone_picket_and_space_layer(tmp_path: Path) -> None:
    out = tmp_path / "ex"
    res = run_tate("sense", str(ROOT / "examples" / "sensors.toml"), "--out", str(out),
                   "--seed", "3")
    assert res.returncode == 0, res.stderr
    det = _read(out, "detections")
    sensors = _read(out, "sensors")
    assert (sensors["sensor_id"] == "UAV-1").sum() > 100  # a moving sensor: a row a look
    # The sea-skimmer (7 m) is below the ship's horizon (29 km) until its last ~100 s;
    # the drone at 6 km, whose horizon is 330 km, sees it from launch, 39 km ahead of it.
    t_uav, r_uav = _first(det, "UAV-1", "CM-1")
    t_ship = min(_first(det, s, "CM-1")[0] for s in ("DDG-1/spy1d-like",
                                                     "DDG-1/xband-horizon-like"))
    assert t_uav < 10.0 and r_uav > 30e3
    assert t_ship > t_uav + 300.0
    # The space layer sees the glider's booster plume during the boost (first 105 s).
    t_ir, r_ir = _first(det, "SIR", "HGV-1")
    assert t_ir < 10.0 and np.isnan(r_ir)


def test_bad_scenario_exits_2_with_the_key_path(tmp_path: Path) -> None:
    text = (ROOT / "examples" / "sensors.toml").read_text()
    bad = tmp_path / "bad.toml"
    bad.write_text(text.replace('preset = "airborne-aesa-like"', 'preset = "aesa"'))
    res = run_tate("sense", str(bad), "--out", str(tmp_path / "o"))
    assert res.returncode == 2
    assert "sensors[0].preset: unknown radar preset; valid names:" in res.stderr
    assert "Traceback" not in res.stderr and not (tmp_path / "o").exists()


def test_missing_file_and_bad_dt_exit_2(tmp_path: Path) -> None:
    res = run_tate("sense", str(tmp_path / "nope.toml"), "--out", str(tmp_path / "o"))
    assert res.returncode == 2 and "file not found" in res.stderr
    assert "Traceback" not in res.stderr
    res = run_tate("sense", "--dt", "0", "--out", str(tmp_path / "o"))
    assert res.returncode == 2 and "Traceback" not in res.stderr
