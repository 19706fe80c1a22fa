"""The compiled scene's float helpers (:mod:`tate.sensors._chunk_jit`) against Python.

Oracle: Python's float ``%`` (CPython's ``float_rem``, which numba's ``%`` copies) for
:func:`~tate.sensors._chunk_jit._mod`, bit for bit, on the moduli the kernels use and
values around every branch (``|x| < y``, ``< 2 y``, beyond, signed zeros, NaN, inf); and
equality with the sign of zero for :func:`~tate.sensors._chunk_jit._same`; ``np.interp``
for :func:`~tate.sensors._chunk_jit._interp` (a row of a table, read in place).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from tate.sensors._chunk_jit import _interp, _mod, _same


def _bits(x: float) -> int:
    return int(np.float64(x).view(np.int64))


@pytest.mark.parametrize("y", [1.0, 2.0 * np.pi, 0.3])
def test_mod_gives_python_percent_bits(y: float) -> None:
    rng = np.random.default_rng(3)
    edges = [0.0, -0.0, y, -y, 2.0 * y, -2.0 * y, np.nextafter(y, 0.0), np.nextafter(y, 9.0),
             np.nextafter(2.0 * y, 0.0), -np.nextafter(2.0 * y, 0.0), 1e-300, -1e-300,
             5e-324, -5e-324, 1e17, -1e17, math.inf, -math.inf, math.nan]
    xs = [*edges, *rng.uniform(-3.0 * y, 3.0 * y, 4000), *rng.normal(0.0, 1e3, 500),
          *(y * rng.integers(-5, 6, 200))]
    for x in xs:
        want, got = float(x) % y, _mod(float(x), y)
        if math.isnan(want):
            assert math.isnan(got), x
        else:
            assert _bits(got) == _bits(want), (x, got, want)


def test_same_is_equality_with_the_sign_of_zero() -> None:
    assert _same(0.5, 0.5) and _same(0.0, 0.0) and _same(-0.0, -0.0)
    assert not _same(0.0, -0.0) and not _same(-0.0, 0.0)
    assert not _same(0.5, np.nextafter(0.5, 1.0))
    assert not _same(math.nan, math.nan)


def test_interp_of_a_table_row_gives_np_interp_bits() -> None:
    rng = np.random.default_rng(5)
    xp = np.sort(rng.uniform(0.0, np.pi, 9))
    table = rng.normal(0.0, 10.0, (4, 9))
    xs = [*xp, -1.0, 0.0, np.pi, 4.0, *rng.uniform(-0.2, 3.4, 500)]
    for row in range(4):
        for x in xs:
            want = float(np.interp(x, xp, table[row]))
            assert _bits(_interp(float(x), xp, table, row)) == _bits(want), (row, x)
