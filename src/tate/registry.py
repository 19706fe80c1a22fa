"""Named presets and strategies: one lookup that names the valid choices on a miss.

Every family (radars, sensors, interceptors, railguns, ship plants, …) keeps its own
registry, a mapping from name to object; :func:`lookup` reads one and turns a missing
name into a ``ValueError`` that lists the valid names (DESIGN.md §2).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

__all__ = ["lookup"]

_T = TypeVar("_T")


def lookup(table: Mapping[str, _T], kind: str, name: str, sort: bool = True) -> _T:
    """``table[name]``, or ``ValueError("unknown <kind> preset '<name>'; valid names: …")``."""
    try:
        return table[name]
    except KeyError:
        names = sorted(table) if sort else list(table)
        raise ValueError(f"unknown {kind} preset {name!r}; valid names: "
                         f"{', '.join(names)}") from None
