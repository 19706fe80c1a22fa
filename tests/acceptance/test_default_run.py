"""The bundled default scenario as one defended run through `tate run` (slow: about two
minutes; `make test-all`)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from tests.integration.cli import run_tate


@pytest.mark.slow
def test_default_scenario_runs_end_to_end(tmp_path: Path) -> None:
    out = tmp_path / "run"
    res = run_tate("run", "--out", str(out))
    assert res.returncode == 0, res.stderr
    summary = json.loads((out / "summary.json").read_text())
    threats = pq.read_table(out / "threats.parquet").to_pydict()
    shots = pq.read_table(out / "shots.parquet").to_pydict()
    assert summary["threats"] == 22 == len(threats["threat_id"])
    assert summary["killed"] + summary["leaked"] + summary["flying"] == 22
    assert summary["killed"] == sum(o == "killed" for o in threats["outcome"])
    # every kill is one shot's, and the summary's rounds and cost are the shots table's
    assert sum(shots["kill"]) == summary["killed"]
    assert summary["shots"] == len(shots["time_s"])
    assert summary["cost_usd"] == pytest.approx(float(np.sum(shots["cost_usd"])))
    # no exo-atmospheric interceptor was spent on a drone (cost- and layer-aware use)
    exo_at = {t for t, la in zip(shots["threat_id"], shots["layer"], strict=True)
              if la == "exo"}
    assert not any(t.startswith("OWA") for t in exo_at)
    # the railgun drew energy from the ship's plant only when it could charge
    power = pq.read_table(out / "power.parquet").to_pydict()
    served = np.asarray(power["railgun_served_w"])
    spare = (np.asarray(power["capacity_w"]) - np.asarray(power["hotel_served_w"])
             - np.asarray(power["radar_served_w"]) - np.asarray(power["propulsion_served_w"])
             - np.asarray(power["other_served_w"]))
    assert np.all(served <= spare + 1e-6)
