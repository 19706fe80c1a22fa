"""Training, packing and the learned model's inference, on a small synthetic dataset.

The learning quality itself is checked on the project's own flown data by the
``learned`` case of ``tate verify``; here: the splits, the evaluation arithmetic against
brute force, bit-for-bit determinism, and that the model file answers exactly what the
scikit-learn estimators it was made from answer.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tate.earth import wgs84
from tate.predict import train as T
from tate.predict.data import HORIZONS_S, N_WINDOW, PERIOD_S, default_training_scenario
from tate.predict.features import from_local, local_frame
from tate.predict.learned import KIND, load_learned
from tate.predict.modelfile import ModelFileError, save_model

NH = len(HORIZONS_S)
KINDS = {  # altitude [m], speed [m/s], climb [m/s]
    "ballistic": (60e3, 3000.0, -800.0), "glider": (30e3, 2500.0, 0.0),
    "cruise": (50.0, 250.0, 0.0), "drone": (500.0, 50.0, 0.0), "clutter": (10e3, 400.0, 30.0),
}


def synthetic(seed: int = 0, runs: int = 5, per: int = 12) -> dict[str, Any]:
    """Windows on straight lines (plus a side acceleration for gliders) over 5 runs."""
    rng = np.random.default_rng(seed)
    rows: dict[str, list[Any]] = {k: [] for k in (
        "run", "tracker", "t_s", "age_s", "sigma_m", "threat", "label", "family",
        "win_pos", "win_vel", "filt_pred", "fut_pos", "impact_pos", "t_impact_s")}
    tw = np.arange(N_WINDOW) * PERIOD_S
    hz = np.asarray(HORIZONS_S)
    for run in range(runs):
        for label, (alt, speed, climb) in KINDS.items():
            for i in range(per):
                lat, lon = np.radians(20 + rng.normal()), np.radians(150 + rng.normal())
                heading = rng.uniform(0, 2 * np.pi)
                enu_v = np.array([speed * np.sin(heading), speed * np.cos(heading), climb])
                v = wgs84.enu_vec_to_ecef(enu_v, lat, lon)
                side = wgs84.enu_vec_to_ecef(np.array([np.cos(heading), -np.sin(heading), 0]),
                                             lat, lon)
                a = rng.uniform(-3, 3) if label == "glider" else 0.0
                p0 = wgs84.geodetic_to_ecef(lat, lon, alt * rng.uniform(0.9, 1.1))
                pos = p0 + v * tw[:, None] + 0.5 * a * side * tw[:, None] ** 2
                vel = v + a * side * tw[:, None]
                t_last = tw[-1]
                fut = (p0 + v * (t_last + hz)[:, None]
                       + 0.5 * a * side * ((t_last + hz) ** 2)[:, None])
                impact, t_impact = np.full(3, np.nan), np.nan
                if label == "glider" and i % 4 == 1:  # landed between 60 and 90 s ahead
                    fut[5:], impact = np.nan, fut[4].copy()
                    t_impact = 100.0 + 2 * i + HORIZONS_S[4]
                elif label == "glider" and i % 4 == 2:  # still flying at the time limit
                    fut[6:] = np.nan
                for tracker in ("cv", "imm"):
                    rows["run"].append(run)
                    rows["tracker"].append(tracker)
                    rows["t_s"].append(100.0 + 2 * i)
                    rows["age_s"].append(20.0 + 2 * i)
                    rows["sigma_m"].append(rng.uniform(50, 200))
                    rows["threat"].append("" if label == "clutter" else f"{label}-{i}")
                    rows["label"].append(label)
                    rows["family"].append(("weave" if i % 3 == 0 else "none")
                                          if label == "glider" else label)
                    rows["win_pos"].append(pos.ravel())
                    rows["win_vel"].append(vel.ravel())
                    rows["filt_pred"].append((pos[-1] + vel[-1] * hz[:, None]).ravel())
                    rows["fut_pos"].append(fut.ravel())
                    rows["impact_pos"].append(impact)
                    rows["t_impact_s"].append(t_impact)
    cols = {k: np.array(v, dtype=object if isinstance(v[0], str) else None)
            for k, v in rows.items()}
    cols["run"] = cols["run"].astype(np.int64)
    return cols


MANIFEST = {"window_s": 20.0, "period_s": PERIOD_S, "root_seed": 9, "runs": 5,
            "scenario_hash": "synthetic", "scenario": default_training_scenario().read_text()}


@pytest.fixture(scope="module")
def trained() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    cols = synthetic()
    config, arrays = T.train_models(cols, MANIFEST, seed=3)
    return cols, config, arrays


def test_training_is_bit_for_bit_reproducible(trained: Any, tmp_path: Path) -> None:
    cols, config, arrays = trained
    config2, arrays2 = T.train_models(cols, MANIFEST, seed=3)
    assert config2 == config
    assert arrays2.keys() == arrays.keys()
    for k in arrays:
        np.testing.assert_array_equal(arrays2[k], arrays[k], err_msg=k)
    a, b = tmp_path / "a.tate.zip", tmp_path / "b.tate.zip"
    save_model(a, KIND, config, arrays)
    save_model(b, KIND, config2, arrays2)
    assert a.read_bytes() == b.read_bytes()


def test_splits_hold_out_every_fifth_run_and_the_weave_family(trained: Any) -> None:
    cols, config, _ = trained
    p = T.prepare(cols)
    assert set(np.unique(p.run[p.test]).tolist()) == {4}
    assert (p.held_family == (p.family == "weave")).all()
    cv = cols["tracker"] == "cv"
    # a window whose threat landed before some horizon trains on its impact point there;
    # one whose flight went on past the time limit without every horizon does not
    full = np.isfinite(cols["fut_pos"]).all(axis=1) | np.isfinite(cols["impact_pos"]).all(axis=1)
    n_train = int(((cols["label"] == "glider") & cv & (cols["run"] != 4)
                   & (cols["family"] != "weave") & full).sum())
    assert n_train < int(((cols["label"] == "glider") & cv & (cols["run"] != 4)
                          & (cols["family"] != "weave")).sum())
    assert config["training"]["glider_windows"] == n_train
    assert config["classifier"]["type"] in ("hgb", "mlp")


def test_model_file_answers_like_the_estimators(trained: Any, tmp_path: Path) -> None:
    cols, config, arrays = trained
    path = tmp_path / "m.tate.zip"
    save_model(path, KIND, config, arrays)
    model = load_learned(path)
    p = T.prepare(cols)
    rows = T.glider_rows(p)
    # refit the same estimators (deterministic) to compare with their own predictions
    regs = T.fit_predictors(p, T.physics_predictions(p, rows), rows, 3)
    base = config["predictor"]["base"]
    want = (T.apply_regressor(regs[base], p.X[rows], regs["x_range"])
            * regs[f"gate_{base}"][None, :, None])
    got = model.offsets(p.pos[rows], p.vel[rows], p.sigma[rows])
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-6)
    clf = T.fit_classifiers(p, 3)
    if config["classifier"]["type"] == "hgb":
        want_p = clf["hgb"].predict_proba(p.X)
    else:
        scaler, mlp = clf["mlp"]
        want_p = mlp.predict_proba(scaler.transform(p.X))
    _names, proba = model.classify(p.pos, p.vel, p.sigma)
    np.testing.assert_allclose(proba, want_p, rtol=1e-9, atol=1e-12)
    assert model.classes == tuple(sorted(T.CLASSES))


def test_impact_file_answers_like_the_network(trained: Any, tmp_path: Path) -> None:
    from tate.predict.impact import (
        fit_impact,
        impact_rows,
        impact_truth,
        physics_ipp,
        points_from_offsets,
    )

    cols, config, arrays = trained
    path = tmp_path / "m.tate.zip"
    save_model(path, KIND, config, arrays)
    model = load_learned(path)
    p = T.prepare(cols)
    rows = impact_rows(p)
    assert rows.size > 0 and (p.label[rows] == "glider").all()
    phys = physics_ipp(T.window_times(), p.pos[rows], p.vel[rows])
    nets = fit_impact(p, rows, impact_truth(p, rows), phys[:2], 3)
    assert config["training"]["impact_windows"] == nets["n_train"]
    want = points_from_offsets(local_frame(p.pos[rows, -1], p.vel[rows, -1]), p.pos[rows, -1],
                               T.regressor_output(nets["direct"], p.X[rows], nets["x_range"]))
    got = model.impact(p.pos[rows], p.vel[rows], p.sigma[rows])
    np.testing.assert_allclose(got[0], want[0], rtol=1e-12, atol=1e-6)
    np.testing.assert_allclose(got[1], want[1], rtol=1e-12, atol=1e-9)
    assert np.allclose(wgs84.geodetic_altitude(got[0]), 0.0, atol=1e-3)  # on the ground
    held = config["heldout"]["impact"]
    assert set(held) == {"held-out runs", "held-out family", "physics_landed"}


def test_predict_interpolates_the_offsets_between_horizons(trained: Any, tmp_path: Path
                                                          ) -> None:
    cols, config, arrays = trained
    path = tmp_path / "m.tate.zip"
    save_model(path, KIND, config, arrays)
    model = load_learned(path)
    p = T.prepare(cols)
    rows = T.glider_rows(p)[:5]
    times = 500.0 + model.window_times()
    off = model.offsets(p.pos[rows], p.vel[rows], p.sigma[rows])
    assert model.gate.any() or np.allclose(off, 0.0)
    frame = local_frame(p.pos[rows, -1], p.vel[rows, -1])
    hz = np.array([0.0, 10.0, 15.0, 120.0, 200.0])
    from tate.predict.glide import predict_constant_velocity
    from tate.predict.learned import physics_or_line

    maker = physics_or_line if model.base == "residual" else predict_constant_velocity
    base_all = maker(times, p.pos[rows], p.vel[rows], hz)
    base = lambda h: base_all[:, list(hz).index(h)]  # noqa: E731
    got = model.predict(times, p.pos[rows], p.vel[rows], hz, p.sigma[rows])
    # by hand: 0 at 0 s, the 10 s offset at 10 s, halfway to 20 s at 15 s, held past 120 s
    i10, i20 = HORIZONS_S.index(10.0), HORIZONS_S.index(20.0)
    hand = [np.zeros_like(off[:, 0]), off[:, i10], 0.5 * (off[:, i10] + off[:, i20]),
            off[:, -1], off[:, -1]]
    for j, h in enumerate(hz):
        want = base(h) + from_local(frame, hand[j][:, None, :])[:, 0]
        np.testing.assert_allclose(got[:, j], want, atol=1e-6)
    with pytest.raises(ValueError, match="window times"):
        model.predict(times * 2, p.pos[rows], p.vel[rows], hz)


def test_foreign_and_tampered_model_files_are_refused(trained: Any, tmp_path: Path) -> None:
    _, config, arrays = trained
    other = tmp_path / "other.tate.zip"
    save_model(other, "mlp", {"n_layers": 1}, {"W0": np.zeros((2, 1)), "b0": np.zeros(1)})
    with pytest.raises(ModelFileError, match="expected 'tate-learned'"):
        load_learned(other)
    broken = dict(config)
    broken["predictor"] = {"base": "psychic", "config": config["predictor"]["config"]}
    path = tmp_path / "bad.tate.zip"
    save_model(path, KIND, broken, arrays)
    with pytest.raises(ModelFileError, match="psychic"):
        load_learned(path)
    ok = tmp_path / "ok.tate.zip"
    save_model(ok, KIND, config, arrays)
    data = bytearray(ok.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one flipped byte inside the archive
    ok.write_bytes(bytes(data))
    with pytest.raises(ModelFileError, match=str(ok.name)):
        load_learned(ok)


def test_evaluation_arithmetic_against_brute_force() -> None:
    y = np.array(["glider", "glider", "drone", "clutter", "drone"], dtype=object)
    yp = np.array(["glider", "drone", "drone", "clutter", "glider"], dtype=object)
    cm = np.array(T.confusion(y, yp))
    idx = {c: i for i, c in enumerate(T.CLASSES)}
    assert cm[idx["glider"], idx["glider"]] == 1 and cm[idx["glider"], idx["drone"]] == 1
    assert cm[idx["drone"], idx["glider"]] == 1 and cm.sum() == 5
    rng = np.random.default_rng(1)
    err = rng.exponential(100.0, 300)
    run = np.repeat(np.arange(10), 30)
    rms, lo, hi, med, mlo, mhi = T._bootstrap(err, run, rng)
    assert rms == pytest.approx(np.sqrt(np.mean(err**2)))
    assert med == pytest.approx(np.median(err))
    assert lo <= rms <= hi and mlo <= med <= mhi


def test_physics_falls_back_to_the_line_where_its_fit_diverges() -> None:
    from tate.predict.glide import predict_constant_velocity, predict_glide
    from tate.predict.learned import physics_or_line

    tw = np.arange(N_WINDOW) * PERIOD_S
    lat, lon = np.radians(20.0), np.radians(150.0)
    p0 = wgs84.geodetic_to_ecef(lat, lon, 30e3)
    east = wgs84.enu_vec_to_ecef(np.array([1.0, 0.0, 0.0]), lat, lon)
    north = wgs84.enu_vec_to_ecef(np.array([0.0, 1.0, 0.0]), lat, lon)
    # a level turn at 30 g while losing 1 g of speed (L/D 30: a boost or a bad track, not a
    # glider): the fitted glide curls away; and a 2.5 km/s straight line in ECEF
    g, v0, dt = 9.80665, 2500.0, 0.001
    t = np.arange(0.0, tw[-1] + dt / 2, dt)
    speed = v0 - g * t
    psi = np.concatenate([[0.0], np.cumsum(30 * g / speed[:-1] * dt)])
    v_t = speed[:, None] * (np.cos(psi)[:, None] * east + np.sin(psi)[:, None] * north)
    p_t = p0 + np.concatenate([[np.zeros(3)], np.cumsum(0.5 * (v_t[1:] + v_t[:-1]) * dt,
                                                         axis=0)])
    k = np.round(tw / dt).astype(int)
    col = tw[:, None]
    pos = np.stack([p_t[k], p0 + east * v0 * col])
    vel = np.stack([v_t[k], np.broadcast_to(east * v0, (N_WINDOW, 3))])
    hz = np.asarray(HORIZONS_S)
    got = physics_or_line(tw, pos, vel, hz)
    line = predict_constant_velocity(tw, pos, vel, hz)
    with np.errstate(all="ignore"):
        phys = predict_glide(tw, pos, vel, hz)
    far = np.linalg.norm(phys[0] - line[0], axis=1) > 0.5 * 5 * 9.80665 * hz**2
    assert far[0]  # it curls 13 km off the line in 10 s: past ½·5 g·h² = 2.5 km
    first = int(np.argmax(far))
    np.testing.assert_array_equal(got[0, :first], phys[0, :first])
    np.testing.assert_array_equal(got[0, first:], line[0, first:])
    # the straight ECEF line has no lift to hold it up (its fit: no drag, so no aerodynamic
    # force): the prediction falls ballistically and lands; from there on it is the line
    alt = np.asarray(wgs84.geodetic_altitude(phys[1]))
    assert (alt < 0).any() and (alt[:2] > 0).all()
    land = int(np.argmax(alt < 0))
    np.testing.assert_array_equal(got[1, :land], phys[1, :land])
    np.testing.assert_array_equal(got[1, land:], line[1, land:])
