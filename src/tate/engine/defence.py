"""The engine's defence: decide, act, assess (DESIGN.md §1, steps 4–6).

* **Launchers** are rows: one per (ship, weapon preset) with rounds in its magazine and a
  layer in ``c2.layers`` (interceptors: ``exo`` SM-3-like, ``glide`` GPI-like, ``terminal``
  SM-6-like, ``point`` ESSM-like and the CIWS-like gun), and one per railgun (layer
  ``railgun``), all at the ship's position in the tracker's ENU frame.
* **Decide**, every ``c2.decision_period_s``: the confirmed tracks are evaluated
  (:func:`tate.c2.threat.assess_threats`: kind, impact, threatened asset, time to go,
  value); tracks already engaged and awaiting kill assessment are left out, and of two
  tracks on one threat only the older is engaged; every track's path is predicted once, by
  the predictor of ``c2.predictor`` (:func:`tate.predict.paths.predict_tracks`: kinematic,
  or for gliders a model fitted on the track's states at the decisions of the last 20 s,
  kept in a :class:`~tate.predict.history.TrackHistory`); the earliest intercept of every
  (launcher, track) pair on that path is found (:func:`tate.c2.engage.opportunities`); each
  track keeps only the launchers of its outermost layer that has an opportunity (layer
  order); the assigner of ``c2.assigner`` (:mod:`tate.c2.wta`) assigns rounds: the magazine
  less the reserve, one round per pair and cycle under shoot-look-shoot or ``c2.salvo``
  under salvo, pairs below ``c2.min_pk`` forbidden, cost weighted by ``c2.cost_weight``;
  then at most one round (shoot-look-shoot) or ``c2.salvo`` rounds per target and decision
  are kept, the best launchers' first.  A threat with a round in the air is not engaged
  again until that round is resolved and ``c2.kill_assessment_s`` has passed; nor is a
  track, by the same rule on its id (a false track, or one lagging a manoeuvring threat, is
  on no threat).
* **Act**: interceptors are launched with the predicted intercept point and flown together,
  every round of the magazines one body of :class:`~tate.engine.pool.InterceptorPool`
  (adaptive step); the target a round is fired at is the threat nearest its track within
  3 km or 4 σ of the track's position (a track on no threat — a false track — wastes the
  round); once within seeker range the round homes on the threat's truth seen through its
  seeker's angle and glint noise (the pool's ``seekers`` stream); in midcourse each
  decision re-aims a round at its threat's current track, on the same predicted path.  An
  assessed kill deletes the track fired at and the tracks near it with no detection since
  the kill (another radar's duplicate).  Railgun and gun rounds are resolved without flying
  them: the shot lands after the fly-out time with the dispersion-based kill probability at
  the PIP's range.  Railguns fire only when charged: each ship's electrical plant
  (:class:`~tate.weapons.power.PowerPlant`) serves hotel, radar, propulsion and then the
  railgun charger every tick.
* **Assess**: each interceptor's closest approach to its threat inside every step (cubic
  Hermite on both, :func:`tate.weapons.intercept.closest_approach_hermite`) ends the
  engagement when the range starts opening; the miss distance gives the kill probability of
  the preset's kill mechanism and the kill is drawn from the run's ``kills`` stream.  A
  round whose threat is gone (killed or impacted) or that flew ``MAX_OVERTIME_S`` past its
  intercept time is recorded as a miss.

Units: s, m, m/s, W, J, USD.  Frames: decisions in the tracker's ENU frame, flight in
ECEF.
"""

from __future__ import annotations

import importlib
import zlib
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from tate import jit
from tate.c2 import threat as _threat  # (modules: tests patch functions of them)
from tate.c2.doctrine import DecisionConstants, Hold, doctrine_cap, free_tracks, oldest_per_threat
from tate.c2.wta import WTAProblem
from tate.engine import decision as _decision
from tate.weapons.intercept import draw_kill

__all__ = ["LAYER_OF", "Defence"]

F64 = NDArray[np.float64]
SHIP_DECK_M = 10.0  #: launch height above sea level [m]
CHANNELS_PER_SHIP = 16  #: most engagements a ship's launchers start per decision [A]
_NO_BODIES = np.empty(0, np.intp)  #: no round in midcourse (read-only)
_NO_BODIES.setflags(write=False)
LAYER_OF = {"sm3-iia-like": "exo", "sm3-ib-like": "exo", "gpi-like": "glide",
            "sm6-like": "terminal", "essm-like": "point", "ciws-like": "point"}
KILL_STREAM = 0x4B11


@dataclass
class _Pending:
    """A gun or railgun round in flight, resolved at ``t``."""

    t: float
    shot: int
    threat: int
    pk: float


@dataclass
class Defence:
    """The defended group's weapons, magazines, power and engagements."""

    eng: Any
    launch_rows: dict[str, list[Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        from tate.scenario.distributions import nominal
        from tate.weapons.power import LOADS, PowerPlant, demand_matrix
        from tate.weapons.presets import GunPreset, preset
        from tate.weapons.ship_presets import plant_preset, railgun_preset

        eng = self.eng
        scn = eng.scenario
        self.c2 = scn.c2
        self.rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(
            eng.seed, spawn_key=(KILL_STREAM, zlib.crc32(b"kills")))))
        rows: dict[str, list[Any]] = {k: [] for k in (
            "ship", "name", "layer", "kind", "spec", "rounds", "cost", "ship_idx")}
        ships_ecef, ships_enu, plants, guns, gun_ship = [], [], [], [], []
        from tate.earth import wgs84

        for s, ship in enumerate(scn.ships):
            lat, lon = np.radians(nominal(ship.lat_deg)), np.radians(nominal(ship.lon_deg))
            ecef = wgs84.geodetic_to_ecef(lat, lon, SHIP_DECK_M)
            ships_ecef.append(ecef)
            ships_enu.append(eng._enu(ecef[None])[0])
            plants.append(plant_preset(ship.class_))
            for name, count in ship.rounds.items():
                layer = LAYER_OF.get(name, "")
                if count <= 0 or layer not in self.c2.layers:
                    continue
                spec: Any = preset(name)
                rows["ship"].append(ship.id)
                rows["name"].append(name)
                rows["layer"].append(layer)
                rows["kind"].append("gun" if isinstance(spec, GunPreset) else "missile")
                rows["spec"].append(spec)
                rows["rounds"].append(int(count))
                rows["cost"].append(float(spec.cost_usd))
                rows["ship_idx"].append(s)
            if ship.railgun is not None and "railgun" in self.c2.layers:
                gun: Any = railgun_preset(ship.railgun)
                spec = gun
                rows["ship"].append(ship.id)
                rows["name"].append(ship.railgun)
                rows["layer"].append("railgun")
                rows["kind"].append("railgun")
                rows["spec"].append(spec)
                rows["rounds"].append(int(spec.barrel_life))
                rows["cost"].append(float(spec.cost_per_round_usd))
                rows["ship_idx"].append(s)
                guns.append(spec)
                gun_ship.append(s)
        self.rows = rows
        self.W = len(rows["name"])
        self.rounds = np.array(rows["rounds"], np.int64)
        self.initial_rounds = self.rounds.copy()
        self.ships_ecef = np.array(ships_ecef).reshape(-1, 3)
        self.ships_enu = np.array(ships_enu).reshape(-1, 3)
        self.plant = PowerPlant(plants) if plants else None
        self.speeds = np.array([nominal(s.speed_kn) for s in scn.ships], float)
        self._demand = demand_matrix(plants, self.speeds, True, 0.0)  # railgun's: per tick
        self._rail = LOADS.index("railgun")  # the speeds are constant, so are the others
        from tate.weapons.railgun import RailgunState

        self.railguns = RailgunState(guns) if guns else None
        self.gun_ship = np.array(gun_ship, np.intp)
        self.gun_row = np.array([i for i, k in enumerate(rows["kind"]) if k == "railgun"],
                                np.intp)
        self._gun_rows: list[int] = self.gun_row.tolist()
        self.launchers = self._launchers()
        from tate.engine.pool import InterceptorPool

        missile = [w for w in range(self.W) if rows["kind"][w] == "missile"]
        self.pool_row = {w: k for k, w in enumerate(missile)}  #: launcher row → pool's
        self.pool = InterceptorPool(
            [rows["spec"][w] for w in missile], [rows["rounds"][w] for w in missile],
            self.ships_ecef[np.array([rows["ship_idx"][w] for w in missile], np.intp)]
            if missile else np.zeros((0, 3)), eng.t,
            np.random.Generator(np.random.PCG64(np.random.SeedSequence(
                eng.seed, spawn_key=(KILL_STREAM, zlib.crc32(b"seekers"))))))
        self.pending: list[_Pending] = []
        #: the decision's per-run constants
        self._c2c = DecisionConstants.of(self.c2, rows, self.initial_rounds)
        self._assets_cache: Any = None
        self._frame_cache: Any = None
        self._floors: Any = None  #: the pool's midcourse speed floors (decision.pip_floors)
        self._jit = jit.enabled()  #: compiled σ, threat lookup and midcourse re-aim
        self._kas = float(self.c2.kill_assessment_s)  #: per-run constants [s]
        self._period = float(self.c2.decision_period_s)
        self._kinematic = str(self.c2.predictor) == "kinematic"
        self.threat_hold = Hold()  #: by truth row
        #: by track id: a track on no threat (false, or lagging a manoeuvring threat) is
        #: held by its own id, as a threat is by its truth row
        self.track_hold = Hold()
        self.drops: list[tuple[float, int]] = []  #: (time, track id) to delete: kills assessed
        self.shots: list[list[Any]] = []  #: rows of the shots table (mutable until resolved)
        from tate.engine.replay import Recorder

        self.recorder = Recorder()  #: interceptor and track samples for the replay
        self.magazine: list[tuple[float, str, str, int]] = []
        self.next_decision = eng.t
        self.energy_j = 0.0
        self.reachable = np.zeros(eng.truth.n, dtype=bool)  #: some weapon had a PIP on it
        self.notes: list[str] = []
        self._setup_predictor()
        from tate.weapons.power import railgun_power_available_w

        for s in self.gun_ship.tolist():
            if railgun_power_available_w(plants[s], float(self.speeds[s])) <= 0.0:
                self.notes.append(f"the railgun on {scn.ships[s].id} cannot be charged: its "
                                  f"{plants[s].name} plant has no power left after hotel, "
                                  f"radar and propulsion loads at {self.speeds[s]:g} kn")

    def _setup_predictor(self) -> None:
        """The track history and the predictor of ``c2.predictor``; for ``learned``, check
        now that the model's module is there (the model itself loads at first use)."""
        from tate.predict.history import TrackHistory
        from tate.predict.paths import DEFAULT_WINDOW_S

        self.predictor = str(self.c2.predictor)
        self.history = TrackHistory(DEFAULT_WINDOW_S)
        self.model_predictions = 0  #: (decision, track) paths predicted by the model
        self.classified = 0  #: (decision, track) windows the learned classifier labelled
        self._learned: Any = None
        period, tick = float(self.c2.decision_period_s), float(self.eng.config.dt)
        if self.predictor != "kinematic" and abs(period / tick - round(period / tick)) > 1e-6:
            self.notes.append(f"c2.predictor = {self.predictor!r} may predict kinematically "
                              f"only: the decision period {period:g} s is not a multiple of "
                              f"the {tick:g} s tick, so decisions can miss its window's grid")
        if self.predictor == "learned":
            try:
                learned = importlib.import_module("tate.predict.learned")
                self._load_learned = learned.load_default
            except (ImportError, AttributeError) as exc:
                from tate.errors import ScenarioError

                raise ScenarioError(
                    "the learned predictor is not available (tate.predict.learned."
                    f"load_default: {exc}); use kinematic or glide-physics",
                    "c2.predictor", "learned") from None

    def _predict(self, t: float, ids: NDArray[np.intp], pos: F64, vel: F64,
                 ballistic: NDArray[np.bool_], glider: NDArray[np.bool_], sigma: F64) -> Any:
        """The tracks' predicted paths on the engageability grid
        (:class:`tate.predict.paths.PathPrediction`); with the learned predictor the
        gliders are the tracks its classifier calls gliders on their last 20 s."""
        from tate.c2.engage import intercept_grid
        from tate.predict.paths import predict_tracks

        if self.predictor == "learned":
            if self._learned is None:
                self._learned = self._load_learned()
            glider = self._learned_gliders(t, ids, sigma)
        pred = predict_tracks(self.predictor, self.history, t, ids, pos, vel, ballistic,
                              glider, intercept_grid(), self.eng.origin, self._learned,
                              period_s=float(self.c2.decision_period_s),
                              tracker=self.eng.tracker)
        self.model_predictions += int(pred.modelled.sum())
        return pred

    def _learned_gliders(self, t: float, ids: NDArray[np.intp], sigma: F64
                         ) -> NDArray[np.bool_]:
        """Tracks with a full window that the learned classifier calls gliders."""
        from tate.predict.paths import learned_gliders

        out, n = learned_gliders(self._learned, self.history, t, ids, sigma, self.eng.origin,
                                 float(self.c2.decision_period_s))
        self.classified += n
        return out

    # -- launchers ------------------------------------------------------------------------
    def _launchers(self) -> Any:
        from tate.c2.engage import Launchers

        W = self.W
        vals = {k: np.zeros(W) for k in ("burn", "speed", "min_alt", "max_alt", "min_r",
                                         "max_r", "max_v", "pk", "sig", "res", "leth")}
        gun = np.zeros(W, dtype=bool)
        for i, (kind, spec) in enumerate(zip(self.rows["kind"], self.rows["spec"],
                                             strict=True)):
            if kind == "railgun":
                vals["speed"][i] = spec.muzzle_speed_mps
                vals["min_alt"][i], vals["max_alt"][i] = 0.0, 30e3  # [A]
                vals["min_r"][i], vals["max_r"][i] = 1e3, 150e3  # [A]
                vals["max_v"][i] = 4000.0
                vals["pk"][i] = spec.pk_hit
                vals["sig"][i] = spec.dispersion_rad if not spec.guided else 0.0
                vals["res"][i] = spec.guided_residual_m if spec.guided else 0.0
                vals["leth"][i] = spec.lethal_radius_m
                gun[i] = True
                continue
            env = spec.envelope
            vals["min_alt"][i], vals["max_alt"][i] = env.min_alt_m, env.max_alt_m
            vals["min_r"][i], vals["max_r"][i] = env.min_range_m, env.max_range_m
            vals["max_v"][i] = env.max_target_speed_mps
            if kind == "gun":
                vals["speed"][i] = spec.muzzle_speed_mps
                vals["pk"][i] = float(spec.pk(np.array(1000.0), np.array(0.5)))
                gun[i] = True
                continue
            vals["burn"][i] = sum(st.burn_s for st in spec.stages)
            vals["speed"][i] = spec.burnout_speed_mps
            vals["pk"][i] = spec.pk_max * 0.9
        pos = self.ships_enu[np.array(self.rows["ship_idx"], np.intp)] if W else np.zeros((0, 3))
        from tate.weapons.flyout import flyout_table

        tables = tuple(flyout_table(name) if kind == "missile" else None
                       for name, kind in zip(self.rows["name"], self.rows["kind"], strict=True))
        return Launchers(pos, vals["burn"], vals["speed"], vals["min_alt"], vals["max_alt"],
                         vals["min_r"], vals["max_r"], vals["max_v"], vals["pk"], vals["sig"],
                         vals["res"], vals["leth"], gun, tables)

    # -- each tick ------------------------------------------------------------------------
    def tick(self, t0: float, t1: float) -> None:
        """Power and charging over (t0, t1], decisions due, flights, pending rounds."""
        self._power(t1 - t0)
        due = [(when, tid) for when, tid in self.drops if when <= t1 + 1e-9] if (
            self.drops) else None
        if due:
            kas = float(self.c2.kill_assessment_s)
            for when, tid in due:  # the kill's own track and its silent duplicates
                self.eng.tracker.drop_with_neighbours([tid], quiet_since=when - kas)
            self.drops = [(w, tid) for w, tid in self.drops if w > t1 + 1e-9]
        if t1 >= self.next_decision - 1e-9:
            self._decide(t1)
            self.next_decision = t1 + self._period
        self._fly(t0, t1)
        if self.pending:  # (mostly none pending)
            self._resolve_pending(t1)

    def _power(self, dt: float) -> None:
        """Serve the loads and charge the railguns over ``dt`` [s] (charging.serve_and_charge)."""
        if self.plant is None or dt <= 0:
            return
        if "_serve" not in self.__dict__:  # imported once (a `from` import costs ~1 us)
            from tate.weapons.charging import serve_and_charge
            self._serve = serve_and_charge
        self.energy_j += self._serve(self.plant, self.railguns, self.gun_ship, self._demand,
                                     self._rail, dt)

    # -- decide and act -------------------------------------------------------------------
    def _decide(self, t: float) -> None:
        eng = self.eng
        if self._jit and eng.tracker.confirmed_positions().shape[0] == 0:
            return  # no confirmed track (the packed tracker's kept positions: no copies)
        rows = eng.tracker.confirmed()
        if rows.ids.size == 0:
            return
        # contiguous once: the kernels below would each copy the strided views
        pos, vel = np.ascontiguousarray(rows.x[:, :3]), np.ascontiguousarray(rows.x[:, 3:6])
        if not self._kinematic:  # the kinematic predictor reads no history
            self.history.record(t, rows.ids, pos, vel)
        sigma, threat = _decision.sigma_and_threats(  # threat: the truth row cued, or −1
            eng, t, self._kas, rows.P, pos, self._frame(), self._jit)
        self.recorder.confirmed(t, rows.ids, threat, pos, vel, rows.P[:, :3, :3], sigma,
                                owned=True)  # (this decision's own arrays: not copied)
        if self.W == 0:
            return
        ids_l, threat_l = rows.ids.tolist(), threat.tolist()
        free_l = free_tracks(self.threat_hold, self.track_hold, threat_l, ids_l, t)
        oldest_per_threat(free_l, ids_l, threat_l)  # (two ships' radars on one threat)
        c = self._c2c
        # the opportunities of the tracks that may be fired at, and of those on threats
        # not yet seen reachable (for the record); none of the others is used (as lists)
        reach = self.reachable
        unseen_l = [j >= 0 and not reach[j] for j in threat_l]  # threats not yet reachable
        need_l = unseen_l
        if fire := any(free_l):  # the rounds available are read only when a track is free
            avail, fire = self._available(c)
            if fire:
                need_l = [u or f for u, f in zip(unseen_l, free_l, strict=True)]
        any_need = any(need_l)
        kinematic = self._kinematic  # the opportunities' own path, no model
        if kinematic and not any_need:  # only the midcourse re-aim
            if (bodies := self._midcourse()).size:
                self._update_pips(t, threat, pos, vel,
                                  _threat.assess_rows(pos, vel, self._assets()).kind == 1,
                                  bodies=bodies)
            return
        ta = _threat.assess_rows(pos, vel, self._assets())
        ballistic = ta.kind == 1
        pred = None if kinematic else self._predict(t, rows.ids, pos, vel, ballistic,
                                                    ta.kind == _threat.GLIDER, sigma)
        self._update_pips(t, threat, pos, vel, ballistic, pred)
        if not any_need:
            return
        opp = _decision.search_tracks(self.launchers, self._period,  # (non-finite ttg: inf)
                                      np.array(need_l, dtype=bool), pos, vel,
                                      ta.time_to_go, ballistic, pred)
        if any(unseen_l):  # (the threats of the other tracks are reachable already)
            reach[threat[np.array(unseen_l, dtype=bool) & opp.feasible.any(axis=0)]] = True
        if not fire:
            return
        pk, base, found = _decision.fire_pairs(  # held tracks' columns 0; usable pairs
            opp.pk, np.array(free_l, dtype=bool), avail, c.min_pk, self._jit)
        if not found:
            return  # no pair the assigner may use: it fires nothing (max_salvos all 0)
        # values scaled so the most urgent track is worth 100 (the assigner's tolerances
        # are absolute; Ahuja-style values are 25-100)
        prio = np.maximum(np.asarray(ta.priority, float), 0.0)
        value = np.maximum(100.0 * prio / max(float(prio.max()), 1e-12), 1e-3)
        # layer order: each track keeps the launchers of its outermost layer that could
        # fire now: an opportunity, a round to spare, Pk at least min_pk, and a round
        # worth its weighted cost (Pk · value > cost_weight · cost); an empty or
        # too-dear outer layer hands the track to the next one
        usable = base & opp.feasible & (pk * value[None, :] > c.weighted_cost)
        rank = c.rank_rows
        for j, col in enumerate(usable.T.tolist()):  # a few pairs: Python scalars
            ok = [w for w, u in enumerate(col) if u]
            if ok:
                outer = min([rank[w] for w in ok])
                for w in ok:
                    if rank[w] > outer:
                        pk[w, j] = 0.0
        salvo = c.salvo
        problem = WTAProblem(value=value, pk=pk, rounds=avail,
                             max_shots=np.full(pk.shape, salvo, np.int64),
                             min_pk=c.min_pk,
                             cost=c.cost_m,
                             cost_weight=c.cost_weight, salvo=c.ones)
        shots = doctrine_cap(c.assigner.assign(problem).shots, pk, salvo)
        self._launch(t, shots, opp, threat, rows.ids, pos)

    def _available(self, c: Any) -> tuple[NDArray[np.int64], bool]:
        """Rounds each launcher may fire now (a charged railgun one, a missile launcher its
        magazine less the reserve; ``c``: ``DecisionConstants``) and whether any may."""
        avail = self.rounds.tolist()  # a few rows: Python ints, the same values
        if self.railguns is not None:
            for w, ready in zip(self._gun_rows, self.railguns.ready.tolist(), strict=True):
                avail[w] = min(avail[w], 1) if ready else 0
        out = [a if r is None else max(a - r, 0)
               for a, r in zip(avail, c.reserve_rows, strict=True)]
        return np.array(out, np.int64), max(out, default=0) > 0

    def _update_pips(self, t: float, threat: NDArray[np.intp], pos: F64, vel: F64,
                     ballistic: NDArray[np.bool_], pred: Any = None,
                     bodies: NDArray[np.intp] | None = None) -> None:
        """Re-aim every round in midcourse (``bodies``: :meth:`_midcourse`, if known) at its
        threat's track on the decision's prediction (:func:`.decision.update_pips`)."""
        if bodies is None:
            bodies = self._midcourse()
        if bodies.size == 0:
            return
        if self._floors is None and self.pool.model is not None:  # fixed for the run
            self._floors = _decision.pip_floors(self.pool)
        _decision.update_pips(self.pool, self.eng.origin, self._frame(), threat, pos, vel,
                              ballistic, pred, self._jit, self._floors, bodies)

    def _midcourse(self) -> NDArray[np.intp]:
        """The pool's rounds in midcourse (``pool.midcourse``); none while none flies."""
        if not self.pool.any_active():
            return _NO_BODIES
        return self.pool.midcourse()

    def _frame(self) -> F64:
        """:func:`tate.earth.wgs84.enu_frame` of the tracker's origin (built once)."""
        if self._frame_cache is None:
            from tate.earth import wgs84

            lat, lon, alt = self.eng.origin
            self._frame_cache = wgs84.enu_frame(np.radians(lat), np.radians(lon), alt)
        return self._frame_cache

    def _assets(self) -> Any:
        """The defended assets (ships and ``assets``) in the ENU frame, built once."""
        if self._assets_cache is None:
            self._assets_cache = self._build_assets()
        return self._assets_cache

    def _build_assets(self) -> Any:
        from tate.c2.threat import DefendedAssets
        from tate.scenario.distributions import nominal

        scn = self.eng.scenario
        pts, val, rad = [], [], []
        for s, ship in enumerate(scn.ships):
            pts.append(self.ships_enu[s])
            val.append(float(nominal(ship.value)))
            rad.append(500.0)
        from tate.earth import wgs84

        for a in scn.assets:
            ecef = wgs84.geodetic_to_ecef(np.radians(nominal(a.lat_deg)),
                                          np.radians(nominal(a.lon_deg)), nominal(a.alt_m))
            pts.append(self.eng._enu(ecef[None])[0])
            val.append(float(nominal(a.value)))
            rad.append(float(nominal(a.radius_m)))
        return DefendedAssets(np.array(pts).reshape(-1, 3), np.array(val), np.array(rad))

    def _launch(self, t: float, shots: NDArray[np.int64], opp: Any,
                threat: NDArray[np.intp], track_ids: NDArray[np.intp], pos: F64) -> None:
        w_idx, j_idx = np.nonzero(shots)
        if w_idx.size == 0:
            return
        per_ship: dict[int, int] = {}
        missiles: list[tuple[int, int, int]] = []
        for w, j in zip(w_idx.tolist(), j_idx.tolist(), strict=True):
            s = self.rows["ship_idx"][w]
            if per_ship.get(s, 0) >= CHANNELS_PER_SHIP:
                continue
            per_ship[s] = per_ship.get(s, 0) + 1
            n = int(min(shots[w, j], self.rounds[w]))
            kind = self.rows["kind"][w]
            tgt = int(threat[j])
            t_int = float(opp.t_intercept[w, j])
            for _ in range(n):
                shot = self._new_shot(t, w, tgt, int(track_ids[j]))
                self.rounds[w] -= 1
                if kind == "railgun":
                    if self.railguns is not None:  # a railgun row implies the guns exist
                        self.railguns.fire(self.gun_row == w)
                    self.pending.append(_Pending(t + t_int, shot, tgt, float(opp.pk[w, j])))
                elif kind == "gun":
                    self.pending.append(_Pending(t + t_int, shot, tgt, float(opp.pk[w, j])))
                else:
                    missiles.append((shot, w, j))
            self.magazine.append((t, self.rows["ship"][w], self.rows["name"][w],
                                  int(self.rounds[w])))
            due = t + t_int + float(self.c2.kill_assessment_s)
            self.track_hold.launch(int(track_ids[j]), n, due)
            if tgt >= 0:
                self.threat_hold.launch(tgt, n, due)
        if missiles:
            self._launch_missiles(t, missiles, opp, threat)

    def _new_shot(self, t: float, w: int, tgt: int, track: int) -> int:
        name = self.rows["name"][w]
        threat_id = str(self.eng.truth.ids[tgt]) if tgt >= 0 else ""
        self.shots.append([t, name, self.rows["ship"][w], self.rows["layer"][w], track,
                           threat_id, np.nan, np.nan, False, self.rows["cost"][w], "in flight",
                           np.nan, np.nan])
        self.eng.events.append((t, "launch-" + self.rows["layer"][w], threat_id or "(track)",
                                f"{name} from {self.rows['ship'][w]}"))
        return len(self.shots) - 1

    def _launch_missiles(self, t: float, missiles: list[tuple[int, int, int]], opp: Any,
                         threat: NDArray[np.intp]) -> None:
        frame = self._frame()
        for shot, w, j in missiles:  # (wgs84.enu_to_ecef of each PIP, on Python floats)
            self.pool.launch(t, self.pool_row[w], _decision.pip_to_ecef(frame, opp.pip[w, j]),
                             float(opp.t_intercept[w, j]), shot, int(threat[j]))

    # -- fly and assess -------------------------------------------------------------------
    def _fly(self, t0: float, t1: float) -> None:
        pool = self.pool
        if not pool.any_active():  # nothing in the air: the pool only moves its clock
            pool.fly(t0, t1, self.eng.truth, self.eng.killed, self._report)
            return
        was = pool.active.nonzero()[0]
        pool.fly(t0, t1, self.eng.truth, self.eng.killed, self._report)
        if pool.prop is not None:  # one gather of the rows flown (new arrays)
            self.recorder.state_block(t1, pool.shot[was], pool.prop.y.take(was, 1))

    def _report(self, b: int, t: float, miss: float, outcome: str) -> None:
        """An engagement of pool body ``b`` ended: draw the kill of an assessed closest
        approach, else record the outcome."""
        shot, tgt = int(self.pool.shot[b]), int(self.pool.threat[b])
        model = self.pool.model
        if model is not None and bool(model.kv[b]):  # kill vehicles: divert Δv spent
            self.shots[shot][12] = float(model.divert_used[b])
        if outcome != "assess":
            self._finish(shot, tgt, t, miss, 0.0, False, outcome)
            return
        pk = float(self.pool.preset(b).pk(np.array(miss)))
        kill = bool(draw_kill(np.array([pk]), self.rng)[0])
        self._finish(shot, tgt, t, miss, pk, kill, "kill" if kill else "survived")

    def _finish(self, shot: int, tgt: int, t: float, miss: float, pk: float, kill: bool,
                outcome: str) -> None:
        eng = self.eng
        row = self.shots[shot]
        row[6], row[7], row[8], row[10], row[11] = miss, pk, kill, outcome, t
        tid = str(eng.truth.ids[tgt]) if tgt >= 0 else ""
        detail = f"{row[1]} from {row[2]}, miss {miss:.1f} m, Pk {pk:.2f}" if np.isfinite(
            miss) else f"{row[1]} from {row[2]}: {outcome}"
        if kill:  # once the kill is assessed, the track it was fired at is dropped
            self.drops.append((t + float(self.c2.kill_assessment_s), int(row[4])))
        if kill and tgt >= 0 and not eng.killed[tgt]:
            eng.killed[tgt] = True
            eng.kill_time[tgt] = t
            eng.killed_by[tgt] = f"{row[1]} ({row[2]})"
            eng.kill_layer[tgt] = row[3]
            eng.events.append((t, "kill", tid, detail))
        elif np.isfinite(miss):
            eng.events.append((t, "intercept-failed", tid, detail))
        free_at = t + float(self.c2.kill_assessment_s)
        if tgt >= 0:
            self.threat_hold.resolve(tgt, free_at)
        self.track_hold.resolve(int(row[4]), free_at)

    def _resolve_pending(self, t1: float) -> None:
        if not self.pending:  # mostly none pending
            return
        keep = [p for p in self.pending if p.t > t1 + 1e-9]
        if len(keep) == len(self.pending):  # none due (mostly none pending)
            return
        due, eng = [p for p in self.pending if not p.t > t1 + 1e-9], self.eng
        for p in due:
            alive = p.threat >= 0 and not eng.killed[p.threat] and \
                eng.truth.t_last[p.threat] >= p.t
            if not alive:
                self._finish(p.shot, p.threat, p.t, np.nan, 0.0, False, "target gone")
                continue
            kill = bool(draw_kill(np.array([p.pk]), self.rng)[0])
            self._finish(p.shot, p.threat, p.t, 0.0 if kill else np.nan, p.pk, kill,
                         "kill" if kill else "survived")
        self.pending = keep
