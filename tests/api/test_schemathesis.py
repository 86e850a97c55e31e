"""Every operation of the OpenAPI document, driven by schemathesis for a strong and a weak role (issue 21).

Schemathesis reads the document /api/v1/openapi.json serves, generates requests for each operation (its
boundary values, then random valid and invalid input) and sends them in-process to the Django WSGI application,
authenticated with a bearer token of the demo city's administrator and of its verified resident. Each answer must
not be a server error, must have a status the operation documents, a content type it documents and a body
matching the schema documented for that status. Mutating operations run too: each test's database is rolled back.

Random ids name nothing, so a run would see little but 404s: each test files a few dozen appeals in every state
(with a whistle, an extension request and a hotspot), and half the ids the generator draws for a path, a filter or
a body (``area_id``, ``party_id``, ``into``…) are swapped for ids that exist.

Runs on SQLite and again with ``--postgresql`` (make test). The examples are few and derived from a fixed seed,
so a run is reproducible and takes about a minute on SQLite.
"""
from __future__ import annotations

from datetime import timedelta

import pytest

from tests.conftest import ON_CI

try:
    import schemathesis
except ImportError:  # a dev dependency: `make test` installs it, and CI must not go green without it
    if ON_CI:
        raise
    pytest.skip("schemathesis is not installed (pip install -e '.[dev]')", allow_module_level=True)

from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from gongzhi.api import api

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = 15  # per operation and role, in the fuzzing phase (the examples and boundary phases add their own)

schema = schemathesis.openapi.from_dict(
    api.get_openapi_schema(),
    config=schemathesis.Config.from_dict({"generation": {"mode": "all", "deterministic": True, "database": "none"}}),
)
schema.app = WSGIHandler()

# ids that exist in the test's database, by kind; filled by the ``city`` fixture before each test
KNOWN: dict[str, list] = {}
PATH_KINDS = {"appeals": "appeals", "areas": "areas", "households": "households", "residents": "residents",
              "organisations": "organisations", "requests": "requests", "whistles": "whistles",
              "hotspots": "hotspots", "auth": "tokens"}
FIELD_KINDS = {"area_id": "areas", "household_id": "households", "category_id": "categories",
               "party_id": "organisations", "department_id": "organisations", "into": "appeal_refs",
               "area": "areas", "under": "areas", "parent": "areas", "category": "categories",
               "number": "appeal_numbers"}


def known_or(value, kind: str):
    """The generated value, or (as often) one of the test's existing ``kind``, read when drawn."""
    existing = st.integers(min_value=0, max_value=10**6).map(
        lambda i: KNOWN[kind][i % len(KNOWN[kind])] if KNOWN.get(kind) else value)
    return st.one_of(st.just(value), existing)


def known_fields(values):
    if not isinstance(values, dict):
        return st.just(values)
    swaps = {name: known_or(value, FIELD_KINDS[name]) for name, value in values.items() if name in FIELD_KINDS}
    return st.fixed_dictionaries(swaps).map(lambda swapped: {**values, **swapped}) if swaps else st.just(values)


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    kind = PATH_KINDS.get(context.operation.path.removeprefix("/api/v1/").split("/")[0])
    if kind is None or not isinstance(path_parameters, dict) or "pk" not in path_parameters:
        return st.just(path_parameters)
    return known_or(path_parameters["pk"], kind).map(lambda pk: {**path_parameters, "pk": pk})


@schema.hook
def flatmap_query(context, query):
    return known_fields(query)


@schema.hook
def flatmap_body(context, body):
    return known_fields(body)


@pytest.fixture
def in_test_transaction(db):
    """Django closes the connection at each request's start and end, which would end the test's transaction; the
    test client stops it from doing so, and the WSGI handler called directly needs the same."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def city(in_test_transaction, users):
    """Appeals in every state and what hangs off them, and the ids the generator may pick from."""
    from gongzhi.accounts.services import verified_households
    from gongzhi.appeals import services
    from gongzhi.appeals.choices import State
    from gongzhi.appeals.demo import build_appeals
    from gongzhi.appeals.models import Appeal, AppealRequest, Category, Whistle
    from gongzhi.registry.choices import OrgKind
    from gongzhi.registry.models import Area, Household, Organisation, Resident
    from gongzhi.triage.models import Hotspot
    from gongzhi.triage.services import hotspots_refresh

    build_appeals(count=60, quiet=True)
    worker, clerk = users("worker"), users("property")
    company = clerk.role_grants.get().organisation
    department = Organisation.objects.filter(kind=OrgKind.DEPARTMENT).order_by("id").first()
    mine = Appeal.objects.filter(community=worker.role_grants.get().area)
    blown = mine.filter(state__in=[State.ACCEPTED, State.DISPATCHED, State.IN_PROGRESS]).order_by("id").first()
    if blown is not None:
        services.appeal_whistle(appeal=blown, actor=worker, reason="需要职能部门到场", department=department)
    held = Appeal.objects.filter(party=company, state__in=[State.DISPATCHED, State.IN_PROGRESS]).order_by("id").first()
    if held is not None:
        if held.state == State.DISPATCHED:
            held = services.appeal_take(appeal=held, actor=clerk)
        services.appeal_request_extension(appeal=held, actor=clerk, reason="等配件到货",
                                          due_at=timezone.now() + timedelta(days=20))
    hotspots_refresh()

    home = verified_households(users("resident")).get()
    appeals = list(Appeal.objects.order_by("id").values_list("id", "number"))
    KNOWN.clear()
    KNOWN.update({
        "appeals": [pk for pk, _ in appeals],
        "appeal_numbers": [number for _, number in appeals],
        "appeal_refs": [str(pk) for pk, _ in appeals[::2]] + [number for _, number in appeals[1::2]],
        "areas": [home.area_id, home.compound_id, *Area.objects.order_by("id").values_list("id", flat=True)[:40]],
        "households": [home.pk, *Household.objects.order_by("id").values_list("id", flat=True)[:20]],
        "residents": list(Resident.objects.order_by("id").values_list("id", flat=True)[:20]),
        "organisations": [company.pk, *Organisation.objects.order_by("id").values_list("id", flat=True)[:20]],
        "categories": list(Category.objects.order_by("id").values_list("id", flat=True)),
        "requests": list(AppealRequest.objects.values_list("id", flat=True)),
        "whistles": list(Whistle.objects.values_list("id", flat=True)),
        "hotspots": list(Hotspot.objects.values_list("id", flat=True)[:10]),
    })
    yield
    KNOWN.clear()


@pytest.fixture
def bearer(city, users, username):
    from gongzhi.accounts.services import api_token_issue

    _, key = api_token_issue(user=users(username), name="schemathesis")
    spare, _ = api_token_issue(user=users(username), name="to revoke")  # the one DELETE may find, not the one in use
    KNOWN["tokens"] = [spare.pk]
    return {"Authorization": f"Bearer {key}"}


# admin: every operation is allowed; resident: a verified resident, refused most of them
@pytest.mark.parametrize("username", ["admin", "resident"])
@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
def test_api_conforms_to_its_document(case, username, bearer):
    case.call_and_validate(headers=bearer, checks=CHECKS)
