"""The scenario schema: models, defaults, references, and the bundled default scenario."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from tate.errors import ScenarioError
from tate.scenario import (
    SHIP_CLASSES,
    THREAT_MODELS,
    Aim,
    BallisticThreat,
    BoostGlideThreat,
    CruiseThreat,
    DroneThreat,
    Glide,
    Launch,
    Normal,
    PointMassThreat,
    Scenario,
    Ship,
    default_scenario_path,
    describe,
    great_circle_km,
    load_scenario,
    loads_scenario,
)
from tate.scenario.distributions import nominal

Load = Callable[[str], Scenario]
Fail = Callable[[str], ScenarioError]
Threat = Callable[..., str]


@pytest.fixture(scope="module")
def default() -> Scenario:
    """The bundled default scenario."""
    return load_scenario(default_scenario_path(), check_reach=False)


def test_ship_classes_and_threat_models() -> None:
    assert list(SHIP_CLASSES) == ["ddg51-flight2a", "ddg51-flight3", "ddg1000-like", "maya-like"]
    assert THREAT_MODELS == ("ballistic", "boost-glide", "cruise", "drone", "point-mass")


def test_default_scenario_contents(default: Scenario) -> None:
    counts = describe(default)
    assert counts["by_model"] == {"boost-glide": 4, "ballistic": 4, "cruise": 2, "drone": 12}
    assert (counts["ships"], counts["assets"], counts["threats"]) == (2, 1, 22)
    assert default.epoch_utc == datetime(2030, 6, 1, tzinfo=UTC)
    assert default.time_limit_s == 3600.0
    assert [(s.id, s.class_) for s in default.ships] == [
        ("DDG-A", "ddg51-flight3"),
        ("DDG-B", "ddg51-flight2a"),
    ]
    assert [a.id for a in default.assets] == ["Port"]
    launch_times = [nominal(t.launch.time_s) for t in default.threats]
    assert max(launch_times) - min(launch_times) == 300.0


def test_default_scenario_geometry(default: Scenario) -> None:
    a, b, port = default.ship("DDG-A"), default.ship("DDG-B"), default.asset("Port")
    pos = [(nominal(x.lat_deg), nominal(x.lon_deg)) for x in (a, b, port)]
    assert great_circle_km(*pos[0], *pos[1]) == pytest.approx(10.0, rel=0.05)
    assert great_circle_km(*pos[0], *pos[2]) == pytest.approx(40.0, rel=0.05)
    expected_km = {"boost-glide": 1700.0, "ballistic": 1500.0, "cruise": 300.0, "drone": 130.0}
    for threat in default.threats:
        lat, lon, _ = default.aim_point(threat)
        start = (nominal(threat.launch.lat_deg), nominal(threat.launch.lon_deg))
        distance = great_circle_km(*start, lat, lon)
        assert distance == pytest.approx(expected_km[threat.model], rel=0.05), threat.id


def test_default_scenario_threat_details(default: Scenario) -> None:
    glides = [t for t in default.threats if isinstance(t, BoostGlideThreat)]
    assert [t.glide.lift_to_drag for t in glides].count(Normal(2.6, 0.05)) == 1
    assert [t.manoeuvre.kind for t in glides].count("s-turn") == 2
    assert {t.aim.ship or t.aim.asset for t in glides} == {"DDG-A", "DDG-B", "Port"}
    assert [t.glide.aero for t in glides] == ["constant", "constant", "cav-h", "constant"]
    assert [t.glide.ballistic_coeff_kg_m2 for t in glides] == [13000.0, None, None, 13000.0]
    assert glides[1].glide.alt_m == 40000.0
    ballistic = [t for t in default.threats if isinstance(t, BallisticThreat)]
    assert {t.trajectory for t in ballistic} == {"minimum-energy", "lofted", "depressed"}
    cruise = [t for t in default.threats if isinstance(t, CruiseThreat)]
    assert sorted(t.terminal.kind for t in cruise) == ["pop-up", "weave"]
    (drones,) = [t for t in default.threats if isinstance(t, DroneThreat)]
    assert (drones.count, drones.interval_s, drones.spread_m) == (12, 10.0, 2000.0)
    assert drones.aim.asset == "Port"


def test_models_are_frozen(default: Scenario) -> None:
    with pytest.raises(ValidationError):
        default.name = "other"  # type: ignore[misc]


def test_threat_model_selects_the_class(
    load: Load, head: str, make_threat: Threat, rocket: str
) -> None:
    text = (
        head
        + make_threat("B", "ballistic", rocket)
        + make_threat("G", "boost-glide", rocket + "glide = {}\n")
        + make_threat("C", "cruise")
        + make_threat("D", "drone")
        + make_threat(
            "M", "point-mass", "mass_kg = 1\narea_m2 = 1\ncd = 0.1\nvelocity_ned_mps = [0, 1, -1]\n"
        )
    )
    scn = load(text)
    kinds = [BallisticThreat, BoostGlideThreat, CruiseThreat, DroneThreat, PointMassThreat]
    assert [type(t) for t in scn.threats] == kinds
    assert [t.model for t in scn.threats] == list(THREAT_MODELS)


def test_defaults(load: Load, head: str, make_threat: Threat, rocket: str) -> None:
    text = (
        head
        + make_threat("B", "ballistic", rocket)
        + make_threat("G", "boost-glide", rocket + "glide = {}\n")
    )
    text += make_threat("C", "cruise") + make_threat("D", "drone")
    scn = load(text)
    b, g, c, d = scn.threats
    assert isinstance(b, BallisticThreat)
    assert (b.count, b.interval_s, b.spread_m) == (1, 0.0, 0.0)
    assert (b.launch.alt_m, b.launch.time_s) == (0.0, 0.0)
    assert (b.boost_cd, b.rv_beta_kg_m2, b.trajectory) == (0.3, 8000.0, "minimum-energy")
    assert isinstance(g, BoostGlideThreat)
    assert (g.burnout_gamma_deg, g.glide.aero, g.glide.lift_to_drag) == (6.0, "constant", None)
    assert g.glide.area_m2 is None
    assert (g.manoeuvre.kind, g.manoeuvre.bank_deg, g.manoeuvre.period_s) == ("none", 30.0, 60.0)
    assert g.dive.start_range_km == 60.0
    assert isinstance(c, CruiseThreat)
    assert (c.speed_mps, c.cruise_alt_m, c.mass_kg, c.max_g, c.range_km) == (270, 7, 1500, 4, 600)
    assert (c.terminal.kind, c.terminal.start_range_km, c.terminal.pop_alt_m) == ("none", 15, 1500)
    assert (c.terminal.weave_g, c.terminal.weave_period_s, c.waypoints) == (2.0, 6.0, [])
    assert isinstance(d, DroneThreat)
    assert (d.speed_mps, d.cruise_alt_m, d.mass_kg, d.max_g, d.range_km) == (50, 300, 200, 1, 2000)
    assert (scn.time_limit_s, scn.seed, scn.description) == (1800.0, None, "")
    asset = scn.asset("P")
    assert (asset.alt_m, asset.radius_m, asset.value) == (0.0, 500.0, 1.0)


def test_cav_h_area_default() -> None:
    assert Glide.model_validate({"aero": "cav-h"}).area_m2 == 0.4839
    assert Glide.model_validate({"aero": "cav-h", "area_m2": 0.5}).area_m2 == 0.5
    assert Glide.model_validate({"aero": "constant"}).area_m2 is None


def test_aim_point(load: Load, head: str, make_threat: Threat) -> None:
    text = head + make_threat("S") + make_threat("A", aim='asset = "P"')
    text += make_threat("X", aim="lat_deg = 1, lon_deg = 2, alt_m = 3") + make_threat(
        "Y", aim="lat_deg = 1, lon_deg = 2"
    )
    text += make_threat(
        "M", "point-mass", "mass_kg = 1\narea_m2 = 1\ncd = 0\nvelocity_ned_mps = [0, 0, 0]\n"
    ).replace('aim = { ship = "S1" }\n', "")
    scn = load(text)
    points = [scn.aim_point(t) for t in scn.threats[:4]]
    assert points == [(20.0, 160.0, 0.0), (20.3, 160.0, 0.0), (1.0, 2.0, 3.0), (1.0, 2.0, 0.0)]
    assert scn.threats[4].aim is None
    with pytest.raises(ScenarioError, match=r"threats\[4\]\.aim: threat has no aim"):
        scn.aim_point(scn.threats[4])


def test_aim_point_of_uncertain_target_is_its_mean(
    load: Load, head: str, make_threat: Threat
) -> None:
    text = head.replace("lat_deg = 20.0", "lat_deg = { uniform = { low = 19, high = 23 } }")
    scn = load(text + make_threat())
    assert scn.aim_point(scn.threats[0]) == (21.0, 160.0, 0.0)


def test_epoch_is_kept_in_utc(load: Load, head: str, make_threat: Threat) -> None:
    scn = load(head.replace("00:00Z", "00:00+09:00") + make_threat())
    assert scn.epoch_utc == datetime(2030, 5, 31, 15, tzinfo=UTC)
    assert scn.epoch_utc.tzinfo is not None
    assert scn.epoch_utc.utcoffset() == timedelta(0)


def test_point_mass_drag_laws(fail: Fail, load: Load, head: str, make_threat: Threat) -> None:
    common = "mass_kg = 1\narea_m2 = 1\nvelocity_ned_mps = [0, 0, 0]\n"
    table = "cd_mach = [[0.0, 0.1], [1.0, 0.4], [3.0, 0.3]]\n"
    scn = load(head + make_threat(model="point-mass", extra=common + table))
    threat = scn.threats[0]
    assert isinstance(threat, PointMassThreat)
    assert threat.cd_mach == [(0.0, 0.1), (1.0, 0.4), (3.0, 0.3)]
    assert threat.velocity_ned_mps == (0.0, 0.0, 0.0)

    def error(extra: str) -> str:
        err = fail(head + make_threat(model="point-mass", extra=common + extra))
        return str(err).removeprefix(f"{err.file}: ")

    both = "cd = 0.1\n" + table
    assert error(both) == "threats[0].cd_mach: give either cd or cd_mach, not both"
    assert error("") == "threats[0].cd: missing required key: give cd or cd_mach"
    assert error("cd_mach = [[0.0, 0.1], [0.0, 0.2]]\n") == (
        "threats[0].cd_mach[1][0]: Mach numbers must be strictly increasing, got 0.0"
    )
    assert error("cd_mach = [[0.0, 0.1]]\n") == (
        "threats[0].cd_mach: must have at least 2 item(s), got 1"
    )
    assert error("cd_mach = [[0.0, 0.1], [1.0, -0.2]]\n") == (
        "threats[0].cd_mach[1][1]: must be >= 0, got -0.2"
    )
    assert error("cd_mach = [[0.0, 0.1], [1.0, { normal = { mean = 1, std = 1 } }]]\n") == (
        "threats[0].cd_mach[1][1]: expected a number, got {'normal': {'mean': 1, 'std': 1}}"
    )


def test_build_in_python() -> None:
    ship = Ship(id="A", class_="maya-like", lat_deg=1, lon_deg=2, heading_deg=0, speed_kn=0)
    threat = DroneThreat(id="D", launch=Launch(lat_deg=0, lon_deg=0), aim=Aim(ship="A"))
    scn = Scenario(
        name="x", epoch_utc=datetime(2030, 1, 1, tzinfo=UTC), ships=[ship], threats=[threat]
    )
    assert scn.aim_point(threat) == (1.0, 2.0, 0.0)
    glide = Glide(entry_speed_mps=Normal(2600, 50))
    assert glide.entry_speed_mps == Normal(2600.0, 50.0)


def test_is_concrete(load: Load, head: str, make_threat: Threat) -> None:
    assert load(head + make_threat()).is_concrete
    extra = "max_g = { uniform = { low = 1, high = 2 } }\n"
    assert not load(head + make_threat(extra=extra)).is_concrete


def test_loads_scenario_names_its_text(head: str, make_threat: Threat) -> None:
    with pytest.raises(ScenarioError) as info:
        loads_scenario(head + make_threat(extra="max_g = -1\n"))
    assert str(info.value) == "<string>: threats[0].max_g: must be > 0, got -1.0"
