"""CZML of a run for the Cesium viewer, and its index ``replay.json``.

Reads the stored tables of a run directory (:mod:`tate.replay.tables`) and writes one
CZML document (built with ``czml3``) whose packets are, after the ``document`` packet
with the clock (first launch → end of run, 10× real time):

* ``threat/<threat_id>``: the threat's path, samples of ``paths`` at their stored times
  (WGS-84 ``cartographicDegrees``; Lagrange degree 1, i.e. linear between the 1 s
  samples), path coloured by model, point and label by outcome, available launch → end;
  custom properties ``kind, outcome, killed_by, layer`` and the stored ``speed_mps``
  (time-tagged, also on rounds and tracks).
* ``interceptor/shot-<n>``: a flown round (row ``n`` of ``shots``), path coloured by
  layer, available launch → end.  A round that is not flown (railgun, gun: no rows in
  ``paths``) is a straight polyline from its ship to where its target was when the
  round's outcome was known (``resolved_s``; the threat's path, else the track it was
  fired at), shown from launch to ``resolved_s``; one that has neither is left out (its
  launch is still in the events).
* ``track/<track_id>``: the confirmed track at every decision, a point whose size grows
  with the largest position standard deviation (:func:`track_pixels`), available first
  → last decision.
* ``platform/<id>``: ships and defended assets, static points with labels.
* ``coverage/<radar id>``: a translucent disc on the sea of radius min(instrumented
  range, radar horizon against a 10 km-high target), the horizon over a 4/3 Earth
  (:func:`tate.sensors.detection.radar_horizon`); a moving radar's disc stays at its
  start.
* ``event/<k>``: row ``k`` of ``events`` for kills, failed intercepts and impacts, a
  point at the threat's position at that time, available from then on.

``replay.json`` gives the span, the summary, the timeline events and the number of
entities of each kind; ``total`` equals the CZML packets less the document packet.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
from czml3 import Document, Packet
from czml3.enums import (
    ArcTypes,
    ClockRanges,
    ClockSteps,
    HorizontalOrigins,
    InterpolationAlgorithms,
    LabelStyles,
)
from czml3.properties import (
    Clock,
    Color,
    Ellipse,
    Label,
    Material,
    Point,
    Polyline,
    PolylineMaterial,
    Position,
    PositionList,
    SolidColorMaterial,
)
from czml3.properties import (
    Path as CzPath,
)
from czml3.types import Cartesian2Value, NumberValue, TimeInterval
from numpy.typing import ArrayLike, NDArray

from tate.replay.tables import RunTables, id_rows, path_position, read_run, utc, write_atomic

__all__ = ["COVERAGE_TARGET_ALT_M", "TIMELINE_EVENTS", "build_czml", "export_czml",
           "export_run", "replay_index", "track_pixels"]

F64 = NDArray[np.float64]
RGB = tuple[int, int, int]

COVERAGE_TARGET_ALT_M = 10_000.0  #: target height of the coverage discs' horizon [m]
SIGMA_MIN_M, SIGMA_CAP_M = 10.0, 30_000.0  #: track σ drawn at the smallest/largest size [m]
PIXELS_MIN, PIXELS_MAX = 4.0, 16.0  #: track point sizes [px]
MULTIPLIER = 10.0  #: replay speed, × real time
#: events that the replay index lists (``launch`` covers ``launch-<layer>`` as well)
TIMELINE_EVENTS = ("launch", "first-detection", "kill", "intercept-failed", "impact", "leak",
                   "flying-at-limit")
MARKED_EVENTS = {"kill": (60, 200, 90), "intercept-failed": (255, 150, 0),
                 "impact": (230, 30, 30)}
MODEL_RGB: dict[str, RGB] = {"ballistic": (255, 140, 0), "boost-glide": (220, 60, 220),
                             "cruise": (255, 215, 0), "drone": (0, 200, 255)}
OUTCOME_RGB: dict[str, RGB] = {"leaked": (230, 30, 30), "killed": (60, 200, 90),
                               "flying": (255, 255, 255)}
LAYER_RGB: dict[str, RGB] = {"exo": (150, 120, 255), "glide": (80, 160, 255),
                             "terminal": (0, 230, 200), "railgun": (255, 255, 255),
                             "point": (180, 255, 120)}
GREY: RGB = (190, 190, 190)


def _finite(x: Any) -> float | None:
    """``x`` as a float, ``None`` when not finite (JSON has no NaN)."""
    v = float(x)
    return v if math.isfinite(v) else None


def _color(rgb: RGB, alpha: int = 255) -> Color:
    return Color(rgba=[*rgb, alpha])


def _line(rgb: RGB, alpha: int = 255) -> PolylineMaterial:
    return PolylineMaterial(solidColor=SolidColorMaterial(color=_color(rgb, alpha)))


def _label(text: str, rgb: RGB) -> Label:
    return Label(text=text, font="12px sans-serif", fillColor=_color(rgb),
                 outlineColor=_color((0, 0, 0)), outlineWidth=2.0,
                 style=LabelStyles.FILL_AND_OUTLINE, horizontalOrigin=HorizontalOrigins.LEFT,
                 pixelOffset=Cartesian2Value(values=[8.0, 0.0]))


def _interval(tab: RunTables, t0: float, t1: float) -> TimeInterval:
    start, end = utc(tab.epoch, [t0, max(t0, t1)])
    return TimeInterval(start=start, end=end)


def _samples(tab: RunTables, table: dict[str, NDArray[Any]], rows: NDArray[np.intp]
             ) -> Position:
    """Time-tagged positions ``[t, lon, lat, h, ...]`` (seconds from the epoch; 1e-8°
    and 1 mm, finer than anything drawn)."""
    cols = [np.asarray(table[k], float)[rows] for k in ("time_s", "lon_deg", "lat_deg",
                                                         "alt_m")]
    cols[1:] = [np.round(cols[1], 8), np.round(cols[2], 8), np.round(cols[3], 3)]
    return Position.model_validate({
        "epoch": utc(tab.epoch, 0.0)[0],
        "cartographicDegrees": np.column_stack(cols).ravel().tolist(),
        "interpolationAlgorithm": InterpolationAlgorithms.LAGRANGE,
        "interpolationDegree": 1})


def _speed(tab: RunTables, table: dict[str, NDArray[Any]], rows: NDArray[np.intp]
           ) -> dict[str, Any]:
    """``speed_mps`` as a time-tagged CZML number property (empty when not stored)."""
    if "speed_mps" not in table:
        return {}
    t = np.asarray(table["time_s"], float)[rows]
    v = np.round(np.nan_to_num(np.asarray(table["speed_mps"], float)[rows]), 2)
    return {"speed_mps": {"epoch": utc(tab.epoch, 0.0)[0],
                          "number": np.column_stack([t, v]).ravel().tolist()}}


def _description(fields: dict[str, Any]) -> str:
    from html import escape

    rows = "".join(f"<tr><th>{escape(str(k))}</th><td>{escape(str(v))}</td></tr>"
                   for k, v in fields.items())
    return f"<table>{rows}</table>"


def _threat_packets(tab: RunTables) -> list[Packet]:
    th = tab.threats
    info = {str(t): j for j, t in enumerate(th["threat_id"].tolist())}
    paths = tab.paths
    threat = np.asarray(paths["kind"], dtype=object) == "threat"
    out = []
    for tid, rows in id_rows(paths["id"][threat], paths["time_s"][threat]).items():
        rows = np.flatnonzero(threat)[rows]
        j = info.get(tid)
        model = str(th["model"][j]) if j is not None else ""
        outcome = str(th["outcome"][j]) if j is not None else ""
        killed_by = str(th["killed_by"][j]) if j is not None else ""
        layer = str(th["layer"][j]) if j is not None else ""
        t = np.asarray(paths["time_s"], float)[rows]
        mark = OUTCOME_RGB.get(outcome, GREY)
        props = {"kind": model, "outcome": outcome, "killed_by": killed_by, "layer": layer}
        out.append(Packet(
            id=f"threat/{tid}", name=tid, availability=_interval(tab, t[0], t[-1]),
            description=_description({"threat": tid, **props}),
            properties={**props, **_speed(tab, paths, rows)},
            position=_samples(tab, paths, rows),
            path=CzPath(material=_line(MODEL_RGB.get(model, GREY),
                                       140 if outcome == "killed" else 255),
                        width=2.0, leadTime=0.0, trailTime=tab.stop_s - tab.start_s + 1.0),
            point=Point(pixelSize=7.0, color=_color(mark), outlineColor=_color((0, 0, 0)),
                        outlineWidth=1.0),
            label=_label(tid, mark)))
    return out


def _shot_fields(tab: RunTables, n: int) -> dict[str, Any]:
    s = tab.shots
    keys = ("weapon", "ship", "layer", "track_id", "threat_id", "outcome")
    fields = {k: (s[k][n].item() if hasattr(s[k][n], "item") else s[k][n]) for k in keys}
    for k in ("miss_m", "pk"):
        if k in s and math.isfinite(float(s[k][n])):
            fields[k] = float(s[k][n])
    return fields


def _interceptor_packets(tab: RunTables) -> tuple[list[Packet], set[int]]:
    paths = tab.paths
    flown = np.asarray(paths["kind"], dtype=object) == "interceptor"
    n_shots = tab.shots["time_s"].size
    out, seen = [], set()
    for sid, rows in id_rows(paths["id"][flown], paths["time_s"][flown]).items():
        rows = np.flatnonzero(flown)[rows]
        n = int(sid.removeprefix("shot-")) if sid.removeprefix("shot-").isdigit() else -1
        fields = _shot_fields(tab, n) if 0 <= n < n_shots else {
            "weapon": str(paths["weapon"][rows[0]])}
        seen.add(n)
        rgb = LAYER_RGB.get(str(fields.get("layer", "")), GREY)
        t = np.asarray(paths["time_s"], float)[rows]
        out.append(Packet(
            id=f"interceptor/{sid}", name=f"{sid} {fields['weapon']}",
            availability=_interval(tab, t[0], t[-1]),
            properties={**fields, **_speed(tab, paths, rows)},
            description=_description({"round": sid, **fields}),
            position=_samples(tab, paths, rows),
            path=CzPath(material=_line(rgb), width=1.5, leadTime=0.0,
                        trailTime=tab.stop_s - tab.start_s + 1.0),
            point=Point(pixelSize=4.0, color=_color(rgb))))
    return out, seen


def _gun_target(tab: RunTables, n: int, t_hit: float,
                threats: dict[str, NDArray[np.intp]]) -> tuple[float, float, float] | None:
    """Where the target of round ``n`` was at ``t_hit``: the threat's path, else the
    track's last state at or before ``t_hit``, else ``None``."""
    tid = str(tab.shots["threat_id"][n])
    if tid in threats:
        return path_position(tab.paths, threats[tid], t_hit)
    ts = tab.track_states
    rows = np.flatnonzero((np.asarray(ts["track_id"]) == tab.shots["track_id"][n])
                          & (np.asarray(ts["time_s"], float) <= t_hit))
    if rows.size == 0:
        return None
    k = rows[np.argmax(np.asarray(ts["time_s"], float)[rows])]
    return (float(ts["lat_deg"][k]), float(ts["lon_deg"][k]), float(ts["alt_m"][k]))


def _gun_packets(tab: RunTables, flown: set[int]) -> list[Packet]:
    s, pl, paths = tab.shots, tab.platforms, tab.paths
    ships = {str(i): k for k, i in enumerate(pl["id"].tolist()) if pl["kind"][k] == "ship"}
    threat = np.asarray(paths["kind"], dtype=object) == "threat"
    threats = {k: np.flatnonzero(threat)[v] for k, v in
               id_rows(paths["id"][threat], paths["time_s"][threat]).items()}
    out = []
    for n in range(s["time_s"].size):
        ship = ships.get(str(s["ship"][n]))
        if n in flown or ship is None:
            continue
        t0 = float(s["time_s"][n])
        t1 = float(s["resolved_s"][n]) if math.isfinite(float(s["resolved_s"][n])) else \
            tab.stop_s
        target = _gun_target(tab, n, t1, threats)
        if target is None:
            continue
        fields = _shot_fields(tab, n)
        rgb = LAYER_RGB.get(str(fields["layer"]), GREY)
        ends = [float(pl["lon_deg"][ship]), float(pl["lat_deg"][ship]),
                float(pl["alt_m"][ship]), target[1], target[0], target[2]]
        out.append(Packet(
            id=f"interceptor/shot-{n}", name=f"shot-{n} {fields['weapon']}",
            availability=_interval(tab, t0, t1), properties=fields,
            description=_description({"round": f"shot-{n}", **fields}),
            polyline=Polyline(positions=PositionList(cartographicDegrees=ends),
                              material=_line(rgb), width=2.0, arcType=ArcTypes.NONE)))
    return out


def track_pixels(sigma_m: ArrayLike) -> F64:
    """Display size [px] of a track point for its position σ [m]: 4 px at 10 m or less,
    growing with log σ to 16 px at 30 km, capped there."""
    s = np.clip(np.asarray(sigma_m, float), SIGMA_MIN_M, SIGMA_CAP_M)
    frac = np.log(s / SIGMA_MIN_M) / np.log(SIGMA_CAP_M / SIGMA_MIN_M)
    return PIXELS_MIN + (PIXELS_MAX - PIXELS_MIN) * frac


def _track_packets(tab: RunTables) -> list[Packet]:
    ts = tab.track_states
    out = []
    for tid, rows in id_rows(ts["track_id"], ts["time_s"]).items():
        t = np.asarray(ts["time_s"], float)[rows]
        sigma = np.asarray(ts["pos_sigma_m"], float)[rows]
        named = [x for x in (str(v) for v in ts["threat_id"][rows].tolist()) if x]
        threat = max(dict.fromkeys(named), key=named.count) if named else ""
        size = np.column_stack([t, track_pixels(np.nan_to_num(sigma, nan=SIGMA_CAP_M))])
        props = {"track_id": int(tid), "threat_id": threat,
                 "pos_sigma_m_last": _finite(sigma[-1])}
        out.append(Packet(
            id=f"track/{tid}", name=f"track {tid}", availability=_interval(tab, t[0], t[-1]),
            properties={**props, **_speed(tab, ts, rows)}, description=_description(props),
            position=_samples(tab, ts, rows),
            point=Point(pixelSize=NumberValue.model_validate(
                {"number": size.ravel().tolist(), "epoch": utc(tab.epoch, 0.0)[0]}),
                        color=_color((255, 255, 255), 60),
                        outlineColor=_color((120, 220, 255)), outlineWidth=1.5)))
    return out


def _platform_packets(tab: RunTables) -> list[Packet]:
    from tate.sensors.detection import radar_horizon

    pl = tab.platforms
    out = []
    for k, pid in enumerate(str(x) for x in pl["id"].tolist()):
        kind = str(pl["kind"][k])
        lat, lon, alt = (float(pl[c][k]) for c in ("lat_deg", "lon_deg", "alt_m"))
        if kind in ("ship", "asset"):
            rgb = (60, 140, 255) if kind == "ship" else (255, 255, 255)
            props: dict[str, Any] = {"kind": kind, "platform": str(pl["platform"][k])}
            if "value" in pl and math.isfinite(float(pl["value"][k])):
                props["value"] = float(pl["value"][k])
            out.append(Packet(
                id=f"platform/{pid}", name=pid, properties=props,
                description=_description({"id": pid, **props}),
                position=Position(cartographicDegrees=[lon, lat, alt]),
                point=Point(pixelSize=10.0, color=_color(rgb), outlineColor=_color((0, 0, 0)),
                            outlineWidth=1.0),
                label=_label(pid, rgb)))
        elif kind == "radar":
            horizon = float(radar_horizon(max(alt, 0.0), COVERAGE_TARGET_ALT_M))
            rng = float(pl["range_m"][k])
            radius = min(rng, horizon) if math.isfinite(rng) and rng > 0 else horizon
            out.append(Packet(
                id=f"coverage/{pid}", name=f"{pid} coverage",
                properties={"range_m": _finite(rng), "horizon_m": horizon,
                            "radius_m": radius},
                position=Position(cartographicDegrees=[lon, lat, 0.0]),
                ellipse=Ellipse(semiMajorAxis=radius, semiMinorAxis=radius, height=0.0,
                                material=Material(solidColor=SolidColorMaterial(
                                    color=_color((80, 160, 255), 25))),
                                outline=True, outlineColor=_color((80, 160, 255), 110),
                                granularity=math.radians(2.0))))
    return out


def _event_packets(tab: RunTables) -> list[Packet]:
    ev, paths = tab.events, tab.paths
    threat = np.asarray(paths["kind"], dtype=object) == "threat"
    threats = {k: np.flatnonzero(threat)[v] for k, v in
               id_rows(paths["id"][threat], paths["time_s"][threat]).items()}
    out = []
    for k in range(ev["time_s"].size):
        name, tid = str(ev["event"][k]), str(ev["threat_id"][k])
        if name not in MARKED_EVENTS or tid not in threats:
            continue
        t = float(ev["time_s"][k])
        lat, lon, alt = path_position(paths, threats[tid], t)
        rgb = MARKED_EVENTS[name]
        props = {"event": name, "threat_id": tid, "detail": str(ev["detail"][k]),
                 "time_s": t}
        out.append(Packet(
            id=f"event/{k}", name=f"{name} {tid}", availability=_interval(tab, t, tab.stop_s),
            properties=props, description=_description(props),
            position=Position(cartographicDegrees=[lon, lat, alt]),
            point=Point(pixelSize=9.0, color=_color(rgb), outlineColor=_color((0, 0, 0)),
                        outlineWidth=1.0),
            label=_label(f"{name} {tid}", rgb)))
    return out


def build_czml(tab: RunTables) -> Document:
    """The CZML document of a run (see the module docstring for its packets)."""
    start, stop = utc(tab.epoch, [tab.start_s, tab.stop_s])
    doc = Packet(id="document", name=f"tate replay: {tab.directory.name}", version="1.0",
                 clock=Clock(interval=TimeInterval(start=start, end=stop), currentTime=start,
                             multiplier=MULTIPLIER, range=ClockRanges.CLAMPED,
                             step=ClockSteps.SYSTEM_CLOCK_MULTIPLIER))
    rounds, flown = _interceptor_packets(tab)
    packets = [doc, *_threat_packets(tab), *rounds, *_gun_packets(tab, flown),
               *_track_packets(tab), *_platform_packets(tab), *_event_packets(tab)]
    return Document(packets=packets)


def replay_index(tab: RunTables, doc: Document) -> dict[str, Any]:
    """``replay.json``: span, summary, timeline events and entity counts of ``doc``."""
    summ = tab.summary
    ev = tab.events
    keep = [k for k in range(ev["time_s"].size)
            if str(ev["event"][k]).startswith(TIMELINE_EVENTS)]
    times = utc(tab.epoch, np.asarray(ev["time_s"], float)[keep]) if keep else []
    events = [{"time_s": float(ev["time_s"][k]), "time_utc": when,
               "event": str(ev["event"][k]), "threat_id": str(ev["threat_id"][k]),
               "detail": str(ev["detail"][k])} for k, when in zip(keep, times, strict=True)]
    kinds = ("threat", "interceptor", "track", "platform", "coverage", "event")
    ids = [p.id.split("/", 1)[0] for p in doc.packets[1:]]
    entities = {k: ids.count(k) for k in kinds}
    start, stop = utc(tab.epoch, [tab.start_s, tab.stop_s])
    return {
        "epoch_utc": utc(tab.epoch, 0.0)[0], "start_utc": start, "stop_utc": stop,
        "start_s": tab.start_s, "stop_s": tab.stop_s,
        "summary": {"leakers": summ.get("leaked"), "killed": summ.get("killed"),
                    "kills_by_layer": summ.get("kills_by_layer", {}),
                    "rounds_by_weapon": summ.get("rounds_by_weapon", {}),
                    "shots": summ.get("shots"), "cost_usd": summ.get("cost_usd"),
                    "railgun_energy_j": summ.get("railgun_energy_j")},
        "events": events, "entities": {**entities, "total": len(ids)},
    }


def export_run(run_dir: Path) -> tuple[Path, Path]:
    """:func:`export_czml` to the default names ``replay.czml`` and ``replay.json``
    (what ``tate view`` calls when a run's replay is missing or out of date)."""
    return export_czml(run_dir)


def export_czml(run_dir: Path, out: Path | None = None) -> tuple[Path, Path]:
    """Write ``replay.czml`` and ``replay.json`` of a run directory, atomically.

    Parameters
    ----------
    run_dir
        Directory written by ``tate run --out``.
    out
        CZML file to write (default ``run_dir/replay.czml``); the index goes beside it
        with the suffix ``.json``.

    Returns
    -------
    tuple of Path
        The CZML file and the index file.

    Raises
    ------
    InputError
        ``run_dir`` is not a run directory or predates the replay tables.
    """
    tab = read_run(run_dir)
    doc = build_czml(tab)
    czml = Path(out) if out is not None else tab.directory / "replay.czml"
    index = czml.with_suffix(".json")
    if index == czml:
        index = czml.with_name(f"{czml.name}.index.json")
    write_atomic(czml, doc.dumps())
    write_atomic(index, json.dumps(replay_index(tab, doc), indent=2))
    return czml, index
