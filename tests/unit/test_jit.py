"""tate.jit: the compiled path's switch and decorator."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np

from tate import jit


def _axpy(a: float, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    out = np.empty_like(x)
    for i in range(x.shape[0]):
        out[i] = a * x[i] + y[i]
    return out


def test_njit_compiles_and_matches_the_python_function() -> None:
    fast = jit.njit(_axpy)
    x, y = np.linspace(0.0, 1.0, 7), np.linspace(2.0, -1.0, 7)
    assert np.array_equal(fast(0.3, x, y), _axpy(0.3, x, y))
    assert type(fast).__name__ == "CPUDispatcher"  # really compiled, not the function back


def test_environment_variable_switches_the_compiled_path_off() -> None:
    code = "import tate.jit as j, sys; sys.stdout.write(str(j.enabled()))"
    for value, want in (("0", "False"), ("off", "False"), ("1", "True")):
        env = {**os.environ, "TATE_JIT": value}
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                             text=True, check=True).stdout
        assert out == want, (value, out)


def test_importing_tate_does_not_import_numba() -> None:
    code = "import tate, tate.jit, sys; sys.stdout.write(str('numba' in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out == "False"
