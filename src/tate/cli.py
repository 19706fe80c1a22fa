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
