"""``tate fly``: load, sample, fly and write a scenario's undefended raid.

Writes into the output directory: ``trajectory.parquet``, ``summary.parquet``,
``events.parquet`` (each carrying as Parquet metadata the hash of the file's
scenario, the seed, the hash of the sampled concrete scenario and the package
version), ``summary.csv``, ``manifest.json`` and three PNG plots,
then prints the summary table.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["fly_to_directory", "sample_for_run"]


def sample_for_run(scn: Any, seed: int | None) -> tuple[Any, int]:
    """A concrete scenario and the seed used (``seed``, else the file's, else 0).

    The scenario's distributions draw from the first child of
    ``SeedSequence(seed)``, the stream reserved for scenario sampling.
    """
    from tate.scenario import sample_scenario

    use = seed if seed is not None else (scn.seed if scn.seed is not None else 0)
    rng = np.random.default_rng(np.random.SeedSequence(use).spawn(1)[0])
    return sample_scenario(scn, rng), use


def fly_to_directory(file: Path | None, out: Path, seed: int | None, dt: float,
                     console: Any) -> Any:
    """Fly ``file`` (or the bundled default scenario) and write the results to ``out``."""
    from rich.table import Table

    from tate import __version__
    from tate.errors import ScenarioError
    from tate.io import write_table
    from tate.plots import flight_plots
    from tate.scenario import default_scenario_path, load_scenario, scenario_hash

    path = file if file is not None else default_scenario_path()
    loaded = load_scenario(path)
    try:
        scn, used_seed = sample_for_run(loaded, seed)
        res = _fly_with_progress(scn, dt, used_seed, console)
    except ScenarioError as exc:
        raise (exc if exc.file else exc.with_file(str(path))) from None
    out.mkdir(parents=True, exist_ok=True)
    # the file's scenario (distributions included) plus the seed determine the sample
    meta = {"scenario_hash": scenario_hash(loaded), "sample_hash": res.scenario_hash,
            "seed": str(used_seed), "tate_version": __version__, "scenario": str(path)}
    write_table(res.trajectory, out / "trajectory.parquet", meta)
    write_table(res.summary, out / "summary.parquet", meta)
    write_table(res.events, out / "events.parquet", meta)
    write_table(res.summary, out / "summary.csv")
    flight_plots(res.trajectory, out)
    manifest = dict(meta, status=res.status, message=res.message, dt_s=str(dt))
    tmp = out / ".manifest.json.part"
    tmp.write_text(json.dumps(manifest, indent=2, sort_keys=True))
    os.replace(tmp, out / "manifest.json")
    console.print(_summary_table(res.summary, Table))
    console.print(f"{res.status}: {res.message}; wrote {out}/")
    return res


@contextmanager
def progress_bars(console: Any) -> Iterator[Callable[[str, float, float], None]]:
    """A rich progress display with one bar per label; yields ``report(label, done, total)``
    (simulated seconds), the progress callback of :func:`tate.flight.fly.fly`."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("{task.description}"), BarColumn(),
               TextColumn("{task.completed:>6.0f} / {task.total:.0f} s simulated"),
               TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        tasks: dict[str, Any] = {}

        def report(label: str, done: float, total: float) -> None:
            if label not in tasks:
                tasks[label] = bar.add_task(label, total=total)
            bar.update(tasks[label], completed=done)

        yield report


def _fly_with_progress(scn: Any, dt: float, seed: int, console: Any) -> Any:
    """:func:`tate.flight.fly.fly` with a rich progress bar per propagation group."""
    from tate.flight.fly import fly

    with progress_bars(console) as report:
        return fly(scn, dt=dt, seed=seed, progress=report)


def _summary_table(summary: dict[str, Any], table_cls: Any) -> Any:
    from rich.markup import escape

    table = table_cls(title="Undefended flight")
    heads = (("id", "id", "{}"), ("model", "model", "{}"),
             ("launch [s]", "launch_time_s", "{:.0f}"),
             ("flight [s]", "flight_time_s", "{:.0f}"), ("range [km]", "range_km", "{:.0f}"),
             ("apogee [km]", "apogee_km", "{:.1f}"), ("glide alt [km]", "glide_alt_km", "{:.1f}"),
             ("glide β [kg/m²]", "glide_beta_kg_m2", "{:,.0f}"),
             ("max Mach", "max_mach", "{:.1f}"), ("impact error [m]", "impact_error_m", "{:.0f}"),
             ("outcome", "outcome", "{}"))
    for head, key, _ in heads:
        left = key in ("id", "model", "outcome")
        table.add_column(escape(head), justify="left" if left else "right")
    for i in range(len(summary["id"])):
        cells = []
        for _, key, fmt in heads:
            v = summary[key][i]
            cells.append("–" if isinstance(v, float) and not np.isfinite(v) else fmt.format(v))
        table.add_row(*cells)
    return table
