"""Plots of a flight: altitude against downrange, ground tracks, Mach against time.

Presentation only: every plotted number is a column of the trajectory table
of :class:`tate.flight.fly.FlightResult` (nothing is recomputed here).
Matplotlib with the non-interactive Agg back end; files are written to a
temporary name and renamed.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["flight_plots"]

COLOURS = {"ballistic": "tab:red", "boost-glide": "tab:purple", "cruise": "tab:orange",
           "drone": "tab:green", "point-mass": "tab:blue"}


def _save(fig: Any, path: Path) -> None:
    tmp = path.with_name(path.name + ".part")
    fig.savefig(tmp, format=path.suffix.lstrip("."), dpi=120, bbox_inches="tight")
    os.replace(tmp, path)


def flight_plots(trajectory: dict[str, Any], out_dir: Path) -> list[Path]:
    """Write ``altitude.png``, ``ground_track.png`` and ``mach.png`` into ``out_dir``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ids = trajectory["id"]
    models = trajectory["model"]
    paths = []
    specs = (
        ("altitude.png", "downrange_km", "alt_m", 1e-3, "Downrange [km]", "Altitude [km]"),
        ("ground_track.png", "lon_deg", "lat_deg", 1.0, "Longitude [°]", "Latitude [°]"),
        ("mach.png", "time_s", "mach", 1.0, "Time from epoch [s]", "Mach [-]"),
    )
    for name, xkey, ykey, yscale, xlabel, ylabel in specs:
        fig, ax = plt.subplots(figsize=(8, 5))
        seen: set[str] = set()
        for body in dict.fromkeys(ids):
            sel = ids == body
            kind = str(models[sel][0])
            ax.plot(trajectory[xkey][sel], np.asarray(trajectory[ykey][sel]) * yscale,
                    color=COLOURS.get(kind, "k"), lw=1.0,
                    label=None if kind in seen else kind)
            seen.add(kind)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.grid(alpha=0.3)
        ax.legend(loc="best", fontsize=8)
        if name == "ground_track.png":
            ax.set_aspect("equal", adjustable="datalim")
        path = out_dir / name
        _save(fig, path)
        plt.close(fig)
        paths.append(path)
    return paths
