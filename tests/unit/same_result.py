"""Test helper: two engagement results with the same status, message and tables, floats
compared bit for bit (NaN equal to NaN), other columns as Python values."""

from __future__ import annotations

from typing import Any

import numpy as np

from tate.engine.result import RunResult


def assert_same_result(fast: Any, ref: Any) -> None:
    """Fail unless ``fast`` and ``ref`` (:class:`RunResult`) agree table by table."""
    assert fast.status == ref.status and fast.message == ref.message
    for name in RunResult.TABLES:
        a, b = getattr(fast, name), getattr(ref, name)
        assert a.keys() == b.keys(), name
        for key in a:
            x, y = np.asarray(a[key]), np.asarray(b[key])
            if x.dtype.kind == "f":
                np.testing.assert_array_equal(x, y, err_msg=f"{name} {key}")
            else:
                assert x.tolist() == y.tolist(), (name, key)
