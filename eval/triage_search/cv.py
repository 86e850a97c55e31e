import time

import numpy as np
from load import train
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import StratifiedGroupKFold

X, y = train()
y = np.array(y)
groups = np.unique([" ".join(b.split()) for b in X], return_inverse=True)[1]
LABELS = sorted(set(y))
FOLDS = list(StratifiedGroupKFold(n_splits=5, shuffle=True, random_state=0).split(X, y, groups))


def run(make, Xn, name="", verbose=True, return_scores=False):
    Xn = np.array(Xn, dtype=object)
    pred = np.empty(len(y), dtype=object)
    scores = None
    t = time.time()
    for tr, te in FOLDS:
        m = make()
        m.fit(list(Xn[tr]), y[tr])
        pred[te] = m.predict(list(Xn[te]))
        if return_scores:
            s = (
                m.decision_function(list(Xn[te]))
                if hasattr(m, "decision_function")
                else m.predict_proba(list(Xn[te]))
            )
            if scores is None:
                scores = np.zeros((len(y), s.shape[1]))
            scores[te] = s
    f = f1_score(y, pred, average="macro")
    a = accuracy_score(y, pred)
    per = f1_score(y, pred, average=None, labels=LABELS)
    if verbose:
        print(
            f"{name:60s} F1={f:.4f} acc={a:.4f} " + " ".join(f"{label[:2]}={p:.3f}" for label, p in zip(LABELS, per, strict=True)),
            f"{time.time() - t:.0f}s",
            flush=True,
        )
    return (f, a, per, pred, scores) if return_scores else (f, a, per, pred)
