"""tate.memo.Memo: least recently used evicted first, bounded size."""

from __future__ import annotations

import pytest

from tate.memo import Memo


def test_least_recently_used_goes_first() -> None:
    m: Memo[int] = Memo(2)
    m.put(b"a", 1)
    m.put(b"b", 2)
    assert m.get(b"a") == 1  # now b is the least recently used
    m.put(b"c", 3)
    assert len(m) == 2 and m.get(b"b") is None and m.get(b"a") == 1 and m.get(b"c") == 3
    m.clear()
    assert len(m) == 0 and m.get(b"a") is None


def test_size_must_be_positive() -> None:
    with pytest.raises(ValueError, match="size must be >= 1, got 0"):
        Memo(0)
