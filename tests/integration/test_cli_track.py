"""`tate track` through the command line: files in and out, GOSPA, bad input."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq

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
    assert header[-2:] == ["var_ax_m2s4", "var_ay_m2s4"]
