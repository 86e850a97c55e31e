"""The public board (公示栏): what is published, when, and with what removed."""
import pytest

from gongzhi.accounts.services import verified_households
from gongzhi.appeals import services
from gongzhi.appeals.choices import Channel, Outcome
from gongzhi.appeals.models import Category
from gongzhi.core.errors import NotFound

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
    with pytest.raises(NotFound):  # to a neighbour who cannot see it, an unpublished appeal does not exist
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


PRIVATE = ("我是3号楼2单元501的戴阿姨，电话一三八一二三四五六七八，隔壁张先生的车京A12345天天停在消防通道上，"
           "身份证110101199003071234")


@pytest.fixture
def published(home, users):
    appeal = file_public(home, users, PRIVATE)
    services.appeal_accept(appeal=appeal, actor=users("worker"))
    services.appeal_resolve(appeal=appeal, actor=users("worker"),
                            reply="网格员小刘已联系张先生（13912345678），车已挪走，消防通道已畅通")
    return appeal


def test_the_board_shows_the_problem_without_who_or_which_door(client, published):
    page = board_page(client, published)
    assert "3号楼2单元××室的某阿姨" in page and "隔壁某先生的车***天天停在消防通道上" in page
    assert "网格员小某已联系某先生（***），车已挪走" in page
    for private in ("501", "戴阿姨", "一三八", "张先生", "京A12345", "110101199003071234", "小刘", "13912345678"):
        assert private not in page


@pytest.mark.parametrize("q", ["一三八一二三四五六七八", "13912345678", "戴阿姨", "张先生", "501", "京A12345",
                               "110101199003071234", "小刘"])
def test_searching_the_board_for_what_was_removed_finds_nothing(client, published, q):
    page = client.get(f"/board/{published.community_id}/", {"q": q}).content.decode()
    assert published.number not in page and "没有找到相关的诉求" in page
    # nor does the list of communities, which is searched by their names only
    assert "没有找到社区" in client.get("/board/", {"q": q}).content.decode()


@pytest.mark.parametrize("q", ["消防通道", "某先生", "车已挪走"])
def test_searching_the_board_finds_what_it_shows(client, published, q):
    page = client.get(f"/board/{published.community_id}/", {"q": q}).content.decode()
    assert published.number in page
