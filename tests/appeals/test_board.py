"""The public board (公示栏): what is published, when, and with what removed."""
import pytest

from gongzhi.accounts.services import verified_households
from gongzhi.appeals import services
from gongzhi.appeals.choices import Channel, Outcome
from gongzhi.appeals.models import Category
from gongzhi.core.errors import NotPermitted

pytestmark = pytest.mark.django_db


@pytest.fixture
def home(users):
    return verified_households(users("resident")).select_related("area").get()


def file_public(home, users, text):
    return services.appeal_submit(channel=Channel.PORTAL, text=text, area=home.area, household=home,
                                  actor=users("resident"), public=True, category=Category.objects.get(code="property"))


def board_page(client, appeal) -> str:
    return client.get(f"/board/{appeal.community_id}/").content.decode()


def test_an_appeal_is_published_only_once_the_community_has_accepted_it(client, home, users):
    """Until a worker has read it (受理), nobody has checked what it says: the board and the neighbours' list at
    intake leave it out, and nobody can back it."""
    appeal = file_public(home, users, "楼道里的声控灯坏了一个月")
    assert appeal.number not in board_page(client, appeal)
    neighbour = users("newcomer")
    with pytest.raises(NotPermitted):
        services.appeal_support(appeal=appeal, actor=neighbour)
    services.appeal_accept(appeal=appeal, actor=users("worker"))
    assert appeal.number in board_page(client, appeal) and "声控灯坏了一个月" in board_page(client, appeal)


@pytest.mark.parametrize("how", ["refused", "withdrawn"])
def test_an_appeal_closed_before_anyone_accepted_it_never_appears(client, home, users, how):
    appeal = file_public(home, users, "楼下有人天天在绿地里种菜")
    if how == "refused":
        services.appeal_close_unresolved(appeal=appeal, actor=users("worker"), outcome=Outcome.NOT_OUR_RESPONSIBILITY,
                                         reply="绿地种菜属于城管执法范围，已告知居民拨打12345")
    else:
        services.appeal_withdraw(appeal=appeal, actor=users("resident"), reason="已经解决了")
    appeal.refresh_from_db()
    assert appeal.state == "closed_unresolved"
    assert appeal.number not in board_page(client, appeal)


def test_an_accepted_appeal_stays_on_the_board_through_its_reply(client, home, users):
    appeal = file_public(home, users, "楼道里的声控灯坏了一个月")
    services.appeal_accept(appeal=appeal, actor=users("worker"))
    services.appeal_resolve(appeal=appeal, actor=users("worker"),
                            reply="物业已于今天上午更换了楼道声控灯，经测试正常亮灯")
    page = board_page(client, appeal)
    assert appeal.number in page and "更换了楼道声控灯" in page
