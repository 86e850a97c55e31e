import pickle
import random
import time

import best
import numpy as np
from cv import X, y
from load import raw

R = raw()
random.seed(0)
t = time.time()
m = best.build_pipeline()
m.fit([best.normalize(x) for x in X], y)
print("train (normalise+fit) s", round(time.time() - t, 1))
t = time.time()
fs = best.FastScorer(m)
print("FastScorer build s", round(time.time() - t, 1))
d1 = m.decision_function([best.normalize(r) for r in R])
d2 = fs.decision_function(R)
print("max diff vs pipeline", np.abs(d1 - d2).max(), "argmax agree", np.mean(d1.argmax(1) == d2.argmax(1)))
N = [best.normalize(r) for r in R]
t = time.time()
[fs.decision_normalized(s) for s in N]
print("score only msg/s", round(len(R) / (time.time() - t)))
for _rep in range(2):
    t = time.time()
    fs.decision_function(R)
    print("batch raw (normalize+score) msg/s", round(len(R) / (time.time() - t)))
t = time.time()
fs.decision_function(X)
print("batch train-form msg/s", round(len(X) / (time.time() - t)))
lat = []
for r in random.sample(R, 3000):
    t = time.perf_counter()
    fs.top3([r])
    lat.append(time.perf_counter() - t)
lat = np.array(lat) * 1000
print(f"single top3 ms p50={np.percentile(lat, 50):.3f} p99={np.percentile(lat, 99):.3f} max={lat.max():.2f}")
L = max(R, key=len)
t = time.perf_counter()
fs.top3([L])
print("longest raw", len(L), "chars ms", round((time.perf_counter() - t) * 1000, 2))
print(
    "pickle MB model",
    round(len(pickle.dumps(m)) / 1e6, 1),
    "fastscorer",
    round(len(pickle.dumps(fs)) / 1e6, 1),
)
