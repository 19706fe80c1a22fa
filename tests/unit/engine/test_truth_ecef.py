"""The truth store takes the flight's remembered ECEF conversion without a copy: its
arrays equal a fresh conversion of the trajectory table, and the copies the sensors get
stay the flight's own (writing into one changes neither the store nor the next copy)."""

from __future__ import annotations

import numpy as np

from tate.engine.truth import TruthStore
from tate.flight.fly import fly, trajectory_ecef
from tate.flight.run import sample_for_run
from tate.scenario import default_scenario_path, load_scenario


def test_truth_shares_the_conversion_and_copies_stay_apart() -> None:
    scn = load_scenario(default_scenario_path())
    scn = scn.model_copy(update={"threats": [t for t in scn.threats
                                             if t.id in ("HGV-1", "MRBM-1")]})
    scn, seed = sample_for_run(scn, 3)
    flight = fly(scn, dt=0.2, record_s=1.0, seed=seed)
    truth = TruthStore.from_flight(flight)
    ids = truth.ids.tolist()
    _, t, pos, vel = trajectory_ecef(flight.trajectory, ids)
    np.testing.assert_array_equal(truth.time, t)
    np.testing.assert_array_equal(truth.pos, pos)
    np.testing.assert_array_equal(truth.vel, vel)
    _, t2, pos2, vel2 = flight.ecef(ids)  # the sensors' copies
    assert not np.shares_memory(pos2, truth.pos) and not np.shares_memory(t2, truth.time)
    pos2 += 1.0
    vel2[:] = 0.0
    np.testing.assert_array_equal(truth.pos, pos)
    np.testing.assert_array_equal(flight.ecef(ids)[2], pos)
    np.testing.assert_array_equal(flight.ecef(ids)[3], vel)
