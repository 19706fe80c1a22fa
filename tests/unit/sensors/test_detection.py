"""Detection probability against Monte Carlo simulation of fluctuating targets and
Albersheim's equation; radar horizon against docs/references.md §6."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import brentq

from tate.sensors.detection import albersheim_snr_db, pd_swerling, radar_horizon


@pytest.mark.parametrize(("h_t", "ref_km"), [(5.0, 29.8), (40_000.0, 845.0)])
def test_radar_horizon_reference(h_t: float, ref_km: float) -> None:
    # 25 m mast: 29.8 km against a 5 m sea-skimmer, 845 km against a 40 km glider (±0.5 %).
    assert float(radar_horizon(25.0, h_t)) / 1e3 == pytest.approx(ref_km, rel=5e-3)


@pytest.mark.parametrize("pfa", [1e-3, 1e-5, 1e-7])
@pytest.mark.parametrize("pd", [0.5, 0.7, 0.9])
def test_steady_target_snr_matches_albersheim(pd: float, pfa: float) -> None:
    # Invert our exact Swerling 0 curve; Albersheim is within ±0.2 dB here.  (For one
    # pulse at P_d = 0.1 it is not: 4.1 dB exact against 0.0 dB at P_fa = 1e-3, so the
    # low-P_d corner is checked by the simulation test below instead.)
    snr_db = brentq(lambda x: float(pd_swerling(10 ** (x / 10), pfa, 0)) - pd, -10.0, 30.0)
    assert snr_db == pytest.approx(albersheim_snr_db(pd, pfa), abs=0.2)


@pytest.mark.parametrize("case", [0, 1, 3])
@pytest.mark.parametrize("snr_db", [3.0, 10.0, 16.0])
def test_detection_probability_matches_simulation(case: int, snr_db: float) -> None:
    # Square-law detector on one pulse: complex signal of power σ (random per case) in
    # unit complex Gaussian noise; detection when |y|² exceeds −ln(Pfa).
    rng = np.random.default_rng(1000 * case + int(snr_db))
    n, pfa = 400_000, 1e-4
    s = 10 ** (snr_db / 10)
    if case == 0:
        power = np.full(n, s)
    elif case == 1:
        power = rng.exponential(s, n)
    else:
        power = rng.gamma(2.0, s / 2.0, n)  # chi-square, 4 degrees of freedom, mean s
    phase = rng.uniform(0, 2 * np.pi, n)
    noise = (rng.normal(size=n) + 1j * rng.normal(size=n)) / np.sqrt(2)
    y = np.sqrt(power) * np.exp(1j * phase) + noise
    simulated = np.mean(np.abs(y) ** 2 > -np.log(pfa))
    expected = float(pd_swerling(s, pfa, case))
    assert simulated == pytest.approx(expected, abs=4 * np.sqrt(expected * (1 - expected) / n)
                                      + 1e-4)


def test_no_signal_gives_the_false_alarm_rate_and_bad_input_is_refused() -> None:
    for case in (0, 1, 3):
        assert float(pd_swerling(0.0, 1e-6, case)) == pytest.approx(1e-6, rel=1e-9)
    with pytest.raises(ValueError, match="Swerling case"):
        pd_swerling(1.0, 1e-6, 2)
    with pytest.raises(ValueError, match="pfa"):
        pd_swerling(1.0, 1.5, 1)
    with pytest.raises(ValueError, match="snr"):
        pd_swerling(-1.0, 1e-6, 1)
