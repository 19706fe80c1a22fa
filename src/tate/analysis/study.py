"""Monte Carlo studies and sweeps: many engagements, one resumable Parquet dataset.

Run ``i`` of grid point ``p`` is ``Engagement(scenario_p, seed_i).run()`` with
``seed_i`` from ``SeedSequence(root).spawn(i + 1)[i]`` (:func:`run_seed`): the same
for every grid point, worker count and back end.  Workers (a local process pool, or
Dask ``distributed`` workers) only compute; the parent collects the runs of each chunk
and writes it (:mod:`tate.analysis.store`) when the chunk is complete, so its memory
stays bounded by the chunks in flight.  A run that raises becomes a row of ``errors``
(seed and traceback) and the study goes on.  Layout and guarantees: docs/studies.md.

Fault injection for tests: the environment variable ``TATE_STUDY_FAIL_RUNS`` (comma-
separated run indices) makes those runs raise inside the worker.
"""

from __future__ import annotations

import gc
import hashlib
import math
import os
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["Study", "StudyProgress", "run_seed", "run_study", "wilson"]

Z95 = 1.959963984540054  #: two-sided 95 % normal quantile


def run_seed(root_seed: int, run: int) -> int:
    """The integer seed of run ``run`` of a study with root seed ``root_seed``."""
    child = np.random.SeedSequence(root_seed).spawn(run + 1)[run]
    return int(child.generate_state(1, np.uint64)[0])


def wilson(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval of a binomial proportion (Wilson 1927); (0, 1) for n = 0."""
    if n <= 0:
        return 0.0, 1.0
    p = successes / n
    den = 1.0 + z * z / n
    mid = (p + z * z / (2 * n)) / den
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / den
    return max(0.0, mid - half), min(1.0, mid + half)


@dataclass(frozen=True)
class Study:
    """What a study runs."""

    scenario_file: str
    scenario_toml: str
    scenario_hash: str
    root_seed: int
    runs: int  #: per grid point
    chunk_size: int = 25
    keys: tuple[str, ...] = ()  #: swept keys
    points: tuple[tuple[Any, ...], ...] = ((),)  #: one tuple of values per grid point

    def manifest(self) -> dict[str, Any]:
        from tate import __version__
        from tate.analysis.store import FORMAT

        return {"format": FORMAT, "tate_version": __version__,
                "scenario_file": self.scenario_file, "scenario_toml": self.scenario_toml,
                "scenario_hash": self.scenario_hash, "root_seed": self.root_seed,
                "runs": self.runs, "chunk_size": self.chunk_size,
                "sweep": ({"keys": list(self.keys), "points": [list(p) for p in self.points]}
                          if self.keys else None),
                "created_utc": datetime.now(UTC).isoformat(timespec="seconds")}


@dataclass
class StudyProgress:
    """Running figures the progress bar shows."""

    total: int
    done: int = 0
    errors: int = 0
    annihilated: int = 0
    started: float = field(default_factory=time.perf_counter)

    @property
    def pra(self) -> tuple[float, float, float]:
        """Probability of raid annihilation so far and its Wilson 95 % interval."""
        n = self.done - self.errors
        lo, hi = wilson(self.annihilated, n)
        return (self.annihilated / n if n else math.nan), lo, hi


# -- the worker side -----------------------------------------------------------------------
_SCENARIOS: dict[tuple[str, tuple[Any, ...]], Any] = {}


def _scenario(text: str, file: str, keys: tuple[str, ...], values: tuple[Any, ...]) -> Any:
    key = (hashlib.sha256(text.encode()).hexdigest(), values)
    if key not in _SCENARIOS:
        if keys:
            from tate.analysis.sweep import scenario_for_point

            _SCENARIOS[key] = scenario_for_point(text, file, dict(zip(keys, values,
                                                                      strict=True)))
        else:
            from tate.scenario.loader import loads_scenario

            _SCENARIOS[key] = loads_scenario(text, file)
    return _SCENARIOS[key]


def run_task(task: tuple[str, str, tuple[str, ...], tuple[Any, ...], int, int, int, bool]
             ) -> dict[str, Any]:
    """Run one engagement (in a worker): its ``runs`` row and tables, or its error."""
    text, file, keys, values, point, run, seed, keep = task
    t0 = time.perf_counter()
    try:
        fail = os.environ.get("TATE_STUDY_FAIL_RUNS", "")
        if fail and str(run) in fail.split(","):
            raise RuntimeError(f"injected failure of run {run} (TATE_STUDY_FAIL_RUNS)")
        from tate.analysis.store import run_row
        from tate.engine.engagement import Engagement

        # (a run not kept builds only the tables its row and the dataset need)
        res = Engagement(_scenario(text, file, keys, values), seed).run(lazy=not keep)
        row = run_row(res, point, run, seed, time.perf_counter() - t0)
        row.update(dict(zip(keys, values, strict=True)))
        _freeze_once()
        return {"point": point, "run": run, "row": row, "threats": res.threats,
                "shots": res.shots, "result": res if keep else None}
    except Exception as exc:  # recorded, the study goes on
        return {"point": point, "run": run,
                "error": {"point": point, "run": run, "seed": seed,
                          "error": f"{type(exc).__name__}: {exc}",
                          "traceback": traceback.format_exc()}}


_FROZEN: list[bool] = []


def _freeze_once() -> None:
    """After this process's first run, move what it holds (modules, loaded kernels, the
    per-process memos) out of the garbage collector's reach (``gc.freeze``, after a
    collection): its full collections then scan one run's objects, not ~170,000 that
    never die (about 13 → 4 ms of CPU a run; bench/RESULTS.md).  Objects are still
    freed when their last reference goes."""
    if not _FROZEN:
        gc.collect()
        gc.freeze()
        _FROZEN.append(True)


# -- back ends ------------------------------------------------------------------------------
_RESTORED: set[str] = set()


def warm_worker(blob: bytes) -> None:
    """Fill this worker's shared memos from the parent's :func:`tate.memo.snapshot`
    (once per snapshot and process): the worker skips the shooting passes the parent
    already flew when it loaded the scenario."""
    key = hashlib.sha256(blob).hexdigest()
    if key not in _RESTORED:
        from tate.memo import restore

        restore(blob)
        _RESTORED.add(key)


def run_batch(tasks: Sequence[Any]) -> list[dict[str, Any]]:
    """:func:`run_task` of each task in turn (one submission for several runs)."""
    return [run_task(task) for task in tasks]


def _warm_batch(tasks: Sequence[Any], blob: bytes) -> list[dict[str, Any]]:
    """:func:`run_batch` in a Dask worker after :func:`warm_worker` (``blob`` arrives once
    per worker, scattered)."""
    warm_worker(blob)
    return run_batch(tasks)


#: runs per submission to a Dask cluster: each submission costs the scheduler, the
#: client and the worker's event loop a few messages (about 50-90 ms of CPU a run on
#: the 2-core bench machine when each run was its own task; bench/RESULTS.md)
DASK_RUNS_PER_TASK = 4


def _batches(tasks: Iterator[Any], size: int) -> Iterator[list[Any]]:
    """``tasks`` in lists of ``size`` (the last may be shorter)."""
    batch: list[Any] = []
    for task in tasks:
        batch.append(task)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _local(tasks: Iterator[Any], workers: int) -> Iterator[dict[str, Any]]:
    """Results of ``tasks`` from a process pool (in this process for one worker), at most
    ``2 · workers`` in flight; each worker process starts with this process's shared
    memos (:func:`warm_worker`)."""
    if workers <= 1:
        for task in tasks:
            yield run_task(task)
        return
    import multiprocessing as mp
    from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait

    from tate.memo import snapshot

    with ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("spawn"),
                             initializer=warm_worker, initargs=(snapshot(),)) as ex:
        flying: set[Future[dict[str, Any]]] = set()
        for task in tasks:
            flying.add(ex.submit(run_task, task))
            if len(flying) >= 2 * workers:
                finished, flying = wait(flying, return_when=FIRST_COMPLETED)
                for f in finished:
                    yield f.result()
        for f in flying:
            yield f.result()


#: Dask settings of the workers of ``--scheduler local`` (see :func:`local_cluster`):
#:
#: - no sampling profiler (every 10 ms) or GIL monitor (every 1 ms) taking the GIL from
#:   the engine's Python loop (a run ~4 % faster, within the noise of this machine);
#: - glibc's own heap trimming: Dask's nanny sets ``MALLOC_TRIM_THRESHOLD_=65536`` in its
#:   workers' environment, with which a default engagement takes ten times the page faults
#:   (158,000 against 15,000) and 0.4-0.5 s more system time (bench/RESULTS.md); ``None``
#:   leaves the variable unset.
LOCAL_WORKER_CONFIG: dict[str, Any] = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.system-monitor.gil.enabled": False,
    "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None,
}


def local_cluster(workers: int) -> Any:
    """A Dask ``LocalCluster`` of ``workers`` single-threaded worker processes with
    :data:`LOCAL_WORKER_CONFIG` (what ``--scheduler local`` starts)."""
    import dask
    from distributed import LocalCluster

    with dask.config.set(LOCAL_WORKER_CONFIG):
        return LocalCluster(n_workers=max(workers, 1), threads_per_worker=1,
                            processes=True, dashboard_address=None)


def _dask(tasks: Iterator[Any], scheduler: str, workers: int,
          runs_per_task: int | None = None) -> Iterator[dict[str, Any]]:
    """Results of ``tasks`` from Dask workers: ``scheduler`` ``"local"`` starts a
    ``LocalCluster`` of ``workers`` single-threaded processes, else its address.  This
    process's shared memos go to the workers once, scattered (:func:`warm_worker`).
    Each submission runs ``runs_per_task`` consecutive tasks (:func:`run_batch`; default
    :data:`DASK_RUNS_PER_TASK`)."""
    from distributed import Client, as_completed

    from tate.memo import snapshot

    cluster = local_cluster(workers) if scheduler == "local" else None
    client = Client(cluster if cluster is not None else scheduler)
    try:
        limit = 2 * max(sum(client.nthreads().values()), 1)
        warm = client.scatter(snapshot(), broadcast=True)
        pending = as_completed()
        n = 0
        size = DASK_RUNS_PER_TASK if runs_per_task is None else runs_per_task
        for batch in _batches(tasks, max(int(size), 1)):
            pending.add(client.submit(_warm_batch, batch, warm, pure=False))
            n += 1
            if n >= limit:
                yield from next(pending).result()
                n -= 1
        for fut in pending:
            yield from fut.result()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


# -- the parent side ------------------------------------------------------------------------
def run_study(study: Study, out: Path, *, workers: int = 1, scheduler: str | None = None,
              until_ci_width: float | None = None,
              progress: Callable[[StudyProgress], None] | None = None) -> StudyProgress:
    """Run (or resume) ``study`` into ``out``; returns the final progress figures.

    ``until_ci_width``: stop once the Wilson 95 % interval of the probability of raid
    annihilation (every point pooled) is narrower than this, at a chunk boundary.
    """
    import pyarrow as pa

    from tate.analysis.store import done_chunks, read_manifest, write_chunk, write_manifest
    from tate.errors import TateError
    from tate.io import to_arrow

    out = Path(out)
    old = read_manifest(out)
    if old is not None:
        new = study.manifest()
        for name in ("scenario_hash", "root_seed", "chunk_size", "sweep"):
            if old.get(name) != new[name]:
                raise TateError(f"{out / 'manifest.json'}: {name} is {old.get(name)!r} in the "
                                f"existing study but {new[name]!r} now; use another --out "
                                "directory or the same settings to resume")
        old["runs"] = max(int(old["runs"]), study.runs)
        write_manifest(out, old)
    else:
        write_manifest(out, study.manifest())
    done = done_chunks(out)
    C = study.chunk_size
    n_chunks = -(-study.runs // C)
    todo = [(p, k) for p in range(len(study.points)) for k in range(n_chunks)
            if (p, k) not in done]
    size = {(p, k): min(C, study.runs - k * C) for p, k in todo}
    prog = StudyProgress(total=sum(size.values()))
    rep = out / "representative"
    want_rep = not (rep / "summary.json").exists()
    stop = False

    def tasks() -> Iterator[Any]:
        for p, k in todo:
            for i in range(k * C, k * C + size[p, k]):
                if stop:
                    return
                yield (study.scenario_toml, study.scenario_file, study.keys,
                       study.points[p], p, i, run_seed(study.root_seed, i),
                       want_rep and p == 0 and i == 0)

    buffers: dict[tuple[int, int], list[dict[str, Any]]] = {}
    source = (_dask(tasks(), scheduler, workers) if scheduler
              else _local(tasks(), workers))
    for res in source:
        p, i = res["point"], res["run"]
        key = (p, i // C)
        buffers.setdefault(key, []).append(res)
        prog.done += 1
        if "error" in res:
            prog.errors += 1
        elif res["row"]["raid_annihilated"]:
            prog.annihilated += 1
        if res.get("result") is not None:
            res["result"].write(rep)
        if len(buffers[key]) == size[key]:
            got = sorted(buffers.pop(key), key=lambda r: r["run"])
            write_chunk(out, key[0], key[1], _chunk_tables(got, to_arrow, pa))
            if until_ci_width is not None and not stop:
                _, lo, hi = prog.pra
                stop = prog.done > prog.errors and hi - lo < until_ci_width
        if progress is not None:
            progress(prog)
    _record_done(out)
    return prog


def _record_done(out: Path) -> None:
    """Write the number of stored runs and errors into the manifest."""
    from tate.analysis.store import connect, read_manifest, write_manifest

    man = read_manifest(out) or {}
    con = connect(out, ("runs", "errors"))
    man["runs_done"] = int(con.execute("SELECT count(*) FROM runs").fetchone()[0])
    man["runs_failed"] = int(con.execute("SELECT count(*) FROM errors").fetchone()[0])
    write_manifest(out, man)


def _chunk_tables(got: Sequence[dict[str, Any]], to_arrow: Any, pa: Any) -> dict[str, Any]:
    ok = [r for r in got if "error" not in r]
    tables: dict[str, Any] = {}
    if ok:
        tables["runs"] = _with_seed([r["row"] for r in ok], pa)
        for name in ("threats", "shots"):
            parts = []
            for r in ok:
                t = dict(r[name])
                n = len(next(iter(t.values()))) if t else 0
                parts.append(to_arrow({"point": np.full(n, r["point"], np.int64),
                                       "run": np.full(n, r["run"], np.int64), **t}))
            tables[name] = pa.concat_tables(parts, promote_options="permissive")
    bad = [r["error"] for r in got if "error" in r]
    if bad:
        tables["errors"] = _with_seed(bad, pa)
    return tables


def _with_seed(rows: list[dict[str, Any]], pa: Any) -> Any:
    """Rows as a table whose third column is the uint64 ``seed``."""
    seeds = pa.array([r["seed"] for r in rows], pa.uint64())
    table = pa.Table.from_pylist([{k: v for k, v in r.items() if k != "seed"} for r in rows])
    return table.add_column(2, "seed", seeds)
