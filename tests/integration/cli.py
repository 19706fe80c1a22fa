"""Running the real `tate` command line from the tests."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_tate(*args: str) -> subprocess.CompletedProcess[str]:
    """``python -m tate.cli ARGS`` with this checkout's ``src`` on the path, wide output."""
    return subprocess.run([sys.executable, "-m", "tate.cli", *args], capture_output=True,
                          text=True, env={"PYTHONPATH": str(ROOT / "src"), "COLUMNS": "200",
                                          "PATH": "/usr/bin:/bin"}, timeout=600)
