"""Draw a concrete scenario from an uncertain one.

A scenario may hold distributions in place of numbers (see
:mod:`tate.scenario.distributions`).  :func:`sample_scenario` replaces each one
by a draw and returns a new, concrete :class:`~tate.scenario.schema.Scenario`.

Order of the draws
------------------
Fields are visited depth first, each model's fields in the order they are
declared in :mod:`tate.scenario.schema`, list and array items by index; so the
order is ``time_limit_s``, then ``assets[0]``, ``assets[1]``, ..., then
``ships[...]``, then ``threats[0]`` (its ``interval_s``, ``spread_m``,
``launch``, ``aim``, then the model's own fields, nested tables in place), and
so on.  :func:`uncertain_fields` lists them in that order.  Each distribution
takes one draw (a uniform or triangular one exactly one number from the
generator; a normal one as many as its redraws need), so the same scenario and
the same generator state give the same concrete scenario.  A threat group with
``count > 1`` takes one draw per field, shared by all its members (their scatter
is ``spread_m``).

A normal draw outside the field's bounds is drawn again, at most
:data:`MAX_TRIES` times; then :class:`ScenarioError` names the field.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, get_args, get_origin

from pydantic import BaseModel

from tate.errors import ScenarioError
from tate.scenario.distributions import Distribution
from tate.scenario.fields import Bounds, format_path

if TYPE_CHECKING:
    import numpy as np
    from pydantic.fields import FieldInfo

    from tate.scenario.schema import Scenario

__all__ = ["MAX_TRIES", "UncertainField", "is_concrete", "sample_scenario", "uncertain_fields"]

#: Draws of a normal distribution before a field's bounds are given up on.
MAX_TRIES = 1000

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class UncertainField:
    """A field of a model that holds a distribution.

    Parameters
    ----------
    loc
        Location of the field, e.g. ``("threats", 0, "glide", "entry_speed_mps")``.
    distribution
        The distribution the field holds.
    bounds
        The field's bounds, or ``None`` if it has none.
    """

    loc: Loc
    distribution: Distribution
    bounds: Bounds | None

    @property
    def path(self) -> str:
        """The key path, e.g. ``threats[0].glide.entry_speed_mps``."""
        return format_path(self.loc)


def _bounds_in(annotation: Any) -> Bounds | None:
    """Find the Bounds in a (possibly nested, optional) ``Annotated`` type."""
    args = get_args(annotation)
    if get_origin(annotation) is Annotated:
        found = [item for item in args[1:] if isinstance(item, Bounds)]
        return found[0] if found else _bounds_in(args[0])
    return next((b for b in map(_bounds_in, args) if b is not None), None)


def field_bounds(info: FieldInfo) -> Bounds | None:
    """Return the Bounds of a pydantic field (of it or of its items), or ``None``."""
    found = [item for item in info.metadata if isinstance(item, Bounds)]
    return found[0] if found else _bounds_in(info.annotation)


def _replace(
    value: Any, swap: Callable[[UncertainField], Any], loc: Loc, bounds: Bounds | None
) -> Any:
    """Return ``value`` with each distribution inside replaced by ``swap(field)``.

    Visits in the documented order; returns the very same object where nothing
    changed, and copies (without validation) only what did.
    """
    if isinstance(value, Distribution):
        return swap(UncertainField(loc, value, bounds))
    if isinstance(value, BaseModel):
        updates = {}
        for name, info in type(value).model_fields.items():
            old = getattr(value, name)
            new = _replace(old, swap, (*loc, info.alias or name), field_bounds(info))
            if new is not old:
                updates[name] = new
        return value.model_copy(update=updates) if updates else value
    if isinstance(value, list | tuple):
        items = [_replace(item, swap, (*loc, i), bounds) for i, item in enumerate(value)]
        changed = any(new is not old for new, old in zip(items, value, strict=True))
        return type(value)(items) if changed else value
    return value


def uncertain_fields(model: BaseModel) -> list[UncertainField]:
    """List the fields of ``model`` (recursively) that hold a distribution, in draw order."""
    found: list[UncertainField] = []

    def collect(field: UncertainField) -> Distribution:
        found.append(field)
        return field.distribution

    _replace(model, collect, (), None)
    return found


def is_concrete(model: BaseModel) -> bool:
    """Return whether ``model`` holds no distribution anywhere."""
    return not uncertain_fields(model)


def draw(field: UncertainField, rng: np.random.Generator) -> float:
    """Draw a value for ``field`` inside its bounds.

    Parameters
    ----------
    field
        The uncertain field.
    rng
        The generator to draw from.

    Returns
    -------
    float
        The draw.

    Raises
    ------
    ScenarioError
        If :data:`MAX_TRIES` draws all fall outside the field's bounds.
    """
    bounds = field.bounds
    if bounds is None:
        return field.distribution.sample(rng)
    for _ in range(MAX_TRIES):
        value = field.distribution.sample(rng)
        if bounds.contains(value):
            return value
    message = f"no draw within bounds ({bounds.describe()}) in {MAX_TRIES} tries"
    raise ScenarioError(message, field.path, field.distribution)


def sample_scenario(scn: Scenario, rng: np.random.Generator) -> Scenario:
    """Return a concrete scenario, with each distribution replaced by a draw.

    Parameters
    ----------
    scn
        The scenario, possibly holding distributions.
    rng
        The generator to draw from, e.g. ``numpy.random.default_rng(seed)``.

    Returns
    -------
    Scenario
        A scenario with no distribution left.  A concrete ``scn`` is returned
        as it is, and no draw is taken from ``rng``.

    Raises
    ------
    ScenarioError
        If a normal distribution gives no draw within its field's bounds in
        :data:`MAX_TRIES` tries; the error names the field's key path.

    Notes
    -----
    The fields are visited in a fixed order, given in the module docstring, so
    the same scenario and the same generator state give the same result.
    """
    concrete: Scenario = _replace(scn, lambda field: draw(field, rng), (), None)
    return concrete


def nominal_scenario(scn: Scenario) -> Scenario:
    """Return a concrete scenario with each distribution replaced by its nominal value
    (see ``Distribution.nominal``); no draw is taken."""
    concrete: Scenario = _replace(scn, lambda field: field.distribution.nominal, (), None)
    return concrete
