"""Uncertainty as data: the distributions a numeric scenario field may hold.

Any numeric field of a scenario (not an integer such as ``count``, not a string)
may be a number or a one-entry table naming a distribution::

    entry_speed_mps = 2600
    entry_speed_mps = { normal = { mean = 2600, std = 50 } }
    entry_speed_mps = { uniform = { low = 2500, high = 2700 } }
    entry_speed_mps = { triangular = { low = 2500, mode = 2600, high = 2800 } }

:data:`Number` is the pydantic field type for that choice; the field's
:class:`~tate.scenario.fields.Bounds` are checked against the number, or against
the distribution's support (uniform, triangular) or mean (normal).
:func:`tate.scenario.sampler.sample_scenario` draws a concrete value for each
distribution.  The distributions are frozen dataclasses that check their own
parameters when built and draw only from a generator they are given.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Annotated, Any, ClassVar

from pydantic import PlainSerializer, PlainValidator

from tate.errors import ScenarioError
from tate.scenario.fields import finite_number, invalid, join_path, unknown_key_message

if TYPE_CHECKING:
    import numpy as np

    from tate.scenario.fields import Bounds

__all__ = [
    "DISTRIBUTION_KINDS",
    "Distribution",
    "FiniteFloat",
    "Normal",
    "Number",
    "Triangular",
    "Uniform",
    "nominal",
    "parse_distribution",
]


@dataclass(frozen=True)
class Distribution:
    """Base of the distributions; a field value that :func:`sample_scenario` draws.

    Subclasses are frozen dataclasses whose fields are the parameters in the
    scenario file.  Building one converts every parameter to a finite float and
    checks the relations between them, raising :class:`ScenarioError` with a
    path such as ``normal.std``.
    """

    kind: ClassVar[str] = ""

    def __post_init__(self) -> None:
        """Convert each parameter to a finite float, then check the parameters."""
        for item in fields(self):
            number = finite_number(getattr(self, item.name), self._path(item.name))
            object.__setattr__(self, item.name, number)
        self._check()

    def _path(self, name: str) -> str:
        return f"{self.kind}.{name}"

    def _check(self) -> None:
        """Check relations between the parameters (overridden by subclasses)."""

    @property
    def nominal(self) -> float:
        """The distribution's mean, used where a single representative value is needed."""
        raise NotImplementedError

    def sample(self, rng: np.random.Generator) -> float:
        """Draw one value from ``rng``."""
        raise NotImplementedError

    def check_within(self, bounds: Bounds, path: str = "") -> None:
        """Raise a ScenarioError if the distribution reaches outside ``bounds``.

        Uniform and triangular distributions must keep their whole support
        inside; a normal distribution must keep its mean inside (its draws
        outside the bounds are redrawn by the sampler).  A ``high`` may equal an
        exclusive upper bound: uniform and triangular draws never reach ``high``
        (numpy's uniform draws from [low, high)).
        """
        for name in self._bounded_parameters():
            limit = bounds
            if name == "high" and bounds.lt is not None:
                limit = dataclasses.replace(bounds, lt=None, le=bounds.lt)
            limit.check(getattr(self, name), join_path(path, self._path(name)))

    def _bounded_parameters(self) -> tuple[str, ...]:
        return ("low", "high")

    def to_table(self) -> dict[str, dict[str, float]]:
        """Return the distribution's table as in a file: ``{"normal": {"mean": m, "std": s}}``."""
        return {self.kind: {item.name: getattr(self, item.name) for item in fields(self)}}


@dataclass(frozen=True)
class Normal(Distribution):
    """Normal distribution ``N(mean, std²)``; ``std = 0`` gives the mean every time."""

    kind: ClassVar[str] = "normal"
    mean: float
    std: float

    def _check(self) -> None:
        if self.std < 0:
            raise ScenarioError("must be >= 0", self._path("std"), self.std)

    @property
    def nominal(self) -> float:
        """The mean."""
        return self.mean

    def sample(self, rng: np.random.Generator) -> float:
        """Draw one value with ``rng.normal``."""
        return float(rng.normal(self.mean, self.std))

    def _bounded_parameters(self) -> tuple[str, ...]:
        return ("mean",)


@dataclass(frozen=True)
class Uniform(Distribution):
    """Uniform distribution on ``[low, high)``, ``low < high``."""

    kind: ClassVar[str] = "uniform"
    low: float
    high: float

    def _check(self) -> None:
        if not self.low < self.high:
            raise ScenarioError(f"must be > low ({self.low:g})", self._path("high"), self.high)

    @property
    def nominal(self) -> float:
        """The mean, ``(low + high) / 2``."""
        return 0.5 * (self.low + self.high)

    def sample(self, rng: np.random.Generator) -> float:
        """Draw one value with ``rng.uniform``."""
        return float(rng.uniform(self.low, self.high))


@dataclass(frozen=True)
class Triangular(Distribution):
    """Triangular distribution with ``low <= mode <= high`` and ``low < high``."""

    kind: ClassVar[str] = "triangular"
    low: float
    mode: float
    high: float

    def _check(self) -> None:
        if not self.low < self.high:
            raise ScenarioError(f"must be > low ({self.low:g})", self._path("high"), self.high)
        if not self.low <= self.mode <= self.high:
            message = f"must lie between low and high ({self.low:g} to {self.high:g})"
            raise ScenarioError(message, self._path("mode"), self.mode)

    @property
    def nominal(self) -> float:
        """The mean, ``(low + mode + high) / 3``."""
        return (self.low + self.mode + self.high) / 3.0

    def sample(self, rng: np.random.Generator) -> float:
        """Draw one value with ``rng.triangular``."""
        return float(rng.triangular(self.low, self.mode, self.high))


#: The distributions by the name that selects them in a scenario file.
DISTRIBUTION_KINDS: Mapping[str, type[Distribution]] = {
    cls.kind: cls for cls in (Normal, Uniform, Triangular)
}


def parse_distribution(table: Mapping[str, Any]) -> Distribution:
    """Build a distribution from its scenario-file table.

    Parameters
    ----------
    table
        A one-entry table such as ``{"normal": {"mean": 2400, "std": 100}}``.

    Returns
    -------
    Distribution
        The distribution.

    Raises
    ------
    ScenarioError
        If the table is not one known distribution, a parameter is missing,
        unknown or not a finite number, or the parameters do not fit together.
        The path is relative to the field (``normal.std``).
    """
    kinds = ", ".join(DISTRIBUTION_KINDS)
    if len(table) != 1:
        message = f"expected a number or a table with one distribution ({kinds})"
        raise ScenarioError(message, "", dict(table))
    kind, params = next(iter(table.items()))
    cls = DISTRIBUTION_KINDS.get(kind)
    if cls is None:
        raise ScenarioError(f"unknown distribution {kind!r}; valid names: {kinds}")
    if not isinstance(params, Mapping):
        raise ScenarioError("expected a table of parameters", kind, params)
    names = [item.name for item in fields(cls)]
    for key in params:
        if key not in names:
            raise ScenarioError(unknown_key_message(key, names), f"{kind}.{key}")
    for name in names:
        if name not in params:
            raise ScenarioError("missing required key", f"{kind}.{name}")
    return cls(**params)


def nominal(value: float | Distribution) -> float:
    """Return a number as it is, or a distribution's mean."""
    return value.nominal if isinstance(value, Distribution) else value


def _number_or_distribution(value: object) -> float | Distribution:
    """Pydantic validator of :data:`Number`."""
    try:
        if isinstance(value, Distribution):
            return value
        if isinstance(value, Mapping):
            return parse_distribution(value)
        return finite_number(value)
    except ScenarioError as exc:
        raise invalid(exc.message, exc.path, exc.value) from None


def _finite_float(value: object) -> float:
    """Pydantic validator of :data:`FiniteFloat`."""
    try:
        return finite_number(value)
    except ScenarioError as exc:
        raise invalid(exc.message, exc.path, exc.value) from None


def _dump(value: float | Distribution) -> float | dict[str, dict[str, float]]:
    return value.to_table() if isinstance(value, Distribution) else value


#: A numeric field: a finite number or a distribution table (see the module docstring).
Number = Annotated[
    float | Distribution, PlainValidator(_number_or_distribution), PlainSerializer(_dump)
]

#: A numeric field that must be a plain finite number (entries of tables such as ``cd_mach``).
FiniteFloat = Annotated[float, PlainValidator(_finite_float)]
