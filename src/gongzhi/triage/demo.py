"""The demo's classifier: the shared data plus the demo city's own year of appeals (whose categories its workers
chose), so suggestions work on first start."""
import importlib
import random

from django.apps import apps as django_apps
from django.utils import timezone

from gongzhi.accounts.models import HouseholdBinding
from gongzhi.appeals.choices import OPEN_STATES, Action
from gongzhi.appeals.models import Appeal, AppealEvent, AppealSupport

from .models import ClassifierModel, LabelMapping, ReplyCheck
from .services import classifier_train, hotspots_refresh, reply_check_row


def demo_reply_checks() -> int:
    """The reply check of every demo reply (the demo's year is written in bulk, not through the resolve), as the
    resolve would have recorded it, so the figures page shows the replies' quality on first start."""
    done = ReplyCheck.objects.values("appeal_id")
    rows = []
    for appeal_id, text, community_id, reply, party_id, actor_id, at in (
            AppealEvent.objects.filter(action=Action.RESOLVE).exclude(appeal_id__in=done)
            .values_list("appeal_id", "appeal__text", "appeal__community_id", "reason", "party_id", "actor_id",
                         "at").iterator(chunk_size=2000)):
        rows.append(reply_check_row(appeal_id=appeal_id, appeal_text=text, community_id=community_id, reply=reply,
                                    party_id=party_id, actor_id=actor_id, at=at))
    ReplyCheck.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def demo_classifier() -> ClassifierModel:
    if not LabelMapping.objects.exists():  # demo_city --reset flushes what migrations seeded
        importlib.import_module("gongzhi.triage.migrations.0002_label_mappings").seed(django_apps, None)
    return classifier_train()


def demo_hotspots():
    """Neighbours back some open public appeals of their own community (我也遇到), then the city's hotspots are
    computed once, so the hotspot page is alive on first start (the hourly job keeps it fresh in production)."""
    rng = random.Random(5)
    people: dict[int, list[int]] = {}
    for user_id, community_id in HouseholdBinding.objects.filter(status="verified").values_list(
            "user_id", "household__community_id"):
        people.setdefault(community_id, []).append(user_id)
    supports = []
    for appeal in Appeal.objects.filter(public=True, parent__isnull=True, state__in=OPEN_STATES,
                                        community_id__in=list(people)).only("id", "community_id", "reporter_id"):
        for user_id in rng.sample(people[appeal.community_id], k=min(len(people[appeal.community_id]),
                                                                    rng.choice((0, 0, 1, 3)))):
            if user_id != appeal.reporter_id:
                supports.append(AppealSupport(appeal_id=appeal.pk, user_id=user_id, at=timezone.now()))
    AppealSupport.objects.bulk_create(supports, ignore_conflicts=True)
    return hotspots_refresh()
