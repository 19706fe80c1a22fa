"""Offline 3-D replay viewer: CesiumJS static pages and the local server of ``tate view``.

The pages (``static/``) show ``replay.czml`` and ``replay.json`` of a run directory
(written by ``tate export czml``) with a timeline, an event log, layer toggles and a
summary strip; :mod:`tate.viewer.server` serves them, the Cesium build and the run
directory on the loopback interface, with no request to any other host.
"""

from __future__ import annotations

from tate.viewer.server import find_cesium_dir, make_server, needs_export, view_run

__all__ = ["find_cesium_dir", "make_server", "needs_export", "view_run"]
