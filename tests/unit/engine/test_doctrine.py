"""The ``[c2]`` doctrine end to end: reserve, salvo against shoot-look-shoot, cost-aware
weapon choice and the minimum Pk, each seen in the shots of whole engine runs.

Every test compares a run with the doctrine key set against the same scenario and seed
without it, so that it would fail if the engine ignored the key.  The expected limits come
from the doctrine's definition (docs/c2.md, docs/engine.md), worked here from the
scenario's numbers, never from an earlier run's output: the reserve leaves
m − ⌊m·f⌋ of m rounds usable; a salvo of k puts k rounds on a target at one launch time;
a round is worth firing only while its weighted cost w_c·c is below the target's value
(the objective of :mod:`tate.c2.wta`); no pair below ``min_pk`` is engaged.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from tate.c2.engage import PK_RELIABILITY
from tate.engine.engagement import Engagement
from tate.scenario.loader import loads_scenario
from tate.weapons.presets import PRESETS
from tests.unit.engine.test_engagement import DEFENDED

SEED = 3  #: a seed whose baseline run fires more than one round at a threat (see below)

#: one ship (SM-6-like 4, ESSM-like 8) against two cruise missiles: the engine tests' scene
TWO_CRUISE = DEFENDED
MAGAZINE = {"sm6-like": 4, "essm-like": 8}

# A drone (50 m/s, 300 m) launched 30 km out: beyond the gun's reach within the 400 s
# look-ahead of the engageability search (2 km + 50 m/s × 400 s = 22 km), so at first only
# the ESSM-like round (50 km) can meet it; later both can.  ESSM-like and CIWS-like are
# both in the "point" layer, so the assigner chooses between them.
ONE_DRONE = """
name = "doctrine: one drone"
epoch_utc = "2030-06-01T00:00:00Z"
time_limit_s = 700

[[ships]]
id = "DDG-1"
class = "ddg51-flight3"
lat_deg = 25.0
lon_deg = 150.0
heading_deg = 270
speed_kn = 15
magazine = { essm-like = 8, ciws-like = 20 }

[[threats]]
id = "D-1"
model = "drone"
launch = { lat_deg = 25.0, lon_deg = 149.7, time_s = 0 }
aim = { ship = "DDG-1" }
"""


@pytest.fixture(scope="module")
def run() -> Callable[[str, str], Any]:
    """``run(scenario, c2)``: the shots table of the scenario with the ``[c2]`` lines
    ``c2`` appended, seed :data:`SEED`; each distinct run is made once per module."""
    cache: dict[tuple[str, str], Any] = {}

    def go(scenario: str, c2: str = "") -> Any:
        if (scenario, c2) not in cache:
            text = scenario + ("\n[c2]\n" + c2 + "\n" if c2 else "")
            cache[scenario, c2] = Engagement(loads_scenario(text, "doctrine.toml"), SEED).run()
        return cache[scenario, c2]

    return go


def fired(shots: dict[str, Any], weapon: str) -> int:
    return int(np.sum(shots["weapon"] == weapon))


def threat_rounds(shots: dict[str, Any]) -> dict[str, np.ndarray]:
    """Launch times of the rounds at each real threat (false tracks left out)."""
    return {tid: np.sort(shots["time_s"][shots["threat_id"] == tid])
            for tid in set(shots["threat_id"].tolist()) - {""}}


# --- reserve -----------------------------------------------------------------------------


@pytest.mark.parametrize("fraction", [0.5, 0.75])
def test_reserve_leaves_the_floor_of_the_fraction_unfired(run, fraction: float) -> None:  # type: ignore[no-untyped-def]
    base, held = run(TWO_CRUISE).shots, run(TWO_CRUISE, f"reserve_fraction = {fraction}")
    for weapon, m in MAGAZINE.items():
        usable = m - math.floor(m * fraction)
        assert fired(held.shots, weapon) <= usable, weapon
        left = held.magazine["rounds_left"][held.magazine["weapon"] == weapon]
        assert left.size == 0 or left.min() >= m - usable, weapon
    # without a reserve the same seed fires more SM-6-like rounds than the reserve allows:
    # the limit above is the reserve's doing
    assert fired(base, "sm6-like") > 4 - math.floor(4 * fraction)


# --- salvo and shoot-look-shoot ------------------------------------------------------------


def test_salvo_puts_two_rounds_on_each_threat_at_its_first_engagement(run) -> None:  # type: ignore[no-untyped-def]
    salvo = threat_rounds(run(TWO_CRUISE, 'doctrine = "salvo"\nsalvo = 2').shots)
    assert set(salvo) == {"CM-1", "CM-2"}
    for tid, times in salvo.items():
        assert np.sum(times == times[0]) == 2, (tid, times)


def test_shoot_look_shoot_never_launches_two_rounds_together(run) -> None:  # type: ignore[no-untyped-def]
    sls = threat_rounds(run(TWO_CRUISE).shots)
    assert set(sls) == {"CM-1", "CM-2"}
    for tid, times in sls.items():
        assert np.all(np.diff(times) > 0), (tid, times)
    # not vacuous: with this seed a first round fails and the threat is engaged again
    assert max(t.size for t in sls.values()) >= 2


# --- cost-aware weapon choice --------------------------------------------------------------

WORTH = 100.0  #: value of the most urgent track in the assignment (the only one here)


def test_a_large_cost_weight_answers_a_drone_with_the_gun(run) -> None:  # type: ignore[no-untyped-def]
    essm, ciws = PRESETS["essm-like"].cost_usd / 1e6, PRESETS["ciws-like"].cost_usd / 1e6
    weight = 100.0
    # premise: at this weight an ESSM-like round costs more than the drone is worth and a
    # gun burst far less
    assert weight * essm > WORTH > 1e3 * weight * ciws
    free = run(ONE_DRONE).shots
    assert fired(free, "essm-like") >= 1  # without cost, the missile is feasible and used
    costed = run(ONE_DRONE, f"cost_weight = {weight}").shots
    assert fired(costed, "essm-like") == 0
    assert fired(costed, "ciws-like") >= 1 and set(costed["threat_id"]) == {"D-1"}
    assert np.all(weight * costed["cost_usd"] / 1e6 < WORTH)


# --- minimum kill probability --------------------------------------------------------------


def test_min_pk_above_every_weapon_fires_nothing(run) -> None:  # type: ignore[no-untyped-def]
    assert all(PRESETS[w].pk_max < 0.95 for w in MAGAZINE)  # type: ignore[union-attr]
    assert run(TWO_CRUISE).shots["time_s"].size > 0
    res = run(TWO_CRUISE, "min_pk = 0.95")
    assert res.shots["time_s"].size == 0
    assert res.summary["leaked"] == 2


def test_min_pk_between_two_weapons_forbids_only_the_weaker(run) -> None:  # type: ignore[no-untyped-def]
    # nominal single-shot Pk = pk_max × PK_RELIABILITY: SM-6-like 0.72, ESSM-like 0.675
    sm6 = PRESETS["sm6-like"].pk_max * PK_RELIABILITY  # type: ignore[union-attr]
    essm = PRESETS["essm-like"].pk_max * PK_RELIABILITY  # type: ignore[union-attr]
    cut = 0.5 * (sm6 + essm)
    assert essm < cut < sm6
    assert fired(run(TWO_CRUISE).shots, "essm-like") >= 1  # fired without the cut
    shots = run(TWO_CRUISE, f"min_pk = {cut}").shots
    assert fired(shots, "essm-like") == 0
    assert fired(shots, "sm6-like") >= 1


def test_an_outer_layer_held_in_reserve_hands_the_track_to_the_next_layer(run) -> None:  # type: ignore[no-untyped-def]
    # SM-6-like (terminal layer) has 3 rounds with 2 held back (⌊3 · 0.99⌋): one SM-6
    # goes to the first cruise missile; the second one must then go to the next layer
    # (ESSM-like, point) while SM-6 could still reach it — the outer layer is out of
    # rounds, not out of reach (before the layer choice looked at the rounds left, the
    # ESSM waited until SM-6 had no opportunity left)
    from tate.earth import wgs84
    from tate.weapons.flyout import flyout_table

    text = TWO_CRUISE.replace("sm6-like = 4", "sm6-like = 3")
    res = run(text, "reserve_fraction = 0.99")
    shots = res.shots
    assert fired(shots, "sm6-like") == 1
    sm6_target = str(shots["threat_id"][shots["weapon"] == "sm6-like"][0])
    other = ({"CM-1", "CM-2"} - {sm6_target}).pop()
    essm = shots["time_s"][(shots["weapon"] == "essm-like") & (shots["threat_id"] == other)]
    assert essm.size >= 1
    t = float(essm.min())
    p = res.paths
    sel = (p["id"] == other) & (p["kind"] == "threat")
    k = int(np.argmin(np.abs(p["time_s"][sel] - t)))
    lat, lon = np.radians(p["lat_deg"][sel][k]), np.radians(p["lon_deg"][sel][k])
    ship = wgs84.geodetic_to_ecef(np.radians(25.0), np.radians(150.0), 0.0)
    ground = float(np.linalg.norm(wgs84.geodetic_to_ecef(lat, lon, 0.0) - ship))
    sm6 = flyout_table("sm6-like")
    assert sm6 is not None
    assert np.isfinite(sm6.time(np.array([ground]), np.array([p["alt_m"][sel][k]])))[0]
