"""The edge: input no view could store is refused before any view or the database sees it (issue 21)."""
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from gongzhi.accounts.models import ApiToken, User
from gongzhi.appeals.models import Appeal


def post_json(client, url, payload):
    return client.post(url, json.dumps(payload), content_type="application/json")


def test_a_nul_in_the_public_board_search_is_refused_with_a_page_saying_why(client):
    response = client.get("/board/?q=%00")
    assert response.status_code == 400
    assert "NUL" in response.content.decode()


@pytest.mark.parametrize("url", ["/staff/appeals/?q=a%00b", "/staff/households/?q=%00", "/staff/organisations/?q=%00",
                                 "/staff/residents/?q=%00", "/staff/appeals/export.xlsx?q=%00"])
def test_a_nul_in_a_staff_search_is_refused(login, url):
    assert login("admin").get(url).status_code == 400


def test_the_token_endpoint_refuses_a_nul_in_json_and_issues_nothing(client, db):
    before = ApiToken.objects.count()
    response = post_json(client, "/api/v1/auth/token", {"username": "worker\u0000", "password": "x"})
    assert response.status_code == 400
    assert response.json()["code"] == "null_character" and "NUL" in response.json()["message"]
    assert ApiToken.objects.count() == before


def test_an_appeal_with_a_nul_in_its_text_is_refused_and_nothing_is_filed(login, users):
    home = users("resident").bindings.get().household
    before = Appeal.objects.count()
    response = post_json(login("resident"), "/api/v1/appeals",
                         {"text": "漏水\u0000", "area_id": home.area_id, "household_id": home.pk})
    assert (response.status_code, response.json()["code"]) == (400, "null_character")
    assert Appeal.objects.count() == before


def test_a_nul_in_a_form_field_is_refused_and_nothing_changes(login, users):
    client = login("worker")
    response = client.post("/large-text", {"on": "1", "next": "/\x00"})
    assert response.status_code == 400
    assert not User.objects.get(username="worker").large_text


def test_an_uploaded_file_may_hold_nul_bytes(client, db):
    upload = SimpleUploadedFile("photo.jpg", b"\xff\xd8\x00\x00\x00binary", content_type="image/jpeg")
    response = client.post("/large-text", {"on": "1", "photo": upload})
    assert response.status_code == 302


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_a_too_large_api_body_gets_json_413(client, db):
    response = post_json(client, "/api/v1/auth/token", {"username": "x" * 2000, "password": "x"})
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"


def test_english_speakers_read_why_in_english(client, db):
    response = client.get("/api/v1/appeals?q=%00", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and "NUL" in response.json()["message"]
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in response.json()["message"])
