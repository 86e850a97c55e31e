"""One way to read an appeal's text, shared by every triage model.

The shared training data arrives segmented by jieba with stop words and punctuation removed; a resident types
raw text with all of them. ``normalize`` maps both forms to the same string (no spaces, no punctuation, no stop
words, simplified characters, half-width, lower case), so the classifier never sees the difference.
``words`` gives the words themselves, for highlighting and grouping, through jieba.
"""
from __future__ import annotations

import re
import unicodedata
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
STOPWORDS_FILE = DATA / "stopwords.txt"
# the start of a message says what it is about; past this the classifier reads no further (a 100 KB paste
# costs what a long letter costs)
MAX_CHARS = 3000

_SPACE = re.compile(r"\s+|_x000d_")
# what is left is letters (any script), digits: punctuation, symbols and emoji go
_NOT_WORD = re.compile(r"[^\w]|_", re.UNICODE)


@cache
def _converter():
    import opencc

    return opencc.OpenCC("t2s")


@cache
def stopwords() -> frozenset[str]:
    """Words the shared data had removed (derived by ``manage.py triage_stopwords``, kept in data/)."""
    lines = STOPWORDS_FILE.read_text(encoding="utf-8").splitlines() if STOPWORDS_FILE.exists() else []
    return frozenset(w for line in lines if (w := line.strip()) and not w.startswith("#"))


@cache
def _stop_pattern() -> re.Pattern | None:
    words = sorted(stopwords(), key=len, reverse=True)
    return re.compile("|".join(map(re.escape, words))) if words else None


def clean(text: str | None) -> str:
    """Half-width, lower case, simplified, without whitespace; at most MAX_CHARS characters."""
    text = unicodedata.normalize("NFKC", text or "")[: MAX_CHARS * 2].lower()
    text = _SPACE.sub("", text)[:MAX_CHARS]
    return _converter().convert(text) if text else ""


def normalize(text: str | None) -> str:
    """The classifier's view of a text: ``clean`` less punctuation, symbols and stop words."""
    text = _NOT_WORD.sub("", clean(text))
    pattern = _stop_pattern()
    return pattern.sub("", text) if pattern else text


def words(text: str | None) -> list[str]:
    """The content words of a text, in order (jieba, stop words and punctuation dropped)."""
    import jieba

    stop = stopwords()
    return [w for w in jieba.lcut(clean(text)) if w not in stop and not _NOT_WORD.fullmatch(w[0])]
