"""Interacting multiple model (IMM) filter, vectorised over tracks, with a PDA-form update.

One cycle (Bar-Shalom, Li & Kirubarajan, *Estimation with Applications to Tracking
and Navigation*, 2001, §11.6.6):

1. Mixing, with Markov switching matrix Π(dt): c̄_j = Σ_i π_ij μ_i,
   μ_i|j = π_ij μ_i / c̄_j, x0_j = Σ_i μ_i|j x_i,
   P0_j = Σ_i μ_i|j (P_i + (x_i − x0_j)(x_i − x0_j)ᵀ).
2. Mode-matched prediction of (x0_j, P0_j) by each mode's KF/EKF/UKF
   (:class:`.filters.GaussianFilter`); the predicted mode probabilities c̄ are stored
   as ``mu`` until a measurement arrives, so a missed scan leaves them as predicted.
3. Update.  With candidates z_k, association probabilities β_k, β0 and mode-j
   likelihoods N_jk = N(z_k; ẑ_j, S_j), Bayes over the association events gives
   μ_j⁺ = c̄_j Λ_j,  Λ_j = β0 + Σ_k β_k N_jk / N̄_k,  N̄_k = Σ_i c̄_i N_ik,
   and mode-conditioned association probabilities β_k^j = β_k N_jk / (N̄_k Λ_j),
   β0^j = β0 / Λ_j, with which each mode runs the PDA update of :mod:`.filters`.
   When the β come from the PDA of the mode-mixture density this is the IMM-PDAF
   (Houles & Bar-Shalom, "Multisensor tracking of a maneuvering target in clutter",
   IEEE TAES 25(2), 1989): Λ_j ∝ b + Σ_k N_jk with b = λ(1 − P_D P_G)/P_D.  For
   GNN (c = 1, β = 1, β0 = 0) it is the ordinary IMM: μ_j⁺ ∝ c̄_j N_j.
4. Output: the moment-matched mixture x = Σ μ_j x_j, P = Σ μ_j (P_j + dx dxᵀ).

Switching: π_jj(dt) = p_j^dt with p_j the probability of staying in mode j for one
second (default 0.95), the rest spread evenly over the other modes.

Unequal state sizes: all modes run on one common state [positions, velocities,
then accelerations, ω, ln β as far as any mode has them].  A component a mode does
not model is either pinned or held.  Pinned (accelerations, ω): the mode asserts the
component is zero, so its prediction sets it to 0 with a tiny variance (1e-6 m²/s⁴,
1e-10 rad²/s²) and no correlation; mixing then pulls a CT mode's ω towards 0 while
the CV mode is likely, which is what a CV mode means.  Held (ln β): the mode says
nothing about drag, so the component is carried unchanged (identity, no noise) and
mixing keeps the ballistic mode's estimate.  With a single mode the IMM equals that
mode's filter exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from tate.tracking.filters import (
    Dynamics,
    GaussianFilter,
    _candidates,
    _init_arrays,
    _rows,
    _weights,
    inv_spd,
    make_dynamics,
    pda_update,
    resolve_method,
)
from tate.tracking.measurement import Meas, angle_column, innovation, wrap_angle
from tate.tracking.ukf import UKFParams

__all__ = ["EmbeddedDynamics", "IMMFilter", "IMMState", "make_imm"]

F64 = NDArray[np.float64]
I64 = NDArray[np.intp]
_ORDER = ("acc", "omega", "logbeta")  # canonical order of the extra components
PIN_VAR = {"acc": 1e-6, "omega": 1e-10}  #: variance of a pinned component [SI²]


@dataclass(frozen=True)
class IMMState:
    """Combined estimates ``x (n, k)``, ``P (n, k, k)``; per mode ``xs (n, M, k)``,
    ``Ps (n, M, k, k)``; mode probabilities ``mu (n, M)``."""

    x: F64
    P: F64
    xs: F64
    Ps: F64
    mu: F64


class EmbeddedDynamics:
    """A motion model acting on some components of a larger common state.

    ``index`` maps the inner state into the common one; ``pinned`` components are
    predicted as 0 with variance ``pin_var``, ``held`` components are carried unchanged.
    """

    def __init__(self, inner: Dynamics, index: I64, k: int, pinned: I64, pin_var: F64,
                 held: I64, extras: tuple[str, ...]) -> None:
        self.inner, self.index, self.k = inner, index, k
        self.pinned, self.pin_var, self.held = pinned, pin_var, held
        self.extras = extras
        self._ix = np.ix_(index, index)

    def propagate(self, X: F64, dt: float) -> F64:
        out = np.zeros_like(X)
        out[:, self.index] = self.inner.propagate(X[:, self.index], dt)
        out[:, self.held] = X[:, self.held]
        return out

    def linearise(self, x: F64, dt: float) -> tuple[F64, F64]:
        xi, Fi = self.inner.linearise(x[:, self.index], dt)
        out = np.zeros_like(x)
        out[:, self.index] = xi
        out[:, self.held] = x[:, self.held]
        F = np.zeros((*Fi.shape[:-2], self.k, self.k))
        F[..., self.index[:, None], self.index[None, :]] = Fi
        F[..., self.held, self.held] = 1.0
        return out, F

    def noise(self, dt: float) -> F64:
        Q = np.zeros((self.k, self.k))
        Q[self._ix] = self.inner.noise(dt)
        Q[self.pinned, self.pinned] = self.pin_var
        return Q


def _mixture(mu: F64, means: F64, covs: F64, angle: int | None = None) -> tuple[F64, F64]:
    """Moment-matched mean ``(n, m)`` and covariance of mixtures ``(n, M, m)``,
    ``(n, M, m, m)`` with weights ``mu (n, M)``; column ``angle`` averaged on the circle."""
    n, M, m = means.shape
    w = mu[:, None, :]
    if angle is None:
        mean = (w @ means)[:, 0, :]
        dev = means - mean[:, None, :]
    else:
        ref = means[:, :1, :]
        rel = _wrapped(means - ref, angle)
        mean = (w @ rel)[:, 0, :]
        dev = rel - mean[:, None, :]
        mean = mean + ref[:, 0, :]
        mean[:, angle] = wrap_angle(mean[:, angle])
    cov = (w @ covs.reshape(n, M, m * m)).reshape(n, m, m)
    cov += (np.swapaxes(dev, 1, 2) * mu[:, None, :]) @ dev
    return mean, 0.5 * (cov + np.swapaxes(cov, 1, 2))


def _wrapped(d: F64, angle: int) -> F64:
    """Differences ``d`` with column ``angle`` wrapped to (−π, π]."""
    d = d.copy()
    d[..., angle] = wrap_angle(d[..., angle])
    return d


def _log_gauss(nu: F64, S: F64) -> F64:
    """ln N(ν; 0, S) for innovations ``(r, c, m)`` and covariances ``(r, m, m)`` → ``(r, c)``."""
    m = S.shape[-1]
    Sinv, det = inv_spd(S)
    maha = np.sum((nu @ Sinv) * nu, axis=2)
    return -0.5 * (maha + np.log(det)[:, None] + m * np.log(2.0 * np.pi))


class IMMFilter:
    """IMM over mode filters that share one common state (implements TrackFilter).

    Parameters
    ----------
    modes
        Mode-matched filters on the common state (same ``k`` and ``dim``).
    p_stay
        Probability ``(M,)`` of staying in each mode for one second.
    mu0
        Initial mode probabilities ``(M,)``.
    extra_mean, extra_std
        Initial mean and standard deviation of the common extra components (NaN std:
        0.1·vel_std).
    """

    def __init__(self, modes: Sequence[GaussianFilter], p_stay: ArrayLike, mu0: ArrayLike,
                 extra_mean: F64, extra_std: F64) -> None:
        self.modes = list(modes)
        self.M = len(self.modes)
        self.k, self.dim = self.modes[0].k, self.modes[0].dim
        if any(f.k != self.k or f.dim != self.dim for f in self.modes):
            raise ValueError("IMM modes must share the state size and dimension")
        self.p_stay = np.broadcast_to(np.asarray(p_stay, float), (self.M,)).copy()
        self.mu0 = np.broadcast_to(np.asarray(mu0, float), (self.M,)).copy()
        if not (np.all((self.p_stay > 0) & (self.p_stay <= 1))
                and np.isclose(self.mu0.sum(), 1.0) and np.all(self.mu0 >= 0)):
            raise ValueError(f"need 0 < p_stay <= 1 and mu0 a distribution, got "
                             f"{self.p_stay}, {self.mu0}")
        self.extra_mean, self.extra_std = extra_mean, extra_std

    def switch_matrix(self, dt: float) -> F64:
        """Π(dt) ``(M, M)``: π_jj = p_j^dt, off-diagonal (1 − p_j^dt)/(M − 1)."""
        if self.M == 1:
            return np.ones((1, 1))
        p = self.p_stay ** abs(dt)
        Pi = np.repeat(((1.0 - p) / (self.M - 1))[:, None], self.M, axis=1)
        Pi[np.arange(self.M), np.arange(self.M)] = p
        return Pi

    def _state(self, xs: F64, Ps: F64, mu: F64) -> IMMState:
        x, P = _mixture(mu, xs, Ps)
        return IMMState(x, P, xs, Ps, mu)

    # -- TrackFilter ----------------------------------------------------------------------------
    def init(self, pos: F64, pos_cov: F64, vel_std: ArrayLike) -> IMMState:
        """New tracks (see :meth:`.filters.GaussianFilter.init`), every mode alike."""
        x, P = _init_arrays(pos, pos_cov, vel_std, self.dim, self.k, self.extra_mean,
                            self.extra_std)
        n = x.shape[0]
        xs = np.repeat(x[:, None, :], self.M, axis=1)
        Ps = np.repeat(P[:, None, :, :], self.M, axis=1)
        return IMMState(x, P, xs, Ps, np.tile(self.mu0, (n, 1)))

    def predict(self, s: IMMState, dt: float) -> IMMState:
        """Mixing and mode-matched prediction of all rows over ``dt`` [s]."""
        n, M, k = s.xs.shape
        if n == 0:
            return s
        Pi = self.switch_matrix(dt)
        cbar = s.mu @ Pi
        w = Pi[None, :, :] * s.mu[:, :, None] / cbar[:, None, :]  # μ_i|j, (n, i, j)
        wt = np.swapaxes(w, 1, 2)
        x0 = wt @ s.xs
        P0 = (wt @ s.Ps.reshape(n, M, k * k)).reshape(n, M, k, k)
        dx = s.xs[:, :, None, :] - x0[:, None, :, :]  # (n, i, j, k)
        dxw = (dx * w[:, :, :, None]).transpose(0, 2, 3, 1)  # (n, j, k, i)
        P0 += dxw @ dx.transpose(0, 2, 1, 3)
        xs = np.empty_like(s.xs)
        Ps = np.empty_like(s.Ps)
        for j, f in enumerate(self.modes):
            xs[:, j], Ps[:, j] = f.predict_xp(x0[:, j], P0[:, j], dt)
        return self._state(xs, Ps, cbar)

    def output(self, s: IMMState) -> tuple[F64, F64]:
        """Moment-matched estimates ``(n, k)``, ``(n, k, k)``."""
        return s.x, s.P

    def predict_measurement(self, s: IMMState, rows: ArrayLike, meas: Meas
                            ) -> tuple[F64, F64]:
        """Moment-matched predicted measurement and innovation covariance of rows."""
        r = _rows(rows)
        z, S = self._mode_moments(s, r, meas)[:2]
        return _mixture(s.mu[r], z, S, angle_column(meas))

    def _mode_moments(self, s: IMMState, r: I64, meas: Meas) -> tuple[F64, F64, list[Any]]:
        out = [f.moments(s.xs[r, j], s.Ps[r, j], meas) for j, f in enumerate(self.modes)]
        z = np.stack([o[0] for o in out], axis=1)
        S = np.stack([o[1] for o in out], axis=1)
        return z, S, out

    def update(self, s: IMMState, rows: ArrayLike, Z: F64, beta: F64, beta0: F64,
               meas: Meas) -> tuple[IMMState, F64]:
        """Mode-matched PDA updates and mode probabilities (module docstring, step 3).

        Returns the new state and the NIS ``(r,)`` of the β-weighted innovation against
        the moment-matched predicted measurement."""
        r = _rows(rows)
        if r.size == 0:
            return s, np.zeros(0)
        cbar = s.mu[r]
        z, S, mom = self._mode_moments(s, r, meas)
        Zc = _candidates(Z, r.size, meas)
        b, b0 = _weights(beta, beta0, Zc.shape[:2])
        used = b > 0.0
        nus = [innovation(meas, Zc, z[:, j, None, :]) for j in range(self.M)]
        logn = np.stack([_log_gauss(np.where(used[:, :, None], nu, 0.0), S[:, j])
                         for j, nu in enumerate(nus)], axis=1)  # (r, M, c)
        logc = np.log(np.maximum(cbar, 1e-300))[:, :, None]
        top = np.max(logc + logn, axis=1, keepdims=True)
        log_mix = top + np.log(np.sum(np.exp(logc + logn - top), axis=1, keepdims=True))
        ratio = np.where(used[:, None, :], np.exp(logn - log_mix), 0.0)  # N_jk / N̄_k
        lam = b0[:, None] + np.einsum("rc,rmc->rm", b, ratio)
        ok = lam > 0.0
        mu = cbar * lam
        mu /= mu.sum(axis=1, keepdims=True)
        xs, Ps = s.xs.copy(), s.Ps.copy()
        for j, (_, Sj, Cj, Hj, Rj) in enumerate(mom):
            lj = np.where(ok[:, j], lam[:, j], 1.0)
            bj = np.where(ok[:, j, None], b * ratio[:, j] / lj[:, None], b)
            b0j = np.where(ok[:, j], b0 / lj, b0)
            xj, Pj, _ = pda_update(s.xs[r, j], s.Ps[r, j], Sj, Cj, nus[j], bj, b0j, Hj, Rj)
            xs[r, j], Ps[r, j] = xj, Pj
        mu_all = s.mu.copy()
        mu_all[r] = mu
        z_bar, S_bar = _mixture(cbar, z, S, angle_column(meas))
        nu = np.where(used[:, :, None], innovation(meas, Zc, z_bar[:, None, :]), 0.0)
        nu = (b[:, None, :] @ nu)[:, 0, :]
        nis = np.einsum("ri,ri->r", nu, np.linalg.solve(S_bar, nu[:, :, None])[:, :, 0])
        x, P = s.x.copy(), s.P.copy()
        x[r], P[r] = _mixture(mu, xs[r], Ps[r])
        return IMMState(x, P, xs, Ps, mu_all), nis

    def take(self, s: IMMState, idx: ArrayLike) -> IMMState:
        """Rows ``idx`` (indices or boolean mask)."""
        i = np.asarray(idx)
        return IMMState(s.x[i], s.P[i], s.xs[i], s.Ps[i], s.mu[i])

    def concat(self, a: IMMState, b: IMMState) -> IMMState:
        """Rows of ``a`` followed by rows of ``b``."""
        return IMMState(*(np.concatenate([getattr(a, f), getattr(b, f)])
                          for f in ("x", "P", "xs", "Ps", "mu")))


def _layout(extras: Sequence[tuple[str, ...]]) -> list[tuple[str, int]]:
    """Common extra components as (name, count) in canonical order."""
    out = []
    for name in _ORDER:
        counts = [e.count(name) for e in extras if name in e]
        if counts:
            out.append((name, max(counts)))
    return out


def make_imm(models: Sequence[Sequence[Any]], dim: int, *, method: str = "auto",
             alpha: float = 0.1, switch: float | Sequence[float] = 0.95,
             ukf: UKFParams | None = None, **kw: Any) -> IMMFilter:
    """An IMM filter from modes ``(motion, q)`` or ``(motion, q, method)`` (see
    :func:`.filters.make_filter` for the keywords)."""
    if not models:
        raise ValueError("an IMM needs at least one mode")
    mu0 = kw.pop("imm_mu0", None)
    built = []
    for spec in models:
        motion, q = str(spec[0]), float(spec[1])
        meth = resolve_method(motion, str(spec[2]) if len(spec) > 2 else method)
        built.append((*make_dynamics(motion, dim, q, alpha, **kw), meth))
    layout = _layout([d.extras for d, _, _, _ in built])
    names = [name for name, count in layout for _ in range(count)]
    k = 2 * dim + len(names)
    c_mean, c_std = np.zeros(len(names)), np.zeros(len(names))
    modes = []
    for dyn, mean, std, meth in built:
        own = list(dyn.extras)
        index = list(range(2 * dim))
        for e, name in enumerate(own):
            c = names.index(name) + own[:e].count(name)
            index.append(2 * dim + c)
            c_mean[c], c_std[c] = mean[e], std[e]
        foreign = [2 * dim + c for c in range(len(names)) if 2 * dim + c not in index]
        pinned = np.array([c for c in foreign if names[c - 2 * dim] in PIN_VAR], np.intp)
        held = np.array([c for c in foreign if names[c - 2 * dim] not in PIN_VAR], np.intp)
        emb: Dynamics = dyn
        if foreign:
            pin_var = np.array([PIN_VAR[names[c - 2 * dim]] for c in pinned])
            emb = EmbeddedDynamics(dyn, np.array(index, np.intp), k, pinned, pin_var, held,
                                   tuple(names))
        modes.append(GaussianFilter(emb, dim, meth, ukf=ukf, extra_mean=np.zeros(k - 2 * dim),
                                    extra_std=np.zeros(k - 2 * dim)))
    M = len(modes)
    mu = np.full(M, 1.0 / M) if mu0 is None else np.asarray(mu0, float)
    return IMMFilter(modes, switch, mu, c_mean, c_std)
