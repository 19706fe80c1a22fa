"""Tests of numpy gradient-boosted tree inference.

Oracles: ``decision_function`` / ``predict_proba`` / ``predict`` of fitted
scikit-learn ``HistGradientBoostingClassifier`` and ``HistGradientBoostingRegressor``
(their Cython tree walk), on data with NaNs in training and at prediction, ±inf
inputs, and early stopping off and on; and, for hand-built and random trees, a plain
recursive walk written here from the documented rule (go left if ``x ≤ θ``, NaN to
the learnt side).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tate.predict.modelfile import ModelFileError, save_model
from tate.predict.trees import KIND, GradientBoosted, hgb_arrays

sklearn = pytest.importorskip("sklearn")
from sklearn.ensemble import (  # noqa: E402
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
)
from threadpoolctl import threadpool_limits  # noqa: E402

RTOL = 1e-10
N_FEATURES = 5
MAX_ITER = 60


@pytest.fixture(autouse=True)
def _one_openmp_thread() -> Any:
    """scikit-learn's OpenMP threads only slow these tiny fits on a shared machine."""
    with threadpool_limits(1):
        yield


def _data(rng: np.random.Generator, n: int, nan_fraction: float) -> np.ndarray:
    X = rng.normal(size=(n, N_FEATURES))
    X[:, 4] *= 1000.0  # a feature in other units
    holes = rng.random(X.shape) < nan_fraction
    holes[:, 3] = False  # feature 3 never misses in training: NaN side chosen by counts
    X[holes] = np.nan
    return X


def _test_points(rng: np.random.Generator, n: int) -> np.ndarray:
    X = rng.normal(size=(n, N_FEATURES)) * 1.3
    X[:, 4] *= 1000.0
    X[rng.random(X.shape) < 0.15] = np.nan  # including feature 3, never missing in training
    X[0, :] = np.nan
    X[1, :] = np.inf
    X[2, :] = -np.inf
    return X


def _score(X: np.ndarray) -> np.ndarray:
    Z = np.nan_to_num(X) * [1.0, 1.0, 1.0, 1.0, 1e-3]
    return Z[:, 0] + 0.8 * Z[:, 1] * Z[:, 2] - 0.5 * Z[:, 3] + np.sin(2 * Z[:, 4])


def _close(ours: np.ndarray, ref: np.ndarray) -> None:
    np.testing.assert_allclose(ours, ref, rtol=RTOL, atol=1e-12)


@pytest.mark.parametrize("early_stopping", [False, True])
@pytest.mark.parametrize("n_classes", [2, 3, 5])
def test_classifier_matches_sklearn(n_classes: int, early_stopping: bool) -> None:
    rng = np.random.default_rng(100 + n_classes)
    X = _data(rng, 600, 0.1)
    score = _score(X) + 0.3 * rng.normal(size=600)
    y = np.digitize(score, np.quantile(score, np.linspace(0, 1, n_classes + 1)[1:-1]))
    est = HistGradientBoostingClassifier(
        max_iter=MAX_ITER,
        learning_rate=0.3,
        early_stopping=early_stopping,
        validation_fraction=0.2,
        n_iter_no_change=2,
        random_state=0,
    ).fit(X, np.array(["hgv", "rv", "cm", "uav", "decoy"])[y])
    assert (est.n_iter_ < MAX_ITER) == early_stopping  # stopping really shortened it
    ours = GradientBoosted.from_arrays(*hgb_arrays(est))
    Xt = _test_points(rng, 300)
    _close(ours.decision_function(Xt), est.decision_function(Xt))
    _close(ours.predict_proba(Xt), est.predict_proba(Xt))
    np.testing.assert_array_equal(ours.predict(Xt), est.predict(Xt))


@pytest.mark.parametrize("early_stopping", [False, True])
@pytest.mark.parametrize("loss", ["squared_error", "poisson", "absolute_error"])
def test_regressor_matches_sklearn(loss: str, early_stopping: bool) -> None:
    rng = np.random.default_rng(7)
    X = _data(rng, 600, 0.1)
    y = np.exp(0.4 * _score(X)) + 0.1 * rng.random(600)
    est = HistGradientBoostingRegressor(
        loss=loss,
        max_iter=MAX_ITER,
        learning_rate=0.3,
        early_stopping=early_stopping,
        n_iter_no_change=2,
        random_state=1,
    ).fit(X, y)
    assert (est.n_iter_ < MAX_ITER) == early_stopping
    ours = GradientBoosted.from_arrays(*hgb_arrays(est))
    assert ours.link == ("log" if loss == "poisson" else "identity")
    Xt = _test_points(rng, 300)
    _close(ours.predict(Xt), est.predict(Xt))
    assert ours.predict(Xt).shape == (300,)


def test_integer_labels_binary_and_round_trip(tmp_path: Path) -> None:
    rng = np.random.default_rng(8)
    X = _data(rng, 600, 0.05)
    y = np.where(_score(X) > 0.2, 7, -3)
    est = HistGradientBoostingClassifier(max_iter=25, random_state=0).fit(X, y)
    config, arrays = hgb_arrays(est)
    assert arrays["classes"].dtype == np.int64 and "classes" not in config
    path = tmp_path / "classifier.tate.zip"
    save_model(path, KIND, config, arrays)
    loaded = GradientBoosted.load(path)
    Xt = _test_points(rng, 200)
    _close(loaded.decision_function(Xt), est.decision_function(Xt))
    _close(loaded.predict_proba(Xt), est.predict_proba(Xt))
    np.testing.assert_array_equal(loaded.predict(Xt), est.predict(Xt))


def test_categorical_features_are_refused() -> None:
    rng = np.random.default_rng(9)
    X = np.column_stack([rng.integers(0, 4, 300), rng.normal(size=300)]).astype(float)
    y = (X[:, 0] == 2) ^ (X[:, 1] > 0)
    est = HistGradientBoostingClassifier(max_iter=5, categorical_features=[0]).fit(X, y)
    with pytest.raises(ValueError, match="categorical features are not supported"):
        hgb_arrays(est)


def test_export_refuses_other_estimators() -> None:
    with pytest.raises(ValueError, match="expected a HistGradientBoosting model"):
        hgb_arrays(object())
    with pytest.raises(ValueError, match="not fitted"):
        hgb_arrays(HistGradientBoostingRegressor())


# ----------------------------------------------------------------------------- hand-built trees


def _walk(arrays: dict[str, np.ndarray], root: int, x: np.ndarray) -> float:
    """Reference walk of one tree for one sample, straight from the split rule."""
    node = root
    while not arrays["is_leaf"][node]:
        value = x[arrays["feature"][node]]
        if np.isnan(value):
            left = bool(arrays["missing_left"][node])
        else:
            left = bool(value <= arrays["threshold"][node])
        node = int(arrays["left"][node] if left else arrays["right"][node])
    return float(arrays["value"][node])


def _stump_arrays(threshold: float, missing_left: bool) -> dict[str, np.ndarray]:
    return {
        "feature": np.array([0, 0, 0]),
        "threshold": np.array([threshold, 0.0, 0.0]),
        "missing_left": np.array([missing_left, False, False]),
        "left": np.array([1, -1, -1]),
        "right": np.array([2, -1, -1]),
        "is_leaf": np.array([False, True, True]),
        "value": np.array([0.0, -1.0, 1.0]),
        "roots": np.array([0]),
        "baseline": np.array([0.5]),
    }


_REGRESSOR = {"n_features": 1, "max_depth": 1, "link": "identity"}


@pytest.mark.parametrize("missing_left", [True, False])
@pytest.mark.parametrize("threshold", [0.25, np.inf])
def test_stump_threshold_and_nan_rules(threshold: float, missing_left: bool) -> None:
    # threshold = +inf is scikit-learn's "split on NaN": every number left, NaN by flag
    arrays = _stump_arrays(threshold, missing_left)
    model = GradientBoosted.from_arrays(_REGRESSOR, arrays)
    x = np.array([[-np.inf], [0.25], [np.nextafter(0.25, 1)], [1e300], [np.inf], [np.nan]])
    expected = [0.5 + _walk(arrays, 0, row) for row in x]
    np.testing.assert_array_equal(model.predict(x), expected)
    assert model.predict(x)[1] == -0.5  # x == θ goes left
    assert model.predict(x)[5] == (-0.5 if missing_left else 1.5)


def _random_forest(rng: np.random.Generator, n_trees: int, n_features: int) -> dict[str, Any]:
    """Random trees with unbalanced shapes, as flat arrays in the export layout."""
    cols: dict[str, list[Any]] = {k: [] for k in ("feature", "threshold", "missing_left")}
    cols |= {k: [] for k in ("left", "right", "is_leaf", "value")}
    roots, depth = [], 0

    def grow(level: int) -> int:
        nonlocal depth
        index = len(cols["feature"])
        leaf = level >= 7 or rng.random() < 0.25 + 0.08 * level
        cols["feature"].append(int(rng.integers(n_features)) if not leaf else 0)
        cols["threshold"].append(float(rng.normal()) if not leaf else 0.0)
        cols["missing_left"].append(bool(rng.random() < 0.5) and not leaf)
        cols["is_leaf"].append(leaf)
        cols["value"].append(float(rng.normal()) if leaf else 0.0)
        cols["left"].append(-1)
        cols["right"].append(-1)
        if leaf:
            depth = max(depth, level)
        else:
            cols["left"][index] = grow(level + 1)
            cols["right"][index] = grow(level + 1)
        return index

    for _ in range(n_trees):
        roots.append(grow(0))
    arrays = {k: np.array(v) for k, v in cols.items()}
    arrays["roots"] = np.array(roots)
    arrays["baseline"] = np.array([rng.normal()])
    config = {"n_features": n_features, "max_depth": depth, "link": "identity"}
    return {"config": config, "arrays": arrays}


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 12), st.integers(1, 30))
def test_random_trees_match_reference_walk(seed: int, n_trees: int, n_samples: int) -> None:
    rng = np.random.default_rng(seed)
    forest = _random_forest(rng, n_trees, 3)
    arrays = forest["arrays"]
    model = GradientBoosted.from_arrays(forest["config"], arrays)
    X = rng.normal(size=(n_samples, 3))
    X[rng.random(X.shape) < 0.2] = np.nan
    expected = [
        arrays["baseline"][0] + sum(_walk(arrays, int(r), x) for r in arrays["roots"]) for x in X
    ]
    np.testing.assert_allclose(model.decision_function(X), expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"left": np.array([7, -1, -1])}, "child index is out of range"),
        ({"feature": np.array([3, 0, 0])}, "split feature is outside"),
        ({"roots": np.array([5])}, "root index is out of range"),
        ({"is_leaf": np.array([False, False, True])}, "deeper than max_depth=1"),
        ({"baseline": np.array([0.1, 0.2])}, "not a multiple of K=2"),
    ],
)
def test_from_arrays_refuses_broken_structure(change: dict[str, np.ndarray], reason: str) -> None:
    arrays = _stump_arrays(0.0, True) | change
    if "is_leaf" in change:  # node 1 becomes a split that points back to the root: a cycle
        arrays |= {"left": np.array([1, 0, -1]), "right": np.array([2, 0, -1])}
    with pytest.raises(ValueError, match=reason):
        GradientBoosted.from_arrays(_REGRESSOR, arrays)


def test_load_wraps_invalid_ensemble(tmp_path: Path) -> None:
    path = tmp_path / "m.zip"
    save_model(path, KIND, {**_REGRESSOR, "link": "softmax"}, _stump_arrays(0.0, True))
    with pytest.raises(ModelFileError, match="invalid tree ensemble: a regressor needs K=1"):
        GradientBoosted.load(path)


def test_wrong_input_width() -> None:
    model = GradientBoosted.from_arrays(_REGRESSOR, _stump_arrays(0.0, True))
    with pytest.raises(ValueError, match=r"X must have shape \(n, 1\)"):
        model.predict(np.zeros((3, 2)))
