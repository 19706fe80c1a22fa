"""Compiled twin of a run of consecutive radar scans fed to the tracker, in one call.

:meth:`~.tracker.Tracker.ingest_scans` (the engine's tick: every scan of the tick, in
time order) is, on the numpy path, one :meth:`~.tracker.Tracker.ingest` per scan; in the
engine's configuration each of those is one compiled call,
:func:`._book_jit.radar_scan_step`, between a few lines of Python that pick the
prediction step and keep the book, the track ids, the clock and the NIS sums.
:func:`radar_scans` loops over the scans inside one compiled call: the same
:func:`~._book_jit.radar_scan_step` per scan with the same arguments (the transition and
process-noise matrices of each step come from the filter's own cache, computed in
Python), the book and ids carried as the Python code carries them, and the NIS sum
accumulated as ``Tracker._add_nis`` does (numpy's pairwise sum of the scan's NIS, then
one addition), so the tracks, states and sums are those of one call per scan bit for
bit.  Where :func:`~._book_jit.radar_scan_step` gives up (the step path must decide a
scan) the loop stops before that scan and returns the state after the scans done; the
tracker runs that scan by :meth:`~.tracker.Tracker.ingest` and resumes.  Units: as the
tracker (m, rad, s; ENU frame of the tracker).  Not imported by ``tate`` itself.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from tate.jit import njit
from tate.tracking._book_jit import radar_scan_step, scan_params
from tate.tracking._gospa_jit import MAX_SUM, pairwise_sum
from tate.tracking.filters import GaussState
from tate.tracking.tracker import _Book

if TYPE_CHECKING:
    from tate.tracking.tracker import Tracker

__all__ = ["ingest_scans", "radar_scans"]

F64 = NDArray[np.float64]
I64 = NDArray[np.intp]
B8 = NDArray[np.bool_]


@njit
def _step(dt: float, steps: F64) -> int:
    """Row of step ``dt`` [s] in the table ``steps`` (−1: not there)."""
    for q in range(steps.size):
        if steps[q] == dt:
            return q
    return -1


@njit
def _rows(a: F64, lo: int, hi: int, alive: B8, count: int) -> F64:
    """Rows ``lo:hi`` of ``a`` that are ``alive`` (``count`` of them), a new array."""
    out = np.empty_like(a[lo:lo + count])
    q = 0
    for r in range(lo, hi):
        if alive[r]:
            out[q] = a[r]
            q += 1
    return out


@njit
def _scans(x: F64, P: F64, steps: F64, F: F64, Q: F64, times: F64, bounds: I64,
                z: F64, R: F64, alive: B8, site: I64, site_pos: F64, site_rot: F64,
                has_rot: bool, ids: I64, hits_window: I64, scans: I64, misses: I64,
                confirmed: B8, score: F64, t_init: F64, t_hit: F64, n_hits: I64,
                t_prev: float, next_id: int, fp: F64, ip: I64, extra_mean: F64,
                extra_std: F64, nis_sum: float, nis_count: int, first: int
                ) -> tuple[int, float, F64, F64, I64, I64, I64, I64, B8, F64, F64, F64, I64,
                           int, float, int, bool, bool, float, F64, F64]:
    """Scans ``i = first, first + 1, …`` of one tracker in one call: the ``alive`` rows
    of ``bounds[i]:bounds[i+1]`` of ``z (p, 3)`` and ``R (p, 3, 3)`` at ``times[i]`` [s]
    from sensor ``site[i]`` (``site_pos``, ``site_rot`` rows; a scan with no row alive is
    skipped), each by :func:`~._book_jit.radar_scan_step`, the prediction over the time
    from the scan before (``t_prev`` before scan ``first``, NaN: none yet) with the
    matrices ``F[q]``, ``Q[q]`` of that step, ``steps[q]`` [s].  ``fp``, ``ip``:
    :func:`~._book_jit.scan_params`.

    Returns ``(done, t_prev, x, P, ids, hits_window, scans, misses, confirmed, score,
    t_init, t_hit, n_hits, next_id, nis_sum, nis_count, nis_added, ever_rows, need, pos,
    pos_cov)``: the scan it stopped at (``times.size``: all done) and the clock, state,
    book, next id and NIS sum and count after the scans before it; ``nis_added``: some
    confirmed update added to the NIS sums; ``ever_rows``: some scan left tracks.  It
    stops at a scan whose step is not in the table (``need``: that step; else NaN), or
    that must go ``Tracker.ingest`` (out of time order, or too many NIS to sum), or whose
    association the step path must decide: then ``pos (p, 3)``, ``pos_cov (p, 3, 3)``
    are that scan's detections' positions and covariances (else they have no rows), the
    clock is that scan's and the state the predicted one, as
    :func:`~._book_jit.ingest_scan` leaves them.  :func:`radar_scans` returns it packed."""
    nis_added = False
    ever_rows = False
    no_pos, no_cov = np.empty((0, 3)), np.empty((0, 3, 3))
    s = times.size
    for i in range(first, s):
        a, b = bounds[i], bounds[i + 1]
        count = 0
        for r in range(a, b):
            count += 1 if alive[r] else 0
        if count == 0:
            continue
        t = times[i]
        if not math.isnan(t_prev) and t < t_prev:
            return (i, t_prev, x, P, ids, hits_window, scans, misses, confirmed, score,
                    t_init, t_hit, n_hits, next_id, nis_sum, nis_count, nis_added,
                    ever_rows, np.nan, no_pos, no_cov)
        n = x.shape[0]
        q = 0
        predict = n > 0 and not math.isnan(t_prev) and t > t_prev
        if predict:
            q = _step(t - t_prev, steps)
            if q < 0:
                return (i, t_prev, x, P, ids, hits_window, scans, misses, confirmed, score,
                        t_init, t_hit, n_hits, next_id, nis_sum, nis_count, nis_added,
                        ever_rows, t - t_prev, no_pos, no_cov)
        j = site[i]
        zi = z[a:b] if count == b - a else _rows(z, a, b, alive, count)
        Ri = R[a:b] if count == b - a else _rows(R, a, b, alive, count)
        out = radar_scan_step(
            x, P, predict, F[q], Q[q], zi, site_pos[j:j + 1], site_rot[j:j + 1], has_rot, Ri,
            ids, hits_window, scans, misses, confirmed, score, t_init, t_hit, n_hits, t,
            next_id, fp, ip, extra_mean, extra_std)
        if out[0] != 0:  # (only with tracks and detections)
            return (i, t, out[1], out[2], ids, hits_window, scans, misses, confirmed, score,
                    t_init, t_hit, n_hits, next_id, nis_sum, nis_count, nis_added,
                    ever_rows, np.nan, out[3], out[4])
        if out[6] > MAX_SUM:
            return (i, t_prev, x, P, ids, hits_window, scans, misses, confirmed, score,
                    t_init, t_hit, n_hits, next_id, nis_sum, nis_count, nis_added,
                    ever_rows, np.nan, no_pos, no_cov)
        x, P = out[1], out[2]
        if out[6] >= 0:
            nis_sum += pairwise_sum(out[5])
            nis_count += out[5].size
            nis_added = True
        ids, hits_window, scans, misses = out[7], out[8], out[9], out[10]
        confirmed, score, t_init, t_hit, n_hits = out[11], out[12], out[13], out[14], out[15]
        if ids.size:
            next_id = max(next_id, ids[ids.size - 1] + 1)
        ever_rows = ever_rows or x.shape[0] > 0
        t_prev = t
    return (s, t_prev, x, P, ids, hits_window, scans, misses, confirmed, score, t_init,
            t_hit, n_hits, next_id, nis_sum, nis_count, nis_added, ever_rows, np.nan, no_pos,
            no_cov)


@njit
def radar_scans(x: F64, P: F64, steps: F64, F: F64, Q: F64, times: F64, bounds: I64,
                z: F64, R: F64, alive: B8, site: I64, site_pos: F64, site_rot: F64,
                has_rot: bool, ids: I64, hits_window: I64, scans: I64, misses: I64,
                confirmed: B8, score: F64, t_init: F64, t_hit: F64, n_hits: I64,
                t_prev: float, next_id: int, fp: F64, ip: I64, extra_mean: F64,
                extra_std: F64, nis_sum: float, nis_count: int, first: int
                ) -> tuple[int, float, F64, F64, I64, B8, F64, int, float, int, bool, bool,
                           float, F64]:
    """:func:`_scans` with its results packed into fewer arrays (each array handed back to
    Python costs about 0.5 µs): ``(done, t_prev, x, P, book_i, confirmed, book_f, next_id,
    nis_sum, nis_count, nis_added, ever_rows, need, pos_cov)``, ``book_i (5, n)`` the rows
    ids, hits_window, scans, misses, n_hits, ``book_f (3, n)`` score, t_init, t_hit, and
    ``pos_cov (p, 4, 3)`` the positions (row 0) and covariances (rows 1-3)."""
    out = _scans(x, P, steps, F, Q, times, bounds, z, R, alive, site, site_pos, site_rot,
                 has_rot, ids, hits_window, scans, misses, confirmed, score, t_init, t_hit,
                 n_hits, t_prev, next_id, fp, ip, extra_mean, extra_std, nis_sum, nis_count,
                 first)
    n = out[4].size
    bi = np.empty((5, n), dtype=np.intp)
    bf = np.empty((3, n))
    for i in range(n):
        bi[0, i], bi[1, i], bi[2, i] = out[4][i], out[5][i], out[6][i]
        bi[3, i], bi[4, i] = out[7][i], out[12][i]
        bf[0, i], bf[1, i], bf[2, i] = out[9][i], out[10][i], out[11][i]
    pos, cov = out[19], out[20]
    p = pos.shape[0]
    pc = np.empty((p, 4, 3))
    for j in range(p):
        for a in range(3):
            pc[j, 0, a] = pos[j, a]
            for b in range(3):
                pc[j, 1 + a, b] = cov[j, a, b]
    return (out[0], out[1], out[2], out[3], bi, out[8], bf, out[13], out[14], out[15],
            out[16], out[17], out[18], pc)


def ingest_scans(tr: Tracker, times: F64, bounds: I64, z: F64, R: F64, site: I64,
                 site_pos: F64, site_rot: F64 | None, alive: B8 | None) -> None:
    """``Tracker.ingest_scans`` on the one-call path: :func:`radar_scans` on tracker
    ``tr``, its state, book, ids, clock and NIS sums set after it as one
    ``Tracker.ingest`` per scan sets them; a step missing from the tracker's table of
    prediction matrices is added (from the filter's own cache) and the call resumed; a
    scan whose association the step path must decide is finished by it from the
    predicted state (as ``Tracker.ingest`` finishes it), another scan it leaves is done
    by ``Tracker.ingest``."""
    if tr._scan_args is None:
        f = tr.filter
        eye = (np.eye(tr.k), np.zeros((tr.k, tr.k)))
        tr._scan_args = (*scan_params(tr), f.extra_mean, f.extra_std, eye)  # type: ignore[attr-defined]
    if not tr._steps:  # row 0: no step (not looked up: a step is > 0)
        eye = tr._scan_args[4]
        tr._steps = (np.zeros(1), eye[0][None], eye[1][None])
    if alive is None:
        alive = _all_alive(z.shape[0])
    rot = site_rot if site_rot is not None else np.tile(np.eye(3), (site_pos.shape[0], 1, 1))
    i, s = 0, times.size
    while i < s:
        i, need, pos, pos_cov = _run(tr, times, bounds, z, R, alive, site, site_pos, rot,
                                     site_rot is not None, i)
        if not math.isnan(need):
            F, _, Q = tr.filter.dyn.matrices(need)  # type: ignore[attr-defined]
            steps, Fs, Qs = tr._steps
            tr._steps = (np.append(steps, need), np.concatenate([Fs, F[None]]),
                         np.concatenate([Qs, Q[None]]))
        elif i < s:
            from tate.tracking.measurement import RAEMeas

            a, b, j = bounds[i], bounds[i + 1], site[i]
            keep = alive[a:b]
            t, zi = float(times[i]), z[a:b][keep]
            meas = RAEMeas(site_pos[j], R[a:b][keep],
                           rotation=None if site_rot is None else site_rot[j])
            if pos.shape[0]:  # predicted, clock set: the step path finishes the scan
                tr._finish(t, zi, meas, pos, pos_cov, tr.book.ids.size, False)
            else:
                tr.ingest(t, zi, meas)
            i += 1


_NO_POS, _NO_COV = np.empty((0, 3)), np.empty((0, 3, 3))  #: no detections (not written)

_ALIVE = np.ones(0, dtype=np.bool_)  #: all True (never written: numba's read-only arrays are
#: another type, compiled anew), grown as needed


def _all_alive(p: int) -> B8:
    """``p`` flags all True (a view of one array kept for all calls; not written)."""
    global _ALIVE
    if _ALIVE.size < p:
        _ALIVE = np.ones(max(p, 2 * _ALIVE.size), dtype=np.bool_)
    return _ALIVE[:p]


def _run(tr: Tracker, times: F64, bounds: I64, z: F64, R: F64, alive: B8, site: I64,
         site_pos: F64, rot: F64, has_rot: bool, first: int
         ) -> tuple[int, float, F64, F64]:
    """:func:`radar_scans` from scan ``first`` on ``tr``, which it then updates; returns
    the scan it stopped at, the step missing from the table (NaN: none) and, where the
    step path must finish that scan, its detections' positions and covariances (else no
    rows)."""
    fp, ip, extra_mean, extra_std, _ = tr._scan_args  # type: ignore[misc]
    state = tr.state
    if state is None:
        state = tr.filter.init(np.empty((0, 3)), np.empty((0, 3, 3)), 0.0)
    b = tr.book
    t0 = np.nan if tr.t is None else tr.t
    steps, F, Q = tr._steps
    out = radar_scans(
        state.x, state.P, steps, F, Q, times, bounds, z, R, alive, site, site_pos, rot,
        has_rot, b.ids, b.hits_window, b.scans, b.misses, b.confirmed, b.score, b.t_init,
        b.t_hit, b.n_hits, t0, tr.next_id, fp, ip, extra_mean, extra_std, tr._nis[0],
        int(tr._nis[1]), first)
    if tr.state is not None or out[11]:  # (the values given where no scan was done)
        tr.state = GaussState(out[2], out[3])
    bi, bf = out[4], out[6]
    tr.book = _Book(bi[0], bi[1], bi[2], bi[3], out[5], bf[0], bf[1], bf[2], bi[4])
    tr.next_id = out[7]
    tr._nis[0], tr._nis[1] = out[8], out[9]
    if out[10]:
        tr._nis[2] = 3 if tr._nis[2] in (0, 3) else -1
    tr.t = None if math.isnan(out[1]) else out[1]
    pc = out[13]
    if pc.shape[0]:
        return out[0], out[12], pc[:, 0].copy(), pc[:, 1:].copy()
    return out[0], out[12], _NO_POS, _NO_COV
