"""``tate validate``: a good file prints a summary; a bad one exits 2 with one clear message.

Bad files are run in a subprocess (``python -m tate.cli validate FILE``) so that
the exit code, stderr and the absence of a traceback are checked as a user sees
them; a few also through ``tate.cli.main`` in this process.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tate.cli import app, main
from tate.scenario import default_scenario_path

SRC = Path(__file__).resolve().parents[2] / "src"

GOOD = """\
name = "cli test"
epoch_utc = "2030-06-01T00:00:00Z"

[[ships]]
id = "S1"
class = "ddg51-flight3"
lat_deg = 20.0
lon_deg = 160.0
heading_deg = 0
speed_kn = 12

[[threats]]
id = "CM-1"
model = "cruise"
launch = { lat_deg = 20.0, lon_deg = 158.0 }
aim = { ship = "S1" }
"""

BAD = {
    "syntax": (
        GOOD + "speed = = 1\n",
        f"TOML syntax error: Invalid value (at line {GOOD.count(chr(10)) + 1}, column 9)",
    ),
    "unit": (
        GOOD.replace("lat_deg = 20.0, lon_deg = 158.0", "lat_deg = 20.0, lon_deg = 158.0, alt = 5"),
        "threats[0].launch.alt: key 'alt' has no unit; did you mean 'alt_m'?",
    ),
    "nan": (GOOD + "speed_mps = nan\n", "threats[0].speed_mps: must be a finite number, got nan"),
    "negative": (GOOD + "mass_kg = -5.0\n", "threats[0].mass_kg: must be > 0, got -5.0"),
    "model": (
        GOOD.replace('"cruise"', '"rocket"'),
        "threats[0].model: unknown threat model; valid names: "
        "ballistic, boost-glide, cruise, drone, point-mass, got 'rocket'",
    ),
    "class": (
        GOOD.replace("ddg51-flight3", "burke"),
        "ships[0].class: unknown ship class; valid names: "
        "ddg51-flight2a, ddg51-flight3, ddg1000-like, maya-like, got 'burke'",
    ),
    "aim": (
        GOOD.replace('ship = "S1"', 'ship = "S2"'),
        "threats[0].aim.ship: unknown ship id; valid ids: S1, got 'S2'",
    ),
    "missing": (
        GOOD.replace("lat_deg = 20.0, lon_deg", "lon_deg"),
        "threats[0].launch.lat_deg: missing required key",
    ),
}


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    return subprocess.run(
        [sys.executable, "-m", "tate.cli", *args], env=env, capture_output=True, text=True
    )


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_file_exits_2_with_message(tmp_path: Path, case: str) -> None:
    text, message = BAD[case]
    path = tmp_path / f"{case}.toml"
    path.write_text(text, encoding="utf-8")
    result = run_cli("validate", str(path))
    assert result.returncode == 2
    assert result.stderr == f"error: {path}: {message}\n"
    assert "Traceback" not in result.stderr + result.stdout


def test_missing_file_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "absent.toml"
    result = run_cli("validate", str(path))
    assert result.returncode == 2
    assert result.stderr == f"error: {path}: file not found\n"
    assert "Traceback" not in result.stderr + result.stdout


def test_main_turns_scenario_error_into_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(GOOD + "max_g = 0\n", encoding="utf-8")
    monkeypatch.setattr(sys, "argv", ["tate", "validate", str(path)])
    with pytest.raises(SystemExit) as info:
        main()
    assert info.value.code == 2
    assert capsys.readouterr().err == f"error: {path}: threats[0].max_g: must be > 0, got 0.0\n"


def test_good_file_prints_summary(tmp_path: Path) -> None:
    path = tmp_path / "good.toml"
    path.write_text(GOOD, encoding="utf-8")
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    assert "CM-1" in result.output
    assert "cruise" in result.output


def test_default_scenario_validates() -> None:
    result = run_cli("validate", str(default_scenario_path()))
    assert result.returncode == 0, result.stderr
    for threat_id in ("HGV-1", "MRBM-4", "CM-2", "OWA-1", "DDG-A", "Port"):
        assert threat_id in result.stdout
