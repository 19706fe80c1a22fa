"""``tate mc`` and ``tate sweep``: build the study, run it with a progress bar, print the
summary the dataset gives (docs/studies.md)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

__all__ = ["study_to_directory"]


def study_to_directory(file: Path | None, out: Path, runs: int, seed: int | None,
                       workers: int | None, scheduler: str | None, chunk_size: int,
                       until_ci_width: float | None, sets: list[str], console: Any) -> Any:
    """Run (or resume) a Monte Carlo study, or a sweep when ``sets`` is not empty."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    from tate.analysis.study import Study, StudyProgress, run_study
    from tate.errors import ScenarioError, TateError
    from tate.scenario import default_scenario_path, load_scenario, scenario_hash

    if runs < 1:
        raise TateError(f"--runs must be at least 1, got {runs}")
    if chunk_size < 1:
        raise TateError(f"--chunk-size must be at least 1, got {chunk_size}")
    if workers is not None and workers < 1:
        raise TateError(f"--workers must be at least 1, got {workers}")
    if scheduler is not None and workers is None and scheduler != "local":
        workers = 1
    path = file if file is not None else default_scenario_path()
    scn = load_scenario(path)
    text = Path(path).read_text()
    keys: tuple[str, ...] = ()
    points: tuple[tuple[Any, ...], ...] = ((),)
    if sets:
        from tate.analysis.sweep import grid, parse_set, scenario_for_point

        parsed = [parse_set(s) for s in sets]
        keys = tuple(k for k, _ in parsed)
        points = tuple(grid(parsed))
        for values in points:  # every variant must be valid before anything runs
            try:
                scenario_for_point(text, str(path), dict(zip(keys, values, strict=True)))
            except ScenarioError as exc:
                raise (exc if exc.file else exc.with_file(str(path))) from None
    root = seed if seed is not None else (scn.seed if scn.seed is not None else 0)
    study = Study(str(path), text, scenario_hash(scn), int(root), runs, chunk_size, keys,
                  points)
    n_workers = workers if workers is not None else (os.cpu_count() or 1)
    columns = [TextColumn("[bold]{task.description}"), BarColumn(),
               TextColumn("{task.completed}/{task.total} runs"),
               TextColumn("{task.fields[rate]}"), TimeRemainingColumn(),
               TextColumn("{task.fields[pra]}")]
    with Progress(*columns, console=console, transient=False) as bar:
        job = bar.add_task("study", total=None, rate="", pra="")

        def tick(p: StudyProgress) -> None:
            import time

            est, lo, hi = p.pra
            dt = time.perf_counter() - p.started
            pra = (f"P(raid annihilated) {est:.3f} [{lo:.3f}, {hi:.3f}]" if est == est
                   else "")
            err = f", {p.errors} errors" if p.errors else ""
            bar.update(job, total=p.total, completed=p.done,
                       rate=f"{p.done / dt:.2f} runs/s{err}" if dt > 0 else "", pra=pra)

        prog = run_study(study, out, workers=n_workers, scheduler=scheduler,
                         until_ci_width=until_ci_width, progress=tick)
    _summary(out, console)
    if prog.errors:
        console.print(f"[yellow]{prog.errors} run(s) raised: see the errors table "
                      f"(tate query {out} \"SELECT run, seed, error FROM errors\")")
    return prog


def _summary(out: Path, console: Any) -> None:
    from rich.table import Table

    from tate.analysis.store import connect, read_manifest
    from tate.analysis.study import wilson

    man = read_manifest(out) or {}
    keys = (man.get("sweep") or {}).get("keys", [])
    con = connect(out)
    cols = ", ".join(f'"{k}"' for k in keys)
    group = f"GROUP BY point, {cols} ORDER BY point" if keys else "GROUP BY point"
    sel = f"point, {cols}, " if keys else "point, "
    rows = con.execute(
        f"SELECT {sel} count(*) AS n, sum(raid_annihilated::INT) AS ok, avg(leaked), "
        f"avg(interceptors), avg(cost_usd) / 1e6 FROM runs {group}").fetchall()
    table = Table(title=f"study {out}: {man.get('runs', '?')} runs per point")
    for k in keys:
        table.add_column(k)
    for col in ("runs", "P(raid annihilated) [95 % CI]", "mean leakers", "interceptors/run",
                "cost/run $M"):
        table.add_column(col, justify="right")
    for r in rows:
        vals = r[1:1 + len(keys)]
        n, ok, leak, icp, cost = r[1 + len(keys):]
        lo, hi = wilson(int(ok), int(n))
        table.add_row(*[str(v) for v in vals], str(n), f"{ok / n:.3f} [{lo:.3f}, {hi:.3f}]",
                      f"{leak:.2f}", f"{icp:.1f}", f"{cost:,.1f}")
    console.print(table)
    errors = con.execute("SELECT count(*) FROM errors").fetchone()
    if errors and errors[0]:
        console.print(f"{errors[0]} run(s) in the errors table")
