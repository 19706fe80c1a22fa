"""Scenario to and from JSON, and the scenario hash.

:func:`to_json` writes the canonical form: every field (defaults included),
keys sorted, no whitespace, floats as Python's shortest round-tripping ``repr``,
distributions as their file tables (``{"normal": {"mean": .., "std": ..}}``),
the epoch as ISO 8601 in UTC.  So ``from_json(to_json(s)) == s`` exactly, and
two scenarios that mean the same (a default written out or left implicit) have
the same JSON and the same :func:`scenario_hash`.
"""

from __future__ import annotations

import hashlib
import json
import weakref

from tate.errors import ScenarioError
from tate.scenario.loader import validate_scenario
from tate.scenario.schema import Scenario

__all__ = ["from_json", "scenario_hash", "to_json"]


def to_json(scn: Scenario, *, indent: int | None = None) -> str:
    """Return the scenario as canonical JSON.

    Parameters
    ----------
    scn
        The scenario.
    indent
        Indent for a readable form; ``None`` (the default) gives the compact,
        canonical form that :func:`scenario_hash` digests.

    Returns
    -------
    str
        The JSON text.
    """
    data = scn.model_dump(mode="json", by_alias=True)
    separators = (",", ":") if indent is None else (",", ": ")
    return json.dumps(
        data,
        sort_keys=True,
        separators=separators,
        indent=indent,
        ensure_ascii=False,
        allow_nan=False,
    )


def from_json(text: str, file: str = "<json>") -> Scenario:
    """Read a scenario from JSON written by :func:`to_json` (or by hand).

    Parameters
    ----------
    text
        The JSON text.
    file
        Name of the text, used in errors.

    Returns
    -------
    Scenario
        The validated scenario (the reach check is not run).

    Raises
    ------
    ScenarioError
        If the text is not JSON or not a valid scenario.
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ScenarioError(f"JSON syntax error: {exc}", file=file) from None
    if not isinstance(data, dict):
        raise ScenarioError("expected a JSON object", file=file, value=type(data).__name__)
    return validate_scenario(data, file)


def scenario_hash(scn: Scenario) -> str:
    """Return the SHA-256 hex digest of the scenario's canonical JSON (see :func:`to_json`).

    The digest of the last few scenario objects is kept (a scenario is frozen; a study
    runs one object many times)."""
    global _HASHED
    for ref, digest in _HASHED:
        if ref() is scn:
            return digest
    digest = hashlib.sha256(to_json(scn).encode("utf-8")).hexdigest()
    _HASHED = [(weakref.ref(scn), digest), *_HASHED[:3]]
    return digest


#: (scenario, digest) of the last scenarios hashed, newest first
_HASHED: list[tuple[weakref.ref[Scenario], str]] = []
