"""One way to read an appeal's text, shared by every triage model.

The shared training data arrives segmented by jieba with stop words and punctuation removed; a resident types
raw text with all of them. ``normalize`` maps both forms to the same string (no spaces, no punctuation, no
digits, no stop words, simplified characters, half-width, lower case), so the classifier never sees the
difference. ``compact`` keeps digits and every word (for comparing two appeals: 3号楼 is not 5号楼);
``words`` gives the words themselves, for highlighting, through jieba.
"""
from __future__ import annotations

import re
import unicodedata
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
STOPWORDS_FILE = DATA / "stopwords.txt"
# the start of a message says what it is about (the title comes first); past this the classifier reads no
# further, so a 100 KB paste costs what a long letter costs
MAX_CHARS = 1500

# What a resident says around the problem, not about it: a greeting, "I want to report", "please see to it",
# "thanks", "for days already". Short desk and hotline notes are half formula ("您好，我想反映一下，X，希望物业管一
# 管"), so two unrelated problems written around the same formula read alike and were grouped (the demo's
# 道闸 with 外墙渗水). Hotspots remove them before counting character pairs, and the merge box does not mark their
# words as shared; the problem's own words stay. Not "解决": long
# letters about one problem share "希望…尽快解决" often enough that the hand-labelled groups lose recall without it
# (make eval-groups), and an addressee after 尊敬的 is kept for the same reason.
FORMULAS = re.compile(
    r"您好|你好|领导好|大家好|领导们好"
    r"|我(?:想|要)?(?:反映|投诉|咨询|举报)(?:一下|个问题|一个问题|一件事)?"
    r"|我家(?:住)?在"
    r"|(?:希望|恳请|请求|请|麻烦)(?:有关部门|相关部门|政府|领导|社区|物业|街道|你们)?(?:尽快|早日|及时|帮忙)?"
    r"(?:处理一下|处理|管一管|管管|协调一下|协调|重视|关注)"
    r"|谢谢|感谢|已经(?:好几天|好久|很久|半个月|一个月|几个月|很长时间)了")

_SPACE = re.compile(r"\s+|_x000d_")
# what is left is letters (any script), digits: punctuation, symbols and emoji go
_NOT_WORD = re.compile(r"[^\w]|_", re.UNICODE)
_DIGITS = re.compile(r"[0-9]+")
_LATIN = re.compile(r"[a-z]+")
# the classifier reads Chinese characters and English words, nothing else
_NOT_KEPT = re.compile(r"[^\u4e00-\u9fffa-z]+")


@cache
def _converter():
    import opencc

    return opencc.OpenCC("t2s")


def _read_words(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    return [w for line in lines if (w := line.strip()) and not w.startswith("#")]


@cache
def stopwords() -> frozenset[str]:
    """Words the shared data had removed (derived by ``manage.py triage_stopwords``, kept in data/)."""
    return frozenset(_read_words(STOPWORDS_FILE))


def _trie_pattern(words: list[str]) -> str:
    """A regular expression matching any of ``words``, the longest where several start at one place."""
    trie: dict = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        kids = sorted((ch, sub) for ch, sub in node.items() if ch)
        if not kids:
            return ""
        alternatives = [re.escape(ch) + build(sub) for ch, sub in kids]
        singles = [a for a in alternatives if len(a) == 1]
        parts = [a for a in alternatives if len(a) != 1]
        parts += ["[" + "".join(singles) + "]"] if len(singles) > 1 else singles
        body = parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(trie)


@cache
def _stop_patterns() -> tuple[re.Pattern | None, re.Pattern | None]:
    """Stop words of several characters (removed first, longest match), then single characters."""
    words = sorted(stopwords())
    multi = [w for w in words if len(w) > 1]
    single = "".join(w for w in words if len(w) == 1)
    return (re.compile(_trie_pattern(multi)) if multi else None,
            re.compile("[" + re.escape(single) + "]+") if single else None)


def drop_stopwords(text: str) -> str:
    """``text`` (lower case, simplified) without its stop words, longest first."""
    multi, single = _stop_patterns()
    if multi is not None:
        text = multi.sub("", text)
    if single is not None:
        text = single.sub("", text)
    return text


def _latin_word(m: re.Match) -> str:
    # the "A" of "A市" and other lone letters are anonymisation or noise; an English word stays
    return m.group() if len(m.group()) > 1 else " "


def clean(text: str | None, limit: int = MAX_CHARS) -> str:
    """Half-width, lower case, simplified, without whitespace; at most ``limit`` characters."""
    text = nfkc((text or "")[: limit * 4]).lower()
    text = _SPACE.sub("", text)[:limit]
    return _converter().convert(text) if text else ""


_SEPARATOR = "\ue000"  # a private-use character: kept by NFKC and OpenCC, dropped by letters()


# what NFKC makes of full-width ASCII and the ideographic space, character by character
_FULL_WIDTH = re.compile("[\uff01-\uff5e\u3000]")


def _half_width(m: re.Match) -> str:
    return " " if m.group() == "\u3000" else chr(ord(m.group()) - 0xFEE0)


def nfkc(text: str) -> str:
    """``unicodedata.normalize("NFKC", text)``, faster for Chinese: its full-width punctuation (，！：) is mapped
    first, and the (slow) normalisation runs only when the quick check still finds something to do."""
    text = _FULL_WIDTH.sub(_half_width, text)
    return text if unicodedata.is_normalized("NFKC", text) else unicodedata.normalize("NFKC", text)


def clean_many(texts: list[str | None], limit: int = MAX_CHARS) -> list[str]:
    """``clean`` of every text, with one OpenCC call for all of them (its per-call cost dominates short texts)."""
    joined = _SEPARATOR.join(nfkc((t or "")[: limit * 4].replace(_SEPARATOR, "")) for t in texts)
    joined = _SPACE.sub("", joined.lower())
    parts = [t[:limit] for t in joined.split(_SEPARATOR)]
    joined = _SEPARATOR.join(parts)
    return (_converter().convert(joined) if len(joined) > len(parts) - 1 else joined).split(_SEPARATOR)


def letters(text: str) -> str:
    """Only letters (any script) and digits: punctuation, symbols, emoji and whitespace go."""
    return _NOT_WORD.sub("", text)


def compact(text: str | None, limit: int = MAX_CHARS) -> str:
    """``clean`` less punctuation and symbols: every word and number kept (comparing two appeals)."""
    return letters(clean(text, limit))


def normalize(text: str | None) -> str:
    """The classifier's view of a text: Chinese characters and English words, stop words removed."""
    text = nfkc((text or "")[: MAX_CHARS * 4]).lower().replace("_x000d_", " ")
    if not text:
        return ""
    text = _converter().convert(text)
    text = _LATIN.sub(_latin_word, _DIGITS.sub(" ", text))
    return drop_stopwords(_NOT_KEPT.sub("", text))[:MAX_CHARS]


def words(text: str | None) -> list[str]:
    """The content words of a text, in order (jieba, stop words and punctuation dropped)."""
    import jieba

    stop = stopwords()
    return [w for w in jieba.lcut(clean(text)) if w not in stop and not _NOT_WORD.fullmatch(w[0])]
