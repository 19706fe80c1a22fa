"""Named presets a scenario refers to: ship classes.

A ship in a scenario names its class (``class = "ddg51-flight3"``); the class
stands for a set of generic, open-literature parameters (electrical plant,
radar, vertical launch cells) that later parts of tate attach to it.  Here a
class is a name, a description and the names of the radar presets its ships
carry by default (``tate.sensors.presets``), so that a scenario can be checked
against them; an unknown name is an error that lists :data:`SHIP_CLASSES`.

References
----------
Figures quoted in the descriptions are from docs/references.md, section 4
(DDG-51 and DDG-1000 electric plants, [V]) and section 2 (SPY-1D, SPY-6(V)1).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

__all__ = ["SHIP_CLASSES", "ShipClass"]


@dataclass(frozen=True)
class ShipClass:
    """A generic ship class a scenario may name.

    Parameters
    ----------
    name
        The name used in scenario files (``class = "..."``).
    description
        What the class stands for, with the open-literature figures it rests on.
    radars
        Names of the radar presets (``tate.sensors.presets.RADARS``) a ship of the
        class carries unless the scenario's ``ships.radars`` says otherwise.
    """

    name: str
    description: str
    radars: tuple[str, ...] = ()


_CLASSES = (
    ShipClass(
        "ddg51-flight2a",
        "Aegis destroyer like DDG-51 Flight IIA: SPY-1D S-band radar, 3 x 3 MW electric plant",
        ("spy1d-like", "xband-horizon-like"),
    ),
    ShipClass(
        "ddg51-flight3",
        "Aegis destroyer like DDG-51 Flight III: SPY-6(V)1 S-band AESA, 3 x 4 MW electric plant",
        ("spy6-like", "xband-horizon-like"),
    ),
    ShipClass(
        "ddg1000-like",
        "large destroyer with integrated electric power like DDG-1000 (~78 MW)",
        ("xband-horizon-like",),
    ),
    ShipClass(
        "maya-like",
        "Aegis destroyer like the Maya class: SPY-1D(V) radar, generic figures",
        ("spy1d-like", "xband-horizon-like"),
    ),
)

#: Ship classes by name, in the order they are listed in error messages.
SHIP_CLASSES: Mapping[str, ShipClass] = MappingProxyType({c.name: c for c in _CLASSES})
