"""Real concurrent PostgreSQL connections cast ballots for the same exclusive part: one counts.

The test commits its rows (``transaction=True``); pytest-django runs it last and flushes the database after it, so
it rebuilds the demo city if an earlier transactional test flushed it (``committed_world``).
"""
import threading
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from PIL import Image

from gongzhi.accounts.demo import build_accounts
from gongzhi.core.errors import Conflict
from gongzhi.deliberation import services
from gongzhi.deliberation.choices import Channel, Choice
from gongzhi.deliberation.models import Ballot
from gongzhi.registry.demo import build_registry
from gongzhi.registry.models import Area
from tests.conftest import WORLD_RESIDENTS

from .conftest import deliberating_topic, open_owners_vote, resident_account

pytestmark = [pytest.mark.postgresql_only, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def committed_world(db):
    if not Area.objects.exists():  # flushed by an earlier transactional test
        build_registry(residents=WORLD_RESIDENTS, quiet=True)
        build_accounts()


def test_concurrent_ballots_for_one_part_count_once(committed_world, estate_factory, world, council, users):
    """Two co-owners' phones, a paper entry and a retry press at once for the same flat: one ballot counts."""
    estate = estate_factory(world.community, [(80, "a"), (80, "b")])
    topic = deliberating_topic(council, estate.compound, users("secretary"))
    vote = open_owners_vote(topic, users("secretary"))
    spouse = resident_account(estate.households[0], "配偶")
    resident = spouse.bindings.get().resident
    resident.tenure = "owner"
    resident.save()
    out = BytesIO()
    Image.new("RGB", (40, 30), "white").save(out, "JPEG")
    sheet = out.getvalue()
    start = threading.Barrier(4)
    outcomes = []

    def cast(kind, who):
        try:
            start.wait()
            if kind == "online":
                services.ballot_cast(actor=who, vote=vote, choice=Choice.YES)
            else:
                services.ballot_enter(actor=who, vote=vote, part=estate.parts[0], choice=Choice.NO,
                                      channel=Channel.PAPER,
                                      sheet=SimpleUploadedFile("s.jpg", sheet, content_type="image/jpeg"))
            outcomes.append("ok")
        except Conflict:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=cast, args=a) for a in (
        ("online", estate.accounts["a"]), ("online", spouse), ("paper", users("secretary")),
        ("online", estate.accounts["a"]))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok", "refused", "refused", "refused"]
    assert Ballot.objects.filter(vote=vote, part=estate.parts[0]).count() == 1
    assert services.count(vote).participating.heads == 1
