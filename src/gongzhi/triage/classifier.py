"""The category classifier: character n-grams of the normalised text, a linear model, scores that sum to one.

Training uses scikit-learn: character 1–3-gram TF-IDF of the whole text plus the same of its first
``PREFIX`` characters (the title comes first, and says what the message is about) at half weight, then an
NB-SVM (Wang & Manning 2012): per label, each feature is scaled by how much likelier it is in that label's
messages than in the others' (a naive-Bayes log-count ratio) and a linear SVM separates that label from the
rest. The result is still one linear model per label (the ratio folds into its weights), which is what lets
prediction need none of scikit-learn: a fitted model is, per block, the sorted n-gram keys, their IDF and
their weights per label, and scoring a text is a lookup of its n-grams (numpy ``searchsorted``), giving the
pipeline's margins to the last float rounding at a fraction of its cost.

A model is a file of plain arrays (``numpy.savez``, loaded without pickle: no code runs on load). Pure
functions over texts and labels; which labels (the shared data's city labels, or catalogue categories) is the
caller's business.
"""
from __future__ import annotations

import csv
import hashlib
import json
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import text as triage_text

FORMAT = 3
SEED = 20261123
# the first characters of the normalised text (the title) get a block of their own, at this weight
PREFIX = 20
PREFIX_WEIGHT = 0.5
C = 3.0
# smoothing of the naive-Bayes ratios (a count added to every feature of every side)
ALPHA = 2.0
# softmax of the margins divided by this: fitted on cross-validated margins by ``make eval`` (lowest log loss)
TEMPERATURE = 0.3
NGRAMS = 3


def build_pipeline():
    """Unfitted: normalised text → margins per label."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion, Pipeline

    from .nbsvm import NBSVM

    def vectorizer(**kw):
        return TfidfVectorizer(analyzer="char", ngram_range=(1, NGRAMS), sublinear_tf=True, min_df=2,
                               dtype=np.float32, **kw)

    features = FeatureUnion([("text", vectorizer()), ("title", vectorizer(preprocessor=_prefix))],
                            transformer_weights={"text": 1.0, "title": PREFIX_WEIGHT})
    return Pipeline([("features", features), ("svm", NBSVM(C=C, alpha=ALPHA, seed=SEED))])


def _prefix(text: str) -> str:
    return text[:PREFIX]


def _keys(text: str) -> np.ndarray:
    """Every character 1-, 2- and 3-gram of ``text`` as one int64 (code points + 1 in 21-bit fields)."""
    c = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.int64) + 1
    grams = [c]
    if len(c) >= 2:
        grams.append((c[:-1] << 21) | c[1:])
    if len(c) >= 3:
        grams.append((c[:-2] << 42) | grams[1][1:])
    return np.concatenate(grams)


@dataclass
class Block:
    """One TF-IDF block of a fitted model: sorted n-gram keys, their IDF, weights (n-grams × labels)."""
    keys: np.ndarray
    idf: np.ndarray
    weights: np.ndarray
    scale: float
    prefix: int  # 0: the whole text; n: its first n characters

    def _find(self, unique: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Where each of the sorted ``unique`` keys sits in the model, and whether the model has it."""
        at = np.searchsorted(self.keys, unique)
        at[at == len(self.keys)] = 0
        return at, self.keys[at] == unique

    def add_margins_one(self, normalised: str, out: np.ndarray) -> None:
        """One text (the intake path): the same sums without building a sparse matrix."""
        grams = _keys(normalised[:self.prefix] if self.prefix else normalised)
        if not len(grams):
            return
        unique, counts = np.unique(grams, return_counts=True)
        at, hit = self._find(unique)
        if not hit.any():
            return
        at = at[hit]
        values = (np.log(counts[hit]) + 1.0) * self.idf[at]
        values *= self.scale / np.sqrt(values @ values)
        out += values @ self.weights[at]

    def add_margins(self, normalised: list[str], out: np.ndarray) -> None:
        grams = [_keys(t[:self.prefix] if self.prefix else t) for t in normalised]
        lengths = np.fromiter(map(len, grams), np.int64, len(grams))
        if not lengths.sum():
            return
        from scipy import sparse

        found = np.concatenate(grams)
        doc = np.repeat(np.arange(len(grams)), lengths)
        unique, inverse = np.unique(found, return_inverse=True)
        at, hit = self._find(unique)
        hit = hit[inverse]
        counts = sparse.csr_matrix((np.ones(int(hit.sum())), (doc[hit], at[inverse[hit]])),
                                   shape=(len(grams), len(self.keys)))
        counts.sum_duplicates()
        counts.data = (np.log(counts.data) + 1.0) * self.idf[counts.indices]
        norms = np.sqrt(np.asarray(counts.multiply(counts).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        scaled = (sparse.diags(self.scale / norms) @ counts).astype(self.weights.dtype)  # float32 when loaded
        out += scaled @ self.weights


def _softmax(scores: np.ndarray, temperature: float) -> np.ndarray:
    z = scores / temperature
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


@dataclass
class Classifier:
    labels: list[str]
    blocks: list[Block]
    intercept: np.ndarray
    meta: dict = field(default_factory=dict)
    temperature: float = TEMPERATURE

    @classmethod
    def from_pipeline(cls, pipeline, meta: dict | None = None) -> Classifier:
        features, svm = pipeline.named_steps["features"], pipeline.named_steps["svm"]
        coef = np.asarray(svm.coef_, dtype=np.float64)  # one row per label, also for two labels
        intercept = np.asarray(svm.intercept_, dtype=np.float64)
        blocks, start = [], 0
        for name, vectorizer in features.transformer_list:
            vocabulary = vectorizer.vocabulary_
            terms = sorted(vocabulary, key=vocabulary.get)
            keys = np.array([_keys(t)[-1] for t in terms], dtype=np.int64)  # the last key is the whole term's
            order = np.argsort(keys)
            weights = coef[:, start:start + len(terms)].T[order]
            blocks.append(Block(keys[order], vectorizer.idf_.astype(np.float64)[order],
                                np.ascontiguousarray(weights), float(features.transformer_weights.get(name, 1.0)),
                                PREFIX if vectorizer.preprocessor is not None else 0))
            start += len(terms)
        return cls([str(c) for c in svm.classes_], blocks, intercept, meta or {})

    def margins(self, normalised: list[str]) -> np.ndarray:
        """The linear model's margins, one row per (normalised) text."""
        out = np.tile(self.intercept, (len(normalised), 1))
        if len(normalised) == 1:
            for block in self.blocks:
                block.add_margins_one(normalised[0], out[0])
            return out
        for start in range(0, len(normalised), 1024):
            chunk = normalised[start:start + 1024]
            for block in self.blocks:
                block.add_margins(chunk, out[start:start + len(chunk)])
        return out

    def scores(self, texts: list[str]) -> np.ndarray:
        """One row per text, one column per label; rows sum to one. Empty text scores evenly (no guess)."""
        normalised = [triage_text.normalize(t) for t in texts]
        out = np.full((len(texts), len(self.labels)), 1 / len(self.labels))
        keep = [i for i, t in enumerate(normalised) if t]
        if keep:
            out[keep] = _softmax(self.margins([normalised[i] for i in keep]), self.temperature)
        return out

    def top(self, texts: list[str], k: int = 3) -> list[list[tuple[str, float]]]:
        """The ``k`` likeliest labels of each text with their scores, best first."""
        scores = self.scores(texts)
        order = np.argsort(-scores, axis=1, kind="stable")[:, :k]
        return [[(self.labels[j], round(float(row[j]), 4)) for j in idx] for row, idx in zip(scores, order, strict=True)]

    def save(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".part")
        header = {"format": FORMAT, "labels": self.labels, "meta": self.meta, "temperature": self.temperature,
                  "blocks": [{"scale": b.scale, "prefix": b.prefix} for b in self.blocks]}
        arrays = {"header": np.frombuffer(json.dumps(header, ensure_ascii=False).encode(), dtype=np.uint8),
                  "intercept": self.intercept}
        for i, b in enumerate(self.blocks):
            arrays.update({f"keys{i}": b.keys, f"idf{i}": b.idf, f"weights{i}": b.weights.astype(np.float32)})
        with partial.open("wb") as f:
            np.savez(f, **arrays)
        partial.replace(path)  # whole file or nothing: a reader never sees half a model
        return path

    @classmethod
    def load(cls, path: Path) -> Classifier:
        try:
            with np.load(path, allow_pickle=False) as data:
                header = json.loads(bytes(data["header"]).decode())
                if header.get("format") != FORMAT:
                    raise ValueError(f"{path}: a triage model of format {header.get('format')}, not {FORMAT}")
                # the weights stay float32, as stored: half the memory per process (a catalogue's 34 labels)
                blocks = [Block(data[f"keys{i}"], data[f"idf{i}"], data[f"weights{i}"],
                                spec["scale"], spec["prefix"]) for i, spec in enumerate(header["blocks"])]
                return cls(header["labels"], blocks, data["intercept"], header.get("meta", {}),
                           header.get("temperature", TEMPERATURE))
        except (KeyError, json.JSONDecodeError, UnicodeDecodeError, zipfile.BadZipFile) as e:
            raise ValueError(f"{path}: not a triage model ({e})") from e

    @property
    def nbytes(self) -> int:
        return sum(b.keys.nbytes + b.idf.nbytes + b.weights.nbytes for b in self.blocks)


def fit(texts: list[str], labels: list[str], meta: dict | None = None,
        weights: list[float] | None = None, temperature: float = TEMPERATURE) -> Classifier:
    """Train on raw or segmented texts (both read the same way); deterministic for the same input. ``weights``
    (one per text) count some examples more than others; ``temperature`` turns its margins into probabilities."""
    started = time.perf_counter()
    normalised = [triage_text.normalize(t) for t in texts]
    weights = weights if weights is not None else [1.0] * len(texts)
    rows = [(t, y, w) for t, y, w in zip(normalised, labels, weights, strict=True) if t]
    if len({y for _, y, _ in rows}) < 2:
        raise ValueError("a classifier needs examples of at least two categories")
    pipeline = build_pipeline()
    pipeline.fit([t for t, _, _ in rows], [y for _, y, _ in rows],
                 svm__sample_weight=np.array([w for _, _, w in rows]))
    meta = {**(meta or {}), "examples": len(rows), "seconds": round(time.perf_counter() - started, 2)}
    model = Classifier.from_pipeline(pipeline, meta)
    model.temperature = temperature
    return model


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
