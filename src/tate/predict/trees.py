"""Gradient-boosted tree inference in numpy, for scikit-learn's histogram boosting.

What it models
--------------
An additive ensemble of regression trees (Friedman, "Greedy function approximation:
a gradient boosting machine", Annals of Statistics 29(5), 2001, eq. 10 — the model is
the initial constant plus the sum of the fitted trees).  With ``K`` trees per boosting
iteration (``K = n_classes`` for a multiclass classifier, else 1) the raw score of
sample ``x`` for output ``k`` is

    F_k(x) = F_{0,k} + Σ_m  T_{m,k}(x),

the baseline ``F_{0,k}`` plus the leaf value reached in every tree of output ``k``.
A tree is walked from its root; at a split on feature ``j`` with threshold ``θ`` the
sample goes left if ``x_j ≤ θ``, and a missing value (NaN) goes to the side learnt in
training (``missing_go_to_left``) — the rule of scikit-learn's
``_predict_one_from_raw_data`` (``_hist_gradient_boosting/_predictor.pyx``, 1.9).
The raw scores are turned into predictions by the inverse link:

* regression: identity, or ``exp`` for the log-link losses (Poisson, gamma);
* binary classification: p = 1/(1 + e^−F), probabilities (1 − p, p), class 1 where F > 0;
* multiclass: softmax over the ``K`` scores, class of largest score.

Vectorisation: every sample × every tree is one cell of an ``(n, n_trees)`` array of
node indices; one step moves all cells one level down, and leaves point to
themselves, so ``max_depth`` steps finish every walk (a loop over depth only, never
over trees or samples); finished cells are dropped from the working set as they
accumulate, so the cost follows the mean rather than the largest leaf depth.  The
per-tree values are added to the baseline in scikit-learn's order (baseline, then
iteration 0, 1, …) by a sequential accumulation, which reproduces ``_raw_predict``
to rounding.

:func:`hgb_arrays` exports a fitted estimator with numeric features to the
(config, arrays) pair of :mod:`tate.predict.modelfile`; :class:`GradientBoosted`
predicts from it without scikit-learn.  Units are whatever the model was trained on.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from tate.predict.mlp import classes_from, export_classes, logistic, softmax
from tate.predict.modelfile import load_built

__all__ = ["KIND", "GradientBoosted", "hgb_arrays"]

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
KIND = "hgb"  #: model kind in the model file
LINKS = ("identity", "log", "logit", "softmax")
_REGRESSION_LINKS = {"IdentityLink": "identity", "LogLink": "log"}
_NODE_ARRAYS = ("feature", "threshold", "missing_left", "left", "right", "is_leaf", "value")


def hgb_arrays(est: Any) -> tuple[dict[str, Any], dict[str, NDArray[Any]]]:
    """Export a fitted ``HistGradientBoostingClassifier``/``Regressor`` to (config, arrays).

    Parameters
    ----------
    est
        Fitted :class:`sklearn.ensemble.HistGradientBoostingClassifier` or
        ``HistGradientBoostingRegressor`` on numeric features.

    Returns
    -------
    config
        ``estimator``, ``n_features``, ``n_trees_per_iteration`` (K), ``link``
        (``identity``, ``log``, ``logit`` or ``softmax``), ``max_depth`` (deepest
        leaf) and, for string labels, ``classes``.
    arrays
        Over the nodes of all trees concatenated in scikit-learn's order (iteration
        major, then output ``k``): ``feature`` (int64), ``threshold`` (float64),
        ``missing_left`` (bool), ``left`` and ``right`` (int64, indices into the
        concatenation), ``is_leaf`` (bool), ``value`` (float64, leaf values); per
        tree ``roots`` (int64, index of its root); ``baseline`` ``(K,)`` float64;
        ``classes`` for numeric labels.

    Raises
    ------
    ValueError
        If ``est`` is not a fitted histogram gradient-boosting model, uses
        categorical features or a loss whose link is not supported.
    """
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

    if not isinstance(est, HistGradientBoostingClassifier | HistGradientBoostingRegressor):
        raise ValueError(f"expected a HistGradientBoosting model, got {type(est).__name__}")
    if not hasattr(est, "_predictors"):
        raise ValueError(f"{type(est).__name__} is not fitted")
    categorical = getattr(est, "is_categorical_", None)
    nodes = [tree.nodes for trees in est._predictors for tree in trees]
    if (categorical is not None and np.any(categorical)) or any(
        n["is_categorical"].any() for n in nodes
    ):
        raise ValueError("categorical features are not supported; export numeric features only")
    k = int(est.n_trees_per_iteration_)
    config: dict[str, Any] = {
        "estimator": type(est).__name__,
        "n_features": int(est.n_features_in_),
        "n_trees_per_iteration": k,
        "max_depth": max(int(n["depth"].max()) for n in nodes),
    }
    arrays = _node_arrays(nodes)
    arrays["baseline"] = np.asarray(est._baseline_prediction, dtype=np.float64).reshape(k)
    if isinstance(est, HistGradientBoostingClassifier):
        config["link"] = "logit" if k == 1 else "softmax"
        extra_config, extra_arrays = export_classes(est.classes_)
        config.update(extra_config)
        arrays.update(extra_arrays)
    else:
        link = type(est._loss.link).__name__
        if link not in _REGRESSION_LINKS:
            raise ValueError(f"loss {est.loss!r} has an unsupported link {link}")
        config["link"] = _REGRESSION_LINKS[link]
    return config, arrays


def _node_arrays(nodes: list[NDArray[Any]]) -> dict[str, NDArray[Any]]:
    """Concatenate the node records of all trees, children offset to global indices."""
    sizes = np.array([n.shape[0] for n in nodes], dtype=np.int64)
    roots = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
    offset = np.repeat(roots, sizes)
    allnodes = np.concatenate(nodes)
    leaf = allnodes["is_leaf"].astype(bool)
    return {
        "feature": np.where(leaf, 0, allnodes["feature_idx"]).astype(np.int64),
        "threshold": np.where(leaf, 0.0, allnodes["num_threshold"]).astype(np.float64),
        "missing_left": allnodes["missing_go_to_left"].astype(bool) & ~leaf,
        "left": np.where(leaf, -1, allnodes["left"].astype(np.int64) + offset),
        "right": np.where(leaf, -1, allnodes["right"].astype(np.int64) + offset),
        "is_leaf": leaf,
        "value": np.where(leaf, allnodes["value"], 0.0).astype(np.float64),
        "roots": roots,
    }


@dataclass(frozen=True, eq=False)
class GradientBoosted:
    """A histogram gradient-boosting ensemble ready for numpy inference.

    Build it with :meth:`from_arrays` or :meth:`load`.  The node arrays cover all
    trees, renumbered so that splits come first and leaves after them; a leaf is its
    own child, so a walk may step past it.  A walk holds the *slot* ``2i`` of node
    ``i``; the split there tests ``x ≤ θ`` and moves to ``next_slot[2i + (x ≤ θ)]``,
    which is again an even slot, so no multiplication is needed per step.  The test
    reads one column of the doubled row ``[x with NaN → −∞ | x]``: the first half for
    splits whose missing values go left (−∞ ≤ θ always holds), the second for the
    others (NaN ≤ θ never does), so a single comparison gives both the threshold rule
    and the NaN rule of scikit-learn.
    """

    column: NDArray[np.intp]  #: ``(2 n_nodes,)`` column of the doubled row tested, per slot
    threshold: F64  #: ``(2 n_nodes,)`` split threshold per slot; left if ``x ≤ threshold``
    next_slot: NDArray[np.intp]  #: ``(2 n_nodes,)`` slot ``2i``: right child, ``2i+1``: left
    n_internal: int  #: nodes ``[0, n_internal)`` are splits, the rest leaves
    value: F64  #: leaf value per node (0 at splits)
    roots: NDArray[np.intp]  #: ``(n_trees,)`` root node of each tree
    baseline: F64  #: ``(K,)`` initial raw score
    n_features: int  #: width of the input rows
    max_depth: int  #: steps that bring every walk to a leaf
    link: str  #: inverse link: identity, log, logit or softmax
    classes: NDArray[Any] | None = None  #: class labels; None for a regressor

    @property
    def n_trees_per_iteration(self) -> int:
        """K: outputs of the raw score."""
        return int(self.baseline.shape[0])

    @classmethod
    def from_arrays(
        cls, config: dict[str, Any], arrays: dict[str, NDArray[Any]]
    ) -> GradientBoosted:
        """Build from the (config, arrays) of :func:`hgb_arrays` or a model file.

        Raises
        ------
        ValueError
            If arrays are missing or inconsistent, a child or feature index is out of
            range, some walk is longer than ``max_depth``, or link and classes disagree.
        """
        missing = [n for n in (*_NODE_ARRAYS, "roots", "baseline") if n not in arrays]
        if missing:
            raise ValueError(f"missing arrays: {', '.join(missing)}")
        n_features, max_depth, link = _scalars(config)
        nodes = {n: np.asarray(arrays[n]) for n in _NODE_ARRAYS}
        n_nodes = nodes["feature"].shape[0]
        if any(a.shape != (n_nodes,) for a in nodes.values()):
            raise ValueError("node arrays must all have shape (n_nodes,)")
        leaf = nodes["is_leaf"].astype(bool)
        own = np.arange(n_nodes, dtype=np.intp)
        left = np.where(leaf, own, nodes["left"]).astype(np.intp)
        right = np.where(leaf, own, nodes["right"]).astype(np.intp)
        feature = np.where(leaf, 0, nodes["feature"]).astype(np.intp)
        roots = np.asarray(arrays["roots"]).astype(np.intp)
        baseline = np.asarray(arrays["baseline"], dtype=np.float64)
        _check_structure(left, right, feature, leaf, roots, baseline, n_features, max_depth)
        classes = classes_from(config, arrays)
        _check_head(link, baseline.shape[0], classes)
        # renumber: splits first, then leaves, so that "is a leaf" is one comparison
        order = np.concatenate([np.flatnonzero(~leaf), np.flatnonzero(leaf)])
        new = np.empty(n_nodes, dtype=np.intp)
        new[order] = own
        missing_left = nodes["missing_left"].astype(bool)
        column = np.where(leaf | missing_left, feature, feature + n_features)[order]
        threshold = np.where(leaf, 0.0, nodes["threshold"]).astype(np.float64)[order]
        return cls(
            column=np.repeat(column, 2),
            threshold=np.repeat(threshold, 2),
            next_slot=2 * np.column_stack([new[right], new[left]])[order].ravel(),
            n_internal=int(np.count_nonzero(~leaf)),
            value=np.where(leaf, nodes["value"], 0.0).astype(np.float64)[order],
            roots=new[roots],
            baseline=baseline,
            n_features=n_features,
            max_depth=max_depth,
            link=link,
            classes=classes,
        )

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> GradientBoosted:
        """Load a model file written with ``save_model(path, KIND, *hgb_arrays(...))``.

        Raises
        ------
        ModelFileError
            If the file is refused by :func:`~tate.predict.modelfile.load_model` or
            does not describe a valid ensemble.
        """
        return load_built(path, KIND, cls.from_arrays, "tree ensemble")

    def leaves(self, X: F64) -> NDArray[np.intp]:
        """Leaf reached by every sample in every tree, ``(n, n_trees)`` (renumbered nodes).

        Parameters
        ----------
        X
            Input rows ``(n, n_features)``; NaN marks a missing value.

        Notes
        -----
        All walks advance together, one level per step, for at most ``max_depth``
        steps.  Walks that have reached a leaf are dropped from the working set once
        a quarter of it has finished, so the cost follows the mean leaf depth rather
        than the deepest leaf.
        """
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != self.n_features:
            raise ValueError(f"X must have shape (n, {self.n_features}), got {X.shape}")
        n, n_trees = X.shape[0], self.roots.shape[0]
        doubled = np.concatenate([np.where(np.isnan(X), -np.inf, X), X], axis=1).ravel()
        first_leaf = 2 * self.n_internal
        out = np.tile(2 * self.roots, n)
        cell = np.flatnonzero(out < first_leaf)
        slot = out[cell]
        base = (cell // n_trees) * (2 * self.n_features)  # start of the cell's doubled row
        for _ in range(self.max_depth):
            if slot.size == 0:
                break
            go_left = doubled[base + self.column[slot]] <= self.threshold[slot]
            slot = self.next_slot[slot + go_left]
            done = slot >= first_leaf
            if 4 * np.count_nonzero(done) >= slot.size:
                out[cell] = slot
                busy = np.flatnonzero(~done)
                cell, slot, base = cell[busy], slot[busy], base[busy]
        out[cell] = slot
        return (out // 2).reshape(n, n_trees)

    def decision_function(self, X: F64) -> F64:
        """Raw scores F: ``(n,)`` if K = 1, else ``(n, K)``.

        Parameters
        ----------
        X
            Input rows ``(n, n_features)``; NaN marks a missing value.
        """
        values = self.value[self.leaves(X)]
        k = self.n_trees_per_iteration
        n = values.shape[0]
        terms = np.empty((n, values.shape[1] // k + 1, k))
        terms[:, 0, :] = self.baseline
        terms[:, 1:, :] = values.reshape(n, -1, k)
        raw = np.add.accumulate(terms, axis=1)[:, -1, :]
        return raw[:, 0] if k == 1 else raw

    def predict_proba(self, X: F64) -> F64:
        """Class probabilities ``(n, n_classes)`` of a classifier."""
        if self.classes is None:
            raise ValueError("predict_proba needs a classifier; this model is a regressor")
        raw = self.decision_function(X)
        if self.link == "logit":
            p = logistic(raw)
            return np.column_stack([1.0 - p, p])
        return softmax(raw)

    def predict(self, X: F64) -> NDArray[Any]:
        """Regression values ``(n,)``, or class labels ``(n,)`` of a classifier.

        A binary classifier predicts class 1 where F > 0 and a multiclass one the
        class of largest score, as scikit-learn's ``predict``.
        """
        raw = self.decision_function(X)
        if self.classes is None:
            return np.exp(raw) if self.link == "log" else raw
        index = (raw > 0).astype(np.intp) if raw.ndim == 1 else raw.argmax(axis=1)
        return self.classes[index]


def _scalars(config: dict[str, Any]) -> tuple[int, int, str]:
    """``n_features``, ``max_depth`` and ``link`` from the config, checked."""
    n_features = config.get("n_features")
    max_depth = config.get("max_depth")
    link = config.get("link")
    if not isinstance(n_features, int) or n_features < 1:
        raise ValueError(f"config 'n_features' must be a positive int, got {n_features!r}")
    if not isinstance(max_depth, int) or max_depth < 0:
        raise ValueError(f"config 'max_depth' must be an int >= 0, got {max_depth!r}")
    if link not in LINKS:
        raise ValueError(f"config 'link' must be one of {LINKS}, got {link!r}")
    return n_features, max_depth, str(link)


def _check_structure(
    left: NDArray[np.intp],
    right: NDArray[np.intp],
    feature: NDArray[np.intp],
    leaf: NDArray[np.bool_],
    roots: NDArray[np.intp],
    baseline: F64,
    n_features: int,
    max_depth: int,
) -> None:
    """Indices in range, K trees per iteration, and every walk a leaf within max_depth."""
    n_nodes = left.shape[0]
    children = np.column_stack([left, right])
    if baseline.ndim != 1 or baseline.shape[0] < 1:
        raise ValueError("baseline must have shape (K,) with K >= 1")
    if roots.ndim != 1 or roots.shape[0] == 0 or roots.shape[0] % baseline.shape[0]:
        raise ValueError(f"{roots.shape[0]} trees is not a multiple of K={baseline.shape[0]}")
    if children.size and (children.min() < 0 or children.max() >= n_nodes):
        raise ValueError("a child index is out of range")
    if roots.min() < 0 or roots.max() >= n_nodes:
        raise ValueError("a root index is out of range")
    if feature.size and (feature.min() < 0 or feature.max() >= n_features):
        raise ValueError(f"a split feature is outside 0..{n_features - 1}")
    frontier = np.unique(roots)
    for _ in range(max_depth):
        frontier = np.unique(children[frontier[~leaf[frontier]]])
    if not leaf[frontier].all():
        raise ValueError(f"some tree is deeper than max_depth={max_depth}")


def _check_head(link: str, k: int, classes: NDArray[Any] | None) -> None:
    """Link, K and classes must describe the same kind of model."""
    if classes is None:
        if link not in ("identity", "log") or k != 1:
            raise ValueError(f"a regressor needs K=1 and an identity or log link, got {link}")
        return
    n_classes = classes.shape[0]
    expected = ("logit", 1) if n_classes == 2 else ("softmax", n_classes)
    if classes.ndim != 1 or n_classes < 2 or (link, k) != expected:
        raise ValueError(f"{n_classes} classes need link {expected[0]} with K={expected[1]}")
