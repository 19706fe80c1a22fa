"""Test helper: two flight tables equal column by column, bit for bit."""

from __future__ import annotations

from typing import Any

import numpy as np


def assert_same_table(a: dict[str, Any], b: dict[str, Any]) -> None:
    """The same columns, shapes and values (text as lists; NaNs equal, no tolerance)."""
    assert a.keys() == b.keys()
    for c in a:
        x, y = np.asarray(a[c]), np.asarray(b[c])
        assert x.shape == y.shape, c
        if x.dtype == object:
            assert x.tolist() == y.tolist(), c
        else:
            np.testing.assert_array_equal(x, y, err_msg=c)
