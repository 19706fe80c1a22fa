"""tate (盾): an open, validated workbench for layered naval air and missile defence.

The public API is small and imported lazily, so ``import tate`` is cheap:

* :func:`load_scenario`, :func:`sample_scenario` — scenario files and uncertainty;
* :func:`fly` — fly a scenario's raid with no defence (:class:`FlightResult`);
* :func:`run_cases` — the published reference cases behind ``tate verify``.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

__all__ = ["__version__", "fly", "load_scenario", "run_cases", "sample_scenario"]

_LAZY = {
    "load_scenario": "tate.scenario",
    "sample_scenario": "tate.scenario",
    "fly": "tate.flight.fly",
    "FlightResult": "tate.flight.fly",
    "run_cases": "tate.verify",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'tate' has no attribute {name!r}")
