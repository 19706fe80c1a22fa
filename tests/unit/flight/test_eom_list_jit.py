"""The list kernels of :mod:`tate.flight._eom_jit` (``environment_list``, ``stage_list``,
``last_list``: one call over an index list, as the interceptor pool's step uses them)
against their per-body twins (``environment_body``, ``stage_body``, ``last_body``) called
body after body: the same bits on every column, the unlisted columns untouched."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from tate.earth import wgs84
from tate.earth.atmosphere import _fast_table
from tate.flight import _eom_jit as k

N = 40
FLAGS = [k.flags_of(*f, True, True) for f in itertools.product((True, False), repeat=3)]


def _scene(seed: int) -> dict[str, np.ndarray]:
    """Random states (-1 km to 1,050 km, 0 to 8 km/s), stages, forces, alive flags, and
    environment arrays filled with a sentinel."""
    rng = np.random.default_rng(seed)
    lat = np.radians(rng.uniform(-90, 90, N))
    lon = np.radians(rng.uniform(-180, 180, N))
    alt = rng.uniform(-1_000.0, 1_050_000.0, N)
    y = np.empty((7, N))
    y[0:3] = wgs84.geodetic_to_ecef(lat, lon, alt).T
    y[3:6] = rng.normal(size=(3, N)) * 2_000.0
    y[6] = rng.uniform(50.0, 500.0, N)
    s = {"y": y, "ys": y + rng.normal(size=(7, N)), "acc": rng.normal(size=(3, N)) * 30.0,
         "mdot": rng.uniform(0.0, 5.0, N), "alive": rng.uniform(size=N) < 0.8}
    for name in ("k1", "k2", "k3"):
        s[name] = rng.normal(size=(7, N))
    for name in ("k", "tmp", "y0", "grav", "up"):
        s[name] = np.full((7 if name in ("k", "tmp", "y0") else 3, N), -7.0)
    for name in ("alt", "rho", "sound", "speed", "qbar", "mach"):
        s[name] = np.full(N, -7.0)
    s["grav"] += rng.normal(size=(3, N))  # the derivative reads the stage's gravitation
    return s


def _env(s: dict[str, np.ndarray]) -> tuple[np.ndarray, ...]:
    return tuple(s[n] for n in ("alt", "rho", "sound", "speed", "qbar", "mach", "grav", "up"))


def _copy(s: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {n: a.copy() for n, a in s.items()}


def _assert_same(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> None:
    for n in a:
        np.testing.assert_array_equal(a[n].view(np.uint8), b[n].view(np.uint8), err_msg=n)


def _idx(seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(N, 25, replace=False)).astype(np.intp)


@pytest.mark.parametrize("flags", FLAGS)
def test_environment_list_is_environment_body(flags: int) -> None:
    tab = _fast_table()
    ref, got = _copy(_scene(1)), _copy(_scene(1))
    idx = _idx(2)
    for j in idx:
        k.environment_body(ref["y"][0:3], ref["y"][3:6], j, *_env(ref), flags, tab.cells,
                           tab.h_rho)
    k.environment_list(got["y"][0:3], got["y"][3:6], idx, idx.shape[0], *_env(got), flags,
                       tab.cells, tab.h_rho)
    _assert_same(ref, got)


@pytest.mark.parametrize(("flags", "same"), [(f, s) for f in FLAGS[::3] for s in (True, False)])
def test_stage_list_is_stage_body(flags: int, same: bool) -> None:
    """``same``: the stage's state is ``tmp`` itself (the pool's second and third stages)."""
    tab = _fast_table()
    ref, got = _copy(_scene(3)), _copy(_scene(3))
    if same:
        ref["tmp"][:], got["tmp"][:] = ref["ys"], got["ys"]
    idx = _idx(4)
    for s in (ref, got):
        s["ys_"] = s["tmp"] if same else s["ys"]
    for j in idx:
        k.stage_body(ref["ys_"], ref["y"], ref["k"], 0.25, ref["tmp"], ref["tmp"][3:6],
                     ref["acc"], ref["mdot"], ref["alive"], j, *_env(ref), flags, tab.cells,
                     tab.h_rho)
    k.stage_list(got["ys_"], got["y"], got["k"], 0.25, got["tmp"], got["acc"], got["mdot"],
                 got["alive"], idx, idx.shape[0], *_env(got), flags, tab.cells, tab.h_rho)
    _assert_same(ref, got)


@pytest.mark.parametrize("flags", FLAGS[::3])
def test_last_list_is_last_body(flags: int) -> None:
    tab = _fast_table()
    ref, got = _copy(_scene(5)), _copy(_scene(5))
    idx = _idx(6)
    h6 = 0.3 / 6.0
    for j in idx:
        k.last_body(ref["ys"], ref["y"], ref["y0"], ref["k1"], ref["k2"], ref["k3"], ref["k"],
                    h6, ref["y"][3:6], ref["acc"], ref["mdot"], ref["alive"], j, *_env(ref),
                    flags, tab.cells, tab.h_rho)
    k.last_list(got["ys"], got["y"], got["y0"], got["k1"], got["k2"], got["k3"], got["k"],
                h6, got["acc"], got["mdot"], got["alive"], idx, idx.shape[0], *_env(got),
                flags, tab.cells, tab.h_rho)
    _assert_same(ref, got)
