"""``tate query DIR "SQL"``: DuckDB SQL on a study's tables.

The SQL runs on the views ``runs``, ``threats``, ``shots`` and ``errors`` of
:func:`tate.analysis.store.connect` (columns: docs/studies.md).  The result is printed
as a table (the first ``limit`` rows) or written to CSV or Parquet under a temporary
name that is then renamed, so a reader never sees half a file.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

__all__ = ["format_cell", "query_to_output", "result_table", "run_query", "write_result"]


def run_query(directory: Path, sql: str) -> Any:
    """The result of ``sql`` on the study in ``directory`` as a :class:`pyarrow.Table`
    (empty, with no columns, for a statement that returns no rows).

    Raises
    ------
    TateError
        If ``directory`` holds no study, or DuckDB rejects or fails the statement (its
        message is kept).
    """
    import duckdb
    import pyarrow as pa

    from tate.analysis.store import connect
    from tate.errors import TateError

    con = connect(Path(directory))
    try:
        cur = con.execute(sql)
        if cur.description is None:
            return pa.table({})
        return cur.to_arrow_table()
    except duckdb.Error as exc:
        raise TateError(f"query failed: {exc}") from None
    finally:
        con.close()


def write_result(table: Any, path: Path, fmt: str) -> None:
    """Write ``table`` to ``path`` as ``"csv"`` or ``"parquet"`` atomically (a temporary
    name in the same directory, then a rename)."""
    import pyarrow as pa
    import pyarrow.csv as pcsv
    import pyarrow.parquet as pq

    from tate.errors import TateError

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.part")
    try:
        if fmt == "csv":
            pcsv.write_csv(table, tmp)
        elif fmt == "parquet":
            pq.write_table(table, tmp)
        else:
            raise TateError(f"unknown output format {fmt!r}; use csv or parquet")
        os.replace(tmp, path)
    except (pa.ArrowException, OSError) as exc:
        raise TateError(f"{path}: cannot write the result as {fmt}: {exc}") from None
    finally:
        tmp.unlink(missing_ok=True)


def format_cell(value: Any) -> str:
    """One value as printed: NULL, integers as they are, floats to 6 significant
    digits, anything else as text."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return "NaN" if math.isnan(value) else f"{value:.6g}"
    return str(value)


def result_table(table: Any, limit: int, title: str | None = None) -> Any:
    """A :class:`rich.table.Table` of the first ``limit`` rows of ``table``, its caption
    saying how many rows were left out."""
    import pyarrow as pa
    from rich.table import Table

    out = Table(title=title)
    numeric = [pa.types.is_integer(f.type) or pa.types.is_floating(f.type)
               for f in table.schema]
    for name, num in zip(table.column_names, numeric, strict=True):
        out.add_column(name, justify="right" if num else "left")
    shown = table.slice(0, max(limit, 0))
    for row in shown.to_pylist():
        out.add_row(*[format_cell(v) for v in row.values()])
    left = table.num_rows - shown.num_rows
    out.caption = (f"{table.num_rows} rows, {left} not shown (raise --limit or write "
                   "--csv/--parquet)" if left else f"{table.num_rows} rows")
    return out


def query_to_output(directory: Path, sql: str, csv: Path | None, parquet: Path | None,
                    limit: int, console: Any) -> Any:
    """Run ``sql`` on the study in ``directory``; write it to ``csv`` and/or ``parquet``
    if given, else print at most ``limit`` rows.  Returns the result table."""
    from tate.errors import TateError

    if limit < 0:
        raise TateError(f"--limit must be 0 or more, got {limit}")
    table = run_query(directory, sql)
    for path, fmt in ((csv, "csv"), (parquet, "parquet")):
        if path is not None:
            write_result(table, path, fmt)
            console.print(f"wrote {table.num_rows} rows to {path}")
    if csv is None and parquet is None:
        console.print(result_table(table, limit))
    return table
