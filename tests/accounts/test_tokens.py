"""API tokens: they expire, she sees and revokes them, and a changed password ends them all (issue 21)."""
import re
from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.utils import timezone

from gongzhi.accounts import services, signup
from gongzhi.accounts.models import ApiToken, PhoneCode, User
from gongzhi.notifications.models import OutboxMessage

pytestmark = [pytest.mark.django_db, pytest.mark.clock("2026-11-23 10:00 +0800")]
PASSWORD = "gongzhi-demo"


@pytest.fixture(autouse=True)
def fresh_limits():
    cache.clear()


def bearer(key):
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_a_token_works_for_api_token_days_then_is_refused_saying_it_expired(client, users, settings):
    settings.API_TOKEN_DAYS = 30
    token, key = services.api_token_issue(user=users("worker"), name="热线对接")
    assert abs((token.expires_at - timezone.now() - timedelta(days=30)).total_seconds()) < 60
    with time_machine.travel(timezone.now() + timedelta(days=29)):
        assert client.get("/api/v1/me", **bearer(key)).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=30, minutes=1)):
        refused = client.get("/api/v1/me", **bearer(key))
    assert refused.status_code == 401
    assert refused.json() == {"code": "token_expired", "message": "接口令牌已过期，请重新获取令牌"}
    assert client.get("/api/v1/me", **bearer("gz_nonsense")).json()["code"] == "unauthorized"


def test_the_token_endpoint_says_when_its_token_expires(client, users):
    user = users("worker")
    user.set_password(PASSWORD)
    user.save()
    made = client.post("/api/v1/auth/token", {"username": "worker", "password": PASSWORD, "name": "热线"},
                       content_type="application/json").json()
    assert made["expires_at"].startswith((timezone.localdate() + timedelta(days=90)).isoformat()[:7])


def test_she_lists_her_tokens_without_their_keys_and_revokes_one_by_the_api(client, users):
    _old, old_key = services.api_token_issue(user=users("worker"), name="旧系统")
    token, key = services.api_token_issue(user=users("worker"), name="热线对接")
    theirs, their_key = services.api_token_issue(user=users("property"), name="物业系统")
    client.get("/api/v1/me", **bearer(key))  # last used now
    listed = client.get("/api/v1/auth/tokens", **bearer(key)).json()
    assert [t["name"] for t in listed] == ["热线对接", "旧系统"]
    assert set(listed[0]) == {"id", "name", "prefix", "created_at", "last_used_at", "expires_at", "expired"}
    assert listed[0]["last_used_at"] is not None and listed[1]["last_used_at"] is None
    assert listed[0]["expired"] is False
    assert not any(key in str(v) or old_key in str(v) for t in listed for v in t.values())  # never the key
    assert client.delete(f"/api/v1/auth/tokens/{theirs.pk}", **bearer(key)).status_code == 404  # not hers
    assert client.get("/api/v1/me", **bearer(their_key)).status_code == 200
    assert client.delete(f"/api/v1/auth/tokens/{_old.pk}", **bearer(key)).status_code == 204
    refused = client.get("/api/v1/me", **bearer(old_key))
    assert (refused.status_code, refused.json()["code"]) == (401, "token_revoked")
    assert [t["name"] for t in client.get("/api/v1/auth/tokens", **bearer(key)).json()] == ["热线对接"]


def test_her_tokens_page_shows_when_each_expires_and_revokes_one(login, users):
    token, key = services.api_token_issue(user=users("worker"), name="热线对接")
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(days=1))
    fresh, _key = services.api_token_issue(user=users("worker"), name="新系统")
    client = login("worker")
    page = client.get("/accounts/tokens/").content.decode()
    assert "到期时间" in page and "已过期" in page and "90 天内有效" in page
    assert fresh.expires_at.astimezone(timezone.get_current_timezone()).strftime("%Y-%m-%d") in page
    assert key not in page and token.key_hash not in page
    client.post(f"/accounts/tokens/{fresh.pk}/revoke")
    assert "新系统" not in client.get("/accounts/tokens/").content.decode()
    assert "/accounts/tokens/" in login("resident").get("/portal/settings/").content.decode()  # her account page


def live_tokens(user) -> int:
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).count()


def test_changing_her_own_password_ends_all_her_tokens(login, users, client):
    user = users("worker")
    user.set_password(PASSWORD)
    user.save()
    keys = [services.api_token_issue(user=user, name=n)[1] for n in ("热线", "报表")]
    page = login("worker")
    response = page.post("/accounts/password/", {"old_password": PASSWORD, "new_password1": "Winter-2026-new!",
                                                 "new_password2": "Winter-2026-new!"})
    assert response.status_code == 302
    assert live_tokens(user) == 0
    for key in keys:
        assert client.get("/api/v1/me", **bearer(key)).json()["code"] == "token_revoked"


def test_a_password_reset_by_sms_code_ends_all_her_tokens(client, users):
    resident = users("resident")
    _token, key = services.api_token_issue(user=resident, name="家里的平板")
    signup.code_send(phone=resident.phone, purpose=PhoneCode.Purpose.RESET)
    code = re.search(r"\d{6}", OutboxMessage.objects.filter(recipient=resident.phone).latest("id").body)[0]
    signup.password_reset(phone=resident.phone, code=code, password="Autumn-2026-new!")
    assert live_tokens(resident) == 0
    assert client.get("/api/v1/me", **bearer(key)).status_code == 401


def test_a_temporary_password_sent_by_staff_ends_all_her_tokens(users):
    resident = users("resident")
    services.api_token_issue(user=resident, name="家里的平板")
    signup.password_reset_by_staff(actor=users("gridworker"), user=resident)
    assert live_tokens(resident) == 0


def test_saving_her_account_without_a_new_password_keeps_her_tokens(users):
    resident = users("resident")
    services.api_token_issue(user=resident, name="家里的平板")
    resident.large_text = True
    resident.save()
    User.objects.get(pk=resident.pk).check_password(PASSWORD)  # logging in (a hash upgrade is no change)
    assert live_tokens(resident) == 1
