"""Compiled kernels of the equations of motion and of the RK4 step (numba).

The second implementation of :meth:`tate.flight.eom.Environment.compute` and of the
bookkeeping of :meth:`tate.flight.integrator.Propagator.step`: one call loops over the
bodies with scalar arithmetic instead of tens of numpy calls on arrays of a few rows.
The numpy code in :mod:`tate.flight.eom`, :mod:`tate.earth.atmosphere`,
:mod:`tate.earth.gravity`, :mod:`tate.earth.wgs84` and :mod:`tate.flight.integrator` is
the reference; every formula here repeats its operations in the same order (same
roundings: only ``+ - * / sqrt`` and, above 1000 km, ``exp``), so the environment is
bit-identical or within the last bit of the numpy one, and every discrete screen (ground
crossing, aim-point reach, event sign change) uses the reference's comparison on the same
values.  Tested against the numpy path in ``tests/unit/flight/test_eom_jit.py``.

Importing this module imports numba; :mod:`tate.flight.eom` and
:mod:`tate.flight.integrator` import it only when an object with the compiled path on is
built (:mod:`tate.jit`).

Layout: ``pos``, ``vel`` ``(3, n)``, the stacked state ``y`` ``(7, n)`` (position,
velocity, mass), the environment's ``(n,)`` arrays and its ``(3, n)`` ``grav`` and ``up``;
``flags`` packs the frame switches and which of ``grav``/``up`` to fill (``FLAG_*``).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from tate.earth import wgs84
from tate.earth.atmosphere import _DZ_TABLE, ALT_MAX, ALT_MIN
from tate.jit import njit

F64 = NDArray[np.float64]

FLAG_ATMOSPHERE = 1  #: US76 density and sound speed (else vacuum and 340 m/s)
FLAG_J2 = 2  #: J2 gravitation (else the central field)
FLAG_ROTATING = 4  #: Coriolis and centrifugal terms
FLAG_GRAV = 8  #: fill ``grav``
FLAG_UP = 16  #: fill ``up``

#: stand-in for an environment vector that is not allocated (its flag is off)
NO_VEC = np.empty((3, 0))

_A = wgs84.A
_GM = wgs84.GM
_E2M = 1.0 - wgs84.E2  # (b / a)^2, as wgs84._E2M
_ALT_R2 = _E2M
_ALT_K1 = wgs84.EP2 * wgs84.B  # e'^2 b [m]
_ALT_K2 = wgs84.E2 * wgs84.B**3 / wgs84.A**2  # e^2 b^3 / a^2 [m]
_C_J2 = 1.5 * wgs84.J2 * wgs84.A * wgs84.A  # as gravity._C_J2 [m^2]
_CORIOLIS = 2.0 * wgs84.OMEGA  # as eom._CORIOLIS
_W2 = wgs84.OMEGA * wgs84.OMEGA
_UP_XY = 1.0 / wgs84.A**2  # ellipsoid gradient, as eom._ELLIPSOID_GRADIENT
_UP_Z = 1.0 / wgs84.B**2
_SOUND_VACUUM = 340.0  # speed of sound without an atmosphere, as Environment.compute


def flags_of(atmosphere: bool, j2: bool, rotating: bool, grav: bool, up: bool) -> int:
    """The ``flags`` argument of the kernels from the switches."""
    return ((FLAG_ATMOSPHERE if atmosphere else 0) | (FLAG_J2 if j2 else 0)
            | (FLAG_ROTATING if rotating else 0) | (FLAG_GRAV if grav else 0)
            | (FLAG_UP if up else 0))


@njit
def geodetic_altitude(x: float, y: float, z: float) -> float:
    """Height above the ellipsoid [m]: ``wgs84._altitude_from_squares`` on one point."""
    p2 = x * x + y * y
    z2 = z * z
    t = p2 * _ALT_R2 + z2  # m^2
    t = t * math.sqrt(t)  # m^3
    c = p2 * -_ALT_K2 + t  # C
    s = t + z2 * _ALT_K1  # S
    pc = p2 * c  # p cos(phi) (unnormalised)
    zs = z2 * s  # z sin(phi)
    cos2 = c * pc
    sin2 = s * zs
    h = pc + zs
    h -= math.sqrt(sin2 * _E2M + cos2) * _A
    return h / math.sqrt(sin2 + cos2)


@njit
def atmosphere(alt: float, cells: F64, h_rho: float) -> tuple[float, float]:
    """Density [kg/m^3] and speed of sound [m/s] from the 10 m table: the arithmetic of
    :func:`tate.earth.atmosphere.density_and_sound_speed` on one altitude [m].

    ``cells``: the table's ``(n_cells + 1, 4)`` rows (rho0, dlog_rho, a0, da); ``h_rho``:
    its density scale height above 1000 km [m].  NaN in, NaN out."""
    if alt != alt:
        return math.nan, math.nan
    n_cells = cells.shape[0] - 1
    u = (alt - ALT_MIN) / _DZ_TABLE
    if u < 0.0:
        u = 0.0
    if u > n_cells:
        u = float(n_cells)
    i = int(u)
    u -= i
    x = cells[i, 1] * u
    poly = (x * 0.5 + 1.0) * x + 1.0
    rho = cells[i, 0] * poly
    sound = cells[i, 3] * u + cells[i, 2]
    if alt > ALT_MAX:
        rho = cells[n_cells, 0] * math.exp((ALT_MAX - alt) / h_rho)
    return rho, sound


@njit
def _gravity(x: float, y: float, z: float, vx: float, vy: float, flags: int
             ) -> tuple[float, float, float]:
    """Gravitation [m/s²] at ``(x, y, z)`` [m] (ECEF), J2 if ``FLAG_J2``
    (gravity._j2_factors) else central (gravity.gravity_central), plus the rotating
    frame's Coriolis and centrifugal terms if ``FLAG_ROTATING``; scalars only (LLVM inlines
    it: no reference counting)."""
    x2, y2, z2 = x * x, y * y, z * z
    if flags & FLAG_J2:
        inv_r2 = 1.0 / (x2 + y2 + z2)
        zr = z2 * inv_r2
        k = math.sqrt(inv_r2) * inv_r2 * -_GM  # -GM / r^3
        c = inv_r2 * _C_J2 * k  # -GM c / r^3
        f_xy = (zr * -5.0 + 1.0) * c + k
        f_z = c * 2.0 + f_xy
        gx, gy, gz = x * f_xy, y * f_xy, z * f_z
    else:
        r2 = x2 + y2 + z2
        k = -_GM / (r2 * math.sqrt(r2))
        gx, gy, gz = x * k, y * k, z * k
    if flags & FLAG_ROTATING:
        gx += vy * _CORIOLIS + _W2 * x
        gy += vx * -_CORIOLIS + _W2 * y
    return gx, gy, gz


@njit
def _up(x: float, y: float, z: float) -> tuple[float, float, float]:
    """The local up unit vector at ``(x, y, z)`` [m] (ECEF)."""
    ux, uy, uz = x * _UP_XY, y * _UP_XY, z * _UP_Z
    inv = 1.0 / math.sqrt(ux * ux + uy * uy + uz * uz)
    return ux * inv, uy * inv, uz * inv


@njit
def environment_body(pos: F64, vel: F64, j: int, alt: F64, rho: F64, sound: F64,
                     speed: F64, qbar: F64, mach: F64, grav: F64, up: F64, flags: int,
                     cells: F64, h_rho: float) -> None:
    """Environment of body ``j`` (column of ``pos``, ``vel``) into column ``j`` of the
    arrays: :meth:`tate.flight.eom.Environment.compute` on one body."""
    x, y, z = pos[0, j], pos[1, j], pos[2, j]
    vx, vy, vz = vel[0, j], vel[1, j], vel[2, j]
    h = geodetic_altitude(x, y, z)
    alt[j] = h
    if flags & FLAG_ATMOSPHERE:
        r, a = atmosphere(h, cells, h_rho)
    else:
        r, a = 0.0, _SOUND_VACUUM
    rho[j] = r
    sound[j] = a
    v2 = vx * vx + vy * vy + vz * vz
    qbar[j] = r * v2 * 0.5
    v = math.sqrt(v2)
    speed[j] = v
    mach[j] = v / a
    if flags & FLAG_GRAV:
        grav[0, j], grav[1, j], grav[2, j] = _gravity(x, y, z, vx, vy, flags)
    if flags & FLAG_UP:
        up[0, j], up[1, j], up[2, j] = _up(x, y, z)


@njit
def environment(pos: F64, vel: F64, alt: F64, rho: F64, sound: F64, speed: F64, qbar: F64,
                mach: F64, grav: F64, up: F64, flags: int, cells: F64, h_rho: float) -> None:
    """:meth:`tate.flight.eom.Environment.compute` for every column of ``pos``."""
    for j in range(alt.shape[0]):
        environment_body(pos, vel, j, alt, rho, sound, speed, qbar, mach, grav, up, flags,
                         cells, h_rho)


@njit
def _derivative_body(ys: F64, j: int, acc: F64, mdot: F64, alive: NDArray[np.bool_],
                     grav: F64, k: F64) -> None:
    """Column ``j`` of the derivative at the state ``ys`` (``Propagator.derivative``'s
    assembly: velocity, gravitation + frame terms + specific force, −ṁ; zero if dead)."""
    if alive[j]:
        for i in range(3):
            k[i, j] = ys[3 + i, j]
            k[3 + i, j] = grav[i, j] + acc[i, j]
        k[6, j] = -mdot[j]
    else:
        for i in range(7):
            k[i, j] = 0.0


@njit
def rk4_stage(ys: F64, y: F64, k: F64, c: float, tmp: F64, acc: F64, mdot: F64,
              alive: NDArray[np.bool_], alt: F64, rho: F64, sound: F64, speed: F64,
              qbar: F64, mach: F64, grav: F64, up: F64, flags: int, cells: F64,
              h_rho: float) -> None:
    """One inner RK4 stage: the derivative ``k`` at ``ys`` (whose environment the arrays
    hold, and the models' ``acc``, ``mdot``), the next stage's state ``tmp = y + c k``
    and its environment into the arrays.  ``ys`` may be ``tmp``."""
    tmp_vel = tmp[3:6]
    for j in range(alt.shape[0]):
        stage_body(ys, y, k, c, tmp, tmp_vel, acc, mdot, alive, j, alt, rho, sound, speed,
                   qbar, mach, grav, up, flags, cells, h_rho)


@njit
def stage_body(ys: F64, y: F64, k: F64, c: float, tmp: F64, tmp_vel: F64, acc: F64,
               mdot: F64, alive: NDArray[np.bool_], j: int, alt: F64, rho: F64, sound: F64,
               speed: F64, qbar: F64, mach: F64, grav: F64, up: F64, flags: int, cells: F64,
               h_rho: float) -> None:
    """:func:`rk4_stage` of body ``j`` (``tmp_vel`` is ``tmp[3:6]``)."""
    _derivative_body(ys, j, acc, mdot, alive, grav, k)
    for i in range(7):
        tmp[i, j] = k[i, j] * c + y[i, j]
    environment_body(tmp, tmp_vel, j, alt, rho, sound, speed, qbar, mach, grav, up,
                     flags, cells, h_rho)


@njit
def last_body(ys: F64, y: F64, y0: F64, k1: F64, k2: F64, k3: F64, k4: F64, h6: float,
              y_vel: F64, acc: F64, mdot: F64, alive: NDArray[np.bool_], j: int, alt: F64,
              rho: F64, sound: F64, speed: F64, qbar: F64, mach: F64, grav: F64, up: F64,
              flags: int, cells: F64, h_rho: float) -> None:
    """The last RK4 stage of :func:`rk4_last` for body ``j`` (``h6`` is h / 6, ``y_vel``
    is ``y[3:6]``): ``k4``, the start state kept in ``y0``, the new state and its
    environment."""
    _derivative_body(ys, j, acc, mdot, alive, grav, k4)
    for i in range(7):
        y0[i, j] = y[i, j]
        y[i, j] += h6 * ((k1[i, j] + (k2[i, j] + k3[i, j]) * 2.0) + k4[i, j])
    environment_body(y, y_vel, j, alt, rho, sound, speed, qbar, mach, grav, up, flags,
                     cells, h_rho)


@njit
def _vertical_speed(p: F64, j: int) -> float:
    """``integrator._vertical_speed`` of column ``j`` of the state ``p (7, n)``:
    velocity along the ellipsoid normal."""
    ux, uy, uz = p[0, j] * _UP_XY, p[1, j] * _UP_XY, p[2, j] * _UP_Z
    inv = 1.0 / math.sqrt(ux * ux + uy * uy + uz * uz)
    return p[3, j] * (ux * inv) + p[4, j] * (uy * inv) + p[5, j] * (uz * inv)


@njit
def rk4_last(ys: F64, y: F64, y0: F64, k1: F64, k2: F64, k3: F64, k4: F64, h: float,
             acc: F64, mdot: F64, alive: NDArray[np.bool_], alt: F64, rho: F64,
             sound: F64, speed: F64, qbar: F64, mach: F64, grav: F64, up: F64, flags: int,
             cells: F64, h_rho: float, ground: bool, ground_alt: F64,
             armed: NDArray[np.bool_], aim: F64, reach: float,
             apogee_sign: float) -> tuple[int, int, int, float]:
    """The last RK4 stage and the screens of the step's end.

    ``k4`` at ``ys``; ``y0`` ← ``y``; ``y += h/6 (k1 + 2 (k2 + k3) + k4)``; the
    environment of the new ``y`` into the arrays.  Screens, with the comparisons of
    ``Propagator._locate_impacts``, ``_aim_fraction`` and ``_locate_events``:

    * ground (if ``ground``): live, armed bodies at or below their ground altitude are
      counted; bodies above it are armed;
    * aim (if ``aim`` has columns): live bodies within ``sqrt(reach)`` of their aim;
    * apogee (if ``apogee_sign`` is ±1, the sign the vertical speed has before the
      crossing): live bodies whose signed vertical speed goes from > 0 to <= 0.

    Returns the three counts and the largest speed of the new state (NaN if any is NaN,
    0 for no bodies), the aim screen's speed bound for the next step.
    """
    n = alt.shape[0]
    h6 = h / 6.0
    n_ground, n_aim, n_event = 0, 0, 0
    vmax = 0.0 if n == 0 else -math.inf
    y_vel = y[3:6]
    for j in range(n):
        last_body(ys, y, y0, k1, k2, k3, k4, h6, y_vel, acc, mdot, alive, j, alt, rho, sound,
                  speed, qbar, mach, grav, up, flags, cells, h_rho)
        v = speed[j]
        if v > vmax or v != v:  # numpy's max: NaN wins
            vmax = v
        if ground:
            above = alt[j] - ground_alt[j]
            if alive[j] and armed[j] and above <= 0.0:
                n_ground += 1
            if above > 0.0:
                armed[j] = True
        if not alive[j]:
            continue
        if aim.shape[1]:
            dx, dy, dz = y[0, j] - aim[0, j], y[1, j] - aim[1, j], y[2, j] - aim[2, j]
            if dx * dx + dy * dy + dz * dz <= reach:
                n_aim += 1
        if apogee_sign != 0.0:
            if (_vertical_speed(y0, j) * apogee_sign > 0.0
                    and _vertical_speed(y, j) * apogee_sign <= 0.0):
                n_event += 1
    return n_ground, n_aim, n_event, vmax


@njit
def _hermite_pos(p0: float, v0: float, p1: float, v1: float, h: float, s: float) -> float:
    """``integrator._hermite_pos`` of one component (the same arithmetic)."""
    s2, s3 = s * s, s * s * s
    h00 = 2 * s3 - 3 * s2 + 1
    h10 = s3 - 2 * s2 + s
    h01 = -2 * s3 + 3 * s2
    h11 = s3 - s2
    return h00 * p0 + h * h10 * v0 + h01 * p1 + h * h11 * v1


@njit
def ground_fraction(y0: F64, y: F64, hit: NDArray[np.intp], h: float, ground_alt: F64,
                    out: F64) -> F64:
    """``Propagator._ground_fraction``: for each body of ``hit``, the fraction of the step
    ``h`` [s] (from state ``y0`` to ``y``, ``(7, n)``) at which its cubic Hermite position
    falls to its ground altitude, by the reference's 40 bisections; 0 if it started at
    or below it.  Into ``out`` ``(len(hit),)``."""
    for m in range(hit.shape[0]):
        j = hit[m]
        floor = ground_alt[j]
        if geodetic_altitude(y0[0, j], y0[1, j], y0[2, j]) - floor <= 0.0:
            out[m] = 0.0
            continue
        lo, hi = 0.0, 1.0
        for _ in range(40):
            mid = 0.5 * (lo + hi)
            px = _hermite_pos(y0[0, j], y0[3, j], y[0, j], y[3, j], h, mid)
            py = _hermite_pos(y0[1, j], y0[4, j], y[1, j], y[4, j], h, mid)
            pz = _hermite_pos(y0[2, j], y0[5, j], y[2, j], y[5, j], h, mid)
            if geodetic_altitude(px, py, pz) > floor:
                lo = mid
            else:
                hi = mid
        out[m] = hi
    return out


@njit
def hermite_states(y0: F64, y: F64, h: float, s: F64, pos: F64, vel: F64, mass: F64) -> None:
    """The snapshots of ``Propagator._record_inside`` before its per-impact corrections:
    for each fraction ``s[i]`` of the step ``h`` [s] from ``y0`` to ``y`` ``(7, n)``, the
    cubic Hermite ``pos[i]``, ``vel[i]`` ``(3, n)`` (:func:`integrator.hermite`'s
    arithmetic) and the linear ``mass[i]`` ``(n,)``."""
    for i in range(s.shape[0]):
        si = s[i]
        s2, s3 = si * si, si * si * si
        h00 = 2 * s3 - 3 * s2 + 1
        h10 = s3 - 2 * s2 + si
        h01 = -2 * s3 + 3 * s2
        h11 = s3 - s2
        d00 = (6 * s2 - 6 * si) / h
        d10 = 3 * s2 - 4 * si + 1
        d01 = (-6 * s2 + 6 * si) / h
        d11 = 3 * s2 - 2 * si
        for j in range(y.shape[1]):
            for c in range(3):
                p0, v0, p1, v1 = y0[c, j], y0[3 + c, j], y[c, j], y[3 + c, j]
                pos[i, c, j] = h00 * p0 + h * h10 * v0 + h01 * p1 + h * h11 * v1
                vel[i, c, j] = d00 * p0 + d10 * v0 + d01 * p1 + d11 * v1
            mass[i, j] = y0[6, j] + si * (y[6, j] - y0[6, j])


# --- list kernels: one call over an index list (the interceptor pool's step) ---------
# Each body's arithmetic is the per-body kernel's above, in its order; a body touches only
# its own column, so a pass over every listed body, then the next pass, gives the same
# bits as the per-body kernels one body after another.  One call per stage instead of one
# per body saves numba's reference counting of the array arguments of every call.


@njit
def environment_list(pos: F64, vel: F64, idx: NDArray[np.intp], n: int, alt: F64, rho: F64,
                     sound: F64, speed: F64, qbar: F64, mach: F64, grav: F64, up: F64,
                     flags: int, cells: F64, h_rho: float) -> None:
    """:func:`environment_body` of the bodies ``idx[:n]`` (distinct), its arithmetic."""
    for m in range(n):
        j = idx[m]
        x, y, z = pos[0, j], pos[1, j], pos[2, j]
        vx, vy, vz = vel[0, j], vel[1, j], vel[2, j]
        h = geodetic_altitude(x, y, z)
        alt[j] = h
        if flags & FLAG_ATMOSPHERE:
            r, a = atmosphere(h, cells, h_rho)
        else:
            r, a = 0.0, _SOUND_VACUUM
        rho[j] = r
        sound[j] = a
        v2 = vx * vx + vy * vy + vz * vz
        qbar[j] = r * v2 * 0.5
        v = math.sqrt(v2)
        speed[j] = v
        mach[j] = v / a
        if flags & FLAG_GRAV:
            grav[0, j], grav[1, j], grav[2, j] = _gravity(x, y, z, vx, vy, flags)
        if flags & FLAG_UP:
            up[0, j], up[1, j], up[2, j] = _up(x, y, z)


@njit
def _derivative_list(ys: F64, idx: NDArray[np.intp], n: int, acc: F64, mdot: F64,
                     alive: NDArray[np.bool_], grav: F64, k: F64) -> None:
    """:func:`_derivative_body` of the bodies ``idx[:n]``."""
    for m in range(n):
        j = idx[m]
        if alive[j]:
            for i in range(3):
                k[i, j] = ys[3 + i, j]
                k[3 + i, j] = grav[i, j] + acc[i, j]
            k[6, j] = -mdot[j]
        else:
            for i in range(7):
                k[i, j] = 0.0


@njit
def stage_list(ys: F64, y: F64, k: F64, c: float, tmp: F64, acc: F64, mdot: F64,
               alive: NDArray[np.bool_], idx: NDArray[np.intp], n: int, alt: F64, rho: F64,
               sound: F64, speed: F64, qbar: F64, mach: F64, grav: F64, up: F64, flags: int,
               cells: F64, h_rho: float) -> None:
    """:func:`stage_body` of the bodies ``idx[:n]`` (distinct)."""
    _derivative_list(ys, idx, n, acc, mdot, alive, grav, k)
    for m in range(n):
        j = idx[m]
        for i in range(7):
            tmp[i, j] = k[i, j] * c + y[i, j]
    environment_list(tmp, tmp[3:6], idx, n, alt, rho, sound, speed, qbar, mach, grav, up,
                     flags, cells, h_rho)


@njit
def last_list(ys: F64, y: F64, y0: F64, k1: F64, k2: F64, k3: F64, k4: F64, h6: float,
              acc: F64, mdot: F64, alive: NDArray[np.bool_], idx: NDArray[np.intp], n: int,
              alt: F64, rho: F64, sound: F64, speed: F64, qbar: F64, mach: F64, grav: F64,
              up: F64, flags: int, cells: F64, h_rho: float) -> None:
    """:func:`last_body` of the bodies ``idx[:n]`` (distinct; ``h6`` is h / 6)."""
    _derivative_list(ys, idx, n, acc, mdot, alive, grav, k4)
    for m in range(n):
        j = idx[m]
        for i in range(7):
            y0[i, j] = y[i, j]
            y[i, j] += h6 * ((k1[i, j] + (k2[i, j] + k3[i, j]) * 2.0) + k4[i, j])
    environment_list(y, y[3:6], idx, n, alt, rho, sound, speed, qbar, mach, grav, up, flags,
                     cells, h_rho)
