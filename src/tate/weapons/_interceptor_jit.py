"""Compiled kernels of the interceptor pool: one call per guidance update, per force
evaluation, per truth query and per kill-assessment screen (private; :mod:`tate.jit`).

Each kernel is a loop over bodies with scalar arithmetic in the order of the numpy
reference it replaces, so the two agree to rounding (``log``, ``sqrt`` and the
divisions are IEEE; no ``fastmath``):

* :func:`update` — :meth:`tate.weapons.interceptor.InterceptorModel.update`: launches,
  staging, phase changes, seeker acquisition, terminal homing (``pn``, ``tpn``,
  ``apn``, ``zem``, ``pip``), midcourse steering to the PIP, lateral limits, divert
  spending.  The phase changes to log come back as bit flags per body
  (:data:`EV_BOOST` ...), for the caller to log in the reference's order.
* :func:`specific_force` — :meth:`~tate.weapons.interceptor.InterceptorModel.specific_force`.
* :func:`truth_sample` — :meth:`tate.engine.truth.TruthStore.sample` (cubic Hermite
  between recorded samples).
* :func:`assess_screen` — the distances and flags of
  :meth:`tate.engine.pool.InterceptorPool._assess` before its closest-approach search.

Importing this module imports numba (the callers import it lazily).
"""

from __future__ import annotations

import math

import numpy as np

from tate.earth import wgs84
from tate.jit import njit

__all__ = [
    "EV_BOOST", "EV_BURNOUT", "EV_EXHAUSTED", "EV_MIDCOURSE", "EV_TERMINAL", "LAW_CODES",
    "assess_screen", "force_list", "specific_force", "truth_sample", "update",
    "update_list", "update_rows",
]

#: terminal laws by kernel code (tate.weapons.guidance names)
LAW_CODES = {"pn": 0, "tpn": 1, "apn": 2, "zem": 3, "pip": 4}
EV_BOOST, EV_BURNOUT, EV_MIDCOURSE, EV_TERMINAL, EV_EXHAUSTED = 1, 2, 4, 8, 16

_READY, _BOOST, _MIDCOURSE, _TERMINAL = 0, 1, 2, 3
_EPS = 1e-9
_MIDCOURSE_GAIN = 3.0
_MIN_BURN_HORIZON = 2.0
_MIDCOURSE_DIVERT_SHARE = 0.5
_GRAD_XY = 1.0 / wgs84.A**2
_GRAD_Z = 1.0 / wgs84.B**2


# --- scalar helpers (numpy's NaN-propagating minimum/maximum, the _safe of guidance) ----
@njit
def _fmin(a: float, b: float) -> float:
    if a != a or b != b:
        return a + b
    return a if a <= b else b


@njit
def _fmax(a: float, b: float) -> float:
    if a != a or b != b:
        return a + b
    return a if a >= b else b


@njit
def _safe(x: float) -> float:
    return x if x > 0.0 else 1.0


@njit
def _dot(a0: float, a1: float, a2: float, b0: float, b1: float, b2: float) -> float:
    return (a0 * b0 + a1 * b1) + a2 * b2


@njit
def _normal_part(a0: float, a1: float, a2: float, u0: float, u1: float,
                 u2: float) -> tuple[float, float, float]:
    """guidance.normal_part of one column."""
    c = _dot(a0, a1, a2, u0, u1, u2) / _safe(_dot(u0, u1, u2, u0, u1, u2))
    return a0 - c * u0, a1 - c * u1, a2 - c * u2


@njit
def _cross(a0: float, a1: float, a2: float, b0: float, b1: float,
           b2: float) -> tuple[float, float, float]:
    return a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0


@njit
def _interp(x: float, xp: np.ndarray, fp: np.ndarray) -> float:
    """np.interp of one value (numpy's arithmetic and end rules)."""
    n = xp.shape[0]
    if x != x:
        return x
    if x < xp[0]:
        return fp[0]
    if x > xp[n - 1]:
        return fp[n - 1]
    if x == xp[n - 1]:
        return fp[n - 1]
    lo, hi = 0, n - 1  # xp[lo] <= x < xp[hi]
    while hi - lo > 1:
        mid = (lo + hi) >> 1
        if xp[mid] <= x:
            lo = mid
        else:
            hi = mid
    if x == xp[lo]:
        return fp[lo]
    slope = (fp[lo + 1] - fp[lo]) / (xp[lo + 1] - xp[lo])
    res = slope * (x - xp[lo]) + fp[lo]
    if res != res:
        res = slope * (x - xp[lo + 1]) + fp[lo + 1]
        if res != res and fp[lo] == fp[lo + 1]:
            res = fp[lo]
    return res


# --- terminal homing (tate.weapons.guidance, one column) ---------------------------------
@njit
def _homing(law: int, r0: float, r1: float, r2: float, v0: float, v1: float, v2: float,
            m0: float, m1: float, m2: float, a0: float, a1: float, a2: float,
            nprime: float) -> tuple[float, float, float]:
    """Command of law ``law`` (:data:`LAW_CODES`) for LOS ``r``, relative velocity ``v``,
    pursuer velocity ``m`` and relative target acceleration ``a``."""
    rr = _dot(r0, r1, r2, r0, r1, r2)
    rv = _dot(r0, r1, r2, v0, v1, v2)
    if law == 0:  # pn: N' (r × v)/|r|² × v_M
        w0, w1, w2 = _cross(r0, r1, r2, v0, v1, v2)
        s = _safe(rr)
        c0, c1, c2 = _cross(w0 / s, w1 / s, w2 / s, m0, m1, m2)
        return nprime * c0, nprime * c1, nprime * c2
    if law == 1 or law == 2:  # tpn, apn
        vc = -rv / _safe(math.sqrt(rr))
        k = nprime * _fmax(vc, 0.0) / _safe(math.sqrt(rr))
        c = _dot(v0, v1, v2, r0, r1, r2) / _safe(rr)
        o0, o1, o2 = k * (v0 - c * r0), k * (v1 - c * r1), k * (v2 - c * r2)
        if law == 2:
            g = 0.5 * nprime if vc > 0.0 else 0.0
            p0, p1, p2 = _normal_part(a0, a1, a2, r0, r1, r2)
            o0, o1, o2 = o0 + g * p0, o1 + g * p1, o2 + g * p2
        return o0, o1, o2
    if law == 3:  # zem with its own time to go
        tg = -rv / _safe(_dot(v0, v1, v2, v0, v1, v2))
        h = 0.5 * tg * tg
        z0, z1, z2 = r0 + v0 * tg + h * a0, r1 + v1 * tg + h * a1, r2 + v2 * tg + h * a2
        k = nprime / _safe(tg * tg) if tg > 0.0 else 0.0
        p0, p1, p2 = _normal_part(z0, z1, z2, r0, r1, r2)
        return k * p0, k * p1, k * p2
    # pip with the engine's time to go, which the model passes as 0: no command
    p0, p1, p2 = _normal_part((r0 - m0 * 0.0) + 0.0 * a0, (r1 - m1 * 0.0) + 0.0 * a1,
                              (r2 - m2 * 0.0) + 0.0 * a2, m0, m1, m2)
    return 0.0 * p0, 0.0 * p1, 0.0 * p2


# --- InterceptorModel.update ------------------------------------------------------------
@njit
def _stage_list(idx: np.ndarray, nl: int, t: float, dt: float, t_launch: np.ndarray,
                mass: np.ndarray, phase: np.ndarray, burnt_out: np.ndarray,
                dropped: np.ndarray, has_burn: np.ndarray, par: np.ndarray, stg: np.ndarray,
                thrust: np.ndarray, mflow: np.ndarray, events: np.ndarray) -> bool:
    """The liftoff and InterceptorModel._stage of bodies ``idx[:nl]`` (the first part of
    :func:`update_list`, one call for the bodies): ``events`` gets their liftoff and
    burnout flags; returns whether a stage was dropped."""
    liftoff, payload, burnout_eps = par[0], par[1], par[3]
    end_eps, dry, start_k, end_k = stg[0], stg[1], stg[2], stg[3]
    thrust_k, mflow_k = stg[4], stg[5]
    spent_any = False
    for jj in range(nl):
        j = idx[jj]
        ev = 0
        tau = t - t_launch[j]
        if phase[j] == _READY and tau >= -_EPS:
            phase[j] = _BOOST
            mass[j] = liftoff[j]
            ev |= EV_BOOST
        events[j] = ev
        if not (phase[j] > _READY and not burnt_out[j]):
            # no motor burns: the reference's sum of (0 × thrust) over stages
            thrust[j] = 0.0
            mflow[j] = 0.0
            continue
        for k in range(dry.shape[0]):
            if tau >= end_eps[k, j] and not dropped[k, j] and has_burn[k, j]:
                mass[j] -= dry[k, j]
                dropped[k, j] = True
                spent_any = True
        if tau >= burnout_eps[j]:
            burnt_out[j] = True
            mass[j] = payload[j]
            events[j] = ev | EV_BURNOUT
        on = phase[j] > _READY and not burnt_out[j]
        st = 0.0
        sm = 0.0
        for k in range(dry.shape[0]):
            frac = _fmax(_fmin(end_k[k, j], tau + dt) - _fmax(start_k[k, j], tau), 0.0) / dt
            st += frac * thrust_k[k, j]
            sm += frac * mflow_k[k, j]
        w = 1.0 if on else 0.0
        thrust[j] = st * w
        mflow[j] = sm * w
    return spent_any


@njit
def _time_to_pip(j: int, tau: float, r0: float, r1: float, r2: float, speed: float,
                 g0: float, g1: float, g2: float, m: float, burnt_out: bool,
                 t_burnout: float, stg: np.ndarray) -> tuple[float, float]:
    """InterceptorModel._time_to_pip (with _delta_v_left) for body j (``burnt_out``,
    ``t_burnout`` [s]: its values; ``stg``: the stage planes of :func:`update_list`):
    (t_go, t_burn)."""
    t_left = t_burnout - tau
    dv = 0.0
    t_burn = 0.0
    if t_left > 0.0:
        for k in range(stg.shape[1]):  # planes 3 end, 6 burn, 7 propellant, 8 g0 Isp, 1 dry
            lk = _fmin(1.0, _fmax(0.0, (stg[3, k, j] - tau) / stg[6, k, j]))
            if lk == 0.0:
                continue
            burn = lk * stg[7, k, j]
            dv += stg[8, k, j] * math.log(m / _fmax(m - burn, 1e-9))
            m = m - burn - (stg[1, k, j] if lk > 0 else 0.0)
        t_burn = t_left if not burnt_out else 0.0
    v_f = _fmax(speed + dv, 1.0)
    rr = _dot(r0, r1, r2, r0, r1, r2)
    b = v_f * v_f + _dot(r0, r1, r2, g0, g1, g2)
    disc = b * b - _dot(g0, g1, g2, g0, g1, g2) * rr
    if disc >= 0.0 and b > 0.0:
        coast = math.sqrt(2.0 * rr / (b + math.sqrt(abs(disc))))
    else:
        coast = math.sqrt(rr) / v_f
    return coast + t_burn * (v_f - speed) / (2.0 * v_f), t_burn


@njit
def update_list(idx: np.ndarray, nl: int, t: float, dt: float, pos: np.ndarray,
                vel: np.ndarray, mass: np.ndarray, grav: np.ndarray, qbar: np.ndarray,
                t_launch: np.ndarray, phase: np.ndarray, burnt_out: np.ndarray,
                exhausted: np.ndarray, retired: np.ndarray, dropped: np.ndarray,
                divert_used: np.ndarray, a_cmd: np.ndarray, a_max: np.ndarray,
                thrust: np.ndarray, mflow: np.ndarray, area: np.ndarray,
                pip_pos: np.ndarray, tgt_pos: np.ndarray, tgt_vel: np.ndarray,
                tgt_acc: np.ndarray, tgt_time: np.ndarray, tgt_pending: np.ndarray,
                par: np.ndarray, kv: np.ndarray, law: np.ndarray, stg: np.ndarray,
                has_burn: np.ndarray, area_stage: np.ndarray, events: np.ndarray) -> int:
    """:func:`update` on the bodies ``idx[:nl]`` only, in that order (the others are
    left as they are); returns the number of them with events.

    ``par`` rows (``(n,)`` parameters): 0 liftoff mass, 1 payload, 2 t_vert − ε,
    3 t_burnout − ε, 4 t_burnout, 5 seeker range, 6 divert budget, 7 divert
    acceleration, 8 C_L,max, 9 sin δ_TVC, 10 a_struct, 11 N', 12 final area.
    ``stg`` planes (``(s, n)`` stage tables): 0 end − ε, 1 dry, 2 start, 3 end,
    4 thrust, 5 mass flow, 6 burn (1 where none), 7 propellant, 8 g0 Isp.
    """
    # the liftoff and staging first (a body touches only its own columns)
    any_spent = _stage_list(idx, nl, t, dt, t_launch, mass, phase, burnt_out, dropped,
                            has_burn, par, stg, thrust, mflow, events)
    n_ev = 0
    # the rows as views, once (not per body)
    t_vert_eps, t_burnout, seeker_range = par[2], par[4], par[5]
    budget, divert_accel = par[6], par[7]
    cl_max, sin_tvc, a_struct, nprime, area_final = par[8], par[9], par[10], par[11], par[12]
    for jj in range(nl):
        j = idx[jj]
        ev = events[j]
        tau = t - t_launch[j]
        if phase[j] == _BOOST and tau >= t_vert_eps[j]:
            phase[j] = _MIDCOURSE
            ev |= EV_MIDCOURSE
        if tgt_pending[j]:
            tgt_time[j] = t
            tgt_pending[j] = False
        if (phase[j] == _MIDCOURSE and math.isfinite(tgt_pos[0, j])
                and (burnt_out[j] or not kv[j]) and not retired[j]):
            h = t - tgt_time[j]
            d0 = tgt_pos[0, j] + tgt_vel[0, j] * h + 0.5 * tgt_acc[0, j] * h * h - pos[0, j]
            d1 = tgt_pos[1, j] + tgt_vel[1, j] * h + 0.5 * tgt_acc[1, j] * h * h - pos[1, j]
            d2 = tgt_pos[2, j] + tgt_vel[2, j] * h + 0.5 * tgt_acc[2, j] * h * h - pos[2, j]
            if math.sqrt(_dot(d0, d1, d2, d0, d1, d2)) <= seeker_range[j]:
                phase[j] = _TERMINAL
                ev |= EV_TERMINAL
        events[j] = ev
        if ev:
            n_ev += 1
    if any_spent:
        s_top = area_stage.shape[0] - 1
        for jj in range(nl):
            j = idx[jj]
            if burnt_out[j]:
                area[j] = area_final[j]
            else:
                lowest = 0
                for k in range(dropped.shape[0]):
                    if dropped[k, j]:
                        lowest += 1
                area[j] = area_stage[min(lowest, s_top), j]
    for jj in range(nl):
        j = idx[jj]
        a_cmd[0, j] = 0.0
        a_cmd[1, j] = 0.0
        a_cmd[2, j] = 0.0
        a_max[j] = 0.0
        if phase[j] < _MIDCOURSE or retired[j]:
            continue
        p0, p1, p2 = pos[0, j], pos[1, j], pos[2, j]
        v0, v1, v2 = vel[0, j], vel[1, j], vel[2, j]
        f0, f1, f2 = grav[0, j], grav[1, j], grav[2, j]
        m = mass[j]
        c0 = c1 = c2 = 0.0
        if phase[j] == _TERMINAL and math.isfinite(tgt_pos[0, j]):
            h = t - tgt_time[j]
            ta0, ta1, ta2 = tgt_acc[0, j], tgt_acc[1, j], tgt_acc[2, j]
            tv0, tv1, tv2 = tgt_vel[0, j], tgt_vel[1, j], tgt_vel[2, j]
            c0, c1, c2 = _homing(
                law[j],
                tgt_pos[0, j] + tv0 * h + 0.5 * ta0 * h * h - p0,
                tgt_pos[1, j] + tv1 * h + 0.5 * ta1 * h * h - p1,
                tgt_pos[2, j] + tv2 * h + 0.5 * ta2 * h * h - p2,
                (tv0 + ta0 * h) - v0, (tv1 + ta1 * h) - v1, (tv2 + ta2 * h) - v2,
                v0, v1, v2, ta0 - f0, ta1 - f1, ta2 - f2, nprime[j])
        elif math.isfinite(pip_pos[0, j]):
            r0, r1, r2 = pip_pos[0, j] - p0, pip_pos[1, j] - p1, pip_pos[2, j] - p2
            speed = math.sqrt(_dot(v0, v1, v2, v0, v1, v2))
            t_go, t_burn = _time_to_pip(j, t - t_launch[j], r0, r1, r2, speed, f0, f1, f2,
                                        m, burnt_out[j], t_burnout[j], stg)
            t_b = _fmin(_fmax(t_burn, _MIN_BURN_HORIZON), _fmax(t_go, _MIN_BURN_HORIZON))
            gain = _MIDCOURSE_GAIN * (t_go / t_b if t_burn > 0.0 else 1.0)
            hh = 0.5 * t_go * t_go
            z0 = r0 - v0 * t_go + hh * -f0
            z1 = r1 - v1 * t_go + hh * -f1
            z2 = r2 - v2 * t_go + hh * -f2
            g = gain / _safe(t_go * t_go) if t_go > 0.0 else 0.0
            n0, n1, n2 = _normal_part(z0, z1, z2, v0, v1, v2)
            c0, c1, c2 = g * n0, g * n1, g * n2
        c0, c1, c2 = _normal_part(c0, c1, c2, v0, v1, v2)
        # lateral limit (InterceptorModel._limits)
        lim = _fmin(a_struct[j], qbar[j] * area[j] * cl_max[j] / m + thrust[j] / m * sin_tvc[j])
        kv_on = burnt_out[j] and kv[j]
        if kv_on:
            share = 1.0 if phase[j] == _TERMINAL else _MIDCOURSE_DIVERT_SHARE
            left = _fmax(share * budget[j] - divert_used[j], 0.0)
            lim = _fmin(divert_accel[j], left / dt)
        mag = math.sqrt(_dot(c0, c1, c2, c0, c1, c2))
        scale = _fmin(1.0, lim / _safe(mag)) if mag > 0.0 else 1.0
        c0, c1, c2 = c0 * scale, c1 * scale, c2 * scale
        a_cmd[0, j] = c0
        a_cmd[1, j] = c1
        a_cmd[2, j] = c2
        a_max[j] = lim
        if kv_on and not exhausted[j]:  # InterceptorModel._spend_divert
            divert_used[j] += math.sqrt(_dot(c0, c1, c2, c0, c1, c2)) * dt
            if divert_used[j] >= budget[j] * (1.0 - 1e-12):
                exhausted[j] = True
                if events[j] == 0:
                    n_ev += 1
                events[j] |= EV_EXHAUSTED
    return n_ev


@njit
def update(t: float, dt: float, pos: np.ndarray, vel: np.ndarray, mass: np.ndarray,
           grav: np.ndarray, qbar: np.ndarray, t_launch: np.ndarray, phase: np.ndarray,
           burnt_out: np.ndarray, exhausted: np.ndarray, retired: np.ndarray,
           dropped: np.ndarray, divert_used: np.ndarray, a_cmd: np.ndarray,
           a_max: np.ndarray, thrust: np.ndarray, mflow: np.ndarray, area: np.ndarray,
           pip_pos: np.ndarray, tgt_pos: np.ndarray, tgt_vel: np.ndarray,
           tgt_acc: np.ndarray, tgt_time: np.ndarray, tgt_pending: np.ndarray,
           par: np.ndarray, kv: np.ndarray, law: np.ndarray, stg: np.ndarray,
           has_burn: np.ndarray, area_stage: np.ndarray, events: np.ndarray) -> int:
    """InterceptorModel.update on every body; returns the number of bodies with events
    (``events`` gets their flags).

    ``par`` rows (``(n,)`` parameters): 0 liftoff mass, 1 payload, 2 t_vert − ε,
    3 t_burnout − ε, 4 t_burnout, 5 seeker range, 6 divert budget, 7 divert
    acceleration, 8 C_L,max, 9 sin δ_TVC, 10 a_struct, 11 N', 12 final area.
    ``stg`` planes (``(s, n)`` stage tables): 0 end − ε, 1 dry, 2 start, 3 end,
    4 thrust, 5 mass flow, 6 burn (1 where none), 7 propellant, 8 g0 Isp.
    """
    n = phase.shape[0]
    return update_list(np.arange(n), n, t, dt, pos, vel, mass, grav, qbar, t_launch, phase,
                       burnt_out, exhausted, retired, dropped, divert_used, a_cmd, a_max,
                       thrust, mflow, area, pip_pos, tgt_pos, tgt_vel, tgt_acc, tgt_time,
                       tgt_pending, par, kv, law, stg, has_burn, area_stage, events)


@njit
def update_rows(blocks: tuple) -> tuple:
    """The arguments of :func:`update` after ``qbar`` as rows of the model's blocks
    (:attr:`InterceptorModel._blocks`: float rows ``(35, n)`` — t_launch, divert used,
    a_max, thrust, mass flow, area, target time, the 13 ``par`` rows, then a_cmd,
    PIP, target position, velocity and acceleration ``(3, n)`` each —, the stage
    planes ``(10, s, n)`` — ``stg`` then the stage areas —, bool rows ``(5 + 2 s, n)``
    — burnt out, exhausted, retired, target pending, kv, then dropped and has-burn
    ``(s, n)`` each —, int rows ``(2, n)`` — law code, events — and the phase)."""
    f, st, b, i, phase = blocks
    s = st.shape[1]
    return (f[0], phase, b[0], b[1], b[2], b[5:5 + s], f[1], f[20:23], f[2], f[3], f[4],
            f[5], f[23:26], f[26:29], f[29:32], f[32:35], f[6], b[3], f[7:20], b[4], i[0],
            st[:9], b[5 + s:5 + 2 * s], st[9], i[1])


# --- InterceptorModel.specific_force ----------------------------------------------------
@njit
def force_list(idx: np.ndarray, nc: int, pos: np.ndarray, vel: np.ndarray,
               mass: np.ndarray, speed_: np.ndarray, qbar: np.ndarray, mach: np.ndarray,
               grav: np.ndarray, phase: np.ndarray, burnt_out: np.ndarray, kv: np.ndarray,
               thrust: np.ndarray, mflow: np.ndarray, area: np.ndarray, a_cmd: np.ndarray,
               g0_isp_div: np.ndarray, cd_x: np.ndarray, cd_y: np.ndarray, acc: np.ndarray,
               mdot: np.ndarray) -> None:
    """:func:`specific_force` of bodies ``idx[:nc]`` (column ``j`` of every array for each
    ``j``; the others are left as they are).  One call for the bodies, not one per body:
    a call takes and releases a reference to each of its arrays (numba's atomic
    reference counts), which would cost more than the body's arithmetic."""
    for jj in range(nc):
        j = idx[jj]
        m = mass[j]
        speed = speed_[j]
        ph = phase[j]
        if ph == _READY:  # held on deck: cancel gravity and the frame terms
            acc[0, j] = -grav[0, j]
            acc[1, j] = -grav[1, j]
            acc[2, j] = -grav[2, j]
            mdot[j] = 0.0
            continue
        inv_v = 1.0 / (speed if speed > 0.0 else 1.0)
        drag = qbar[j] * area[j] * _interp(mach[j], cd_x, cd_y) * inv_v
        axial = thrust[j] * inv_v
        f = (axial - drag) / m
        a0 = vel[0, j] * f + a_cmd[0, j]
        a1 = vel[1, j] * f + a_cmd[1, j]
        a2 = vel[2, j] * f + a_cmd[2, j]
        if ph == _BOOST or speed <= 0.0:  # along the vertical, or no velocity yet
            u0, u1, u2 = pos[0, j] * _GRAD_XY, pos[1, j] * _GRAD_XY, pos[2, j] * _GRAD_Z
            inv = 1.0 / math.sqrt(_dot(u0, u1, u2, u0, u1, u2))
            tm = thrust[j] / m
            am = axial / m
            a0 += u0 * inv * tm - vel[0, j] * am
            a1 += u1 * inv * tm - vel[1, j] * am
            a2 += u2 * inv * tm - vel[2, j] * am
        acc[0, j] = a0
        acc[1, j] = a1
        acc[2, j] = a2
        md = mflow[j]
        if burnt_out[j] and kv[j]:
            c0, c1, c2 = a_cmd[0, j], a_cmd[1, j], a_cmd[2, j]
            md += math.sqrt(_dot(c0, c1, c2, c0, c1, c2)) * m / g0_isp_div[j]
        mdot[j] = md


@njit
def specific_force(pos: np.ndarray, vel: np.ndarray, mass: np.ndarray, speed_: np.ndarray,
                   qbar: np.ndarray, mach: np.ndarray, grav: np.ndarray, phase: np.ndarray,
                   burnt_out: np.ndarray, kv: np.ndarray, thrust: np.ndarray,
                   mflow: np.ndarray, area: np.ndarray, a_cmd: np.ndarray,
                   g0_isp_div: np.ndarray, cd_x: np.ndarray, cd_y: np.ndarray,
                   acc: np.ndarray, mdot: np.ndarray) -> None:
    """InterceptorModel.specific_force into ``acc (3, n)`` and ``mdot (n,)``."""
    n = phase.shape[0]
    force_list(np.arange(n), n, pos, vel, mass, speed_, qbar, mach, grav, phase, burnt_out,
               kv, thrust, mflow, area, a_cmd, g0_isp_div, cd_x, cd_y, acc, mdot)


# --- TruthStore.sample ------------------------------------------------------------------
@njit
def truth_sample(bodies: np.ndarray, tq_: np.ndarray, time: np.ndarray, pos: np.ndarray,
                 vel: np.ndarray, start: np.ndarray, keys: np.ndarray, span: float,
                 t0: float, p_out: np.ndarray, v_out: np.ndarray) -> None:
    """TruthStore._sample into ``p_out``, ``v_out`` ``(3, k)`` (any strides: e.g. the
    caller's ``(k, 3)`` transposed); ``tq_`` holds a time [s] per body, or one for all.

    The sorted ``keys``' ``searchsorted(side="right")`` is searched on the body's own
    rows ``[first, last]`` only: on a sorted array, the search of a sub-range is the
    whole array's answer clamped to it, and ``hi`` clamps it to ``[first + 1, last]``
    anyway (a NaN key: the lowest index either way).  One loop here, no call per body
    (a call takes and releases a reference to each of its arrays: numba's atomic
    reference counts cost more than a body's arithmetic)."""
    one = tq_.shape[0] == 1
    for i in range(bodies.shape[0]):
        b = bodies[i]
        tq = tq_[0] if one else tq_[i]
        first = start[b]
        last = start[b + 1] - 1
        tq = _fmin(_fmax(tq, time[first]), time[last])
        key = b * span + (tq - t0)
        lo_, hi_ = first, last + 1  # searchsorted(side="right") on the body's rows
        while lo_ < hi_:
            mid = (lo_ + hi_) >> 1
            if keys[mid] <= key:
                lo_ = mid + 1
            else:
                hi_ = mid
        hi = min(max(lo_, first + 1), last)
        lo = max(hi - 1, first)
        t_lo = time[lo]
        h = time[hi] - t_lo
        if h <= 0:
            h = 1.0
            s = 0.0
        else:
            s = (tq - t_lo) / h
        s2 = s * s
        s3 = s * s * s
        h00 = 2 * s3 - 3 * s2 + 1
        h10 = h * (s3 - 2 * s2 + s)
        h01 = -2 * s3 + 3 * s2
        h11 = h * (s3 - s2)
        d00 = (6 * s2 - 6 * s) / h
        d10 = 3 * s2 - 4 * s + 1
        d01 = (-6 * s2 + 6 * s) / h
        d11 = 3 * s2 - 2 * s
        for c in range(3):
            p0, v0, p1, v1 = pos[lo, c], vel[lo, c], pos[hi, c], vel[hi, c]
            p_out[c, i] = h00 * p0 + h10 * v0 + h01 * p1 + h11 * v1
            v_out[c, i] = d00 * p0 + d10 * v0 + d01 * p1 + d11 * v1


# --- InterceptorPool._assess's screen ---------------------------------------------------
@njit
def assess_screen(act: np.ndarray, p0: np.ndarray, v0: np.ndarray, pos: np.ndarray,
                  vel: np.ndarray, qa: np.ndarray, wa: np.ndarray, qb: np.ndarray,
                  wb: np.ndarray, h: float, radius: float, phase: np.ndarray,
                  terminal: int, near: np.ndarray, away: np.ndarray,
                  d1_out: np.ndarray) -> int:
    """For bodies ``act``: ``near`` (min(d0, d1) < reach), ``away`` (opening and
    d1 ≥ reach in the terminal phase) and d1 [m]; returns the number near."""
    n_near = 0
    for i in range(act.shape[0]):
        b = act[i]
        e0, e1, e2 = qa[i, 0] - p0[0, i], qa[i, 1] - p0[1, i], qa[i, 2] - p0[2, i]
        d0 = math.sqrt(_dot(e0, e1, e2, e0, e1, e2))
        r0, r1, r2 = qb[i, 0] - pos[0, b], qb[i, 1] - pos[1, b], qb[i, 2] - pos[2, b]
        d1 = math.sqrt(_dot(r0, r1, r2, r0, r1, r2))
        w0, w1, w2 = wa[i, 0] - v0[0, i], wa[i, 1] - v0[1, i], wa[i, 2] - v0[2, i]
        reach = radius + math.sqrt(_dot(w0, w1, w2, w0, w1, w2)) * h
        near[i] = _fmin(d0, d1) < reach
        if near[i]:
            n_near += 1
        opening = _dot(r0, r1, r2, wb[i, 0] - vel[0, b], wb[i, 1] - vel[1, b],
                       wb[i, 2] - vel[2, b]) > 0
        away[i] = opening and d1 >= reach and phase[b] == terminal
        d1_out[i] = d1
    return n_near
