"""Fly a scenario's raid with no defence: :func:`fly` and its frozen result.

Propagations (clock = time since each member's launch, until every member has hit the
ground or the time limit): the ballistic missiles together (aimed in one shooting batch,
whose grid pass the scenario's reach check flies), the other rockets and gliders together
but for the entries named ``alone`` (each its own: a study's entries drawn per run), the
subsonic flyers together.  A group never depends on the threats outside it.  Three column
tables (dicts of equal-length numpy arrays, SI unless a column name says otherwise):

* ``trajectory``: one row per member per ``record_s`` and the exact impact, time from the
  epoch; bodies in the raid's order (:func:`tate.flight.build.body_rank`, then file
  order), each body's rows by time;
* ``summary``: one row per member, in file order: flight time, ground range, apogee, glide
  altitude and beta (given or implied), maximum Mach, impact error;
* ``events``: phase changes (boost, glide, dive, …), apogees and impacts.

Each group's rows, tables and events are remembered per process (``FLOWN_CACHE_SIZE``)
keyed by the JSON of the scenario without threats and of the group's entries, the steps
and the kernels' switch: a Monte Carlo run re-flies only the groups its draws changed,
the others bit-identical to flying them again.  The table's rows back in ECEF:
:mod:`tate.flight.ecef`.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from tate import jit
from tate.earth import wgs84
from tate.earth.atmosphere import density_and_sound_speed
from tate.flight.build import body_rank, build_raid
from tate.flight.ecef import ecef_order, table_ecef, trajectory_ecef
from tate.flight.eom import dot3
from tate.flight.integrator import Propagator, apogee_event
from tate.flight.models.boost_glide import BoostGlide
from tate.memo import Memo

__all__ = ["FlightResult", "fly"]

F64 = NDArray[np.float64]
Table = dict[str, NDArray[Any]]
Progress = Callable[[str, float, float], None]
SLOW_MODELS = ("cruise", "drone")  #: subsonic autopilot models, integrated at SLOW_DT
SLOW_DT = 0.5  #: their smallest step [s]
SLOW_LABEL = "cruise missiles and drones"  #: their propagation's ``progress`` label
BALLISTIC_LABEL = "ballistic missiles"  #: the ballistic missiles' propagation's label
OTHER_LABEL = "rockets and gliders"  #: the other rockets' and gliders' propagation's label
MAX_STEP_S = 10.0  #: longest adaptive step (the models may allow less) [s]
HIT_RADIUS = 10.0  #: a threat ends within this distance of its aim point [m]
FLOWN_CACHE_SIZE = 64  #: group propagations (see :func:`_groups`) kept per process
MACH_CEILING = 86_000.0  #: US76 defines the speed of sound up to here; Mach is NaN above [m]


TRAJECTORY_COLUMNS = ("time_s", "id", "model", "lat_deg", "lon_deg", "alt_m", "vn_mps",
                      "ve_mps", "vd_mps", "speed_mps", "mach", "qbar_pa", "downrange_km")
SUMMARY_COLUMNS = ("id", "model", "launch_time_s", "flight_time_s", "range_km", "apogee_km",
                   "glide_alt_km", "glide_beta_kg_m2", "max_mach", "impact_error_m", "outcome")
_TEXT = ("id", "model", "outcome", "event")


def _empty(columns: tuple[str, ...]) -> Table:
    """A table with no rows (text columns as objects, the rest as floats)."""
    return {c: np.empty(0, dtype=object if c in _TEXT else float) for c in columns}


@dataclass(frozen=True)
class FlightResult:
    """Result of :func:`fly`.

    ``status`` is ``"terminated"`` when every member ended on the ground and
    ``"truncated"`` when the time limit stopped the flight first.
    """

    status: str
    message: str
    trajectory: Table
    summary: Table
    events: Table
    scenario_hash: str
    seed: int | None
    #: the propagations whose tables make ``trajectory`` (joined, then rows ``_rows`` of
    #: them, or all): :meth:`ecef` converts each part's table once (a remembered part's
    #: with it); not pickled
    _parts: tuple[_Part, ...] = field(default=(), repr=False, compare=False)
    _rows: NDArray[np.intp] | None = field(default=None, repr=False, compare=False)
    _ecef: dict[tuple[Any, ...], tuple[NDArray[np.intp], F64, F64, F64]] = field(
        default_factory=dict, init=False, repr=False, compare=False)

    def __getstate__(self) -> dict[str, Any]:
        """Pickle the tables, not the parts or the conversions (recomputed on demand)."""
        return {**self.__dict__, "_parts": (), "_rows": None, "_ecef": {}}

    def ecef(self, order_ids: list[Any], copy: bool = True
             ) -> tuple[NDArray[np.intp], F64, F64, F64]:
        """:func:`trajectory_ecef` of this flight's table, computed once per ``order_ids``
        (the engine's truth store and the sensors both ask); fresh copies each call, or
        with ``copy`` False the remembered arrays themselves (the caller must not write
        into them: the truth store keeps them as they are)."""
        key = tuple(order_ids)
        if key not in self._ecef:
            self._ecef[key] = self._convert(order_ids)
        if not copy:
            return self._ecef[key]
        return tuple(a.copy() for a in self._ecef[key])  # type: ignore[return-value]

    def _convert(self, order_ids: list[Any]) -> tuple[NDArray[np.intp], F64, F64, F64]:
        """:func:`trajectory_ecef` of the table; from the parts' conversions when known
        (the same arithmetic per row: equal to the last bit)."""
        if not self._parts:
            return trajectory_ecef(self.trajectory, order_ids)
        member = np.concatenate([p.body for p in self._parts])
        if self._rows is not None:
            member = member[self._rows]
        body, perm, blocks = ecef_order(self.trajectory, order_ids, member)
        conv = [_part_ecef(p) for p in self._parts]
        time = np.asarray(self.trajectory["time_s"], float)
        if self._rows is not None or blocks is None:
            rows = perm if self._rows is None else self._rows[perm]
            pos = np.concatenate([c[0] for c in conv]).take(rows, axis=0)
            vel = np.concatenate([c[1] for c in conv]).take(rows, axis=0)
            return body, time[perm], pos, vel
        # each run of rows (one body's) lies in one part: copied whole, in body order
        ends = np.cumsum([c[0].shape[0] for c in conv]).tolist()
        pos, vel, t = np.empty((body.size, 3)), np.empty((body.size, 3)), np.empty(body.size)
        at = 0
        for a, b in blocks:
            k = next(k for k, e in enumerate(ends) if a < e)
            off = ends[k] - conv[k][0].shape[0]
            pos[at:at + b - a] = conv[k][0][a - off:b - off]
            vel[at:at + b - a] = conv[k][1][a - off:b - off]
            t[at:at + b - a] = time[a:b]
            at += b - a
        return body, t, pos, vel


def flight_ecef(flight: Any, order_ids: list[Any], copy: bool = True
                ) -> tuple[NDArray[np.intp], F64, F64, F64]:
    """:meth:`FlightResult.ecef` of a flight result (``copy`` as there), else
    :func:`trajectory_ecef` of the ``trajectory`` table of any object that has one."""
    if isinstance(flight, FlightResult):
        return flight.ecef(order_ids, copy)
    return trajectory_ecef(flight.trajectory, order_ids)


def _part_ecef(part: _Part) -> tuple[F64, F64]:
    """:func:`table_ecef` of a propagation's table, computed once per part."""
    if not part.ecef:
        part.ecef.append(table_ecef(part.table))
    return part.ecef[0]


def _great_circle_km(p: F64, q: F64) -> F64:
    """Ground distance between ECEF points ``(3, k)`` on the mean sphere [km].

    ``tate.flight.guidance.bearing_and_range(p, q)[1] / 1e3`` without the bearing (and
    the local frame it needs): the same operations in the same order.
    """
    u = p / np.sqrt(dot3(p, p))
    a = q / np.sqrt(dot3(q, q))
    cosang = dot3(u, a)
    d = a - cosang * u
    return wgs84.R_MEAN * np.arctan2(np.sqrt(dot3(d, d)), cosang) / 1e3


@dataclass(frozen=True)
class _Part:
    """What one propagation produced, body indices already global."""

    pos: F64  #: (r, 3) [m]
    vel: F64  #: (r, 3) [m/s]
    time: F64  #: (r,) from the epoch [s]
    body: NDArray[np.intp]  #: (r,)
    impact_body: NDArray[np.intp]
    impact_time: F64
    marks: list[tuple[float, int, str]]  #: located events: (time, body, name)
    table: Table  #: the trajectory table of the rows ``pos``… in their order here
    #: :func:`table_ecef` of ``table``, once computed (a remembered part keeps it, and
    #: shares it with its copies placed in a raid's bodies)
    ecef: list[tuple[F64, F64]] = field(default_factory=list, repr=False, compare=False)


@dataclass(frozen=True)
class _Flown:
    """What flying one group of threat entries produced (remembered): its propagation, body
    indices the group's own (its raid's order), and the tables of its bodies."""

    part: _Part
    rank: list[tuple[int, int]]  #: :func:`body_rank` of each body's threat entry
    file_order: NDArray[np.intp]  #: each body's member's position in the group's file order
    summary: Table  #: the group's rows of the summary table, in the group's file order
    events: list[tuple[float, str, str]]  #: the group's events: (time, id, name)
    impacts: int  #: bodies that reached the ground
    horizon: float  #: [s] the propagation's span, for ``progress``
    label: str


_FLOWN: Memo[_Flown] = Memo(FLOWN_CACHE_SIZE)


def fly(scn: Any, dt: float = 0.2, record_s: float = 1.0, seed: int | None = None,
        progress: Progress | None = None, max_step: float = MAX_STEP_S,
        alone: Collection[int] = ()) -> FlightResult:
    """Fly every threat of a concrete scenario with no defence.

    Parameters
    ----------
    scn
        A concrete :class:`tate.scenario.Scenario` (no distributions left).
    dt
        Step of rockets and gliders [s]; the subsonic flyers use ``max(dt, SLOW_DT)``.
    record_s
        Trajectory sampling interval [s] (a multiple of ``dt``).
    seed
        Recorded in the result (the seed that sampled ``scn``), if any.
    progress
        Called as ``progress(label, done_s, total_s)`` while each group flies.
    max_step
        Longest step [s]: where every body of a group flies smoothly (an RV's coast above
        80 km, a glide far from the dive, a steady cruise; each model's ``max_step``)
        the group takes whole multiples of its step up to this; 0 keeps the fixed step.
        Samples stay every ``record_s``.
    alone
        Indices of rocket or glider entries (not ballistic) each flown on its own
        (:func:`_groups`): those a study draws per run; the others' flight is remembered.
    """
    from tate.scenario import scenario_hash

    if not scn.threats:
        return FlightResult("terminated", "no threats", _empty(TRAJECTORY_COLUMNS),
                            _empty(SUMMARY_COLUMNS), _empty(("time_s", "id", "event")),
                            scenario_hash(scn), seed)
    groups = _groups(scn.threats, alone)
    base = scn.model_copy(update={"threats": []}).model_dump_json().encode()
    steps = repr((float(dt), float(record_s), float(scn.time_limit_s), float(max_step),
                  jit.enabled())).encode()
    flown = [_fly_group(scn, base + steps, picks, label, slow, dt, record_s, progress,
                        max_step) for label, picks, slow in groups]
    return _join(scn, [picks for _, picks, _ in groups], flown, seed)


def _groups(threats: list[Any], alone: Collection[int] = ()
            ) -> list[tuple[str, list[int], bool]]:
    """The propagations of a raid: ``(label, threat entries, subsonic)``: the ballistic
    missiles, the other rockets and gliders but those ``alone`` (each its own), the
    subsonic flyers."""
    ballistic = [g for g, th in enumerate(threats) if th.model == "ballistic"]
    slow = [g for g, th in enumerate(threats) if th.model in SLOW_MODELS]
    other = [g for g in range(len(threats)) if g not in ballistic and g not in slow]
    out = [(BALLISTIC_LABEL, ballistic, False)] if ballistic else []
    if rest := [g for g in other if g not in alone]:
        out.append((OTHER_LABEL, rest, False))
    out += [(str(threats[g].id), [g], False) for g in other if g in alone]
    return out + ([(SLOW_LABEL, slow, True)] if slow else [])


def _fly_group(scn: Any, key: bytes, picks: list[int], label: str, slow: bool, dt: float,
               record_s: float, progress: Progress | None, max_step: float) -> _Flown:
    """Fly the threat entries ``picks`` together (a scenario with only them), remembered
    by the exact inputs: the JSON of the scenario without threats and of each picked
    entry, and the step settings (``key``)."""
    digest = hashlib.sha256(key)
    for g in picks:
        digest.update(scn.threats[g].model_dump_json().encode())
    word = digest.digest()
    hit = _FLOWN.get(word)
    if hit is not None:
        if progress is not None:
            progress(hit.label, hit.horizon, hit.horizon)
        return hit
    only = scn.model_copy(update={"threats": [scn.threats[g] for g in picks]})
    raid = build_raid(only, dt)
    t0 = np.array([m.launch_time for m in raid.members])
    ground = np.array([_aim_alt(m) for m in raid.members])
    part = _fly_models(raid.models, raid, np.arange(t0.size), t0, ground, slow, dt, record_s,
                       scn.time_limit_s, progress, max_step, label)
    out = _Flown(part, [body_rank(m.spec) for m in raid.members], raid.file_order,
                 _summary_table(raid, part.table, part.body, part.impact_body, part.pos),
                 _event_rows(raid, part.impact_body, part.impact_time, t0, part.marks),
                 int(part.impact_body.size), float(scn.time_limit_s - t0.min()), label)
    _FLOWN.put(word, out)
    return out


def _join(scn: Any, groups: list[list[int]], flown: list[_Flown], seed: int | None
          ) -> FlightResult:
    """One flight of the groups' flights: bodies in a raid's order (:func:`body_rank`,
    then file order), rows body-major, each body's by time; the summary in file order."""
    from tate.scenario import scenario_hash

    first = np.cumsum([0] + [th.count for th in scn.threats]).tolist()
    files = [np.array([f for g in picks for f in range(first[g], first[g + 1])], np.intp)
             for picks in groups]  # each group's members' file positions
    keys = [(r, int(f[o])) for fl, f in zip(flown, files, strict=True)
            for r, o in zip(fl.rank, fl.file_order.tolist(), strict=True)]
    n = len(keys)
    glob = np.empty(n, np.intp)
    glob[sorted(range(n), key=keys.__getitem__)] = np.arange(n)  # each body's place
    sizes = np.cumsum([0] + [len(fl.rank) for fl in flown]).tolist()
    parts = [dataclasses.replace(fl.part, body=glob[sizes[k]:sizes[k + 1]][fl.part.body])
             for k, fl in enumerate(flown)]
    by = sorted(range(len(parts)), key=lambda k: int(glob[sizes[k]:sizes[k + 1]].min()))
    parts = [parts[k] for k in by]
    tables = [p.table for p in parts]
    traj = {c: np.concatenate([t[c] for t in tables]) for c in TRAJECTORY_COLUMNS}
    rows_j = np.concatenate([p.body for p in parts])
    order = None if _body_major(rows_j, traj["time_s"]) else np.lexsort((traj["time_s"],
                                                                           rows_j))
    if order is not None:  # the groups' bodies interleave
        traj = {c: v[order] for c, v in traj.items()}
    in_file = np.argsort(np.concatenate(files), kind="stable")  # the groups' rows: by file
    summary = {c: np.concatenate([fl.summary[c] for fl in flown])[in_file]
               for c in SUMMARY_COLUMNS}
    events = sorted(e for fl in flown for e in fl.events)
    hit = sum(fl.impacts for fl in flown)
    status = "terminated" if hit == n else "truncated"
    msg = (f"all {n} threats reached the ground" if hit == n else
           f"{n - hit} of {n} threats still flying at the time limit")
    return FlightResult(status, msg, traj, summary, _events_table(events), scenario_hash(scn),
                        seed, tuple(parts), order)


def _body_major(body: NDArray[np.intp], t: F64) -> bool:
    """Whether rows ``body``, ``t`` are already in ``np.lexsort((t, body))`` order."""
    if body.size < 2:
        return True
    db = np.diff(body)
    return bool(((db > 0) | ((db == 0) & (np.diff(t) >= 0.0))).all())


def _aim_alt(member: Any) -> float:
    """Altitude [m] at which a member ends: its aim point's, or the ground without an aim."""
    if not np.all(np.isfinite(member.aim)):
        return 0.0
    return float(max(wgs84.geodetic_altitude(member.aim[None, :])[0], 0.0))


def _fly_models(models: list[Any], raid: Any, sel: NDArray[np.intp], t0_all: F64,
                ground: F64, slow: bool, dt: float, record_s: float, time_limit: float,
                progress: Progress | None, max_step: float = 0.0, label: str = "") -> _Part:
    """Propagate the bodies ``sel`` of ``models`` together (``progress`` under ``label``)."""
    t0 = t0_all[sel]
    step = max(dt, SLOW_DT) if slow else dt
    horizon = float(time_limit - t0.min())
    aims = np.stack([raid.members[j].aim for j in sel], axis=1)
    events = [] if slow else [apogee_event()]
    prop = Propagator(models, raid.pos[:, sel], raid.vel[:, sel], raid.mass[sel], step,
                      ground_alt=ground[sel], aim=aims, hit_radius=HIT_RADIUS, events=events)
    tick = None if progress is None else (lambda t: progress(label, t, horizon))
    snaps = prop.run(horizon, record_every=max(1, round(record_s / step)), progress=tick,
                     max_step=max_step)
    if progress is not None:
        progress(label, horizon, horizon)
    tau, pos_k, vel_k, _, alive = snaps.arrays()  # (k,), (k, 3, n), (k, 3, n), _, (k, n)
    in_time = (tau[:, None] + t0[None, :]) <= time_limit + 1e-9
    rows_j, rows_k = np.nonzero((alive & in_time).T)  # body-major, each body's by time
    pos = pos_k[rows_k, :, rows_j]  # (r, 3)
    vel = vel_k[rows_k, :, rows_j]
    t_rows = tau[rows_k] + t0[rows_j]
    body = np.concatenate([imp.body for imp in prop.impacts] + [np.empty(0, np.intp)])
    t_imp = np.concatenate([imp.time for imp in prop.impacts] + [np.empty(0)]) + t0[body]
    keep = t_imp <= time_limit + 1e-9
    if prop.impacts:
        p_imp = np.concatenate([imp.pos for imp in prop.impacts], axis=1).T[keep]
        v_imp = np.concatenate([imp.vel for imp in prop.impacts], axis=1).T[keep]
        pos, vel = np.concatenate([pos, p_imp]), np.concatenate([vel, v_imp])
        t_rows = np.concatenate([t_rows, t_imp[keep]])
        rows_j = np.concatenate([rows_j, body[keep]])
        # each impact after its body's rows (it ends them; a stable sort keeps a tie's
        # snapshot first, as the final sort by time would)
        by_body = np.argsort(rows_j, kind="stable")
        pos, vel, t_rows, rows_j = pos[by_body], vel[by_body], t_rows[by_body], rows_j[by_body]
    marks = [(float(t + t0[b]), int(sel[b]), c.name) for c in prop.crossings
             for b, t in zip(c.body, c.time, strict=True) if t + t0[b] <= time_limit + 1e-9]
    rows_b = sel[rows_j]
    return _Part(pos, vel, t_rows, rows_b, sel[body[keep]], t_imp[keep], marks,
                 _trajectory_table(raid.members, pos, vel, t_rows, rows_b))


def _trajectory_table(members: list[Any], pos: F64, vel: F64, t: F64,
                      body: NDArray[np.intp]) -> Table:
    lat, lon, alt = wgs84.ecef_to_geodetic(pos)
    ned = wgs84.ecef_vec_to_ned(vel, lat, lon)
    speed = np.linalg.norm(vel, axis=1)
    rho, sound = density_and_sound_speed(alt)
    launch = np.stack([m.launch for m in members], axis=1)[:, body]
    ids = np.array([m.id for m in members], dtype=object)
    kinds = np.array([m.spec.model for m in members], dtype=object)
    return {
        "time_s": t, "id": ids[body], "model": kinds[body],
        "lat_deg": np.degrees(lat), "lon_deg": np.degrees(lon), "alt_m": alt,
        "vn_mps": ned[:, 0], "ve_mps": ned[:, 1], "vd_mps": ned[:, 2],
        "speed_mps": speed, "mach": np.where(alt <= MACH_CEILING, speed / sound, np.nan),
        "qbar_pa": 0.5 * rho * speed**2,
        "downrange_km": _great_circle_km(launch, pos.T),
    }


def _summary_table(raid: Any, traj: Table, body: NDArray[np.intp], imp_body: NDArray[np.intp],
                   pos: F64) -> Table:
    members = raid.members
    n = len(members)
    time, down, alt, mach = (traj[c] for c in ("time_s", "downrange_km", "alt_m", "mach"))
    rows_of: Callable[[int], NDArray[np.intp]] | None = None
    if body.size > 1 and not bool((body[1:] >= body[:-1]).all()):  # rows by body, stably
        rows_of = _rows_of(body, n)
        order = np.argsort(body, kind="stable")
        body, pos = body[order], pos[order]
        time, down, alt, mach = time[order], down[order], alt[order], mach[order]
    bounds = np.searchsorted(body, np.arange(n + 1)).tolist()
    glide_alt = _glide_altitudes(raid, traj, rows_of or (
        lambda j: np.arange(bounds[j], bounds[j + 1])))
    glide_beta = _glide_betas(raid)
    cols: dict[str, list[Any]] = {k: [] for k in (
        "id", "model", "launch_time_s", "flight_time_s", "range_km", "apogee_km",
        "glide_alt_km", "glide_beta_kg_m2", "max_mach", "impact_error_m", "outcome")}
    impacted = set(imp_body.tolist())
    aimed = [j for j in range(n) if j in impacted and np.all(np.isfinite(members[j].aim))]
    err: dict[int, float] = {}
    if aimed:  # the ground distances of all the impacts at once (per column: the same)
        ends = pos[[bounds[j + 1] - 1 for j in aimed]].T  # each body's last row
        aims = np.stack([members[j].aim for j in aimed], axis=1)
        err = dict(zip(aimed, (_great_circle_km(ends, aims) * 1e3).tolist(), strict=True))
    for j in range(n):
        m = members[j]
        lo, hi = bounds[j], bounds[j + 1]
        cols["id"].append(m.id)
        cols["model"].append(m.spec.model)
        cols["launch_time_s"].append(m.launch_time)
        cols["flight_time_s"].append(float(time[hi - 1] - m.launch_time))
        cols["range_km"].append(float(down[hi - 1]))
        cols["apogee_km"].append(float(alt[lo:hi].max() / 1e3))
        cols["glide_alt_km"].append(glide_alt.get(j, np.nan))
        cols["glide_beta_kg_m2"].append(glide_beta.get(j, np.nan))
        mj = mach[lo:hi]
        cols["max_mach"].append(float(np.nanmax(mj)) if np.isfinite(mj).any() else np.nan)
        cols["impact_error_m"].append(err.get(j, np.nan))
        cols["outcome"].append("impact" if j in impacted else "flying")
    by_file = np.argsort(raid.file_order, kind="stable")
    return {k: np.array(v, dtype=object if k in ("id", "model", "outcome") else float)[by_file]
            for k, v in cols.items()}


def _glide_betas(raid: Any) -> dict[int, float]:
    """Ballistic coefficient [kg/m^2] each constant-L/D glider flew with (given, or implied
    by a commanded glide altitude at glide entry)."""
    out: dict[int, float] = {}
    start = 0
    for model in raid.models:
        if isinstance(model, BoostGlide) and model.aero == "constant":
            for i in range(model.n):
                out[start + i] = float(model.beta[i])
        start += model.n
    return out


def _rows_of(body: NDArray[np.intp], n: int) -> Callable[[int], NDArray[np.intp]]:
    """``rows_of(j)``: the rows of body ``j`` in table order (``np.flatnonzero(body == j)``,
    from one stable sort instead of a comparison of every row per body)."""
    order = np.argsort(body, kind="stable")
    bounds = np.searchsorted(body[order], np.arange(n + 1))
    return lambda j: order[bounds[j]:bounds[j + 1]]


def _glide_altitudes(raid: Any, traj: Table, rows_of: Callable[[int], NDArray[np.intp]]
                     ) -> dict[int, float]:
    """Median altitude [km] of each glider between pull-up and dive."""
    out: dict[int, float] = {}
    start = 0
    for model in raid.models:
        if isinstance(model, BoostGlide):
            dive = {i: t for t, i, name in model.log.rows if name == "dive"}
            for i in range(model.n):
                j = start + i
                sel = rows_of(j)
                t = traj["time_s"][sel] - raid.members[j].launch_time
                alt = traj["alt_m"][sel]
                t_sep = model.t_sep[i]
                if not np.isfinite(t_sep):
                    continue
                hdot_ok = (t > t_sep + 60.0) & (t < dive.get(i, np.inf))
                if hdot_ok.any():
                    out[j] = float(np.median(alt[hdot_ok]) / 1e3)
        start += model.n
    return out


def _event_rows(raid: Any, imp_body: NDArray[np.intp], imp_time: F64, t0: F64,
                marks: list[tuple[float, int, str]]) -> list[tuple[float, str, str]]:
    """The raid's events ``(time, id, name)``: its models' phase changes, the located
    ``marks`` and the impacts, in no particular order."""
    rows: list[tuple[float, str, str]] = []
    end = np.full(len(raid.members), np.inf)
    end[imp_body] = imp_time
    start = 0
    for model in raid.models:
        for t, i, name in model.log.rows:
            j = start + i
            if t + t0[j] <= end[j]:  # a model's later updates of an ended body are not events
                rows.append((t + t0[j], raid.members[j].id, name))
        start += model.n
    rows.extend((t, raid.members[b].id, name) for t, b, name in marks)
    for b, t in zip(imp_body, imp_time, strict=True):
        rows.append((float(t), raid.members[b].id, "impact"))
    return rows


def _events_table(rows: list[tuple[float, str, str]]) -> Table:
    """The events table of rows ``(time, id, name)`` in order."""
    return {"time_s": np.array([r[0] for r in rows], float),
            "id": np.array([r[1] for r in rows], dtype=object),
            "event": np.array([r[2] for r in rows], dtype=object)}
