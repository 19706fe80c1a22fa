"""`tate fly`, `tate verify` and `tate --help` through the real command line."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from tests.integration.cli import ROOT, run_tate
from tests.unit.flight.conftest import HEAD

SMALL = HEAD + """
[[threats]]
id = "CM"
model = "cruise"
launch = { lat_deg = 20.0, lon_deg = 149.8, time_s = 10 }
aim = { ship = "S" }

[[threats]]
id = "D"
model = "drone"
count = 2
launch = { lat_deg = 19.95, lon_deg = 149.9 }
aim = { ship = "S" }
"""


_tate = run_tate


def test_fly_writes_tables_plots_and_manifest(tmp_path: Path) -> None:
    scn = tmp_path / "s.toml"
    scn.write_text(SMALL)
    out = tmp_path / "out"
    res = _tate("fly", str(scn), "--out", str(out))
    assert res.returncode == 0, res.stderr
    assert "Traceback" not in res.stderr
    assert "terminated" in res.stdout
    traj = pq.read_table(out / "trajectory.parquet")
    assert traj.column_names == [
        "time_s", "id", "model", "lat_deg", "lon_deg", "alt_m", "vn_mps", "ve_mps",
        "vd_mps", "speed_mps", "mach", "qbar_pa", "downrange_km"]
    assert set(traj.column("id").to_pylist()) == {"CM", "D.1", "D.2"}
    meta = traj.schema.metadata
    assert set(meta) >= {b"scenario_hash", b"seed", b"tate_version"}
    summary = pq.read_table(out / "summary.parquet").to_pydict()
    assert summary["outcome"] == ["impact", "impact", "impact"]
    assert min(summary["launch_time_s"]) == 0.0
    events = pq.read_table(out / "events.parquet").to_pydict()
    assert events["event"].count("impact") == 3
    for png in ("altitude.png", "ground_track.png", "mach.png"):
        assert (out / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "terminated"
    assert manifest["scenario_hash"] == meta[b"scenario_hash"].decode()
    assert not list(out.glob("*.part")) and not list(out.glob(".*.part"))


def test_fly_bad_file_exits_2_without_traceback(tmp_path: Path) -> None:
    scn = tmp_path / "bad.toml"
    scn.write_text(SMALL.replace("speed_kn = 0", "speed_kn = -3"))
    res = _tate("fly", str(scn), "--out", str(tmp_path / "o"))
    assert res.returncode == 2
    assert "ships[0].speed_kn" in res.stderr and "-3" in res.stderr
    assert "Traceback" not in res.stderr
    assert not (tmp_path / "o").exists()


def test_verify_passes_every_case() -> None:
    res = _tate("verify")
    assert res.returncode == 0, res.stdout + res.stderr
    assert "FAIL" not in res.stdout
    assert "checks passed" in res.stdout


def test_verify_unknown_case_is_a_clear_error() -> None:
    res = _tate("verify", "--case", "nope")
    assert res.returncode == 2
    assert "valid cases" in res.stderr and "Traceback" not in res.stderr


def test_help_is_fast_and_imports_nothing_heavy() -> None:
    code = ("import sys, tate.cli; heavy = [m for m in ('numpy', 'scipy', 'pydantic', "
            "'matplotlib', 'pyarrow') if m in sys.modules]; print(heavy)")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={"PYTHONPATH": str(ROOT / "src")})
    assert res.stdout.strip() == "[]", res.stdout + res.stderr
    start = time.perf_counter()
    assert _tate("--help").returncode == 0
    # Not a speed assertion: --help must work; its time is reported for the record.
    print(f"tate --help took {time.perf_counter() - start:.2f} s")


VERIFY_CASES = ["us76", "cavh", "glide-altitude", "glide-decay", "nesc9", "kepler",
                "radar-horizon", "radar-sensitivity", "detection-snr", "railgun-energy",
                "pn-miss", "wta-brute-force", "pn-3d", "power-shedding", "learned"]


def test_every_verify_case_is_listed_here() -> None:
    from tate.verify import CASES

    assert list(CASES) == VERIFY_CASES


# "learned" (half a minute) runs in test_verify_passes_every_case and, with a broken model
# that must fail it, in tests/unit/predict/test_checks.py
@pytest.mark.parametrize("case", [c for c in VERIFY_CASES if c != "learned"])
def test_verify_cases_pass(case: str) -> None:
    from tate.verify import CASES

    rows = CASES[case]()
    assert rows and all(r.passed for r in rows), [r for r in rows if not r.passed]
