"""The one-call path keeps the tracker's state and book packed between calls
(``Tracker._pk``, :func:`tate.tracking._batch_jit.radar_scans`): the engine's per-tick
readers (``confirmed``, ``confirmed_positions``) read the packed form, anything else that
reads ``state`` or ``book`` unpacks it (and the next call packs it again).  Fed the
default engagement's scans tick by tick, the packed tracker gives, every tick, the very
confirmed tracks and positions of a tracker doing one ``Tracker.ingest`` per scan, with
and without kills' ``drop_with_neighbours`` in between (which cuts the packed rows), and
the same state at the end."""

from __future__ import annotations

import copy
import pickle

import numpy as np

from tate.tracking.tracker import Tracker, TrackerConfig
from tests.unit.tracking.replay import Scan, tracker_on
from tests.unit.tracking.test_batch_jit import _per_scan, _state, _ticks


def _same_rows(a: Tracker, b: Tracker) -> None:
    ra, rb = a.confirmed(), b.confirmed()
    for f in ("ids", "x", "P", "score"):
        ga, gb = getattr(ra, f), getattr(rb, f)
        assert ga.dtype == gb.dtype and np.array_equal(ga, gb)
        assert ga.flags.c_contiguous
    pa, pb = a.confirmed_positions(), b.confirmed_positions()
    assert np.array_equal(pa, pb) and pa.shape == pb.shape
    assert a._pk is None or not pa.flags.writeable


def test_packed_ticks_read_as_one_ingest_per_scan(
        engine_scans: tuple[TrackerConfig, list[Scan]]) -> None:
    cfg, scans = engine_scans
    ticks = _ticks(scans)
    got, want = tracker_on(cfg, True), tracker_on(cfg, True)
    packed = dropped = 0
    for i, tick in enumerate(ticks):
        got.ingest_scans(*tick)
        _per_scan(want, tick, None)
        packed += got._pk is not None
        _same_rows(got, want)
        if i % 50 == 49 and want.confirmed().ids.size:  # a kill: the packed rows are cut
            tid = int(want.confirmed().ids[0])
            t = float(tick[0][-1])
            was = got._pk is not None
            out = got.drop_with_neighbours([tid], quiet_since=t - 5.0)
            assert np.array_equal(out, want.drop_with_neighbours([tid], quiet_since=t - 5.0))
            assert (got._pk is not None) == was
            _same_rows(got, want)
            dropped += out.size
        if i % 97 == 0:  # a copy and a pickle of the packed tracker go on alike
            twin = pickle.loads(pickle.dumps(copy.deepcopy(got)))
            twin.ingest_scans(*ticks[min(i + 1, len(ticks) - 1)])
    assert packed > 300 and dropped > 3
    for a, b in zip(_state(got), _state(want), strict=True):  # book, x, P, ids, NIS, clock
        assert np.array_equal(a, b) if isinstance(a, np.ndarray) else a == b
    assert got._pk is None  # (read: unpacked)
    assert got.book.confirmed.dtype == np.bool_ and got.book.ids.dtype == np.intp


def test_state_and_book_assigned_replace_the_packed_form(
        engine_scans: tuple[TrackerConfig, list[Scan]]) -> None:
    """Setting ``state`` or ``book`` (as the step path and ``drop`` do) drops the packed
    form; the next call packs what was set."""
    cfg, scans = engine_scans
    ticks = _ticks(scans)[:120]
    got, want = tracker_on(cfg, True), tracker_on(cfg, True)
    for tick in ticks:
        got.ingest_scans(*tick)
        _per_scan(want, tick, None)
    assert got._pk is not None
    keep = np.arange(want.book.ids.size)[::2]
    got.state = want.filter.take(want.state, keep)
    assert got._pk is None
    got.book = want.book.take(keep)
    want.state, want.book = want.filter.take(want.state, keep), want.book.take(keep)
    for tick in _ticks(scans)[120:200]:
        got.ingest_scans(*tick)
        _per_scan(want, tick, None)
        _same_rows(got, want)
    for a, b in zip(_state(got), _state(want), strict=True):
        assert np.array_equal(a, b) if isinstance(a, np.ndarray) else a == b
