"""Building blocks of scenario fields: finite numbers, bounds, key paths, validator errors.

Every check here raises :class:`tate.errors.ScenarioError` with a key path relative
to the value being checked (``"normal.std"``, ``"cd_mach[1][0]"``).  Inside a
pydantic validator that error is turned into a ``PydanticCustomError`` of type
``"tate"`` by :func:`invalid`, which keeps the message, the relative path and the
value in its context; :mod:`tate.scenario.loader` turns it back into a
``ScenarioError`` with the full path from the top of the file.
"""

from __future__ import annotations

import difflib
import math
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic_core import PydanticCustomError, core_schema

from tate.errors import ScenarioError

if TYPE_CHECKING:
    from pydantic import GetCoreSchemaHandler

    from tate.scenario.distributions import Distribution

__all__ = [
    "NO_VALUE",
    "Bounds",
    "finite_number",
    "format_path",
    "invalid",
    "join_path",
    "unknown_key_message",
]

#: Sentinel meaning "this error has no offending value" (the one ScenarioError uses).
NO_VALUE: Any = ScenarioError._NO_VALUE

#: Error type of the pydantic errors that carry a ScenarioError (see :func:`invalid`).
ERROR_TYPE = "tate"

_V = TypeVar("_V")

_COMPARISONS = (
    ("gt", ">", operator.gt),
    ("ge", ">=", operator.ge),
    ("lt", "<", operator.lt),
    ("le", "<=", operator.le),
)


def finite_number(value: object, path: str = "") -> float:
    """Return ``value`` as a finite float.

    Parameters
    ----------
    value
        An int or a float; a bool is not a number here.
    path
        Key path of the value, used in the error.

    Returns
    -------
    float
        The value as a float.

    Raises
    ------
    ScenarioError
        ``expected a number`` for any other type, ``must be a finite number``
        for NaN, an infinity or an int too large for a float.
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ScenarioError("expected a number", path, value)
    try:
        number = float(value)
    except OverflowError:
        raise ScenarioError("must be a finite number", path, value) from None
    if not math.isfinite(number):
        raise ScenarioError("must be a finite number", path, number)
    return number


@dataclass(frozen=True)
class Bounds:
    """Allowed range of a numeric field; also a pydantic annotation that enforces it.

    Used as ``Annotated[Number, Bounds(gt=0)]``.  A plain number must satisfy
    every given bound; a distribution must keep its support (uniform,
    triangular) or its mean (normal) inside them, see
    :meth:`tate.scenario.distributions.Distribution.check_within`.

    Parameters
    ----------
    gt, ge, lt, le
        Exclusive / inclusive lower and upper bounds; ``None`` for none.
    """

    gt: float | None = None
    ge: float | None = None
    lt: float | None = None
    le: float | None = None

    def _conditions(self) -> list[tuple[str, float, Callable[[float, float], bool]]]:
        """Return ``(operator text, bound, comparison)`` for each bound that is set."""
        return [
            (text, bound, compare)
            for name, text, compare in _COMPARISONS
            if (bound := getattr(self, name)) is not None
        ]

    def violation(self, x: float) -> str | None:
        """Return the first bound that ``x`` breaks as ``"must be > 0"``, or ``None``."""
        for text, bound, compare in self._conditions():
            if not compare(x, bound):
                return f"must be {text} {bound:g}"
        return None

    def contains(self, x: float) -> bool:
        """Return whether ``x`` satisfies every bound."""
        return self.violation(x) is None

    def describe(self) -> str:
        """Return the bounds as text, e.g. ``">= -90 and <= 90"``."""
        return " and ".join(f"{op} {bound:g}" for op, bound, _ in self._conditions()) or "any"

    def check(self, x: float, path: str = "") -> None:
        """Raise a ScenarioError naming ``path`` if ``x`` breaks a bound."""
        message = self.violation(x)
        if message is not None:
            raise ScenarioError(message, path, x)

    def check_value(self, value: float | Distribution, path: str = "") -> None:
        """Check a number, or a distribution's support, against the bounds."""
        if isinstance(value, int | float):
            self.check(float(value), path)
        else:
            value.check_within(self, path)

    def _validate(self, value: _V) -> _V:
        try:
            self.check_value(value)  # type: ignore[arg-type]
        except ScenarioError as exc:
            raise invalid(exc.message, exc.path, exc.value) from None
        return value

    def __get_pydantic_core_schema__(
        self, source_type: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        """Wrap the field's schema with a check of the bounds (pydantic hook)."""
        return core_schema.no_info_after_validator_function(self._validate, handler(source_type))


def invalid(message: str, path: str = "", value: Any = NO_VALUE) -> PydanticCustomError:
    """Return a pydantic error that carries a ScenarioError's message, path and value.

    Raise the result inside a pydantic validator.  ``path`` is relative to the
    location pydantic reports for the validator (empty for the value itself).
    """
    context: dict[str, Any] = {"message": message, "path": path}
    if value is not NO_VALUE:
        context["value"] = value
    text = str(ScenarioError(message, path, value))
    return PydanticCustomError(ERROR_TYPE, text.replace("{", "(").replace("}", ")"), context)


def format_path(loc: Sequence[str | int]) -> str:
    """Format a location tuple as a key path: ``("threats", 2, "aim")`` → ``threats[2].aim``."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path = f"{path}.{part}" if path else str(part)
    return path


def join_path(head: str, tail: str) -> str:
    """Join two key paths: ``join_path("a[1]", "b")`` → ``a[1].b``; ``("a", "[0]")`` → ``a[0]``."""
    if not head or not tail:
        return head or tail
    return head + tail if tail.startswith("[") else f"{head}.{tail}"


def unknown_key_message(key: str, valid: Sequence[str]) -> str:
    """Explain an unknown key, pointing at the unit it lacks when that is the likely mistake.

    Parameters
    ----------
    key
        The key found in the file.
    valid
        The keys allowed at that place.

    Returns
    -------
    str
        ``key 'alt' has no unit; did you mean 'alt_m'?`` when a valid key is
        ``key`` plus a unit suffix; otherwise ``unknown key 'foo'; valid keys: ...``
        (with a "did you mean" for a near miss such as ``threat`` for ``threats``).
    """
    with_unit = [name for name in valid if name.startswith(key + "_")]
    if with_unit:
        return f"key {key!r} has no unit; did you mean {' or '.join(map(repr, with_unit))}?"
    close = difflib.get_close_matches(key, valid, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"unknown key {key!r}{hint}; valid keys: {', '.join(valid)}"
