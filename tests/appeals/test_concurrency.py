"""Two workers accepting the same appeal at the same moment, on real concurrent PostgreSQL connections."""
import threading

import pytest
from django.db import connection

from gongzhi.appeals import services
from gongzhi.appeals.choices import Action, Channel
from gongzhi.appeals.models import Appeal, Category
from gongzhi.core.errors import TransitionNotAllowed


@pytest.mark.postgresql_only
@pytest.mark.django_db(transaction=True)  # committed rows, so the other connections see them (runs last)
def test_exactly_one_of_two_simultaneous_accepts_wins(users, world):
    appeal = services.appeal_submit(channel=Channel.DESK, text="同时受理测试", area=world.compound,
                                    actor=users("worker"), category=Category.objects.get(code="property-leak"))
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def accept(username):
        try:
            actor = users(username)
            barrier.wait()
            services.appeal_accept(appeal=Appeal.objects.get(pk=appeal.pk), actor=actor)
            outcomes.append("won")
        except TransitionNotAllowed as e:
            outcomes.append(f"conflict:{e.status}")
        finally:
            connection.close()  # each thread had its own connection

    threads = [threading.Thread(target=accept, args=(name,)) for name in ("worker", "secretary")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes) == ["conflict:409", "won"]
    assert Appeal.objects.get(pk=appeal.pk).events.filter(action=Action.ACCEPT).count() == 1
