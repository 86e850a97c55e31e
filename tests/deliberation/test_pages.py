"""A topic walked through every step by the pages its people use: residents propose and co-sign on the portal, the
secretary accepts, prepares and runs the hearing, the owners vote on their phones and staff enter a paper sheet,
the resolution is publicised, an objection sends it back, a new version takes effect, the project collects the
residents' share household by household, residents rate it and the whole history is public."""
from datetime import timedelta
from io import BytesIO

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image

from gongzhi.deliberation import services
from gongzhi.deliberation.choices import ObjectionState, Stage
from gongzhi.deliberation.models import Ballot, Council, MoneyEntry, Resolution, SeatKind, SeatTemplate, Topic
from gongzhi.deliberation.seats import seed

from .conftest import make_estate, resident_account


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _ok(response, *texts):
    assert response.status_code == 200, response.status_code
    body = response.content.decode()
    for text in texts:
        assert text in body, text
    return body


def _messages(response) -> list[str]:
    return [str(m) for m in response.wsgi_request._messages]


def _sheet():
    out = BytesIO()
    Image.new("RGB", (60, 40), "white").save(out, "JPEG")
    return SimpleUploadedFile("sheet.jpg", out.getvalue(), content_type="image/jpeg")


def _local(dt) -> str:
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


@pytest.mark.django_db
def test_a_topic_through_every_step_by_the_pages(world, users, login):
    seed(SeatTemplate, SeatKind)
    secretary = login("secretary")
    # the council, and its seats
    r = secretary.post("/staff/deliberation/councils/", {
        "area": world.community.pk, "name": "协商民主议事苑", "template": SeatTemplate.objects.get(code="7x").pk,
        "cosign_threshold": "3", "notice_days": "7"}, follow=True)
    council = Council.objects.get(name="协商民主议事苑")
    _ok(r, "协商民主议事苑", "空缺")
    kinds = {k.code: k.pk for k in council.template.kinds.all()}
    for name, seat in (("刘东风", "two_committees"), ("王律师", "lawyers"), ("赵代表", "residents")):
        secretary.post(f"/staff/deliberation/councils/{council.pk}/", {"seat": kinds[seat], "name": name})
    _ok(secretary.get(f"/staff/deliberation/councils/{council.pk}/"), "王律师", "赵代表")

    # residents: four owners of a building (one owns two flats), a fifth flat unsold
    estate = make_estate(world.community, [(60, "a"), (60, "b"), (60, "c"), (90, "d"), (45, "d"), (80, "developer")])
    a, b, c, d = (_client(estate.accounts[k]) for k in "abcd")
    _ok(a.get("/portal/topics/new"), "协商民主议事苑")
    r = a.post("/portal/topics/new", {"council": council.pk, "scope": estate.compound.pk, "title": "小区保洁谁来做",
                                      "body": "物业撤出后楼道没人打扫，想请大家商量雇一名保洁。"}, follow=True)
    topic = Topic.objects.get(title="小区保洁谁来做")
    _ok(r, "已有 1 人联署")
    assert topic.stage == Stage.COSIGNING
    _ok(b.post(f"/portal/topics/{topic.pk}/cosign", follow=True), "您已联署")
    outsider_user = make_estate(world.other_community, [(50, "x")]).accounts["x"]
    outsider = _client(outsider_user)

    def again():  # sessions end after a while: days later, everyone signs in again
        return (login("secretary"), *(_client(estate.accounts[k]) for k in "abcd"), _client(outsider_user))
    assert outsider.get(f"/portal/topics/{topic.pk}/").status_code == 404
    assert outsider.post(f"/portal/topics/{topic.pk}/cosign").status_code == 404
    c.post(f"/portal/topics/{topic.pk}/cosign")
    topic.refresh_from_db()
    assert topic.stage == Stage.PROPOSED

    # the secretary accepts, names the property's old owner unit as a stakeholder, and schedules a hearing on site
    _ok(secretary.get("/staff/deliberation/"), "小区保洁谁来做")
    secretary.post(f"/staff/deliberation/topics/{topic.pk}/accept", {"note": ""})
    secretary.post(f"/staff/deliberation/topics/{topic.pk}/stakeholder", {"name": "产权单位", "interest": "房屋产权"})
    start = timezone.now() + timedelta(hours=2)
    secretary.post(f"/staff/deliberation/topics/{topic.pk}/schedule", {
        "kind": "hearing", "mode": "mobile", "starts_at": _local(start), "place": "3号楼下凉亭", "agenda": "是否再聘物业"})
    meeting = topic.meetings.get()
    assert meeting.attendance.count() == 4  # three members and the stakeholder
    _ok(secretary.get(f"/staff/deliberation/meetings/{meeting.pk}/"), "点名", "3号楼下凉亭")
    secretary.post(f"/staff/deliberation/meetings/{meeting.pk}/open")
    for row in meeting.attendance.all()[:3]:  # a tap per person on the tablet (HTMX answers with the row)
        r = secretary.post(f"/staff/deliberation/meetings/{meeting.pk}/attend",
                           {"attendance": row.pk, "present": "1"}, HTTP_HX_REQUEST="true")
        _ok(r, "已到")
    secretary.post(f"/staff/deliberation/meetings/{meeting.pk}/speaker", {"name": "单元长老张", "side": "for"})
    speaker = meeting.speakers.get()
    secretary.post(f"/staff/deliberation/meetings/{meeting.pk}/heard",
                   {"speaker": speaker.pk, "summary": "每户每年出一点，雇一名保洁"})
    secretary.post(f"/staff/deliberation/meetings/{meeting.pk}/position", {"party": "产权单位", "text": "同意，不再出资"})
    r = secretary.post(f"/staff/deliberation/meetings/{meeting.pk}/close",
                       {"minutes": "三方同意不再聘请物业，由居民集资雇请保洁，提交业主表决。"}, follow=True)
    _ok(r, "会议结束")
    topic.refresh_from_db()
    assert topic.stage == Stage.DELIBERATING

    # the owners' vote: opened by the secretary, cast on phones, a paper sheet entered for the unsold flat
    closes = timezone.now() + timedelta(days=3)
    secretary.post(f"/staff/deliberation/topics/{topic.pk}/open-vote", {
        "kind": "owners", "matter": "steward", "closes_at": _local(closes), "question": "是否不再聘请物业、集资雇请保洁"})
    vote = topic.votes.get()
    _ok(a.get(f"/portal/topics/{topic.pk}/"), "业主表决", "同意")
    _ok(a.post(f"/portal/topics/{topic.pk}/vote", {"choice": "yes"}, follow=True), "您已投：同意")
    _ok(d.get(f"/portal/topics/{topic.pk}/"), "为您名下 2 处房屋投票")
    d.post(f"/portal/topics/{topic.pk}/vote", {"choice": "yes"})
    assert Ballot.objects.filter(vote=vote).count() == 3  # a's flat and both of d's
    r = a.post(f"/portal/topics/{topic.pk}/vote", {"choice": "no"}, follow=True)
    assert "您名下的专有部分都已投票" in _messages(r)[0]
    b.post(f"/portal/topics/{topic.pk}/vote", {"choice": "no"})
    unsold = estate.parts[5]
    r = secretary.post(f"/staff/deliberation/votes/{vote.pk}/enter", {
        "part": unsold.pk, "channel": "paper", "choice": "yes", "sheet": _sheet()}, follow=True)
    _ok(r, "表决票已录入", "实时计票")
    ballot = Ballot.objects.get(vote=vote, part=unsold)
    assert secretary.get(f"/staff/deliberation/votes/{vote.pk}/ballots/{ballot.pk}/sheet")["Content-Type"] == \
        "image/jpeg"
    # live tally: 4 of 5 heads (a, b, d, the developer), area 60+60+90+45+80 = 335 of 395
    _ok(secretary.get(f"/staff/deliberation/votes/{vote.pk}/?part=live", HTTP_HX_REQUEST="true"), "335.00", "395.00")
    with time_machine.travel(closes + timedelta(minutes=1), tick=False):
        secretary, a, b, c, d, outsider = again()
        assert outsider.post(f"/portal/topics/{topic.pk}/vote", {"choice": "yes"}).status_code == 404
        r = c.post(f"/portal/topics/{topic.pk}/vote", {"choice": "yes"}, follow=True)
        assert "表决已经截止" in _messages(r)[0]
        services.votes_close_due()
        vote.refresh_from_db()
        assert vote.passed  # yes: a, d, developer = 3 of 4 heads, 275 of 335 ㎡
        _ok(secretary.get(f"/staff/deliberation/topics/{topic.pk}/"), "通过", "公示决议")
        secretary.post(f"/staff/deliberation/topics/{topic.pk}/publish",
                       {"text": "小区不再聘请物业，由居民集资雇请一名保洁，每户每年分摊。"})
        topic.refresh_from_db()
        assert topic.stage == Stage.PUBLICISING
        # b objects: the amount is not stated; the secretary upholds, and the topic goes back to deliberation
        _ok(b.post(f"/portal/topics/{topic.pk}/object", {"reason": "决议没有写明每户出多少钱"}, follow=True), "异议已提交")
        objection = topic.objections.get()
        r = secretary.post(f"/staff/deliberation/objections/{objection.pk}/uphold",
                           {"answer": "写明金额后重新公示"}, follow=True)
        _ok(r, "异议成立")
        topic.refresh_from_db()
        objection.refresh_from_db()
        assert topic.stage == Stage.DELIBERATING and objection.state == ObjectionState.UPHELD
        first = Resolution.objects.get(topic=topic)
        secretary.post(f"/staff/deliberation/topics/{topic.pk}/publish",
                       {"text": "小区不再聘请物业，集资9240元/年雇请一名保洁，由单元长按年上门收取，每户分摊。"})
        assert list(topic.resolutions.values_list("version", flat=True)) == [1, 2]
        assert Resolution.objects.get(pk=first.pk).text == first.text  # the first version stands as published
        _ok(b.get(f"/portal/topics/{topic.pk}/"), "第2版", "我有异议")

    # the notice period ends with no objection waiting: it takes effect by itself
    with time_machine.travel(closes + timedelta(days=8), tick=False):
        secretary, a, b, c, d, outsider = again()
        services.topics_take_effect()
        topic.refresh_from_db()
        assert topic.stage == Stage.CARRYING_OUT
        r = secretary.post(f"/staff/deliberation/topics/{topic.pk}/project", {
            "title": "保洁员雇请", "lead": "单元长老张", "budget": "9240", "fund_residents": "9240",
            "share_per_household": "1540", "milestones": "雇请保洁 2027-01-10\n年度结算 2027-12-31"}, follow=True)
        project = topic.project
        _ok(r, "已立项")
        page = _ok(secretary.get(f"/staff/deliberation/projects/{project.pk}/?unpaid=1"), "居民自筹收缴", "1540.00")
        household = estate.households[0]
        form = {"kind": "collected", "household": household.pk, "amount": "1540", "collected_by": "单元长老张",
                "key": "collect-test-0001"}
        secretary.post(f"/staff/deliberation/projects/{project.pk}/money", form)
        secretary.post(f"/staff/deliberation/projects/{project.pk}/money", form)  # sent twice: recorded once
        assert MoneyEntry.objects.filter(project=project).count() == 1
        secretary.post(f"/staff/deliberation/projects/{project.pk}/money",
                       {"kind": "expense", "amount": "2000", "key": "expense-test-01"})
        assert MoneyEntry.objects.filter(project=project).count() == 1  # more than in hand: refused
        page = _ok(secretary.get(f"/staff/deliberation/projects/{project.pk}/"), "已缴清", "单元长老张")
        assert "1/6 户缴清" in page
        for m in project.milestones.all():
            secretary.post(f"/staff/deliberation/projects/{project.pk}/milestone", {"milestone": m.pk})
        secretary.post(f"/staff/deliberation/topics/{topic.pk}/complete")
        topic.refresh_from_db()
        assert topic.stage == Stage.EVALUATING
        _ok(c.post(f"/portal/topics/{topic.pk}/evaluate", {"score": "5", "comment": "楼道干净了"}, follow=True),
            "谢谢您的评价")
        tenant = _client(resident_account(estate.households[1]))
        _ok(tenant.post(f"/portal/topics/{topic.pk}/evaluate", {"score": "4"}, follow=True), "谢谢您的评价")
        secretary.post(f"/staff/deliberation/topics/{topic.pk}/close", {"note": "保洁到岗"})
        topic.refresh_from_db()
        assert topic.stage == Stage.CLOSED

    # the whole history is public, for anyone
    anonymous = Client()
    _ok(anonymous.get("/resolutions/"), "小区保洁谁来做")
    _ok(anonymous.get(f"/resolutions/{topic.pk}/"), "9240", "保洁员雇请", "第2版", "同意")
    _ok(secretary.get("/staff/deliberation/figures/"), "议事统计")
    kinds = list(topic.events.values_list("action", flat=True))
    for action in ("propose", "cosign", "submit", "accept", "stakeholder", "schedule", "meet", "open_vote",
                   "close_vote", "publicise", "object", "uphold", "take_effect", "start_project", "money",
                   "milestone", "complete", "evaluate", "close"):
        assert action in kinds, action


@pytest.mark.django_db
def test_a_declined_proposal_tells_its_proposers_why(world, users, login):
    seed(SeatTemplate, SeatKind)
    council = services.council_create(actor=users("secretary"), area=world.community, name="社区议事会",
                                      template=SeatTemplate.objects.get(code="five_parties"), cosign_threshold=1)
    estate = make_estate(world.community, [(60, "a")])
    a = _client(estate.accounts["a"])
    a.post("/portal/topics/new", {"council": council.pk, "scope": estate.compound.pk, "title": "广场舞音响太吵",
                                  "body": "晚上九点以后还有音响，希望协商时间。"})
    topic = Topic.objects.get(title="广场舞音响太吵")
    assert topic.stage == Stage.PROPOSED  # one signature is enough here
    login("secretary").post(f"/staff/deliberation/topics/{topic.pk}/decline",
                            {"reason": "属于噪声扰民，已转为诉求由城管办理"})
    page = _ok(a.get(f"/portal/topics/{topic.pk}/"), "不予受理", "已转为诉求由城管办理")
    assert "不予受理" in page
    assert estate.accounts["a"].notifications.filter(title__contains="不予受理").exists()


@pytest.mark.django_db
def test_a_council_vote_at_the_meeting(world, users, login):
    seed(SeatTemplate, SeatKind)
    secretary = login("secretary")
    council = services.council_create(actor=users("secretary"), area=world.community, name="社区议事会",
                                      template=SeatTemplate.objects.get(code="five_parties"))
    seats = list(council.template.kinds.filter(per_topic=False))
    members = [services.member_seat(actor=users("secretary"), council=council, seat=s, name=f"代表{i}")
               for i, s in enumerate(seats)]
    topic = services.topic_propose(actor=users("secretary"), council=council, scope=world.community,
                                   title="社区花园认养", body="空地改为社区花园，由居民认养维护。")
    services.topic_accept(actor=users("secretary"), topic=topic)
    m = services.meeting_schedule(actor=users("secretary"), topic=topic, starts_at=timezone.now(), place="议事厅")
    services.attendance_mark(actor=users("secretary"), attendance=m.attendance.first(), present=True)
    services.meeting_close(actor=users("secretary"), meeting=m, minutes="大家同意试行认养一年。")
    secretary.post(f"/staff/deliberation/topics/{topic.pk}/open-vote", {
        "kind": "council", "rule": "majority", "closes_at": _local(timezone.now() + timedelta(hours=1)),
        "question": "是否同意试行社区花园认养"})
    vote = topic.votes.get()
    for member, choice in zip(members, ["yes", "yes", "yes", "no", "abstain"], strict=True):
        secretary.post(f"/staff/deliberation/votes/{vote.pk}/enter", {"member": member.pk, "choice": choice})
    _ok(secretary.get(f"/staff/deliberation/votes/{vote.pk}/"), "同意", "反对", "弃权")
    secretary.post(f"/staff/deliberation/votes/{vote.pk}/close")
    vote.refresh_from_db()
    assert vote.passed and vote.result["yes"]["heads"] == 3 and vote.result["total"]["heads"] == 5


@pytest.mark.django_db
def test_an_appeal_one_party_cannot_settle_goes_to_the_council_without_its_reporters_details(world, users, login):
    from gongzhi.appeals import services as appeals
    from gongzhi.appeals.choices import Channel
    from gongzhi.appeals.models import Category

    seed(SeatTemplate, SeatKind)
    council = services.council_create(actor=users("secretary"), area=world.community, name="社区议事会",
                                      template=SeatTemplate.objects.get(code="7x"))
    appeal = appeals.appeal_submit(channel=Channel.DESK, text="3号楼停车太乱，我是502的王大爷，电话13912345678",
                                   area=world.compound, actor=users("secretary"),
                                   category=Category.objects.get(code="parking-disorder"))
    secretary = login("secretary")
    page = _ok(secretary.get(f"/staff/appeals/{appeal.pk}/"), "提交议事会协商")
    link = page.split('class="to-council"><a href="')[1].split('"')[0].replace("&amp;", "&")
    form = _ok(secretary.get(link), "提出议题")
    assert "13912345678" not in form and "王大爷" not in form and "3号楼停车太乱" in form
    assert "提交议事会协商" not in _ok(login("property").get("/staff/"))  # only those who run a council
    secretary.post("/staff/deliberation/topics/new", {
        "council": council.pk, "scope": world.compound.pk, "title": "3号楼停车秩序", "origin": "appeal",
        "origin_ref": appeal.number, "body": "多名居民反映3号楼停车乱，一家一户解决不了，提交议事会协商。"})
    topic = Topic.objects.get(title="3号楼停车秩序")
    assert (topic.origin, topic.origin_ref, topic.stage) == ("appeal", appeal.number, Stage.PROPOSED)
