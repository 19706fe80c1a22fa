"""Sensor platforms: where each sensor is, and where its face 0 points, at an array of times.

A scenario's sensors become :class:`SensorSite` rows (:func:`sensor_sites`): first the
radars of every ship (the class's, or ``ships.radars``), named ``"SHIP/preset"``, then
the ``[[sensors]]`` tables in file order.  :func:`platform_state` gives position (ECEF
and geodetic) and heading at any times, vectorised over the times.

Platforms
---------
* **ship**: the radar stands on the ship's initial position, its antenna
  ``mast_height_m`` of the preset above sea level, face 0 along the ship's heading.
  Ships do not move yet (as in :mod:`tate.flight.fly`, where threats fly at a ship's
  initial position): ``speed_kn`` is not used.
* **fixed**: at ``lat_deg``/``lon_deg``, the antenna at ``alt_m`` plus (radars) the
  preset's ``mast_height_m``; face 0 at ``heading_deg``.
* **drone**, **aircraft**: fly a closed loop through their points (start point, then
  the waypoints, then back to the start) at constant ``speed_mps`` and ``alt_m``
  along great circles of the mean sphere (:mod:`tate.earth.geodesic`; geodetic
  latitude used as spherical, as there).  The speed is ground speed on the sphere of
  radius :data:`~tate.earth.wgs84.R_MEAN`; the loop starts at time 0, so the platform
  is back at its start after ``loop length / speed`` seconds.  Heading is the course
  along the great circle (the platform turns instantly at a waypoint).
* **space**: a constellation stand-in: each viewpoint is a point fixed in the
  Earth-fixed frame at ``alt_m`` above its sub-satellite point (the preset's altitude by
  default), i.e. a staring sensor that always sees the area from the same place, as a
  geostationary sensor, or a low constellation with one satellite always overhead,
  would.  A table with ``waypoints`` gives one more viewpoint per waypoint, named
  ``"ID/1"``, ``"ID/2"``, … (the first point keeps ``ID``); no orbits are flown.

Units: SI and radians inside; columns that leave the package carry their unit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from tate.earth import wgs84
from tate.earth.geodesic import destination, great_circle
from tate.errors import ScenarioError
from tate.scenario.distributions import nominal

__all__ = [
    "PlatformState",
    "SensorSite",
    "loop_legs",
    "loop_position",
    "platform_state",
    "sensor_sites",
]

F64 = NDArray[np.float64]
_TURN_EPS = 1.0  #: below this distance from a leg's start the leg's initial course is used [m]


@dataclass(frozen=True, eq=False)
class SensorSite:
    """One sensor instance: a preset on a platform.

    Parameters
    ----------
    sensor_id
        Unique id (``"SHIP/preset"`` for a ship's radar).
    kind
        ``"radar"`` or ``"ir"``.
    preset
        Name in ``tate.sensors.presets.RADARS`` or ``IR_SENSORS``.
    platform
        ``"ship"``, ``"fixed"``, ``"drone"``, ``"aircraft"`` or ``"space"``.
    lat, lon
        Position of a static platform, start of a loop. [rad]
    alt
        Antenna height above the ellipsoid. [m]
    heading
        Direction of face 0 of a static platform, clockwise from north. [rad]
    loop_lat, loop_lon
        Points of a moving platform's loop, ``(p,)`` [rad]; empty when static.
    speed
        Ground speed along the loop; 0 when static. [m/s]
    """

    sensor_id: str
    kind: str
    preset: str
    platform: str
    lat: float
    lon: float
    alt: float
    heading: float = 0.0
    loop_lat: F64 = field(default_factory=lambda: np.empty(0))
    loop_lon: F64 = field(default_factory=lambda: np.empty(0))
    speed: float = 0.0

    @property
    def moving(self) -> bool:
        """Whether the platform flies a loop."""
        return self.loop_lat.size > 0 and self.speed > 0.0


@dataclass(frozen=True)
class PlatformState:
    """Where a platform is at ``k`` times (rows).

    Attributes
    ----------
    time
        ``(k,)`` [s]
    pos
        ECEF position ``(k, 3)`` [m]
    lat, lon
        Geodetic latitude and longitude ``(k,)`` [rad]
    alt
        Height above the ellipsoid ``(k,)`` [m]
    heading
        Direction of face 0 / course, clockwise from north, in [0, 2π) ``(k,)`` [rad]
    """

    time: F64
    pos: F64
    lat: F64
    lon: F64
    alt: F64
    heading: F64


def loop_legs(lat: ArrayLike, lon: ArrayLike) -> tuple[F64, F64]:
    """Great-circle legs of a closed loop through points ``(p,)`` [rad].

    Returns
    -------
    length
        ``(p,)``: leg ``i`` runs from point ``i`` to point ``i + 1`` (the last one back
        to point 0). [m]
    azimuth
        ``(p,)``: initial course of each leg, clockwise from north. [rad]
    """
    la, lo = np.asarray(lat, float), np.asarray(lon, float)
    return great_circle(la, lo, np.roll(la, -1), np.roll(lo, -1))


def loop_position(lat: ArrayLike, lon: ArrayLike, speed: float, t: ArrayLike
                  ) -> tuple[F64, F64, F64]:
    """Position and course on a closed great-circle loop flown at constant speed from time 0.

    Parameters
    ----------
    lat, lon
        Points of the loop ``(p,)``, at least two distinct. [rad]
    speed
        Ground speed on the sphere of radius R_MEAN. [m/s]
    t
        Times ``(k,)`` [s]; the loop repeats every ``sum(length) / speed`` seconds.

    Returns
    -------
    lat, lon, heading
        ``(k,)`` each [rad]; heading is the course along the great circle in [0, 2π).

    Notes
    -----
    The distance flown ``s = speed · t mod L`` falls on leg ``i`` (cumulative lengths);
    the point is :func:`destination` of the leg's start at its initial course.  The
    course there is the final course of the arc from the leg's start, i.e. the
    azimuth back to the start plus π.
    """
    la, lo = np.asarray(lat, float), np.asarray(lon, float)
    length, azimuth = loop_legs(la, lo)
    cum = np.concatenate([[0.0], np.cumsum(length)])
    s = np.mod(speed * np.asarray(t, float), cum[-1])
    leg = np.clip(np.searchsorted(cum, s, side="right") - 1, 0, la.size - 1)
    along = s - cum[leg]
    plat, plon = destination(la[leg], lo[leg], azimuth[leg], along)
    back = great_circle(plat, plon, la[leg], lo[leg])[1]
    heading = np.where(along > _TURN_EPS, np.mod(back + np.pi, 2.0 * np.pi), azimuth[leg])
    return plat, plon, heading


def platform_state(site: SensorSite, t: ArrayLike) -> PlatformState:
    """Position and heading of a sensor's platform at times ``t`` ``(k,)`` [s]."""
    time = np.atleast_1d(np.asarray(t, float))
    if site.moving:
        lat, lon, heading = loop_position(site.loop_lat, site.loop_lon, site.speed, time)
    else:
        lat = np.full(time.shape, site.lat)
        lon = np.full(time.shape, site.lon)
        heading = np.full(time.shape, site.heading)
    alt = np.full(time.shape, site.alt)
    return PlatformState(time, wgs84.geodetic_to_ecef(lat, lon, alt), lat, lon, alt, heading)


def sensor_sites(scn: Any) -> tuple[SensorSite, ...]:
    """The sensor instances of a concrete scenario: ships' radars, then ``[[sensors]]``.

    Distribution fields, if any are left, give their mean (sample the scenario first).
    Raises :class:`~tate.errors.ScenarioError` if a space viewpoint's id ``ID/n`` is
    another sensor's id.
    """
    from tate.sensors.presets import IR_SENSORS, RADARS

    sites: list[SensorSite] = []
    for ship in scn.ships:
        for name in ship.radar_names:
            sites.append(SensorSite(
                f"{ship.id}/{name}", "radar", name, "ship", _rad(ship.lat_deg),
                _rad(ship.lon_deg), float(RADARS[name].mast_height_m), _rad(ship.heading_deg)))
    ships = {ship.id: ship for ship in scn.ships}
    for sensor in scn.sensors:
        mast = float(RADARS[sensor.preset].mast_height_m) if sensor.type == "radar" else 0.0
        if sensor.platform == "ship":
            ship = ships[sensor.ship]
            sites.append(SensorSite(sensor.id, sensor.type, sensor.preset, "ship",
                                    _rad(ship.lat_deg), _rad(ship.lon_deg), mast,
                                    _rad(ship.heading_deg)))
        elif sensor.platform == "fixed":
            sites.append(SensorSite(sensor.id, sensor.type, sensor.preset, "fixed",
                                    _rad(sensor.lat_deg), _rad(sensor.lon_deg),
                                    _num(sensor.alt_m, 0.0) + mast,
                                    _rad(_num(sensor.heading_deg, 0.0))))
        elif sensor.platform == "space":
            alt = _num(sensor.alt_m, float(IR_SENSORS[sensor.preset].alt_m))
            points = [(sensor.lat_deg, sensor.lon_deg)]
            points += [(w.lat_deg, w.lon_deg) for w in sensor.waypoints or []]
            for i, (la, lo) in enumerate(points):
                sid = sensor.id if i == 0 else f"{sensor.id}/{i}"
                sites.append(SensorSite(sid, "ir", sensor.preset, "space", _rad(la), _rad(lo),
                                        alt))
        else:
            pts = np.radians(np.array(sensor.loop(), float))
            sites.append(SensorSite(sensor.id, sensor.type, sensor.preset, sensor.platform,
                                    float(pts[0, 0]), float(pts[0, 1]), _num(sensor.alt_m, 0.0),
                                    loop_lat=pts[:, 0], loop_lon=pts[:, 1],
                                    speed=_num(sensor.speed_mps, 0.0)))
    ids = [site.sensor_id for site in sites]
    for i, sensor in enumerate(scn.sensors):
        if sensor.platform == "space" and len(set(ids)) < len(ids):
            raise ScenarioError("duplicate sensor id (space viewpoints are named ID/1, ID/2, ...)",
                                f"sensors[{i}].id", sensor.id)
    return tuple(sites)


def _num(value: Any, default: float) -> float:
    return default if value is None else float(nominal(value))


def _rad(value: Any) -> float:
    return float(np.radians(nominal(value)))
