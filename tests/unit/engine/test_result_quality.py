"""The run result's track-quality table from the record's columns
(:meth:`Engagement.quality_columns`) against the route it replaces: the per-tick rows
(:attr:`Engagement.quality`) zipped into columns, bit for bit, over several flushes."""

from __future__ import annotations

from operator import itemgetter

import numpy as np

from tate.engine.engagement import Engagement
from tate.engine.result import _tracks

NAMES = ("time_s", "live_threats", "confirmed_tracks", "gospa_m", "localisation_m",
         "missed_m", "false_m")
KINDS = (float, np.int64, np.int64, float, float, float, float)


def _engagement(flushes: list[int]) -> Engagement:
    """An engagement holding only a quality record of ``flushes`` chunks of ticks."""
    rng = np.random.default_rng(3)
    e = object.__new__(Engagement)
    e._quality_due, e._quality = [], []
    t = 0.0
    for n in flushes:
        ts = t + 0.1 * np.arange(n)
        t = float(ts[-1]) + 0.1 if n else t
        e._quality.append((ts, rng.integers(0, 9, n), rng.integers(0, 9, n),
                           *(rng.random(n) * 1e3 for _ in range(4))))
    return e


def _old_tracks(rows: list[tuple[float, ...]]) -> dict[str, np.ndarray]:
    cols = list(zip(*rows, strict=True)) if rows else [[] for _ in NAMES]
    return {k: np.asarray(c, dtype=t) for k, c, t in zip(NAMES, cols, KINDS, strict=True)}


def test_tracks_table_is_the_rows_zipped() -> None:
    for flushes in ([], [5], [3, 0, 7, 2]):
        e = _engagement(flushes)
        rows = e.quality
        assert len(rows) == sum(flushes)
        got, ref = _tracks(e), _old_tracks(rows)
        assert list(got) == list(ref)
        for k in ref:
            assert got[k].dtype == ref[k].dtype and np.array_equal(got[k], ref[k])
        gospa = np.fromiter(map(itemgetter(3), rows), float, len(rows))
        assert np.array_equal(e.quality_columns()[3], gospa)
        if rows:
            assert np.mean(e.quality_columns()[3]) == np.mean(gospa)
