"""tate.jit: the compiled path's switch and decorator."""

from __future__ import annotations

import copy
import os
import pickle
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


def test_kernels_import_lazily_and_copy_by_name() -> None:
    k = jit.Kernels("tate.flight._eom_jit")
    assert "environment" not in vars(k)
    fn = k.environment
    assert vars(k)["environment"] is fn  # cached after the first lookup
    for twin in (copy.deepcopy(k), pickle.loads(pickle.dumps(k))):
        assert twin.module == k.module and twin.environment is fn


def test_objects_holding_kernels_deep_copy() -> None:
    from tate.flight.eom import Environment, FrameOptions

    env = Environment.empty(2, up=True)
    twin = copy.deepcopy(env)
    pos = np.array([[6.4e6, 6.5e6], [0.0, 1.0e5], [0.0, 2.0e5]])
    vel = np.array([[0.0, 100.0], [200.0, 0.0], [0.0, 0.0]])
    env.compute(pos, vel, FrameOptions())
    twin.compute(pos, vel, FrameOptions())
    assert np.array_equal(env.alt, twin.alt) and np.array_equal(env.grav, twin.grav)
