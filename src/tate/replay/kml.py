"""KML of a run for Google Earth: time-stamped tracks of threats and rounds, events, ships.

Reads the stored tables of a run directory (:mod:`tate.replay.tables`) and writes one
KML 2.2 document with Google's ``gx`` extension (namespace
``http://www.google.com/kml/ext/2.2``), built with :mod:`xml.etree.ElementTree`:

* folder *Threats*: one Placemark ``threat/<threat_id>`` per threat with a ``gx:Track``
  of every ``paths`` sample, ``<when>`` the sample's UTC time and ``<gx:coord>``
  ``lon lat alt`` (degrees, metres above the ellipsoid; ``altitudeMode`` absolute),
  line coloured by outcome (leaked red, killed green, flying white);
* folder *Interceptors*: one Placemark ``interceptor/shot-<n>`` per flown round with its
  ``gx:Track``, coloured by layer;
* folder *Events*: kills, failed intercepts and impacts as Placemarks with a
  ``TimeStamp``, at the threat's position then (linear between path samples);
* folder *Platforms*: ships and defended assets as Placemarks.

Railgun and gun rounds are not flown and have no track here; their launches and
outcomes are among the events.  KML colours are ``aabbggrr``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from tate.replay.czml import LAYER_RGB, MARKED_EVENTS, OUTCOME_RGB, RGB
from tate.replay.tables import RunTables, id_rows, path_position, read_run, utc, write_atomic

__all__ = ["GX_NS", "KML_NS", "build_kml", "export_kml"]

KML_NS = "http://www.opengis.net/kml/2.2"
GX_NS = "http://www.google.com/kml/ext/2.2"
ET.register_namespace("", KML_NS)
ET.register_namespace("gx", GX_NS)


def _k(tag: str) -> str:
    return f"{{{KML_NS}}}{tag}"


def _sub(parent: ET.Element, tag: str, text: str | None = None) -> ET.Element:
    el = ET.SubElement(parent, tag if tag.startswith("{") else _k(tag))
    if text is not None:
        el.text = text
    return el


def _abgr(rgb: RGB, alpha: int = 255) -> str:
    return f"{alpha:02x}{rgb[2]:02x}{rgb[1]:02x}{rgb[0]:02x}"


def _style(doc: ET.Element, sid: str, rgb: RGB, width: float) -> None:
    style = _sub(doc, "Style")
    style.set("id", sid)
    line = _sub(style, "LineStyle")
    _sub(line, "color", _abgr(rgb))
    _sub(line, "width", f"{width:g}")
    icon = _sub(style, "IconStyle")
    _sub(icon, "color", _abgr(rgb))
    _sub(icon, "scale", "0.6")


def _track(tab: RunTables, folder: ET.Element, pid: str, name: str, style: str,
           rows: NDArray[np.intp]) -> None:
    p = tab.paths
    mark = _sub(folder, "Placemark")
    mark.set("id", pid)
    _sub(mark, "name", name)
    _sub(mark, "styleUrl", f"#{style}")
    track = _sub(mark, f"{{{GX_NS}}}Track")
    _sub(track, "altitudeMode", "absolute")
    for when in utc(tab.epoch, np.asarray(p["time_s"], float)[rows]):
        _sub(track, "when", when)
    coords = np.column_stack([np.asarray(p[c], float)[rows]
                              for c in ("lon_deg", "lat_deg", "alt_m")])
    for lon, lat, alt in coords.tolist():
        _sub(track, f"{{{GX_NS}}}coord", f"{lon:.7f} {lat:.7f} {alt:.2f}")


def _point(folder: ET.Element, pid: str, name: str, style: str, lon: float, lat: float,
           alt: float, when: str | None = None, description: str = "") -> None:
    mark = _sub(folder, "Placemark")
    mark.set("id", pid)
    _sub(mark, "name", name)
    if description:
        _sub(mark, "description", description)
    if when is not None:
        _sub(_sub(mark, "TimeStamp"), "when", when)
    _sub(mark, "styleUrl", f"#{style}")
    point = _sub(mark, "Point")
    _sub(point, "altitudeMode", "absolute")
    _sub(point, "coordinates", f"{lon:.7f},{lat:.7f},{alt:.2f}")


def build_kml(tab: RunTables) -> ET.Element:
    """The root ``<kml>`` element of a run's KML (see the module docstring)."""
    root = ET.Element(_k("kml"))
    doc = _sub(root, "Document")
    _sub(doc, "name", f"tate replay: {tab.directory.name}")
    for name, rgb in OUTCOME_RGB.items():
        _style(doc, f"threat-{name}", rgb, 2.0)
    for name, rgb in LAYER_RGB.items():
        _style(doc, f"layer-{name}", rgb, 1.5)
    for name, rgb in MARKED_EVENTS.items():
        _style(doc, f"event-{name}", rgb, 1.0)
    _style(doc, "other", (190, 190, 190), 1.5)
    _style(doc, "ship", (60, 140, 255), 1.0)
    _style(doc, "asset", (255, 255, 255), 1.0)

    p, th, shots = tab.paths, tab.threats, tab.shots
    outcome = {str(t): str(o) for t, o in zip(th["threat_id"].tolist(),
                                              th["outcome"].tolist(), strict=True)}
    is_threat = np.asarray(p["kind"], dtype=object) == "threat"
    threat_rows = {k: np.flatnonzero(is_threat)[v] for k, v in
                   id_rows(p["id"][is_threat], p["time_s"][is_threat]).items()}
    folder = _sub(doc, "Folder")
    _sub(folder, "name", "Threats")
    for tid, rows in threat_rows.items():
        o = outcome.get(tid, "")
        _track(tab, folder, f"threat/{tid}", tid,
               f"threat-{o}" if o in OUTCOME_RGB else "other", rows)

    flown = np.asarray(p["kind"], dtype=object) == "interceptor"
    folder = _sub(doc, "Folder")
    _sub(folder, "name", "Interceptors")
    for sid, rows in id_rows(p["id"][flown], p["time_s"][flown]).items():
        tail = sid.removeprefix("shot-")
        n = int(tail) if tail.isdigit() else -1
        layer = str(shots["layer"][n]) if 0 <= n < shots["time_s"].size else ""
        weapon = str(p["weapon"][np.flatnonzero(flown)[rows[0]]])
        _track(tab, folder, f"interceptor/{sid}", f"{sid} {weapon}",
               f"layer-{layer}" if layer in LAYER_RGB else "other", np.flatnonzero(flown)[rows])

    folder = _sub(doc, "Folder")
    _sub(folder, "name", "Events")
    ev = tab.events
    for k in range(ev["time_s"].size):
        name, tid = str(ev["event"][k]), str(ev["threat_id"][k])
        if name not in MARKED_EVENTS or tid not in threat_rows:
            continue
        t = float(ev["time_s"][k])
        lat, lon, alt = path_position(p, threat_rows[tid], t)
        _point(folder, f"event/{k}", f"{name} {tid}", f"event-{name}", lon, lat, alt,
               utc(tab.epoch, t)[0], str(ev["detail"][k]))

    folder = _sub(doc, "Folder")
    _sub(folder, "name", "Platforms")
    pl = tab.platforms
    for k, pid in enumerate(str(x) for x in pl["id"].tolist()):
        kind = str(pl["kind"][k])
        if kind in ("ship", "asset"):
            _point(folder, f"platform/{pid}", pid, kind, float(pl["lon_deg"][k]),
                   float(pl["lat_deg"][k]), float(pl["alt_m"][k]),
                   description=f"{kind} ({pl['platform'][k]})")
    ET.indent(root, space=" ")
    return root


def export_kml(run_dir: Path, out: Path | None = None) -> Path:
    """Write ``replay.kml`` of a run directory, atomically.

    Parameters
    ----------
    run_dir
        Directory written by ``tate run --out``.
    out
        KML file to write (default ``run_dir/replay.kml``).

    Returns
    -------
    Path
        The KML file.

    Raises
    ------
    InputError
        ``run_dir`` is not a run directory or predates the replay tables.
    """
    tab = read_run(run_dir)
    path = Path(out) if out is not None else tab.directory / "replay.kml"
    text = ET.tostring(build_kml(tab), encoding="unicode", xml_declaration=True)
    return write_atomic(path, text + "\n")
