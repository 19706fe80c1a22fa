"""Load scenario files, and turn every problem in them into a ScenarioError.

A user's mistake in a scenario file is never a traceback: :func:`load_scenario`
raises :class:`~tate.errors.ScenarioError` naming the file, the key path (list
indices in brackets, counted from 0) and the offending value, e.g.
``raid.toml: threats[1].payload_kg: must be > 0, got -5.0``.

When a file has several problems, all of them are reported: the error's
``message``, ``path`` and ``value`` are those of the first, and its text adds one
line for each further problem (at most :data:`MAX_LISTED`); all of them are in
``errors``.  Unknown keys come first (a misspelt key is the likely cause of a
"missing required key" too), then the rest in pydantic's order, which follows
the schema.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import UnionType
from typing import TYPE_CHECKING, Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from tate.errors import ScenarioError
from tate.scenario.fields import (
    ERROR_TYPE,
    NO_VALUE,
    format_path,
    join_path,
    unknown_key_message,
)
from tate.scenario.schema import THREAT_MODELS, Scenario

if TYPE_CHECKING:
    from pydantic_core import ErrorDetails

__all__ = [
    "MAX_LISTED",
    "ScenarioErrors",
    "default_scenario_path",
    "load_scenario",
    "loads_scenario",
    "translate_validation_error",
    "validate_scenario",
]

#: Further problems listed in the text of a :class:`ScenarioErrors`.
MAX_LISTED = 10

_DATETIME = "expected a date-time with a time zone, such as 2030-06-01T00:00:00Z"

#: Messages for pydantic error types that need no context.
_MESSAGES = {
    "string_type": "expected a string",
    "int_type": "expected an integer",
    "int_parsing": "expected an integer",
    "int_from_float": "expected an integer",
    "list_type": "expected an array",
    "tuple_type": "expected an array",
    "dict_type": "expected a table",
    "model_type": "expected a table",
    "model_attributes_type": "expected a table",
    "string_too_short": "must not be empty",
    "timezone_aware": "needs a time zone, e.g. 2030-06-01T00:00:00Z",
    "datetime_type": _DATETIME,
    "datetime_parsing": _DATETIME,
    "datetime_from_date_parsing": _DATETIME,
    "datetime_object_invalid": _DATETIME,
}

#: Messages for pydantic error types, formatted with the error's context.
_TEMPLATES = {
    "greater_than": "must be > {gt}",
    "greater_than_equal": "must be >= {ge}",
    "less_than": "must be < {lt}",
    "less_than_equal": "must be <= {le}",
    "literal_error": "must be one of {expected}",
}


class ScenarioErrors(ScenarioError):
    """Several problems in one scenario.

    ``message``, ``path``, ``value`` and ``file`` are the first problem's; the
    text is the first problem's, then one line for each further problem.

    Parameters
    ----------
    errors
        The problems, the main one first (at least one).
    """

    def __init__(self, errors: Sequence[ScenarioError]) -> None:
        self.errors = tuple(errors)
        first = self.errors[0]
        super().__init__(first.message, first.path, first.value, first.file)

    def __reduce__(self) -> tuple[type[ScenarioErrors], tuple[tuple[ScenarioError, ...]]]:
        """Pickle by the list of problems (a process pool sends errors between processes)."""
        return ScenarioErrors, (self.errors,)

    def with_file(self, file: str) -> ScenarioErrors:
        """Return a copy of these errors that names ``file``."""
        return ScenarioErrors([error.with_file(file) for error in self.errors])

    def __str__(self) -> str:
        lines = [ScenarioError.__str__(error) for error in self.errors[: MAX_LISTED + 1]]
        hidden = len(self.errors) - len(lines)
        if hidden:
            lines.append(f"... and {hidden} more")
        return "\n".join(lines)


def _unwrap(annotation: Any) -> Any:
    """Strip ``Annotated`` and ``None`` from an annotation; a union of several types
    becomes a tuple of them."""
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    if get_origin(annotation) in (Union, UnionType):
        members = [arg for arg in get_args(annotation) if arg is not type(None)]
        return _unwrap(members[0]) if len(members) == 1 else tuple(members)
    return annotation


def _discriminator(annotation: Any) -> str | None:
    """Return the discriminator key of an ``Annotated[Union, Field(discriminator=..)]``."""
    if get_origin(annotation) is not Annotated:
        return None
    infos = [item for item in get_args(annotation)[1:] if isinstance(item, FieldInfo)]
    return next((str(i.discriminator) for i in infos if i.discriminator is not None), None)


def _step(annotation: Any, part: str | int) -> tuple[Any, bool]:
    """Follow one location part from ``annotation``.

    Returns the annotation found there, and whether the part is shown in the
    key path (a discriminated union's tag is not: it is the ``model`` key).
    """
    key = _discriminator(annotation)
    kind = _unwrap(annotation)
    if isinstance(kind, tuple) and key is not None:
        for member in kind:
            if get_args(member.model_fields[key].annotation) == (part,):
                return member, False
        return None, True
    if isinstance(kind, type) and issubclass(kind, BaseModel) and isinstance(part, str):
        for name, info in kind.model_fields.items():
            if part in (name, info.alias):
                return info.annotation, True
        return None, True
    args = get_args(kind)
    if isinstance(part, int) and get_origin(kind) in (list, tuple) and args:
        if len(args) == 1 or args[1] is Ellipsis:
            return args[0], True
        return (args[part] if part < len(args) else None), True
    return None, True


def _follow(loc: Sequence[str | int]) -> tuple[list[str | int], Any]:
    """Follow a pydantic location from :class:`Scenario`.

    Returns the location as the user sees it (without union tags) and the
    annotation at its end (``None`` where the location leaves the schema).
    """
    annotation: Any = Scenario
    shown: list[str | int] = []
    for part in loc:
        if annotation is None:
            shown.append(part)
            continue
        annotation, visible = _step(annotation, part)
        if visible:
            shown.append(part)
    return shown, annotation


def _valid_keys(annotation: Any) -> list[str]:
    kind = _unwrap(annotation)
    if isinstance(kind, type) and issubclass(kind, BaseModel):
        return [info.alias or name for name, info in kind.model_fields.items()]
    return []


def _problem(error: ErrorDetails) -> ScenarioError:
    """Translate one pydantic error into a ScenarioError (without the file)."""
    shown, _ = _follow(error["loc"])
    path = format_path(shown)
    kind = error["type"]
    ctx: dict[str, Any] = dict(error.get("ctx") or {})
    value = error["input"]
    if kind == ERROR_TYPE:
        full_path = join_path(path, ctx["path"])
        return ScenarioError(ctx["message"], full_path, ctx.get("value", NO_VALUE))
    if kind == "missing":
        item = bool(shown) and isinstance(shown[-1], int)
        return ScenarioError("missing array item" if item else "missing required key", path)
    if kind == "extra_forbidden":
        _, parent = _follow(error["loc"][:-1])
        return ScenarioError(unknown_key_message(str(shown[-1]), _valid_keys(parent)), path)
    if kind == "union_tag_not_found":
        return ScenarioError("missing required key", join_path(path, "model"))
    if kind == "union_tag_invalid":
        names = ", ".join(THREAT_MODELS)
        message = f"unknown threat model; valid names: {names}"
        return ScenarioError(message, join_path(path, "model"), ctx["tag"])
    if kind in ("too_short", "too_long"):
        limit = ctx.get("min_length") if kind == "too_short" else ctx.get("max_length")
        most = "least" if kind == "too_short" else "most"
        return ScenarioError(f"must have at {most} {limit} item(s)", path, ctx["actual_length"])
    if kind in _MESSAGES:
        return ScenarioError(_MESSAGES[kind], path, value)
    if kind in _TEMPLATES:
        return ScenarioError(_TEMPLATES[kind].format(**ctx), path, value)
    return ScenarioError(error["msg"], path, value)


def translate_validation_error(exc: ValidationError, file: str | None = None) -> ScenarioError:
    """Turn a pydantic ValidationError of a :class:`Scenario` into a ScenarioError.

    Parameters
    ----------
    exc
        The error from validating a Scenario.
    file
        The file the scenario came from, if any.

    Returns
    -------
    ScenarioError
        One ScenarioError, or a :class:`ScenarioErrors` if there are several problems.
    """
    errors = sorted(exc.errors(), key=lambda error: error["type"] != "extra_forbidden")
    problems = [_problem(error) for error in errors]
    if file is not None:
        problems = [problem.with_file(file) for problem in problems]
    return problems[0] if len(problems) == 1 else ScenarioErrors(problems)


def validate_scenario(data: Mapping[str, Any], file: str | None = None) -> Scenario:
    """Validate scenario data (as parsed from TOML or JSON).

    Parameters
    ----------
    data
        The parsed file.
    file
        The file it came from, named in errors.

    Returns
    -------
    Scenario
        The validated scenario.

    Raises
    ------
    ScenarioError
        If the data is not a valid scenario.
    """
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise translate_validation_error(exc, file) from None


def loads_scenario(text: str, file: str = "<string>") -> Scenario:
    """Parse and validate a scenario from TOML text (no reach check).

    Parameters
    ----------
    text
        The TOML text.
    file
        Name of the text, used in errors.

    Returns
    -------
    Scenario
        The validated scenario.

    Raises
    ------
    ScenarioError
        If the text is not valid TOML (the message gives the line and column)
        or not a valid scenario.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"TOML syntax error: {exc}", file=file) from None
    return validate_scenario(data, file)


def _read(path: Path, file: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError("file not found", file=file) from None
    except IsADirectoryError:
        raise ScenarioError("is a directory, not a scenario file", file=file) from None
    except UnicodeDecodeError as exc:
        raise ScenarioError(f"not UTF-8 text ({exc.reason})", file=file) from None
    except OSError as exc:
        raise ScenarioError(f"cannot read the file: {exc.strerror}", file=file) from None


def load_scenario(path: str | Path, check_reach: bool = True) -> Scenario:
    """Read, parse and validate a scenario file.

    Parameters
    ----------
    path
        The TOML file.
    check_reach
        After validating the schema, check with ``tate.flight.reach.check_reach``
        that every threat can reach its aim point.

    Returns
    -------
    Scenario
        The validated scenario (it may hold distributions; see
        :func:`tate.scenario.sampler.sample_scenario`).

    Raises
    ------
    ScenarioError
        If the file is missing or unreadable, not valid TOML, not a valid
        scenario, or (with ``check_reach``) a threat cannot reach its aim.
    ImportError
        If ``check_reach`` is true and ``tate.flight.reach`` is not installed.
    """
    file = str(path)
    scn = loads_scenario(_read(Path(path), file), file)
    if check_reach:
        # Imported here, not at the top: the flight package is heavy and imports this
        # one.  If it is missing the ImportError propagates on purpose: a reach check
        # that silently did nothing would pass an unreachable scenario as valid.
        from tate.flight.reach import check_reach as check_threats_reach

        try:
            check_threats_reach(scn)
        except ScenarioError as exc:
            raise (exc if exc.file else exc.with_file(file)) from None
    return scn


def default_scenario_path() -> Path:
    """Return the path of the bundled default scenario, ``data/default.toml``."""
    return Path(__file__).with_name("data") / "default.toml"
