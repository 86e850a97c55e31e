"""``make eval-replies``: how well the reply check agrees with the hand-labelled replies in eval/replies/ (from
replies.csv, see its README).

Every labelled reply is checked against its message (title and body). Rates and agreement are reported on the
random 200 (rows 1–200); the 40 hand-picked poor replies are over-sampled and reported apart, on stderr, with the
odd and even rows of the random 200 (the thresholds in triage/replies.py were chosen on the odd rows).

- per score (relevance, completeness, tone): exact agreement and quadratically weighted kappa;
- weak: precision and recall of the weak flag, Cohen's kappa, and the share of replies flagged against the share
  labelled weak.
JSON lines on stdout.
"""
import csv
import json
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from gongzhi.triage import replies

RANDOM = 200  # the first rows of labels.csv are the random draw
SCORES = ("relevance", "completeness", "tone")


def _read(path: Path) -> list[dict]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def agreement(pairs: list[tuple[dict, replies.Check]]) -> dict:
    from sklearn.metrics import cohen_kappa_score, precision_score, recall_score

    out = {}
    for name in SCORES:
        truth = [int(label[name]) for label, _check in pairs]
        got = [getattr(check, name) for _label, check in pairs]
        out[name] = {"agreement": round(sum(a == b for a, b in zip(truth, got, strict=True)) / len(truth), 4),
                     "kappa": round(float(cohen_kappa_score(truth, got, weights="quadratic")), 4)}
    truth = [int(label["weak"]) for label, _check in pairs]
    got = [int(check.weak) for _label, check in pairs]
    out["weak"] = {"precision": round(float(precision_score(truth, got, zero_division=0)), 4),
                   "recall": round(float(recall_score(truth, got, zero_division=0)), 4),
                   "kappa": round(float(cohen_kappa_score(truth, got)), 4),
                   "flagged": round(sum(got) / len(got), 4), "labelled": round(sum(truth) / len(truth), 4)}
    return out


class Command(BaseCommand):
    help = "Agreement of the reply check with the hand-labelled replies in eval/replies/."

    def add_arguments(self, parser):
        parser.add_argument("--labels", default=str(settings.PROJECT_DIR / "eval" / "replies" / "labels.csv"))
        parser.add_argument("--data", default=str(Path(settings.GONGZHI["TRIAGE"]["DATA_DIR"]) / "replies.csv"))

    def handle(self, *args, labels, data, **options):
        labels, data = Path(labels), Path(data)
        if not labels.exists() or not data.exists():
            raise CommandError(f"need {labels} and {data}")
        messages = {r["id"]: r for r in _read(data)}
        rows = _read(labels)
        missing = [r["id"] for r in rows if r["id"] not in messages]
        if missing:
            raise CommandError(f"{len(missing)} labelled ids are not in {data}: {', '.join(missing[:5])}…")
        pairs = []
        for label in rows:
            m = messages[label["id"]]
            pairs.append((label, replies.check(m["reply"], m["body"], m["title"])))
        sample = pairs[:RANDOM]
        figures = agreement(sample)
        common = {"n": len(sample), "data": f"{labels} (random rows 1–{RANDOM})"}
        out = [{"name": f"triage.replies_{name}_agreement", "value": figures[name]["agreement"], "unit": "share",
                "kappa": figures[name]["kappa"], **common} for name in SCORES]
        weak = figures["weak"]
        out += [{"name": "triage.replies_weak_precision", "value": weak["precision"], "unit": "share", **common},
                {"name": "triage.replies_weak_recall", "value": weak["recall"], "unit": "share", "kappa": weak["kappa"],
                 "flagged": weak["flagged"], "labelled": weak["labelled"], **common}]
        for line in out:
            self.stdout.write(json.dumps(line, ensure_ascii=False))
        for name, part in (("odd rows (thresholds chosen here)", sample[0::2]), ("even rows", sample[1::2]),
                           ("hand-picked poor replies", pairs[RANDOM:])):
            if part:
                print(f"{name}, n={len(part)}: {json.dumps(agreement(part), ensure_ascii=False)}", file=sys.stderr)
