"""Photos, the place picker, the desk's resident search, reply templates, the inbox and the public board."""
import re
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from gongzhi.accounts.services import verified_households
from gongzhi.appeals import services
from gongzhi.appeals.choices import Channel
from gongzhi.appeals.models import Appeal, AppealPhoto, Category
from gongzhi.core.errors import InvalidInput
from gongzhi.notifications.models import Notification
from gongzhi.registry.choices import AreaKind
from gongzhi.registry.models import Area, Resident

pytestmark = pytest.mark.django_db


def photo(name="lift.jpg", gps=True, size=(2400, 1800)) -> SimpleUploadedFile:
    image = Image.new("RGB", size, (200, 40, 40))
    exif = Image.Exif()
    if gps:
        exif[0x8825] = {2: (39.0, 54.0, 27.0), 4: (116.0, 23.0, 17.0)}  # GPSInfo: latitude and longitude
        exif[0x010F] = "PhoneMaker"
    out = BytesIO()
    image.save(out, "JPEG", exif=exif)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def test_the_resident_files_with_photos_and_a_place_from_her_compound(login, users):
    home = verified_households(users("resident")).select_related("compound").get()
    building = Area.objects.get(pk=home.building_id)
    client = login("resident")
    form = client.get("/portal/appeals/new").content.decode()
    assert f"home:{home.pk}" in form and f"area:{home.compound_id}" in form and f"area:{building.pk}" in form
    other = Area.objects.filter(kind=AreaKind.COMPOUND).exclude(pk=home.compound_id).first()
    refused = client.post("/portal/appeals/new", {"where": f"area:{other.pk}", "text": "别的小区"})
    assert refused.status_code == 200 and not Appeal.objects.filter(text="别的小区").exists()
    response = client.post("/portal/appeals/new", {"where": f"area:{building.pk}", "text": "楼道灯不亮，晚上看不见",
                                                   "photos": [photo(), photo("b.jpg", gps=False)]})
    assert response.status_code == 302
    appeal = Appeal.objects.get(text="楼道灯不亮，晚上看不见")
    assert appeal.area_id == building.pk and appeal.household_id is None and appeal.building_id == building.pk
    stored = AppealPhoto.objects.filter(appeal=appeal).order_by("id")
    assert stored.count() == 2
    first = stored[0]
    with Image.open(first.image.open("rb")) as image:
        assert max(image.size) <= 1600 and image.format == "JPEG"
        assert not image.getexif()  # no GPS, no camera data left
    assert client.get(f"/portal/appeals/{appeal.pk}/photos/{first.pk}").status_code == 200
    assert login("newcomer").get(f"/portal/appeals/{appeal.pk}/photos/{first.pk}").status_code == 404
    assert login("worker").get(f"/portal/appeals/{appeal.pk}/photos/{first.pk}").status_code == 200


def test_photos_that_are_not_images_or_too_many_change_nothing(users, world):
    worker = users("worker")
    before = Appeal.objects.count()
    with pytest.raises(InvalidInput) as refused:
        services.appeal_submit(channel=Channel.PATROL, text="占道经营", area=world.compound, actor=worker,
                               photos=[SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg"),
                                       photo(size=(64, 64), gps=False),
                                       SimpleUploadedFile("y.png", b"nor this", content_type="image/png")])
    assert "x.jpg" in refused.value.message and "y.png" in refused.value.message  # every bad one, at once
    with pytest.raises(InvalidInput):
        services.appeal_submit(channel=Channel.PATROL, text="占道经营", area=world.compound, actor=worker,
                               photos=[photo(size=(64, 64), gps=False) for _ in range(10)])
    assert Appeal.objects.count() == before and not AppealPhoto.objects.exists()


def test_the_desk_finds_the_resident_and_files_for_her_home(login, users):
    worker = users("worker")
    person = (Resident.objects.filter(community=worker.role_grants.get().area).exclude(phone="")
              .select_related("household").order_by("id").first())
    client = login("worker")
    assert 'name="resident"' not in client.get("/staff/appeals/new").content.decode()  # only the picker sets it
    chosen = client.get("/staff/appeals/new/resident", {"id": person.pk}).content.decode()
    assert chosen.count('name="resident"') == 1 and person.name in chosen
    assert '<div id="resident-results" aria-live="polite" hx-swap-oob="true"></div>' in chosen  # the list goes
    assert "请再多输入一个字" in client.get("/staff/appeals/new/residents", {"q": person.name[0]}).content.decode()
    by_name = client.get("/staff/appeals/new/residents", {"q": person.name}).content.decode()
    assert person.name in by_name and person.phone not in by_name  # masked
    assert person.name in client.get("/staff/appeals/new/residents", {"q": person.phone[-4:]}).content.decode()
    stranger = Resident.objects.exclude(community=worker.role_grants.get().area).order_by("id").first()
    assert stranger.name not in client.get("/staff/appeals/new/residents", {"q": stranger.id_number}).content.decode()
    assert client.get("/staff/appeals/new/resident", {"id": stranger.pk}).status_code == 404
    response = client.post("/staff/appeals/new", {"channel": "desk", "resident": person.pk, "text": "家里暖气不热",
                                                  "category": Category.objects.get(code="heating-cold").pk})
    assert response.status_code == 302, re.findall(r'errorlist[^<]*<li>([^<]*)', response.content.decode())
    appeal = Appeal.objects.get(text="家里暖气不热")
    assert (appeal.resident_id, appeal.household_id, appeal.area_id) == (person.pk, person.household_id,
                                                                        person.household.area_id)
    assert appeal.contact_phone == person.phone and appeal.contact_name == person.name


def test_reply_templates_are_offered_filled_in(users, world):
    worker = users("worker")
    appeal = services.appeal_submit(channel=Channel.DESK, text="电梯停了", area=world.compound, actor=worker,
                                    category=Category.objects.get(code="property-elevator"))
    from gongzhi.appeals.selectors import reply_templates

    offered = reply_templates(appeal)
    titles = [t["title"] for t in offered]
    assert titles[0] == "电梯已修复" and "已办结" in titles and "垃圾已清运" not in titles
    assert world.compound.name in offered[0]["text"] and "{place}" not in offered[0]["text"]


def test_the_inbox_shows_the_reply_with_one_tap_rating(login, users, world):
    home = verified_households(users("resident")).select_related("area").get()
    appeal = services.appeal_submit(channel=Channel.PORTAL, text="门禁坏了", area=home.area, household=home,
                                    actor=users("resident"), category=Category.objects.get(code="property-access"))
    services.appeal_accept(appeal=appeal, actor=users("worker"))
    services.appeal_resolve(appeal=appeal, actor=users("worker"), reply="物业维修部今天下午更换了单元门禁的读卡器，门禁已恢复使用")
    client = login("resident")
    home_page = client.get("/portal/").content.decode()
    assert 'class="badge"' in home_page  # unread messages
    inbox = client.get("/portal/messages/").content.decode()
    assert "更换了单元门禁的读卡器" in inbox and 'value="satisfied"' in inbox
    response = client.post(f"/portal/appeals/{appeal.pk}/rate", {"rating": "satisfied", "next": "/portal/messages/"})
    assert response["Location"] == "/portal/messages/"
    appeal.refresh_from_db()
    assert appeal.rating == "satisfied"
    after = client.get("/portal/messages/").content.decode()  # rated: the message no longer asks for it
    assert "更换了单元门禁的读卡器" in after and 'value="satisfied"' not in after
    assert Notification.objects.get(user=users("resident"), key=f"rate:{appeal.pk}:0").read_at is not None
    client.post("/portal/messages/read", {"next": "/portal/messages/"})
    assert not Notification.objects.filter(user=users("resident"), read_at__isnull=True).exists()
    evil = client.post(f"/portal/appeals/{appeal.pk}/rate", {"rating": "satisfied", "next": "https://evil.example/"})
    assert evil["Location"] == f"/portal/appeals/{appeal.pk}/"


def test_the_public_board_shows_opted_in_appeals_without_personal_data(client, users):
    home = verified_households(users("resident")).select_related("area").get()
    name = users("resident").display_name
    shown = services.appeal_submit(
        channel=Channel.PORTAL, text=f"我是{name}，住{home.room}，电话13812345678，楼下垃圾堆了三天", area=home.area,
        household=home, actor=users("resident"), public=True)
    hidden = services.appeal_submit(channel=Channel.PORTAL, text="不想公开的事", area=home.area, household=home,
                                    actor=users("resident"))
    assert shown.number not in client.get(f"/board/{shown.community_id}/").content.decode()  # not accepted yet
    for appeal in (shown, hidden):
        services.appeal_accept(appeal=appeal, actor=users("worker"), category=Category.objects.get(code="property"))
    page = client.get(f"/board/{shown.community_id}/").content.decode()  # anyone, no login
    assert "楼下垃圾堆了三天" in page and shown.number in page
    assert name not in page and "13812345678" not in page and f"住{home.room}" not in page
    assert hidden.number not in page
    services.appeal_unpublish(appeal=shown, actor=users("worker"), reason="涉及个人信息")
    assert shown.number not in client.get(f"/board/{shown.community_id}/").content.decode()
    assert client.get("/board/999999/").status_code == 404


def test_the_resident_is_told_each_step_adds_information_and_withdraws(login, users):
    """She hears when it is accepted and dispatched, reads in plain words who has it, adds what she forgot, and
    withdraws it when it solved itself; the handlers hear of both. Her binding's approval reaches her too."""
    from gongzhi.accounts import services as accounts
    from gongzhi.accounts.models import HouseholdBinding

    home = verified_households(users("resident")).select_related("area").get()
    appeal = services.appeal_submit(channel=Channel.PORTAL, text="楼道灯坏了", area=home.area, household=home,
                                    actor=users("resident"), category=Category.objects.get(code="property-lighting"))
    services.appeal_accept(appeal=appeal, actor=users("worker"))
    company = users("property").role_grants.get().organisation
    services.appeal_dispatch(appeal=appeal, actor=users("worker"), party=company)
    titles = list(Notification.objects.filter(user=users("resident")).values_list("title", flat=True))
    assert any("已受理" in t for t in titles) and any(company.name in t for t in titles)
    client = login("resident")
    page = client.get(f"/portal/appeals/{appeal.pk}/").content.decode()
    assert f"已派给 {company.name}，等待对方接单" in page
    client.post(f"/portal/appeals/{appeal.pk}/add", {"text": "是3楼到4楼之间的灯，晚上7点后家里有人"})
    assert Notification.objects.filter(user=users("property"), title__contains="居民补充").exists()
    client.post(f"/portal/appeals/{appeal.pk}/withdraw", {"reason": "物业已经修好了"})
    appeal.refresh_from_db()
    assert (appeal.state, appeal.outcome) == ("closed_unresolved", "withdrawn")
    assert Notification.objects.filter(user=users("worker"), title__contains="已被居民撤回").exists()
    assert "补充情况" not in client.get(f"/portal/appeals/{appeal.pk}/").content.decode()
    pending = HouseholdBinding.objects.get(user=users("newcomer"))
    accounts.binding_verify(actor=users("gridworker"), binding=pending)
    assert Notification.objects.filter(user=users("newcomer"), title__contains="已通过认证").exists()


def test_before_filing_she_sees_what_neighbours_reported_there_and_joins_it(login, users):
    """已有邻居反映: the filing page shows the open public appeals at the place she chose, scrubbed as on the board;
    我也遇到 backs one instead of filing again."""
    from gongzhi.appeals.models import AppealSupport

    home = verified_households(users("resident")).select_related("area").get()
    neighbour = services.appeal_submit(channel=Channel.DESK, text="小区东门道闸坏了，电话13911112222", area=home.area,
                                       actor=users("worker"), public=True,
                                       category=Category.objects.get(code="property-access"))
    services.appeal_accept(appeal=neighbour, actor=users("worker"))  # published once the community accepted it
    client = login("resident")
    form = client.get("/portal/appeals/new").content.decode()
    assert 'hx-get="/portal/appeals/similar"' in form
    listed = client.get(f"/portal/appeals/similar?where=home:{home.pk}").content.decode()
    assert "已有 1 位邻居反映了这里的问题" in listed and "东门道闸" in listed and "13911112222" not in listed
    response = client.post(f"/board/{home.community_id}/{neighbour.pk}/support", {"next": "/portal/appeals/"},
                           follow=True)
    assert response.redirect_chain[-1][0] == "/portal/appeals/" and "不用再提交" in response.content.decode()
    assert AppealSupport.objects.filter(appeal=neighbour, user=users("resident")).exists()


def test_a_category_asks_its_own_questions_at_intake(login, users):
    """Per-category questions, as data: the lift asks whether someone is trapped (required, a choice) and which
    lift; the answers are on the appeal page; a wrong or missing answer is refused by the field."""
    home = verified_households(users("resident")).select_related("area").get()
    lift = Category.objects.get(code="property-elevator")
    client = login("resident")
    asked = client.get(f"/portal/appeals/questions?category={lift.pk}").content.decode()
    assert "现在有人被困在电梯里吗？" in asked and 'name="q_trapped"' in asked
    with pytest.raises(InvalidInput) as missing:
        services.appeal_submit(channel=Channel.PORTAL, text="电梯停了", area=home.area, household=home,
                               actor=users("resident"), category=lift, details={})
    assert missing.value.field == "q_trapped"
    with pytest.raises(InvalidInput):
        services.appeal_submit(channel=Channel.PORTAL, text="电梯停了", area=home.area, household=home,
                               actor=users("resident"), category=lift, details={"trapped": "也许"})
    desk = login("worker")  # the desk picks the second level; the resident's form offers the first only
    response = desk.post("/staff/appeals/new", {
        "channel": "desk", "area": home.compound_id, "text": "电梯停在5楼不动了", "category": lift.pk,
        "q_trapped": "有人被困", "q_which": "3号楼2单元", "q_unknown": "x"})
    appeal = Appeal.objects.get(text="电梯停在5楼不动了")
    assert response.status_code == 302 and appeal.details == {"trapped": "有人被困", "which": "3号楼2单元"}
    services.appeal_accept(appeal=appeal, actor=users("worker"))
    page = login("worker").get(f"/staff/appeals/{appeal.pk}/").content.decode()
    assert "现在有人被困在电梯里吗？" in page and "有人被困" in page


def test_back_then_sending_the_form_again_files_nothing_twice(login, users):
    """The form sent again after Back carries a new key; the same text about the same place minutes later is the
    same appeal: she lands on it, told so."""
    home = verified_households(users("resident")).select_related("area").get()
    client = login("resident")
    form = {"where": f"home:{home.pk}", "text": "楼下垃圾桶满了没人清"}
    first = client.post("/portal/appeals/new", form)
    again = client.post("/portal/appeals/new", form, follow=True)
    assert Appeal.objects.filter(text="楼下垃圾桶满了没人清").count() == 1
    assert again.redirect_chain[-1][0] == first["Location"] and "不会重复登记" in again.content.decode()


def test_the_desk_refuses_a_household_outside_the_worker_s_area(users, world):
    """Issue 21: a desk filing accepted any household by its id, so a worker could file on a stranger's home."""
    from gongzhi.core.errors import NotPermitted

    stranger = Resident.objects.filter(community=world.other_community).exclude(household=None).first()
    with pytest.raises(NotPermitted):
        services.appeal_submit(channel=Channel.DESK, text="代人反映", area=world.compound, actor=users("worker"),
                               household=stranger.household)
