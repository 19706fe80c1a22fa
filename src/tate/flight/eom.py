"""Point-mass (3-DoF) equations of motion over the rotating, oblate Earth.

State of ``n`` bodies as a structure of arrays, components first: position
``pos (3, n)`` and velocity relative to the Earth ``vel (3, n)``, both in ECEF
(WGS-84) [m], [m/s], and mass ``mass (n,)`` [kg].  In the rotating frame

    dr/dt = v
    dv/dt = g(r) - 2 Ω×v - Ω×(Ω×r) + f / m
    dm/dt = -ṁ

with ``g`` the J2 gravitation, Ω = (0, 0, ω_E) and ``f`` the aerodynamic plus
thrust force supplied by the flight models (Vinh, Busemann & Culp, *Hypersonic
and Planetary Entry Flight Mechanics*, 1980, ch. 2; Zipfel, *Modeling and
Simulation of Aerospace Vehicle Dynamics*, 3rd ed., §10.3).

The functions here are the kernels the integrator calls four times per step;
they work in place on preallocated arrays and never allocate per body.
:meth:`Environment.compute` has a compiled second implementation
(:mod:`tate.flight._eom_jit`, chosen when the environment is built, :mod:`tate.jit`);
the numpy code here is its reference.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from tate import jit
from tate.earth import wgs84
from tate.earth.atmosphere import _fast_table, density_and_sound_speed
from tate.earth.gravity import gravity_central, gravity_j2, gravity_j2_rows

__all__ = [
    "Environment",
    "FrameOptions",
    "cross3",
    "dot3",
    "ellipsoid_up",
    "frame_accel",
    "lift_frame",
    "local_frame",
    "norm3",
]

F64 = NDArray[np.float64]


def dot3(a: F64, b: F64) -> F64:
    """Column-wise dot product of ``(3, n)`` arrays → ``(n,)`` (cheaper than einsum).

    ``(a₀b₀ + a₁b₁) + a₂b₂``, the products taken in one call."""
    p = np.multiply(a, b)
    s = p[0] + p[1]
    s += p[2]
    return s


def norm3(a: F64) -> F64:
    """Column-wise Euclidean norm of a ``(3, n)`` array → ``(n,)``:
    √((a₀² + a₁²) + a₂²)."""
    p = np.multiply(a, a)
    s = p[0] + p[1]
    s += p[2]
    return np.sqrt(s, out=s) if isinstance(s, np.ndarray) else np.sqrt(s)


def cross3(a: F64, b: F64) -> F64:
    """Column-wise cross product of ``(3, n)`` arrays → ``(3, n)`` (np.cross's axis
    handling costs more than the arithmetic for the small ``n`` of a scenario).

    Arrays of one shape: ``a[(1,2,0)] b[(2,0,1)] − a[(2,0,1)] b[(1,2,0)]``, every
    component in one call; otherwise (broadcasting) component by component."""
    if a.shape == b.shape:
        out = np.multiply(a.take(_NEXT, 0), b.take(_PREV, 0))
        out -= a.take(_PREV, 0) * b.take(_NEXT, 0)
        return out
    out = np.empty(np.broadcast_shapes(a.shape, b.shape))
    np.multiply(a[1], b[2], out=out[0])
    out[0] -= a[2] * b[1]
    np.multiply(a[2], b[0], out=out[1])
    out[1] -= a[0] * b[2]
    np.multiply(a[0], b[1], out=out[2])
    out[2] -= a[1] * b[0]
    return out


_NEXT = np.array([1, 2, 0])  #: component i+1 (mod 3) of each row i
_PREV = np.array([2, 0, 1])  #: component i+2 (mod 3)


@dataclass(frozen=True)
class FrameOptions:
    """Switches for check cases: rotation of the Earth, J2, the atmosphere."""

    rotating: bool = True
    j2: bool = True
    atmosphere: bool = True


@dataclass
class Environment:
    """Quantities every flight model needs, computed once per derivative call.

    All arrays have shape ``(n,)`` except the ``(3, n)`` vectors ``grav`` and ``up``.
    ``grav`` and ``up`` are filled only where they were allocated (:meth:`empty`); the
    integrator's environment always has ``grav``, and ``up`` when a model asks for it,
    so a model reads them instead of computing them again for its bodies.

    :meth:`compute` runs the compiled kernel if the compiled path was on when the
    environment was built (:func:`tate.jit.enabled`), else the numpy code.
    """

    alt: F64  #: geodetic altitude [m]
    rho: F64  #: air density [kg/m^3]
    sound: F64  #: speed of sound [m/s]
    speed: F64  #: speed relative to the Earth [m/s]
    qbar: F64  #: dynamic pressure ½ρV² [Pa]
    mach: F64  #: Mach number [-]
    #: gravitation plus the frame terms, :func:`frame_accel` with ``frame`` [m/s^2]
    grav: F64 | None = None
    up: F64 | None = None  #: unit normal of the ellipsoid, :func:`ellipsoid_up` [-]
    frame: FrameOptions | None = None  #: the switches ``grav`` was computed with

    def __post_init__(self) -> None:
        #: the compiled kernels' module if the compiled path is on, else None
        self._kernels: jit.Kernels | None = _jit_kernels() if jit.enabled() else None

    @classmethod
    def empty(cls, n: int, up: bool = False) -> Environment:
        """Preallocate the arrays for ``n`` bodies (``up``: also the ellipsoid normal)."""
        e = np.empty
        return cls(e(n), e(n), e(n), e(n), e(n), e(n), grav=e((3, n)),
                   up=e((3, n)) if up else None)

    def view(self, sl: slice) -> Environment:
        """The environment of the bodies ``sl`` (views of these arrays)."""
        env = Environment(self.alt[sl], self.rho[sl], self.sound[sl], self.speed[sl],
                          self.qbar[sl], self.mach[sl],
                          None if self.grav is None else self.grav[:, sl],
                          None if self.up is None else self.up[:, sl], self.frame)
        env._kernels = self._kernels
        return env

    def frame_accel(self, opts: FrameOptions) -> F64 | None:
        """``grav`` if it was computed with ``opts``, else None."""
        if self.grav is not None and (self.frame is opts or self.frame == opts):
            return self.grav
        return None

    def compute(self, pos: F64, vel: F64, opts: FrameOptions) -> None:
        """Fill the arrays in place from ``pos (3, n)`` and ``vel (3, n)``."""
        if self._kernels is not None:
            self._compute_compiled(self._kernels, pos, vel, opts)
            return
        wgs84.geodetic_altitude_rows(pos, self.alt)
        if opts.atmosphere:
            density_and_sound_speed(self.alt, rho_out=self.rho, a_out=self.sound)
        else:
            self.rho.fill(0.0)
            self.sound.fill(340.0)
        sq = np.multiply(vel, vel)
        np.add(sq[0], sq[1], out=self.speed)
        self.speed += sq[2]
        np.multiply(self.rho, self.speed, out=self.qbar)
        self.qbar *= 0.5
        np.sqrt(self.speed, out=self.speed)
        np.divide(self.speed, self.sound, out=self.mach)
        if self.grav is not None:
            frame_accel(pos, vel, opts, self.grav)
            self.frame = opts
        if self.up is not None:
            ellipsoid_up(pos, out=self.up)

    def _compute_compiled(self, k: jit.Kernels, pos: F64, vel: F64, opts: FrameOptions) -> None:
        """:meth:`compute` in one call of the compiled kernel."""
        grav, up = self.grav, self.up
        tab = _fast_table()
        k.environment(pos, vel, self.alt, self.rho, self.sound, self.speed, self.qbar,
                      self.mach, k.NO_VEC if grav is None else grav,
                      k.NO_VEC if up is None else up,
                      k.flags_of(opts.atmosphere, opts.j2, opts.rotating, grav is not None,
                                 up is not None), tab.cells, tab.h_rho)
        if grav is not None:
            self.frame = opts


_KERNELS = jit.Kernels("tate.flight._eom_jit")


def _jit_kernels() -> jit.Kernels:
    """The compiled kernels (numba is imported on their first use)."""
    return _KERNELS


def frame_accel(pos: F64, vel: F64, opts: FrameOptions, out: F64) -> F64:
    """Gravitation plus the Coriolis and centrifugal terms, written into ``out``.

    Parameters
    ----------
    pos, vel
        ECEF position [m] and Earth-relative velocity [m/s], shape ``(3, n)``.
    opts
        Rotation and J2 switches.
    out
        Output array ``(3, n)`` [m/s^2].

    Notes
    -----
    With Ω = ω ẑ:  -2 Ω×v = 2ω (v_y, -v_x, 0) and -Ω×(Ω×r) = ω² (x, y, 0).
    """
    if not opts.j2:
        out[...] = gravity_central(pos.T).T
    elif pos.ndim == 2 and out.ndim == 2:
        gravity_j2_rows(pos, out)
    else:
        gravity_j2(pos.T, out=out.T)
    if opts.rotating:
        # rows (x, y) += (2ω v_y, -2ω v_x) + ω² (x, y), in this order of operations
        rot = np.multiply(vel[1::-1], _CORIOLIS if vel.ndim == 2 else _CORIOLIS[:, 0])
        rot += _W2 * pos[0:2]
        out[0:2] += rot
    return out


_CORIOLIS = np.array([[2.0 * wgs84.OMEGA], [-2.0 * wgs84.OMEGA]])
_W2 = wgs84.OMEGA * wgs84.OMEGA


_ELLIPSOID_GRADIENT = np.array([[1.0 / wgs84.A**2], [1.0 / wgs84.A**2], [1.0 / wgs84.B**2]])


def ellipsoid_up(pos: F64, out: F64 | None = None) -> F64:
    """Unit normal of the WGS-84 ellipsoid through ``pos (3, n)``, ``(3, n)``.

    The gradient of x²/a² + y²/a² + z²/b² is normal to the ellipsoid through the
    point; for altitudes up to ~100 km it differs from the geodetic vertical by
    less than e²h/R ≈ 1e-4 rad, far less than the 0.19° between the geocentric
    radius and the vertical that a guidance loop would otherwise see.  ``out``: an
    array of the shape of ``pos`` to write into.
    """
    grad = _ELLIPSOID_GRADIENT if pos.ndim == 2 else _ELLIPSOID_GRADIENT.reshape(3)
    up = np.multiply(pos, grad, out=out)
    up *= 1.0 / norm3(up)
    return up


def local_frame(pos: F64, up: F64 | None = None) -> tuple[F64, F64, F64]:
    """East, north and up unit vectors at ``pos (3, n)``, each ``(3, n)``; up is the
    ellipsoid normal (:func:`ellipsoid_up`; ``up``: that normal if the caller has it)."""
    if up is None:
        up = ellipsoid_up(pos)
    rho_xy = np.hypot(pos[0], pos[1])
    rho_xy = np.where(rho_xy > 0.0, rho_xy, 1.0)
    east = np.stack([-pos[1] / rho_xy, pos[0] / rho_xy, np.zeros_like(rho_xy)])
    north = cross3(up, east)
    return east, north, up


def lift_frame(pos: F64, vel: F64, speed: F64,
               up: F64 | None = None) -> tuple[F64, F64, F64]:
    """Velocity, vertical-lift and side unit vectors for a bank-angle convention.

    Returns ``(e_v, e_l, e_s)``, each ``(3, n)``: ``e_v`` along the Earth-relative
    velocity, ``e_l`` perpendicular to it in the vertical plane pointing up, and
    ``e_s = e_v × e_l`` pointing to the right of the flight path.  Lift at bank
    angle σ (positive = right wing down, turning right) points along
    ``cos σ e_l + sin σ e_s``.  Undefined for vertical flight; there ``e_l`` falls
    back to an arbitrary horizontal direction.  ``up``: :func:`ellipsoid_up` of ``pos``
    if the caller has it.
    """
    e_v = vel / np.where(speed > 0.0, speed, 1.0)
    if up is None:
        up = ellipsoid_up(pos)
    e_l = up - dot3(up, e_v) * e_v
    norm = norm3(e_l)
    bad = norm < 1e-9
    if bad.any():
        east, _, _ = local_frame(pos[:, bad])
        e_l[:, bad] = east
        norm[bad] = 1.0
    e_l /= norm
    e_s = cross3(e_v, e_l)
    return e_v, e_l, e_s
