"""Single-pulse detection probability of fluctuating targets, and the radar horizon.

Square-law detection of one pulse in white Gaussian noise at false-alarm
probability P_fa, threshold T = −ln P_fa on the normalised output (Richards,
*Fundamentals of Radar Signal Processing*, 2nd ed., 2014, §6.2–6.3; Skolnik,
*Introduction to Radar Systems*, 3rd ed., §2.7):

* Swerling 0 (steady target): P_d = Q₁(√(2S), √(2T)), the first-order Marcum Q,
  evaluated as the survival function of a non-central chi-square with 2 degrees
  of freedom and non-centrality 2S at 2T;
* Swerling 1 (exponential RCS, scan to scan): P_d = P_fa^(1/(1+S));
* Swerling 3 (chi-square, 4 degrees of freedom): P_d = (1 + 2ST/(2+S)²)·exp(−2T/(2+S)).

S is the mean signal-to-noise ratio (linear).  Albersheim's closed-form
approximation of the SNR a steady target needs (Albersheim 1981; Richards eq.
6.75; usually quoted as ±0.2 dB for 0.1 ≤ P_d ≤ 0.9, 1e-7 ≤ P_fa ≤ 1e-3) is
provided as an independent check; against the exact single-pulse Marcum Q it
holds to 0.2 dB for P_d ≥ 0.5 but not at P_d = 0.1 (4 dB off at P_fa = 1e-3).

Shnidman's closed-form approximation of the required SNR for Swerling 0–4 targets
and N non-coherently integrated pulses (D. A. Shnidman, "Determination of required
SNR values", IEEE Trans. AES 38(3), 2002, 1059–1064; as written in Richards 2014,
§6.3, eqs. ending at (6.112), pp. 490–491): Richards quotes it as within 0.5 dB for
0.1 ≤ P_d ≤ 0.99, 1e-9 ≤ P_fa ≤ 1e-3, 1 ≤ N ≤ 100, "except at the extreme values
of P_d for the Swerling 1 case".  Against the exact single-pulse formulas above,
over that box (tests/unit/sensors/test_shnidman.py): Swerling 0 within 0.23 dB;
Swerling 3 within 0.57 dB (0.5 dB but for P_d ≈ 0.87 at P_fa ≈ 1e-9 and P_d ≥ 0.97 at
P_fa = 1e-3); Swerling 1 within 0.5 dB for 0.25 ≤ P_d ≤ 0.9 and 1e-8 ≤ P_fa ≤ 1e-4, but up to
1.1 dB at the ends (P_d ≥ 0.94, or P_d < 0.25 with P_fa ≥ 1e-7).

Radar horizon over a 4/3 effective Earth: d = √(2kR h_r) + √(2kR h_t)
(docs/references.md §2).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.stats import ncx2

__all__ = [
    "EARTH_RADIUS",
    "albersheim_snr_db",
    "false_alarm_count",
    "pd_swerling",
    "radar_horizon",
    "shnidman_snr_db",
]

F64 = NDArray[np.float64]
EARTH_RADIUS = 6_371_000.0  #: mean Earth radius of the horizon formula [m]
SWERLING_CASES = (0, 1, 3)


def pd_swerling(snr: ArrayLike, pfa: float, case: int) -> F64:
    """Single-pulse detection probability.

    Parameters
    ----------
    snr
        Mean signal-to-noise ratio, linear (not dB) [-].
    pfa
        False-alarm probability, in (0, 1).
    case
        Swerling case 0, 1 or 3.
    """
    if not 0.0 < pfa < 1.0:
        raise ValueError(f"pfa must be in (0, 1), got {pfa}")
    if case not in SWERLING_CASES:
        raise ValueError(f"Swerling case must be one of 0, 1, 3, got {case}")
    s = np.asarray(snr, dtype=float)
    if np.any(s < 0):
        raise ValueError(f"snr must be >= 0 (linear), got {s.min()}")
    t = -np.log(pfa)
    if case == 0:
        return np.where(s > 0, ncx2.sf(2.0 * t, 2, 2.0 * np.maximum(s, 1e-300)), pfa)
    if case == 1:
        return np.asarray(pfa ** (1.0 / (1.0 + s)))
    return np.asarray((1.0 + 2.0 * s * t / (2.0 + s) ** 2) * np.exp(-2.0 * t / (2.0 + s)))


def albersheim_snr_db(pd: float, pfa: float, pulses: int = 1) -> float:
    """Albersheim's SNR [dB] for a steady target, ``pulses`` non-coherently integrated."""
    a = np.log(0.62 / pfa)
    b = np.log(pd / (1.0 - pd))
    n = float(pulses)
    return float(-5.0 * np.log10(n) + (6.2 + 4.54 / np.sqrt(n + 0.44))
                 * np.log10(a + 0.12 * a * b + 1.7 * b))


def radar_horizon(h_radar: ArrayLike, h_target: ArrayLike, k: float = 4.0 / 3.0) -> F64:
    """Radar horizon [m] between antenna and target heights [m] over a k·R Earth."""
    hr = np.asarray(h_radar, dtype=float)
    ht = np.asarray(h_target, dtype=float)
    if np.any(hr < 0) or np.any(ht < 0):
        raise ValueError("heights must be >= 0")
    re = k * EARTH_RADIUS
    return np.sqrt(2.0 * re * hr) + np.sqrt(2.0 * re * ht)


def shnidman_snr_db(pd: ArrayLike, pfa: ArrayLike, n_pulses: int = 1, swerling: int = 0) -> F64:
    """Shnidman's required single-pulse SNR [dB] for a Swerling 0–4 target.

    Parameters
    ----------
    pd
        Required detection probability, in (0, 1); the fit covers 0.1–0.99.
    pfa
        False-alarm probability, in (0, 1); the fit covers 1e-9–1e-3.
    n_pulses
        Number of pulses integrated non-coherently (square law), >= 1; fit 1–100.
    swerling
        Swerling case 0 (steady), 1, 2, 3 or 4.

    Returns
    -------
    NDArray[np.float64]
        SNR of one pulse [dB], the broadcast shape of ``pd`` and ``pfa``.

    Notes
    -----
    With K = ∞, 1, N, 2, 2N for Swerling 0–4 and α = 0 (N < 40) or 1/4:

    η = √(−0.8 ln(4 P_fa(1 − P_fa))) + sign(P_d − ½) √(−0.8 ln(4 P_d(1 − P_d))),
    X_∞ = η (η + 2 √(N/2 + α − ¼)),
    C₁ = (((17.7006 P_d − 18.4496) P_d + 14.5339) P_d − 3.525) / K,
    C₂ = (exp(27.31 P_d − 25.14) + (P_d − 0.8)(0.7 ln(1e-5/P_fa) + (2N − 20)/80)) / K,
    C_dB = C₁ for P_d ≤ 0.872, C₁ + C₂ above,
    SNR = 10^(C_dB/10) · X_∞ / N.

    References
    ----------
    Shnidman (2002), IEEE Trans. AES 38(3); Richards, *Fundamentals of Radar Signal
    Processing*, 2nd ed. (2014), pp. 490–491.
    """
    p_d = np.asarray(pd, dtype=float)
    p_fa = np.asarray(pfa, dtype=float)
    if np.any((p_d <= 0.0) | (p_d >= 1.0)):
        raise ValueError(f"pd must be in (0, 1), got {p_d.min()}..{p_d.max()}")
    if np.any((p_fa <= 0.0) | (p_fa >= 1.0)):
        raise ValueError(f"pfa must be in (0, 1), got {p_fa.min()}..{p_fa.max()}")
    if int(n_pulses) != n_pulses or n_pulses < 1:
        raise ValueError(f"n_pulses must be an integer >= 1, got {n_pulses}")
    if swerling not in (0, 1, 2, 3, 4):
        raise ValueError(f"Swerling case must be one of 0, 1, 2, 3, 4, got {swerling}")
    n = float(n_pulses)
    alpha = 0.0 if n < 40 else 0.25
    eta = np.sqrt(-0.8 * np.log(4.0 * p_fa * (1.0 - p_fa))) + np.sign(p_d - 0.5) * np.sqrt(
        -0.8 * np.log(4.0 * p_d * (1.0 - p_d)))
    x_inf = eta * (eta + 2.0 * np.sqrt(n / 2.0 + alpha - 0.25))
    c_db = np.zeros(np.broadcast_shapes(p_d.shape, p_fa.shape))
    if swerling != 0:
        k = {1: 1.0, 2: n, 3: 2.0, 4: 2.0 * n}[swerling]
        c1 = (((17.7006 * p_d - 18.4496) * p_d + 14.5339) * p_d - 3.525) / k
        c2 = (np.exp(27.31 * p_d - 25.14)
              + (p_d - 0.8) * (0.7 * np.log(1e-5 / p_fa) + (2.0 * n - 20.0) / 80.0)) / k
        c_db = c_db + np.where(p_d <= 0.872, c1, c1 + c2)
    return np.asarray(c_db + 10.0 * np.log10(x_inf / n), dtype=float)


def false_alarm_count(n_cells: ArrayLike, pfa: ArrayLike) -> F64:
    """Expected number of false alarms [-] among ``n_cells`` independent resolution cells
    tested at false-alarm probability ``pfa`` (the mean of a binomial count, n·P_fa)."""
    cells = np.asarray(n_cells, dtype=float)
    p = np.asarray(pfa, dtype=float)
    if np.any(cells < 0):
        raise ValueError(f"n_cells must be >= 0, got {cells.min()}")
    if np.any((p < 0.0) | (p > 1.0)):
        raise ValueError(f"pfa must be in [0, 1], got {p.min()}..{p.max()}")
    return np.asarray(cells * p, dtype=float)
