"""The /api/v1 registry endpoints: documented, scoped, masked, and clear about bad input."""
import pytest

from gongzhi.core.models import AuditEvent
from gongzhi.registry.models import Area, Resident

pytestmark = pytest.mark.django_db


def test_the_openapi_document_and_docs_are_served(client):
    doc = client.get("/api/v1/openapi.json").json()
    assert doc["info"]["title"].startswith("共治")
    for path in ["/api/v1/residents", "/api/v1/areas/{pk}/partners", "/api/v1/auth/token"]:
        assert path in doc["paths"]
    assert client.get("/api/v1/docs").status_code == 200


def test_the_openapi_document_describes_every_error_as_code_and_message(client):
    doc = client.get("/api/v1/openapi.json").json()
    assert set(doc["components"]["schemas"]["ErrorBody"]["required"]) == {"code", "message"}
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            for status in ("400", "403", "404", "409", "413", "422"):
                assert "$ref" in str(operation["responses"][status]["content"]), (method, path, status)
    assert "429" in doc["paths"]["/api/v1/auth/token"]["post"]["responses"]
    assert "401" in doc["paths"]["/api/v1/appeals"]["get"]["responses"]


def test_resident_lists_come_masked_and_paginated(login, world):
    body = login("worker").get(f"/api/v1/residents?area={world.compound.pk}&page_size=20").json()
    assert 0 < len(body["items"]) <= 20 and body["count"] >= len(body["items"])
    for item in body["items"]:
        assert "****" in item["phone"] or item["phone"] == ""
        resident = Resident.objects.get(pk=item["id"])
        assert resident.compound_id == world.compound.pk
        assert item["id_number"] in ("", resident.masked_id_number)


def test_personal_data_is_revealed_only_on_purpose_and_audited(login, users, world):
    resident = Resident.objects.filter(community=world.community).exclude(id_number=None).first()
    client = login("worker")
    body = client.post(f"/api/v1/residents/{resident.pk}/personal-data").json()
    assert body["id_number"] == resident.id_number
    event = AuditEvent.objects.get(action="view_personal_data", target_id=str(resident.pk))
    assert event.actor == users("worker") and event.data["via"] == "api"
    masked_only = login("property").post(f"/api/v1/residents/{resident.pk}/personal-data")
    assert masked_only.status_code in (403, 404)


def test_filters_match_the_staff_list(login, world):
    client = login("worker")
    elderly = client.get(f"/api/v1/residents?area={world.community.pk}&tag=elderly&page_size=100").json()
    assert elderly["count"] > 0 and all(item["age"] >= 60 for item in elderly["items"])


@pytest.mark.parametrize("url, code", [
    ("/api/v1/areas?kind=planet", "invalid_input"),
    ("/api/v1/residents?status=flying", "invalid_filter"),
    ("/api/v1/organisations?kind=club", "invalid_input"),
    ("/api/v1/areas/not-a-number", "invalid_input"),
])
def test_bad_input_gets_a_clear_error_in_chinese(login, url, code):
    response = login("worker").get(url)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == code and any("\u4e00" <= ch <= "\u9fff" for ch in body["message"])


def test_the_document_lists_the_values_a_choice_takes_and_others_are_refused_at_their_field(client, login):
    doc = client.get("/api/v1/openapi.json").json()
    close = doc["components"]["schemas"]["CloseIn"]["properties"]["outcome"]
    assert set(close["enum"]) == {"not_ours", "explained", "duplicate", "withdrawn"}
    rates = next(p for p in doc["paths"]["/api/v1/figures/rates"]["get"]["parameters"] if p["name"] == "group_by")
    assert "party" in rates["schema"]["enum"]
    answer = login("worker").get("/api/v1/appeals?state=lost")
    assert (answer.status_code, answer.json()["code"], answer.json()["field"]) == (422, "invalid_input", "state")


def test_errors_speak_english_when_asked(login):
    response = login("worker").get("/api/v1/areas?kind=planet", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 422 and response.json()["message"].isascii()


def test_unknown_records_and_other_peoples_records_look_the_same(login, world):
    client = login("worker")
    other = Resident.objects.filter(community=world.other_community).first()
    missing = client.get("/api/v1/residents/999999999")
    hidden = client.get(f"/api/v1/residents/{other.pk}")
    assert missing.status_code == hidden.status_code == 404
    assert missing.json() == hidden.json()


def test_the_six_partners_of_a_compound(login, world):
    slots = login("worker").get(f"/api/v1/areas/{world.compound.pk}/partners").json()
    assert [s["role"] for s in slots] == ["lead", "organiser", "owners", "steward", "backer", "partner"]
    assert slots[3]["organisations"], "a compound always has a steward: its company or the red steward"
    community = login("worker").get(f"/api/v1/areas/{world.community.pk}/partners")
    assert community.status_code == 422


def test_areas_under_a_community(login, world):
    body = login("worker").get(f"/api/v1/areas?under={world.community.pk}&kind=compound&page_size=100").json()
    expected = set(Area.objects.filter(kind="compound", community=world.community).values_list("pk", flat=True))
    assert {a["id"] for a in body["items"]} == expected


def test_the_api_docs_work_offline(client):
    """Swagger UI came from a CDN: offline, /api/v1/docs was blank. It is served from the app's own static files."""
    page = client.get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page and "cdn" not in page.lower()
