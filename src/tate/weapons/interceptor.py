"""Guided interceptors as a vectorised flight model: boost, midcourse, terminal homing.

``n`` interceptors of possibly different presets (:mod:`tate.weapons.presets`)
fly one :class:`InterceptorModel`; every parameter is an ``(n,)`` array (stages
``(s, n)``).  Frame: ECEF, Earth-relative velocity, as every flight model
(:mod:`tate.flight.models.base`).

Phases (``phase``; changes logged): 0 ``ready`` (not launched: the model cancels
gravity so the body holds its place until the engine launches it), 1 ``boost``
(vertical rise along the ellipsoid normal for ``t_vert_s``), 2 ``midcourse``
(steering to the predicted intercept point the engine sets with :meth:`set_pip`),
3 ``terminal`` (the target the engine sets with :meth:`set_target` is within the
seeker range; a kill vehicle's seeker works only after burnout; the preset's
homing law).  Events logged as well: ``burnout`` (last stage out; a kill vehicle
separates) and ``divert-exhausted``.

Midcourse: the zero-effort-miss law to a fixed point with gravity,
:func:`tate.weapons.guidance.pip`, N' = 3, with the body's *own* time to go (the
engine's t_PIP is stored but not used: a solid motor cannot change its arrival
time, only its direction).  Time to go: the remaining burn t_b raises the speed
from V to V_f = V + Δv (rocket equation on the propellant left), evenly; then a
coast at V_f in the local uniform field g takes the shortest t with
|r − ½gt²| = V_f t; t_go = t + t_b(V_f − V)/(2V_f).  Under thrust the gain is raised
to N' t_go/t_b (t_b ≥ 2 s), so the predicted miss is removed by burnout rather
than by arrival; a kill vehicle may spend up to half its divert budget on
midcourse corrections after burnout (:data:`MIDCOURSE_DIVERT_SHARE`).  The
uniform-field prediction limits the accuracy of long fly-outs (docs/weapons.md
gives the miss at the PIP for a set of fly-outs).

Propulsion: stages fire back to back at constant thrust F = g0 Isp ṁ (the
:class:`tate.flight.models.booster.StageTable` of the threats), spent dry mass
dropped at each burnout; the thrust and mass flow of a step are their averages
over the part of the step a stage burns, so the total impulse is exact for any
step.  Thrust points along the ellipsoid normal in the vertical rise and along
the velocity afterwards; the lateral command adds to it (cosine losses of
thrust vectoring neglected).

Lateral acceleration: the command is taken normal to the velocity and limited
per body to

* while a stage burns: min(a_struct, q̄ S C_L,max/m + (T/m) sin δ_TVC);
* after burnout, ``endo``: min(a_struct, q̄ S C_L,max/m), which falls with
  altitude as the dynamic pressure q̄ = ½ρV²;
* after burnout, ``kv``: min(a_divert, Δv_left/dt), no aerodynamic steering;
  every step spends |a|·dt of the divert budget (and m|a|/(g0 Isp_div) of
  mass); once it is spent the vehicle coasts and may miss.

Drag −q̄ S C_D(M)/m along the velocity in every phase, C_D from the Mach table
:data:`tate.weapons.presets.CD_MACH`, S the cross-section of the lowest stage left
until burnout and of the final body after.  Guidance runs once per step
(zero-order hold), with the target estimate extrapolated at constant acceleration from the time it
was given.  The target acceleration passed to the homing law is the given
(total, ECEF) target acceleration minus the interceptor's gravitational and
frame acceleration, i.e. the relative acceleration neither side's thrust
explains.

References: Zarchan, *Tactical and Strategic Missile Guidance*, 6th ed., 2012
(homing, divert); Fleeman, *Tactical Missile Design*, 2nd ed., 2006, ch. 2
(normal-force limit ∝ q̄); Sutton & Biblarz, *Rocket Propulsion Elements*, 9th
ed., ch. 2 (F = ṁ g0 Isp).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from tate import jit
from tate.flight.eom import (
    Environment,
    FrameOptions,
    dot3,
    ellipsoid_up,
    frame_accel,
    norm3,
)
from tate.flight.models.base import FlightModel
from tate.flight.models.booster import G0, StageTable
from tate.weapons._interceptor_rows import BlockRows
from tate.weapons.guidance import guidance_law, limit_accel, normal_part, pip
from tate.weapons.presets import CD_MACH, InterceptorPreset

try:  # np.interp and np.clip without their Python wrappers (the same kernels)
    from numpy._core.multiarray import interp as _interp
    from numpy._core.umath import clip as _clip  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - other numpy layouts
    _interp, _clip = np.interp, np.clip

__all__ = [
    "MIDCOURSE_DIVERT_SHARE", "MIDCOURSE_GAIN", "PHASES", "InterceptorModel", "aero_accel_limit",
]

F64 = NDArray[np.float64]
IntP = NDArray[np.intp]
PHASES = ("ready", "boost", "midcourse", "terminal")
READY, BOOST, MIDCOURSE, TERMINAL = range(4)
MIDCOURSE_GAIN = 3.0  #: N' of the PIP law [-]
MIN_BURN_HORIZON = 2.0  #: shortest burn horizon of the powered midcourse gain [s]
MIDCOURSE_DIVERT_SHARE = 0.5  #: share of a kill vehicle's divert midcourse may spend [-]
_EPS = 1e-9
_KJ = jit.Kernels("tate.weapons._interceptor_jit")  #: the compiled update's event bits


def _event_names() -> tuple[tuple[int, str], ...]:
    """The compiled update's event bits and their phase names, in logging order."""
    return ((_KJ.EV_BOOST, "boost"), (_KJ.EV_BURNOUT, "burnout"),
            (_KJ.EV_MIDCOURSE, "midcourse"), (_KJ.EV_TERMINAL, "terminal"),
            (_KJ.EV_EXHAUSTED, "divert-exhausted"))
_CD_MACH_X = np.ascontiguousarray(CD_MACH[0], float)
_CD_MACH_Y = np.ascontiguousarray(CD_MACH[1], float)


def aero_accel_limit(qbar: ArrayLike, area: ArrayLike, cl_max: ArrayLike, mass: ArrayLike,
                     a_struct: ArrayLike) -> F64:
    """Lateral acceleration limit of an aerodynamically steered body,
    min(a_struct, q̄ S C_L,max / m) [m/s^2].

    Parameters
    ----------
    qbar
        Dynamic pressure [Pa].
    area
        Reference area [m^2].
    cl_max
        Maximum normal-force coefficient on that area [-].
    mass
        [kg]
    a_struct
        Structural limit [m/s^2].
    """
    q = np.asarray(qbar, float) * np.asarray(area, float) * np.asarray(cl_max, float)
    return np.asarray(np.minimum(np.asarray(a_struct, float), q / np.asarray(mass, float)))


def _stage_table(presets: Sequence[InterceptorPreset]) -> StageTable:
    s = max(len(p.stages) for p in presets)
    arr = np.zeros((4, s, len(presets)))
    for j, p in enumerate(presets):
        for i, st in enumerate(p.stages):
            arr[:, i, j] = (st.propellant_kg, st.dry_kg, st.isp_s, st.burn_s)
    return StageTable(*arr)


def _col(presets: Sequence[InterceptorPreset], attr: str) -> F64:
    return np.array([float(getattr(p, attr)) for p in presets])


class InterceptorModel(BlockRows, FlightModel):
    """Interceptors of any guided presets.

    Parameters
    ----------
    presets
        One preset per body.
    dt
        Integration step [s] (the divert budget is spent per step).
    t_launch
        Launch time per body ``(n,)`` [s] (default 0); :meth:`launch` changes it.
    opts
        The propagator's frame switches, for the gravity the guidance compensates.
    """

    name = "interceptor"

    def __init__(self, presets: Sequence[InterceptorPreset], dt: float,
                 t_launch: ArrayLike | None = None, opts: FrameOptions | None = None) -> None:
        n = len(presets)
        super().__init__(n)
        if not dt > 0:
            raise ValueError(f"dt must be > 0, got {dt}")
        self.presets = tuple(presets)
        self.dt = float(dt)
        self.opts = opts or FrameOptions()
        self.stages = _stage_table(self.presets)
        self.payload = _col(presets, "payload_kg")
        s_max = self.stages.burn.shape[0]
        self.area_stage = np.zeros((s_max, n))  #: reference area with stage k lowest [m^2]
        for j, p in enumerate(presets):
            self.area_stage[:len(p.stages), j] = [np.pi / 4.0 * st.diameter_m**2
                                                  for st in p.stages]
        self.area_final = np.pi / 4.0 * _col(presets, "final_diameter_m") ** 2
        self.area = self.area_stage[0].copy()  #: present reference area [m^2]
        self.t_vert = _col(presets, "t_vert_s")
        self.sin_tvc = np.sin(np.radians(_col(presets, "tvc_deg")))
        self.cl_max = _col(presets, "cl_max")
        self.a_struct = _col(presets, "a_struct_mps2")
        self.nprime = _col(presets, "nprime")
        self.seeker_range = _col(presets, "seeker_range_m")
        self.kv = np.array([p.regime == "kv" for p in presets])
        self.divert_budget = np.where(self.kv, _col(presets, "divert_dv_mps"), 0.0)
        self.divert_accel = _col(presets, "divert_accel_mps2")
        self.divert_isp = _col(presets, "divert_isp_s")
        self.laws = {name: np.flatnonzero([p.guidance == name for p in presets])
                     for name in sorted({p.guidance for p in presets})}
        names = list(self.laws)
        self._law_of = np.array([names.index(p.guidance) for p in presets], np.intp)
        for name in self.laws:
            guidance_law(name)  # unknown names fail here, listing the valid ones
        self.t_launch = np.zeros(n) if t_launch is None else np.array(t_launch, float)
        self.liftoff_mass = self.stages.liftoff_mass(self.payload)
        self._thrust_k, self._mflow_k = self.stages.thrust, self.stages.mflow
        self._end_k = self.stages.end
        self._start_k = self._end_k - self.stages.burn
        self.t_burnout = self._end_k[-1]  #: after launch [s]
        self._dropped = np.zeros(self.stages.burn.shape, dtype=bool)
        # constants of the per-step arithmetic, taken once (the same values)
        self._end_eps = self._end_k - _EPS
        self._burnout_eps = self.t_burnout - _EPS
        self._t_vert_eps = self.t_vert - _EPS
        self._has_burn = self.stages.burn > 0
        self._burn_safe = np.where(self._has_burn, self.stages.burn, 1.0)
        self._isp_g0 = self.stages.isp * G0
        self._g0_isp_div = G0 * self.divert_isp
        # state of the bodies
        self.phase = np.zeros(n, dtype=np.int8)
        self.burnt_out = np.zeros(n, dtype=bool)
        self.exhausted = np.zeros(n, dtype=bool)
        self.divert_used = np.zeros(n)  #: [m/s]
        self.a_cmd = np.zeros((3, n))  #: held lateral command [m/s^2]
        self.a_max = np.zeros(n)  #: this step's lateral limit [m/s^2]
        self.thrust = np.zeros(n)  #: step-average thrust [N]
        self.mflow = np.zeros(n)  #: step-average propellant flow [kg/s]
        self.pip_pos = np.full((3, n), np.nan)
        self.t_pip = np.full(n, np.nan)
        self.tgt_pos = np.full((3, n), np.nan)
        self.tgt_vel = np.full((3, n), np.nan)
        self.tgt_acc = np.full((3, n), np.nan)
        self.tgt_time = np.full(n, np.nan)
        self._tgt_pending = np.zeros(n, dtype=bool)
        self.retired = np.zeros(n, dtype=bool)  #: flights the engine has ended
        self._hold()
        self._jit = jit.enabled()
        if self._jit:
            self._compiled()

    def _compiled(self) -> None:
        """The compiled path's kernels and its tables of the (fixed) parameters."""
        from tate.weapons import _interceptor_jit

        self._par = np.ascontiguousarray(np.stack([
            self.liftoff_mass, self.payload, self._t_vert_eps, self._burnout_eps,
            self.t_burnout, self.seeker_range, self.divert_budget, self.divert_accel,
            self.cl_max, self.sin_tvc, self.a_struct, self.nprime, self.area_final]))
        self._stg = np.ascontiguousarray(np.stack([
            self._end_eps, self.stages.dry, self._start_k, self._end_k, self._thrust_k,
            self._mflow_k, self._burn_safe, self.stages.propellant, self._isp_g0]))
        self._law_code = np.array([_interceptor_jit.LAW_CODES[p.guidance]
                                   for p in self.presets], np.int64)
        self._events = np.zeros(self.n, np.int64)
        self._to_blocks()

    def _free_fall(self, pos: F64, vel: F64, env: Environment) -> F64:
        """Gravitation and frame acceleration of every body (the environment's if it was
        computed with the model's switches)."""
        grav = env.frame_accel(self.opts)
        if grav is None:
            grav = frame_accel(pos, vel, self.opts, np.empty_like(pos))
        return grav

    def _hold(self) -> None:
        """The masks and terms :meth:`specific_force` reads, fixed between updates."""
        ready = self.phase == READY
        self._ready = ready
        self._any_ready = bool(ready.any())
        self._launched = ~ready
        self._vertical = self.phase == BOOST
        self._any_vertical = bool(self._vertical.any())
        kv = self.burnt_out & self.kv
        self._kv_on = kv
        self._any_kv = bool(kv.any())
        mflow = self.mflow.copy()
        mflow[ready] = 0.0
        self._mdot_hold = mflow
        self._kv_cmd = norm3(self.a_cmd) if self._any_kv else None

    # --- the engine's verbs -----------------------------------------------------------
    def launch(self, idx: ArrayLike, t: float) -> None:
        """Launch bodies ``idx`` at time ``t`` [s] (their state must be set by then)."""
        self.t_launch[np.asarray(idx, np.intp)] = t

    def set_pip(self, idx: ArrayLike, pip_ecef: F64, t_pip: ArrayLike) -> None:
        """Predicted intercept points ``(3, k)`` [m] and the times they are reached
        ``(k,)`` [s] for bodies ``idx``."""
        i = np.asarray(idx, np.intp)
        self.pip_pos[:, i] = pip_ecef
        self.t_pip[i] = t_pip

    def set_target(self, idx: ArrayLike, pos: F64, vel: F64, acc: F64,
                   t: float | None = None) -> None:
        """Target estimates for bodies ``idx``: ECEF position [m], Earth-relative velocity
        [m/s] and total acceleration [m/s^2], ``(3, k)``, valid at ``t`` [s] (None: at
        the next step).  Truth or a noisy seeker estimate: the engine's choice."""
        i = np.asarray(idx, np.intp)
        self.tgt_pos[:, i] = pos
        self.tgt_vel[:, i] = vel
        self.tgt_acc[:, i] = acc
        self.tgt_time[i] = np.nan if t is None else t
        self._tgt_pending[i] = t is None

    def retire(self, idx: ArrayLike) -> None:
        """Say that the engine has ended the flights of bodies ``idx`` (the propagator
        no longer integrates them): they get no more guidance nor phase changes."""
        self.retired[np.asarray(idx, np.intp)] = True

    def drop_target(self, idx: ArrayLike) -> None:
        """Forget the target of bodies ``idx`` (they coast, or steer to their PIP)."""
        i = np.asarray(idx, np.intp)
        self.tgt_pos[:, i] = np.nan
        self._tgt_pending[i] = False

    # --- discrete guidance --------------------------------------------------------------
    def update(self, t: float, pos: F64, vel: F64, mass: F64, env: Environment) -> None:
        """Launches, staging, phase changes, guidance and limits for this step."""
        if self._jit:
            self._update_compiled(t, pos, vel, mass, env)
            return
        tau = t - self.t_launch
        launched = ((self.phase == READY) & (tau >= -_EPS)).nonzero()[0]
        if launched.size:
            self.phase[launched] = BOOST
            mass[launched] = self.liftoff_mass[launched]
            self.log.add(t, launched, "boost")
        self._stage(t, tau, mass)
        up_now = ((self.phase == BOOST) & (tau >= self._t_vert_eps)).nonzero()[0]
        if up_now.size:
            self.phase[up_now] = MIDCOURSE
            self.log.add(t, up_now, "midcourse")
        if np.count_nonzero(self._tgt_pending):
            self.tgt_time[self._tgt_pending] = t
            self._tgt_pending[:] = False
        self._acquire(t, pos)
        self.a_cmd[:] = 0.0
        self.a_max[:] = 0.0
        guided = ((self.phase >= MIDCOURSE) & ~self.retired).nonzero()[0]
        if guided.size:
            self._guide(t, guided, pos.take(guided, 1), vel.take(guided, 1), mass[guided], env)
        self._hold()

    def _update_compiled(self, t: float, pos: F64, vel: F64, mass: F64,
                         env: Environment) -> None:
        """:meth:`update` in one compiled call; the phase changes logged as by it."""
        from tate.weapons import _interceptor_jit as k

        n_ev = k.update(t, self.dt, pos, vel, mass, self._free_fall(pos, vel, env), env.qbar,
                        *self.update_arrays())
        if n_ev:
            self.log_events(t)

    def update_arrays(self) -> tuple[np.ndarray, ...]:
        """The arguments of the compiled update (:func:`tate.weapons._interceptor_jit.update`)
        after ``grav`` and ``qbar``: the model's state and parameter arrays, which the
        kernel changes in place."""
        return (self.t_launch, self.phase, self.burnt_out, self.exhausted, self.retired,
                self._dropped, self.divert_used, self.a_cmd, self.a_max, self.thrust,
                self.mflow, self.area, self.pip_pos, self.tgt_pos, self.tgt_vel,
                self.tgt_acc, self.tgt_time, self._tgt_pending, self._par, self.kv,
                self._law_code, self._stg, self._has_burn, self.area_stage, self._events)

    def log_events(self, t: float) -> None:
        """Log the phase changes the compiled update of time ``t`` [s] flagged in
        ``_events``, as :meth:`update` logs them: event by event (boost, burnout,
        midcourse, terminal, divert exhausted), the bodies in order."""
        ev = self._events
        hit = ev.nonzero()[0].tolist()  # the few bodies with an event
        if not hit:
            return
        codes = ev[hit].tolist()
        rows = self.log.rows
        for bit, name in _event_names():
            for i, code in zip(hit, codes, strict=True):
                if code & bit:
                    rows.append((float(self.t_launch[i] + self.t_burnout[i]), i, name)
                                if name == "burnout" else (t, i, name))

    def _stage(self, t: float, tau: F64, mass: F64) -> None:
        """Drop spent stages, separate at burnout, set this step's thrust and flow."""
        active = (self.phase > READY) & ~self.burnt_out
        if not np.count_nonzero(active):
            self.thrust[:] = 0.0
            self.mflow[:] = 0.0
            return
        spent = (tau >= self._end_eps) & ~self._dropped & self._has_burn & active
        any_spent = bool(np.count_nonzero(spent))
        if any_spent:
            for k in range(spent.shape[0]):
                mass[spent[k]] -= self.stages.dry[k, spent[k]]
            self._dropped |= spent
        out = (active & (tau >= self._burnout_eps)).nonzero()[0]
        if out.size:
            self.burnt_out[out] = True
            mass[out] = self.payload[out]
            self.log.rows.extend((float(self.t_launch[i] + self.t_burnout[i]), int(i), "burnout")
                                 for i in out)
        if any_spent:
            lowest = np.minimum(self._dropped.sum(axis=0), self.area_stage.shape[0] - 1)
            self.area = np.where(self.burnt_out, self.area_final,
                                 self.area_stage[lowest, np.arange(self.n)])
        lo = np.maximum(self._start_k, tau)
        hi = np.minimum(self._end_k, tau + self.dt)
        frac = np.maximum(hi - lo, 0.0) / self.dt
        on = (self.phase > READY) & ~self.burnt_out
        self.thrust = np.einsum("kj,kj->j", frac, self._thrust_k) * on
        self.mflow = np.einsum("kj,kj->j", frac, self._mflow_k) * on

    def _target_now(self, t: float, idx: IntP) -> tuple[F64, F64, F64]:
        """Target estimates of bodies ``idx`` extrapolated to ``t`` at constant acceleration."""
        h = t - self.tgt_time[idx]
        acc = self.tgt_acc.take(idx, 1)
        v0 = self.tgt_vel.take(idx, 1)
        vel = v0 + acc * h
        pos = self.tgt_pos.take(idx, 1) + v0 * h + 0.5 * acc * h * h
        return pos, vel, acc

    def _acquire(self, t: float, pos: F64) -> None:
        """Midcourse bodies whose seeker sees their target go terminal."""
        cand = ((self.phase == MIDCOURSE) & np.isfinite(self.tgt_pos[0])
                & (self.burnt_out | ~self.kv) & ~self.retired).nonzero()[0]
        if cand.size == 0:
            return
        tp, _, _ = self._target_now(t, cand)
        seen = cand[norm3(tp - pos.take(cand, 1)) <= self.seeker_range[cand]]
        if seen.size:
            self.phase[seen] = TERMINAL
            self.log.add(t, seen, "terminal")

    def _guide(self, t: float, idx: IntP, pos: F64, vel: F64, mass: F64,
               env: Environment) -> None:
        """Commands and limits of the guided bodies ``idx`` (pos, vel, mass already
        gathered)."""
        grav = env.frame_accel(self.opts)  # the interceptor's own free fall
        if grav is None:
            free = frame_accel(pos, vel, self.opts, np.empty_like(pos))
        else:
            free = grav.take(idx, 1)
        a = np.zeros_like(pos)
        term = (self.phase[idx] == TERMINAL) & np.isfinite(self.tgt_pos[0, idx])
        n_term = np.count_nonzero(term)
        if n_term:
            k = term.nonzero()[0]
            tp, tv, ta = self._target_now(t, idx[k])
            if len(self.laws) == 1:  # one law: every terminal body in one call
                a[:, k] = guidance_law(next(iter(self.laws))).command(
                    tp - pos.take(k, 1), tv - vel.take(k, 1), vel.take(k, 1),
                    ta - free.take(k, 1), np.zeros(k.size), self.nprime[idx[k]])
            else:
                law_of = self._law_of[idx[k]]
                for law, name in enumerate(self.laws):
                    sel = k[law_of == law]
                    if sel.size == 0:
                        continue
                    j = np.searchsorted(k, sel)
                    a[:, sel] = guidance_law(name).command(
                        tp[:, j] - pos[:, sel], tv[:, j] - vel[:, sel], vel[:, sel],
                        ta[:, j] - free[:, sel], np.zeros(sel.size), self.nprime[idx[sel]])
        if n_term == idx.size:
            mid = np.zeros(idx.size, dtype=bool)
        else:
            mid = ~term & np.isfinite(self.pip_pos[0, idx])
        if np.count_nonzero(mid):
            k = mid.nonzero()[0]
            ik = idx[k]
            vk, fk = vel.take(k, 1), free.take(k, 1)
            r_pip = self.pip_pos.take(ik, 1) - pos.take(k, 1)
            t_go, t_burn = self._time_to_pip(t, ik, r_pip, vk, fk, mass[k])
            # under thrust the miss must be gone by burnout: N' ZEM / (t_go t_b)
            t_b = _clip(t_burn, MIN_BURN_HORIZON, np.maximum(t_go, MIN_BURN_HORIZON))
            gain = MIDCOURSE_GAIN * np.where(t_burn > 0.0, t_go / t_b, 1.0)
            a[:, k] = pip(r_pip, vk, t_go, gain, -fk)
        a = normal_part(a, vel)
        a_max = self._limits(idx, mass, env)
        a = limit_accel(a, a_max)
        self.a_cmd[:, idx] = a
        self.a_max[idx] = a_max
        self._spend_divert(t, idx, a)

    def _time_to_pip(self, t: float, idx: IntP, r_pip: F64, vel: F64, grav: F64,
                     mass: F64) -> tuple[F64, F64]:
        """The body's own time to reach its PIP [s] and its remaining burn time [s].

        The remaining burn t_b takes the speed from V to V_f = V + Δv (rocket equation
        on the propellant left), evenly; then a ballistic coast at V_f in the uniform
        field ``grav`` needs the shortest t with |r − ½ g t²| = V_f t, i.e. the smaller
        root of ¼g²T² − (V_f² + r·g)T + R² = 0 in T = t² (R/V_f where no root exists).
        t_go = t + t_b (V_f − V)/(2V_f).
        """
        speed = norm3(vel)
        tau = t - self.t_launch[idx]
        t_left = self.t_burnout[idx] - tau
        if np.count_nonzero(t_left > 0.0):
            dv = self._delta_v_left(idx, tau, mass)
            t_burn = np.maximum(t_left, 0.0) * ~self.burnt_out[idx]
        else:  # every motor done (and so burnt out): no stage has anything left
            dv, t_burn = np.zeros(idx.size), np.zeros(idx.size)
        v_f = np.maximum(speed + dv, 1.0)
        r2 = dot3(r_pip, r_pip)
        b = v_f * v_f + dot3(r_pip, grav)
        disc = b * b - dot3(grav, grav) * r2
        ok = (disc >= 0.0) & (b > 0.0)
        coast = np.where(ok, np.sqrt(2.0 * r2 / np.where(ok, b + np.sqrt(np.abs(disc)), 1.0)),
                         np.sqrt(r2) / v_f)
        return np.asarray(coast + t_burn * (v_f - speed) / (2.0 * v_f)), t_burn

    def _delta_v_left(self, idx: IntP, tau: F64, mass: F64) -> F64:
        """Δv of the propellant left [m/s] (rocket equation, stage by stage)."""
        left = np.minimum(1.0, np.maximum(0.0, (self._end_k.take(idx, 1) - tau)
                                          / self._burn_safe.take(idx, 1)))
        m, dv = mass.copy(), np.zeros(idx.size)
        for k in range(left.shape[0]):
            lk = left[k]
            if not np.count_nonzero(lk):  # a stage burnt out for all: adds 0 to Δv
                continue
            burn = lk * self.stages.propellant[k, idx]
            dv += self._isp_g0[k, idx] * np.log(m / np.maximum(m - burn, 1e-9))
            m = m - burn - np.where(lk > 0, self.stages.dry[k, idx], 0.0)
        return dv

    def _limits(self, idx: IntP, mass: F64, env: Environment) -> F64:
        """Lateral acceleration limit of the guided bodies ``idx`` [m/s^2]."""
        # aero_accel_limit with a_struct = inf: min(inf, x) is x
        aero = env.qbar[idx] * self.area[idx] * self.cl_max[idx] / mass
        tvc = self.thrust[idx] / mass * self.sin_tvc[idx]
        a_max = np.minimum(self.a_struct[idx], aero + tvc)
        kv = self.burnt_out[idx] & self.kv[idx]
        if np.count_nonzero(kv):
            # midcourse may spend only its share of the divert; the rest is the endgame's
            share = np.where(self.phase[idx] == TERMINAL, 1.0, MIDCOURSE_DIVERT_SHARE)
            left = np.maximum(share * self.divert_budget[idx] - self.divert_used[idx], 0.0)
            a_max = np.where(kv, np.minimum(self.divert_accel[idx], left / self.dt), a_max)
        return np.asarray(a_max)

    def _spend_divert(self, t: float, idx: IntP, a: F64) -> None:
        kv = self.burnt_out[idx] & self.kv[idx] & ~self.exhausted[idx]
        if not np.count_nonzero(kv):
            return
        sel = kv.nonzero()[0]
        k = idx[sel]
        self.divert_used[k] += norm3(a.take(sel, 1)) * self.dt
        gone = k[self.divert_used[k] >= self.divert_budget[k] * (1.0 - 1e-12)]
        if gone.size:
            self.exhausted[gone] = True
            self.log.add(t, gone, "divert-exhausted")

    # --- forces -------------------------------------------------------------------------
    def specific_force(self, t: float, pos: F64, vel: F64, mass: F64, env: Environment,
                       acc: F64, mdot: F64) -> None:
        """Thrust along the vertical or the velocity, drag, the held lateral command; the
        propellant and divert mass flow."""
        if self._jit:
            from tate.weapons._interceptor_jit import specific_force

            specific_force(pos, vel, mass, env.speed, env.qbar, env.mach,
                           self._free_fall(pos, vel, env), self.phase, self.burnt_out,
                           self.kv, self.thrust, self.mflow, self.area, self.a_cmd,
                           self._g0_isp_div, _CD_MACH_X, _CD_MACH_Y, acc, mdot)
            return
        speed = env.speed
        inv_v = np.where(speed > 0.0, speed, 1.0)
        np.divide(1.0, inv_v, out=inv_v)
        drag = env.qbar * self.area
        drag *= _interp(env.mach, _CD_MACH_X, _CD_MACH_Y)
        drag *= inv_v
        axial = self.thrust * inv_v
        f = axial - drag
        f /= mass
        np.multiply(vel, f, out=acc)
        acc += self.a_cmd
        slow = speed <= 0.0
        slow &= self._launched
        if self._any_vertical or np.count_nonzero(slow):
            fix = (self._vertical | slow).nonzero()[0]
            up = ellipsoid_up(pos.take(fix, 1))
            m_fix = mass[fix]
            acc[:, fix] += up * (self.thrust[fix] / m_fix) - vel.take(fix, 1) * (
                axial[fix] / m_fix)
        np.copyto(mdot, self._mdot_hold)
        if self._kv_cmd is not None:
            div = self._kv_cmd * mass
            div /= self._g0_isp_div
            mdot += np.where(self._kv_on, div, 0.0)
        if self._any_ready:  # held on deck: the rounds waiting in their cells
            grav = env.frame_accel(self.opts)
            if grav is None:
                grav = frame_accel(pos, vel, self.opts, np.empty_like(pos))
            np.copyto(acc, np.negative(grav), where=self._ready)
