"""Tracker settings: :class:`TrackerConfig` (motion model, noise, gating, M-of-N or
time-based confirmation and deletion, association) and the associators' names.  SI
units throughout; see :mod:`tate.tracking.tracker` for what each setting does."""

from __future__ import annotations

from dataclasses import dataclass

from tate.tracking.filters import FILTERS

__all__ = ["ASSOCIATORS", "TrackerConfig"]

ASSOCIATORS = ("gnn", "jpda")


@dataclass(frozen=True)
class TrackerConfig:
    """Tracker settings (SI units)."""

    dim: int = 2  #: spatial dimensions of the tracks (2 or 3; radar scans need 3)
    motion: str = "cv"  #: motion model / filter family, see :data:`tate.tracking.filters.FILTERS`
    q: float = 0.5  #: process noise: density [m²/s³ (cv), m²/s⁵ (ca)] or σ_m² [m²/s⁴ (singer)]
    singer_alpha: float = 0.1  #: Singer manoeuvre rate 1/τ [1/s]
    meas_std: float = 2.0  #: default measurement standard deviation per axis (radar: range) [m]
    angle_std: float = 1e-3  #: default radar azimuth/elevation standard deviation [rad]
    gate_probability: float = 0.99  #: chi-square gate probability
    confirm_m: int = 2  #: detections needed ...
    confirm_n: int = 3  #: ... within this many scans to confirm
    delete_after: int = 3  #: consecutive misses that delete a confirmed track
    #: time-based logic instead of scan counts, for sensors that revisit a target far less
    #: often than they report (several radars, search frames of seconds): confirm once
    #: ``confirm_m`` detections came within this many seconds of initiation, else drop
    confirm_window_s: float | None = None
    #: time-based deletion: a confirmed track with no detection for this long dies
    delete_after_s: float | None = None
    max_pos_std: float = float("inf")  #: a track whose position σ [m] grows past this dies
    init_speed: float = 50.0  #: standard deviation of a new track's velocity [m/s]
    associator: str = "gnn"  #: "gnn" or "jpda"
    pd: float = 0.9  #: detection probability (JPDA)
    #: clutter per unit measurement volume (JPDA); None: estimated per scan
    clutter_density: float | None = None
    method: str = "auto"  #: filter: "auto", "kf", "ekf" or "ukf"

    def __post_init__(self) -> None:
        if self.dim not in (2, 3):
            raise ValueError(f"dim must be 2 or 3, got {self.dim}")
        if self.motion not in FILTERS:
            raise ValueError(f"unknown motion model {self.motion!r}; valid names: "
                             f"{', '.join(FILTERS)}")
        if self.associator not in ASSOCIATORS:
            raise ValueError(f"unknown associator {self.associator!r}; valid names: "
                             f"{', '.join(ASSOCIATORS)}")
        if not 1 <= self.confirm_m <= self.confirm_n:
            raise ValueError(f"confirmation needs 1 <= M <= N, got {self.confirm_m}/"
                             f"{self.confirm_n}")
        if self.delete_after < 1:
            raise ValueError(f"delete_after must be >= 1, got {self.delete_after}")
        for name in ("confirm_window_s", "delete_after_s"):
            value = getattr(self, name)
            if value is not None and not value > 0:
                raise ValueError(f"{name} must be > 0, got {value}")
        for name in ("q", "meas_std", "angle_std", "init_speed", "max_pos_std"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be > 0, got {getattr(self, name)}")
        if not 0 < self.pd <= 1:
            raise ValueError(f"pd must be in (0, 1], got {self.pd}")
        if not 0 < self.gate_probability < 1:
            raise ValueError(f"gate_probability must be in (0, 1), got {self.gate_probability}")
        if self.clutter_density is not None and not self.clutter_density > 0:
            raise ValueError(f"clutter_density must be > 0, got {self.clutter_density}")
