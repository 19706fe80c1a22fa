"""Scenarios: the schema of a scenario file, loading and checking it, uncertainty, summaries.

A scenario file (TOML) names the defended ships and assets and the raid of
threats; :func:`load_scenario` reads and validates it into a frozen
:class:`Scenario`, and every mistake in the file becomes one
:class:`~tate.errors.ScenarioError` naming the file, the key path and the value.
Numeric fields may hold distributions; :func:`sample_scenario` draws a concrete
scenario from them.  :func:`to_json`, :func:`from_json` and
:func:`scenario_hash` serialise and fingerprint a scenario.

Importing this package loads pydantic but not numpy or rich.
"""

from __future__ import annotations

from tate.scenario.distributions import Distribution, Normal, Triangular, Uniform
from tate.scenario.fields import Bounds
from tate.scenario.loader import (
    ScenarioErrors,
    default_scenario_path,
    load_scenario,
    loads_scenario,
    validate_scenario,
)
from tate.scenario.presets import SHIP_CLASSES, ShipClass
from tate.scenario.sampler import (
    is_concrete,
    nominal_scenario,
    sample_scenario,
    uncertain_fields,
)
from tate.scenario.schema import (
    THREAT_MODELS,
    Aim,
    Asset,
    BallisticThreat,
    BoostGlideThreat,
    CruiseThreat,
    Dive,
    DroneThreat,
    Glide,
    LatLon,
    Launch,
    Manoeuvre,
    PointMassThreat,
    Scenario,
    Ship,
    Stage,
    Terminal,
    Threat,
)
from tate.scenario.serialize import from_json, scenario_hash, to_json
from tate.scenario.summary import describe, great_circle_km, summary_table

__all__ = [
    "SHIP_CLASSES",
    "THREAT_MODELS",
    "Aim",
    "Asset",
    "BallisticThreat",
    "BoostGlideThreat",
    "Bounds",
    "CruiseThreat",
    "Distribution",
    "Dive",
    "DroneThreat",
    "Glide",
    "LatLon",
    "Launch",
    "Manoeuvre",
    "Normal",
    "PointMassThreat",
    "Scenario",
    "ScenarioErrors",
    "Ship",
    "ShipClass",
    "Stage",
    "Terminal",
    "Threat",
    "Triangular",
    "Uniform",
    "default_scenario_path",
    "describe",
    "from_json",
    "great_circle_km",
    "is_concrete",
    "load_scenario",
    "loads_scenario",
    "nominal_scenario",
    "sample_scenario",
    "scenario_hash",
    "summary_table",
    "to_json",
    "uncertain_fields",
    "validate_scenario",
]
