"""Multi-layer perceptron inference in numpy, for networks trained with scikit-learn.

What it models
--------------
A fully connected feed-forward network: with input ``x`` (optionally standardised,
``x ← (x − μ)/σ``, as :class:`sklearn.preprocessing.StandardScaler` does), layers
``i = 0 … L−1`` compute

    h₀ = x,    hᵢ₊₁ = f(hᵢ Wᵢ + bᵢ)  for hidden layers,    y = g(h_{L−1} W_{L−1} + b_{L−1})

with the hidden activation ``f`` one of ``relu`` (max(z, 0)), ``tanh``, ``logistic``
(1/(1+e^−z)) or ``identity`` and the output function ``g``:

* regression: ``identity`` (squared-error loss) or ``exp`` (Poisson loss);
* binary classification: one ``logistic`` output p, class probabilities (1 − p, p);
* multiclass classification: ``softmax``, e^{zₖ − max z} / Σⱼ e^{zⱼ − max z}.

This is the forward pass of scikit-learn's ``MLPRegressor`` / ``MLPClassifier``
(``BaseMultilayerPerceptron._forward_pass_fast`` and ``MLPClassifier.predict_proba``,
scikit-learn 1.9), reproduced operation for operation so that results agree to
rounding; the network itself is the multilayer perceptron of Rumelhart, Hinton &
Williams, "Learning representations by back-propagating errors", Nature 323, 1986.

:func:`mlp_arrays` exports a fitted estimator (and its scaler) to the plain
(config, arrays) pair of :mod:`tate.predict.modelfile`; :class:`MLP` runs it on
rows of an ``(n, n_features)`` array.  scikit-learn is needed only to export, never to
predict.  Units are whatever the model was trained on.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from tate.predict.modelfile import load_built

__all__ = ["KIND", "MLP", "classes_from", "export_classes", "logistic", "mlp_arrays", "softmax"]

F64 = NDArray[np.float64]
KIND = "mlp"  #: model kind in the model file
HIDDEN = ("identity", "logistic", "relu", "tanh")
OUTPUT = ("identity", "exp", "logistic", "softmax")


def logistic(z: F64) -> F64:
    """The logistic sigmoid 1/(1 + e^−z), accurate for large |z| and free of overflow."""
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def softmax(z: F64) -> F64:
    """Row-wise softmax of ``(n, k)`` scores, shifted by the row maximum."""
    e = np.exp(z - z.max(axis=1, keepdims=True))
    out: F64 = e / e.sum(axis=1, keepdims=True)
    return out


def _activate(name: str, z: F64) -> F64:
    """Apply the activation called ``name``."""
    if name == "relu":
        return np.maximum(z, 0.0)
    if name == "tanh":
        return np.tanh(z)
    if name == "logistic":
        return logistic(z)
    if name == "exp":
        return np.exp(z)
    if name == "softmax":
        return softmax(z)
    return z


def export_classes(classes: NDArray[Any]) -> tuple[dict[str, Any], dict[str, NDArray[Any]]]:
    """Class labels for a model file: numbers (bool, int64, float64) as the array
    ``classes``, strings as the list ``classes`` in the config."""
    classes = np.asarray(classes)
    if classes.dtype.kind == "b":
        return {}, {"classes": classes.astype(bool)}
    if classes.dtype.kind in "iu":
        return {}, {"classes": classes.astype(np.int64)}
    if classes.dtype.kind == "f":
        return {}, {"classes": classes.astype(np.float64)}
    if all(isinstance(c, str) for c in classes.tolist()):
        return {"classes": [str(c) for c in classes.tolist()]}, {}
    raise ValueError(f"classes of dtype {classes.dtype} are neither numbers nor strings")


def classes_from(config: dict[str, Any], arrays: dict[str, NDArray[Any]]) -> NDArray[Any] | None:
    """The class labels stored by an export, or None for a regressor."""
    if "classes" in arrays:
        return np.asarray(arrays["classes"])
    if "classes" in config:
        names = config["classes"]
        if not isinstance(names, list) or not all(isinstance(c, str) for c in names):
            raise ValueError("config 'classes' must be a list of strings")
        return np.array(names, dtype=str)
    return None


def mlp_arrays(
    est: Any, scaler: Any | None = None
) -> tuple[dict[str, Any], dict[str, NDArray[Any]]]:
    """Export a fitted ``MLPRegressor`` or ``MLPClassifier`` to (config, arrays).

    Parameters
    ----------
    est
        Fitted :class:`sklearn.neural_network.MLPRegressor` or ``MLPClassifier``
        (single-label classification).
    scaler
        Optional fitted :class:`sklearn.preprocessing.StandardScaler` applied to the
        inputs before ``est``.

    Returns
    -------
    config
        ``estimator``, ``activation``, ``out_activation``, ``n_layers`` (weight
        matrices), ``n_features``, ``n_outputs``, ``scaled`` and, for string class
        labels, ``classes``.
    arrays
        ``W0 … W{L−1}`` ``(n_in, n_out)``, ``b0 … b{L−1}`` ``(n_out,)``, float64;
        ``classes`` for numeric labels; ``scaler_mean`` and ``scaler_scale``
        ``(n_features,)`` if a scaler was given.

    Raises
    ------
    ValueError
        If ``est`` is not a fitted single-label MLP, or ``scaler`` not a fitted
        StandardScaler of the same width.
    """
    from sklearn.neural_network import MLPClassifier, MLPRegressor
    from sklearn.preprocessing import StandardScaler

    if not isinstance(est, MLPClassifier | MLPRegressor):
        raise ValueError(f"expected an MLPRegressor or MLPClassifier, got {type(est).__name__}")
    if not hasattr(est, "coefs_"):
        raise ValueError(f"{type(est).__name__} is not fitted")
    arrays: dict[str, NDArray[Any]] = {}
    for i, (w, b) in enumerate(zip(est.coefs_, est.intercepts_, strict=True)):
        arrays[f"W{i}"] = np.asarray(w, dtype=np.float64)
        arrays[f"b{i}"] = np.asarray(b, dtype=np.float64)
    config: dict[str, Any] = {
        "estimator": type(est).__name__,
        "activation": str(est.activation),
        "out_activation": str(est.out_activation_),
        "n_layers": len(est.coefs_),
        "n_features": int(est.coefs_[0].shape[0]),
        "n_outputs": int(est.n_outputs_),
        "scaled": scaler is not None,
    }
    if isinstance(est, MLPClassifier):
        if str(est._label_binarizer.y_type_).startswith("multilabel"):
            raise ValueError("multilabel MLPClassifier is not supported")
        extra_config, extra_arrays = export_classes(est.classes_)
        config.update(extra_config)
        arrays.update(extra_arrays)
    if scaler is not None:
        if not isinstance(scaler, StandardScaler) or not hasattr(scaler, "n_features_in_"):
            raise ValueError(f"scaler must be a fitted StandardScaler, not {type(scaler).__name__}")
        arrays.update(_scaler_arrays(scaler, config["n_features"]))
    return config, arrays


def _scaler_arrays(scaler: Any, n_features: int) -> dict[str, F64]:
    """Mean and scale of a fitted StandardScaler (zeros/ones where it has none)."""
    if scaler.n_features_in_ != n_features:
        raise ValueError(f"scaler has {scaler.n_features_in_} features, the MLP {n_features}")
    mean = np.zeros(n_features) if scaler.mean_ is None or not scaler.with_mean else scaler.mean_
    scale = np.ones(n_features) if scaler.scale_ is None else scaler.scale_
    return {
        "scaler_mean": np.asarray(mean, dtype=np.float64),
        "scaler_scale": np.asarray(scale, dtype=np.float64),
    }


@dataclass(frozen=True, eq=False)
class MLP:
    """A feed-forward network ready for numpy inference.

    Build it with :meth:`from_arrays` or :meth:`load`; see the module docstring for
    the equations.
    """

    weights: tuple[F64, ...]  #: ``Wᵢ`` ``(n_in, n_out)``
    biases: tuple[F64, ...]  #: ``bᵢ`` ``(n_out,)``
    activation: str  #: hidden activation
    out_activation: str  #: output function
    classes: NDArray[Any] | None = None  #: class labels; None for a regressor
    mean: F64 | None = None  #: input standardisation mean ``(n_features,)``
    scale: F64 | None = None  #: input standardisation scale ``(n_features,)``

    @property
    def n_features(self) -> int:
        """Width of the input rows."""
        return int(self.weights[0].shape[0])

    @property
    def is_classifier(self) -> bool:
        """True for a classifier."""
        return self.classes is not None

    @classmethod
    def from_arrays(cls, config: dict[str, Any], arrays: dict[str, NDArray[Any]]) -> MLP:
        """Build from the (config, arrays) of :func:`mlp_arrays` or a model file.

        Raises
        ------
        ValueError
            If the layers do not chain, an activation is unknown or the classes do not
            match the output layer.
        """
        n_layers = config.get("n_layers")
        if not isinstance(n_layers, int) or n_layers < 1:
            raise ValueError(f"config 'n_layers' must be a positive int, got {n_layers!r}")
        if config.get("activation") not in HIDDEN:
            raise ValueError(f"unknown hidden activation {config.get('activation')!r}")
        if config.get("out_activation") not in OUTPUT:
            raise ValueError(f"unknown output activation {config.get('out_activation')!r}")
        weights, biases = _layers(arrays, n_layers)
        classes = classes_from(config, arrays)
        mean, scale = _scaler(arrays, int(weights[0].shape[0]))
        model = cls(
            weights, biases, config["activation"], config["out_activation"], classes, mean, scale
        )
        _check_head(model)
        return model

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> MLP:
        """Load a model file written with ``save_model(path, KIND, *mlp_arrays(...))``.

        Raises
        ------
        ModelFileError
            If the file is refused by :func:`~tate.predict.modelfile.load_model` or
            does not describe a valid network.
        """
        return load_built(path, KIND, cls.from_arrays, "network")

    def _forward(self, X: F64) -> F64:
        """Output-layer values ``(n, n_outputs)`` for inputs ``(n, n_features)``."""
        h = np.asarray(X, dtype=np.float64)
        if h.ndim != 2 or h.shape[1] != self.n_features:
            raise ValueError(f"X must have shape (n, {self.n_features}), got {h.shape}")
        if self.mean is not None and self.scale is not None:
            h = (h - self.mean) / self.scale
        last = len(self.weights) - 1
        for i, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            h = h @ w + b
            h = _activate(self.activation if i < last else self.out_activation, h)
        return h

    def predict_proba(self, X: F64) -> F64:
        """Class probabilities ``(n, n_classes)`` of a classifier for rows ``(n, n_features)``."""
        if not self.is_classifier:
            raise ValueError("predict_proba needs a classifier; this MLP is a regressor")
        y = self._forward(X)
        if y.shape[1] == 1:
            return np.column_stack([1.0 - y[:, 0], y[:, 0]])
        return y

    def predict(self, X: F64) -> NDArray[Any]:
        """Regression outputs, or predicted class labels of a classifier.

        Parameters
        ----------
        X
            Input rows ``(n, n_features)``.

        Returns
        -------
        ndarray
            Regressor: ``(n,)`` for one output, else ``(n, n_outputs)``.  Classifier:
            labels ``(n,)`` — the positive class where p > 0.5 (binary), else the class
            of largest probability, as scikit-learn's ``predict``.
        """
        y = self._forward(X)
        if self.classes is None:
            return y[:, 0] if y.shape[1] == 1 else y
        index = (y[:, 0] > 0.5).astype(np.intp) if y.shape[1] == 1 else y.argmax(axis=1)
        return self.classes[index]


def _layers(
    arrays: dict[str, NDArray[Any]], n_layers: int
) -> tuple[tuple[F64, ...], tuple[F64, ...]]:
    """Weights and biases of ``n_layers`` layers, checked to chain."""
    weights: list[F64] = []
    biases: list[F64] = []
    for i in range(n_layers):
        if f"W{i}" not in arrays or f"b{i}" not in arrays:
            raise ValueError(f"arrays W{i} and b{i} are required")
        w = np.asarray(arrays[f"W{i}"], dtype=np.float64)
        b = np.asarray(arrays[f"b{i}"], dtype=np.float64)
        if w.ndim != 2 or b.shape != (w.shape[1],):
            raise ValueError(f"W{i} {w.shape} and b{i} {b.shape} do not form a layer")
        if weights and weights[-1].shape[1] != w.shape[0]:
            raise ValueError(
                f"W{i} takes {w.shape[0]} inputs, W{i - 1} gives {weights[-1].shape[1]}"
            )
        weights.append(w)
        biases.append(b)
    return tuple(weights), tuple(biases)


def _scaler(arrays: dict[str, NDArray[Any]], n_features: int) -> tuple[F64 | None, F64 | None]:
    """Stored standardisation, if any, checked against the input width."""
    if "scaler_mean" not in arrays and "scaler_scale" not in arrays:
        return None, None
    mean = np.asarray(arrays.get("scaler_mean"), dtype=np.float64)
    scale = np.asarray(arrays.get("scaler_scale"), dtype=np.float64)
    if mean.shape != (n_features,) or scale.shape != (n_features,):
        raise ValueError(f"scaler_mean and scaler_scale must both have shape ({n_features},)")
    return mean, scale


def _check_head(model: MLP) -> None:
    """The output function and the classes must agree with the output width."""
    n_out = model.weights[-1].shape[1]
    head = model.out_activation
    if model.classes is None:
        if head not in ("identity", "exp"):
            raise ValueError(f"a regressor needs an identity or exp output, got {head!r}")
        return
    n_classes = model.classes.shape[0]
    if model.classes.ndim != 1 or n_classes < 2:
        raise ValueError("classes must be a 1-D list of at least two labels")
    expected = ("logistic", 1) if n_classes == 2 else ("softmax", n_classes)
    if (head, n_out) != expected:
        raise ValueError(
            f"{n_classes} classes need a {expected[0]} output of width {expected[1]}, "
            f"got {head} of width {n_out}"
        )
