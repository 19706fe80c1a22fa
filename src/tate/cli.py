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
    file: Annotated[
        Path | None, typer.Argument(help="Scenario TOML file (default: the bundled scenario).")
    ] = None,
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
    truth: Annotated[Path | None, typer.Option(help="Truth file: print GOSPA per run.")] = None,
    motion: Annotated[str, typer.Option(help="Motion model: cv, ca or singer.")] = "cv",
    q: Annotated[float, typer.Option(help="Process-noise spectral density.")] = 0.5,
    meas_std_m: Annotated[float, typer.Option(help="Measurement std per axis, m.")] = 2.0,
    confirm: Annotated[str, typer.Option(help="M/N confirmation logic.")] = "3/3",
    delete_after: Annotated[int, typer.Option(help="Misses that delete a track.")] = 3,
    gate_prob: Annotated[float, typer.Option(help="Chi-square gate probability.")] = 0.99,
    init_speed: Annotated[float, typer.Option(help="New-track speed std, m/s.")] = 50.0,
    gospa_c: Annotated[float, typer.Option(help="GOSPA cut-off c, m.")] = 10.0,
    gospa_p: Annotated[float, typer.Option(help="GOSPA order p.")] = 1.0,
) -> None:
    """Track detections (GNN, Kalman filter, M/N logic); optionally score against truth."""
    from tate.errors import InputError
    from tate.tracking.files import track_file
    from tate.tracking.tracker import TrackerConfig

    try:
        m, n = (int(v) for v in confirm.split("/"))
        config = TrackerConfig(motion=motion, q=q, meas_std=meas_std_m, confirm_m=m,
                               confirm_n=n, delete_after=delete_after,
                               gate_probability=gate_prob, init_speed=init_speed)
    except ValueError as exc:
        raise InputError(f"bad tracker option: {exc} (confirm must look like 3/3)") from None
    res = track_file(detections, out, config, truth, gospa_c, gospa_p)
    console = _console()
    console.print(f"{res.scans} scans, {res.detections} detections, {res.tracks} confirmed "
                  f"tracks; wrote {out}")
    if res.gospa_mean is not None and res.gospa_parts is not None:
        loc, miss, false = res.gospa_parts
        console.print(f"mean GOSPA (alpha=2, p={gospa_p:g}, c={gospa_c:g} m): "
                      f"{res.gospa_mean:.3f} m; localisation {loc:.3f}, missed {miss:.3f}, "
                      f"false {false:.3f} (per scan, in m^p)")


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
