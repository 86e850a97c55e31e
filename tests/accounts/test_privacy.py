"""A resident's rights over her data (个人信息保护法 arts. 45–47): she sees what is held and who looked, downloads
it, and asks to correct or delete it; the workers of her community handle the request."""
import json

import pytest

from gongzhi.access.roles import Role
from gongzhi.accounts.choices import BindingStatus
from gongzhi.accounts.models import ApiToken, DataRequest, RoleGrant, User
from gongzhi.accounts.services import api_token_issue
from gongzhi.appeals.models import Appeal
from gongzhi.notifications.models import Notification
from gongzhi.registry.models import Resident

pytestmark = pytest.mark.django_db


def her_record(user) -> Resident:
    return Resident.objects.get(bindings__user=user, bindings__status=BindingStatus.VERIFIED)


def test_she_sees_what_is_held_about_her_and_who_looked_and_takes_it_home(login, users):
    resident = users("resident")
    record = her_record(resident)
    assert login("worker").post(f"/staff/residents/{record.pk}/reveal").status_code == 200  # an audited look
    page = login("resident").get("/portal/my-data/").content.decode()
    assert record.name in page and record.household.address in page and record.masked_id_number in page
    assert "谁查看过我的信息" in page and "社工 李惠" in page and "查看个人信息" in page
    assert "至少保存六个月" in page  # what is kept, and why, before she asks
    download = login("resident").get("/portal/my-data/download")
    assert download["Content-Type"].startswith("application/json") and "attachment" in download["Content-Disposition"]
    data = json.loads(download.content)
    assert data["ledger"][0]["id_number"] == record.id_number and data["account"]["username"] == resident.username
    assert any(v["who"] == "社工 李惠" for v in data["viewed_by"])
    # nobody else's looks at other people show up
    assert all(v["what"] for v in data["viewed_by"]) and len(data["viewed_by"]) == 1


def test_a_correction_is_handled_by_her_community_and_she_hears_the_reply(login, users, world):
    resident = users("resident")
    client = login("resident")
    empty = client.post("/portal/my-data/requests", {"kind": "correct", "text": ""}, follow=True)
    assert "请写明哪一项信息有误" in empty.content.decode() and not DataRequest.objects.exists()
    client.post("/portal/my-data/requests", {"kind": "correct", "text": "出生日期应为1951年3月2日"})
    again = client.post("/portal/my-data/requests", {"kind": "correct", "text": "还有一处"}, follow=True)
    assert "已有一份同类申请正在处理" in again.content.decode() and DataRequest.objects.count() == 1
    request = DataRequest.objects.get()
    queue = login("worker").get("/staff/data-requests/").content.decode()
    assert "出生日期应为1951年3月2日" in queue and her_record(resident).name in queue
    # a worker elsewhere neither sees nor handles it
    other = User.objects.create(username="elsewhere", display_name="别处社工")
    RoleGrant.objects.create(user=other, role=Role.COMMUNITY_WORKER, area=world.other_community)
    assert "出生日期应为1951年3月2日" not in login("elsewhere").get("/staff/data-requests/").content.decode()
    assert login("elsewhere").post(f"/staff/data-requests/{request.pk}/decide", {"grant": "1"}).status_code == 404
    refused = login("worker").post(f"/staff/data-requests/{request.pk}/decide", {"grant": "0", "reply": ""},
                                   follow=True)
    assert "不予办理时请写明理由" in refused.content.decode()
    login("worker").post(f"/staff/data-requests/{request.pk}/decide", {"grant": "1", "reply": "已按户口簿更正"})
    request.refresh_from_db()
    assert request.status == DataRequest.Status.DONE and request.handled_by == users("worker")
    note = Notification.objects.get(user=resident, key=f"data-request:{request.pk}")
    assert note.body == "已按户口簿更正"
    assert "已按户口簿更正" in client.get("/portal/my-data/").content.decode()


def test_a_granted_deletion_closes_her_account_and_forgets_her_contact_but_keeps_the_ledger(login, users, world):
    resident = users("resident")
    record = her_record(resident)
    appeal = Appeal.objects.filter(reporter=resident).first()
    _token, key = api_token_issue(user=resident, name="手机")
    login("resident").post("/portal/my-data/requests", {"kind": "delete", "text": "搬走了，请删除我的账号"})
    request = DataRequest.objects.get(kind="delete")
    login("worker").post(f"/staff/data-requests/{request.pk}/decide", {"grant": "1", "reply": ""})
    gone = User.objects.get(pk=resident.pk)
    assert not gone.is_active and gone.phone is None and gone.display_name == "" and not gone.has_usable_password()
    assert gone.username.startswith("erased-")
    assert not gone.bindings.filter(status__in=[BindingStatus.VERIFIED, BindingStatus.PENDING]).exists()
    assert not Notification.objects.filter(user=gone).exists()
    assert not ApiToken.objects.filter(user=gone, revoked_at__isnull=True).exists()
    if appeal is not None:
        appeal.refresh_from_db()
        assert appeal.contact_name == "" and appeal.contact_phone == ""
    assert Resident.objects.filter(pk=record.pk).exists()  # the community's ledger is kept, as she was told
    assert login("worker").get(f"/api/v1/residents/{record.pk}").status_code == 200


def test_a_worker_does_not_decide_her_own_request(login, users):
    """A worker who asks, as a resident, to delete her own data waits for a colleague like anyone."""
    from gongzhi.accounts.models import HouseholdBinding

    worker = users("worker")
    binding = HouseholdBinding.objects.filter(user=users("resident"), status=BindingStatus.VERIFIED).first()
    HouseholdBinding.objects.create(user=worker, household=binding.household, claimed_name="李惠",
                                    status=BindingStatus.VERIFIED)
    login("worker").post("/portal/my-data/requests", {"kind": "delete", "text": ""})
    request = DataRequest.objects.get(user=worker)
    refused = login("worker").post(f"/staff/data-requests/{request.pk}/decide", {"grant": "1"}, follow=True)
    assert "不能办理自己的申请" in refused.content.decode()
    assert User.objects.get(pk=worker.pk).is_active and DataRequest.objects.get(pk=request.pk).status == "open"
