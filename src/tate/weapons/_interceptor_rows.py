"""The compiled path's per-body arrays of :class:`~tate.weapons.interceptor.InterceptorModel`
held as rows of a few blocks by dtype (private).

The compiled kernels (:func:`tate.engine._pool_step_jit.fly_tick`) get the blocks, five
arrays instead of twenty-five (unboxing an array argument costs about as much as the
kernel's work on a few bodies); :func:`tate.weapons._interceptor_jit.update_rows` reads
the rows back.  The model's attributes are views of the rows, changed in place as before;
deep copies and pickles tie them to the copy's blocks again (:meth:`BlockRows.__setstate__`).
The numpy path does not use the blocks (it rebinds some attributes).  Units as the model's.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["BlockRows"]

#: float rows, float (3, n) vectors, bool rows (in the blocks' order)
_F_ROWS = ("t_launch", "divert_used", "a_max", "thrust", "mflow", "area", "tgt_time")
_F_VECS = ("a_cmd", "pip_pos", "tgt_pos", "tgt_vel", "tgt_acc")
_B_ROWS = ("burnt_out", "exhausted", "retired", "_tgt_pending", "kv")
_VIEWS = (_F_ROWS + _F_VECS + _B_ROWS
          + ("_par", "_stg", "area_stage", "_dropped", "_has_burn", "_law_code", "_events"))


class BlockRows:
    """The blocks of an interceptor model's per-body arrays and their row views:
    floats ``(35, n)`` (:data:`_F_ROWS`, the 13 ``_par`` rows, the :data:`_F_VECS`),
    stage planes ``(10, s, n)`` (``_stg``, ``area_stage``), bools ``(5 + 2 s, n)``
    (:data:`_B_ROWS`, ``_dropped``, ``_has_burn``), ints ``(2, n)`` (``_law_code``,
    ``_events``) and the phase."""

    _blocks: tuple[np.ndarray, ...]

    def _to_blocks(self) -> None:
        """Copy the arrays into the blocks and make the attributes their rows."""
        g = self.__dict__
        self._blocks = (
            np.concatenate([np.stack([g[a] for a in _F_ROWS]), g["_par"]]
                           + [g[a] for a in _F_VECS]),
            np.concatenate([g["_stg"], g["area_stage"][None]]),
            np.concatenate([np.stack([g[a] for a in _B_ROWS]), g["_dropped"],
                            g["_has_burn"]]),
            np.stack([g["_law_code"], g["_events"]]), g["phase"])
        self._views()

    def _views(self) -> None:
        """Point the per-body attributes at their rows of :attr:`_blocks`."""
        f, st, b, i, _ = self._blocks
        g = self.__dict__
        for r, a in enumerate(_F_ROWS):
            g[a] = f[r]
        r = len(_F_ROWS)
        g["_par"] = f[r:r + 13]
        for v, a in enumerate(_F_VECS):
            g[a] = f[r + 13 + 3 * v:r + 16 + 3 * v]
        g["_stg"], g["area_stage"] = st[:9], st[9]
        for r, a in enumerate(_B_ROWS):
            g[a] = b[r]
        s, r = st.shape[1], len(_B_ROWS)
        g["_dropped"], g["_has_burn"] = b[r:r + s], b[r + s:r + 2 * s]
        g["_law_code"], g["_events"] = i[0], i[1]

    def __getstate__(self) -> dict[str, Any]:
        """The state without the row views (:meth:`__setstate__` makes them again, so a
        copy's attributes are rows of the copy's blocks)."""
        state = self.__dict__.copy()
        if "_blocks" in state:
            for a in _VIEWS:
                state.pop(a, None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Restore a copy and tie its attributes to its blocks."""
        self.__dict__.update(state)
        if "_blocks" in state:
            self._views()
