"""Study metrics against independent oracles.

* Synthetic study directories, written through the real store (manifest, chunked
  Parquet files), whose runs are drawn from a seeded generator: every metric is
  recomputed from the generating Python lists by brute force (plain loops and numpy,
  no SQL) and must agree.
* Wilson intervals against the published values of Newcombe (1998), Table I/II
  (method 3, score interval without continuity correction).
* The Student-t interval of a mean against the tabulated quantile t(0.975, 3) =
  3.182446 (any Student-t table).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tate.analysis.metrics import (
    layer_kills,
    leaker_histogram,
    point_metrics,
    study_metrics,
    swept_keys,
    threat_types,
)
from tate.analysis.store import EMPTY, LAYERS, connect, write_chunk, write_manifest

_ARROW = {"BIGINT": pa.int64(), "UBIGINT": pa.uint64(), "VARCHAR": pa.string(),
          "BOOLEAN": pa.bool_(), "DOUBLE": pa.float64()}
MODELS = ("cruise", "ballistic", "boost-glide")
WEAPONS = {"exo": "sm3-iia-like", "glide": "gpi-like", "terminal": "sm6-like",
           "railgun": "emrg-like", "point": "essm-like"}


def _table(name: str, rows: list[dict[str, Any]], extra: tuple[str, ...] = ()) -> pa.Table:
    """Rows as a table with the stored schema of ``name`` (plus swept ``extra`` columns)."""
    cols = {c: pa.array([r[c] for r in rows], _ARROW[t]) for c, t in EMPTY[name]}
    for k in extra:
        cols[k] = pa.array([r[k] for r in rows])
    return pa.table(cols)


def _draw_run(rng: np.random.Generator, point: int, run: int,
              swept: dict[str, Any]) -> dict[str, Any]:
    """One synthetic run: its runs row, threats rows and shots rows, consistent."""
    n = int(rng.integers(1, 5))
    threats, kills = [], dict.fromkeys(LAYERS, 0)
    for i in range(n):
        outcome = str(rng.choice(["killed", "leaked", "flying"], p=[0.6, 0.3, 0.1]))
        layer = str(rng.choice(LAYERS)) if outcome == "killed" else ""
        if layer:
            kills[layer] += 1
        threats.append({"point": point, "run": run, "threat_id": f"T-{i}",
                        "model": str(rng.choice(MODELS)), "outcome": outcome,
                        "launch_time_s": 0.0, "end_time_s": 50.0, "kill_time_s": math.nan,
                        "killed_by": "", "layer": layer, "first_detection_s": 1.0,
                        "first_held_s": 2.0, "impact_error_m": math.nan})
    shots = []
    for _ in range(int(rng.integers(0, 7))):
        layer = str(rng.choice(LAYERS))
        miss = math.nan if rng.random() < 0.25 else float(rng.exponential(5.0))
        tid = "" if rng.random() < 0.15 else f"T-{int(rng.integers(0, n))}"
        shots.append({"point": point, "run": run, "time_s": float(rng.uniform(0, 50)),
                      "weapon": WEAPONS[layer], "ship": "DDG-1", "layer": layer,
                      "track_id": 1, "threat_id": tid, "miss_m": miss, "pk": 0.7,
                      # a round with no miss distance is a gun round (kill or survived)
                      # or one that never met a live target
                      "kill": bool(rng.random() < (0.6 if math.isfinite(miss) else 0.2)),
                      "cost_usd": float(rng.integers(1, 5)) * 1e6, "outcome": "",
                      "resolved_s": 60.0, "divert_mps": float("nan")})
        s = shots[-1]
        s["outcome"] = ("kill" if s["kill"] else "survived" if math.isfinite(miss) else
                        str(rng.choice(["survived", "target gone", "missed",
                                        "no target (false track)", "in flight"])))
    out = {t["outcome"]: sum(x["outcome"] == t["outcome"] for x in threats)
           for t in threats}
    killed, leaked, flying = (out.get(k, 0) for k in ("killed", "leaked", "flying"))
    held = int(rng.integers(0, n + 1))
    row = {"point": point, "run": run, "seed": int(rng.integers(0, 2**63)),
           "status": "terminated", "threats": n, "killed": killed, "leaked": leaked,
           "flying": flying, "raid_annihilated": leaked == 0 and flying == 0,
           "shots": len(shots),
           "interceptors": sum(s["layer"] != "railgun" for s in shots),
           "railgun_shots": sum(s["layer"] == "railgun" for s in shots),
           "railgun_energy_j": 32e6 * sum(s["layer"] == "railgun" for s in shots),
           "cost_usd": sum(s["cost_usd"] for s in shots),
           **{f"kills_{la}": kills[la] for la in LAYERS},
           "first_empty_s": math.nan if rng.random() < 0.4 else float(rng.uniform(5, 90)),
           "detected": max(held, int(rng.integers(0, n + 1))), "held_in_track": held,
           "mean_gospa_m": math.nan if rng.random() < 0.1 else float(rng.uniform(0, 5000)),
           "simulated_s": float(rng.uniform(50, 200)), "wall_s": float(rng.uniform(1, 3)),
           **swept}
    return {"row": row, "threats": threats, "shots": shots}


def make_study(directory: Path, seed: int, runs: int, keys: tuple[str, ...] = (),
               points: tuple[tuple[Any, ...], ...] = ((),), chunk: int = 3,
               failed: frozenset[tuple[int, int]] = frozenset()) -> list[dict[str, Any]]:
    """Write a synthetic study; returns every run drawn (``failed`` (point, run) pairs
    become rows of ``errors`` instead)."""
    rng = np.random.default_rng(seed)
    write_manifest(directory, {"format": "tate-study/1", "tate_version": "0.1.0",
                               "scenario_file": "synthetic.toml",
                               "scenario_toml": 'name = "synthetic study"\n',
                               "scenario_hash": "0" * 64, "root_seed": seed, "runs": runs,
                               "chunk_size": chunk,
                               "sweep": ({"keys": list(keys), "points": [list(p) for p in
                                                                          points]}
                                         if keys else None),
                               "created_utc": "2030-01-01T00:00:00+00:00"})
    drawn = []
    for p, values in enumerate(points):
        swept = dict(zip(keys, values, strict=True))
        for k in range(-(-runs // chunk)):
            got = [_draw_run(rng, p, i, swept) for i in range(k * chunk,
                                                              min(runs, (k + 1) * chunk))]
            ok = [g for g in got if (p, g["row"]["run"]) not in failed]
            bad = [{"point": p, "run": g["row"]["run"], "seed": g["row"]["seed"],
                    "error": "RuntimeError: injected", "traceback": "..."}
                   for g in got if (p, g["row"]["run"]) in failed]
            tables = {"errors": _table("errors", bad)}
            if ok:
                tables["runs"] = _table("runs", [g["row"] for g in ok], keys)
                tables["threats"] = _table("threats", [t for g in ok for t in g["threats"]])
                tables["shots"] = _table("shots", [s for g in ok for s in g["shots"]])
            write_chunk(directory, p, k, tables)
            drawn.extend(ok)
    return drawn


# -- brute-force oracle --------------------------------------------------------------------
def _wilson_ref(k: int, n: int) -> tuple[float, float]:
    """Wilson (1927) score interval written out from its definition: the p solving
    (p̂ − p)² = z² p (1 − p) / n, z = Φ⁻¹(0.975)."""
    if n == 0:
        return 0.0, 1.0
    z = 1.959963984540054
    ph = k / n
    a, b, c = 1 + z * z / n, -(2 * ph + z * z / n), ph * ph
    disc = math.sqrt(max(b * b - 4 * a * c, 0.0))
    return max(0.0, (-b - disc) / (2 * a)), min(1.0, (-b + disc) / (2 * a))


def _by_point(drawn: list[dict[str, Any]]) -> dict[int, list[dict[str, Any]]]:
    out: dict[int, list[dict[str, Any]]] = {}
    for g in drawn:
        out.setdefault(g["row"]["point"], []).append(g)
    return out


def _expected_point(runs: list[dict[str, Any]]) -> dict[str, float]:
    rows = [g["row"] for g in runs]
    n = len(rows)
    tot = {c: sum(r[c] for r in rows) for c in ("threats", "killed", "interceptors",
                                                "shots", "cost_usd", "held_in_track")}
    empty = [r["first_empty_s"] for r in rows if not math.isnan(r["first_empty_s"])]
    gospa = [r["mean_gospa_m"] for r in rows if not math.isnan(r["mean_gospa_m"])]
    engaged = {(g["row"]["run"], s["threat_id"]) for g in runs for s in g["shots"]
               if s["threat_id"]}
    ok = sum(r["raid_annihilated"] for r in rows)
    div = (lambda a, b: a / b if b else math.nan)  # noqa: E731
    return {
        "runs": n, "annihilated": ok, "p_annihilation": ok / n,
        "p_annihilation_low": _wilson_ref(ok, n)[0],
        "p_annihilation_high": _wilson_ref(ok, n)[1],
        "mean_leakers": float(np.mean([r["leaked"] for r in rows])),
        "interceptors_per_kill": div(tot["interceptors"], tot["killed"]),
        "shots_per_kill": div(tot["shots"], tot["killed"]),
        "cost_per_run_usd": tot["cost_usd"] / n,
        "cost_per_kill_usd": div(tot["cost_usd"], tot["killed"]),
        "engaged": len(engaged), "cost_per_engaged_usd": div(tot["cost_usd"], len(engaged)),
        "emptied": len(empty), "p_emptied": len(empty) / n,
        "median_empty_s": float(np.median(empty)) if empty else math.nan,
        "mean_gospa_m": float(np.mean(gospa)) if gospa else math.nan,
        "p_held": div(tot["held_in_track"], tot["threats"]),
        "p_held_low": _wilson_ref(tot["held_in_track"], tot["threats"])[0],
        "railgun_energy_per_run_j": sum(r["railgun_energy_j"] for r in rows) / n,
        "wall_s_total": sum(r["wall_s"] for r in rows),
        "speedup": sum(r["simulated_s"] for r in rows) / sum(r["wall_s"] for r in rows),
    }


def _close(got: Any, want: float) -> bool:
    if want is None or (isinstance(want, float) and math.isnan(want)):
        return got is None or math.isnan(got)
    return got == pytest.approx(want, rel=1e-12, abs=1e-12)


def _check_all(directory: Path, drawn: list[dict[str, Any]]) -> None:
    con = connect(directory)
    groups = _by_point(drawn)
    for row in point_metrics(con).to_pylist():
        if row["point"] not in groups:  # every run raised: checked by its own test
            continue
        want = _expected_point(groups[row["point"]])
        bad = {k: (row[k], v) for k, v in want.items() if not _close(row[k], v)}
        assert not bad, f"point {row['point']}: (got, expected) {bad}"
    for row in leaker_histogram(con).to_pylist():
        runs = [g["row"] for g in groups[row["point"]]]
        count = sum(r["leaked"] == row["leaked"] for r in runs)
        assert (row["runs"], row["fraction"]) == (count, pytest.approx(count / len(runs)))
    top = max(g["row"]["leaked"] for g in drawn)
    assert {r["leaked"] for r in leaker_histogram(con).to_pylist()} == set(range(top + 1))
    for row in layer_kills(con).to_pylist():
        runs = groups.get(row["point"], [])
        mine = [s for g in runs for s in g["shots"] if s["layer"] == row["layer"]]
        resolved = [s for s in mine
                    if s["outcome"] in ("kill", "survived", "missed", "missed (passed)")]
        kills = sum(s["kill"] for s in resolved)
        killed = sum(t["layer"] == row["layer"] for g in runs for t in g["threats"])
        n_threats = sum(g["row"]["threats"] for g in runs)
        assert (row["rounds"], row["resolved"], row["kills"], row["threats_killed"]) == (
            len(mine), len(resolved), kills, killed)
        assert _close(row["p_kill"], kills / len(resolved) if resolved else math.nan)
        assert (row["p_kill_low"], row["p_kill_high"]) == pytest.approx(
            _wilson_ref(kills, len(resolved)), abs=1e-12)
        assert _close(row["fraction_killed"], killed / n_threats if n_threats else math.nan)
    for row in threat_types(con).to_pylist():
        ts = [t for g in groups[row["point"]] for t in g["threats"]
              if t["model"] == row["model"]]
        k = sum(t["outcome"] == "killed" for t in ts)
        assert (row["threats"], row["killed"]) == (len(ts), k)
        assert (row["p_killed_low"], row["p_killed_high"]) == pytest.approx(
            _wilson_ref(k, len(ts)), abs=1e-12)


# -- tests ---------------------------------------------------------------------------------
def test_metrics_of_a_monte_carlo_study_match_brute_force(tmp_path: Path) -> None:
    drawn = make_study(tmp_path, seed=1, runs=40, chunk=7)
    _check_all(tmp_path, drawn)
    layers = {r["layer"] for r in layer_kills(connect(tmp_path)).to_pylist()}
    assert layers == set(LAYERS)  # the generator used every layer; all must be reported


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), runs=st.integers(1, 12),
       n_points=st.integers(1, 3))
def test_metrics_of_random_sweeps_match_brute_force(tmp_path_factory: pytest.TempPathFactory,
                                                     seed: int, runs: int,
                                                     n_points: int) -> None:
    directory = tmp_path_factory.mktemp("sweep")
    points = tuple((v, f"m{v}") for v in range(n_points))
    drawn = make_study(directory, seed, runs, ("c2.salvo", 'odd "key"'), points, chunk=4)
    _check_all(directory, drawn)
    con = connect(directory)
    assert swept_keys(con) == ("c2.salvo", 'odd "key"')
    got = point_metrics(con).select(["point", "c2.salvo", 'odd "key"']).to_pylist()
    assert got == [{"point": p, "c2.salvo": v, 'odd "key"': s}
                   for p, (v, s) in enumerate(points)]


def test_wilson_intervals_reproduce_newcombe_1998(tmp_path: Path) -> None:
    # Newcombe, "Two-sided confidence intervals for the single proportion: comparison of
    # seven methods", Statistics in Medicine 17 (1998) 857-872, Table II, method 3
    published = {(81, 263): (0.2553, 0.3662), (15, 148): (0.0624, 0.1605),
                 (0, 20): (0.0, 0.1611), (1, 29): (0.0061, 0.1718),
                 (29, 29): (0.8830, 1.0)}
    write_manifest(tmp_path, {"format": "tate-study/1", "runs": 263, "chunk_size": 300,
                              "sweep": None})
    for p, (k, n) in enumerate(published):
        rows = [{c: (math.nan if t == "DOUBLE" else 0 if t in ("BIGINT", "UBIGINT")
                     else "" if t == "VARCHAR" else False) for c, t in EMPTY["runs"]}
                | {"point": p, "run": i, "threats": 1, "raid_annihilated": i < k}
                for i in range(n)]
        write_chunk(tmp_path, p, 0, {"runs": _table("runs", rows)})
    got = point_metrics(connect(tmp_path)).to_pylist()
    for row, ((k, n), (lo, hi)) in zip(got, published.items(), strict=True):
        assert (row["annihilated"], row["runs"]) == (k, n)
        assert row["p_annihilation_low"] == pytest.approx(lo, abs=5e-5)
        assert row["p_annihilation_high"] == pytest.approx(hi, abs=5e-5)


def test_mean_leakers_interval_uses_the_student_t_quantile(tmp_path: Path) -> None:
    make_study(tmp_path, seed=3, runs=4, chunk=4)
    # overwrite the leaker counts: 0, 1, 2, 3 → mean 1.5, SD √(5/3)
    con = connect(tmp_path)
    runs = con.execute("SELECT * FROM runs ORDER BY run").to_arrow_table()
    runs = runs.set_column(runs.column_names.index("leaked"), "leaked",
                           pa.array([0, 1, 2, 3], pa.int64()))
    write_chunk(tmp_path, 0, 0, {"runs": runs})
    row = point_metrics(connect(tmp_path)).to_pylist()[0]
    half = 3.182446 * math.sqrt(5 / 3) / 2  # t(0.975, 3 degrees of freedom), tabulated
    assert row["mean_leakers"] == 1.5
    assert row["mean_leakers_low"] == pytest.approx(max(1.5 - half, 0.0), abs=1e-5)
    assert row["mean_leakers_high"] == pytest.approx(1.5 + half, abs=1e-5)


def test_a_point_whose_runs_all_raised_is_kept_with_no_estimate(tmp_path: Path) -> None:
    failed = frozenset({(1, 0), (1, 1), (1, 2), (0, 1)})
    drawn = make_study(tmp_path, seed=5, runs=3, keys=("c2.salvo",), points=((1,), (2,)),
                       failed=failed)
    con = connect(tmp_path)
    rows = point_metrics(con).to_pylist()
    assert [(r["point"], r["runs"], r["errors"]) for r in rows] == [(0, 2, 1), (1, 0, 3)]
    assert math.isnan(rows[1]["p_annihilation"])
    assert (rows[1]["p_annihilation_low"], rows[1]["p_annihilation_high"]) == (0.0, 1.0)
    assert rows[1]["c2.salvo"] is None  # no run of it stored its swept value
    _check_all(tmp_path, drawn)


def test_an_empty_study_gives_empty_tables(tmp_path: Path) -> None:
    write_manifest(tmp_path, {"format": "tate-study/1", "runs": 5, "sweep": None})
    m = study_metrics(connect(tmp_path))
    assert m.keys == ()
    assert [t.num_rows for t in (m.points, m.leakers, m.layers, m.threat_types)] == [0] * 4
