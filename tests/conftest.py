"""Test-suite settings: hypothesis draws the same examples on every run (CI must not
depend on luck), and keeps no example database between runs; numpy's AVX-512 maths
is switched off (below) so that the numpy reference routes compute the same bits as
the compiled kernels on every machine."""

from __future__ import annotations

import os

# Many tests compare a compiled kernel with its numpy twin bit for bit.  On a CPU with
# AVX-512, numpy dispatches float64 arcsin, arctan2, log10, power, ... to SIMD code
# that can differ from the C library (which numba's kernels call) in the last bit;
# without AVX-512, numpy calls the C library too.  The variable must be set before
# numpy is imported; `make test` exports it as well (docs/engine.md, "Compiled and
# numpy routes").
os.environ.setdefault("NPY_DISABLE_CPU_FEATURES", "X86_V4 AVX512_ICL AVX512_SPR")

from hypothesis import settings

settings.register_profile("tate", derandomize=True, database=None, print_blob=True)
settings.load_profile("tate")
