"""Gongzhi triage classifier: normalisation + char n-gram TF-IDF + LinearSVC.

normalize(text) maps both the upstream jieba-segmented/stop-word-stripped form and
raw resident text to (nearly) the same string: NFKC, lowercase, '_x000d_' removal,
OpenCC t2s, ASCII rule (drop digits, then single letters such
as the 'A' of 'A市'; keep English words of >= 2 letters), drop everything that is not a
CJK ideograph or a-z (whitespace, punctuation, emoji), then delete STOPWORDS.

STOPWORDS derivation (reproducible with derive_stopwords()):
  1. jieba.lcut (default dict, HMM on) of title+' '+body of hot.csv and replies.csv
     (after replacing '_x000D_'), count tokens and document frequency.
  2. candidates = tokens with raw document frequency >= 5 that never occur as a token in
     train.csv (these were removed upstream), normalised as above, CJK-only.
  3. Because deletion is substring-based (no segmentation at predict time), keep a
     candidate s only if its occurrences INSIDE train tokens per train doc are
     < 0.5 x its standalone occurrences per raw doc (so deleting it everywhere costs
     little in-word information, e.g. 的 了 是 在 我 们 都 kept; 上 大 老 出 没 dropped).
  4. Single characters -> STOP_CHARS (deleted with one character-class regex); multi-character
     words with raw count >= 20 -> STOP_WORDS_MULTI (deleted first, longest first, with
     a trie regex).
"""

import re
import unicodedata

import numpy as np
import opencc
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.svm import LinearSVC

STOP_CHARS = "与且也了仍他们但剐又及吗吧呀呗呢和咱哎哦唉啊啦在她它将就并怼我或把按既是汝涧溁的禧等给而虽被让谁跟还邢都鞥"
STOP_WORDS_MULTI = [
    "人行横道",
    "广铁集团",
    "电子警察",
    "社会主义",
    "综上所述",
    "长期以来",
    "一方面",
    "不得不",
    "不得已",
    "中山路",
    "为什么",
    "九龙湾",
    "什么样",
    "区丽发",
    "咸嘉湖",
    "基本上",
    "太平路",
    "差不多",
    "怎么办",
    "怎么样",
    "效果图",
    "曲塘路",
    "望月湖",
    "洞井路",
    "电表箱",
    "美凯龙",
    "聚利人",
    "聚利网",
    "西往东",
    "诚意金",
    "谷林语",
    "近年来",
    "远大路",
    "铝合金",
    "银盆岭",
    "马坡岭",
    "一切",
    "一旦",
    "一样",
    "一般",
    "万一",
    "上来",
    "不仅",
    "不会",
    "不但",
    "不再",
    "不力",
    "不同",
    "不少",
    "不得",
    "不怕",
    "不成",
    "不止",
    "不满",
    "不然",
    "不管",
    "不能",
    "不要",
    "不过",
    "与其",
    "东业",
    "东富",
    "个人",
    "为了",
    "为何",
    "丽发",
    "乃至",
    "之一",
    "之类",
    "也好",
    "于是",
    "亲自",
    "人家",
    "什么",
    "仅仅",
    "仍然",
    "从不",
    "从中",
    "从未",
    "从来",
    "从此",
    "从而",
    "他人",
    "他们",
    "以便",
    "以免",
    "以及",
    "任何",
    "但是",
    "何处",
    "作为",
    "你们",
    "使得",
    "例如",
    "依照",
    "债主",
    "假如",
    "偶尔",
    "公然",
    "关于",
    "其一",
    "其中",
    "其二",
    "其他",
    "其余",
    "其它",
    "其实",
    "其次",
    "再者",
    "再说",
    "冲路",
    "况且",
    "几乎",
    "出去",
    "出来",
    "分拣",
    "刚好",
    "别人",
    "别的",
    "别说",
    "到处",
    "到底",
    "前后",
    "加上",
    "加之",
    "加以",
    "加州",
    "南城",
    "即使",
    "即便",
    "即将",
    "及其",
    "反而",
    "古曲",
    "另外",
    "只是",
    "只有",
    "只要",
    "可以",
    "可是",
    "可能",
    "可见",
    "各个",
    "各位",
    "各种",
    "同时",
    "后来",
    "否则",
    "咱们",
    "哪个",
    "哪些",
    "哪怕",
    "哪里",
    "四期",
    "因为",
    "因此",
    "国泰",
    "基于",
    "基本",
    "填土",
    "处处",
    "多多",
    "多少",
    "多次",
    "大家",
    "大概",
    "大约",
    "大都",
    "天悦",
    "天池",
    "天著",
    "套内",
    "她们",
    "如下",
    "如今",
    "如何",
    "如期",
    "如果",
    "如此",
    "富绿",
    "对于",
    "将近",
    "就是",
    "就算",
    "尽快",
    "尽早",
    "尽管",
    "尽量",
    "居然",
    "展期",
    "屡次",
    "市伊",
    "常常",
    "并且",
    "并非",
    "底商",
    "开始",
    "当中",
    "当场",
    "当然",
    "很多",
    "很少",
    "徐萍",
    "必将",
    "必须",
    "怎么",
    "怎样",
    "总之",
    "我们",
    "或是",
    "或者",
    "或许",
    "所以",
    "才能",
    "按时",
    "按照",
    "挨着",
    "据悉",
    "据说",
    "故意",
    "方略",
    "既然",
    "日益",
    "时候",
    "更加",
    "有些",
    "有关",
    "本人",
    "本着",
    "本身",
    "来看",
    "来讲",
    "极为",
    "极其",
    "极大",
    "极度",
    "极端",
    "某些",
    "标线",
    "根据",
    "梅溪",
    "此后",
    "此外",
    "比如",
    "毕竟",
    "毫不",
    "毫无",
    "江背",
    "没有",
    "泰禹",
    "海伦",
    "海外",
    "涉黄",
    "湖开",
    "然后",
    "然而",
    "王台",
    "理应",
    "甚至",
    "由于",
    "的确",
    "的话",
    "确权",
    "禁停",
    "究竟",
    "立马",
    "竟然",
    "等到",
    "等等",
    "简直",
    "纯粹",
    "组民",
    "经常",
    "经过",
    "结果",
    "绝对",
    "而且",
    "而已",
    "而是",
    "而言",
    "聚利",
    "自从",
    "自家",
    "自己",
    "自身",
    "至于",
    "虽然",
    "虽说",
    "要么",
    "要是",
    "诺亚",
    "质价",
    "赤岭",
    "起来",
    "较为",
    "过于",
    "还是",
    "还有",
    "这个",
    "这么",
    "这些",
    "这时",
    "这样",
    "这边",
    "这里",
    "进去",
    "进来",
    "远大",
    "连廊",
    "迫于",
    "通过",
    "那个",
    "那么",
    "那些",
    "那样",
    "那边",
    "那里",
    "鄱阳",
    "金刚",
    "鉴于",
    "长永",
    "除了",
    "除外",
    "随着",
    "难道",
    "青竹",
    "非常",
    "首先",
    "香槟",
    "马上",
    "马栏",
    "黄星",
]
STOPWORDS = list(STOP_CHARS) + STOP_WORDS_MULTI

MAXLEN = 1500  # normalised chars kept
PREFIX = 20  # title region (first normalised chars) gets its own features
PREFIX_WEIGHT = 0.5

_cc = opencc.OpenCC("t2s")
_NONKEEP = re.compile(r"[^\u4e00-\u9fffa-z]+")
_DIGITS = re.compile(r"[0-9]+")
_ALNUM = re.compile(r"[a-z]+")
_DEL_RX = re.compile("[" + STOP_CHARS + "]+")


def _trie_regex(words):
    trie = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = True

    def build(node):
        kids = sorted((ch, sub) for ch, sub in node.items() if ch != "")
        if not kids:
            return ""
        alts = [re.escape(ch) + build(sub) for ch, sub in kids]
        singles = [a for a in alts if len(a) == 1]
        multi = [a for a in alts if len(a) != 1]
        parts = multi + (["[" + "".join(singles) + "]"] if len(singles) > 1 else singles)
        s = parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"
        return "(?:" + s + ")?" if "" in node else s

    return re.compile(build(trie))


_MULTI_RX = _trie_regex(STOP_WORDS_MULTI)


def _alnum(m):
    s = m.group(0)
    return s if len(s) >= 2 else " "


def normalize(text):
    t = unicodedata.normalize("NFKC", (text or "")[: MAXLEN * 4]).lower().replace("_x000d_", " ")
    t = _cc.convert(t)
    t = _DIGITS.sub(" ", t)
    t = _ALNUM.sub(_alnum, t)
    t = _NONKEEP.sub("", t)
    t = _MULTI_RX.sub("", t)
    t = _DEL_RX.sub("", t)
    return t[:MAXLEN]


def _prefix(s):
    return s[:PREFIX]


def build_pipeline(C=3.0):
    feats = FeatureUnion(
        [
            (
                "char",
                TfidfVectorizer(
                    analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=2, dtype=np.float32
                ),
            ),
            (
                "title",
                TfidfVectorizer(
                    analyzer="char",
                    ngram_range=(1, 3),
                    sublinear_tf=True,
                    min_df=2,
                    preprocessor=_prefix,
                    dtype=np.float32,
                ),
            ),
        ],
        transformer_weights={"char": 1.0, "title": PREFIX_WEIGHT},
    )
    return Pipeline([("feats", feats), ("clf", LinearSVC(C=C, random_state=0))])


def top3(model, texts, T=1.0):
    """top-3 (label, score) per text; score = softmax(T * decision_function)."""
    d = model.decision_function([normalize(t) for t in texts]) * T
    p = np.exp(d - d.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    cls = model.classes_
    idx = np.argsort(-p, 1)[:, :3]
    return [[(cls[j], float(p[i, j])) for j in row] for i, row in enumerate(idx)]


def derive_stopwords(data_dir="/work/shared/data/appeals"):
    """Re-derive STOP_CHARS / STOP_WORDS_MULTI from the shared files (needs jieba, ~20 s)."""
    import collections
    import csv

    import jieba

    jieba.setLogLevel(60)
    def rd(name):
        with open(f"{data_dir}/{name}", encoding="utf-8", newline="") as f:
            return list(csv.DictReader(f))

    tv = collections.Counter(w for r in rd("train.csv") for w in (r["body"] or "").split())
    rc, df = collections.Counter(), collections.Counter()
    for p in ["hot.csv", "replies.csv"]:
        for r in rd(p):
            toks = [
                w
                for w in jieba.lcut(((r["title"] or "") + " " + (r["body"] or "")).replace("_x000D_", " "))
                if w.strip()
            ]
            rc.update(toks)
            df.update(set(toks))
    cand = collections.Counter()
    cnt = collections.Counter()
    for w in rc:
        if tv.get(w, 0) == 0 and df[w] >= 5:
            w2 = _NONKEEP.sub("", _cc.convert(unicodedata.normalize("NFKC", w).lower()))
            if w2 and re.fullmatch("[\u4e00-\u9fff]+", w2):
                cand[w2] += 1
                cnt[w2] += rc.get(w2, 0)
    inword = collections.Counter()
    for w, n in tv.items():
        for s in cand:
            if len(s) < len(w) and s in w:
                inword[s] += n * w.count(s)
    nr, nt = sum(1 for p in ["hot.csv", "replies.csv"] for _ in rd(p)), sum(1 for _ in rd("train.csv"))
    sel = [s for s in cand if inword[s] / nt < 0.5 * rc.get(s, 0) / nr]
    return (
        "".join(sorted(s for s in sel if len(s) == 1)),
        sorted((s for s in sel if len(s) > 1 and rc.get(s, 0) >= 20), key=lambda s: (-len(s), s)),
    )


def _keys(s):
    """Exact int64 keys of all char 1-,2-,3-grams of s (code point + 1 packed in 21-bit blocks)."""
    c = np.frombuffer(s.encode("utf-32-le"), dtype=np.uint32).astype(np.int64) + 1
    if len(c) < 2:
        return c
    k2 = (c[:-1] << 21) | c[1:]
    if len(c) < 3:
        return np.concatenate([c, k2])
    k3 = (c[:-2] << 42) | k2[1:]
    return np.concatenate([c, k2, k3])


class FastScorer:
    """Numerically equivalent, vectorised fast path of a fitted build_pipeline() model:
    char n-grams become exact int64 keys looked up with np.searchsorted (no Python loop
    per n-gram, no sklearn per-call overhead). Input: raw texts."""

    def __init__(self, model):
        feats = model.named_steps["feats"]
        clf = model.named_steps["clf"]
        w = feats.transformer_weights
        self.classes_ = clf.classes_
        coef = np.asarray(clf.coef_, dtype=np.float64)
        self.parts = []
        off = 0
        for name, vec in feats.transformer_list:
            voc = vec.vocabulary_
            n = len(voc)
            terms = sorted(voc, key=voc.get)
            keys = np.array([_keys(t)[-1] for t in terms], dtype=np.int64)  # key of the whole term
            order = np.argsort(keys)
            W = coef[:, off : off + n].T[order]
            idf = vec.idf_.astype(np.float64)[order]
            self.parts.append((keys[order], idf, np.ascontiguousarray(W), w.get(name, 1.0), name == "title"))
            off += n
        self.intercept = clf.intercept_.astype(np.float64)

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
        return out

    def decision_function(self, texts, chunk=1024):
        """Batch path: all n-gram keys of a chunk are looked up at once (sorted, cache-friendly)."""
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
                hitu = keys[pos] == u
                hit = hitu[inv]
                M = sp.csr_matrix((np.ones(hit.sum()), (doc[hit], pos[inv[hit]])), shape=(len(ks), len(keys)))
                M.sum_duplicates()
                M.data = (np.log(M.data) + 1.0) * idf[M.indices]
                nrm = np.sqrt(np.asarray(M.multiply(M).sum(1)).ravel())
                nrm[nrm == 0] = 1
                d += (sp.diags(wt / nrm) @ M) @ W
            out.append(d)
        return np.vstack(out) if out else np.zeros((0, len(self.classes_)))

    def top3(self, texts, T=1.0):
        """top-3 (label, score) per raw text; score = softmax(T * decision values)."""
        d = self.decision_function(texts) * T
        p = np.exp(d - d.max(1, keepdims=True))
        p /= p.sum(1, keepdims=True)
        idx = np.argsort(-p, 1)[:, :3]
        return [[(self.classes_[j], float(p[i, j])) for j in row] for i, row in enumerate(idx)]
