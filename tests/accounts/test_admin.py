"""The admin's accounts: phones masked in the list and the form, revealed one at a time and audited, and a search
that cannot recover a number by its prefix (issue 21)."""
import pytest

from gongzhi.accounts.admin import MaskedUserChangeForm
from gongzhi.accounts.models import HouseholdBinding, User
from gongzhi.core.models import AuditEvent

pytestmark = pytest.mark.django_db
PHONE = "13766661234"


@pytest.fixture
def registered(db):
    """A resident who registered herself: her user name is her mobile number."""
    return User.objects.create_user(PHONE, phone=PHONE, display_name="王芳", password="Spring-2026!")


def test_the_user_list_masks_phones_and_phone_user_names(login, registered, users):
    page = login("admin").get("/admin/accounts/user/").content.decode()
    assert "137****1234" in page and PHONE not in page
    assert users("resident").phone not in page and users("resident").masked_phone in page


def test_the_change_form_shows_the_phone_masked_and_never_puts_it_in_a_field(login, registered):
    page = login("admin").get(f"/admin/accounts/user/{registered.pk}/change/").content.decode()
    assert "137****1234" in page and PHONE not in page
    assert f"/admin/accounts/user/{registered.pk}/phone/" in page  # 显示号码
    assert not AuditEvent.objects.filter(target_type="accounts.user", target_id=str(registered.pk)).exists()


def test_an_unnamed_account_named_by_its_phone_is_masked_where_it_is_named(registered):
    registered.display_name = ""
    assert str(registered) == "137****1234"


def test_revealing_a_phone_in_the_admin_is_a_deliberate_audited_post(login, registered, users):
    client = login("admin")
    asked = client.get(f"/admin/accounts/user/{registered.pk}/phone/").content.decode()
    assert PHONE not in asked and "显示完整号码" in asked
    assert not AuditEvent.objects.filter(action="view_personal_data", target_id=str(registered.pk)).exists()
    shown = client.post(f"/admin/accounts/user/{registered.pk}/phone/").content.decode()
    assert PHONE in shown and "已记入审计日志" in shown
    event = AuditEvent.objects.get(action="view_personal_data", target_type="accounts.user",
                                   target_id=str(registered.pk))
    assert event.actor == users("admin") and event.data == {"fields": ["phone"], "via": "admin"}
    assert PHONE not in event.summary
    # someone without the admin gets nothing, and nothing is recorded
    assert PHONE not in login("worker").post(f"/admin/accounts/user/{registered.pk}/phone/").content.decode()
    assert AuditEvent.objects.filter(action="view_personal_data", target_id=str(registered.pk)).count() == 1


def listed(client, url, q) -> bool:
    return "王芳" in client.get(url, {"q": q}).content.decode()


@pytest.mark.parametrize(("q", "found"), [
    (PHONE, True), ("137-6666-1234", True), ("+86 137 6666 1234", True), ("1234", True), ("王芳", True),
    ("1376666", False), ("137666612", False), ("137", False), ("6666", False), ("66661234", False),
])
def test_admin_search_matches_a_whole_phone_or_its_last_four_digits_never_a_prefix(login, registered, q, found):
    assert listed(login("admin"), "/admin/accounts/user/", q) is found


def test_the_bindings_search_cannot_recover_a_phone_user_name_either(login, registered, world):
    from gongzhi.registry.models import Household

    household = Household.objects.filter(grid=world.my_grid).first()
    HouseholdBinding.objects.create(user=registered, household=household, claimed_name="王芳")
    client = login("admin")
    assert "王芳" in client.get("/admin/accounts/householdbinding/", {"q": PHONE}).content.decode()
    assert "王芳" not in client.get("/admin/accounts/householdbinding/", {"q": "137666"}).content.decode()


def test_the_form_changes_the_phone_only_when_a_new_one_is_typed(registered):
    form = MaskedUserChangeForm(instance=registered)
    assert form.initial["phone"] == ""
    data = {"username": registered.username, "display_name": "王芳", "date_joined": "2026-11-23 10:00:00",
            "is_active": "on"}
    kept = MaskedUserChangeForm(data={**data, "phone": ""}, instance=registered)
    assert kept.is_valid(), kept.errors
    assert kept.cleaned_data["phone"] == PHONE
    changed = MaskedUserChangeForm(data={**data, "phone": "138 0000 1111"}, instance=registered)
    assert changed.is_valid(), changed.errors
    assert changed.cleaned_data["phone"] == "13800001111"
    assert not MaskedUserChangeForm(data={**data, "phone": "12345"}, instance=registered).is_valid()
