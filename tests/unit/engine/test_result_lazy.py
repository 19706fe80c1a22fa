"""``Engagement.result(lazy=True)`` (what a study's run builds): the same summary,
metadata and tables as the full result, each table built on first access, all of them
when pickled or copied; and the study's stored row and tables unchanged by it."""

from __future__ import annotations

import copy
import math
import pickle
from typing import Any

import numpy as np
import pytest

from tate.analysis.study import run_task
from tate.engine.engagement import Engagement
from tate.engine.result import RunResult
from tate.scenario import scenario_hash
from tate.scenario.loader import loads_scenario
from tests.unit.analysis.test_study import TINY as ONE_MISSILE

# the study tests' one-missile scenario with a second cruise missile
TINY = ONE_MISSILE.replace("study test: one cruise missile",
                           "lazy result test: two cruise missiles") + """
[[threats]]
id = "CM-2"
model = "cruise"
launch = { lat_deg = 25.1, lon_deg = 149.6, time_s = 20 }
aim = { ship = "DDG-1" }
speed_mps = 250
cruise_alt_m = 30
"""
LAZY = ("events", "tracks", "sensor_load", "power", "paths", "track_states", "platforms")


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, np.ndarray):
        return a.dtype == b.dtype and a.shape == b.shape and bool(
            np.all((a == b) | ((a != a) & (b != b))))  # NaN where NaN
    if isinstance(a, float) and math.isnan(a):
        return isinstance(b, float) and math.isnan(b)
    return bool(a == b)


def _equal(lazy: RunResult, full: RunResult) -> None:
    """Equal results (of one engagement, or of two runs apart from their wall times)."""
    wall = ("engine_wall_s", "faster_than_real_time")
    assert _same({k: v for k, v in lazy.summary.items() if k not in wall},
                 {k: v for k, v in full.summary.items() if k not in wall})
    for name in ("status", "message", "metadata", *full.TABLES):
        assert _same(getattr(lazy, name), getattr(full, name)), name


@pytest.fixture(scope="module")
def engagement() -> Engagement:
    eng = Engagement(loads_scenario(TINY, "tiny.toml"), 11)
    while not eng.done:
        eng.step()
    return eng


def test_lazy_result_builds_the_other_tables_on_first_access(engagement: Engagement) -> None:
    lazy = engagement.result(lazy=True)
    assert lazy.summary == engagement.result().summary  # (no NaN here)
    assert set(LAZY) <= set(lazy.__dict__["_lazy"])
    assert not set(LAZY) & set(lazy.__dict__)
    full = engagement.result()
    assert full.shots["time_s"].size and full.paths["time_s"].size  # tables with rows
    paths = lazy.paths
    assert "paths" in lazy.__dict__ and lazy.paths is paths  # built once, then kept
    _equal(lazy, full)
    with pytest.raises(AttributeError):
        _ = lazy.no_such_table  # type: ignore[attr-defined]
    with pytest.raises(AttributeError):  # still frozen
        lazy.paths = {}  # type: ignore[misc]


def test_lazy_result_pickles_and_copies_as_the_full_one(engagement: Engagement) -> None:
    full = engagement.result()
    for make in (lambda r: pickle.loads(pickle.dumps(r)), copy.deepcopy, copy.copy):
        got = make(engagement.result(lazy=True))
        assert "_lazy" not in got.__dict__
        _equal(got, full)
    lazy = engagement.result(lazy=True)
    assert "paths=" in repr(lazy) and not lazy.__dict__["_lazy"]  # repr built them all
    _equal(lazy, full)


def test_scenario_hash_is_kept_per_scenario_object() -> None:
    scn = loads_scenario(TINY, "tiny.toml")
    again = loads_scenario(TINY.replace("two cruise", "2 cruise"), "tiny.toml")
    assert scenario_hash(scn) == scenario_hash(scn) != scenario_hash(again)
    assert scenario_hash(loads_scenario(TINY, "tiny.toml")) == scenario_hash(scn)


def test_a_study_run_stores_what_the_full_result_gives() -> None:
    from tate.analysis.store import run_row

    for seed in (3, 4):
        task = (TINY, "tiny.toml", (), (), 0, 1, seed, False)
        got = run_task(task)
        full = Engagement(loads_scenario(TINY, "tiny.toml"), seed).run()
        want = run_row(full, 0, 1, seed, 0.0)
        row = {k: v for k, v in got["row"].items() if k != "wall_s"}
        assert _same(row, {k: v for k, v in want.items() if k != "wall_s"})
        assert _same(got["threats"], full.threats) and _same(got["shots"], full.shots)
        kept = run_task((*task[:-1], True))["result"]
        assert "_lazy" not in kept.__dict__
        _equal(kept, full)
