"""Summaries of a scenario: a table for the terminal, and counts for programs.

Presentation only: the one computation is the great-circle distance from a
threat's launch point to its aim point, on a sphere.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import TYPE_CHECKING, Any

from tate.scenario.distributions import Distribution, nominal
from tate.scenario.sampler import uncertain_fields
from tate.scenario.schema import Scenario, Threat

if TYPE_CHECKING:
    from rich.table import Table

__all__ = ["EARTH_MEAN_RADIUS_KM", "describe", "great_circle_km", "summary_table"]

#: Mean radius of the Earth [km] (IUGG mean radius R1 of WGS-84).
EARTH_MEAN_RADIUS_KM = 6371.0088


def great_circle_km(lat1_deg: float, lon1_deg: float, lat2_deg: float, lon2_deg: float) -> float:
    """Great-circle distance between two points on a sphere of radius 6371.0088 km.

    Parameters
    ----------
    lat1_deg, lon1_deg, lat2_deg, lon2_deg
        Geodetic latitudes and longitudes of the two points, used as spherical
        ones. [deg]

    Returns
    -------
    float
        The distance. [km]

    Notes
    -----
    The central angle in the arctangent form (Vincenty's formula on a sphere),
    accurate from coincident to antipodal points, where the haversine form loses
    digits::

        Δσ = atan2(√((cos φ2 sin Δλ)² + (cos φ1 sin φ2 − sin φ1 cos φ2 cos Δλ)²),
                   sin φ1 sin φ2 + cos φ1 cos φ2 cos Δλ)

    and ``d = R Δσ``.
    """
    phi1, phi2 = math.radians(lat1_deg), math.radians(lat2_deg)
    dlam = math.radians(lon2_deg - lon1_deg)
    east = math.cos(phi2) * math.sin(dlam)
    north = math.cos(phi1) * math.sin(phi2) - math.sin(phi1) * math.cos(phi2) * math.cos(dlam)
    up = math.sin(phi1) * math.sin(phi2) + math.cos(phi1) * math.cos(phi2) * math.cos(dlam)
    return EARTH_MEAN_RADIUS_KM * math.atan2(math.hypot(east, north), up)


def _num(value: float | Distribution, fmt: str = "g") -> str:
    """Format a number, or a distribution's mean marked with ``~``."""
    text = format(nominal(value), fmt)
    return f"~{text}" if isinstance(value, Distribution) else text


def _range_km(scn: Scenario, threat: Threat) -> str:
    if threat.aim is None:
        return "-"
    lat, lon, _ = scn.aim_point(threat)
    launch = threat.launch
    distance = great_circle_km(nominal(launch.lat_deg), nominal(launch.lon_deg), lat, lon)
    return f"{distance:,.0f}"


def _threat_notes(threat: Threat, uncertain: list[str]) -> str:
    notes = []
    aim = threat.aim
    if aim is not None:
        notes.append(f"at {aim.ship or aim.asset or 'point'}")
    for key in ("trajectory", "manoeuvre", "terminal"):
        kind = getattr(threat, key, None)
        text = kind if isinstance(kind, str) else getattr(kind, "kind", "none")
        if text != "none":
            notes.append(text)
    if uncertain:
        notes.append("distribution: " + ", ".join(uncertain))
    return "; ".join(notes)


def _uncertain_by_threat(scn: Scenario) -> dict[int, list[str]]:
    """Map a threat's index to the paths (inside it) of its fields that hold distributions."""
    found: dict[int, list[str]] = {}
    for field in uncertain_fields(scn):
        if field.loc[0] == "threats" and isinstance(field.loc[1], int):
            inner = field.path.split(".", 1)[1]
            found.setdefault(field.loc[1], []).append(inner)
    return found


def summary_table(scn: Scenario, title: str | None = None) -> Table:
    """Return a rich table with one row per ship, asset and threat group.

    Columns: kind, id, model (or ship class), count, launch time [s], launch-to-aim
    great-circle distance [km], notes (aim, manoeuvres, fields that hold
    distributions).  A value marked ``~`` is a distribution's mean.
    """
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=title or scn.name, caption=_caption(scn))
    for header, justify in (
        ("kind", "left"),
        ("id", "left"),
        ("model", "left"),
        ("count", "right"),
        ("launch t [s]", "right"),
        ("range [km]", "right"),
        ("notes", "left"),
    ):
        table.add_column(escape(header), justify=justify)  # type: ignore[arg-type]
    for ship in scn.ships:
        notes = f"{_num(ship.speed_kn)} kn, heading {_num(ship.heading_deg)} deg"
        table.add_row("ship", ship.id, ship.class_, "1", "-", "-", notes)
    for asset in scn.assets:
        notes = f"radius {_num(asset.radius_m)} m, value {_num(asset.value)}"
        table.add_row("asset", asset.id, "-", "1", "-", "-", notes)
    uncertain = _uncertain_by_threat(scn)
    for i, threat in enumerate(scn.threats):
        table.add_row(
            "threat",
            threat.id,
            threat.model,
            str(threat.count),
            _num(threat.launch.time_s),
            _range_km(scn, threat),
            _threat_notes(threat, uncertain.get(i, [])),
        )
    return table


def _caption(scn: Scenario) -> str:
    counts = describe(scn)
    epoch = scn.epoch_utc.isoformat().replace("+00:00", "Z")
    return (
        f"epoch {epoch}, time limit {_num(scn.time_limit_s)} s, "
        f"{counts['threats']} threats in {counts['threat_groups']} groups"
    )


def describe(scn: Scenario) -> dict[str, Any]:
    """Count what a scenario holds.

    Returns
    -------
    dict
        ``ships``, ``assets``: how many; ``threat_groups``: threat entries;
        ``threats``: threat members (counts summed); ``by_model``: members by
        threat model; ``groups_by_model``: entries by model; ``uncertain``: number
        of fields that hold a distribution.
    """
    members: Counter[str] = Counter()
    groups: Counter[str] = Counter()
    for threat in scn.threats:
        members[threat.model] += threat.count
        groups[threat.model] += 1
    return {
        "ships": len(scn.ships),
        "assets": len(scn.assets),
        "threat_groups": len(scn.threats),
        "threats": sum(members.values()),
        "by_model": dict(members),
        "groups_by_model": dict(groups),
        "uncertain": len(uncertain_fields(scn)),
    }
