"""CZML export of a run: entities against the stored tables, positions against the paths
table (both sides converted to ECEF with pymap3d), the clock and availabilities against
the threats table and summary.json, replay.json against the packets, gun rounds against a
hand-made run, and bad run directories."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.parquet as pq
import pymap3d
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tate.engine.engagement import Engagement
from tate.errors import InputError
from tate.replay.czml import build_czml, export_czml, replay_index, track_pixels
from tate.replay.tables import RunTables, read_run
from tate.scenario.loader import loads_scenario
from tests.unit.engine.test_engagement import DEFENDED, SCENARIO

ROOT = Path(__file__).resolve().parents[3]


def write_run(text: str, out: Path) -> Path:
    """Run a scenario text (seed 5) and write its tables into ``out``."""
    Engagement(loads_scenario(text, "replay-test.toml"), 5).run().write(out)
    return out


def table(run: Path, name: str) -> dict[str, list[Any]]:
    return pq.read_table(run / f"{name}.parquet").to_pydict()


def when(text: str) -> datetime:
    assert text.endswith("Z")
    return datetime.fromisoformat(text)


def seconds(run: Path, text: str) -> float:
    epoch = datetime.fromisoformat(json.loads((run / "summary.json").read_text())["epoch_utc"])
    return (when(text) - epoch).total_seconds()


@pytest.fixture(scope="module")
def defended(tmp_path_factory: pytest.TempPathFactory) -> Path:
    run = write_run(DEFENDED, tmp_path_factory.mktemp("defended"))
    export_czml(run)
    return run


@pytest.fixture(scope="module")
def undefended(tmp_path_factory: pytest.TempPathFactory) -> Path:
    run = write_run(SCENARIO, tmp_path_factory.mktemp("undefended"))
    export_czml(run)
    return run


def packets(run: Path) -> dict[str, dict[str, Any]]:
    doc = json.loads((run / "replay.czml").read_text())
    assert doc[0]["id"] == "document"
    out = {p["id"]: p for p in doc[1:]}
    assert len(out) == len(doc) - 1, "entity ids must be unique"
    return out


def ids_with(prefix: str, pk: dict[str, Any]) -> set[str]:
    return {k.split("/", 1)[1] for k in pk if k.startswith(prefix + "/")}


@pytest.mark.parametrize("which", ["defended", "undefended"])
def test_one_entity_per_threat_round_track_platform_and_radar(which: str,
                                                              request: Any) -> None:
    run = request.getfixturevalue(which)
    pk = packets(run)
    paths, ts, pl = table(run, "paths"), table(run, "track_states"), table(run, "platforms")
    kinds = np.array(paths["kind"])
    ids = np.array(paths["id"])
    assert ids_with("threat", pk) == set(ids[kinds == "threat"]) == set(
        table(run, "threats")["threat_id"])
    assert ids_with("interceptor", pk) == set(ids[kinds == "interceptor"])
    if which == "defended":
        assert len(ids_with("interceptor", pk)) == 2  # two SM-6 rounds flown (shots table)
    assert ids_with("track", pk) == {str(t) for t in ts["track_id"]}
    assert ids_with("platform", pk) == {i for i, k in zip(pl["id"], pl["kind"], strict=True)
                                        if k in ("ship", "asset")}
    assert ids_with("coverage", pk) == {i for i, k in zip(pl["id"], pl["kind"], strict=True)
                                        if k == "radar"}


@pytest.mark.parametrize("which", ["defended", "undefended"])
def test_threat_positions_at_sample_times_are_the_paths_table(which: str, request: Any) -> None:
    run = request.getfixturevalue(which)
    pk, paths = packets(run), table(run, "paths")
    ids = np.array(paths["id"])
    for tid in ids_with("threat", pk) | ids_with("interceptor", pk):
        kind = "threat" if f"threat/{tid}" in pk else "interceptor"
        pos = pk[f"{kind}/{tid}"]["position"]
        assert seconds(run, pos["epoch"]) == 0.0
        assert pos["interpolationAlgorithm"] in ("LAGRANGE", "HERMITE")
        s = np.array(pos["cartographicDegrees"]).reshape(-1, 4)
        rows = np.flatnonzero(ids == tid)
        rows = rows[np.argsort(np.array(paths["time_s"])[rows])]
        np.testing.assert_array_equal(s[:, 0], np.array(paths["time_s"])[rows])
        got = np.array(pymap3d.geodetic2ecef(s[:, 2], s[:, 1], s[:, 3]))
        want = np.array(pymap3d.geodetic2ecef(np.array(paths["lat_deg"])[rows],
                                              np.array(paths["lon_deg"])[rows],
                                              np.array(paths["alt_m"])[rows]))
        assert np.max(np.linalg.norm(got - want, axis=0)) < 0.01  # m


def test_clock_spans_first_launch_to_the_end_of_the_run(defended: Path) -> None:
    doc = json.loads((defended / "replay.czml").read_text())[0]
    summary = json.loads((defended / "summary.json").read_text())
    first = min(table(defended, "threats")["launch_time_s"])
    start, end = doc["clock"]["interval"].split("/")
    assert seconds(defended, start) == pytest.approx(first, abs=1e-6)
    assert seconds(defended, end) == pytest.approx(first + summary["simulated_s"], abs=1e-6)
    assert doc["clock"]["currentTime"] == start
    assert 5 <= doc["clock"]["multiplier"] <= 20


@pytest.mark.parametrize("which", ["defended", "undefended"])
def test_threats_are_available_launch_to_end_with_the_tables_outcome(which: str,
                                                                     request: Any) -> None:
    run = request.getfixturevalue(which)
    pk, th = packets(run), table(run, "threats")
    for j, tid in enumerate(th["threat_id"]):
        p = pk[f"threat/{tid}"]
        start, end = p["availability"].split("/")
        assert seconds(run, start) == pytest.approx(th["launch_time_s"][j], abs=1e-6)
        assert seconds(run, end) == pytest.approx(th["end_time_s"][j], abs=1e-6)
        props = p["properties"]
        assert (props["kind"], props["outcome"], props["killed_by"]) == (
            th["model"][j], th["outcome"][j], th["killed_by"][j])
    assert set(th["outcome"]) == ({"killed"} if which == "defended" else {"leaked"})


def test_tracks_are_available_first_to_last_decision_and_grow_with_sigma(
        defended: Path) -> None:
    pk, ts = packets(defended), table(defended, "track_states")
    tid, t, sigma = (np.array(ts[k]) for k in ("track_id", "time_s", "pos_sigma_m"))
    for k in np.unique(tid):
        p = pk[f"track/{k}"]
        start, end = p["availability"].split("/")
        assert seconds(defended, start) == pytest.approx(t[tid == k].min(), abs=1e-6)
        assert seconds(defended, end) == pytest.approx(t[tid == k].max(), abs=1e-6)
        size = np.array(p["point"]["pixelSize"]["number"]).reshape(-1, 2)
        order = np.argsort(sigma[tid == k])
        assert np.all(np.diff(size[order, 1]) >= 0), "larger σ, smaller point"


@given(st.floats(0.0, 1e7), st.floats(0.0, 1e7))
def test_track_point_size_is_monotone_and_capped(a: float, b: float) -> None:
    lo, hi = sorted((a, b))
    pa, pb = track_pixels([lo, hi])
    assert 4.0 <= pa <= pb <= 16.0
    if hi <= 10.0:
        assert pb == pytest.approx(4.0)
    if lo >= 30_000.0:
        assert pa == pytest.approx(16.0)


@pytest.mark.parametrize("which", ["defended", "undefended"])
def test_event_points_are_kills_failures_and_impacts_at_the_threat(which: str,
                                                                   request: Any) -> None:
    run = request.getfixturevalue(which)
    pk, ev, paths = packets(run), table(run, "events"), table(run, "paths")
    marked = [k for k, e in enumerate(ev["event"])
              if e in ("kill", "intercept-failed", "impact")]
    assert ids_with("event", pk) == {str(k) for k in marked}
    ends = [e for e in ev["event"] if e in ("kill", "impact")]
    assert len(ends) == len(table(run, "threats")["threat_id"])  # each threat ends once
    ids = np.array(paths["id"])
    for k in marked:
        p = pk[f"event/{k}"]
        assert seconds(run, p["availability"].split("/")[0]) == pytest.approx(
            ev["time_s"][k], abs=1e-6)
        if ev["event"][k] in ("kill", "impact"):  # the threat's path ends there
            rows = np.flatnonzero(ids == ev["threat_id"][k])
            last = rows[np.argmax(np.array(paths["time_s"])[rows])]
            lon, lat, alt = p["position"]["cartographicDegrees"]
            assert (lat, lon) == pytest.approx((paths["lat_deg"][last],
                                                paths["lon_deg"][last]), abs=1e-9)
            assert alt == pytest.approx(paths["alt_m"][last], abs=1e-6)


@pytest.mark.parametrize("which", ["defended", "undefended"])
def test_replay_json_counts_the_packets_and_repeats_the_summary(which: str,
                                                                request: Any) -> None:
    run = request.getfixturevalue(which)
    doc = json.loads((run / "replay.czml").read_text())
    index = json.loads((run / "replay.json").read_text())
    ent = index["entities"]
    assert ent["total"] == len(doc) - 1
    prefixes = [p["id"].split("/")[0] for p in doc[1:]]
    for kind in ("threat", "interceptor", "track", "platform", "coverage", "event"):
        assert ent[kind] == prefixes.count(kind)
    assert sum(v for k, v in ent.items() if k != "total") == ent["total"]
    summary = json.loads((run / "summary.json").read_text())
    assert index["summary"]["leakers"] == summary["leaked"]
    for key in ("killed", "kills_by_layer", "rounds_by_weapon", "shots", "cost_usd",
                "railgun_energy_j"):
        assert index["summary"][key] == summary[key]
    assert (index["start_s"], index["stop_s"]) == pytest.approx(
        (seconds(run, index["start_utc"]), seconds(run, index["stop_utc"])), abs=1e-6)
    ev = table(run, "events")
    want = [(t, e, i) for t, e, i in zip(ev["time_s"], ev["event"], ev["threat_id"],
                                         strict=True) if e != "track-held"]
    assert [(e["time_s"], e["event"], e["threat_id"]) for e in index["events"]] == want
    for e in index["events"]:
        assert seconds(run, e["time_utc"]) == pytest.approx(e["time_s"], abs=1e-6)


def test_export_is_atomic_and_repeatable(defended: Path, tmp_path: Path) -> None:
    first = (defended / "replay.czml").read_bytes()
    czml, index = export_czml(defended, tmp_path / "sub" / "x.czml")
    assert (czml, index) == (tmp_path / "sub" / "x.czml", tmp_path / "sub" / "x.json")
    assert czml.read_bytes() == first
    assert not [p for p in defended.iterdir() if p.name.endswith(".part")]


# --- gun rounds: a hand-made run -------------------------------------------------------

def _hand_run() -> RunTables:
    """A ship at 25°N 150°E; threat T flies due west at constant altitude, samples every
    second from 0 to 10 s; three rounds not flown: at T (resolved 6.5 s), at a false track
    (track 7), and at a track never stored."""
    t = np.arange(11.0)
    o = np.array
    paths = {"time_s": t, "id": o(["T"] * 11, object), "kind": o(["threat"] * 11, object),
             "weapon": o([""] * 11, object), "lat_deg": np.full(11, 25.5),
             "lon_deg": 150.2 - 0.01 * t, "alt_m": 1000.0 + 10.0 * t,
             "speed_mps": np.full(11, 1000.0)}
    tracks = {"time_s": o([2.0, 4.0]), "track_id": o([7, 7]), "threat_id": o(["", ""], object),
              "lat_deg": o([25.1, 25.2]), "lon_deg": o([150.1, 150.3]), "alt_m": o([50.0, 60.0]),
              "speed_mps": o([1.0, 1.0]), "pos_sigma_m": o([20.0, 30.0])}
    platforms = {"id": o(["S"], object), "kind": o(["ship"], object),
                 "platform": o(["ddg"], object), "lat_deg": o([25.0]), "lon_deg": o([150.0]),
                 "alt_m": o([10.0]), "range_m": o([np.nan]), "value": o([1.0])}
    shots = {"time_s": o([2.0, 3.0, 3.0]), "weapon": o(["rg"] * 3, object),
             "ship": o(["S"] * 3, object), "layer": o(["railgun", "point", "point"], object),
             "track_id": o([5, 7, 9]), "threat_id": o(["T", "", ""], object),
             "miss_m": o([np.nan] * 3), "pk": o([0.5, 0.0, 0.0]), "kill": o([True, False, False]),
             "cost_usd": o([1.0] * 3), "outcome": o(["kill", "target gone", "target gone"], object),
             "resolved_s": o([6.5, 5.0, 5.0])}
    threats = {"threat_id": o(["T"], object), "model": o(["cruise"], object),
               "outcome": o(["killed"], object), "launch_time_s": o([0.0]),
               "end_time_s": o([10.0]), "killed_by": o(["rg (S)"], object),
               "layer": o(["railgun"], object)}
    events = {"time_s": o([0.0]), "event": o(["launch"], object), "threat_id": o(["T"], object),
              "detail": o(["cruise"], object)}
    return RunTables(Path("hand"), datetime.fromisoformat("2030-01-01T00:00:00+00:00"),
                     {"leaked": 0}, paths, tracks, platforms, events, threats, shots, 0.0, 10.0)


def test_gun_rounds_are_lines_from_the_ship_to_the_target_when_resolved() -> None:
    tab = _hand_run()
    pk = {p.id: p.to_dict() for p in build_czml(tab).packets[1:]}
    line = pk["interceptor/shot-0"]["polyline"]["positions"]["cartographicDegrees"]
    # at 6.5 s the threat is halfway between its 6 s and 7 s samples
    assert line == pytest.approx([150.0, 25.0, 10.0, 150.2 - 0.065, 25.5, 1065.0], abs=1e-9)
    assert pk["interceptor/shot-0"]["availability"] == (
        "2030-01-01T00:00:02.000000Z/2030-01-01T00:00:06.500000Z")
    # the false track's last state at or before 5 s (t = 4 s)
    line = pk["interceptor/shot-1"]["polyline"]["positions"]["cartographicDegrees"]
    assert line == pytest.approx([150.0, 25.0, 10.0, 150.3, 25.2, 60.0])
    assert "interceptor/shot-2" not in pk  # no target position: events only
    index = replay_index(tab, build_czml(tab))
    assert index["entities"]["interceptor"] == 2


# --- bad input ---------------------------------------------------------------------------

def test_not_a_run_directory_names_the_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such run directory"):
        read_run(tmp_path / "nothing")
    (tmp_path / "summary.json").write_text("{}")
    with pytest.raises(InputError, match=r"threats\.parquet is missing"):
        export_czml(tmp_path)


def test_a_run_from_before_replay_export_asks_for_a_new_run(defended: Path,
                                                            tmp_path: Path) -> None:
    old = tmp_path / "old"
    shutil.copytree(defended, old)
    for name in ("paths.parquet", "replay.czml", "replay.json"):
        (old / name).unlink()
    with pytest.raises(InputError, match=r"paths\.parquet is missing.*tate run"):
        export_czml(old)
    out = subprocess.run([sys.executable, "-m", "tate.cli", "export", "czml", str(old)],
                         capture_output=True, text=True, timeout=120,
                         env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"})
    assert out.returncode == 2
    assert "paths.parquet" in out.stderr and "tate run" in out.stderr
    assert not (old / "replay.czml").exists()
