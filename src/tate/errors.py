"""Exceptions of tate.

Every error a user can cause is a :class:`TateError`; the CLI turns it into a
one-line message and exit code 2.  :class:`ScenarioError` carries the file, the
key path inside the file and the offending value, so the message reads
``scenario.toml: threats[2].glide.alt_m: must be > 0, got -5``.
"""

from __future__ import annotations

import enum
from typing import Any

__all__ = ["InputError", "ScenarioError", "TateError"]


class TateError(Exception):
    """Base class of every error tate raises on purpose."""


def _show(value: Any) -> str:
    """A value as a user wrote it: ISO times, distribution tables, else ``repr``."""
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    if hasattr(value, "to_table"):
        return str(value.to_table())
    return repr(value)


class _Missing(enum.Enum):
    """Marks a ScenarioError without an offending value (pickles as itself)."""

    NO_VALUE = enum.auto()


class ScenarioError(TateError):
    """A scenario file or scenario value is invalid.

    Parameters
    ----------
    message
        What is wrong, e.g. ``"must be > 0"``.
    path
        Key path inside the scenario, e.g. ``"threats[2].glide.alt_m"``.
    value
        The offending value, if there is one.
    file
        The scenario file, if the scenario came from one.
    """

    _NO_VALUE: Any = _Missing.NO_VALUE

    def __init__(
        self, message: str, path: str = "", value: Any = _NO_VALUE, file: str | None = None
    ) -> None:
        self.message = message
        self.path = path
        self.value = value
        self.file = file
        super().__init__(str(self))

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return (type(self), (self.message, self.path, self.value, self.file))

    def with_file(self, file: str) -> ScenarioError:
        """Return a copy of this error that names ``file``."""
        return ScenarioError(self.message, self.path, self.value, file)

    def __str__(self) -> str:
        parts = [p for p in (self.file, self.path) if p]
        head = ": ".join(parts)
        text = self.message
        if self.value is not ScenarioError._NO_VALUE:
            text += f", got {_show(self.value)}"
        return f"{head}: {text}" if head else text


class InputError(TateError):
    """A data file other than a scenario (detections, results) is invalid."""
