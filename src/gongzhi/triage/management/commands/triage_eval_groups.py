"""``make eval-groups``: how well duplicates are suggested and hotspots grouped, against the hand-labelled set in
eval/hotspots/ (built from hot.csv, see its README).

- Duplicates: every labelled pair (a, b) is suggested as a duplicate when ``similar.cosine`` of the two texts
  reaches ``selectors.DUPLICATE_AT`` (the merge box's "likely" mark; the place bonus needs the registry, which
  hot.csv does not have). Precision and recall of the pairs marked 1.
- Hotspots: all 4,326 messages of hot.csv are grouped as one place and one category (hot.csv has neither a
  registry place nor a category, so text alone must separate places: harder than production, where the compound
  and category come first). Over the labelled messages, every pair in one predicted group is a predicted link;
  precision and recall against the labelled groups.
JSON lines on stdout; the figures at other thresholds on stderr.
"""
import csv
import itertools
import json
import sys
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from gongzhi.triage import hotspots as hs
from gongzhi.triage import selectors, similar


def _read(path: Path) -> list[dict]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def _pr(predicted: set, truth: set) -> tuple[float, float]:
    hit = len(predicted & truth)
    return (hit / len(predicted) if predicted else 0.0), (hit / len(truth) if truth else 0.0)


class Command(BaseCommand):
    help = "Precision/recall of duplicate suggestions and hotspot grouping on eval/hotspots/."

    def add_arguments(self, parser):
        parser.add_argument("--labels", default=str(settings.PROJECT_DIR / "eval" / "hotspots"))
        parser.add_argument("--data", default=str(Path(settings.GONGZHI["TRIAGE"]["DATA_DIR"]) / "hot.csv"))

    def handle(self, *args, labels, data, **options):
        labels, data = Path(labels), Path(data)
        if not (labels / "groups.csv").exists() or not data.exists():
            raise CommandError(f"need {labels}/groups.csv, {labels}/pairs.csv and {data}")
        messages = {int(r["id"]): r for r in _read(data)}
        text = {i: f"{r['title']}。{r['body']}" for i, r in messages.items()}
        out = []

        pairs = [(int(r["a"]), int(r["b"]), r["duplicate"] == "1") for r in _read(labels / "pairs.csv")]
        scores = [(similar.cosine(similar.shingles(text[a]), similar.shingles(text[b])), dup) for a, b, dup in pairs]
        print("duplicates (pairs.csv): threshold, precision, recall", file=sys.stderr)
        for threshold in (0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 0.6):
            tp = sum(s >= threshold and d for s, d in scores)
            fp = sum(s >= threshold and not d for s, d in scores)
            fn = sum(s < threshold and d for s, d in scores)
            print(f"  {threshold:.2f}  {tp / max(tp + fp, 1):.3f}  {tp / max(tp + fn, 1):.3f}", file=sys.stderr)
            if threshold == selectors.DUPLICATE_AT:
                out.append({"name": "triage.duplicates_precision", "value": round(tp / max(tp + fp, 1), 4),
                            "unit": "share", "n": len(pairs), "threshold": threshold})
                out.append({"name": "triage.duplicates_recall", "value": round(tp / max(tp + fn, 1), 4),
                            "unit": "share", "n": len(pairs), "threshold": threshold})

        truth_groups = {}
        for r in _read(labels / "groups.csv"):
            truth_groups.setdefault(r["group"], []).append(int(r["id"]))
        labelled = {i for ids in truth_groups.values() for i in ids}
        truth = {frozenset(p) for ids in truth_groups.values() for p in itertools.combinations(sorted(ids), 2)}
        rows = [hs.Row(id=i, bucket=(0, 0), text=text[i], at=datetime.fromisoformat(r["created_at"][:19]),
                       reporter=r["user"], supports=int(r["likes"] or 0)) for i, r in messages.items()]
        # the threshold was chosen on the odd-numbered groups (g001, g003…); the even ones are reported apart
        half = {name: int(name.lstrip("g")) % 2 for name in truth_groups}
        side = {i: half[name] for name, ids in truth_groups.items() for i in ids}
        print("hotspot grouping (groups.csv, pairs within groups): threshold, precision, recall, groups>=2; "
              "then on the odd (chosen on) and even halves", file=sys.stderr)
        for threshold in (0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5):
            groups = hs.group(rows, threshold)
            predicted = set()
            for g in groups:
                ids = sorted(rows[k].id for k in g if rows[k].id in labelled)
                predicted.update(frozenset(p) for p in itertools.combinations(ids, 2))
            precision, recall = _pr(predicted, truth)
            halves = []
            for h in (1, 0):
                pp, rr = _pr({p for p in predicted if all(side[i] == h for i in p)},
                             {p for p in truth if all(side[i] == h for i in p)})
                halves.append(f"{pp:.3f}/{rr:.3f}")
            print(f"  {threshold:.2f}  {precision:.3f}  {recall:.3f}  {sum(len(g) > 1 for g in groups)}  "
                  f"odd {halves[0]}  even {halves[1]}", file=sys.stderr)
            if threshold == hs.THRESHOLD:
                out.append({"name": "triage.hotspots_precision", "value": round(precision, 4), "unit": "share",
                            "n": len(labelled), "pairs": len(truth), "threshold": threshold,
                            "messages_grouped": len(rows)})
                out.append({"name": "triage.hotspots_recall", "value": round(recall, 4), "unit": "share",
                            "n": len(labelled), "pairs": len(truth), "threshold": threshold})
        for line in out:
            sys.stdout.write(json.dumps(line, ensure_ascii=False) + "\n")
