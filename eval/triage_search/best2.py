"""Gongzhi triage classifier, search round 2: NB-SVM on char + word n-gram TF-IDF.

Same normalisation as best.py (imported from there). Features, all fitted inside the fold:
  - char TF-IDF 1-3 (sublinear, min_df=2) on the whole normalised text, weight 1.0;
  - char TF-IDF 1-3 on the first PREFIX=20 normalised characters (title region), weight 0.5;
  - word TF-IDF uni+bigrams (sublinear, min_df=2) of jieba.lcut(normalised text), weight 0.5.
    Train bodies are already segmented, but normalize() removes the spaces, so train and
    production text are segmented the same way (jieba, default dictionary, HMM on).
Classifier: NB-SVM (Wang & Manning 2012), one-vs-rest. For class k the log-count ratio
  r_k = log(p / |p|_1) - log(q / |q|_1), p = alpha + sum of binarised features of class k,
  q = alpha + same over the other classes (alpha=2), scales the TF-IDF features and a binary
  LinearSVC(C=3) is fitted on X * r_k. The model is still linear in the TF-IDF features:
  coef_[k] = w_k * r_k, so FastScorer2 (vectorised n-gram lookup) gives the same predictions.
"""

import jieba
import numpy as np
import scipy.sparse as sp
from best import PREFIX, _keys, normalize
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.svm import LinearSVC

__all__ = ["normalize", "build_pipeline", "NBSVM", "FastScorer2", "top3"]

PREFIX_WEIGHT = 0.5
WORD_WEIGHT = 0.5
jieba.setLogLevel(60)


def _prefix(s):
    return s[:PREFIX]


def words(s):
    """jieba tokens of a normalised (space-free) string."""
    return jieba.lcut(s)


class NBSVM(ClassifierMixin, BaseEstimator):
    """One-vs-rest NB-SVM; exposes coef_ / intercept_ / decision_function like a linear model."""

    def __init__(self, C=3.0, alpha=2.0):
        self.C = C
        self.alpha = alpha

    def fit(self, X, y):
        X = sp.csr_matrix(X)
        y = np.asarray(y)
        self.classes_ = np.unique(y)
        Xb = X.copy()
        Xb.data[:] = 1
        coef, icpt = [], []
        for c in self.classes_:
            pos = y == c
            p = self.alpha + np.asarray(Xb[pos].sum(0)).ravel()
            q = self.alpha + np.asarray(Xb[~pos].sum(0)).ravel()
            r = (np.log(p / p.sum()) - np.log(q / q.sum())).astype(X.dtype)
            m = LinearSVC(C=self.C, random_state=0).fit(X @ sp.diags(r), pos.astype(int))
            coef.append(m.coef_.ravel() * r)
            icpt.append(m.intercept_[0])
        self.coef_ = np.array(coef)
        self.intercept_ = np.array(icpt)
        return self

    def decision_function(self, X):
        return np.asarray(X @ self.coef_.T) + self.intercept_

    def predict(self, X):
        return self.classes_[self.decision_function(X).argmax(1)]


def build_pipeline(C=3.0, alpha=2.0, word_weight=WORD_WEIGHT):
    """word_weight=0 drops the jieba word block (char-only NB-SVM: CV 0.9312 instead of 0.9329,
    but no jieba at predict time, so FastScorer2 keeps best.FastScorer's speed)."""

    def tfidf(**kw):
        return TfidfVectorizer(sublinear_tf=True, min_df=2, dtype=np.float32, **kw)

    blocks = [
        ("char", tfidf(analyzer="char", ngram_range=(1, 3))),
        ("title", tfidf(analyzer="char", ngram_range=(1, 3), preprocessor=_prefix)),
    ]
    weights = {"char": 1.0, "title": PREFIX_WEIGHT}
    if word_weight:
        blocks.append(
            ("word", tfidf(analyzer="word", tokenizer=words, token_pattern=None, lowercase=False, ngram_range=(1, 2)))
        )
        weights["word"] = word_weight
    feats = FeatureUnion(blocks, transformer_weights=weights)
    return Pipeline([("feats", feats), ("clf", NBSVM(C=C, alpha=alpha))])


def top3(model, texts, T=1.0):
    """top-3 (label, score) per raw text; score = softmax(T * decision_function)."""
    d = model.decision_function([normalize(t) for t in texts]) * T
    return _top3(d, model.classes_)


def _top3(d, cls):
    p = np.exp(d - d.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    idx = np.argsort(-p, 1)[:, :3]
    return [[(cls[j], float(p[i, j])) for j in row] for i, row in enumerate(idx)]


def _word_ngrams(s):
    t = words(s)
    return t + [a + " " + b for a, b in zip(t, t[1:], strict=False)]


class FastScorer2:
    """Numerically equivalent fast path of a fitted build_pipeline() model. Char blocks: exact
    int64 n-gram keys looked up with np.searchsorted (as best.FastScorer); word block: jieba
    tokens + bigrams looked up in a dict. Input: raw texts."""

    def __init__(self, model):
        feats = model.named_steps["feats"]
        clf = model.named_steps["clf"]
        w = feats.transformer_weights
        self.classes_ = clf.classes_
        coef = np.asarray(clf.coef_, dtype=np.float64)
        self.parts = []
        self.word = None
        off = 0
        for name, vec in feats.transformer_list:
            voc = vec.vocabulary_
            n = len(voc)
            W = coef[:, off : off + n].T
            idf = vec.idf_.astype(np.float64)
            if name == "word":
                self.word = (dict(voc), idf, np.ascontiguousarray(W), w.get(name, 1.0))
            else:
                terms = sorted(voc, key=voc.get)
                keys = np.array([_keys(t)[-1] for t in terms], dtype=np.int64)
                order = np.argsort(keys)
                self.parts.append(
                    (keys[order], idf[order], np.ascontiguousarray(W[order]), w.get(name, 1.0), name == "title")
                )
            off += n
        self.intercept = np.asarray(clf.intercept_, dtype=np.float64)

    def _word_rows(self, norm):
        voc, idf, W, wt = self.word
        rows, cols = [], []
        for i, s in enumerate(norm):
            ids = [j for j in map(voc.get, _word_ngrams(s)) if j is not None]
            rows.extend([i] * len(ids))
            cols.extend(ids)
        M = sp.csr_matrix((np.ones(len(cols)), (rows, cols)), shape=(len(norm), len(voc)))
        M.sum_duplicates()
        M.data = (np.log(M.data) + 1.0) * idf[M.indices]
        nrm = np.sqrt(np.asarray(M.multiply(M).sum(1)).ravel())
        nrm[nrm == 0] = 1
        return (sp.diags(wt / nrm) @ M) @ W

    def decision_normalized(self, s):
        out = self.intercept.copy()
        for keys, idf, W, wt, is_title in self.parts:
            t = s[:PREFIX] if is_title else s
            if not t:
                continue
            u, tf = np.unique(_keys(t), return_counts=True)
            pos = np.searchsorted(keys, u)
            pos[pos == len(keys)] = 0
            hit = keys[pos] == u
            if not hit.any():
                continue
            pos = pos[hit]
            v = (np.log(tf[hit]) + 1.0) * idf[pos]
            v *= wt / np.sqrt(v @ v)
            out += v @ W[pos]
        if s and self.word is not None:
            out += self._word_rows([s])[0]
        return out

    def decision_function(self, texts, chunk=1024):
        """Batch path: all char n-gram keys of a chunk are looked up at once."""
        texts = list(texts)
        if len(texts) == 1:
            return self.decision_normalized(normalize(texts[0]))[None, :]
        out = []
        for a in range(0, len(texts), chunk):
            norm = [normalize(t) for t in texts[a : a + chunk]]
            d = np.tile(self.intercept, (len(norm), 1))
            for keys, idf, W, wt, is_title in self.parts:
                ks = [_keys(t[:PREFIX] if is_title else t) for t in norm]
                lens = np.fromiter(map(len, ks), np.int64, len(ks))
                if lens.sum() == 0:
                    continue
                allk = np.concatenate(ks)
                doc = np.repeat(np.arange(len(ks)), lens)
                u, inv = np.unique(allk, return_inverse=True)
                pos = np.searchsorted(keys, u)
                pos[pos == len(keys)] = 0
                hit = (keys[pos] == u)[inv]
                M = sp.csr_matrix((np.ones(hit.sum()), (doc[hit], pos[inv[hit]])), shape=(len(ks), len(keys)))
                M.sum_duplicates()
                M.data = (np.log(M.data) + 1.0) * idf[M.indices]
                nrm = np.sqrt(np.asarray(M.multiply(M).sum(1)).ravel())
                nrm[nrm == 0] = 1
                d += (sp.diags(wt / nrm) @ M) @ W
            if self.word is not None:
                d += self._word_rows(norm)
            out.append(d)
        return np.vstack(out) if out else np.zeros((0, len(self.classes_)))

    def top3(self, texts, T=1.0):
        """top-3 (label, score) per raw text; score = softmax(T * decision values)."""
        return _top3(self.decision_function(texts) * T, self.classes_)
