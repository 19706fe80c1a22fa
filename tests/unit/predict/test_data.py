"""Training data: windows, labels and truths of `tate train-data`, checked against the
flown truth and closed forms; determinism and resume of the dataset writer."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tate.errors import InputError
from tate.flight.fly import fly
from tate.flight.run import sample_for_run
from tate.predict.data import (
    HORIZONS_S,
    N_WINDOW,
    PERIOD_S,
    generate_run,
    read_dataset,
    write_dataset,
)
from tate.scenario import loads_scenario

TEXT = """
name = "data"
epoch_utc = "2030-01-01T00:00:00Z"
time_limit_s = 300

[[ships]]
id = "S"
class = "ddg51-flight3"
lat_deg = 20.0
lon_deg = 150.0
heading_deg = 270
speed_kn = 0

[[threats]]
id = "UAV"
model = "drone"
launch = { lat_deg = 20.0, lon_deg = 149.85, time_s = 0 }
aim = { ship = "S" }
speed_mps = { uniform = { low = 45, high = 55 } }
cruise_alt_m = 500

[[threats]]
id = "CM"
model = "cruise"
launch = { lat_deg = 20.05, lon_deg = 149.5, time_s = 10 }
aim = { ship = "S" }
speed_mps = 250
cruise_alt_m = 30
"""
NH = len(HORIZONS_S)


@pytest.fixture(scope="module")
def run() -> dict[str, Any]:
    return generate_run(loads_scenario(TEXT), 7, run=3)


def test_samples_have_full_consecutive_windows_and_labels(run: dict[str, Any]) -> None:
    n = run["t_s"].size
    assert n > 50
    assert set(run["tracker"].tolist()) == {"cv", "imm"}
    assert set(run["label"].tolist()) <= {"drone", "cruise", "clutter"}
    assert {"drone", "cruise"} <= set(run["label"].tolist())
    assert (run["run"] == 3).all()
    # every window ends at a decision time and is at least a window old
    assert np.allclose(run["t_s"] / PERIOD_S, np.round(run["t_s"] / PERIOD_S))
    assert (run["age_s"] >= (N_WINDOW - 1) * PERIOD_S - 1e-9).all()
    assert run["win_pos"].shape == (n, 3 * N_WINDOW)
    # the label is the truth's model: drones fly at ~50 m/s, the cruise missile at 250
    speed = np.linalg.norm(run["win_vel"][:, -3:], axis=1)
    assert np.median(speed[run["label"] == "drone"]) == pytest.approx(50, abs=8)
    assert np.median(speed[run["label"] == "cruise"]) == pytest.approx(250, abs=15)


def test_future_truth_is_the_flown_path(run: dict[str, Any]) -> None:
    scn, _ = sample_for_run(loads_scenario(TEXT), 7)
    flight = fly(scn, dt=0.2, record_s=0.2, seed=7)
    tab = flight.trajectory
    ids = np.asarray(tab["id"], dtype=object)
    t = np.asarray(tab["time_s"], float)
    from tate.earth import wgs84

    pos = np.asarray(wgs84.geodetic_to_ecef(np.radians(tab["lat_deg"]),
                                            np.radians(tab["lon_deg"]), tab["alt_m"]))
    checked = 0
    for i in np.flatnonzero(run["threat"] != "")[::7].tolist():
        fut = run["fut_pos"][i].reshape(NH, 3)
        for j, h in enumerate(HORIZONS_S):
            row = np.flatnonzero((ids == run["threat"][i]) & np.isclose(t, run["t_s"][i] + h))
            if row.size == 0:  # past the end of that flight: no truth
                assert np.isnan(fut[j]).all()
                continue
            np.testing.assert_allclose(fut[j], pos[row[0]], atol=0.05)
            checked += 1
    assert checked > 20


def test_cv_tracker_prediction_is_the_straight_line(run: dict[str, Any]) -> None:
    cv = run["tracker"] == "cv"
    p = run["win_pos"][cv][:, -3:]
    v = run["win_vel"][cv][:, -3:]
    line = p[:, None, :] + v[:, None, :] * np.asarray(HORIZONS_S)[None, :, None]
    np.testing.assert_allclose(run["filt_pred"][cv].reshape(-1, NH, 3), line, atol=1e-3)


def test_same_seed_same_samples() -> None:
    a = generate_run(loads_scenario(TEXT), 11)
    b = generate_run(loads_scenario(TEXT), 11)
    for key in a:
        np.testing.assert_array_equal(a[key], b[key], err_msg=key)


def test_dataset_writes_resumes_and_refuses_a_changed_seed(tmp_path: Path) -> None:
    file = tmp_path / "s.toml"
    file.write_text(TEXT)
    out = tmp_path / "d"
    write_dataset(file, 2, 5, out)
    first = {p.name: p.stat().st_mtime_ns for p in (out / "runs").iterdir()}
    assert sorted(first) == ["run-00000.parquet", "run-00001.parquet"]
    seen: list[tuple[int, int]] = []
    write_dataset(file, 2, 5, out, progress=lambda d, n: seen.append((d, n)))
    assert {p.name: p.stat().st_mtime_ns for p in (out / "runs").iterdir()} == first
    assert seen == [(2, 2)]  # nothing left to do
    manifest, cols = read_dataset(out)
    assert manifest["root_seed"] == 5 and set(cols["run"].tolist()) == {0, 1}
    with pytest.raises(InputError, match="root_seed"):
        write_dataset(file, 2, 6, out)
    assert json.loads((out / "manifest.json").read_text())["root_seed"] == 5


def test_read_refuses_what_is_not_a_dataset(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"no manifest\.json"):
        read_dataset(tmp_path)
    (tmp_path / "manifest.json").write_text('{"format": "other"}')
    with pytest.raises(InputError, match="format"):
        read_dataset(tmp_path)
