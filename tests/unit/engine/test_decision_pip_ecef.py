"""The launch's PIP conversion (tate.engine.decision.pip_to_ecef) against
wgs84.enu_to_ecef (the numpy route it replaces): the same bits."""

from __future__ import annotations

import numpy as np

from tate.earth import wgs84
from tate.engine.decision import pip_to_ecef


def test_pip_to_ecef_is_enu_to_ecef_to_the_bit() -> None:
    rng = np.random.default_rng(3)
    for _ in range(200):
        lat, lon = np.radians(rng.uniform(-89, 89)), np.radians(rng.uniform(-180, 180))
        alt = float(rng.uniform(-100.0, 5000.0))
        frame = wgs84.enu_frame(lat, lon, alt)
        enu = rng.normal(0.0, 1.0, 3) * 10.0 ** rng.uniform(0, 6, 3)
        got = pip_to_ecef(frame, enu)
        ref = wgs84.enu_to_ecef(enu[None], lat, lon, alt)[0]
        assert got.dtype == np.float64 and got.shape == (3,)
        np.testing.assert_array_equal(got, ref)
