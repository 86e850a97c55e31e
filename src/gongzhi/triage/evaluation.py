"""Reproducible evaluation of the classifier (``make eval``): on any labelled CSV, or 5-fold cross-validation."""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from . import classifier


def eval_model(train_csv: Path, model_dir: Path) -> classifier.Classifier:
    """The model trained on ``train_csv`` alone with its own labels, trained once and kept under var/models/."""
    path = Path(model_dir) / f"eval-{classifier.file_digest(train_csv)}.joblib"
    if path.exists():
        return classifier.Classifier.load(path)
    texts, labels = classifier.read_labelled(train_csv)
    model = classifier.fit(texts, labels, meta={"trained_on": str(train_csv)})
    model.save(path)
    return model


def _groups(texts: list[str]) -> list[int]:
    """Identical messages (after whitespace) are one group, so a repost never sits on both sides of a split."""
    seen: dict[str, int] = {}
    return [seen.setdefault(" ".join(t.split()), len(seen)) for t in texts]


def cross_validate(texts: list[str], labels: list[str], folds: int = 5) -> list[str]:
    """Predictions for every message from a model that never saw it (or its exact reposts)."""
    from sklearn.model_selection import StratifiedGroupKFold

    predicted = np.empty(len(texts), dtype=object)
    split = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=classifier.SEED)
    for train, test in split.split(texts, labels, _groups(texts)):
        model = classifier.fit([texts[i] for i in train], [labels[i] for i in train])
        predicted[test] = [best[0][0] for best in model.top([texts[i] for i in test], k=1)]
    return list(predicted)


def report(truth: list[str], predicted: list[str], *, name_prefix: str = "triage.classify", extra=None) -> list[dict]:
    """The JSON lines for stdout; per-label F1 and the confusion matrix go to stderr."""
    from sklearn.metrics import accuracy_score, confusion_matrix, f1_score

    labels = sorted(set(truth) | set(predicted))
    per_label = f1_score(truth, predicted, labels=labels, average=None, zero_division=0)
    matrix = confusion_matrix(truth, predicted, labels=labels)
    width = max(len(label) for label in labels)
    print("per-label F1:", file=sys.stderr)
    for label, score in zip(labels, per_label, strict=True):
        print(f"  {label:<{width}}  {score:.4f}", file=sys.stderr)
    print("confusion matrix (rows: truth, columns: predicted, same order):", file=sys.stderr)
    for label, row in zip(labels, matrix, strict=True):
        print(f"  {label:<{width}}  " + " ".join(f"{n:5d}" for n in row), file=sys.stderr)
    common = {"n": len(truth), **(extra or {})}
    macro = round(float(f1_score(truth, predicted, average="macro", zero_division=0)), 4)
    accuracy = round(float(accuracy_score(truth, predicted)), 4)
    weakest = labels[int(np.argmin(per_label))]
    return [
        {"name": f"{name_prefix}_macro_f1", "value": macro, "unit": "f1", **common,
         "weakest": {weakest: round(float(min(per_label)), 4)}, "goal": ">=0.93"},
        {"name": f"{name_prefix}_accuracy", "value": accuracy, "unit": "share", **common},
    ]
