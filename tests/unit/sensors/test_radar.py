"""Radar kernels against closed forms, hand-computed radar equations, brute force and the
radar-horizon reference cases of REFERENCES.md §6."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tate.earth.wgs84 import aer_to_enu
from tate.sensors.presets import IR_SENSORS, RADARS, SPY6_GAIN_DB, ir_preset, radar_preset
from tate.sensors.radar import (
    ANGLE_BIAS_RAD,
    MONOPULSE_SLOPE,
    RadarSpec,
    detection_range_m,
    face_geometry,
    false_alarms_per_frame,
    from_loop_gain,
    from_power_aperture,
    measurement_std,
    pd,
    required_snr_db,
    snr_db,
    visible,
)

SPEC = RadarSpec("test", "S", 3.0e9, snr_ref_db=30.0, ref_range_m=100e3)
ranges = st.floats(1e3, 2e6)
rcs = st.floats(1e-4, 1e3)


def test_halving_the_range_gains_12_db() -> None:
    r = np.array([10e3, 50e3, 300e3])
    gain = snr_db(SPEC, r / 2, 1.0) - snr_db(SPEC, r, 1.0)
    np.testing.assert_allclose(gain, 40 * np.log10(2), atol=1e-12)  # 12.0412 dB
    assert 40 * np.log10(2) == pytest.approx(12.04, abs=5e-3)


@given(ranges, rcs)
def test_snr_is_the_linear_radar_equation(r: float, sigma: float) -> None:
    # SNR = SNR_ref · σ · R_ref⁴ / R⁴ in linear units, written out independently
    linear = 10 ** (30.0 / 10) * sigma * 100e3**4 / r**4
    assert float(snr_db(SPEC, r, sigma)) == pytest.approx(10 * np.log10(linear), abs=1e-9)


@given(rcs, st.floats(-10.0, 40.0))
def test_detection_range_inverts_snr(sigma: float, required: float) -> None:
    r = float(detection_range_m(SPEC, sigma, required))
    assert float(snr_db(SPEC, r, sigma)) == pytest.approx(required, abs=1e-9)


def test_scan_loss_is_two_way_cos_power() -> None:
    theta = np.array([0.0, 0.5, 1.0])
    loss = snr_db(SPEC, 100e3, 1.0, theta) - 30.0
    np.testing.assert_allclose(10 ** (loss / 10), np.cos(theta) ** (2 * 1.5), rtol=1e-12)
    omni = dataclasses.replace(SPEC, faces=0)
    np.testing.assert_allclose(snr_db(omni, 100e3, 1.0, theta), 30.0)


def test_spy6_is_30_times_spy1d_so_234_times_the_range() -> None:
    s1, s6 = radar_preset("spy1d-like"), radar_preset("spy6-like")
    assert s6.snr_ref_db - s1.snr_ref_db == pytest.approx(10 * np.log10(30), abs=1e-12)
    assert SPY6_GAIN_DB == pytest.approx(14.77, abs=5e-3)  # REFERENCES.md §2: +14.8 dB
    for sigma, req in ((1.0, 21.14), (0.01, 13.2), (10.0, 5.0)):
        ratio = float(detection_range_m(s6, sigma, req) / detection_range_m(s1, sigma, req))
        assert ratio == pytest.approx(30 ** 0.25, rel=1e-12)
    assert 30 ** 0.25 == pytest.approx(2.340, abs=5e-4)


def test_spy1d_preset_meets_its_design_statement() -> None:
    # Design requirement of the preset (not a physics oracle): a 1 m² Swerling 1 target at
    # P_d 0.9, P_fa 1e-6 around 300-350 km.  Required SNR from P_d = P_fa^(1/(1+S)).
    s1 = radar_preset("spy1d-like")
    required = 10 * np.log10(np.log(1e-6) / np.log(0.9) - 1)
    assert required_snr_db(s1, 0.9) == pytest.approx(required, abs=1e-9)
    assert 300e3 < float(detection_range_m(s1, 1.0, required)) < 350e3


def test_from_power_aperture_matches_the_search_radar_equation_by_hand() -> None:
    # SNR = P_av A t_s σ / (4π Ω k T_s L R⁴) with P_av A = 2e5 W m², t_s = 4 s,
    # Ω = 2π sr (a hemisphere), T_s = 500 K, L = 10 dB, σ = 1 m², R = 300 km:
    # numerator 8e5; denominator 4π · 2π · 1.380649e-23 · 500 · 10 · 8.1e21
    #   = 78.9568352 · 1.380649e-23 · 4.05e25 = 4.41496e4  ->  SNR 18.1202 = 12.582 dB
    spec = from_power_aperture("pa", "S", 3e9, 2e5, 4.0, 2 * np.pi, 500.0, 10.0)
    hand = 8e5 / (4 * np.pi * 2 * np.pi * 1.380649e-23 * 500 * 10 * (300e3) ** 4)
    assert hand == pytest.approx(18.1202, rel=1e-5)
    assert float(snr_db(spec, 300e3, 1.0)) == pytest.approx(10 * np.log10(hand), abs=1e-9)
    assert spec.search_frame_s == 4.0
    # the frame shared among Ω/θ² beam positions
    assert spec.dwell_s == pytest.approx(4.0 * 0.03**2 / (2 * np.pi))
    # doubling the frame time or the power-aperture product adds 3.01 dB
    twice = from_power_aperture("pa", "S", 3e9, 4e5, 4.0, 2 * np.pi, 500.0, 10.0)
    assert twice.snr_ref_db - spec.snr_ref_db == pytest.approx(10 * np.log10(2))


@given(st.floats(150.0, 250.0), ranges, rcs)
@settings(max_examples=50)
def test_loop_gain_is_snr_r4_over_sigma(loop_gain_db: float, r: float, sigma: float) -> None:
    spec = from_loop_gain("lg", "X", 1e10, loop_gain_db, ref_range_m=37e3)
    snr = float(snr_db(spec, r, sigma))
    assert snr + 40 * np.log10(r) - 10 * np.log10(sigma) == pytest.approx(loop_gain_db, abs=1e-9)


def brute_force_face_angles(spec: RadarSpec, heading: float, az: float, el: float
                            ) -> np.ndarray:
    """Angle to every face boresight: arccos of dot products of wgs84 ENU unit vectors."""
    u = aer_to_enu(az, el, 1.0)
    return np.array([np.arccos(np.clip(np.dot(u, aer_to_enu(
        heading + 2 * np.pi * i / spec.faces, spec.face_tilt_rad, 1.0)), -1.0, 1.0))
        for i in range(spec.faces)])


@pytest.mark.parametrize("faces", [1, 3, 4, 6])
def test_face_geometry_against_brute_force(faces: int) -> None:
    spec = dataclasses.replace(SPEC, faces=faces, face_tilt_rad=0.3)
    rng = np.random.default_rng(faces)
    n = 300
    heading = rng.uniform(-np.pi, 3 * np.pi, n)
    az = rng.uniform(0, 2 * np.pi, n)
    el = rng.uniform(-0.3, 1.5, n)
    face, angle = face_geometry(spec, heading, az, el)
    assert face.shape == (n,) and face.dtype == np.int64
    for k in range(n):
        angles = brute_force_face_angles(spec, heading[k], az[k], el[k])
        assert angle[k] == pytest.approx(angles.min(), abs=1e-7)
        assert angles[face[k]] == pytest.approx(angles.min(), abs=1e-7)  # ties may differ


def test_face_geometry_simple_cases() -> None:
    flat = dataclasses.replace(SPEC, faces=4, face_tilt_rad=0.0)
    face, angle = face_geometry(flat, 0.0, np.array([0.0, np.pi / 2, np.pi, 1.0]), 0.0)
    np.testing.assert_array_equal(face, [0, 1, 2, 1])
    np.testing.assert_allclose(angle, [0.0, 0.0, 0.0, np.pi / 2 - 1.0], atol=1e-12)
    face, angle = face_geometry(flat, 0.3, 0.3, 0.2)  # straight up the face normal plane
    assert int(face) == 0 and float(angle) == pytest.approx(0.2)
    omni = dataclasses.replace(SPEC, faces=0)
    face, angle = face_geometry(omni, 0.0, np.ones((2, 3)), 0.5)
    assert face.shape == (2, 3) and not face.any() and not angle.any()


@pytest.mark.parametrize(("h_t", "ref_km"), [(5.0, 29.8), (40_000.0, 845.0)])
def test_visible_follows_the_radar_horizon_reference_cases(h_t: float, ref_km: float) -> None:
    # REFERENCES.md §6: 25 m mast -> 29.8 km against a 5 m sea-skimmer, 845 km against a
    # 40 km glider (±0.5 %).  Inside -1 %: visible; beyond +1 %: hidden.
    spec = dataclasses.replace(SPEC, faces=0, min_el_rad=-0.1, max_range_m=5e6)
    r = np.array([0.99, 1.01]) * ref_km * 1e3
    np.testing.assert_array_equal(visible(spec, 0.0, r, 0.0, 0.0, h_t, 25.0), [True, False])


def test_visible_limits_range_elevation_and_face_coverage() -> None:
    one = dataclasses.replace(SPEC, faces=1, face_tilt_rad=0.0, max_scan_rad=1.0,
                              min_el_rad=-0.05, max_el_rad=1.2, max_range_m=200e3)
    kw = {"target_alt_m": 10e3, "sensor_alt_m": 20.0}
    assert visible(one, 0.0, 100e3, 0.9, 0.05, **kw)
    assert not visible(one, 0.0, 100e3, 1.1, 0.05, **kw)  # outside the face's scan
    assert visible(one, np.pi, 100e3, np.pi - 0.9, 0.05, **kw)  # the face turns with heading
    assert not visible(one, 0.0, 100e3, np.pi, 0.05, **kw)  # behind the single face
    assert not visible(one, 0.0, 100e3, 0.0, -0.06, **kw)  # below min elevation
    assert not visible(one, 0.0, 100e3, 0.0, 1.25, **kw)  # above max elevation
    assert not visible(one, 0.0, 201e3, 0.0, 0.05, **kw)  # beyond instrumented range
    out = visible(one, 0.0, np.full((2, 2), 15e3), 0.0, 0.05, np.zeros((2, 2)) - 3.0, 20.0)
    assert out.shape == (2, 2) and out.all()  # negative target heights count as 0


def test_measurement_std_closed_form_and_scaling() -> None:
    spec = dataclasses.replace(SPEC, range_res_m=15.0, beamwidth_rad=0.03)
    s_r, s_az, s_el = measurement_std(spec, 20.0, 0.0, range_bias_m=0.0, angle_bias_rad=0.0)
    assert float(s_r) == pytest.approx(15.0 / np.sqrt(200.0), rel=1e-12)  # 1.0607 m
    assert float(s_az) == pytest.approx(0.03 / (1.6 * np.sqrt(200.0)), rel=1e-12)
    assert float(s_el) == float(s_az) and MONOPULSE_SLOPE == 1.6
    # 1/sqrt(SNR): 10 dB more SNR divides sigma by sqrt(10)
    snrs = np.array([0.0, 10.0, 20.0, 30.0])
    s_r, s_az, _ = measurement_std(spec, snrs, 0.0, range_bias_m=0.0, angle_bias_rad=0.0)
    np.testing.assert_allclose(s_r[:-1] / s_r[1:], np.sqrt(10.0), rtol=1e-12)
    np.testing.assert_allclose(s_az[:-1] / s_az[1:], np.sqrt(10.0), rtol=1e-12)
    # beam broadening: 60° off boresight doubles the angle noise
    _, s60, _ = measurement_std(spec, 20.0, np.pi / 3, angle_bias_rad=0.0)
    _, s0, _ = measurement_std(spec, 20.0, 0.0, angle_bias_rad=0.0)
    assert float(s60 / s0) == pytest.approx(2.0, rel=1e-12)
    # bias floor in quadrature: at very high SNR sigma tends to the bias
    s_r, s_az, _ = measurement_std(spec, 100.0)
    assert float(s_r) == pytest.approx(1.0, rel=1e-6)
    assert float(s_az) == pytest.approx(ANGLE_BIAS_RAD, rel=1e-4)
    s_r, _, _ = measurement_std(spec, 20.0)
    assert float(s_r) == pytest.approx(np.hypot(15.0 / np.sqrt(200.0), 1.0), rel=1e-12)


def test_pd_uses_the_spec_and_maps_swerling_2_4_to_1_3() -> None:
    spec = dataclasses.replace(SPEC, pfa=1e-6, swerling=1)
    s = 10 ** (15.0 / 10)
    assert float(pd(spec, 15.0)) == pytest.approx(1e-6 ** (1 / (1 + s)), rel=1e-12)
    assert float(pd(spec, 15.0, 2)) == float(pd(spec, 15.0, 1))
    assert float(pd(spec, 15.0, 4)) == float(pd(spec, 15.0, 3))
    assert float(pd(spec, -np.inf)) == pytest.approx(1e-6)
    for case in (0, 1, 3):
        assert float(pd(spec, required_snr_db(spec, 0.8, case), case)) == pytest.approx(0.8)
    with pytest.raises(ValueError, match="Swerling"):
        pd(spec, 10.0, 5)


def test_false_alarms_per_frame_and_presets() -> None:
    assert false_alarms_per_frame(dataclasses.replace(SPEC, n_cells=2e6, pfa=1e-6)) == \
        pytest.approx(2.0)
    assert {"spy1d-like", "spy6-like", "xband-horizon-like", "airborne-aesa-like"} <= set(RADARS)
    assert {"space-ir-like", "drone-irst-like"} <= set(IR_SENSORS)
    assert radar_preset("xband-horizon-like").faces in (0, 1, 4)
    assert radar_preset("airborne-aesa-like").faces == 1
    assert ir_preset("space-ir-like").alt_m > 0
    with pytest.raises(ValueError, match="spy6-like"):
        radar_preset("spy-7")
    with pytest.raises(ValueError, match="drone-irst-like"):
        ir_preset("sbirs")


def test_spec_validation() -> None:
    with pytest.raises(ValueError, match="pfa"):
        RadarSpec("bad", "S", 3e9, 30.0, pfa=0.0)
    with pytest.raises(ValueError, match="faces"):
        RadarSpec("bad", "S", 3e9, 30.0, faces=-1)
    with pytest.raises(ValueError, match="freq_hz"):
        RadarSpec("bad", "S", 0.0, 30.0)
    with pytest.raises(ValueError):
        snr_db(SPEC, -1.0, 1.0)
    assert float(snr_db(SPEC, 100e3, 0.0)) == -np.inf
