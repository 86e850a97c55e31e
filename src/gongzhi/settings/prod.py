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
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
STATIC_ROOT = VAR_DIR / "static"  # noqa: F405
