"""Study metrics: what a Monte Carlo study or sweep measured, per grid point.

Everything is computed from the stored tables of a study directory (docs/studies.md)
with DuckDB SQL on the views of :func:`tate.analysis.store.connect`; nothing is re-run.
Each function returns a :class:`pyarrow.Table` with one row per grid point (or per grid
point and layer, threat model or leaker count), the ``point`` column first and then
every swept key as a column named by the key.  Definitions (docs/studies.md, "Metrics"):

* probability of raid annihilation: runs with ``raid_annihilated`` over finished runs,
  with the Wilson score 95 % interval (Wilson 1927; Newcombe 1998, method 3);
* mean leakers per run, with the Student-t 95 % interval of a mean (clipped at 0);
* kill probability of a layer: rounds of that layer that killed, over its rounds whose
  engagement was decided against a live target (outcome ``kill``, ``survived``,
  ``missed`` or ``missed (passed)``; rounds whose target was already gone, that were
  fired at a false track or were still in flight are left out) (Wilson interval); and
  threats killed by the layer over all threats;
* interceptors spent per threat killed: missile rounds fired over threats killed;
* magazine depletion: runs in which a launcher ran empty (Wilson interval) and the
  median time of the first empty launcher over those runs [s];
* cost exchange: the scenarios carry no attacker cost, so the ratio reported is the
  defender's cost per threat killed and per threat engaged [USD]; a threat is
  *engaged* in a run when at least one round was fired at a track of it;
* track quality: mean over runs of each run's mean GOSPA [m], and threats held by a
  confirmed track over all threats (Wilson interval);
* run time: engine wall time per run and simulated time over wall time.

All intervals are two-sided 95 %.  A ratio whose denominator is zero is NaN.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["StudyMetrics", "layer_kills", "leaker_histogram", "point_metrics",
           "study_metrics", "swept_keys", "threat_types", "wilson_columns"]

F64 = NDArray[np.float64]


@dataclass(frozen=True)
class StudyMetrics:
    """Every metric table of one study (each a :class:`pyarrow.Table`)."""

    keys: tuple[str, ...]  #: swept keys, columns of every table
    points: Any  #: :func:`point_metrics`
    leakers: Any  #: :func:`leaker_histogram`
    layers: Any  #: :func:`layer_kills`
    threat_types: Any  #: :func:`threat_types`


#: shot outcomes of an engagement decided against a live target (the kill probability's
#: trials): a gun or railgun round resolved analytically has no miss distance but counts
RESOLVED = ("kill", "survived", "missed", "missed (passed)")

def swept_keys(con: Any) -> tuple[str, ...]:
    """Swept keys of the study behind ``con``: the ``runs`` columns that are not in the
    fixed schema, in stored order."""
    from tate.analysis.store import EMPTY

    fixed = {c for c, _ in EMPTY["runs"]}
    cols = [r[0] for r in con.execute("DESCRIBE runs").fetchall()]
    return tuple(c for c in cols if c not in fixed)


def _q(name: str) -> str:
    """``name`` as a quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def _keys(con: Any, keys: Sequence[str] | None) -> tuple[str, ...]:
    return tuple(keys) if keys is not None else swept_keys(con)


def _point_keys(keys: Sequence[str]) -> str:
    """SQL of a table ``pk(point, keys...)``: each grid point of ``runs`` or ``errors``
    with its swept values (NULL for a point whose every run raised)."""
    vals = "".join(f", any_value({_q(k)}) AS {_q(k)}" for k in keys)
    return (f"pk AS (SELECT p.point{''.join(f', r.{_q(k)}' for k in keys)} FROM "
            "(SELECT point FROM runs UNION SELECT point FROM errors) p LEFT JOIN "
            f"(SELECT point{vals} FROM runs GROUP BY point) r USING (point))")


def _select_keys(keys: Sequence[str]) -> str:
    return "".join(f", pk.{_q(k)}" for k in keys)


def _column(table: Any, name: str) -> F64:
    """A numeric column as float64 with NaN for NULL."""
    return np.asarray(table.column(name).to_numpy(zero_copy_only=False), dtype=float)


def _ratio(num: F64, den: F64) -> F64:
    """``num / den``, NaN where ``den`` is 0 or NaN."""
    out = np.full(np.shape(num), np.nan)
    ok = np.isfinite(den) & (den != 0)
    np.divide(num, den, out=out, where=ok)
    return out


def wilson_columns(successes: F64, trials: F64) -> tuple[F64, F64, F64]:
    """Estimate, lower and upper bound of the Wilson 95 % interval per row.

    The estimate is NaN and the interval (0, 1) where there are no trials.
    """
    from tate.analysis.study import wilson

    k = np.nan_to_num(np.asarray(successes, float)).astype(np.int64)
    n = np.nan_to_num(np.asarray(trials, float)).astype(np.int64)
    bounds = np.array([wilson(int(a), int(b)) for a, b in zip(k, n, strict=True)],
                      dtype=float).reshape(-1, 2)
    return _ratio(k.astype(float), n.astype(float)), bounds[:, 0], bounds[:, 1]


def _mean_interval(mean: F64, sd: F64, n: F64) -> tuple[F64, F64]:
    """Student-t 95 % interval of a mean of counts from the sample SD of ``n`` values
    (NaN for ``n < 2``), its lower end clipped at 0."""
    from scipy.stats import t

    n = np.asarray(n, float)
    ok = n >= 2
    half = np.full(n.shape, np.nan)
    half[ok] = t.ppf(0.975, n[ok] - 1) * sd[ok] / np.sqrt(n[ok])
    return np.maximum(mean - half, 0.0), mean + half


def _append(table: Any, columns: dict[str, F64]) -> Any:
    import pyarrow as pa

    for name, values in columns.items():
        table = table.append_column(name, pa.array(np.asarray(values, float), pa.float64()))
    return table


def _finite(col: str) -> str:
    return f"(NOT isnan({col}))"


def point_metrics(con: Any, keys: Sequence[str] | None = None) -> Any:
    """One row per grid point: counts, proportions with intervals, ratios, times.

    Parameters
    ----------
    con
        A connection from :func:`tate.analysis.store.connect`.
    keys
        Swept keys (default: :func:`swept_keys`).

    Returns
    -------
    pyarrow.Table
        ``point``, the keys, ``runs, errors, annihilated, threats, killed, leaked,
        flying, engaged, shots, interceptors, cost_usd, railgun_shots, railgun_energy_j,
        emptied, detected, held_in_track`` (sums over the point's runs), ``median_empty_s,
        mean_gospa_m, wall_s_mean, wall_s_total, simulated_s_mean`` and the derived
        ``p_annihilation[_low|_high], mean_leakers[_low|_high], leakers_sd,
        interceptors_per_kill, shots_per_kill, cost_per_run_usd, cost_per_kill_usd,
        cost_per_engaged_usd, railgun_shots_per_run, railgun_energy_per_run_j,
        p_emptied[_low|_high], p_held[_low|_high], p_detected, speedup``.
    """
    keys = _keys(con, keys)
    fin = _finite("first_empty_s")
    sums = ", ".join(f"coalesce(r.{c}, 0)::BIGINT AS {c}" for c in (
        "runs", "annihilated", "threats", "killed", "leaked", "flying", "shots",
        "interceptors", "railgun_shots", "emptied", "detected", "held_in_track"))
    sql = f"""
    WITH {_point_keys(keys)},
    r AS (SELECT point, count(*) AS runs, sum(raid_annihilated::BIGINT) AS annihilated,
             sum(threats) AS threats, sum(killed) AS killed, sum(leaked) AS leaked,
             sum(flying) AS flying, sum(shots) AS shots, sum(interceptors) AS interceptors,
             sum(railgun_shots) AS railgun_shots, sum(railgun_energy_j) AS railgun_energy_j,
             sum(cost_usd) AS cost_usd, avg(leaked) AS mean_leakers,
             stddev_samp(leaked) AS leakers_sd,
             count(*) FILTER (WHERE {fin}) AS emptied,
             median(first_empty_s) FILTER (WHERE {fin}) AS median_empty_s,
             sum(detected) AS detected, sum(held_in_track) AS held_in_track,
             avg(mean_gospa_m) FILTER (WHERE {_finite("mean_gospa_m")}) AS mean_gospa_m,
             avg(wall_s) AS wall_s_mean, sum(wall_s) AS wall_s_total,
             avg(simulated_s) AS simulated_s_mean, sum(simulated_s) AS simulated_s_total
          FROM runs GROUP BY point),
    e AS (SELECT point, count(*) AS errors FROM errors GROUP BY point),
    g AS (SELECT point, count(*) AS engaged FROM
            (SELECT DISTINCT point, run, threat_id FROM shots
             WHERE threat_id IS NOT NULL AND threat_id <> '') GROUP BY point)
    SELECT pk.point{_select_keys(keys)}, {sums},
        coalesce(e.errors, 0)::BIGINT AS errors, coalesce(g.engaged, 0)::BIGINT AS engaged,
        coalesce(r.cost_usd, 0)::DOUBLE AS cost_usd,
        coalesce(r.railgun_energy_j, 0)::DOUBLE AS railgun_energy_j,
        r.mean_leakers, r.leakers_sd, r.median_empty_s, r.mean_gospa_m, r.wall_s_mean,
        r.wall_s_total, r.simulated_s_mean, r.simulated_s_total
    FROM pk LEFT JOIN r USING (point) LEFT JOIN e USING (point) LEFT JOIN g USING (point)
    ORDER BY pk.point"""
    t = con.execute(sql).to_arrow_table()
    c = {name: _column(t, name) for name in t.column_names if name not in keys}
    runs = c["runs"]
    p, lo, hi = wilson_columns(c["annihilated"], runs)
    m_lo, m_hi = _mean_interval(c["mean_leakers"], c["leakers_sd"], runs)
    pe, pe_lo, pe_hi = wilson_columns(c["emptied"], runs)
    ph, ph_lo, ph_hi = wilson_columns(c["held_in_track"], c["threats"])
    return _append(t, {
        "p_annihilation": p, "p_annihilation_low": lo, "p_annihilation_high": hi,
        "mean_leakers_low": m_lo, "mean_leakers_high": m_hi,
        "interceptors_per_kill": _ratio(c["interceptors"], c["killed"]),
        "shots_per_kill": _ratio(c["shots"], c["killed"]),
        "cost_per_run_usd": _ratio(c["cost_usd"], runs),
        "cost_per_kill_usd": _ratio(c["cost_usd"], c["killed"]),
        "cost_per_engaged_usd": _ratio(c["cost_usd"], c["engaged"]),
        "railgun_shots_per_run": _ratio(c["railgun_shots"], runs),
        "railgun_energy_per_run_j": _ratio(c["railgun_energy_j"], runs),
        "p_emptied": pe, "p_emptied_low": pe_lo, "p_emptied_high": pe_hi,
        "p_held": ph, "p_held_low": ph_lo, "p_held_high": ph_hi,
        "p_detected": _ratio(c["detected"], c["threats"]),
        "speedup": _ratio(c["simulated_s_total"], c["wall_s_total"]),
    })


def leaker_histogram(con: Any, keys: Sequence[str] | None = None) -> Any:
    """Runs per number of leakers: one row per grid point and count ``leaked`` from 0 to
    the study's largest, with ``runs`` (that many leakers) and ``fraction`` (of the
    point's finished runs)."""
    keys = _keys(con, keys)
    sql = f"""
    WITH {_point_keys(keys)},
    n AS (SELECT point, count(*) AS total FROM runs GROUP BY point),
    h AS (SELECT point, leaked, count(*) AS runs FROM runs GROUP BY point, leaked),
    b AS (SELECT unnest(range(0, coalesce((SELECT max(leaked) FROM runs), -1) + 1))
          AS leaked)
    SELECT pk.point{_select_keys(keys)}, b.leaked::BIGINT AS leaked,
        coalesce(h.runs, 0)::BIGINT AS runs,
        CASE WHEN n.total > 0 THEN coalesce(h.runs, 0) / n.total END AS fraction
    FROM pk JOIN n USING (point) CROSS JOIN b
    LEFT JOIN h ON h.point = pk.point AND h.leaked = b.leaked
    ORDER BY pk.point, b.leaked"""
    return con.execute(sql).to_arrow_table()


def layer_kills(con: Any, keys: Sequence[str] | None = None) -> Any:
    """Kills per defence layer: one row per grid point and layer that fired a round or
    killed a threat anywhere in the study.

    Columns ``rounds`` (rounds of the layer), ``resolved`` (of those, rounds whose
    outcome is one of :data:`RESOLVED`), ``kills`` (resolved rounds that killed),
    ``p_kill[_low|_high]`` (kills over resolved, Wilson interval), ``threats_killed``
    (threats whose killing round was of the layer, from ``threats``), ``threats`` (all
    threats of the point's runs) and ``fraction_killed`` (threats_killed over threats).
    """
    keys = _keys(con, keys)
    res = "outcome IN (" + ", ".join(f"'{o}'" for o in RESOLVED) + ")"
    sql = f"""
    WITH {_point_keys(keys)},
    s AS (SELECT point, layer, count(*) AS rounds, count(*) FILTER (WHERE {res}) AS resolved,
             count(*) FILTER (WHERE {res} AND kill) AS kills FROM shots GROUP BY point, layer),
    k AS (SELECT point, layer, count(*) AS threats_killed FROM threats
          WHERE outcome = 'killed' GROUP BY point, layer),
    n AS (SELECT point, sum(threats) AS threats FROM runs GROUP BY point),
    l AS (SELECT layer FROM s UNION SELECT layer FROM k)
    SELECT pk.point{_select_keys(keys)}, l.layer,
        coalesce(s.rounds, 0)::BIGINT AS rounds, coalesce(s.resolved, 0)::BIGINT AS resolved,
        coalesce(s.kills, 0)::BIGINT AS kills,
        coalesce(k.threats_killed, 0)::BIGINT AS threats_killed,
        coalesce(n.threats, 0)::BIGINT AS threats
    FROM pk CROSS JOIN l LEFT JOIN s ON s.point = pk.point AND s.layer = l.layer
    LEFT JOIN k ON k.point = pk.point AND k.layer = l.layer
    LEFT JOIN n ON n.point = pk.point
    ORDER BY pk.point, {_layer_order("l.layer")}"""
    t = con.execute(sql).to_arrow_table()
    p, lo, hi = wilson_columns(_column(t, "kills"), _column(t, "resolved"))
    return _append(t, {"p_kill": p, "p_kill_low": lo, "p_kill_high": hi,
                       "fraction_killed": _ratio(_column(t, "threats_killed"),
                                                 _column(t, "threats"))})


def _layer_order(col: str) -> str:
    """SQL ordering layers outermost first, unknown ones after, by name."""
    from tate.analysis.store import LAYERS

    cases = " ".join(f"WHEN '{la}' THEN {i}" for i, la in enumerate(LAYERS))
    return f"CASE {col} {cases} ELSE {len(LAYERS)} END, {col}"


def threat_types(con: Any, keys: Sequence[str] | None = None) -> Any:
    """Outcomes per threat model: one row per grid point and ``threats.model`` with
    ``threats, killed, leaked, flying`` and ``p_killed[_low|_high]`` (killed over
    threats, Wilson interval)."""
    keys = _keys(con, keys)
    sql = f"""
    WITH {_point_keys(keys)}
    SELECT pk.point{_select_keys(keys)}, t.model, count(*)::BIGINT AS threats,
        count(*) FILTER (WHERE t.outcome = 'killed')::BIGINT AS killed,
        count(*) FILTER (WHERE t.outcome = 'leaked')::BIGINT AS leaked,
        count(*) FILTER (WHERE t.outcome = 'flying')::BIGINT AS flying
    FROM pk JOIN threats t ON t.point = pk.point
    GROUP BY ALL ORDER BY pk.point, t.model"""
    t = con.execute(sql).to_arrow_table()
    p, lo, hi = wilson_columns(_column(t, "killed"), _column(t, "threats"))
    return _append(t, {"p_killed": p, "p_killed_low": lo, "p_killed_high": hi})


def study_metrics(con: Any, keys: Sequence[str] | None = None) -> StudyMetrics:
    """Every metric table of the study behind ``con``."""
    keys = _keys(con, keys)
    return StudyMetrics(keys, point_metrics(con, keys), leaker_histogram(con, keys),
                        layer_kills(con, keys), threat_types(con, keys))
