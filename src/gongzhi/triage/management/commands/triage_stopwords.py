"""Derive the stop words the shared training data had removed, from the shared raw messages.

A word jieba finds in at least ``--min-docs`` raw messages (hot.csv, replies.csv) that never appears in the
segmented train.csv was a stop word there: 的, 了, 我们, 没有… Proper nouns (places, people, organisations,
which simply do not occur in the training messages) are kept out by jieba's part-of-speech tags. The result
is written to triage/data/stopwords.txt and committed, so every model reads text the same way.

Beside it, triage/data/keep.txt lists the training data's words (up to six characters) that contain a stop word
(单元 holds 单, 每天 holds 每): text.normalize keeps those whole while it drops a lone stop word.
"""
import collections
import csv
import re
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from gongzhi.triage import text as triage_text

PROPER = {"ns", "nr", "nrt", "nt", "nz", "nrfg", "eng", "m"}


class Command(BaseCommand):
    help = "Derive triage/data/stopwords.txt from the shared data (deterministic)."

    def add_arguments(self, parser):
        parser.add_argument("--data", default=str(settings.GONGZHI["TRIAGE"]["DATA_DIR"]))
        parser.add_argument("--min-docs", type=int, default=20)

    def handle(self, *args, data, min_docs, **options):
        import jieba
        import jieba.posseg

        jieba.setLogLevel(60)
        folder = Path(data)
        seen = collections.Counter()
        with (folder / "train.csv").open(encoding="utf-8") as f:
            for row in csv.DictReader(f):
                seen.update(row["body"].lower().split())
        docs, tags = collections.Counter(), collections.defaultdict(collections.Counter)
        for name in ("hot.csv", "replies.csv"):
            with (folder / name).open(encoding="utf-8") as f:
                for row in csv.DictReader(f):
                    found = set()
                    raw = triage_text.clean(f"{row['title']} {row['body']}")
                    for pair in jieba.posseg.lcut(raw):
                        if re.fullmatch(r"\w+", pair.word) and not re.fullmatch(r"[\d_]+", pair.word):
                            found.add(pair.word)
                            tags[pair.word][pair.flag] += 1
                    docs.update(found)
        chosen = sorted((w for w, n in docs.items()
                         if n >= min_docs and seen[w] == 0 and tags[w].most_common(1)[0][0] not in PROPER),
                        key=lambda w: (-docs[w], w))
        header = ["# derived by manage.py triage_stopwords from the shared data; do not edit by hand",
                  f"# {len(chosen)} words seen in >= {min_docs} raw messages and never in train.csv"]
        triage_text.STOPWORDS_FILE.write_text("\n".join(header + chosen) + "\n", encoding="utf-8")
        self.stdout.write(f"{len(chosen)} stop words → {triage_text.STOPWORDS_FILE}")
        stop = set(chosen)
        keep = set()
        for word in seen:
            w = triage_text.letters(triage_text.clean(word))
            if 2 <= len(w) <= 6 and w not in stop and any(
                    w[i:j] in stop for i in range(len(w)) for j in range(i + 1, len(w) + 1)):
                keep.add(w)
        keep = sorted(keep)
        triage_text.KEEP_FILE.write_text("\n".join(
            ["# derived by manage.py triage_stopwords: words of train.csv holding a stop word; do not edit by hand",
             *keep]) + "\n", encoding="utf-8")
        self.stdout.write(f"{len(keep)} words kept whole → {triage_text.KEEP_FILE}")
