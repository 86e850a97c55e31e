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
# words of the shared data that contain a stop word (单元 holds 单, 每天 holds 每): kept whole when met
KEEP_FILE = DATA / "keep.txt"
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


def _read_words(path: Path) -> frozenset[str]:
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    return frozenset(w for line in lines if (w := line.strip()) and not w.startswith("#"))


@cache
def stopwords() -> frozenset[str]:
    """Words the shared data had removed (derived by ``manage.py triage_stopwords``, kept in data/)."""
    return _read_words(STOPWORDS_FILE)


@cache
def _lexicon() -> dict[str, tuple[tuple[int, ...], dict[str, bool]]]:
    """first character → (the lengths of the words starting with it, longest first; word → is it a stop word),
    over the stop words and the words that contain one."""
    words = dict.fromkeys(_read_words(KEEP_FILE), False)
    words.update(dict.fromkeys(stopwords(), True))
    by_first: dict[str, tuple[set[int], dict[str, bool]]] = {}
    for word, stop in words.items():
        lengths, entries = by_first.setdefault(word[0], (set(), {}))
        lengths.add(len(word))
        entries[word] = stop
    return {c: (tuple(sorted(lengths, reverse=True)), entries) for c, (lengths, entries) in by_first.items()}


def _drop_stopwords(text: str) -> str:
    """Forward longest match over the stop words and the words containing them: 单元 stays while a lone 单 goes,
    as jieba's segmentation of the shared data had it, at a fraction of jieba's cost."""
    lexicon = _lexicon()
    out, i, n, kept_from = [], 0, len(text), 0
    while i < n:
        found = lexicon.get(text[i])
        if found is not None:
            lengths, entries = found
            for size in lengths:
                stop = entries.get(text[i:i + size]) if i + size <= n else None
                if stop is not None:
                    if stop:
                        out.append(text[kept_from:i])
                        kept_from = i + size
                    i += size
                    break
            else:
                i += 1
        else:
            i += 1
    out.append(text[kept_from:])
    return "".join(out)


def clean(text: str | None) -> str:
    """Half-width, lower case, simplified, without whitespace; at most MAX_CHARS characters."""
    text = unicodedata.normalize("NFKC", text or "")[: MAX_CHARS * 2].lower()
    text = _SPACE.sub("", text)[:MAX_CHARS]
    return _converter().convert(text) if text else ""


def letters(text: str) -> str:
    """Only letters (any script) and digits: punctuation, symbols, emoji and whitespace go."""
    return _NOT_WORD.sub("", text)


def normalize(text: str | None) -> str:
    """The classifier's view of a text: ``clean`` less punctuation, symbols and stop words."""
    return _drop_stopwords(letters(clean(text)))


def words(text: str | None) -> list[str]:
    """The content words of a text, in order (jieba, stop words and punctuation dropped)."""
    import jieba

    stop = stopwords()
    return [w for w in jieba.lcut(clean(text)) if w not in stop and not _NOT_WORD.fullmatch(w[0])]
