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
from tate.tracking.positions import _rae_to_position_jit

if TYPE_CHECKING:
    from tate.tracking.tracker import Tracker

__all__ = ["ingest_scans", "radar_scans"]

_NF = 13  #: floats of :func:`~._book_jit.scan_params`
_NI = 5  #: integers of :func:`~._book_jit.scan_params`

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
def _scans(x: F64, P: F64, steps: F64, FQ: F64, times: F64, bounds: I64,
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
    matrices ``F = FQ[q, 0]``, ``Q = FQ[q, 1]`` of that step, ``steps[q]`` [s].  ``fp``, ``ip``:
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
    none = np.empty(0)
    no_pos, no_cov = none.reshape((0, 3)), none.reshape((0, 3, 3))
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
            x, P, predict, FQ[q, 0], FQ[q, 1], zi, site_pos[j:j + 1], site_rot[j:j + 1],
            has_rot, Ri, ids, hits_window, scans, misses, confirmed, score, t_init, t_hit,
            n_hits, t, next_id, fp, ip, extra_mean, extra_std)
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
def radar_scans(xp: F64, bi: I64, cp: F64, times: F64, bounds: I64, z: F64,
                R: F64, alive: B8, site: I64, site_pos: F64, site_rot: F64, has_rot: bool,
                t_prev: float, next_id: int, nis_sum: float, nis_count: int, first: int
                ) -> tuple[int, float, F64, I64, int, float, int, bool, bool, float, bool,
                           F64]:
    """:func:`_scans` with the state, the book and the settings packed into few arrays
    (each array handed to a compiled call costs about 0.3 µs, each handed back about
    0.5 µs): ``xp (n, k + 2, k)`` each track's state (row 0), covariance (rows 1…k) and
    score, t_init, t_hit (row k + 1, columns 0-2; the rest 0), ``bi (6, n)`` the rows ids,
    hits_window, scans, misses, n_hits, confirmed (0/1); ``cp`` the tracker's constants
    (:func:`_consts`): the count q of steps and e of extras,
    :func:`~._book_jit.scan_params`' floats and integers, the filter's extra_mean and
    extra_std, the ``steps`` and their transition and process-noise matrices
    ``FQ (q, 2, k, k)``.  Returns ``(done, t_prev, xp, bi, next_id, nis_sum, nis_count,
    nis_added, ever_rows, need, finish, cpos)``, the state and book packed the same way
    (new arrays), ``cpos (r, dim)`` the confirmed tracks' positions; ``finish``: the scan
    ``done`` was predicted and its clock set, for the step path to finish from its
    detections' positions (:func:`_scans`' ``pos``, ``pos_cov``, which are those of
    ``rae_positions`` on that scan)."""
    n, k = xp.shape[0], xp.shape[2]
    nq, e = int(cp[0]), int(cp[1])
    fp, o = cp[2:2 + _NF], 2 + _NF
    ip = np.empty(_NI, dtype=np.intp)
    for a in range(_NI):
        ip[a] = int(cp[o + a])
    o += _NI
    extra_mean, extra_std = cp[o:o + e], cp[o + e:o + 2 * e]
    steps = cp[o + 2 * e:o + 2 * e + nq]
    o += 2 * e + nq
    FQ = cp[o:o + nq * 2 * k * k].reshape((nq, 2, k, k))
    nk = n * k
    buf = np.empty(nk + nk * k + 3 * n)  # x, P and the book's floats, one allocation
    x: F64 = buf[:nk].reshape((n, k))
    P: F64 = buf[nk:nk + nk * k].reshape((n, k, k))
    bf = buf[nk + nk * k:].reshape((3, n))
    cf = np.empty(n, dtype=np.bool_)
    for i in range(n):
        for a in range(k):
            x[i, a] = xp[i, 0, a]
            for b in range(k):
                P[i, a, b] = xp[i, 1 + a, b]
        cf[i] = bi[5, i] != 0
        bf[0, i], bf[1, i], bf[2, i] = xp[i, k + 1, 0], xp[i, k + 1, 1], xp[i, k + 1, 2]
    out = _scans(x, P, steps, FQ, times, bounds, z, R, alive, site, site_pos, site_rot,
                 has_rot, bi[0], bi[1], bi[2], bi[3], cf, bf[0], bf[1], bf[2], bi[4], t_prev,
                 next_id, fp, ip, extra_mean, extra_std, nis_sum, nis_count, first)
    x, P = out[2], out[3]
    n = x.shape[0]
    d, r = ip[3], 0
    for i in range(n):
        r += 1 if out[8][i] else 0
    m = n * (k + 2) * k
    ob = np.zeros(m + r * d)  # the packed state and the confirmed positions, one allocation
    o_xp, cpos = ob[:m].reshape((n, k + 2, k)), ob[m:].reshape((r, d))
    o_bi = np.empty((6, n), dtype=np.intp)
    for i in range(n):
        for a in range(k):
            o_xp[i, 0, a] = x[i, a]
            for b in range(k):
                o_xp[i, 1 + a, b] = P[i, a, b]
        o_xp[i, k + 1, 0], o_xp[i, k + 1, 1] = out[9][i], out[10][i]
        o_xp[i, k + 1, 2] = out[11][i]
        o_bi[0, i], o_bi[1, i], o_bi[2, i] = out[4][i], out[5][i], out[6][i]
        o_bi[3, i], o_bi[4, i], o_bi[5, i] = out[7][i], out[12][i], 1 if out[8][i] else 0
    r = 0
    for i in range(n):
        if out[8][i]:
            for a in range(d):
                cpos[r, a] = x[i, a]
            r += 1
    return (out[0], out[1], o_xp, o_bi, out[13], out[14], out[15], out[16], out[17],
            out[18], out[19].shape[0] > 0, cpos)


def ingest_scans(tr: Tracker, times: F64, bounds: I64, z: F64, R: F64, site: I64,
                 site_pos: F64, site_rot: F64 | None, alive: B8 | None) -> None:
    """``Tracker.ingest_scans`` on the one-call path: :func:`radar_scans` on tracker
    ``tr``, its state, book, ids, clock and NIS sums set after it as one
    ``Tracker.ingest`` per scan sets them (the state and book kept packed, ``tr._pk``); a
    step missing from the tracker's table of prediction matrices is added (from the
    filter's own cache) and the call resumed; a scan whose association the step path must
    decide is finished by it from the predicted state (as ``Tracker.ingest`` finishes it),
    another scan it leaves is done by ``Tracker.ingest``."""
    if not tr._steps:
        _tables(tr)
    if alive is None:
        alive = _all_alive(z.shape[0])
    has_rot = site_rot is not None
    rot = site_rot if site_rot is not None else _eyes(site_pos.shape[0])
    i, s = 0, times.size
    while True:  # (one pass where radar_scans does every scan: the engine's tick)
        pk = tr._pk
        packed = pk is not None
        if not packed:
            pk = _pack(tr)
        t0, nis = tr.t, tr._nis
        out = radar_scans(
            pk[0], pk[1], tr._steps[4], times, bounds, z, R, alive, site, site_pos, rot,  # type: ignore[index]
            has_rot, np.nan if t0 is None else t0, tr.next_id, nis[0], int(nis[1]), i)
        if packed or tr._st is not None or out[8]:  # (the values given where no scan was done)
            tr._pk = (out[2], out[3])
            cpos = tr._cpos = out[11]
            cpos.setflags(write=False)
        tr.next_id = out[4]
        nis[0], nis[1] = out[5], out[6]
        if out[7]:
            nis[2] = 3 if nis[2] in (0, 3) else -1
        t = out[1]
        tr.t = None if t != t else t
        i, need = out[0], out[9]
        if i >= s and need != need:
            return
        _resume(tr, times, bounds, z, R, alive, site, site_pos, site_rot, i, need, out[10])
        if need != need:
            i += 1


def _resume(tr: Tracker, times: F64, bounds: I64, z: F64, R: F64, alive: B8, site: I64,
            site_pos: F64, site_rot: F64 | None, i: int, need: float, finish: bool) -> None:
    """Where :func:`radar_scans` stopped at scan ``i``: the step ``need`` [s] (not NaN)
    added to ``tr``'s table, or scan ``i`` done by the step path (``finish``: from the
    predicted state, its clock set; else by ``Tracker.ingest``)."""
    if not math.isnan(need):
        F, _, Q = tr.filter.dyn.matrices(need)  # type: ignore[attr-defined]
        steps, FQ, fp, ip, _ = tr._steps
        steps, FQ = np.append(steps, need), np.concatenate([FQ, np.stack([F, Q])[None]])
        tr._steps = (steps, FQ, fp, ip, _consts(steps, FQ, fp, ip))
        return
    from tate.tracking.measurement import RAEMeas

    a, b, j = bounds[i], bounds[i + 1], site[i]
    keep = alive[a:b]
    t, zi = float(times[i]), z[a:b][keep]
    meas = RAEMeas(site_pos[j], R[a:b][keep], rotation=None if site_rot is None else site_rot[j])
    if finish:  # predicted, clock set: the step path finishes the scan
        pos, pos_cov = _rae_to_position_jit(meas, zi)
        tr._finish(t, zi, meas, pos, pos_cov, tr.book.ids.size, False)
    else:
        tr.ingest(t, zi, meas)


def _tables(tr: Tracker) -> None:
    """The tracker's constants of :func:`radar_scans` (``tr._steps``): the steps table
    (row 0: no step, not looked up: a step is > 0), its matrices, the settings, and all
    of them in one array (:func:`_consts`)."""
    f = tr.filter
    fp, ip = scan_params(tr)
    FQ = np.stack([np.eye(tr.k), np.zeros((tr.k, tr.k))])[None]
    fp = np.concatenate([fp, f.extra_mean, f.extra_std])  # type: ignore[attr-defined]
    steps = np.zeros(1)
    tr._steps = (steps, FQ, fp, ip, _consts(steps, FQ, fp, ip))


def _consts(steps: F64, FQ: F64, fp: F64, ip: I64) -> F64:
    """:func:`radar_scans`' constants ``cp``: the counts of steps and extras, the floats
    of ``fp`` (:func:`~._book_jit.scan_params`' then the extras' means and σ), with the
    integers ``ip`` (small: exact as floats) before the extras, the steps, ``FQ``."""
    e = (fp.size - _NF) // 2
    return np.concatenate([[steps.size, e], fp[:_NF], ip, fp[_NF:], steps, FQ.ravel()])


_ALIVE = np.ones(0, dtype=np.bool_)  #: all True (never written: numba's read-only arrays are
#: another type, compiled anew), grown as needed
_EYES = np.empty((0, 3, 3))  #: identity rotations (never written), grown as needed


def _all_alive(p: int) -> B8:
    """``p`` flags all True (a view of one array kept for all calls; not written)."""
    global _ALIVE
    if _ALIVE.size < p:
        _ALIVE = np.ones(max(p, 2 * _ALIVE.size), dtype=np.bool_)
    return _ALIVE[:p]


def _eyes(k: int) -> F64:
    """``k`` identity rotations ``(k, 3, 3)`` (a view of one array kept; not written)."""
    global _EYES
    if _EYES.shape[0] < k:
        _EYES = np.tile(np.eye(3), (max(k, 2 * _EYES.shape[0]), 1, 1))
    return _EYES[:k]


def _pack(tr: Tracker) -> tuple[F64, I64]:
    """``tr``'s state and book packed as :func:`radar_scans` takes them (no track yet: an
    empty state)."""
    state = tr.state
    if state is None:
        state = tr.filter.init(np.empty((0, 3)), np.empty((0, 3, 3)), 0.0)
    b = tr.book
    n, k = b.ids.size, tr.k
    xp = np.zeros((n, k + 2, k))
    xp[:, 0], xp[:, 1:k + 1] = state.x, state.P
    xp[:, k + 1, 0], xp[:, k + 1, 1], xp[:, k + 1, 2] = b.score, b.t_init, b.t_hit
    bi = np.array([b.ids, b.hits_window, b.scans, b.misses, b.n_hits, b.confirmed],
                  dtype=np.intp)
    return xp, bi
