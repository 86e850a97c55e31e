"""How alike two appeals read: cosine of character-pair counts of their compacted texts (every word and number
kept: 3号楼 is not 5号楼), which works the same for a three-word note and a long letter, without a model."""
from __future__ import annotations

import math
import re
from collections import Counter

import numpy as np
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from . import text as triage_text


def shingles(text: str) -> Counter:
    t = triage_text.compact(text)
    if len(t) < 2:
        return Counter([t]) if t else Counter()
    return Counter(t[i:i + 2] for i in range(len(t) - 1))


def cosine(a: Counter, b: Counter) -> float:
    if not a or not b:
        return 0.0
    if len(a) > len(b):
        a, b = b, a
    dot = sum(n * b.get(k, 0) for k, n in a.items())
    return dot / math.sqrt(sum(n * n for n in a.values()) * sum(n * n for n in b.values()))


def cosines(text: str, others: list[str]) -> list[float]:
    """``cosine(shingles(text), shingles(other))`` for every one of ``others`` at once: the texts are cleaned in
    one pass and their character pairs counted with numpy (the merge box ranks up to 200 candidates per view)."""
    if not others:
        return []
    compacted = [triage_text.letters(t) for t in triage_text.clean_many([text, *others])]
    codes = [np.frombuffer(t.encode("utf-32-le"), dtype=np.uint32).astype(np.int64) + 1 for t in compacted]
    # a text of one character is its own single "pair", as in shingles()
    keys = [(c[:-1] << 21) | c[1:] if len(c) >= 2 else c for c in codes]
    mine_keys, mine_counts = np.unique(keys[0], return_counts=True)
    lengths = np.fromiter((len(k) for k in keys[1:]), np.int64, len(others))
    if not len(mine_keys) or not lengths.sum():
        return [0.0] * len(others)
    found = np.concatenate(keys[1:])
    doc = np.repeat(np.arange(len(others)), lengths)
    at = np.searchsorted(mine_keys, found)
    at[at == len(mine_keys)] = 0
    weight = np.where(mine_keys[at] == found, mine_counts[at], 0)
    dot = np.bincount(doc, weights=weight, minlength=len(others))
    _, per_pair = np.unique(doc.astype(np.int64) << 42 | found, return_inverse=True)
    pair_counts = np.bincount(per_pair)
    pair_doc = np.zeros(len(pair_counts), dtype=np.int64)
    pair_doc[per_pair] = doc
    norms = np.sqrt(np.bincount(pair_doc, weights=pair_counts.astype(np.float64) ** 2, minlength=len(others)))
    mine_norm = math.sqrt(float((mine_counts.astype(np.float64) ** 2).sum()))
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(norms > 0, dot / (norms * mine_norm), 0.0)
    return [float(v) for v in out]


# parts of speech that say what the problem is (jieba's tags): nouns, verbs, adjectives, place words, idioms,
# abbreviations. Numerals and measures (一下, 一个), pronouns (我家), adverbs (已经), time words (晚上), prepositions
# and particles are what any two appeals share.
_MEANING = ("n", "v", "a", "s", "i", "j", "z")


def content_words(text: str | None) -> set[str]:
    """The words of a text that carry its meaning: no formula (您好, 麻烦社区协调一下), no stop word, no filler (see
    ``_MEANING``), at least two characters."""
    import jieba.posseg

    stop = triage_text.stopwords()
    cleaned = triage_text.clean(triage_text.FORMULAS.sub(" ", text or ""))
    # dictionary words only (HMM off): the HMM's guesses at unknown words cost a long hotline text more than the
    # rest of the merge box (triage.duplicates measures it), and what it guesses is mostly split into single
    # characters, which are not marked anyway
    return {pair.word for pair in jieba.posseg.lcut(cleaned, HMM=False)
            if len(pair.word) > 1 and pair.flag.startswith(_MEANING) and pair.word not in stop}


def shared_words(mine: set[str], other: str) -> list[str]:
    """Meaningful words of ``other`` that are among ``mine`` (a text's ``content_words``), longest first: what the
    worker's eye should land on."""
    return sorted(content_words(other) & mine, key=lambda w: (-len(w), w))


def highlight(text: str, words: list[str]) -> SafeString:
    """``text`` escaped, with every occurrence of ``words`` in <mark>."""
    if not words:
        return escape(text)
    pattern = re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)))
    out, last = [], 0
    for m in pattern.finditer(text):
        out.append(escape(text[last:m.start()]))
        out.append(f"<mark>{escape(m.group())}</mark>")
        last = m.end()
    out.append(escape(text[last:]))
    return mark_safe("".join(out))
