"""The exact assigner's lean HiGHS call (:func:`tate.c2.milp._highs`) against
``scipy.optimize.milp`` on the same masters.

Oracles: ``milp`` of the master (its objective, bounds, the CSC matrix of
:meth:`_Master._constraints` as one constraint, the integrality, the options) hands
scipy's ``_highs_wrapper`` the arrays and options that ``_highs`` takes (captured here),
and returns the same status, message, solution, objective and dual bound, for the LP
relaxation, the MIP and the MIP without presolve, on random problems after the first and
a second round of cuts.  ``_highs`` repeats steps of scipy's private ``_highspy``
module, so the installed scipy must be the one pyproject.toml pins.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import scipy
import scipy.optimize._milp as scipy_milp
from scipy.optimize import LinearConstraint, milp
from scipy.sparse import csc_array

from tate.c2.milp import _greedy_shots, _highs, _Master, _Pairs

from .test_milp_matrix import SEEDS, _problem


def test_scipy_is_the_pinned_version() -> None:
    pyproject = Path(__file__).parents[3] / "pyproject.toml"
    pin = re.search(r'"scipy==([^"]+)"', pyproject.read_text())
    assert pin is not None and scipy.__version__ == pin.group(1)


def _masters(seed: int) -> list[_Master]:
    p = _problem(seed)
    m = _Master(p, _Pairs.build(p))
    m.add_first_cuts(m.salvos(_greedy_shots(p)))
    first = _Master(p, m.pairs)
    first.add_first_cuts(first.salvos(_greedy_shots(p)))
    m.add_cuts_at(np.minimum(m.pairs.cap, 1 + seed % 2))
    return [first, m]


@pytest.mark.parametrize("seed", SEEDS[:20])
def test_highs_is_milp(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[Any, ...]] = []
    wrapper = scipy_milp._highs_wrapper

    def spy(*args: Any) -> Any:
        seen.append(args)
        return wrapper(*args)

    monkeypatch.setattr(scipy_milp, "_highs_wrapper", spy)
    for m in _masters(seed):
        for scaled in (False, True):
            ptr, idx, val, lhs, rhs = m._constraints(scaled)
            cons = LinearConstraint(csc_array((val, idx, ptr), shape=(lhs.size, m.n_var)),
                                    lhs, rhs)
            for integ, extra in ((None, {}), (m.integrality, {}),
                                 (m.integrality, {"presolve": False})):
                opts = {"time_limit": 30.0, "mip_rel_gap": 1e-9} | extra
                ref = milp(m.c, integrality=integ, bounds=m.bounds, constraints=cons,
                           options=dict(opts))
                ints = np.zeros(m.n_var, np.uint8) if integ is None else integ.astype(
                    np.uint8)
                got = _highs(m.c, ptr, idx, val, lhs, rhs, m.bounds.lb, m.bounds.ub, ints,
                             opts)
                args = seen.pop()
                mine = (m.c, ptr, idx, val, lhs, rhs, m.bounds.lb, m.bounds.ub, ints)
                for a, b in zip(args[:9], mine, strict=True):
                    np.testing.assert_array_equal(a, b)
                    assert np.asarray(a).dtype == np.asarray(b).dtype
                assert args[9] == {"log_to_console": False, "mip_max_nodes": None} | opts
                assert (got.status, got.message) == (ref.status, ref.message)
                assert got.fun == ref.fun and got.mip_dual_bound == ref.mip_dual_bound
                if ref.x is None:
                    assert got.x is None
                else:
                    np.testing.assert_array_equal(got.x, ref.x)


def test_highs_reports_an_infeasible_model_as_milp() -> None:
    c = np.array([1.0, 1.0])
    ptr, idx, val = np.array([0, 1, 2], np.int32), np.array([0, 0], np.int32), np.ones(2)
    lhs, rhs, lb, ub = np.array([3.0]), np.array([np.inf]), np.zeros(2), np.ones(2)
    for ints in (np.zeros(2, np.uint8), np.ones(2, np.uint8)):
        opts = {"time_limit": 5.0, "mip_rel_gap": 1e-9}
        ref = milp(c, integrality=ints, bounds=(lb, ub),
                   constraints=LinearConstraint(csc_array((val, idx, ptr), shape=(1, 2)),
                                                lhs, rhs), options=dict(opts))
        got = _highs(c, ptr, idx, val, lhs, rhs, lb, ub, ints, opts)
        assert ref.status == 2 and (got.status, got.message) == (ref.status, ref.message)
        assert got.x is None and got.fun is None


def test_highs_sets_every_option_at_each_call(monkeypatch: pytest.MonkeyPatch) -> None:
    """The options object is reused between calls: each call hands HiGHS its own
    time limit, gap and presolve (a call without presolve leaves none behind)."""
    import scipy.optimize._highspy._core as hs

    from tate.c2 import milp as milp_mod

    passed: list[tuple[float, float, str, bool]] = []
    real = hs._Highs.passOptions

    def spy(self: Any, opt: Any) -> Any:
        passed.append((opt.time_limit, opt.mip_rel_gap, opt.presolve, opt.log_to_console))
        return real(self, opt)

    monkeypatch.setattr(hs._Highs, "passOptions", spy)
    m = _masters(SEEDS[0])[1]
    ptr, idx, val, lhs, rhs = m._constraints(False)
    ints = m.integrality.astype(np.uint8)
    for opts in ({"time_limit": 7.0, "mip_rel_gap": 1e-6, "presolve": False},
                 {"time_limit": 9.0, "mip_rel_gap": 1e-9}):
        _highs(m.c, ptr, idx, val, lhs, rhs, m.bounds.lb, m.bounds.ub, ints, opts)
    assert passed == [(7.0, 1e-6, "off", False), (9.0, 1e-9, "choose", False)]
    default = hs.HighsOptions()
    assert default.presolve == "choose"
    assert milp_mod._options() is milp_mod._options()
