"""Scenario schema: frozen pydantic models of a scenario file.

Every dimensional key names its unit (``alt_m``, ``range_km``, ``lat_deg``); the
models keep the values in the file's units, and the flight code converts them to
SI once.  Every numeric field is a :data:`~tate.scenario.distributions.Number`:
a finite number or a distribution table, checked against the field's
:class:`~tate.scenario.fields.Bounds`.  Integers (``count``, ``seed``) and strings
are never distributions.

Validation errors raised inside the models carry a ScenarioError's message, path
and value (see :func:`tate.scenario.fields.invalid`); use
:func:`tate.scenario.loader.loads_scenario` or
:func:`tate.scenario.loader.validate_scenario` to get them as one
:class:`~tate.errors.ScenarioError`.

Later sections of a scenario (sensors, weapons, c2) are new optional fields of
:class:`Scenario` (and of :class:`Ship`), defaulting to "none", so that files
written before them stay valid.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal, Self, TypeVar

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    Strict,
    field_validator,
    model_validator,
)

from tate.errors import ScenarioError
from tate.scenario.defence import C2, Rounds, check_magazine, check_railgun
from tate.scenario.distributions import FiniteFloat, Number, nominal
from tate.scenario.fields import Bounds, invalid
from tate.scenario.presets import SHIP_CLASSES
from tate.scenario.sampler import is_concrete
from tate.scenario.sensors import Sensor, check_radar_names

__all__ = [
    "CAV_H_AREA_M2",
    "THREAT_MODELS",
    "Aim",
    "Asset",
    "BallisticThreat",
    "BoostGlideThreat",
    "CruiseThreat",
    "Dive",
    "DroneThreat",
    "Glide",
    "LatLon",
    "Launch",
    "Manoeuvre",
    "PointMassThreat",
    "Scenario",
    "Ship",
    "Stage",
    "Terminal",
    "Threat",
]

#: Threat model names, in the order error messages list them.
THREAT_MODELS = ("ballistic", "boost-glide", "cruise", "drone", "point-mass")

#: Reference area of the CAV-H glider [m²] (Phillips 2003, "A Common Aero Vehicle (CAV) Model").
CAV_H_AREA_M2 = 0.4839

Positive = Annotated[Number, Bounds(gt=0)]
NonNegative = Annotated[Number, Bounds(ge=0)]
Latitude = Annotated[Number, Bounds(ge=-90, le=90)]
Longitude = Annotated[Number, Bounds(ge=-180, le=180)]
Altitude = Annotated[Number, Bounds(ge=-500)]
Id = Annotated[str, Strict(), Field(min_length=1)]
Count = Annotated[int, Strict(), Field(ge=1)]


def _to_utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


class _Frozen(BaseModel):
    """Base of the scenario models: immutable, and an unknown key is an error."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class LatLon(_Frozen):
    """A point on the Earth's surface (a waypoint)."""

    lat_deg: Latitude
    lon_deg: Longitude


class Asset(_Frozen):
    """A defended place on land, e.g. a port."""

    id: Id
    lat_deg: Latitude
    lon_deg: Longitude
    alt_m: Altitude = 0.0
    radius_m: Positive = 500.0
    value: Positive = 1.0


class Ship(_Frozen):
    """A defended ship, of a class in :data:`tate.scenario.presets.SHIP_CLASSES`.

    ``radars`` names the radar presets it carries; ``None`` (the default) means the
    radars of its class, ``[]`` none.  ``magazine`` (rounds per weapon preset) and
    ``railgun`` (a railgun preset) arm it (:mod:`tate.scenario.defence`); ``value`` weighs
    it in weapon assignment.
    """

    model_config = ConfigDict(validate_by_name=True, validate_by_alias=True)

    id: Id
    class_: str = Field(alias="class")
    lat_deg: Latitude
    lon_deg: Longitude
    heading_deg: Annotated[Number, Bounds(ge=0, lt=360)]
    speed_kn: NonNegative
    radars: list[str] | None = None
    magazine: dict[str, Rounds] | None = None
    railgun: str | None = None
    value: Positive = 1.0

    @field_validator("magazine", mode="after")
    @classmethod
    def _known_weapons(cls, value: dict[str, int] | None) -> dict[str, int] | None:
        return check_magazine(value)

    @field_validator("railgun", mode="after")
    @classmethod
    def _known_railgun(cls, value: str | None) -> str | None:
        return check_railgun(value)

    @property
    def rounds(self) -> dict[str, int]:
        """Rounds per weapon preset: ``magazine``, else its class's loadout."""
        if self.magazine is not None:
            return dict(self.magazine)
        return dict(SHIP_CLASSES[self.class_].magazine)

    @field_validator("radars", mode="after")
    @classmethod
    def _known_radars(cls, value: list[str] | None) -> list[str] | None:
        if value is not None:
            check_radar_names(value)
        return value

    @property
    def radar_names(self) -> tuple[str, ...]:
        """The radar presets of this ship: ``radars``, else its class's."""
        return tuple(self.radars) if self.radars is not None else SHIP_CLASSES[self.class_].radars

    @field_validator("class_", mode="before")
    @classmethod
    def _known_class(cls, value: Any) -> Any:
        if isinstance(value, str) and value not in SHIP_CLASSES:
            names = ", ".join(SHIP_CLASSES)
            raise invalid(f"unknown ship class; valid names: {names}", "", value)
        return value


class Launch(_Frozen):
    """Where and when a threat (its first member) is launched."""

    lat_deg: Latitude
    lon_deg: Longitude
    alt_m: Altitude = 0.0
    time_s: NonNegative = 0.0


class Aim(_Frozen):
    """What a threat flies at: a point, a ship or an asset (exactly one).

    Give ``lat_deg`` and ``lon_deg`` (and optionally ``alt_m``, default 0), or
    ``ship = "<id>"``, or ``asset = "<id>"``.  The scenario checks that the id
    exists.
    """

    lat_deg: Latitude | None = None
    lon_deg: Longitude | None = None
    alt_m: Altitude | None = None
    ship: Id | None = None
    asset: Id | None = None

    @model_validator(mode="after")
    def _one_target(self) -> Self:
        point = self.lat_deg is not None or self.lon_deg is not None
        forms = (
            ("lat_deg + lon_deg", point),
            ("ship", self.ship is not None),
            ("asset", self.asset is not None),
        )
        given = [name for name, present in forms if present]
        valid = "lat_deg + lon_deg, ship, asset"
        if not given:
            raise invalid(f"missing aim: give one of {valid}")
        if len(given) > 1:
            raise invalid(f"give exactly one of {valid}", "", given)
        if point and (self.lat_deg is None or self.lon_deg is None):
            missing = "lat_deg" if self.lat_deg is None else "lon_deg"
            raise invalid("missing required key", missing)
        if not point and self.alt_m is not None:
            raise invalid("only allowed with lat_deg and lon_deg", "alt_m", self.alt_m)
        return self


class Stage(_Frozen):
    """One rocket stage, burning at constant thrust."""

    propellant_kg: Positive
    dry_kg: NonNegative
    isp_s: Positive
    burn_time_s: Positive


class Glide(_Frozen):
    """Glide phase of a boost-glide vehicle.

    ``aero = "constant"`` flies a constant lift-to-drag ratio (default 2.6) and
    ballistic coefficient (Tracy & Wright 2020); ``aero = "cav-h"`` uses the CAV-H
    aerodynamic tables (Phillips 2003), with ``area_m2`` defaulting to
    :data:`CAV_H_AREA_M2`.
    """

    aero: Literal["constant", "cav-h"] = "constant"
    lift_to_drag: Positive | None = None  # constant aero: 2.6 when not given
    ballistic_coeff_kg_m2: Positive | None = None
    area_m2: Positive | None = None
    alt_m: Positive | None = None
    entry_speed_mps: Positive | None = None

    @model_validator(mode="before")
    @classmethod
    def _cav_h_area(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        unused = _UNUSED_BY_AERO.get(data.get("aero", "constant"), ())
        for key in unused:
            if data.get(key) is not None:
                raise invalid(f"not used with aero = {data.get('aero', 'constant')!r}",
                              key, data[key])
        if data.get("aero") == "cav-h" and "area_m2" not in data:
            return {**data, "area_m2": CAV_H_AREA_M2}
        return data


_UNUSED_BY_AERO = {
    "constant": ("area_m2",),
    "cav-h": ("lift_to_drag", "ballistic_coeff_kg_m2"),
}


class Manoeuvre(_Frozen):
    """Lateral manoeuvre in the glide: an s-turn banks to ±``bank_deg`` each half period
    (a square wave); a weave banks ``bank_deg · sin(2π τ / period_s)`` (τ from glide entry)."""

    kind: Literal["none", "s-turn", "weave"] = "none"
    bank_deg: Annotated[Number, Bounds(ge=0, le=80)] = 30.0
    period_s: Positive = 60.0


class Dive(_Frozen):
    """Terminal dive of a boost-glide vehicle, begun at ``start_range_km`` from the aim point."""

    start_range_km: Positive = 60.0


class Terminal(_Frozen):
    """Terminal manoeuvre of a cruise missile, begun at ``start_range_km`` from the aim point."""

    kind: Literal["none", "pop-up", "weave"] = "none"
    start_range_km: Positive = 15.0
    pop_alt_m: Positive = 1500.0
    weave_g: Positive = 2.0
    weave_period_s: Positive = 6.0


class _ThreatBase(_Frozen):
    """Keys common to every threat model.

    ``count`` identical members are launched ``interval_s`` apart, their launch
    and aim points scattered by ``spread_m``.
    """

    id: Id
    model: str
    count: Count = 1
    interval_s: NonNegative = 0.0
    spread_m: NonNegative = 0.0
    launch: Launch


class _AimedThreat(_ThreatBase):
    aim: Aim


class _RocketThreat(_AimedThreat):
    stages: Annotated[list[Stage], Field(min_length=1, max_length=3)]
    payload_kg: Positive
    diameter_m: Positive
    boost_cd: Positive = 0.3


class BallisticThreat(_RocketThreat):
    """A ballistic missile: boost by its stages, then an unpowered re-entry vehicle."""

    model: Literal["ballistic"] = "ballistic"
    rv_beta_kg_m2: Positive = 8000.0
    trajectory: Literal["minimum-energy", "lofted", "depressed"] = "minimum-energy"


class BoostGlideThreat(_RocketThreat):
    """A boost-glide vehicle: boost, pull-up into a glide, then a dive (``payload_kg`` = glider)."""

    model: Literal["boost-glide"] = "boost-glide"
    burnout_gamma_deg: Annotated[Number, Bounds(ge=0, le=45)] = 6.0
    glide: Glide
    manoeuvre: Manoeuvre = Manoeuvre()
    dive: Dive = Dive()


class _WaypointThreat(_AimedThreat):
    """Keys shared by the waypoint flyers; each subclass sets its own defaults."""

    speed_mps: Positive
    cruise_alt_m: Positive
    mass_kg: Positive
    max_g: Positive
    range_km: Positive
    waypoints: list[LatLon] = []


class CruiseThreat(_WaypointThreat):
    """A cruise missile flying at ``cruise_alt_m`` via ``waypoints``, then a terminal manoeuvre."""

    model: Literal["cruise"] = "cruise"
    speed_mps: Positive = 270.0
    cruise_alt_m: Positive = 7.0
    mass_kg: Positive = 1500.0
    max_g: Positive = 4.0
    range_km: Positive = 600.0
    terminal: Terminal = Terminal()


class DroneThreat(_WaypointThreat):
    """A one-way attack drone flying at ``cruise_alt_m`` via ``waypoints``."""

    model: Literal["drone"] = "drone"
    speed_mps: Positive = 50.0
    cruise_alt_m: Positive = 300.0
    mass_kg: Positive = 200.0
    max_g: Positive = 1.0
    range_km: Positive = 2000.0


class PointMassThreat(_ThreatBase):
    """An unpowered point mass with drag, from a launch point and velocity (a check case).

    Give either a constant ``cd`` or a table ``cd_mach`` of ``[mach, cd]`` pairs,
    Mach numbers strictly increasing (table entries are plain numbers).
    ``velocity_ned_mps`` is ``[north, east, down]`` relative to the rotating
    Earth.  ``aim`` is optional; with one, the body also ends at the aim
    point's altitude or within the hit radius of it, like the guided threats.
    """

    model: Literal["point-mass"] = "point-mass"
    aim: Aim | None = None
    mass_kg: Positive
    area_m2: Positive
    cd: NonNegative | None = None
    cd_mach: (
        Annotated[
            list[tuple[Annotated[FiniteFloat, Bounds(ge=0)], Annotated[FiniteFloat, Bounds(ge=0)]]],
            Field(min_length=2),
        ]
        | None
    ) = None
    velocity_ned_mps: tuple[Number, Number, Number]

    @model_validator(mode="after")
    def _one_drag_law(self) -> Self:
        if self.cd is not None and self.cd_mach is not None:
            raise invalid("give either cd or cd_mach, not both", "cd_mach")
        if self.cd is None and self.cd_mach is None:
            raise invalid("missing required key: give cd or cd_mach", "cd")
        table = self.cd_mach or []
        for i in range(1, len(table)):
            if not table[i][0] > table[i - 1][0]:
                message = "Mach numbers must be strictly increasing"
                raise invalid(message, f"cd_mach[{i}][0]", table[i][0])
        return self


#: A threat of any model, chosen by its ``model`` key.
Threat = Annotated[
    BallisticThreat | BoostGlideThreat | CruiseThreat | DroneThreat | PointMassThreat,
    Field(discriminator="model"),
]


def _first_duplicate(ids: list[str]) -> tuple[int, int] | None:
    """Return the indices ``(first, again)`` of the first repeated id, or ``None``."""
    seen: dict[str, int] = {}
    for i, name in enumerate(ids):
        if name in seen:
            return seen[name], i
        seen[name] = i
    return None


class Scenario(_Frozen):
    """A scenario: defended ships and assets, a raid of threats, and sensors.

    ``epoch_utc`` needs a time zone and is kept in UTC; times in the scenario
    are seconds from it.  Ids are unique within ``assets``, ``ships`` and
    ``threats``; an aim at a ship or an asset must name one that exists.
    Sensor ids are unique, also against the ships' radars (named ``SHIP/preset``),
    and a sensor on a ship names one that exists.
    """

    name: Annotated[str, Strict()]
    epoch_utc: Annotated[AwareDatetime, AfterValidator(_to_utc)]
    description: Annotated[str, Strict()] = ""
    time_limit_s: Positive = 1800.0
    seed: Annotated[int, Strict(), Field(ge=0)] | None = None
    assets: list[Asset] = []
    ships: list[Ship] = []
    threats: list[Threat]
    sensors: list[Sensor] = []
    c2: C2 = C2()

    @model_validator(mode="after")
    def _references(self) -> Self:
        groups = (("assets", self.assets), ("ships", self.ships), ("threats", self.threats))
        for key, items in groups:
            twins = _first_duplicate([item.id for item in items])
            if twins is not None:
                first, again = twins
                message = f"duplicate id (also {key}[{first}].id)"
                raise invalid(message, f"{key}[{again}].id", items[again].id)
        for i, threat in enumerate(self.threats):
            self._check_aim(i, threat.aim)
        self._check_sensors()
        return self

    def _check_sensors(self) -> None:
        """Sensor ids are unique (also against the ships' radars, ``SHIP/preset``) and a
        ship platform names a ship."""
        ids = [f"{ship.id}/{name}" for ship in self.ships for name in ship.radar_names]
        ship_ids = [ship.id for ship in self.ships]
        for i, sensor in enumerate(self.sensors):
            if sensor.id in ids:
                raise invalid("duplicate sensor id (ship radars are named SHIP/preset)",
                              f"sensors[{i}].id", sensor.id)
            ids.append(sensor.id)
            if sensor.ship is not None and sensor.ship not in ship_ids:
                valid = ", ".join(ship_ids) if ship_ids else "none, the scenario has no ships"
                raise invalid(f"unknown ship id; valid ids: {valid}", f"sensors[{i}].ship",
                              sensor.ship)

    def _check_aim(self, i: int, aim: Aim | None) -> None:
        if aim is None:
            return
        targets = (("ship", aim.ship, self.ships), ("asset", aim.asset, self.assets))
        for key, target, items in targets:
            ids = [item.id for item in items]
            if target is not None and target not in ids:
                valid = ", ".join(ids) if ids else f"none, the scenario has no {key}s"
                message = f"unknown {key} id; valid ids: {valid}"
                raise invalid(message, f"threats[{i}].aim.{key}", target)

    @property
    def is_concrete(self) -> bool:
        """Whether the scenario holds no distribution (see :mod:`tate.scenario.sampler`)."""
        return is_concrete(self)

    def ship(self, ship_id: str) -> Ship:
        """Return the ship with id ``ship_id`` (KeyError if there is none)."""
        return _by_id(self.ships, ship_id)

    def asset(self, asset_id: str) -> Asset:
        """Return the asset with id ``asset_id`` (KeyError if there is none)."""
        return _by_id(self.assets, asset_id)

    def aim_point(self, threat: Threat) -> tuple[float, float, float]:
        """Return the point a threat flies at.

        Parameters
        ----------
        threat
            One of this scenario's threats.

        Returns
        -------
        tuple of float
            ``(lat_deg, lon_deg, alt_m)``: the aim point, or the initial position of
            the aimed-at ship (at sea level) or asset.  A field that holds a
            distribution gives its mean; sample the scenario first for a draw.

        Raises
        ------
        ScenarioError
            If the threat has no aim (a point-mass threat may have none).
        """
        aim = threat.aim
        where = f"threats[{self.threats.index(threat)}].aim" if threat in self.threats else "aim"
        if aim is None:
            raise ScenarioError("threat has no aim", where)
        if aim.ship is not None:
            ship = self.ship(aim.ship)
            return nominal(ship.lat_deg), nominal(ship.lon_deg), 0.0
        if aim.asset is not None:
            asset = self.asset(aim.asset)
            return nominal(asset.lat_deg), nominal(asset.lon_deg), nominal(asset.alt_m)
        if aim.lat_deg is None or aim.lon_deg is None:  # excluded by Aim's own validator
            raise ScenarioError("aim has no point", where)
        alt = 0.0 if aim.alt_m is None else nominal(aim.alt_m)
        return nominal(aim.lat_deg), nominal(aim.lon_deg), alt


_Item = TypeVar("_Item", Ship, Asset)


def _by_id(items: list[_Item], item_id: str) -> _Item:
    for item in items:
        if item.id == item_id:
            return item
    raise KeyError(item_id)
