"""Scenario keys of the defence: ship magazines and railguns, and the ``[c2]`` section.

* ``ships.magazine``: rounds per weapon preset (``tate.weapons.presets.PRESETS``:
  interceptors such as ``sm3-iia-like``, ``sm6-like``, ``gpi-like``, ``essm-like`` and the
  ``ciws-like`` gun); ``None`` (the default) means the class's loadout
  (:data:`tate.scenario.presets.SHIP_CLASSES`), ``{}`` none.  Vertical-launch cells
  cannot be reloaded at sea: a magazine only empties.
* ``ships.railgun``: a railgun preset (``tate.weapons.ship_presets.RAILGUNS``) or
  absent for none; the ship's electrical plant is its class's
  (``tate.weapons.ship_presets.PLANTS``).
* ``ships.value``: the ship's value for weapon assignment (assets have ``value`` too).
* ``[c2]``: command and control — the assigner (``milp``: exact, or ``greedy``:
  maximum marginal return), the doctrine (``shoot-look-shoot`` or ``salvo``), the
  salvo size, the layer order, the decision period, the kill-assessment delay, the
  minimum single-shot kill probability worth a shot, the fraction of each magazine held
  in reserve, the weight of a round's cost in the assignment (value units per
  million USD), and the trajectory predictor of the fire control (``predictor``).
* ``c2.predictor``: how engageability and the midcourse re-aiming of rounds predict a
  track's path (:mod:`tate.predict.paths`): ``kinematic`` (the default: constant
  velocity, plus gravity for a ballistic track), ``glide-physics`` (tracks classified
  as gliders with 20 s of recorded decisions: β, L/D and bank fitted on that window,
  then integrated, :mod:`tate.predict.glide`; the window's decisions must fall on the
  decision period's grid, i.e. ``decision_period_s`` a multiple of the engine's tick) or
  ``learned`` (the same tracks, a trained model, :mod:`tate.predict.learned`; an error
  when the engine is built if that model is not available).  Other tracks are always
  predicted kinematically.

Preset names are checked against the registries when a scenario is validated (which
imports numpy); an unknown name is an error that lists the valid ones.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, Strict, field_validator

from tate.scenario.distributions import Number
from tate.scenario.fields import Bounds, invalid

__all__ = ["C2", "LAYERS", "Rounds", "check_magazine", "check_railgun"]

#: A magazine count: a whole number of rounds, at least 0.
Rounds = Annotated[int, Strict(), Field(ge=0)]

#: Defence layers, outermost first (the default order of ``c2.layers``).
LAYERS = ("exo", "glide", "terminal", "railgun", "point")


def check_magazine(value: dict[str, int] | None) -> dict[str, int] | None:
    """Raise for an unknown weapon preset in ``ships.magazine``."""
    if value is None:
        return value
    from tate.weapons.presets import PRESETS

    for name in value:
        if name not in PRESETS:
            raise invalid(f"unknown weapon preset; valid names: {', '.join(PRESETS)}", name,
                          name)
    return value


def check_railgun(value: str | None) -> str | None:
    """Raise for an unknown railgun preset in ``ships.railgun``."""
    if value is None:
        return value
    from tate.weapons.ship_presets import RAILGUNS

    if value not in RAILGUNS:
        raise invalid(f"unknown railgun preset; valid names: {', '.join(RAILGUNS)}", "", value)
    return value


class C2(BaseModel):
    """The ``[c2]`` section (all keys optional)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    assigner: Literal["milp", "greedy"] = "milp"
    doctrine: Literal["shoot-look-shoot", "salvo"] = "shoot-look-shoot"
    salvo: Annotated[int, Strict(), Field(ge=1, le=4)] = 2
    layers: list[str] = list(LAYERS)
    decision_period_s: Annotated[Number, Bounds(gt=0, le=60)] = 2.0
    kill_assessment_s: Annotated[Number, Bounds(ge=0, le=120)] = 4.0
    min_pk: Annotated[Number, Bounds(ge=0, le=1)] = 0.3
    reserve_fraction: Annotated[Number, Bounds(ge=0, lt=1)] = 0.0
    cost_weight: Annotated[Number, Bounds(ge=0)] = 0.0
    #: the names of :data:`tate.predict.paths.PREDICTORS`
    predictor: Literal["kinematic", "imm", "glide-physics", "learned"] = "kinematic"

    @field_validator("layers", mode="after")
    @classmethod
    def _known_layers(cls, value: list[str]) -> list[str]:
        for i, name in enumerate(value):
            if name not in LAYERS:
                raise invalid(f"unknown layer; valid names: {', '.join(LAYERS)}", f"[{i}]", name)
            if name in value[:i]:
                raise invalid("layer listed twice", f"[{i}]", name)
        return value
