"""Command-line interface: parse arguments, call the API, write files.

Heavy modules (numpy, scipy, pydantic, matplotlib, pyarrow) are imported inside
the commands so that ``tate --help`` answers at once.  Every :class:`TateError`
becomes a one-line message on stderr and exit code 2.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(
    name="tate",
    help="tate: an open workbench for layered naval air and missile defence.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


# options shared by several commands
ScenarioArg = Annotated[
    Path | None, typer.Argument(help="Scenario TOML file (default: the bundled scenario).")
]
RootSeed = Annotated[int | None, typer.Option(help="Root seed (default: the file's).")]
Workers = Annotated[
    int | None, typer.Option(help="Worker processes (default: the number of cores).")
]
Scheduler = Annotated[str | None, typer.Option(
    help="Dask scheduler: 'local' starts a LocalCluster, or tcp://HOST:PORT joins one "
         "(default: a local process pool).")]
ChunkSize = Annotated[int, typer.Option(help="Runs per stored chunk.")]


def _console():  # type: ignore[no-untyped-def]
    from rich.console import Console

    return Console()


@app.command()
def validate(
    file: Annotated[Path, typer.Argument(help="Scenario TOML file.")],
) -> None:
    """Check a scenario file and print a summary of it."""
    from tate.scenario import load_scenario, summary_table

    scn = load_scenario(file)
    _console().print(summary_table(scn, title=str(file)))


@app.command()
def fly(
    file: ScenarioArg = None,
    out: Annotated[Path, typer.Option(help="Output directory.")] = Path("out/fly"),
    seed: Annotated[
        int | None, typer.Option(help="Seed for the scenario's distributions.")
    ] = None,
    dt: Annotated[
        float, typer.Option(help="Integration step of rockets and gliders, s.", min=1e-3, max=0.2)
    ] = 0.2,
) -> None:
    """Fly every threat of a scenario with no defence; write trajectories and plots."""
    from tate.flight.run import fly_to_directory

    fly_to_directory(file, out, seed, dt, _console())


@app.command()
def verify(
    case: Annotated[
        list[str] | None, typer.Option(help="Run only these cases (repeatable).")
    ] = None,
) -> None:
    """Run the published reference cases and print reference, computed value and verdict."""
    from rich.table import Table

    from tate.verify import CASES, run_cases

    unknown = [c for c in case or [] if c not in CASES]
    if unknown:
        from tate.errors import TateError

        raise TateError(f"unknown case {unknown[0]!r}; valid cases: {', '.join(CASES)}")
    rows = run_cases(case)
    table = Table(title="tate verify: reference cases")
    for col in ("case", "quantity", "reference", "computed", "unit", "tolerance", "result"):
        table.add_column(col, justify="right" if col in ("reference", "computed") else "left")
    for r in rows:
        verdict = "[green]pass[/]" if r.passed else "[red]FAIL[/]"
        table.add_row(r.case, r.quantity, r.reference, f"{r.computed:.6g}", r.unit,
                      r.tolerance, verdict)
    console = _console()
    console.print(table)
    failed = sum(not r.passed for r in rows)
    console.print(f"{len(rows) - failed} of {len(rows)} checks passed")
    if failed:
        raise typer.Exit(1)


@app.command()
def track(
    detections: Annotated[Path, typer.Argument(help="Detections, CSV or Parquet.")],
    out: Annotated[Path, typer.Option(help="Tracks file to write (.csv or .parquet).")],
    truth: Annotated[Path | None, typer.Option(help="Truth file: print GOSPA, NEES, "
                                                    "continuity.")] = None,
    sensors: Annotated[Path | None, typer.Option(help="Sensors file (radar detections).")] = None,
    origin: Annotated[str | None, typer.Option(help="Tracker frame origin LAT,LON,ALT "
                                                    "(deg, deg, m).")] = None,
    motion: Annotated[str, typer.Option(help="Motion model: cv, ca, singer, ct, ballistic "
                                             "or imm.")] = "cv",
    method: Annotated[str, typer.Option(help="Filter: auto, kf, ekf or ukf.")] = "auto",
    q: Annotated[float, typer.Option(help="Process-noise spectral density.")] = 0.5,
    meas_std_m: Annotated[float, typer.Option(help="Measurement std per axis (radar: range), "
                                                   "m, where the file has none.")] = 2.0,
    angle_std_deg: Annotated[float, typer.Option(help="Radar angle std, deg, where the file "
                                                      "has none.")] = 0.06,
    pd: Annotated[float, typer.Option(help="Detection probability (JPDA).")] = 0.9,
    clutter_density: Annotated[float | None, typer.Option(
        help="Clutter per unit measurement volume (JPDA); default: estimated per scan.")] = None,
    associator: Annotated[str, typer.Option(help="gnn or jpda.")] = "gnn",
    confirm: Annotated[str, typer.Option(help="M/N confirmation logic.")] = "3/3",
    delete_after: Annotated[int, typer.Option(help="Misses that delete a track.")] = 3,
    confirm_window_s: Annotated[float | None, typer.Option(
        help="Confirm on M detections within this many seconds (instead of M/N scans).")
    ] = None,
    delete_after_s: Annotated[float | None, typer.Option(
        help="Delete a track after this many seconds without a detection.")] = None,
    max_pos_std_m: Annotated[float, typer.Option(help="Delete a track whose position std "
                                                      "exceeds this, m.")] = float("inf"),
    gate_prob: Annotated[float, typer.Option(help="Chi-square gate probability.")] = 0.99,
    init_speed: Annotated[float, typer.Option(help="New-track speed std, m/s.")] = 50.0,
    gospa_c: Annotated[float, typer.Option(help="GOSPA cut-off c, m.")] = 10.0,
    gospa_p: Annotated[float, typer.Option(help="GOSPA order p.")] = 1.0,
    scores: Annotated[Path | None, typer.Option(
        help="With --truth: write the GOSPA of every scan time here (.csv or .parquet).")
    ] = None,
) -> None:
    """Track detections (GNN or JPDA; KF/EKF/UKF/IMM; M/N logic); optionally score
    against truth."""
    import math

    from tate.errors import InputError
    from tate.tracking.tracker import TrackerConfig
    from tate.tracking.trackfile import track_file

    try:
        m, n = (int(v) for v in confirm.split("/"))
        config = TrackerConfig(motion=motion, q=q, meas_std=meas_std_m,
                               angle_std=math.radians(angle_std_deg), confirm_m=m,
                               confirm_n=n, delete_after=delete_after,
                               confirm_window_s=confirm_window_s,
                               delete_after_s=delete_after_s,
                               max_pos_std=max_pos_std_m, gate_probability=gate_prob,
                               init_speed=init_speed, associator=associator, pd=pd,
                               clutter_density=clutter_density, method=method)
        if not (gospa_c > 0 and gospa_p >= 1):
            raise ValueError(f"GOSPA needs c > 0 and p >= 1, got c={gospa_c}, p={gospa_p}")
        where = None
        if origin is not None:
            lat, lon, alt = (float(v) for v in origin.split(","))
            where = (lat, lon, alt)
    except ValueError as exc:
        raise InputError(f"bad tracker option: {exc} (confirm looks like 3/3, origin like "
                         "37.5,134.0,0)") from None
    console = _console()
    from rich.progress import Progress

    with Progress(console=console, transient=True) as bar:
        task = bar.add_task("tracking", total=None)

        def tick(done: int, total: int) -> None:
            if done % 200 == 0 or done == total:
                bar.update(task, completed=done, total=total)

        res = track_file(detections, out, config, truth, gospa_c, gospa_p, sensors, where, tick,
                         scores)
    skipped = f" ({res.angle_only_skipped} angle-only left out)" if res.angle_only_skipped else ""
    console.print(f"{res.scans} scans, {res.detections} detections{skipped}, {res.tracks} "
                  f"confirmed tracks; wrote {out}")
    if res.nis is not None:
        console.print(f"mean NIS of confirmed tracks' updates {res.nis[0]:.2f} (consistent: "
                      f"about {res.nis[1]})")
    if res.gospa_mean is not None and res.gospa_parts is not None:
        loc, miss, false = res.gospa_parts
        console.print(f"mean GOSPA (alpha=2, p={gospa_p:g}, c={gospa_c:g} m): "
                      f"{res.gospa_mean:.3f} m; localisation {loc:.3f}, missed {miss:.3f}, "
                      f"false {false:.3f} (per scan, in m^p)")
        if res.nees_mean is not None:
            ttc = ("n/a" if res.time_to_confirm_s is None
                   else f"{res.time_to_confirm_s:.2f} s")
            console.print(f"mean position NEES {res.nees_mean:.2f} (consistent: about "
                          f"{res.dim}); identity switches {res.id_switches}, breaks "
                          f"{res.breaks}, mean time to confirm {ttc}")


@app.command()
def sense(
    file: ScenarioArg = None,
    out: Annotated[Path, typer.Option(help="Output directory.")] = Path("out/sense"),
    seed: Annotated[
        int | None, typer.Option(help="Seed for the distributions and the sensors.")
    ] = None,
    dt: Annotated[
        float, typer.Option(help="Radar look interval, s.", min=0.05, max=10.0)
    ] = 0.5,
) -> None:
    """Fly a scenario's raid and simulate its radars and IR sensors; write detections."""
    from tate.sensors.run import sense_to_directory

    sense_to_directory(file, out, seed, dt, _console())


@app.command()
def run(
    file: ScenarioArg = None,
    out: Annotated[Path, typer.Option(help="Output directory.")] = Path("out/run"),
    seed: Annotated[
        int | None, typer.Option(help="Seed for the distributions, sensors and kills.")
    ] = None,
    dt: Annotated[float, typer.Option(help="Engine tick, s.", min=0.05, max=10.0)] = 0.5,
) -> None:
    """Run one engagement: fly the raid, sense, track, assign and fly the weapons; write tables."""
    from tate.engine.run import run_to_directory

    run_to_directory(file, out, seed, dt, _console())


@app.command()
def mc(
    file: ScenarioArg = None,
    runs: Annotated[int, typer.Option(help="Runs.")] = 100,
    out: Annotated[Path, typer.Option(help="Study directory (resumed if it exists).")] = Path(
        "out/mc"),
    seed: RootSeed = None,
    workers: Workers = None,
    scheduler: Scheduler = None,
    chunk_size: ChunkSize = 25,
    until_ci_width: Annotated[
        float | None, typer.Option(help="Stop once the 95 % interval of P(raid annihilated) "
                                        "is narrower than this.")
    ] = None,
) -> None:
    """Monte Carlo: run a scenario many times into a resumable Parquet dataset."""
    from tate.analysis.run import study_to_directory

    study_to_directory(file, out, runs, seed, workers, scheduler, chunk_size, until_ci_width,
                       [], _console())


@app.command()
def sweep(
    file: ScenarioArg = None,
    set_: Annotated[
        list[str], typer.Option("--set", help="KEY=V1,V2,... or KEY=START:STOP:STEP "
                                               "(repeatable; the grid is their product).")
    ] = ...,  # type: ignore[assignment]
    runs: Annotated[int, typer.Option(help="Runs per grid point.")] = 20,
    out: Annotated[Path, typer.Option(help="Study directory (resumed if it exists).")] = Path(
        "out/sweep"),
    seed: RootSeed = None,
    workers: Workers = None,
    scheduler: Scheduler = None,
    chunk_size: ChunkSize = 25,
) -> None:
    """Sweep: run every combination of the --set values, each many times, as one dataset."""
    from tate.analysis.run import study_to_directory

    study_to_directory(file, out, runs, seed, workers, scheduler, chunk_size, None, set_,
                       _console())


@app.command()
def query(
    directory: Annotated[Path, typer.Argument(help="Study directory (tate mc / tate sweep).")],
    sql: Annotated[str, typer.Argument(help="DuckDB SQL on the views runs, threats, shots "
                                            "and errors (docs/studies.md).")],
    csv: Annotated[Path | None, typer.Option(help="Write the result to this CSV file.")] = None,
    parquet: Annotated[
        Path | None, typer.Option(help="Write the result to this Parquet file.")
    ] = None,
    limit: Annotated[int, typer.Option(help="Rows printed at most.")] = 50,
) -> None:
    """Run SQL on a study's tables; print the result or write it to CSV/Parquet."""
    from tate.analysis.query import query_to_output

    query_to_output(directory, sql, csv, parquet, limit, _console())


@app.command()
def report(
    directory: Annotated[Path, typer.Argument(help="Study directory (tate mc / tate sweep).")],
    out: Annotated[
        Path | None, typer.Option(help="HTML file to write (default: DIR/report.html).")
    ] = None,
    verify: Annotated[
        bool, typer.Option(help="Run the tate verify cases (about 30 s) for the "
                                "validation table.")
    ] = True,
) -> None:
    """Write one self-contained HTML report of a study."""
    from tate.analysis.report import write_report

    console = _console()
    if verify:
        console.print("running the tate verify cases (about 30 s; --no-verify skips them)")
    console.print(f"wrote {write_report(directory, out, verify=verify)}")


@app.command("train-data")
def train_data(
    file: Annotated[Path | None, typer.Argument(
        help="Training scenario TOML (default: the bundled one).")] = None,
    runs: Annotated[int, typer.Option(help="Runs (one seed each).")] = 100,
    seed: Annotated[int, typer.Option(help="Root seed of the runs.")] = 1,
    out: Annotated[Path, typer.Option(help="Output directory (resumed if it exists).")] = Path(
        "out/train-data"),
    workers: Workers = None,
) -> None:
    """Labelled track windows for learning: fly, sense and track a training raid many times."""
    from tate.predict.run import train_data_to_directory

    train_data_to_directory(file, runs, seed, out, workers, _console())


@app.command()
def train(
    data: Annotated[Path, typer.Argument(help="A `tate train-data` directory.")],
    out: Annotated[Path, typer.Option(help="Model file to write.")] = Path(
        "out/learned.tate.zip"),
    seed: Annotated[int, typer.Option(help="Seed of the estimators.")] = 0,
) -> None:
    """Train the learned classifier and glide predictor; print their held-out figures."""
    from tate.predict.run import train_to_file

    train_to_file(data, out, seed, _console())


@app.command()
def view(
    run_dir: Annotated[Path, typer.Argument(help="Run directory (tate run --out).")],
    port: Annotated[int, typer.Option(help="Port (default 0: a free one).", min=0,
                                      max=65535)] = 0,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    open_: Annotated[bool, typer.Option("--open", help="Open the viewer in a browser.")] = False,
    cesium_dir: Annotated[Path | None, typer.Option(
        help="Cesium Build/Cesium directory (default: $TATE_CESIUM_DIR, else the "
             "repository's node_modules).")] = None,
) -> None:
    """Serve a run's 3-D replay in the offline Cesium viewer (exports it if needed)."""
    from tate.viewer.server import view_run

    view_run(run_dir, host, port, cesium_dir, open_, _console())


export_app = typer.Typer(help="Export a run for 3-D replay: CZML (Cesium viewer) or KML "
                              "(Google Earth).", no_args_is_help=True)
app.add_typer(export_app, name="export")


@export_app.command("czml")
def export_czml_cmd(
    run_dir: Annotated[Path, typer.Argument(help="Run directory (tate run --out).")],
    out: Annotated[Path | None, typer.Option(
        help="CZML file (default: RUN_DIR/replay.czml); its index .json goes beside it.")
    ] = None,
) -> None:
    """Write a run's CZML and its index replay.json (docs/replay.md)."""
    from tate.replay import export_czml

    czml, index = export_czml(run_dir, out)
    _console().print(f"wrote {czml} and {index}")


@export_app.command("kml")
def export_kml_cmd(
    run_dir: Annotated[Path, typer.Argument(help="Run directory (tate run --out).")],
    out: Annotated[Path | None, typer.Option(help="KML file (default: RUN_DIR/replay.kml).")
                   ] = None,
) -> None:
    """Write a run's KML for Google Earth (docs/replay.md)."""
    from tate.replay import export_kml

    _console().print(f"wrote {export_kml(run_dir, out)}")


def main() -> None:
    """Entry point of the ``tate`` script."""
    from tate.errors import TateError

    try:
        app()
    except TateError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
