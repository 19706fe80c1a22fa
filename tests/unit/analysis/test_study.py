"""Monte Carlo studies: determinism across worker counts and back ends, kill and resume,
runs that raise, and the stored seeds replaying a run alone.

Oracle for every dataset: the same study run uninterrupted in this process
(``workers=1``); the datasets are compared row by row (wall times left out)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import tate.analysis.study as study_mod
from tate.analysis.store import connect, done_chunks
from tate.analysis.study import Study, run_seed, run_study, wilson
from tate.scenario import scenario_hash
from tate.scenario.loader import loads_scenario

TINY = """
name = "study test: one cruise missile"
epoch_utc = "2030-06-01T00:00:00Z"
time_limit_s = 300
seed = 7

[[ships]]
id = "DDG-1"
class = "ddg51-flight3"
lat_deg = 25.0
lon_deg = 150.0
heading_deg = 270
speed_kn = 15
magazine = { sm6-like = 2, essm-like = 4 }

[[threats]]
id = "CM-1"
model = "cruise"
launch = { lat_deg = 25.0, lon_deg = 149.7, time_s = { uniform = { low = 0, high = 10 } } }
aim = { ship = "DDG-1" }
speed_mps = 270
cruise_alt_m = 30
"""
RUNS = 4


def _study(tmp: Path, runs: int = RUNS, chunk: int = 2) -> tuple[Study, Path]:
    path = tmp / "tiny.toml"
    path.write_text(TINY)
    scn = loads_scenario(TINY, str(path))
    return Study(str(path), TINY, scenario_hash(scn), 7, runs, chunk), path


def _tables(directory: Path) -> dict[str, list[tuple[object, ...]]]:
    con = connect(directory)
    out = {}
    for table, drop in (("runs", "wall_s"), ("threats", None), ("shots", None)):
        cols = [c[0] for c in con.execute(f"DESCRIBE {table}").fetchall() if c[0] != drop]
        sel = ", ".join(f'"{c}"' for c in cols)
        rows = con.execute(f"SELECT {sel} FROM {table} ORDER BY ALL").fetchall()
        # NaN != NaN: compare NaNs as a marker (bit-identical values otherwise)
        out[table] = [tuple("NaN" if isinstance(v, float) and v != v else v for v in r)
                      for r in rows]
    return out


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("ref")
    study, _ = _study(tmp)
    run_study(study, tmp / "study", workers=1)
    return tmp / "study"


def test_seeds_are_spawned_children_and_independent_of_the_run_count() -> None:
    kids = np.random.SeedSequence(7).spawn(5)
    assert [run_seed(7, i) for i in range(5)] == [
        int(k.generate_state(1, np.uint64)[0]) for k in kids]
    assert len({run_seed(7, i) for i in range(100)}) == 100


def test_wilson_interval_against_the_closed_form() -> None:
    # Wilson (1927): p̂ = 0.8, n = 10, z = 1.96 → [0.4902, 0.9433] (Brown, Cai & DasGupta
    # 2001, table values to 4 decimals)
    lo, hi = wilson(8, 10, 1.96)
    assert lo == pytest.approx(0.4902, abs=1e-4) and hi == pytest.approx(0.9433, abs=1e-4)
    assert wilson(0, 0) == (0.0, 1.0)


def test_reference_dataset_has_every_run_once(reference: Path) -> None:
    con = connect(reference)
    assert con.execute("SELECT list(run ORDER BY run) FROM runs").fetchone()[0] == list(
        range(RUNS))
    seeds = con.execute("SELECT list(seed ORDER BY run) FROM runs").fetchone()[0]
    assert seeds == [run_seed(7, i) for i in range(RUNS)]
    assert done_chunks(reference) == {(0, 0), (0, 1)}
    assert (reference / "representative" / "summary.json").exists()


def test_process_pool_and_dask_give_the_same_dataset(
        reference: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    study, _ = _study(tmp_path)
    run_study(study, tmp_path / "pool", workers=2)
    assert _tables(tmp_path / "pool") == _tables(reference)
    # three runs per Dask submission: one batch spans both chunks, the last is short
    monkeypatch.setattr(study_mod, "DASK_RUNS_PER_TASK", 3)
    run_study(study, tmp_path / "dask", workers=2, scheduler="local")
    assert _tables(tmp_path / "dask") == _tables(reference)


def test_submissions_of_several_runs_keep_order_and_record_a_failing_run(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert [list(b) for b in study_mod._batches(iter(range(7)), 3)] == [
        [0, 1, 2], [3, 4, 5], [6]]
    assert list(study_mod._batches(iter(()), 3)) == []
    monkeypatch.setenv("TATE_STUDY_FAIL_RUNS", "1")
    _, path = _study(tmp_path)
    tasks = [(TINY, str(path), (), (), 0, i, run_seed(7, i), False) for i in range(3)]
    got = study_mod.run_batch(tasks)
    assert [r["run"] for r in got] == [0, 1, 2]
    assert ["error" in r for r in got] == [False, True, False]
    assert got[1]["error"]["seed"] == run_seed(7, 1)


def _load_in_worker(blob: bytes) -> str:
    """In a spawned worker: warm it with ``blob``, then load the default scenario with the
    shooting passes made to fail."""
    import tate.flight.targeting as targeting
    from tate.analysis.study import warm_worker
    from tate.scenario import default_scenario_path, load_scenario

    def flown(*args: object, **kw: object) -> None:
        raise RuntimeError("a shooting pass was flown")

    warm_worker(blob)
    targeting._fly_batch = flown  # type: ignore[assignment]
    try:
        load_scenario(default_scenario_path())
    except RuntimeError as exc:
        return str(exc)
    return "loaded from the memo"


def test_pool_workers_start_with_the_parents_shooting_passes() -> None:
    import multiprocessing as mp
    import pickle
    from concurrent.futures import ProcessPoolExecutor

    from tate.memo import snapshot
    from tate.scenario import default_scenario_path, load_scenario

    load_scenario(default_scenario_path())  # the parent's passes (the CLI loads first)
    with ProcessPoolExecutor(1, mp_context=mp.get_context("spawn")) as ex:
        warm = ex.submit(_load_in_worker, snapshot()).result()
    with ProcessPoolExecutor(1, mp_context=mp.get_context("spawn")) as ex:
        cold = ex.submit(_load_in_worker, pickle.dumps({})).result()
    assert (warm, cold) == ("loaded from the memo", "a shooting pass was flown")


def test_local_cluster_workers_keep_the_default_heap_trimming() -> None:
    # the nanny would export MALLOC_TRIM_THRESHOLD_=65536 to its workers (10x the page
    # faults of a run); LOCAL_WORKER_CONFIG unsets it and keeps the thread limits
    import os

    from distributed import Client

    from tate.analysis.study import local_cluster

    cluster = local_cluster(1)
    try:
        with Client(cluster) as client:
            env = client.run(lambda: {k: os.environ.get(k) for k in
                                      ("MALLOC_TRIM_THRESHOLD_", "OMP_NUM_THREADS")})
    finally:
        cluster.close()
    (got,) = env.values()
    assert got == {"MALLOC_TRIM_THRESHOLD_": None, "OMP_NUM_THREADS": "1"}


def test_a_run_replays_alone_from_its_stored_seed(reference: Path) -> None:
    from tate.engine.engagement import Engagement

    con = connect(reference)
    seed, shots, leaked = con.execute(
        "SELECT seed, shots, leaked FROM runs WHERE run = 2").fetchone()
    res = Engagement(loads_scenario(TINY, "tiny.toml"), int(seed)).run()
    assert (res.summary["shots"], res.summary["leaked"]) == (shots, leaked)


#: runs of the kill-and-resume study: enough one-run chunks that the kill lands mid-way
#: however fast a run is (a run of TINY takes a few ms on a quiet machine; with 4 runs
#: the whole study could end between two looks of the watcher)
KILL_RUNS = 40


def test_killed_study_resumes_to_the_uninterrupted_dataset(tmp_path: Path) -> None:
    study, path = _study(tmp_path, runs=KILL_RUNS, chunk=1)
    run_study(study, tmp_path / "reference", workers=1)  # the oracle: uninterrupted
    out = tmp_path / "killed"
    cmd = [sys.executable, "-c", "from tate.cli import main; main()", "mc", str(path),
           "--runs", str(KILL_RUNS), "--chunk-size", "1", "--workers", "1", "--seed", "7",
           "--out", str(out)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(done_chunks(out)) < 2:
        time.sleep(0.002)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    partial = done_chunks(out)
    assert 2 <= len(partial) < KILL_RUNS, "the study must be killed mid-way"
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert _tables(out) == _tables(tmp_path / "reference")
    # resuming a finished study runs nothing and changes nothing
    again = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0 and _tables(out) == _tables(tmp_path / "reference")


def test_a_run_that_raises_is_recorded_and_the_study_goes_on(
        reference: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TATE_STUDY_FAIL_RUNS", "1")
    study, _ = _study(tmp_path)
    prog = run_study(study, tmp_path / "err", workers=1)
    assert prog.errors == 1 and prog.done == RUNS
    con = connect(tmp_path / "err")
    run, seed, error, tb = con.execute("SELECT run, seed, error, traceback FROM errors"
                                       ).fetchone()
    assert (run, seed) == (1, run_seed(7, 1))
    assert error.startswith("RuntimeError: injected failure") and "Traceback" in tb
    assert con.execute("SELECT list(run ORDER BY run) FROM runs").fetchone()[0] == [0, 2, 3]
    ref = connect(reference).execute(
        "SELECT * EXCLUDE (wall_s) FROM runs WHERE run != 1 ORDER BY run").fetchall()
    assert con.execute("SELECT * EXCLUDE (wall_s) FROM runs ORDER BY run").fetchall() == ref


def test_a_chunk_whose_runs_all_raise_is_committed_by_its_errors(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TATE_STUDY_FAIL_RUNS", "0,1")
    study, _ = _study(tmp_path, runs=2, chunk=2)
    run_study(study, tmp_path / "allbad", workers=1)
    assert done_chunks(tmp_path / "allbad") == {(0, 0)}
    monkeypatch.delenv("TATE_STUDY_FAIL_RUNS")
    prog = run_study(study, tmp_path / "allbad", workers=1)
    assert prog.done == 0  # committed: not run again
    assert connect(tmp_path / "allbad").execute("SELECT count(*) FROM errors").fetchone()[0] == 2


def test_a_different_scenario_or_seed_is_refused_on_resume(reference: Path,
                                                           tmp_path: Path) -> None:
    from tate.errors import TateError

    study, _ = _study(tmp_path)
    other = Study(study.scenario_file, study.scenario_toml, study.scenario_hash, 8, RUNS, 2)
    with pytest.raises(TateError, match="root_seed is 7 in the existing study but 8"):
        run_study(other, reference, workers=1)


def test_uncommitted_files_are_invisible(reference: Path, tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(reference, copy)
    (copy / "runs" / "chunk-0000-000001.parquet").unlink()  # chunk 1 never committed
    con = connect(copy)
    assert con.execute("SELECT count(DISTINCT run) FROM threats").fetchone()[0] == 2
    assert con.execute("SELECT coalesce(max(run), 0) FROM shots").fetchone()[0] <= 1


def test_the_stop_rule_ends_at_a_chunk_once_the_interval_is_narrow(tmp_path: Path) -> None:
    # a width of 1.1 is met by the first chunk's runs (any Wilson interval is narrower):
    # the study stops after committing it, with later chunks not run
    study, _ = _study(tmp_path, runs=6, chunk=2)
    prog = run_study(study, tmp_path / "stop", workers=1, until_ci_width=1.1)
    assert done_chunks(tmp_path / "stop") == {(0, 0)}
    assert prog.done == 2
    from tate.analysis.store import read_manifest

    man = read_manifest(tmp_path / "stop")
    assert man is not None and (man["runs_done"], man["runs_failed"]) == (2, 0)
