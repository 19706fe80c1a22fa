"""Labelled track windows for learning: the project's own physics, radars and tracker.

What it makes
-------------
For each run (one seed) a scenario is sampled, its threats are flown by
:func:`tate.flight.fly.fly`, its radars' detections drawn by
:func:`tate.sensors.simulate.simulate_detections`, and the detections fed in time order
to two trackers: the engine's own (constant velocity, :func:`tate.engine.engagement`'s
configuration) and, for the comparison the issue asks for, the same tracker with the
interacting-multiple-model filter (CV, coordinated turn, high-noise CV;
:mod:`tate.tracking.imm`).  Nothing is engaged: the defence is not stepped.

At every decision time (each ``PERIOD_S``, the engine's default decision period) every
confirmed track gives one sample when it has a state at each of the ``N_WINDOW``
decision times of the last ``WINDOW_S`` seconds:

* ``win_pos``, ``win_vel``: the track's filtered states at those times (oldest first),
  ECEF [m] and Earth-relative velocity in ECEF axes [m/s], flattened ``(N_WINDOW·3,)``;
* ``label``: the class of the threat the track is on (``ballistic``, ``glider``,
  ``cruise``, ``drone``) or ``clutter`` when no threat lies within
  ``max(3 km, 4σ)`` of the track (σ the largest position standard deviation), the rule
  the engine's seeker cue uses; ``family``: a glider's manoeuvre (``none``, ``s-turn``,
  ``weave``), else the flight model;
* ``fut_pos``: the threat's true ECEF position at each of ``HORIZONS_S`` after the sample
  (NaN where its flight ended before), flattened ``(len(HORIZONS_S)·3,)``;
  ``filt_pred``: the tracker's own extrapolation to those horizons (for the IMM tracker
  the mode-mixed prediction of its motion models; for CV the straight line);
* ``impact_pos``, ``t_impact_s``: where and when the threat's flight ended (NaN if it
  flew past the time limit).

Frames and units: ECEF (WGS-84) [m], [m/s], times [s] from the scenario epoch.
Randomness: run ``i`` uses ``tate.analysis.study.run_seed(seed, i)``, the seed a
Monte Carlo study would give its run ``i``, so a sample can be replayed with
``tate run --seed``.  Output (``write_dataset``): one Parquet file per run in
``DIR/runs/``, each written to a temporary name and renamed into place, and
``DIR/manifest.json``; re-running the command on the same directory only makes the runs
still missing.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "CLASSES",
    "HORIZONS_S",
    "N_WINDOW",
    "PERIOD_S",
    "WINDOW_S",
    "default_training_scenario",
    "generate_run",
    "read_dataset",
    "write_dataset",
]

F64 = NDArray[np.float64]
WINDOW_S = 20.0  #: length of a track window [s]
PERIOD_S = 2.0  #: decision period: spacing of window samples [s]
N_WINDOW = round(WINDOW_S / PERIOD_S) + 1  #: samples per window
HORIZONS_S = (10.0, 20.0, 30.0, 45.0, 60.0, 90.0, 120.0)  #: prediction horizons [s]
CLASSES = ("ballistic", "glider", "cruise", "drone", "clutter")
_CLASS_OF_MODEL = {
    "ballistic": "ballistic",
    "boost-glide": "glider",
    "cruise": "cruise",
    "drone": "drone",
}
TRACKERS = ("cv", "imm")
FORMAT = "tate-train-data"


def default_training_scenario() -> Path:
    """The bundled training scenario (``src/tate/predict/data/train.toml``)."""
    return Path(__file__).with_name("data") / "train.toml"


def _families(scenario: Any, ids: NDArray[Any]) -> NDArray[Any]:
    specs = {t.id: t for t in scenario.threats}
    out = []
    for name in ids.tolist():
        spec = specs.get(name) or specs.get(str(name).rsplit(".", 1)[0])
        if spec is None:
            out.append("")
        elif spec.model == "boost-glide":
            out.append(str(spec.manoeuvre.kind))
        else:
            out.append(str(spec.model))
    return np.array(out, dtype=object)


class _Log:
    """Confirmed-track records of one tracker: plain lists, turned into arrays once."""

    def __init__(self) -> None:
        self.k: list[NDArray[np.intp]] = []
        self.ids: list[NDArray[np.intp]] = []
        self.pos: list[F64] = []
        self.vel: list[F64] = []
        self.sigma: list[F64] = []
        self.truth: list[NDArray[np.intp]] = []
        self.pred: list[F64] = []

    def arrays(self) -> dict[str, Any]:
        if not self.k:
            return {
                "k": np.empty(0, np.intp),
                "ids": np.empty(0, np.intp),
                "pos": np.empty((0, 3)),
                "vel": np.empty((0, 3)),
                "sigma": np.empty(0),
                "truth": np.empty(0, np.intp),
                "pred": np.empty((0, len(HORIZONS_S), 3)),
            }
        return {
            "k": np.concatenate(self.k),
            "ids": np.concatenate(self.ids),
            "pos": np.concatenate(self.pos),
            "vel": np.concatenate(self.vel),
            "sigma": np.concatenate(self.sigma),
            "truth": np.concatenate(self.truth),
            "pred": np.concatenate(self.pred),
        }


def _observe(
    tracker: Any, t: float, k: int, eng: Any, live: NDArray[np.intp], truth_enu: F64, log: _Log
) -> None:
    """Record the tracker's confirmed tracks at decision ``t`` (index ``k``), predicted
    to ``t`` exactly, with their own extrapolation to every horizon."""
    from tate.engine.truth import nearest_threats
    from tate.predict.paths import filter_extrapolate

    f = tracker.filter
    if tracker.state is None:
        return
    conf = np.flatnonzero(tracker.book.confirmed)
    if conf.size == 0:
        return
    state = f.take(tracker.state, conf)
    lag = t - float(tracker.t)
    if lag > 1e-9:
        state = f.predict(state, lag)
    x, P = f.output(state)
    sigma = np.sqrt(np.maximum(np.linalg.eigvalsh(P[:, :3, :3])[:, -1], 0.0))
    log.k.append(np.full(conf.size, k, np.intp))
    log.ids.append(tracker.book.ids[conf].copy())
    log.pos.append(x[:, :3].copy())
    log.vel.append(x[:, 3:6].copy())
    log.sigma.append(sigma)
    log.truth.append(nearest_threats(truth_enu, live, x[:, :3], sigma))
    log.pred.append(filter_extrapolate(tracker, conf, t, np.asarray(HORIZONS_S)))


def _windows(a: dict[str, Any]) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """Rows (sorted by track, then decision) ending a full window, and the order."""
    order = np.lexsort((a["k"], a["ids"]))
    k, ids = a["k"][order], a["ids"][order]
    m = N_WINDOW - 1
    if k.size <= m:
        return np.empty(0, np.intp), order
    same = (ids[m:] == ids[:-m]) & (k[m:] - k[:-m] == m)
    return np.flatnonzero(same) + m, order


def generate_run(scenario: Any, seed: int, run: int = 0) -> dict[str, NDArray[Any]]:
    """Fly, sense and track one run of ``scenario``; the samples as columns.

    Parameters
    ----------
    scenario
        A validated scenario (distributions are drawn with ``seed``).
    seed
        The run's seed.
    run
        The run's index (stored in the ``run`` column).
    """
    from tate.earth import wgs84
    from tate.engine.engagement import IMM_Q, Engagement

    eng = Engagement(scenario, seed)
    lat, lon, alt = eng.origin
    lat_r, lon_r = np.radians(lat), np.radians(lon)
    imm = type(eng.tracker)(replace(eng.tracker.config, motion="imm", q=IMM_Q))
    logs = {"cv": _Log(), "imm": _Log()}
    trackers = {"cv": eng.tracker, "imm": imm}
    eng.shadow_trackers.append(imm)  # fed the engine's scans beside its own tracker
    t = float(np.ceil(eng.t / PERIOD_S) * PERIOD_S)
    while t <= eng.t_end + 1e-9:
        eng.track(t - PERIOD_S, t)
        live = np.flatnonzero(eng.truth.flying(t))
        truth_enu = (
            np.asarray(wgs84.ecef_to_enu(eng.truth.at(t, live)[0], lat_r, lon_r, alt))
            if live.size
            else np.empty((0, 3))
        )
        k = round(t / PERIOD_S)
        for name, tr in trackers.items():
            _observe(tr, t, k, eng, live, truth_enu, logs[name])
        t = (k + 1) * PERIOD_S
    families = _families(eng.scenario, eng.truth.ids)
    parts = [_samples(logs[name].arrays(), name, eng, families, run, seed) for name in TRACKERS]
    return {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}


def _samples(
    a: dict[str, Any], tracker: str, eng: Any, families: NDArray[Any], run: int, seed: int
) -> dict[str, NDArray[Any]]:
    from tate.earth import wgs84

    lat, lon, alt = eng.origin
    lat_r, lon_r = np.radians(lat), np.radians(lon)
    ends, order = _windows(a)
    n, w, nh = ends.size, N_WINDOW, len(HORIZONS_S)
    rows = (
        order[ends[:, None] - np.arange(w - 1, -1, -1)[None, :]] if n else np.empty((0, w), np.intp)
    )  # (n, w) oldest first
    last = rows[:, -1] if n else np.empty(0, np.intp)
    pos_enu, vel_enu = a["pos"][rows], a["vel"][rows]
    win_pos = np.asarray(wgs84.enu_to_ecef(pos_enu.reshape(-1, 3), lat_r, lon_r, alt)).reshape(
        n, w * 3
    )
    win_vel = np.asarray(wgs84.enu_vec_to_ecef(vel_enu.reshape(-1, 3), lat_r, lon_r)).reshape(
        n, w * 3
    )
    pred = np.asarray(wgs84.enu_to_ecef(a["pred"][last].reshape(-1, 3), lat_r, lon_r, alt)).reshape(
        n, nh * 3
    )
    t = a["k"][last] * PERIOD_S
    truth = a["truth"][last]
    first_k: dict[int, int] = {}
    for i, k in zip(a["ids"][order].tolist(), a["k"][order].tolist(), strict=True):
        first_k.setdefault(i, k)
    age = np.array([(a["k"][j] - first_k[int(a["ids"][j])]) * PERIOD_S for j in last.tolist()])
    fut = np.full((n, nh, 3), np.nan)
    impact = np.full((n, 3), np.nan)
    t_imp = np.full(n, np.nan)
    tr = eng.truth
    hz = np.asarray(HORIZONS_S)
    for j in np.unique(truth[truth >= 0]).tolist():
        sel = np.flatnonzero(truth == j)
        times = t[sel, None] + hz[None, :]
        p, _ = tr.path(j, times.ravel())
        p = p.reshape(sel.size, nh, 3)
        p[times > tr.t_last[j] + 1e-9] = np.nan
        fut[sel] = p
        if tr.impacted[j]:
            end, _ = tr.path(j, np.array([tr.t_last[j]]))
            impact[sel] = end[0]
            t_imp[sel] = tr.t_last[j]
    model = np.where(truth >= 0, tr.model[np.maximum(truth, 0)], "").astype(object)
    label = np.array(
        [_CLASS_OF_MODEL.get(m, "clutter") if m else "clutter" for m in model.tolist()],
        dtype=object,
    )
    family = np.where(truth >= 0, families[np.maximum(truth, 0)], "clutter").astype(object)
    threat = np.where(truth >= 0, tr.ids[np.maximum(truth, 0)], "").astype(object)
    return {
        "run": np.full(n, run, np.int64),
        "seed": np.full(n, seed, np.uint64),
        "tracker": np.full(n, tracker, dtype=object),
        "t_s": t.astype(float),
        "track_id": a["ids"][last].astype(np.int64),
        "age_s": age.astype(float),
        "sigma_m": a["sigma"][last],
        "threat": threat,
        "label": label,
        "family": family,
        "win_pos": win_pos,
        "win_vel": win_vel,
        "filt_pred": pred,
        "fut_pos": fut.reshape(n, nh * 3),
        "impact_pos": impact,
        "t_impact_s": t_imp,
    }


# -- storage ---------------------------------------------------------------------------------
_VECTOR_COLUMNS = ("win_pos", "win_vel", "filt_pred", "fut_pos", "impact_pos")


def _to_table(cols: dict[str, NDArray[Any]]) -> Any:
    import pyarrow as pa

    arrays, names = [], []
    for name, col in cols.items():
        if name in _VECTOR_COLUMNS:
            width = col.shape[1]
            arrays.append(
                pa.FixedSizeListArray.from_arrays(
                    pa.array(np.ascontiguousarray(col, float).ravel()), width
                )
            )
        elif col.dtype == object:
            arrays.append(pa.array(col.tolist(), type=pa.string()))
        else:
            arrays.append(pa.array(col))
        names.append(name)
    return pa.Table.from_arrays(arrays, names=names)


def _run_task(args: tuple[str, int, int]) -> tuple[int, dict[str, NDArray[Any]]]:
    from tate.scenario import loads_scenario

    text, run, seed = args
    return run, generate_run(loads_scenario(text), seed, run)


def write_dataset(
    file: Path | None,
    runs: int,
    seed: int,
    out: Path,
    *,
    workers: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Generate ``runs`` runs of ``file`` (default: the bundled training scenario) into
    ``out``; returns the manifest.  Existing run files of the same manifest are kept."""
    import pyarrow.parquet as pq

    from tate import __version__
    from tate.analysis.study import run_seed
    from tate.errors import InputError
    from tate.scenario import load_scenario, scenario_hash

    path = Path(file) if file is not None else default_training_scenario()
    scenario = load_scenario(path)
    text = path.read_text()
    manifest = {
        "format": FORMAT,
        "version": 1,
        "scenario": text,
        "scenario_hash": scenario_hash(scenario),
        "root_seed": int(seed),
        "runs": int(runs),
        "window_s": WINDOW_S,
        "period_s": PERIOD_S,
        "horizons_s": list(HORIZONS_S),
        "classes": list(CLASSES),
        "trackers": list(TRACKERS),
        "tate_version": __version__,
    }
    out = Path(out)
    (out / "runs").mkdir(parents=True, exist_ok=True)
    mpath = out / "manifest.json"
    if mpath.exists():
        old = json.loads(mpath.read_text())
        for key in ("format", "scenario_hash", "root_seed", "window_s", "period_s", "horizons_s"):
            if old.get(key) != manifest[key]:
                raise InputError(
                    f"{mpath}: {key} differs from this command's "
                    f"({old.get(key)!r} != {manifest[key]!r}); use a new --out"
                )
    tmp = mpath.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(manifest, indent=1, sort_keys=True))
    os.replace(tmp, mpath)
    todo = [i for i in range(runs) if not (out / "runs" / f"run-{i:05d}.parquet").exists()]
    tasks = [(text, i, run_seed(seed, i)) for i in todo]
    done = runs - len(todo)
    if progress is not None:
        progress(done, runs)

    def save(run: int, cols: dict[str, NDArray[Any]]) -> None:
        nonlocal done
        dest = out / "runs" / f"run-{run:05d}.parquet"
        part = dest.with_suffix(".parquet.tmp")
        pq.write_table(_to_table(cols), part)
        os.replace(part, dest)
        done += 1
        if progress is not None:
            progress(done, runs)

    if workers <= 1 or len(tasks) <= 1:
        for task in tasks:
            save(*_run_task(task))
    else:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=workers) as pool:
            for run, cols in pool.map(_run_task, tasks):
                save(run, cols)
    return manifest


def read_dataset(path: Path) -> tuple[dict[str, Any], dict[str, NDArray[Any]]]:
    """The manifest and the samples of every run in ``path`` (vector columns as 2-D arrays)."""
    import pyarrow.parquet as pq

    from tate.errors import InputError

    path = Path(path)
    mpath = path / "manifest.json"
    if not mpath.exists():
        raise InputError(f"{path}: not a training-data directory (no manifest.json)")
    manifest = json.loads(mpath.read_text())
    if manifest.get("format") != FORMAT:
        raise InputError(f"{mpath}: format is {manifest.get('format')!r}, not {FORMAT!r}")
    files = sorted((path / "runs").glob("run-*.parquet"))
    if not files:
        raise InputError(f"{path}/runs: no run files")
    tables = [pq.read_table(f) for f in files]
    import pyarrow as pa

    table = pa.concat_tables(tables)
    cols: dict[str, NDArray[Any]] = {}
    for name in table.column_names:
        col = table.column(name).combine_chunks()
        if name in _VECTOR_COLUMNS:
            width = col.type.list_size
            cols[name] = col.flatten().to_numpy(zero_copy_only=False).reshape(-1, width)
        elif pa.types.is_string(col.type):
            cols[name] = np.array(col.to_pylist(), dtype=object)
        else:
            cols[name] = col.to_numpy(zero_copy_only=False)
    return manifest, cols
