"""Helpers behind eval/replies: draw the random sample and list candidate weak replies.

Scores in labels.csv were given by reading each message and reply; nothing here scores.

    python sample.py random      # the 200 ids drawn with random.Random(20261123).sample
    python sample.py candidates  # short or form-letter replies outside the sample (reading list)
    python sample.py check       # labels.csv = the 200 random ids in draw order, then the extras
"""

import csv
import random
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPLIES = HERE.parents[2] / "shared" / "data" / "appeals" / "replies.csv"
SEED = 20261123
SIZE = 200
FORM = re.compile(r"已收悉|已转|转交|交办|不属于|无法|请咨询|请联系|已进行过回复|视为无效")


def load():
    with REPLIES.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def squeeze(text):
    return re.sub(r"\s+", "", text)


def random_ids(rows):
    return random.Random(SEED).sample([r["id"] for r in rows], SIZE)


def candidates(rows, limit=120):
    """Replies outside the random sample that are very short or read like a form letter."""
    drawn = set(random_ids(rows))
    found = []
    for r in rows:
        reply = squeeze(r["reply"])
        if r["id"] in drawn:
            continue
        if len(reply) < 40 or (len(reply) < 160 and FORM.search(reply)):
            found.append((len(reply), r["id"], squeeze(r["title"])[:30], reply[:80]))
    for n, i, title, reply in sorted(found)[:limit]:
        print(i, n, title, reply, sep="\t")


def check(rows):
    drawn = random_ids(rows)
    with (HERE / "labels.csv").open(encoding="utf-8") as f:
        labelled = [r["id"] for r in csv.DictReader(f)]
    known = {r["id"] for r in rows}
    assert labelled[:SIZE] == drawn, "first rows must be the random draw, in order"
    extras = labelled[SIZE:]
    assert not set(extras) & set(drawn) and set(labelled) <= known
    assert len(set(labelled)) == len(labelled)
    print(f"{SIZE} random + {len(extras)} hand-picked extras")


if __name__ == "__main__":
    data = load()
    command = sys.argv[1] if len(sys.argv) > 1 else "check"
    if command == "random":
        print("\n".join(random_ids(data)))
    elif command == "candidates":
        candidates(data)
    else:
        check(data)
