"""Screen readers follow a field's aria-describedby to its help and its error: each id it names is on the page."""
import re

import pytest

pytestmark = pytest.mark.django_db


def dangling_references(html: str) -> set[str]:
    ids = set(re.findall(r'\bid="([^"]+)"', html))
    named = {ref for refs in re.findall(r'aria-describedby="([^"]*)"', html) for ref in refs.split()}
    return named - ids


@pytest.mark.parametrize("who, url, post", [
    ("worker", "/staff/appeals/new", {"channel": "desk", "text": "", "contact_phone": "123"}),
    ("resident", "/portal/appeals/new", {"text": ""}),
    ("admin", "/staff/organisations/new", {"name": ""}),
])
def test_each_help_and_error_a_field_points_to_is_there(login, who, url, post):
    client = login(who)
    shown = client.get(url).content.decode()
    assert dangling_references(shown) == set()
    refused = client.post(url, post).content.decode()
    assert 'aria-invalid="true" aria-describedby=' in refused and dangling_references(refused) == set()
