"""Every example scenario validates (reach check included) and flies to its aim points."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tate.flight.fly import fly
from tate.flight.run import sample_for_run
from tate.scenario import load_scenario

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.toml"))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_flies_to_its_aims(path: Path) -> None:
    scn, _ = sample_for_run(load_scenario(path), None)
    res = fly(scn)
    assert res.status == "terminated", res.message
    err = res.summary["impact_error_m"]
    aimed = np.isfinite(err)
    assert aimed.any()
    assert np.all(err[aimed] < 50.0), dict(zip(res.summary["id"], err, strict=True))


def test_there_are_examples() -> None:
    assert EXAMPLES, "examples/*.toml not found"
