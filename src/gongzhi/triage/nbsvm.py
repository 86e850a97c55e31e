"""NB-SVM (Wang & Manning 2012) as a scikit-learn classifier: training only, in its own module so that the
processes that merely score (web workers) never import scikit-learn."""
from __future__ import annotations

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.svm import LinearSVC


class NBSVM(ClassifierMixin, BaseEstimator):
    """One-vs-rest NB-SVM over a sparse feature matrix, exposing ``coef_``/``intercept_``/``classes_`` like a
    linear model. For label k the log-count ratio ``r_k = log(p/|p|) - log(q/|q|)``, with ``p`` and ``q`` the
    ``alpha``-smoothed (sample-weighted) counts of messages with each feature inside and outside k, scales the
    features, and a binary ``LinearSVC`` is fitted on them: margin ``(x·r_k)·w_k = x·(w_k·r_k)``."""

    def __init__(self, C: float = 3.0, alpha: float = 2.0, seed: int = 0):
        self.C = C
        self.alpha = alpha
        self.seed = seed

    def fit(self, X, y, sample_weight=None) -> NBSVM:
        X = sparse.csr_matrix(X)
        y = np.asarray(y)
        weight = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
        present = X.copy()
        present.data[:] = 1
        self.classes_ = np.unique(y)
        coef, intercept = [], []
        for label in self.classes_:
            inside = y == label
            p = self.alpha + np.asarray(present.T @ (weight * inside)).ravel()
            q = self.alpha + np.asarray(present.T @ (weight * ~inside)).ravel()
            ratio = (np.log(p / p.sum()) - np.log(q / q.sum())).astype(X.dtype)
            svm = LinearSVC(C=self.C, random_state=self.seed)
            svm.fit(X @ sparse.diags(ratio), inside.astype(int), sample_weight=weight)
            coef.append(svm.coef_.ravel() * ratio)
            intercept.append(svm.intercept_[0])
        self.coef_, self.intercept_ = np.array(coef), np.array(intercept)
        return self

    def decision_function(self, X) -> np.ndarray:
        return np.asarray(X @ self.coef_.T) + self.intercept_

    def predict(self, X) -> np.ndarray:
        return self.classes_[self.decision_function(X).argmax(axis=1)]
