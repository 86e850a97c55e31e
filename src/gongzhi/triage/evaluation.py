"""Reproducible evaluation of the classifier (``make eval``): on any labelled CSV, or 5-fold cross-validation."""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from . import classifier
from . import text as triage_text


def eval_model_path(train_csv: Path, model_dir: Path) -> Path:
    return Path(model_dir) / f"eval-{classifier.file_digest(train_csv)}.npz"


def eval_model(train_csv: Path, model_dir: Path) -> classifier.Classifier:
    """The model trained on ``train_csv`` alone with its own labels, trained once and kept under var/models/."""
    path = eval_model_path(train_csv, model_dir)
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


def cross_validate(texts: list[str], labels: list[str], folds: int = 5) -> tuple[list[str], np.ndarray, list[str]]:
    """For every message, from a model that never saw it (or its exact reposts): the predicted label, and the
    model's margins (columns: the returned label order; an empty text's row is all zeros)."""
    from sklearn.model_selection import StratifiedGroupKFold

    order = sorted(set(labels))
    predicted = np.empty(len(texts), dtype=object)
    margins = np.zeros((len(texts), len(order)))
    split = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=classifier.SEED)
    for train, test in split.split(texts, labels, _groups(texts)):
        model = classifier.fit([texts[i] for i in train], [labels[i] for i in train])
        predicted[test] = [best[0][0] for best in model.top([texts[i] for i in test], k=1)]
        columns = [model.labels.index(label) for label in order]
        margins[test] = model.margins([triage_text.normalize(texts[i]) for i in test])[:, columns]
    return list(predicted), margins, order


def calibrate(margins: np.ndarray, truth: list[str], order: list[str]) -> dict:
    """The softmax temperature with the lowest log loss on held-out margins, and what a confidence threshold
    means at it: the share of messages at or above it, and how many of those are right."""
    target = np.array([order.index(t) for t in truth])
    rows = np.arange(len(target))

    def scores(temperature: float) -> np.ndarray:
        return classifier._softmax(margins, temperature)

    grid = np.round(np.arange(0.1, 2.01, 0.05), 2)
    losses = [-np.log(np.clip(scores(t)[rows, target], 1e-12, None)).mean() for t in grid]
    best = float(grid[int(np.argmin(losses))])
    p = scores(best)
    confidence, right = p.max(axis=1), p.argmax(axis=1) == target
    table = []
    for threshold in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9):
        sure = confidence >= threshold
        table.append({"threshold": threshold, "share": round(float(sure.mean()), 4),
                      "accuracy": round(float(right[sure].mean()), 4) if sure.any() else None})
    return {"temperature": best, "log_loss": round(float(min(losses)), 4), "thresholds": table}


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


def read_accepting(path: Path) -> tuple[list[str], list[list[str]]]:
    """A CSV with columns text, accept (one or more first-level category codes or names, separated by ``;``)."""
    import csv

    texts, accepts = [], []
    with Path(path).open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        if not {"text", "accept"} <= set(reader.fieldnames or ()):
            raise ValueError(f"{path}: the columns must be text,accept (found {reader.fieldnames})")
        for row in reader:
            accept = [a.strip() for a in (row["accept"] or "").replace("；", ";").split(";") if a.strip()]
            if accept:
                texts.append(row["text"] or "")
                accepts.append(accept)
    return texts, accepts


def family_ranking(model: classifier.Classifier, texts: list[str], parents: dict[int, int | None]
                   ) -> tuple[list[int], np.ndarray]:
    """The families (first-level category ids) and, per text, each family's probability (the sum of its
    categories'), columns in that order."""
    families = sorted({parents[int(label)] or int(label) for label in model.labels if int(label) in parents})
    column = {f: i for i, f in enumerate(families)}
    scores = model.scores(texts)
    out = np.zeros((len(texts), len(families)))
    for j, label in enumerate(model.labels):
        if int(label) in parents:
            out[:, column[parents[int(label)] or int(label)]] += scores[:, j]
    return families, out


def catalogue_report(texts: list[str], accepts: list[set[int]], families: list[int], probabilities: np.ndarray,
                     *, unsure: float, names: dict[int, str], extra: dict | None = None) -> list[dict]:
    """``triage.catalogue_top1``/``_top3`` (first level, any accepted family right) and what "unsure" does, as JSON
    lines; the misses and the calibration table to stderr."""
    order = np.argsort(-probabilities, axis=1, kind="stable")
    first = [families[o[0]] for o in order]
    right = np.array([f in a for f, a in zip(first, accepts, strict=True)])
    in_three = np.array([bool({families[k] for k in o[:3]} & a) for o, a in zip(order, accepts, strict=True)])
    confidence = probabilities.max(axis=1)
    sure = confidence >= unsure
    print("calibration (confidence of the first family → share right):", file=sys.stderr)
    for low, high in ((0, .3), (.3, .5), (.5, .7), (.7, .9), (.9, 1.01)):
        band = (confidence >= low) & (confidence < high)
        if band.any():
            print(f"  [{low:.1f}, {min(high, 1):.1f}): {band.sum():5d} messages, mean confidence "
                  f"{confidence[band].mean():.2f}, right {right[band].mean():.2f}", file=sys.stderr)
    misses = [i for i in range(len(texts)) if not right[i]]
    print(f"first suggestion wrong ({len(misses)}):", file=sys.stderr)
    for i in misses[:60]:
        print(f"  {texts[i][:50]!r}: {names.get(first[i], first[i])} {confidence[i]:.2f}, accepted "
              f"{'/'.join(names.get(a, str(a)) for a in sorted(accepts[i]))}", file=sys.stderr)
    common = {"n": len(texts), **(extra or {})}
    # the expected calibration error: how far the confidence shown is from the share right, over ten bands
    bands = np.minimum((confidence * 10).astype(int), 9)
    ece = sum(abs(confidence[bands == b].mean() - right[bands == b].mean()) * (bands == b).mean()
              for b in range(10) if (bands == b).any())
    return [
        {"name": "triage.catalogue_top1", "value": round(float(right.mean()), 4), "unit": "share", **common,
         "goal": ">=0.85", "calibration_error": round(float(ece), 4),
         "unsure_share": round(float((~sure).mean()), 4),
         "right_when_sure": round(float(right[sure].mean()), 4) if sure.any() else None,
         "unsure_at": unsure},
        {"name": "triage.catalogue_top3", "value": round(float(in_three.mean()), 4), "unit": "share", **common,
         "goal": ">=0.95"},
    ]
