"""Sweep grids: parse ``--set KEY=VALUES``, build the grid, apply one grid point to a scenario.

``tate sweep FILE --set KEY=VALUES [--set ...]`` runs every combination of the values
(the Cartesian product, first ``--set`` slowest), each combination many times with the
same seeds (docs/studies.md).  This module is the pure part of it: no I/O, no
simulation.  It works on the raw TOML data (the ``dict`` that :func:`tomllib.loads`
gives), so anything a scenario file can say can be swept, and every variant is checked
by the same validator as a file (:func:`tate.scenario.loader.validate_scenario`).

Values (:func:`parse_set`)
--------------------------
``KEY=V1,V2,...`` lists values; ``KEY=START:STOP:STEP`` is a range with STOP included
when it lies on the grid (``2:12:2`` gives 2, 4, …, 12); both forms may be mixed
(``1,2,5:20:5``).  Each value is read as

* an integer (``12``, ``-3``), else a decimal number (``0.25``, ``1e3``), else
* ``true`` / ``false`` (a bool), else ``none`` (``None``: see below), else
* the text as it is (``emrg-32mj-like``).  Write ``"..."`` (double quotes, passed
  through the shell, e.g. ``--set 'name="12"'``) for a string that would otherwise read
  as one of the above, or that holds a colon.

If one ``--set`` mixes integers and decimal numbers, the integers become floats (one
column type in the results).  A float range gives ``START + k·STEP`` for k = 0, 1, …
(no accumulated rounding), each rounded to 12 significant digits, so ``0:1:0.1``
gives exactly ``0.3``, not ``0.30000000000000004``.

Keys (:func:`apply_overrides`)
------------------------------
A key is a dotted path into the file:

* a table by its key: ``c2.salvo`` (a missing table such as ``[c2]`` is created);
  inline tables alike: ``threats.HGV-2.manoeuvre.bank_deg``,
  ``threats.HGV-1.glide.lift_to_drag.normal.std``;
* an array item by its ``id`` (``ships.DDG-A``, ``sensors.UAV-1``) or by its index from
  0 (``threats.0``, ``threats.HGV-1.stages.1.isp_s``).  Ids may contain dots (a group
  member is named ``ID.1``): the longest id that fits the key is taken, so with ids
  ``A`` and ``A.1`` the key ``threats.A.1.count`` means the item ``A.1``.
* ``none`` removes the key, so the schema's default applies: for ``ships.X.railgun``
  that is no railgun, for ``ships.X.magazine`` the class's loadout.
* An array item set to ``false`` (or ``none``) is removed and ``true`` keeps it as it
  is: ``sensors.UAV-1=true,false`` sweeps a drone picket on and off.  Items are removed
  after every other key of the point is set, so indices always count in the file.
* A ship without a ``magazine`` gets its class's loadout before a key inside it is set,
  so ``ships.DDG-A.magazine.sm6-like=8,16`` changes the SM-6 count only.

Useful sweeps (the ids are those of ``src/tate/scenario/data/default.toml``)
----------------------------------------------------------------------------
* ship speed against railgun power: ``ships.DDG-A.speed_kn=0:30:10``; propulsion takes
  plant power the railgun's capacitor banks need (docs/railgun_power.md);
* railgun or none: ``ships.DDG-A.railgun=emrg-32mj-like,atla-40mm-like,none``;
* magazine depth: ``ships.DDG-A.magazine.sm6-like=8:32:8``;
* salvo size: ``c2.doctrine=salvo`` with ``c2.salvo=1:4:1``;
* raid size: ``threats.OWA-1.count=4:24:4``;
* a drone radar picket on and off (examples/sensors.toml): ``sensors.UAV-1=true,false``.

Every problem with a ``--set`` is a :class:`~tate.errors.TateError` naming it (the CLI
exits with code 2); a variant that is not a valid scenario raises a
:class:`SweepPointError`, a :class:`~tate.errors.ScenarioError` whose text starts with
the grid point (``with c2.salvo=5: default.toml: c2.salvo: must be <= 4, got 5``).
"""

from __future__ import annotations

import copy
import itertools
import math
import re
import tomllib
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from tate.errors import ScenarioError, TateError

if TYPE_CHECKING:
    from tate.scenario.schema import Scenario

__all__ = [
    "MAX_VALUES",
    "SweepPointError",
    "apply_overrides",
    "format_value",
    "grid",
    "parse_set",
    "parse_value",
    "point_label",
    "scenario_for_point",
]

#: Most values one ``--set`` may give.
MAX_VALUES = 10_000

_INT = re.compile(r"[+-]?\d+\Z")
_FLOAT = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\Z")
_INDEX = re.compile(r"\d+\Z")
_WORDS: dict[str, Any] = {"true": True, "false": False, "none": None}
_FORM = "write KEY=V1,V2,... or KEY=START:STOP:STEP"


class SweepPointError(ScenarioError):
    """A grid point whose scenario is invalid: the scenario error, led by the point.

    ``message``, ``path``, ``value`` and ``file`` are those of the scenario error, so
    code that reads them (or calls :meth:`with_file`) treats it as that error.

    Parameters
    ----------
    label
        The grid point, as :func:`point_label` writes it.
    cause
        The error of the scenario of that point.
    """

    def __init__(self, label: str, cause: ScenarioError) -> None:
        self.label = label
        self.cause = cause
        self.errors: tuple[ScenarioError, ...] = getattr(cause, "errors", (cause,))
        super().__init__(cause.message, cause.path, cause.value, cause.file)

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return SweepPointError, (self.label, self.cause)

    def with_file(self, file: str) -> SweepPointError:
        """Return a copy of this error that names ``file``."""
        return SweepPointError(self.label, self.cause.with_file(file))

    def __str__(self) -> str:
        return f"with {self.label}: {self.cause}"


# -- values -------------------------------------------------------------------------------
def _number(text: str) -> int | float | None:
    """``text`` as an int or a float if it is a numeric literal, else ``None``."""
    if _INT.match(text):
        return int(text)
    if _FLOAT.match(text):
        return float(text)
    return None


def parse_value(text: str) -> Any:
    """Read one value of a ``--set`` as an int, float, bool, ``None`` or string.

    Parameters
    ----------
    text
        The value as written; surrounding blanks are ignored.  ``"..."`` is always the
        string inside the quotes.

    Returns
    -------
    int, float, bool, None or str
        The first that fits: integer literal, decimal literal, ``true``/``false``,
        ``none`` (any case), else the text.
    """
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return text[1:-1]
    number = _number(text)
    if number is not None:
        return number
    return _WORDS.get(text.lower(), text)


def _fail(spec: str, what: str) -> TateError:
    return TateError(f"--set {spec!r}: {what}")


def _round12(x: float) -> float:
    """``x`` rounded to 12 significant digits (and ``-0.0`` made ``0.0``)."""
    return float(f"{x:.12g}") + 0.0


def _range(item: str, spec: str, room: int) -> list[Any]:
    """The values of ``START:STOP:STEP`` (at most ``room`` of them)."""
    parts = [p.strip() for p in item.split(":")]
    if len(parts) != 3:
        raise _fail(spec, f"a range is START:STOP:STEP, got {item!r}")
    numbers = [_number(p) for p in parts]
    for text, number in zip(parts, numbers, strict=True):
        if number is None:
            raise _fail(spec, f"range {item!r}: {text!r} is not a number")
    start, stop, step = (n for n in numbers if n is not None)
    if step == 0:
        raise _fail(spec, f"range {item!r}: the step must not be 0")
    if (stop - start) * step < 0:
        raise _fail(spec, f"range {item!r}: a step of {step} never reaches {stop} from "
                          f"{start} (wrong sign)")
    steps = (stop - start) / step
    if not math.isfinite(steps) or steps >= room:
        raise _fail(spec, f"range {item!r}: more than {MAX_VALUES:,} values")
    if all(isinstance(n, int) for n in numbers):
        return [start + k * step for k in range(int(stop - start) // int(step) + 1)]
    count = math.floor(steps + 1e-9 * max(1.0, steps)) + 1
    return [_round12(start + k * step) for k in range(count)]


def _split(text: str, spec: str) -> list[str]:
    """Split at commas outside double quotes."""
    items: list[str] = []
    current: list[str] = []
    quoted = False
    for char in text:
        if char == '"':
            quoted = not quoted
        if char == "," and not quoted:
            items.append("".join(current))
            current = []
        else:
            current.append(char)
    if quoted:
        raise _fail(spec, "a double quote is not closed")
    items.append("".join(current))
    return items


def _parse_item(item: str, spec: str, room: int = MAX_VALUES) -> list[Any]:
    """One comma-separated item: a range, or a single value."""
    text = item.strip()
    if not text:
        raise _fail(spec, "empty value (two commas in a row, or one at an end)")
    if not text.startswith('"') and ":" in text and _number(text.split(":")[0].strip()) is not None:
        return _range(text, spec, room)
    return [parse_value(text)]


def _same(value: Any) -> tuple[str, Any]:
    """A key under which two values are duplicates (a bool is not an int)."""
    return type(value).__name__, value


def parse_set(spec: str) -> tuple[str, list[Any]]:
    """Parse one ``--set KEY=VALUES`` argument.

    Parameters
    ----------
    spec
        ``KEY=V1,V2,...``, ``KEY=START:STOP:STEP`` or a mix
        (``threats.HGV-1.count=1,2:12:2``); see the module docstring for how values
        are read.

    Returns
    -------
    tuple of (str, list)
        The key (blanks stripped) and its values in the order given.

    Raises
    ------
    TateError
        Naming the spec: no ``=``, an empty key, an empty part of the key, no values,
        an empty value, a malformed range, a step of 0 or of the wrong sign, more than
        :data:`MAX_VALUES` values, or a value given twice.
    """
    if "=" not in spec:
        raise _fail(spec, f"missing '='; {_FORM}")
    key, _, text = spec.partition("=")
    key = key.strip()
    if not key:
        raise _fail(spec, f"empty key before '='; {_FORM}")
    if any(not part.strip() for part in key.split(".")):
        raise _fail(spec, f"empty part in key {key!r}")
    if not text.strip():
        raise _fail(spec, f"no values after '='; {_FORM}")
    values: list[Any] = []
    for item in _split(text, spec):
        values += _parse_item(item, spec, MAX_VALUES - len(values))
        if len(values) > MAX_VALUES:
            raise _fail(spec, f"more than {MAX_VALUES:,} values")
    if any(isinstance(v, float) for v in values):
        values = [float(v) if isinstance(v, int) and not isinstance(v, bool) else v
                  for v in values]
    seen: set[tuple[str, Any]] = set()
    for value in values:
        if _same(value) in seen:
            raise _fail(spec, f"value {format_value(value)} is given twice")
        seen.add(_same(value))
    return key, values


def format_value(value: Any) -> str:
    """Write a value as a ``--set`` would give it (the inverse of :func:`parse_value`).

    ``None`` is ``none``, bools ``true``/``false``, floats their shortest ``repr``; a
    string that would read as something else (``"12"``, ``"none"``) or holds a comma
    is put in double quotes.
    """
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    text = str(value)
    try:
        plain = "," not in text and _parse_item(text, text) == [text]
    except TateError:
        plain = False
    return text if plain else f'"{text}"'


def point_label(keys: Sequence[str], values: Sequence[Any]) -> str:
    """A grid point for people: ``"c2.salvo=2, threats.HGV-1.count=4"``.

    Parameters
    ----------
    keys
        The swept keys.
    values
        The point's value of each key, in the same order.

    Returns
    -------
    str
        ``KEY=VALUE`` pairs (values as :func:`format_value` writes them), joined by
        ``", "``; ``""`` for a point without keys.
    """
    return ", ".join(f"{k}={format_value(v)}" for k, v in zip(keys, values, strict=True))


def grid(sets: list[tuple[str, list[Any]]]) -> list[tuple[Any, ...]]:
    """The Cartesian product of the values of every ``--set``.

    Parameters
    ----------
    sets
        ``(key, values)`` pairs as :func:`parse_set` returns them.

    Returns
    -------
    list of tuple
        One tuple of values per grid point, in key order; the first key varies
        slowest.  Without sets, one point with no values: ``[()]``.

    Raises
    ------
    TateError
        If a key is given twice or has no values.
    """
    keys: set[str] = set()
    for key, values in sets:
        if key in keys:
            raise TateError(f"--set {key}: the key is given twice; give all its values in "
                            "one --set")
        if not values:
            raise TateError(f"--set {key}: no values")
        keys.add(key)
    return list(itertools.product(*(values for _, values in sets)))


# -- overrides ----------------------------------------------------------------------------
def _where(parts: Sequence[str]) -> str:
    return ".".join(parts) if parts else "the top level"


def _dict_step(node: dict[str, Any], parts: list[str], i: int) -> tuple[str, int]:
    """The key of ``node`` that ``parts[i:]`` starts with (the longest one that exists)."""
    for n in range(len(parts) - i, 1, -1):
        name = ".".join(parts[i:i + n])
        if name in node:
            return name, n
    return parts[i], 1


def _list_step(node: list[Any], parts: list[str], i: int, key: str) -> tuple[int, int]:
    """The index of the item of ``node`` that ``parts[i:]`` names, by id or by index."""
    ids = [item.get("id") if isinstance(item, dict) else None for item in node]
    for n in range(len(parts) - i, 0, -1):
        name = ".".join(parts[i:i + n])
        if name in ids:
            return ids.index(name), n
    if _INDEX.match(parts[i]) and int(parts[i]) < len(node):
        return int(parts[i]), 1
    where = _where(parts[:i])
    names = [name for name in ids if isinstance(name, str)]
    if not node:
        valid = f"{where} is empty"
    elif names:
        valid = f"valid ids: {', '.join(names)} (or an index 0 to {len(node) - 1})"
    else:
        valid = f"valid indices: 0 to {len(node) - 1}"
    raise TateError(f"--set {key}: no item {parts[i]!r} in {where}; {valid}")


def _class_magazine(ship: Mapping[str, Any]) -> dict[str, Any]:
    """The default magazine of a ship's class (empty for an unknown class)."""
    from tate.scenario.presets import SHIP_CLASSES

    cls = SHIP_CLASSES.get(str(ship.get("class")))
    return dict(cls.magazine) if cls is not None else {}


def _new_table(data: Mapping[str, Any], parent: Mapping[str, Any], name: str) -> dict[str, Any]:
    """A table for a missing key on a path: a ship's class loadout for its ``magazine``."""
    ships = data.get("ships")
    if name == "magazine" and isinstance(ships, list) and any(parent is s for s in ships):
        return _class_magazine(parent)
    return {}


def _locate(data: dict[str, Any], key: str) -> tuple[dict[str, Any] | list[Any], str | int]:
    """Follow ``key`` to its last part: the container that holds it and its key or index.

    Tables missing on the way are created (a ship's missing ``magazine`` as its class's).
    """
    parts = [part.strip() for part in key.split(".")]
    if any(not part for part in parts):
        raise TateError(f"--set {key}: empty part in the key")
    node: dict[str, Any] | list[Any] = data
    i = 0
    while True:
        slot: str | int
        if isinstance(node, dict):
            slot, n = _dict_step(node, parts, i)
        else:
            slot, n = _list_step(node, parts, i, key)
        if i + n == len(parts):
            return node, slot
        if isinstance(node, dict):
            if slot not in node:
                node[str(slot)] = _new_table(data, node, str(slot))
            child = node[str(slot)]
        else:
            child = node[int(slot)]
        i += n
        if not isinstance(child, dict | list):
            raise TateError(f"--set {key}: {_where(parts[:i])} is a value ({child!r}), not a "
                            f"table or an array, so {'.'.join(parts[i:])!r} cannot be in it")
        node = child


def apply_overrides(raw: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of raw scenario data with each dotted key set to its value.

    Parameters
    ----------
    raw
        The scenario as :func:`tomllib.loads` gives it; not changed.
    values
        Dotted key (see the module docstring) → value.  ``None`` removes the key; for an
        item of an array, ``False``/``None`` removes the item and ``True`` keeps it.

    Returns
    -------
    dict
        A deep copy of ``raw`` with the overrides applied (not validated).

    Raises
    ------
    TateError
        Naming the key: an unknown id or an index out of range (listing the valid ids),
        a path through a plain value, or a table item set to anything but a bool or
        ``None``.
    """
    data = copy.deepcopy(dict(raw))
    removals: dict[tuple[int, int], tuple[list[Any], int]] = {}
    for key, value in values.items():
        node, slot = _locate(data, key)
        if isinstance(node, dict):
            if value is None:
                node.pop(str(slot), None)
            else:
                node[str(slot)] = value
            continue
        index = int(slot)
        table = isinstance(node[index], dict)
        if value is None or value is False:
            removals[id(node), index] = (node, index)
        elif table and value is not True:
            raise TateError(f"--set {key}: the item is a table; set one of its keys, or set "
                            f"it to true or false to keep or remove it, got {value!r}")
        elif not table:
            node[index] = value
    for node, index in sorted(removals.values(), key=lambda r: -r[1]):
        del node[index]
    return data


def scenario_for_point(text: str, file: str, values: Mapping[str, Any]) -> Scenario:
    """Validate the scenario of one grid point.

    Parameters
    ----------
    text
        The scenario file's TOML text.
    file
        The file's name, used in errors.
    values
        Dotted key → value of the point (see :func:`apply_overrides`).

    Returns
    -------
    Scenario
        The validated variant (the reach check is not run).

    Raises
    ------
    ScenarioError
        If the text is not TOML; a :class:`SweepPointError` naming the point if the
        variant is not a valid scenario.
    TateError
        If a key does not fit the file (see :func:`apply_overrides`).
    """
    from tate.scenario.loader import validate_scenario

    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"TOML syntax error: {exc}", file=file) from None
    data = apply_overrides(raw, values)
    try:
        return validate_scenario(data, file)
    except ScenarioError as exc:
        if not values:
            raise
        label = point_label(list(values), list(values.values()))
        raise SweepPointError(label, exc) from None
