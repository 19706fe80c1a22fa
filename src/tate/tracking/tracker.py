"""A multi-target tracker whose tracks are rows of arrays.

Per scan (all measurements sharing a time): predict every track with a linear
motion model (:mod:`.motion`); gate and associate with GNN
(:mod:`.association`), confirmed tracks first and tentative tracks on the
detections left over; update assigned tracks with the Kalman filter
(:mod:`.kalman`); start a tentative track on every unassigned measurement
(one-point initiation: position from the measurement, velocity zero with a
standard deviation ``init_speed``); confirm a tentative track once ``M`` of its
first ``N`` scans had a detection (M-of-N logic); drop tentative tracks that
fail it and confirmed tracks after ``delete_after`` consecutive misses
(Blackman & Popoli 1999, §3.3 and §6.6).

Measurements are Cartesian positions in one local frame ``(p, d)``, d = 2 or 3.
Memory is bounded: only live tracks are kept; histories go to the caller.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from tate.tracking.association import gate, gate_threshold, gnn_assign
from tate.tracking.kalman import kf_predict, kf_update
from tate.tracking.motion import MODELS, process_noise, transition

__all__ = ["TrackRows", "Tracker", "TrackerConfig"]

F64 = NDArray[np.float64]
I64 = NDArray[np.intp]


@dataclass(frozen=True)
class TrackerConfig:
    """Tracker settings (SI units)."""

    dim: int = 2  #: spatial dimensions of the measurements (2 or 3)
    motion: str = "cv"  #: motion model, see :data:`tate.tracking.motion.MODELS`
    q: float = 0.5  #: process noise: density [m²/s³ (cv), m²/s⁵ (ca)] or σ_m² [m²/s⁴ (singer)]
    singer_alpha: float = 0.1  #: Singer manoeuvre rate 1/τ [1/s]
    meas_std: float = 2.0  #: measurement standard deviation per axis [m]
    gate_probability: float = 0.99  #: chi-square gate probability
    confirm_m: int = 2  #: detections needed ...
    confirm_n: int = 3  #: ... within this many scans to confirm
    delete_after: int = 3  #: consecutive misses that delete a confirmed track
    init_speed: float = 50.0  #: standard deviation of a new track's velocity [m/s]

    def __post_init__(self) -> None:
        if self.dim not in (2, 3):
            raise ValueError(f"dim must be 2 or 3, got {self.dim}")
        if self.motion not in MODELS:
            raise ValueError(f"unknown motion model {self.motion!r}; valid names: "
                             f"{', '.join(MODELS)}")
        if not 1 <= self.confirm_m <= self.confirm_n:
            raise ValueError(f"confirmation needs 1 <= M <= N, got {self.confirm_m}/"
                             f"{self.confirm_n}")
        for name in ("q", "meas_std", "init_speed"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be > 0, got {getattr(self, name)}")


@dataclass(frozen=True)
class TrackRows:
    """Confirmed tracks after a scan: ids ``(r,)``, states ``(r, k)``, covariance
    diagonals ``(r, k)``."""

    ids: I64
    x: F64
    var: F64


@dataclass
class _Table:
    x: F64
    P: F64
    ids: I64
    hits_window: I64  #: bit i set: detection i scans ago (tentative tracks)
    scans: I64  #: scans since initiation
    misses: I64  #: consecutive misses
    confirmed: NDArray[np.bool_]

    def take(self, keep: NDArray[np.bool_]) -> _Table:
        return _Table(self.x[keep], self.P[keep], self.ids[keep], self.hits_window[keep],
                      self.scans[keep], self.misses[keep], self.confirmed[keep])


def _concat(a: _Table, b: _Table) -> _Table:
    return _Table(*(np.concatenate([getattr(a, f), getattr(b, f)]) for f in
                    ("x", "P", "ids", "hits_window", "scans", "misses", "confirmed")))


@dataclass
class Tracker:
    """Scan-by-scan tracker (construct, then call :meth:`step` with each scan in time order)."""

    config: TrackerConfig = field(default_factory=TrackerConfig)

    def __post_init__(self) -> None:
        c = self.config
        self.k = c.dim * MODELS[c.motion]
        self.H = np.hstack([np.eye(c.dim), np.zeros((c.dim, self.k - c.dim))])
        self.R = c.meas_std**2 * np.eye(c.dim)
        self.gamma = gate_threshold(c.dim, c.gate_probability)
        self.t: float | None = None
        self.next_id = 0
        self.table = _Table(np.empty((0, self.k)), np.empty((0, self.k, self.k)),
                            np.empty(0, np.intp), np.empty(0, np.intp),
                            np.empty(0, np.intp), np.empty(0, np.intp),
                            np.empty(0, dtype=bool))

    def step(self, t: float, z: F64) -> TrackRows:
        """Ingest the scan at time ``t`` [s] with measurements ``z (p, dim)`` [m]."""
        c = self.config
        z = np.asarray(z, dtype=float).reshape(-1, c.dim)
        if self.t is not None and t < self.t:
            raise ValueError(f"scans must come in time order: {t} after {self.t}")
        tab = self.table
        if self.t is not None and tab.ids.size:
            dt = t - self.t
            F = transition(c.motion, [dt], c.dim, alpha=c.singer_alpha)[0]
            Q = process_noise(c.motion, [dt], c.q, c.dim, alpha=c.singer_alpha)[0]
            tab.x, tab.P = kf_predict(tab.x, tab.P, F, Q)
        self.t = t
        n = tab.ids.size
        tr, me = self._associate(tab, z)
        if tr.size:
            x_u, P_u, _ = kf_update(tab.x[tr], tab.P[tr], z[me], self.H, self.R)
            tab.x[tr], tab.P[tr] = x_u, P_u
        hit = np.zeros(n, dtype=bool)
        hit[tr] = True
        tab.hits_window = (tab.hits_window << 1) | hit
        tab.scans += 1
        tab.misses = np.where(hit, 0, tab.misses + 1)
        self._manage(tab)
        used = np.zeros(z.shape[0], dtype=bool)
        used[me] = True
        self.table = _concat(self.table, self._initiate(z[~used]))
        conf = self.table.confirmed
        return TrackRows(self.table.ids[conf], self.table.x[conf].copy(),
                         np.diagonal(self.table.P[conf], axis1=1, axis2=2).copy())

    def _associate(self, tab: _Table, z: F64) -> tuple[I64, I64]:
        """GNN for the confirmed tracks first, then for the tentative tracks on the
        detections left over, so clutter-started tracks cannot take a confirmed track's
        detection."""
        S = self.H @ tab.P @ self.H.T + self.R
        z_pred = tab.x @ self.H.T
        out_t: list[I64] = []
        out_m: list[I64] = []
        free = np.ones(z.shape[0], dtype=bool)
        for group in (tab.confirmed, ~tab.confirmed):
            rows = np.flatnonzero(group)
            cols = np.flatnonzero(free)
            if rows.size == 0 or cols.size == 0:
                continue
            g = gate(z_pred[rows], S[rows], z[cols], self.gamma)
            tr, me = gnn_assign(g, rows.size, cols.size, miss_cost=self.gamma)
            out_t.append(rows[tr])
            out_m.append(cols[me])
            free[cols[me]] = False
        if not out_t:
            return np.empty(0, np.intp), np.empty(0, np.intp)
        return np.concatenate(out_t), np.concatenate(out_m)

    def _manage(self, tab: _Table) -> None:
        c = self.config
        window = (1 << c.confirm_n) - 1
        hits = np.bitwise_count(tab.hits_window & window)
        tentative = ~tab.confirmed
        tab.confirmed |= tentative & (hits >= c.confirm_m) & (tab.scans <= c.confirm_n)
        drop_tentative = ~tab.confirmed & (tab.scans >= c.confirm_n)
        drop_confirmed = tab.confirmed & (tab.misses >= c.delete_after)
        self.table = tab.take(~(drop_tentative | drop_confirmed))

    def _initiate(self, z: F64) -> _Table:
        c = self.config
        m = z.shape[0]
        x = np.zeros((m, self.k))
        x[:, : c.dim] = z
        var = np.full(self.k, c.init_speed**2)
        var[: c.dim] = c.meas_std**2
        if self.k > 2 * c.dim:
            var[2 * c.dim:] = (c.init_speed / 10.0) ** 2
        ids = np.arange(self.next_id, self.next_id + m, dtype=np.intp)
        self.next_id += m
        one = np.ones(m, dtype=np.intp)
        confirmed = np.full(m, c.confirm_m == 1)
        return _Table(x, np.broadcast_to(np.diag(var), (m, self.k, self.k)).copy(), ids, one,
                      one.copy(), np.zeros(m, np.intp), confirmed)
