"""Fly-out tables: the shipped data against a fresh flight of some of its cells, the
interpolation against a linear function, and engageability using the tables."""

from __future__ import annotations

import numpy as np
import pytest

from tate.c2.engage import opportunities
from tate.weapons.flyout import GRID, FlyoutTable, compute_table, flyout_table


@pytest.mark.parametrize("name", ["essm-like", "gpi-like"])
def test_shipped_table_matches_a_fresh_flight(name: str) -> None:
    # bodies of one propagation fly independently, so a sub-grid flown again must give
    # the shipped cells (to the 1 ms rounding of the file)
    ranges, alts, t_max = GRID[name]
    shipped = flyout_table(name)
    assert shipped is not None
    sub = compute_table(name, ranges[::5], alts[::3], t_max)
    ref = shipped.time_s[::5, ::3]
    np.testing.assert_array_equal(np.isnan(sub.time_s), np.isnan(ref))
    ok = np.isfinite(ref)
    np.testing.assert_allclose(sub.time_s[ok], ref[ok], atol=2e-3)


def test_every_bundled_preset_has_a_table_with_reachable_cells() -> None:
    for name in GRID:
        t = flyout_table(name)
        assert t is not None and t.time_s.shape == (t.ranges_m.size, t.alts_m.size)
        assert np.isfinite(t.time_s).sum() > t.time_s.size // 4
        # further is later: along each altitude, reachable times grow with range beyond
        # the first few cells (the vertical rise and the turn make the nearest cells odd)
        for j in range(t.alts_m.size):
            col = t.time_s[3:, j]
            col = col[np.isfinite(col)]
            assert np.all(np.diff(col) > 0), (name, j)


def test_bilinear_interpolation_is_exact_for_a_linear_function() -> None:
    r, a = np.linspace(0, 100e3, 11), np.linspace(100.0, 20e3, 5)
    rr, aa = np.meshgrid(r, a, indexing="ij")
    t = 2e-3 * rr + 5e-4 * aa + 3.0
    tab = FlyoutTable("x", r, a, t, np.ones_like(t))
    g = np.array([0.0, 12_345.0, 99_999.0, 50e3])
    h = np.array([100.0, 7_777.0, 19_999.0, 50.0])  # below the lowest row: that row
    np.testing.assert_allclose(tab.time(g, h), 2e-3 * g + 5e-4 * np.maximum(h, 100.0) + 3.0)
    assert np.isnan(tab.time(np.array([100_001.0]), np.array([1e3])))[0]
    assert np.isnan(tab.time(np.array([1e3]), np.array([20_001.0])))[0]
    t2 = t.copy()
    t2[3, 2] = np.nan  # an unreachable corner poisons its cells
    tab2 = FlyoutTable("x", r, a, t2, np.ones_like(t))
    assert np.isnan(tab2.time(np.array([25e3]), np.array([8e3])))[0]
    assert np.isfinite(tab2.time(np.array([5e3]), np.array([1e3])))[0]


def test_engageability_uses_the_flown_table() -> None:
    from tests.unit.c2.test_engage import _launchers

    table = flyout_table("essm-like")
    assert table is not None
    L = _launchers(2, tables=(table, None))
    # a hovering target 40 km out at 2 km: beyond the flown ESSM's reach (the table says
    # unreachable) but inside the kinematic stand-in's
    pos = np.array([[40e3, 0.0, 2e3]])
    opp = opportunities(L, pos, np.zeros((1, 3)), np.array([np.inf]), np.array([False]))
    assert not opp.feasible[0, 0] and opp.feasible[1, 0]
    assert np.isnan(table.time(np.array([40e3]), np.array([2e3])))[0]
    near = np.array([[12e3, 0.0, 2e3]])
    opp = opportunities(L, near, np.zeros((1, 3)), np.array([np.inf]), np.array([False]))
    fly = float(table.time(np.array([12e3]), np.array([2e3 + 12e3**2 / (2 * 6_371_000.0)]))[0])
    assert opp.feasible[0, 0]
    assert opp.flyout[0, 0] == pytest.approx(fly, rel=1e-6)
