"""Numbers past what a database column holds are refused with a clear answer on every list (issue 21).

A page number of 2^63 overflowed the API's offset on PostgreSQL and SQLite alike; an id of 10^20 in a filter
overflowed SQLite's integer. Every list page and every API list is walked with both."""
import pytest
from django.urls import URLResolver, get_resolver

HUGE_PAGE = "9223372036854775808"
HUGE_ID = "99999999999999999999"
ID_FILTERS = "&".join(f"{name}={HUGE_ID}" for name in (
    "area", "category", "parent", "under", "household", "compound", "building", "unit", "edit", "id", "resident"))
API_LISTS = ["areas", "households", "residents", "organisations", "appeals"]
API_ID_FILTERS = ["areas?parent=", "areas?under=", "households?area=", "residents?area=", "organisations?area=",
                  "appeals?area=", "appeals?category=", "hotspots?area="]


def list_pages():
    """Every page whose address takes no id: the lists and the forms, for staff, residents and the public."""
    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            elif "<" not in str(p.pattern):
                yield "/" + prefix + str(p.pattern)
    return [url for url in walk(get_resolver().url_patterns)
            if not url.startswith(("/admin/", "/api/", "/i18n/")) and "logout" not in url]


@pytest.mark.parametrize("who", ["admin", "secretary", "gridworker", "property", "resident", None])
def test_every_page_answers_huge_page_numbers_and_ids_without_a_server_error(who, login, client):
    browser = login(who) if who else client
    failed = {}
    for url in list_pages():
        for query in (f"page={HUGE_PAGE}", ID_FILTERS):
            status = browser.get(f"{url}?{query}").status_code
            if status >= 500:
                failed[f"{url}?{query}"] = status
    assert failed == {}


@pytest.mark.parametrize("url", ["/staff/appeals/", "/staff/appeals/export.xlsx"])
@pytest.mark.parametrize("name", ["area", "category"])
def test_the_queue_refuses_an_id_larger_than_any_with_a_page_saying_so(login, url, name):
    response = login("secretary").get(f"{url}?{name}={HUGE_ID}")
    assert response.status_code == 400
    assert "编号过大" in response.content.decode()


def test_a_superscript_is_not_taken_for_an_id(login):
    # str.isdigit() says yes to "²"; int() then failed with a server error
    assert login("secretary").get("/staff/appeals/?category=²&area=²").status_code == 200


@pytest.mark.parametrize("who", ["admin", "secretary", "resident"])
@pytest.mark.parametrize("endpoint", API_LISTS)
def test_api_lists_refuse_a_page_number_past_the_end_of_any_list(who, endpoint, login):
    response = login(who).get(f"/api/v1/{endpoint}?page={HUGE_PAGE}")
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"


@pytest.mark.parametrize("who", ["admin", "secretary"])
@pytest.mark.parametrize("query", API_ID_FILTERS)
def test_api_filters_refuse_an_id_larger_than_any(who, query, login):
    response = login(who).get(f"/api/v1/{query}{HUGE_ID}")
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"


@pytest.mark.parametrize("endpoint", ["appeals", "areas", "households", "residents", "organisations"])
def test_api_details_of_a_huge_id_are_not_found(endpoint, login):
    assert login("admin").get(f"/api/v1/{endpoint}/{HUGE_ID}").status_code == 404


def test_api_bodies_refuse_an_id_larger_than_any(login, users):
    from gongzhi.appeals.models import Appeal

    home = users("resident").bindings.get().household
    before = Appeal.objects.count()
    response = login("resident").post("/api/v1/appeals", {"text": "漏水", "area_id": int(HUGE_ID),
                                                          "household_id": home.pk}, content_type="application/json")
    assert response.status_code == 422 and Appeal.objects.count() == before
