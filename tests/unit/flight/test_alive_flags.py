"""The propagator's per-step view of the alive flags (all alive, how many, retiring a
model whose bodies all ended) as a caller that kills bodies from outside sees it."""

from __future__ import annotations

import numpy as np

from tate.earth import wgs84
from tate.flight.integrator import Propagator
from tate.flight.models.point_mass import PointMass


def _prop(n_a: int, n_b: int) -> Propagator:
    n = n_a + n_b
    lat, lon = np.radians(np.linspace(10, 20, n)), np.radians(np.linspace(30, 40, n))
    pos = wgs84.geodetic_to_ecef(lat, lon, np.full(n, 5000.0)).T
    vel = wgs84.enu_vec_to_ecef(np.tile([100.0, 0.0, 50.0], (n, 1)), lat, lon).T
    models = [PointMass(np.full(k, 0.05), np.full(k, 0.3)) for k in (n_a, n_b)]
    return Propagator(models, pos, vel, np.full(n, 100.0), 0.1, ground=False)


def test_step_reads_the_alive_flags_like_all_and_count_nonzero() -> None:
    prop = _prop(2, 3)
    prop.step()
    assert prop._all_alive and len(prop._active) == 2
    prop.alive[3] = False  # killed from outside, as the engine's pool does
    prop.step()
    assert not prop._all_alive and prop._n_alive == 4 and len(prop._active) == 2
    prop.alive[[0, 1]] = False  # the first model's last bodies
    prop.step()
    assert prop._n_alive == int(np.count_nonzero(prop.alive)) == 2
    assert [m for m, _, _ in prop._active] == [prop.models[1]]


def test_no_bodies_count_as_all_alive() -> None:
    prop = Propagator([PointMass(np.empty(0), np.empty(0))], np.empty((3, 0)),
                      np.empty((3, 0)), np.empty(0), 0.1, ground=False)
    prop.step()
    assert prop._all_alive is bool(prop.alive.all()) is True
