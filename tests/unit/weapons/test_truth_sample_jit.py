"""The compiled truth sampler's search of a body's own rows against numpy's search of all
rows (``TruthStore``'s reference): the same segment, hence the same bits."""

from __future__ import annotations

import numpy as np

from tate.weapons._interceptor_jit import truth_sample


def _store(rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    """Five bodies with irregular, partly repeated sample times, keyed as TruthStore."""
    counts = [1, 2, 7, 40, 13]
    body = np.repeat(np.arange(len(counts)), counts)
    t = np.concatenate([np.sort(rng.uniform(-3.0, 50.0, c).round(1)) for c in counts])
    t0 = float(t.min())
    span = float(t.max()) - t0 + 1.0
    keys = body * span + (t - t0)
    start = np.searchsorted(body, np.arange(len(counts) + 1)).astype(np.intp)
    return t, rng.normal(0, 1e6, (t.size, 3)), rng.normal(0, 1e3, (t.size, 3)), start, \
        keys, span, t0


def _reference(b: int, tq: float, time: np.ndarray, pos: np.ndarray, vel: np.ndarray,
               start: np.ndarray, keys: np.ndarray, span: float,
               t0: float) -> tuple[list[float], list[float]]:
    """The kernel's arithmetic in Python floats on numpy's search of every key."""
    first, last = int(start[b]), int(start[b + 1]) - 1
    lo_t, hi_t = float(time[first]), float(time[last])
    tq = tq + lo_t if tq != tq else (lo_t if tq < lo_t else (hi_t if tq > hi_t else tq))
    hi = int(keys.searchsorted(b * span + (tq - t0), side="right"))
    hi = min(max(hi, first + 1), last)
    lo = max(hi - 1, first)
    h = float(time[hi]) - float(time[lo])
    s = 0.0 if h <= 0 else (tq - float(time[lo])) / h
    h = 1.0 if h <= 0 else h
    s2, s3 = s * s, s * s * s
    w = (2 * s3 - 3 * s2 + 1, h * (s3 - 2 * s2 + s), -2 * s3 + 3 * s2, h * (s3 - s2))
    d = ((6 * s2 - 6 * s) / h, 3 * s2 - 4 * s + 1, (-6 * s2 + 6 * s) / h, 3 * s2 - 2 * s)
    p, v = [], []
    for c in range(3):
        x = (float(pos[lo, c]), float(vel[lo, c]), float(pos[hi, c]), float(vel[hi, c]))
        p.append(w[0] * x[0] + w[1] * x[1] + w[2] * x[2] + w[3] * x[3])
        v.append(d[0] * x[0] + d[1] * x[1] + d[2] * x[2] + d[3] * x[3])
    return p, v


def test_search_of_the_body_rows_is_the_search_of_every_row_bit_for_bit() -> None:
    rng = np.random.default_rng(5)
    store = _store(rng)
    time, start = store[0], store[3]
    n = start.size - 1
    tq = [*time.tolist(), *rng.uniform(-10.0, 60.0, 300).tolist(), -1e9, 1e9, float("nan")]
    bodies = np.array([i % n for i in range(len(tq))], np.intp)
    bodies = np.concatenate([bodies, np.repeat(np.arange(n), len(time))]).astype(np.intp)
    times = np.array(tq + time.tolist() * n)
    p, v = np.empty((3, times.size)), np.empty((3, times.size))
    truth_sample(bodies, times, *store, p, v)
    q, w = np.empty((times.size, 3)), np.empty((times.size, 3))
    for i in range(times.size):  # one time for all, into transposed (k, 3) rows
        truth_sample(bodies[i:i + 1], times[i:i + 1], *store, q[i:i + 1].T, w[i:i + 1].T)
    one_t = np.full(n, 21.05)
    got_p, got_v = np.empty((n, 3)), np.empty((n, 3))
    truth_sample(np.arange(n, dtype=np.intp), one_t[:1], *store, got_p.T, got_v.T)
    for b in range(n):
        ref_p, ref_v = _reference(b, 21.05, *store)
        np.testing.assert_array_equal(got_p[b], ref_p)
        np.testing.assert_array_equal(got_v[b], ref_v)
    for i in range(times.size):
        ref_p, ref_v = _reference(int(bodies[i]), float(times[i]), *store)
        np.testing.assert_array_equal(p[:, i], ref_p)
        np.testing.assert_array_equal(v[:, i], ref_v)
    np.testing.assert_array_equal(q, p.T)
    np.testing.assert_array_equal(w, v.T)
