"""How alike two appeals read: cosine of character-pair counts of their compacted texts (every word and number
kept: 3号楼 is not 5号楼), which works the same for a three-word note and a long letter, without a model."""
from __future__ import annotations

import math
import re
from collections import Counter

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


def shared_words(mine: set[str], other: str) -> list[str]:
    """Content words of ``other`` that are among ``mine`` (a text's ``words``), longest first: what the worker's
    eye should land on."""
    return sorted({w for w in triage_text.words(other) if w in mine and len(w) > 1}, key=lambda w: (-len(w), w))


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
