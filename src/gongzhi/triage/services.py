"""Triage writes: training a classifier, and the first read of an appeal (category, place) applied to it."""
from __future__ import annotations

import collections
import logging
import time
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef

from gongzhi.appeals.choices import Action, State
from gongzhi.appeals.models import Appeal, AppealEvent, Category
from gongzhi.appeals.services import appeal_triage_apply
from gongzhi.registry.choices import AreaKind

from . import classifier, loaded, places
from .models import ClassifierModel, LabelMapping, Triage

log = logging.getLogger(__name__)


def _shared_examples(data_dir: Path) -> tuple[list[str], list[str]]:
    """The shared city data, each label turned into the catalogue category it is mapped to (unmapped: skipped)."""
    path = Path(data_dir) / "train.csv"
    if not path.exists():
        log.warning("triage: no shared training data at %s; learning from this instance's appeals only", path)
        return [], []
    mapping = dict(LabelMapping.objects.filter(category__isnull=False, category__is_active=True)
                   .values_list("label", "category_id"))
    texts, labels = classifier.read_labelled(path)
    pairs = [(t, str(mapping[y])) for t, y in zip(texts, labels, strict=True) if y in mapping]
    return [t for t, _ in pairs], [y for _, y in pairs]


def _own_examples() -> tuple[list[str], list[str], int]:
    """Appeals whose category a person chose: accepted with it, or reclassified to it (the corrections).
    Categories with too few examples learn at their parent's level. Returns texts, labels, corrections."""
    triage = settings.GONGZHI["TRIAGE"]
    by_person = AppealEvent.objects.filter(appeal=OuterRef("pk"), action__in=(Action.ACCEPT, Action.RECLASSIFY),
                                           actor__isnull=False)
    rows = list(Appeal.objects.filter(Exists(by_person), category__isnull=False, category__is_active=True)
                .order_by("-created_at").values_list("pk", "text", "category_id", "category__parent_id")
                [: triage["MAX_OWN_EXAMPLES"]])
    counts = collections.Counter(category for _, _, category, _ in rows)
    texts, labels = [], []
    for _, text, category, parent in rows:
        label = category if counts[category] >= triage["MIN_EXAMPLES"] or parent is None else parent
        texts.append(text)
        labels.append(str(label))
    corrected = AppealEvent.objects.filter(action=Action.RECLASSIFY, actor__isnull=False,
                                           appeal_id__in=[pk for pk, *_ in rows]).values("appeal_id").distinct()
    return texts, labels, corrected.count()


def classifier_train(*, data_dir: Path | None = None) -> ClassifierModel:
    """Train a new version on the shared data plus this instance's own categorised appeals, write its file under
    var/models/, and make it the one in use (every process picks it up within a minute)."""
    triage = settings.GONGZHI["TRIAGE"]
    started = time.perf_counter()
    shared_texts, shared_labels = _shared_examples(Path(data_dir or triage["DATA_DIR"]))
    own_texts, own_labels, corrections = _own_examples()
    # a label learnt from the instance alone needs enough examples; rarer ones are left out
    counts = collections.Counter(shared_labels + own_labels)
    weights = [1.0] * len(shared_texts) + [float(triage["OWN_WEIGHT"])] * len(own_texts)
    keep = [(t, y, w) for t, y, w in zip(shared_texts + own_texts, shared_labels + own_labels, weights, strict=True)
            if counts[y] >= triage["MIN_EXAMPLES"]]
    model = classifier.fit([t for t, _, _ in keep], [y for _, y, _ in keep], weights=[w for _, _, w in keep])
    seconds = round(time.perf_counter() - started, 2)
    for _attempt in range(3):
        version = (ClassifierModel.objects.order_by("-version").values_list("version", flat=True).first() or 0) + 1
        name = f"classifier-v{version}.npz"
        model.meta.update(version=version, shared_examples=len(shared_texts), own_examples=len(own_texts))
        model.save(loaded.model_path(name))
        try:
            with transaction.atomic():
                row = ClassifierModel.objects.create(
                    version=version, file=name, seconds=seconds, shared_examples=len(shared_texts),
                    own_examples=len(own_texts), corrections=corrections,
                    classes=[int(label) for label in model.labels])
            break
        except IntegrityError:  # another training run took this version number at the same moment
            continue
    else:
        raise RuntimeError("could not record the trained model")
    loaded.forget()
    return row


def _suggestions(model: classifier.Classifier, text: str) -> list[dict]:
    active = set(Category.objects.filter(is_active=True).values_list("pk", flat=True))
    return [{"category": int(label), "score": score} for label, score in model.top([text], k=3)[0]
            if int(label) in active]


def appeal_triage(*, appeal: Appeal) -> Triage:
    """The machine's first read of a new appeal, once: top three categories with scores (none without a model),
    the place its text names. A sure category (GONGZHI["TRIAGE"]["AUTO_APPLY"]) is applied and the appeal
    dispatched by the routing rules; anything less waits for a worker, who sees the suggestions."""
    existing = Triage.objects.filter(appeal=appeal).first()
    if existing is not None:
        return existing
    version, model = loaded.current()
    suggestions = _suggestions(model, appeal.text) if model is not None else []
    confidence = suggestions[0]["score"] if suggestions else 0.0
    match = places.locate(appeal.text, within=appeal.area)
    # the text may narrow where the appeal came in for (a community, a compound), never move it elsewhere
    narrower = (match.area is not None and match.area.pk != appeal.area_id
                and _depth(match.area.kind) > _depth(appeal.area.kind)
                and getattr(match.area, f"{appeal.area.kind}_id") == appeal.area_id)
    sure = suggestions and confidence >= settings.GONGZHI["TRIAGE"]["AUTO_APPLY"] and appeal.category_id is None
    try:
        with transaction.atomic():
            triage = Triage.objects.create(
                appeal=appeal, model_version=version, suggestions=suggestions, confidence=confidence,
                applied=bool(sure), place=match.as_json(), place_area=match.area)
            if sure or narrower:
                appeal_triage_apply(
                    appeal=appeal, category=Category.objects.get(pk=suggestions[0]["category"]) if sure else None,
                    area=match.area if narrower else None,
                    data={"model": version, "confidence": confidence, "place": match.why if narrower else ""})
    except IntegrityError:  # triaged by another worker at the same time
        return Triage.objects.get(appeal=appeal)
    return triage


def _depth(kind: str) -> int:
    return list(AreaKind.values).index(kind)


def triage_pending(*, limit: int = 500) -> int:
    """Triage new appeals that have none yet (filed in bulk, or whose task was lost): the sweep behind intake."""
    pending = list(Appeal.objects.filter(state=State.SUBMITTED, triage__isnull=True)
                   .select_related("area").order_by("pk")[:limit])
    for appeal in pending:
        appeal_triage(appeal=appeal)
    return len(pending)
