"""`tate track` through the command line: files in and out, GOSPA, bad input."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq
import pytest

from tests.integration.cli import run_tate
from tests.unit.tracking.test_tracker import simulate

_tate = run_tate


def _write_scenario(tmp_path: Path) -> tuple[Path, Path]:
    truths, scans = simulate(2, n_targets=5, scans=40)
    det = {"time_s": [], "x_m": [], "y_m": []}
    tru = {"time_s": [], "target_id": [], "x_m": [], "y_m": []}
    for t, (truth, z) in enumerate(zip(truths, scans, strict=True)):
        det["time_s"] += [float(t)] * len(z)
        det["x_m"] += z[:, 0].tolist()
        det["y_m"] += z[:, 1].tolist()
        tru["time_s"] += [float(t)] * len(truth)
        tru["target_id"] += list(range(len(truth)))
        tru["x_m"] += truth[:, 0].tolist()
        tru["y_m"] += truth[:, 1].tolist()
    dpath, tpath = tmp_path / "det.csv", tmp_path / "truth.parquet"
    pcsv.write_csv(pa.table(det), dpath)
    pq.write_table(pa.table(tru), tpath)
    return dpath, tpath


def test_track_writes_tracks_and_prints_gospa(tmp_path: Path) -> None:
    dpath, tpath = _write_scenario(tmp_path)
    out = tmp_path / "tracks.parquet"
    res = _tate("track", str(dpath), "--out", str(out), "--truth", str(tpath),
                "--init-speed", "15")
    assert res.returncode == 0, res.stderr
    assert "mean GOSPA" in res.stdout
    tracks = pq.read_table(out)
    assert tracks.column_names[:8] == ["time_s", "track_id", "x_m", "y_m", "vx_mps", "vy_mps",
                                       "var_x_m2", "var_y_m2"]
    assert 5 <= len(set(tracks.column("track_id").to_pylist())) <= 8
    mean = float(res.stdout.split("mean GOSPA")[1].split(":")[1].split("m;")[0])
    assert mean < 5 * 2.0 + 5.0  # five targets at ~2 m plus at most one miss per scan


def test_track_bad_files_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("time_s,x_m\n0,1\n")
    res = _tate("track", str(bad), "--out", str(tmp_path / "o.csv"))
    assert res.returncode == 2 and "missing column(s) y_m" in res.stderr
    assert "Traceback" not in res.stderr
    bad.write_text("time_s,x_m,y_m\n0,1,2\n1,nan,3\n")
    res = _tate("track", str(bad), "--out", str(tmp_path / "o.csv"))
    assert res.returncode == 2 and "line 3: column x_m" in res.stderr
    res = _tate("track", str(tmp_path / "none.csv"), "--out", str(tmp_path / "o.csv"))
    assert res.returncode == 2 and "file not found" in res.stderr
    res = _tate("track", str(bad), "--out", str(tmp_path / "o.csv"), "--confirm", "5/3")
    assert res.returncode == 2 and "M <= N" in res.stderr
    assert not (tmp_path / "o.csv").exists()


def test_track_with_constant_acceleration_and_csv_output(tmp_path: Path) -> None:
    dpath, _ = _write_scenario(tmp_path)
    out = tmp_path / "tracks.csv"
    res = _tate("track", str(dpath), "--out", str(out), "--motion", "ca", "--q", "0.05",
                "--init-speed", "15")
    assert res.returncode == 0, res.stderr
    header = out.read_text().splitlines()[0].replace('"', "").split(",")
    assert header[:8] == ["time_s", "track_id", "x_m", "y_m", "vx_mps", "vy_mps", "ax_mps2",
                          "ay_mps2"]
    assert header[-3:] == ["var_ax_m2s4", "var_ay_m2s4", "score"]


def test_track_time_backwards_and_text_name_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("time_s,x_m,y_m\n0,1,2\n1,2,3\n0.5,3,4\n")
    res = _tate("track", str(bad), "--out", str(tmp_path / "o.csv"))
    assert res.returncode == 2 and "line 4: column time_s goes backwards" in res.stderr
    bad.write_text("time_s,x_m,y_m\n0,1,2\n1,abc,3\n")
    res = _tate("track", str(bad), "--out", str(tmp_path / "o.csv"))
    assert res.returncode == 2 and "line 3: column x_m is not a number, got 'abc'" in res.stderr
    assert "Traceback" not in res.stderr and not (tmp_path / "o.csv").exists()


def _radar_files(tmp_path: Path) -> tuple[Path, Path, Path]:
    """Two fixed radars 30 km apart see three aircraft; scans alternate every 0.5 s."""
    import numpy as np

    from tate.tracking.radar import rae

    rng = np.random.default_rng(3)
    sensors = {"sensor_id": ["R1", "R2"], "lat_deg": [37.0, 37.0], "lon_deg": [134.0, 134.3372],
               "alt_m": [20.0, 20.0]}
    spath = tmp_path / "sensors.csv"
    pcsv.write_csv(pa.table(sensors), spath)
    from tate.tracking.files import read_sensors

    where = read_sensors(spath)
    pos0 = np.array([[20e3, 40e3, 9e3], [25e3, 36e3, 12e3], [-30e3, 50e3, 3e3]])
    vel = np.array([[-250.0, -10.0, 0.0], [-240.0, 30.0, 0.0], [200.0, -100.0, 0.0]])
    det: dict[str, list] = {k: [] for k in ("time_s", "sensor_id", "range_m", "az_deg",
                                            "el_deg")}
    tru: dict[str, list] = {k: [] for k in ("time_s", "target_id", "x_m", "y_m", "z_m")}
    sig = np.array([15.0, 1e-3, 1e-3])
    for k in range(80):
        t = 0.5 * k
        sid = "R1" if k % 2 == 0 else "R2"
        pos = pos0 + vel * t
        # each radar measures in its own local ENU axes
        rel = (pos - where.position(sid, t)) @ where.rotation(sid, t).T
        z = rae(rel) + rng.normal(size=(3, 3)) * sig
        for row in z:
            det["time_s"].append(t)
            det["sensor_id"].append(sid)
            det["range_m"].append(row[0])
            det["az_deg"].append(float(np.degrees(row[1])))
            det["el_deg"].append(float(np.degrees(row[2])))
        for i, p in enumerate(pos):
            for key, v in zip(("time_s", "target_id", "x_m", "y_m", "z_m"), (t, i, *p),
                              strict=True):
                tru[key].append(v)
    dpath, tpath = tmp_path / "det.parquet", tmp_path / "truth.parquet"
    pq.write_table(pa.table(det), dpath)
    pq.write_table(pa.table(tru), tpath)
    return dpath, spath, tpath


def test_track_radar_detections_with_a_sensors_file(tmp_path: Path) -> None:
    dpath, spath, tpath = _radar_files(tmp_path)
    out = tmp_path / "tracks.parquet"
    res = _tate("track", str(dpath), "--out", str(out), "--sensors", str(spath), "--truth",
                str(tpath), "--q", "1", "--init-speed", "400", "--meas-std-m", "15",
                "--angle-std-deg", "0.0573", "--gospa-c", "500", "--associator", "jpda")
    assert res.returncode == 0, res.stderr
    mean = float(res.stdout.split("mean GOSPA")[1].split(":")[1].split("m;")[0])
    # three targets ~40-60 km out, raw fixes ~60 m off; after confirmation all three are
    # held (a missed target would cost 250 m per scan at c = 500 m)
    assert mean < 3 * 60.0
    assert "identity switches 0" in res.stdout
    tracks = pq.read_table(out)
    assert {"x_m", "y_m", "z_m", "vz_mps", "var_z_m2"} <= set(tracks.column_names)
    res = _tate("track", str(dpath), "--out", str(tmp_path / "o.csv"))
    assert res.returncode == 2 and "need a sensors file" in res.stderr


@pytest.mark.parametrize("motion", ["imm", "ct", "singer"])
def test_track_motion_models_run_from_the_command_line(tmp_path: Path, motion: str) -> None:
    dpath, tpath = _write_scenario(tmp_path)
    out = tmp_path / "tracks.csv"
    res = _tate("track", str(dpath), "--out", str(out), "--motion", motion, "--truth",
                str(tpath), "--init-speed", "15")
    assert res.returncode == 0, res.stderr
    mean = float(res.stdout.split("mean GOSPA")[1].split(":")[1].split("m;")[0])
    assert mean < 5 * 2.5 + 5.0


def test_track_jpda_with_given_pd_and_clutter_density(tmp_path: Path) -> None:
    dpath, tpath = _write_scenario(tmp_path)
    out = tmp_path / "tracks.parquet"
    # the simulator's clutter: mean 5 per scan over the targets' box plus 50 m margins
    # (about 900 m x 900 m): ~6e-6 per m²
    res = _tate("track", str(dpath), "--out", str(out), "--truth", str(tpath),
                "--associator", "jpda", "--pd", "0.9", "--clutter-density", "6e-6",
                "--init-speed", "15")
    assert res.returncode == 0, res.stderr
    mean = float(res.stdout.split("mean GOSPA")[1].split(":")[1].split("m;")[0])
    assert mean < 5 * 2.5 + 5.0
    res = _tate("track", str(dpath), "--out", str(out), "--associator", "pda")
    assert res.returncode == 2 and "valid names: gnn, jpda" in res.stderr
    res = _tate("track", str(dpath), "--out", str(out), "--clutter-density", "-1")
    assert res.returncode == 2 and "clutter_density must be > 0" in res.stderr


def test_track_writes_per_scan_scores_that_average_to_the_printed_mean(tmp_path: Path) -> None:
    dpath, tpath = _write_scenario(tmp_path)
    scores = tmp_path / "scores.csv"
    res = _tate("track", str(dpath), "--out", str(tmp_path / "t.parquet"), "--truth",
                str(tpath), "--init-speed", "15", "--scores", str(scores))
    assert res.returncode == 0, res.stderr
    table = pcsv.read_csv(scores).to_pydict()
    assert len(table["time_s"]) == 40  # one row per scan time of the 40-scan scene
    mean = float(res.stdout.split("mean GOSPA")[1].split(":")[1].split("m;")[0])
    assert sum(table["gospa_m"]) / 40 == pytest.approx(mean, abs=1e-3)
    parts = [a + b + c for a, b, c in zip(table["localisation"], table["missed"],
                                          table["false"], strict=True)]
    assert parts == pytest.approx(table["gospa_m"])  # p = 1: the parts add up
