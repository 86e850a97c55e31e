"""Triage writes: training a classifier, the first read of an appeal (category, place) applied to it, hotspot
runs and tasks, and the reply check's record of every sent reply."""
from __future__ import annotations

import collections
import hashlib
import logging
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import numpy as np
from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Exists, F, OuterRef, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.appeals import notify
from gongzhi.appeals.choices import Action, Channel, State
from gongzhi.appeals.events import AppealResolved, WeakReply
from gongzhi.appeals.models import Appeal, AppealEvent, AppealSupport, Category
from gongzhi.appeals.services import appeal_assign_grid, appeal_submit, appeal_triage_apply
from gongzhi.core.db import fast_insert
from gongzhi.core.errors import NotFound
from gongzhi.registry.choices import AreaKind
from gongzhi.registry.models import Area

from . import classifier, loaded, permissions, places, replies, selectors
from . import hotspots as hs
from . import text as triage_text
from .models import ClassifierModel, Hotspot, HotspotRun, LabelMapping, ReplyCheck, Triage

log = logging.getLogger(__name__)
REFRESH_LOCK_SECONDS = 30 * 60


@dataclass
class TrainingSet:
    """What a classifier learns from, each text with its label (a category id) and weight."""
    texts: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    weights: list[float] = field(default_factory=list)
    catalogue: int = 0
    shared: int = 0
    own: int = 0
    corrections: int = 0

    def add(self, texts: list[str], labels: list[str], weight: float | list[float]) -> None:
        self.texts += texts
        self.labels += labels
        self.weights += weight if isinstance(weight, list) else [weight] * len(texts)


def _catalogue_examples() -> tuple[list[str], list[str]]:
    """The catalogue's own words (what a new community has before any appeal): each active category's name (with
    its family's), its description and its example messages. A family with active subcategories learns through
    them, unless an administrator gave it examples of its own."""
    categories = list(Category.objects.filter(is_active=True).select_related("parent"))
    families = {c.parent_id for c in categories if c.parent_id}
    texts, labels = [], []
    for category in categories:
        lines = category.example_lines
        if category.pk in families and not lines:
            continue
        name = f"{category.parent.name}{category.name}" if category.parent_id else category.name
        own = [name, *([category.description] if category.description.strip() else []), *lines]
        texts += own
        labels += [str(category.pk)] * len(own)
    return texts, labels


def _shared_examples(data_dir: Path) -> tuple[list[str], list[str]]:
    """The shared city data, each label turned into the catalogue category it is mapped to (unmapped: skipped)."""
    path = Path(data_dir) / "train.csv"
    if not path.exists():
        log.warning("triage: no shared training data at %s; learning from the catalogue and this instance's appeals",
                    path)
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
    counts = collections.Counter(row[2] for row in rows)
    texts, labels = [], []
    for _pk, text, category, parent in rows:
        label = category if counts[category] >= triage["MIN_EXAMPLES"] or parent is None else parent
        texts.append(text)
        labels.append(str(label))
    corrected = AppealEvent.objects.filter(action=Action.RECLASSIFY, actor__isnull=False,
                                           appeal_id__in=[pk for pk, *_ in rows]).values("appeal_id").distinct()
    return texts, labels, corrected.count()


def training_set(*, data_dir: Path | None = None, own: bool = True) -> TrainingSet:
    """The catalogue's words, the shared city data where its labels map to categories, and (``own``) this
    instance's appeals whose category a person chose.

    The shared data is thousands of long letters in seven city labels; a community category starts with a few
    dozen one-line examples. Counted as they come, the city labels would win every everyday message ("楼道的灯坏了"
    → 城乡建设), so each shared label weighs in with at most SHARED_LABEL_WEIGHT examples' worth, each shared
    message a share of it; a person's choice counts OWN_WEIGHT."""
    triage = settings.GONGZHI["TRIAGE"]
    out = TrainingSet()
    texts, labels = _catalogue_examples()
    out.add(texts, labels, 1.0)
    out.catalogue = len(texts)
    texts, labels = _shared_examples(Path(data_dir or triage["DATA_DIR"]))
    per_label = collections.Counter(labels)
    out.add(texts, labels, [min(triage["SHARED_WEIGHT"], triage["SHARED_LABEL_WEIGHT"] / per_label[y])
                            for y in labels])
    out.shared = len(texts)
    if own:
        texts, labels, out.corrections = _own_examples()
        out.add(texts, labels, float(triage["OWN_WEIGHT"]))
        out.own = len(texts)
    return out


def catalogue_digest() -> str:
    """Names what the catalogue teaches (categories, their words, the label mappings): a model trained on another
    digest is retrained by ``classifier_refresh``."""
    digest = hashlib.sha256()
    for row in Category.objects.filter(is_active=True).order_by("pk").values_list(
            "pk", "parent_id", "name", "description", "examples"):
        digest.update(repr(row).encode())
    for row in LabelMapping.objects.order_by("label").values_list("label", "category_id"):
        digest.update(repr(row).encode())
    return digest.hexdigest()[:16]


def classifier_train(*, data_dir: Path | None = None) -> ClassifierModel:
    """Train a new version on the catalogue, the shared data and this instance's own categorised appeals, write its
    file under var/models/, and make it the one in use (every process picks it up within a minute)."""
    started = time.perf_counter()
    digest = catalogue_digest()
    data = training_set(data_dir=data_dir)
    model = classifier.fit(data.texts, data.labels, weights=data.weights, meta={"catalogue": digest},
                           temperature=settings.GONGZHI["TRIAGE"]["TEMPERATURE"])
    seconds = round(time.perf_counter() - started, 2)
    for _attempt in range(3):
        version = (ClassifierModel.objects.order_by("-version").values_list("version", flat=True).first() or 0) + 1
        name = f"classifier-v{version}.npz"
        model.meta.update(version=version, shared_examples=data.shared, own_examples=data.own,
                          catalogue_examples=data.catalogue)
        model.save(loaded.model_path(name))
        try:
            with transaction.atomic():
                row = ClassifierModel.objects.create(
                    version=version, file=name, seconds=seconds, shared_examples=data.shared,
                    catalogue_examples=data.catalogue, catalogue=digest, own_examples=data.own,
                    corrections=data.corrections, classes=[int(label) for label in model.labels])
            break
        except IntegrityError:  # another training run took this version number at the same moment
            continue
    else:
        raise RuntimeError("could not record the trained model")
    loaded.forget()
    return row


def classifier_refresh() -> ClassifierModel | None:
    """Retrain when the catalogue changed since the model in use was trained (a category added, renamed, merged
    into another, its examples edited, a label mapping changed): suggestions follow within minutes, without a
    developer. Nothing to do: None."""
    digest = catalogue_digest()
    newest = ClassifierModel.objects.order_by("-version").only("catalogue").first()
    if newest is not None and newest.catalogue == digest:
        return None
    # beat starts the job every minute; a city's training (with its own appeals) can take longer: one at a time
    # per catalogue version (the lock is the shared cache's, and lapses should a worker die mid-training)
    if not cache.add(f"triage-refresh:{digest}", True, timeout=REFRESH_LOCK_SECONDS):
        return None
    try:
        return classifier_train()
    finally:
        cache.delete(f"triage-refresh:{digest}")


def _suggestions(model: classifier.Classifier, text: str) -> list[dict]:
    """The likeliest families (first-level categories), each with its likeliest category, best first: at most
    three. ``score``: how likely that category is; ``family_score``: how likely its family is (the sum over the
    family's categories) — what "unsure" is read from; ``readable``: whether the text says anything at all."""
    active = dict(Category.objects.filter(is_active=True).values_list("pk", "parent_id"))
    return suggest(model, text, active)


# below this many characters of content (greetings and "I want to report" formulas, stop words and punctuation
# removed) a text says nothing to classify: "你们管不管啊" is 管, "那个事怎么样了" is 事, yet 管 alone read as 管道故障
# at 0.99. Two characters still say something: 停水, 没电.
READABLE_CHARS = 2
# a family's likeliest category is offered only when it holds at least this share of the family's probability;
# else the family itself ("物业太差了": 物业管理 61%, its likeliest category 电梯 27%)
CATEGORY_SHARE = 0.5


def readable(text: str) -> bool:
    return len(triage_text.normalize(triage_text.FORMULAS.sub(" ", text or ""))) >= READABLE_CHARS


def suggest(model: classifier.Classifier, text: str, parents: dict[int, int | None], k: int = 3) -> list[dict]:
    """``_suggestions`` for a catalogue given as category id → its parent's id (None for a family): pure."""
    scores = model.scores([text])[0]
    best: dict[int, tuple[int, float]] = {}
    totals: dict[int, float] = collections.defaultdict(float)
    for label, score in zip(model.labels, scores.tolist(), strict=True):
        pk = int(label)
        if pk not in parents:
            continue  # retired since the model was trained
        family = parents[pk] or pk
        totals[family] += score
        if family not in best or score > best[family][1]:
            best[family] = (pk, score)
    ranked = sorted(totals, key=lambda f: (-totals[f], f))[:k]
    out = []
    for family in ranked:
        category, score = best[family]
        if score < CATEGORY_SHARE * totals[family]:
            category, score = family, totals[family]
        out.append({"category": category, "score": round(score, 4), "family": family,
                    "family_score": round(totals[family], 4)})
    if out and not readable(text):
        for suggestion in out:
            suggestion["readable"] = False
    return out


def appeal_triage(*, appeal: Appeal) -> Triage:
    """The machine's first read of a new appeal, once: top three categories with scores (none without a model),
    the place its text names. A sure category (GONGZHI["TRIAGE"]["AUTO_APPLY"]) is applied and the appeal
    dispatched by the routing rules; anything less waits for a worker, who sees the suggestions."""
    existing = Triage.objects.filter(appeal=appeal).first()
    if existing is not None:
        return existing
    version, model = loaded.current()
    suggestions = _suggestions(model, appeal.text) if model is not None else []
    # a text with nothing to read is never applied, however its few characters happened to score
    confidence = suggestions[0]["score"] if suggestions and suggestions[0].get("readable", True) else 0.0
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


def _period_table(appeals) -> tuple[hs.Table, np.ndarray]:
    """The appeals as hotspot columns, and their categories. The database computes each appeal's place (the
    compound, else the community…), category family, person (the account, else the resident, household; a phone
    is matched here) and time in microseconds, so a city's month is read without a Python object per value."""
    if connection.vendor == "postgresql":
        micros = RawSQL('(extract(epoch from "appeals_appeal"."created_at") * 1000000)::bigint', ())
    else:  # SQLite keeps UTC as text: whole seconds, then the microseconds after the dot
        micros = RawSQL("CAST(strftime('%%s', \"appeals_appeal\".\"created_at\") AS INTEGER) * 1000000"
                        " + CAST(substr(\"appeals_appeal\".\"created_at\", 21, 6) AS INTEGER)", ())
    columns = appeals.order_by().annotate(
        place=Coalesce("compound_id", "community_id", "subdistrict_id", "district_id", "area_id"),
        family=Coalesce("category__parent_id", "category_id", Value(0)),
        person=Coalesce(F("reporter_id") * 4 + 1, F("resident_id") * 4 + 2, F("household_id") * 4 + 3),
        micros=micros, head=Substr("text", 1, hs.RAW_CHARS),
    ).values_list("id", "place", "family", "category_id", "person", "contact_phone", "micros", "parent_id", "head")
    sql, params = columns.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        data = cursor.fetchall()
    n = len(data)
    ids, place, family, category, person, phone, at, parent, texts = zip(*data, strict=True) if n else [()] * 9

    def ints(values) -> np.ndarray:
        return np.fromiter((v or 0 for v in values), dtype=np.int64, count=n)

    reporters = ints(person)
    phones: dict[str, int] = {}
    for k in np.flatnonzero(reporters == 0).tolist():  # no account or registry entry: the phone, if any
        reporters[k] = (-1 - phones.setdefault(phone[k], len(phones)) if phone[k]
                        else 4 * ids[k])  # nobody known: a person of their own (4n is no other person's code)
    supported = dict(AppealSupport.objects.filter(appeal__in=appeals).values("appeal_id")
                     .annotate(n=Count("id")).values_list("appeal_id", "n"))
    table = hs.Table(ids=ints(ids), places=ints(place), families=ints(family), texts=[t or "" for t in texts], at=ints(at),
                     reporters=reporters, supports=np.fromiter((supported.get(i, 0) for i in ids), dtype=np.int64,
                                                               count=n),
                     parents=ints(parent), place_names=_place_names(set(place)))
    return table, ints(category)


def _place_names(places: set[int]) -> dict[int, tuple[str, ...]]:
    """Each place's own name and its compound's and community's (a building is 3号楼 of 紫荆园, in 双合家园社区):
    what an appeal about the place may repeat without saying anything of its problem."""
    names = {}
    wanted = sorted(places - {None, 0})
    for start in range(0, len(wanted), 5000):  # a city's month names tens of thousands of places
        for pk, *found in Area.objects.filter(pk__in=wanted[start:start + 5000]).values_list(
                "id", "name", "compound__name", "community__name"):
            names[pk] = tuple(sorted({n for n in found if n and len(n) > 1}, key=len, reverse=True))
    return names


def hotspots_refresh(*, scope: Area | None = None, days: int = 30, now=None) -> HotspotRun:
    """Group the appeals of the last ``days`` (in ``scope``, or the whole city) into hotspots and keep the hottest
    ``KEEP`` of each community as a new run; the run before stays until the next one (pages never go empty), older
    ones are deleted. A hotspot that continues one already turned into a task keeps that task."""
    started = time.perf_counter()
    now = now or timezone.now()
    since = now - timedelta(days=days)
    # the tasks made of hotspots are the community's answer, not one more report of the problem
    appeals = Appeal.objects.filter(created_at__gte=since, created_at__lt=now).exclude(
        Exists(Hotspot.objects.filter(task=OuterRef("pk"))))
    if scope is not None:
        appeals = appeals.filter(**{f"{scope.kind}_id": scope.pk})
    table, categories = _period_table(appeals)
    groups = hs.hotspots(table, end=now)
    keep = settings.GONGZHI["TRIAGE"]["HOTSPOTS_KEEP"]
    homes = {pk: (community, subdistrict) for pk, community, subdistrict in Area.objects.filter(
        pk__in={g.bucket[0] for g in groups}).values_list("id", "community_id", "subdistrict_id")}
    ranked: dict[int | None, int] = collections.Counter()
    chosen = []
    when = connection.ops.adapt_datetimefield_value
    for g in groups:  # hottest first
        community, subdistrict = homes[g.bucket[0]]
        home = community or subdistrict
        if ranked[home] >= keep:
            continue
        ranked[home] += 1
        leaves = collections.Counter(c for c in categories[g.members].tolist() if c)
        chosen.append({
            "rank": ranked[home], "place_id": g.bucket[0], "community_id": community, "subdistrict_id": subdistrict,
            "category_id": leaves.most_common(1)[0][0] if leaves else None,
            "title": hs.headline(table.texts[g.representative]), "appeal_ids": sorted(g.ids), "appeals": g.appeals,
            "reporters": g.reporters, "supports": g.supports, "recent": g.recent, "before": g.before,
            "heat": g.heat, "first_at": when(g.first_at), "last_at": when(g.last_at), "task_id": None})
    previous = _tasks_made()
    with transaction.atomic():
        run = HotspotRun.objects.create(scope=scope, start=since, end=now, appeals=len(table), groups=len(chosen))
        for h in chosen:
            h["run_id"] = run.pk
            tasks = collections.Counter(previous[i] for i in h["appeal_ids"] if i in previous)
            if tasks:
                h["task_id"] = tasks.most_common(1)[0][0]
        fast_insert(Hotspot, chosen)  # a city's run is tens of thousands of rows
        older = list(HotspotRun.objects.filter(scope=scope).exclude(pk=run.pk).order_by("-id")
                     .values_list("pk", flat=True)[1:])
        if older:
            Hotspot.objects.filter(run_id__in=older).delete()
            HotspotRun.objects.filter(pk__in=older).delete()
        run.seconds = round(time.perf_counter() - started, 2)
        run.save(update_fields=["seconds"])
    return run


def _tasks_made() -> dict[int, int]:
    """appeal id → the task made from a hotspot it was in, over every kept run of any scope (a task made on the
    city's run is still the task when a community recomputes its own), the newest task first."""
    out: dict[int, int] = {}
    for ids, task in Hotspot.objects.filter(task__isnull=False).order_by("-task_id").values_list(
            "appeal_ids", "task_id"):
        for i in ids:
            out.setdefault(i, task)
    return out


def _task_place(hotspot: Hotspot) -> tuple[Area, int | None]:
    """Where a hotspot's task goes, and the grid whose workers take it on.

    The place: the building when every appeal behind the hotspot is in one building, else the hotspot's place.
    The grid: the place's own (a building's); else the one grid every appeal behind it lies in; else, for a
    compound, the one grid all its buildings lie in. A grid is drawn over buildings, so a compound that spans
    grids has none: nobody is told the task is theirs, and it is in the queue of the community's workers and of
    every grid worker whose grid covers part of the compound (appeals.permissions.shared_compounds)."""
    place = hotspot.place
    behind = set(Appeal.objects.filter(pk__in=hotspot.appeal_ids).values_list("building_id", "grid_id"))
    buildings, grids = {b for b, _ in behind}, {g for _, g in behind}
    if len(buildings) == 1 and None not in buildings:
        place = Area.objects.get(pk=buildings.pop())
    if place.grid_id:
        return place, place.grid_id
    if len(grids) != 1 or None in grids:
        grids = set(Area.objects.filter(compound=place, kind=AreaKind.BUILDING).values_list("grid_id", flat=True)
                    if place.kind == AreaKind.COMPOUND else ())
    return place, grids.pop() if len(grids) == 1 and None not in grids else None


def _dates(first, last) -> str:
    """The local days a hotspot's appeals came in on ("11月18日至11月19日"): "1天内" read as one day for two
    appeals a few hours apart across midnight, against the hotspot list's "近7天"."""
    first, last = timezone.localdate(first), timezone.localdate(last)
    day = _("%(m)d月%(d)d日")
    if first == last:
        return day % {"m": first.month, "d": first.day}
    return _("%(first)s至%(last)s") % {"first": day % {"m": first.month, "d": first.day},
                                      "last": day % {"m": last.month, "d": last.day}}


def hotspot_task(*, hotspot: Hotspot, actor) -> Appeal:
    """未诉先办: turn a hotspot into a proactive task (a patrol appeal listing the appeals behind it) for the grid
    workers of its place (see ``_task_place``), who are told in the app. Once: asking again returns the task
    already made."""
    if not permissions.may_see(actor, hotspot.place):
        raise NotFound(_("未找到该记录，或您无权查看"))  # as for an id nobody uses
    permissions.require_act(actor, hotspot.place)
    with transaction.atomic():
        locked = (Hotspot.objects.select_for_update(of=("self",)).select_related("place", "category")
                  .get(pk=hotspot.pk))
        if locked.task_id is not None:
            return locked.task
        numbers = list(Appeal.objects.filter(pk__in=locked.appeal_ids[:10]).order_by("pk")
                       .values_list("number", flat=True))
        place, grid = _task_place(locked)
        where = place.name if place.compound_id in (None, place.pk) else f"{place.compound.name}{place.name}"
        text = _("【热点问题】%(place)s：%(title)s。%(dates)s共%(appeals)d件诉求，%(reporters)d位居民反映，"
                 "%(supports)d人附议。请网格员上门核查，主动处置。相关诉求：%(numbers)s") % {
            "place": where, "title": locked.title, "dates": _dates(locked.first_at, locked.last_at),
            "appeals": locked.appeals,
            "reporters": locked.reporters, "supports": locked.supports,
            "numbers": "、".join(numbers) + ("等" if locked.appeals > 10 else "")}
        task = appeal_submit(channel=Channel.PATROL, text=text, area=place, actor=actor, category=locked.category)
        if grid and task.grid_id != grid:  # a compound wholly in one grid: its grid workers' queue
            task = appeal_assign_grid(appeal=task, grid_id=grid, actor=actor)
        if grid:
            notify.to_staff([(user, f"hotspot-task:{task.pk}", _("新的主动治理任务 %(n)s") % {"n": task.number},
                              locked.title, task.pk) for user in selectors.grid_workers(grid)], sms=False)
        locked.task = task
        locked.save(update_fields=["task"])
    return task


def reply_check(*, appeal: Appeal, reply: str) -> replies.Check:
    """How well ``reply`` answers the appeal (see triage/replies.py); changes nothing."""
    return replies.check(reply, appeal.text)


def reply_check_row(*, appeal_id: int, appeal_text: str, community_id: int | None, reply: str, party_id, at,
                    actor_id=None, sent_after_warning: bool = False, result: replies.Check | None = None) -> ReplyCheck:
    """The (unsaved) record of a sent reply's check: one place builds it, for the resolve and for the demo."""
    result = result or replies.check(reply, appeal_text)
    return ReplyCheck(appeal_id=appeal_id, party_id=party_id, community_id=community_id, actor_id=actor_id, at=at,
                      relevance=result.relevance, completeness=result.completeness, tone=result.tone,
                      weak=result.weak, problems=result.problems, sent_after_warning=sent_after_warning)


def reply_record(event: AppealResolved) -> ReplyCheck:
    """A reply is being sent (inside the resolve's transaction): check it and keep the check for the figures, or
    refuse it while it reads weak and the handler has not yet seen why (``WeakReply``: she edits it, or sends it
    again with ``after_warning``). The same for the pages and the API."""
    appeal = event.appeal
    result = replies.check(event.reply, appeal.text)
    if result.weak and not event.after_warning:
        raise WeakReply(result)
    row = reply_check_row(appeal_id=appeal.pk, appeal_text=appeal.text, community_id=appeal.community_id,
                          reply=event.reply, party_id=event.party_id, actor_id=event.actor_id, at=event.at,
                          sent_after_warning=event.after_warning, result=result)
    row.save()
    return row
