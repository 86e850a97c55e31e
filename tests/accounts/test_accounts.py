"""Logging in, API tokens, throttling, binding to a household, granting roles."""
import unicodedata

import pytest
from django.db import IntegrityError, transaction

from gongzhi.accounts import services
from gongzhi.accounts.models import ApiToken, HouseholdBinding, RoleGrant, User
from gongzhi.core.errors import InvalidInput, NotPermitted, TransitionNotAllowed
from gongzhi.core.models import AuditEvent
from gongzhi.registry.models import Household

pytestmark = pytest.mark.django_db
PASSWORD = "gongzhi-demo"


@pytest.fixture
def demo_password(users):
    """The session's accounts use the demo password (MD5 hasher in tests)."""
    for name in ["worker", "resident", "gridworker"]:
        u = users(name)
        u.set_password(PASSWORD)
        u.save()


def test_web_login_with_username_or_mobile(client, users, demo_password):
    response = client.post("/accounts/login/", {"username": "worker", "password": PASSWORD})
    assert response.status_code == 302
    client.logout()
    phone = users("resident").phone
    response = client.post("/accounts/login/", {"username": phone, "password": PASSWORD}, follow=True)
    assert response.status_code == 200 and "我的家" in response.content.decode()


def test_a_wrong_password_says_so_in_chinese(client, demo_password):
    response = client.post("/accounts/login/", {"username": "worker", "password": "nope"})
    assert response.status_code == 200 and "密码不正确" in response.content.decode()


def test_failed_logins_are_throttled_even_for_the_right_password_afterwards(client, demo_password):
    for _ in range(5):
        client.post("/accounts/login/", {"username": "worker", "password": "wrong"})
    response = client.post("/accounts/login/", {"username": "worker", "password": PASSWORD})
    assert response.status_code == 429 and "15 分钟" in response.content.decode()
    other = client.post("/accounts/login/", {"username": "resident", "password": PASSWORD})
    assert other.status_code == 302  # the lock is per account and address, not the whole site


def test_api_token_flow(client, demo_password):
    response = client.post("/api/v1/auth/token", {"username": "worker", "password": PASSWORD, "name": "热线"},
                           content_type="application/json")
    assert response.status_code == 201
    token = response.json()["token"]
    me = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert me.status_code == 200 and me.json()["username"] == "worker"
    assert me.json()["grants"][0]["role"] == "community_worker"
    stored = ApiToken.objects.get(user__username="worker")
    assert token not in (stored.key_hash, stored.prefix)  # only a hash is kept
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer nonsense").status_code == 401


def test_api_token_endpoint_is_throttled_too(client, demo_password):
    for attempt in range(1, 6):
        r = client.post("/api/v1/auth/token", {"username": "worker", "password": "bad"},
                        content_type="application/json")
        expected = "invalid_credentials" if attempt < 5 else "too_many_attempts"  # the 5th failure locks
        assert r.json()["code"] == expected
    r = client.post("/api/v1/auth/token", {"username": "worker", "password": PASSWORD},
                    content_type="application/json")
    assert r.status_code == 429 and r.json()["code"] == "too_many_attempts"


def spellings(phone: str) -> list[str]:
    """One mobile as people type it: spaces, dashes, +86, full width."""
    wide = "".join(chr(ord(c) + 0xFEE0) for c in phone)
    return [phone, f" {phone} ", f"{phone[:3]} {phone[3:7]} {phone[7:]}", f"{phone[:3]}-{phone[3:7]}-{phone[7:]}",
            f"+86{phone}", f"+86 {phone}", f"0086{phone}", wide]


def test_spellings_of_one_phone_share_one_lock_on_the_login_page(client, users, demo_password):
    phone = users("resident").phone
    for typed in spellings(phone)[:5]:
        client.post("/accounts/login/", {"username": typed, "password": "wrong"})
    for typed in spellings(phone):
        response = client.post("/accounts/login/", {"username": typed, "password": PASSWORD})
        assert response.status_code == 429, typed  # locked, however the number is written
    assert client.post("/accounts/login/", {"username": "worker", "password": PASSWORD}).status_code == 302


def test_the_user_name_and_the_phone_of_one_account_share_one_lock(client, users, demo_password):
    resident = users("resident")
    for typed in [resident.username, resident.phone] * 2 + [resident.username]:
        client.post("/accounts/login/", {"username": typed, "password": "wrong"})
    assert client.post("/accounts/login/", {"username": resident.phone, "password": PASSWORD}).status_code == 429


def test_spellings_of_one_phone_share_one_lock_at_the_token_endpoint(client, users, demo_password):
    phone = users("resident").phone
    codes = [client.post("/api/v1/auth/token", {"username": typed, "password": "bad"},
                         content_type="application/json").json()["code"] for typed in spellings(phone)]
    assert codes[:4] == ["invalid_credentials"] * 4 and set(codes[4:]) == {"too_many_attempts"}


def test_the_token_endpoint_takes_a_name_with_spaces_around_it(client, demo_password):
    response = client.post("/api/v1/auth/token", {"username": "  worker\t", "password": PASSWORD},
                           content_type="application/json")
    assert response.status_code == 201


def test_an_unknown_name_is_counted_however_it_is_spaced(client, db):
    for typed in ["nobody", " nobody", "nobody ", "ｎｏｂｏｄｙ", "nobody"]:
        client.post("/accounts/login/", {"username": typed, "password": "wrong"})
    assert client.post("/accounts/login/", {"username": " nobody ", "password": "x"}).status_code == 429


def test_a_revoked_token_stops_working(client, users):
    token, key = services.api_token_issue(user=users("worker"), name="x")
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200
    services.api_token_revoke(user=users("worker"), token=token)
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401


# --- household binding (实名认证) ------------------------------------------------------------------------


@pytest.fixture
def stranger(db):
    return User.objects.create_user("stranger", password=PASSWORD, display_name="新居民")


def test_binding_waits_for_a_worker_before_the_resident_can_act(stranger, users, world):
    household = Household.objects.filter(grid=world.my_grid).first()
    member = household.residents.first()
    binding = services.binding_request(user=stranger, household=household, claimed_name=member.name)
    assert binding.resident == member  # the claim matches the ledger: the worker sees it highlighted
    assert not services.verified_households(stranger).exists()
    services.binding_verify(actor=users("gridworker"), binding=binding)
    assert list(services.verified_households(stranger)) == [household]
    assert AuditEvent.objects.filter(action="verify_binding", target_id=str(binding.pk)).exists()


def test_only_a_worker_of_that_place_may_verify(stranger, users, world):
    household = Household.objects.filter(community=world.other_community).first()
    binding = services.binding_request(user=stranger, household=household, claimed_name="某人")
    with pytest.raises(NotPermitted):
        services.binding_verify(actor=users("worker"), binding=binding)
    with pytest.raises(NotPermitted):
        services.binding_verify(actor=users("property"), binding=binding)
    binding.refresh_from_db()
    assert binding.status == "pending"


def test_a_rejection_needs_a_reason_the_resident_then_sees(stranger, users, world, client):
    household = Household.objects.filter(grid=world.my_grid).first()
    binding = services.binding_request(user=stranger, household=household, claimed_name="冒名者")
    with pytest.raises(InvalidInput):
        services.binding_reject(actor=users("gridworker"), binding=binding, reason=" ")
    services.binding_reject(actor=users("gridworker"), binding=binding, reason="台账中无此人，请到服务站核实")
    with pytest.raises(TransitionNotAllowed):
        services.binding_verify(actor=users("gridworker"), binding=binding)
    client.force_login(stranger)
    assert "台账中无此人" in client.get("/portal/households/").content.decode()


def test_the_binding_queue_verifies_with_one_keystroke_flow(login, stranger, world):
    household = Household.objects.filter(grid=world.my_grid).first()
    binding = services.binding_request(user=stranger, household=household, claimed_name="张三")
    worker = login("gridworker")
    queue = worker.get("/staff/bindings/").content.decode()
    assert f'id="binding-{binding.pk}"' in queue
    row = worker.post(f"/staff/bindings/{binding.pk}/verify", HTTP_HX_REQUEST="true").content.decode()
    assert f'id="binding-{binding.pk}"' in row and "已认证" in row and "<html" not in row
    binding.refresh_from_db()
    assert binding.status == "verified"


def test_a_resident_binds_through_the_portal_step_by_step(stranger, client, world):
    household = Household.objects.filter(grid=world.my_grid).select_related("compound").first()
    client.force_login(stranger)
    found = client.get("/portal/households/bind/", {"q": household.compound.name[:2]}).content.decode()
    assert f"?compound={household.compound_id}" in found
    url = (f"/portal/households/bind/?compound={household.compound_id}&building={household.building_id}"
           + (f"&unit={household.unit_id}" if household.unit_id else "") + f"&household={household.pk}")
    response = client.post(url, {"claimed_name": "新居民", "claimed_id_last4": ""})
    assert response.status_code == 302
    assert HouseholdBinding.objects.get(user=stranger).household == household
    assert client.post(url, {"claimed_name": "新居民"}).status_code == 200  # twice: a clear error, no duplicate
    assert HouseholdBinding.objects.filter(user=stranger).count() == 1


def test_the_binding_api_refuses_bad_input_clearly(stranger, client):
    client.force_login(stranger)
    r = client.post("/api/v1/bindings", {"household_id": 10**9, "claimed_name": "x"},
                    content_type="application/json")
    assert r.status_code == 422 and r.json()["message"] == "该户不存在"
    r = client.post("/api/v1/bindings", {"claimed_name": "x"}, content_type="application/json")
    assert r.status_code == 422 and r.json()["code"] == "invalid_input"


def test_a_name_longer_than_the_ledger_holds_is_refused_clearly_and_nothing_is_asked(stranger, client, world):
    household = Household.objects.filter(grid=world.my_grid).first()
    client.force_login(stranger)
    r = client.post("/api/v1/bindings", {"household_id": household.pk, "claimed_name": "名" * 51},
                    content_type="application/json")
    assert r.status_code == 422
    assert (r.json()["field"], r.json()["message"]) == ("claimed_name", "姓名最多50个字")
    assert not HouseholdBinding.objects.filter(user=stranger).exists()


@pytest.mark.parametrize("typed", ["１２３４", "１２３Ｘ", "123ｘ"])
def test_full_width_id_digits_are_read_as_typed_on_a_chinese_keyboard(stranger, world, typed):
    household = Household.objects.filter(grid=world.my_grid).first()
    binding = services.binding_request(user=stranger, household=household, claimed_name="新居民",
                                       claimed_id_last4=typed)
    assert binding.claimed_id_last4 == unicodedata.normalize("NFKC", typed).upper()


def test_id_digits_of_other_scripts_are_refused(stranger, world):
    household = Household.objects.filter(grid=world.my_grid).first()
    with pytest.raises(InvalidInput):
        services.binding_request(user=stranger, household=household, claimed_name="新居民", claimed_id_last4="١٢٣٤")


# --- role grants -----------------------------------------------------------------------------------------


def test_a_secretary_grants_a_grid_worker_in_her_community_only(users, world, stranger):
    secretary = users("secretary")
    grant = services.role_grant(actor=secretary, user=stranger, role="grid_worker", area=world.my_grid)
    assert grant.granted_by == secretary
    other_grid = world.other_community.children.filter(kind="grid").first()
    with pytest.raises(NotPermitted):
        services.role_grant(actor=secretary, user=stranger, role="grid_worker", area=other_grid)
    with pytest.raises(NotPermitted):  # she cannot make subdistrict staff
        services.role_grant(actor=secretary, user=stranger, role="subdistrict_staff",
                            area=world.community.parent)
    with pytest.raises(InvalidInput):  # a grid worker's place is a grid, not a compound
        services.role_grant(actor=users("admin"), user=stranger, role="grid_worker", area=world.compound)


def test_nobody_grants_herself_a_role_and_a_company_s_roles_need_all_it_serves(users, world, stranger):
    """Issue 21: a secretary granted herself a property company's role (it served one compound of hers) and so
    read another community's residents; she could also revoke the company's own staff."""
    from tests import factories

    secretary = users("secretary")
    shared = factories.organisation(name="跨社区物业", serving=[world.compound, world.other_compound])
    own = factories.organisation(name="本社区物业", serving=[world.compound])
    with pytest.raises(NotPermitted):  # herself: never
        services.role_grant(actor=secretary, user=secretary, role="property_staff", organisation=own)
    with pytest.raises(NotPermitted):  # a company serving beyond her community: not hers to staff
        services.role_grant(actor=secretary, user=stranger, role="property_staff", organisation=shared)
    granted = services.role_grant(actor=secretary, user=stranger, role="property_staff", organisation=own)
    theirs = services.role_grant(actor=users("admin"), user=stranger, role="property_staff", organisation=shared)
    with pytest.raises(NotPermitted):  # nor does she revoke its staff
        services.role_revoke(actor=secretary, grant=theirs)
    services.role_revoke(actor=secretary, grant=granted)


def test_a_revoked_role_stops_giving_access(users, world, stranger, client):
    grant = services.role_grant(actor=users("secretary"), user=stranger, role="community_worker",
                                area=world.community)
    client.force_login(stranger)
    assert client.get("/staff/residents/").status_code == 200
    services.role_revoke(actor=users("secretary"), grant=grant)
    assert client.get("/staff/residents/").status_code == 403


def test_the_database_refuses_a_local_role_without_a_place(stranger):
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleGrant.objects.create(user=stranger, role="property_staff")


def test_someone_elses_binding_cannot_be_ended_and_the_answer_is_a_plain_404(client, users):
    theirs = users("resident").bindings.get()
    client.force_login(users("newcomer"))
    assert client.post(f"/portal/households/{theirs.pk}/unbind").status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "verified"


def test_a_wrong_password_says_how_many_tries_are_left(client, users):
    users("worker")
    client.post("/accounts/login/", {"username": "worker", "password": "wrong-1"})
    page = client.post("/accounts/login/", {"username": "worker", "password": "wrong-2"}).content.decode()
    assert "再错 3 次将锁定 15 分钟" in page
