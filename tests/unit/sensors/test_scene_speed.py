"""The chunk-level sensing geometry in fewer numpy calls gives the same bits as the
numpy compositions it replaces (a detection is drawn by ``u < P_d``: a last-bit change in
P_d can flip one), checked here against those compositions written out."""

from __future__ import annotations

import numpy as np
import pytest

from tate.earth import wgs84
from tate.sensors import radar, rcs
from tate.sensors.presets import RADARS
from tate.sensors.simulate import _aer

K, N = 256, 22  # a chunk of look times by the bodies of the default raid


def _wide(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """Normal draws spread over 14 orders of magnitude."""
    return rng.standard_normal(shape) * 10.0 ** rng.uniform(-7.0, 7.0, shape)


def _same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    a, b = np.asarray(a, float), np.asarray(b, float)
    return a.shape == b.shape and np.array_equal(a.view(np.int64), b.view(np.int64))


def test_aspect_angle_has_the_bits_of_cross_norm_and_sum() -> None:
    rng = np.random.default_rng(7)
    v, los = _wide(rng, (K, N, 3)), _wide(rng, (K, N, 3))
    v[0, 0] = 0.0  # a zero velocity: aspect 0
    ref = np.arctan2(np.linalg.norm(np.cross(v, los), axis=-1), np.sum(v * los, axis=-1))
    assert _same_bits(rcs.aspect_angle(v, los), ref)
    assert _same_bits(rcs.aspect_angle(v[0, 1], los[0, 1]), ref[0, 1])
    one = np.arctan2(np.linalg.norm(np.cross(v[0, 1], los[0]), axis=-1),
                     np.sum(v[0, 1] * los[0], axis=-1))  # one velocity, many lines of sight
    assert _same_bits(rcs.aspect_angle(v[0, 1], los[0]), one)


def _face_reference(spec: radar.RadarSpec, heading: np.ndarray, az: np.ndarray,
                    el: np.ndarray) -> np.ndarray:
    """face_geometry's angle as it was: stacked unit vectors and np.linalg.norm."""
    def unit(a: np.ndarray, e: np.ndarray) -> np.ndarray:
        ce = np.cos(e)
        return np.stack([ce * np.sin(a), ce * np.cos(a), np.sin(e)], axis=-1)

    face_az = heading[..., None] + 2.0 * np.pi * np.arange(spec.faces) / spec.faces
    chord = np.linalg.norm(unit(az, el)[..., None, :]
                           - unit(face_az, np.full(face_az.shape, spec.face_tilt_rad)), axis=-1)
    c = np.take_along_axis(chord, np.argmin(chord, axis=-1)[..., None], axis=-1)[..., 0]
    return 2.0 * np.arcsin(np.minimum(c / 2.0, 1.0))


@pytest.mark.parametrize("preset", sorted(RADARS))
def test_off_boresight_has_the_bits_of_the_stacked_face_geometry(preset: str) -> None:
    spec, rng = RADARS[preset], np.random.default_rng(3)
    heading = rng.uniform(0.0, 2.0 * np.pi, (K, 1))
    az, el = rng.uniform(0.0, 2.0 * np.pi, (K, N)), rng.uniform(-0.2, 1.6, (K, N))
    off = radar.off_boresight(spec, heading, az, el)
    assert _same_bits(radar.face_geometry(spec, heading, az, el)[1], off)
    if spec.faces:
        assert _same_bits(off, _face_reference(spec, heading, az, el))
    else:
        assert not off.any()


def test_rcs_of_codes_has_the_bits_of_rcs_of_names() -> None:
    rng = np.random.default_rng(5)
    codes = rng.integers(0, len(rcs.THREAT_KINDS), (K, N))
    names = np.array(rcs.THREAT_KINDS, dtype=object)[codes]
    aspect = rng.uniform(-7.0, 7.0, (K, N))
    assert np.array_equal(rcs.kind_codes(names), codes)
    ref = np.empty((K, N))
    for name in rcs.THREAT_KINDS:
        sel = names == name
        ref[sel] = rcs.rcs_m2(name, aspect[sel])
    assert _same_bits(rcs.rcs_m2_coded(codes, aspect), ref)
    assert _same_bits(rcs.rcs_m2(names, aspect), ref)
    with pytest.raises(ValueError, match="kind codes"):
        rcs.rcs_m2_coded(np.array([0, len(rcs.THREAT_KINDS)]), 0.0)
    assert rcs.kind_codes(np.array(["ufo"], dtype=object))[0] == -1


def test_scene_aer_has_the_bits_of_wgs84() -> None:
    rng = np.random.default_rng(11)
    rel = _wide(rng, (K, N, 3))
    rel[0, :3] = [[0.0, 0.0, 1.0], [0.0, -1e-300, 0.0], [-1e-300, 1.0, 0.0]]  # wrap edges
    lat, lon = rng.uniform(-1.5, 1.5, (K, 1)), rng.uniform(-3.1, 3.1, (K, 1))
    ref = wgs84.enu_to_aer(wgs84.ecef_vec_to_enu(rel, lat, lon))
    for got, want in zip(_aer(rel, lat, lon), ref, strict=True):
        assert _same_bits(got, want)


def test_truth_codes_are_the_kinds_as_indices() -> None:
    from tate.sensors.simulate import TruthTracks

    before = np.array(["booster", "booster", "cruise"], dtype=object)
    after = np.array(["ballistic-rv", "glider", "cruise"], dtype=object)
    time = np.arange(6.0)
    truth = TruthTracks(np.array(["a", "b", "c"], object), np.array(["x"] * 3, object),
                        before, after, np.array([2.0, np.inf, -np.inf]), time,
                        np.zeros((6, 3)), np.zeros((6, 3)), np.array([0, 2, 4, 6]))
    t = np.array([0.0, 1.999, 2.0, 5.0])
    assert np.array_equal(truth.codes(t), rcs.kind_codes(truth.kinds(t)))
    assert truth.codes(t)[:, 0].tolist() == [1, 1, 0, 0]


def test_flight_table_helpers_have_the_bits_of_their_references() -> None:
    from tate.flight.ecef import _body_index
    from tate.flight.fly import _great_circle_km
    from tate.flight.guidance import bearing_and_range

    rng = np.random.default_rng(2)
    p = wgs84.geodetic_to_ecef(rng.uniform(-1.5, 1.5, 500), rng.uniform(-3, 3, 500),
                               rng.uniform(0.0, 1e6, 500)).T
    q = np.repeat(p[:, :1], 500, axis=1)
    q[:, 1:] = p[:, ::-1][:, 1:]
    assert _same_bits(_great_circle_km(p, q), bearing_and_range(p, q)[1] / 1e3)
    ids = np.array(["b", "b", "a", "c", "c", "a", "b"], dtype=object)  # grouped or not
    order = ["c", "a", "b"]
    assert _body_index(ids, order).tolist() == [order.index(i) for i in ids]
    assert _body_index(ids[:0], order).dtype == np.intp
    with pytest.raises(KeyError):
        _body_index(ids, order[:2])


def test_rows_of_a_body_are_its_rows_in_table_order() -> None:
    from tate.flight.fly import _rows_of

    body = np.array([2, 0, 2, 1, 0, 2, 3, 0], dtype=np.intp)
    rows_of = _rows_of(body, 5)
    for j in range(5):
        assert np.array_equal(rows_of(j), np.flatnonzero(body == j))
