"""The category classifier: character n-grams of the normalised text, a linear model, scores that sum to one.

Pure functions over texts and labels; which labels (the shared data's city labels, or catalogue categories)
is the caller's business. A model is a file: ``Classifier.save`` / ``Classifier.load`` (joblib).
"""
from __future__ import annotations

import csv
import hashlib
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import text as triage_text

FORMAT = 1
SEED = 20261123


def build_pipeline():
    """Unfitted: normalised text → scores per label."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import make_pipeline
    from sklearn.svm import LinearSVC

    return make_pipeline(
        TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=2, dtype=np.float32),
        LinearSVC(C=0.5, random_state=SEED),
    )


def _softmax(scores: np.ndarray, temperature: float) -> np.ndarray:
    z = scores / temperature
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


@dataclass
class Classifier:
    pipeline: object
    labels: list[str]
    meta: dict = field(default_factory=dict)
    temperature: float = 0.3

    def scores(self, texts: list[str]) -> np.ndarray:
        """One row per text, one column per label; rows sum to one. Empty text scores evenly (no guess)."""
        normalised = [triage_text.normalize(t) for t in texts]
        out = np.full((len(texts), len(self.labels)), 1 / len(self.labels))
        keep = [i for i, t in enumerate(normalised) if t]
        if keep:
            raw = self.pipeline.decision_function([normalised[i] for i in keep])
            if raw.ndim == 1:  # two labels: one column of margins
                raw = np.column_stack([-raw, raw])
            out[keep] = _softmax(raw, self.temperature)
        return out

    def top(self, texts: list[str], k: int = 3) -> list[list[tuple[str, float]]]:
        """The ``k`` likeliest labels of each text with their scores, best first."""
        scores = self.scores(texts)
        order = np.argsort(-scores, axis=1, kind="stable")[:, :k]
        return [[(self.labels[j], round(float(row[j]), 4)) for j in idx] for row, idx in zip(scores, order, strict=True)]

    def save(self, path: Path) -> Path:
        import joblib
        import sklearn

        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".part")
        joblib.dump({"format": FORMAT, "pipeline": self.pipeline, "labels": self.labels, "meta": self.meta,
                     "temperature": self.temperature, "sklearn": sklearn.__version__}, partial, compress=3)
        partial.replace(path)  # whole file or nothing: a reader never sees half a model
        return path

    @classmethod
    def load(cls, path: Path) -> Classifier:
        """Model files are written by this project (var/models/ is not a place for files from elsewhere:
        unpickling runs code)."""
        import joblib

        data = joblib.load(path)
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError(f"{path}: not a triage model of format {FORMAT}")
        return cls(data["pipeline"], list(data["labels"]), data.get("meta", {}), data.get("temperature", 0.3))


def fit(texts: list[str], labels: list[str], meta: dict | None = None) -> Classifier:
    """Train on raw or segmented texts (both read the same way); deterministic for the same input."""
    started = time.perf_counter()
    pipeline = build_pipeline()
    normalised = [triage_text.normalize(t) for t in texts]
    pairs = [(t, y) for t, y in zip(normalised, labels, strict=True) if t]
    if len({y for _, y in pairs}) < 2:
        raise ValueError("a classifier needs examples of at least two categories")
    pipeline.fit([t for t, _ in pairs], [y for _, y in pairs])
    classes = [str(c) for c in pipeline.classes_]
    meta = {**(meta or {}), "examples": len(pairs), "seconds": round(time.perf_counter() - started, 2)}
    return Classifier(pipeline, classes, meta)


def read_labelled(path: Path) -> tuple[list[str], list[str]]:
    """A CSV with the shared data's columns (id, title, body, label): texts (title + body) and labels."""
    texts, labels = [], []
    with Path(path).open(encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            label = (row.get("label") or "").strip()
            if label:
                texts.append(f"{row.get('title') or ''} {row.get('body') or ''}")
                labels.append(label)
    return texts, labels


def file_digest(*paths: Path) -> str:
    """Names a model by what it learnt from and the code that read it: change either, get a new file."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(Path(path).read_bytes())
    for module in (Path(__file__), Path(triage_text.__file__), triage_text.STOPWORDS_FILE):
        digest.update(module.read_bytes())
    return digest.hexdigest()[:12]
