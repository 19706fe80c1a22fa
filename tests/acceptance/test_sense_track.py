"""End to end: `tate sense` on the sensors example, then `tate track` on its radar
detections from a ship and a moving drone, scored against the written truth."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow.parquet as pq

from tests.integration.cli import run_tate

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "sensors.toml"


def test_sense_then_track_the_example(tmp_path: Path) -> None:
    out = tmp_path / "sense"
    res = run_tate("sense", str(EXAMPLE), "--out", str(out))
    assert res.returncode == 0, res.stderr
    det = pq.read_table(out / "detections.parquet").to_pydict()
    angle_only = int(np.isnan(np.asarray(det["range_m"], float)).sum())
    assert angle_only > 0  # the space IR layer reports angles only
    tracks = out / "tracks.parquet"
    res = run_tate("track", str(out / "detections.parquet"), "--sensors",
                   str(out / "sensors.parquet"), "--truth", str(out / "truth.parquet"),
                   "--out", str(tracks), "--motion", "imm", "--q", "10", "--init-speed",
                   "3000", "--meas-std-m", "50", "--gospa-c", "5000")
    assert res.returncode == 0, res.stderr
    assert f"({angle_only} angle-only left out)" in " ".join(res.stdout.split())
    text = " ".join(res.stdout.split())
    nees = float(text.split("mean position NEES")[1].split()[0])
    # the filter's covariance is honest on real sensor geometry: the 3-dof position NEES
    # averages near 3 (a loose band: manoeuvres and few samples)
    assert 1.0 < nees < 8.0
    t = pq.read_table(tracks).to_pydict()
    assert len(set(t["track_id"])) >= 2  # the glider and the sea-skimmer are both tracked
