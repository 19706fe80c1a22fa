"""Track filters behind one vectorised interface: KF, EKF and UKF, with a PDA-form update.

A filter is a small strategy object (:class:`TrackFilter`) that holds the motion
model and the method; the track states are rows of arrays in a frozen record
(:class:`GaussState`: ``x (n, k)``, ``P (n, k, k)``; the IMM's record is in
:mod:`.imm`).  Every verb works on all rows at once.

Methods
    ``kf``  linear motion models (:mod:`.motion`: cv, ca, singer); with a nonlinear
            measurement (:class:`.measurement.RAEMeas`) the update is the EKF's.
    ``ekf`` first-order linearisation: x' = f(x), P' = F P Fᵀ + Q with F = ∂f/∂x at the
            prior mean; update with H = ∂h/∂x at the predicted mean.
    ``ukf`` scaled unscented transform (:mod:`.ukf`) for the prediction and the update.

Update (Bar-Shalom, Daum & Huang, "The probabilistic data association filter",
IEEE Control Systems 29(6), 2009, eqs. 30-38)
    Candidates z_j (j = 1..c, padded rows carry β_j = 0) with association
    probabilities β_j and β0 = P(none is correct): ν_j = z_j − ẑ, ν = Σ β_j ν_j,
    K = C S⁻¹ with C = P Hᵀ (EKF) or the sigma-point cross-covariance (UKF),
    x⁺ = x + K ν and
    P⁺ = β0 P + (1 − β0) P_c + K (Σ β_j ν_j ν_jᵀ − ν νᵀ) Kᵀ,
    where P_c is the covariance of a single correct update: the Joseph form
    (I − KH) P (I − KH)ᵀ + K R Kᵀ (Bar-Shalom, Li & Kirubarajan 2001, eq. 5.2.3-18) for
    the KF/EKF and P − K S Kᵀ for the UKF.  With c = 1, β = 1, β0 = 0 (GNN) this is the
    ordinary update; the code then skips the PDA terms, so the reduction is exact.
    The returned NIS is νᵀ S⁻¹ ν of the β-weighted innovation.

Registry: :data:`FILTERS` names the motion models of :func:`make_filter`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
from numpy.typing import ArrayLike, NDArray

from tate import jit
from tate.tracking.measurement import (
    Meas,
    PositionMeas,
    RAEMeas,
    angle_column,
    innovation,
    meas_dim,
    measurement_jacobian,
    noise,
    predict_measurement,
)
from tate.tracking.motion import MODELS, process_noise, transition
from tate.tracking.nonlinear import (
    BallisticParams,
    ballistic_process_noise,
    ballistic_propagate,
    ballistic_propagate_stm,
    ct_jacobian,
    ct_process_noise,
    ct_propagate,
)
from tate.tracking.ukf import UKFParams, ukf_predict, ukf_transform

__all__ = [
    "FILTERS",
    "BallisticDynamics",
    "CTDynamics",
    "Dynamics",
    "GaussState",
    "GaussianFilter",
    "LinearDynamics",
    "TrackFilter",
    "inv_spd",
    "make_filter",
    "pda_update",
]

F64 = NDArray[np.float64]
I64 = NDArray[np.intp]
FILTERS = ("cv", "ca", "singer", "ct", "ballistic", "imm")  #: motion names of make_filter
METHODS = ("auto", "kf", "ekf", "ukf")
_KEYWORDS = {"q_omega", "omega_std", "q_beta", "beta_init", "log_beta_std", "acc_std",
             "ukf_alpha", "ukf_beta", "ukf_kappa", "imm_mu0"}


@dataclass(frozen=True)
class GaussState:
    """Gaussian track estimates: states ``x (n, k)`` and covariances ``P (n, k, k)``."""

    x: F64
    P: F64


class TrackFilter(Protocol):
    """What the tracker calls; see :class:`GaussianFilter` for the meaning of each verb."""

    k: int
    dim: int

    def init(self, pos: F64, pos_cov: F64, vel_std: ArrayLike) -> Any: ...
    def predict(self, s: Any, dt: float) -> Any: ...
    def output(self, s: Any) -> tuple[F64, F64]: ...
    def predict_measurement(self, s: Any, rows: ArrayLike, meas: Meas
                            ) -> tuple[F64, F64]: ...
    def update(self, s: Any, rows: ArrayLike, Z: F64, beta: F64, beta0: F64, meas: Meas
               ) -> tuple[Any, F64]: ...
    def take(self, s: Any, idx: ArrayLike) -> Any: ...
    def concat(self, a: Any, b: Any) -> Any: ...


class Dynamics(Protocol):
    """A motion model: propagation of rows, its linearisation and process noise."""

    k: int
    extras: tuple[str, ...]  #: names of the components after positions and velocities

    def propagate(self, X: F64, dt: float) -> F64: ...
    def linearise(self, x: F64, dt: float) -> tuple[F64, F64]: ...
    def noise(self, dt: float) -> F64: ...


class LinearDynamics:
    """cv / ca / singer from :mod:`.motion`; F and Q are cached per step length."""

    def __init__(self, model: str, dim: int, q: float, alpha: float = 0.1) -> None:
        self.model, self.dim, self.q, self.alpha = model, dim, q, alpha
        self.k = dim * MODELS[model]
        self.extras: tuple[str, ...] = ("acc",) * (self.k - 2 * dim)
        self._cache: dict[float, tuple[F64, F64, F64]] = {}

    def matrices(self, dt: float) -> tuple[F64, F64, F64]:
        """F, Fᵀ (contiguous) and Q ``(k, k)`` for step ``dt`` [s]."""
        hit = self._cache.get(dt)
        if hit is None:
            F = transition(self.model, [dt], self.dim, alpha=self.alpha)[0]
            Q = process_noise(self.model, [dt], self.q, self.dim, alpha=self.alpha)[0]
            if len(self._cache) > 256:
                self._cache.clear()
            hit = self._cache[dt] = (F, np.ascontiguousarray(F.T), Q)
        return hit

    def propagate(self, X: F64, dt: float) -> F64:
        return X @ self.matrices(dt)[1]

    def linearise(self, x: F64, dt: float) -> tuple[F64, F64]:
        F, FT, _ = self.matrices(dt)
        return x @ FT, F

    def noise(self, dt: float) -> F64:
        return self.matrices(dt)[2]


class CTDynamics:
    """Coordinated turn (:func:`.nonlinear.ct_propagate`), 2-D or 3-D."""

    def __init__(self, dim: int, q: float, q_omega: float) -> None:
        self.dim, self.q, self.q_omega = dim, q, q_omega
        self.k = 2 * dim + 1
        self.extras: tuple[str, ...] = ("omega",)

    def propagate(self, X: F64, dt: float) -> F64:
        return ct_propagate(X, dt)

    def linearise(self, x: F64, dt: float) -> tuple[F64, F64]:
        return ct_propagate(x, dt), ct_jacobian(x, dt)

    def noise(self, dt: float) -> F64:
        return ct_process_noise(dt, self.q, self.q_omega, self.dim)


class BallisticDynamics:
    """Ballistic flight with drag (:func:`.nonlinear.ballistic_propagate`), 3-D only."""

    def __init__(self, q: float, q_s: float, params: BallisticParams) -> None:
        self.q, self.q_s, self.params = q, q_s, params
        self.k = 7
        self.extras: tuple[str, ...] = ("logbeta",)

    def propagate(self, X: F64, dt: float) -> F64:
        return ballistic_propagate(X, dt, self.params)

    def linearise(self, x: F64, dt: float) -> tuple[F64, F64]:
        return ballistic_propagate_stm(x, dt, self.params)

    def noise(self, dt: float) -> F64:
        return ballistic_process_noise(dt, self.q, self.q_s)


def inv_spd(S: F64) -> tuple[F64, F64]:
    """Inverses and determinants of symmetric positive-definite matrices ``(r, m, m)``.

    For m ≤ 3 the adjugate formula (several times faster than batched LAPACK on small
    matrices) with Sylvester's criterion (all leading minors positive) as the check,
    else a Cholesky factorisation.  Raises ``numpy.linalg.LinAlgError`` when a matrix
    is not positive-definite.
    """
    m = S.shape[-1]
    minors: list[F64]
    if m == 1:
        det = S[:, 0, 0].copy()
        minors = [det]
        inv = (1.0 / np.where(det > 0.0, det, 1.0))[:, None, None]
    elif m == 2:
        a, b, d = S[:, 0, 0], S[:, 0, 1], S[:, 1, 1]
        det = a * d - b * b
        minors = [a, det]
        adj = np.empty_like(S)
        adj[:, 0, 0], adj[:, 1, 1] = d, a
        adj[:, 0, 1] = adj[:, 1, 0] = -b
        inv = adj / np.where(det > 0.0, det, 1.0)[:, None, None]
    elif m == 3:
        # with a, b, c, d, e, f = S00, S01, S02, S11, S12, S22 the cofactors (upper
        # triangle, row by row) are d f − e e, c e − b f, b e − c d, a f − c c, b c − a e,
        # a d − b b: taken all at once from the flattened matrices
        flat = S.reshape(-1, 9)
        up = flat[:, _ADJ_A] * flat[:, _ADJ_B] - flat[:, _ADJ_C] * flat[:, _ADJ_D]
        adj = up.take(_ADJ_FULL, axis=1).reshape(-1, 3, 3)  # C order, as matmul saw it
        a = flat[:, 0]
        det = a * up[:, 0] + flat[:, 1] * up[:, 1] + flat[:, 2] * up[:, 2]
        minors = [a, up[:, 5], det]
        inv = adj / np.where(det > 0.0, det, 1.0)[:, None, None]
    else:
        L = np.linalg.cholesky(S)  # raises LinAlgError if S is not positive-definite
        det = np.prod(np.diagonal(L, 0, 1, 2), axis=1) ** 2
        minors = []
        inv = np.asarray(np.linalg.inv(S), dtype=np.float64)
    if minors:
        ok = minors[0] > 0.0
        for v in minors[1:]:
            ok &= v > 0.0
        if not ok.all():
            raise np.linalg.LinAlgError("innovation covariance is not positive-definite")
    return inv, det


_ADJ_A = np.array([4, 2, 1, 0, 1, 0])  # flat indices (3 i + j) of the cofactor products
_ADJ_B = np.array([8, 5, 5, 8, 2, 4])
_ADJ_C = np.array([5, 1, 2, 2, 0, 1])
_ADJ_D = np.array([5, 8, 4, 2, 5, 1])
_ADJ_FULL = np.array([0, 1, 2, 1, 3, 4, 2, 4, 5])  # symmetric 3 × 3 from the upper triangle


def pda_update(x: F64, P: F64, S: F64, C: F64, nu_j: F64, beta: F64, beta0: F64,
               H: F64 | None = None, R: F64 | None = None, gnn: bool | None = None
               ) -> tuple[F64, F64, F64]:
    """PDA-form update of ``r`` rows (module docstring, Bar-Shalom, Daum & Huang 2009).

    Parameters
    ----------
    x, P
        Predicted states ``(r, k)`` and covariances ``(r, k, k)``.
    S, C
        Innovation covariances ``(r, m, m)`` and cross-covariances P Hᵀ ``(r, k, m)``.
    nu_j
        Innovations of the candidates ``(r, c, m)`` (azimuth already wrapped).
    beta, beta0
        Association probabilities ``(r, c)`` (0 for padding) and of "none" ``(r,)``.
    H, R
        Measurement Jacobian ``(m, k)`` or ``(r, m, k)`` and noise, for the Joseph form;
        ``H=None`` uses P − K S Kᵀ (UKF).
    gnn
        Whether this is the ordinary update (one candidate a row, β = 1, β0 = 0), if the
        caller knows; None: checked here.

    Returns
    -------
    x⁺ ``(r, k)``, P⁺ ``(r, k, k)``, NIS ``(r,)`` of the β-weighted innovation.
    """
    k = x.shape[1]
    if gnn is None:
        gnn = nu_j.shape[1] == 1 and not np.any(beta0) and bool(np.all(beta == 1.0))
    if gnn:
        nu = nu_j[:, 0, :]
    else:
        nu_j = np.where(beta[:, :, None] > 0.0, nu_j, 0.0)
        nu = (beta[:, None, :] @ nu_j)[:, 0, :]
    Sinv, _ = inv_spd(S)
    K = C @ Sinv
    nis = np.einsum("ri,ri->r", nu, (Sinv @ nu[:, :, None])[:, :, 0])
    x_new = x + (K @ nu[:, :, None])[:, :, 0]
    Kt = K.swapaxes(1, 2)
    if H is None or R is None:
        Pc = P - K @ S @ Kt
    else:
        eye = _EYE.get(k)
        if eye is None:
            eye = _EYE[k] = np.eye(k)
        IKH = eye - K @ H
        Pc = IKH @ P @ IKH.swapaxes(1, 2) + K @ R @ Kt
    if gnn:
        P_new = Pc
    else:
        spread = (np.swapaxes(nu_j, 1, 2) * beta[:, None, :]) @ nu_j
        spread -= nu[:, :, None] * nu[:, None, :]
        b0 = beta0[:, None, None]
        P_new = b0 * P + (1.0 - b0) * Pc + K @ spread @ Kt
    return x_new, 0.5 * (P_new + P_new.swapaxes(1, 2)), nis


_EYE: dict[int, F64] = {}  #: identity matrices of pda_update by size (read only)


def _rows(rows: ArrayLike) -> I64:
    r = np.asarray(rows)
    return np.flatnonzero(r) if r.dtype == bool else r.astype(np.intp, copy=False)


def _sigma_meas(meas: Meas, s: int) -> Meas:
    """The measurement model for ``s`` sigma points per row (sensor rows repeated)."""
    if isinstance(meas, RAEMeas):
        pos = np.asarray(meas.sensor_pos, dtype=np.float64)
        rot = None if meas.rotation is None else np.asarray(meas.rotation, dtype=np.float64)
        if rot is not None and rot.ndim == 3:
            rot = np.repeat(rot, s, axis=0)
        if pos.ndim == 2:
            pos = np.repeat(pos, s, axis=0)
        return RAEMeas(pos, meas.R, meas.angle_only, rot)
    return meas


class GaussianFilter:
    """KF / EKF / UKF on one motion model (implements :class:`TrackFilter`).

    Parameters
    ----------
    dyn
        Motion model.
    dim
        Spatial dimensions (2 or 3).
    method
        ``"kf"``, ``"ekf"`` or ``"ukf"``.
    extra_mean, extra_std
        Initial mean and standard deviation of the components after the velocities
        (``k − 2·dim`` each); a NaN standard deviation means 0.1·``vel_std``.
    ukf
        Unscented-transform parameters.
    """

    def __init__(self, dyn: Dynamics, dim: int, method: str, extra_mean: ArrayLike = (),
                 extra_std: ArrayLike = (), ukf: UKFParams | None = None) -> None:
        self.dyn, self.dim, self.method = dyn, dim, method
        self.k = dyn.k
        self.ukf = ukf or UKFParams()
        n_extra = self.k - 2 * dim
        self.extra_mean = np.broadcast_to(np.asarray(extra_mean, float), (n_extra,)).copy()
        self.extra_std = np.broadcast_to(np.asarray(extra_std, float), (n_extra,)).copy()
        self._H = {m: np.eye(m, self.k) for m in (2, 3)}
        #: compiled prediction for the linear models (:func:`._scan_jit.kf_predict`)
        self._jit = jit.enabled() and isinstance(dyn, LinearDynamics) and method != "ukf"

    # -- life cycle -----------------------------------------------------------------------------
    def init(self, pos: F64, pos_cov: F64, vel_std: ArrayLike) -> GaussState:
        """States of new tracks at positions ``pos (m, d)`` with covariances ``pos_cov
        (m, d, d)``, zero velocity of standard deviation ``vel_std`` [m/s] (scalar or
        ``(m,)``) and the filter's initial extra components."""
        if self._jit:
            from tate.tracking._scan_jit import init_state

            pos = np.asarray(pos, dtype=np.float64).reshape(-1, self.dim)
            m = pos.shape[0]
            vs = np.asarray(vel_std, dtype=np.float64)
            vs = np.full(m, float(vs)) if vs.ndim == 0 else vs.reshape(m)
            cov = np.asarray(pos_cov, dtype=np.float64)
            if cov.shape != (m, self.dim, self.dim):
                cov = np.broadcast_to(cov, (m, self.dim, self.dim))
            return GaussState(*init_state(pos, cov, vs, self.k, self.extra_mean,
                                          self.extra_std))
        x, P = _init_arrays(pos, pos_cov, vel_std, self.dim, self.k, self.extra_mean,
                            self.extra_std)
        return GaussState(x, P)

    def take(self, s: GaussState, idx: ArrayLike) -> GaussState:
        """Rows ``idx`` (indices or boolean mask)."""
        i = np.asarray(idx)
        return GaussState(s.x[i], s.P[i])

    def concat(self, a: GaussState, b: GaussState) -> GaussState:
        """Rows of ``a`` followed by rows of ``b``."""
        return GaussState(np.concatenate([a.x, b.x]), np.concatenate([a.P, b.P]))

    def output(self, s: GaussState) -> tuple[F64, F64]:
        """Estimates ``x (n, k)`` and covariances ``(n, k, k)``."""
        return s.x, s.P

    # -- verbs on arrays (shared with the IMM) ----------------------------------------------------
    def predict_xp(self, x: F64, P: F64, dt: float) -> tuple[F64, F64]:
        """Predicted states and covariances of all rows after ``dt`` [s]."""
        if self._jit:
            from tate.tracking._scan_jit import kf_predict

            F, _, Q = self.dyn.matrices(dt)  # type: ignore[attr-defined]
            return kf_predict(x, P, F, Q)
        Q = self.dyn.noise(dt)
        if self.method == "ukf":
            return ukf_predict(x, P, lambda X: self.dyn.propagate(X, dt), Q, self.ukf)
        x_new, F = self.dyn.linearise(x, dt)
        P_new = F @ P @ np.swapaxes(F, -1, -2) + Q
        return x_new, 0.5 * (P_new + np.swapaxes(P_new, 1, 2))

    def moments(self, x: F64, P: F64, meas: Meas
                ) -> tuple[F64, F64, F64, F64 | None, F64]:
        """Predicted measurement ``(r, m)``, innovation covariance ``(r, m, m)``, cross-
        covariance ``(r, k, m)``, Jacobian (``None`` for the UKF) and noise of rows."""
        R = noise(meas)
        if self.method == "ukf":
            s = 2 * self.k + 1
            sm = _sigma_meas(meas, s)
            z, Pzz, C = ukf_transform(
                x, P, lambda X: predict_measurement(sm, X[:, : self.dim]), self.ukf,
                angle_column(meas))
            return z, Pzz + R, C, None, R
        if isinstance(meas, PositionMeas):
            m = meas.dim
            C = P[:, :, :m]
            S = C[:, :m, :] + R
            return x[:, :m], 0.5 * (S + np.swapaxes(S, 1, 2)), C, self._H[m], R
        if self.dim != 3:
            raise ValueError("RAEMeas needs a 3-D filter")
        J = measurement_jacobian(meas, x[:, :3])
        C = P[:, :, :3] @ np.swapaxes(J, 1, 2)
        S = J @ C[:, :3, :] + R
        H = np.zeros((x.shape[0], J.shape[1], self.k))
        H[:, :, :3] = J
        return (predict_measurement(meas, x[:, :3]), 0.5 * (S + np.swapaxes(S, 1, 2)), C, H, R)

    def update_xp(self, x: F64, P: F64, Z: F64, beta: F64, beta0: F64, meas: Meas
                  ) -> tuple[F64, F64, F64]:
        """PDA-form update of rows given as arrays; returns x⁺, P⁺ and the NIS."""
        z_pred, S, C, H, R = self.moments(x, P, meas)
        nu_j = innovation(meas, _candidates(Z, x.shape[0], meas), z_pred[:, None, :])
        return pda_update(x, P, S, C, nu_j, *_weights(beta, beta0, nu_j.shape[:2]), H=H, R=R)

    # -- the interface --------------------------------------------------------------------------
    def predict(self, s: GaussState, dt: float) -> GaussState:
        """All rows predicted ``dt`` [s] ahead."""
        if s.x.shape[0] == 0:
            return s
        return GaussState(*self.predict_xp(s.x, s.P, dt))

    def predict_measurement(self, s: GaussState, rows: ArrayLike, meas: Meas
                            ) -> tuple[F64, F64]:
        """Predicted measurements ``(r, m)`` and innovation covariances ``(r, m, m)`` of
        rows ``rows``, for gating."""
        r = _rows(rows)
        z, S, _, _, _ = self.moments(s.x[r], s.P[r], meas)
        return z, S

    def update(self, s: GaussState, rows: ArrayLike, Z: F64, beta: F64, beta0: F64,
               meas: Meas) -> tuple[GaussState, F64]:
        """PDA-form update of rows ``rows`` with candidates ``Z (r, c, m)``, weights
        ``beta (r, c)`` and ``beta0 (r,)`` (see the module docstring); other rows are
        unchanged.  Returns the new state and the NIS ``(r,)``."""
        r = _rows(rows)
        if r.size == 0:
            return s, np.zeros(0)
        x_u, P_u, nis = self.update_xp(s.x[r], s.P[r], Z, beta, beta0, meas)
        x, P = s.x.copy(), s.P.copy()
        x[r], P[r] = x_u, P_u
        return GaussState(x, P), nis


def _candidates(Z: ArrayLike, r: int, meas: Meas) -> F64:
    """Candidates as ``(r, c, m)``; ``(r, m)`` means one candidate a row."""
    z = np.asarray(Z, dtype=np.float64)
    m = meas_dim(meas)
    if z.ndim == 2:
        z = z[:, None, :]
    if z.ndim != 3 or z.shape[0] != r or z.shape[2] != m:
        raise ValueError(f"candidates must have shape ({r}, c, {m}), got {z.shape}")
    return z


def _weights(beta: ArrayLike, beta0: ArrayLike, shape: tuple[int, ...]) -> tuple[F64, F64]:
    b = np.asarray(beta, dtype=np.float64).reshape(shape)
    b0 = np.broadcast_to(np.asarray(beta0, dtype=np.float64), shape[:1])
    return b, b0


def _init_arrays(pos: F64, pos_cov: F64, vel_std: ArrayLike, d: int, k: int,
                 extra_mean: F64, extra_std: F64) -> tuple[F64, F64]:
    pos = np.asarray(pos, dtype=np.float64).reshape(-1, d)
    m = pos.shape[0]
    x = np.zeros((m, k))
    x[:, :d] = pos
    x[:, 2 * d:] = extra_mean
    P = np.zeros((m, k, k))
    P[:, :d, :d] = pos_cov
    vs = np.broadcast_to(np.asarray(vel_std, dtype=np.float64), (m,))
    i = np.arange(d, 2 * d)
    P[:, i, i] = (vs * vs)[:, None]
    if k > 2 * d:
        j = np.arange(2 * d, k)
        std = np.where(np.isnan(extra_std)[None, :], 0.1 * vs[:, None], extra_std[None, :])
        P[:, j, j] = std * std
    return x, P


# ---- construction -------------------------------------------------------------------------------
def make_dynamics(motion: str, dim: int, q: float, alpha: float = 0.1, **kw: Any
                  ) -> tuple[Dynamics, F64, F64]:
    """Motion model by name, with the initial mean and standard deviation of its extras.

    Keywords: ``q_omega`` [rad²/s³] (1e-4), ``omega_std`` [rad/s] (0.1) for ct;
    ``q_beta`` [1/s] (1e-4), ``beta_init`` [kg/m²] (1e4), ``log_beta_std`` (1.0) and the
    :class:`.nonlinear.BallisticParams` fields for ballistic; ``acc_std`` [m/s²] (NaN:
    0.1·vel_std) for ca and singer.
    """
    if motion in MODELS:
        dyn: Dynamics = LinearDynamics(motion, dim, q, alpha)
        n = dyn.k - 2 * dim
        return dyn, np.zeros(n), np.full(n, kw.get("acc_std", np.nan))
    if motion == "ct":
        dyn = CTDynamics(dim, q, kw.get("q_omega", 1e-4))
        return dyn, np.zeros(1), np.array([kw.get("omega_std", 0.1)])
    if motion == "ballistic":
        if dim != 3:
            raise ValueError("the ballistic model is 3-D only")
        fields = {f: kw[f] for f in BallisticParams.__dataclass_fields__ if f in kw}
        dyn = BallisticDynamics(q, kw.get("q_beta", 1e-4), BallisticParams(**fields))
        return (dyn, np.array([np.log(kw.get("beta_init", 1e4))]),
                np.array([kw.get("log_beta_std", 1.0)]))
    raise ValueError(f"unknown motion model {motion!r}; valid names: {', '.join(FILTERS)}")


def resolve_method(motion: str, method: str) -> str:
    """The concrete method ("kf", "ekf", "ukf") for a motion model and a requested method."""
    if method not in METHODS:
        raise ValueError(f"unknown filter method {method!r}; valid names: {', '.join(METHODS)}")
    linear = motion in MODELS
    if method == "auto":
        return "kf" if linear else ("ekf" if motion == "ct" else "ukf")
    if method == "kf" and not linear:
        raise ValueError(f"method 'kf' needs a linear motion model, not {motion!r}; "
                         "use 'ekf' or 'ukf'")
    return method


def make_filter(motion: str, dim: int, q: float, *, method: str = "auto", alpha: float = 0.1,
                imm_models: Sequence[Sequence[Any]] | None = None,
                imm_switch: float | Sequence[float] | None = None, **kw: Any) -> TrackFilter:
    """A track filter by name.

    Parameters
    ----------
    motion
        One of :data:`FILTERS`.
    dim
        Spatial dimensions, 2 or 3 (ballistic: 3).
    q
        Process noise: density [m²/s³] (cv, ct, ballistic), [m²/s⁵] (ca) or σ_m² [m²/s⁴]
        (singer); for imm the base value of the default modes.
    method
        ``"kf"``, ``"ekf"``, ``"ukf"`` or ``"auto"`` (kf for linear models, ekf for ct,
        ukf for ballistic).
    alpha
        Singer manoeuvre rate 1/τ [1/s].
    imm_models
        IMM modes as ``(motion, q)`` or ``(motion, q, method)``; default
        ``(("cv", q), ("ct", q), ("cv", 100 q))``.
    imm_switch
        IMM probability of staying in a mode for one second, one for all or one per mode
        (default 0.95); over a step dt it is p^dt, the rest spread evenly over the other
        modes.
    **kw
        Model keywords (see :func:`make_dynamics`), ``ukf_alpha``, ``ukf_beta``,
        ``ukf_kappa``, and ``imm_mu0`` (initial mode probabilities, default uniform).
    """
    if dim not in (2, 3):
        raise ValueError(f"dim must be 2 or 3, got {dim}")
    if motion not in FILTERS:
        raise ValueError(f"unknown motion model {motion!r}; valid names: {', '.join(FILTERS)}")
    unknown = set(kw) - _KEYWORDS - set(BallisticParams.__dataclass_fields__)
    if unknown:
        raise TypeError(f"make_filter got unknown keywords {sorted(unknown)}")
    ukf = UKFParams(kw.pop("ukf_alpha", 1.0), kw.pop("ukf_beta", 2.0), kw.pop("ukf_kappa", 0.0))
    if motion == "imm":
        from tate.tracking.imm import make_imm

        models = imm_models or (("cv", q), ("ct", q), ("cv", 100.0 * q))
        switch = 0.95 if imm_switch is None else imm_switch
        return make_imm(models, dim, method=method, alpha=alpha, switch=switch, ukf=ukf, **kw)
    kw.pop("imm_mu0", None)
    dyn, mean, std = make_dynamics(motion, dim, q, alpha, **kw)
    return GaussianFilter(dyn, dim, resolve_method(motion, method), mean, std, ukf)
