"""``make eval-catalogue [DATA=file.csv]``: how often the classifier's first suggestion (and its top three) names an
accepted first-level category of the catalogue in use, on everyday messages.

The CSV has columns ``text,accept``: ``accept`` is one or more first-level category codes (or names) separated by
``;``, any of which is right; a subcategory's code stands for its family. Without ``--data``, the held-apart
examples in eval/catalogue/everyday.csv (never trained on). The model is trained as a new community's would be —
the catalogue's words and the shared city data, none of this instance's appeals — unless ``--own`` (this
instance's appeals too) or ``--current`` (the model in use). JSON lines on stdout (BENCH.md), misses on stderr.
"""
import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from gongzhi.appeals.models import Category
from gongzhi.triage import classifier, evaluation, loaded
from gongzhi.triage.services import training_set

HELD_APART = Path(settings.PROJECT_DIR) / "eval" / "catalogue" / "everyday.csv"


class Command(BaseCommand):
    help = "Evaluate the category suggestions on everyday messages (first level: top 1 and top 3)."

    def add_arguments(self, parser):
        parser.add_argument("--data", default="", help=f"CSV with columns text,accept (default: {HELD_APART})")
        parser.add_argument("--own", action="store_true", help="train on this instance's categorised appeals too")
        parser.add_argument("--current", action="store_true", help="evaluate the model in use instead")

    def handle(self, *args, data, own, current, **options):
        path = Path(data) if data else HELD_APART
        if not path.exists():
            raise CommandError(f"no such file: {path}")
        try:
            texts, accepted = evaluation.read_accepting(path)
        except (ValueError, UnicodeDecodeError) as e:
            raise CommandError(str(e)) from e
        if not texts:
            raise CommandError(f"{path}: no rows with an accepted category")
        categories = list(Category.objects.filter(is_active=True).values_list("pk", "parent_id", "code", "name"))
        parents = {pk: parent for pk, parent, _code, _name in categories}
        family_of = {}  # a code (in any case) or a family's name → its family
        for pk, parent, code, name in categories:
            family_of[code.lower()] = parent or pk
            if parent is None:
                family_of[name] = pk
        accepted = [[a if a in family_of else a.lower() for a in accept] for accept in accepted]
        unknown = sorted({a for accept in accepted for a in accept if a not in family_of})
        if unknown:
            known = ", ".join(code for _pk, parent, code, _name in categories if parent is None)
            raise CommandError(f"{path}: not categories of the catalogue in use: {', '.join(unknown)} "
                               f"(its first-level codes: {known})")
        accepts = [{family_of[a] for a in accept} for accept in accepted]
        model, how = self.model(own=own, current=current)
        families, probabilities = evaluation.family_ranking(model, texts, parents)
        names = {pk: name for pk, parent, _code, name in categories if parent is None}
        lines = evaluation.catalogue_report(
            texts, accepts, families, probabilities, unsure=settings.GONGZHI["TRIAGE"]["UNSURE"], names=names,
            extra={"data": str(path), "model": how})
        for line in lines:
            self.stdout.write(json.dumps(line, ensure_ascii=False))

    def model(self, *, own: bool, current: bool) -> tuple[classifier.Classifier, str]:
        if current:
            version, model = loaded.current()
            if model is None:
                raise CommandError("no model is in use yet (manage.py triage_train)")
            return model, f"v{version} (in use)"
        data = training_set(own=own)
        model = classifier.fit(data.texts, data.labels, weights=data.weights,
                               temperature=settings.GONGZHI["TRIAGE"]["TEMPERATURE"])
        return model, (f"{'this instance' if own else 'new community'} ({data.catalogue} catalogue, "
                       f"{data.shared} shared, {data.own} own, trained in {model.meta['seconds']} s)")
