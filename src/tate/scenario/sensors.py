"""Scenario section ``sensors``: radars and infrared sensors on ships, sites, drones, aircraft
and in space.

Each ``[[sensors]]`` table is one sensor of a preset (``tate.sensors.presets``:
``RADARS`` for ``type = "radar"``, ``IR_SENSORS`` for ``type = "ir"``) on a
platform:

* ``ship``: on the ship ``ship = "<id>"`` (its position and heading; ships do not
  move yet);
* ``fixed``: at ``lat_deg``, ``lon_deg``, ``alt_m`` (default 0), face 0 pointing at
  ``heading_deg`` (default 0);
* ``drone`` / ``aircraft``: flying a closed loop at ``alt_m`` and ``speed_mps``
  along great circles, from ``lat_deg``/``lon_deg`` (if given) through the
  ``waypoints`` and back to the first point;
* ``space``: infrared only; a viewpoint fixed above ``lat_deg``/``lon_deg`` at
  ``alt_m`` (default: the preset's altitude), plus one more viewpoint per entry of
  ``waypoints`` (a constellation stand-in, see :mod:`tate.sensors.platforms`).

Every ship also carries the radars of its class (``ships.radars`` overrides them);
:mod:`tate.sensors.platforms` turns both into sensor instances.  Numbers are
:data:`~tate.scenario.distributions.Number` fields and may hold distributions, as
in the rest of the schema.  Preset names are checked against the registries of
:mod:`tate.sensors.presets`, imported only when a sensor or a ``radars`` key is
validated (it loads numpy).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, Strict, model_validator

from tate.scenario.distributions import Number, nominal
from tate.scenario.fields import Bounds, invalid

__all__ = [
    "PLATFORM_KEYS",
    "SENSOR_PLATFORMS",
    "SENSOR_TYPES",
    "Sensor",
    "SensorWaypoint",
    "check_radar_names",
    "preset_names",
]

#: Sensor kinds, in the order error messages list them.
SENSOR_TYPES = ("radar", "ir")

#: Platforms, in the order error messages list them.
SENSOR_PLATFORMS = ("ship", "fixed", "drone", "aircraft", "space")

_Latitude = Annotated[Number, Bounds(ge=-90, le=90)]
_Longitude = Annotated[Number, Bounds(ge=-180, le=180)]
_Id = Annotated[str, Strict(), Field(min_length=1)]

#: Optional keys each platform uses: (required, allowed); any other optional key is an error.
PLATFORM_KEYS: Mapping[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "ship": (("ship",), ("ship",)),
    "fixed": (("lat_deg", "lon_deg"), ("lat_deg", "lon_deg", "alt_m", "heading_deg")),
    "drone": (("waypoints", "alt_m", "speed_mps"),
              ("lat_deg", "lon_deg", "alt_m", "waypoints", "speed_mps")),
    "aircraft": (("waypoints", "alt_m", "speed_mps"),
                 ("lat_deg", "lon_deg", "alt_m", "waypoints", "speed_mps")),
    "space": (("lat_deg", "lon_deg"), ("lat_deg", "lon_deg", "alt_m", "waypoints")),
}
_OPTIONAL = ("ship", "lat_deg", "lon_deg", "alt_m", "heading_deg", "waypoints", "speed_mps")


def preset_names(kind: str) -> tuple[str, ...]:
    """Names of the presets of a sensor type (``"radar"`` or ``"ir"``), in registry order."""
    from tate.sensors.presets import IR_SENSORS, RADARS

    return tuple(RADARS if kind == "radar" else IR_SENSORS)


def check_radar_names(names: list[str]) -> None:
    """Raise the pydantic error of :func:`invalid` for an unknown or repeated radar name.

    The path of the error is ``[i]``, relative to the list.
    """
    valid = preset_names("radar")
    for i, name in enumerate(names):
        if name not in valid:
            raise invalid(f"unknown radar preset; valid names: {', '.join(valid)}", f"[{i}]", name)
        if name in names[:i]:
            raise invalid("radar listed twice", f"[{i}]", name)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SensorWaypoint(_Frozen):
    """A point of a drone's or aircraft's loop, or an extra space viewpoint."""

    lat_deg: _Latitude
    lon_deg: _Longitude


class Sensor(_Frozen):
    """One ``[[sensors]]`` table: a radar or IR sensor of a preset on a platform.

    Which optional keys a platform needs and allows is :data:`PLATFORM_KEYS`; a
    key the platform does not use is an error, so a misplaced key never goes
    unnoticed.  The scenario checks that ``ship`` names a ship.
    """

    id: _Id
    type: Literal["radar", "ir"]
    preset: _Id
    platform: Literal["ship", "fixed", "drone", "aircraft", "space"]
    ship: _Id | None = None
    lat_deg: _Latitude | None = None
    lon_deg: _Longitude | None = None
    alt_m: Annotated[Number, Bounds(ge=-500)] | None = None
    heading_deg: Annotated[Number, Bounds(ge=0, lt=360)] | None = None
    waypoints: list[SensorWaypoint] | None = None
    speed_mps: Annotated[Number, Bounds(gt=0)] | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        valid = preset_names(self.type)
        if self.preset not in valid:
            message = f"unknown {self.type} preset; valid names: {', '.join(valid)}"
            raise invalid(message, "preset", self.preset)
        if self.platform == "space" and self.type != "ir":
            raise invalid("a space platform carries IR sensors only", "type", self.type)
        required, allowed = PLATFORM_KEYS[self.platform]
        for key in _OPTIONAL:
            value = getattr(self, key)
            if value is not None and key not in allowed:
                raise invalid(f"not used with platform = {self.platform!r}", key, _shown(value))
        for key in required:
            if getattr(self, key) is None:
                raise invalid(f"missing required key for platform = {self.platform!r}", key)
        if self.platform in ("drone", "aircraft"):
            self._check_loop()
        return self

    def _check_loop(self) -> None:
        if (self.lat_deg is None) != (self.lon_deg is None):
            key = "lon_deg" if self.lon_deg is None else "lat_deg"
            raise invalid("give both lat_deg and lon_deg for the start point, or neither", key)
        points = self.loop()
        if len(points) < 2:
            raise invalid("a loop needs at least two points (a start point and a waypoint, "
                          "or two waypoints)", "waypoints", len(points))
        if len(set(points)) < 2:
            raise invalid("the loop has no length: all its points are the same", "waypoints")

    def loop(self) -> list[tuple[float, float]]:
        """The loop of a drone or aircraft as ``(lat_deg, lon_deg)`` pairs (nominal values).

        The start point (``lat_deg``/``lon_deg``) if given, then the waypoints; the
        platform flies back from the last point to the first.
        """
        points = []
        if self.lat_deg is not None and self.lon_deg is not None:
            points.append((nominal(self.lat_deg), nominal(self.lon_deg)))
        points += [(nominal(w.lat_deg), nominal(w.lon_deg)) for w in self.waypoints or []]
        return points


def _shown(value: Any) -> Any:
    """A value for an error message (a list of waypoints by its length)."""
    return f"{len(value)} waypoint(s)" if isinstance(value, list) else value
