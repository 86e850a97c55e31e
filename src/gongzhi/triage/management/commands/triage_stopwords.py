"""Derive the stop words the shared training data had removed, from the shared raw messages.

jieba segments the raw messages (hot.csv, replies.csv). A word found in at least ``--min-docs`` of them that never
appears in the segmented train.csv was a stop word there: 的, 了, 我们, 没有… Proper nouns (places, people,
organisations, which simply do not occur in the training messages) are kept out by jieba's part-of-speech tags.

``text.normalize`` removes stop words without segmenting (a regular expression, fast), so a stop word is
removed inside longer words too. A candidate is therefore kept only when that costs little: when it occurs
inside the training data's words (per message) less than half as often as it stands alone in raw messages
(per message). 的, 了, 我们 pass; 单 (in 单元), 上, 大 do not. Multi-character words also need ``--min-count``
occurrences. The result is written to triage/data/stopwords.txt and committed, so every model reads text the
same way; rerun this command only with a change of rule, then retrain.
"""
import collections
import csv
import unicodedata
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from gongzhi.triage import text as triage_text

PROPER = {"ns", "nr", "nrt", "nt", "nz", "nrfg", "eng", "m"}
LONGEST = 6


def _read(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _simple(word: str) -> str:
    return triage_text.letters(triage_text.clean(unicodedata.normalize("NFKC", word)))


class Command(BaseCommand):
    help = "Derive triage/data/stopwords.txt from the shared data (deterministic)."

    def add_arguments(self, parser):
        parser.add_argument("--data", default=str(settings.GONGZHI["TRIAGE"]["DATA_DIR"]))
        parser.add_argument("--min-docs", type=int, default=5)
        parser.add_argument("--min-count", type=int, default=20)

    def handle(self, *args, data, min_docs, min_count, **options):
        import jieba
        import jieba.posseg

        jieba.setLogLevel(60)
        folder = Path(data)
        train = _read(folder / "train.csv")
        vocabulary = collections.Counter()
        for row in train:
            vocabulary.update(_simple(w) for w in (row["body"] or "").split())
        raw = [row for name in ("hot.csv", "replies.csv") for row in _read(folder / name)]
        count, docs, tags = collections.Counter(), collections.Counter(), collections.defaultdict(collections.Counter)
        for row in raw:
            text = triage_text.clean(f"{row['title']} {row['body']}", limit=10**6)
            found = set()
            for pair in jieba.posseg.lcut(text):
                word = _simple(pair.word)
                if word and all("\u4e00" <= ch <= "\u9fff" for ch in word):
                    count[word] += 1
                    found.add(word)
                    tags[word][pair.flag] += 1
            docs.update(found)
        # "never" allows a stray traditional-character form in train.csv (我們 becomes 我们 when read)
        candidates = {w for w, n in docs.items() if n >= min_docs and vocabulary[w] / len(train) < 0.02 * n / len(raw)
                      and (len(w) == 1 or (count[w] >= min_count and tags[w].most_common(1)[0][0] not in PROPER))}
        inside = collections.Counter()
        for word, n in vocabulary.items():
            for i in range(len(word)):
                for j in range(i + 1, min(len(word), i + LONGEST) + 1):
                    if j - i < len(word) and word[i:j] in candidates:
                        inside[word[i:j]] += n
        chosen = sorted((w for w in candidates if inside[w] / len(train) < 0.5 * count[w] / len(raw)),
                        key=lambda w: (-len(w), -count[w], w))
        header = ["# derived by manage.py triage_stopwords from the shared data; do not edit by hand",
                  f"# {len(chosen)} words in >= {min_docs} raw messages and (almost) never in train.csv, seldom inside its"
                  " words"]
        triage_text.STOPWORDS_FILE.write_text("\n".join(header + chosen) + "\n", encoding="utf-8")
        singles = sum(len(w) == 1 for w in chosen)
        self.stdout.write(f"{len(chosen)} stop words ({singles} single characters) → {triage_text.STOPWORDS_FILE}")
