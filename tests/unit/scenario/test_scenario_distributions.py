"""Distributions: their own parameters, their bounds against a field's, and their draws."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tate.errors import ScenarioError
from tate.scenario import Bounds, DroneThreat, Normal, Scenario, Triangular, Uniform
from tate.scenario.distributions import nominal, parse_distribution

Fail = Callable[[str], ScenarioError]
finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)


def test_parse_each_kind() -> None:
    assert parse_distribution({"normal": {"mean": 2400, "std": 100}}) == Normal(2400.0, 100.0)
    assert parse_distribution({"uniform": {"low": 1, "high": 2}}) == Uniform(1.0, 2.0)
    triangular = parse_distribution({"triangular": {"low": 1, "mode": 1.5, "high": 3}})
    assert triangular == Triangular(1.0, 1.5, 3.0)


def test_parameters_become_floats() -> None:
    normal = Normal(2400, 0)
    assert isinstance(normal.mean, float)
    assert isinstance(normal.std, float)


@pytest.mark.parametrize(
    ("table", "path", "message"),
    [
        ({"normal": {"mean": 1, "std": -1}}, "normal.std", "must be >= 0"),
        ({"uniform": {"low": 2, "high": 2}}, "uniform.high", "must be > low (2)"),
        ({"triangular": {"low": 1, "mode": 1, "high": 1}}, "triangular.high", "must be > low (1)"),
        (
            {"triangular": {"low": 1, "mode": 4, "high": 3}},
            "triangular.mode",
            "must lie between low and high (1 to 3)",
        ),
        ({"normal": {"mean": float("inf"), "std": 1}}, "normal.mean", "must be a finite number"),
        ({"normal": {"mean": "a", "std": 1}}, "normal.mean", "expected a number"),
        ({"normal": {"mean": 1}}, "normal.std", "missing required key"),
        (
            {"normal": {"mean": 1, "std": 1, "sd": 1}},
            "normal.sd",
            "unknown key 'sd' (did you mean 'std'?); valid keys: mean, std",
        ),
        ({"normal": 3}, "normal", "expected a table of parameters"),
        (
            {"gauss": {"mean": 1, "std": 1}},
            "",
            "unknown distribution 'gauss'; valid names: normal, uniform, triangular",
        ),
        (
            {"normal": {"mean": 1, "std": 1}, "uniform": {"low": 1, "high": 2}},
            "",
            "expected a number or a table with one distribution (normal, uniform, triangular)",
        ),
    ],
)
def test_bad_parameters(table: dict[str, object], path: str, message: str) -> None:
    with pytest.raises(ScenarioError) as info:
        parse_distribution(table)
    assert (info.value.path, info.value.message) == (path, message)


def test_nominal_is_the_mean() -> None:
    assert nominal(3.0) == 3.0
    assert nominal(Normal(2.0, 5.0)) == 2.0
    assert nominal(Uniform(1.0, 2.0)) == 1.5
    assert nominal(Triangular(1.0, 2.0, 6.0)) == 3.0


@pytest.mark.parametrize(
    ("dist", "path", "value"),
    [
        (Uniform(-1.0, 2.0), "uniform.low", -1.0),
        (Triangular(1.0, 2.0, 95.0), "triangular.high", 95.0),
        (Normal(-3.0, 1.0), "normal.mean", -3.0),
    ],
)
def test_support_outside_bounds(
    dist: Uniform | Triangular | Normal, path: str, value: float
) -> None:
    with pytest.raises(ScenarioError) as info:
        dist.check_within(Bounds(gt=0, le=90), "x")
    assert (info.value.path, info.value.value) == (f"x.{path}", value)


def test_normal_only_needs_its_mean_inside() -> None:
    Normal(1.0, 1000.0).check_within(Bounds(gt=0))


def test_bounds_describe_and_contain() -> None:
    bounds = Bounds(ge=-90, le=90)
    assert bounds.describe() == ">= -90 and <= 90"
    assert bounds.contains(90.0)
    assert not bounds.contains(90.5)
    assert bounds.violation(-91.0) == "must be >= -90"
    assert Bounds().describe() == "any"


@given(low=finite, width=st.floats(min_value=1e-3, max_value=1e6), seed=st.integers(0, 2**32))
def test_uniform_draws_stay_in_support(low: float, width: float, seed: int) -> None:
    dist = Uniform(low, low + width)
    rng = np.random.default_rng(seed)
    draws = [dist.sample(rng) for _ in range(20)]
    assert all(low <= x <= low + width for x in draws)


@given(
    low=finite,
    width=st.floats(min_value=1e-3, max_value=1e6),
    at=st.floats(min_value=0, max_value=1),
    seed=st.integers(0, 2**32),
)
def test_triangular_draws_stay_in_support(low: float, width: float, at: float, seed: int) -> None:
    high = low + width
    dist = Triangular(low, min(high, low + at * width), high)
    rng = np.random.default_rng(seed)
    assert all(low <= dist.sample(rng) <= high for _ in range(20))


def test_normal_draw_statistics() -> None:
    rng = np.random.default_rng(7)
    draws = np.array([Normal(2600.0, 50.0).sample(rng) for _ in range(4000)])
    # Standard error of the mean is 50 / sqrt(4000) = 0.79 m/s: 5 sigma is 4 m/s.
    assert abs(draws.mean() - 2600.0) < 4.0
    assert abs(draws.std() - 50.0) < 3.0


def test_distribution_in_a_file(
    load: Callable[[str], Scenario], head: str, make_threat: Callable[..., str]
) -> None:
    extra = (
        "speed_mps = { uniform = { low = 40, high = 60 } }\n"
        "mass_kg = { triangular = { low = 150, mode = 200, high = 260 } }\n"
    )
    text = head + make_threat(extra=extra)
    text = text.replace(
        "lat_deg = 20.0, lon", "lat_deg = { normal = { mean = 20, std = 0.1 } }, lon"
    )
    threat = load(text).threats[0]
    assert isinstance(threat, DroneThreat)
    assert threat.speed_mps == Uniform(40.0, 60.0)
    assert threat.mass_kg == Triangular(150.0, 200.0, 260.0)
    assert threat.launch.lat_deg == Normal(20.0, 0.1)


def test_distribution_out_of_field_bounds_in_a_file(
    fail: Fail, head: str, make_threat: Callable[..., str]
) -> None:
    err = fail(head + make_threat(extra="speed_mps = { uniform = { low = 0, high = 60 } }\n"))
    assert str(err) == f"{err.file}: threats[0].speed_mps.uniform.low: must be > 0, got 0.0"


def test_integer_field_cannot_be_a_distribution(
    fail: Fail, head: str, make_threat: Callable[..., str]
) -> None:
    err = fail(head + make_threat(extra="count = { uniform = { low = 1, high = 3 } }\n"))
    assert err.path == "threats[0].count"
    assert err.message == "expected an integer"


def test_uniform_high_may_equal_an_exclusive_upper_bound() -> None:
    # uniform draws come from [low, high): a heading uniform on [0, 360) is valid
    bounds = Bounds(ge=0, lt=360)
    Uniform(0.0, 360.0).check_within(bounds, "heading_deg")
    draws = [Uniform(0.0, 360.0).sample(np.random.default_rng(s)) for s in range(200)]
    assert all(bounds.contains(d) for d in draws)
    with pytest.raises(ScenarioError, match=r"high: must be <= 360"):
        Uniform(0.0, 361.0).check_within(bounds, "heading_deg")
