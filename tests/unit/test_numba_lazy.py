"""tate._numba_lazy: cached kernels load without parsing their bitcode, and nothing else
changes (fresh processes, so each one really loads the kernels from numba's cache)."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path

import numba
import pytest

from tate import _numba_lazy
from tests.unit.same_result import assert_same_result

LAZY = numba.__version__ == _numba_lazy.NUMBA_VERSION

# Runs the default engagement (seed 1) and pickles its result to argv[1]; with the patch
# on, also checks every library loaded from the cache: the ELF names equal the names
# numba registers from the bitcode, the bitcode is not parsed, every name
# get_pointer_to_function is asked for is defined.
_RUN = r"""
import pickle, sys
import llvmlite.binding as ll
from numba.core import codegen
import tate.jit
from tate.flight import _eom_jit  # its @njit installs the patch (or not)
from tate import _numba_lazy as lazy
loaded, asked = [], []
unserialize = codegen.CPUCodeLibrary.__dict__["_unserialize"].__func__
def spy(cls, cg, state):
    lib = unserialize(cls, cg, state)
    loaded.append((state, lib))
    return lib
codegen.CPUCodeLibrary._unserialize = classmethod(spy)
pointer = codegen.JITCodeLibrary.get_pointer_to_function
def spy_pointer(self, name):
    asked.append((name, self._codegen._engine.is_symbol_defined(name)))
    return pointer(self, name)
codegen.JITCodeLibrary.get_pointer_to_function = spy_pointer
from tate.scenario import default_scenario_path, load_scenario
from tate.engine.engagement import Engagement
result = Engagement(load_scenario(default_scenario_path()), seed=1).run()
pickle.dump(result, open(sys.argv[1], "wb"))
print("installed", lazy.installed(), "loaded", len(loaded))
if lazy.installed():
    for (name, kind, (obj, bitcode)), lib in loaded:
        assert kind == "object"
        assert lazy._PENDING in lib.__dict__, name  # not parsed by the run
        mod = ll.parse_bitcode(bitcode)
        want = {g.name for gs in (mod.functions, mod.global_variables) for g in gs
                if not g.is_declaration}
        assert lazy.elf_defined_symbols(obj) == want, name
    assert asked and all(ok for _, ok in asked), [n for n, ok in asked if not ok]
else:
    assert "_shared_module" not in codegen.CPUCodeLibrary.__dict__
    assert unserialize.__module__ == "numba.core.codegen"
"""

# Loads the tate kernel hermite_states from the cache (lazily), then compiles a NEW
# function calling it, which links against the cached library.
_LINK = r"""
import numba, numpy as np
import tate.jit
from tate import _numba_lazy as lazy
from tate.flight import _eom_jit as k
rng = np.random.default_rng(3)
y0, y = rng.normal(size=(7, 4)), rng.normal(size=(7, 4))
s = np.array([0.25, 0.5, 0.75])
def outs():
    return np.empty((3, 3, 4)), np.empty((3, 3, 4)), np.empty((3, 4))
pos, vel, mass = outs()
k.hermite_states(y0, y, 0.5, s, pos, vel, mass)
(lib,) = [o.library for o in k.hermite_states.overloads.values()]
assert lazy.installed() and lazy._PENDING in lib.__dict__
@numba.njit(cache=False)
def new(y0, y, h, s, pos, vel, mass):
    k.hermite_states(y0, y, h, s, pos, vel, mass)
    return pos[1, 2, 3] + vel[2, 0, 1] + mass[2, 1]
p2, v2, m2 = outs()
total = new(y0, y, 0.5, s, p2, v2, m2)
assert lazy._PENDING not in lib.__dict__  # parsed when linked
assert (p2 == pos).all() and (v2 == vel).all() and (m2 == mass).all()
assert total == pos[1, 2, 3] + vel[2, 0, 1] + mass[2, 1]
print("linked")
"""


def _start(code: str, *args: str, **env: str) -> subprocess.Popen[str]:
    full = {**os.environ, "TATE_JIT": "1", "OMP_NUM_THREADS": "1", **env}
    root = Path(__file__).resolve().parents[2]
    full["PYTHONPATH"] = os.pathsep.join([str(root / "src"), str(root)])
    return subprocess.Popen([sys.executable, "-c", code, *args], env=full, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _output(process: subprocess.Popen[str]) -> str:
    out, err = process.communicate()
    assert process.returncode == 0, err[-3000:]
    return out


def _python(code: str, *args: str, **env: str) -> str:
    return _output(_start(code, *args, **env))


def test_applicable_only_to_numba_0_68_0_and_not_when_switched_off() -> None:
    assert _numba_lazy.applicable("0.68.0", None)
    assert _numba_lazy.applicable("0.68.0", "1")
    for version in ("0.67.1", "0.68.1", "0.69.0rc1"):
        assert not _numba_lazy.applicable(version, None)
    for off in ("0", "off", "false", "no", " 0 "):
        assert not _numba_lazy.applicable("0.68.0", off)


def test_elf_reader_refuses_what_is_not_a_64_bit_elf_object() -> None:
    assert _numba_lazy.elf_defined_symbols(b"") is None
    assert _numba_lazy.elf_defined_symbols(b"\xcf\xfa\xed\xfe" + bytes(60)) is None  # Mach-O
    assert _numba_lazy.elf_defined_symbols(b"\x7fELF\x01\x01" + bytes(58)) is None  # 32-bit
    assert _numba_lazy.elf_defined_symbols(b"\x7fELF\x02\x01" + bytes(20)) is None  # cut


def test_a_foreign_numba_version_is_left_untouched() -> None:
    code = ("import numba; numba.__version__ = '0.67.0'\n"
            "from tate.flight import _eom_jit\n"
            "from numba.core import codegen; from tate import _numba_lazy as lazy\n"
            "assert not lazy.installed()\n"
            "assert '_shared_module' not in codegen.CPUCodeLibrary.__dict__\n"
            "f = codegen.CPUCodeLibrary.__dict__['_unserialize'].__func__\n"
            "assert f.__module__ == 'numba.core.codegen'\n")
    _python(code)


@pytest.mark.skipif(not LAZY, reason="the patch is for numba 0.68.0 only")
def test_fresh_engagement_is_the_same_with_and_without_the_patch(tmp_path: Path) -> None:
    off = _start(_RUN, str(tmp_path / "off.pkl"), TATE_NUMBA_LAZY="0")
    on = _output(_start(_RUN, str(tmp_path / "on.pkl"))).split()
    assert _output(off).startswith("installed False")
    if int(on[3]) < 30:  # the cache was cold: the two runs compiled; now it is warm
        on = _python(_RUN, str(tmp_path / "on.pkl")).split()
    assert on[:2] == ["installed", "True"] and int(on[3]) >= 30, on
    with open(tmp_path / "on.pkl", "rb") as f_on, open(tmp_path / "off.pkl", "rb") as f_off:
        assert_same_result(pickle.load(f_on), pickle.load(f_off))


@pytest.mark.skipif(not LAZY, reason="the patch is for numba 0.68.0 only")
def test_a_new_function_links_against_a_lazily_loaded_kernel() -> None:
    assert _python(_LINK).strip() == "linked"
