"""Export of a finished run for 3-D replay: CZML for the Cesium viewer, KML for Google Earth.

Export reads the tables that ``tate run --out DIR`` stored (never the scenario) and
writes ``DIR/replay.czml`` with its index ``DIR/replay.json`` (:func:`export_czml`) or
``DIR/replay.kml`` (:func:`export_kml`).  See docs/replay.md.
"""

from __future__ import annotations

from tate.replay.czml import build_czml, export_czml, replay_index
from tate.replay.kml import build_kml, export_kml
from tate.replay.tables import RunTables, read_run

__all__ = ["RunTables", "build_czml", "build_kml", "export_czml", "export_kml", "read_run",
           "replay_index"]
