import time, pickle, random, re, numpy as np, json
import best
from cv import X, y, FOLDS, LABELS
from load import raw
from sklearn.metrics import accuracy_score
# ---- confidence table from OOF decision values
pred, S = pickle.load(open('best_oof.pkl', 'rb'))
cls = np.array(LABELS)
for T in [1, 5]:
    d = S * T; p = np.exp(d - d.max(1, keepdims=True)); p /= p.sum(1, keepdims=True)
    top = p.max(1); ok = cls[p.argmax(1)] == y
    print(f'T={T}', ' '.join(f'>= {th}: share={np.mean(top>=th):.3f} acc={ok[top>=th].mean():.4f} | <: acc={ok[top<th].mean():.3f};' for th in ([0.5,0.7,0.9] if T==5 else [0.3,0.4,0.5])))
# ---- full training time, size
t = time.time(); Xn = [best.normalize(x) for x in X]; tn = time.time() - t
t = time.time(); m = best.build_pipeline(); m.fit(Xn, y); tf = time.time() - t
print(f'train: normalise {tn:.1f}s + fit {tf:.1f}s'); b = pickle.dumps(m); print('pickle MB', len(b) / 1e6)
# ---- speed on raw texts
R = raw(); random.seed(0)
t = time.time(); out = m.predict([best.normalize(r) for r in R]); bt = time.time() - t
print(f'batch raw {len(R)} msgs: {len(R)/bt:.0f} msg/s')
lat = []
for r in random.sample(R, 1000):
    t = time.perf_counter(); best.top3(m, [r]); lat.append(time.perf_counter() - t)
lat = np.array(lat) * 1000; print(f'single top3 latency ms: p50={np.percentile(lat,50):.2f} p99={np.percentile(lat,99):.2f} max={lat.max():.2f}')
longest = max(R, key=len); t = time.perf_counter(); best.top3(m, [longest]); print('longest raw', len(longest), 'chars', (time.perf_counter()-t)*1000, 'ms')
# ---- robustness: insertion test on fold-0 held-out
def nosw_norm(s):
    t = best.unicodedata.normalize('NFKC', s or '')[:6000].lower().replace('_x000d_', ' ')
    t = best._cc.convert(t); t = best._DIGITS.sub(' ', t); t = best._ALNUM.sub(best._alnum, t); return best._NONKEEP.sub('', t)[:1500]
tr, te = FOLDS[0]; rng = random.Random(0)
INS = ['的', '了', '是', '在', '我们', '，', '。']
def insert(s, rate=0.1):
    toks = s.split(); out = []
    for w in toks:
        out.append(w)
        if rng.random() < rate: out.append(rng.choice(INS))
    return ''.join(out)
pert = [insert(X[i]) for i in te]
for name, N in [('sel-stopwords (best)', best.normalize), ('no-stopword normaliser', nosw_norm)]:
    mm = best.build_pipeline(); mm.fit([N(X[i]) for i in tr], y[tr])
    p0 = mm.predict([N(X[i]) for i in te]); p1 = mm.predict([N(s) for s in pert])
    print(f'{name}: changed={np.mean(p0!=p1)*100:.2f}%  acc clean={np.mean(p0==y[te]):.4f} perturbed={np.mean(p1==y[te]):.4f}')
    # raw vs pseudo-upstream on 1500 raw messages
    import jieba; jieba.setLogLevel(60)
    d = json.load(open('counts.json')); tv = d['train']
    sub = random.Random(1).sample(R, 1500)
    ps = [' '.join(w for w in jieba.lcut(r.replace('_x000D_', ' ')) if w.strip() and tv.get(w, 0) > 0) for r in sub]
    a = mm.predict([N(r) for r in sub]); b2 = mm.predict([N(s) for s in ps])
    print(f'   raw vs pseudo-upstream(jieba, drop tokens unseen in train) agreement on 1500 hot/replies msgs: {np.mean(a==b2)*100:.2f}%')
