"""Fixtures of the tracking tests: the default engagement's radar scans and tracker
snapshots along them (built once per session; :mod:`tests.unit.tracking.replay`)."""

from __future__ import annotations

import pytest

from tate.tracking.tracker import Tracker, TrackerConfig
from tests.unit.tracking import replay


@pytest.fixture(scope="session")
def engine_scans() -> tuple[TrackerConfig, list[replay.Scan]]:
    return replay.engine_scans()


@pytest.fixture(scope="session")
def snapshots(engine_scans: tuple[TrackerConfig, list[replay.Scan]]
              ) -> list[tuple[Tracker, replay.Scan]]:
    return replay.snapshots(*engine_scans)
