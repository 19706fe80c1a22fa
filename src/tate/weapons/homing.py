"""Zarchan's linearised homing loop, flown with our guidance kernels, and its closed forms.

The linear engagement (Zarchan, *Tactical and Strategic Missile Guidance*, 6th
ed., 2012, ch. 2–4): lateral separation y (target minus missile) normal to the
initial LOS, closing speed V_c constant, t_go = t_F − t,

    ÿ = n_T − n_L,   λ = y / (V_c t_go),   n_c = N' V_c λ̇,
    ṅ_L = (n_c − n_L)/T   (single lag; n_L = n_c for T = 0),

with y(0) = 0 and ẏ(0) = −V_M·HE (heading error HE [rad]) and a step target
manoeuvre n_T from t = 0.  The miss is y(t_F).

**Our code in the loop.**  n_c is not written out here: at every Runge–Kutta stage
the 1-D state is embedded in 3-D as r = (V_c t_go, s·y, 0), v = (−V_c, s·ẏ, 0),
pursuer velocity (V_c, −s·ẏ, 0), target acceleration (0, s·n_T, 0), the law of
:data:`tate.weapons.guidance.GUIDANCE` is called on it, and the lateral component
of its command divided by s is n_c.  The scale s keeps the lateral offset at 1e−6
of the range, where every law of that registry is linear to 1e−12, so the
harness reproduces the linear loop (and would expose a wrong sign, gain or frame
in a kernel).  ``pn`` and ``tpn`` reduce to n_c = N'(y + ẏ t_go)/t_go²; ``apn`` and
``zem`` (which uses the target acceleration) add ½N' n_T.

**Integration.**  Classic RK4 on a mesh common to all cases, in the normalised time
to go g = t_go/t_F (kept in g so that t_go keeps its relative precision near the
end): steps of min(T/(30 t_F), 0.02 g), i.e. at most 1/30 of the lag and 2 % of the
time to go (the command grows as 1/t_go near the end), stopped at t_go = 1e−9 t_F.
Against the closed forms below the normalised miss agrees to ~1e−6.

**Closed forms** (single lag, x = t_F/T; Zarchan ch. 4, and docs/references.md §3):
step manoeuvre, miss/(n_T T²) = ½x²e^(−x)·{1, 1 − x/3, 1 − 2x/3 + x²/12} for
N' = 3, 4, 5; heading error, miss/(V_M HE T) = −x e^(−x)·{1 − x/2,
1 − x + x²/6, 1 − 3x/2 + x²/2 − x³/24}; zero lag, n_c/n_T = N'/(N'−2)·[1 − (1 −
t/t_F)^(N'−2)].
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from tate.weapons.guidance import guidance_law

__all__ = [
    "HomingRun",
    "heading_error_miss_closed_form",
    "homing_loop",
    "homing_miss",
    "pn_miss_closed_form",
    "zero_lag_command_ratio",
]

F64 = NDArray[np.float64]
LATERAL_SCALE = 1e-6  #: lateral offset / range in the 3-D embedding [-]
END_FRACTION = 1e-9  #: integration stops at t_go = END_FRACTION · t_F [-]
LAG_STEP = 1.0 / 30.0  #: largest step as a fraction of the lag T [-]
GO_STEP = 0.02  #: largest step as a fraction of the time to go [-]


def pn_miss_closed_form(nprime: int, x: ArrayLike) -> F64:
    """Normalised miss miss/(n_T T²) of a step target manoeuvre, single-lag PN loop.

    Parameters
    ----------
    nprime
        3, 4 or 5.
    x
        Flight time over the lag, t_F/T [-].
    """
    x = np.asarray(x, float)
    base = 0.5 * x * x * np.exp(-x)
    poly = {3: 1.0, 4: 1.0 - x / 3.0, 5: 1.0 - 2.0 * x / 3.0 + x * x / 12.0}
    if nprime not in poly:
        raise ValueError(f"closed form known for N' = 3, 4, 5, got {nprime}")
    return np.asarray(base * poly[nprime])


def heading_error_miss_closed_form(nprime: int, x: ArrayLike) -> F64:
    """Normalised miss miss/(V_M HE T) of a heading error, single-lag PN loop (N' 3–5)."""
    x = np.asarray(x, float)
    base = -x * np.exp(-x)
    poly = {3: 1.0 - x / 2.0, 4: 1.0 - x + x * x / 6.0,
            5: 1.0 - 1.5 * x + 0.5 * x * x - x**3 / 24.0}
    if nprime not in poly:
        raise ValueError(f"closed form known for N' = 3, 4, 5, got {nprime}")
    return np.asarray(base * poly[nprime])


def zero_lag_command_ratio(nprime: ArrayLike, t_over_tf: ArrayLike) -> F64:
    """n_c/n_T of a zero-lag PN loop against a step manoeuvre, N' > 2."""
    n = np.asarray(nprime, float)
    return np.asarray(n / (n - 2.0) * (1.0 - (1.0 - np.asarray(t_over_tf, float)) ** (n - 2.0)))


@dataclass(frozen=True)
class HomingRun:
    """Time histories of the linear loop, cases along the last axis.

    ``t`` is ``(k, m)`` [s] (each case's own time), the others ``(k, m)`` in SI.
    """

    t: F64
    y: F64  #: lateral separation, target minus missile [m]
    ydot: F64  #: [m/s]
    nc: F64  #: commanded acceleration [m/s^2]
    nl: F64  #: achieved acceleration [m/s^2]

    @property
    def miss(self) -> F64:
        """y at the end of the flight ``(m,)`` [m]."""
        return self.y[-1]


def _mesh(min_lag_fraction: float) -> F64:
    """Nodes of the normalised time to go g = t_go/t_F, from 1 down to END_FRACTION
    (held in g, not in t, so that t_go keeps its relative precision near the end)."""
    g = [1.0]
    h_max = min_lag_fraction * LAG_STEP if min_lag_fraction > 0 else GO_STEP
    while g[-1] > END_FRACTION:
        g.append(max(g[-1] - min(h_max, GO_STEP * g[-1]), END_FRACTION))
    return np.asarray(g)


def _command(law: str, nprime: F64, y: F64, yd: F64, tgo: F64, vc: F64, nt: F64) -> F64:
    """n_c from the 3-D guidance law on the embedded linear geometry."""
    rng = vc * tgo
    size = np.abs(y) + np.abs(yd) * tgo + np.abs(nt) * tgo * tgo
    s = LATERAL_SCALE * rng / np.where(size > 0, size, 1.0)
    zero = np.zeros_like(y)
    r = np.stack([rng, s * y, zero])
    v = np.stack([-vc, s * yd, zero])
    vel = np.stack([vc, -s * yd, zero])
    a_t = np.stack([zero, s * nt, zero])
    a = guidance_law(law).command(r, v, vel, a_t, tgo, nprime)
    return np.asarray(a[1] / s)


def homing_loop(nprime: ArrayLike, tf: ArrayLike, lag: ArrayLike, nt: ArrayLike = 0.0,
                he: ArrayLike = 0.0, vc: ArrayLike = 3000.0, vm: ArrayLike = 3000.0,
                law: str = "pn") -> HomingRun:
    """Integrate the linearised single-lag homing loop for broadcast cases.

    Parameters
    ----------
    nprime
        Navigation ratio N' [-].
    tf
        Flight time t_F [s].
    lag
        Guidance-system time constant T [s] (0: no lag).
    nt
        Step target manoeuvre [m/s^2].
    he
        Heading error [rad].
    vc, vm
        Closing and missile speeds [m/s].
    law
        A name of :data:`tate.weapons.guidance.GUIDANCE` (``pn`` and ``tpn`` give
        the same linear loop; ``apn`` and ``zem`` add ½ N' n_T).

    Returns
    -------
    HomingRun
        Histories on the common normalised mesh.
    """
    n_, tf_, T_, nt_, he_, vc_, vm_ = (
        np.atleast_1d(a).astype(float)
        for a in np.broadcast_arrays(nprime, tf, lag, nt, he, vc, vm))
    if np.any(tf_ <= 0) or np.any(T_ < 0):
        raise ValueError("tf must be > 0 and lag >= 0")
    lagged = T_ > 0
    frac = T_[lagged] / tf_[lagged]
    g = _mesh(float(frac.min()) if frac.size else 0.0)
    inv_T = np.where(lagged, 1.0 / np.where(lagged, T_, 1.0), 0.0)

    def deriv(g_k: float, x: F64) -> tuple[F64, F64]:
        nc = _command(law, n_, x[0], x[1], tf_ * g_k, vc_, nt_)
        nl = np.where(lagged, x[2], nc)
        return np.stack([x[1], nt_ - nl, (nc - x[2]) * inv_T]), nc

    x = np.stack([np.zeros_like(tf_), -vm_ * he_, np.zeros_like(tf_)])
    hist = [x]
    ncs = []
    for k in range(g.size - 1):
        h = g[k] - g[k + 1]  # step in normalised time (g falls as t grows)
        ht = h * tf_
        k1, nc = deriv(g[k], x)
        ncs.append(nc)
        k2, _ = deriv(g[k] - 0.5 * h, x + 0.5 * ht * k1)
        k3, _ = deriv(g[k] - 0.5 * h, x + 0.5 * ht * k2)
        k4, _ = deriv(g[k + 1], x + ht * k3)
        x = x + ht / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
        hist.append(x)
    ncs.append(deriv(g[-1], x)[1])
    xs = np.stack(hist)
    nc_hist = np.stack(ncs)
    nl_hist = np.where(lagged, xs[:, 2], nc_hist)
    return HomingRun((1.0 - g)[:, None] * tf_, xs[:, 0], xs[:, 1], nc_hist, nl_hist)


def homing_miss(nprime: ArrayLike, tf: ArrayLike, T: ArrayLike, nt: ArrayLike = 0.0,
                he: ArrayLike = 0.0, vc: ArrayLike = 3000.0, vm: ArrayLike = 3000.0,
                law: str = "pn") -> F64:
    """Miss distance y(t_F) [m] of the linear loop (see :func:`homing_loop`), shaped as
    the broadcast of the inputs."""
    shape = np.broadcast_shapes(*(np.shape(a) for a in (nprime, tf, T, nt, he, vc, vm)))
    run = homing_loop(nprime, tf, T, nt, he, vc, vm, law)
    return run.miss.reshape(shape)
