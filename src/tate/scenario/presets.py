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
    magazine
        Default rounds per weapon preset.  DDG-51s have 90–96 vertical-launch cells
        (docs/references.md §3–4); the mixes here are generic assumptions [A], with ESSM
        quad-packed four to a cell.
    """

    name: str
    description: str
    radars: tuple[str, ...] = ()
    #: interceptor and gun rounds carried (``tate.weapons.presets.PRESETS`` names), unless
    #: the scenario's ``ships.magazine`` says otherwise; generic loadouts [A]
    magazine: tuple[tuple[str, int], ...] = ()


_CLASSES = (
    ShipClass(
        "ddg51-flight2a",
        "Aegis destroyer like DDG-51 Flight IIA: SPY-1D S-band radar, 3 x 3 MW electric plant",
        ("spy1d-like", "xband-horizon-like"),
        (("sm3-ib-like", 8), ("sm6-like", 24), ("essm-like", 24), ("ciws-like", 1550)),
    ),
    ShipClass(
        "ddg51-flight3",
        "Aegis destroyer like DDG-51 Flight III: SPY-6(V)1 S-band AESA, 3 x 4 MW electric plant",
        ("spy6-like", "xband-horizon-like"),
        (("sm3-iia-like", 8), ("gpi-like", 8), ("sm6-like", 24), ("essm-like", 32),
         ("ciws-like", 1550)),
    ),
    ShipClass(
        "ddg1000-like",
        "large destroyer with integrated electric power like DDG-1000 (~78 MW)",
        ("xband-horizon-like",),
        (("sm6-like", 16), ("essm-like", 48)),
    ),
    ShipClass(
        "maya-like",
        "Aegis destroyer like the Maya class: SPY-1D(V) radar, generic figures",
        ("spy1d-like", "xband-horizon-like"),
        (("sm3-iia-like", 8), ("sm6-like", 16), ("essm-like", 16), ("ciws-like", 1550)),
    ),
)

#: Ship classes by name, in the order they are listed in error messages.
SHIP_CLASSES: Mapping[str, ShipClass] = MappingProxyType({c.name: c for c in _CLASSES})
