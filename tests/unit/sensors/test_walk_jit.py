"""A radar's chunk in one compiled call (:func:`tate.sensors._walk_jit.walk`) against the
three compiled calls it fuses (``RadarWalk.fused = False``) and the numpy walk.

Oracle: the three-call path (the lazy scene, ``looks``, ``hits``; itself checked against
numpy in ``test_lazy_pd`` and ``test_windows``), bit for bit after every window: the
detections and their bodies, every radar's scheduler state and random stream, and the
load table; and the numpy path's detections.  The windows of ``test_windows`` (a ship
radar, a moving drone radar, an IR sensor), of 5, 37 and 10,000 look times.  A fixed
site's state made once and sliced equals :func:`~tate.sensors.platforms.platform_state`.
"""

from __future__ import annotations

import numpy as np
import pytest

from tate import jit
from tate.sensors import platforms as plat
from tate.sensors.windows import WindowedSensing

from .test_bodies_jit import _staggered_flight
from .test_windows import SCN, _equal


def _sched(ws: WindowedSensing) -> list[tuple[object, ...]]:
    return [(w.sched.history.copy(), w.sched.held.copy(), w.sched.next_due.copy(),
             w.sched.last_track_look.copy(), w.sched.credit, w.sched.phase,
             w.rng.bit_generator.state) for w in ws._walks]


@pytest.mark.parametrize("window", [5, 37, 10_000])
def test_one_call_per_chunk_gives_the_three_calls_bits(monkeypatch: pytest.MonkeyPatch,
                                                       window: int) -> None:
    flight = _staggered_flight(12)
    monkeypatch.setattr(jit, "ENABLED", False)
    numpy = WindowedSensing(SCN, flight, 4, window=10_000)  # (its rows: those of all windows)
    monkeypatch.setattr(jit, "ENABLED", True)
    fused, three = (WindowedSensing(SCN, flight, 4, window=window) for _ in range(2))
    for w in three._walks:
        w.fused = False
    dets, bodies = [], []
    while not fused.finished:
        (det, body), (det3, body3) = fused.advance(), three.advance()
        assert all(_equal(det[k], det3[k]) for k in det) and _equal(body, body3)
        for a, b in zip(_sched(fused), _sched(three), strict=True):
            assert all(_equal(x, y) if isinstance(x, np.ndarray) else x == y
                       for x, y in zip(a, b, strict=True))
        dets.append(det)
        bodies.append(body)
    det, body = numpy.advance()
    assert three.finished and numpy.finished and body.size > 500
    assert all(_equal(np.concatenate([d[k] for d in dets]), det[k]) for k in det)
    assert _equal(np.concatenate(bodies), body)
    assert all(w._args for w in fused._walks) and not any(w._args for w in three._walks)
    for k, v in fused.load_until(np.inf).items():
        assert _equal(v, three.load_until(np.inf)[k]) and _equal(v, numpy.load_until(np.inf)[k])


def test_fixed_sites_state_made_once_is_platform_state(monkeypatch: pytest.MonkeyPatch
                                                       ) -> None:
    monkeypatch.setattr(jit, "ENABLED", True)
    ws = WindowedSensing(SCN, _staggered_flight(3), 4, window=100)
    walk = next(w for w in ws._walks if not w.site.moving)
    for c0 in range(0, walk.times.size, 100):  # (the last chunk is shorter)
        tc = walk.times[c0:c0 + 100]
        got, want = walk._state(tc), plat.platform_state(walk.site, tc)
        for f in ("time", "pos", "lat", "lon", "alt", "heading"):
            assert _equal(getattr(got, f), getattr(want, f)), f
    assert tc.size < 100


def test_load_until_cuts_the_blocks_as_a_mask_of_every_row() -> None:
    from tate.sensors.tables import _load_rows

    ws = WindowedSensing(SCN, _staggered_flight(5), 4, window=40)
    for _ in range(3):
        ws.advance()
    whole = _load_rows(ws._sites, ws._outs)
    t = np.asarray(whole["time_s"])
    for cut in (-1.0, t[0], t[57] - 1e-9, t[57], 33.3, t[-1] - 0.5, t[-1], np.inf):
        got, keep = ws.load_until(cut), t <= cut + 1e-9
        assert list(got) == list(whole)
        assert all(_equal(got[k], np.asarray(v)[keep]) for k, v in whole.items()), cut
    assert 0 < np.count_nonzero(t <= 33.3 + 1e-9) < t.size
