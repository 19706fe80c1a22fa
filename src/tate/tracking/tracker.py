"""A multi-target tracker whose tracks are rows of arrays.

Per scan (all measurements of one sensor sharing a time): predict every track with
the chosen filter (:func:`tate.tracking.filters.make_filter`: KF for the linear
models, EKF/UKF for the coordinated-turn and ballistic models, IMM over several);
gate every track–measurement pair that a kd-tree pre-gate on positions lets
through with the chi-square test in the measurement's own space (Cartesian, or
range/azimuth/elevation with the azimuth innovation wrapped; for KF/EKF filters all
pairs of a scan at once, :mod:`.pairs`, with the same result); associate with GNN
(:mod:`.association`: confirmed tracks first, tentative tracks on the detections
left over) or JPDA (:mod:`.jpda`: confirmed tracks share the detections by their
marginal association probabilities, tentative tracks take what is left by GNN);
update; start a tentative track on every detection still unused (one-point
initiation: the measured position with its covariance, velocity zero with a
standard deviation ``init_speed``); confirm a tentative track once ``M`` of its first
``N`` scans had a detection (M-of-N logic; or, with ``confirm_window_s``, ``M``
detections within that many seconds, for sensors whose revisits are far sparser than
their reports); drop tentative tracks that fail it, and confirmed tracks after
``delete_after`` consecutive misses (or ``delete_after_s`` seconds without a detection)
or when their position
standard deviation exceeds ``max_pos_std`` (Blackman & Popoli, *Design and Analysis
of Modern Tracking Systems*, 1999, §3.3 and §6.6).

Measurements from several sensors are fused centrally: each call of :meth:`Tracker.step`
is one sensor's scan, and calls come in time order.  A scan is either Cartesian
positions in the tracker frame (:class:`~.measurement.PositionMeas`, d = 2 or 3) or
radar range/azimuth/elevation from a sensor at a known position in the tracker's ENU
frame (:class:`~.measurement.RAEMeas`); noise may differ per detection.  Memory is
bounded: only live tracks are kept; histories go to the caller.

With :func:`tate.jit.enabled` at construction (the default) the per-scan work (detection
positions, KF prediction, pair gating and GNN update of radar scans, GNN clusters, clutter
estimate, track management) runs as compiled kernels (:mod:`._scan_jit`; with GNN, the
whole association of a radar scan in one call, :mod:`._book_jit`), the same tracks with
states equal to rounding; the numpy code below is the reference and the other path.  In
the engine's configuration a radar scan's whole step (prediction, positions, association,
management, initiation) is one compiled call (:func:`._book_jit.radar_scan_step`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from tate import jit
from tate.tracking.association import Gated, _solve_cluster, gate_threshold, gnn_assign
from tate.tracking.book import _Book, take_packed
from tate.tracking.config import ASSOCIATORS, TrackerConfig
from tate.tracking.filters import GaussianFilter, GaussState, make_filter
from tate.tracking.jpda import jpda_marginals, pad_candidates, pair_log_likelihood
from tate.tracking.measurement import (
    Meas,
    PositionMeas,
    RAEMeas,
    innovation,
    meas_dim,
)
from tate.tracking.pairs import (
    _per_row,
    fast_filter,
    gnn_update,
    group_pairs,
    pair_set,
)
from tate.tracking.positions import _rae_to_position_jit, _rows, rae_to_position

__all__ = ["ASSOCIATORS", "TrackRows", "Tracker", "TrackerConfig", "rae_to_position"]

F64 = NDArray[np.float64]
I64 = NDArray[np.intp]


@dataclass(frozen=True)
class TrackRows:
    """Confirmed tracks after a scan: ids ``(r,)``, states ``(r, k)``, covariances
    ``(r, k, k)``; ``var`` is their diagonal."""

    ids: I64
    x: F64
    P: F64
    score: F64  #: (r,) track score: summed log-likelihood ratio, target against clutter

    @property
    def var(self) -> F64:
        """Covariance diagonals ``(r, k)``."""
        return np.diagonal(self.P, axis1=1, axis2=2).copy()


#: :func:`._batch_jit.ingest_scans`, imported at its first use (it loads numba)
_ingest_scans: Any = None


@dataclass
class Tracker:
    """Scan-by-scan tracker (construct, then call :meth:`step` with each scan in time order)."""

    config: TrackerConfig = field(default_factory=TrackerConfig)

    def __post_init__(self) -> None:
        c = self.config
        self.filter = make_filter(c.motion, c.dim, c.q, method=c.method, alpha=c.singer_alpha)
        #: compiled kernels for radar scans (:mod:`._scan_jit`) instead of the numpy path
        self._jit = jit.enabled()
        #: GNN association of a radar scan in one compiled call (:mod:`._book_jit`)
        self._fused = (self._jit and c.associator == "gnn" and c.dim == 3
                       and isinstance(self.filter, GaussianFilter) and self.filter.method != "ukf")
        #: a radar scan's whole step in one compiled call (:meth:`_ingest_radar`)
        self._one_call = (self._fused and isinstance(self.filter, GaussianFilter)
                          and self.filter._jit)
        self._scan_args: tuple[Any, ...] | None = None
        #: prediction steps [s], their F, Q and the settings of :func:`._batch_jit.radar_scans`
        self._steps: tuple[Any, ...] = ()
        self._consts: tuple[TrackerConfig | None, tuple[Any, ...]] = (None, ())
        self.k = self.filter.k
        self.gamma = gate_threshold(c.dim, c.gate_probability)
        self._gammas: dict[int, float] = {c.dim: self.gamma}
        self.t: float | None = None
        self.next_id = 0
        #: the one-call path's state and book packed as its kernel returns them, ``(xp,
        #: bi)`` (:func:`._batch_jit.radar_scans`); None: :attr:`state` and :attr:`book`
        #: hold them (see :meth:`_unpack`)
        self._pk: tuple[Any, ...] | None = None
        self._cpos: F64 | None = None  #: the confirmed positions of ``_pk`` (read-only)
        self._st: Any = None
        self._nis = [0.0, 0, 0]  # sum, count, degrees of freedom (confirmed GNN updates)
        none = np.empty(0, np.intp)
        self._bk = _Book(none, none.copy(), none.copy(), none.copy(), np.empty(0, dtype=bool),
                          np.empty(0), np.empty(0), np.empty(0), none.copy())

    @property
    def state(self) -> Any:
        """The filter state of the tracks (None before the first track)."""
        if self._pk is not None:
            self._unpack()
        return self._st

    @state.setter
    def state(self, s: Any) -> None:
        if self._pk is not None:
            self._unpack()
        self._st = s

    @property
    def book(self) -> _Book:
        """The tracks' bookkeeping, rows aligned with :attr:`state`."""
        if self._pk is not None:
            self._unpack()
        return self._bk

    @book.setter
    def book(self, b: _Book) -> None:
        if self._pk is not None:
            self._unpack()
        self._bk = b

    def _unpack(self) -> None:
        """Hand the packed state and book to :attr:`state` and :attr:`book` (rows of the
        packed arrays, as the one-call path used to set them); the packed form is dropped
        (the caller may change them) and packed anew by the next one-call run."""
        xp, bi = self._pk  # type: ignore[misc]
        self._pk = self._cpos = None
        k = xp.shape[2]
        self._st = GaussState(xp[:, 0].copy(), xp[:, 1:k + 1].copy())
        f = xp[:, k + 1, :3].T.copy()
        self._bk = _Book(bi[0], bi[1], bi[2], bi[3], bi[5] != 0, f[0], f[1], f[2], bi[4])

    # -- public -------------------------------------------------------------------------
    def step(self, t: float, z: F64, meas: Meas | None = None) -> TrackRows:
        """Ingest one scan at time ``t`` [s]: measurements ``z (p, m)`` of model ``meas``
        (default: Cartesian positions with σ = ``meas_std`` per axis); returns the
        confirmed tracks after it."""
        self.ingest(t, z, meas)
        return self.confirmed()

    def ingest(self, t: float, z: F64, meas: Meas | None = None) -> None:
        """:meth:`step` without building the confirmed tracks' rows."""
        c = self.config
        if meas is None:
            meas = PositionMeas(c.dim, c.meas_std**2 * np.eye(c.dim))
        m = meas_dim(meas)
        z = np.asarray(z, dtype=float).reshape(-1, m)
        if isinstance(meas, RAEMeas) and (c.dim != 3 or meas.angle_only):
            raise ValueError("radar scans need 3-D tracks and range, azimuth and elevation")
        if self.t is not None and t < self.t:
            raise ValueError(f"scans must come in time order: {t} after {self.t}")
        dt = t - self.t if self.t is not None and self.book.ids.size and t > self.t else 0.0
        self.t = t
        n = self.book.ids.size
        one_call = self._one_call and self._fused and isinstance(meas, RAEMeas)
        if one_call:
            left = self._ingest_radar(t, z, meas, dt)  # type: ignore[arg-type]
            if left is None:
                return
            pos, pos_cov = left  # it gave up: the state predicted, the step path decides
        else:
            if dt:
                self.state = self.filter.predict(self.state, dt)
            pos, pos_cov = self._positions(z, meas)
        self._finish(t, z, meas, pos, pos_cov, n, not one_call)

    def _finish(self, t: float, z: F64, meas: Meas, pos: F64, pos_cov: F64, n: int,
                fused: bool) -> None:
        """The rest of :meth:`ingest` after the prediction and the detections' positions
        ``pos``, ``pos_cov`` (``n``: the tracks before the scan): association and update,
        management, initiation."""
        c = self.config
        if n and z.shape[0]:
            hit, used = self._associate_and_update(z, meas, pos, pos_cov, fused=fused)
        else:
            hit, used = np.zeros(n, dtype=bool), np.zeros(z.shape[0], dtype=bool)
            if n:
                self.book.score = self.book.score + (np.log1p(-c.pd) if c.pd < 1 else -np.inf)
        self._manage(hit, t)
        new = ~used
        if new.any():
            self._initiate(pos[new], pos_cov[new], t)

    def ingest_scans(self, times: F64, bounds: I64, z: F64, R: F64, site: I64,
                     site_pos: F64, site_rot: F64 | None = None,
                     alive: NDArray[np.bool_] | None = None) -> None:
        """:meth:`ingest` of consecutive radar scans: scan ``i`` is the ``alive`` rows
        (default: all) of ``bounds[i]:bounds[i + 1]`` of ``z (p, 3)`` (range [m], az, el
        [rad]) and ``R (p, 3, 3)``, at ``times[i]`` [s], from the sensor at
        ``site_pos[site[i]]`` (tracker frame [m]) with rotation ``site_rot[site[i]]``
        (None: identity); a scan with no row alive is skipped.  The same tracks as one
        :meth:`ingest` per scan; in the engine's configuration all of them in one
        compiled call (:func:`._batch_jit.ingest_scans`)."""
        if self._one_call:
            global _ingest_scans
            if _ingest_scans is None:
                from tate.tracking._batch_jit import ingest_scans as _ingest_scans
            _ingest_scans(self, times, bounds, z, R, site, site_pos, site_rot, alive)
            return
        for i, t in enumerate(times.tolist()):
            a, b, j = bounds[i], bounds[i + 1], site[i]
            rows = slice(a, b) if alive is None else np.arange(a, b)[alive[a:b]]
            if isinstance(rows, np.ndarray) and rows.size == 0:
                continue
            self.ingest(t, z[rows], RAEMeas(site_pos[j], R[rows],
                                            rotation=None if site_rot is None else site_rot[j]))

    def _ingest_radar(self, t: float, z: F64, meas: RAEMeas, dt: float
                      ) -> tuple[F64, F64] | None:
        """The scan by one compiled call (:func:`._book_jit.radar_scan_step`): prediction
        over ``dt`` [s] (0: none), positions, GNN association and update, management and
        initiation; where the association must go the step path, the predicted state is
        kept and the detections' positions and covariances returned."""
        from tate.tracking._book_jit import ingest_scan

        return ingest_scan(self, t, z, meas, dt)

    def drop(self, ids: Any) -> None:
        """Delete the tracks with these ids (e.g. a target assessed as killed)."""
        if self.state is None or self.book.ids.size == 0:
            return
        keep = np.flatnonzero(~np.isin(self.book.ids, np.asarray(ids, dtype=np.intp)))
        if keep.size < self.book.ids.size:
            self.book = self.book.take(keep)
            self.state = self.filter.take(self.state, keep)

    def drop_with_neighbours(self, ids: Any, quiet_since: float, gate_m: float = 3000.0,
                             n_sigma: float = 4.0) -> NDArray[np.intp]:
        """Delete tracks ``ids`` and every track near one of them (within ``gate_m`` or
        ``n_sigma`` of the larger position σ of the pair) that has had no detection after
        ``quiet_since`` [s]: duplicates of a killed target (another sensor's track on it)
        go with it, a live neighbour that is still being detected stays.  Returns the ids
        deleted."""
        pk = self._pk
        if pk is not None:  # (the one-call path: read and cut the packed rows)
            (xp, bi), k = pk, self.k
            x, P, tid, t_hit = xp[:, 0], xp[:, 1:k + 1], bi[0], xp[:, k + 1, 2]
        elif self.state is not None:
            (x, P), tid, t_hit = self.filter.output(self.state), self.book.ids, self.book.t_hit
        if (pk is None and self.state is None) or tid.size == 0:
            return np.empty(0, np.intp)
        pos = x[:, :3]
        sig = np.sqrt(np.maximum(np.linalg.eigvalsh(P[:, :3, :3])[:, -1], 0.0))
        want = np.asarray(ids, dtype=np.intp).ravel()
        hit = (tid[:, None] == want).any(axis=1)  # (np.isin, without its set machinery)
        gone = hit.copy()
        for k in hit.nonzero()[0].tolist():
            d = np.linalg.norm(pos - pos[k], axis=1)
            near = d < np.maximum(gate_m, n_sigma * np.maximum(sig, sig[k]))
            gone |= near & (t_hit <= quiet_since + 1e-9)
        out = tid[gone]
        keep = (~gone).nonzero()[0]
        if keep.size < tid.size and pk is not None:
            self._pk, self._cpos = take_packed(xp, bi, keep, self.config.dim)
        elif keep.size < tid.size:
            self.book, self.state = self.book.take(keep), self.filter.take(self.state, keep)
        return out

    def confirmed(self) -> TrackRows:
        """The confirmed tracks now."""
        pk = self._pk
        if pk is not None:  # (the one-call path: a GaussState's x, P)
            rows, k = pk[1][5].nonzero()[0], self.k
            s = pk[0].take(rows, axis=0)
            return TrackRows(pk[1][0].take(rows), s[:, 0].copy(), s[:, 1:k + 1].copy(),
                             s[:, k + 1, 0].copy())
        if self.state is None:
            return TrackRows(np.empty(0, np.intp), np.empty((0, self.k)),
                             np.empty((0, self.k, self.k)), np.empty(0))
        x, P = self.filter.output(self.state)
        conf = self.book.confirmed
        return TrackRows(self.book.ids[conf], x[conf], P[conf], self.book.score[conf])

    def confirmed_positions(self) -> F64:
        """Positions ``(r, dim)`` of the confirmed tracks now (those of :meth:`confirmed`;
        read-only, kept until the tracks change). [m]"""
        if self._pk is not None:
            return self._cpos  # type: ignore[return-value]
        if self.state is None:
            return np.empty((0, self.config.dim))
        x, _ = self.filter.output(self.state)
        return x[self.book.confirmed, : self.config.dim]

    @property
    def mean_nis(self) -> tuple[float, int] | None:
        """Mean normalised innovation squared of the confirmed tracks' GNN updates so far,
        and its degrees of freedom (a consistent filter: the mean is about the dof); None
        before any such update or when scans of different dimensions were mixed."""
        total, count, dof = self._nis
        if count == 0 or dof < 0:
            return None
        return total / count, int(dof)

    def _add_nis(self, nis: F64, m: int) -> None:
        self._nis[0] += float(nis.sum())
        self._nis[1] += int(nis.size)
        self._nis[2] = m if self._nis[2] in (0, m) else -1

    # -- association ----------------------------------------------------------------------
    def _gamma(self, m: int) -> float:
        """Chi-square gate for ``m``-dimensional measurements (cached)."""
        if m not in self._gammas:
            self._gammas[m] = gate_threshold(m, self.config.gate_probability)
        return self._gammas[m]

    def _positions(self, z: F64, meas: Meas) -> tuple[F64, F64]:
        """Positions and covariances of the detections in the tracker frame."""
        p = z.shape[0]
        if isinstance(meas, RAEMeas):
            return _rae_to_position_jit(meas, z) if self._jit else rae_to_position(meas, z)
        R = np.broadcast_to(np.asarray(meas.R, dtype=float), (p, meas.dim, meas.dim))
        return z, R

    def _gate(self, rows: I64, cols: I64, z: F64, meas: Meas, pos: F64, pos_cov: F64,
              xpos: F64, Ppos: F64) -> tuple[Gated, F64]:
        """Gated pairs among ``rows`` × ``cols`` (indices into the track table and the scan)
        and the log-determinant of each pair's innovation covariance."""
        m = z.shape[1]
        gamma = self._gamma(m)
        lam = np.linalg.eigvalsh(Ppos[rows])[:, -1] + np.linalg.eigvalsh(pos_cov[cols])[:, -1].max()
        slack = 1.0 if isinstance(meas, PositionMeas) else 1.5  # linearisation margin
        radius = slack * np.sqrt(gamma * lam)
        tree = cKDTree(pos[cols])
        hits = tree.query_ball_point(xpos[rows], radius)
        counts = np.fromiter((len(h) for h in hits), dtype=np.intp, count=rows.size)
        ti = np.repeat(rows, counts)
        mj = cols[np.fromiter((j for h in hits for j in h), dtype=np.intp,
                              count=int(counts.sum()))]
        empty = Gated(np.empty(0, np.intp), np.empty(0, np.intp), np.empty(0))
        if ti.size == 0:
            return empty, np.empty(0)
        pm = _rows(meas, mj)
        zero = replace(pm, R=np.zeros((m, m)))
        z_pred, HPH = self.filter.predict_measurement(self.state, ti, zero)
        S = HPH + np.broadcast_to(np.asarray(pm.R, dtype=float), HPH.shape)
        nu = innovation(pm, z[mj], z_pred)
        L = np.linalg.cholesky(S)
        w = np.linalg.solve(L, nu[..., None])[..., 0]
        d2 = np.einsum("ni,ni->n", w, w)
        logdet = 2.0 * np.log(np.diagonal(L, axis1=1, axis2=2)).sum(axis=1)
        keep = d2 <= gamma
        return Gated(ti[keep], mj[keep], d2[keep]), logdet[keep]

    def _associate_and_update(self, z: F64, meas: Meas, pos: F64, pos_cov: F64,
                              fused: bool = True
                              ) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
        c = self.config
        n, p, m = self.book.ids.size, z.shape[0], z.shape[1]
        x, P = self.filter.output(self.state)
        d = c.dim
        xpos, Ppos = x[:, :d], P[:, :d, :d]
        if pos.shape[1] != d:
            raise ValueError(f"measurements are {pos.shape[1]}-D, tracks {d}-D")
        gamma = self._gamma(m)
        if fused and self._fused and isinstance(meas, RAEMeas) and not meas.angle_only:
            done = self._associate_fused(z, meas, pos, pos_cov, gamma)
            if done is not None:
                return done
        lam = c.clutter_density
        if lam is None:
            lam = self._clutter_estimate(z, meas)
        hit = np.zeros(n, dtype=bool)
        used = np.zeros(p, dtype=bool)
        gain = np.full(n, np.log1p(-c.pd) if c.pd < 1 else -np.inf)
        slack = 1.0 if isinstance(meas, PositionMeas) else 1.5  # linearisation margin
        gf = fast_filter(self.filter, meas)  # KF/EKF: all pairs gated at once
        ps = None if gf is None else pair_set(gf, self.state, z, meas, pos, pos_cov, gamma,
                                              slack, compiled=self._jit)
        for group in (self.book.confirmed, ~self.book.confirmed):
            free = ~used
            if not group.any() or not free.any():
                continue
            picked = (None if ps is None else
                      group_pairs(ps, group, free, xpos, pos, gamma, slack, self._jit))
            if picked is None:
                g, logdet = self._gate(np.flatnonzero(group), np.flatnonzero(free), z, meas,
                                       pos, pos_cov, xpos, Ppos)
                ids = None
            else:
                g, logdet, ids = picked
            if g.track.size == 0:
                continue
            ll = pair_log_likelihood(g.d2, logdet, m)
            if c.associator == "jpda" and group is self.book.confirmed:
                hit_rows, use_cols = self._jpda(g, ll, z, meas, n, p, lam)
                # likelihood ratio of the candidate set (PDA): 1 − P_D P_G + P_D Σ g / λ
                lr = np.bincount(g.track, weights=np.exp(ll), minlength=n) * c.pd / lam
                gated = np.unique(g.track)
                gain[gated] = np.log(1.0 - c.pd * c.gate_probability + lr[gated])
            else:
                tr, me = self._gnn_assign(g, n, p, gamma)
                if tr.size:
                    if ps is not None and ids is not None:  # pair numbers in ps, in g
                        sup = ps.index[tr, me]
                        pair = np.searchsorted(ids, sup)
                    else:
                        where = np.full((n, p), -1, dtype=np.intp)
                        where[g.track, g.meas] = np.arange(g.track.size)
                        pair = where[tr, me]
                    if gf is not None and ps is not None and ids is not None \
                            and isinstance(meas, RAEMeas):
                        self.state, nis = gnn_update(gf, self.state, ps, sup, meas,
                                                     compiled=self._jit)
                    else:
                        one = np.ones((tr.size, 1))
                        self.state, nis = self.filter.update(
                            self.state, tr, z[me][:, None, :], one, np.zeros(tr.size),
                            _rows(meas, me))
                    if group is self.book.confirmed:
                        self._add_nis(nis, m)
                    gain[tr] = np.log(c.pd) + ll[pair] - np.log(lam)
                hit_rows, use_cols = tr, me
            hit[hit_rows] = True
            used[use_cols] = True
        self.book.score = self.book.score + gain
        return hit, used

    def _constants(self) -> tuple[Any, ...]:
        """Per-config constants of the compiled path: log(1 − P_D), log P_D and _manage's
        rules (NaN: the scan-count rule; inf: no variance limit); kept until the config
        object changes."""
        c = self.config
        if self._consts[0] is not c:
            self._consts = (c, (
                float(np.log1p(-c.pd) if c.pd < 1 else -np.inf), float(np.log(c.pd)),
                (c.confirm_m, c.confirm_n,
                 np.nan if c.confirm_window_s is None else c.confirm_window_s,
                 c.delete_after, np.nan if c.delete_after_s is None else c.delete_after_s,
                 c.max_pos_std**2 if np.isfinite(c.max_pos_std) else np.inf)))
        return self._consts[1]

    def _associate_fused(self, z: F64, meas: RAEMeas, pos: F64, pos_cov: F64, gamma: float
                         ) -> tuple[NDArray[np.bool_], NDArray[np.bool_]] | None:
        """The GNN association and update of a radar scan by one compiled call
        (:func:`._book_jit.associate_scan`); None, the state untouched, where the
        step-by-step path must decide."""
        from tate.tracking._book_jit import associate_scan

        return associate_scan(self, z, meas, pos, pos_cov, gamma)

    def _gnn_assign(self, g: Gated, n: int, p: int, miss_cost: float) -> tuple[I64, I64]:
        """:func:`~.association.gnn_assign`; on the compiled path its clusters and their
        one-track or one-detection solutions by :func:`._scan_jit.gnn_clusters`, the other
        clusters' 2-D assignments as there (the same pairs, in the same order)."""
        if not self._jit:
            return gnn_assign(g, n, p, miss_cost=miss_cost)
        from tate.tracking._scan_jit import gnn_clusters

        tr, me, rest, bounds = gnn_clusters(g.track, g.meas, g.d2, n, p, miss_cost)
        if rest.size == 0:
            return tr, me
        out_t, out_m = [tr], [me]
        for chunk in np.split(rest, bounds):
            t, m = _solve_cluster(g, chunk, miss_cost)
            out_t.append(t)
            out_m.append(m)
        return np.concatenate(out_t), np.concatenate(out_m)

    def _jpda(self, g: Gated, ll: F64, z: F64, meas: Meas, n: int, p: int, lam: float
              ) -> tuple[I64, I64]:
        """JPDA update of the confirmed tracks with gated pairs ``g`` (log-likelihoods
        ``ll``); returns the tracks counted as detected (Σβ ≥ ½) and the detections they
        own (Σβ over tracks > ½)."""
        c = self.config
        marg = jpda_marginals(g.track, g.meas, ll, n, p, c.pd, c.gate_probability, lam)
        rows = np.unique(g.track)
        Z, B = pad_candidates(rows, g.track, g.meas, marg.beta, z)
        # each row's noise and sensor: those of its most probable candidate
        order = np.lexsort((-marg.beta, g.track))
        first = np.ones(order.size, dtype=bool)
        first[1:] = g.track[order[1:]] != g.track[order[:-1]]
        best = g.meas[order[first]]  # aligned with np.unique(g.track) == rows
        self.state, _ = self.filter.update(self.state, rows, Z, B, marg.beta0[rows],
                                           _rows(meas, best))
        detected = rows[(1.0 - marg.beta0[rows]) >= 0.5]
        owned = np.bincount(g.meas, weights=marg.beta, minlength=p)
        return detected, np.flatnonzero(owned > 0.5)

    def _clutter_estimate(self, z: F64, meas: Meas) -> float:
        """Clutter density when none is given: the detections not explained by the
        confirmed tracks (at least one) spread over the scan's measurement box."""
        if self._jit:
            from tate.tracking._scan_jit import clutter_density

            return float(clutter_density(z, _per_row(meas.R, 2), self.config.pd,
                                         int(np.count_nonzero(self.book.confirmed))))
        expected = self.config.pd * int(self.book.confirmed.sum())
        extra = max(z.shape[0] - expected, 1.0)
        span = z.max(axis=0) - z.min(axis=0) if z.shape[0] > 1 else np.zeros(z.shape[1])
        R = np.asarray(meas.R, dtype=float)  # (m, m) or (p, m, m)
        diag = np.diagonal(R, axis1=-2, axis2=-1)
        floor = np.sqrt(diag.max(axis=0) if R.ndim == 3 else diag) * 10.0
        volume = float(np.prod(np.maximum(span, floor)))
        return extra / volume

    # -- track management -----------------------------------------------------------------
    def _manage(self, hit: NDArray[np.bool_], t: float) -> None:
        c = self.config
        b = self.book
        if b.ids.size == 0:
            return
        if self._jit:
            self._manage_jit(hit, t)
            return
        b.hits_window = (b.hits_window << 1) | hit
        b.scans += 1
        b.misses = np.where(hit, 0, b.misses + 1)
        b.n_hits = b.n_hits + hit
        b.t_hit = np.where(hit, t, b.t_hit)
        if c.confirm_window_s is None:  # (a confirmed track stays confirmed)
            window = (1 << c.confirm_n) - 1
            hits = np.bitwise_count(b.hits_window & window)
            b.confirmed |= (hits >= c.confirm_m) & (b.scans <= c.confirm_n)
            drop = ~b.confirmed & (b.scans >= c.confirm_n)
        else:
            young = (t - b.t_init) <= c.confirm_window_s + 1e-9
            b.confirmed |= (b.n_hits >= c.confirm_m) & young
            drop = ~(b.confirmed | young)
        if c.delete_after_s is None:
            drop |= b.confirmed & (b.misses >= c.delete_after)
        else:
            drop |= b.confirmed & ((t - b.t_hit) > c.delete_after_s)
        if np.isfinite(c.max_pos_std):
            _, P = self.filter.output(self.state)
            pos_var = P[:, : c.dim, : c.dim].trace(axis1=1, axis2=2)
            drop |= pos_var > c.max_pos_std**2
        if drop.any():
            keep = np.flatnonzero(~drop)
            self.book = b.take(keep)
            self.state = self.filter.take(self.state, keep)

    def _manage_jit(self, hit: NDArray[np.bool_], t: float) -> None:
        """:meth:`_manage` by the compiled kernel (:func:`._scan_jit.manage_book`)."""
        from tate.tracking._scan_jit import manage_book

        b = self.book
        _, P = self.filter.output(self.state)
        m, n, window, after, after_s, max_var = self._constants()[2]
        n_drop, drop = manage_book(
            b.hits_window, b.scans, b.misses, b.n_hits, b.t_hit, b.t_init, b.confirmed, hit, t,
            m, n, window, after, after_s, max_var, P, self.config.dim)
        if n_drop:
            keep = np.flatnonzero(~drop)
            self.book = b.take(keep)
            self.state = self.filter.take(self.state, keep)

    def _initiate(self, pos: F64, pos_cov: F64, t: float) -> None:
        c = self.config
        m = pos.shape[0]
        new_state = self.filter.init(pos, pos_cov, c.init_speed)
        ids = np.arange(self.next_id, self.next_id + m, dtype=np.intp)
        self.next_id += m
        one = np.ones(m, dtype=np.intp)
        book = _Book(ids, one, one.copy(), np.zeros(m, np.intp), np.full(m, c.confirm_m == 1),
                     np.zeros(m), np.full(m, t), np.full(m, t), one.copy())
        if self.state is None or self.book.ids.size == 0:
            self.state, self.book = new_state, book
        else:
            self.state = self.filter.concat(self.state, new_state)
            self.book = _Book.concat(self.book, book)

