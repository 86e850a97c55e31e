"""协商议事 in the demo city: councils over the secretary's community, the demo resident's compound and building,
and topics at every stage, made through the services (their rules, timelines and notifications), so the board,
the tablet, the owners' vote on a phone, the notice period and a project's collection are alive on first start.

Older steps happened days ago: where ``time_machine`` is installed (``make demo`` installs the dev extras) the
services run at those past moments; without it everything is dated now.
"""
from __future__ import annotations

import contextlib
import random
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from gongzhi.accounts.choices import BindingStatus
from gongzhi.accounts.models import HouseholdBinding, User
from gongzhi.registry.models import Area, ExclusivePart, Household

from . import seats, services
from .choices import Choice, VoteKind
from .models import RollEntry, SeatKind, SeatTemplate

try:  # a dev dependency: the demo's history at past moments
    import time_machine
except ImportError:  # pragma: no cover - production installs without it
    time_machine = None

NAMES = ["刘东风", "马建国", "陈立新", "周律师", "孙志勇", "赵桂兰", "钱老师", "王德福", "李秀英", "吴卫东", "郑红梅",
         "冯国强", "褚玉兰", "卫建华", "蒋淑珍"]


@contextlib.contextmanager
def _days_ago(days: float):
    if time_machine is None or days <= 0:
        yield
        return
    with time_machine.travel(timezone.now() - timedelta(days=days), tick=True):
        yield


def _seat_all(actor, council, rng) -> None:
    names = iter(rng.sample(NAMES, len(NAMES)))
    for kind in council.template.kinds.filter(per_topic=False):
        for _ in range(kind.seats or 2):
            if kind.code in ("leaders", "deputies") and rng.random() < 0.5:
                continue  # a few seats stand empty, as they do: the council page shows them
            services.member_seat(actor=actor, council=council, seat=kind, name=next(names, f"代表{rng.randrange(99)}"))


def _meet(actor, topic, *, place: str, minutes: str, positions=(), kind="meeting", mode="hall"):
    meeting = services.meeting_schedule(actor=actor, topic=topic, starts_at=timezone.now(), place=place, kind=kind,
                                        mode=mode)
    services.meeting_open(actor=actor, meeting=meeting)
    for row in meeting.attendance.all():
        services.attendance_mark(actor=actor, attendance=row, present=True)
    for party, text in positions:
        services.position_record(actor=actor, meeting=meeting, party=party, body=text)
    services.meeting_close(actor=actor, meeting=meeting, minutes=minutes)
    return meeting


def _owners(scope: Area) -> list[User]:
    """Verified accounts for some owners of the scope's parts (the demo's other residents), to vote and rate."""
    out = []
    parts = (ExclusivePart.objects.filter(**{f"{scope.kind}_id": scope.pk}, owner__isnull=False)
             .select_related("owner").order_by("pk")[:40])
    for part in parts:
        owner = part.owner
        user, created = User.objects.get_or_create(username=f"owner-{owner.pk}", defaults={"display_name": owner.name})
        if created:
            user.set_unusable_password()
            user.save()
            HouseholdBinding.objects.create(user=user, household=owner.household, resident=owner,
                                            claimed_name=owner.name, status=BindingStatus.VERIFIED)
        out.append(user)
    return out


def _sheet(number: str):
    """A photographed paper ballot, as a worker's phone sends it (a blank form: the demo has no handwriting)."""
    from io import BytesIO

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (480, 640), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((20, 20, 460, 620), outline="black", width=3)
    draw.text((40, 40), f"ballot {number}", fill="black")
    out = BytesIO()
    image.save(out, "JPEG", quality=70)
    return SimpleUploadedFile(f"ballot-{number}.jpg", out.getvalue(), content_type="image/jpeg")


def build_deliberation(*, seed: int = 7) -> dict:
    rng = random.Random(seed)
    seats.seed(SeatTemplate, SeatKind)
    secretary = User.objects.get(username="secretary")
    community = secretary.role_grants.get().area
    resident = User.objects.get(username="resident")
    home = Household.objects.select_related("compound", "building").get(
        bindings__user=resident, bindings__status=BindingStatus.VERIFIED)
    compound, building = home.compound, home.building
    templates = {t.code: t for t in SeatTemplate.objects.all()}
    made = {"councils": 0, "topics": 0}

    with _days_ago(60):
        community_council = services.council_create(actor=secretary, area=community, name="协商民主议事苑",
                                                    template=templates["7x"])
        compound_council = services.council_create(actor=secretary, area=compound, name=f"{compound.name}五方议事会",
                                                   template=templates["five_parties"], cosign_threshold=5)
        building_council = services.council_create(actor=secretary, area=building, name=f"{building.name}楼院议事会",
                                                   template=templates["building"], cosign_threshold=3)
        for council in (community_council, compound_council, building_council):
            _seat_all(secretary, council, rng)
        made["councils"] = 3
    owners = _owners(compound)

    # a closed topic with its whole history: the Yangquan cleaner, paid for by the households, collected by unit heads
    with _days_ago(45):
        cleaner = services.topic_propose(actor=secretary, council=compound_council, scope=compound,
                                         title="小区保洁谁来做", owners_matter="steward",
                                         body="原物业撤出后楼道和院子无人打扫，居民多次反映。拟协商是否再聘物业，或集资雇请保洁。")
        services.topic_accept(actor=secretary, topic=cleaner)
        services.stakeholder_add(actor=secretary, topic=cleaner, name="产权单位", interest="房屋产权单位，原物业委托方")
    with _days_ago(40):
        _meet(secretary, cleaner, place="邻里会客厅", kind="hearing", minutes="单元长、产权单位、居民代表三方听证：不再聘请物业，由居民集资雇请一名保洁。",
              positions=[("单元长代表", "每户每年出一点，雇一名保洁最实在"), ("产权单位", "同意，不再承担保洁费用")])
        vote = services.vote_open(actor=secretary, topic=cleaner, kind=VoteKind.COUNCIL, question="是否集资雇请保洁",
                                  closes_at=timezone.now() + timedelta(hours=2))
        for member_id in vote.seated:
            services.ballot_enter(actor=secretary, vote=vote, choice=Choice.YES, channel="meeting",
                                  member=compound_council.members.get(pk=member_id))
        services.vote_close(actor=secretary, vote=vote)
        services.resolution_publish(actor=secretary, topic=cleaner,
                                    body="小区不再聘请物业，由居民集资9240元/年雇请一名保洁，由单元长按年上门收取。")
    with _days_ago(32):
        services.topics_take_effect()
        households = Household.objects.filter(compound=compound).count() or 1
        share = (Decimal("9240") / households).quantize(Decimal("0.01"))
        project = services.project_start(actor=secretary, topic=cleaner, title="雇请保洁员", lead="各单元长",
                                         budget=share * households, funding=[("residents", share * households, "")],
                                         milestones=[("保洁员到岗", timezone.localdate()),
                                                     ("首月工资发放", timezone.localdate() + timedelta(days=5))],
                                         share_per_household=share)
        for i, h in enumerate(Household.objects.filter(compound=compound).order_by("pk")[:max(households * 3 // 4, 1)]):
            services.money_record(actor=secretary, project=project, kind="collected", amount=share, household=h,
                                  collected_by="单元长", key=f"demo-cleaner-{h.pk}")
            if i > 400:
                break
        for m in project.milestones.all():
            services.milestone_done(actor=secretary, milestone=m)
        services.money_record(actor=secretary, project=project, kind="expense", amount=Decimal("770"),
                              note="保洁员第一个月工资", key="demo-cleaner-wage-1")
        services.project_complete(actor=secretary, topic=cleaner)
    with _days_ago(25):
        for user in owners[:6]:
            services.evaluation_give(actor=user, topic=cleaner, score=rng.choice([4, 5, 5, 3]))
        services.topic_close(actor=secretary, topic=cleaner, note="保洁员到岗，费用收缴四分之三")

    # an owners' vote open now, on the resident's building: the lift, ≥ 3/4 (rebuilding the building's facilities)
    with _days_ago(12):
        lift = services.topic_propose(actor=secretary, council=building_council, scope=building,
                                      title=f"{building.name}加装电梯", owners_matter="rebuild",
                                      body="多位高层老人提出加装电梯。方案、费用分摊按楼层递增，低层住户的采光和噪声影响需协商。")
        services.topic_accept(actor=secretary, topic=lift)
        services.material_add(actor=secretary, topic=lift, title="加装电梯方案与报价",
                              body="电梯一部，总价约60万元，政府补贴24万元，其余按楼层分摊：一层0，二层3%，三层8%……")
    with _days_ago(5):
        _meet(secretary, lift, place=f"{building.name}楼下", mode="mobile", minutes="移动议事厅在楼下召开，高层住户支持，一层住户担心采光，同意提交业主表决。",
              positions=[("高层住户", "上下楼太难，愿意多出钱"), ("一层住户", "担心采光和噪声，希望补偿")])
        vote = services.vote_open(actor=secretary, topic=lift, kind=VoteKind.OWNERS, question=f"是否同意{building.name}加装电梯",
                                  closes_at=timezone.now() + timedelta(days=12))
        roll = list(RollEntry.objects.filter(vote=vote).exclude(owner__bindings__user=resident).values_list(
            "part_id", flat=True))
        for part in ExclusivePart.objects.filter(pk__in=roll[: len(roll) // 2]):  # half the building, on paper
            services.ballot_enter(actor=secretary, vote=vote, part=part, channel="paper", sheet=_sheet(part.number),
                                  choice=rng.choice([Choice.YES, Choice.YES, Choice.NO, Choice.ABSTAIN]))

    # under notice now: residents may object until it ends
    with _days_ago(9):
        clutter = services.topic_propose(actor=secretary, council=compound_council, scope=compound,
                                         title="楼道堆物集中清理", body="楼道堆放杂物多，存在消防隐患。拟定一周集中清理，之后不得再堆放。")
        services.topic_accept(actor=secretary, topic=clutter)
        _meet(secretary, clutter, place="社区议事厅", minutes="各方同意集中清理一周，物业负责清运，志愿者协助老人搬运。")
        vote = services.vote_open(actor=secretary, topic=clutter, kind=VoteKind.COUNCIL, question="是否集中清理楼道堆物",
                                  closes_at=timezone.now() + timedelta(hours=1))
        for member_id in vote.seated:
            services.ballot_enter(actor=secretary, vote=vote, choice=Choice.YES, channel="meeting",
                                  member=compound_council.members.get(pk=member_id))
        services.vote_close(actor=secretary, vote=vote)
    with _days_ago(3):
        services.resolution_publish(actor=secretary, topic=clutter,
                                    body="下周一至周日集中清理楼道堆物，物业负责清运；逾期未清理的，视为废弃物处理。")

    # a hearing scheduled tomorrow, on site; a resident's proposal collecting co-signers; one waiting to be accepted
    with _days_ago(2):
        dance = services.topic_propose(actor=secretary, council=community_council, scope=community,
                                       title="广场舞时间和音量", origin="appeal",
                                       body="多名居民反映晚上广场舞音响太吵，也有居民希望保留活动。拟协商时间和音量。")
        services.topic_accept(actor=secretary, topic=dance)
        services.stakeholder_add(actor=secretary, topic=dance, name="广场舞队", interest="活动组织者")
        services.meeting_schedule(actor=secretary, topic=dance, kind="hearing", mode="mobile", place="中心广场凉亭",
                                  starts_at=timezone.now() + timedelta(days=3), agenda="1. 双方陈述 2. 协商时间和音量 3. 形成方案")
    garden = services.topic_propose(actor=owners[0] if owners else secretary, council=compound_council, scope=compound,
                                    title="空地改社区花园", body="3号楼旁的空地长期荒着，建议改成社区花园，居民认养维护。")
    for user in owners[1:3]:
        services.topic_cosign(actor=user, topic=garden)
    services.topic_propose(actor=secretary, council=community_council, scope=community, title="停车位重新划线",
                           body="小区停车位不够，部分车位划线不合理，拟重新规划划线。")
    made["topics"] = 6
    return made
