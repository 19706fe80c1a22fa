"""Writing result tables: Parquet and CSV via pyarrow, atomically.

A table is a dict of equal-length numpy columns.  Files are written to a
temporary name in the target directory and renamed, so a killed run never
leaves a half-written file that looks complete (DESIGN.md §6).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["to_arrow", "write_table"]


def to_arrow(table: dict[str, Any], metadata: dict[str, str] | None = None) -> Any:
    """A ``pyarrow.Table`` of the columns, with string metadata attached."""
    import pyarrow as pa

    cols = {}
    for k, v in table.items():
        arr = np.asarray(v)
        cols[k] = pa.array(arr.tolist() if arr.dtype == object else arr)
    out = pa.table(cols)
    if metadata:
        out = out.replace_schema_metadata({k: str(v) for k, v in metadata.items()})
    return out


def write_table(table: dict[str, Any], path: Path, metadata: dict[str, str] | None = None
                ) -> Path:
    """Write ``table`` to ``path`` (``.parquet`` or ``.csv``) atomically."""
    import pyarrow.csv as pcsv
    import pyarrow.parquet as pq

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
    data = to_arrow(table, metadata)
    try:
        if path.suffix == ".parquet":
            pq.write_table(data, tmp)
        elif path.suffix == ".csv":
            pcsv.write_csv(data, tmp)
        else:
            raise ValueError(f"unsupported table format {path.suffix!r} (use .parquet or .csv)")
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path
