"""The reply check: a weak reply is caught before it reaches the resident, and the figures show who writes them."""
import pytest
import time_machine

from gongzhi.appeals import services
from gongzhi.appeals.choices import Channel, State
from gongzhi.appeals.events import WeakReply
from gongzhi.appeals.models import Appeal, Category
from gongzhi.core.models import AppendOnlyError
from gongzhi.triage import replies
from gongzhi.triage.models import ReplyCheck

MONDAY = "2026-11-23 10:00 +0800"
pytestmark = [pytest.mark.django_db, pytest.mark.clock(MONDAY)]
APPEAL = "3号楼电梯又坏了，困了人半小时才有人来，请尽快修理"
GOOD = "您好！11月23日下午，物业维修师傅到3号楼检查了电梯，更换了门机控制板，电梯已恢复运行。物业公司会每周检查一次，如再出问题请拨打物业值班电话。"


@pytest.mark.parametrize("reply, problem", [
    ("网友您好！您的留言已收悉。", "acknowledge"),
    ("您好，您反映的问题已转区住建局调查处理。", "forward"),
    ("不属于我单位职责，请自行联系物业。", "refuse"),
    ("2026年11月23日", "empty"),
    ("已修好", "too_short"),
])
def test_replies_that_say_nothing_are_weak_and_say_why(reply, problem):
    check = replies.check(reply, APPEAL)
    assert check.weak and check.relevance == 0 and problem in check.problems
    assert check.messages[0] == str(replies.PROBLEMS[problem])


def test_a_reply_that_says_what_who_and_when_passes():
    check = replies.check(GOOD, APPEAL)
    assert (check.relevance, check.completeness, check.tone, check.weak) == (2, 2, 2, False)
    assert check.problems == []


def test_missing_parts_and_a_dismissive_tone_are_named():
    vague = replies.check("您好，您反映的电梯问题我们已经处理了，感谢您的监督。", APPEAL)
    assert not vague.weak and vague.completeness == 1 and {"no_unit", "no_time"} <= set(vague.problems)
    rude = replies.check("电梯的事你们自己解决，别再打12345了，再打就追究法律责任。", APPEAL)
    assert rude.weak and rude.tone == 0 and "dismissive" in rude.problems
    unrelated = replies.check("您好，11月23日社区组织志愿者清理了小区垃圾站，共清运垃圾两车，感谢您的支持。", APPEAL)
    assert unrelated.relevance == 0 and "off_topic" in unrelated.problems


@pytest.mark.parametrize("odd", ["", "😀😀😀", "電梯已經修好了，物業公司11月23日更換了控制板", "Fixed the lift on Monday",
                                 "修" * 100_000])
def test_odd_replies_are_checked_without_an_error(odd):
    check = replies.check(odd, APPEAL)
    assert 0 <= check.relevance <= 2 and 0 <= check.completeness <= 2 and 0 <= check.tone <= 2


@pytest.fixture
def taken(users, world):
    """An elevator appeal dispatched to the compound's property company and taken by its staff."""
    worker, staff = users("worker"), users("property")
    with time_machine.travel(MONDAY, tick=False):
        appeal = services.appeal_submit(channel=Channel.DESK, text=APPEAL, area=world.compound, actor=worker,
                                        category=Category.objects.get(code="property-elevator"))
        services.appeal_accept(appeal=appeal, actor=worker)
        services.appeal_dispatch(appeal=appeal, actor=worker, party=staff.role_grants.get().organisation)
        services.appeal_take(appeal=appeal, actor=staff)
    return appeal


def test_a_weak_reply_is_held_back_until_the_handler_confirms(taken, login):
    client = login("property")
    url = f"/staff/appeals/{taken.pk}/resolve"
    page = client.post(url, {"reply": "留言已收悉，已转相关部门处理。"})
    assert page.status_code == 200
    html = page.content.decode()
    assert str(replies.PROBLEMS["forward"]) in html and "send_anyway" in html
    assert "留言已收悉，已转相关部门处理。</textarea>" in html  # what she typed is still there to edit
    taken.refresh_from_db()
    assert taken.state == State.IN_PROGRESS and not ReplyCheck.objects.exists()

    client.post(url, {"reply": "留言已收悉，已转相关部门处理。", "send_anyway": "1"})
    taken.refresh_from_db()
    assert taken.state == State.RESOLVED
    check = ReplyCheck.objects.get()
    assert check.weak and check.sent_after_warning and check.party == taken.party and check.problems == ["forward"]


def test_a_good_reply_goes_straight_through_and_is_recorded(taken, login):
    login("property").post(f"/staff/appeals/{taken.pk}/resolve", {"reply": GOOD})
    taken.refresh_from_db()
    assert taken.state == State.RESOLVED and taken.reply == GOOD
    check = ReplyCheck.objects.get()
    assert not check.weak and not check.sent_after_warning and (check.relevance, check.completeness) == (2, 2)
    with pytest.raises(AppendOnlyError):
        check.save()


def test_the_live_check_shows_while_typing_and_only_to_those_who_see_the_appeal(taken, login, world, users):
    fragment = login("property").post(f"/staff/appeals/{taken.pk}/reply-check/", {"reply": "已收悉"},
                                      HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200 and str(replies.PROBLEMS["acknowledge"]) in fragment.content.decode()
    assert not ReplyCheck.objects.exists()  # checking sends nothing and records nothing
    outsider = Appeal.objects.filter(community=world.other_community).first() or services.appeal_submit(
        channel=Channel.DESK, text="路灯坏了", area=world.other_compound, actor=users("admin"))
    assert login("worker").post(f"/staff/appeals/{outsider.pk}/reply-check/", {"reply": "已修好"}).status_code == 404


def test_the_api_scores_a_draft_and_the_figures_count_replies_per_party(taken, login, users):
    client = login("property")
    draft = client.post(f"/api/v1/appeals/{taken.pk}/reply-check", {"reply": "请自行联系物业。"},
                        content_type="application/json").json()
    assert draft["weak"] and draft["problems"][0]["code"] in {"elsewhere", "too_short"}
    with time_machine.travel("2026-11-23 16:00 +0800", tick=False):
        with pytest.raises(WeakReply):  # held back, as on the page: she has not yet seen why it reads weak
            services.appeal_resolve(appeal=taken, actor=users("property"), reply="您的留言已收悉。")
        services.appeal_resolve(appeal=taken, actor=users("property"), reply="您的留言已收悉。", after_warning=True)
    rows = login("worker").get("/api/v1/figures/replies?start=2026-11-01&end=2026-11-30").json()
    taken.refresh_from_db()
    row = next(r for r in rows if r["party_id"] == taken.party_id)
    assert (row["replies"], row["weak"], row["weak_share"]) == (1, 1, 1.0)
    page = login("worker").get("/staff/figures/?start=2026-11-01&end=2026-11-30").content.decode()
    assert "答复质量" in page and taken.party.name in page


def test_a_party_replying_in_two_communities_is_one_row(taken, users, world):
    """The table listed a company once per community it replied in."""
    from datetime import date

    from django.utils import timezone

    from gongzhi.triage.models import ReplyCheck
    from gongzhi.triage.selectors import reply_quality

    taken.refresh_from_db()
    assert taken.party_id is not None
    other = Appeal.objects.filter(community=world.other_community).first() or services.appeal_submit(
        channel=Channel.DESK, text="路灯坏了", area=world.other_compound, actor=users("admin"))
    now = timezone.now()
    for appeal, community in ((taken, world.community), (other, world.other_community)):
        ReplyCheck.objects.create(appeal=appeal, party=taken.party, community=community, at=now, relevance=2,
                                  completeness=2, tone=2, weak=False)
    ReplyCheck.objects.create(appeal=other, party=None, community=world.other_community, at=now, relevance=1,
                              completeness=1, tone=2, weak=True)
    today = timezone.localdate()
    rows = reply_quality(viewer=users("admin"), start=date(today.year, today.month, 1), end=today)
    assert [r["replies"] for r in rows if r["party_id"] == taken.party_id] == [2]
    assert [r["label"] for r in rows if r["party_id"] is None] == [f"{world.other_community.name}（社区自办）"]
