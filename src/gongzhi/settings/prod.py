"""Production: PostgreSQL through DATABASE_URL, Redis, secure cookies. Refuses to start half-configured."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env_bool

DEBUG = False
if not os.environ.get("SECRET_KEY") and not env_bool("ALLOW_FILE_SECRET_KEY"):
    raise ImproperlyConfigured("SECRET_KEY must be set in production")
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
# HTTPS only: plain HTTP is redirected, and browsers are told to use HTTPS for a year (HSTS). Where TLS ends at a
# proxy, set BEHIND_PROXY=1 (base.py) or every request looks like plain HTTP and redirects forever.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain HTTP
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
if not SECURE_HSTS_PRELOAD:
    # the preload list is a commitment for the whole domain that is slow to undo: the operator opts in
    SILENCED_SYSTEM_CHECKS = ["security.W021"]
STATIC_ROOT = VAR_DIR / "static"  # noqa: F405
