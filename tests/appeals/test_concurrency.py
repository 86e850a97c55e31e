"""Real concurrent PostgreSQL connections: one holds an appeal locked while another acts on it.

Each test commits its rows (``transaction=True``), so pytest-django runs these last and flushes the database after
each: the first sees the session's demo city, later ones build it again (``committed_world``).
"""
import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from gongzhi.accounts.demo import build_accounts
from gongzhi.appeals import services
from gongzhi.appeals.choices import Action, Channel, State
from gongzhi.appeals.demo import seed_catalogue_if_flushed
from gongzhi.appeals.models import Appeal, Category
from gongzhi.appeals.sweep import sweep
from gongzhi.core.errors import TransitionNotAllowed
from gongzhi.registry.demo import build_registry
from gongzhi.registry.models import Area
from tests.conftest import WORLD_RESIDENTS

pytestmark = [pytest.mark.postgresql_only, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def committed_world(db):
    if not Area.objects.exists():  # flushed by an earlier transactional test
        build_registry(residents=WORLD_RESIDENTS, quiet=True)
        build_accounts()
        seed_catalogue_if_flushed()


def holding_the_lock(work, *, locked: threading.Event, release: threading.Event, outcome: list):
    """Run ``work`` in a transaction on this thread's own connection and keep it open (its row locks held) until
    ``release`` is set, or 5 seconds at most."""
    try:
        with transaction.atomic():
            work()
            locked.set()
            release.wait(5)
        outcome.append("committed")
    except Exception as e:  # the test reads what happened
        outcome.append(f"{type(e).__name__}")
    finally:
        locked.set()
        connection.close()


def test_a_second_accept_waits_for_the_first_and_is_then_refused(committed_world, users, world):
    appeal = services.appeal_submit(channel=Channel.DESK, text="同时受理测试", area=world.compound,
                                    actor=users("worker"), category=Category.objects.get(code="property-leak"))
    locked, release, first = threading.Event(), threading.Event(), []
    holder = threading.Thread(target=holding_the_lock, kwargs={
        "work": lambda: services.appeal_accept(appeal=Appeal.objects.get(pk=appeal.pk), actor=users("worker")),
        "locked": locked, "release": release, "outcome": first})
    holder.start()
    assert locked.wait(10)
    second: list[str] = []

    def accept_too():
        try:
            services.appeal_accept(appeal=Appeal.objects.get(pk=appeal.pk), actor=users("secretary"))
            second.append("won")
        except TransitionNotAllowed as e:
            second.append(f"conflict:{e.status}")
        finally:
            connection.close()

    other = threading.Thread(target=accept_too)
    other.start()
    other.join(0.5)
    assert other.is_alive() and second == []  # the first accept holds the row: the second waits, it does not read
    release.set()
    holder.join(10)
    other.join(10)
    assert (first, second) == (["committed"], ["conflict:409"])
    assert Appeal.objects.get(pk=appeal.pk).events.filter(action=Action.ACCEPT).count() == 1


def test_the_sweep_leaves_a_reply_being_rated_alone_and_writes_no_event_for_it(committed_world, users, world):
    """The auto-close of unrated replies skips an appeal another connection holds (the resident rating it right
    then), and writes a timeline event only for what it closed: it used to write one for every id it read."""
    appeal = services.appeal_submit(channel=Channel.DESK, text="楼道灯不亮", area=world.compound,
                                    actor=users("worker"), category=Category.objects.get(code="property-lighting"))
    services.appeal_accept(appeal=appeal, actor=users("worker"))
    services.appeal_resolve(appeal=appeal, actor=users("worker"),
                            reply="物业电工今天下午更换了三楼楼道的灯泡，灯已经亮了", after_warning=True)
    old = timezone.now() - timedelta(days=10)
    Appeal.objects.filter(pk=appeal.pk).update(resolved_at=old, reporter=users("resident"))
    untouched = Appeal.objects.get(pk=appeal.pk)
    locked, release, outcome = threading.Event(), threading.Event(), []
    rater = threading.Thread(target=holding_the_lock, kwargs={
        "work": lambda: services.appeal_rate(appeal=untouched, actor=users("resident"), rating="satisfied"),
        "locked": locked, "release": release, "outcome": outcome})
    rater.start()
    assert locked.wait(10)
    counts: dict = {}
    sweeper = threading.Thread(target=lambda: (counts.update(sweep()), connection.close()))
    sweeper.start()
    sweeper.join(3)  # it must not wait for the rating to finish
    release.set()
    rater.join(10)
    sweeper.join(10)
    assert outcome == ["committed"] and counts["auto_closed"] == 0
    appeal.refresh_from_db()
    assert (appeal.state, appeal.rating) == (State.CLOSED, "satisfied")
    assert list(appeal.events.filter(action__in=[Action.CLOSE, Action.RATE]).values_list("action", flat=True)) == [
        Action.RATE]
