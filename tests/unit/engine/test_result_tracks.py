"""The track-quality table (``result._tracks``: one conversion of every row) against the
column-by-column conversion of old: the same dtypes and bits, NaN and empty included."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from tate.engine.result import _tracks

NAMES = ("time_s", "live_threats", "confirmed_tracks", "gospa_m", "localisation_m",
         "missed_m", "false_m")
KINDS = (float, np.int64, np.int64, float, float, float, float)


def _old(rows: list[tuple]) -> dict[str, np.ndarray]:
    cols = list(zip(*rows, strict=True)) if rows else [[] for _ in NAMES]
    return {k: np.asarray(c, dtype=t) for k, c, t in zip(NAMES, cols, KINDS, strict=True)}


@pytest.mark.parametrize("n", [0, 1, 300])
def test_tracks_table_is_the_column_conversion(n: int) -> None:
    rng = np.random.default_rng(3)
    rows = [(0.5 * i + 1e-13 * i, int(rng.integers(0, 30)), int(rng.integers(0, 9)),
             float(rng.normal(0, 1e4)), float("nan") if i % 7 == 0 else float(rng.random()),
             float(rng.random()) * 1e3, -0.0 if i % 5 == 0 else 1.0 / (i + 3))
            for i in range(n)]
    got, want = _tracks(SimpleNamespace(quality=rows)), _old(rows)
    assert list(got) == list(want)
    for k in want:
        assert got[k].dtype == want[k].dtype and got[k].shape == want[k].shape, k
        assert np.array_equal(got[k], want[k], equal_nan=True), k
        assert np.array_equal(np.signbit(got[k]), np.signbit(want[k])), k
