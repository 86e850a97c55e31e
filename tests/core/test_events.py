"""Domain events: a reaction that fails once the change is committed never undoes it; one in the transaction may
refuse it."""
import logging

import pytest

from gongzhi.appeals import services
from gongzhi.appeals.choices import Channel
from gongzhi.appeals.events import AppealSubmitted
from gongzhi.appeals.models import Appeal
from gongzhi.core import events
from gongzhi.core.errors import InvalidInput

pytestmark = pytest.mark.django_db


@pytest.fixture
def subscribed():
    added = []

    def subscribe(event_type, handler, **kw):
        events.subscribe(event_type, handler, **kw)
        added.append((event_type, handler))

    yield subscribe
    for event_type, handler in added:
        events.unsubscribe(event_type, handler)


def file(users, world, text="单元门禁坏了"):
    return services.appeal_submit(channel=Channel.DESK, text=text, area=world.compound, actor=users("worker"),
                                  contact_phone="13800000000")


def test_a_handler_failing_on_commit_does_not_undo_the_filing(users, world, subscribed, caplog,
                                                             django_capture_on_commit_callbacks):
    heard = []

    def breaks(event):
        heard.append(event.appeal_id)
        raise RuntimeError("the reaction broke")

    subscribed(AppealSubmitted, breaks)
    with caplog.at_level(logging.ERROR, logger="gongzhi.core.events"), \
            django_capture_on_commit_callbacks(execute=True):
        appeal = file(users, world)
    assert heard == [appeal.pk]  # it ran, after the commit
    assert Appeal.objects.filter(pk=appeal.pk).exists()  # and the appeal stands
    assert "the reaction broke" in caplog.text


def test_a_handler_in_the_transaction_may_refuse_the_change(users, world, subscribed):
    def refuses(event):
        raise InvalidInput("不行")

    subscribed(AppealSubmitted, refuses, in_transaction=True)
    before = Appeal.objects.count()
    with pytest.raises(InvalidInput):
        file(users, world, text="应当被拒绝的诉求")
    assert Appeal.objects.count() == before


def test_every_event_has_its_handlers_connected_at_start():
    from gongzhi.web.reactions import REACTIONS

    for event_type, handler, in_transaction in REACTIONS:
        assert handler in events.handlers(event_type)["in_transaction" if in_transaction else "on_commit"]
