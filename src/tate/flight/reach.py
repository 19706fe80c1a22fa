"""Can each threat reach its aim point?  The check behind ``tate validate``.

Maximum ground range per model, on the scenario's nominal values:

* cruise missile, drone: the fuel range ``range_km`` along the route
  (launch → waypoints → aim), each leg a great circle;
* ballistic missile: the grid pass of :mod:`tate.flight.targeting` (full-burn
  shots over a grid of pitch programs and, for minimum-energy shots, of cut-off
  times), flown with drag and the rotating Earth at a coarse step: the aim must
  lie on the wanted branch (lofted, depressed, minimum-energy);
* boost-glide vehicle: a full flight aimed far beyond the target, so that it
  glides until it reaches the ground (steps of ``COARSE_DT``, up to four of them at once
  in a smooth glide: the longest range moves by about 0.1 % against ``COARSE_DT``
  throughout, at half the cost);
* point mass: not checked (it has no aim).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tate.errors import ScenarioError
from tate.flight.guidance import bearing_and_range

__all__ = ["check_reach", "max_ranges"]

COARSE_DT = 0.5  #: step of the reach flights [s]


def _route_length_m(scn: Any, th: Any) -> float:
    from tate.scenario.summary import great_circle_km

    lat, lon = th.launch.lat_deg, th.launch.lon_deg
    total = 0.0
    a_lat, a_lon, _ = scn.aim_point(th)
    for wp in [*getattr(th, "waypoints", []), None]:
        nlat, nlon = (a_lat, a_lon) if wp is None else (wp.lat_deg, wp.lon_deg)
        total += great_circle_km(lat, lon, nlat, nlon) * 1e3
        lat, lon = nlat, nlon
    return total


def _first_members(scn: Any) -> tuple[Any, dict[int, Any]]:
    """The nominal scenario and the first member of each threat group (by file index)."""
    from tate.flight.build import expand_members
    from tate.scenario import nominal_scenario

    nominal = nominal_scenario(scn)
    first: dict[int, Any] = {}
    for m in expand_members(nominal):
        first.setdefault(m.group, m)
    return nominal, first


def max_ranges(scn: Any) -> dict[int, tuple[float, float]]:
    """``{threat index: (needed ground range [m], maximum ground range [m])}`` for the
    cruise missiles, drones and boost-glide vehicles (ballistic missiles: see
    :func:`ballistic_solutions`)."""
    return _max_ranges(*_first_members(scn))


def _max_ranges(scn: Any, first: dict[int, Any]) -> dict[int, tuple[float, float]]:
    from tate.flight.build import build_raid
    from tate.flight.integrator import Propagator

    out: dict[int, tuple[float, float]] = {}
    for g, m in first.items():
        th = m.spec
        if th.model in ("cruise", "drone"):
            out[g] = (_route_length_m(scn, th), th.range_km * 1e3)
    groups = [g for g, m in first.items() if m.spec.model == "boost-glide"]
    if groups:
        # one member per group, flown toward a point far beyond its aim until it lands
        specs = [first[g].spec.model_copy(update={"count": 1}) for g in groups]
        raid = build_raid(scn.model_copy(update={"threats": specs}), COARSE_DT)
        for model in raid.models:
            model.dive_range = np.zeros(model.n)  # type: ignore[attr-defined]
            model.aim = _far_aims(raid, model)  # type: ignore[attr-defined]
        prop = Propagator(raid.models, raid.pos, raid.vel, raid.mass, COARSE_DT)
        prop.run(20_000.0, max_step=COARSE_DT * 4)  # long glide steps where smooth
        _, flown = bearing_and_range(raid.pos, prop.pos)
        launch = np.stack([m.launch for m in raid.members], axis=1)
        aim = np.stack([m.aim for m in raid.members], axis=1)
        _, need = bearing_and_range(launch, aim)
        for j, m in enumerate(raid.members):
            out[groups[m.group]] = (float(need[j]), float(flown[j]))  # back to file index
    return out


def _far_aims(raid: Any, model: Any) -> Any:
    """Points 15,000 km beyond each launch point, along the bearing to the real aim."""
    from tate.earth import geodesic, wgs84

    start = sum(mo.n for mo in raid.models[: raid.models.index(model)])
    members = raid.members[start:start + model.n]
    launch = np.stack([m.launch for m in members], axis=1)
    bearing, _ = bearing_and_range(launch, np.stack([m.aim for m in members], axis=1))
    lat, lon, _ = wgs84.ecef_to_geodetic(launch.T)
    la, lo = geodesic.destination(lat, lon, bearing, 15_000e3)
    # C order as the models' own aims (a transposed array is another kernel signature)
    return np.ascontiguousarray(wgs84.geodetic_to_ecef(la, lo, 0.0).T)


def ballistic_solutions(scn: Any) -> dict[int, tuple[float, float, bool]]:
    """``{threat index: (needed range [m], full-burn maximum range [m], solvable)}`` for the
    ballistic groups: the grid pass of :func:`tate.flight.targeting.aim_ballistic` at
    a coarse step, so a lofted or depressed shot that no pitch program can fly (a
    depressed shot at a close target, say) is caught as well as one out of range."""
    return _ballistic_solutions(_first_members(scn)[1])


def _ballistic_solutions(first: dict[int, Any]) -> dict[int, tuple[float, float, bool]]:
    from tate.flight.build import _design
    from tate.flight.targeting import aim_ballistic

    bal = [m for m in first.values() if m.spec.model == "ballistic"]
    if not bal:
        return {}
    launch = np.stack([m.launch for m in bal], axis=1)
    aim = np.stack([m.aim for m in bal], axis=1)
    _, need = bearing_and_range(launch, aim)
    sol = aim_ballistic(_design([m.spec for m in bal]), launch, aim,
                        [m.spec.trajectory for m in bal], COARSE_DT, newton_steps=0)
    return {m.group: (float(need[j]), float(sol.max_range[j]), bool(np.isfinite(sol.theta_f[j])))
            for j, m in enumerate(bal)}


def check_reach(scn: Any) -> None:
    """Raise :class:`ScenarioError` naming ``threats[i].aim`` if a threat cannot reach its aim.

    Only the first member of a group is checked (members differ by ``spread_m``).
    """
    nominal, first = _first_members(scn)
    for g, (need, best, ok) in sorted(_ballistic_solutions(first).items()):
        if not ok:
            th = scn.threats[g]
            why = (f"reaches at most {best / 1e3:.0f} km" if need > best else
                   f"no {th.trajectory} trajectory of this missile lands at {need / 1e3:.0f} km"
                   f" (full-burn range up to {best / 1e3:.0f} km)")
            raise ScenarioError(f"aim point out of reach of the ballistic model: {why}",
                                f"threats[{g}].aim")
    for g, (need, best) in sorted(_max_ranges(nominal, first).items()):
        if need > best:
            th = scn.threats[g]
            raise ScenarioError(
                f"aim point out of reach of the {th.model} model: needs {need / 1e3:.0f} km, "
                f"reaches at most {best / 1e3:.0f} km", f"threats[{g}].aim")
