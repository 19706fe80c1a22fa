"""Compiled kernels of the rocket models: the booster's staging, thrust and boost drag, the
ballistic missile's and the boost-glide vehicle's specific force, and the glider's
per-step guidance (altitude loop, heading and manoeuvre commands, dive start, dive
proportional navigation).

Each kernel is one loop over the bodies with scalar arithmetic, written in the order of
operations of the numpy reference in :mod:`.booster`, :mod:`.ballistic` and
:mod:`.boost_glide` (which stay the reference; ``tests/unit/flight/test_rocket_jit.py``
checks the two against each other).  ``_mx``/``_mn`` are ``np.maximum``/``np.minimum``
(NaN propagates), ``_where_pos(x)`` is ``np.where(x > 0, x, 1.0)``.

Imported only by the models' constructors when the compiled path is on
(:mod:`tate.jit`); importing it imports numba.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from tate.earth import wgs84
from tate.flight.models.booster import K_GAMMA, K_YAW, THETA_MIN, X_FINAL
from tate.jit import njit

__all__ = ["ballistic_force", "booster_force", "booster_update", "glide_force", "glide_guidance"]

F64 = NDArray[np.float64]

_GM = wgs84.GM
_GA = 1.0 / wgs84.A**2  #: ellipsoid gradient, x and y rows (as in tate.flight.eom)
_GB = 1.0 / wgs84.B**2  #: ellipsoid gradient, z row
_HALF_PI = 0.5 * np.pi
_THETA_MIN = float(THETA_MIN)
_INV_X_FINAL = 1.0 / X_FINAL
_TWO_PI = 2.0 * np.pi
_PI = float(np.pi)
# glider constants (tate.flight.models.boost_glide; repeated here because that module
# imports this one lazily and the values are compiled in)
KP = 0.0025
KD = 0.07
K_HEADING = 0.02
NAV_GAIN = 4.0
DIVE_MARGIN_S = 30.0
CAVH_ALPHA_MAX_DEG = 20.0


@njit
def _mx(a: float, b: float) -> float:
    """``np.maximum(a, b)``: NaN if either is NaN."""
    return a if (a >= b or a != a) else b


@njit
def _mn(a: float, b: float) -> float:
    """``np.minimum(a, b)``: NaN if either is NaN."""
    return a if (a <= b or a != a) else b


@njit
def _where_pos(x: float) -> float:
    """``np.where(x > 0, x, 1.0)``."""
    return x if x > 0 else 1.0


@njit
def _up(pos: F64, up: F64, has_up: bool, j: int) -> tuple[float, float, float]:
    """``up[:, j]``, or :func:`tate.flight.eom.ellipsoid_up` of ``pos[:, j]``."""
    if has_up:
        return up[0, j], up[1, j], up[2, j]
    u0 = pos[0, j] * _GA
    u1 = pos[1, j] * _GA
    u2 = pos[2, j] * _GB
    inv = 1.0 / math.sqrt((u0 * u0 + u1 * u1) + u2 * u2)
    return u0 * inv, u1 * inv, u2 * inv


@njit
def _booster_accel(t: float, j: int, pos: F64, vel: F64, mass: F64, u0: float, u1: float,
                   u2: float, speed: F64, qbar: F64, plane: F64, normal: F64, thrust: F64,
                   steer: F64, any_cut_speed: bool) -> tuple[float, float, float]:
    """``Booster.accel`` (with ``thrust_elevation``) of body ``j``; ``steer``:
    :meth:`Booster.steering`."""
    v0, v1, v2 = vel[0, j], vel[1, j], vel[2, j]
    s = speed[j]
    inv_v = 1.0 / _where_pos(s)
    p0, p1, p2 = plane[0, j], plane[1, j], plane[2, j]
    n0, n1, n2 = normal[0, j], normal[1, j], normal[2, j]
    dp = (p0 * u0 + p1 * u1) + p2 * u2
    h0 = p0 - dp * u0
    h1 = p1 - dp * u1
    h2 = p2 - dp * u2
    kk = K_YAW * ((v0 * n0 + v1 * n1) + v2 * n2) * inv_v
    h0 -= kk * n0
    h1 -= kk * n1
    h2 -= kk * n2
    inv = 1.0 / math.sqrt((h0 * h0 + h1 * h1) + h2 * h2)
    h0 *= inv
    h1 *= inv
    h2 *= inv
    sin_gamma = _mn(1.0, _mx(-1.0, ((v0 * u0 + v1 * u1) + v2 * u2) * inv_v))
    gamma = math.asin(sin_gamma)
    # thrust_elevation
    t_vert = steer[0, j]
    x = _mn(1.0, _mx(0.0, (t - t_vert) * steer[1, j]))
    if any_cut_speed:
        x = _mx(x, _mn(1.0, _mx(0.0, s / steer[2, j])))
    program = _HALF_PI - _mn(x * _INV_X_FINAL, 1.0) * steer[3, j]
    th = program + K_GAMMA * (program - gamma)
    th = _mx(_THETA_MIN, th)
    th = _mn(_HALF_PI, th)
    if t < t_vert:
        th = _HALF_PI
    m = mass[j]
    f = thrust[j] / m
    c = f * math.cos(th)
    h0 *= c
    h1 *= c
    h2 *= c
    sn = f * math.sin(th)
    h0 += sn * u0
    h1 += sn * u1
    h2 += sn * u2
    dk = qbar[j] * steer[4, j] * inv_v / m
    h0 -= dk * v0
    h1 -= dk * v1
    h2 -= dk * v2
    return h0, h1, h2


@njit
def _boost_into(t: float, j: int, pos: F64, vel: F64, mass: F64, u0: float, u1: float,
                u2: float, speed: F64, qbar: F64, plane: F64, normal: F64, thrust: F64,
                mflow: F64, steer: F64, any_cut_speed: bool, acc: F64, mdot: F64) -> None:
    """Body ``j``'s booster force and mass flow written into ``acc`` and ``mdot``."""
    a0, a1, a2 = _booster_accel(t, j, pos, vel, mass, u0, u1, u2, speed, qbar, plane,
                                normal, thrust, steer, any_cut_speed)
    acc[0, j] = a0
    acc[1, j] = a1
    acc[2, j] = a2
    mdot[j] = mflow[j]


@njit
def booster_force(t: float, pos: F64, vel: F64, mass: F64, up: F64, has_up: bool,
                  speed: F64, qbar: F64, plane: F64, normal: F64, thrust: F64, mflow: F64,
                  steer: F64, any_cut_speed: bool, acc: F64, mdot: F64) -> None:
    """``acc[...] = Booster.accel(...)``, ``mdot[...] = Booster.mflow`` for every body."""
    for j in range(mass.shape[0]):
        u0, u1, u2 = _up(pos, up, has_up, j)
        _boost_into(t, j, pos, vel, mass, u0, u1, u2, speed, qbar, plane, normal, thrust,
                    mflow, steer, any_cut_speed, acc, mdot)


@njit
def ballistic_force(t: float, pos: F64, vel: F64, mass: F64, up: F64, has_up: bool,
                    speed: F64, qbar: F64, rv_beta: F64, separated: NDArray[np.bool_],
                    plane: F64, normal: F64, thrust: F64, mflow: F64, steer: F64,
                    any_cut_speed: bool, acc: F64, mdot: F64) -> None:
    """``Ballistic.specific_force``: RV drag ``-q/(β V) v`` after separation, thrust and
    boost drag before it."""
    for j in range(mass.shape[0]):
        if separated[j]:
            f = -qbar[j] / (rv_beta[j] * _where_pos(speed[j]))
            acc[0, j] = f * vel[0, j]
            acc[1, j] = f * vel[1, j]
            acc[2, j] = f * vel[2, j]
            mdot[j] = 0.0
        else:
            u0, u1, u2 = _up(pos, up, has_up, j)
            _boost_into(t, j, pos, vel, mass, u0, u1, u2, speed, qbar, plane, normal,
                        thrust, mflow, steer, any_cut_speed, acc, mdot)


@njit
def _cavh_cl(alpha: float, mach: float) -> float:
    """:func:`tate.flight.aero.cavh_cl`."""
    return -0.2317 + 0.0513 * alpha + 0.2945 * math.exp(-0.1028 * mach)


@njit
def _cavh_max_ld(mach: float) -> tuple[float, float]:
    """:func:`tate.flight.aero.cavh_max_lift_to_drag`: (L/D, α [deg])."""
    a0 = -0.2317 + 0.2945 * math.exp(-0.1028 * mach)
    b = 0.0513
    k = 7.24e-4
    c0 = 0.024 + 0.406 * math.exp(-0.323 * mach)
    alpha = (-2 * k * a0 + math.sqrt(4 * k * k * a0 * a0 + 4 * k * b * b * c0)) / (2 * k * b)
    return (a0 + b * alpha) / (c0 + k * alpha * alpha), alpha


@njit
def glide_force(t: float, pos: F64, vel: F64, mass: F64, up: F64, has_up: bool,
                speed: F64, qbar: F64, mach: F64, separated: NDArray[np.bool_], cavh: bool,
                inv_beta: F64, ld: F64, area: F64, u_l: F64, u_s: F64, plane: F64,
                normal: F64, thrust: F64, mflow: F64, steer: F64, any_cut_speed: bool,
                acc: F64, mdot: F64) -> None:
    """``BoostGlide.specific_force``: lift ``L (u_l e_l + u_s e_s) − D v̂`` after
    separation, the booster's thrust and drag before it."""
    for j in range(mass.shape[0]):
        u0, u1, u2 = _up(pos, up, has_up, j)
        if not separated[j]:
            _boost_into(t, j, pos, vel, mass, u0, u1, u2, speed, qbar, plane, normal,
                        thrust, mflow, steer, any_cut_speed, acc, mdot)
            continue
        if cavh:
            m = mach[j]
            u = math.hypot(u_l[j], u_s[j])
            cl_max = _cavh_cl(CAVH_ALPHA_MAX_DEG, m)
            alpha = (u * cl_max + 0.2317 - 0.2945 * math.exp(-0.1028 * m)) / 0.0513
            qsm = qbar[j] * area[j] / mass[j]
            lift = qsm * cl_max
            a = _mn(CAVH_ALPHA_MAX_DEG, _mx(0.0, alpha))
            drag = qsm * (0.024 + 7.24e-4 * a * a + 0.406 * math.exp(-0.323 * m))
        else:
            drag = qbar[j] * inv_beta[j]
            lift = ld[j] * drag
        v0, v1, v2 = vel[0, j], vel[1, j], vel[2, j]
        inv_v = 1.0 / _where_pos(speed[j])
        c = ((u0 * v0 + u1 * v1) + u2 * v2) * inv_v
        inv_n = lift / math.sqrt(_mx(1.0 - c * c, 1e-18))
        k_l = u_l[j] * inv_n
        k_s = u_s[j] * inv_n
        k_s *= inv_v
        k_v = k_l * c
        k_v += drag
        k_v *= inv_v
        # cross3(vel, up)
        c0 = v1 * u2 - v2 * u1
        c1 = v2 * u0 - v0 * u2
        c2 = v0 * u1 - v1 * u0
        acc[0, j] = u0 * k_l + k_s * c0 - k_v * v0
        acc[1, j] = u1 * k_l + k_s * c1 - k_v * v1
        acc[2, j] = u2 * k_l + k_s * c2 - k_v * v2
        mdot[j] = 0.0


@njit
def _lift_frame(p0: float, p1: float, p2: float, v0: float, v1: float, v2: float,
                s: float) -> tuple[float, float, float, float, float, float, float, float,
                                   float]:
    """:func:`tate.flight.eom.lift_frame` of one body (``up`` from its position):
    e_v, e_l, e_s."""
    w = _where_pos(s)
    ev0 = v0 / w
    ev1 = v1 / w
    ev2 = v2 / w
    g0 = p0 * _GA
    g1 = p1 * _GA
    g2 = p2 * _GB
    inv = 1.0 / math.sqrt((g0 * g0 + g1 * g1) + g2 * g2)
    g0 *= inv
    g1 *= inv
    g2 *= inv
    d = (g0 * ev0 + g1 * ev1) + g2 * ev2
    el0 = g0 - d * ev0
    el1 = g1 - d * ev1
    el2 = g2 - d * ev2
    nrm = math.sqrt((el0 * el0 + el1 * el1) + el2 * el2)
    if nrm < 1e-9:
        rxy = math.hypot(p0, p1)
        rxy = rxy if rxy > 0.0 else 1.0
        el0 = -p1 / rxy
        el1 = p0 / rxy
        el2 = 0.0
        nrm = 1.0
    el0 /= nrm
    el1 /= nrm
    el2 /= nrm
    es0 = ev1 * el2 - ev2 * el1
    es1 = ev2 * el0 - ev0 * el2
    es2 = ev0 * el1 - ev1 * el0
    return ev0, ev1, ev2, el0, el1, el2, es0, es1, es2


@njit
def _dive_command(p0: float, p1: float, p2: float, v0: float, v1: float, v2: float,
                  s: float, a0: float, a1: float, a2: float, u0: float, u1: float,
                  u2: float, g: float) -> tuple[float, float]:
    """Proportional navigation on the aim point plus gravity compensation, as vertical
    and side lift accelerations (the dive branch of ``BoostGlide.update``)."""
    ev0, ev1, ev2, el0, el1, el2, es0, es1, es2 = _lift_frame(p0, p1, p2, v0, v1, v2, s)
    # pn_accel(aim - p, -v, v, NAV_GAIN)
    r0 = a0 - p0
    r1 = a1 - p1
    r2 = a2 - p2
    w0 = -v0
    w1 = -v1
    w2 = -v2
    rr = _where_pos((r0 * r0 + r1 * r1) + r2 * r2)
    o0 = (r1 * w2 - r2 * w1) / rr
    o1 = (r2 * w0 - r0 * w2) / rr
    o2 = (r0 * w1 - r1 * w0) / rr
    c0 = NAV_GAIN * (o1 * v2 - o2 * v1)
    c1 = NAV_GAIN * (o2 * v0 - o0 * v2)
    c2 = NAV_GAIN * (o0 * v1 - o1 * v0)
    d = (u0 * ev0 + u1 * ev1) + u2 * ev2
    c0 += g * (u0 - d * ev0)
    c1 += g * (u1 - d * ev1)
    c2 += g * (u2 - d * ev2)
    return (c0 * el0 + c1 * el1) + c2 * el2, (c0 * es0 + c1 * es1) + c2 * es2


@njit
def _eq_altitude(rho: float, tab_alt: F64, x0: float, inv_dx: float) -> tuple[float, float]:
    """:func:`tate.flight.glide.altitude_and_slope_for_density` of one density."""
    x = (math.log(_mx(rho, 1e-300)) - x0) * inv_dx
    if x != x:  # numpy raises IndexError here; no table read
        return np.nan, np.nan
    x = _mx(0.0, x)
    x = _mn(tab_alt.shape[0] - 1.000001, x)
    i = int(x)
    x -= i
    lo = tab_alt[i]
    step = tab_alt[i + 1] - lo
    return lo + x * step, step * inv_dx


@njit
def glide_guidance(t: float, pos: F64, vel: F64, mass: F64, up: F64, speed: F64, qbar: F64,
                   mach: F64, alt: F64, aim: F64, phase: NDArray[np.int8],
                   smooth: NDArray[np.bool_], cavh: bool, ld: F64, beta: F64, area: F64,
                   lift_margin: float, alt_cmd: F64, dive_range: F64, any_s_turn: bool,
                   t_sep: F64, s_period: F64, weave: NDArray[np.bool_], sin_bank: F64,
                   tab_alt: F64, tab_x0: float, tab_inv_dx: float, u_l: F64, u_s: F64,
                   dived: NDArray[np.bool_]) -> int:
    """The guidance of ``BoostGlide.update`` for the bodies in phase ≥ 1: dive start
    (``phase`` 1 → 2, ``dived`` set, ``smooth`` updated), the altitude loop and heading
    and manoeuvre commands of the glide, proportional navigation in the dive, and the
    lift fractions ``u_l``, ``u_s``.  Returns the number of bodies that started to dive."""
    n_dived = 0
    for j in range(mass.shape[0]):
        dived[j] = False
        if phase[j] < 1:
            continue
        p0, p1, p2 = pos[0, j], pos[1, j], pos[2, j]
        v0, v1, v2 = vel[0, j], vel[1, j], vel[2, j]
        u0, u1, u2 = up[0, j], up[1, j], up[2, j]
        s = speed[j]
        m = mach[j]
        h = alt[j]
        r = math.sqrt((p0 * p0 + p1 * p1) + p2 * p2)
        g = _GM / (r * r)
        a0, a1, a2 = aim[0, j], aim[1, j], aim[2, j]
        d0 = a0 - p0
        d1 = a1 - p1
        d2 = a2 - p2
        dd = (d0 * u0 + d1 * u1) + d2 * u2
        d0 -= dd * u0
        d1 -= dd * u1
        d2 -= dd * u2
        rng = math.sqrt((d0 * d0 + d1 * d1) + d2 * d2)
        if cavh:
            lmax = area[j] * _cavh_cl(CAVH_ALPHA_MAX_DEG, m) / mass[j] * qbar[j]
        else:
            lmax = ld[j] / beta[j] * qbar[j]
        # _start_dives
        turn_rate = s * s / (_mx(g - s * s / r, 0.1) + lmax)
        gliding = phase[j] == 1
        depression = 2.0 * math.atan2(h, rng)
        room = _mx(dive_range[j], depression * turn_rate) + DIVE_MARGIN_S * s
        smooth[j] = gliding and rng > room
        near = gliding and (rng < dive_range[j] or rng < _PI * turn_rate)
        if near and (rng < dive_range[j] or rng < 2.0 * math.atan2(h, rng) * turn_rate):
            phase[j] = 2
            dived[j] = True
            n_dived += 1
        hdot = (v0 * u0 + v1 * u1) + v2 * u2
        if phase[j] == 2:
            a_l, a_s = _dive_command(p0, p1, p2, v0, v1, v2, s, a0, a1, a2, u0, u1, u2, g)
        else:
            # heading error: aim right of track > 0
            vh0 = v0 - hdot * u0
            vh1 = v1 - hdot * u1
            vh2 = v2 - hdot * u2
            x0 = vh1 * d2 - vh2 * d1
            x1 = vh2 * d0 - vh0 * d2
            x2 = vh0 * d1 - vh1 * d0
            dpsi = math.atan2(-((x0 * u0 + x1 * u1) + x2 * u2),
                              (vh0 * d0 + vh1 * d1) + vh2 * d2)
            # _glide_command
            if cavh:
                ref_ld, alpha = _cavh_max_ld(_mx(m, 1.0))
                ref_q = area[j] * _cavh_cl(alpha, m) / mass[j]
            else:
                ref_q = lift_margin * ld[j] / beta[j]
                ref_ld = ld[j]
            need = _mx(g - s * s / r, 1e-3)
            # equilibrium_density(s, r, ref_q, GM)
            need0 = _mx(_GM / (r * r) - s * s / r, 0.0)
            denom = ref_q * s * s
            rho_eq = 2.0 * need0 / denom if denom > 0 else np.inf
            h_eq, dh_dlnrho = _eq_altitude(rho_eq, tab_alt, tab_x0, tab_inv_dx)
            decel = need / ref_ld
            dlnrho_dv = -2.0 * s / (r * need) - 2.0 / _mx(s, 1.0)
            hdot_eq = dh_dlnrho * dlnrho_dv * -decel
            hc = alt_cmd[j]
            if hc != hc:
                h_ref = h_eq
                hdot_ref = hdot_eq
            else:
                h_ref = hc
                hdot_ref = 0.0
            a_l = g - s * s / r + KP * (h_ref - h) + KD * (hdot_ref - hdot)
            a_s = K_HEADING * s * dpsi
            if any_s_turn:
                tau = t - t_sep[j]
                if weave[j]:
                    wave = math.sin(_TWO_PI * tau / s_period[j])
                else:
                    half = math.floor(2.0 * tau / s_period[j])
                    wave = 1.0 - 2.0 * np.mod(half, 2.0)
                a_s = a_s + wave * lmax * sin_bank[j]
        if lmax > 0:
            ul = _mn(1.0, _mx(-1.0, a_l / lmax))
            side = math.sqrt(_mx(1.0 - ul * ul, 0.0))
            u_l[j] = ul
            u_s[j] = _mn(_mx(a_s / lmax, -side), side)
        else:
            u_l[j] = 1.0
            u_s[j] = 0.0
    return n_dived


@njit
def booster_update(t: float, dt: float, mass: F64, speed: F64,
                   separated: NDArray[np.bool_], cut_speed: F64, cut_time: F64,
                   t_burnout: F64, end_k: F64, start_k: F64, burn: F64,
                   dropped: NDArray[np.bool_], dry: F64, payload: F64, thrust_k: F64,
                   mflow_k: F64, thrust: F64, mflow: F64, new_sep: NDArray[np.bool_]) -> int:
    """``Booster.update``: thrust cut-off at the cut-off speed, spent stages' dry mass
    dropped, separation at burnout (``new_sep`` set, mass → payload), and this step's
    average thrust and mass flow written into ``thrust`` and ``mflow`` (zero once every
    body has separated).  Returns the number of bodies that separated now."""
    n = mass.shape[0]
    s = end_k.shape[0]
    last = s - 1
    for j in range(n):
        if not separated[j] and speed[j] >= cut_speed[j] and cut_time[j] > t:
            cut_time[j] = t
            t_burnout[j] = _mn(end_k[last, j], cut_time[j])
    n_new = 0
    n_sep = 0
    for j in range(n):
        for k in range(s):
            stop = _mn(end_k[k, j], cut_time[j])
            if t >= stop - 1e-9 and not dropped[k, j] and burn[k, j] > 0:
                mass[j] -= dry[k, j]
                dropped[k, j] = True
        new_sep[j] = False
        if not separated[j] and t >= t_burnout[j] - 1e-9:
            separated[j] = True
            mass[j] = payload[j]
            new_sep[j] = True
            n_new += 1
        if separated[j]:
            n_sep += 1
    if n_new and n_sep == n:
        thrust[:] = 0.0
        mflow[:] = 0.0
        return n_new
    t1 = t + dt
    for j in range(n):
        f_sum = 0.0
        m_sum = 0.0
        for k in range(s):
            lo = _mx(start_k[k, j], t)
            hi = _mn(_mn(end_k[k, j], cut_time[j]), t1)
            frac = _mx(hi - lo, 0.0) / dt
            f_sum += frac * thrust_k[k, j]
            m_sum += frac * mflow_k[k, j]
        thrust[j] = f_sum
        mflow[j] = m_sum
    return n_new
