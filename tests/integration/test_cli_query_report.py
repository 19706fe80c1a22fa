"""`tate query` and `tate report` through the real command line, on a real study.

Oracles: the same SQL run here on DuckDB directly (the CSV and Parquet files must hold
exactly its rows), and DuckDB's own parser for the message of a bad statement."""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from tate.analysis.store import connect
from tate.analysis.study import Study, run_study
from tate.scenario import scenario_hash
from tate.scenario.loader import loads_scenario
from tests.integration.cli import run_tate
from tests.unit.analysis.test_study import TINY

SQL = "SELECT run, seed, leaked, shots, cost_usd FROM runs ORDER BY run"


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("cli-study")
    scn = loads_scenario(TINY, str(tmp / "tiny.toml"))
    run_study(Study(str(tmp / "tiny.toml"), TINY, scenario_hash(scn), 7, 3, 2),
              tmp / "study", workers=1)
    return tmp / "study"


def test_query_prints_a_table_and_says_what_it_left_out(study: Path) -> None:
    done = run_tate("query", str(study), SQL, "--limit", "2")
    assert done.returncode == 0, done.stderr
    seeds = [r[0] for r in connect(study).execute("SELECT seed FROM runs ORDER BY run")
             .fetchall()]
    assert str(seeds[0]) in done.stdout and str(seeds[1]) in done.stdout
    assert str(seeds[2]) not in done.stdout
    assert "3 rows, 1 not shown" in done.stdout


def test_query_writes_csv_and_parquet_with_the_rows_of_duckdb(study: Path,
                                                              tmp_path: Path) -> None:
    want = connect(study).execute(SQL).fetchall()
    out_csv, out_pq = tmp_path / "sub" / "r.csv", tmp_path / "r.parquet"
    done = run_tate("query", str(study), SQL, "--csv", str(out_csv), "--parquet",
                    str(out_pq))
    assert done.returncode == 0, done.stderr
    with out_csv.open() as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["run", "seed", "leaked", "shots", "cost_usd"]
    assert [(int(a), int(b), int(c), int(d), float(e)) for a, b, c, d, e in rows[1:]] == want
    assert [tuple(r.values()) for r in pq.read_table(out_pq).to_pylist()] == want
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["r.csv", "r.parquet", "sub"]


def test_bad_sql_and_a_directory_without_a_study_exit_2(study: Path, tmp_path: Path) -> None:
    import duckdb

    bad = "SELEC run FROM runs"
    with pytest.raises(duckdb.Error) as exc:
        duckdb.connect().execute(bad)
    done = run_tate("query", str(study), bad)
    assert done.returncode == 2
    assert str(exc.value).splitlines()[0] in done.stderr
    done = run_tate("query", str(study), "SELECT nope FROM runs")
    assert done.returncode == 2 and "nope" in done.stderr
    for cmd in (("query", str(tmp_path), "SELECT 1"), ("report", str(tmp_path),
                                                       "--no-verify")):
        done = run_tate(*cmd)
        assert done.returncode == 2 and "not a study directory" in done.stderr


def test_report_writes_one_page_where_asked(study: Path, tmp_path: Path) -> None:
    out = tmp_path / "page.html"
    done = run_tate("report", str(study), "--no-verify", "--out", str(out))
    assert done.returncode == 0, done.stderr
    text = out.read_text()
    n = connect(study).execute("SELECT count(*) FROM runs").fetchone()[0]
    assert f"{n} finished runs" in text and "Not run" in text
    assert not (study / "report.html").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["page.html"]  # no temporary file left
