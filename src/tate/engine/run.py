"""``tate run``: one engagement from a scenario file to result tables and a printed
summary and timeline."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["run_to_directory"]


def run_to_directory(file: Path | None, out: Path, seed: int | None, dt: float,
                     console: Any) -> Any:
    """Run ``file`` (default: the bundled scenario) and write the result tables to ``out``."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from tate.engine.engagement import Engagement, EngineConfig
    from tate.errors import ScenarioError
    from tate.scenario import default_scenario_path, load_scenario

    path = file if file is not None else default_scenario_path()
    loaded = load_scenario(path)
    columns = (TextColumn("{task.description}"), BarColumn(),
               TextColumn("{task.completed:>7.0f} / {task.total:.0f} s"), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        setup = bar.add_task("flying the raid, drawing detections", total=1)
        try:
            eng = Engagement(loaded, seed, EngineConfig(dt=dt))
        except ScenarioError as exc:
            raise (exc if exc.file else exc.with_file(str(path))) from None
        bar.update(setup, total=1, completed=1)
        task = bar.add_task("engagement", total=eng.t_end)
        res = eng.run(lambda t, total: bar.update(task, completed=t, total=total))
    res.write(out)
    console.print(_threat_table(res))
    console.print(_timeline(res))
    s = res.summary
    speed = s["faster_than_real_time"]
    pace = f" ({speed:.0f}x real time)" if np.isfinite(speed) else ""
    console.print(f"{res.status}: {res.message}; {s['simulated_s']:.0f} s simulated in "
                  f"{s['engine_wall_s']:.2f} s of engine time{pace}; wrote {out}/")
    return res


def _fmt(v: Any) -> str:
    if isinstance(v, float | np.floating):
        return "–" if not np.isfinite(v) else f"{v:.1f}"
    return str(v) if v != "" else "–"


def _threat_table(res: Any) -> Any:
    from rich.markup import escape
    from rich.table import Table

    t = res.threats
    table = Table(title="Threats")
    heads = (("threat_id", "threat"), ("model", "model"), ("outcome", "outcome"),
             ("launch_time_s", "launch [s]"), ("first_detection_s", "detected [s]"),
             ("first_held_s", "held [s]"), ("end_time_s", "end [s]"), ("killed_by", "killed by"))
    for _, head in heads:
        table.add_column(head)
    for i in range(len(t["threat_id"])):
        table.add_row(*(escape(_fmt(t[k][i])) for k, _ in heads))
    return table


def _timeline(res: Any, limit: int = 40) -> Any:
    from rich.markup import escape
    from rich.table import Table

    ev = res.events
    keep = np.flatnonzero(ev["event"] != "launch")
    table = Table(title=f"Engagement timeline (first {min(limit, keep.size)} of {keep.size} "
                        "events after launch; all in events.parquet)")
    for head in ("time [s]", "event", "threat", "detail"):
        table.add_column(head)
    for i in keep[:limit].tolist():
        table.add_row(f"{ev['time_s'][i]:.1f}", escape(str(ev["event"][i])),
                      escape(str(ev["threat_id"][i])), escape(_fmt(ev["detail"][i])))
    return table
