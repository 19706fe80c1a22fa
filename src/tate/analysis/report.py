"""``tate report DIR``: one self-contained HTML page describing a study.

Presentation only: every number of the page is a metric of
:mod:`tate.analysis.metrics` on the stored tables, a value of the manifest, a row of the
representative run's ``magazine`` and ``power`` tables, or (when asked) a row of the
``tate verify`` cases run while the page is written.  Plots are drawn with Matplotlib's
Agg canvas and embedded as base64 PNG; the page loads nothing from anywhere.  The page
is rendered by the Jinja2 template ``templates/report.html.j2`` with autoescaping on and
written under a temporary name, then renamed.  Sections: docs/studies.md, "The report".
"""

from __future__ import annotations

import base64
import io
import math
import os
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["HtmlTable", "report_context", "write_report"]

MAX_BAR_POINTS = 8  #: grid points drawn side by side in a bar chart; more are pooled
MAX_ERRORS = 20  #: rows of the errors table shown


@dataclass(frozen=True)
class HtmlTable:
    """A table of the page: its ``id``, header and rows of already formatted cells."""

    id: str
    head: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    caption: str = ""
    numeric_from: int = 1  #: columns from this index on are right-aligned


@dataclass
class _Page:
    keys: tuple[str, ...]
    values: dict[int, tuple[Any, ...]]  #: swept values per grid point (manifest)
    tables: dict[str, HtmlTable] = field(default_factory=dict)
    figures: dict[str, dict[str, str]] = field(default_factory=dict)


# -- formatting -----------------------------------------------------------------------------
def _num(x: Any, digits: int = 3) -> str:
    """A number with ``digits`` decimals, "–" for NULL or NaN."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return f"{float(x):.{digits}f}"


def _ci(lo: Any, hi: Any, digits: int = 3) -> str:
    if lo is None or hi is None or math.isnan(lo) or math.isnan(hi):
        return "–"
    return f"[{_num(lo, digits)}, {_num(hi, digits)}]"


def _musd(x: Any) -> str:
    return _num(None if x is None else float(x) / 1e6, 2)


def _value(v: Any) -> str:
    from tate.analysis.sweep import format_value

    return format_value(v)


def _label(page: _Page, point: int) -> str:
    from tate.analysis.sweep import point_label

    if not page.keys:
        return "all runs"
    return point_label(page.keys, page.values.get(point, (None,) * len(page.keys)))


def _lead(page: _Page, point: int) -> tuple[str, ...]:
    """The first cells of a row: the point and its swept values."""
    vals = page.values.get(point, (None,) * len(page.keys))
    return (str(point), *(_value(v) for v in vals))


def _head(page: _Page, *cols: str) -> tuple[str, ...]:
    return ("point", *page.keys, *cols)


# -- figures --------------------------------------------------------------------------------
def _figure(ncols: int = 1, width: float = 7.5, height: float = 3.6) -> tuple[Any, Any]:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(1, ncols, squeeze=False)[0]
    for ax in axes:
        ax.grid(alpha=0.3)
    return fig, axes


def _png(fig: Any, alt: str) -> dict[str, str]:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, metadata={"Software": None})
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return {"src": "data:image/png;base64," + data, "alt": alt}


def _is_number(values: Sequence[Any]) -> bool:
    return all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)


def _sweep_figures(page: _Page, pts: Any) -> list[dict[str, str]]:
    """P(raid annihilation) and mean leakers against each swept key (other keys' values
    as separate lines), with their 95 % bands; none for more than two keys."""
    if not page.keys or len(page.keys) > 2 or pts.num_rows == 0:
        return []
    rows = [r for r in pts.to_pylist() if r["runs"] > 0]
    out = []
    for i, key in enumerate(page.keys):
        xs_all = list(dict.fromkeys(page.values[r["point"]][i] for r in rows))
        numeric = _is_number(xs_all)
        pos = {v: (float(v) if numeric else k) for k, v in enumerate(xs_all)}
        fig, (a1, a2) = _figure(2, 9.0, 3.6)
        lines: dict[Any, list[dict[str, Any]]] = {}
        for r in rows:
            other = page.values[r["point"]][1 - i] if len(page.keys) == 2 else None
            lines.setdefault(other, []).append(r)
        for other, group in lines.items():
            group.sort(key=lambda r: pos[page.values[r["point"]][i]])
            x = [pos[page.values[r["point"]][i]] for r in group]
            label = (f"{page.keys[1 - i]}={_value(other)}" if len(page.keys) == 2 else None)
            for ax, col in ((a1, "p_annihilation"), (a2, "mean_leakers")):
                y = [r[col] for r in group]
                lo = [np.nan if r[col + "_low"] is None else r[col + "_low"] for r in group]
                hi = [np.nan if r[col + "_high"] is None else r[col + "_high"] for r in group]
                (ln,) = ax.plot(x, y, marker="o", label=label)
                ax.fill_between(x, lo, hi, color=ln.get_color(), alpha=0.2)
        a1.set_ylabel("P(raid annihilation)")
        a1.set_ylim(-0.02, 1.02)
        a2.set_ylabel("mean leakers per run")
        for ax in (a1, a2):
            ax.set_xlabel(key)
            if not numeric:
                ax.set_xticks(range(len(xs_all)), [_value(v) for v in xs_all])
            elif all(isinstance(v, int) for v in xs_all) and len(xs_all) <= 12:
                ax.set_xticks([float(v) for v in xs_all])
            if len(page.keys) == 2:
                ax.legend(fontsize=8)
        out.append(_png(fig, f"P(raid annihilation) and mean leakers against {key}, "
                             "with 95 % intervals"))
    return out


def _bar_groups(n_groups: int, n_series: int) -> tuple[Any, float]:
    width = 0.8 / max(n_series, 1)
    return np.arange(n_groups, dtype=float), width


def _leaker_figure(page: _Page, hist: Any) -> dict[str, str] | None:
    if hist.num_rows == 0:
        return None
    points = sorted(set(hist.column("point").to_pylist()))
    counts = np.array(hist.column("runs").to_pylist(), float)
    leaked = np.array(hist.column("leaked").to_pylist())
    bins = np.arange(leaked.max() + 1)
    fig, (ax,) = _figure()
    if len(points) <= MAX_BAR_POINTS:
        x, w = _bar_groups(len(bins), len(points))
        for j, p in enumerate(points):
            sel = np.array(hist.column("point").to_pylist()) == p
            frac = np.array(hist.column("fraction").to_pylist(), float)[sel]
            ax.bar(x + (j - (len(points) - 1) / 2) * w, frac, w, label=_label(page, p))
        ax.set_ylabel("fraction of runs")
        if len(points) > 1:
            ax.legend(fontsize=8)
        alt = "fraction of runs with each number of leakers, per grid point"
    else:
        pooled = np.bincount(leaked, weights=counts, minlength=len(bins))
        ax.bar(bins, pooled / pooled.sum(), 0.8)
        ax.set_ylabel("fraction of runs (all grid points pooled)")
        alt = "fraction of runs with each number of leakers, every grid point pooled"
    ax.set_xticks(bins)
    ax.set_xlabel("leakers in a run")
    return _png(fig, alt)


def _layer_figure(page: _Page, layers: Any) -> dict[str, str] | None:
    rows = layers.to_pylist()
    points = sorted({r["point"] for r in rows})
    if not rows or len(points) > MAX_BAR_POINTS:
        return None
    names = list(dict.fromkeys(r["layer"] for r in rows))
    x, w = _bar_groups(len(names), len(points))
    fig, (a1, a2) = _figure(2, 9.0, 3.6)
    for j, p in enumerate(points):
        mine = {r["layer"]: r for r in rows if r["point"] == p}
        off = x + (j - (len(points) - 1) / 2) * w
        pk = np.array([mine[n]["p_kill"] for n in names], float)
        err = np.array([[pk[i] - mine[n]["p_kill_low"], mine[n]["p_kill_high"] - pk[i]]
                        for i, n in enumerate(names)]).T
        a1.bar(off, np.nan_to_num(pk), w, yerr=np.clip(np.nan_to_num(err), 0.0, None),
               capsize=3,
               label=_label(page, p))
        a2.bar(off, [mine[n]["fraction_killed"] for n in names], w, label=_label(page, p))
    for ax, ylabel in ((a1, "P(kill | round resolved)"), (a2, "threats killed / threats")):
        ax.set_xticks(x, names)
        ax.set_ylabel(ylabel)
        ax.set_ylim(0, 1.05)
    if len(points) > 1:
        a2.legend(fontsize=8)
    return _png(fig, "kill probability per resolved round and fraction of threats killed, "
                     "per layer")


def _read(path: Path) -> Any:
    import pyarrow.parquet as pq

    return pq.read_table(path) if path.exists() else None


def _magazine_figure(table: Any, t_end: float | None) -> dict[str, str] | None:
    """Rounds left per launcher, each held after its last order to ``t_end`` (the last
    time of the run's power table) when that is later."""
    if table is None or table.num_rows == 0:
        return None
    from matplotlib.ticker import MaxNLocator

    rows = table.to_pylist()
    fig, (ax,) = _figure()
    for ship, weapon in dict.fromkeys((r["ship"], r["weapon"]) for r in rows):
        mine = [r for r in rows if r["ship"] == ship and r["weapon"] == weapon]
        t = [r["time_s"] for r in mine]
        n = [r["rounds_left"] for r in mine]
        (ln,) = ax.step(t, n, where="post", label=f"{ship} {weapon}")
        ax.plot(t, n, "o", color=ln.get_color())
        if t_end is not None and t_end > t[-1]:
            ax.plot([t[-1], t_end], [n[-1], n[-1]], color=ln.get_color())
    ax.set_ylim(bottom=-0.5)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("time from epoch [s]")
    ax.set_ylabel("rounds left")
    ax.legend(fontsize=8)
    return _png(fig, "rounds left in each launcher after each engagement order, "
                     "representative run")


def _last_time(table: Any) -> float | None:
    if table is None or table.num_rows == 0:
        return None
    return float(np.max(np.asarray(table.column("time_s").to_pylist(), float)))


def _power_figure(table: Any) -> dict[str, str] | None:
    if table is None or table.num_rows == 0:
        return None
    ship_col = np.array(table.column("ship").to_pylist(), dtype=object)
    ships = list(dict.fromkeys(ship_col.tolist()))[:4]
    loads = [c[:-len("_served_w")] for c in table.column_names if c.endswith("_served_w")]
    fig, axes = _figure(len(ships), 4.5 * len(ships) + 3.0, 3.6)
    t = np.array(table.column("time_s").to_pylist(), float)
    for ax, ship in zip(axes, ships, strict=True):
        sel = ship_col == ship
        for col, style in (("capacity_w", "k--"), ("generation_w", "k:")):
            ax.plot(t[sel], np.array(table.column(col).to_pylist(), float)[sel] / 1e6, style,
                    label=col[:-2])
        for load in loads:
            y = np.array(table.column(load + "_served_w").to_pylist(), float)[sel]
            if np.any(y != 0):
                ax.plot(t[sel], y / 1e6, label=f"{load} served")
        ax.set_title(str(ship))
        ax.set_xlabel("time from epoch [s]")
        ax.set_ylabel("power [MW]")
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return _png(fig, "electrical power of each ship, representative run")


# -- tables ---------------------------------------------------------------------------------
def _tables(page: _Page, m: Any) -> None:
    pts = m.points.to_pylist()
    lead = len(page.keys) + 1
    T = page.tables
    T["summary"] = HtmlTable("summary", _head(
        page, "runs", "errors", "P(raid annihilation)", "95 % CI", "mean leakers",
        "95 % CI of the mean",
        "threats", "killed", "leaked", "interceptors per threat killed",
        "cost per run [$M]"), tuple(
        (*_lead(page, r["point"]), str(r["runs"]), str(r["errors"]),
         _num(r["p_annihilation"]), _ci(r["p_annihilation_low"], r["p_annihilation_high"]),
         _num(r["mean_leakers"]), _ci(r["mean_leakers_low"], r["mean_leakers_high"]),
         str(r["threats"]), str(r["killed"]), str(r["leaked"]),
         _num(r["interceptors_per_kill"], 2), _musd(r["cost_per_run_usd"])) for r in pts),
        numeric_from=lead)
    T["magazine"] = HtmlTable("magazine", _head(
        page, "runs", "runs with an empty launcher", "fraction", "95 % CI",
        "median first-empty time [s]"), tuple(
        (*_lead(page, r["point"]), str(r["runs"]), str(r["emptied"]), _num(r["p_emptied"]),
         _ci(r["p_emptied_low"], r["p_emptied_high"]), _num(r["median_empty_s"], 1))
        for r in pts), numeric_from=lead)
    T["cost"] = HtmlTable("cost", _head(
        page, "cost per run [$M]", "cost per threat killed [$M]",
        "cost per threat engaged [$M]", "threats engaged", "interceptors per threat killed",
        "railgun shots per run", "railgun energy per run [MJ]"), tuple(
        (*_lead(page, r["point"]), _musd(r["cost_per_run_usd"]),
         _musd(r["cost_per_kill_usd"]), _musd(r["cost_per_engaged_usd"]), str(r["engaged"]),
         _num(r["interceptors_per_kill"], 2), _num(r["railgun_shots_per_run"], 2),
         _num(r["railgun_energy_per_run_j"] / 1e6, 1)) for r in pts), numeric_from=lead)
    T["tracking"] = HtmlTable("tracking", _head(
        page, "mean GOSPA [m]", "threats held in track", "95 % CI", "threats detected",
        "mean wall time per run [s]", "total wall time [s]", "mean simulated time [s]",
        "simulated / wall"), tuple(
        (*_lead(page, r["point"]), _num(r["mean_gospa_m"], 1), _num(r["p_held"]),
         _ci(r["p_held_low"], r["p_held_high"]), _num(r["p_detected"]),
         _num(r["wall_s_mean"], 2), _num(r["wall_s_total"], 1), _num(r["simulated_s_mean"], 1),
         _num(r["speedup"], 1)) for r in pts), numeric_from=lead)
    T["layers"] = HtmlTable("layers", _head(
        page, "layer", "rounds", "resolved", "kills", "P(kill | resolved)", "95 % CI",
        "threats killed", "fraction of threats"), tuple(
        (*_lead(page, r["point"]), r["layer"], str(r["rounds"]), str(r["resolved"]),
         str(r["kills"]), _num(r["p_kill"]), _ci(r["p_kill_low"], r["p_kill_high"]),
         str(r["threats_killed"]), _num(r["fraction_killed"]))
        for r in m.layers.to_pylist()), numeric_from=lead + 1)
    T["threat_types"] = HtmlTable("threat_types", _head(
        page, "model", "threats", "killed", "leaked", "flying", "P(killed)", "95 % CI"), tuple(
        (*_lead(page, r["point"]), r["model"], str(r["threats"]), str(r["killed"]),
         str(r["leaked"]), str(r["flying"]), _num(r["p_killed"]),
         _ci(r["p_killed_low"], r["p_killed_high"])) for r in m.threat_types.to_pylist()),
        numeric_from=lead + 1)
    hist = m.leakers.to_pylist()
    top = max((r["leaked"] for r in hist), default=-1)
    by_point: dict[int, list[str]] = {}
    for r in hist:
        by_point.setdefault(r["point"], []).append(str(r["runs"]))
    T["leakers"] = HtmlTable("leakers", _head(page, *(str(k) for k in range(top + 1))), tuple(
        (*_lead(page, p), *cells) for p, cells in by_point.items()),
        "runs with 0, 1, 2, … leakers", numeric_from=lead)


def _provenance(man: dict[str, Any], stored: tuple[int, int]) -> HtmlTable:
    sweep = man.get("sweep") or {}
    rows = [("scenario file", str(man.get("scenario_file", ""))),
            ("scenario hash (SHA-256)", str(man.get("scenario_hash", ""))),
            ("root seed", str(man.get("root_seed", ""))),
            ("runs per grid point asked for", str(man.get("runs", ""))),
            ("runs stored / runs that raised", f"{stored[0]} / {stored[1]}"),
            ("chunk size", str(man.get("chunk_size", ""))),
            ("tate version of the study", str(man.get("tate_version", ""))),
            ("study created (UTC)", str(man.get("created_utc", ""))),
            ("swept keys", ", ".join(sweep.get("keys", [])) or "none (a Monte Carlo study)"),
            ("grid points", str(len(sweep.get("points", [])) or 1))]
    return HtmlTable("provenance", ("item", "value"), tuple(rows), numeric_from=99)


def _verify(cases: Sequence[str] | None) -> HtmlTable:
    from tate.verify import run_cases

    rows = run_cases(list(cases) if cases is not None else None)
    return HtmlTable("verify", ("case", "quantity", "reference", "computed", "unit",
                                "tolerance", "result"), tuple(
        (r.case, r.quantity, r.reference, f"{r.computed:.6g}", r.unit, r.tolerance,
         "pass" if r.passed else "FAIL") for r in rows), numeric_from=2)


def report_context(directory: Path, *, verify: bool = True,
                   cases: Sequence[str] | None = None) -> dict[str, Any]:
    """Everything the template shows, computed from the study in ``directory``.

    Parameters
    ----------
    directory
        A study directory (docs/studies.md).
    verify
        Run the ``tate verify`` cases now and include their table (about 30 s).
    cases
        Only these verify cases (default: all).

    Raises
    ------
    TateError
        If ``directory`` holds no study.
    """
    from tate import __version__
    from tate.analysis.metrics import study_metrics
    from tate.analysis.store import connect, read_manifest

    directory = Path(directory)
    con = connect(directory)  # raises TateError when there is no study
    man = read_manifest(directory) or {}
    sweep = man.get("sweep") or {}
    keys = tuple(sweep.get("keys", []))
    page = _Page(keys, {p: tuple(v) for p, v in enumerate(sweep.get("points", [[]]))})
    m = study_metrics(con, keys)
    errors = con.execute("SELECT point, run, seed, error FROM errors ORDER BY point, run"
                         ).fetchall()
    n_runs = sum(m.points.column("runs").to_pylist())
    _tables(page, m)
    rep = directory / "representative"
    power = _read(rep / "power.parquet")
    fig = page.figures
    for name, made in (("leakers", _leaker_figure(page, m.leakers)),
                       ("layers", _layer_figure(page, m.layers)),
                       ("magazine", _magazine_figure(_read(rep / "magazine.parquet"),
                                                     _last_time(power))),
                       ("power", _power_figure(power))):
        if made is not None:
            fig[name] = made
    text = str(man.get("scenario_toml", ""))
    try:
        name = str(tomllib.loads(text).get("name", "")) or str(man.get("scenario_file"))
    except tomllib.TOMLDecodeError:
        name = str(man.get("scenario_file", ""))
    now = datetime.now(UTC).isoformat(timespec="seconds")
    return {
        "title": f"tate study report: {name}", "directory": str(directory),
        "written_utc": now, "tate_version": __version__, "keys": keys,
        "grid": [_label(page, p) for p in sorted(page.values)],
        "n_points": len(page.values), "n_runs": n_runs, "n_errors": len(errors),
        "provenance": _provenance(man, (n_runs, len(errors))), "scenario_toml": text,
        "tables": page.tables, "figures": fig,
        "sweep_figures": _sweep_figures(page, m.points),
        "errors": HtmlTable("errors", ("point", "run", "seed", "error"), tuple(
            (str(p), str(r), str(s), str(e)) for p, r, s, e in errors[:MAX_ERRORS]),
            numeric_from=99),
        "representative": rep.is_dir(),
        "verify": _verify(cases) if verify else None,
    }


def write_report(directory: Path, out: Path | None = None, *, verify: bool = True,
                 cases: Sequence[str] | None = None) -> Path:
    """Write the HTML report of the study in ``directory`` to ``out`` (default
    ``directory/report.html``) atomically; returns its path.

    ``verify`` and ``cases`` as in :func:`report_context`.
    """
    from importlib.resources import files

    import jinja2

    ctx = report_context(directory, verify=verify, cases=cases)
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True)
    template = env.from_string(
        (files("tate.analysis") / "templates" / "report.html.j2").read_text("utf-8"))
    html = template.render(**ctx)
    out = Path(out) if out is not None else Path(directory) / "report.html"
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.part")
    tmp.write_text(html, encoding="utf-8")
    os.replace(tmp, out)
    return out
