"""The API of deliberation: what a resident's phone app and a staff client read and the one ballot they cast."""
import json

import pytest

from gongzhi.accounts.models import ApiToken
from gongzhi.deliberation.models import Ballot

from .conftest import deliberating_topic, make_estate, open_owners_vote


def _bearer(user) -> dict:
    _token, key = ApiToken.issue(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


@pytest.mark.django_db
def test_an_owner_votes_through_the_api_once(client, world, council, users):
    estate = make_estate(world.community, [(80, "a"), (60, "b"), (70, "c")])
    topic = deliberating_topic(council, estate.compound, users("secretary"))
    vote = open_owners_vote(topic, users("secretary"))
    auth = _bearer(estate.accounts["a"])
    listed = client.get("/api/v1/deliberation/topics", **auth).json()
    assert [t["id"] for t in listed["items"]] == [topic.pk] and listed["items"][0]["stage"] == "voting"
    detail = client.get(f"/api/v1/deliberation/topics/{topic.pk}", **auth).json()
    assert [e["action"] for e in detail["timeline"]][:2] == ["propose", "accept"]
    r = client.post(f"/api/v1/deliberation/votes/{vote.pk}/ballots", json.dumps({"choice": "yes"}),
                    content_type="application/json", **auth)
    assert r.status_code == 201 and r.json()[0]["part_id"] == estate.parts[0].pk
    again = client.post(f"/api/v1/deliberation/votes/{vote.pk}/ballots", json.dumps({"choice": "no"}),
                        content_type="application/json", **auth)
    assert again.status_code == 409 and again.json()["code"] == "already_voted"
    bad = client.post(f"/api/v1/deliberation/votes/{vote.pk}/ballots", json.dumps({"choice": "maybe"}),
                      content_type="application/json", **auth)
    assert bad.status_code == 422
    tally = client.get(f"/api/v1/deliberation/votes/{vote.pk}/tally", **auth).json()
    assert tally["participating"] == {"area": "80.00", "heads": 1} and tally["total"]["heads"] == 3
    assert tally["failed"] == ["quorum_area", "quorum_heads"] and Ballot.objects.filter(vote=vote).count() == 1
    # staff read the same tally; someone in another community finds nothing
    assert client.get(f"/api/v1/deliberation/votes/{vote.pk}/tally", **_bearer(users("worker"))).status_code == 200
    far = make_estate(world.other_community, [(50, "x")]).accounts["x"]
    assert client.get(f"/api/v1/deliberation/votes/{vote.pk}/tally", **_bearer(far)).status_code == 404
    assert client.get(f"/api/v1/deliberation/topics/{topic.pk}", **_bearer(far)).status_code == 404
    assert client.post(f"/api/v1/deliberation/votes/{vote.pk}/ballots", json.dumps({"choice": "yes"}),
                       content_type="application/json", **_bearer(far)).status_code == 404
