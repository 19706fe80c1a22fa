"""Fixtures of the scenario tests: small scenario texts, written to files and loaded."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tate.errors import ScenarioError
from tate.scenario import Scenario, load_scenario

#: A scenario's head: one ship ``S1``, one asset ``P``, no threats yet.
HEAD = """\
name = "test"
epoch_utc = "2030-06-01T00:00:00Z"

[[ships]]
id = "S1"
class = "ddg51-flight3"
lat_deg = 20.0
lon_deg = 160.0
heading_deg = 0
speed_kn = 12

[[assets]]
id = "P"
lat_deg = 20.3
lon_deg = 160.0
"""


def threat(tid: str = "D0", model: str = "drone", extra: str = "", aim: str = 'ship = "S1"') -> str:
    """Return a ``[[threats]]`` table: launched at 20N 158E, aimed at ship S1 by default."""
    return (
        f'\n[[threats]]\nid = "{tid}"\nmodel = "{model}"\n'
        f"launch = {{ lat_deg = 20.0, lon_deg = 158.0 }}\naim = {{ {aim} }}\n{extra}"
    )


ROCKET = """\
stages = [{ propellant_kg = 9000, dry_kg = 1000, isp_s = 265, burn_time_s = 60 }]
payload_kg = 700
diameter_m = 1.2
"""


@pytest.fixture
def head() -> str:
    """The head of a scenario (see :data:`HEAD`)."""
    return HEAD


@pytest.fixture
def make_threat() -> Callable[..., str]:
    """Builder of ``[[threats]]`` tables (see :func:`threat`)."""
    return threat


@pytest.fixture
def rocket() -> str:
    """Keys a ballistic or boost-glide threat needs besides the common ones."""
    return ROCKET


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str], Path]:
    """Write a text to ``scenario.toml`` in a temporary directory and return its path."""

    def _write(text: str) -> Path:
        path = tmp_path / "scenario.toml"
        path.write_text(text, encoding="utf-8")
        return path

    return _write


@pytest.fixture
def load(write: Callable[[str], Path]) -> Callable[[str], Scenario]:
    """Write a text to a file and load it with ``load_scenario`` (no reach check)."""
    return lambda text: load_scenario(write(text), check_reach=False)


@pytest.fixture
def fail(write: Callable[[str], Path]) -> Callable[[str], ScenarioError]:
    """Write a text to a file, load it, and return the ScenarioError it must raise."""

    def _fail(text: str) -> ScenarioError:
        path = write(text)
        with pytest.raises(ScenarioError) as info:
            load_scenario(path, check_reach=False)
        assert info.value.file == str(path)
        return info.value

    return _fail
