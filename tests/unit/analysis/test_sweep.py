"""Sweep specs, grids and scenario overrides (tate.analysis.sweep).

Oracles: hand-worked value lists; exact rational arithmetic (``fractions.Fraction`` of
the decimal strings) for float ranges; a brute-force nested enumeration for the grid;
and, for overrides, the same change made by editing the TOML *text* and loading it
with the ordinary loader, compared by scenario hash.
"""

from __future__ import annotations

import pickle
import re
import tomllib
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tate.analysis.sweep import (
    MAX_VALUES,
    SweepPointError,
    apply_overrides,
    format_value,
    grid,
    parse_set,
    parse_value,
    point_label,
    scenario_for_point,
)
from tate.errors import ScenarioError, TateError
from tate.scenario import default_scenario_path, loads_scenario, scenario_hash

ROOT = Path(__file__).resolve().parents[3]
DEFAULT = default_scenario_path().read_text()
SENSORS = (ROOT / "examples" / "sensors.toml").read_text()


def _typed(values: list[Any]) -> list[tuple[str, Any]]:
    """Values with their types, so that 1 == 1.0 == True does not hide a wrong type."""
    return [(type(v).__name__, v) for v in values]


# -- parse_set: values ----------------------------------------------------------------------
@pytest.mark.parametrize(("spec", "key", "values"), [
    ("c2.salvo=1,2,3", "c2.salvo", [1, 2, 3]),
    ("threats.HGV-1.count=2:12:2", "threats.HGV-1.count", [2, 4, 6, 8, 10, 12]),
    ("x=2:11:3", "x", [2, 5, 8, 11]),
    ("x=2:12:3", "x", [2, 5, 8, 11]),          # 12 is not on the grid
    ("x=10:1:-3", "x", [10, 7, 4, 1]),
    ("x=5:5:1", "x", [5]),
    ("x=0:1:0.25", "x", [0.0, 0.25, 0.5, 0.75, 1.0]),
    ("x=1,2:6:2,9", "x", [1, 2, 4, 6, 9]),
    (" c2.min_pk = 0.5 , 1e-1 ,-2.5E1", "c2.min_pk", [0.5, 0.1, -25.0]),
    ("x=1,2.5", "x", [1.0, 2.5]),               # ints become floats beside a float
    ("x=true,false,True,1,0", "x", None),       # duplicates: True twice
    ("c2.doctrine=salvo,shoot-look-shoot", "c2.doctrine", ["salvo", "shoot-look-shoot"]),
    ("ships.DDG-A.railgun=emrg-32mj-like,none", "ships.DDG-A.railgun", ["emrg-32mj-like", None]),
    ('name="12","none",nan,inf', "name", ["12", "none", "nan", "inf"]),
    ('name="a,b",x', "name", ["a,b", "x"]),
    ("epoch_utc=2030-06-01T00:00:00Z", "epoch_utc", ["2030-06-01T00:00:00Z"]),
])
def test_parse_set_values(spec: str, key: str, values: list[Any] | None) -> None:
    if values is None:
        with pytest.raises(TateError, match="given twice"):
            parse_set(spec)
        return
    got_key, got = parse_set(spec)
    assert got_key == key
    assert _typed(got) == _typed(values)


def test_parse_set_keeps_bools_apart_from_ints() -> None:
    assert _typed(parse_set("x=true,false,1,0")[1]) == _typed([True, False, 1, 0])


def test_float_range_has_no_drift() -> None:
    # 0.1 accumulated three times is 0.30000000000000004; START + k*STEP rounded is 0.3
    _, values = parse_set("x=0:1:0.1")
    assert values == [k / 10 for k in range(11)]
    _, values = parse_set("x=0.7:0.1:-0.2")
    assert values == [0.7, 0.5, 0.3, 0.1]


@settings(max_examples=150, deadline=None)
@given(start=st.integers(-10**6, 10**6), step=st.integers(1, 10**4),
       digits=st.integers(1, 4), n=st.integers(0, 60), sign=st.sampled_from([1, -1]),
       overshoot=st.sampled_from([Fraction(0), Fraction(1, 2), Fraction(9, 10)]))
def test_float_range_matches_exact_arithmetic(start: int, step: int, digits: int, n: int,
                                              sign: int, overshoot: Fraction) -> None:
    """A decimal range equals the exact rational values START + k·STEP, k = 0..n, with STOP
    included exactly when it lies on the grid (overshoot 0) and never overshot."""
    scale = Fraction(1, 10**digits)
    a, h = start * scale, sign * step * scale
    b = a + (n + overshoot) * h

    def dec(q: Fraction) -> str:
        return format(Decimal(q.numerator) / Decimal(q.denominator), "f")

    text = f"x={dec(a)}:{dec(b)}:{dec(h)}"
    if "." not in dec(a) + dec(b) + dec(h):
        text = text.replace(":", ".0:", 1)  # keep it a float range
    assert "." in text
    _, values = parse_set(text)
    assert values == [float(a + k * h) for k in range(n + 1)]


@pytest.mark.parametrize(("spec", "message"), [
    ("c2.salvo", r"--set 'c2.salvo': missing '='"),
    ("=1,2", r"--set '=1,2': empty key before '='"),
    ("  =1", r"empty key before '='"),
    ("c2..salvo=1", r"empty part in key 'c2..salvo'"),
    ("c2.salvo=", r"--set 'c2.salvo=': no values after '='"),
    ("c2.salvo=  ", r"no values after '='"),
    ("c2.salvo=1,,2", r"empty value"),
    ("c2.salvo=1,2,", r"empty value"),
    ("x=1:5:0", r"range '1:5:0': the step must not be 0"),
    ("x=0:1:0.0", r"the step must not be 0"),
    ("x=1:5:-1", r"range '1:5:-1': a step of -1 never reaches 5 from 1 \(wrong sign\)"),
    ("x=5:1:2", r"wrong sign"),
    ("x=1:5", r"a range is START:STOP:STEP, got '1:5'"),
    ("x=1:5:1:2", r"a range is START:STOP:STEP"),
    ("x=1:five:1", r"range '1:five:1': 'five' is not a number"),
    ("x=0:10000:1", r"more than 10,000 values"),        # 10,001 values
    ("x=0:1e12:1", r"more than 10,000 values"),
    ("x=1,0:9999:1", r"more than 10,000 values"),       # 1 + 10,000
    ("x=1,2,1", r"--set 'x=1,2,1': value 1 is given twice"),
    ("x=1,1.0", r"value 1.0 is given twice"),
    ("x=0:4:2,4", r"value 4 is given twice"),
    ("x=a,b,a", r"value a is given twice"),
    ("x=none,none", r"value none is given twice"),
    ('x="a', r"double quote is not closed"),
])
def test_parse_set_errors(spec: str, message: str) -> None:
    with pytest.raises(TateError, match=message):
        parse_set(spec)


def test_max_values_is_allowed() -> None:
    _, values = parse_set(f"x=1:{MAX_VALUES}:1")
    assert len(values) == MAX_VALUES and values[-1] == MAX_VALUES


# -- format_value / point_label -------------------------------------------------------------
_TEXT = st.text(alphabet="abz019-_.:/ ,=", max_size=12)
_SCALARS = st.one_of(st.integers(-10**20, 10**20), st.booleans(), st.none(), _TEXT)


@given(st.one_of(_SCALARS, st.floats(allow_nan=False, allow_infinity=False)))
def test_format_value_inverts_parse_value(value: Any) -> None:
    assert _typed([parse_value(format_value(value))]) == _typed([value])


@given(st.lists(_SCALARS, min_size=1, max_size=8, unique_by=lambda v: (type(v).__name__, v)))
def test_parse_set_reads_back_formatted_values(values: list[Any]) -> None:
    _, got = parse_set("k=" + ",".join(format_value(v) for v in values))
    assert _typed(got) == _typed(values)


def test_point_label() -> None:
    label = point_label(["c2.salvo", "threats.HGV-1.count"], [2, 4])
    assert label == "c2.salvo=2, threats.HGV-1.count=4"
    label = point_label(["a", "b", "c", "d"], [None, True, 0.25, "12"])
    assert label == 'a=none, b=true, c=0.25, d="12"'
    assert point_label([], []) == ""


# -- grid -----------------------------------------------------------------------------------
@given(st.lists(st.lists(st.integers(), min_size=1, max_size=4, unique=True),
                min_size=0, max_size=4))
def test_grid_is_the_product_first_key_slowest(lists: list[list[int]]) -> None:
    sets = [(f"k{i}", values) for i, values in enumerate(lists)]
    points = grid(sets)
    size = 1
    for values in lists:
        size *= len(values)
    assert len(points) == size
    # brute force: odometer enumeration, the last key turning fastest
    expected: list[tuple[int, ...]] = []
    counters = [0] * len(lists)
    for _ in range(size):
        expected.append(tuple(lists[i][c] for i, c in enumerate(counters)))
        for i in reversed(range(len(lists))):
            counters[i] += 1
            if counters[i] < len(lists[i]):
                break
            counters[i] = 0
    assert points == expected


def test_grid_of_nothing_is_one_empty_point() -> None:
    assert grid([]) == [()]


def test_grid_errors() -> None:
    with pytest.raises(TateError, match=r"--set c2.salvo: the key is given twice"):
        grid([parse_set("c2.salvo=1,2"), parse_set("x=1"), parse_set("c2.salvo=3")])
    with pytest.raises(TateError, match=r"--set x: no values"):
        grid([("x", [])])


# -- overrides against text edits -----------------------------------------------------------
def _hash(text: str) -> str:
    return scenario_hash(loads_scenario(text, "edited.toml"))


def _cut_block(text: str, start: str) -> str:
    """Remove the array-of-tables block that begins with ``start`` up to the next header."""
    i = text.index(start)
    j = text.find("\n[[", i + 1)
    return text[:i] + (text[j + 1:] if j >= 0 else "")


_DDG_B_MAGAZINE = (  # the ddg51-flight2a loadout as docs/scenario.md lists it, SM-6 set to 8
    "magazine = { sm3-ib-like = 8, sm6-like = 8, essm-like = 24, ciws-like = 1550 }\n")

def _sub(old: str, new: str, nth: int = 0) -> Any:
    """An edit replacing the ``nth`` occurrence of ``old`` (which must be there)."""
    def edit(text: str) -> str:
        at = -1
        for _ in range(nth + 1):
            at = text.index(old, at + 1)
        return text[:at] + new + text[at + len(old):]
    return edit


_EDITS: list[tuple[dict[str, Any], Any]] = [
    ({"c2.doctrine": "salvo", "c2.salvo": 3},
     lambda t: t + '\n[c2]\ndoctrine = "salvo"\nsalvo = 3\n'),
    ({"ships.DDG-A.speed_kn": 20}, _sub("speed_kn = 14", "speed_kn = 20")),
    ({"ships.1.speed_kn": 3.5}, _sub("speed_kn = 14", "speed_kn = 3.5", nth=1)),
    ({"threats.OWA-1.count": 4}, _sub("count = 12", "count = 4")),
    ({"threats.1.manoeuvre.bank_deg": 35}, _sub("bank_deg = 30", "bank_deg = 35")),
    ({"threats.HGV-1.glide.lift_to_drag.normal.std": 0.1}, _sub("std = 0.05", "std = 0.1")),
    ({"threats.HGV-1.stages.1.isp_s": 290}, _sub("isp_s = 280", "isp_s = 290")),
    ({"threats.MRBM-3.launch.time_s": 10.5}, _sub("time_s = 240", "time_s = 10.5")),
    ({"ships.DDG-A.railgun": None}, _sub('railgun = "emrg-32mj-like"', "")),
    ({"ships.DDG-B.magazine.sm6-like": 8},
     _sub("lon_deg = 160.0957", "lon_deg = 160.0957\n" + _DDG_B_MAGAZINE)),
    ({"threats.MRBM-2": False}, lambda t: _cut_block(t, '[[threats]]\nid = "MRBM-2"')),
    ({"threats.HGV-1": False, "threats.2": None, "threats.MRBM-1": True},
     lambda t: _cut_block(_cut_block(t, '[[threats]]\nid = "HGV-1"'),
                          '[[threats]]\nid = "HGV-3"')),
    ({"threats.MRBM-2": True}, lambda t: t),
    ({"ships.DDG-A.speed_kn": 14, "c2.salvo": 2}, lambda t: t),  # the values already there
]


@pytest.mark.parametrize(("values", "edit"), _EDITS)
def test_overrides_equal_text_edits(values: dict[str, Any], edit: Any) -> None:
    got = scenario_for_point(DEFAULT, "default.toml", values)
    assert scenario_hash(got) == _hash(edit(DEFAULT))


def test_overrides_change_what_they_say() -> None:
    scn = scenario_for_point(DEFAULT, "default.toml",
                             {"ships.DDG-B.magazine.sm6-like": 8, "ships.DDG-A.railgun": None,
                              "threats.0.count": 3})
    assert scn.ships[1].magazine == {"sm3-ib-like": 8, "sm6-like": 8, "essm-like": 24,
                                     "ciws-like": 1550}
    assert scn.ships[0].railgun is None
    assert scn.threats[0].count == 3


def test_no_overrides_keeps_the_hash() -> None:
    scn = scenario_for_point(DEFAULT, "default.toml", {})
    assert scenario_hash(scn) == _hash(DEFAULT)
    assert scenario_hash(scn) != scenario_hash(
        scenario_for_point(DEFAULT, "default.toml", {"ships.DDG-A.speed_kn": 15}))


def test_removing_a_picket_sensor() -> None:
    off = scenario_for_point(SENSORS, "sensors.toml", {"sensors.UAV-1": False})
    assert scenario_hash(off) == _hash(_cut_block(SENSORS, '[[sensors]]\nid = "UAV-1"'))
    assert [s.id for s in off.sensors] == ["SIR"]
    on = scenario_for_point(SENSORS, "sensors.toml", {"sensors.UAV-1": True})
    assert scenario_hash(on) == _hash(SENSORS)


def test_removal_keeps_file_indices() -> None:
    """Item removal happens last, so index 1 is HGV-2 of the file even with item 0 gone."""
    scn = scenario_for_point(DEFAULT, "default.toml", {"threats.0": False, "threats.1.count": 2})
    assert scn.threats[0].id == "HGV-2" and scn.threats[0].count == 2
    assert len(scn.threats) == 10


def test_raw_data_is_not_changed() -> None:
    raw = tomllib.loads(DEFAULT)
    data = apply_overrides(raw, {"c2.salvo": 3, "threats.HGV-1.glide.ballistic_coeff_kg_m2": 1,
                                 "threats.OWA-1": False})
    assert raw == tomllib.loads(DEFAULT)
    assert data["c2"] == {"salvo": 3} and "c2" not in raw
    assert len(data["threats"]) == len(raw["threats"]) - 1


def test_ids_with_dots_take_the_longest_match() -> None:
    raw = {"threats": [{"id": "A", "count": 1, "x": {"1": {"count": 0}}},
                       {"id": "A.1", "count": 1}]}
    data = apply_overrides(raw, {"threats.A.1.count": 5, "threats.A.count": 7})
    assert data["threats"][1]["count"] == 5
    assert data["threats"][0]["count"] == 7
    data = apply_overrides(raw, {"threats.A.x.1.count": 3})  # no id "A.x": "A", then keys
    assert data["threats"][0]["x"]["1"]["count"] == 3


def test_lists_of_values_by_index() -> None:
    raw = {"c2": {"layers": ["exo", "glide"]}}
    assert apply_overrides(raw, {"c2.layers.1": "point"})["c2"]["layers"] == ["exo", "point"]
    assert apply_overrides(raw, {"c2.layers.0": None})["c2"]["layers"] == ["glide"]


# -- override errors ------------------------------------------------------------------------
def test_unknown_ship_id_lists_the_valid_ids() -> None:
    with pytest.raises(TateError) as info:
        scenario_for_point(DEFAULT, "default.toml", {"ships.DDG-X.speed_kn": 10})
    text = str(info.value)
    assert "ships.DDG-X.speed_kn" in text and "'DDG-X'" in text
    assert "valid ids: DDG-A, DDG-B" in text


@pytest.mark.parametrize(("values", "message"), [
    ({"threats.11.count": 2}, r"--set threats.11.count: no item '11' in threats; valid ids: "
                              r"HGV-1, .*OWA-1 \(or an index 0 to 10\)"),
    ({"threats.HGV-1.stages.2.isp_s": 1},
     r"no item '2' in threats.HGV-1.stages; valid indices: 0 to 1"),
    ({"assets.Port.x": 1, "sensors.S.alt_m": 1}, r"no item 'S' in sensors; sensors is empty"),
    ({"ships.DDG-A.speed_kn.max": 1},
     r"--set ships.DDG-A.speed_kn.max: ships.DDG-A.speed_kn is a value \(14\), not a table"),
    ({"name.x": 1}, r"--set name.x: name is a value"),
    ({"ships.DDG-A": 3}, r"--set ships.DDG-A: the item is a table; set one of its keys"),
    ({"a..b": 3}, r"--set a..b: empty part in the key"),
])
def test_path_errors(values: dict[str, Any], message: str) -> None:
    raw = tomllib.loads(DEFAULT)
    raw["sensors"] = []
    with pytest.raises(TateError, match=message) as info:
        apply_overrides(raw, values)
    assert not isinstance(info.value, ScenarioError)


def test_invalid_value_names_the_point_and_the_key() -> None:
    with pytest.raises(ScenarioError) as info:
        scenario_for_point(DEFAULT, "default.toml", {"threats.OWA-1.count": 4, "c2.salvo": 5})
    exc = info.value
    assert isinstance(exc, SweepPointError)
    assert exc.path == "c2.salvo" and exc.value == 5 and exc.file == "default.toml"
    assert str(exc) == ("with threats.OWA-1.count=4, c2.salvo=5: "
                        "default.toml: c2.salvo: must be <= 4, got 5")
    again = pickle.loads(pickle.dumps(exc))
    assert str(again) == str(exc) and again.path == exc.path
    assert str(exc.with_file("other.toml")).endswith("other.toml: c2.salvo: must be <= 4, got 5")


def test_removed_ship_is_reported_where_it_is_used() -> None:
    with pytest.raises(SweepPointError, match=r"with ships.DDG-A=false: .*"
                                              r"threats\[0\].aim.ship: unknown ship id"):
        scenario_for_point(DEFAULT, "default.toml", {"ships.DDG-A": False})


def test_wrong_type_and_unknown_key_are_scenario_errors() -> None:
    with pytest.raises(SweepPointError, match=r"threats\[10\].count: expected an integer"):
        scenario_for_point(DEFAULT, "d.toml", {"threats.OWA-1.count": 2.5})
    with pytest.raises(SweepPointError, match=r"c2.salvoes: unknown key 'salvoes'"):
        scenario_for_point(DEFAULT, "d.toml", {"c2.salvoes": 2})
    with pytest.raises(SweepPointError, match=r"ships\[0\].railgun: unknown railgun preset"):
        scenario_for_point(DEFAULT, "d.toml", {"ships.DDG-A.railgun": "coilgun"})


def test_errors_without_overrides_are_plain() -> None:
    with pytest.raises(ScenarioError, match="TOML syntax error") as info:
        scenario_for_point("name = ", "bad.toml", {"c2.salvo": 2})
    assert info.value.file == "bad.toml"
    bad = re.sub(r"speed_kn = 14", "speed_kn = -1", DEFAULT, count=1)
    with pytest.raises(ScenarioError) as info2:
        scenario_for_point(bad, "bad.toml", {})
    assert not isinstance(info2.value, SweepPointError)
    assert info2.value.path == "ships[0].speed_kn"
