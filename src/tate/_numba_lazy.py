"""Faster loading of cached kernels: a guarded runtime patch of numba 0.68.0's
``CPUCodeLibrary._unserialize`` (numba/core/codegen.py).

What it changes: a kernel cached with ``cache=True`` is stored as its native object
code plus the LLVM bitcode of its "shared module" (the optimised module with its
exported functions made ``linkonce_odr``).  Loading it, numba runs the object code
(that is all a call from Python needs), but it also parses the bitcode into an LLVM
module (``llvmlite.binding.parse_bitcode``, ~65 % of a load) and walks that module's
functions and globals to register their names as defined in the JIT engine
(``JitEngine._load_defined_symbols``, ~25 %).  The parsed module is only needed if
another function compiled later links against this library
(``_get_module_for_linking``); the names only answer ``is_symbol_defined`` (asked by
``get_pointer_to_function`` and the runtime linker).  This patch

1. keeps the bitcode as bytes and parses it on first use of the library's
   ``_shared_module`` (a property here; ``_get_module_for_linking`` reads it), under
   numba's global compiler lock; and
2. registers the defined names read from the ELF symbol table of the object code
   (every named, defined symbol but section and file symbols).  That symbol table is
   written by LLVM from the same optimised module the bitcode holds, so the names are
   the same set (``tests/unit/test_numba_lazy.py`` checks it for every cached tate
   kernel, and that every name ``get_pointer_to_function`` is asked for is in it).

Anything else (not numba 0.68.0 exactly, ``TATE_NUMBA_LAZY=0``, a library stored as
bitcode only, an object file that is not 64-bit little-endian ELF or whose symbol
table cannot be read) keeps numba's own code path.  Installed once by
:func:`tate.jit.njit`, before any tate kernel loads; it applies to every library
loaded from numba's cache in the process afterwards.
"""

from __future__ import annotations

import os
import struct
from typing import Any

__all__ = ["NUMBA_VERSION", "applicable", "elf_defined_symbols", "install", "installed"]

#: The only numba version whose codegen.py this patch was written against.
NUMBA_VERSION = "0.68.0"

_PENDING = "_tate_shared_bitcode"  # instance key: bitcode bytes not yet parsed
_VALUE = "_tate_shared_module"  # instance key: the parsed (or numba-set) module
_state: dict[str, Any] = {}


def applicable(version: str, env: str | None) -> bool:
    """Whether to patch numba ``version`` given ``TATE_NUMBA_LAZY`` = ``env``."""
    off = env is not None and env.strip().lower() in ("0", "false", "no", "off")
    return version == NUMBA_VERSION and not off


def installed() -> bool:
    """Whether the patch is in place in this process."""
    return bool(_state.get("installed"))


def elf_defined_symbols(obj: bytes) -> set[str] | None:
    """The names of the defined symbols (not section or file symbols) in the symbol
    table of a 64-bit little-endian ELF relocatable object, or ``None`` if ``obj`` is
    not one or its table cannot be read."""
    try:
        if obj[:4] != b"\x7fELF" or obj[4] != 2 or obj[5] != 1:
            return None
        (shoff,) = struct.unpack_from("<Q", obj, 0x28)
        shentsize, shnum = struct.unpack_from("<HH", obj, 0x3A)
        if shnum == 0 or shentsize != 64:
            return None
        sections = [struct.unpack_from("<IIQQQQIIQQ", obj, shoff + 64 * i)
                    for i in range(shnum)]
        names: set[str] = set()
        tables = 0
        for _, sh_type, _, _, off, size, link, _, _, entsize in sections:
            if sh_type != 2:  # SHT_SYMTAB
                continue
            if entsize != 24 or size % 24 or link >= shnum or off + size > len(obj):
                return None
            tables += 1
            strtab = sections[link][4]
            for st_name, st_info, _, st_shndx, _, _ in struct.iter_unpack(
                    "<IBBHQQ", obj[off:off + size]):
                if st_shndx == 0 or st_name == 0 or (st_info & 0xF) in (3, 4):
                    continue  # undefined, unnamed, STT_SECTION, STT_FILE
                start = strtab + st_name
                end = obj.index(b"\0", start)
                names.add(obj[start:end].decode("utf-8"))
        return names if tables == 1 else None
    except (struct.error, ValueError, IndexError, UnicodeDecodeError):
        return None


def install() -> bool:
    """Patch numba if :func:`applicable` (once per process); whether it is in place."""
    if "tried" in _state:
        return installed()
    _state["tried"] = True
    import numba

    if not applicable(numba.__version__, os.environ.get("TATE_NUMBA_LAZY")):
        return False
    import llvmlite.binding as ll
    from numba.core import codegen
    from numba.core.compiler_lock import global_compiler_lock

    cls = codegen.CPUCodeLibrary
    original = cls.__dict__["_unserialize"].__func__

    def _get_shared(self: Any) -> Any:
        d = self.__dict__
        if _PENDING in d:
            with global_compiler_lock:
                bitcode = d.pop(_PENDING, None)
                if bitcode is not None:
                    d[_VALUE] = ll.parse_bitcode(bitcode)
        if _VALUE in d:
            return d[_VALUE]
        return d.get("_shared_module")  # a library built before the patch

    def _set_shared(self: Any, value: Any) -> None:
        self.__dict__.pop(_PENDING, None)
        self.__dict__[_VALUE] = value

    def _unserialize(klass: Any, codegen_: Any, state: Any) -> Any:
        name, kind, data = state
        if kind != "object":
            return original(klass, codegen_, state)
        object_code, shared_bitcode = data
        symbols = elf_defined_symbols(object_code)
        if not symbols:
            return original(klass, codegen_, state)
        self = codegen_.create_library(name)
        if not isinstance(self, klass):  # numba's own loader asserts the same
            raise TypeError(f"numba made a {type(self).__name__} for a {klass.__name__}")
        self.enable_object_caching()
        self._set_compiled_object(object_code)
        self.__dict__[_PENDING] = shared_bitcode  # parsed by _get_shared on first use
        self._finalize_final_module()
        codegen_._engine._defined_symbols |= symbols  # = _load_defined_symbols(shared)
        return self

    setattr(cls, "_shared_module", property(_get_shared, _set_shared))  # noqa: B010
    setattr(cls, "_unserialize", classmethod(_unserialize))  # noqa: B010
    _state["installed"] = True
    _state["original"] = original
    return True
