"""core.db's hand-written reads and writes behave as the ORM does, on SQLite and PostgreSQL alike."""
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from gongzhi.appeals.models import Appeal, AppealEvent, Category
from gongzhi.core.db import from_row, insert_new, next_ids, select_columns
from gongzhi.notifications.models import Notification, OutboxMessage

pytestmark = pytest.mark.django_db


def test_rows_written_by_insert_new_read_back_as_saved_ones(users, world):
    worker = users("worker")
    with transaction.atomic():
        appeal_id, event_id, note_id, sms_id, second_event = next_ids(Appeal, AppealEvent, Notification,
                                                                      OutboxMessage, AppealEvent)
        appeal = Appeal(pk=appeal_id, number="20991231-00001", channel="desk", text="楼道灯不亮", area=world.compound,
                        entered_by=worker, public=True)
        appeal.place_at(world.compound)
        events = [AppealEvent(pk=event_id, appeal=appeal, at=timezone.now(), actor=worker, action="submit",
                              to_state="submitted", data={"channel": "desk", "照片": [1, 2]}),
                  AppealEvent(pk=second_event, appeal=appeal, at=timezone.now(), action="triage", data={})]
        note = Notification(pk=note_id, user=worker, key="k", title="标题", link="/x/")
        sms = OutboxMessage(pk=sms_id, channel="sms", recipient="13800000000", body="b",
                            next_attempt_at=timezone.now(), notification=note)
        insert_new(appeal, *events, note, sms)
    assert second_event == event_id + 1 and not appeal._state.adding
    stored = Appeal.objects.get(pk=appeal_id)
    assert (stored.text, stored.compound_id, stored.community_id, stored.public) == (
        "楼道灯不亮", world.compound.pk, world.community.pk, True)
    assert stored.created_at is not None and stored.created_at == appeal.created_at  # auto_now_add, as save()
    assert AppealEvent.objects.get(pk=event_id).data == {"channel": "desk", "照片": [1, 2]}
    assert OutboxMessage.objects.get(pk=sms_id).notification_id == note_id
    assert [e.pk for e in stored.events.order_by("pk")] == [event_id, second_event]
    assert (stored.party_id, stored.resolve_due_at, AppealEvent.objects.get(pk=second_event).actor_id) == (
        None, None, None)  # columns left NULL are not named in the statement
    # the next ids come after these, and a row without its id is refused
    assert next_ids(Appeal)[0] > appeal_id
    with pytest.raises(ValueError):
        insert_new(Appeal(text="x"))


def test_a_failing_row_writes_none_of_its_statement(users, world):
    worker = users("worker")
    before = (Appeal.objects.count(), AppealEvent.objects.count())
    with pytest.raises(IntegrityError), transaction.atomic():
        appeal_id, event_id = next_ids(Appeal, AppealEvent)
        taken = Appeal.objects.exclude(number="").first() or Appeal.objects.create(
            number="20991231-00002", channel="desk", text="t", area=world.compound)
        appeal = Appeal(pk=appeal_id, number=taken.number, channel="desk", text="重号", area=world.compound)
        appeal.place_at(world.compound)
        insert_new(AppealEvent(pk=event_id, appeal_id=taken.pk, at=timezone.now(), actor=worker, action="note"),
                   appeal)
    assert (Appeal.objects.count(), AppealEvent.objects.count()) == before


@pytest.mark.postgresql_only
def test_postgresql_prepares_the_statements_a_connection_repeats(users):
    from django.db import connection

    worker = users("worker")
    for _ in range(6):
        list(Appeal.objects.filter(entered_by=worker, state="submitted")[:5])
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any('"appeals_appeal"' in sql and "$1" in sql for sql in prepared), prepared


def test_from_row_builds_what_the_orm_builds():
    from django.db import connection

    leak = Category.objects.select_related("parent").get(code="property-leak")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {select_columns(Category, 'c')}, {select_columns(Category, 'p')} "
                       "FROM appeals_category c LEFT JOIN appeals_category p ON p.id = c.parent_id "
                       "WHERE c.id IN (%s, %s) ORDER BY c.id", [leak.pk, leak.parent_id])
        rows = cursor.fetchall()
    found = {row[0]: (from_row(Category, row), from_row(Category, row, len(Category._meta.concrete_fields)))
             for row in rows}
    child, parent = found[leak.pk]
    assert (child.name, child.respond_hours, child.is_active, child._state.adding) == (
        leak.name, leak.respond_hours, True, False)
    assert isinstance(child.resolve_hours, Decimal) and parent.pk == leak.parent_id
    assert found[leak.parent_id][1] is None  # the outer join found no parent: None, not an empty instance


def test_api_tokens_are_found_exactly_when_the_orm_filter_finds_them(users):
    from django.db.models import Q

    from gongzhi.accounts.models import ApiToken
    from gongzhi.accounts.services import api_token_issue

    now = timezone.now()
    keys = {}
    for name, user in (("live", "worker"), ("revoked", "worker"), ("expired", "worker"), ("later", "worker"),
                       ("inactive", "property")):
        keys[name] = api_token_issue(user=users(user), name=name)
    ApiToken.objects.filter(pk=keys["revoked"][0].pk).update(revoked_at=now)
    ApiToken.objects.filter(pk=keys["expired"][0].pk).update(expires_at=now - timedelta(minutes=1))
    ApiToken.objects.filter(pk=keys["later"][0].pk).update(expires_at=now + timedelta(days=1))
    type(users("property")).objects.filter(username="property").update(is_active=False)
    orm = set(ApiToken.objects.filter(revoked_at__isnull=True, user__is_active=True)
              .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now)).values_list("name", flat=True))
    found = {name for name, (_token, key) in keys.items() if ApiToken.find_active(key) is not None}
    assert found == orm == {"live", "later"}
    token = ApiToken.find_active(keys["later"][1])
    assert token.user.username == "worker" and token.expires_at > now and token.user.is_active is True
    assert ApiToken.find_active("gz_nonsense") is None


def test_rows_bulk_loaded_with_local_times_compare_in_time_as_saved_ones(users, world):
    """A deadline given in Beijing time (+08:00) is before or after now as the clock says, on SQLite too, where
    datetimes compare as text."""
    from datetime import timezone as tz

    from gongzhi.core.db import fast_insert, reserve_ids

    now = timezone.now()
    beijing = tz(timedelta(hours=8))
    due_passed, due_ahead = (now - timedelta(hours=2)).astimezone(beijing), (now + timedelta(hours=2)).astimezone(beijing)
    ids = reserve_ids(Appeal, 2)
    rows = [{"id": pk, "number": f"20991231-0000{i}", "channel": "desk", "text": "x", "area_id": world.compound.pk,
             "respond_due_at": due, "created_at": due, "updated_at": due}
            for i, (pk, due) in enumerate(zip(ids, [due_passed, due_ahead], strict=True), 1)]
    fast_insert(Appeal, rows)
    assert list(Appeal.objects.filter(respond_due_at__lt=now).values_list("pk", flat=True)) == [ids[0]]
    assert list(Appeal.objects.filter(updated_at__gt=now).values_list("pk", flat=True)) == [ids[1]]
    assert Appeal.objects.get(pk=ids[0]).respond_due_at == due_passed
