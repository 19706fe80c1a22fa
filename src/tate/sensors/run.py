"""``tate sense``: fly a scenario, simulate its sensors, write the tables, print a summary.

Reads and writes files only through :mod:`tate.scenario`, :mod:`tate.io` and
:func:`tate.sensors.simulate.simulate_detections`; the per-sensor summary is
computed from the :class:`~tate.sensors.simulate.SensorRun` tables.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tate.sensors.simulate import SensorRun, Table, simulate_detections

__all__ = ["sense_to_directory", "sensor_summary"]


def sensor_summary(run: SensorRun) -> Table:
    """Per sensor: detections of threats, false alarms, first detection time of each flight
    model (``first_<model>_s``, NaN if never) and peak demanded track occupancy."""
    det = run.detections
    models = dict(zip(run.targets["target_id"].tolist(), run.targets["model"].tolist(),
                      strict=True))
    kinds = list(dict.fromkeys(run.targets["model"].tolist()))
    ids = run.sites["sensor_id"]
    out: dict[str, list[Any]] = {"sensor_id": [], "type": [], "detections": [],
                                 "false_alarms": [], "peak_track_occupancy": []}
    out.update({f"first_{k}_s": [] for k in kinds})
    det_model = np.array([models.get(t, "") for t in det["truth_id"].tolist()], dtype=object)
    for sid, kind in zip(ids.tolist(), run.sites["type"].tolist(), strict=True):
        mine = det["sensor_id"] == sid
        real = mine & (det["truth_id"] != "")
        out["sensor_id"].append(sid)
        out["type"].append(kind)
        out["detections"].append(int(real.sum()))
        out["false_alarms"].append(int((mine & ~real).sum()))
        for k in kinds:
            hit = det["time_s"][real & (det_model == k)]
            out[f"first_{k}_s"].append(float(hit.min()) if hit.size else np.nan)
        occ = run.load["track_occupancy"][run.load["sensor_id"] == sid]
        out["peak_track_occupancy"].append(float(occ.max()) if occ.size else np.nan)
    return {k: np.asarray(v, dtype=object if k in ("sensor_id", "type") else None)
            for k, v in out.items()}


def sense_to_directory(file: Any, out: Any, seed: int | None, dt_s: float,
                       console: Any) -> SensorRun:
    """``tate sense``: load, sample and fly ``file`` (default: the bundled scenario),
    simulate its sensors and write ``detections``, ``sensors``, ``truth`` and
    ``sensor_load`` Parquet files to ``out`` (each carrying the scenario hash, seed,
    version and track-frame origin as metadata); print one summary row per sensor."""
    from pathlib import Path

    from tate import __version__
    from tate.errors import ScenarioError
    from tate.flight.fly import fly
    from tate.flight.run import progress_bars, sample_for_run
    from tate.io import write_table
    from tate.scenario import default_scenario_path, load_scenario, scenario_hash

    path = Path(file) if file is not None else default_scenario_path()
    loaded = load_scenario(path)
    with progress_bars(console) as report:
        try:
            scn, used = sample_for_run(loaded, seed)
            flight = fly(scn, seed=used, progress=report)
            run = simulate_detections(scn, flight, used, dt_s, progress=report)
        except ScenarioError as exc:
            raise (exc if exc.file else exc.with_file(str(path))) from None
    meta = {"scenario_hash": scenario_hash(loaded), "sample_hash": flight.scenario_hash,
            "tate_version": __version__, "scenario": str(path), **run.metadata}
    out = Path(out)
    for name, table in (("detections", run.detections), ("sensors", run.sensors),
                        ("truth", run.truth), ("sensor_load", run.load)):
        write_table(table, out / f"{name}.parquet", meta)
    console.print(_summary_table(sensor_summary(run)))
    n_det = int((run.detections["truth_id"] != "").sum())
    console.print(f"{len(run.sites['sensor_id'])} sensors, {n_det} detections of "
                  f"{len(run.targets['target_id'])} threats; wrote {out}/")
    return run


def _summary_table(summary: Table) -> Any:
    """A rich table of :func:`sensor_summary` (times in s, "–" for never)."""
    from rich.table import Table as RichTable

    table = RichTable(title="Sensors")
    for key in summary:
        head = key.removeprefix("first_").removesuffix("_s")
        head = f"first {head} [s]" if key.startswith("first_") else head.replace("_", " ")
        table.add_column(head, justify="left" if key in ("sensor_id", "type") else "right")
    for i in range(len(summary["sensor_id"])):
        cells = []
        for key, col in summary.items():
            v = col[i]
            if isinstance(v, float | np.floating):
                cells.append("–" if not np.isfinite(v) else
                             f"{v:.3f}" if key == "peak_track_occupancy" else f"{v:.1f}")
            else:
                cells.append(str(v))
        table.add_row(*cells)
    return table
