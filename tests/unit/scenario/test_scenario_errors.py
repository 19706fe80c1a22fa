"""Every kind of mistake in a scenario file gives one clear ScenarioError.

Each test writes a file to a temporary directory and loads it with
``load_scenario``; the error must name the file, the key path and the value.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable
from pathlib import Path

import pytest
from pydantic import ValidationError

from tate.errors import ScenarioError
from tate.scenario import Glide, Normal, ScenarioErrors, load_scenario

Fail = Callable[[str], ScenarioError]
Threat = Callable[..., str]


def text_of(err: ScenarioError) -> str:
    """The error's text without the leading ``file: ``."""
    prefix = f"{err.file}: "
    assert str(err).startswith(prefix)
    return str(err)[len(prefix) :]


def test_toml_syntax_error_gives_line_and_column(fail: Fail, head: str) -> None:
    err = fail(head + "speed = = 3\n")
    assert text_of(err).startswith("TOML syntax error: ")
    line = head.count("\n") + 1
    assert text_of(err) == f"TOML syntax error: Invalid value (at line {line}, column 9)"
    assert err.path == ""


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.toml"
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, check_reach=False)
    assert str(info.value) == f"{path}: file not found"
    assert info.value.file == str(path)


def test_directory_instead_of_file(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="is a directory"):
        load_scenario(tmp_path, check_reach=False)


def test_not_utf8(write: Callable[[str], Path], tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes('name = "caf\xe9"\n'.encode("latin-1"))
    with pytest.raises(ScenarioError, match="not UTF-8 text"):
        load_scenario(path, check_reach=False)


def test_missing_required_key(fail: Fail, head: str, make_threat: Threat) -> None:
    text = head + make_threat().replace("lat_deg = 20.0, ", "")
    err = fail(text)
    assert text_of(err) == "threats[0].launch.lat_deg: missing required key"
    assert err.path == "threats[0].launch.lat_deg"


def test_wrong_type(fail: Fail, head: str, make_threat: Threat) -> None:
    err = fail(head.replace("speed_kn = 12", 'speed_kn = "fast"') + make_threat())
    assert text_of(err) == "ships[0].speed_kn: expected a number, got 'fast'"
    assert err.value == "fast"


def test_bool_is_not_a_number(fail: Fail, head: str, make_threat: Threat) -> None:
    err = fail(head + make_threat(extra="mass_kg = true\n"))
    assert text_of(err) == "threats[0].mass_kg: expected a number, got True"


def test_string_expected(fail: Fail, head: str, make_threat: Threat) -> None:
    err = fail(head + make_threat(aim="ship = 5"))
    assert text_of(err) == "threats[0].aim.ship: expected a string, got 5"


def test_integer_expected(fail: Fail, head: str, make_threat: Threat) -> None:
    err = fail(head + make_threat(extra="count = 1.5\n"))
    assert text_of(err) == "threats[0].count: expected an integer, got 1.5"


def test_table_expected(fail: Fail, head: str, make_threat: Threat) -> None:
    text = head + make_threat().replace(
        "launch = { lat_deg = 20.0, lon_deg = 158.0 }", "launch = 5"
    )
    err = fail(text)
    assert text_of(err) == "threats[0].launch: expected a table, got 5"


@pytest.mark.parametrize(
    ("key", "expected"),
    [("alt", "alt_m"), ("time", "time_s")],
)
def test_key_without_unit(
    fail: Fail, head: str, make_threat: Threat, key: str, expected: str
) -> None:
    text = head + make_threat().replace("lat_deg = 20.0,", f"lat_deg = 20.0, {key} = 5,")
    err = fail(text)
    assert text_of(err) == (
        f"threats[0].launch.{key}: key '{key}' has no unit; did you mean '{expected}'?"
    )


def test_key_without_unit_in_a_threat_model(fail: Fail, head: str, make_threat: Threat) -> None:
    err = fail(head + make_threat(model="cruise", extra="range = 300\n"))
    assert text_of(err) == "threats[0].range: key 'range' has no unit; did you mean 'range_km'?"


def test_key_without_unit_in_a_nested_table(
    fail: Fail, head: str, make_threat: Threat, rocket: str
) -> None:
    extra = rocket + "glide = { alt = 40000 }\n"
    err = fail(head + make_threat(model="boost-glide", extra=extra))
    assert text_of(err) == "threats[0].glide.alt: key 'alt' has no unit; did you mean 'alt_m'?"


def test_unknown_key_lists_valid_keys(fail: Fail, head: str, make_threat: Threat) -> None:
    err = fail(head + make_threat(extra="foo = 1\n"))
    assert text_of(err) == (
        "threats[0].foo: unknown key 'foo'; valid keys: id, model, count, interval_s, "
        "spread_m, launch, aim, speed_mps, cruise_alt_m, mass_kg, max_g, range_km, waypoints"
    )


def test_unknown_key_near_miss(fail: Fail, head: str, make_threat: Threat) -> None:
    err = fail(head + make_threat().replace("[[threats]]", "[[threat]]"))
    assert err.path == "threat"
    assert err.message.startswith("unknown key 'threat' (did you mean 'threats'?); valid keys: ")
    assert isinstance(err, ScenarioErrors)
    assert [e.path for e in err.errors] == ["threat", "threats"]


def test_ship_class_key_is_class(fail: Fail, head: str, make_threat: Threat) -> None:
    err = fail(head.replace("class =", "klass =") + make_threat())
    assert "ships[0].klass: unknown key 'klass' (did you mean 'class'?)" in str(err)


def test_negative_mass(fail: Fail, head: str, make_threat: Threat, rocket: str) -> None:
    text = head + make_threat() + make_threat("B1", "ballistic", rocket)
    err = fail(text.replace("payload_kg = 700", "payload_kg = -5.0"))
    assert text_of(err) == "threats[1].payload_kg: must be > 0, got -5.0"
    assert err.value == -5.0


def test_integer_input_is_reported_as_the_float_it_becomes(
    fail: Fail, head: str, make_threat: Threat
) -> None:
    err = fail(head + make_threat(extra="mass_kg = -5\n"))
    assert text_of(err) == "threats[0].mass_kg: must be > 0, got -5.0"


def test_bound_with_upper_limit(fail: Fail, head: str, make_threat: Threat) -> None:
    err = fail(head.replace("heading_deg = 0", "heading_deg = 360") + make_threat())
    assert text_of(err) == "ships[0].heading_deg: must be < 360, got 360.0"


@pytest.mark.parametrize("literal", ["nan", "inf", "-inf"])
def test_not_finite(fail: Fail, head: str, make_threat: Threat, literal: str) -> None:
    err = fail(head + make_threat(extra=f"mass_kg = {literal}\n"))
    assert text_of(err) == f"threats[0].mass_kg: must be a finite number, got {literal}"


def test_nan_inside_a_distribution(fail: Fail, head: str, make_threat: Threat) -> None:
    err = fail(head + make_threat(extra="mass_kg = { normal = { mean = nan, std = 1 } }\n"))
    assert text_of(err) == "threats[0].mass_kg.normal.mean: must be a finite number, got nan"


def test_unknown_threat_model(fail: Fail, head: str, make_threat: Threat) -> None:
    err = fail(head + make_threat() + make_threat("R1", "rocket"))
    assert text_of(err) == (
        "threats[1].model: unknown threat model; valid names: "
        "ballistic, boost-glide, cruise, drone, point-mass, got 'rocket'"
    )


def test_missing_threat_model(fail: Fail, head: str, make_threat: Threat) -> None:
    err = fail(head + make_threat().replace('model = "drone"\n', ""))
    assert text_of(err) == "threats[0].model: missing required key"


def test_unknown_ship_class(fail: Fail, head: str, make_threat: Threat) -> None:
    err = fail(head.replace("ddg51-flight3", "burke") + make_threat())
    assert text_of(err) == (
        "ships[0].class: unknown ship class; valid names: "
        "ddg51-flight2a, ddg51-flight3, ddg1000-like, maya-like, got 'burke'"
    )


def test_unknown_choice(fail: Fail, head: str, make_threat: Threat, rocket: str) -> None:
    err = fail(head + make_threat(model="ballistic", extra=rocket + 'trajectory = "arc"\n'))
    assert text_of(err) == (
        "threats[0].trajectory: must be one of 'minimum-energy', 'lofted' or 'depressed', got 'arc'"
    )


def test_aim_at_unknown_ship(fail: Fail, head: str, make_threat: Threat) -> None:
    err = fail(head + make_threat() + make_threat("D1", aim='ship = "S9"'))
    assert text_of(err) == "threats[1].aim.ship: unknown ship id; valid ids: S1, got 'S9'"


def test_aim_at_unknown_asset(fail: Fail, head: str, make_threat: Threat) -> None:
    err = fail(head + make_threat(aim='asset = "Q"'))
    assert text_of(err) == "threats[0].aim.asset: unknown asset id; valid ids: P, got 'Q'"


def test_aim_at_asset_when_there_are_none(fail: Fail, make_threat: Threat) -> None:
    head = 'name = "x"\nepoch_utc = "2030-06-01T00:00:00Z"\n'
    err = fail(head + make_threat(aim='asset = "Q"'))
    assert text_of(err) == (
        "threats[0].aim.asset: unknown asset id; valid ids: none, the scenario has no assets, "
        "got 'Q'"
    )


@pytest.mark.parametrize(
    ("aim", "expected"),
    [
        ("", "threats[0].aim: missing aim: give one of lat_deg + lon_deg, ship, asset"),
        (
            'ship = "S1", asset = "P"',
            "threats[0].aim: give exactly one of lat_deg + lon_deg, ship, asset, "
            "got ['ship', 'asset']",
        ),
        ("lat_deg = 3", "threats[0].aim.lon_deg: missing required key"),
        (
            'ship = "S1", alt_m = 5',
            "threats[0].aim.alt_m: only allowed with lat_deg and lon_deg, got 5.0",
        ),
        ("lat_deg = 95, lon_deg = 1", "threats[0].aim.lat_deg: must be <= 90, got 95.0"),
    ],
)
def test_aim_forms(fail: Fail, head: str, make_threat: Threat, aim: str, expected: str) -> None:
    assert text_of(fail(head + make_threat(aim=aim))) == expected


def test_duplicate_threat_id(fail: Fail, head: str, make_threat: Threat) -> None:
    err = fail(head + make_threat("X") + make_threat("Y") + make_threat("X"))
    assert text_of(err) == "threats[2].id: duplicate id (also threats[0].id), got 'X'"


def test_duplicate_ship_id(fail: Fail, head: str, make_threat: Threat) -> None:
    ship = head[head.index("[[ships]]") : head.index("[[assets]]")]
    err = fail(head + ship + make_threat())
    assert text_of(err) == "ships[1].id: duplicate id (also ships[0].id), got 'S1'"


def test_no_threats(fail: Fail, head: str) -> None:
    # the key is required; an explicit empty raid is allowed (a run with nothing to do)
    assert text_of(fail(head)) == "threats: missing required key"


def test_naive_epoch(fail: Fail, head: str, make_threat: Threat) -> None:
    err = fail(head.replace('00:00Z"', '00:00"') + make_threat())
    assert text_of(err) == (
        "epoch_utc: needs a time zone, e.g. 2030-06-01T00:00:00Z, got '2030-06-01T00:00:00'"
    )


def test_naive_toml_datetime(fail: Fail, head: str, make_threat: Threat) -> None:
    err = fail(head.replace('"2030-06-01T00:00:00Z"', "2030-06-01T00:00:00") + make_threat())
    assert err.path == "epoch_utc"
    assert err.message.startswith("needs a time zone")


def test_bad_epoch(fail: Fail, head: str, make_threat: Threat) -> None:
    err = fail(head.replace("2030-06-01T00:00:00Z", "tomorrow") + make_threat())
    assert text_of(err) == (
        "epoch_utc: expected a date-time with a time zone, such as 2030-06-01T00:00:00Z, "
        "got 'tomorrow'"
    )


def test_too_many_stages(fail: Fail, head: str, make_threat: Threat, rocket: str) -> None:
    stage = "{ propellant_kg = 1, dry_kg = 1, isp_s = 1, burn_time_s = 1 }"
    stages = f"stages = [{', '.join([stage] * 4)}]"
    extra = rocket.replace(rocket.splitlines()[0], stages)
    err = fail(head + make_threat(model="ballistic", extra=extra))
    assert text_of(err) == "threats[0].stages: must have at most 3 item(s), got 4"


def test_error_in_a_list_of_tables(fail: Fail, head: str, make_threat: Threat, rocket: str) -> None:
    extra = rocket.replace("isp_s = 265", "isp_s = 0") + "glide = { alt_m = 40000 }\n"
    err = fail(head + make_threat(model="boost-glide", extra=extra))
    assert text_of(err) == "threats[0].stages[0].isp_s: must be > 0, got 0.0"


def test_short_array(fail: Fail, head: str, make_threat: Threat) -> None:
    extra = "mass_kg = 1\narea_m2 = 1\ncd = 0.1\nvelocity_ned_mps = [1, 2]\n"
    err = fail(head + make_threat(model="point-mass", extra=extra))
    assert text_of(err) == "threats[0].velocity_ned_mps[2]: missing array item"


def test_several_problems_are_all_reported(fail: Fail, head: str, make_threat: Threat) -> None:
    text = head.replace("speed_kn = 12", "speed_kn = -1") + make_threat(extra="mass_kg = 0\n")
    err = fail(text)
    assert isinstance(err, ScenarioErrors)
    assert (err.path, err.message, err.value) == ("ships[0].speed_kn", "must be >= 0", -1.0)
    assert str(err).splitlines() == [
        f"{err.file}: ships[0].speed_kn: must be >= 0, got -1.0",
        f"{err.file}: threats[0].mass_kg: must be > 0, got 0.0",
    ]


def test_many_problems_are_capped(fail: Fail, head: str, make_threat: Threat) -> None:
    text = head + "".join(make_threat(f"D{i}", extra="mass_kg = 0\n") for i in range(15))
    lines = str(fail(text)).splitlines()
    assert len(lines) == 12
    assert lines[-1] == "... and 4 more"


def test_aim_out_of_reach(write: Callable[[str], Path], head: str, make_threat: Threat) -> None:
    # A drone with 100 km of range, launched 500 km (4.78 deg of longitude at 20N) from its aim.
    text = head + make_threat(extra="range_km = 100\n").replace(
        "lon_deg = 158.0", "lon_deg = 155.2153"
    )
    path = write(text)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert info.value.path == "threats[0].aim"
    assert info.value.file == str(path)
    assert str(info.value).startswith(f"{path}: threats[0].aim: ")


def test_several_problems_survive_pickling(fail: Fail, head: str, make_threat: Threat) -> None:
    # A process pool sends a worker's exception back pickled.
    text = head.replace("speed_kn = 12", "speed_kn = -1") + make_threat(extra="mass_kg = 0\n")
    err = fail(text)
    assert isinstance(err, ScenarioErrors)
    again = pickle.loads(pickle.dumps(err))
    assert isinstance(again, ScenarioErrors)
    assert [(e.path, e.message, e.value) for e in again.errors] == [
        (e.path, e.message, e.value) for e in err.errors
    ]
    assert str(again) == str(err)


def test_python_construction_errors_are_readable() -> None:
    with pytest.raises(ValidationError) as info:
        Glide(entry_speed_mps=Normal(-1, 50))
    assert "normal.mean: must be > 0, got -1.0" in str(info.value)


def test_glide_keys_the_chosen_aero_model_ignores_are_refused() -> None:
    from tate.errors import ScenarioError as Err
    from tate.scenario import Glide

    with pytest.raises(Exception) as info:
        Glide.model_validate({"aero": "cav-h", "ballistic_coeff_kg_m2": 9000})
    assert "not used with aero = 'cav-h'" in str(info.value)
    with pytest.raises(Exception) as info:
        Glide.model_validate({"aero": "constant", "area_m2": 1.0})
    assert "not used with aero = 'constant'" in str(info.value)
    assert Glide.model_validate({"aero": "cav-h", "alt_m": 40000}).area_m2 == 0.4839
    del Err
