"""Shared test set-up.

* ``pytest`` runs on SQLite; ``pytest --postgresql`` starts a throw-away PostgreSQL cluster with the machine's
  ``pg_ctl`` (see gongzhi.testing.postgres) and runs the same tests on it.
* With ``CI=true`` a test that needs a missing system component (PostgreSQL, Chromium) fails instead of being
  skipped, so a bare CI machine cannot go green by skipping.
* One small demo city (five communities, ~1,500 residents, every role's account) is built once per session;
  each test runs in a transaction that is rolled back, so tests may change it freely.
* ``django_db(transaction=True)`` tests (real concurrent connections, PostgreSQL only) see that world committed;
  pytest-django runs them after the others and flushes the database after each, so there must be only one
  such test per run, or later ones must build what they need themselves.
"""
from __future__ import annotations

import contextlib
import os

import pytest
import time_machine
from django.test import Client

from gongzhi.testing.postgres import Cluster, PostgresUnavailable

ON_CI = os.environ.get("CI", "").lower() == "true"
WORLD_RESIDENTS = 1500
DEMO_PASSWORD = "gongzhi-demo"


def pytest_addoption(parser):
    parser.addoption("--postgresql", action="store_true", default=False,
                     help="run the tests on a throw-away PostgreSQL cluster started with the machine's pg_ctl")


def require_component(available: bool, what: str) -> None:
    """Skip a test whose system component is missing, or fail it on CI."""
    if available:
        return
    if ON_CI:
        pytest.fail(f"{what} is missing on this CI machine (.ci/run should have installed it)")
    pytest.skip(f"{what} is missing")


@pytest.fixture(scope="session")
def django_db_modify_db_settings(request, django_db_modify_db_settings_parallel_suffix):
    if not request.config.getoption("--postgresql"):
        return
    try:
        cluster = Cluster().start()
    except PostgresUnavailable as e:
        require_component(False, f"PostgreSQL ({e})")
    request.addfinalizer(cluster.stop)

    import dj_database_url
    from django.conf import settings
    from django.db import connections

    parsed = dj_database_url.parse(cluster.url)
    db = settings.DATABASES["default"]
    for key in ("ENGINE", "NAME", "USER", "PASSWORD", "HOST", "PORT"):
        db[key] = parsed[key]
    db["OPTIONS"] = dict(settings.POSTGRESQL_OPTIONS)  # as production runs
    db["CONN_MAX_AGE"] = 0
    # a connection object made before this point (imports, non-database tests) still speaks SQLite
    connections.close_all()
    with contextlib.suppress(AttributeError):
        del connections["default"]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The session's demo city, built once on the fresh test database."""
    from gongzhi.accounts.demo import build_accounts
    from gongzhi.registry.demo import build_registry

    with django_db_blocker.unblock():
        build_registry(residents=WORLD_RESIDENTS, quiet=True)
        build_accounts()


@pytest.fixture(autouse=True)
def _clock(request):
    """``@pytest.mark.clock("2026-11-23 10:00 +0800")`` sets the clock for all a test does, its fixtures and the
    pages it opens included, ticking from there. A test pinned to a date (working hours, a holiday, a Monday)
    must not let any step read the real date, or it passes when written and fails a week later; inner
    ``time_machine.travel`` blocks move it further as before. ``make test-dates`` runs the suite with the real
    clock years ahead, which is how a test that reads the real date is caught."""
    marker = request.node.get_closest_marker("clock")
    if marker is None:
        yield
        return
    with time_machine.travel(marker.args[0], tick=True):
        yield


@pytest.fixture(autouse=True)
def _fresh_calendar():
    """Calendar.load remembers a minute's worth in the process; a rolled-back test must not leave its holidays."""
    from gongzhi.appeals.worktime import Calendar

    Calendar.forget()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Counters and figures kept in the cache (per-address and per-account limits, big queue totals) are the
    test's own: a rolled-back test leaves none behind."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _postgresql_only(request):
    if request.node.get_closest_marker("postgresql_only"):
        from django.db import connection

        if connection.vendor != "postgresql":
            pytest.skip("runs in the PostgreSQL pass (make test runs both)")


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language (a request in English leaves English active in the thread)."""
    from django.conf import settings
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        yield


# --- the demo city's people ---------------------------------------------------------------------------------


def user(username: str):
    from gongzhi.accounts.models import User

    return User.objects.get(username=username)


@pytest.fixture
def users(db):
    """Fetch a demo account by username: ``users("worker")``. A fresh object each time (scopes are cached)."""
    return user


@pytest.fixture
def login(db):
    """A Django test client logged in as a demo account: ``login("gridworker")``."""

    def make(username: str, **client_kwargs) -> Client:
        client = Client(**client_kwargs)
        client.force_login(user(username))
        return client

    return make


@pytest.fixture
def world(db):
    """Handy places of the demo city: the worker's community, another community, a compound of each…"""
    from gongzhi.registry.choices import AreaKind
    from gongzhi.registry.models import Area

    worker = user("worker")
    home = worker.role_grants.get().area
    other = Area.objects.filter(kind=AreaKind.COMMUNITY).exclude(pk=home.pk).order_by("id").first()
    grid = user("gridworker").role_grants.get().area

    class World:
        community = home
        other_community = other
        my_grid = grid
        other_grid_same_community = (Area.objects.filter(kind=AreaKind.GRID, community=home)
                                     .exclude(pk=grid.pk).order_by("id").first())
        compound = Area.objects.filter(kind=AreaKind.COMPOUND, community=home).order_by("id").first()
        other_compound = Area.objects.filter(kind=AreaKind.COMPOUND, community=other).order_by("id").first()

    return World
