"""``make eval [DATA=file.csv]``: how well the classifier trained on the shared train.csv labels messages.

With ``--data``: the model trained on train.csv (trained first if there is none yet, deterministically) labels
every row of that CSV (the shared data's columns: id, title, body, label). Without: 5-fold cross-validation on
train.csv, exact reposts kept on one side. JSON lines on stdout (BENCH.md); details on stderr.
"""
import json
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from gongzhi.triage import classifier, evaluation


class Command(BaseCommand):
    help = "Evaluate the triage classifier (macro-F1, accuracy) on a labelled CSV or by cross-validation."

    def add_arguments(self, parser):
        triage = settings.GONGZHI["TRIAGE"]
        parser.add_argument("--data", default="", help="labelled CSV to evaluate on (default: cross-validation)")
        parser.add_argument("--train", default=str(Path(triage["DATA_DIR"]) / "train.csv"))
        parser.add_argument("--folds", type=int, default=5)

    def handle(self, *args, data, train, folds, **options):
        train = Path(train)
        if not train.exists():
            raise CommandError(f"training data not found: {train} (set GONGZHI_TRIAGE_DATA)")
        if data:
            if not Path(data).exists():
                raise CommandError(f"no such file: {data}")
            texts, truth = classifier.read_labelled(Path(data))
            if not texts:
                raise CommandError(f"{data}: no labelled rows (columns id, title, body, label)")
            model = evaluation.eval_model(train, settings.GONGZHI["TRIAGE"]["MODEL_DIR"])
            predicted = [best[0][0] for best in model.top(texts, k=1)]
            extra = {"data": str(data), "model_examples": model.meta.get("examples")}
        else:
            texts, truth = classifier.read_labelled(train)
            predicted, margins, order = evaluation.cross_validate(texts, truth, folds=folds)
            extra = {"data": f"{train} ({folds}-fold cross-validation)"}
            calibration = evaluation.calibrate(margins, truth, order)
            print(f"calibration: temperature {calibration['temperature']} (log loss {calibration['log_loss']}; "
                  f"in use {classifier.TEMPERATURE})", file=sys.stderr)
            for row in calibration["thresholds"]:
                print(f"  confidence >= {row['threshold']:.1f}: {row['share']:.1%} of messages, "
                      f"{row['accuracy']:.1%} of them right", file=sys.stderr)
        lines = evaluation.report(truth, predicted, extra=extra)
        if not data:
            lines.append({"name": "triage.classify_calibration", "value": calibration["temperature"],
                          "unit": "temperature", "n": len(truth), "log_loss": calibration["log_loss"],
                          "thresholds": calibration["thresholds"]})
        for line in lines:
            sys.stdout.write(json.dumps(line, ensure_ascii=False) + "\n")
