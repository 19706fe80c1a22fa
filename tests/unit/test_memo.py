"""tate.memo.Memo: least recently used evicted first, bounded size."""

from __future__ import annotations

import numpy as np
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


def test_a_snapshot_restores_the_shared_memos_entries(monkeypatch: pytest.MonkeyPatch) -> None:
    from tate import memo as memo_mod

    monkeypatch.setattr(memo_mod, "_SHARED", {})
    m: Memo[np.ndarray] = Memo(4, share="tate.memo:test_entries")
    private: Memo[int] = Memo(4)  # not shared: not in the snapshot
    value = np.arange(3.0)
    m.put(b"k1", value)
    m.put(b"k2", value * 2)
    private.put(b"p", 1)
    blob = memo_mod.snapshot()
    m.clear()
    assert memo_mod.restore(blob) == 2
    got = m.get(b"k2")
    assert got is not None and np.array_equal(got, value * 2)
    assert list(m._table) == [b"k1", b"k2"]  # the recency order travels too
    monkeypatch.setattr(memo_mod, "_SHARED", {})
    with pytest.raises(ValueError, match=r"no shared memo named 'tate\.memo:test_entries'"):
        memo_mod.restore(blob)


def test_a_shared_name_names_its_module() -> None:
    with pytest.raises(ValueError, match="share must be 'module:attribute', got 'x'"):
        Memo(1, share="x")
