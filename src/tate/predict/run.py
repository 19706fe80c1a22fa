"""CLI glue of the learning commands: ``tate train-data`` and ``tate train``.

Progress bars and summary tables only; the work is in :mod:`tate.predict.data` and
:mod:`tate.predict.train`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

__all__ = ["train_data_to_directory"]


def train_data_to_directory(
    file: Path | None, runs: int, seed: int, out: Path, workers: int | None, console: Any
) -> None:
    """Generate labelled track windows into ``out`` with a progress bar and a summary."""
    from collections import Counter

    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
    from rich.table import Table

    from tate.errors import InputError
    from tate.predict.data import read_dataset, write_dataset

    if runs < 1:
        raise InputError(f"--runs must be at least 1, got {runs}")
    n_workers = workers if workers is not None else (os.cpu_count() or 1)
    columns = [
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} runs"),
        TimeRemainingColumn(),
    ]
    with Progress(*columns, console=console, transient=False) as bar:
        job = bar.add_task("train-data", total=runs)
        write_dataset(
            file,
            runs,
            seed,
            out,
            workers=n_workers,
            progress=lambda done, total: bar.update(job, completed=done, total=total),
        )
    _, cols = read_dataset(out)
    table = Table(title=f"{out}: samples (track windows) by tracker and label")
    table.add_column("label")
    for tr in ("cv", "imm"):
        table.add_column(tr, justify="right")
    counts = {tr: Counter(cols["label"][cols["tracker"] == tr].tolist()) for tr in ("cv", "imm")}
    for label in sorted(set(cols["label"].tolist())):
        table.add_row(label, *(f"{counts[tr][label]:,}" for tr in ("cv", "imm")))
    console.print(table)


def train_to_file(data: Path, out: Path, seed: int, console: Any) -> dict[str, Any]:
    """Train the learned models on ``data`` and write the model file ``out``; print the
    held-out figures."""
    import time

    from tate.predict.data import read_dataset
    from tate.predict.learned import KIND
    from tate.predict.modelfile import file_digest, save_model
    from tate.predict.train import train_models

    start = time.perf_counter()
    manifest, cols = read_dataset(data)
    with console.status("training") as status:
        config, arrays = train_models(cols, manifest, seed,
                                      log=lambda msg: status.update(f"training: {msg}"))
    out.parent.mkdir(parents=True, exist_ok=True)
    save_model(out, KIND, config, arrays)
    print_heldout(config, console)
    console.print(f"wrote {out} ({out.stat().st_size / 1e6:.2f} MB, sha256 "
                  f"{file_digest(out)[:16]}…) in {time.perf_counter() - start:.0f} s")
    return config


def print_heldout(config: dict[str, Any], console: Any) -> None:
    """The held-out tables of a model's config."""
    from rich.markup import escape
    from rich.table import Table

    from tate.predict.impact import IMPACT_METHODS

    held = config["heldout"]
    t = Table(title="threat classification on held-out data (balanced accuracy / accuracy)")
    t.add_column("classifier")
    t.add_column("held-out runs", justify="right")
    t.add_column("held-out family", justify="right")
    for name, rep in held["classifier"].items():
        cells = []
        for split in ("held-out runs", "held-out family"):
            r = rep[split]
            ba, acc = r["balanced_accuracy"], r["accuracy"]
            cells.append(f"{ba if ba is not None else float('nan'):.3f} / "
                         f"{acc if acc is not None else float('nan'):.3f}")
        t.add_row(name, *cells)
    console.print(t)
    for split, ev in held["predictors"].items():
        t = Table(title=escape(f"glider position error, RMS [km] (95 % interval over runs): "
                                f"{split}"))
        t.add_column("horizon s", justify="right")
        t.add_column("n", justify="right")
        names = [k for k in next(iter(ev.values())) if k not in ("n", "runs")]
        for name in names:
            t.add_column(name, justify="right")
        for h, e in ev.items():
            cells = []
            for name in names:
                v = e[name]
                if v["rms_m"] is None:
                    cells.append("–")
                else:
                    lo, hi = v["rms_ci_m"]
                    cells.append(f"{v['rms_m'] / 1e3:.2f} [{lo / 1e3:.2f}, {hi / 1e3:.2f}]")
            t.add_row(h, str(e["n"]), *cells)
        console.print(t)
    impact = held.get("impact")
    if not impact:
        return
    for split in ("held-out runs", "held-out family"):
        ev = impact[split]
        t = Table(title=escape(f"glider impact-point error, RMS / median [km] by true time to "
                               f"go [s], and time-to-go RMS [s]: {split}"))
        t.add_column("predictor")
        bins = sorted((b for b in ev if b != "all"), key=lambda b: float(b.split("-")[0]))
        bins.append("all")
        for b in bins:
            t.add_column(f"{b} (n={ev[b]['n']})", justify="right")
        t.add_column("t-go RMS", justify="right")
        names = [k for k in IMPACT_METHODS if k in ev["all"]]
        for name in names:
            cells = []
            for b in bins:
                v = ev[b][name]
                cells.append("–" if v["rms_m"] is None else
                             f"{v['rms_m'] / 1e3:.1f} / {v['median_m'] / 1e3:.1f}")
            tgo = ev["all"][name]["tgo_rms_s"]
            t.add_row(name, *cells, "–" if tgo is None else f"{tgo:.0f}")
        console.print(t)
