"""Compiled kernels: numba's ``njit`` with the project's settings, and the switch
between the compiled path and the numpy reference path.

Why: a run of the default scenario is thousands of small vectorised steps (flight
models, interceptor guidance, filters) on arrays of tens of rows, where the cost is
the count of numpy calls (a few µs each), not the arithmetic.  The hot steps
therefore have a second implementation as numba kernels, one compiled call per step
instead of tens to hundreds of numpy calls.  The numpy implementation stays: it is the
reference every kernel is tested against (``tests/unit/test_jit*.py`` and the
per-package ``test_*_jit.py``), and it runs when the compiled path is switched off.

Settings: no ``fastmath`` (IEEE semantics, the same operations in the same order as
the numpy reference, so the two agree to rounding of the transcendental functions),
``error_model="numpy"`` (division by zero gives inf/nan as in numpy), ``cache=True``
(compiled code kept on disk next to the module, or in numba's user cache when that is
not writable, so a second process does not compile again), ``nogil=True`` (threaded
Dask workers run kernels in parallel).

The switch: environment variable ``TATE_JIT=0`` (read once at import) or
:data:`ENABLED` set to ``False`` before the objects that use kernels are built; each
such object reads :func:`enabled` once, at construction.  numba is imported only
when a kernel module is first imported (``tate`` itself imports without it).

Loading: a cached kernel loads without parsing its LLVM bitcode until something links
against it (:mod:`tate._numba_lazy`, numba 0.68.0 only; ``TATE_NUMBA_LAZY=0``: off).
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from typing import Any, TypeVar, cast

__all__ = ["ENABLED", "Kernels", "enabled", "njit"]

F = TypeVar("F", bound=Callable[..., Any])

#: Whether objects built from now on use the compiled kernels (``TATE_JIT=0``: no).
ENABLED: bool = os.environ.get("TATE_JIT", "1").strip() not in ("0", "false", "no", "off")


def enabled() -> bool:
    """Whether the compiled path is on (read by objects at construction)."""
    return ENABLED


def njit(fn: F) -> F:
    """Compile ``fn`` with numba with the project's settings (see the module docstring).

    Compilation is lazy: the first call with a given signature compiles (or loads the
    on-disk cache).  The first call installs :mod:`tate._numba_lazy` (faster loading
    of cached kernels; ``TATE_NUMBA_LAZY=0`` leaves numba untouched)."""
    import numba

    from tate._numba_lazy import install

    install()

    return cast(F, numba.njit(cache=True, nogil=True, error_model="numpy")(fn))


class Kernels:
    """A kernel module imported on first attribute access, that copies and pickles by
    name (an object holding it can be deep-copied or sent to a worker, which a module
    object cannot)."""

    def __init__(self, module: str) -> None:
        self.module = module

    def __getattr__(self, name: str) -> Any:  # only for names not yet in __dict__
        if name.startswith("__") or name == "module":
            raise AttributeError(name)
        mod = importlib.import_module(self.module)
        value = getattr(mod, name)
        self.__dict__[name] = value  # later lookups are plain attribute reads
        return value

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        return (Kernels, (self.module,))
