"""`tate run` through the command line."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq

from tests.integration.cli import run_tate
from tests.unit.engine.test_engagement import SCENARIO


def test_run_writes_tables_and_prints_summary(tmp_path: Path) -> None:
    scn = tmp_path / "s.toml"
    scn.write_text(SCENARIO)
    out = tmp_path / "run"
    res = run_tate("run", str(scn), "--out", str(out), "--seed", "5")
    assert res.returncode == 0, res.stderr
    text = " ".join(res.stdout.split())
    assert "Threats" in text and "terminated: 2 threats: 0 killed, 2 leaked" in text
    for name in ("events", "threats", "shots", "tracks", "sensor_load", "magazine", "power"):
        assert (out / f"{name}.parquet").is_file()
    assert pq.read_table(out / "threats.parquet").num_rows == 2


def test_run_bad_input_exits_2(tmp_path: Path) -> None:
    scn = tmp_path / "s.toml"
    scn.write_text(SCENARIO.replace("speed_mps = 270", "speed_mps = -5"))
    res = run_tate("run", str(scn), "--out", str(tmp_path / "o"))
    assert res.returncode == 2 and "threats[0].speed_mps" in res.stderr
    assert "Traceback" not in res.stderr and not (tmp_path / "o").exists()
