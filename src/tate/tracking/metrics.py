"""Multi-target tracking metrics: GOSPA and OSPA between finite sets of positions.

What this models
----------------
A tracker's output at one instant is a finite set of estimated target positions and the
truth is another finite set, possibly of a different size.  A set metric scores the two
at once: how far matched estimates are from their targets (localisation), how many
targets were not reported (missed) and how many estimates match no target (false).

* GOSPA, the generalised optimal sub-pattern assignment metric (Rahmathullah,
  García-Fernández & Svensson 2017, Definition 1, eq. 1).  With ``alpha = 2`` it splits
  into localisation, missed and false terms (ibid., Proposition 1): a pair counts as a
  localisation error only if it is closer than the cut-off ``c``; each unmatched point
  costs ``c**p / 2``.
* OSPA, the optimal sub-pattern assignment metric (Schuhmacher, Vo & Vo 2008, Sec. III),
  which normalises by the larger cardinality and so has no such decomposition.

Both reduce to one rectangular linear assignment on the cut-off distance matrix
``min(d, c)**p``, solved by :func:`scipy.optimize.linear_sum_assignment`.

References
----------
.. [1] A. S. Rahmathullah, Á. F. García-Fernández and L. Svensson, "Generalized optimal
   sub-pattern assignment metric", in Proc. 20th Int. Conf. on Information Fusion
   (FUSION), 2017; arXiv:1601.05585.  Definition 1, eq. (1), and Proposition 1 (the
   alpha = 2 form as a minimum over partial assignments).
.. [2] D. Schuhmacher, B.-T. Vo and B.-N. Vo, "A consistent metric for performance
   evaluation of multi-object filters", IEEE Trans. Signal Processing 56(8),
   pp. 3447-3457, 2008, doi:10.1109/TSP.2008.920469.  Sec. III (OSPA definition).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import linear_sum_assignment

__all__ = ["GospaResult", "gospa", "gospa_many", "gospa_stacked", "ospa", "pairwise_distance"]


@dataclass(frozen=True)
class GospaResult:
    """GOSPA distance between a truth set and an estimate set, with its parts.

    Attributes
    ----------
    distance
        GOSPA distance ``d_p^(c, alpha)``. [m]
    localisation
        Sum of ``d(x, y)**p`` over matched pairs closer than ``c``; NaN unless
        ``alpha == 2``. [m^p]
    missed
        ``c**p / 2`` times the number of unmatched truths; NaN unless ``alpha == 2``. [m^p]
    false
        ``c**p / 2`` times the number of unmatched estimates; NaN unless ``alpha == 2``.
        [m^p]
    assignment
        Shape ``(m,)`` integer array: the estimate row matched to each truth row, or -1.
        For ``alpha == 2`` only pairs closer than ``c`` are matched, so
        ``distance**p == localisation + missed + false``.  For other ``alpha`` it is the
        optimal injection of eq. (1) of [1]_ between the smaller and larger set (every
        row of the smaller set is matched, whatever the distance).
    """

    distance: float
    localisation: float
    missed: float
    false: float
    assignment: NDArray[np.intp]


def _as_points(points: ArrayLike, name: str) -> NDArray[np.float64]:
    """Return ``points`` as a finite float array of shape ``(k, d)`` or raise ValueError."""
    arr = np.asarray(points, dtype=np.float64)
    if arr.ndim != 2:
        raise ValueError(f"{name} must have shape (k, d), got shape {arr.shape}")
    bad = ~np.isfinite(arr).all(axis=1)
    if bad.any():
        rows = np.flatnonzero(bad).tolist()
        raise ValueError(f"{name} must be finite, got non-finite values in rows {rows}")
    return arr


def _check_pair(
    truth: ArrayLike, est: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Validate both point sets and that they share a dimension."""
    x = _as_points(truth, "truth")
    y = _as_points(est, "est")
    if x.shape[1] != y.shape[1]:
        raise ValueError(
            f"truth and est must have the same dimension d, got shapes {x.shape} and {y.shape}"
        )
    return x, y


def _check_params(c: float, p: float, alpha: float = 2.0) -> None:
    """Raise ValueError unless ``0 < c < inf``, ``1 <= p < inf`` and ``0 < alpha <= 2``."""
    if not (np.isfinite(c) and c > 0):
        raise ValueError(f"c must be finite and > 0, got {c!r}")
    if not (np.isfinite(p) and p >= 1):
        raise ValueError(f"p must be finite and >= 1, got {p!r}")
    if not (0 < alpha <= 2):
        raise ValueError(f"alpha must be in (0, 2], got {alpha!r}")


def pairwise_distance(a: ArrayLike, b: ArrayLike) -> NDArray[np.float64]:
    """Euclidean distance between every row of ``a`` and every row of ``b``.

    Parameters
    ----------
    a
        Shape ``(m, d)`` points. [m]
    b
        Shape ``(n, d)`` points. [m]

    Returns
    -------
    NDArray[np.float64]
        Shape ``(m, n)``; entry ``[i, j]`` is ``||a[i] - b[j]||``. [m]

    Raises
    ------
    ValueError
        If an input is not 2-D, is not finite, or the dimensions ``d`` differ.
    """
    x, y = _check_pair(a, b)
    diff = x[:, np.newaxis, :] - y[np.newaxis, :, :]
    return np.asarray(np.sqrt(np.einsum("ijk,ijk->ij", diff, diff)), dtype=np.float64)


def _assign(
    dist: NDArray[np.float64], c: float, p: float
) -> tuple[NDArray[np.intp], NDArray[np.intp], float]:
    """Optimal injection of the smaller set into the larger under cost ``min(d, c)**p``.

    Returns the matched rows, matched columns and the summed cost of the matched pairs.
    """
    if dist.size == 0:
        empty = np.zeros(0, dtype=np.intp)
        return empty, empty, 0.0
    cost = np.minimum(dist, c) ** p
    rows, cols = linear_sum_assignment(cost)
    return rows.astype(np.intp), cols.astype(np.intp), float(cost[rows, cols].sum())


def gospa(
    truth: ArrayLike, est: ArrayLike, c: float, p: float = 1.0, alpha: float = 2.0,
    check: bool = True,
) -> GospaResult:
    """GOSPA distance between truth and estimated positions.

    Parameters
    ----------
    truth
        Shape ``(m, d)`` true positions; ``m`` may be 0. [m]
    est
        Shape ``(n, d)`` estimated positions; ``n`` may be 0. [m]
    c
        Cut-off distance, ``> 0``. [m]
    p
        Order, ``>= 1``. [-]
    alpha
        Cardinality-mismatch weight, ``0 < alpha <= 2``; only ``alpha = 2`` yields the
        localisation / missed / false decomposition. [-]
    check
        Validate the inputs (``False``: the caller guarantees finite float64 arrays of
        shapes ``(m, d)`` and ``(n, d)`` and valid ``c``, ``p``, ``alpha``; the same
        result, without the checks' cost).

    Returns
    -------
    GospaResult
        The distance, its decomposition (NaN unless ``alpha == 2``) and the assignment.

    Raises
    ------
    ValueError
        If a point set is not 2-D or not finite, the dimensions differ, or ``c``, ``p``
        or ``alpha`` is out of range.

    Notes
    -----
    Eq. (1) of [1]_, for ``|X| = m <= n = |Y|`` (swap the roles otherwise)::

        d = ( min_pi sum_i min(d(x_i, y_pi(i)), c)**p + c**p / alpha * (n - m) )**(1/p)

    the minimum taken over injections ``pi`` of X into Y.  This is one rectangular
    linear assignment on ``min(d, c)**p``; no padding is needed.  For ``alpha = 2``,
    Proposition 1 of [1]_ gives the same number as a minimum over partial assignments
    ``gamma``: ``sum_{gamma} d**p + c**p / 2 * (#missed + #false)``.  A pair at distance
    ``>= c`` costs ``c**p`` in eq. (1), which equals one missed plus one false, so
    dropping such pairs from the optimal ``pi`` yields the optimal ``gamma``.

    References
    ----------
    .. [1] Rahmathullah, García-Fernández & Svensson, "Generalized optimal sub-pattern
       assignment metric", FUSION 2017, eq. (1) and Proposition 1.
    """
    if check:
        _check_params(c, p, alpha)
        dist = pairwise_distance(truth, est)
    else:  # pairwise_distance's arithmetic on arrays already checked
        x, y = np.asarray(truth), np.asarray(est)
        diff = x[:, np.newaxis, :] - y[np.newaxis, :, :]
        dist = np.sqrt(np.einsum("ijk,ijk->ij", diff, diff))
    m, n = dist.shape
    if m == 0 or n == 0:  # _assign's empty case
        return _gospa_empty(m, n, c, p, alpha)
    rows, cols, matched = _assign(dist, c, p)
    total = matched + c**p / alpha * abs(n - m)
    assignment = np.full(m, -1, dtype=np.intp)
    if alpha != 2:
        assignment[rows] = cols
        nan = float("nan")
        return GospaResult(total ** (1.0 / p), nan, nan, nan, assignment)
    d_rc = dist[rows, cols]
    close = d_rc < c
    assignment[rows[close]] = cols[close]
    n_pairs = int(np.count_nonzero(close))
    localisation = float((d_rc[close] ** p).sum())
    half = c**p / 2.0
    return GospaResult(
        distance=total ** (1.0 / p),
        localisation=localisation,
        missed=half * (m - n_pairs),
        false=half * (n - n_pairs),
        assignment=assignment,
    )


def gospa_many(
    sets: Sequence[tuple[ArrayLike, ArrayLike]], c: float, p: float = 1.0, alpha: float = 2.0
) -> list[GospaResult]:
    """:func:`gospa` of many (truth, estimate) pairs of point sets (e.g. one per instant),
    the inputs checked once for all of them.

    Parameters
    ----------
    sets
        Pairs of ``(m_i, d)`` true and ``(n_i, d)`` estimated positions. [m]
    c, p, alpha
        As :func:`gospa`.

    Returns
    -------
    list[GospaResult]
        ``gospa(truth, est, c, p, alpha)`` of each pair, in order.

    Raises
    ------
    ValueError
        As :func:`gospa`, for the first pair that fails its checks.
    """
    _check_params(c, p, alpha)
    xs = [np.asarray(a, dtype=np.float64) for a, _ in sets]
    ys = [np.asarray(b, dtype=np.float64) for _, b in sets]
    if not xs:
        return []
    d = xs[0].shape[-1] if xs[0].ndim else -1
    ok = all(a.ndim == 2 and a.shape[1] == d for a in xs + ys)
    ok = ok and bool(np.isfinite(np.concatenate(xs + ys)).all())
    return [gospa(x, y, c, p, alpha, check=not ok) for x, y in zip(xs, ys, strict=True)]


def _gospa_empty(m: int, n: int, c: float, p: float, alpha: float) -> GospaResult:
    """:func:`gospa` when one set is empty (no pair: the matched cost is 0)."""
    total = 0.0 + c**p / alpha * abs(n - m)
    assignment = np.full(m, -1, dtype=np.intp)
    if alpha != 2:
        nan = float("nan")
        return GospaResult(total ** (1.0 / p), nan, nan, nan, assignment)
    half = c**p / 2.0
    return GospaResult(total ** (1.0 / p), 0.0, half * m, half * n, assignment)


def ospa(truth: ArrayLike, est: ArrayLike, c: float, p: float = 1.0) -> float:
    """OSPA distance between truth and estimated positions.

    Parameters
    ----------
    truth
        Shape ``(m, d)`` true positions; ``m`` may be 0. [m]
    est
        Shape ``(n, d)`` estimated positions; ``n`` may be 0. [m]
    c
        Cut-off distance, ``> 0``. [m]
    p
        Order, ``>= 1``. [-]

    Returns
    -------
    float
        OSPA distance in ``[0, c]``: 0 for two empty sets, ``c`` if exactly one is
        empty. [m]

    Raises
    ------
    ValueError
        If a point set is not 2-D or not finite, the dimensions differ, or ``c`` or
        ``p`` is out of range.

    Notes
    -----
    The OSPA definition of [2]_ (Sec. III), for ``m <= n``, ``n > 0`` (swap the roles otherwise)::

        d = ( (min_pi sum_i min(d(x_i, y_pi(i)), c)**p + c**p * (n - m)) / n )**(1/p)

    References
    ----------
    .. [2] Schuhmacher, Vo & Vo, "A consistent metric for performance evaluation of
       multi-object filters", IEEE TSP 56(8), 2008, Sec. III.
    """
    _check_params(c, p)
    dist = pairwise_distance(truth, est)
    m, n = dist.shape
    if max(m, n) == 0:
        return 0.0
    if min(m, n) == 0:
        return float(c)
    _, _, matched = _assign(dist, c, p)
    return float(((matched + c**p * abs(n - m)) / max(m, n)) ** (1.0 / p))


def gospa_stacked(
    truth: NDArray[np.float64], t_off: NDArray[np.intp], est: NDArray[np.float64],
    e_off: NDArray[np.intp], c: float, compiled: bool = False,
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64],
           NDArray[np.float64], NDArray[np.intp]]:
    """:func:`gospa` (``p = 1``, ``alpha = 2``) of many sets stacked in two arrays: set
    ``s`` is ``truth[t_off[s]:t_off[s + 1]]`` against ``est[e_off[s]:e_off[s + 1]]``.

    Parameters
    ----------
    truth, est
        Stacked ``(M, d)`` and ``(N, d)`` finite positions. [m]
    t_off, e_off
        ``(s + 1,)`` row offsets of the sets, from 0 to ``M`` and ``N``.
    c
        Cut-off distance, ``> 0``. [m]
    compiled
        Use the compiled twin (:func:`._gospa_jit.gospa_sets`, 3-D only; the same bits).

    Returns
    -------
    tuple
        Distance, localisation, missed and false terms ``(s,)`` [m] and, per truth row,
        the estimate row (within its set) matched to it, or −1.
    """
    s = t_off.size - 1
    if compiled and truth.shape[1] == 3 and est.shape[1] == 3:
        from tate.tracking._gospa_jit import gospa_sets

        out = gospa_sets(np.ascontiguousarray(truth, dtype=np.float64), t_off,
                         np.ascontiguousarray(est, dtype=np.float64), e_off, float(c),
                         float(c) / 2.0)
        redo = np.flatnonzero(np.isnan(out[0])).tolist()
    else:
        out = (np.empty(s), np.empty(s), np.empty(s), np.empty(s),
               np.full(truth.shape[0], -1, dtype=np.intp))
        redo = list(range(s))
    for k in redo:
        a, b = t_off[k], t_off[k + 1]
        g = gospa(truth[a:b], est[e_off[k]:e_off[k + 1]], c, 1.0, 2.0, check=False)
        out[0][k], out[1][k], out[2][k], out[3][k] = (g.distance, g.localisation, g.missed,
                                                      g.false)
        out[4][a:b] = g.assignment
    return out
