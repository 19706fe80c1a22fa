"""Threat truth for the engine: the raid flown once, queried at any instant.

Ballistic, boost-glide, cruise and drone threats fly their own plans whatever the
defence does (a kill ends a flight; nothing else changes it), so the engine flies the
raid once with :func:`tate.flight.fly.fly` and reads positions and velocities at any
time by cubic Hermite interpolation between the recorded samples (position and its
derivative, the Earth-relative velocity; ECEF, WGS-84).  With samples every
``record_s`` = 0.2 s the interpolation error is far below a metre for the threats'
accelerations (the Hermite error bound is h⁴/384 · max|p⁗|).

Units: s, m, m/s.  Bodies are rows in the flight summary's (file) order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from tate import jit
from tate.flight.integrator import hermite

try:  # the ufunc np.clip calls for two array bounds, without its Python wrapper
    from numpy._core.umath import clip as _clip  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - other numpy layouts
    _clip = np.clip

__all__ = ["CUE_GATE_M", "TruthStore", "nearest_threats"]

CUE_GATE_M = 3000.0  #: a track cues the threat nearest it within max(this, 4σ) [m]

F64 = NDArray[np.float64]


@dataclass(frozen=True)
class TruthStore:
    """Recorded threat truth, rows sorted by body then time."""

    ids: NDArray[Any]  #: (n,) threat member ids
    model: NDArray[Any]  #: (n,) flight model names
    time: F64  #: (r,) sample times from the epoch [s]
    pos: F64  #: (r, 3) ECEF [m]
    vel: F64  #: (r, 3) Earth-relative ECEF velocity [m/s]
    start: NDArray[np.intp]  #: (n + 1,) body j's rows are start[j]:start[j+1]
    impacted: NDArray[np.bool_]  #: (n,) the flight ended on the ground (not cut off)
    keys: F64  #: (r,) body · span + time − t0: one sorted search key over all rows
    span: float  #: key spacing between bodies [s]
    t0: float  #: earliest sample time [s]
    #: interpolate with the compiled kernel (:mod:`tate.weapons._interceptor_jit`)
    _jit: bool = field(init=False, repr=False, compare=False, default=False)
    #: launch and end times of the bodies, read-only, computed once (:attr:`t_first`,
    #: :attr:`t_last`)
    _t_first: F64 = field(init=False, repr=False, compare=False)
    _t_last: F64 = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_jit", jit.enabled())
        t_first, t_last = self.time[self.start[:-1]], self.time[self.start[1:] - 1]
        t_first.setflags(write=False)
        t_last.setflags(write=False)
        object.__setattr__(self, "_t_first", t_first)
        object.__setattr__(self, "_t_last", t_last)

    @classmethod
    def from_flight(cls, flight: Any) -> TruthStore:
        """Collect a :class:`tate.flight.fly.FlightResult` (ECEF, sorted by body, time)."""
        from tate.flight.fly import flight_ecef

        order_ids = list(np.asarray(flight.summary["id"], dtype=object).tolist())
        body, t, pos, vel = flight_ecef(flight, order_ids, copy=False)  # only read here
        n = len(order_ids)
        start = np.searchsorted(body, np.arange(n + 1)).astype(np.intp)
        impacted = np.asarray(flight.summary["outcome"], dtype=object) == "impact"
        t0 = float(t.min()) if t.size else 0.0
        span = (float(t.max()) - t0 + 1.0) if t.size else 1.0
        keys = body * span + (t - t0)
        return cls(np.asarray(order_ids, dtype=object),
                   np.asarray(flight.summary["model"], dtype=object), t, pos, vel, start,
                   impacted, keys, span, t0)

    @property
    def n(self) -> int:
        """Number of threat bodies."""
        return int(self.ids.size)

    @property
    def t_first(self) -> F64:
        """Launch time of each body [s] (read-only)."""
        return self._t_first

    @property
    def t_last(self) -> F64:
        """Last recorded time of each body (impact, or the time limit) [s] (read-only)."""
        return self._t_last

    def flying(self, t: float) -> NDArray[np.bool_]:
        """Bodies in flight at ``t`` (launched, not yet ended)."""
        return (self.t_first <= t) & (t <= self.t_last)

    def at(self, t: float, bodies: NDArray[np.intp]) -> tuple[F64, F64]:
        """Positions and velocities ``(k, 3)`` of ``bodies`` at ``t`` (clamped to their
        flights), by cubic Hermite interpolation."""
        bodies = np.asarray(bodies, dtype=np.intp)
        return self._sample(bodies, np.full(bodies.size, float(t)))

    def path(self, body: int, times: F64) -> tuple[F64, F64]:
        """Positions and velocities ``(k, 3)`` of one body at ``times`` (clamped to its
        flight), by cubic Hermite interpolation."""
        times = np.asarray(times, float)
        return self._sample(np.full(times.size, int(body), np.intp), times)

    def sample(self, bodies: NDArray[np.intp], times: F64) -> tuple[F64, F64]:
        """Body ``bodies[i]`` at time ``times[i]`` (clamped to its flight), for every i:
        positions and velocities ``(k, 3)``, by cubic Hermite interpolation."""
        return self._sample(np.asarray(bodies, dtype=np.intp), np.asarray(times, float))

    def _sample(self, bodies: NDArray[np.intp], t: F64) -> tuple[F64, F64]:
        """Body ``bodies[i]`` at time ``t[i]``, for every i: ``(k, 3)`` each."""
        if bodies.size == 0:
            return np.empty((0, 3)), np.empty((0, 3))
        if self._jit:
            from tate.weapons._interceptor_jit import truth_sample

            p, v = np.empty((3, bodies.size)), np.empty((3, bodies.size))
            truth_sample(bodies, t, self.time, self.pos, self.vel, self.start, self.keys,
                         self.span, self.t0, p, v)
            return p.T, v.T
        first, last = self.start[bodies], self.start[bodies + 1] - 1
        time = self.time
        tq = _clip(t, time[first], time[last])
        hi = self.keys.searchsorted(bodies * self.span + (tq - self.t0), side="right")
        hi = np.minimum(np.maximum(hi, first + 1), last)
        lo = np.maximum(hi - 1, first)
        t_lo = time[lo]
        h = time[hi] - t_lo
        same = h <= 0
        h_safe = np.where(same, 1.0, h)
        s = np.where(same, 0.0, (tq - t_lo) / h_safe)
        p, v = hermite(self.pos[lo].T, self.vel[lo].T, self.pos[hi].T, self.vel[hi].T,
                       h_safe, s)
        return p.T, v.T


def nearest_threats(truth: F64, live: NDArray[np.intp], pos: F64, sigma: F64
                    ) -> NDArray[np.intp]:
    """The truth row (of ``live``, positions ``truth (k, 3)``) nearest each track position
    ``pos (n, 3)``, if within max(``CUE_GATE_M``, 4 σ) with σ the track's largest position
    standard deviation ``(n,)``; else −1: the threat a seeker cued by the track would find
    (one frame for both, e.g. the tracker's ENU)."""
    out = np.full(pos.shape[0], -1, np.intp)
    if live.size == 0 or pos.shape[0] == 0:
        return out
    d = np.linalg.norm(pos[:, None, :] - truth[None, :, :], axis=-1)
    near = d.argmin(axis=1)
    ok = d[np.arange(pos.shape[0]), near] < np.maximum(CUE_GATE_M, 4.0 * sigma)
    out[ok] = live[near[ok]]
    return out
