"""Reproduces the best2.py figures: 5-fold CV exactly as cv.py, then full-data training time and
the FastScorer2 equivalence/speed check on the raw hot/replies texts, for the default model (with
the jieba word block) and the char-only variant (word_weight=0). Run from this directory:
OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 ../../.venv/bin/python cv2.py [--no-cv]"""

import sys
import time

import best2
import numpy as np
from cv import X, run, y
from load import raw

R = raw()
XN = [best2.normalize(x) for x in X]
for ww in (best2.WORD_WEIGHT, 0.0):
    tag = f"best2 NB-SVM(C=3,a=2) char1-3 + title*.5 + word1-2*{ww}"
    if "--no-cv" not in sys.argv:
        run(lambda ww=ww: best2.build_pipeline(word_weight=ww), XN, tag)
    t = time.time()
    m = best2.build_pipeline(word_weight=ww)
    m.fit([best2.normalize(x) for x in X], y)
    print(tag, "| train (normalise+fit) s", round(time.time() - t, 1))
    fs = best2.FastScorer2(m)
    d1 = m.decision_function([best2.normalize(r) for r in R])
    t = time.time()
    d2 = fs.decision_function(R)
    print("  FastScorer2 batch msg/s", round(len(R) / (time.time() - t)))
    d3 = np.vstack([fs.decision_function([r]) for r in R[:500]])
    print("  max diff vs pipeline", np.abs(d1 - d2).max(), "argmax agree", np.mean(d1.argmax(1) == d2.argmax(1)))
    print("  single-message path max diff", np.abs(d1[:500] - d3).max())
    lat = []
    for r in R[:2000]:
        t = time.perf_counter()
        fs.top3([r])
        lat.append(time.perf_counter() - t)
    lat = np.array(lat) * 1000
    print(f"  single top3 ms p50={np.percentile(lat, 50):.3f} p99={np.percentile(lat, 99):.3f}", flush=True)
