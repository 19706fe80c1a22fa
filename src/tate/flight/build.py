"""Turn a concrete scenario's raid into flight models and initial states.

Each ``[[threats]]`` entry becomes ``count`` members (ids ``ID`` or ``ID.k``),
launched ``interval_s`` apart, their launch and aim points spread over a disc of
radius ``spread_m`` in a deterministic sunflower pattern (no random draw: the
randomness of a scenario lives in its distributions).  Units are converted to
SI here, once.  All members start at their own launch time; the propagator
integrates time since launch, so ``launch_time`` is added back on output.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from tate.earth import geodesic, wgs84
from tate.errors import ScenarioError
from tate.flight.guidance import bearing_and_range
from tate.flight.models.base import FlightModel
from tate.flight.models.boost_glide import BoostGlide
from tate.flight.models.booster import Booster, StageTable
from tate.flight.models.point_mass import PointMass
from tate.flight.models.waypoint import TERMINAL_KINDS, Waypoint
from tate.flight.targeting import BallisticDesign, aim_ballistic, make_booster

__all__ = ["Member", "Raid", "body_rank", "build_raid", "expand_members"]

F64 = NDArray[np.float64]
GOLDEN = np.pi * (3.0 - np.sqrt(5.0))
DEFAULT_LD = 2.6  #: lift-to-drag ratio of a constant-aero glider when not given [-]
AIM_DT = 0.5  #: step of the ballistic aiming passes [s]; the flight then uses ``dt``
MODEL_ORDER = ("ballistic", "boost-glide", "cruise", "drone", "point-mass")  #: raid body order
GLIDE_AERO = ("constant", "cav-h")  #: order of the gliders' aerodynamic models in a raid


@dataclass(frozen=True)
class Member:
    """One flying body of the raid, in SI units."""

    id: str
    group: int  #: index of its ``[[threats]]`` entry
    spec: Any  #: the threat entry of the scenario
    launch_time: float  #: [s]
    launch: F64  #: ECEF (3,) [m]
    aim: F64  #: ECEF (3,) [m]; NaN for point masses without an aim


@dataclass
class Raid:
    """Models and initial state of the whole raid, bodies in ``members`` order."""

    members: list[Member]
    models: list[FlightModel]
    pos: F64
    vel: F64
    mass: F64
    notes: dict[str, dict[str, float]] = field(default_factory=dict)
    file_order: NDArray[np.intp] = field(default_factory=lambda: np.empty(0, np.intp))
    """Position of each body's member in file order (members grouped by model here)."""


Built = tuple[list[FlightModel], F64, F64, list["Member"]]
"""A builder's models, masses (n,), velocities (3, n) and members in body order."""


def _offset(lat: float, lon: float, k: int, count: int, spread: float) -> tuple[float, float]:
    if spread <= 0 or count <= 1:
        return lat, lon
    dist = spread * np.sqrt((k + 0.5) / count)
    la, lo = geodesic.destination(np.radians(lat), np.radians(lon), k * GOLDEN, dist)
    return float(np.degrees(la)), float(np.degrees(lo))


def expand_members(scn: Any) -> list[Member]:
    """The members of every threat group, in file order."""
    out: list[Member] = []
    for g, th in enumerate(scn.threats):
        aim_geo = scn.aim_point(th) if th.aim is not None else None
        for k in range(th.count):
            la, lo = _offset(th.launch.lat_deg, th.launch.lon_deg, k, th.count, th.spread_m)
            launch = wgs84.geodetic_to_ecef(np.radians(la), np.radians(lo), th.launch.alt_m)
            if aim_geo is None:
                aim = np.full(3, np.nan)
            else:
                a_la, a_lo = _offset(aim_geo[0], aim_geo[1], k, th.count, th.spread_m)
                aim = wgs84.geodetic_to_ecef(np.radians(a_la), np.radians(a_lo), aim_geo[2])
            mid = th.id if th.count == 1 else f"{th.id}.{k + 1}"
            out.append(Member(mid, g, th, th.launch.time_s + k * th.interval_s,
                              np.asarray(launch, float), np.asarray(aim, float)))
    return out


def _stage_table(specs: list[Any]) -> StageTable:
    n_st = max(len(s.stages) for s in specs)
    arr = {k: np.zeros((n_st, len(specs))) for k in ("propellant", "dry", "isp", "burn")}
    for j, s in enumerate(specs):
        for i, st in enumerate(s.stages):
            arr["propellant"][i, j] = st.propellant_kg
            arr["dry"][i, j] = st.dry_kg
            arr["isp"][i, j] = st.isp_s
            arr["burn"][i, j] = st.burn_time_s
    return StageTable(**arr)


def _design(specs: list[Any]) -> BallisticDesign:
    area = np.array([np.pi * s.diameter_m**2 / 4 for s in specs])
    cd = np.array([s.boost_cd for s in specs])
    beta = np.array([getattr(s, "rv_beta_kg_m2", 1.0) for s in specs])
    payload = np.array([s.payload_kg for s in specs])
    return BallisticDesign(_stage_table(specs), payload, area, cd, beta)


def _cols(members: list[Member], attr: str) -> F64:
    return np.stack([getattr(m, attr) for m in members], axis=1)


def body_rank(spec: Any) -> tuple[int, int]:
    """Where a threat entry's members come in a raid's body order: by model
    (``MODEL_ORDER``), gliders by aerodynamic model (``GLIDE_AERO``), then in file order
    (:func:`build_raid` checks its order against this)."""
    aero = GLIDE_AERO.index(spec.glide.aero) if spec.model == "boost-glide" else 0
    return MODEL_ORDER.index(spec.model), aero


def build_raid(scn: Any, dt: float) -> Raid:
    """Models, initial states and aiming for every member of the raid.

    Raises
    ------
    ScenarioError
        If a ballistic missile cannot reach its aim point.
    """
    members = expand_members(scn)
    by_model: dict[str, list[int]] = {}
    for i, m in enumerate(members):
        by_model.setdefault(m.spec.model, []).append(i)
    order: list[int] = []
    models: list[FlightModel] = []
    notes: dict[str, dict[str, float]] = {}
    mass_parts: list[F64] = []
    vel_parts: list[F64] = []
    for name in MODEL_ORDER:
        idx = by_model.get(name, [])
        if not idx:
            continue
        ms = [members[i] for i in idx]
        model, mass, vel, used = _BUILDERS[name](scn, ms, dt, notes)
        models.extend(model)
        order.extend(idx[ms.index(m)] for m in used)
        mass_parts.append(mass)
        vel_parts.append(vel)
    ordered = [members[i] for i in order]
    ranked = sorted(range(len(members)), key=lambda i: (body_rank(members[i].spec), i))
    if len(set(order)) != len(members) or order != ranked:
        raise RuntimeError("internal error: raid builders lost, duplicated or misordered "
                           "members")
    return Raid(ordered, models, _cols(ordered, "launch"), np.concatenate(vel_parts, axis=1),
                np.concatenate(mass_parts), notes, np.array(order, dtype=np.intp))


def _ballistic(scn: Any, ms: list[Member], dt: float, notes: dict[str, dict[str, float]]
               ) -> Built:
    from tate.flight.models.ballistic import Ballistic

    specs = [m.spec for m in ms]
    d = _design(specs)
    launch, aim = _cols(ms, "launch"), _cols(ms, "aim")
    sol = aim_ballistic(d, launch, aim, [s.trajectory for s in specs], max(dt, AIM_DT))
    for j, m in enumerate(ms):
        if not np.isfinite(sol.theta_f[j]):
            th_i = scn.threats.index(m.spec)
            raise ScenarioError(
                f"aim point out of reach: {m.id} reaches at most {sol.max_range[j] / 1e3:.0f} km"
                f" on a {m.spec.trajectory} trajectory", f"threats[{th_i}].aim")
        notes[m.id] = {"burnout_angle_deg": float(np.degrees(sol.theta_f[j])),
                       "cut_time_s": float(sol.cut_time[j]),
                       "max_range_km": float(sol.max_range[j] / 1e3)}
    booster = make_booster(d, sol.azimuth, sol.theta_f, sol.cut_time)
    model = Ballistic(booster, d.rv_beta, dt)
    return [model], d.stages.liftoff_mass(d.payload), np.zeros_like(launch), ms


def _boost_glide(scn: Any, ms: list[Member], dt: float, notes: dict[str, dict[str, float]]
                 ) -> Built:
    models: list[FlightModel] = []
    masses: list[F64] = []
    vels: list[F64] = []
    used: list[Member] = []
    for aero in GLIDE_AERO:
        sub = [m for m in ms if m.spec.glide.aero == aero]
        if not sub:
            continue
        specs = [m.spec for m in sub]
        d = _design(specs)
        launch, aim = _cols(sub, "launch"), _cols(sub, "aim")
        az, _ = bearing_and_range(launch, aim)
        n = len(sub)
        nan = float("nan")
        cut_speed = np.array([s.glide.entry_speed_mps or np.inf for s in specs])
        booster = Booster(d.stages, d.payload, d.area, d.cd, az,
                          np.radians([s.burnout_gamma_deg for s in specs]), np.full(n, 6.0),
                          np.full(n, np.inf), cut_speed)
        g = [s.glide for s in specs]
        beta = np.array([x.ballistic_coeff_kg_m2 if x.ballistic_coeff_kg_m2 is not None
                         else (nan if x.alt_m is not None else 13_000.0) for x in g])
        area = np.array([x.area_m2 if x.area_m2 is not None else 0.4839 for x in g])
        alt = np.array([x.alt_m if x.alt_m is not None else nan for x in g])
        bank = np.radians([s.manoeuvre.bank_deg if s.manoeuvre.kind != "none" else 0.0
                           for s in specs])
        weave = np.array([s.manoeuvre.kind == "weave" for s in specs])
        ld = np.array([x.lift_to_drag if x.lift_to_drag is not None else DEFAULT_LD for x in g])
        model = BoostGlide(booster, aim, aero, ld, beta,
                           area, alt, bank, np.array([s.manoeuvre.period_s for s in specs]),
                           np.array([s.dive.start_range_km * 1e3 for s in specs]), dt,
                           weave=weave)
        models.append(model)
        masses.append(d.stages.liftoff_mass(d.payload))
        vels.append(np.zeros_like(launch))
        used.extend(sub)
    return models, np.concatenate(masses), np.concatenate(vels, axis=1), used


def _waypoint(scn: Any, ms: list[Member], dt: float, notes: dict[str, dict[str, float]]
              ) -> Built:
    specs = [m.spec for m in ms]
    name = specs[0].model
    k = max(len(s.waypoints) for s in specs) + 1
    route = np.empty((3, len(ms), k))
    for j, (m, s) in enumerate(zip(ms, specs, strict=True)):
        pts = [wgs84.geodetic_to_ecef(np.radians(w.lat_deg), np.radians(w.lon_deg), 0.0)
               for w in s.waypoints]
        pts += [m.aim] * (k - len(pts))
        route[:, j, :] = np.stack(pts, axis=1)
    launch = _cols(ms, "launch")
    first = route[:, :, 0]
    az, _ = bearing_and_range(launch, first)
    lat, lon, _ = wgs84.ecef_to_geodetic(launch.T)
    speed = np.array([s.speed_mps for s in specs])
    enu = np.stack([speed * np.sin(az), speed * np.cos(az), np.zeros_like(az)], axis=1)
    vel = wgs84.enu_vec_to_ecef(enu, lat, lon).T

    def arr(attr: str, default: float = 0.0, scale: float = 1.0) -> F64:
        return np.array([getattr(s, attr, default) * scale for s in specs], float)

    def term(attr: str, default: float, scale: float = 1.0) -> F64:
        return np.array([getattr(getattr(s, "terminal", None), attr, default) * scale
                         for s in specs], float)

    kinds = np.array([TERMINAL_KINDS.index(getattr(getattr(s, "terminal", None), "kind",
                                                   "none")) for s in specs], np.int8)
    term_range = term("start_range_km", 15.0, 1e3)
    final = np.where(kinds == 1, 0.0, np.minimum(term_range, 3_000.0))
    if name == "drone":
        final = np.full(len(ms), 3_000.0)
    model = Waypoint(route, speed, arr("cruise_alt_m"), arr("max_g") * 9.80665,
                     arr("range_km", scale=1e3), kinds, term_range, term("pop_alt_m", 1500.0),
                     term("weave_g", 2.0, 9.80665), term("weave_period_s", 6.0), final, name)
    return [model], arr("mass_kg"), vel, ms


def _point_mass(scn: Any, ms: list[Member], dt: float, notes: dict[str, dict[str, float]]
                ) -> Built:
    specs = [m.spec for m in ms]
    tables = {tuple(map(tuple, s.cd_mach)) for s in specs if s.cd_mach}
    if len(tables) > 1 or (tables and any(not s.cd_mach for s in specs)):
        models: list[FlightModel] = []
        masses, vels = [], []
        for m in ms:
            mo, ma, ve, _ = _point_mass(scn, [m], dt, notes)
            models += mo
            masses.append(ma)
            vels.append(ve)
        return models, np.concatenate(masses), np.concatenate(vels, axis=1), ms
    table = None
    if tables:
        arr = np.array(next(iter(tables)), float)
        table = (arr[:, 0], arr[:, 1])
    launch = _cols(ms, "launch")
    lat, lon, _ = wgs84.ecef_to_geodetic(launch.T)
    ned = np.array([s.velocity_ned_mps for s in specs], float)
    vel = wgs84.ned_vec_to_ecef(ned, lat, lon).T
    model = PointMass(np.array([s.area_m2 for s in specs]),
                      np.array([s.cd if s.cd is not None else 0.0 for s in specs]), table)
    return [model], np.array([s.mass_kg for s in specs], float), vel, ms


_BUILDERS: dict[str, Any] = {
    "ballistic": _ballistic,
    "boost-glide": _boost_glide,
    "cruise": _waypoint,
    "drone": _waypoint,
    "point-mass": _point_mass,
}
