"""/api/v1/volunteers as the phone app uses it: her standing and balance, the shifts she may take and booking
one, redeeming with an Idempotency-Key; and a resident who is no volunteer is turned away."""
import json
from datetime import timedelta

import pytest

from gongzhi.accounts.models import ApiToken
from gongzhi.volunteers import services
from gongzhi.volunteers.models import Order, PointsEntry, ShopItem

from .conftest import account, give_points, make_shift

pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture
def phone(volunteer, login):
    """The volunteer's signed-in client."""
    return login(volunteer.user.username)


@pytest.fixture
def item(world, worker):
    return services.item_create(actor=worker, area=world.community, name="抽纸", points=30, stock=5)


def post(client, url, body=None, **kwargs):
    return client.post(url, json.dumps(body or {}), content_type="application/json", **kwargs)


def test_me_shows_her_standing_and_balance(phone, volunteer, worker, world):
    give_points(volunteer, 42, by=worker)
    r = phone.get("/api/v1/volunteers/me")
    assert r.status_code == 200
    mine = {"id": account(volunteer).pk, "kind": "volunteer", "balance": 42, "earned": 0}
    assert r.json() == {"volunteer_id": volunteer.pk, "state": "active", "community": world.community.name,
                        "accounts": [mine]}


def test_the_phone_app_s_token_reads_the_same_standing(volunteer, client):
    _token, key = ApiToken.issue(user=volunteer.user, name="手机")
    r = client.get("/api/v1/volunteers/me", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert (r.status_code, r.json()["volunteer_id"]) == (200, volunteer.pk)


def test_shifts_lists_her_community_s_coming_shifts(phone, volunteer, second_volunteer, shift_factory, world,
                                                    users, django_assert_max_num_queries):
    soon = shift_factory(starts_in=timedelta(hours=1), capacity=2)
    later = shift_factory(starts_in=timedelta(days=3), capacity=1)
    cancelled = shift_factory(starts_in=timedelta(hours=5))
    services.shift_cancel(actor=users("worker"), shift=cancelled, reason="场地占用")
    make_shift(actor=users("subdistrict"), area=world.other_community)  # not hers
    services.signup_book(actor=volunteer.user, shift=soon)
    services.signup_book(actor=second_volunteer.user, shift=soon)
    with django_assert_max_num_queries(5):
        r = phone.get("/api/v1/volunteers/shifts")
    assert r.status_code == 200
    assert [(s["id"], s["taken"], s["mine"]) for s in r.json()] == [(soon.pk, 2, True), (later.pk, 0, False)]


def test_booking_a_shift_answers_201_then_409(phone, volunteer, shift_factory):
    shift = shift_factory()
    r = post(phone, f"/api/v1/volunteers/shifts/{shift.pk}/signups")
    assert r.status_code == 201
    assert r.json() == {"id": shift.signups.get().pk, "shift_id": shift.pk, "state": "booked"}
    again = post(phone, f"/api/v1/volunteers/shifts/{shift.pk}/signups")
    assert (again.status_code, again.json()["code"]) == (409, "already_booked")
    assert shift.signups.count() == 1


def test_an_order_retried_with_its_idempotency_key_is_placed_once(phone, volunteer, worker, item):
    give_points(volunteer, 100, by=worker)
    headers = {"Idempotency-Key": "5b1c0e7e-order-1"}
    first = post(phone, "/api/v1/volunteers/orders", {"item": item.pk, "quantity": 2}, headers=headers)
    assert first.status_code == 201
    assert {k: first.json()[k] for k in ("item_id", "quantity", "points", "state", "balance")} == {
        "item_id": item.pk, "quantity": 2, "points": 60, "state": "reserved", "balance": 40}
    again = post(phone, "/api/v1/volunteers/orders", {"item": item.pk, "quantity": 2}, headers=headers)
    assert (again.status_code, again.json()["id"], again.json()["balance"]) == (200, first.json()["id"], 40)
    assert (Order.objects.count(), account(volunteer).balance) == (1, 40)
    assert PointsEntry.objects.filter(account__volunteer=volunteer, kind="redeem").count() == 1


def test_an_order_beyond_her_points_answers_409_insufficient_points(phone, volunteer, worker, item):
    give_points(volunteer, 50, by=worker)
    r = post(phone, "/api/v1/volunteers/orders", {"item": item.pk, "quantity": 2},
             headers={"Idempotency-Key": "k-2"})
    assert r.status_code == 409
    assert r.json()["code"] == "insufficient_points" and r.json()["message"]
    assert (Order.objects.count(), account(volunteer).balance, ShopItem.objects.get(pk=item.pk).stock) == (
        0, 50, 5)


def test_a_key_used_for_another_item_answers_409_and_orders_nothing(phone, volunteer, worker, world, item):
    give_points(volunteer, 100, by=worker)
    soap = services.item_create(actor=worker, area=world.community, name="肥皂", points=10, stock=5)
    headers = {"Idempotency-Key": "tap-1"}
    assert post(phone, "/api/v1/volunteers/orders", {"item": item.pk}, headers=headers).status_code == 201
    r = post(phone, "/api/v1/volunteers/orders", {"item": soap.pk}, headers=headers)
    assert (r.status_code, r.json()["code"]) == (409, "key_reused")
    assert (Order.objects.count(), account(volunteer).balance, ShopItem.objects.get(pk=soap.pk).stock) == (1, 70, 5)


def test_goods_taken_off_the_shelf_answer_409_but_a_retry_still_finds_her_order(phone, volunteer, worker, item):
    give_points(volunteer, 100, by=worker)
    first = post(phone, "/api/v1/volunteers/orders", {"item": item.pk}, headers={"Idempotency-Key": "k-1"})
    services.item_update(actor=worker, item=item, is_active=False)
    again = post(phone, "/api/v1/volunteers/orders", {"item": item.pk}, headers={"Idempotency-Key": "k-1"})
    assert (again.status_code, again.json()["id"], again.json()["balance"]) == (200, first.json()["id"], 70)
    r = post(phone, "/api/v1/volunteers/orders", {"item": item.pk}, headers={"Idempotency-Key": "k-2"})
    assert (r.status_code, r.json()["code"]) == (409, "out_of_stock")
    assert (Order.objects.count(), account(volunteer).balance, ShopItem.objects.get(pk=item.pk).stock) == (1, 70, 4)


def test_an_order_beyond_the_item_s_limit_answers_422_on_the_quantity(phone, volunteer, worker, item):
    give_points(volunteer, 1000, by=worker)
    r = post(phone, "/api/v1/volunteers/orders", {"item": item.pk, "quantity": 6}, headers={"Idempotency-Key": "k"})
    assert (r.status_code, r.json()["field"]) == (422, "quantity")
    assert (Order.objects.count(), account(volunteer).balance) == (0, 1000)


def test_another_community_s_goods_are_not_found_and_cost_nothing(phone, volunteer, worker, users, world):
    give_points(volunteer, 100, by=worker)
    far = services.item_create(actor=users("subdistrict"), area=world.other_community, name="大米", points=10,
                               stock=5)
    r = post(phone, "/api/v1/volunteers/orders", {"item": far.pk})
    assert r.status_code == 404
    assert (Order.objects.count(), account(volunteer).balance, ShopItem.objects.get(pk=far.pk).stock) == (0, 100, 5)


def test_a_resident_who_is_not_a_volunteer_is_turned_away_from_shifts(login, shift_factory):
    resident = login("resident")
    shift = shift_factory()
    r = resident.get("/api/v1/volunteers/shifts")
    assert (r.status_code, r.json()["code"]) == (403, "not_volunteer")
    booked = post(resident, f"/api/v1/volunteers/shifts/{shift.pk}/signups")
    assert (booked.status_code, booked.json()["code"]) == (403, "not_volunteer")
    assert not shift.signups.exists()
