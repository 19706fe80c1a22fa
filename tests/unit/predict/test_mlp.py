"""Tests of numpy MLP inference against scikit-learn's own predictions.

Oracles: ``predict`` / ``predict_proba`` of fitted scikit-learn ``MLPRegressor`` and
``MLPClassifier`` (behind a ``StandardScaler`` pipeline), which run their own forward
pass; :func:`scipy.special.expit` for the logistic function; the softmax identities
(rows sum to one, invariance under a shift of all scores).
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy.special import expit

from tate.predict.mlp import KIND, MLP, logistic, mlp_arrays, softmax
from tate.predict.modelfile import ModelFileError, load_model, save_model

sklearn = pytest.importorskip("sklearn")
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.neural_network import MLPClassifier, MLPRegressor  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

RTOL = 1e-10
ACTIVATIONS = ["relu", "tanh", "logistic", "identity"]
SCALE = np.array([1.0, 10.0, 300.0, 0.05])  # features of very different units
SHIFT = np.array([0.0, 5.0, -900.0, 2.0])


def _data(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.normal(size=(n, 4)) * SCALE + SHIFT


def _fit(est: Any, X: np.ndarray, y: np.ndarray) -> Any:
    pipe = make_pipeline(StandardScaler(), est)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        pipe.fit(X, y)
    return pipe


def _ours(pipe: Any) -> MLP:
    return MLP.from_arrays(*mlp_arrays(pipe[-1], scaler=pipe[0]))


def _close(ours: np.ndarray, ref: np.ndarray) -> None:
    # the atol only covers outputs that cancel to ~0 (a few ulp of the unit-scale terms)
    np.testing.assert_allclose(ours, ref, rtol=RTOL, atol=1e-13)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_multi_output_regressor_matches_sklearn(activation: str) -> None:
    rng = np.random.default_rng(11)
    X = _data(rng, 300)
    z = (X - SHIFT) / SCALE
    y = np.column_stack([np.sin(z[:, 0]) + z[:, 1] * z[:, 2], 3.0 * z[:, 3] - 1.0, z[:, 0] ** 2])
    est = MLPRegressor(
        hidden_layer_sizes=(12, 7), activation=activation, max_iter=60, random_state=3
    )
    pipe = _fit(est, X, y)
    Xt = _data(rng, 80) * 1.5
    ours = _ours(pipe)
    assert ours.predict(Xt).shape == (80, 3)
    _close(ours.predict(Xt), pipe.predict(Xt))


def test_single_output_regressor_is_1d_and_poisson_uses_exp() -> None:
    rng = np.random.default_rng(12)
    X = _data(rng, 300)
    z = (X - SHIFT) / SCALE
    y = rng.poisson(np.exp(0.5 * z[:, 0] + 0.3 * z[:, 1]))
    est = MLPRegressor(hidden_layer_sizes=(8,), loss="poisson", max_iter=60, random_state=4)
    pipe = _fit(est, X, y)
    assert pipe[-1].out_activation_ == "exp"
    Xt = _data(rng, 50)
    ours = _ours(pipe)
    assert ours.predict(Xt).shape == (50,)
    _close(ours.predict(Xt), pipe.predict(Xt))


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("n_classes", [2, 3, 5])
def test_classifier_matches_sklearn(activation: str, n_classes: int) -> None:
    rng = np.random.default_rng(13 + n_classes)
    X = _data(rng, 400)
    z = (X - SHIFT) / SCALE
    score = z[:, 0] + 0.7 * z[:, 1] * z[:, 3] + 0.2 * rng.normal(size=400)
    y = np.digitize(score, np.quantile(score, np.linspace(0, 1, n_classes + 1)[1:-1]))
    est = MLPClassifier(
        hidden_layer_sizes=(10, 6), activation=activation, max_iter=60, random_state=5
    )
    pipe = _fit(est, X, y * 10 + 1)  # labels 1, 11, 21, ...
    Xt = _data(rng, 120)
    ours = _ours(pipe)
    proba = ours.predict_proba(Xt)
    assert proba.shape == (120, n_classes)
    _close(proba, pipe.predict_proba(Xt))
    np.testing.assert_array_equal(ours.predict(Xt), pipe.predict(Xt))


def test_string_labels_and_no_scaler() -> None:
    rng = np.random.default_rng(14)
    X = rng.normal(size=(300, 3))
    y = np.where(X[:, 0] + X[:, 1] ** 2 > 0.8, "glider", "decoy")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est = MLPClassifier(hidden_layer_sizes=(5,), max_iter=80, random_state=6).fit(X, y)
    config, arrays = mlp_arrays(est)
    assert config["classes"] == ["decoy", "glider"] and "classes" not in arrays
    assert "scaler_mean" not in arrays
    ours = MLP.from_arrays(config, arrays)
    Xt = rng.normal(size=(60, 3))
    _close(ours.predict_proba(Xt), est.predict_proba(Xt))
    np.testing.assert_array_equal(ours.predict(Xt), est.predict(Xt))


def test_round_trip_through_model_file(tmp_path: Path) -> None:
    rng = np.random.default_rng(15)
    X = _data(rng, 300)
    y = np.digitize((X[:, 0] - SHIFT[0]) / SCALE[0], [-0.4, 0.4])
    pipe = _fit(MLPClassifier(hidden_layer_sizes=(6,), max_iter=60, random_state=7), X, y)
    path = tmp_path / "threat.tate.zip"
    save_model(path, KIND, *mlp_arrays(pipe[-1], scaler=pipe[0]))
    loaded = MLP.load(path)
    Xt = _data(rng, 40)
    _close(loaded.predict_proba(Xt), pipe.predict_proba(Xt))
    config, arrays = load_model(path, kind=KIND)
    assert config["activation"] == "relu" and arrays["W0"].shape == (4, 6)


def test_load_refuses_other_kind_and_broken_network(tmp_path: Path) -> None:
    path = tmp_path / "m.zip"
    save_model(path, "hgb", {}, {})
    with pytest.raises(ModelFileError, match="is a 'hgb' model, expected 'mlp'"):
        MLP.load(path)
    config = {"n_layers": 2, "activation": "relu", "out_activation": "identity"}
    save_model(
        path,
        KIND,
        config,
        {"W0": np.zeros((3, 4)), "b0": np.zeros(4), "W1": np.zeros((5, 1)), "b1": np.zeros(1)},
    )
    with pytest.raises(ModelFileError, match="W1 takes 5 inputs, W0 gives 4"):
        MLP.load(path)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"activation": "gelu"}, "unknown hidden activation"),
        ({"out_activation": "softmax"}, "a regressor needs an identity or exp output"),
        ({"n_layers": 3}, "arrays W2 and b2 are required"),
        ({"classes": ["a", "b", "c"]}, "3 classes need a softmax output of width 3"),
    ],
)
def test_from_arrays_refuses_inconsistent_models(change: dict[str, Any], reason: str) -> None:
    config: dict[str, Any] = {"n_layers": 2, "activation": "relu", "out_activation": "identity"}
    config.update(change)
    arrays = {"W0": np.ones((3, 4)), "b0": np.ones(4), "W1": np.ones((4, 1)), "b1": np.ones(1)}
    with pytest.raises(ValueError, match=reason):
        MLP.from_arrays(config, arrays)


def test_export_refuses_other_estimators() -> None:
    with pytest.raises(ValueError, match="expected an MLPRegressor or MLPClassifier"):
        mlp_arrays(StandardScaler())
    with pytest.raises(ValueError, match="not fitted"):
        mlp_arrays(MLPRegressor())


def test_wrong_input_width() -> None:
    arrays = {"W0": np.ones((3, 2)), "b0": np.zeros(2)}
    model = MLP.from_arrays(
        {"n_layers": 1, "activation": "relu", "out_activation": "identity"}, arrays
    )
    with pytest.raises(ValueError, match=r"X must have shape \(n, 3\)"):
        model.predict(np.ones((4, 2)))


@settings(max_examples=60, deadline=None)
@given(hnp.arrays(np.float64, st.integers(1, 50), elements=st.floats(-745, 745)))
def test_logistic_matches_scipy_expit(z: np.ndarray) -> None:
    # below e^-708 the two differ only in how they round into subnormals
    np.testing.assert_allclose(logistic(z), expit(z), rtol=4e-16, atol=1e-300)


def test_logistic_extremes_have_no_overflow() -> None:
    z = np.array([-1e308, -800.0, -40.0, 0.0, 40.0, 800.0, 1e308])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        p = logistic(z)
    np.testing.assert_allclose(p, expit(z), rtol=4e-16, atol=1e-300)
    assert p[3] == 0.5


@settings(max_examples=60, deadline=None)
@given(
    hnp.arrays(
        np.float64, st.tuples(st.integers(1, 6), st.integers(2, 6)), elements=st.floats(-300, 300)
    ),
    st.floats(-1e3, 1e3),
)
def test_softmax_sums_to_one_and_ignores_shifts(z: np.ndarray, shift: float) -> None:
    p = softmax(z)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-14)
    np.testing.assert_allclose(softmax(z + shift), p, rtol=1e-9, atol=1e-300)
    assert (p.argmax(axis=1) == z.argmax(axis=1)).all()
